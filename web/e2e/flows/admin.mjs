// Commune admin console: sign in at /t/cam-lo, create a village, find it in the audit log.
import { adminSignIn, CAM_LO, newContext, newPage, noHorizontalScroll, shot, step } from "../lib.mjs";

export const title = "the Cam Lộ admin creates a village and sees it in the audit log";

export async function run(browser) {
  const context = await newContext(browser);
  const page = await newPage(context);
  step("sign in at /t/cam-lo as cam-lo.admin");
  await adminSignIn(page, CAM_LO);
  await page.getByRole("navigation", { name: "Điều hướng chính" }).getByRole("link", { name: "Thôn, bản", exact: true }).click(); // the console opens on its dashboard
  await page.getByText(CAM_LO.village).waitFor();
  step("create village T09");
  await page.getByRole("button", { name: "Thêm thôn" }).click();
  await page.getByLabel("Mã").fill("T09");
  await page.getByLabel("Tên", { exact: true }).fill("Thôn Khe Sanh Mới");
  await page.getByLabel("Dân số").fill("1250");
  await page.getByRole("button", { name: "Lưu" }).click();
  await page.getByText("Đã lưu.").waitFor();
  await page.getByText("Thôn Khe Sanh Mới").waitFor(); // the list reloads after the write: it must read it
  await page.getByText("1.250").waitFor(); // vi-VN number format
  await noHorizontalScroll(page);
  await shot(page, "admin-villages-360");
  step("the audit log shows it");
  await page.getByRole("link", { name: "Nhật ký thao tác" }).click();
  await page.getByText("T09", { exact: false }).first().waitFor();
  await shot(page, "admin-audit-360");
  await context.close();
}
