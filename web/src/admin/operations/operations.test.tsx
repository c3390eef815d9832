import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeApi } from "../../api/client";
import { setLang } from "../../i18n";
import { saveSession, sessionFromToken, sessionKey } from "../../lib/session";
import { CAM_LO, fakeToken, json, mockFetch, type Handler } from "../../test/helpers";
import { AdminApp } from "../App";
import { DevicesPage, seriesOf } from "./DevicesPage";
import { linePath } from "./LineChart";
import { OperationsPage } from "./OperationsPage";
import { parseSseBlock, readSse } from "./sse";

const AT = "2026-03-01T03:00:00Z";
const camera = (over: Record<string, unknown> = {}) => ({
  id: 1,
  name: "Cổng chợ",
  location: "Chợ Cam Lộ",
  latitude: null,
  longitude: null,
  stream_url: "rtsp://10.0.0.5/stream1",
  has_credentials: true,
  profile: "outdoor",
  model: null,
  zones: [],
  masks: [],
  sensitivity: 50,
  min_area: 0.01,
  motion_enabled: true,
  status: "online",
  status_reason: null,
  status_changed_at: AT,
  last_checked_at: AT,
  last_frame_at: AT,
  last_frame_age_s: 2,
  last_probe_ms: 120,
  width: 1280,
  height: 720,
  fps: 15,
  codec: "h264",
  snapshot_file_id: "00000000-0000-0000-0000-000000000001",
  created_at: AT,
  updated_at: AT,
  ...over,
});
const overview = (offline: number) => ({
  at: AT,
  cameras: { online: 1, offline },
  recent_events: [],
  devices: { total: 3, online: 2, offline: 1, active_alarms: 1 },
  alarms: [],
  reports: { open: 4, by_sla: { overdue: 2, due_soon: 1, on_track: 1 }, by_status: {} },
});
const jpeg = () => new Response(new Uint8Array([0xff, 0xd8, 0xff]), { headers: { "content-type": "image/jpeg" } });
const sse = (...events: unknown[]) =>
  new Response(events.map((e) => `event: overview\ndata: ${JSON.stringify(e)}\n\n`).join(": keep-alive\n\n"), {
    headers: { "content-type": "text/event-stream" },
  });

function setup(routes: Record<string, Handler>) {
  const m = mockFetch(routes);
  const api = makeApi({ baseUrl: "http://localhost/t/cam-lo", fetch: m.fetch, token: () => "tok" });
  return { m, api };
}

beforeEach(() => {
  localStorage.clear();
  setLang("vi");
  location.hash = "";
  URL.createObjectURL = vi.fn(() => "blob:preview");
  URL.revokeObjectURL = vi.fn();
});
afterEach(cleanup);

describe("SSE over fetch", () => {
  it("parses events split across chunks and skips keep-alives", async () => {
    const enc = new TextEncoder();
    const chunks = ["event: overview\nda", 'ta: {"a":1}\n\n: keep-alive\n\n', 'event: overview\ndata: {"a":2}\n\n'];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        chunks.forEach((x) => c.enqueue(enc.encode(x)));
        c.close();
      },
    });
    const seen: string[] = [];
    await readSse(stream, (e) => seen.push(`${e.event}:${e.data}`));
    expect(seen).toEqual(['overview:{"a":1}', 'overview:{"a":2}']);
    expect(parseSseBlock(": keep-alive")).toBeNull();
  });
});

describe("operations centre", () => {
  it("is in the console menu", async () => {
    location.hash = "#/operations";
    saveSession(sessionKey("admin", "cam-lo"), sessionFromToken(fakeToken())!);
    const m = mockFetch({
      "GET /api/v1/commune": () => CAM_LO,
      "GET /api/v1/operations/overview": () => overview(0),
      "GET /api/v1/operations/stream": () => sse(overview(0)),
      "GET /api/v1/cameras": () => [],
    });
    render(<AdminApp fetch={m.fetch} pathname="/t/cam-lo/app/admin/" />);
    expect(await screen.findByRole("heading", { name: "Trung tâm điều hành" })).toBeTruthy();
    for (const name of ["Tổng quan", "Thiết bị", "Sản xuất", "Phí, lệ phí"]) expect(screen.getByRole("link", { name })).toBeTruthy();
  });

  it("shows live counts from the SSE stream and previews through the platform with the token", async () => {
    const { m, api } = setup({
      "GET /api/v1/operations/overview": () => overview(0),
      "GET /api/v1/operations/stream": () => sse(overview(0), overview(2)),
      "GET /api/v1/cameras": () => [camera(), camera({ id: 2, name: "Đê sông Hiếu", status: "offline", status_reason: "unauthorized", snapshot_file_id: null })],
      "GET /api/v1/cameras/1/preview.jpg": jpeg,
      "GET /api/v1/cameras/2/preview.jpg": () => json({ error: { code: "preview_not_found", message: "Chưa có hình xem trước.", message_en: "No preview yet." } }, 404),
      "POST /api/v1/cameras/2/probe": () => ({
        ok: false,
        reason: "timeout",
        message: "Camera không trả lời kịp thời.",
        message_en: "The camera did not answer in time.",
        elapsed_ms: 3000,
        camera: camera({ id: 2, status: "offline", status_reason: "timeout" }),
      }),
    });
    render(<OperationsPage api={api} />);
    expect(await screen.findByText("Đang cập nhật trực tiếp")).toBeTruthy();
    const stats = screen.getByRole("group", { name: "Tình hình chung" });
    await waitFor(() => expect(within(stats).getByText("Mất kết nối").previousElementSibling!.textContent).toBe("2"));
    expect(within(stats).getByText("2/3")).toBeTruthy();

    const img = (await screen.findByAltText("Hình xem trước của camera Cổng chợ")) as HTMLImageElement;
    expect(img.src).toBe("blob:preview");
    const preview = m.calls.find((c) => c.url.pathname === "/t/cam-lo/api/v1/cameras/1/preview.jpg")!;
    expect(preview.headers.get("Authorization")).toBe("Bearer tok");
    const stream = m.calls.find((c) => c.url.pathname.endsWith("/operations/stream"))!;
    expect(stream.headers.get("Authorization")).toBe("Bearer tok");

    const offline = screen.getByRole("listitem", { name: "Đê sông Hiếu" });
    expect(within(offline).getByText("Sai tên đăng nhập hoặc mật khẩu camera")).toBeTruthy();
    expect(within(offline).getByText("Chưa có hình xem trước")).toBeTruthy();
    fireEvent.click(within(offline).getByRole("button", { name: "Kiểm tra ngay camera Đê sông Hiếu" }));
    expect(await within(offline).findByText("Camera không trả lời kịp thời. (3.000 ms)")).toBeTruthy();
  });

  it("adds a camera and edits one without sending back the write-only address", async () => {
    const { m, api } = setup({
      "GET /api/v1/operations/overview": () => overview(0),
      "GET /api/v1/operations/stream": () => sse(overview(0)),
      "GET /api/v1/cameras": () => [camera()],
      "GET /api/v1/cameras/1/preview.jpg": jpeg,
      "GET /api/v1/camera-site-networks": () => [{ id: 1, cidr: "10.0.0.0/24", note: "", created_at: "2026-12-07T00:00:00Z" }],
      "POST /api/v1/cameras": (_r, body) => camera({ id: 3, ...JSON.parse(body) }),
      "PATCH /api/v1/cameras/1": (_r, body) => camera(JSON.parse(body)),
      "POST /api/v1/cameras/1/onvif/device-information": () => camera({ manufacturer: "Hikvision", model: "DS-2CD1023", firmware: "V5.7" }),
    });
    render(<OperationsPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Thêm camera" }));
    const form = screen.getByRole("form", { name: "Thêm camera" });
    fireEvent.input(within(form).getByLabelText("Tên camera"), { target: { value: "Trường học" } });
    fireEvent.input(within(form).getByLabelText("Địa chỉ luồng video (RTSP/HTTP)"), { target: { value: "rtsp://10.0.0.9/live" } });
    fireEvent.input(within(form).getByLabelText("Tên đăng nhập camera"), { target: { value: "admin" } });
    fireEvent.input(within(form).getByLabelText("Mật khẩu camera"), { target: { value: "s3cret" } });
    // The hint's example lies in the approved site network, so it would be accepted as written.
    expect(await within(form).findByText(/Ví dụ rtsp:\/\/10\.0\.0\.10:554\/stream1/)).toBeTruthy();
    fireEvent.click(within(form).getByRole("button", { name: "Lưu" }));
    // No click needed: the first check runs by itself and the wall waits for its result.
    await screen.findByText(/Đã lưu camera Trường học\. Đang kiểm tra kết nối lần đầu/);
    const post = JSON.parse(m.calls.find((c) => c.method === "POST" && c.url.pathname.endsWith("/cameras"))!.body);
    expect(post).toMatchObject({ name: "Trường học", stream_url: "rtsp://10.0.0.9/live", username: "admin", password: "s3cret", motion_enabled: true });

    fireEvent.click(screen.getByRole("button", { name: "Sửa camera Cổng chợ" }));
    const edit = screen.getByRole("form", { name: "Sửa camera Cổng chợ" });
    expect((within(edit).getByLabelText("Địa chỉ luồng video (RTSP/HTTP)") as HTMLInputElement).value).toBe("");
    expect((within(edit).getByLabelText("Mật khẩu camera") as HTMLInputElement).value).toBe("");
    fireEvent.input(within(edit).getByLabelText("Vị trí"), { target: { value: "Cổng phía Bắc" } });
    fireEvent.click(within(edit).getByRole("button", { name: "Lưu" }));
    await waitFor(() => expect(m.calls.some((c) => c.method === "PATCH")).toBe(true));
    const patch = JSON.parse(m.calls.find((c) => c.method === "PATCH")!.body);
    expect(patch.location).toBe("Cổng phía Bắc");
    expect(patch).not.toHaveProperty("stream_url");
    expect(patch).not.toHaveProperty("password");

    fireEvent.click(screen.getByRole("button", { name: "Đọc thông tin ONVIF của camera Cổng chợ" }));
    await waitFor(() => expect(m.calls.some((c) => c.url.pathname.endsWith("/cameras/1/onvif/device-information"))).toBe(true));
  });

  it("lists motion events with their snapshot and promotes one to an incident", async () => {
    location.hash = "#/operations/events";
    const event = { id: 7, camera_id: 1, kind: "motion", started_at: AT, ended_at: null, peak_area: 0.125, snapshot_file_id: "00000000-0000-0000-0000-000000000001", state: "open", incident_title: null, incident_note: null, field_report_id: null, promoted_by: null, promoted_at: null };
    const { m, api } = setup({
      "GET /api/v1/operations/overview": () => overview(0),
      "GET /api/v1/operations/stream": () => sse(overview(0)),
      "GET /api/v1/cameras": () => [camera()],
      "GET /api/v1/camera-events": () => [event],
      "GET /api/v1/camera-events/7/snapshot": jpeg,
      "POST /api/v1/camera-events/7/promote": (_r, body) => ({ ...event, state: "incident", incident_title: JSON.parse(body).title }),
    });
    render(<OperationsPage api={api} />);
    expect(await screen.findByText("Chuyển động · Cổng chợ")).toBeTruthy();
    expect(screen.getByText(/vùng chuyển động 12,5%/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Xem ảnh chụp" }));
    expect(await screen.findByAltText("Ảnh chụp của sự kiện số 7")).toBeTruthy();
    expect(m.calls.find((c) => c.url.pathname.endsWith("/camera-events/7/snapshot"))!.headers.get("Authorization")).toBe("Bearer tok");

    fireEvent.click(screen.getByRole("button", { name: "Chuyển thành sự cố" }));
    const form = screen.getByRole("form", { name: "Chuyển thành sự cố" });
    expect((within(form).getByLabelText("Tiêu đề sự cố") as HTMLInputElement).value).toBe("Sự cố tại Cổng chợ");
    fireEvent.input(within(form).getByLabelText("Ghi chú"), { target: { value: "Xe đổ rác trái phép" } });
    fireEvent.click(within(form).getByRole("button", { name: "Tạo sự cố" }));
    await waitFor(() => expect(m.calls.some((c) => c.url.pathname.endsWith("/promote"))).toBe(true));
    expect(JSON.parse(m.calls.find((c) => c.url.pathname.endsWith("/promote"))!.body)).toEqual({ title: "Sự cố tại Cổng chợ", note: "Xe đổ rác trái phép", field_report_id: null });
  });
});

describe("devices", () => {
  const device = (over: Record<string, unknown> = {}) => ({ id: 1, uid: "pump-01", serial: "S1", name: "Trạm bơm Đông", profile_id: 1, location: "Cánh đồng Đông", mqtt_username: "u", last_seen_at: AT, online: true, created_at: AT, ...over });
  const profile = { id: 1, code: "pump", name: "Bơm", fields: [{ name: "water_level", unit: "cm" }], commands: [{ name: "pump_on", params: { minutes: { min: 1, max: 120, required: true } }, timeout_s: 30 }], alarm_rules: [], created_at: AT };

  it("charts telemetry and sends a command, polling for its result", async () => {
    let polls = 0;
    const command = { id: "c0ffee00-0000-0000-0000-000000000001", device_id: 1, name: "pump_on", params: { minutes: 15 }, status: "sent", source: "manual", requested_by: "cam-lo.admin", timeout_s: 30, requested_at: AT, responded_at: null, result: null };
    const { m, api } = setup({
      "GET /api/v1/devices": () => [device(), device({ id: 2, uid: "rain-01", name: "Đo mưa", online: false, last_seen_at: null })],
      "GET /api/v1/device-profiles": () => [profile],
      "GET /api/v1/devices/1/telemetry": () => [
        { ts: "2026-03-01T03:00:00Z", data: { water_level: 12 } },
        { ts: "2026-03-01T02:00:00Z", data: { water_level: 8, battery: 3.7 } },
      ],
      "POST /api/v1/devices/1/commands": (_r, body) => ({ ...command, params: JSON.parse(body).params }),
      [`GET /api/v1/device-commands/${command.id}`]: () => (++polls ? { ...command, status: "succeeded", responded_at: AT, result: { running: true } } : command),
    });
    render(<DevicesPage api={api} />);
    expect(await screen.findByText("Trạm bơm Đông")).toBeTruthy();
    expect(screen.getAllByText("Trực tuyến")).toHaveLength(1);
    expect(screen.getByText("Mất kết nối")).toBeTruthy();
    expect(screen.getByText("Chưa bao giờ")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Chi tiết thiết bị Trạm bơm Đông" }));
    const chart = await screen.findByRole("img", { name: /Biểu đồ water_level: 2 điểm, thấp nhất 8 cm, cao nhất 12 cm, mới nhất 12 cm/ });
    expect(chart.querySelector("path")!.getAttribute("d")).toMatch(/^M/);
    expect(screen.getByRole("img", { name: /Biểu đồ battery/ })).toBeTruthy();

    fireEvent.input(screen.getByLabelText("minutes"), { target: { value: "15" } });
    fireEvent.click(screen.getByRole("button", { name: "Gửi lệnh" }));
    expect(await screen.findByText("Đã gửi, chờ thiết bị trả lời")).toBeTruthy();
    expect(JSON.parse(m.calls.find((c) => c.method === "POST")!.body)).toEqual({ name: "pump_on", params: { minutes: 15 } });
    expect(await screen.findByText("Thành công", {}, { timeout: 4000 })).toBeTruthy();
    expect(screen.getByText(/"running": true/)).toBeTruthy();
  });

  it("offers only sensors measuring the field, typed labelled parameters, a history and no command form without commands", async () => {
    location.hash = "#/devices/rules";
    const valve = { id: 2, code: "valve", name: "Van", fields: [{ name: "moisture", label: "Độ ẩm đất", unit: "%" }], commands: [{ name: "open_valve", label: "Mở van", params: { minutes: { type: "integer", label: "Số phút", unit: "phút", min: 1, max: 120 } } }], alarm_rules: [], created_at: AT };
    const rain = { id: 3, code: "rain", name: "Mưa", fields: [{ name: "rain_mm", label: "Lượng mưa", unit: "mm" }], commands: [], alarm_rules: [], created_at: AT };
    const { m, api } = setup({
      "GET /api/v1/devices": () => [device({ id: 1, name: "Van ruộng 1", profile_id: 2 }), device({ id: 2, uid: "rain-01", name: "Đo mưa", profile_id: 3 })],
      "GET /api/v1/device-profiles": () => [valve, rain],
      "GET /api/v1/device-rules": () => [],
      "POST /api/v1/device-rules": (_r, body) => ({ id: 1, state: "ok", ...JSON.parse(body) }),
      "GET /api/v1/devices/2/telemetry": () => [],
      "GET /api/v1/devices/1/telemetry": () => [{ ts: AT, data: { moisture: 14 } }],
      "GET /api/v1/devices/1/commands": () => [
        { id: "c1", device_id: 1, name: "open_valve", params: { minutes: 10 }, status: "succeeded", source: "rule", requested_by: "rule:1", timeout_s: 30, requested_at: AT, responded_at: AT, result: { ok: true } },
      ],
      "GET /api/v1/devices/2/commands": () => [],
    });
    render(<DevicesPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Thêm quy tắc" }));
    const form = screen.getByRole("form", { name: "Thêm quy tắc" });
    await within(form).findAllByRole("option", { name: "Van ruộng 1" });
    fireEvent.change(within(form).getByLabelText("Chỉ số"), { target: { value: "moisture" } });
    const sensors = within(within(form).getByLabelText("Thiết bị cảm biến")).getAllByRole("option").map((o) => o.textContent);
    expect(sensors).toEqual(["Van ruộng 1"]);
    expect(within(form).getByRole("option", { name: "Độ ẩm đất (%)" })).toBeTruthy();
    fireEvent.input(within(form).getByLabelText("Tên quy tắc"), { target: { value: "Khô đất" } });
    fireEvent.input(within(form).getByLabelText("Ngưỡng kích hoạt"), { target: { value: "15" } });
    fireEvent.change(within(form).getByLabelText("Thiết bị nhận lệnh"), { target: { value: "1" } });
    fireEvent.change(within(form).getByLabelText("Lệnh gửi đi"), { target: { value: "open_valve" } });
    fireEvent.input(within(form).getByLabelText("Số phút (phút)"), { target: { value: "10" } });
    fireEvent.click(within(form).getByRole("button", { name: "Lưu" }));
    await waitFor(() => expect(m.calls.some((c) => c.method === "POST")).toBe(true));
    expect(JSON.parse(m.calls.find((c) => c.method === "POST")!.body)).toMatchObject({ sensor_device_id: 1, field: "moisture", command: "open_valve", params: { minutes: 10 } });

    location.hash = "#/devices";
    fireEvent(window, new HashChangeEvent("hashchange"));
    fireEvent.click(await screen.findByRole("button", { name: /Đo mưa/ }));
    expect(await screen.findByText("Hồ sơ của thiết bị này không có lệnh điều khiển.")).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Gửi lệnh điều khiển" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: /Van ruộng 1/ }));
    expect(await screen.findByText("Theo quy tắc")).toBeTruthy();
    expect(screen.getAllByText("Mở van").length).toBeGreaterThan(0);
    expect(await screen.findByText("Độ ẩm đất")).toBeTruthy(); // the chart's title, not "moisture"
  });

  it("creates a threshold rule with duration and hysteresis, and acknowledges an alarm", async () => {
    location.hash = "#/devices/rules";
    const rules: unknown[] = [];
    const { m, api } = setup({
      "GET /api/v1/devices": () => [device()],
      "GET /api/v1/device-profiles": () => [profile],
      "GET /api/v1/device-rules": () => rules,
      "POST /api/v1/device-rules": (_r, body) => {
        const rule = { id: 1, state: "ok", pending_since: null, last_outcome: null, rain_device_id: null, rain_field: null, rain_threshold: null, time_of_day: null, duration_min: null, ...JSON.parse(body) };
        rules.push(rule);
        return rule;
      },
      "GET /api/v1/device-alarms": () => [{ id: 5, device_id: 1, rule_id: 1, severity: "warning", message: "Mực nước thấp", value: 4, state: "active", raised_at: AT, acknowledged_by: null, acknowledged_at: null, cleared_at: null }],
      "POST /api/v1/device-alarms/5/ack": () => ({ id: 5, state: "acknowledged" }),
    });
    render(<DevicesPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Thêm quy tắc" }));
    const form = screen.getByRole("form", { name: "Thêm quy tắc" });
    await within(form).findAllByRole("option", { name: "Trạm bơm Đông" }); // the device list has arrived
    fireEvent.input(within(form).getByLabelText("Tên quy tắc"), { target: { value: "Bơm khi cạn" } });
    fireEvent.change(within(form).getByLabelText("Chỉ số"), { target: { value: "water_level" } });
    fireEvent.input(within(form).getByLabelText("Ngưỡng kích hoạt"), { target: { value: "5" } });
    fireEvent.input(within(form).getByLabelText("Ngưỡng trở lại bình thường"), { target: { value: "10" } });
    fireEvent.input(within(form).getByLabelText("Kéo dài tối thiểu (giây)"), { target: { value: "600" } });
    fireEvent.change(within(form).getByLabelText("Thiết bị nhận lệnh"), { target: { value: "1" } });
    fireEvent.change(within(form).getByLabelText("Lệnh gửi đi"), { target: { value: "pump_on" } });
    // Issue 15: the command's parameter gets its own typed field (saving failed with "missing parameter minutes").
    const minutes = within(form).getByLabelText("minutes") as HTMLInputElement;
    expect(minutes.type).toBe("number");
    fireEvent.input(minutes, { target: { value: "20" } });
    fireEvent.click(within(form).getByRole("button", { name: "Lưu" }));
    expect(await screen.findByText("Trạm bơm Đông: water_level thấp hơn 5 liên tục 600 giây; trở lại bình thường khi qua 10")).toBeTruthy();
    expect(JSON.parse(m.calls.find((c) => c.method === "POST")!.body)).toMatchObject({
      kind: "threshold",
      sensor_device_id: 1,
      field: "water_level",
      op: "below",
      threshold: 5,
      clear_threshold: 10,
      duration_s: 600,
      target_device_id: 1,
      command: "pump_on",
      params: { minutes: 20 },
    });

    location.hash = "#/devices/alarms";
    fireEvent(window, new HashChangeEvent("hashchange"));
    fireEvent.click(await screen.findByRole("button", { name: "Xác nhận cảnh báo: Mực nước thấp" }));
    await waitFor(() => expect(m.calls.some((c) => c.url.pathname.endsWith("/device-alarms/5/ack"))).toBe(true));
  });
});

describe("chart helpers", () => {
  it("scales a series into the box and collects numeric fields", () => {
    expect(linePath([{ x: 0, y: 0 }, { x: 10, y: 10 }], 100, 50)).toBe("M4.0 46.0 L96.0 4.0");
    expect(linePath([])).toBe("");
    const s = seriesOf([{ ts: AT, data: { t: 1, label: "x" } }]);
    expect(s.map((x) => x.field)).toEqual(["t"]);
  });
});
