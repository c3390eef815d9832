import { useEffect, useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { formatDateTime } from "../../i18n/format";
import { useAsync } from "../../lib/useAsync";
import { ErrorNotice, Field, Loading, Notice, SelectField } from "../../ui/components";
import { TextArea, codeLabel, reloadAfterWrite, useAction } from "../people/shared";
import { TRANSITIONS, slaState } from "./reportShared";

type Detail = Schemas["ReportDetail"];
type Status = Schemas["smartcommune__platform__reports__schemas__TransitionIn"]["to"];

/** +84912345678 → 0912 345 678 (what officials dial). */
export function phoneDisplay(phone: string): string {
  const local = phone.startsWith("+84") ? `0${phone.slice(3)}` : phone;
  return /^0\d{9}$/.test(local) ? `${local.slice(0, 4)} ${local.slice(4, 7)} ${local.slice(7)}` : local;
}

/** One report: photos, the reporter's text, history with internal notes set apart, and what to do next. */
export function ReportDetailView(props: { api: Api; id: number; categoryName: (id: number) => string }) {
  const { api, id } = props;
  const report = useAsync(() => call(api.GET("/api/v1/triage/reports/{report_id}", { params: { path: { report_id: id } } })), [api, id]);
  const [message, setMessage] = useState<string | null>(null);
  const done = (text: string) => {
    setMessage(text);
    reloadAfterWrite(report.reload);
  };

  return (
    <section>
      <a href="#/reports" class="button" style={{ display: "inline-flex", alignItems: "center", marginBottom: "0.75rem" }}>
        {t("adminPeople.reports.back")}
      </a>
      <ErrorNotice error={report.error} onRetry={report.reload} />
      {report.loading && !report.data && <Loading />}
      {report.data && (
        <>
          <h1>{t("adminPeople.reports.detailTitle", { id, category: props.categoryName(report.data.category_id) })}</h1>
          {message && <Notice kind="ok">{message}</Notice>}
          <Summary report={report.data} />
          <Photos api={api} report={report.data} />
          <Actions api={api} report={report.data} onDone={done} />
          <Conversation api={api} report={report.data} onDone={done} />
          <Assign api={api} report={report.data} onDone={done} />
        </>
      )}
    </section>
  );
}

function Summary({ report: r }: { report: Detail }) {
  const sla = slaState(r);
  return (
    <div class="card">
      <div class="row">
        <span class={`badge ap-st-${r.status}`}>{codeLabel("adminPeople.report.status", r.status)}</span>
        {sla !== "done" && <span class={`badge ${sla === "overdue" ? "overdue" : ""}`}>{codeLabel("adminPeople.reports.sla", sla)}</span>}
        {r.hidden && <span class="badge">{t("adminPeople.reports.hidden")}</span>}
      </div>
      <p class="pre">{r.redacted_description ?? r.description}</p>
      <dl class="grid2">
        <div>
          <dt class="muted">{t("adminPeople.reports.reporter")}</dt>
          <dd>
            {r.anonymous ? t("adminPeople.reports.anonymous") : (r.reporter_display ?? r.reporter_name ?? t("adminOps.report.unknownReporter"))}
            {!r.anonymous && r.reporter_phone && <div class="muted">{phoneDisplay(r.reporter_phone)}</div>}
          </dd>
        </div>
        <div>
          <dt class="muted">{t("adminPeople.reports.place")}</dt>
          <dd>{r.address ?? r.address_code ?? (r.lat != null && r.lng != null ? `${r.lat.toFixed(5)}, ${r.lng.toFixed(5)}` : "—")}</dd>
        </div>
        <div>
          <dt class="muted">{t("adminPeople.reports.created")}</dt>
          <dd>{formatDateTime(r.created_at)}</dd>
        </div>
        <div>
          <dt class="muted">{t("adminPeople.reports.deadline")}</dt>
          <dd>{formatDateTime(r.sla_due_at)}</dd>
        </div>
        <div>
          <dt class="muted">{t("adminPeople.reports.assignee")}</dt>
          <dd>{r.assignee ? (r.assignee_name ?? r.assignee) : t("adminOps.report.unassigned")}</dd>
        </div>
        {r.rating != null && (
          <div>
            <dt class="muted">{t("adminPeople.reports.rating")}</dt>
            <dd>{t("adminPeople.reports.ratingValue", { rating: r.rating, comment: r.rating_comment ?? "" })}</dd>
          </div>
        )}
      </dl>
    </div>
  );
}

/** Photos come through the platform with the official's token, so they are fetched and shown as blobs. */
function Photos({ api, report }: { api: Api; report: Detail }) {
  const [urls, setUrls] = useState<{ id: number; url: string }[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    const made: string[] = [];
    Promise.all(
      report.photos.map(async (p) => {
        const blob = await call(
          api.GET("/api/v1/triage/reports/{report_id}/photos/{photo_id}", {
            params: { path: { report_id: report.id, photo_id: p.id } },
            parseAs: "blob",
          }),
        );
        const url = URL.createObjectURL(blob as Blob);
        made.push(url);
        return { id: p.id, url };
      }),
    ).then((list) => live && setUrls(list), (e: unknown) => live && setError(e));
    return () => {
      live = false;
      made.forEach((u) => URL.revokeObjectURL(u));
    };
  }, [api, report.id, report.photos.map((p) => p.id).join(",")]);
  if (report.photos.length === 0) return null;
  return (
    <div class="card">
      <h2>{t("adminPeople.reports.photos")}</h2>
      <ErrorNotice error={error} />
      <div class="photos">
        {urls.map((p, i) => (
          <a key={p.id} href={p.url} target="_blank" rel="noopener">
            <img src={p.url} alt={t("adminPeople.reports.photoAlt", { n: i + 1 })} />
          </a>
        ))}
      </div>
    </div>
  );
}

function Actions({ api, report, onDone }: { api: Api; report: Detail; onDone: (text: string) => void }) {
  const [note, setNote] = useState("");
  const [duplicateOf, setDuplicateOf] = useState("");
  const act = useAction();
  const moves = TRANSITIONS[report.status] ?? [];
  if (moves.length === 0) return null;

  async function move(to: Status) {
    const ok = await act.run(() =>
      call(
        api.POST("/api/v1/triage/reports/{report_id}/transition", {
          params: { path: { report_id: report.id } },
          body: { to, note: note.trim(), duplicate_of: to === "duplicate" && duplicateOf ? Number(duplicateOf) : null },
        }),
      ),
    );
    if (ok) {
      setNote("");
      onDone(t("adminPeople.reports.moved", { status: codeLabel("adminPeople.report.status", to) }));
    }
  }

  return (
    <div class="card">
      <h2>{t("adminPeople.reports.next")}</h2>
      <TextArea label={t("adminPeople.reports.note")} name="transition-note" maxLength={2000} rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} hint={t("adminPeople.reports.noteHint")} />
      {moves.includes("duplicate") && (
        <Field label={t("adminPeople.reports.duplicateOf")} name="duplicate_of" type="number" min={1} inputMode="numeric" value={duplicateOf} onInput={(e) => setDuplicateOf(e.currentTarget.value)} />
      )}
      <ErrorNotice error={act.error} />
      <div class="row">
        {moves.map((to) => (
          <button key={to} type="button" class={to === "rejected" || to === "duplicate" ? "danger" : "primary"} disabled={act.busy} onClick={() => void move(to as Status)}>
            {codeLabel("adminPeople.reports.action", to)}
          </button>
        ))}
      </div>
    </div>
  );
}

function Conversation({ api, report, onDone }: { api: Api; report: Detail; onDone: (text: string) => void }) {
  const [text, setText] = useState("");
  const act = useAction();

  async function send(internal: boolean) {
    const body = { body: text.trim() };
    const params = { path: { report_id: report.id } };
    const ok = await act.run(() =>
      call(internal ? api.POST("/api/v1/triage/reports/{report_id}/notes", { params, body }) : api.POST("/api/v1/triage/reports/{report_id}/replies", { params, body })),
    );
    if (ok) {
      setText("");
      onDone(t(internal ? "adminPeople.reports.noteSaved" : "adminPeople.reports.replySent"));
    }
  }

  return (
    <div class="card">
      <h2>{t("adminPeople.reports.history")}</h2>
      <ol class="timeline">
        {report.events.map((e) => (
          <li key={e.id} class={e.internal ? "internal" : ""}>
            <div class="meta">
              {t("adminPeople.reports.eventMeta", { at: formatDateTime(e.created_at), actor: e.actor })}
              {e.internal && <strong>{` · ${t("adminPeople.reports.internal")}`}</strong>}
            </div>
            {e.kind === "status" && (
              <div>
                {t("adminPeople.reports.statusChange", {
                  from: codeLabel("adminPeople.report.status", e.from_status),
                  to: codeLabel("adminPeople.report.status", e.to_status),
                })}
              </div>
            )}
            {e.body && <div class="pre">{e.body}</div>}
          </li>
        ))}
      </ol>
      <TextArea label={t("adminPeople.reports.message")} name="comment" maxLength={2000} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <ErrorNotice error={act.error} />
      <div class="row">
        <button type="button" class="primary" disabled={act.busy || !text.trim()} onClick={() => void send(false)}>
          {t("adminPeople.reports.reply")}
        </button>
        <button type="button" disabled={act.busy || !text.trim()} onClick={() => void send(true)}>
          {t("adminPeople.reports.addNote")}
        </button>
      </div>
    </div>
  );
}

function Assign({ api, report, onDone }: { api: Api; report: Detail; onDone: (text: string) => void }) {
  const [assignee, setAssignee] = useState(report.assignee ?? "");
  const staff = useAsync(() => call(api.GET("/api/v1/triage/staff")), [api]);
  const act = useAction();
  const people = staff.data ?? [];
  const name = (id: string) => people.find((p) => p.id === id)?.display_name ?? id;

  async function submit(e: Event) {
    e.preventDefault();
    if (!assignee) return;
    const ok = await act.run(() =>
      call(api.POST("/api/v1/triage/reports/{report_id}/assign", { params: { path: { report_id: report.id } }, body: { assignee } })),
    );
    if (ok) onDone(t("adminPeople.reports.assigned", { who: name(assignee) }));
  }

  return (
    <form class="card" onSubmit={submit} aria-label={t("adminPeople.reports.assign")}>
      <h2>{t("adminPeople.reports.assign")}</h2>
      <ErrorNotice error={staff.error} onRetry={staff.reload} />
      <SelectField
        label={t("adminPeople.reports.assignee")}
        name="assignee"
        required
        value={assignee}
        onChange={(e) => setAssignee(e.currentTarget.value)}
        options={[
          { value: "", label: t("adminOps.report.pickStaff") },
          ...people.map((p) => ({ value: p.id, label: p.username && p.username !== p.display_name ? `${p.display_name} (${p.username})` : p.display_name })),
        ]}
      />
      <ErrorNotice error={act.error} />
      <button type="submit" class="primary" disabled={act.busy || !assignee}>
        {t("adminPeople.reports.assignSubmit")}
      </button>
    </form>
  );
}
