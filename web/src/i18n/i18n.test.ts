import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { en } from "./en";
import { formatDate, formatDateTime, formatNumber, formatVnd } from "./format";
import { getLang, roleLabel, setLang, t } from "./index";
import { vi } from "./vi";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("dictionaries", () => {
  it("has the same keys and placeholders in Vietnamese and English, none empty", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    for (const [key, text] of Object.entries(vi)) {
      const english = en[key as keyof typeof en];
      expect(text.trim(), key).not.toBe("");
      expect(english.trim(), key).not.toBe("");
      expect(placeholders(english), key).toEqual(placeholders(text));
    }
  });
});

describe("t()", () => {
  afterEach(() => setLang("vi"));

  it("defaults to Vietnamese", () => {
    localStorage.clear();
    expect(getLang()).toBe("vi");
    expect(t("login.submit")).toBe("Đăng nhập");
  });

  it("switches to English, remembers it and sets <html lang>", () => {
    setLang("en");
    expect(t("login.submit")).toBe("Sign in");
    expect(localStorage.getItem("sc.lang")).toBe("en");
    expect(document.documentElement.lang).toBe("en");
  });

  it("fills placeholders", () => {
    expect(t("communes.total", { count: 3 })).toBe("3 xã");
    expect(t("common.range", { from: 1, to: 25, total: 40 })).toBe("1–25 trên 40");
  });

  it("labels built-in roles and keeps custom role names", () => {
    expect(roleLabel("commune_admin")).toBe("Quản trị xã");
    expect(roleLabel("ke_toan")).toBe("ke_toan");
  });
});

describe("Vietnamese formats", () => {
  const nbsp = /\u00a0|\u202f/g;
  it("formats VND with dot grouping and the dong sign after", () => {
    expect(formatVnd(1500000, "vi").replace(nbsp, " ")).toBe("1.500.000 ₫");
    expect(formatVnd(0, "vi").replace(nbsp, " ")).toBe("0 ₫");
  });

  it("formats numbers with a dot for thousands and a comma for decimals", () => {
    expect(formatNumber(1234567.5, "vi")).toBe("1.234.567,5");
  });

  it("formats dates day first in Vietnam's time zone", () => {
    // 20:30 UTC on 1 Jan is 03:30 on 2 Jan in Hà Nội (UTC+7).
    expect(formatDate("2026-01-01T20:30:00Z", "vi")).toBe("02/01/2026");
    expect(formatDateTime("2026-01-01T20:30:00Z", "vi")).toContain("03:30");
  });
});

describe("each app loads the strings of the areas it shows", () => {
  const AREAS = ["provider", "adminPeople", "adminOps", "resident", "quality", "cameras"];
  const srcDir = resolve(import.meta.dirname, "..");
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
    );
  for (const app of ["provider", "admin", "resident"]) {
    it(app, () => {
      const used = new Set<string>();
      for (const file of sources(join(srcDir, app))) {
        for (const m of readFileSync(file, "utf8").matchAll(/["`](\w+)\.[\w.]+/g)) if (AREAS.includes(m[1])) used.add(m[1]);
      }
      const registered = readFileSync(join(srcDir, app, "messages.ts"), "utf8");
      for (const area of used) expect(registered, area).toContain(`areas/${area}.vi`);
      expect(used.size).toBeGreaterThan(0);
    });
  }
});
