import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setLang } from "../i18n";
import { saveSession, sessionFromToken, sessionKey } from "../lib/session";
import { fakeToken, mockFetch } from "../test/helpers";
import { ProviderApp } from "./App";
import { communeQuery } from "./CommunesPage";

const commune = (slug: string, name: string, status = "active") => ({
  id: `id-${slug}`, slug, commune_code: 19597, province_code: 44, name, province_name: "Quảng Trị", status, plan: "standard",
  template: "base", schema_name: `c_${slug}`, schema_revision: "t0001", suspended_reason: status === "suspended" ? "Bảo trì" : null,
  created_at: "2026-01-05T03:00:00Z", updated_at: "2026-01-05T03:00:00Z",
});

beforeEach(() => {
  localStorage.clear();
  setLang("vi");
  location.hash = "";
  saveSession(sessionKey("provider", "platform"), sessionFromToken(fakeToken({ preferred_username: "provider-admin" }))!);
});
afterEach(cleanup);

describe("communeQuery", () => {
  it("sends only the filters that are set", () => {
    expect(communeQuery({ q: " cam ", province: "44", status: "", template: "" }, 25)).toEqual({
      q: "cam", province_code: 44, status: undefined, template: undefined, limit: 25, offset: 25,
    });
  });
});

describe("provider console", () => {
  it("lists communes, filters by province and suspends one with a reason", async () => {
    const m = mockFetch({
      "GET /api/provider/v1/communes": () => ({ items: [commune("cam-lo", "Xã Cam Lộ"), commune("hau-loc", "Xã Hậu Lộc", "suspended")], total: 2, limit: 25, offset: 0 }),
      "POST /api/provider/v1/communes/cam-lo/suspend": () => commune("cam-lo", "Xã Cam Lộ", "suspended"),
    });
    render(<ProviderApp baseUrl="http://x" fetch={m.fetch} />);
    expect(await screen.findByText("Xã Cam Lộ")).toBeTruthy();
    expect(screen.getByText("2 xã")).toBeTruthy();
    expect(screen.getAllByText("05/01/2026", { selector: "td" })).toHaveLength(2);
    expect(screen.getByRole("button", { name: "Cho hoạt động lại" })).toBeTruthy();

    fireEvent.change(screen.getByLabelText("Tỉnh/thành phố"), { target: { value: "44" } });
    await waitFor(() => expect(m.calls.some((c) => c.url.searchParams.get("province_code") === "44")).toBe(true));

    fireEvent.click(screen.getByRole("button", { name: "Tạm dừng" }));
    fireEvent.input(screen.getByLabelText("Lý do tạm dừng"), { target: { value: "Chưa thanh toán" } });
    fireEvent.click(screen.getByRole("button", { name: "Xác nhận tạm dừng" }));
    expect(await screen.findByText("Đã tạm dừng Xã Cam Lộ.")).toBeTruthy();
    const post = m.calls.find((c) => c.method === "POST")!;
    expect(JSON.parse(post.body)).toEqual({ reason: "Chưa thanh toán" });
    expect(post.headers.get("authorization")).toMatch(/^Bearer /);
  });

  it("onboards a commune picked from the official list", async () => {
    location.hash = "#/onboard";
    const m = mockFetch({
      "GET /api/provider/v1/official-communes": () => [
        { code: 19597, name: "Xã Cam Lộ", division_type: "xã", province_code: 44, province_name: "Quảng Trị", onboarded: true },
        { code: 19600, name: "Xã Cam Hiếu", division_type: "xã", province_code: 44, province_name: "Quảng Trị", onboarded: false },
      ],
      "POST /api/provider/v1/communes": () => ({ ...commune("cam-hieu", "Xã Cam Hiếu"), creation_seconds: 1.25 }),
    });
    render(<ProviderApp baseUrl="http://x" fetch={m.fetch} />);
    fireEvent.input(await screen.findByLabelText("Tìm kiếm"), { target: { value: "cam" } });
    expect(await screen.findByText("Đã có trên nền tảng")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Chọn" }));
    fireEvent.click(await screen.findByRole("button", { name: "Tạo xã" }));
    expect(await screen.findByText("Đã tạo Xã Cam Hiếu trong 1,3 giây.")).toBeTruthy();
    const post = m.calls.find((c) => c.method === "POST")!;
    expect(JSON.parse(post.body)).toMatchObject({ commune_code: 19600, province_code: 44, slug: null, template: "base", plan: "standard" });
  });

  it("drops the session on 401 and shows the login form", async () => {
    const m = mockFetch({ "GET /api/provider/v1/communes": () => new Response("{}", { status: 401 }) });
    render(<ProviderApp baseUrl="http://x" fetch={m.fetch} />);
    expect(await screen.findByRole("button", { name: "Đăng nhập" })).toBeTruthy();
    expect(localStorage.getItem(sessionKey("provider", "platform"))).toBeNull();
  });
});
