import { useEffect, useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../api/client";
import { formatDateTime, formatNumber } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useAsync, useDebounced } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, SelectField } from "../ui/components";
import { Pager } from "./CommunesPage";
import { ProvinceSelect } from "./shared";

type Health = Schemas["FleetHealthOut"];
const PAGE = 25;
const ONLY = ["problems", "cameras", "devices", "reports", "unmeasured"] as const;
type Only = (typeof ONLY)[number];

export interface FleetFilters {
  q: string;
  province: string;
  only: "" | Only;
}

export function fleetQuery(f: FleetFilters, offset: number) {
  return {
    q: f.q.trim() || undefined,
    province_code: f.province ? Number(f.province) : undefined,
    only: f.only || undefined,
    limit: PAGE,
    offset,
  };
}

/** "2/5": offline out of all, or a dash before the first measurement. */
export function ratio(part: number | null, whole: number | null): string {
  return part == null || whole == null ? "—" : `${formatNumber(part)}/${formatNumber(whole)}`;
}

export function FleetPage({ api }: { api: Api }) {
  useLang();
  const [filters, setFilters] = useState<FleetFilters>({ q: "", province: "", only: "" });
  const [offset, setOffset] = useState(0);
  const applied = useDebounced(filters, 250);
  const page = useAsync(
    () => call(api.GET("/api/provider/v1/fleet/health", { params: { query: fleetQuery(applied, offset) } })),
    [api, applied, offset],
  );
  const totals = useAsync(() => call(api.GET("/api/provider/v1/fleet/health/totals")), [api]);
  const set = (patch: Partial<FleetFilters>) => {
    setFilters({ ...filters, ...patch });
    setOffset(0);
  };

  return (
    <section>
      <h1>{t("provider.fleet.title")}</h1>
      {totals.data && (
        <ul class="plain tiles" aria-label={t("provider.fleet.totals")}>
          <li>
            <strong>{formatNumber(totals.data.cameras_offline)}</strong>
            <span>{t("provider.fleet.camerasOffline")}</span>
          </li>
          <li>
            <strong>{formatNumber(totals.data.devices_offline)}</strong>
            <span>{t("provider.fleet.devicesOffline")}</span>
          </li>
          <li>
            <strong>{formatNumber(totals.data.reports_overdue)}</strong>
            <span>{t("provider.fleet.reportsOverdue")}</span>
          </li>
          <li>
            <strong>{`${formatNumber(totals.data.measured)}/${formatNumber(totals.data.communes)}`}</strong>
            <span>{t("provider.fleet.measured")}</span>
          </li>
        </ul>
      )}
      <ErrorNotice error={totals.error} />
      <div class="card filters" role="search">
        <Field
          label={t("common.search")}
          type="search"
          name="fleet-q"
          placeholder={t("communes.search")}
          value={filters.q}
          onInput={(e) => set({ q: e.currentTarget.value })}
        />
        <ProvinceSelect value={filters.province} onChange={(province) => set({ province })} name="fleet-province" />
        <SelectField
          label={t("provider.fleet.show")}
          name="fleet-only"
          value={filters.only}
          onChange={(e) => set({ only: e.currentTarget.value as FleetFilters["only"] })}
          options={[{ value: "", label: t("common.all") }, ...ONLY.map((o) => ({ value: o, label: t(`provider.fleet.only.${o}`) }))]}
        />
      </div>
      <ErrorNotice error={page.error} onRetry={page.reload} />
      {page.loading && !page.data && <Loading />}
      {page.data && (
        <>
          <p class="muted" aria-live="polite">
            {t("communes.total", { count: formatNumber(page.data.total) })}
            {" · "}
            {t("provider.fleet.interval", { minutes: formatNumber(page.data.interval_s / 60) })}
          </p>
          {page.data.items.length === 0 ? (
            <Empty />
          ) : (
            <table class="list">
              <thead>
                <tr>
                  <th>{t("communes.name")}</th>
                  <th>{t("communes.province")}</th>
                  <th>{t("provider.fleet.camerasOffline")}</th>
                  <th>{t("provider.fleet.devicesOffline")}</th>
                  <th>{t("provider.fleet.reportsOverdue")}</th>
                  <th>{t("provider.fleet.measuredAt")}</th>
                  <th>{t("common.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((h) => (
                  <HealthRow key={h.commune_code} api={api} health={h} />
                ))}
              </tbody>
            </table>
          )}
          <Pager offset={offset} total={page.data.total} onOffset={setOffset} size={PAGE} />
        </>
      )}
    </section>
  );
}

function HealthRow({ api, health }: { api: Api; health: Health }) {
  const [h, setH] = useState(health);
  useEffect(() => setH(health), [health]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function refresh() {
    setBusy(true);
    setError(null);
    try {
      setH(await call(api.POST("/api/provider/v1/fleet/health/{key}/refresh", { params: { path: { key: h.slug } } })));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  const bad = (n: number | null) => (n ? "bad num" : "num");
  return (
    <tr data-slug={h.slug}>
      <td data-label={t("communes.name")}>
        <strong>{h.name}</strong>
        <div class="muted">{`/t/${h.slug}`}</div>
      </td>
      <td data-label={t("communes.province")}>{h.province_name}</td>
      <td data-label={t("provider.fleet.camerasOffline")} class={bad(h.cameras_offline)}>
        {ratio(h.cameras_offline, h.cameras_total)}
      </td>
      <td data-label={t("provider.fleet.devicesOffline")} class={bad(h.devices_offline)}>
        {ratio(h.devices_offline, h.devices_total)}
      </td>
      <td data-label={t("provider.fleet.reportsOverdue")} class={bad(h.reports_overdue)}>
        {ratio(h.reports_overdue, h.reports_open)}
      </td>
      <td data-label={t("provider.fleet.measuredAt")}>
        {h.computed_at ? formatDateTime(h.computed_at) : t("provider.fleet.never")}
        {h.error && <div class="step-error">{t("provider.fleet.error", { reason: h.error })}</div>}
      </td>
      <td>
        <ErrorNotice error={error} />
        <button type="button" disabled={busy} onClick={() => void refresh()} aria-label={t("provider.fleet.refreshNamed", { name: h.name })}>
          {t("provider.fleet.refresh")}
        </button>
      </td>
    </tr>
  );
}
