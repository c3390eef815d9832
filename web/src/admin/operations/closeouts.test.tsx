import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeApi } from "../../api/client";
import { setLang } from "../../i18n";
import { json, mockFetch, type Handler } from "../../test/helpers";
import { DevicesPage } from "./DevicesPage";
import { OperationsPage } from "./OperationsPage";

const AT = "2026-03-01T03:00:00Z";
const device = { id: 1, uid: "pump-01", serial: "S1", name: "Trạm bơm Đông", profile_id: 1, location: "", mqtt_username: "u", last_seen_at: AT, online: true, created_at: AT };
const profile = { id: 1, code: "pump", name: "Bơm", fields: [{ name: "water_level", unit: "cm" }], commands: [], alarm_rules: [], created_at: AT };
const rule = (over: Record<string, unknown> = {}) => ({
  id: 4,
  name: "Bơm khi cạn",
  kind: "threshold",
  enabled: true,
  sensor_device_id: 1,
  field: "water_level",
  op: "below",
  threshold: 5,
  clear_threshold: 10,
  duration_s: 600,
  target_device_id: null,
  command: null,
  params: {},
  notify: true,
  time_of_day: null,
  duration_min: null,
  rain_device_id: null,
  rain_field: null,
  rain_threshold: null,
  rain_window_h: 24,
  state: "ok",
  pending_since: null,
  last_outcome: null,
  ...over,
});
const overview = { at: AT, cameras: { online: 0 }, recent_events: [], devices: { total: 0, online: 0, offline: 0, active_alarms: 0 }, alarms: [], reports: { open: 0, by_sla: {}, by_status: {} } };
const sse = () => new Response(`event: overview\ndata: ${JSON.stringify(overview)}\n\n`, { headers: { "content-type": "text/event-stream" } });

function setup(routes: Record<string, Handler>) {
  const m = mockFetch(routes);
  return { m, api: makeApi({ baseUrl: "http://localhost/t/cam-lo", fetch: m.fetch, token: () => "tok" }) };
}
const bodyOf = (m: ReturnType<typeof mockFetch>, method: string, path: string) =>
  JSON.parse(m.calls.filter((c) => c.method === method && c.url.pathname.endsWith(path)).pop()!.body);

beforeEach(() => {
  setLang("vi");
  location.hash = "";
  URL.createObjectURL = vi.fn(() => "blob:x");
  URL.revokeObjectURL = vi.fn();
});
afterEach(cleanup);

describe("device rules", () => {
  it("edits a rule's thresholds, switches it off, and deletes it after confirming", async () => {
    location.hash = "#/devices/rules";
    let rules = [rule()];
    const { m, api } = setup({
      "GET /api/v1/devices": () => [device],
      "GET /api/v1/device-profiles": () => [profile],
      "GET /api/v1/device-rules": () => rules,
      "GET /api/v1/device-alarms": () => [],
      "PATCH /api/v1/device-rules/4": (_r, b) => {
        rules = [rule({ ...rules[0], ...JSON.parse(b) })];
        return rules[0];
      },
      "DELETE /api/v1/device-rules/4": () => {
        rules = [];
        return new Response(null, { status: 204 });
      },
    });
    render(<DevicesPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Sửa quy tắc Bơm khi cạn" }));
    const form = screen.getByRole("form", { name: "Sửa quy tắc Bơm khi cạn" });
    expect((within(form).getByLabelText("Ngưỡng kích hoạt") as HTMLInputElement).value).toBe("5");
    expect((within(form).getByLabelText("Loại quy tắc") as HTMLSelectElement).disabled).toBe(true);
    fireEvent.input(within(form).getByLabelText("Ngưỡng kích hoạt"), { target: { value: "8" } });
    fireEvent.input(within(form).getByLabelText("Ngưỡng trở lại bình thường"), { target: { value: "15" } });
    fireEvent.input(within(form).getByLabelText("Kéo dài tối thiểu (giây)"), { target: { value: "120" } });
    fireEvent.click(within(form).getByRole("button", { name: "Lưu" }));
    expect(await screen.findByText("Trạm bơm Đông: water_level thấp hơn 8 liên tục 120 giây; trở lại bình thường khi qua 15")).toBeTruthy();
    const patch = bodyOf(m, "PATCH", "/device-rules/4");
    expect(patch).toMatchObject({ threshold: 8, clear_threshold: 15, duration_s: 120, sensor_device_id: 1, field: "water_level" });
    expect(patch).not.toHaveProperty("kind");

    fireEvent.click(screen.getByRole("button", { name: "Tắt quy tắc Bơm khi cạn" }));
    await waitFor(() => expect(m.calls.filter((c) => c.method === "PATCH")).toHaveLength(2));
    expect(bodyOf(m, "PATCH", "/device-rules/4")).toEqual({ enabled: false });
    expect(await screen.findByRole("button", { name: "Bật quy tắc Bơm khi cạn" })).toBeTruthy();
    expect(screen.getByText("Đang tắt")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Xóa quy tắc Bơm khi cạn" }));
    expect(m.calls.some((c) => c.method === "DELETE")).toBe(false); // asks first
    fireEvent.click(screen.getByRole("button", { name: "Xác nhận xóa quy tắc Bơm khi cạn" }));
    expect(await screen.findByText("Chưa có quy tắc nào.")).toBeTruthy();
    expect(m.calls.find((c) => c.method === "DELETE")!.url.pathname).toMatch(/\/device-rules\/4$/);
  });

  it("shows the platform's refusal of an edit and keeps the form open", async () => {
    location.hash = "#/devices/rules";
    const { api } = setup({
      "GET /api/v1/devices": () => [device],
      "GET /api/v1/device-profiles": () => [profile],
      "GET /api/v1/device-rules": () => [rule()],
      "GET /api/v1/device-alarms": () => [],
      "PATCH /api/v1/device-rules/4": () => json({ error: { code: "invalid_rule", message: "Quy tắc chưa hợp lệ.", message_en: "The rule is invalid." } }, 422),
    });
    render(<DevicesPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Sửa quy tắc Bơm khi cạn" }));
    const form = screen.getByRole("form", { name: "Sửa quy tắc Bơm khi cạn" });
    fireEvent.input(within(form).getByLabelText("Ngưỡng trở lại bình thường"), { target: { value: "1" } });
    fireEvent.click(within(form).getByRole("button", { name: "Lưu" }));
    expect(await within(form).findByText("Quy tắc chưa hợp lệ.")).toBeTruthy();
  });
});

describe("ONVIF discovery", () => {
  const found = { endpoint: "urn:uuid:cam-1", xaddrs: ["http://10.0.0.21/onvif/device_service"], name: "Cong-cho", hardware: "DS-2CD1023", source: "10.0.0.21", camera_id: null };
  const known = { ...found, endpoint: "urn:uuid:cam-2", name: "Da-co", source: "10.0.0.22", camera_id: 1 };

  it("discovers cameras on the site network and registers one prefilled, remembering its service URL", async () => {
    const { m, api } = setup({
      "GET /api/v1/operations/overview": () => overview,
      "GET /api/v1/operations/stream": sse,
      "GET /api/v1/cameras": () => [],
      "POST /api/v1/cameras/onvif/discover": () => ({ found: [found, known], refused: 2 }),
      "POST /api/v1/cameras": (_r, b) => json({ id: 9, ...JSON.parse(b) }, 201),
      "POST /api/v1/cameras/9/onvif/device-information": () => ({ id: 9, name: "Cổng chợ", manufacturer: "Hikvision" }),
    });
    render(<OperationsPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Dò tìm camera ONVIF" }));
    const panel = screen.getByRole("region", { name: "Dò tìm camera ONVIF trong mạng nội bộ" });
    fireEvent.click(within(panel).getByRole("button", { name: "Dò tìm" }));
    expect(await within(panel).findByText("Cong-cho")).toBeTruthy();
    expect(within(panel).getByText("2 phản hồi nằm ngoài mạng nội bộ của xã nên đã bị bỏ qua.")).toBeTruthy();
    expect(within(panel).getByText("Đã đăng ký")).toBeTruthy();
    expect(within(panel).queryByRole("button", { name: "Đăng ký camera Da-co" })).toBeNull();
    expect(bodyOf(m, "POST", "/onvif/discover")).toMatchObject({ address: null });

    fireEvent.click(within(panel).getByRole("button", { name: "Đăng ký camera Cong-cho" }));
    const form = within(panel).getByRole("form", { name: "Đăng ký camera Cong-cho" });
    expect((within(form).getByLabelText("Tên camera") as HTMLInputElement).value).toBe("Cong-cho");
    const url = within(form).getByLabelText("Địa chỉ luồng video (RTSP/HTTP)") as HTMLInputElement;
    expect(url.value).toBe("rtsp://10.0.0.21:554/");
    fireEvent.input(within(form).getByLabelText("Tên camera"), { target: { value: "Cổng chợ" } });
    fireEvent.input(url, { target: { value: "rtsp://10.0.0.21:554/Streaming/Channels/101" } });
    fireEvent.input(within(form).getByLabelText("Tên đăng nhập camera"), { target: { value: "admin" } });
    fireEvent.input(within(form).getByLabelText("Mật khẩu camera"), { target: { value: "s3cret" } });
    fireEvent.click(within(form).getByRole("button", { name: "Đăng ký" }));
    expect(await within(panel).findByText("Đã đăng ký camera Cổng chợ.")).toBeTruthy();
    expect(bodyOf(m, "POST", "/api/v1/cameras")).toMatchObject({ name: "Cổng chợ", stream_url: "rtsp://10.0.0.21:554/Streaming/Channels/101", username: "admin", password: "s3cret" });
    expect(bodyOf(m, "POST", "/cameras/9/onvif/device-information")).toEqual({ xaddr: "http://10.0.0.21/onvif/device_service" });
    expect(within(panel).getAllByText("Đã đăng ký")).toHaveLength(2);
  });

  it("explains a refusal (no site network declared)", async () => {
    const { api } = setup({
      "GET /api/v1/operations/overview": () => overview,
      "GET /api/v1/operations/stream": sse,
      "GET /api/v1/cameras": () => [],
      "POST /api/v1/cameras/onvif/discover": () =>
        json({ error: { code: "no_site_network", message: "Hãy khai báo mạng nội bộ của xã trước khi dò tìm.", message_en: "x" } }, 422),
    });
    render(<OperationsPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Dò tìm camera ONVIF" }));
    fireEvent.input(screen.getByLabelText("Địa chỉ IP của camera (không bắt buộc)"), { target: { value: "10.0.0.21" } });
    fireEvent.click(screen.getByRole("button", { name: "Dò tìm" }));
    expect(await screen.findByText("Hãy khai báo mạng nội bộ của xã trước khi dò tìm.")).toBeTruthy();
  });
});
