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
      if (response.status === 401 && opts.token?.()) opts.onUnauthorized?.();
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

/** A message for the user, in the current language. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401) return t("error.session");
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

export function passwordLogin(api: Api, realm: "provider" | "communes", username: string, password: string) {
  return call(
    api.POST("/auth/realms/{realm}/protocol/openid-connect/token", {
      params: { path: { realm } },
      body: { grant_type: "password", username, password, client_id: `web-${realm}` },
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
