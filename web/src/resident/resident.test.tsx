import { cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setLang } from "../i18n";
import { CAM_LO, fakeToken, json, mockFetch } from "../test/helpers";
import { ResidentApp } from "./App";

beforeEach(() => {
  localStorage.clear();
  setLang("vi");
});
afterEach(cleanup);

describe("resident app", () => {
  it("signs in with a one-time code and shows the inbox", async () => {
    const m = mockFetch({
      "GET /api/v1/commune": () => CAM_LO,
      "POST /auth/realms/communes/otp": () => json({ phone: "+84912000001", expires_in: 300 }, 202),
      "POST /auth/realms/communes/protocol/openid-connect/token": () => ({ access_token: fakeToken({ preferred_username: "+84912000001" }), expires_in: 3600, scope: "" }),
      "GET /api/v1/inbox": () => ({ items: [], unread: 0 }),
    });
    render(<ResidentApp fetch={m.fetch} pathname="/t/cam-lo/app/resident/" />);
    fireEvent.input(await screen.findByLabelText("Số điện thoại"), { target: { value: "0912000001" } });
    fireEvent.click(screen.getByRole("button", { name: "Nhận mã xác thực" }));
    expect(await screen.findByText("Đã gửi mã đến +84912000001. Mã có hiệu lực trong 5 phút.")).toBeTruthy();
    expect(JSON.parse(m.calls.find((c) => c.url.pathname.endsWith("/otp"))!.body)).toEqual({ commune_code: 19597, phone: "0912000001" });

    fireEvent.input(screen.getByLabelText("Mã xác thực (6 chữ số)"), { target: { value: "123456" } });
    fireEvent.click(screen.getByRole("button", { name: "Xác nhận" }));
    expect(await screen.findByText("Chưa có thông báo nào.")).toBeTruthy();
    const form = new URLSearchParams(m.calls.find((c) => c.url.pathname.endsWith("/token"))!.body);
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: "urn:smartcommune:params:oauth:grant-type:phone-otp",
      commune_code: "19597",
      phone: "0912000001",
      otp: "123456",
    });
    expect(screen.getByRole("button", { name: "Đăng xuất" })).toBeTruthy();
  });

  it("opens offline from the remembered commune profile", async () => {
    const online = mockFetch({ "GET /api/v1/commune": () => CAM_LO });
    render(<ResidentApp fetch={online.fetch} pathname="/t/cam-lo/app/resident/" />);
    expect(await screen.findByText("Xã Cam Lộ")).toBeTruthy();
    cleanup();
    const offline = (() => Promise.reject(new TypeError("Failed to fetch"))) as typeof fetch;
    render(<ResidentApp fetch={offline} pathname="/t/cam-lo/app/resident/" />);
    expect(await screen.findByText("Xã Cam Lộ")).toBeTruthy();
  });
});
