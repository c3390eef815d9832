// A resident reports a broken street light with a photo and GPS → a commune official accepts it and
// resolves it in the admin console (seeing the photo) → the resident sees the new status and the answer.
import {
  adminSignIn, apiCall, CAM_LO, cameraPhoto, checkA11y, expectStatus, newContext, newPage, noHorizontalScroll, passwordToken,
  PHONE, residentSignIn, shot, step,
} from "../lib.mjs";

export const title = "a resident reports a problem with a photo; an official accepts and resolves it; the resident sees it";

const CATEGORY = { code: "den-duong", name: "Đèn đường hỏng", sla_hours: 48, group_name: "Hạ tầng" };
const ANSWER = "Đã thay bóng đèn mới, cảm ơn bà con đã báo.";

/** The commune's report categories are its own settings; the flow needs one (made once through the API). */
async function ensureCategory() {
  const token = await passwordToken("communes", `${CAM_LO.slug}.admin`);
  const list = await apiCall("GET", `/t/${CAM_LO.slug}/api/v1/report-categories`, { token });
  expectStatus(list, 200, "report categories");
  if (list.body.some((c) => c.code === CATEGORY.code)) return;
  expectStatus(await apiCall("POST", `/t/${CAM_LO.slug}/api/v1/report-categories`, { token, json: CATEGORY }), [200, 201], "new category");
}

export async function run(browser) {
  await ensureCategory();
  const description = `Đèn đường trước nhà văn hóa thôn An Bình không sáng (${Date.now().toString(36)}).`;

  step("resident: sign in, open “Gửi phản ánh”, fill it in with a photo and the phone's position");
  const residentContext = await newContext(browser, {
    ...PHONE, geolocation: { latitude: 16.8063, longitude: 106.9965, accuracy: 12 }, permissions: ["geolocation"],
  });
  const resident = await newPage(residentContext);
  await residentSignIn(resident, CAM_LO);
  await resident.getByRole("link", { name: "Gửi phản ánh" }).first().click();
  await resident.getByRole("heading", { name: "Phản ánh hiện trường" }).waitFor();
  await resident.getByLabel("Lĩnh vực").selectOption({ label: CATEGORY.name });
  await resident.getByLabel("Nội dung phản ánh").fill(description);
  await resident.getByLabel("Ảnh hiện trường").setInputFiles(await cameraPhoto(resident, "Đèn đường hỏng"));
  await resident.getByText("Ảnh đã nén còn", { exact: false }).waitFor();
  await resident.getByRole("button", { name: "Lấy vị trí hiện tại" }).click();
  await resident.getByText("Vị trí: 16,8", { exact: false }).waitFor();
  await resident.getByLabel("Địa chỉ hoặc mô tả nơi xảy ra").fill("Trước nhà văn hóa thôn An Bình");
  await noHorizontalScroll(resident);
  await shot(resident, "report-1-resident-form-360");
  await checkA11y(resident, "resident-report-form-360");
  await resident.getByRole("button", { name: "Gửi phản ánh" }).click();
  const sent = resident.getByText("Đã gửi phản ánh số", { exact: false });
  const refused = resident.getByRole("alert");
  await sent.or(refused).first().waitFor();
  if (!(await sent.count())) throw new Error(`the report was not sent: ${await refused.first().textContent()}`);
  const id = Number(/số (\d+)/.exec(await sent.textContent())[1]);
  await shot(resident, "report-2-resident-sent-360");

  step(`official (cam-lo.canbo): report #${id} on the board, with its photo; accept it`);
  const officialContext = await newContext(browser);
  const official = await newPage(officialContext);
  await adminSignIn(official, CAM_LO, "canbo");
  await official.getByRole("link", { name: "Phản ánh", exact: true }).click();
  await official.getByRole("heading", { name: "Phản ánh của người dân" }).waitFor();
  const card = official.locator(`a[href="#/reports/${id}"]`);
  await card.waitFor();
  await shot(official, "report-3-official-board-360");
  await checkA11y(official, "admin-reports-board-360");
  await card.click();
  await official.getByRole("heading", { name: `Phản ánh #${id}: ${CATEGORY.name}` }).waitFor();
  await official.getByText(description).waitFor();
  const photo = official.getByRole("img", { name: "Ảnh phản ánh số 1" });
  await photo.waitFor();
  await official.waitForFunction((img) => img.complete && img.naturalWidth > 0, await photo.elementHandle());
  await official.getByRole("button", { name: "Tiếp nhận", exact: true }).click();
  await official.getByText("Đã chuyển sang “Đã tiếp nhận”.").waitFor();

  step("official: resolve it with a note for the resident");
  const resolve = official.getByRole("button", { name: "Đánh dấu đã giải quyết" });
  await resolve.waitFor(); // the detail has reloaded in its new state (a note typed before would be lost)
  await official.getByLabel("Ghi chú gửi người dân").fill(ANSWER);
  await resolve.click();
  await official.getByText("Đã chuyển sang “Đã giải quyết”.").waitFor();
  await noHorizontalScroll(official);
  await shot(official, "report-4-official-resolved-360");
  await checkA11y(official, "admin-report-detail-360");

  step("resident: “Phản ánh của tôi” shows it resolved, with the official's answer");
  await resident.getByRole("navigation", { name: "Điều hướng chính" }).getByRole("link", { name: "Đã gửi" }).click();
  await resident.getByRole("heading", { name: "Phản ánh của tôi" }).waitFor();
  const mine = resident.locator(`a[href="#/reports/${id}"]`);
  await mine.getByText("Đã xử lý xong").waitFor();
  await shot(resident, "report-5-resident-list-360");
  await mine.click();
  await resident.getByText(`Số ${id}`, { exact: false }).first().waitFor();
  await resident.getByText(ANSWER, { exact: false }).first().waitFor();
  await resident.getByText("Chuyển sang: Đã xử lý xong").waitFor();
  await noHorizontalScroll(resident);
  await shot(resident, "report-6-resident-detail-360");
  await checkA11y(resident, "resident-report-detail-360");
  await residentContext.close();
  await officialContext.close();
}
