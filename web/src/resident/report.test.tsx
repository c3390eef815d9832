import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { setLang } from "../i18n";
import { sessionFromToken, saveSession, sessionKey } from "../lib/session";
import { CAM_LO, json, mockFetch, type Handler } from "../test/helpers";
import { ResidentApp } from "./App";
import { listQueued } from "./outbox";
import { formOf, photoFile, resetOutbox, TOKEN, useNodeBlobs } from "./test-support";

const CATEGORIES = [
  { id: 3, code: "road", name: "Giao thông", description: "", sla_hours: 48, responsible_role: "commune_official", group_name: "", active: true },
  { id: 4, code: "old", name: "Lĩnh vực cũ", description: "", sla_hours: 48, responsible_role: "commune_official", group_name: "", active: false },
];
const REPORT = {
  id: 41, token: "t", category_id: 3, status: "new", description: "Ổ gà lớn", redacted_description: null, source: "app", anonymous: false,
  reporter_name: null, lat: null, lng: null, address_code: null, address: null, assignee: null, duplicate_of: null, hidden: false,
  sla_due_at: "2026-11-23T10:00:00Z", overdue: false, escalated_at: null, resolved_at: null, closed_at: null, rating: null,
  rating_comment: null, created_at: "2026-11-21T10:00:00Z", updated_at: "2026-11-21T10:00:00Z", photos: [{ id: 7, position: 0, hidden: false }],
};

function app(routes: Record<string, Handler>) {
  const m = mockFetch({
    "GET /api/v1/commune": () => CAM_LO,
    "GET /api/v1/inbox": () => ({ items: [], unread: 0 }),
    "GET /api/v1/report-categories": () => CATEGORIES,
    ...routes,
  });
  render(<ResidentApp fetch={m.fetch} pathname="/t/cam-lo/app/resident/" />);
  return m;
}

function geolocation(impl: Geolocation["getCurrentPosition"]) {
  Object.defineProperty(navigator, "geolocation", { value: { getCurrentPosition: impl }, configurable: true });
}

async function fillReport() {
  const category = await screen.findByLabelText("Lĩnh vực", {}, { timeout: 5000 }); // first import() of the screen
  await screen.findByRole("option", { name: "Giao thông" });
  expect(screen.queryByRole("option", { name: "Lĩnh vực cũ" })).toBeNull();
  fireEvent.change(category, { target: { value: "3" } });
  fireEvent.input(screen.getByLabelText("Nội dung phản ánh"), { target: { value: "Ổ gà lớn trước nhà văn hóa" } });
  fireEvent.change(screen.getByLabelText("Ảnh hiện trường"), { target: { files: [photoFile(5000)] } });
  await screen.findByText(/Ảnh đã nén còn/); // sending waits for the photo to be shrunk
}

beforeAll(useNodeBlobs);
beforeEach(async () => {
  localStorage.clear();
  setLang("vi");
  location.hash = "";
  saveSession(sessionKey("resident", "cam-lo"), sessionFromToken(TOKEN)!);
  await resetOutbox();
});
afterEach(async () => {
  cleanup();
  await resetOutbox();
});

describe("report a problem", () => {
  it("opens from the home grid and sends the report with its photo and GPS position", async () => {
    geolocation((ok) => ok({ coords: { latitude: 16.812345, longitude: 107.012345, accuracy: 12 } } as GeolocationPosition));
    const m = app({ "POST /api/v1/reports": () => json(REPORT, 201) });
    expect(await screen.findByText("Tin tức và thông báo")).toBeTruthy();
    expect(screen.getByRole("navigation", { name: "Điều hướng chính" })).toBeTruthy();
    expect(screen.getByRole("link", { name: /Truy xuất nguồn gốc/ }).getAttribute("href")).toBe("#/trace");
    await screen.findByText("Chưa có thông báo nào."); // effects (the hash listener) have run
    location.hash = "#/report";
    await fillReport();
    fireEvent.click(screen.getByRole("button", { name: "Lấy vị trí hiện tại" }));
    expect(await screen.findByText(/Vị trí: 16,81235, 107,01235/)).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Địa chỉ hoặc mô tả nơi xảy ra"), { target: { value: "Thôn An Bình" } });
    fireEvent.click(screen.getByRole("button", { name: "Gửi phản ánh" }));

    expect(await screen.findByText(/Đã gửi phản ánh số 41/)).toBeTruthy();
    const post = m.calls.find((c) => c.method === "POST")!;
    const form = await formOf(post.body, post.headers.get("content-type"));
    expect(form.get("category_id")).toBe("3");
    expect(form.get("description")).toBe("Ổ gà lớn trước nhà văn hóa");
    expect(form.get("lat")).toBe("16.812345");
    expect(form.get("lng")).toBe("107.012345");
    expect(form.get("address")).toBe("Thôn An Bình");
    expect((form.get("photos") as File).size).toBe(5000);
    expect(screen.getByRole("link", { name: "Xem phản ánh" }).getAttribute("href")).toBe("#/reports/41");
  });

  it("explains a refused location and sends the report with the typed address only", async () => {
    geolocation((_ok, fail) => fail!({ code: 1, message: "denied" } as GeolocationPositionError));
    const m = app({ "POST /api/v1/reports": () => json(REPORT, 201) });
    location.hash = "#/report";
    await fillReport();
    fireEvent.click(screen.getByRole("button", { name: "Lấy vị trí hiện tại" }));
    expect(await screen.findByText(/Bạn chưa cho phép ứng dụng biết vị trí/)).toBeTruthy();
    // The platform needs a place: without a position the address is required, and nothing is sent without it.
    expect((screen.getByLabelText("Địa chỉ hoặc mô tả nơi xảy ra") as HTMLInputElement).required).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Gửi phản ánh" }));
    await new Promise((r) => setTimeout(r, 50));
    expect(m.calls.some((c) => c.method === "POST")).toBe(false);
    fireEvent.input(screen.getByLabelText("Địa chỉ hoặc mô tả nơi xảy ra"), { target: { value: "Cổng chợ Cam Lộ" } });
    fireEvent.click(screen.getByRole("button", { name: "Gửi phản ánh" }));
    await screen.findByText(/Đã gửi phản ánh số 41/);
    const post = m.calls.find((c) => c.method === "POST")!;
    const form = await formOf(post.body, post.headers.get("content-type"));
    expect(form.get("lat")).toBeNull();
    expect(form.get("address")).toBe("Cổng chợ Cam Lộ");
  });

  it("queues the report when offline, shows it waiting, and sends it when the phone is back online", async () => {
    let online = false;
    const sent: unknown[] = [];
    const m = app({
      "POST /api/v1/reports": () => {
        if (!online) throw new TypeError("Failed to fetch");
        sent.push(1);
        return json(REPORT, 201);
      },
      "GET /api/v1/reports": () => (sent.length ? [REPORT] : []),
    });
    location.hash = "#/report";
    await fillReport();
    fireEvent.input(screen.getByLabelText("Địa chỉ hoặc mô tả nơi xảy ra"), { target: { value: "Bờ sông Hiếu" } });
    fireEvent.click(screen.getByRole("button", { name: "Gửi phản ánh" }));
    expect(await screen.findByText(/Phản ánh đã được lưu trên điện thoại/)).toBeTruthy();
    const queued = await listQueued("http://localhost:3000/t/cam-lo", "u1");
    expect(queued).toHaveLength(1);
    expect(queued[0].photo!.size).toBe(5000);

    fireEvent.click(screen.getByRole("link", { name: "Xem phản ánh đang chờ gửi" }));
    expect(await screen.findByRole("heading", { name: "Đang chờ gửi" })).toBeTruthy();
    expect(screen.getByText("Chờ gửi")).toBeTruthy();
    location.hash = "#/";
    expect(await screen.findByText("1 phản ánh đang chờ gửi khi có mạng")).toBeTruthy();

    online = true;
    dispatchEvent(new Event("online"));
    await waitFor(() => expect(screen.queryByText("1 phản ánh đang chờ gửi khi có mạng")).toBeNull());
    expect(await listQueued("http://localhost:3000/t/cam-lo", "u1")).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(m.calls.filter((c) => c.method === "POST").length).toBeGreaterThanOrEqual(2);
    location.hash = "#/reports";
    expect(await screen.findByText("Mới gửi")).toBeTruthy();
  });

  it("sends what was queued in an earlier visit as soon as the app starts", async () => {
    const { queueReport } = await import("./outbox");
    await queueReport({ scope: "http://localhost:3000/t/cam-lo", subject: "u1", draft: { client_ref: "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", category_id: 3, description: "Đèn đường hỏng" }, photo: null, photoName: "" });
    const m = app({ "POST /api/v1/reports": () => json(REPORT, 201) });
    await waitFor(() => expect(m.calls.some((c) => c.method === "POST")).toBe(true));
    await waitFor(async () => expect(await listQueued("http://localhost:3000/t/cam-lo", "u1")).toEqual([]));
  });
});

describe("my reports", () => {
  it("shows a report's status, photos and the official's reply, and takes a comment", async () => {
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:photo", revokeObjectURL: () => undefined }));
    const detail = {
      ...REPORT,
      status: "accepted",
      events: [
        { id: 1, kind: "status", from_status: null, to_status: "new", body: "", internal: false, actor: "+84912000001", created_at: "2026-11-21T10:00:00Z" },
        { id: 2, kind: "status", from_status: "new", to_status: "accepted", body: "Đã giao cho tổ giao thông", internal: false, actor: "canbo", created_at: "2026-11-21T11:00:00Z" },
        { id: 3, kind: "note", from_status: null, to_status: null, body: "ghi chú nội bộ", internal: true, actor: "canbo", created_at: "2026-11-21T11:05:00Z" },
        { id: 4, kind: "comment", from_status: null, to_status: null, body: "Chiều nay sẽ có người đến kiểm tra.", internal: false, actor: "canbo", created_at: "2026-11-21T11:10:00Z" },
      ],
    };
    const m = app({
      "GET /api/v1/reports": () => [detail],
      "GET /api/v1/reports/41": () => detail,
      "GET /api/v1/reports/41/photos/7": () => new Response(new Uint8Array([1, 2, 3]), { headers: { "content-type": "image/jpeg" } }),
      "POST /api/v1/reports/41/comments": () => json(detail.events[3], 201),
    });
    location.hash = "#/reports";
    fireEvent.click(await screen.findByRole("link", { name: /Giao thông/ }));
    expect(await screen.findByText("Chiều nay sẽ có người đến kiểm tra.")).toBeTruthy();
    expect(screen.getByText("Cán bộ xã trả lời")).toBeTruthy();
    expect(screen.getByText("Chuyển sang: Đã tiếp nhận")).toBeTruthy();
    expect(screen.getByText("Đã giao cho tổ giao thông")).toBeTruthy();
    expect(screen.queryByText("ghi chú nội bộ")).toBeNull();
    expect(((await screen.findByAltText("Ảnh 1")) as HTMLImageElement).src).toBe("blob:photo");

    fireEvent.input(screen.getByLabelText("Ý kiến bổ sung"), { target: { value: "Cảm ơn xã" } });
    fireEvent.click(screen.getByRole("button", { name: "Gửi ý kiến" }));
    await waitFor(() => expect(m.calls.some((c) => c.method === "POST")).toBe(true));
    expect(JSON.parse(m.calls.find((c) => c.method === "POST")!.body)).toEqual({ body: "Cảm ơn xã" });
    vi.unstubAllGlobals();
  });
});
