import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { getLang, t, useLang } from "../../i18n";
import { formatDateTime, formatNumber, formatVnd } from "../../i18n/format";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Loading, Notice } from "../../ui/components";
import { LineChart } from "../operations/LineChart";
import { label, Stat, useAction } from "../operations/shared";

type Indicator = Schemas["IndicatorOut"];
type Snapshot = Schemas["SnapshotOut"];

export interface Dashboard {
  residents: { verified: number; with_account: number; households: number };
  app_use?: { window_days: number; active_residents: number; push_enabled_residents: number };
  reports: { by_status: Record<string, number>; overdue: number };
  applications: { by_status: Record<string, number> };
  payments: { invoices_by_status: Record<string, number>; collected_vnd_90d: number; outstanding_vnd: number; needs_review: number };
  cameras: { by_status: Record<string, number> };
  devices: { total: number; seen_last_hour: number };
  production: { farms: number; lots: number; valid_certifications: number };
}

/** Mirrors smartcommune.platform.reports.models.OPEN_STATUSES. */
const OPEN_REPORTS = ["new", "accepted", "in_progress"];
const sum = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
const pct = (v: number | null | undefined) => (v == null ? "—" : `${formatNumber(v, undefined, 1)}%`);

/** Statistics of the commune, the smart-commune criteria against their targets, and their monthly history. */
export function DashboardPage({ api }: { api: Api }) {
  useLang();
  const stats = useAsync(() => call(api.GET("/api/v1/insight/dashboard")) as Promise<unknown> as Promise<Dashboard>, [api]);
  return (
    <section>
      <h1>{t("adminOps.dash.title")}</h1>
      <ErrorNotice error={stats.error} onRetry={stats.reload} />
      {stats.loading && !stats.data && <Loading />}
      {stats.data && <StatCards d={stats.data} />}
      <Criteria api={api} />
    </section>
  );
}

function StatCards({ d }: { d: Dashboard }) {
  const n = (v: number | undefined) => formatNumber(v ?? 0);
  return (
    <div class="stats" role="group" aria-label={t("adminOps.dash.stats")}>
      <Stat label={t("adminOps.dash.households")} value={n(d.residents?.households)} />
      <Stat label={t("adminOps.dash.residents")} value={n(d.residents?.verified)} />
      <Stat label={t("adminOps.dash.activeResidents", { days: d.app_use?.window_days ?? 30 })} value={n(d.app_use?.active_residents)} />
      <Stat label={t("adminOps.dash.withAccount")} value={n(d.residents?.with_account)} />
      <Stat label={t("adminOps.dash.reportsOpen")} value={n(OPEN_REPORTS.reduce((a, s) => a + (d.reports?.by_status?.[s] ?? 0), 0))} />
      <Stat label={t("adminOps.dash.reportsResolved")} value={n((d.reports?.by_status?.resolved ?? 0) + (d.reports?.by_status?.closed ?? 0))} tone="good" />
      <Stat label={t("adminOps.dash.reportsOverdue")} value={n(d.reports?.overdue)} tone={d.reports?.overdue ? "bad" : undefined} />
      <Stat label={t("adminOps.dash.applications")} value={n(sum(d.applications?.by_status))} />
      <Stat label={t("adminOps.dash.collected")} value={formatVnd(d.payments?.collected_vnd_90d ?? 0)} tone="good" />
      <Stat label={t("adminOps.dash.outstanding")} value={formatVnd(d.payments?.outstanding_vnd ?? 0)} />
      <Stat label={t("adminOps.dash.needsReview")} value={n(d.payments?.needs_review)} tone={d.payments?.needs_review ? "warn" : undefined} />
      <Stat label={t("adminOps.dash.camerasOnline")} value={`${n(d.cameras?.by_status?.online)}/${n(sum(d.cameras?.by_status))}`} />
      <Stat label={t("adminOps.dash.devicesSeen")} value={`${n(d.devices?.seen_last_hour)}/${n(d.devices?.total)}`} />
      <Stat label={t("adminOps.dash.farms")} value={n(d.production?.farms)} />
      <Stat label={t("adminOps.dash.lots")} value={n(d.production?.lots)} />
      <Stat label={t("adminOps.dash.certs")} value={n(d.production?.valid_certifications)} />
    </div>
  );
}

const nameOf = (i: { name_vi: string; name_en: string }) => (getLang() === "en" ? i.name_en || i.name_vi : i.name_vi);

function Criteria({ api }: { api: Api }) {
  const criteria = useAsync(() => call(api.GET("/api/v1/insight/criteria")), [api]);
  const history = useAsync(() => call(api.GET("/api/v1/insight/criteria/snapshots")), [api]);
  const [targets, setTargets] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState("");
  const act = useAction();
  const list = criteria.data ?? [];
  // Only real edits count: a field typed back to its saved value is nothing to save.
  const edits = list.filter((i) => targets[i.code] != null && targets[i.code].trim() !== "" && Number(targets[i.code]) !== i.target_percent);
  const changed = edits.length > 0;

  async function saveTargets() {
    const body = list.map((i) => ({ code: i.code, name_vi: i.name_vi, name_en: i.name_en, target_percent: targets[i.code] != null ? Number(targets[i.code]) : i.target_percent }));
    if (await act.run(() => call(api.PUT("/api/v1/insight/criteria", { body })).then(() => true))) {
      setTargets({});
      setSaved(t("common.saved"));
      criteria.reload();
    }
  }
  async function snapshot() {
    const run = await act.run(() => call(api.POST("/api/v1/insight/criteria/snapshots", { body: {} })));
    if (run) {
      setSaved(t("adminOps.dash.snapshotKept", { month: run.month, count: formatNumber(run.indicators.length) }));
      history.reload();
    }
  }

  return (
    <>
      <div class="spread">
        <h2>{t("adminOps.dash.criteria")}</h2>
        <div class="row">
          {list.length > 0 && (
            <button type="button" onClick={snapshot} disabled={act.busy}>
              {t("adminOps.dash.snapshot")}
            </button>
          )}
          {changed && (
            <button type="button" class="primary" onClick={saveTargets} disabled={act.busy}>
              {t("adminOps.dash.saveTargets")}
            </button>
          )}
        </div>
      </div>
      {saved && <Notice kind="ok">{saved}</Notice>}
      <ErrorNotice error={act.error ?? criteria.error} onRetry={criteria.reload} />
      {criteria.loading && !criteria.data && <Loading />}
      {criteria.data && list.length === 0 && <Empty />}
      <ul class="plain criteria">
        {list.map((i) => (
          <CriterionItem key={i.code} item={i} target={targets[i.code]} onTarget={(v) => setTargets((prev) => ({ ...prev, [i.code]: v }))} />
        ))}
      </ul>
      <h2>{t("adminOps.dash.history")}</h2>
      <ErrorNotice error={history.error} onRetry={history.reload} />
      {history.data && <History snapshots={history.data} criteria={list} />}
    </>
  );
}

function CriterionItem(props: { item: Indicator; target?: string; onTarget: (v: string) => void }) {
  const i = props.item;
  const value = i.value_percent ?? 0;
  const status = i.met == null ? "unknown" : i.met ? "met" : "unmet";
  return (
    <li class="card criterion">
      <div class="spread">
        <strong>{nameOf(i)}</strong>
        <span class={`badge st-${status}`}>{label("adminOps.dash", status)}</span>
      </div>
      <div class="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={value} aria-label={t("adminOps.dash.valueOf", { name: nameOf(i) })}>
        <span class="meter-fill" style={{ width: `${Math.min(100, Math.max(0, value))}%` }} />
        <span class="meter-target" style={{ left: `${Math.min(100, Math.max(0, i.target_percent))}%` }} />
      </div>
      <div class="row">
        <span>{t("adminOps.dash.valueVsTarget", { value: pct(i.value_percent), target: pct(i.target_percent) })}</span>
        <span class="muted">{t("adminOps.dash.ratio", { num: formatNumber(i.numerator), den: formatNumber(i.denominator) })}</span>
      </div>
      <label class="inline-field">
        <span>{t("adminOps.dash.target")}</span>
        <input type="number" min={0} max={100} step="any" value={props.target ?? String(i.target_percent)} onInput={(e) => props.onTarget(e.currentTarget.value)} />
      </label>
      {Object.keys(i.evidence ?? {}).length > 0 && (
        <details>
          <summary>{t("adminOps.dash.evidence")}</summary>
          <dl class="facts">
            {Object.entries(i.evidence).map(([k, v]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd>{typeof v === "number" ? formatNumber(v) : typeof v === "string" ? v : JSON.stringify(v)}</dd>
              </Fragment>
            ))}
          </dl>
        </details>
      )}
    </li>
  );
}

function History(props: { snapshots: Snapshot[]; criteria: Indicator[] }) {
  if (props.snapshots.length === 0) return <Empty text={t("adminOps.dash.noHistory")} />;
  const byCode = new Map<string, Snapshot[]>();
  for (const s of props.snapshots) byCode.set(s.code, [...(byCode.get(s.code) ?? []), s]);
  const names = new Map(props.criteria.map((c) => [c.code, nameOf(c)]));
  const months = [...new Set(props.snapshots.map((s) => s.month))].sort();
  return (
    <>
      <div class="charts">
        {[...byCode.entries()].map(([code, rows]) => (
          <LineChart
            key={code}
            title={names.get(code) ?? code}
            unit="%"
            points={rows.filter((r) => r.value_percent != null).map((r) => ({ x: Date.parse(`${r.month}-01T00:00:00+07:00`), y: r.value_percent as number }))}
          />
        ))}
      </div>
      <table class="list">
        <thead>
          <tr>
            <th>{t("adminOps.dash.criterion")}</th>
            {months.map((m) => (
              <th key={m}>{m}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...byCode.entries()].map(([code, rows]) => (
            <tr key={code}>
              <td>{names.get(code) ?? code}</td>
              {months.map((m) => {
                const r = rows.find((x) => x.month === m);
                return (
                  <td key={m} data-label={m} class="num" title={r ? formatDateTime(r.computed_at) : undefined}>
                    {r ? pct(r.value_percent) : "—"}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
