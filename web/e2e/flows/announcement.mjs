// An official publishes an urgent announcement to the whole commune in the admin console → it reaches the
// resident's inbox in the PWA, marked urgent, and the console's delivery statistics count it.
import { adminSignIn, CAM_LO, checkA11y, newContext, newPage, noHorizontalScroll, residentSignIn, shot, step } from "../lib.mjs";

export const title = "an official publishes an urgent announcement; the resident's inbox shows it";

export async function run(browser) {
  const stamp = Date.now().toString(36);
  const heading = `Mực nước sông Hiếu dâng cao (${stamp})`;
  const body = "Bà con thôn An Bình di chuyển gia súc, tài sản lên chỗ cao trước 17 giờ hôm nay.";

  step("official (cam-lo.canbo): compose an urgent announcement for the whole commune and publish it");
  const officialContext = await newContext(browser);
  const official = await newPage(officialContext);
  await adminSignIn(official, CAM_LO, "canbo");
  await official.getByRole("link", { name: "Thông báo", exact: true }).click();
  await official.getByRole("button", { name: "Soạn thông báo" }).click();
  const form = official.getByRole("form", { name: "Soạn thông báo" });
  await form.getByLabel("Tiêu đề").fill(heading);
  await form.getByLabel("Nội dung").fill(body);
  await form.getByLabel("Mức độ ưu tiên").selectOption({ label: "Khẩn" });
  if (!(await form.getByLabel("Toàn xã").isChecked())) throw new Error("“Toàn xã” is not the default target");
  await noHorizontalScroll(official);
  await shot(official, "announcement-1-composer-360");
  await checkA11y(official, "admin-announcement-composer-360");
  await form.getByRole("button", { name: "Đăng thông báo" }).click();
  await official.getByText(`Đã đăng thông báo “${heading}”.`).waitFor();
  await official.getByText(heading).first().waitFor();
  await official.getByText(/\d+ người nhận/).first().waitFor(); // every verified resident of the demo commune
  await shot(official, "announcement-2-published-360");

  step("resident: the inbox shows it, marked urgent; it opens on tap");
  const residentContext = await newContext(browser);
  const resident = await newPage(residentContext);
  await residentSignIn(resident, CAM_LO);
  await resident.getByRole("heading", { name: "Tin tức và thông báo" }).waitFor();
  const item = resident.getByRole("button", { name: heading });
  await item.waitFor();
  await item.getByText("Khẩn", { exact: true }).waitFor();
  const markedRead = resident.waitForResponse((r) => /\/api\/v1\/inbox\/\d+\/read$/.test(new URL(r.url()).pathname));
  await item.click();
  await resident.getByText(body).waitFor();
  if (!(await markedRead).ok()) throw new Error("marking the announcement read failed");
  await noHorizontalScroll(resident);
  await shot(resident, "announcement-3-resident-inbox-360");

  step("official: the delivery statistics count the in-app delivery as read");
  await official.reload();
  await official.getByText(heading).first().waitFor();
  await official.getByText("Đã đọc: 1", { exact: true }).first().waitFor();
  await shot(official, "announcement-4-delivery-stats-360");
  await checkA11y(official, "admin-announcements-360");
  await residentContext.close();
  await officialContext.close();
}
