// A typed client over the generated OpenAPI types (src/api/schema.d.ts, `make web-client`).
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { getLang, t } from "../i18n";
import type { components, paths } from "./schema";

export type Api = Client<paths>;
export type Schemas = components["schemas"];

/** The platform's one error shape: {"error": {"code", "message" (vi), "message_en", "details"}}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageVi: string,
    readonly messageEn: string,
    readonly details?: unknown,
  ) {
    super(messageEn || code);
  }
}

export class NetworkError extends Error {}

const EXPIRED_KEY = "sc.sessionExpired";

/** Remember that a session ended on a 401, so that the login form says so instead of appearing silently. */
export function markSessionExpired(): void {
  try {
    sessionStorage.setItem(EXPIRED_KEY, "1");
  } catch {
    /* storage may be blocked */
  }
}

/** Whether the last session ended on a 401 (read once: the flag is cleared). */
export function takeSessionExpired(): boolean {
  try {
    const was = sessionStorage.getItem(EXPIRED_KEY) === "1";
    sessionStorage.removeItem(EXPIRED_KEY);
    return was;
  } catch {
    return false;
  }
}

export interface ApiOptions {
  /** Origin plus tenant prefix, e.g. "https://host/t/cam-lo"; "" in a browser means this origin. */
  baseUrl: string;
  token?: () => string | null;
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

export function makeApi(opts: ApiOptions): Api {
  const client = createClient<paths>({
    baseUrl: opts.baseUrl || (typeof location !== "undefined" ? location.origin : ""),
    fetch: opts.fetch ? (req: Request) => opts.fetch!(req) : undefined,
  });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = opts.token?.();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      request.headers.set("Accept-Language", getLang());
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401 && opts.token?.()) {
        markSessionExpired();
        opts.onUnauthorized?.();
      }
      return response;
    },
  };
  client.use(auth);
  return client;
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a call, or an ApiError / NetworkError thrown. */
export async function call<T>(promise: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await promise;
  } catch (e) {
    throw new NetworkError(String(e));
  }
  if (result.response.ok) return result.data as T;
  const body = (result.error ?? {}) as { error?: { code?: string; message?: string; message_en?: string; details?: unknown } };
  const err = body.error ?? {};
  throw new ApiError(result.response.status, err.code ?? "http_error", err.message ?? "", err.message_en ?? "", err.details);
}

/** 401 codes that mean "the session is over" (the others — wrong password, wrong code — say what was wrong). */
export const SESSION_CODES: readonly string[] = ["token_expired", "token_missing", "token_invalid", "unauthenticated", "http_error"];

/** True when a 401 ends the session (expired or missing token), not a refused password or code. */
export function isSessionEnd(e: unknown): boolean {
  return e instanceof ApiError && e.status === 401 && SESSION_CODES.includes(e.code);
}

/** A message for the user, in the current language. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (isSessionEnd(e)) return t("error.session");
    if (e.code === "invalid_credentials") return t("error.invalidCredentials");
    if (e.code === "otp_invalid") return t("error.otpInvalid");
    if (e.code === "otp_expired") return t("error.otpExpired");
    const text = getLang() === "vi" ? e.messageVi || e.messageEn : e.messageEn || e.messageVi;
    return text || t("error.generic");
  }
  if (e instanceof NetworkError) return t("error.network");
  return t("error.generic");
}

/** True when a response came from the resident service worker's offline copy. */
export function fromOfflineCopy(response: Response | undefined): boolean {
  return response?.headers.get("X-SC-Offline") === "1";
}

// --- token endpoint (form-encoded, realm-scoped) ---------------------------------------------------------

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

/** `newPassword`: the first login after a one-time password (the server answered `password_change_required`). */
export function passwordLogin(api: Api, realm: "provider" | "communes", username: string, password: string, newPassword?: string) {
  return call(
    api.POST("/auth/realms/{realm}/protocol/openid-connect/token", {
      params: { path: { realm } },
      body: {
        grant_type: "password",
        username,
        password,
        client_id: `web-${realm}`,
        ...(newPassword ? { new_password: newPassword } : {}),
      },
      headers: FORM,
    }),
  );
}

export const OTP_GRANT = "urn:smartcommune:params:oauth:grant-type:phone-otp";

export function requestOtp(api: Api, communeCode: number, phone: string) {
  return call(api.POST("/auth/realms/communes/otp", { body: { commune_code: communeCode, phone } }));
}

export function otpLogin(api: Api, communeCode: number, phone: string, otp: string) {
  return call(
    api.POST("/auth/realms/{realm}/protocol/openid-connect/token", {
      params: { path: { realm: "communes" } },
      body: { grant_type: OTP_GRANT, commune_code: String(communeCode), phone, otp, client_id: "web-resident" },
      headers: FORM,
    }),
  );
}
