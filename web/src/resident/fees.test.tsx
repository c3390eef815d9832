import { cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setLang } from "../i18n";
import { mockFetch } from "../test/helpers";
import FeesPage from "./FeesPage";
import { screenProps } from "./test-support";

const invoice = (over: Record<string, unknown>) => ({
  id: 1, reference: "SC19597HD0001", household_id: 3, payer_subject: "u1", fee_type_id: 1, period: "2026-11", description: "Phí vệ sinh môi trường",
  amount_vnd: 30000, paid_vnd: 0, status: "open", due_date: "2026-11-30", reminder_count: 0, paid_at: null, created_at: "2026-11-01T00:00:00Z", ...over,
});

beforeEach(() => {
  setLang("vi");
  vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:qr", revokeObjectURL: () => undefined }));
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("fees", () => {
  it("lists my invoices with the amount due, and the paid ones with their date", async () => {
    const m = mockFetch({
      "GET /api/v1/me/invoices": () => [invoice({}), invoice({ id: 2, reference: "SC19597HD0002", description: "Phí tháng 10", status: "paid", paid_vnd: 30000, paid_at: "2026-10-20T03:00:00Z" })],
      "GET /api/v1/me/receipts": () => [{ id: 1, number: "BL-000123", invoice_id: 2, household_id: 3, amount_vnd: 30000, issued_at: "2026-10-20T03:00:00Z" }],
    });
    render(<FeesPage {...screenProps(m.fetch)} />);
    expect(await screen.findByText("Cần thanh toán: 30.000 ₫")).toBeTruthy();
    expect(screen.getByText("Chưa thanh toán")).toBeTruthy();
    expect(screen.getByText("Đã thanh toán")).toBeTruthy();
    expect(screen.getByText("10:00 20/10/2026")).toBeTruthy();
    expect(await screen.findByText("Số BL-000123: 30.000 ₫, ngày 20/10/2026")).toBeTruthy();
    expect(screen.getAllByRole("button", { name: "Thanh toán bằng mã VietQR" })).toHaveLength(1);
  });

  it("shows the VietQR code to scan, with the bank details, and lets one save the picture", async () => {
    const m = mockFetch({
      "GET /api/v1/me/invoices": () => [invoice({})],
      "GET /api/v1/me/invoices/1/vietqr": (req) =>
        new URL(req.url).searchParams.get("format") === "png"
          ? new Response(new Uint8Array([137, 80, 78, 71]), { headers: { "content-type": "image/png" } })
          : { invoice_id: 1, reference: "SC19597HD0001", amount_vnd: 30000, payload: "000201…", bank_bin: "970436", account_number: "0011001234567", account_name: "UBND XA CAM LO" },
    });
    render(<FeesPage {...screenProps(m.fetch)} />);
    fireEvent.click(await screen.findByRole("button", { name: "Thanh toán bằng mã VietQR" }));
    const img = (await screen.findByAltText("Mã VietQR để chuyển khoản cho khoản phí SC19597HD0001")) as HTMLImageElement;
    expect(img.src).toBe("blob:qr");
    const save = screen.getByRole("link", { name: "Lưu ảnh mã QR" });
    expect(save.getAttribute("download")).toBe("vietqr-SC19597HD0001.png");
    expect(save.getAttribute("href")).toBe("blob:qr");
    expect(await screen.findByText("0011001234567 · UBND XA CAM LO")).toBeTruthy();
    expect(m.calls.every((c) => c.headers.get("authorization")?.startsWith("Bearer "))).toBe(true);
  });
});
