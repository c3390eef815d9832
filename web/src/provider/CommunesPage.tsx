import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../api/client";
import { formatDate, formatNumber } from "../i18n/format";
import { t, useLang, type MessageKey } from "../i18n";
import { useAsync, useDebounced } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../ui/components";
import provinces from "./provinces.json";
import { templateOptions, useTemplates } from "./shared";

type Commune = Schemas["CommuneOut"];
const PAGE = 25;
const STATUSES = ["active", "suspended"] as const;

export interface Filters {
  q: string;
  province: string;
  status: "" | "active" | "suspended";
  template: string;
}

/** Query parameters of GET /api/provider/v1/communes from the filter form. */
export function communeQuery(f: Filters, offset: number) {
  return {
    q: f.q.trim() || undefined,
    province_code: f.province ? Number(f.province) : undefined,
    status: f.status || undefined,
    template: f.template.trim() || undefined,
    limit: PAGE,
    offset,
  };
}

export function CommunesPage({ api }: { api: Api }) {
  useLang();
  const [filters, setFilters] = useState<Filters>({ q: "", province: "", status: "", template: "" });
  const [offset, setOffset] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const applied = useDebounced(filters, 250);
  const { templates, names } = useTemplates(api);
  const page = useAsync(
    () => call(api.GET("/api/provider/v1/communes", { params: { query: communeQuery(applied, offset) } })),
    [api, applied, offset],
  );
  const set = (patch: Partial<Filters>) => {
    setFilters({ ...filters, ...patch });
    setOffset(0);
  };

  return (
    <section>
      <h1>{t("communes.title")}</h1>
      <div class="card filters" role="search">
        <Field
          label={t("common.search")}
          type="search"
          name="q"
          placeholder={t("communes.search")}
          value={filters.q}
          onInput={(e) => set({ q: e.currentTarget.value })}
        />
        <SelectField
          label={t("communes.province")}
          name="province"
          value={filters.province}
          onChange={(e) => set({ province: e.currentTarget.value })}
          options={[{ value: "", label: t("common.all") }, ...provinces.map((p) => ({ value: String(p.code), label: p.name }))]}
        />
        <SelectField
          label={t("communes.status")}
          name="status"
          value={filters.status}
          onChange={(e) => set({ status: e.currentTarget.value as Filters["status"] })}
          options={[
            { value: "", label: t("common.all") },
            ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}` as MessageKey) })),
          ]}
        />
        <SelectField
          label={t("communes.template")}
          name="template"
          value={filters.template}
          onChange={(e) => set({ template: e.currentTarget.value })}
          options={[{ value: "", label: t("common.all") }, ...templateOptions(templates, names)]}
        />
      </div>
      {message && <Notice kind="ok">{message}</Notice>}
      <ErrorNotice error={page.error} onRetry={page.reload} />
      {page.loading && !page.data && <Loading />}
      {page.data && (
        <>
          <p class="muted" aria-live="polite">
            {t("communes.total", { count: formatNumber(page.data.total) })}
          </p>
          {page.data.items.length === 0 ? (
            <Empty />
          ) : (
            <table class="list">
              <thead>
                <tr>
                  <th>{t("communes.name")}</th>
                  <th>{t("communes.code")}</th>
                  <th>{t("communes.province")}</th>
                  <th>{t("communes.status")}</th>
                  <th>{t("communes.template")}</th>
                  <th>{t("communes.created")}</th>
                  <th>{t("common.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((c) => (
                  <CommuneRow
                    key={c.id}
                    api={api}
                    commune={c}
                    templateTitle={templates.find((tpl) => tpl.name === c.template)?.title ?? c.template}
                    onChanged={(text) => {
                      setMessage(text);
                      page.reload();
                    }}
                  />
                ))}
              </tbody>
            </table>
          )}
          <Pager offset={offset} total={page.data.total} onOffset={setOffset} />
        </>
      )}
    </section>
  );
}

function CommuneRow({
  api,
  commune: c,
  templateTitle,
  onChanged,
}: {
  api: Api;
  commune: Commune;
  templateTitle: string;
  onChanged: (msg: string) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [askingResume, setAskingResume] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function act(action: "suspend" | "resume") {
    setBusy(true);
    setError(null);
    try {
      const path = { params: { path: { key: c.slug } } };
      if (action === "suspend") {
        await call(api.POST("/api/provider/v1/communes/{key}/suspend", { ...path, body: { reason } }));
        onChanged(t("communes.suspended", { name: c.name }));
      } else {
        await call(api.POST("/api/provider/v1/communes/{key}/resume", path));
        onChanged(t("communes.resumed", { name: c.name }));
      }
      setAsking(false);
      setAskingResume(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <tr data-slug={c.slug}>
      <td data-label={t("communes.name")}>
        <strong>{c.name}</strong>
        <div>
          <a href={`/t/${c.slug}/app/admin/`}>{`/t/${c.slug}`}</a>
        </div>
      </td>
      <td data-label={t("communes.code")} class="num">
        {c.commune_code}
      </td>
      <td data-label={t("communes.province")}>{c.province_name}</td>
      <td data-label={t("communes.status")}>
        <span class={`badge ${c.status}`}>{c.status in STATUS_KEYS ? t(STATUS_KEYS[c.status]) : c.status}</span>
        {c.suspended_reason && <div class="muted">{c.suspended_reason}</div>}
      </td>
      <td data-label={t("communes.template")}>{templateTitle}</td>
      <td data-label={t("communes.created")}>{formatDate(c.created_at)}</td>
      <td>
        <ErrorNotice error={error} />
        {c.status === "active" && !asking && (
          <button type="button" class="danger" onClick={() => setAsking(true)}>
            {t("communes.suspend")}
          </button>
        )}
        {asking && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void act("suspend");
            }}
          >
            <Field label={t("communes.suspendReason")} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            <div class="row">
              <button type="submit" class="danger" disabled={busy}>
                {t("communes.suspendConfirm")}
              </button>
              <button type="button" onClick={() => setAsking(false)}>
                {t("common.cancel")}
              </button>
            </div>
          </form>
        )}
        {c.status === "suspended" && !askingResume && (
          <button type="button" onClick={() => setAskingResume(true)}>
            {t("communes.resume")}
          </button>
        )}
        {askingResume && (
          <div role="group" aria-label={t("provider.communes.resumeAsk", { name: c.name })}>
            <p>{t("provider.communes.resumeAsk", { name: c.name })}</p>
            <div class="row">
              <button type="button" class="primary" disabled={busy} onClick={() => void act("resume")}>
                {t("provider.communes.resumeConfirm")}
              </button>
              <button type="button" onClick={() => setAskingResume(false)}>
                {t("common.cancel")}
              </button>
            </div>
          </div>
        )}
      </td>
    </tr>
  );
}

const STATUS_KEYS: Record<string, MessageKey> = { active: "status.active", suspended: "status.suspended" };

export function Pager(props: { offset: number; total: number; onOffset: (n: number) => void; size?: number }) {
  const size = props.size ?? PAGE;
  if (props.total <= size) return null;
  const to = Math.min(props.offset + size, props.total);
  return (
    <div class="spread">
      <button type="button" disabled={props.offset === 0} onClick={() => props.onOffset(Math.max(0, props.offset - size))}>
        {t("common.prev")}
      </button>
      <span class="muted">
        {t("common.range", { from: formatNumber(props.offset + 1), to: formatNumber(to), total: formatNumber(props.total) })}
      </span>
      <button type="button" disabled={to >= props.total} onClick={() => props.onOffset(props.offset + size)}>
        {t("common.next")}
      </button>
    </div>
  );
}
