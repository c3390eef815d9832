import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { Blob as NodeBlob, File as NodeFile } from "node:buffer";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeApi } from "../../api/client";
import { setLang } from "../../i18n";
import { json, mockFetch, type Handler } from "../../test/helpers";
import { AnnouncementsPage } from "./AnnouncementsPage";
import { applyBranding } from "./branding";
import { ResidentsPage } from "./ResidentsPage";
import { SettingsPage } from "./SettingsPage";
import { isoToLocal, localToIso } from "./shared";

const apiWith = (routes: Record<string, Handler>) => {
  const m = mockFetch(routes);
  return { m, api: makeApi({ baseUrl: "http://localhost/t/cam-lo", fetch: m.fetch, token: () => "tok" }) };
};
const problem = (status: number, code: string, message: string) => json({ error: { code, message, message_en: code } }, status);
const body = (m: ReturnType<typeof mockFetch>, method: string, path: string) =>
  JSON.parse(m.calls.filter((c) => c.method === method && c.url.pathname.endsWith(path)).pop()!.body);

// jsdom's FormData and File cannot go through Node's fetch Request: use Node's own for multipart bodies.
async function useNodeBlobs(): Promise<void> {
  const probe = await new Response("a=1", { headers: { "content-type": "application/x-www-form-urlencoded" } }).formData();
  Object.assign(globalThis, { FormData: probe.constructor, Blob: NodeBlob, File: NodeFile });
}
beforeAll(useNodeBlobs);

const SETTINGS = {
  name: "Xã Cam Lộ",
  display_name: null,
  official_name: "Xã Cam Lộ",
  primary_color: null,
  logo_url: null,
  has_logo: false,
  contact_phone: null,
  contact_email: null,
  address: null,
  office_hours: null,
  updated_by: null,
  updated_at: null,
};
const VILLAGES = [
  { id: 1, code: "T01", name: "Thôn An Bình", kind: "thon", population: 100, created_at: "2026-01-01T00:00:00Z" },
  { id: 2, code: "T02", name: "Thôn Tân Mỹ", kind: "thon", population: 80, created_at: "2026-01-01T00:00:00Z" },
];

beforeEach(() => setLang("vi"));
afterEach(() => {
  cleanup();
  applyBranding(null);
});

describe("settings and branding", () => {
  it("saves the settings and shows the platform's refusal", async () => {
    let attempt = 0;
    const { m, api } = apiWith({
      "GET /api/v1/commune/settings": () => SETTINGS,
      "PUT /api/v1/commune/settings": (_r, b) => {
        attempt += 1;
        if (attempt === 1) return problem(422, "color_low_contrast", "Màu #f5f5a0 quá nhạt");
        return { ...SETTINGS, ...JSON.parse(b), name: "UBND xã Cam Lộ", updated_by: "cam-lo.admin", updated_at: "2026-11-21T03:00:00Z" };
      },
    });
    render(<SettingsPage api={api} baseUrl="" />);
    fireEvent.input(await screen.findByLabelText("Tên hiển thị"), { target: { value: "UBND xã Cam Lộ" } });
    fireEvent.input(screen.getByLabelText("Mã màu (ví dụ #0b6b3a)"), { target: { value: "#f5f5a0" } });
    fireEvent.input(screen.getByLabelText("Giờ làm việc"), { target: { value: "Thứ 2 – Thứ 6" } });
    fireEvent.click(screen.getByRole("button", { name: "Lưu" }));
    expect((await screen.findByRole("alert")).textContent).toContain("quá nhạt");

    fireEvent.input(screen.getByLabelText("Mã màu (ví dụ #0b6b3a)"), { target: { value: "#0b4f8a" } });
    fireEvent.click(screen.getByRole("button", { name: "Lưu" }));
    expect(await screen.findByText("Đã lưu.")).toBeTruthy();
    expect(body(m, "PUT", "/commune/settings")).toEqual({
      display_name: "UBND xã Cam Lộ",
      primary_color: "#0b4f8a",
      contact_phone: null,
      contact_email: null,
      address: null,
      office_hours: "Thứ 2 – Thứ 6",
      reports_public_after: "accepted",
    });
  });

  it("uploads a logo as multipart and applies colour and logo to the page", async () => {
    const { m, api } = apiWith({
      "GET /api/v1/commune/settings": () => SETTINGS,
      "POST /api/v1/commune/settings/logo": () => ({ ...SETTINGS, has_logo: true, logo_url: "/api/v1/public/commune/logo?v=abc" }),
    });
    render(<SettingsPage api={api} baseUrl="/t/cam-lo" />);
    const input = (await screen.findByLabelText("Tải biểu trưng lên")) as HTMLInputElement;
    const file = new NodeFile([new Uint8Array([137, 80, 78, 71])], "logo.png", { type: "image/png" });
    fireEvent.change(input, { target: { files: [file] } });
    expect(await screen.findByText("Đã cập nhật biểu trưng.")).toBeTruthy();
    const img = screen.getByAltText("Biểu trưng hiện tại của xã") as HTMLImageElement;
    expect(img.getAttribute("src")).toBe("/t/cam-lo/api/v1/public/commune/logo?v=abc");
    const post = m.calls.find((c) => c.url.pathname.endsWith("/logo"))!;
    expect(post.headers.get("content-type")).toContain("multipart/form-data");
    expect(screen.getByRole("button", { name: "Gỡ biểu trưng" })).toBeTruthy();

    applyBranding({ primary_color: "#0b4f8a", logo_url: "/api/v1/public/commune/logo?v=abc" }, "/t/cam-lo");
    expect(document.documentElement.style.getPropertyValue("--brand")).toBe("#0b4f8a");
    expect(document.documentElement.classList.contains("has-logo")).toBe(true);
  });
});

const resident = (over: Record<string, unknown> = {}) => ({
  id: 7,
  full_name: "Nguyễn Thị Hoa",
  phone: "+84912000001",
  household_id: null,
  village_id: 1,
  date_of_birth: "1990-05-01",
  groups: ["nong_dan"],
  registered: false,
  status: "verified",
  source: "official",
  review_note: null,
  reviewed_by: null,
  reviewed_at: null,
  created_at: "2026-01-01T00:00:00Z",
  archived_at: null,
  archived_by: null,
  ...over,
});

describe("households and residents", () => {
  it("filters by village, creates a resident and archives one", async () => {
    const { m, api } = apiWith({
      "GET /api/v1/villages": () => VILLAGES,
      "GET /api/v1/residents": () => [resident()],
      "POST /api/v1/residents": (_r, b) => resident({ id: 8, ...JSON.parse(b) }),
      "DELETE /api/v1/residents/7": () => resident({ archived_at: "2026-11-21T00:00:00Z" }),
    });
    render(<ResidentsPage api={api} />);
    expect(await screen.findByText("Nguyễn Thị Hoa")).toBeTruthy();
    fireEvent.change(screen.getAllByLabelText("Thôn, bản")[0], { target: { value: "2" } });
    await waitFor(() => expect(m.calls.some((c) => c.url.searchParams.get("village_id") === "2")).toBe(true));

    fireEvent.click(screen.getByRole("button", { name: "Thêm cư dân" }));
    const form = screen.getByRole("form", { name: "Thêm cư dân" });
    fireEvent.input(form.querySelector("[name=full_name]")!, { target: { value: "Lê Văn Tám" } });
    fireEvent.input(form.querySelector("[name=groups]")!, { target: { value: "nong_dan, phu_huynh" } });
    fireEvent.click(screen.getByRole("button", { name: "Lưu" }));
    expect(await screen.findByText("Đã lưu.")).toBeTruthy();
    expect(body(m, "POST", "/residents")).toMatchObject({ full_name: "Lê Văn Tám", village_id: 1, groups: ["nong_dan", "phu_huynh"] });

    fireEvent.click(screen.getByRole("button", { name: "Lưu trữ Nguyễn Thị Hoa" }));
    expect(await screen.findByText("Đã lưu trữ Nguyễn Thị Hoa.")).toBeTruthy();
  });

  it("imports a CSV and lists each rejected row", async () => {
    const { api } = apiWith({
      "GET /api/v1/villages": () => VILLAGES,
      "GET /api/v1/residents": () => [],
      "POST /api/v1/households/import": () => ({
        created: 2,
        rejected: 1,
        ids: [1, 2],
        errors: [{ row: 4, field: "village_code", problem: "Không có thôn mã X9.", code: "unknown_village" }],
      }),
    });
    render(<ResidentsPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Nhập từ tệp CSV" }));
    const csv = new NodeFile(["village_code,house_number\nT01,12\n"], "ho.csv", { type: "text/csv" });
    fireEvent.change(screen.getByLabelText("Tệp CSV (UTF-8)"), { target: { files: [csv] } });
    fireEvent.click(screen.getByRole("button", { name: "Nhập dữ liệu" }));
    expect(await screen.findByText("Đã thêm 2 dòng, 1 dòng bị lỗi.")).toBeTruthy();
    expect(screen.getByText("Không có thôn mã X9.")).toBeTruthy();
    expect(screen.getByText("4")).toBeTruthy();
  });

  it("shows a failed save without closing the form", async () => {
    const { api } = apiWith({
      "GET /api/v1/villages": () => VILLAGES,
      "GET /api/v1/households": () => [],
      "POST /api/v1/households": () => problem(409, "house_number_taken", "Số nhà đã có trong thôn."),
      "GET /api/v1/residents": () => [],
    });
    render(<ResidentsPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Hộ gia đình" }));
    fireEvent.click(await screen.findByRole("button", { name: "Thêm hộ gia đình" }));
    const form = screen.getByRole("form", { name: "Thêm hộ gia đình" });
    fireEvent.input(form.querySelector("[name=house_number]")!, { target: { value: "12" } });
    fireEvent.click(screen.getByRole("button", { name: "Lưu" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Số nhà đã có trong thôn.");
    expect(screen.getByRole("form", { name: "Thêm hộ gia đình" })).toBeTruthy();
  });
});

const announcement = (over: Record<string, unknown> = {}) => ({
  id: 3,
  title: "Họp thôn",
  body: "Họp lúc 19 giờ.",
  priority: "normal",
  status: "published",
  publish_at: "2026-11-21T01:00:00Z",
  expires_at: null,
  whole_commune: true,
  target_village_ids: [],
  target_groups: [],
  channels: ["push"],
  loudspeaker: false,
  recipients: 12,
  created_by: "cam-lo.admin",
  created_at: "2026-11-21T01:00:00Z",
  published_at: "2026-11-21T01:00:00Z",
  attachments: [],
  ...over,
});

describe("announcements", () => {
  it("lists announcements with delivery statistics", async () => {
    const { api } = apiWith({
      "GET /api/v1/announcements": () => [announcement()],
      "GET /api/v1/villages": () => VILLAGES,
      "GET /api/v1/announcements/3/deliveries": () => ({
        announcement_id: 3,
        recipients: 12,
        summary: { inbox: { read: 5, delivered: 7 }, push: { sent: 10, failed: 2 } },
        items: [],
      }),
    });
    render(<AnnouncementsPage api={api} />);
    expect(await screen.findByText("Họp thôn")).toBeTruthy();
    expect(await screen.findByText("Đã đọc: 5")).toBeTruthy();
    expect(screen.getByText("Lỗi: 2")).toBeTruthy();
    expect(screen.getByText("Đã nhận: 7")).toBeTruthy();
    expect(screen.getByText("Chờ gửi: 0")).toBeTruthy();
  });

  it("publishes an urgent announcement to chosen villages, with a preview", async () => {
    const { m, api } = apiWith({
      "GET /api/v1/announcements": () => [],
      "GET /api/v1/villages": () => VILLAGES,
      "POST /api/v1/announcements": (_r, b) => announcement({ ...JSON.parse(b), id: 9, priority: "urgent" }),
    });
    render(<AnnouncementsPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Soạn thông báo" }));
    fireEvent.input(screen.getByLabelText("Tiêu đề"), { target: { value: "Bão số 5" } });
    fireEvent.input(screen.getByLabelText("Nội dung"), { target: { value: "Di dời dân trước 17 giờ." } });
    fireEvent.change(screen.getByLabelText("Mức độ ưu tiên"), { target: { value: "urgent" } });
    fireEvent.click(screen.getByLabelText("Tin nhắn SMS"));
    fireEvent.click(screen.getByLabelText("Toàn xã"));
    fireEvent.click(await screen.findByLabelText("Thôn Tân Mỹ"));
    fireEvent.click(screen.getByRole("button", { name: "Xem trước" }));
    expect(screen.getByRole("heading", { name: "Bão số 5" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Đăng thông báo" }));
    expect(await screen.findByText("Đã đăng thông báo “Bão số 5”.")).toBeTruthy();
    expect(body(m, "POST", "/announcements")).toEqual({
      title: "Bão số 5",
      body: "Di dời dân trước 17 giờ.",
      priority: "urgent",
      publish_at: null,
      expires_at: null,
      target: { whole_commune: false, village_ids: [2], groups: [] },
      channels: ["push", "sms"],
      loudspeaker: false,
      attachment_ids: [],
    });
  });

  it("shows why publishing was refused", async () => {
    const { api } = apiWith({
      "GET /api/v1/announcements": () => [],
      "GET /api/v1/villages": () => VILLAGES,
      "POST /api/v1/announcements": () => problem(403, "outside_village_scope", "Chỉ được gửi cho thôn của mình."),
    });
    render(<AnnouncementsPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Soạn thông báo" }));
    fireEvent.input(screen.getByLabelText("Tiêu đề"), { target: { value: "A" } });
    fireEvent.input(screen.getByLabelText("Nội dung"), { target: { value: "B" } });
    fireEvent.input(screen.getByLabelText("Thời điểm đăng"), { target: { value: "2026-12-01T08:00" } });
    fireEvent.click(screen.getByRole("button", { name: "Hẹn giờ đăng" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Chỉ được gửi cho thôn của mình.");
  });
});

describe("Vietnam time", () => {
  it("turns a datetime-local value into an instant at +07:00 and back", () => {
    expect(localToIso("2026-12-01T08:00")).toBe("2026-12-01T08:00:00+07:00");
    expect(localToIso("")).toBeNull();
    expect(isoToLocal("2026-12-01T01:00:00Z")).toBe("2026-12-01T08:00");
  });
});
