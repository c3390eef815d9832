// What every resident screen receives, and the small helpers they share (kept in the first load: tiny).
import { call, fromOfflineCopy, NetworkError, type Api } from "../api/client";
import { t } from "../i18n";
import type { Session } from "../lib/session";
import { ErrorNotice, Notice } from "../ui/components";
import type { Commune } from "../ui/TenantGate";
import type { Outbox } from "./useOutbox";

export interface ScreenProps {
  api: Api;
  commune: Commune;
  /** Origin + tenant prefix: the API base, and the outbox's scope. */
  baseUrl: string;
  session: Session;
  outbox: Outbox;
  /** The parts of the route after the screen's own path, e.g. ["12"] for #/reports/12. */
  params: string[];
}

export interface Loaded<T> {
  data: T;
  /** Served from the service worker's saved copy because the network is down. */
  offline: boolean;
}

/** Like `call`, and tells whether the answer is the service worker's offline copy. */
export async function loadWithOffline<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<Loaded<T>> {
  let result;
  try {
    result = await promise;
  } catch (e) {
    throw new NetworkError(String(e));
  }
  const data = await call(Promise.resolve(result));
  return { data, offline: fromOfflineCopy(result.response) };
}

/**
 * What a screen says about its data: loaded copy shown offline, nothing saved to show offline (with a retry),
 * or the platform's error.
 */
export function LoadNotices({ state }: { state: { data?: { offline: boolean }; error: unknown; reload: () => void } }) {
  if (state.data?.offline) return <Notice kind="info">{t("common.offline")}</Notice>;
  if (state.error instanceof NetworkError && typeof navigator !== "undefined" && !navigator.onLine) {
    return (
      <Notice kind="info">
        {t("resident.offlineNothing")}{" "}
        <button type="button" class="link" onClick={state.reload}>
          {t("common.retry")}
        </button>
      </Notice>
    );
  }
  return <ErrorNotice error={state.error} onRetry={state.reload} />;
}

/** A link back to a list, as a 48 px target. */
export function BackLink({ route, label }: { route: string; label: string }) {
  return (
    <a class="back" href={`#${route}`}>
      <span aria-hidden="true">‹</span>
      {label}
    </a>
  );
}
