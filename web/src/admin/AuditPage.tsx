import { useEffect, useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../api/client";
import { formatDateTime } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useDebounced } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading } from "../ui/components";

type Entry = Schemas["AuditOut"];
const PAGE = 50;

/** The commune's audit trail, newest first, filtered by object type, with keyset "load more". */
export function AuditPage({ api }: { api: Api }) {
  useLang();
  const [objectType, setObjectType] = useState("");
  const filter = useDebounced(objectType.trim(), 300);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  async function load(before?: number) {
    setLoading(true);
    setError(null);
    try {
      const page = await call(
        api.GET("/api/v1/audit", { params: { query: { object_type: filter || undefined, before_id: before, limit: PAGE } } }),
      );
      setEntries((prev) => (before ? [...prev, ...page] : page));
      setMore(page.length === PAGE);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => {
    void load();
  }, [api, filter]);

  return (
    <section>
      <h1>{t("audit.title")}</h1>
      <div class="card">
        <Field label={t("audit.filter")} name="object_type" list="sc-object-types" value={objectType} onInput={(e) => setObjectType(e.currentTarget.value)} />
        <datalist id="sc-object-types">
          {["village", "user", "role", "role_assignment"].map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
      </div>
      <ErrorNotice error={error} onRetry={() => void load()} />
      {!loading && !error && entries.length === 0 && <Empty />}
      {entries.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("audit.at")}</th>
              <th>{t("audit.actor")}</th>
              <th>{t("audit.action")}</th>
              <th>{t("audit.object")}</th>
              <th>{t("audit.details")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td data-label={t("audit.at")}>{formatDateTime(e.at)}</td>
                <td data-label={t("audit.actor")}>
                  {e.actor}
                  <div class="muted">{e.actor_kind}</div>
                </td>
                <td data-label={t("audit.action")}>{e.action}</td>
                <td data-label={t("audit.object")}>{`${e.object_type} ${e.object_id}`}</td>
                <td data-label={t("audit.details")}>
                  <pre class="diff">{describeChange(e)}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {loading && <Loading />}
      {more && !loading && (
        <button type="button" onClick={() => void load(entries[entries.length - 1]?.id)}>
          {t("common.more")}
        </button>
      )}
    </section>
  );
}

/** "field: before → after" lines for the fields that changed. */
export function describeChange(e: Pick<Entry, "before" | "after">): string {
  const before = e.before ?? {};
  const after = e.after ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${k in before ? JSON.stringify(before[k]) : "∅"} → ${k in after ? JSON.stringify(after[k]) : "∅"}`)
    .join("\n");
}
