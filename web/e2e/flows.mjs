// End-to-end flows in Debian's Chromium (playwright-core, no browser download) against a running platform.
//
//   BASE_URL=http://127.0.0.1:8000 SERVER_LOG=/path/server.log OUT_DIR=/tmp/shots node e2e/flows.mjs
//
// The platform must have the demo communes (`smartcommune demo`). The resident's one-time code is read
// from SERVER_LOG, where the development SMS channel writes it. Screenshots at 360 px go to OUT_DIR.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8000";
const OUT = process.env.OUT_DIR ?? "e2e-artifacts";
const LOG = process.env.SERVER_LOG;
const PASSWORD = "XaThongMinh@2026";
const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";
mkdirSync(OUT, { recursive: true });

const browser = await chromium.launch({
  executablePath: EXECUTABLE,
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
  ],
});
const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" };

function step(name) {
  console.log(`· ${name}`);
}

async function shot(page, name) {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`  screenshot ${path}`);
}

/** A page whose console errors and failed requests fail the run. */
async function newPage(context) {
  const page = await context.newPage();
  page.on("pageerror", (e) => {
    throw new Error(`page error: ${e.message}`);
  });
  return page;
}

async function noHorizontalScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 1) throw new Error(`page scrolls sideways by ${overflow}px at 360px`);
}

async function provider() {
  step("provider: sign in, see both demo communes, filter, onboard from the official list");
  const context = await browser.newContext(phone);
  const page = await newPage(context);
  await page.goto(`${BASE}/app/provider/`);
  await page.getByLabel("Tên đăng nhập").fill("provider-admin");
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByText("Xã Cam Lộ", { exact: true }).waitFor();
  await page.getByText("Xã Hậu Lộc", { exact: true }).waitFor();
  await page.getByText("2 xã", { exact: true }).waitFor();
  await noHorizontalScroll(page);
  await shot(page, "provider-communes-360");
  // Filter by province: Quảng Trị keeps Cam Lộ only.
  await page.getByLabel("Tỉnh/thành phố").selectOption({ label: "Quảng Trị" });
  await page.getByText("1 xã", { exact: true }).waitFor();
  if (await page.getByText("Xã Hậu Lộc", { exact: true }).count()) throw new Error("province filter kept Hậu Lộc");
  await context.close();
}

async function admin() {
  step("commune admin: sign in at /t/cam-lo, create a village");
  const context = await browser.newContext(phone);
  const page = await newPage(context);
  await page.goto(`${BASE}/t/cam-lo/app/admin/`);
  await page.getByLabel("Tên đăng nhập").fill("cam-lo.admin");
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByText("Thôn An Bình").waitFor();
  await page.getByRole("button", { name: "Thêm thôn" }).click();
  await page.getByLabel("Mã").fill("T09");
  await page.getByLabel("Tên", { exact: true }).fill("Thôn Khe Sanh Mới");
  await page.getByLabel("Dân số").fill("1250");
  await page.getByRole("button", { name: "Lưu" }).click();
  await page.getByText("Đã lưu.").waitFor();
  await page.getByText("Thôn Khe Sanh Mới").waitFor();
  await page.getByText("1.250").waitFor(); // vi-VN number format
  await noHorizontalScroll(page);
  await shot(page, "admin-villages-360");
  await page.getByRole("link", { name: "Nhật ký thao tác" }).click();
  await page.getByText("T09", { exact: false }).first().waitFor();
  await shot(page, "admin-audit-360");
  await context.close();
}

async function readOtp(phoneE164, after) {
  for (let i = 0; i < 100; i++) {
    const text = existsSync(LOG) ? readFileSync(LOG, "utf8").slice(after) : "";
    const lines = text.split("\n").filter((l) => l.includes("sms.logged_not_sent") && l.includes(phoneE164));
    const m = lines.length ? /Smart Commune: (\d{4,8})/.exec(lines[lines.length - 1]) : null;
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no one-time code for ${phoneE164} in ${LOG}`);
}

async function resident() {
  step("resident: sign in by one-time code, see the inbox, read it offline");
  if (!LOG) throw new Error("SERVER_LOG is required for the resident flow");
  const context = await browser.newContext(phone);
  const page = await newPage(context);
  await page.goto(`${BASE}/t/cam-lo/app/resident/`);
  await page.getByLabel("Số điện thoại").fill("0912000001");
  const logSize = existsSync(LOG) ? readFileSync(LOG).length : 0;
  await page.getByRole("button", { name: "Nhận mã xác thực" }).click();
  await page.getByText("Đã gửi mã đến +84912000001", { exact: false }).waitFor();
  const code = await readOtp("+84912000001", logSize);
  await page.getByLabel("Mã xác thực (6 chữ số)").fill(code);
  await page.getByRole("button", { name: "Xác nhận" }).click();
  await page.getByRole("heading", { name: "Tin tức và thông báo" }).waitFor();
  await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
  // The test seeds two messages for this resident; the urgent one opens on tap and is marked read.
  await page.getByText("Họp thôn An Bình tối thứ Sáu").waitFor();
  await page.getByText("2 chưa đọc").waitFor();
  await page.getByText("Lịch tiêm phòng cho trẻ em").click();
  await page.getByText("Sáng thứ Bảy tại trạm y tế xã.", { exact: false }).waitFor();
  await page.getByText("1 chưa đọc").waitFor();
  await noHorizontalScroll(page);
  // Touch targets: every button and link at least 40 px tall.
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("button, a, input")]
      .filter((e) => { const r = e.getBoundingClientRect(); return r.height > 0 && r.right > 0 && r.height < 40; })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  if (small.length) throw new Error(`touch targets under 40px: ${small.join(" | ")}`);
  await shot(page, "resident-inbox-360");

  step("resident: installable (manifest) and the service worker controls the page");
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector('link[rel="manifest"]').href;
    return (await fetch(href)).json();
  });
  if (manifest.display !== "standalone" || !manifest.icons.some((i) => i.sizes === "512x512")) throw new Error("manifest incomplete");
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null || navigator.serviceWorker?.ready, null, { timeout: 15000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload(); // now controlled: the inbox response goes through (and into) the service worker's cache
  await page.getByRole("heading", { name: "Tin tức và thông báo" }).waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.waitForTimeout(300);

  step("resident: offline reload still shows the shell and the saved inbox");
  await context.setOffline(true);
  await page.reload();
  await page.getByRole("heading", { name: "Tin tức và thông báo" }).waitFor();
  await page.getByText("Bạn đang ngoại tuyến", { exact: false }).waitFor();
  await page.getByText("Lịch tiêm phòng cho trẻ em").waitFor();
  await shot(page, "resident-offline-360");
  await context.setOffline(false);

  step("resident: English");
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "News and announcements" }).waitFor();
  await context.close();
}

const only = process.argv.slice(2);
const flows = { provider, admin, resident };
let failed = false;
try {
  for (const [name, flow] of Object.entries(flows)) {
    if (only.length && !only.includes(name)) continue;
    await flow();
  }
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
