import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDate, formatDateTime, formatVnd } from "../../i18n/format";
import { useRoute } from "../../lib/router";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../../ui/components";
import { Check, Section, TextArea, codeLabel, reloadAfterWrite, useAction } from "../people/shared";

type Procedure = Schemas["ProcedureOut"];
type Status = Schemas["smartcommune__platform__procedures__schemas__TransitionIn"]["to"];
type Mode = NonNullable<Schemas["ProcedureIn"]["mode"]>;
export const APPLICATION_STATUSES: Status[] = ["received", "processing", "needs_info", "approved", "rejected", "ready_for_pickup", "delivered"];
/** Mirrors smartcommune.platform.procedures.service.TRANSITIONS. */
export const APPLICATION_MOVES: Record<string, Status[]> = {
  received: ["processing", "rejected"],
  processing: ["needs_info", "approved", "rejected"],
  needs_info: ["processing", "rejected"],
  approved: ["ready_for_pickup"],
  ready_for_pickup: ["delivered"],
};
const MODES: Mode[] = ["online", "in_person", "both"];

/** Procedures: the applications queue by status and due date, each application's history, the catalogue. */
export function ProceduresPage({ api }: { api: Api }) {
  useLang();
  const route = useRoute();
  const procedures = useAsync(() => call(api.GET("/api/v1/procedures")), [api]);
  const appId = /^\/procedures\/applications\/(\d+)/.exec(route)?.[1];
  const tab = route.startsWith("/procedures/catalogue") ? "catalogue" : "queue";
  const nameOf = (id: number) => procedures.data?.find((p) => p.id === id)?.name ?? `#${id}`;
  if (appId) return <ApplicationView api={api} id={Number(appId)} procedureName={nameOf} />;
  return (
    <Section title={t("adminPeople.proc.title")}>
      <nav class="subtabs" aria-label={t("adminPeople.proc.title")}>
        <a class="button" href="#/procedures" aria-current={tab === "queue" ? "page" : undefined}>
          {t("adminPeople.proc.queue")}
        </a>
        <a class="button" href="#/procedures/catalogue" aria-current={tab === "catalogue" ? "page" : undefined}>
          {t("adminPeople.proc.catalogue")}
        </a>
      </nav>
      <ErrorNotice error={procedures.error} onRetry={procedures.reload} />
      {tab === "queue" ? <Queue api={api} procedureName={nameOf} /> : <Catalogue api={api} list={procedures.data} reload={procedures.reload} />}
    </Section>
  );
}

function Queue({ api, procedureName }: { api: Api; procedureName: (id: number) => string }) {
  const [status, setStatus] = useState("");
  const list = useAsync(
    () => call(api.GET("/api/v1/one-stop/applications", { params: { query: { status: (status || undefined) as Status | undefined, limit: 500 } } })),
    [api, status],
  );
  const rows = [...(list.data ?? [])].sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.due_date.localeCompare(b.due_date));
  return (
    <>
      <div class="card filters">
        <SelectField
          label={t("adminPeople.proc.status")}
          name="status"
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value)}
          options={[{ value: "", label: t("common.all") }, ...APPLICATION_STATUSES.map((s) => ({ value: s, label: codeLabel("adminPeople.app.status", s) }))]}
        />
      </div>
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && rows.length === 0 && <Empty />}
      {rows.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("adminPeople.proc.application")}</th>
              <th>{t("adminPeople.proc.applicant")}</th>
              <th>{t("adminPeople.proc.status")}</th>
              <th>{t("adminPeople.proc.due")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id}>
                <td data-label={t("adminPeople.proc.application")}>
                  <a href={`#/procedures/applications/${a.id}`}>{t("adminPeople.proc.appLink", { id: a.id, name: procedureName(a.procedure_id) })}</a>
                  <div class="muted">{formatDateTime(a.submitted_at)}</div>
                </td>
                <td data-label={t("adminPeople.proc.applicant")}>{a.applicant_name}</td>
                <td data-label={t("adminPeople.proc.status")}>
                  <span class={`badge ap-st-${a.status}`}>{codeLabel("adminPeople.app.status", a.status)}</span>
                </td>
                <td data-label={t("adminPeople.proc.due")}>
                  {formatDate(a.due_date)} {a.overdue && <span class="badge overdue">{t("adminPeople.proc.overdue")}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function ApplicationView(props: { api: Api; id: number; procedureName: (id: number) => string }) {
  const { api, id } = props;
  const app = useAsync(() => call(api.GET("/api/v1/one-stop/applications/{application_id}", { params: { path: { application_id: id } } })), [api, id]);
  const [note, setNote] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const act = useAction();
  const file = useAction();

  async function move(to: Status) {
    const ok = await act.run(() =>
      call(api.POST("/api/v1/one-stop/applications/{application_id}/transition", { params: { path: { application_id: id } }, body: { to, note: note.trim() } })),
    );
    if (ok) {
      setNote("");
      setMessage(t("adminPeople.proc.moved", { status: codeLabel("adminPeople.app.status", to) }));
      reloadAfterWrite(app.reload);
    }
  }

  async function open(attachmentId: number) {
    const blob = await file.run(() =>
      call(api.GET("/api/v1/one-stop/applications/{application_id}/files/{attachment_id}", { params: { path: { application_id: id, attachment_id: attachmentId } }, parseAs: "blob" })),
    );
    if (blob) window.open(URL.createObjectURL(blob as Blob), "_blank", "noopener");
  }

  const a = app.data;
  const moves = a ? (APPLICATION_MOVES[a.status] ?? []) : [];
  return (
    <section>
      <a href="#/procedures">{t("adminPeople.proc.back")}</a>
      <ErrorNotice error={app.error} onRetry={app.reload} />
      {app.loading && !a && <Loading />}
      {a && (
        <>
          <h1>{t("adminPeople.proc.appLink", { id: a.id, name: props.procedureName(a.procedure_id) })}</h1>
          {message && <Notice kind="ok">{message}</Notice>}
          <div class="card">
            <div class="row">
              <span class={`badge ap-st-${a.status}`}>{codeLabel("adminPeople.app.status", a.status)}</span>
              {a.overdue && <span class="badge overdue">{t("adminPeople.proc.overdue")}</span>}
            </div>
            <p>{t("adminPeople.proc.applicantLine", { name: a.applicant_name, phone: a.applicant_phone ?? "—" })}</p>
            <p>{t("adminPeople.proc.dueLine", { due: formatDate(a.due_date), at: formatDateTime(a.submitted_at) })}</p>
            {a.details && <p class="pre">{a.details}</p>}
            {a.attachments.length > 0 && (
              <ul class="plain picker">
                {a.attachments.map((f) => (
                  <li key={f.id}>
                    <span>{f.label}</span>
                    <button type="button" class="link" onClick={() => void open(f.id)}>
                      {t("adminPeople.proc.openFile", { name: f.label })}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <ErrorNotice error={file.error} />
          </div>
          {moves.length > 0 && (
            <div class="card">
              <h2>{t("adminPeople.reports.next")}</h2>
              <TextArea label={t("adminPeople.proc.note")} name="note" maxLength={2000} rows={2} hint={t("adminPeople.proc.noteHint")} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
              <ErrorNotice error={act.error} />
              <div class="row">
                {moves.map((to) => (
                  <button key={to} type="button" class={to === "rejected" ? "danger" : "primary"} disabled={act.busy} onClick={() => void move(to)}>
                    {codeLabel("adminPeople.app.action", to)}
                  </button>
                ))}
              </div>
            </div>
          )}
          <div class="card">
            <h2>{t("adminPeople.proc.history")}</h2>
            <ol class="timeline">
              {a.history.map((e) => (
                <li key={e.id}>
                  <div class="meta">{t("adminPeople.reports.eventMeta", { at: formatDateTime(e.created_at), actor: e.actor })}</div>
                  <div>
                    {t("adminPeople.reports.statusChange", {
                      from: codeLabel("adminPeople.app.status", e.from_status),
                      to: codeLabel("adminPeople.app.status", e.to_status),
                    })}
                  </div>
                  {e.note && <div class="pre">{e.note}</div>}
                </li>
              ))}
            </ol>
          </div>
        </>
      )}
    </section>
  );
}

function Catalogue(props: { api: Api; list: Procedure[] | undefined; reload: () => void }) {
  const [editing, setEditing] = useState<Procedure | "new" | null>(null);
  const [saved, setSaved] = useState(false);
  return (
    <>
      <button type="button" class="primary" onClick={() => setEditing("new")}>
        {t("adminPeople.proc.add")}
      </button>
      {saved && <Notice kind="ok">{t("common.saved")}</Notice>}
      {editing && (
        <ProcedureForm
          api={props.api}
          procedure={editing === "new" ? null : editing}
          onDone={(changed) => {
            setEditing(null);
            setSaved(changed);
            if (changed) reloadAfterWrite(props.reload);
          }}
        />
      )}
      {!props.list && <Loading />}
      {props.list && props.list.length === 0 && <Empty />}
      {props.list && props.list.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("adminPeople.proc.name")}</th>
              <th>{t("adminPeople.proc.field")}</th>
              <th>{t("adminPeople.proc.days")}</th>
              <th>{t("adminPeople.proc.fee")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {props.list.map((p) => (
              <tr key={p.id}>
                <td data-label={t("adminPeople.proc.name")}>
                  <strong>{p.name}</strong>
                  <div class="muted">
                    {p.code} · {codeLabel("adminPeople.proc.mode", p.mode)}
                  </div>
                  {!p.active && <span class="badge">{t("adminPeople.proc.inactive")}</span>}
                </td>
                <td data-label={t("adminPeople.proc.field")}>{p.field}</td>
                <td data-label={t("adminPeople.proc.days")} class="num">
                  {p.processing_days}
                </td>
                <td data-label={t("adminPeople.proc.fee")} class="num">
                  {formatVnd(p.fee_vnd)}
                </td>
                <td>
                  <button type="button" onClick={() => setEditing(p)} aria-label={t("adminPeople.people.editNamed", { name: p.name })}>
                    {t("common.edit")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function ProcedureForm(props: { api: Api; procedure: Procedure | null; onDone: (changed: boolean) => void }) {
  const p = props.procedure;
  const [form, setForm] = useState({
    code: p?.code ?? "",
    name: p?.name ?? "",
    field: p?.field ?? "",
    required_documents: p?.required_documents.join("\n") ?? "",
    fee_vnd: String(p?.fee_vnd ?? 0),
    fee_note: p?.fee_note ?? "",
    processing_days: String(p?.processing_days ?? 5),
    legal_basis: p?.legal_basis ?? "",
    mode: (p?.mode as Mode) ?? "online",
  });
  const [active, setActive] = useState(p?.active ?? true);
  const save = useAction();
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  const title = p ? t("adminPeople.people.editNamed", { name: p.name }) : t("adminPeople.proc.add");

  async function submit(e: Event) {
    e.preventDefault();
    const body = {
      name: form.name.trim(),
      field: form.field.trim(),
      required_documents: form.required_documents.split("\n").map((l) => l.trim()).filter(Boolean),
      fee_vnd: Number(form.fee_vnd || 0),
      fee_note: form.fee_note.trim(),
      processing_days: Number(form.processing_days || 0),
      legal_basis: form.legal_basis.trim(),
      mode: form.mode,
    };
    const ok = await save.run(() =>
      call(
        p
          ? props.api.PATCH("/api/v1/procedures/{procedure_id}", { params: { path: { procedure_id: p.id } }, body: { ...body, active } })
          : props.api.POST("/api/v1/procedures", { body: { ...body, code: form.code.trim() } }),
      ),
    );
    if (ok) props.onDone(true);
  }

  return (
    <form class="card" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <ErrorNotice error={save.error} />
      <div class="grid2">
        <Field label={t("adminPeople.proc.code")} name="code" required disabled={!!p} pattern="[A-Za-z0-9_.\-]+" maxLength={60} value={form.code} onInput={set("code")} />
        <Field label={t("adminPeople.proc.name")} name="name" required maxLength={300} value={form.name} onInput={set("name")} />
        <Field label={t("adminPeople.proc.field")} name="field" required maxLength={120} value={form.field} onInput={set("field")} />
        <SelectField label={t("adminPeople.proc.modeField")} name="mode" value={form.mode} onChange={set("mode")} options={MODES.map((m) => ({ value: m, label: codeLabel("adminPeople.proc.mode", m) }))} />
        <Field label={t("adminPeople.proc.days")} name="processing_days" type="number" min={0} max={365} required inputMode="numeric" value={form.processing_days} onInput={set("processing_days")} />
        <Field label={t("adminPeople.proc.fee")} name="fee_vnd" type="number" min={0} inputMode="numeric" value={form.fee_vnd} onInput={set("fee_vnd")} />
      </div>
      <Field label={t("adminPeople.proc.feeNote")} name="fee_note" maxLength={1000} value={form.fee_note} onInput={set("fee_note")} />
      <TextArea label={t("adminPeople.proc.documents")} name="required_documents" rows={3} hint={t("adminPeople.surveys.onePerLine")} value={form.required_documents} onInput={set("required_documents")} />
      <TextArea label={t("adminPeople.proc.legalBasis")} name="legal_basis" maxLength={4000} rows={2} value={form.legal_basis} onInput={set("legal_basis")} />
      {p && <Check label={t("adminPeople.proc.active")} checked={active} onChange={setActive} />}
      <div class="row">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("common.save")}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
