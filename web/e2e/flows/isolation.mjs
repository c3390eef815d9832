// Tenant isolation seen from outside: a user of Xã Cam Lộ gets nothing of Xã Hậu Lộc, neither in the
// apps nor from the API (its token is refused with 401, another commune's record answers 404).
import {
  adminSignIn, apiCall, BASE, CAM_LO, expectStatus, HAU_LOC, newContext, newPage, passwordToken, residentSignIn,
  sessionToken, shot, step,
} from "../lib.mjs";

/** A token of another commune is not valid here (401); another commune's record does not exist here (404). */
const DENIED = [401, 404];

export const title = "a user of commune A cannot see commune B (apps and API)";

async function absent(page, text, where) {
  if (await page.getByText(text, { exact: false }).count()) throw new Error(`${where} shows "${text}" of the other commune`);
}

export async function run(browser) {
  const context = await newContext(browser);
  const page = await newPage(context);

  step("the Cam Lộ admin sees Cam Lộ's villages only");
  await adminSignIn(page, CAM_LO);
  await page.getByRole("navigation", { name: "Điều hướng chính" }).getByRole("link", { name: "Thôn, bản", exact: true }).click(); // the console opens on its dashboard
  await page.getByText(CAM_LO.village).first().waitFor();
  await absent(page, HAU_LOC.village, "Cam Lộ's console");
  const adminToken = await sessionToken(page);
  if (!adminToken) throw new Error("no admin session in localStorage");

  step("the Cam Lộ admin signs in at Hậu Lộc's address: refused, nothing of Hậu Lộc shown");
  await page.goto(`${BASE}/t/${HAU_LOC.slug}/app/admin/`);
  await page.getByLabel("Tên đăng nhập").fill(`${CAM_LO.slug}.admin`);
  await page.getByLabel("Mật khẩu").fill("XaThongMinh@2026");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  // The token is Cam Lộ's: Hậu Lộc's API answers 401, the console drops it and shows the sign-in form again.
  await page.waitForResponse((r) => r.url().includes(`/t/${HAU_LOC.slug}/api/v1/`) && r.request().headers().authorization);
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: "Đăng nhập" }).waitFor();
  if (await page.getByRole("button", { name: "Đăng xuất" }).count()) throw new Error("Hậu Lộc's console kept a Cam Lộ admin signed in");
  await absent(page, HAU_LOC.village, "Hậu Lộc's console for a Cam Lộ admin");
  await shot(page, "isolation-admin-other-commune-360");

  step("the Cam Lộ admin's token at Hậu Lộc's API: 401 or 404 on lists, records and writes, never data");
  const hauLocToken = await passwordToken("communes", `${HAU_LOC.slug}.admin`);
  const theirs = await apiCall("GET", `/t/${HAU_LOC.slug}/api/v1/villages`, { token: hauLocToken });
  expectStatus(theirs, 200, "Hậu Lộc's admin lists Hậu Lộc's villages");
  const items = Array.isArray(theirs.body) ? theirs.body : theirs.body.items;
  const village = items.find((v) => v.name === HAU_LOC.village);
  if (!village) throw new Error(`Hậu Lộc's villages lack ${HAU_LOC.village}: ${JSON.stringify(theirs.body).slice(0, 200)}`);
  const ours = await apiCall("GET", `/t/${CAM_LO.slug}/api/v1/villages`, { token: adminToken });
  expectStatus(ours, 200, "Cam Lộ's admin lists Cam Lộ's villages");
  if (JSON.stringify(ours.body).includes(HAU_LOC.village)) throw new Error("Cam Lộ's village list has Hậu Lộc's village");
  for (const path of ["/api/v1/villages", "/api/v1/users", "/api/v1/audit", "/api/v1/reports", "/api/v1/announcements", `/api/v1/villages/${village.id}`]) {
    expectStatus(await apiCall("GET", `/t/${HAU_LOC.slug}${path}`, { token: adminToken }), DENIED, `Cam Lộ admin → Hậu Lộc ${path}`);
  }
  expectStatus(
    await apiCall("PATCH", `/t/${HAU_LOC.slug}/api/v1/villages/${village.id}`, { token: adminToken, json: { name: "Đổi tên" } }),
    DENIED, "Cam Lộ admin renames Hậu Lộc's village",
  );
  const provider = await apiCall("GET", "/api/provider/v1/communes", { token: adminToken });
  expectStatus(provider, [401, 403, 404], "Cam Lộ admin → the provider's list of communes");
  // Each commune has its own schema: the same id under Cam Lộ's address is Cam Lộ's record or nothing.
  const sameId = await apiCall("GET", `/t/${CAM_LO.slug}/api/v1/villages/${village.id}`, { token: adminToken });
  expectStatus(sameId, [200, 404], "Hậu Lộc's village id under Cam Lộ's address");
  if (JSON.stringify(sameId.body).includes(HAU_LOC.village)) throw new Error("Cam Lộ's address served Hậu Lộc's village");

  step("a Cam Lộ resident's session carried to Hậu Lộc's resident app shows nothing");
  await residentSignIn(page, CAM_LO);
  await page.getByRole("heading", { name: "Tin tức và thông báo" }).waitFor();
  const residentToken = await sessionToken(page);
  expectStatus(await apiCall("GET", `/t/${HAU_LOC.slug}/api/v1/inbox`, { token: residentToken }), DENIED, "Cam Lộ resident → Hậu Lộc inbox");
  expectStatus(await apiCall("GET", `/t/${HAU_LOC.slug}/api/v1/me`, { token: residentToken }), DENIED, "Cam Lộ resident → Hậu Lộc /me");
  const session = await page.evaluate((slug) => localStorage.getItem(`sc.session.resident.${slug}`), CAM_LO.slug);
  await page.evaluate(([slug, value]) => localStorage.setItem(`sc.session.resident.${slug}`, value), [HAU_LOC.slug, session]);
  await page.goto(`${BASE}/t/${HAU_LOC.slug}/app/resident/`);
  await page.getByText(HAU_LOC.name).first().waitFor();
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Số điện thoại").waitFor(); // the carried session was refused and dropped
  await absent(page, "Họp thôn An Bình", "Hậu Lộc's resident app");
  await absent(page, "Lịch tiêm phòng", "Hậu Lộc's resident app");
  await shot(page, "isolation-resident-other-commune-360");
  await context.close();
}
