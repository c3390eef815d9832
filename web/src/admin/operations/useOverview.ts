import { useEffect, useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { readSse } from "./sse";

export interface Overview {
  at: string;
  cameras: Record<string, number>;
  recent_events: Schemas["CameraEventOut"][];
  devices: { total: number; online: number; offline: number; active_alarms: number };
  alarms: Schemas["AlarmOut"][];
  reports: {
    open: number;
    by_sla: { overdue: number; due_soon: number; on_track: number };
    by_status: Record<string, number>;
  };
}

export type Live = "connecting" | "live" | "retrying";
const RETRY_MS = 5000;

/** The commune's operations overview: fetched once, then kept current by the SSE stream (reconnecting). */
export function useOverview(api: Api) {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState<Live>("connecting");
  useEffect(() => {
    const abort = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    call(api.GET("/api/v1/operations/overview", { signal: abort.signal })).then(
      (data) => setOverview(data as unknown as Overview),
      (e: unknown) => !abort.signal.aborted && setError(e),
    );
    const connect = async () => {
      try {
        const res = await api.GET("/api/v1/operations/stream", { parseAs: "stream", signal: abort.signal });
        if (!res.response.ok || !res.data) throw new Error(`stream ${res.response.status}`);
        setLive("live");
        await readSse(res.data as ReadableStream<Uint8Array>, (e) => {
          if (e.event !== "overview") return;
          try {
            setOverview(JSON.parse(e.data) as Overview);
            setError(null);
          } catch {
            /* a torn event: the next one replaces it */
          }
        });
      } catch {
        /* reconnect below */
      }
      if (abort.signal.aborted) return;
      setLive("retrying");
      retry = setTimeout(() => void connect(), RETRY_MS);
    };
    void connect();
    return () => {
      abort.abort();
      if (retry) clearTimeout(retry);
    };
  }, [api]);
  return { overview, error, live };
}
