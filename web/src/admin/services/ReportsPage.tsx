import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { call, type Api } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDateTime } from "../../i18n/format";
import { useRoute } from "../../lib/router";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Loading, SelectField } from "../../ui/components";
import { Check, Section, codeLabel } from "../people/shared";
import { ReportDetailView } from "./ReportDetail";
import { BOARD_COLUMNS, bySla, columnOf, slaState, type Report } from "./reportShared";

type MapComponent = ComponentType<{ reports: Report[]; categoryName: (id: number) => string }>;

/** The triage board: reports in columns by status, overdue first and highlighted; a map view; the detail. */
export function ReportsPage({ api }: { api: Api }) {
  useLang();
  const route = useRoute();
  const id = /^\/reports\/(\d+)/.exec(route)?.[1];
  const categories = useAsync(() => call(api.GET("/api/v1/report-categories")), [api]);
  const categoryName = (cid: number) => categories.data?.find((c) => c.id === cid)?.name ?? `#${cid}`;
  if (id) return <ReportDetailView api={api} id={Number(id)} categoryName={categoryName} />;
  return <Board api={api} categories={categories.data ?? []} categoryName={categoryName} />;
}

function Board(props: { api: Api; categories: { id: number; name: string }[]; categoryName: (id: number) => string }) {
  const [category, setCategory] = useState("");
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [view, setView] = useState<"board" | "map">("board");
  const list = useAsync(
    () =>
      call(
        props.api.GET("/api/v1/triage/reports", {
          params: { query: { limit: 500, category_id: category ? Number(category) : undefined, overdue: overdueOnly || undefined } },
        }),
      ),
    [props.api, category, overdueOnly],
  );
  const reports = list.data ?? [];

  return (
    <Section title={t("adminPeople.reports.title")}>
      <div class="card filters">
        <SelectField
          label={t("adminPeople.reports.category")}
          name="category"
          value={category}
          onChange={(e) => setCategory(e.currentTarget.value)}
          options={[{ value: "", label: t("common.all") }, ...props.categories.map((c) => ({ value: String(c.id), label: c.name }))]}
        />
        <Check label={t("adminPeople.reports.overdueOnly")} checked={overdueOnly} onChange={setOverdueOnly} />
        <div class="row" role="group" aria-label={t("adminPeople.reports.view")}>
          <button type="button" aria-pressed={view === "board"} onClick={() => setView("board")}>
            {t("adminPeople.reports.board")}
          </button>
          <button type="button" aria-pressed={view === "map"} onClick={() => setView("map")}>
            {t("adminPeople.reports.map")}
          </button>
        </div>
      </div>
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && reports.length === 0 && <Empty />}
      {reports.length > 0 && view === "map" && <LazyMap reports={reports} categoryName={props.categoryName} />}
      {reports.length > 0 && view === "board" && (
        <div class="board">
          {BOARD_COLUMNS.map((col) => {
            const cards = reports.filter((r) => columnOf(r.status) === col).sort(bySla);
            return (
              <section key={col} class="board-col" aria-label={codeLabel("adminPeople.reports.column", col)}>
                <h2>
                  <span>{codeLabel("adminPeople.reports.column", col)}</span>
                  <span class="badge">{cards.length}</span>
                </h2>
                {cards.map((r) => (
                  <ReportCard key={r.id} report={r} categoryName={props.categoryName} />
                ))}
              </section>
            );
          })}
        </div>
      )}
    </Section>
  );
}

function ReportCard({ report: r, categoryName }: { report: Report; categoryName: (id: number) => string }) {
  const sla = slaState(r);
  return (
    <a class={`board-card ${sla === "overdue" ? "overdue" : ""}`} href={`#/reports/${r.id}`}>
      <strong>{t("adminPeople.reports.cardLabel", { id: r.id, category: categoryName(r.category_id) })}</strong>
      <span class="clamp">{r.redacted_description ?? r.description}</span>
      <span class="meta">
        {sla !== "done" && <span class={`badge sla-${sla} ${sla === "overdue" ? "overdue" : ""}`}>{codeLabel("adminPeople.reports.sla", sla)}</span>}
        <span>{t("adminPeople.reports.due", { at: formatDateTime(r.sla_due_at) })}</span>
        {r.status !== columnOf(r.status) && <span>{codeLabel("adminPeople.report.status", r.status)}</span>}
        {r.assignee && <span>{t("adminPeople.reports.assignedTo", { who: r.assignee })}</span>}
        {r.photos.length > 0 && <span>{t("adminPeople.reports.photoCount", { count: r.photos.length })}</span>}
      </span>
    </a>
  );
}

/** The map view's code is fetched the first time someone opens it. */
function LazyMap(props: { reports: Report[]; categoryName: (id: number) => string }) {
  const [Map, setMap] = useState<MapComponent | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    import("./ReportMap").then((m) => setMap(() => m.ReportMap), setError);
  }, []);
  if (error) return <ErrorNotice error={error} />;
  return Map ? <Map {...props} /> : <Loading />;
}
