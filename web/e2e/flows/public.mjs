// A visitor with no account (a tourist on a phone): the commune's public pages, server-rendered. Home with the
// commune's name, colour, contacts and office hours, and its latest commune-wide announcements; the public
// reports and their map (an inline SVG, no tiles); the listings, booking one with name and phone only; the
// library; the contacts; a lot's trace page in the commune's frame; the English switch; a wrong address.
// axe on every page. What the commune publishes (its settings, a listing, a contact, a farm's lot) has no
// admin screen yet for all of it, so the flow sets up what is missing through the API first, as a commune
// official would; everything the visitor does goes through the pages.
import {
  apiCall, BASE, CAM_LO, checkA11y, expectStatus, newContext, newPage, noHorizontalScroll, passwordToken, PHONE,
  shot, step,
} from "../lib.mjs";

export const title = "a visitor opens the commune's public pages, books a homestay with name and phone, reads them in English";

const HOME = `${BASE}/t/${CAM_LO.slug}/`;
const LISTING = { kind: "tourism", category: "homestay", title: "Homestay ven sông Hiếu", description: "Nhà sàn gỗ, bữa tối đặc sản.",
  price_vnd: 450000, price_unit: "/đêm", contact_name: "Chị Hoa", contact_phone: "0912345678" };
const CONTACT = { kind: "hotline", name: "Trạm y tế xã Cam Lộ", phone: "0233 3861 115", hours: "24/7" };

async function setUp() {
  const token = await passwordToken("communes", `${CAM_LO.slug}.admin`);
  const api = (method, path, json) => apiCall(method, `/t/${CAM_LO.slug}/api/v1${path}`, { token, json });
  const settings = await api("GET", "/commune/settings");
  expectStatus(settings, 200, "settings");
  if (!settings.body.office_hours) {
    const body = { ...settings.body, contact_phone: "0233 3861 234", address: "Khu phố 3, xã Cam Lộ, Quảng Trị",
      office_hours: "Thứ Hai – Thứ Sáu: 7:30–11:30, 13:30–17:00" };
    for (const k of ["official_name", "has_logo", "updated_by", "updated_at", "name", "logo_url"]) delete body[k];
    expectStatus(await api("PUT", "/commune/settings", body), 200, "office contacts");
  }
  const profile = await api("GET", "/commune");
  expectStatus(profile, 200, "commune profile");
  const modules = profile.body.modules;
  if (modules.includes("listings")) {
    const listings = await api("GET", "/listings");
    expectStatus(listings, 200, "listings");
    if (!listings.body.some((l) => l.title === LISTING.title)) expectStatus(await api("POST", "/listings", LISTING), 201, "a listing");
  }
  const contacts = await api("GET", "/public/contacts");
  expectStatus(contacts, 200, "contacts");
  if (!contacts.body.some((c) => c.name === CONTACT.name)) {
    expectStatus(await api("POST", "/contacts", CONTACT), 201, "a contact");
  }
  // The announcement flow publishes to the whole commune before this one; alone, this flow publishes its own.
  const published = await api("GET", "/announcements?status=published");
  expectStatus(published, 200, "announcements");
  let news = (published.body.items ?? published.body).find((a) => a.whole_commune !== false)?.title;
  if (!news) {
    news = "Lễ hội ớt Cam Lộ sáng Chủ nhật";
    expectStatus(await api("POST", "/announcements", { title: news, body: "Tại sân vận động xã. Mời bà con và du khách." }), 201, "an announcement");
  }
  if (!modules.includes("production") || !modules.includes("traceability")) return { lot: null, news, modules };
  const lots = await api("GET", "/production/lots");
  expectStatus(lots, 200, "lots");
  if (lots.body.length) return { lot: lots.body[0], news, modules };
  const farm = await api("POST", "/production/farms", { name: "Vườn ớt Cam Lộ", producer_name: "Hộ ông Nguyễn Văn An", commodity: "Ớt", kind: "crop" });
  expectStatus(farm, 201, "a farm");
  const harvest = await api("POST", `/production/farms/${farm.body.id}/logs`, {
    log_type: "harvest", product_name: "Ớt tươi Cam Lộ", quantity: "120", unit: "KGM", at: new Date(Date.now() - 3600e3).toISOString(),
  });
  expectStatus(harvest, 201, "a harvest");
  return { lot: harvest.body.lot, news, modules };
}

async function page(visitor, name, heading) {
  await visitor.getByRole("heading", { level: 1, name: heading }).waitFor();
  await noHorizontalScroll(visitor);
  await checkA11y(visitor, name);
}

export async function run(browser) {
  const { lot, news, modules } = await setUp();

  step("visitor: the commune's home page (no account): name, contacts, office hours, the announcement");
  const context = await newContext(browser, PHONE);
  const visitor = await newPage(context);
  const started = Date.now();
  await visitor.goto(HOME);
  if (await visitor.locator("script").count()) throw new Error("the public page ships script");
  await page(visitor, "public-home-360", /Chào mừng đến với/);
  console.log(`  home page loaded in ${Date.now() - started} ms`);
  await visitor.getByText("Thứ Hai – Thứ Sáu", { exact: false }).waitFor();
  await visitor.getByText(news).first().waitFor();
  await shot(visitor, "public-1-home-360");

  step("visitor: announcements, public reports and their map");
  await visitor.getByRole("navigation", { name: "Trang thông tin của xã" }).getByRole("link", { name: "Thông báo" }).click();
  await page(visitor, "public-announcements-360", "Thông báo của xã");
  await visitor.getByText(news).waitFor();
  await visitor.getByRole("link", { name: "Phản ánh", exact: true }).click();
  await page(visitor, "public-reports-360", "Phản ánh hiện trường");
  await visitor.getByRole("link", { name: "Bản đồ phản ánh" }).first().click();
  await page(visitor, "public-map-360", "Bản đồ phản ánh");
  const dots = await visitor.locator("svg a").count();
  console.log(`  ${dots} report(s) on the map`);
  await shot(visitor, "public-2-map-360");
  if (dots) {
    await visitor.locator("main ul a").first().click();
    await visitor.getByText("Gửi ngày", { exact: false }).first().waitFor();
    await checkA11y(visitor, "public-report-360");
  }

  if (!modules.includes("listings")) {
    step("visitor: the commune has not turned listings on: the page says so");
    const off = await visitor.goto(`${HOME}listings`);
    if (off.status() !== 404) throw new Error(`listings of a commune without the module answered ${off.status()}`);
    await page(visitor, "public-listings-off-360", "Không tìm thấy trang");
    await visitor.getByText("Xã chưa mở mục này.").waitFor();
    await visitor.goto(HOME);
  } else {
    step("visitor: listings; book the homestay with name and phone; a wrong phone is shown beside its field");
    await visitor.getByRole("link", { name: "Dịch vụ, sản phẩm" }).first().click();
    await page(visitor, "public-listings-360", "Dịch vụ, sản phẩm của xã");
    await visitor.getByRole("link", { name: `Xem và đặt: ${LISTING.title}` }).click();
    await page(visitor, "public-listing-360", LISTING.title);
    await visitor.getByText("450.000 đ /đêm").first().waitFor();
    await visitor.getByLabel("Họ và tên").fill("Anna Schmidt");
    await visitor.getByLabel("Số điện thoại").fill("12345");
    await visitor.getByLabel("Số người").fill("2");
    await visitor.getByRole("button", { name: "Gửi yêu cầu" }).click();
    await visitor.getByRole("alert").getByText("Yêu cầu chưa gửi được").waitFor();
    await visitor.getByText("Số điện thoại chưa đúng", { exact: false }).first().waitFor();
    await checkA11y(visitor, "public-booking-error-360");
    const phone = `09${String(Date.now()).slice(-8)}`;
    await visitor.getByLabel("Số điện thoại").fill(`${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`);
    await visitor.getByLabel("Ngày bắt đầu (ngày/tháng/năm)").fill("24/12/2026");
    await visitor.getByLabel("Ghi chú").fill("Hai người lớn, đến buổi chiều.");
    await visitor.getByRole("button", { name: "Gửi yêu cầu" }).click();
    await visitor.getByText("Đã gửi yêu cầu số", { exact: false }).waitFor();
    await visitor.getByText(`${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`, { exact: false }).first().waitFor();
    await shot(visitor, "public-3-booked-360");
    await checkA11y(visitor, "public-booked-360");
  }

  step("visitor: library and contacts");
  await visitor.getByRole("link", { name: "Thư viện văn bản" }).first().click();
  await page(visitor, "public-library-360", "Thư viện văn bản");
  await visitor.getByLabel("Tìm văn bản (có thể gõ không dấu)").fill("quyet dinh");
  await visitor.getByRole("button", { name: "Tìm" }).click();
  await visitor.getByRole("status").or(visitor.getByText("Không có văn bản phù hợp.")).first().waitFor();
  await visitor.getByRole("link", { name: "Danh bạ" }).first().click();
  await page(visitor, "public-contacts-360", "Danh bạ");
  await visitor.getByText(CONTACT.name).waitFor();
  await visitor.getByText("0233 3861 115").first().waitFor();

  if (lot) {
    step("visitor: a lot's trace page, in the commune's frame");
    await visitor.goto(`${HOME}trace`);
    await page(visitor, "public-trace-form-360", "Truy xuất nguồn gốc");
    await visitor.getByLabel("Mã lô in trên tem sản phẩm").fill(lot.code);
    await visitor.getByRole("button", { name: "Tìm" }).click();
    await page(visitor, "public-trace-360", lot.product_name);
    await visitor.getByRole("heading", { name: "Nhật ký sản xuất" }).waitFor();
    await visitor.getByRole("link", { name: "Danh bạ" }).waitFor(); // the commune's menu is there
    await shot(visitor, "public-4-trace-360");
  }

  step("visitor: switches to English; a wrong address shows a not-found page");
  await visitor.goto(HOME);
  await visitor.getByRole("link", { name: "English" }).click();
  await page(visitor, "public-home-en-360", /Welcome to/);
  if (modules.includes("listings")) {
    await visitor.getByRole("link", { name: "Services & products" }).first().click();
    await page(visitor, "public-listings-en-360", "Services and products of the commune");
    await visitor.getByRole("link", { name: `View and book: ${LISTING.title}` }).click();
    await visitor.getByLabel("Your name").waitFor();
    await visitor.getByRole("link", { name: "Tiếng Việt" }).click();
    await visitor.getByLabel("Họ và tên").waitFor();
    await shot(visitor, "public-5-listing-360");
  } else {
    await visitor.getByRole("link", { name: "Contacts" }).first().click();
    await page(visitor, "public-contacts-en-360", "Contacts");
    await visitor.getByRole("link", { name: "Tiếng Việt" }).click();
    await visitor.getByRole("heading", { level: 1, name: "Danh bạ" }).waitFor();
  }
  const missing = await visitor.goto(`${HOME}reports/987654321`);
  if (missing.status() !== 404) throw new Error(`a wrong report address answered ${missing.status()}`);
  await page(visitor, "public-not-found-360", "Không tìm thấy trang");
  const appMissing = await visitor.goto(`${BASE}/t/${CAM_LO.slug}/app/resident/khong-co`);
  if (appMissing.status() !== 404) throw new Error(`a wrong app address answered ${appMissing.status()}`);
  await page(visitor, "app-not-found-360", "Không tìm thấy trang");
  const back = await visitor.getByRole("link", { name: "Về trang chính của ứng dụng" }).getAttribute("href");
  if (back !== `/t/${CAM_LO.slug}/app/resident/`) throw new Error(`the not-found page links to ${back}`);
  await context.close();
}
