import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setLang } from "../i18n";
import { json, mockFetch } from "../test/helpers";
import ContactsPage from "./ContactsPage";
import LibraryPage from "./LibraryPage";
import ListingsPage from "./ListingsPage";
import { BASE, screenProps } from "./test-support";
import TracePage from "./TracePage";
import { parseTraceInput } from "./trace";

beforeEach(() => {
  setLang("vi");
  location.hash = "";
});
afterEach(cleanup);

describe("contacts", () => {
  it("groups hotlines and officials, each number one tap to call", async () => {
    const m = mockFetch({
      "GET /api/v1/public/contacts": () => [
        { id: 1, kind: "official", name: "Trần Thị B", position: "Phó Chủ tịch", department: "UBND xã", phone: "0233 3861 234", email: null, hours: "7:30–17:00", sort_order: 0 },
        { id: 2, kind: "hotline", name: "Đường dây nóng xã", position: "", department: "", phone: "0912.345.678", email: "xa@camlo.vn", hours: "", sort_order: 0 },
      ],
    });
    render(<ContactsPage {...screenProps(m.fetch)} />);
    expect(await screen.findByRole("heading", { name: "Đường dây nóng" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Cán bộ xã" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Gọi 0233 3861 234" }).getAttribute("href")).toBe("tel:02333861234");
    expect(screen.getByRole("link", { name: "Gọi 0912.345.678" }).getAttribute("href")).toBe("tel:0912345678");
    expect(screen.getByText("Phó Chủ tịch · UBND xã")).toBeTruthy();
  });
});

describe("offline", () => {
  it("says when a list is the saved copy, and when nothing was saved to show", async () => {
    const saved = mockFetch({ "GET /api/v1/public/contacts": () => json([], 200, { "X-SC-Offline": "1" }) });
    render(<ContactsPage {...screenProps(saved.fetch)} />);
    expect(await screen.findByText("Bạn đang ngoại tuyến. Đang hiển thị dữ liệu đã tải trước đó.")).toBeTruthy();
    cleanup();

    Object.defineProperty(navigator, "onLine", { value: false, configurable: true });
    try {
      const down = (() => Promise.reject(new TypeError("Failed to fetch"))) as typeof fetch;
      render(<ContactsPage {...screenProps(down)} />);
      expect(await screen.findByText(/chưa được tải lần nào/)).toBeTruthy();
      expect(screen.queryByText(/Không kết nối được máy chủ/)).toBeNull();
    } finally {
      Object.defineProperty(navigator, "onLine", { value: true, configurable: true });
    }
  });
});

describe("library", () => {
  it("searches the published documents and links to each file", async () => {
    const m = mockFetch({
      "GET /api/v1/public/library/categories": () => [{ id: 1, code: "qd", name: "Quyết định" }],
      "GET /api/v1/public/library": (req) => {
        const q = new URL(req.url).searchParams.get("q");
        return q === "chợ"
          ? [{ id: 8, category_id: 1, title: "Quyết định về chợ phiên", doc_number: "12/QĐ-UBND", summary: "Tổ chức chợ phiên", issued_on: "2026-03-02", published: true, created_at: "2026-03-02T00:00:00Z" }]
          : [];
      },
    });
    render(<LibraryPage {...screenProps(m.fetch)} />);
    expect(await screen.findByText("Không tìm thấy văn bản nào.")).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Tìm văn bản"), { target: { value: "chợ" } });
    expect(await screen.findByText("Quyết định về chợ phiên", {}, { timeout: 2000 })).toBeTruthy();
    expect(screen.getByText("Quyết định · 12/QĐ-UBND · 02/03/2026")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Mở văn bản" }).getAttribute("href")).toBe(`${BASE}/api/v1/public/library/8/file`);
  });
});

const LISTING = {
  id: 4, kind: "product", category: "specialty", title: "Tiêu Cam Lộ", description: "Tiêu đen phơi nắng", price_vnd: 250000, price_unit: "kg",
  contact_name: "HTX Cam Lộ", contact_phone: "0912345678", shop_links: [{ name: "Postmart", url: "https://postmart.vn/x" }], photo_ids: ["a1"],
  farm_id: 1, latitude: null, longitude: null, accepts_card: false, active: true, created_at: "2026-11-01T00:00:00Z",
};

describe("services and products", () => {
  it("filters by kind and sends an order request", async () => {
    const m = mockFetch({
      "GET /api/v1/public/listings": (req) => (new URL(req.url).searchParams.get("kind") === "tourism" ? [] : [LISTING]),
      "GET /api/v1/public/listings/4": () => LISTING,
      "POST /api/v1/public/listings/4/requests": () => json({ id: 17, status: "new", amount_vnd: 500000, checkout_url: null }, 201),
    });
    render(<ListingsPage {...screenProps(m.fetch)} />);
    expect(await screen.findByText("Sản phẩm · 250.000 ₫ / kg")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Du lịch" }));
    expect(await screen.findByText("Chưa có dịch vụ hay sản phẩm nào.")).toBeTruthy();
    cleanup();

    render(<ListingsPage {...screenProps(m.fetch, ["4"])} />);
    expect(await screen.findByRole("heading", { name: "Tiêu Cam Lộ" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Postmart" }).getAttribute("href")).toBe("https://postmart.vn/x");
    expect((screen.getByLabelText("Số điện thoại") as HTMLInputElement).value).toBe("0912000001");
    fireEvent.input(screen.getByLabelText("Họ và tên"), { target: { value: "Lê Văn C" } });
    fireEvent.input(screen.getByLabelText("Số lượng"), { target: { value: "2" } });
    expect(screen.getByText("Tạm tính: 500.000 ₫ (số lượng 2)")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Gửi yêu cầu" }));
    expect(await screen.findByText("Đã gửi yêu cầu số 17. Người bán sẽ gọi lại cho bạn.")).toBeTruthy();
    expect(JSON.parse(m.calls.find((c) => c.method === "POST")!.body)).toEqual({
      name: "Lê Văn C", phone: "0912000001", quantity: 2, starts_on: null, note: "", pay_by_card: false,
    });
  });
});

describe("trace a product", () => {
  it("reads a GS1 Digital Link, a commune path, an element string or a bare lot code", () => {
    expect(parseTraceInput("https://cam-lo.xa.vn/01/08934567890128/10/TIEU-2026-01?x=1")).toEqual({ gtin: "08934567890128", lot: "TIEU-2026-01" });
    expect(parseTraceInput("https://cam-lo.xa.vn/01/8934567890128/10/A%2FB")).toEqual({ gtin: "08934567890128", lot: "A/B" });
    expect(parseTraceInput("http://127.0.0.1:8000/t/cam-lo/trace/LOT7")).toEqual({ gtin: null, lot: "LOT7" });
    expect(parseTraceInput("(01)08934567890128(10)L1")).toEqual({ gtin: "08934567890128", lot: "L1" });
    expect(parseTraceInput(" LOT7 ")).toEqual({ gtin: null, lot: "LOT7" });
    expect(parseTraceInput("mã có dấu")).toBeNull();
    expect(parseTraceInput("")).toBeNull();
  });

  it("looks a lot up and shows its producer, certifications and timeline", async () => {
    const m = mockFetch({
      "GET /01/08934567890128/10/TIEU-2026-01": (req) =>
        req.headers.get("accept")?.includes("application/json")
          ? {
              uri: "https://cam-lo.xa.vn/01/08934567890128/10/TIEU-2026-01",
              lot: { code: "TIEU-2026-01", product: "Tiêu đen", gtin: "08934567890128", quantity: "120", unit: "kg", produced_at: "2026-10-01T01:00:00+00:00" },
              producer: { name: "HTX Cam Lộ", farm: "Vườn tiêu Bà Triệu", kind: "cooperative", commodity: "tiêu", commune: "Xã Cam Lộ" },
              certifications: [{ scheme: "vietgap", name: "VietGAP", valid: true }],
              timeline: [
                { type: "input", name: "Bón phân", at: "2026-08-01T01:00:00+00:00", material: "Phân hữu cơ", amount: "50 kg", phi_days: 7 },
                { type: "harvest", name: "Thu hoạch", at: "2026-10-01T01:00:00+00:00", lot: "TIEU-2026-01", quantity: "120 kg" },
              ],
            }
          : new Response("<html>", { headers: { "content-type": "text/html" } }),
    });
    render(<TracePage {...screenProps(m.fetch)} />);
    fireEvent.input(screen.getByLabelText("Mã lô hoặc đường dẫn trên tem"), { target: { value: "https://cam-lo.xa.vn/01/08934567890128/10/TIEU-2026-01" } });
    fireEvent.click(screen.getByRole("button", { name: "Tra cứu" }));
    await waitFor(() => expect(location.hash).toBe("#/trace/https%3A%2F%2Fcam-lo.xa.vn%2F01%2F08934567890128%2F10%2FTIEU-2026-01"));
    cleanup();

    render(<TracePage {...screenProps(m.fetch, ["https://cam-lo.xa.vn/01/08934567890128/10/TIEU-2026-01"])} />);
    expect(await screen.findByRole("heading", { name: "Tiêu đen" })).toBeTruthy();
    expect(screen.getByText("HTX Cam Lộ · Vườn tiêu Bà Triệu · Xã Cam Lộ")).toBeTruthy();
    expect(screen.getByText("Còn hiệu lực")).toBeTruthy();
    expect(screen.getByText("Phân hữu cơ · 50 kg")).toBeTruthy();
    expect(screen.getByText("Thời gian cách ly: 7 ngày")).toBeTruthy();
    expect(screen.getByText("Tạo lô TIEU-2026-01: 120 kg")).toBeTruthy();
  });

  it("says when the lot is unknown", async () => {
    const m = mockFetch({});
    render(<TracePage {...screenProps(m.fetch, ["NOPE"])} />);
    expect(await screen.findByText("Không tìm thấy.")).toBeTruthy();
    expect(m.calls[0].url.pathname).toBe("/t/cam-lo/trace/NOPE");
  });
});
