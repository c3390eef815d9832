import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApi } from "../../api/client";
import { setLang } from "../../i18n";
import { json, mockFetch, type Handler } from "../../test/helpers";
import { ProceduresPage } from "./ProceduresPage";
import { ReportsPage } from "./ReportsPage";
import { slaState } from "./reportShared";
import { SurveysPage } from "./SurveysPage";
import { QUESTION_KINDS } from "./SurveyBuilder";

const apiWith = (routes: Record<string, Handler>) => {
  const m = mockFetch(routes);
  return { m, api: makeApi({ baseUrl: "http://localhost/t/cam-lo", fetch: m.fetch, token: () => "tok" }) };
};
const problem = (status: number, code: string, message: string) => json({ error: { code, message, message_en: code } }, status);
const lastBody = (m: ReturnType<typeof mockFetch>, method: string, path: string) =>
  JSON.parse(m.calls.filter((c) => c.method === method && c.url.pathname.endsWith(path)).pop()!.body);
const HOUR = 3600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

beforeEach(() => {
  setLang("vi");
  location.hash = "";
});
afterEach(cleanup);

const report = (over: Record<string, unknown> = {}) => ({
  id: 11,
  token: "tk",
  category_id: 1,
  status: "new",
  description: "Ổ gà lớn trước nhà văn hóa",
  redacted_description: null,
  source: "app",
  anonymous: false,
  reporter_name: "Bà Hoa",
  lat: 16.8,
  lng: 107.0,
  address_code: null,
  address: "Thôn An Bình",
  assignee: null,
  duplicate_of: null,
  hidden: false,
  sla_due_at: iso(48 * HOUR),
  overdue: false,
  escalated_at: null,
  resolved_at: null,
  closed_at: null,
  rating: null,
  rating_comment: null,
  created_at: iso(-HOUR),
  updated_at: iso(-HOUR),
  photos: [],
  ...over,
});
const CATEGORIES = [{ id: 1, code: "duong", name: "Đường sá", description: "", sla_hours: 48, responsible_role: "commune_official", group_name: "", active: true }];

describe("field-report board", () => {
  it("groups reports by status, overdue first and marked, and draws the map on demand", async () => {
    const { api } = apiWith({
      "GET /api/v1/report-categories": () => CATEGORIES,
      "GET /api/v1/triage/reports": () => [
        report(),
        report({ id: 12, sla_due_at: iso(-2 * HOUR), overdue: true, lat: 16.9, lng: 107.1 }),
        report({ id: 13, status: "in_progress", lat: null, lng: null }),
        report({ id: 14, status: "rejected" }),
      ],
    });
    render(<ReportsPage api={api} />);
    const column = await screen.findByRole("region", { name: "Mới" });
    const cards = within(column).getAllByRole("link");
    expect(cards.map((c) => c.getAttribute("href"))).toEqual(["#/reports/12", "#/reports/11"]);
    expect(cards[0].className).toContain("overdue");
    expect(within(cards[0]).getByText("Quá hạn")).toBeTruthy();
    expect(within(screen.getByRole("region", { name: "Đang xử lý" })).getAllByRole("link")).toHaveLength(1);
    expect(within(screen.getByRole("region", { name: "Đã đóng, từ chối, trùng" })).getByText("Từ chối")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Bản đồ" }));
    const map = await screen.findByRole("img", { name: "Bản đồ vị trí 3 phản ánh" });
    expect(map.querySelectorAll("circle")).toHaveLength(3);
    expect(map.querySelectorAll("circle.overdue")).toHaveLength(1);
  });

  it("accepts then resolves a report, keeps internal notes apart from replies, and shows refusals", async () => {
    location.hash = "#/reports/11";
    let current = report({ events: [] }) as Record<string, unknown>;
    const events: unknown[] = [];
    const { m, api } = apiWith({
      "GET /api/v1/report-categories": () => CATEGORIES,
      "GET /api/v1/users": () => [],
      "GET /api/v1/triage/reports/11": () => ({ ...current, events }),
      "POST /api/v1/triage/reports/11/transition": (_r, b) => {
        const { to, note } = JSON.parse(b);
        if (to === "rejected" && !note) return problem(422, "note_required", "Cần nêu lý do từ chối.");
        events.push({ id: events.length + 1, kind: "status", from_status: current.status, to_status: to, body: note, internal: false, actor: "cam-lo.admin", created_at: iso(0) });
        current = { ...current, status: to };
        return current;
      },
      "POST /api/v1/triage/reports/11/notes": (_r, b) => {
        events.push({ id: 99, kind: "comment", from_status: null, to_status: null, body: JSON.parse(b).body, internal: true, actor: "cam-lo.admin", created_at: iso(0) });
        return json(events[events.length - 1], 201);
      },
    });
    render(<ReportsPage api={api} />);
    expect(await screen.findByRole("heading", { name: "Phản ánh #11: Đường sá" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Từ chối" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Cần nêu lý do từ chối.");

    fireEvent.click(screen.getByRole("button", { name: "Tiếp nhận" }));
    expect(await screen.findByText("Đã chuyển sang “Đã tiếp nhận”.")).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Ghi chú gửi người dân"), { target: { value: "Đã vá xong." } });
    fireEvent.click(await screen.findByRole("button", { name: "Đánh dấu đã giải quyết" }));
    expect(await screen.findByText("Đã chuyển sang “Đã giải quyết”.")).toBeTruthy();
    expect(lastBody(m, "POST", "/transition")).toEqual({ to: "resolved", note: "Đã vá xong.", duplicate_of: null });

    fireEvent.input(screen.getByLabelText("Nội dung trao đổi"), { target: { value: "Gọi đội công trình" } });
    fireEvent.click(screen.getByRole("button", { name: "Lưu ghi chú nội bộ" }));
    expect(await screen.findByText("Đã lưu ghi chú nội bộ (người dân không thấy).")).toBeTruthy();
    const note = (await screen.findByText("Gọi đội công trình")).closest("li")!;
    expect(note.className).toContain("internal");
    expect(within(note).getByText(/Ghi chú nội bộ/)).toBeTruthy();
    expect(m.calls.some((c) => c.url.pathname.endsWith("/replies"))).toBe(false);
  });

  it("names the reporter and assigns a report to an official picked from the commune's staff", async () => {
    location.hash = "#/reports/11";
    let current = report({ reporter_name: null, reporter_display: "Lê Thị Hoa", reporter_phone: "+84912345678", events: [] }) as Record<string, unknown>;
    const { m, api } = apiWith({
      "GET /api/v1/report-categories": () => CATEGORIES,
      "GET /api/v1/triage/staff": () => [
        { id: "u-1", display_name: "Nguyễn Văn Cán", username: "cam-lo.canbo" },
        { id: "u-2", display_name: "Trần Thị Thôn", username: "cam-lo.truongthon" },
      ],
      "GET /api/v1/triage/reports/11": () => current,
      "POST /api/v1/triage/reports/11/assign": (_r, b) => {
        current = { ...current, assignee: JSON.parse(b).assignee, assignee_name: "Nguyễn Văn Cán" };
        return current;
      },
    });
    render(<ReportsPage api={api} />);
    expect(await screen.findByText("Lê Thị Hoa")).toBeTruthy();
    expect(screen.getByText("0912 345 678")).toBeTruthy();
    expect(screen.getByText("Chưa giao")).toBeTruthy();
    const picker = (await screen.findByLabelText("Người phụ trách")) as HTMLSelectElement;
    await waitFor(() => expect(within(picker).getByText("Nguyễn Văn Cán (cam-lo.canbo)")).toBeTruthy());
    fireEvent.change(picker, { target: { value: "u-1" } });
    fireEvent.click(screen.getByRole("button", { name: "Giao phản ánh" }));
    expect(await screen.findByText("Đã giao cho Nguyễn Văn Cán.")).toBeTruthy();
    expect(lastBody(m, "POST", "/assign")).toEqual({ assignee: "u-1" });
    await waitFor(() => expect(screen.getAllByText("Nguyễn Văn Cán").length).toBeGreaterThan(0));
  });

  it("knows overdue, due soon and on time", () => {
    const now = Date.now();
    expect(slaState({ status: "new", overdue: false, sla_due_at: iso(-HOUR) }, now)).toBe("overdue");
    expect(slaState({ status: "accepted", overdue: false, sla_due_at: iso(3 * HOUR) }, now)).toBe("due_soon");
    expect(slaState({ status: "accepted", overdue: false, sla_due_at: iso(72 * HOUR) }, now)).toBe("on_time");
    expect(slaState({ status: "resolved", overdue: true, sla_due_at: iso(-HOUR) }, now)).toBe("done");
  });
});

const survey = (over: Record<string, unknown> = {}) => ({
  id: 5,
  title: "Hài lòng dịch vụ",
  description: "",
  opens_at: iso(-HOUR),
  closes_at: iso(48 * HOUR),
  status: "open",
  anonymous: false,
  whole_commune: true,
  target_village_ids: [],
  target_groups: [],
  created_by: "cam-lo.admin",
  created_at: iso(-HOUR),
  questions: [{ id: 1, position: 0, kind: "single_choice", prompt: "Bạn có hài lòng?", required: true, config: { choices: ["Có", "Không"] } }],
  responses: 3,
  ...over,
});

describe("surveys", () => {
  it("builds a survey with a matrix and a rating question and publishes it", async () => {
    const { m, api } = apiWith({
      "GET /api/v1/surveys": () => [],
      "GET /api/v1/villages": () => [],
      "POST /api/v1/surveys": (_r, b) => json(survey({ title: JSON.parse(b).title }), 201),
    });
    render(<SurveysPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Tạo khảo sát" }));
    expect((screen.getByLabelText("Loại câu hỏi") as HTMLSelectElement).options).toHaveLength(QUESTION_KINDS.length);
    fireEvent.input(screen.getByLabelText("Tên khảo sát"), { target: { value: "Nước sạch" } });
    fireEvent.input(screen.getByLabelText("Đóng lúc"), { target: { value: "2026-12-31T17:00" } });
    fireEvent.input(screen.getByLabelText("Nội dung câu hỏi"), { target: { value: "Nguồn nước?" } });
    fireEvent.input(screen.getByLabelText("Các lựa chọn"), { target: { value: "Giếng\nMáy\n" } });
    fireEvent.click(screen.getByRole("button", { name: "Thêm câu hỏi" }));
    const q2 = screen.getByRole("group", { name: "Câu 2" });
    fireEvent.change(within(q2).getByLabelText("Loại câu hỏi"), { target: { value: "matrix" } });
    fireEvent.input(within(q2).getByLabelText("Nội dung câu hỏi"), { target: { value: "Chất lượng" } });
    fireEvent.input(within(q2).getByLabelText("Các hàng"), { target: { value: "Mùa khô\nMùa mưa" } });
    fireEvent.input(within(q2).getByLabelText("Các cột"), { target: { value: "Tốt\nKém" } });
    fireEvent.click(screen.getByRole("button", { name: "Thêm câu hỏi" }));
    const q3 = screen.getByRole("group", { name: "Câu 3" });
    fireEvent.change(within(q3).getByLabelText("Loại câu hỏi"), { target: { value: "rating" } });
    fireEvent.input(within(q3).getByLabelText("Nội dung câu hỏi"), { target: { value: "Chấm điểm" } });
    fireEvent.click(screen.getByRole("button", { name: "Đưa câu 3 lên" }));
    fireEvent.click(screen.getByRole("button", { name: "Phát hành khảo sát" }));
    expect(await screen.findByText("Đã phát hành khảo sát “Nước sạch”.")).toBeTruthy();
    const sent = lastBody(m, "POST", "/surveys");
    expect(sent.closes_at).toBe("2026-12-31T17:00:00+07:00");
    expect(sent.questions).toEqual([
      { kind: "single_choice", prompt: "Nguồn nước?", required: false, choices: ["Giếng", "Máy"] },
      { kind: "rating", prompt: "Chấm điểm", required: false, scale_min: 1, scale_max: 5, scale_min_label: null, scale_max_label: null },
      { kind: "matrix", prompt: "Chất lượng", required: false, rows: ["Mùa khô", "Mùa mưa"], columns: ["Tốt", "Kém"] },
    ]);
  });

  it("shows the platform's validation error", async () => {
    const { api } = apiWith({
      "GET /api/v1/surveys": () => [],
      "GET /api/v1/villages": () => [],
      "POST /api/v1/surveys": () => problem(422, "invalid_dates", "Thời điểm đóng phải sau thời điểm mở."),
    });
    render(<SurveysPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Tạo khảo sát" }));
    fireEvent.input(screen.getByLabelText("Tên khảo sát"), { target: { value: "X" } });
    fireEvent.input(screen.getByLabelText("Đóng lúc"), { target: { value: "2020-01-01T00:00" } });
    fireEvent.input(screen.getByLabelText("Nội dung câu hỏi"), { target: { value: "Y" } });
    fireEvent.input(screen.getByLabelText("Các lựa chọn"), { target: { value: "A\nB" } });
    fireEvent.click(screen.getByRole("button", { name: "Phát hành khảo sát" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Thời điểm đóng phải sau thời điểm mở.");
  });

  it("charts the results and downloads the CSV", async () => {
    location.hash = "#/surveys/5";
    const { m, api } = apiWith({
      "GET /api/v1/surveys/5": () => survey(),
      "GET /api/v1/surveys/5/results": () => ({
        survey_id: 5,
        responses: 3,
        questions: [
          { question_id: 1, position: 1, kind: "single_choice", prompt: "Bạn có hài lòng?", answered: 3, options: [{ label: "Có", count: 2, percent: 66.7 }, { label: "Không", count: 1, percent: 33.3 }] },
          { question_id: 2, position: 2, kind: "short_text", prompt: "Góp ý?", answered: 1, samples: ["Thêm đèn đường"] },
        ],
      }),
      "GET /api/v1/surveys/5/results.csv": () => new Response("a,b\n1,2\n", { headers: { "content-type": "text/csv" } }),
    });
    URL.createObjectURL = () => "blob:csv";
    URL.revokeObjectURL = () => undefined;
    render(<SurveysPage api={api} />);
    expect(await screen.findByText("2 (67%)")).toBeTruthy();
    expect(screen.getByText("Thêm đèn đường")).toBeTruthy();
    // Positions are 1-based in the API: the first question is "1.", not "2." (bug: `position + 1`).
    expect(screen.getByRole("heading", { name: "1. Bạn có hài lòng?" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "2. Góp ý?" })).toBeTruthy();
    const bar = screen.getByRole("list", { name: "Bạn có hài lòng?" }).querySelector(".bar-fill") as HTMLElement;
    expect(bar.style.width).toBe("66.7%");
    fireEvent.click(screen.getByRole("button", { name: "Tải kết quả (CSV)" }));
    await waitFor(() => expect(m.calls.some((c) => c.url.pathname.endsWith("/results.csv"))).toBe(true));
  });
});

const application = (over: Record<string, unknown> = {}) => ({
  id: 21,
  procedure_id: 2,
  applicant_name: "Trần Văn Nam",
  applicant_phone: "0912000002",
  details: "Xin xác nhận cư trú",
  status: "received",
  due_date: "2026-11-25",
  overdue: false,
  submitted_at: iso(-HOUR),
  decided_at: null,
  ready_at: null,
  updated_at: iso(-HOUR),
  ...over,
});
const PROCEDURES = [
  { id: 2, code: "XNCT", name: "Xác nhận cư trú", field: "Hộ tịch", required_documents: [], fee_vnd: 0, fee_note: "", processing_days: 3, legal_basis: "", mode: "online", active: true },
];

describe("procedures and applications", () => {
  it("lists the queue overdue first and moves an application on, with its history", async () => {
    const { api } = apiWith({
      "GET /api/v1/procedures": () => PROCEDURES,
      "GET /api/v1/one-stop/applications": () => [application(), application({ id: 22, overdue: true, due_date: "2026-11-20" })],
    });
    render(<ProceduresPage api={api} />);
    const links = await screen.findAllByRole("link", { name: /Hồ sơ #/ });
    expect(links.map((l) => l.textContent)).toEqual(["Hồ sơ #22: Xác nhận cư trú", "Hồ sơ #21: Xác nhận cư trú"]);
    expect(screen.getByText("Quá hạn")).toBeTruthy();
  });

  it("asks for a note before needs-info and shows the history", async () => {
    location.hash = "#/procedures/applications/21";
    let status = "processing";
    const history = [{ id: 1, from_status: "received", to_status: "processing", note: "", actor: "cam-lo.canbo", created_at: iso(-HOUR) }];
    const { m, api } = apiWith({
      "GET /api/v1/procedures": () => PROCEDURES,
      "GET /api/v1/one-stop/applications/21": () => ({ ...application({ status }), attachments: [], history }),
      "POST /api/v1/one-stop/applications/21/transition": (_r, b) => {
        const { to, note } = JSON.parse(b);
        if (to === "needs_info" && !note) return problem(422, "note_required", "Cần ghi rõ giấy tờ cần bổ sung.");
        history.push({ id: 2, from_status: status, to_status: to, note, actor: "cam-lo.canbo", created_at: iso(0) });
        status = to;
        return application({ status });
      },
    });
    render(<ProceduresPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Yêu cầu bổ sung" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Cần ghi rõ giấy tờ cần bổ sung.");
    fireEvent.input(screen.getByLabelText("Ghi chú gửi người nộp"), { target: { value: "Thiếu bản sao CCCD" } });
    fireEvent.click(screen.getByRole("button", { name: "Yêu cầu bổ sung" }));
    expect(await screen.findByText("Đã chuyển hồ sơ sang “Cần bổ sung hồ sơ”.")).toBeTruthy();
    expect(await screen.findByText("Thiếu bản sao CCCD")).toBeTruthy();
    expect(lastBody(m, "POST", "/transition")).toEqual({ to: "needs_info", note: "Thiếu bản sao CCCD" });
  });

  it("closes an application ready for pickup as delivered", async () => {
    location.hash = "#/procedures/applications/21";
    let status = "ready_for_pickup";
    const { m, api } = apiWith({
      "GET /api/v1/procedures": () => PROCEDURES,
      "GET /api/v1/one-stop/applications/21": () => ({ ...application({ status }), attachments: [], history: [] }),
      "POST /api/v1/one-stop/applications/21/transition": (_r, b) => {
        status = JSON.parse(b).to;
        return application({ status });
      },
    });
    render(<ProceduresPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Đã trao kết quả" }));
    expect(await screen.findByText("Đã chuyển hồ sơ sang “Đã trả kết quả”.")).toBeTruthy();
    expect(lastBody(m, "POST", "/transition").to).toBe("delivered");
  });

  it("adds a procedure to the catalogue", async () => {
    location.hash = "#/procedures/catalogue";
    const { m, api } = apiWith({
      "GET /api/v1/procedures": () => PROCEDURES,
      "GET /api/v1/one-stop/applications": () => [],
      "POST /api/v1/procedures": (_r, b) => json({ ...PROCEDURES[0], ...JSON.parse(b), id: 3 }, 201),
    });
    render(<ProceduresPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Thêm thủ tục" }));
    fireEvent.input(screen.getByLabelText("Mã thủ tục"), { target: { value: "DKKS" } });
    fireEvent.input(screen.getByLabelText("Tên thủ tục"), { target: { value: "Đăng ký khai sinh" } });
    fireEvent.input(screen.getByLabelText("Lĩnh vực"), { target: { value: "Hộ tịch" } });
    fireEvent.input(screen.getByLabelText("Giấy tờ cần nộp"), { target: { value: "Giấy chứng sinh\nCCCD của cha mẹ" } });
    fireEvent.click(screen.getByRole("button", { name: "Lưu" }));
    expect(await screen.findByText("Đã lưu.")).toBeTruthy();
    expect(lastBody(m, "POST", "/procedures")).toMatchObject({ code: "DKKS", required_documents: ["Giấy chứng sinh", "CCCD của cha mẹ"], processing_days: 5 });
  });
});
