import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApi } from "../../api/client";
import { setLang } from "../../i18n";
import { json, mockFetch, type Handler } from "../../test/helpers";
import { SurveysPage } from "./SurveysPage";

const apiWith = (routes: Record<string, Handler>) => {
  const m = mockFetch(routes);
  return { m, api: makeApi({ baseUrl: "http://localhost/t/cam-lo", fetch: m.fetch, token: () => "tok" }) };
};
const HOUR = 3600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
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
  questions: [{ id: 1, position: 0, kind: "rating", prompt: "Mức hài lòng?", required: true, config: { scale_min: 1, scale_max: 5 } }],
  responses: 3,
  ...over,
});

beforeEach(() => {
  setLang("vi");
  location.hash = "";
});
afterEach(cleanup);

describe("closing a survey", () => {
  it("closes an open survey from the list after confirming; closed ones offer no close button", async () => {
    let current = survey();
    const { m, api } = apiWith({
      "GET /api/v1/surveys": () => [current, survey({ id: 6, title: "Đã xong", status: "closed" })],
      "GET /api/v1/villages": () => [],
      "POST /api/v1/surveys/5/close": () => {
        current = survey({ status: "closed", closes_at: iso(0) });
        return current;
      },
    });
    render(<SurveysPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Đóng khảo sát: Hài lòng dịch vụ" }));
    expect(screen.queryByRole("button", { name: "Đóng khảo sát: Đã xong" })).toBeNull();
    expect(m.calls.some((c) => c.method === "POST")).toBe(false); // asks first
    fireEvent.click(screen.getByRole("button", { name: "Xác nhận đóng ngay “Hài lòng dịch vụ” (không mở lại được)" }));
    expect(await screen.findByText("Đã đóng khảo sát “Hài lòng dịch vụ”.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("button", { name: "Đóng khảo sát: Hài lòng dịch vụ" })).toBeNull());
    expect(screen.getAllByText("Đã đóng")).toHaveLength(2);
  });

  it("closes from the results page and shows a refusal with its message", async () => {
    location.hash = "#/surveys/5";
    const { api } = apiWith({
      "GET /api/v1/surveys/5": () => survey(),
      "GET /api/v1/surveys/5/results": () => ({ survey_id: 5, responses: 3, questions: [] }),
      "POST /api/v1/surveys/5/close": () => json({ error: { code: "survey_already_closed", message: "Khảo sát đã đóng.", message_en: "x" } }, 409),
    });
    render(<SurveysPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Đóng khảo sát: Hài lòng dịch vụ" }));
    fireEvent.click(screen.getByRole("button", { name: /Xác nhận đóng ngay/ }));
    expect(await screen.findByText("Khảo sát đã đóng.")).toBeTruthy();
  });
});
