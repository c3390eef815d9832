import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApi, type Schemas } from "../api/client";
import { setLang } from "../i18n";
import { saveSession, sessionFromToken, sessionKey } from "../lib/session";
import { fakeToken, json, mockFetch, type Handler } from "../test/helpers";
import { ProviderApp } from "./App";
import { communeQuery } from "./CommunesPage";
import { fleetQuery, ratio } from "./FleetPage";
import { place } from "./map/layout";
import mapData from "./map/vietnam-map.json";
import { RunProgress } from "./RunProgress";
import { manifestFormat } from "./RolloutsPage";
import { parseSse } from "./sse";
import { emptyWizard, problems, toRunSpec } from "./wizard";
import provinces from "./provinces.json";

const commune = (slug: string, name: string, status = "active") => ({
  id: `id-${slug}`, slug, commune_code: 19597, province_code: 44, name, province_name: "Quảng Trị", status, plan: "standard",
  template: "base", schema_name: `c_${slug}`, schema_revision: "t0001", suspended_reason: status === "suspended" ? "Bảo trì" : null,
  created_at: "2026-01-05T03:00:00Z", updated_at: "2026-01-05T03:00:00Z",
});
const TEMPLATES = [
  { name: "base", version: 3, title: "Cơ bản", chain: ["base"], modules: ["reports"] },
  { name: "coastal", version: 2, title: "Ven biển", chain: ["base", "coastal"], modules: ["reports", "devices"] },
];
const PLANS = [{ code: "standard", name: "Tiêu chuẩn", base_price_id: "price_A", meters: { cameras: { price: "price_B", event_name: "cams" } } }];
const STEP_NAMES = ["validate", "register", "schema", "template", "identity", "billing", "cameras", "devices", "verify", "activate"];
const run = (status: string, done: number, error: string | null = null): Schemas["RunDetail"] => ({
  id: "run-1", rollout_id: null, commune_code: 19600, slug: "cam-hieu", template: "coastal", status, current_step: STEP_NAMES[done] ?? null,
  error, attempts: 1, created_at: "2026-11-21T01:00:00Z", started_at: "2026-11-21T01:00:00Z",
  finished_at: status === "succeeded" || status === "failed" ? "2026-11-21T01:00:05Z" : null,
  steps: STEP_NAMES.map((name, i) => ({
    name, position: i, attempts: 1, started_at: null, finished_at: null, output: {},
    status: i < done ? "succeeded" : i === done ? (status === "failed" ? "failed" : "running") : "pending",
    duration_ms: i < done ? 12 : null, error: i === done && status === "failed" ? error : null,
  })),
});
const $ = (selector: string) =>
  waitFor(() => {
    const el = document.querySelector(selector);
    if (!el) throw new Error(`no ${selector}`);
    return el as HTMLElement;
  });
const viError = (status: number, code: string, vi: string, en = "error") => () =>
  json({ error: { code, message: vi, message_en: en } }, status);

beforeEach(() => {
  localStorage.clear();
  setLang("vi");
  location.hash = "";
  saveSession(sessionKey("provider", "platform"), sessionFromToken(fakeToken({ preferred_username: "provider-admin" }))!);
});
afterEach(cleanup);

const app = (routes: Record<string, Handler>) => {
  const m = mockFetch(routes);
  render(<ProviderApp baseUrl="http://x" fetch={m.fetch} />);
  return m;
};

describe("communeQuery", () => {
  it("sends only the filters that are set", () => {
    expect(communeQuery({ q: " cam ", province: "44", status: "", template: "" }, 25)).toEqual({
      q: "cam", province_code: 44, status: undefined, template: undefined, limit: 25, offset: 25,
    });
  });
});

describe("communes list", () => {
  it("lists communes, filters by province and template, and suspends one with a reason", async () => {
    const m = app({
      "GET /api/provider/v1/communes": () => ({ items: [commune("cam-lo", "Xã Cam Lộ"), commune("hau-loc", "Xã Hậu Lộc", "suspended")], total: 2, limit: 25, offset: 0 }),
      "GET /api/provider/v1/provisioning/templates": () => TEMPLATES,
      "POST /api/provider/v1/communes/cam-lo/suspend": () => commune("cam-lo", "Xã Cam Lộ", "suspended"),
    });
    expect(await screen.findByText("Xã Cam Lộ")).toBeTruthy();
    expect(screen.getByText("2 xã")).toBeTruthy();
    expect(screen.getAllByText("05/01/2026", { selector: "td" })).toHaveLength(2);
    expect(screen.getByRole("button", { name: "Cho hoạt động lại" })).toBeTruthy();

    fireEvent.change(screen.getByLabelText("Tỉnh/thành phố"), { target: { value: "44" } });
    await waitFor(() => expect(m.calls.some((c) => c.url.searchParams.get("province_code") === "44")).toBe(true));
    await screen.findByRole("option", { name: "Ven biển" });
    fireEvent.change(screen.getByLabelText("Mẫu cấu hình"), { target: { value: "coastal" } });
    await waitFor(() => expect(m.calls.some((c) => c.url.searchParams.get("template") === "coastal")).toBe(true));

    fireEvent.click(screen.getByRole("button", { name: "Tạm dừng" }));
    fireEvent.input(screen.getByLabelText("Lý do tạm dừng"), { target: { value: "Chưa thanh toán" } });
    fireEvent.click(screen.getByRole("button", { name: "Xác nhận tạm dừng" }));
    expect(await screen.findByText("Đã tạm dừng Xã Cam Lộ.")).toBeTruthy();
    const post = m.calls.find((c) => c.method === "POST")!;
    expect(JSON.parse(post.body)).toEqual({ reason: "Chưa thanh toán" });
    expect(post.headers.get("authorization")).toMatch(/^Bearer /);
  });

  it("drops the session on 401 and shows the login form", async () => {
    app({ "GET /api/provider/v1/communes": () => new Response("{}", { status: 401 }) });
    expect(await screen.findByRole("button", { name: "Đăng nhập" })).toBeTruthy();
    expect(localStorage.getItem(sessionKey("provider", "platform"))).toBeNull();
  });
});

describe("onboarding wizard", () => {
  it("checks each step, and builds the run spec", () => {
    const s = emptyWizard();
    expect(problems("commune", s)).toEqual(["provider.wizard.needCommune"]);
    s.commune = { code: 19600, name: "Xã Cam Hiếu", division_type: "xã", province_code: 44, province_name: "Quảng Trị", onboarded: false };
    s.adminPhone = "12";
    expect(problems("admin", s)).toEqual(["provider.wizard.needAdminName", "provider.wizard.badPhone"]);
    s.adminName = " Lê Văn Tám ";
    s.adminPhone = "0912 345 678";
    s.devices = [{ uid: "a b", serial: "1", name: "x", profile: "p", location: "" }];
    expect(problems("review", s)).toEqual(["provider.wizard.badDevice"]);
    s.devices[0].uid = "van-1";
    expect(problems("review", s)).toEqual([]);
    expect(toRunSpec(s)).toMatchObject({
      commune_code: 19600, province_code: 44, slug: null, template: "base",
      admin: { name: "Lê Văn Tám", phone: "0912345678", email: null }, cameras: [], devices: [{ uid: "van-1" }],
    });
  });

  it("walks from the official list to a started run, with errors in Vietnamese", async () => {
    location.hash = "#/onboard";
    let attempts = 0;
    const m = app({
      "GET /api/provider/v1/official-communes": () => [
        { code: 19597, name: "Xã Cam Lộ", division_type: "xã", province_code: 44, province_name: "Quảng Trị", onboarded: true },
        { code: 19600, name: "Xã Cam Hiếu", division_type: "xã", province_code: 44, province_name: "Quảng Trị", onboarded: false },
      ],
      "GET /api/provider/v1/provisioning/templates": () => TEMPLATES,
      "GET /api/provider/v1/billing/plans": () => PLANS,
      "POST /api/provider/v1/provisioning/communes": (_req, body) => {
        attempts += 1;
        if (attempts === 1) return viError(409, "commune_exists", "Xã này đã có trên nền tảng.")();
        return { ...run("pending", 0), spec: JSON.parse(body) };
      },
      "GET /api/provider/v1/provisioning/runs/run-1": () => run("running", 3),
    });
    // Step 1: province first, then pick.
    fireEvent.click(await screen.findByRole("button", { name: "Tiếp tục" }));
    expect(await screen.findByText("Hãy chọn một xã trong danh mục.")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Tỉnh/thành phố"), { target: { value: "44" } });
    expect(await screen.findByText("Đã có trên nền tảng")).toBeTruthy();
    expect(m.calls.find((c) => c.url.pathname.endsWith("/official-communes"))!.url.searchParams.get("province_code")).toBe("44");
    fireEvent.click(screen.getByRole("button", { name: "Chọn Xã Cam Hiếu" }));
    fireEvent.click(screen.getByRole("button", { name: "Tiếp tục" }));
    // Step 2: template and plan from the platform.
    await screen.findByRole("option", { name: "Ven biển" });
    fireEvent.change(screen.getByLabelText("Mẫu cấu hình"), { target: { value: "coastal" } });
    expect(await screen.findByRole("option", { name: "Tiêu chuẩn" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Tiếp tục" }));
    // Step 3: the administrator.
    fireEvent.click(await screen.findByRole("button", { name: "Tiếp tục" }));
    expect(await screen.findByText("Hãy nhập họ và tên người quản trị.")).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Họ và tên người quản trị"), { target: { value: "Lê Văn Tám" } });
    fireEvent.input(screen.getByLabelText("Số điện thoại người quản trị"), { target: { value: "0912345678" } });
    fireEvent.input(screen.getByLabelText("Thư điện tử người quản trị"), { target: { value: "tam@camhieu.gov.vn" } });
    fireEvent.click(screen.getByRole("button", { name: "Tiếp tục" }));
    // Step 4: one camera (bad address first) and one device.
    fireEvent.click(await screen.findByRole("button", { name: "Thêm camera" }));
    fireEvent.input(screen.getByLabelText("Tên camera 1"), { target: { value: "Cổng UBND" } });
    fireEvent.input(screen.getByLabelText("Địa chỉ luồng camera 1 (RTSP hoặc HTTP)"), { target: { value: "ftp://x" } });
    fireEvent.click(screen.getByRole("button", { name: "Tiếp tục" }));
    expect(await screen.findByText(/Mỗi camera cần tên/)).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Địa chỉ luồng camera 1 (RTSP hoặc HTTP)"), { target: { value: "rtsp://10.0.0.5/live" } });
    fireEvent.click(screen.getByRole("button", { name: "Thêm thiết bị" }));
    fireEvent.input(screen.getByLabelText("Mã thiết bị 1"), { target: { value: "muc-nuoc-1" } });
    fireEvent.input(screen.getByLabelText("Số sê-ri thiết bị 1"), { target: { value: "SN-1" } });
    fireEvent.input(screen.getByLabelText("Tên thiết bị 1"), { target: { value: "Trạm mực nước" } });
    fireEvent.input(screen.getByLabelText("Hồ sơ thiết bị 1"), { target: { value: "tram-muc-nuoc" } });
    fireEvent.click(screen.getByRole("button", { name: "Tiếp tục" }));
    // Step 5: review, start; the platform's refusal is shown in Vietnamese, then a retry goes through.
    expect(await screen.findByText("Xã Cam Hiếu · 19600 · Quảng Trị")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Bắt đầu thêm xã" }));
    expect(await screen.findByText("Xã này đã có trên nền tảng.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Bắt đầu thêm xã" }));
    await waitFor(() => expect(location.hash).toBe("#/onboard/runs/run-1"));
    expect(await screen.findByText("Tạo cơ sở dữ liệu")).toBeTruthy();
    expect(screen.getByText("3/10 bước đã xong")).toBeTruthy();
    const body = JSON.parse(m.calls.filter((c) => c.method === "POST").at(-1)!.body);
    expect(body).toEqual({
      commune_code: 19600, province_code: 44, slug: null, template: "coastal", plan: "standard",
      admin: { name: "Lê Văn Tám", phone: "0912345678", email: "tam@camhieu.gov.vn" },
      cameras: [{ name: "Cổng UBND", location: "", stream_url: "rtsp://10.0.0.5/live", username: null, password: null }],
      devices: [{ uid: "muc-nuoc-1", serial: "SN-1", name: "Trạm mực nước", profile: "tram-muc-nuoc", location: "" }],
    });
  });

  it("follows a run until it finishes", async () => {
    const finished = run("succeeded", 10);
    finished.slug = null; // automatic: the register step says which one it got
    finished.steps[1].output = { slug: "cam-hieu", created: true };
    const answers = [run("running", 2), run("running", 7), finished];
    const m = mockFetch({ "GET /api/provider/v1/provisioning/runs/run-1": () => answers.shift() ?? run("succeeded", 10) });
    render(<RunProgress api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} runId="run-1" intervalMs={5} />);
    const link = await screen.findByRole("link", { name: "/t/cam-hieu" });
    expect(link.getAttribute("href")).toBe("/t/cam-hieu/app/admin/");
    expect(document.querySelector("[data-run-status]")!.getAttribute("data-run-status")).toBe("succeeded");
    const polls = m.calls.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(m.calls.length).toBe(polls); // no polling once finished
  });

  it("shows why a run failed and resumes it", async () => {
    const m = mockFetch({
      "GET /api/provider/v1/provisioning/runs/run-1": () => run("failed", 6, "camera probe refused: 10.0.0.5"),
      "POST /api/provider/v1/provisioning/runs/run-1/resume": () => run("running", 6),
    });
    render(<RunProgress api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} runId="run-1" intervalMs={5} />);
    expect(await screen.findByText("Không thêm được xã. Lý do: camera probe refused: 10.0.0.5")).toBeTruthy();
    expect(screen.getByText("Lỗi")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Chạy tiếp từ bước lỗi" }));
    await waitFor(() => expect(m.calls.some((c) => c.method === "POST")).toBe(true));
  });

  it("says in Vietnamese when the run does not exist", async () => {
    const m = mockFetch({ "GET /api/provider/v1/provisioning/runs/nope": viError(404, "run_not_found", "Không tìm thấy tiến trình.") });
    render(<RunProgress api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} runId="nope" intervalMs={5} />);
    expect(await screen.findByText("Không tìm thấy tiến trình.")).toBeTruthy();
  });
});

const progress = (over: Record<string, unknown> = {}) => ({
  rollout_id: "r-1", scope: "province 44", template: "base", requested_by: "provider-admin", created_at: "2026-11-21T01:00:00Z",
  total: 3, finished: 1, done: false, counts: { pending: 1, running: 1, succeeded: 1, failed: 0, cancelled: 0 }, failed: [], rejected: [],
  ...over,
});
const sse = (...events: [string, unknown][]) =>
  new Response(events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join(""), {
    headers: { "content-type": "text/event-stream" },
  });

describe("rollouts", () => {
  it("parses server-sent events split anywhere", () => {
    expect(parseSse("event: progress\ndata: {\"a\":1}\n\nevent: do")).toEqual({
      events: [{ event: "progress", data: "{\"a\":1}" }],
      rest: "event: do",
    });
    expect(parseSse(": keep-alive\n\ndata: x\r\n\r\n").events).toEqual([{ event: "message", data: "x" }]);
    expect(manifestFormat("xa.YML")).toBe("yaml");
    expect(manifestFormat("xa.csv")).toBe("csv");
  });

  it("starts a province rollout and shows live progress per commune with failure reasons", async () => {
    location.hash = "#/rollouts";
    const failed = progress({
      finished: 3, done: true, counts: { pending: 0, running: 0, succeeded: 2, failed: 1, cancelled: 0 },
      failed: [{ commune_code: 19603, run_id: "run-3", error: "ConnectTimeout: camera 10.0.0.9" }],
    });
    const m = app({
      "GET /api/provider/v1/provisioning/templates": () => TEMPLATES,
      "POST /api/provider/v1/provisioning/rollouts": () => ({ rollout_id: "r-1", runs: 3, skipped: [[19597, "already provisioned"]], rejected: [] }),
      "GET /api/provider/v1/provisioning/rollouts/r-1/events": () => sse(["progress", progress()], ["progress", failed], ["done", failed]),
      "GET /api/provider/v1/provisioning/runs": () => ({
        items: [
          { ...run("failed", 6, "ConnectTimeout: camera 10.0.0.9"), id: "run-3", rollout_id: "r-1", commune_code: 19603, slug: "cam-thuy" },
          { ...run("succeeded", 10), id: "run-2", rollout_id: "r-1" },
        ],
        total: 2,
      }),
      "POST /api/provider/v1/provisioning/rollouts/r-1/resume": () => progress(),
    });
    fireEvent.click(await screen.findByRole("button", { name: "Bắt đầu triển khai" }));
    expect(await screen.findByText("Hãy chọn tỉnh/thành phố.")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Tỉnh/thành phố"), { target: { value: "44" } });
    fireEvent.click(screen.getByRole("button", { name: "Bắt đầu triển khai" }));
    await waitFor(() => expect(location.hash).toBe("#/rollouts/r-1"));
    expect(JSON.parse(m.calls.find((c) => c.method === "POST")!.body)).toMatchObject({ province_code: 44, template: "base", all: false });
    expect(await screen.findByText("Đã tạo 3 tiến trình, bỏ qua 1 xã.")).toBeTruthy();
    expect(await screen.findByText("3/3 xã đã xong")).toBeTruthy();
    expect(screen.getByText(/Đã kết thúc/)).toBeTruthy();
    const failures = screen.getByText("Xã bị lỗi và lý do").nextElementSibling as HTMLElement;
    expect(within(failures).getByText(/ConnectTimeout: camera 10\.0\.0\.9/)).toBeTruthy();
    const row = await $('tr[data-commune="19603"]');
    expect(within(row).getByText("Thất bại")).toBeTruthy();
    expect(within(row).getByText("Kết nối camera")).toBeTruthy();
    const events = m.calls.find((c) => c.url.pathname.endsWith("/events"))!;
    expect(events.headers.get("authorization")).toMatch(/^Bearer /);
    expect(m.calls.some((c) => c.url.pathname.endsWith("/runs") && c.url.searchParams.get("rollout_id") === "r-1")).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Chạy lại 1 xã lỗi hoặc đã hủy" }));
    await waitFor(() => expect(m.calls.some((c) => c.url.pathname.endsWith("/resume"))).toBe(true));
  });

  it("lists recent rollouts with links to follow them", async () => {
    location.hash = "#/rollouts";
    app({
      "GET /api/provider/v1/provisioning/templates": () => TEMPLATES,
      "GET /api/provider/v1/fleet/rollouts": () => [
        { id: "r-9", scope: "province 44", template: "base", requested_by: "provider-admin", created_at: "2026-11-21T01:00:00Z", total: 78, finished: 70, failed: 2, rejected: 0 },
      ],
    });
    const link = await screen.findByRole("link", { name: "province 44" });
    expect(link.getAttribute("href")).toBe("#/rollouts/r-9");
    expect(screen.getByText("70/78 xong, 2 lỗi, 0 dòng bị từ chối")).toBeTruthy();
  });

  it("shows the platform's Vietnamese message for an unknown rollout", async () => {
    location.hash = "#/rollouts/khong-co";
    app({
      "GET /api/provider/v1/provisioning/rollouts/khong-co/events": viError(404, "rollout_not_found", "Không tìm thấy đợt triển khai."),
      "GET /api/provider/v1/provisioning/runs": () => ({ items: [], total: 0 }),
    });
    expect(await screen.findByText("Không tìm thấy đợt triển khai.")).toBeTruthy();
  });

  it("asks for confirmation before a rollout to every commune", async () => {
    location.hash = "#/rollouts";
    const m = app({
      "GET /api/provider/v1/provisioning/templates": () => TEMPLATES,
      "POST /api/provider/v1/provisioning/rollouts": viError(422, "empty_rollout", "Không có xã nào trong phạm vi này."),
    });
    fireEvent.click(await screen.findByLabelText("Tất cả các xã trong danh mục"));
    fireEvent.click(screen.getByRole("button", { name: "Bắt đầu triển khai" }));
    expect(await screen.findByText("Hãy xác nhận triển khai cho toàn bộ danh mục.")).toBeTruthy();
    expect(m.calls.some((c) => c.method === "POST")).toBe(false);
    fireEvent.click(screen.getByLabelText(/Tôi xác nhận/));
    fireEvent.click(screen.getByRole("button", { name: "Bắt đầu triển khai" }));
    expect(await screen.findByText("Không có xã nào trong phạm vi này.")).toBeTruthy();
    expect(JSON.parse(m.calls.find((c) => c.method === "POST")!.body)).toMatchObject({ all: true });
  });
});

const health = (slug: string, name: string, over: Record<string, unknown> = {}) => ({
  commune_code: slug === "cam-lo" ? 19597 : 16012, slug, name, province_code: 44, province_name: "Quảng Trị", status: "active",
  template: "base", plan: "standard", cameras_total: 4, cameras_offline: 2, devices_total: 3, devices_offline: 0, reports_open: 5,
  reports_overdue: 1, error: null, computed_at: "2026-11-21T01:00:00Z", billing_status: null, billing_plan: null, unpaid_since: null,
  ...over,
});

describe("fleet health", () => {
  it("builds its query and shows ratios", () => {
    expect(fleetQuery({ q: "", province: "38", only: "problems" }, 0)).toMatchObject({ province_code: 38, only: "problems" });
    expect(ratio(null, null)).toBe("—");
    expect(ratio(2, 4)).toBe("2/4");
  });

  it("lists communes worst first, filters and measures one again", async () => {
    location.hash = "#/fleet";
    const m = app({
      "GET /api/provider/v1/fleet/health": () => ({
        items: [health("cam-lo", "Xã Cam Lộ"), health("hau-loc", "Xã Hậu Lộc", { cameras_total: null, cameras_offline: null, computed_at: null })],
        total: 2, limit: 25, offset: 0, interval_s: 300,
      }),
      "GET /api/provider/v1/fleet/health/totals": () => ({ communes: 2, measured: 1, cameras_offline: 2, devices_offline: 0, reports_overdue: 1, oldest_measurement: null }),
      "POST /api/provider/v1/fleet/health/hau-loc/refresh": viError(404, "commune_not_found", "Không tìm thấy xã."),
      "POST /api/provider/v1/fleet/health/cam-lo/refresh": () => health("cam-lo", "Xã Cam Lộ", { cameras_offline: 0 }),
    });
    const row = await $('tr[data-slug="cam-lo"]');
    expect(within(row).getByText("2/4")).toBeTruthy();
    expect(within(row).getByText("1/5")).toBeTruthy();
    expect(screen.getByText("Chưa đo", { selector: "td" })).toBeTruthy();
    expect(screen.getByText(/đo lại mỗi 5 phút/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Hiển thị"), { target: { value: "problems" } });
    await waitFor(() => expect(m.calls.some((c) => c.url.searchParams.get("only") === "problems")).toBe(true));
    fireEvent.click(screen.getByRole("button", { name: "Đo lại Xã Cam Lộ" }));
    await waitFor(() => expect(within(document.querySelector('tr[data-slug="cam-lo"]') as HTMLElement).getByText("0/4")).toBeTruthy());
    fireEvent.click(screen.getByRole("button", { name: "Đo lại Xã Hậu Lộc" }));
    expect(await screen.findByText("Không tìm thấy xã.")).toBeTruthy();
  });
});

describe("plans and billing", () => {
  it("shows plans, each commune's standing, and subscribes one", async () => {
    location.hash = "#/billing";
    const m = app({
      "GET /api/provider/v1/billing/plans": () => PLANS,
      "GET /api/provider/v1/fleet/health": () => ({
        items: [health("cam-lo", "Xã Cam Lộ", { billing_status: "past_due", billing_plan: "standard", unpaid_since: "2026-11-01T00:00:00Z" }), health("hau-loc", "Xã Hậu Lộc")],
        total: 2, limit: 25, offset: 0, interval_s: 300,
      }),
      "GET /api/provider/v1/billing/communes/hau-loc": viError(404, "billing_account_not_found", "Xã chưa có thuê bao."),
      "POST /api/provider/v1/billing/communes/hau-loc/subscription": () => ({
        commune_code: 16012, plan_code: "standard", stripe_customer_id: "cus_1", stripe_subscription_id: "sub_1", status: "active",
        unpaid_since: null, notice_sent_at: null, suspended_for_billing_at: null,
      }),
    });
    expect(await screen.findByText("Tiêu chuẩn")).toBeTruthy();
    expect(screen.getByText("camera")).toBeTruthy();
    expect(await screen.findByText("Quá hạn thanh toán")).toBeTruthy();
    expect(screen.getByText("01/11/2026")).toBeTruthy();
    expect(screen.getByText("Chưa có thuê bao")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Chi tiết thanh toán của Xã Hậu Lộc" }));
    expect(await screen.findByText("Xã chưa có thuê bao.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Đăng ký gói" }));
    expect(await screen.findByText("Xã Hậu Lộc đã đăng ký gói standard.")).toBeTruthy();
    expect(JSON.parse(m.calls.find((c) => c.method === "POST")!.body)).toEqual({ plan_code: "standard" });
  });
});

describe("map", () => {
  it("has a position for every province and places communes deterministically", () => {
    for (const p of provinces) expect(mapData.provinces[String(p.code) as keyof typeof mapData.provinces], p.name).toBeTruthy();
    const camLo = { commune_code: 19597, slug: "cam-lo", name: "Xã Cam Lộ", province_code: 44, status: "active", problems: 0 };
    expect(place(camLo, mapData)).toMatchObject({ approximate: false });
    const unknown = { ...camLo, commune_code: 99999999 };
    const a = place(unknown, mapData)!;
    expect(a.approximate).toBe(true);
    expect(place(unknown, mapData)).toEqual(a);
    const centre = mapData.provinces["44"];
    expect(Math.hypot(a.x - centre[0], a.y - centre[1])).toBeLessThan(15);
    expect(place({ ...unknown, province_code: 999 }, mapData)).toBeNull();
  });

  it("loads lazily and draws onboarded communes with a legend", async () => {
    location.hash = "#/map";
    app({
      "GET /api/provider/v1/fleet/map": () => [
        { commune_code: 19597, slug: "cam-lo", name: "Xã Cam Lộ", province_code: 44, status: "active", problems: 2 },
        { commune_code: 16012, slug: "hau-loc", name: "Xã Hậu Lộc", province_code: 38, status: "suspended", problems: null },
        { commune_code: 99999999, slug: "moi", name: "Xã Mới", province_code: 44, status: "active", problems: null },
      ],
    });
    expect(await screen.findByRole("img", { name: "Bản đồ Việt Nam với 3 xã đã tham gia nền tảng" }, { timeout: 3000 })).toBeTruthy();
    expect(document.querySelectorAll("circle.pt[data-code]")).toHaveLength(3);
    expect(document.querySelector('circle[data-code="19597"]')!.getAttribute("class")).toContain("problem");
    expect(screen.getByText("Quần đảo Hoàng Sa")).toBeTruthy();
    expect(screen.getByText("Quần đảo Trường Sa")).toBeTruthy();
    expect(screen.getByText("1 xã chưa có tọa độ được đặt quanh tâm tỉnh (vị trí gần đúng).")).toBeTruthy();
    fireEvent.click(document.querySelector('circle[data-code="16012"]')!);
    expect(await screen.findByRole("status")).toBeTruthy();
  });
});
