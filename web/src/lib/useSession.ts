import { useMemo, useRef, useState } from "preact/hooks";
import { makeApi, type Api } from "../api/client";
import { clearSession, loadSession, saveSession, type Session } from "./session";

/** One app's session (persisted under `key`) and an API client that sends its token. */
export function useSession(key: string, baseUrl: string, fetchImpl?: typeof fetch) {
  const [session, setSession] = useState<Session | null>(() => loadSession(key));
  const ref = useRef(session);
  ref.current = session;
  const api: Api = useMemo(
    () =>
      makeApi({
        baseUrl,
        fetch: fetchImpl,
        token: () => ref.current?.token ?? null,
        onUnauthorized: () => {
          clearSession(key);
          setSession(null);
        },
      }),
    [key, baseUrl, fetchImpl],
  );
  return {
    session,
    api,
    login(s: Session) {
      saveSession(key, s);
      setSession(s);
    },
    logout() {
      clearSession(key);
      setSession(null);
    },
  };
}
