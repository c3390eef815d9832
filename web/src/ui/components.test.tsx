import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi as jest } from "vitest";
import { makeApi } from "../api/client";
import { setLang } from "../i18n";
import { CAM_LO, fakeToken, json, mockFetch } from "../test/helpers";
import { InboxList } from "./InboxList";
import { LoginForm } from "./LoginForm";
import { TenantGate } from "./TenantGate";

beforeEach(() => {
  localStorage.clear();
  setLang("vi");
});
afterEach(cleanup);

describe("LoginForm", () => {
  it("posts a password grant to the realm and hands back the session", async () => {
    const token = fakeToken({ preferred_username: "provider-admin" });
    const m = mockFetch({ "POST /auth/realms/provider/protocol/openid-connect/token": () => ({ access_token: token, expires_in: 3600, scope: "" }) });
    const onLogin = jest.fn();
    render(<LoginForm api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} realm="provider" onLogin={onLogin} />);
    fireEvent.input(screen.getByLabelText("Tên đăng nhập"), { target: { value: " provider-admin " } });
    fireEvent.input(screen.getByLabelText("Mật khẩu"), { target: { value: "secret" } });
    fireEvent.click(screen.getByRole("button", { name: "Đăng nhập" }));
    await waitFor(() => expect(onLogin).toHaveBeenCalled());
    expect(onLogin.mock.calls[0][0].username).toBe("provider-admin");
    const form = new URLSearchParams(m.calls[0].body);
    expect(form.get("grant_type")).toBe("password");
    expect(form.get("username")).toBe("provider-admin");
    expect(m.calls[0].headers.get("content-type")).toContain("application/x-www-form-urlencoded");
  });

  it("shows the platform's message in the current language", async () => {
    const m = mockFetch({
      "POST /auth/realms/communes/protocol/openid-connect/token": () =>
        json({ error: { code: "invalid_grant", message: "Sai tên đăng nhập hoặc mật khẩu.", message_en: "Wrong username or password." } }, 400),
    });
    render(<LoginForm api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} realm="communes" onLogin={() => {}} />);
    fireEvent.input(screen.getByLabelText("Tên đăng nhập"), { target: { value: "a" } });
    fireEvent.input(screen.getByLabelText("Mật khẩu"), { target: { value: "b" } });
    fireEvent.click(screen.getByRole("button", { name: "Đăng nhập" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Sai tên đăng nhập hoặc mật khẩu.");
    act(() => setLang("en"));
    fireEvent.click(await screen.findByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("Wrong username or password."));
  });
});

describe("TenantGate", () => {
  it("resolves the commune of the /t/{slug} prefix", async () => {
    const m = mockFetch({ "GET /api/v1/commune": () => CAM_LO });
    render(
      <TenantGate title="x" fetch={m.fetch} pathname="/t/cam-lo/app/admin/">
        {(c, base) => <p>{`${c.name} ${base}`}</p>}
      </TenantGate>,
    );
    expect(await screen.findByText(/Xã Cam Lộ .*\/t\/cam-lo$/)).toBeTruthy();
    expect(m.calls[0].url.pathname).toBe("/t/cam-lo/api/v1/commune");
  });

  it("asks for a commune when the address names none", async () => {
    const m = mockFetch({});
    render(
      <TenantGate title="x" fetch={m.fetch} pathname="/app/resident/">
        {() => <p />}
      </TenantGate>,
    );
    expect(await screen.findByText("Chưa xác định được xã")).toBeTruthy();
    expect(screen.getByLabelText("Đường dẫn của xã")).toBeTruthy();
  });
});

describe("InboxList", () => {
  const page = {
    unread: 1,
    items: [
      { id: 2, kind: "announcement", title: "Lịch tiêm phòng", body: "Thứ Bảy tại trạm y tế xã.", link: null, priority: "urgent", source_type: null, source_id: null, data: null, created_at: "2026-03-01T01:00:00Z", read_at: null },
      { id: 1, kind: "news", title: "Họp thôn", body: "Tối nay.", link: null, priority: "normal", source_type: null, source_id: null, data: null, created_at: "2026-02-01T01:00:00Z", read_at: "2026-02-02T01:00:00Z" },
    ],
  };

  it("lists items, opens one and marks it read", async () => {
    const m = mockFetch({ "GET /api/v1/inbox": () => page, "POST /api/v1/inbox/2/read": () => ({ ...page.items[0], read_at: "x" }) });
    render(<InboxList api={makeApi({ baseUrl: "http://x", fetch: m.fetch, token: () => "tok" })} />);
    expect(await screen.findByText("Lịch tiêm phòng")).toBeTruthy();
    expect(screen.getByText("Khẩn")).toBeTruthy();
    expect(screen.getByText("1 chưa đọc")).toBeTruthy();
    expect(screen.getByText("08:00 01/03/2026")).toBeTruthy();
    fireEvent.click(screen.getByText("Lịch tiêm phòng"));
    expect(await screen.findByText("Thứ Bảy tại trạm y tế xã.")).toBeTruthy();
    await waitFor(() => expect(m.calls.some((c) => c.method === "POST" && c.url.pathname === "/api/v1/inbox/2/read")).toBe(true));
    expect(m.calls[0].headers.get("authorization")).toBe("Bearer tok");
    expect(screen.queryByText("1 chưa đọc")).toBeNull();
  });

  it("says when it shows the service worker's offline copy", async () => {
    const m = mockFetch({ "GET /api/v1/inbox": () => json(page, 200, { "X-SC-Offline": "1" }) });
    render(<InboxList api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} />);
    expect(await screen.findByText(/Bạn đang ngoại tuyến/)).toBeTruthy();
    expect(screen.getByText("Họp thôn")).toBeTruthy();
  });

  it("renders a coded message in the reader's language, one language only, and links to its object", async () => {
    const coded = {
      id: 5, kind: "application_status", title: "Hồ sơ #14: Cần bổ sung hồ sơ", body: "Thiếu CCCD", link: "/applications/14", priority: "normal",
      source_type: "application", source_id: "14", data: { status: "needs_info" }, created_at: "2026-03-01T01:00:00Z", read_at: "2026-03-01T02:00:00Z",
      code: "application_status", params: { id: 14, status: "needs_info", note: "Thiếu CCCD" },
    };
    const m = mockFetch({ "GET /api/v1/inbox": () => ({ items: [coded], unread: 0 }) });
    render(<InboxList api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} />);
    fireEvent.click(await screen.findByText("Hồ sơ #14: Cần bổ sung hồ sơ"));
    expect(screen.getByText("Thiếu CCCD")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Xem chi tiết" }).getAttribute("href")).toBe("#/applications/14");
    act(() => setLang("en"));
    expect(await screen.findByText("Application #14: More information needed")).toBeTruthy();
    expect(screen.queryByText(/ \/ /)).toBeNull();
  });

  it("shows an empty state", async () => {
    const m = mockFetch({ "GET /api/v1/inbox": () => ({ items: [], unread: 0 }) });
    render(<InboxList api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} />);
    expect(await screen.findByText("Chưa có thông báo nào.")).toBeTruthy();
  });
});
