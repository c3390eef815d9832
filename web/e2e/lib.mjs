// Shared by the end-to-end flows (web/e2e/flows/*.mjs): the browser, phone-sized contexts, sign-in helpers,
// screenshots, the axe-core accessibility check and small API helpers. Nothing here downloads anything:
// Chromium is Debian's /usr/bin/chromium and axe-core comes from node_modules.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8000";
export const OUT = process.env.OUT_DIR ?? "e2e-artifacts";
export const LOG = process.env.SERVER_LOG;
export const PASSWORD = "XaThongMinh@2026";
export const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";
/** One action (click, fill, wait for text) may take this long before the flow fails. */
export const ACTION_TIMEOUT_MS = Number(process.env.E2E_ACTION_TIMEOUT_MS ?? 15000);

/** The demo communes (`smartcommune demo`). */
export const CAM_LO = { code: 19597, slug: "cam-lo", name: "Xã Cam Lộ", village: "Thôn An Bình", phone: "0912000001", e164: "+84912000001" };
export const HAU_LOC = { code: 16012, slug: "hau-loc", name: "Xã Hậu Lộc", village: "Thôn Phú Lộc", phone: "0912000002", e164: "+84912000002" };

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];

export const PHONE = {
  viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
  locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh",
};
export const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" };

/** Raised by a flow whose screen has not been built yet; the runner reports it as skipped, not failed. */
export class Skip extends Error {}

export function launch() {
  mkdirSync(OUT, { recursive: true });
  return chromium.launch({ executablePath: EXECUTABLE, headless: true, args: CHROMIUM_ARGS });
}

export function step(name) {
  console.log(`· ${name}`);
}

export async function shot(page, name) {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`  screenshot ${path}`);
}

/** A context (phone at 360 px by default) whose actions time out after ACTION_TIMEOUT_MS. */
export async function newContext(browser, options = PHONE) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS * 2);
  return context;
}

/** Uncaught errors of the pages of the current flow; the runner fails the flow when there are any. */
export const pageErrors = [];

/** A page whose uncaught errors fail the flow. */
export async function newPage(context) {
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

export async function noHorizontalScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 1) throw new Error(`page scrolls sideways by ${overflow}px at 360px`);
}

/** Every visible button, link and input at least `min` px tall (thumb-sized on a phone). */
export async function largeTouchTargets(page, min = 40) {
  const small = await page.evaluate((m) =>
    [...document.querySelectorAll("button, a, input:not([type=hidden]):not([type=checkbox]):not([type=radio])")]
      .filter((e) => { const r = e.getBoundingClientRect(); return r.height > 0 && r.right > 0 && r.height < m; })
      .map((e) => e.outerHTML.slice(0, 80)), min);
  if (small.length) throw new Error(`touch targets under ${min}px: ${small.join(" | ")}`);
}

// --- accessibility (axe-core) ----------------------------------------------------------------------------

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const BLOCKING = new Set(["serious", "critical"]);

/**
 * Violations known and reported but not fixed yet, by checked page: listed here so every other rule still
 * guards the page. Remove an entry as soon as it is fixed (the check says so when it no longer occurs).
 */
const KNOWN_VIOLATIONS = {
  // e.g. "admin-reports-board-360": ["label-content-name-mismatch"],
};

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules plus best practices) on the page as it is; fails on any
 * serious or critical violation and keeps the full result as `<OUT>/axe-<name>.json`.
 */
export async function checkA11y(page, name) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      resultTypes: ["violations"],
    }),
  );
  writeFileSync(join(OUT, `axe-${name}.json`), JSON.stringify(result.violations, null, 2));
  const known = KNOWN_VIOLATIONS[name] ?? [];
  const blocking = result.violations.filter((v) => BLOCKING.has(v.impact) && !known.includes(v.id));
  const minor = result.violations.filter((v) => !BLOCKING.has(v.impact)).length;
  const stillKnown = known.filter((id) => result.violations.some((v) => v.id === id));
  console.log(`  axe ${name}: ${blocking.length} serious/critical, ${minor} moderate/minor${stillKnown.length ? `, known: ${stillKnown.join(", ")}` : ""}`);
  for (const id of known) if (!stillKnown.includes(id)) console.log(`  axe ${name}: ${id} no longer occurs: remove it from KNOWN_VIOLATIONS`);
  if (blocking.length) {
    const lines = blocking.map(
      (v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.slice(0, 5).map((n) => `    ${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1).join(" ")}`).join("\n")}`,
    );
    throw new Error(`accessibility (${name}):\n  ${lines.join("\n  ")}`);
  }
}

// --- signing in ------------------------------------------------------------------------------------------

export async function signInWithPassword(page, url, username) {
  await page.goto(url);
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
}

export function providerSignIn(page, username = "provider-admin") {
  return signInWithPassword(page, `${BASE}/app/provider/`, username);
}

/** The commune admin console of `commune` as `<slug>.<who>` (admin, canbo, truongthon). */
export function adminSignIn(page, commune, who = "admin") {
  return signInWithPassword(page, `${BASE}/t/${commune.slug}/app/admin/`, `${commune.slug}.${who}`);
}

/** The newest one-time code texted to `phoneE164` after byte `after` of the server log. */
export async function readOtp(phoneE164, after) {
  if (!LOG) throw new Error("SERVER_LOG is required to read the resident's one-time code");
  for (let i = 0; i < 100; i++) {
    const text = existsSync(LOG) ? readFileSync(LOG, "utf8").slice(after) : "";
    const lines = text.split("\n").filter((l) => l.includes("sms.logged_not_sent") && l.includes(phoneE164));
    const m = lines.length ? /Smart Commune: (\d{4,8})/.exec(lines[lines.length - 1]) : null;
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no one-time code for ${phoneE164} in ${LOG}`);
}

function logSize() {
  return LOG && existsSync(LOG) ? readFileSync(LOG).length : 0;
}

/** Opens the resident app of `commune`, asks for a code, types it; leaves the page on the home screen. */
export async function residentSignIn(page, commune, { onLoginPage } = {}) {
  await page.goto(`${BASE}/t/${commune.slug}/app/resident/`);
  await page.getByLabel("Số điện thoại").waitFor();
  if (onLoginPage) await onLoginPage(page);
  await page.getByLabel("Số điện thoại").fill(commune.phone);
  const after = logSize();
  await page.getByRole("button", { name: "Nhận mã xác thực" }).click();
  await page.getByText(`Đã gửi mã đến ${commune.e164}`, { exact: false }).waitFor();
  const code = await readOtp(commune.e164, after);
  await page.getByLabel("Mã xác thực (6 chữ số)").fill(code);
  await page.getByRole("button", { name: "Xác nhận" }).click();
  await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
}

/** The access token the app keeps in localStorage (`sc.session.<app>.<scope>`). */
export async function sessionToken(page) {
  return page.evaluate(() => {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith("sc.session.")) return JSON.parse(localStorage.getItem(key)).token;
    }
    return null;
  });
}

// --- API -------------------------------------------------------------------------------------------------

/** An HTTP call to the platform from Node (not the page): `{status, body}`. */
export async function apiCall(method, path, { token, json, form, headers: extra } = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(form).toString();
  }
  const response = await fetch(`${BASE}${path}`, { method, headers, body, signal: AbortSignal.timeout(ACTION_TIMEOUT_MS) });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

export async function passwordToken(realm, username) {
  const r = await apiCall("POST", `/auth/realms/${realm}/protocol/openid-connect/token`, {
    form: { grant_type: "password", username, password: PASSWORD, client_id: `web-${realm}` },
  });
  if (r.status !== 200) throw new Error(`no token for ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token;
}

export function expectStatus(r, expected, what) {
  const ok = Array.isArray(expected) ? expected.includes(r.status) : r.status === expected;
  if (!ok) throw new Error(`${what}: expected HTTP ${expected}, got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
}

/** A JPEG drawn in the page (a lamp post on a dusk sky), as the bytes a phone camera would hand over. */
export async function cameraPhoto(page, label) {
  const dataUrl = await page.evaluate((text) => {
    const canvas = document.createElement("canvas");
    canvas.width = 800;
    canvas.height = 600;
    const g = canvas.getContext("2d");
    const sky = g.createLinearGradient(0, 0, 0, 600);
    sky.addColorStop(0, "#1d3557");
    sky.addColorStop(1, "#e76f51");
    g.fillStyle = sky;
    g.fillRect(0, 0, 800, 600);
    g.fillStyle = "#333";
    g.fillRect(390, 150, 20, 450);
    g.fillRect(390, 150, 120, 14);
    g.fillStyle = "#777";
    g.beginPath();
    g.arc(505, 175, 22, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = "#fff";
    g.font = "32px sans-serif";
    g.fillText(text, 30, 60);
    return canvas.toDataURL("image/jpeg", 0.85);
  }, label);
  return { name: "den-duong.jpg", mimeType: "image/jpeg", buffer: Buffer.from(dataUrl.split(",")[1], "base64") };
}
