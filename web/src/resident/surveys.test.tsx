import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setLang } from "../i18n";
import { json, mockFetch } from "../test/helpers";
import SurveysPage from "./SurveysPage";
import { screenProps } from "./test-support";

const q = (id: number, kind: string, prompt: string, config: Record<string, unknown> = {}, required = false) => ({ id, position: id, kind, prompt, required, config });
const SURVEY = {
  id: 5, title: "Ý kiến về chợ phiên", description: "Xin ý kiến bà con", opens_at: "2026-11-01T00:00:00Z", closes_at: "2026-12-01T00:00:00Z",
  status: "open", anonymous: true, whole_commune: true, target_village_ids: [], target_groups: [], created_by: "canbo", created_at: "2026-11-01T00:00:00Z",
  responded: false,
  questions: [
    q(1, "short_text", "Tên thôn", {}, true),
    q(2, "long_text", "Góp ý"),
    q(3, "single_choice", "Bạn đi chợ mấy lần một tuần?", { choices: ["Một lần", "Hai lần", "Hơn hai lần"] }, true),
    q(4, "multiple_choice", "Bạn mua gì?", { choices: ["Rau", "Thịt", "Cá"] }),
    q(5, "rating", "Mức hài lòng", { min: 1, max: 5 }),
    q(6, "number", "Số người trong hộ", { min: 1, max: 30 }),
    q(7, "date", "Ngày bạn rảnh"),
    q(8, "matrix", "Đánh giá", { rows: ["Vệ sinh", "Giá cả"], columns: ["Tốt", "Chưa tốt"] }),
  ],
};

beforeEach(() => setLang("vi"));
afterEach(cleanup);

describe("surveys", () => {
  it("lists the open surveys, with those already answered marked", async () => {
    const m = mockFetch({
      "GET /api/v1/surveys": () => [SURVEY, { ...SURVEY, id: 6, title: "Đã đóng", status: "closed" }, { ...SURVEY, id: 7, title: "Vệ sinh môi trường", responded: true }],
    });
    render(<SurveysPage {...screenProps(m.fetch)} />);
    expect((await screen.findByRole("link", { name: /Ý kiến về chợ phiên/ })).getAttribute("href")).toBe("#/surveys/5");
    expect(screen.queryByText("Đã đóng")).toBeNull();
    expect(screen.getByRole("link", { name: /Vệ sinh môi trường/ }).textContent).toContain("Đã trả lời");
  });

  it("shows what the ends of a rating scale mean", async () => {
    const rated = { ...SURVEY, questions: [q(5, "rating", "Mức hài lòng", { min: 1, max: 5, min_label: "Rất kém", max_label: "Rất tốt" })] };
    const m = mockFetch({ "GET /api/v1/surveys/5": () => rated });
    render(<SurveysPage {...screenProps(m.fetch, ["5"])} />);
    expect(await screen.findByText("1 = Rất kém")).toBeTruthy();
    expect(screen.getByText("5 = Rất tốt")).toBeTruthy();
  });

  it("answers every kind of question in one response", async () => {
    const m = mockFetch({
      "GET /api/v1/surveys/5": () => SURVEY,
      "POST /api/v1/surveys/5/responses": () => json({ id: 1, survey_id: 5, submitted_at: "2026-11-21T00:00:00Z", anonymous: true }, 201),
    });
    render(<SurveysPage {...screenProps(m.fetch, ["5"])} />);
    fireEvent.input(await screen.findByLabelText("Tên thôn (bắt buộc)"), { target: { value: "An Bình" } });
    fireEvent.input(screen.getByLabelText("Góp ý"), { target: { value: "Nên có mái che" } });
    fireEvent.click(screen.getByLabelText("Hai lần"));
    fireEvent.click(screen.getByLabelText("Rau"));
    fireEvent.click(screen.getByLabelText("Cá"));
    fireEvent.click(screen.getByLabelText("4"));
    fireEvent.input(screen.getByLabelText("Số người trong hộ"), { target: { value: "5" } });
    fireEvent.input(screen.getByLabelText("Ngày bạn rảnh"), { target: { value: "2026-11-28" } });
    const hygiene = screen.getByRole("group", { name: "Vệ sinh" });
    fireEvent.click(hygiene.querySelectorAll("input")[0]);
    const price = screen.getByRole("group", { name: "Giá cả" });
    fireEvent.click(price.querySelectorAll("input")[1]);
    fireEvent.click(screen.getByRole("button", { name: "Gửi câu trả lời" }));

    expect(await screen.findByText("Cảm ơn bạn đã trả lời khảo sát này.")).toBeTruthy();
    expect(JSON.parse(m.calls.find((c) => c.method === "POST")!.body)).toEqual({
      answers: { "1": "An Bình", "2": "Nên có mái che", "3": 1, "4": [0, 2], "5": 4, "6": 5, "7": "2026-11-28", "8": { "0": 0, "1": 1 } },
    });
  });

  it("shows the platform's problem next to the question", async () => {
    const m = mockFetch({
      "GET /api/v1/surveys/5": () => SURVEY,
      "POST /api/v1/surveys/5/responses": () =>
        json({ error: { code: "invalid_answers", message: "Câu trả lời chưa hợp lệ.", message_en: "Some answers are invalid.", details: { problems: [{ question_id: 6, problem: "số nằm ngoài khoảng cho phép / number out of range" }] } } }, 422),
    });
    render(<SurveysPage {...screenProps(m.fetch, ["5"])} />);
    fireEvent.input(await screen.findByLabelText("Tên thôn (bắt buộc)"), { target: { value: "An Bình" } });
    fireEvent.click(screen.getByLabelText("Một lần"));
    fireEvent.click(screen.getByRole("button", { name: "Gửi câu trả lời" }));
    expect(await screen.findByText("số nằm ngoài khoảng cho phép")).toBeTruthy();
    expect(screen.getByText("Câu trả lời chưa hợp lệ.")).toBeTruthy();
  });

  it("does not offer the form again once answered", async () => {
    const m = mockFetch({ "GET /api/v1/surveys/5": () => ({ ...SURVEY, responded: true }) });
    render(<SurveysPage {...screenProps(m.fetch, ["5"])} />);
    expect(await screen.findByText("Cảm ơn bạn đã trả lời khảo sát này.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("button", { name: "Gửi câu trả lời" })).toBeNull());
  });
});
