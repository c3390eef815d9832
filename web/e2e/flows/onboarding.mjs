// Provider staff onboard a commune from the official list through the wizard and watch the provisioning
// run (executed by the Celery worker beside the server) until it finishes; the commune then exists.
import { apiCall, BASE, checkA11y, newContext, newPage, noHorizontalScroll, providerSignIn, sessionToken, shot, step } from "../lib.mjs";

export const title = "provider staff onboard Xã Gio Linh through the wizard and watch it finish";

const COMMUNE = { code: 19495, name: "Xã Gio Linh", province: "Quảng Trị" };
/** Schema, migrations, roles, template, admin: a few seconds on a quiet machine, more on a busy one. */
const RUN_TIMEOUT_MS = 120000;

export async function run(browser) {
  const context = await newContext(browser);
  const page = await newPage(context);
  step("sign in, open the wizard");
  await providerSignIn(page);
  await page.getByRole("link", { name: "Thêm xã", exact: true }).click();
  await page.getByRole("heading", { name: "Thêm xã mới" }).waitFor();

  step("step 1: pick the commune from the official list");
  await page.getByLabel("Tỉnh/thành phố").selectOption({ label: COMMUNE.province });
  await page.getByRole("searchbox", { name: "Tìm xã" }).fill("Gio Linh");
  await page.getByRole("button", { name: `Chọn ${COMMUNE.name}` }).click();
  await page.getByText(`Đã chọn: ${COMMUNE.name}, ${COMMUNE.province} (mã ${COMMUNE.code})`).waitFor();
  await noHorizontalScroll(page);
  await shot(page, "onboarding-1-commune-360");
  await checkA11y(page, "provider-wizard-360");
  await page.getByRole("button", { name: "Tiếp tục" }).click();

  step("step 2: template and plan (the defaults), step 3: the commune's admin");
  await page.getByRole("heading", { name: "Mẫu cấu hình và gói" }).waitFor();
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByRole("heading", { name: "Người quản trị xã" }).waitFor();
  await page.getByLabel("Họ và tên người quản trị").fill("Lê Thị Hoa");
  await page.getByLabel("Số điện thoại người quản trị").fill("0912345678");
  await page.getByRole("button", { name: "Tiếp tục" }).click();

  step("step 4: no cameras or devices yet; step 5: review and start");
  await page.getByRole("heading", { name: "Camera và thiết bị" }).waitFor();
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByRole("heading", { name: "Xem lại và bắt đầu" }).waitFor();
  await page.getByText(COMMUNE.name).first().waitFor();
  await shot(page, "onboarding-2-review-360");
  await page.getByRole("button", { name: "Bắt đầu thêm xã" }).click();

  step("the run's progress, step by step, until it is done");
  await page.getByRole("heading", { name: "Tiến trình thêm xã", exact: true }).waitFor();
  await page.getByRole("heading", { name: `Tiến trình thêm xã (mã ${COMMUNE.code})` }).waitFor();
  await shot(page, "onboarding-3-progress-360");
  const done = page.getByText("Đã thêm xong xã, địa chỉ /t/", { exact: false });
  const failed = page.getByText("Không thêm được xã. Lý do:", { exact: false });
  await done.or(failed).waitFor({ timeout: RUN_TIMEOUT_MS });
  await shot(page, "onboarding-4-finished-360");
  await checkA11y(page, "provider-run-progress-360");
  if (await failed.count()) throw new Error(`the run failed: ${await failed.textContent()}`);
  const registered = await apiCall("GET", `/api/provider/v1/communes/${COMMUNE.code}`, { token: await sessionToken(page) });
  if (registered.status !== 200 || registered.body.status !== "active") {
    throw new Error(`the commune is not active: ${registered.status} ${JSON.stringify(registered.body).slice(0, 200)}`);
  }
  const slug = registered.body.slug;

  step(`the new commune answers at /t/${slug} and is in the communes list`);
  const profile = await apiCall("GET", `/t/${slug}/api/v1/commune`);
  if (profile.status !== 200 || profile.body.commune_code !== COMMUNE.code) {
    throw new Error(`/t/${slug}/api/v1/commune: ${profile.status} ${JSON.stringify(profile.body).slice(0, 200)}`);
  }
  await page.getByRole("link", { name: "Danh sách xã" }).click();
  await page.getByText(COMMUNE.name, { exact: true }).waitFor();
  await page.goto(`${BASE}/t/${slug}/app/admin/`);
  await page.getByText(COMMUNE.name).first().waitFor();
  await page.getByLabel("Tên đăng nhập").waitFor();
  await shot(page, "onboarding-5-new-commune-admin-360");
  await context.close();
}
