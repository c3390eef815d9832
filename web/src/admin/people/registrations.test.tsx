import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApi } from "../../api/client";
import { setLang } from "../../i18n";
import { json, mockFetch, type Handler } from "../../test/helpers";
import { ResidentsPage } from "./ResidentsPage";

const apiWith = (routes: Record<string, Handler>) => {
  const m = mockFetch(routes);
  return { m, api: makeApi({ baseUrl: "http://localhost/t/cam-lo", fetch: m.fetch, token: () => "tok" }) };
};
const VILLAGES = [{ id: 1, code: "T01", name: "Thôn An Bình", kind: "thon", population: 100, created_at: "2026-01-01T00:00:00Z" }];
const pending = (over: Record<string, unknown> = {}) => ({
  id: 7,
  full_name: "Nguyễn Thị Hoa",
  phone: "+84912000001",
  household_id: null,
  village_id: 1,
  date_of_birth: "1990-05-01",
  groups: ["nong_dan"],
  registered: true,
  status: "pending",
  source: "self",
  review_note: null,
  reviewed_by: null,
  reviewed_at: null,
  created_at: "2026-03-02T01:00:00Z",
  archived_at: null,
  archived_by: null,
  ...over,
});

beforeEach(() => setLang("vi"));
afterEach(cleanup);

describe("self-registration queue", () => {
  it("lists pending registrations oldest first and verifies or rejects each with a note", async () => {
    let queue = [pending(), pending({ id: 8, full_name: "Lê Văn Nam", phone: "+84912000002", created_at: "2026-03-01T01:00:00Z" })];
    const { m, api } = apiWith({
      "GET /api/v1/villages": () => VILLAGES,
      "GET /api/v1/residents": (req) => (new URL(req.url).searchParams.get("status") === "pending" ? queue : []),
      "POST /api/v1/residents/7/verify": () => {
        queue = queue.filter((r) => r.id !== 7);
        return pending({ status: "verified" });
      },
      "POST /api/v1/residents/8/reject": () => {
        queue = queue.filter((r) => r.id !== 8);
        return pending({ id: 8, status: "rejected" });
      },
    });
    render(<ResidentsPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Đăng ký chờ xác minh" }));
    const cards = await screen.findAllByRole("listitem");
    expect(cards.map((c) => c.getAttribute("aria-label"))).toEqual(["Lê Văn Nam", "Nguyễn Thị Hoa"]);
    expect(within(cards[1]).getByText("+84912000001")).toBeTruthy();
    expect(within(cards[1]).getByText("Thôn An Bình")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Xác minh đăng ký của Nguyễn Thị Hoa" }));
    expect(await screen.findByText("Đã xác minh Nguyễn Thị Hoa.")).toBeTruthy();
    expect(JSON.parse(m.calls.find((c) => c.url.pathname.endsWith("/residents/7/verify"))!.body)).toEqual({ note: null });
    expect(screen.queryByRole("listitem", { name: "Nguyễn Thị Hoa" })).toBeNull();

    fireEvent.input(screen.getByLabelText("Ghi chú cho Lê Văn Nam"), { target: { value: "Không có trong sổ hộ khẩu" } });
    fireEvent.click(screen.getByRole("button", { name: "Từ chối đăng ký của Lê Văn Nam" }));
    expect(await screen.findByText("Đã từ chối đăng ký của Lê Văn Nam.")).toBeTruthy();
    expect(JSON.parse(m.calls.find((c) => c.url.pathname.endsWith("/residents/8/reject"))!.body)).toEqual({ note: "Không có trong sổ hộ khẩu" });
    await waitFor(() => expect(screen.getByText("Không có đăng ký nào chờ xác minh.")).toBeTruthy());
    expect(m.calls.filter((c) => c.url.pathname.endsWith("/residents")).every((c) => c.url.searchParams.get("status") === "pending")).toBe(true);
  });

  it("shows the platform's refusal when the registration was already reviewed", async () => {
    const { api } = apiWith({
      "GET /api/v1/villages": () => VILLAGES,
      "GET /api/v1/residents": () => [pending()],
      "POST /api/v1/residents/7/verify": () =>
        json({ error: { code: "not_pending", message: "Hồ sơ cư dân không ở trạng thái chờ duyệt.", message_en: "x" } }, 409),
    });
    render(<ResidentsPage api={api} />);
    fireEvent.click(await screen.findByRole("button", { name: "Đăng ký chờ xác minh" }));
    fireEvent.click(await screen.findByRole("button", { name: "Xác minh đăng ký của Nguyễn Thị Hoa" }));
    expect(await screen.findByText("Hồ sơ cư dân không ở trạng thái chờ duyệt.")).toBeTruthy();
    expect(screen.getByRole("listitem", { name: "Nguyễn Thị Hoa" })).toBeTruthy();
  });
});
