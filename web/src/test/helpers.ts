// Test helpers: a fetch that answers from a route table and records every request.

export type Handler = (req: Request, body: string) => unknown | Response | Promise<unknown | Response>;

export interface MockFetch {
  fetch: typeof fetch;
  calls: { method: string; url: URL; body: string; headers: Headers }[];
}

/** Routes are "METHOD /path" (query ignored); a handler's non-Response value is sent as JSON 200. */
export function mockFetch(routes: Record<string, Handler>): MockFetch {
  const calls: MockFetch["calls"] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url);
    const body = req.method === "GET" ? "" : await req.clone().text();
    calls.push({ method: req.method, url, body, headers: req.headers });
    const path = url.pathname.replace(/^\/t\/[^/]+/, "");
    const handler = routes[`${req.method} ${path}`];
    if (!handler) return json({ error: { code: "not_found", message: "Không tìm thấy.", message_en: "Not found." } }, 404);
    const out = await handler(req, body);
    return out instanceof Response ? out : json(out);
  };
  return { fetch: impl as typeof fetch, calls };
}

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), { status, headers: { "content-type": "application/json", ...headers } });
}

/** An unsigned JWT with the given claims (the apps only read `exp`, `sub`, `preferred_username`). */
export function fakeToken(claims: Record<string, unknown> = {}): string {
  const b64 = (o: unknown) =>
    btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "none" })}.${b64({ sub: "u1", exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}.x`;
}

export const CAM_LO = { slug: "cam-lo", commune_code: 19597, province_code: 44, name: "Xã Cam Lộ" };
