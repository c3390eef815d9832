// Resident PWA: one-time code sign-in, the inbox, installability, offline reload through the service
// worker, English. The test platform seeds two unread messages for this resident (tests/web/test_e2e.py).
import { CAM_LO, largeTouchTargets, newContext, newPage, noHorizontalScroll, residentSignIn, shot, step } from "../lib.mjs";

export const title = "a Cam Lộ resident signs in by one-time code and reads the inbox, also offline";

export async function run(browser) {
  const context = await newContext(browser);
  const page = await newPage(context);
  step("sign in by one-time code (read from the server log)");
  await residentSignIn(page, CAM_LO);
  await page.getByRole("heading", { name: "Tin tức và thông báo" }).waitFor();
  step("the inbox: two unread; the urgent one opens on tap and is marked read");
  await page.getByText("Họp thôn An Bình tối thứ Sáu").waitFor();
  await page.getByText("2 chưa đọc").waitFor();
  await page.getByText("Lịch tiêm phòng cho trẻ em").click();
  await page.getByText("Sáng thứ Bảy tại trạm y tế xã.", { exact: false }).waitFor();
  await page.getByText("1 chưa đọc").waitFor();
  await noHorizontalScroll(page);
  await largeTouchTargets(page);
  await shot(page, "resident-inbox-360");

  step("installable (manifest) and the service worker controls the page");
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector('link[rel="manifest"]').href;
    return (await fetch(href)).json();
  });
  if (manifest.display !== "standalone" || !manifest.icons.some((i) => i.sizes === "512x512")) throw new Error("manifest incomplete");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload(); // now controlled: the inbox response goes through (and into) the service worker's cache
  await page.getByRole("heading", { name: "Tin tức và thông báo" }).waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.waitForTimeout(300);

  step("offline reload still shows the shell and the saved inbox");
  await context.setOffline(true);
  await page.reload();
  await page.getByRole("heading", { name: "Tin tức và thông báo" }).waitFor();
  await page.getByText("Bạn đang ngoại tuyến", { exact: false }).waitFor();
  await page.getByText("Lịch tiêm phòng cho trẻ em").waitFor();
  await shot(page, "resident-offline-360");
  await context.setOffline(false);

  step("English");
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "News and announcements" }).waitFor();
  await context.close();
}
