// Pieces shared by the operations and economy screens of the admin console.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../../api/client";
import { t, type MessageKey } from "../../i18n";
import "./ops.css";

export interface Tab {
  route: string;
  label: string;
}

/** Second-level tabs as hash links (`#/fees/invoices`), so every view has an address. */
export function SubNav(props: { tabs: Tab[]; current: string; label: string }) {
  return (
    <nav class="subnav" aria-label={props.label}>
      {props.tabs.map((tab) => (
        <a key={tab.route} href={`#${tab.route}`} aria-current={props.current === tab.route ? "page" : undefined}>
          {tab.label}
        </a>
      ))}
    </nav>
  );
}

/** The tab of `tabs` the route points at (longest match), else the first. */
export function currentTab(route: string, tabs: Tab[]): string {
  const match = tabs.filter((tab) => route === tab.route || route.startsWith(`${tab.route}/`));
  return match.sort((a, b) => b.route.length - a.route.length)[0]?.route ?? tabs[0].route;
}

/** A translated label for a code, falling back to the code itself when the dictionary has none. */
export function label(prefix: string, code: string | null | undefined): string {
  if (!code) return "—";
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

export function StatusBadge({ status, prefix = "adminOps.status" }: { status: string; prefix?: string }) {
  return <span class={`badge st-${status}`}>{label(prefix, status)}</span>;
}

export function Stat(props: { label: string; value: ComponentChildren; tone?: "bad" | "good" | "warn" }) {
  return (
    <div class={`stat ${props.tone ?? ""}`}>
      <span class="stat-value">{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </div>
  );
}

export { useAction } from "../../lib/useAction";

const canMakeUrls = () => typeof URL !== "undefined" && typeof URL.createObjectURL === "function";

/**
 * An object URL for an image fetched with the session's token (an <img src> cannot send the
 * Authorization header). Reloads every `refreshMs` while the page is visible; revokes old URLs.
 */
export function useBlobUrl(load: (() => Promise<Blob>) | null, deps: unknown[], refreshMs = 0) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const current = useRef<string | null>(null);
  useEffect(() => {
    if (!load) return;
    let alive = true;
    const fetchOnce = async () => {
      if (typeof document !== "undefined" && document.hidden) return;
      try {
        const blob = await load();
        if (!alive || !canMakeUrls()) return;
        const next = URL.createObjectURL(blob);
        if (current.current) URL.revokeObjectURL(current.current);
        current.current = next;
        setUrl(next);
        setError(null);
      } catch (e) {
        if (alive) setError(e);
      }
    };
    void fetchOnce();
    const timer = refreshMs > 0 ? setInterval(() => void fetchOnce(), refreshMs) : undefined;
    return () => {
      alive = false;
      if (timer) clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(
    () => () => {
      if (current.current && canMakeUrls()) URL.revokeObjectURL(current.current);
    },
    [],
  );
  return { url, error };
}

/** The blob of an openapi-fetch call made with `parseAs: "blob"`, or the error thrown. */
export async function blobOf(promise: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<Blob> {
  return (await call(promise)) as Blob;
}

export function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void; name?: string }) {
  return (
    <label class="check">
      <input type="checkbox" name={props.name} checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      <span>{props.label}</span>
    </label>
  );
}

export function FormButtons(props: { busy: boolean; onCancel: () => void; submit?: string }) {
  return (
    <div class="row">
      <button type="submit" class="primary" disabled={props.busy}>
        {props.submit ?? t("common.save")}
      </button>
      <button type="button" onClick={props.onCancel}>
        {t("common.cancel")}
      </button>
    </div>
  );
}
