// Access tokens kept in localStorage, one per app and commune, dropped when they expire.

export interface Session {
  token: string;
  /** Expiry, seconds since the epoch (the token's `exp`). */
  exp: number;
  subject: string;
  username: string | null;
}

export function decodeJwt(token: string): Record<string, unknown> | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)))
        .map((c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0"))
        .join(""),
    );
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function sessionFromToken(token: string): Session | null {
  const claims = decodeJwt(token);
  if (!claims || typeof claims.exp !== "number") return null;
  return {
    token,
    exp: claims.exp,
    subject: String(claims.sub ?? ""),
    username: typeof claims.preferred_username === "string" ? claims.preferred_username : null,
  };
}

export function sessionKey(app: string, scope: string): string {
  return `sc.session.${app}.${scope}`;
}

export function loadSession(key: string, now = Date.now()): Session | null {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (typeof s.token !== "string" || typeof s.exp !== "number" || s.exp * 1000 <= now + 5000) {
      localStorage.removeItem(key);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

export function saveSession(key: string, session: Session): void {
  localStorage.setItem(key, JSON.stringify(session));
}

export function clearSession(key: string): void {
  localStorage.removeItem(key);
}
