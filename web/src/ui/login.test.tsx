import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, errorMessage, makeApi, markSessionExpired } from "../api/client";
import { setLang } from "../i18n";
import type { Session } from "../lib/session";
import { fakeToken, json, mockFetch } from "../test/helpers";
import { LoginForm } from "./LoginForm";

const TOKEN = "POST /auth/realms/communes/protocol/openid-connect/token";
const err = (status: number, code: string, message = "") => json({ error: { code, message, message_en: "" } }, status);

describe("login form", () => {
  beforeEach(() => setLang("vi"));
  afterEach(() => {
    cleanup();
    sessionStorage.clear();
  });

  it("says which 401 it was: wrong password, wrong code, expired session", () => {
    expect(errorMessage(new ApiError(401, "invalid_credentials", "", ""))).toBe("Sai tên đăng nhập hoặc mật khẩu.");
    expect(errorMessage(new ApiError(401, "otp_invalid", "", ""))).toBe("Mã xác thực không đúng.");
    expect(errorMessage(new ApiError(401, "token_expired", "", ""))).toBe("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.");
  });

  it("a session that ended on a 401 says so above the form", () => {
    markSessionExpired();
    const m = mockFetch({});
    render(<LoginForm api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} realm="communes" onLogin={() => {}} />);
    expect(screen.getByText("Phiên đăng nhập của bạn đã hết hạn. Vui lòng đăng nhập lại.")).toBeTruthy();
  });

  it("a one-time password asks for a new one, then logs in", async () => {
    const bodies: string[] = [];
    const m = mockFetch({
      [TOKEN]: (_req, body) => {
        bodies.push(body);
        if (body.includes("password=wrong")) return err(401, "invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.");
        if (!body.includes("new_password")) return err(403, "password_change_required");
        return { access_token: fakeToken({ preferred_username: "cam-lo.admin" }), token_type: "Bearer", expires_in: 300 };
      },
    });
    let logged: Session | null = null;
    render(<LoginForm api={makeApi({ baseUrl: "http://x", fetch: m.fetch })} realm="communes" onLogin={(s) => (logged = s)} />);
    fireEvent.input(screen.getByLabelText("Tên đăng nhập"), { target: { value: "cam-lo.admin" } });
    fireEvent.input(screen.getByLabelText("Mật khẩu"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByRole("button", { name: "Đăng nhập" }));
    expect(await screen.findByText("Sai tên đăng nhập hoặc mật khẩu.")).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Mật khẩu"), { target: { value: "abcd-efgh-jkmn" } });
    fireEvent.click(screen.getByRole("button", { name: "Đăng nhập" }));
    await screen.findByRole("heading", { name: "Đổi mật khẩu lần đầu" });
    fireEvent.input(screen.getByLabelText("Mật khẩu mới"), { target: { value: "mat-khau-moi-1" } });
    fireEvent.input(screen.getByLabelText("Nhập lại mật khẩu mới"), { target: { value: "mat-khau-moi-2" } });
    fireEvent.click(screen.getByRole("button", { name: "Đổi mật khẩu và đăng nhập" }));
    expect(await screen.findByText("Hai mật khẩu mới không giống nhau.")).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Nhập lại mật khẩu mới"), { target: { value: "mat-khau-moi-1" } });
    fireEvent.click(screen.getByRole("button", { name: "Đổi mật khẩu và đăng nhập" }));
    await waitFor(() => expect(logged).not.toBeNull());
    expect(bodies.at(-1)).toContain("new_password=mat-khau-moi-1");
  });
});
