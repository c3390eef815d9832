import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import type { Api } from "../api/client";
import type { Session } from "../lib/session";
import {
  clearOutboxAuth,
  flushOutbox,
  listQueued,
  OUTBOX_EVENT,
  outboxAvailable,
  removeQueued,
  requeue,
  saveOutboxAuth,
  type FlushResult,
  type QueuedReport,
} from "./outbox";

export interface Outbox {
  items: QueuedReport[];
  /** Send what is queued now (also done on start and when the phone comes back online). */
  flush: () => Promise<FlushResult | null>;
  remove: (id: number) => Promise<void>;
  /** Put a refused report back in the queue and try it now. */
  retry: (id: number) => Promise<void>;
  /** Bumped after every flush that sent something: lists of reports reload on it. */
  sentCount: number;
}

/** The signed-in reporter's queue of unsent reports, kept in step with IndexedDB and the service worker. */
export function useOutbox(api: Api, scope: string, session: Session | null): Outbox {
  const [items, setItems] = useState<QueuedReport[]>([]);
  const [sentCount, setSentCount] = useState(0);
  const subject = session?.subject ?? null;
  const enabled = subject !== null && outboxAvailable();

  const refresh = useCallback(async () => {
    if (!enabled) return setItems([]);
    try {
      setItems(await listQueued(scope, subject));
    } catch {
      /* IndexedDB unavailable (private mode): the report form sends directly */
    }
  }, [enabled, scope, subject]);

  const flush = useCallback(async () => {
    if (!enabled) return null;
    try {
      const result = await flushOutbox(api, scope, subject);
      if (result.sent.length) setSentCount((n) => n + result.sent.length);
      return result;
    } catch {
      return null;
    } finally {
      await refresh();
    }
  }, [api, enabled, scope, subject, refresh]);

  // The service worker sends with the reporter's token when the app is closed; it needs a fresh copy.
  useEffect(() => {
    if (!outboxAvailable()) return;
    if (session) void saveOutboxAuth({ scope, subject: session.subject, token: session.token, exp: session.exp }).catch(() => undefined);
    else void clearOutboxAuth(scope).catch(() => undefined);
  }, [scope, session]);

  useEffect(() => {
    if (!enabled) return;
    void refresh().then(() => (navigator.onLine === false ? undefined : flush()));
    const onOnline = () => void flush();
    const onChange = () => void refresh();
    const onWorker = (e: MessageEvent) => {
      if ((e.data as { type?: string } | null)?.type === OUTBOX_EVENT) {
        setSentCount((n) => n + 1);
        void refresh();
      }
    };
    addEventListener("online", onOnline);
    addEventListener(OUTBOX_EVENT, onChange);
    navigator.serviceWorker?.addEventListener("message", onWorker);
    return () => {
      removeEventListener("online", onOnline);
      removeEventListener(OUTBOX_EVENT, onChange);
      navigator.serviceWorker?.removeEventListener("message", onWorker);
    };
  }, [enabled, refresh, flush]);

  const remove = useCallback(async (id: number) => {
    await removeQueued(id);
    await refresh();
  }, [refresh]);

  const retry = useCallback(async (id: number) => {
    await requeue(id);
    await flush();
  }, [flush]);

  return useMemo(() => ({ items, flush, remove, retry, sentCount }), [items, flush, remove, retry, sentCount]);
}
