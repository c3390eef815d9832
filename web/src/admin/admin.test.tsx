import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setLang } from "../i18n";
import { saveSession, sessionFromToken, sessionKey } from "../lib/session";
import { CAM_LO, fakeToken, mockFetch } from "../test/helpers";
import { AdminApp } from "./App";
import { describeChange } from "./AuditPage";

const village = { id: 1, code: "T01", name: "Thôn An Bình", kind: "thon", population: 1250, created_at: "2026-01-01T00:00:00Z" };

beforeEach(() => {
  localStorage.clear();
  setLang("vi");
  location.hash = "";
});
afterEach(cleanup);

describe("commune admin console", () => {
  it("signs in on the communes realm, then lists and creates villages", async () => {
    const created: unknown[] = [];
    const m = mockFetch({
      "GET /api/v1/commune": () => CAM_LO,
      "POST /auth/realms/communes/protocol/openid-connect/token": () => ({ access_token: fakeToken({ preferred_username: "cam-lo.admin" }), expires_in: 3600, scope: "" }),
      "GET /api/v1/villages": () => [village, ...created],
      "POST /api/v1/villages": (_req, body) => {
        const v = { ...village, id: 2, ...JSON.parse(body) };
        created.push(v);
        return v;
      },
    });
    location.hash = "#/villages";
    render(<AdminApp fetch={m.fetch} pathname="/t/cam-lo/app/admin/" />);
    fireEvent.input(await screen.findByLabelText("Tên đăng nhập"), { target: { value: "cam-lo.admin" } });
    fireEvent.input(screen.getByLabelText("Mật khẩu"), { target: { value: "x" } });
    fireEvent.click(screen.getByRole("button", { name: "Đăng nhập" }));
    expect(await screen.findByText("Thôn An Bình")).toBeTruthy();
    expect(screen.getByText("1.250")).toBeTruthy();
    expect(m.calls.find((c) => c.url.pathname.endsWith("/token"))!.url.pathname).toBe("/t/cam-lo/auth/realms/communes/protocol/openid-connect/token");

    fireEvent.click(screen.getByRole("button", { name: "Thêm thôn" }));
    fireEvent.input(screen.getByLabelText("Mã"), { target: { value: "T04" } });
    fireEvent.input(screen.getByLabelText("Tên"), { target: { value: "Thôn Mới" } });
    fireEvent.change(screen.getByLabelText("Loại"), { target: { value: "ban" } });
    fireEvent.click(screen.getByRole("button", { name: "Lưu" }));
    expect(await screen.findByText("Thôn Mới")).toBeTruthy();
    expect(screen.getByText("Đã lưu.")).toBeTruthy();
    const post = m.calls.find((c) => c.method === "POST" && c.url.pathname.endsWith("/villages"))!;
    expect(JSON.parse(post.body)).toEqual({ code: "T04", name: "Thôn Mới", kind: "ban", population: null });
    expect(post.url.pathname).toBe("/t/cam-lo/api/v1/villages");
  });

  it("shows users with their roles and revokes one", async () => {
    location.hash = "#/users";
    saveSession(sessionKey("admin", "cam-lo"), sessionFromToken(fakeToken())!);
    const m = mockFetch({
      "GET /api/v1/commune": () => CAM_LO,
      "GET /api/v1/users": () => [{ id: "u1", username: "cam-lo.canbo", phone: null, display_name: "Cán bộ A", enabled: true, created_at: "2026-01-01T00:00:00Z" }],
      "GET /api/v1/roles": () => [{ name: "commune_official", builtin: true, permissions: [{ obj: "villages", act: "read" }] }],
      "GET /api/v1/role-assignments": () => [{ user_id: "u1", role: "commune_official" }],
      "DELETE /api/v1/role-assignments": () => new Response(null, { status: 204 }),
    });
    render(<AdminApp fetch={m.fetch} pathname="/t/cam-lo/app/admin/" />);
    expect(await screen.findByText("cam-lo.canbo")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Thu hồi Cán bộ xã" }));
    await waitFor(() => expect(m.calls.some((c) => c.method === "DELETE")).toBe(true));
    const del = m.calls.find((c) => c.method === "DELETE")!;
    expect(del.url.searchParams.get("user_id")).toBe("u1");
    expect(del.url.searchParams.get("role")).toBe("commune_official");
  });

  it("leaves the modules the commune has not enabled out of the menu", async () => {
    location.hash = "#/production";
    saveSession(sessionKey("admin", "cam-lo"), sessionFromToken(fakeToken())!);
    const m = mockFetch({
      "GET /api/v1/commune": () => ({ ...CAM_LO, modules: ["villages", "residents", "announcements", "reports"] }),
      "GET /api/v1/villages": () => [village],
    });
    render(<AdminApp fetch={m.fetch} pathname="/t/cam-lo/app/admin/" />);
    // The production screen is not offered: the console falls back to its first page (the dashboard).
    const menu = await screen.findByRole("navigation");
    expect(menu.querySelector('[aria-current="page"]')?.textContent).toBe("Tổng quan");
    expect(menu.textContent).toContain("Phản ánh");
    for (const hidden of ["Sản xuất", "Thiết bị", "Phí, lệ phí", "Khảo sát", "Trung tâm điều hành"]) expect(menu.textContent).not.toContain(hidden);
  });
});

describe("describeChange", () => {
  it("lists changed fields only", () => {
    expect(describeChange({ before: { name: "A", kind: "thon" }, after: { name: "B", kind: "thon", population: 5 } })).toBe(
      'name: "A" → "B"\npopulation: ∅ → 5',
    );
    expect(describeChange({ before: null, after: null })).toBe("");
  });
});
