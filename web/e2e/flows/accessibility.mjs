// axe-core on the main page of each app, at 360 px and on a desktop screen: no serious or critical violation.
import { adminSignIn, CAM_LO, checkA11y, DESKTOP, newContext, newPage, PHONE, providerSignIn, residentSignIn, step } from "../lib.mjs";

export const title = "axe-core finds no serious or critical violation on the main page of each app";

export async function run(browser) {
  for (const [size, options] of [["360", PHONE], ["desktop", DESKTOP]]) {
    const context = await newContext(browser, options);
    const page = await newPage(context);
    step(`provider console after sign-in (${size})`);
    await providerSignIn(page);
    await page.getByText("Xã Cam Lộ", { exact: true }).waitFor();
    await checkA11y(page, `provider-communes-${size}`);

    step(`commune admin console after sign-in (${size})`);
    await adminSignIn(page, CAM_LO);
    await page.getByRole("navigation", { name: "Điều hướng chính" }).getByRole("link", { name: "Thôn, bản", exact: true }).click(); // the console opens on its dashboard
    await page.getByText(CAM_LO.village).first().waitFor();
    await checkA11y(page, `admin-home-${size}`);
    await context.close();
  }

  const context = await newContext(browser);
  const page = await newPage(context);
  step("resident app: sign-in page, then home after sign-in (360)");
  await residentSignIn(page, CAM_LO, { onLoginPage: (p) => checkA11y(p, "resident-login-360") });
  await page.getByRole("heading", { name: "Tin tức và thông báo" }).waitFor();
  await page.getByText("Họp thôn An Bình tối thứ Sáu").waitFor();
  await checkA11y(page, "resident-home-360");
  await context.close();
}
