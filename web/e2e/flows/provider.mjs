// Provider console: sign in, see both demo communes at 360 px, filter the list by province.
import { newContext, newPage, noHorizontalScroll, providerSignIn, shot, step } from "../lib.mjs";

export const title = "provider staff see both demo communes and filter them by province";

export async function run(browser) {
  const context = await newContext(browser);
  const page = await newPage(context);
  step("sign in as provider-admin");
  await providerSignIn(page);
  await page.getByText("Xã Cam Lộ", { exact: true }).waitFor();
  await page.getByText("Xã Hậu Lộc", { exact: true }).waitFor();
  // The two demo communes, plus any the provider journey onboarded before this flow.
  await page.getByText(/^([2-9]|\d{2,}) xã$/).waitFor();
  await noHorizontalScroll(page);
  await shot(page, "provider-communes-360");
  step("filter by province: Quảng Trị keeps its communes only (Cam Lộ, not Hậu Lộc)");
  await page.getByLabel("Tỉnh/thành phố").selectOption({ label: "Quảng Trị" });
  await page.getByText("Xã Hậu Lộc", { exact: true }).waitFor({ state: "hidden" });
  await page.getByText("Xã Cam Lộ", { exact: true }).waitFor();
  if (await page.getByText("Xã Hậu Lộc", { exact: true }).count()) throw new Error("province filter kept Hậu Lộc");
  await context.close();
}
