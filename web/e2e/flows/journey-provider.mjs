// Journey 1 (issue 14), provider staff, through the UI alone: a wrong password says so; sign in; onboard a commune
// from the official list with a template; watch its progress; hand over the first admin's login (the one-time
// password is read from the screen, shown once) and write it to `${OUT_DIR}/handover.json` ({slug, username,
// password}) for the next journey (journey-admin-setup: first login, password change); suspend and resume the
// commune with confirmation; create a plan; an unknown console address shows a not-found page. axe on every page visited.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASE, checkA11y, DESKTOP, newContext, newPage, OUT, PASSWORD, shot, step } from "../lib.mjs";

export const title = "provider staff onboard Xã Vĩnh Linh, hand over its admin login, suspend and resume it";

const COMMUNE = { code: 19363, name: "Xã Vĩnh Linh", province: "Quảng Trị", template: "Xã ven biển" };
const RUN_TIMEOUT_MS = 90000;

export async function run(browser) {
  const context = await newContext(browser, DESKTOP);
  const page = await newPage(context);

  step("a wrong password says so (not 'session expired')");
  await page.goto(`${BASE}/app/provider/`);
  await page.getByLabel("Tên đăng nhập").fill("provider-admin");
  await page.getByLabel("Mật khẩu").fill("khong-dung-mat-khau");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByText("Sai tên đăng nhập hoặc mật khẩu.").waitFor();
  if (await page.getByText("Phiên đăng nhập đã hết hạn", { exact: false }).count()) throw new Error("a wrong password said 'session expired'");
  await checkA11y(page, "journey-provider-login");

  step("sign in");
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
  await page.getByText("Xã Cam Lộ", { exact: true }).waitFor();
  await shot(page, "provider-communes");
  await checkA11y(page, "journey-provider-communes");

  step("onboard a commune from the official list, with a template");
  await page.getByRole("link", { name: "Thêm xã", exact: true }).click();
  await page.getByRole("heading", { name: "Thêm xã mới" }).waitFor();
  await page.getByLabel("Tỉnh/thành phố").selectOption({ label: COMMUNE.province });
  await page.getByRole("searchbox", { name: "Tìm xã" }).fill("Vĩnh Linh");
  await page.getByRole("button", { name: `Chọn ${COMMUNE.name}` }).click();
  await page.getByText(`Đã chọn: ${COMMUNE.name}, ${COMMUNE.province} (mã ${COMMUNE.code})`).waitFor();
  await checkA11y(page, "journey-provider-wizard");
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByRole("heading", { name: "Mẫu cấu hình và gói" }).waitFor();
  await page.getByLabel("Mẫu cấu hình", { exact: true }).selectOption({ label: COMMUNE.template });
  await shot(page, "provider-wizard-template");
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByRole("heading", { name: "Người quản trị xã" }).waitFor();
  await page.getByLabel("Họ và tên người quản trị").fill("Trần Thị Mai");
  await page.getByLabel("Số điện thoại người quản trị").fill("0912345679");
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByRole("heading", { name: "Camera và thiết bị" }).waitFor();
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByRole("heading", { name: "Xem lại và bắt đầu" }).waitFor();
  await page.getByRole("button", { name: "Bắt đầu thêm xã" }).click();

  step("see the progress until the run is done");
  await page.getByRole("heading", { name: `Tiến trình thêm xã (mã ${COMMUNE.code})` }).waitFor();
  const done = page.locator('[data-run-status="succeeded"]');
  const failed = page.getByText("Không thêm được xã. Lý do:", { exact: false });
  await done.or(failed).first().waitFor({ timeout: RUN_TIMEOUT_MS });
  if (await failed.count()) throw new Error(`the run failed: ${await failed.textContent()}`);
  const link = page.locator("[data-commune-link]");
  const slug = await link.getAttribute("data-commune-link");
  if ((await link.getAttribute("href")) !== `/t/${slug}/app/admin/`) throw new Error("the commune path is not a link to its console");

  step("hand over the first admin's login: the one-time password, shown once");
  await page.getByRole("button", { name: "Hiện mật khẩu dùng một lần" }).click();
  const password = (await page.locator('[data-handover="password"]').textContent())?.trim();
  const username = (await page.locator('[data-handover="username"]').textContent())?.trim();
  if (!password || !username) throw new Error("no one-time password on screen");
  await page.getByText("Mật khẩu này sẽ không hiện lại.", { exact: false }).waitFor();
  await shot(page, "provider-run-handover");
  await checkA11y(page, "journey-provider-run");
  writeFileSync(join(OUT, "handover.json"), JSON.stringify({ slug, username, password }));

  step("suspend the commune with a reason, then resume it, each confirmed");
  await page.getByRole("link", { name: "Danh sách xã" }).click();
  const row = page.locator(`tr[data-slug="${slug}"]`);
  await row.waitFor();
  await row.getByRole("button", { name: "Tạm dừng" }).click();
  await row.getByLabel("Lý do tạm dừng").fill("Chưa thanh toán");
  await row.getByRole("button", { name: "Xác nhận tạm dừng" }).click();
  await row.getByText("Chưa thanh toán").waitFor();
  await row.getByRole("button", { name: "Cho hoạt động lại" }).click();
  await row.getByText(`Cho ${COMMUNE.name} hoạt động lại?`, { exact: false }).waitFor();
  await checkA11y(page, "journey-provider-resume-confirm");
  await row.getByRole("button", { name: "Xác nhận cho hoạt động lại" }).click();
  await row.getByRole("button", { name: "Tạm dừng" }).waitFor();

  step("create a plan from the console; it is listed");
  await page.getByRole("link", { name: "Gói cước và thanh toán" }).click();
  await page.getByRole("heading", { name: "Tạo gói cước mới" }).waitFor();
  await page.getByLabel("Tên gói").fill("Gói xã ven biển");
  await page.getByLabel("Mã gói").fill("ven-bien");
  await page.getByLabel("Mã giá Stripe của phí cơ bản").fill("price_VenBien2026");
  await page.getByRole("button", { name: "Tạo gói cước" }).click();
  await page.getByText("Đã lưu gói cước Gói xã ven biển.").waitFor();
  await page.getByRole("cell", { name: "Gói xã ven biển" }).waitFor();
  await shot(page, "provider-billing");
  await checkA11y(page, "journey-provider-billing");

  step("an unknown console address shows a not-found page");
  await page.goto(`${BASE}/app/provider/#/khong-co-trang-nay`);
  await page.getByRole("heading", { name: "Không tìm thấy trang" }).waitFor();
  await checkA11y(page, "journey-provider-not-found");
  await context.close();
}
