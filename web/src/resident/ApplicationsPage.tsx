import { useId, useState } from "preact/hooks";
import { call } from "../api/client";
import { formatDate, formatDateTime, formatNumber } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Loading, Notice } from "../ui/components";
import { codeLabel } from "./labels";
import { BackLink, loadWithOffline, LoadNotices, type ScreenProps } from "./screen";

/** The resident's own applications (hồ sơ) and each one's status history. */
export default function ApplicationsPage(props: ScreenProps) {
  useLang();
  const id = Number(props.params[0]);
  return props.params[0] && Number.isInteger(id) ? <ApplicationDetail {...props} id={id} /> : <ApplicationList {...props} />;
}

function StatusBadge({ status }: { status: string }) {
  return <span class={`badge app-${status}`}>{codeLabel("resident.appStatus", status)}</span>;
}

function useProcedureNames(api: ScreenProps["api"]) {
  const list = useAsync(() => loadWithOffline(api.GET("/api/v1/public/procedures")).catch(() => null), [api]);
  return new Map((list.data?.data ?? []).map((p) => [p.id, p.name]));
}

function ApplicationList({ api }: ScreenProps) {
  const apps = useAsync(() => loadWithOffline(api.GET("/api/v1/applications", { params: { query: { limit: 50 } } })), [api]);
  const names = useProcedureNames(api);
  const items = apps.data?.data ?? [];
  return (
    <section>
      <div class="spread">
        <h1>{t("resident.nav.applications")}</h1>
        <a class="button" href="#/procedures">
          {t("resident.procedures.title")}
        </a>
      </div>
      <LoadNotices state={apps} />
      {apps.loading && !apps.data && <Loading />}
      {apps.data && items.length === 0 && <Empty text={t("resident.applications.empty")} />}
      <ul class="plain cards">
        {items.map((a) => (
          <li key={a.id}>
            <a class="card-link" href={`#/applications/${a.id}`}>
              <span class="spread">
                <strong>{names.get(a.procedure_id) ?? t("resident.applications.number", { id: a.id })}</strong>
                <StatusBadge status={a.status} />
              </span>
              <span class="meta">
                {t("resident.applications.number", { id: a.id })} · {t("resident.applications.due", { date: formatDate(a.due_date) })}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The commune asked for more documents: send them (and a note); the application goes back to processing. */
function SupplementForm(props: { api: ScreenProps["api"]; id: number; onDone: () => void }) {
  const [note, setNote] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const noteId = useId();
  const filesId = useId();
  return (
    <form
      class="card"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const form = new FormData();
          form.append("note", note.trim());
          for (const f of files) form.append("files", f, f.name);
          await call(
            props.api.POST("/api/v1/applications/{application_id}/supplement", {
              params: { path: { application_id: props.id } },
              body: form as never,
              bodySerializer: (b: unknown) => b as FormData,
            }),
          );
          props.onDone();
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Notice kind="info">{t("resident.applications.needsInfo")}</Notice>
      <div class="field">
        <label for={noteId}>{t("resident.applications.supplementNote")}</label>
        <textarea id={noteId} name="note" rows={3} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={filesId}>{t("resident.procedures.files")}</label>
        <input id={filesId} name="files" type="file" multiple accept="image/*,application/pdf" onChange={(e) => setFiles([...(e.currentTarget.files ?? [])])} />
        {files.length > 0 && <small>{t("resident.procedures.filesPicked", { count: formatNumber(files.length) })}</small>}
      </div>
      <ErrorNotice error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t("resident.report.sending") : t("resident.applications.supplement")}
      </button>
    </form>
  );
}

/** The applicant's own files: each opens in a new tab (fetched with the session, never a bare URL). */
function Attachments(props: { api: ScreenProps["api"]; id: number; files: { id: number; label: string }[] }) {
  const [error, setError] = useState<unknown>(null);
  async function open(fileId: number) {
    setError(null);
    const tab = window.open("", "_blank");
    try {
      const blob = (await call(
        props.api.GET("/api/v1/applications/{application_id}/files/{attachment_id}", {
          params: { path: { application_id: props.id, attachment_id: fileId } },
          parseAs: "blob",
        }),
      )) as Blob;
      const url = URL.createObjectURL(blob);
      if (tab) tab.location.href = url;
      else location.assign(url);
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      tab?.close();
      setError(err);
    }
  }
  return (
    <>
      <h2>{t("resident.applications.attachments", { count: props.files.length })}</h2>
      <ul class="plain">
        {props.files.map((f) => (
          <li key={f.id}>
            <button type="button" class="linklike" onClick={() => void open(f.id)} aria-label={t("resident.applications.openFile", { name: f.label })}>
              {f.label}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNotice error={error} />
    </>
  );
}

function ApplicationDetail({ api, id }: ScreenProps & { id: number }) {
  const app = useAsync(() => loadWithOffline(api.GET("/api/v1/applications/{application_id}", { params: { path: { application_id: id } } })), [api, id]);
  const names = useProcedureNames(api);
  const a = app.data?.data;
  return (
    <section>
      <BackLink route="/applications" label={t("resident.nav.applications")} />
      <LoadNotices state={app} />
      {app.loading && !a && <Loading />}
      {a && (
        <>
          <div class="spread">
            <h1>{names.get(a.procedure_id) ?? t("resident.applications.number", { id: a.id })}</h1>
            <StatusBadge status={a.status} />
          </div>
          <dl class="facts">
            <dt>{t("resident.applications.submitted")}</dt>
            <dd>{formatDateTime(a.submitted_at)}</dd>
            <dt>{t("resident.applications.dueLabel")}</dt>
            <dd>{formatDate(a.due_date)}</dd>
            <dt>{t("resident.procedures.applicant")}</dt>
            <dd>{a.applicant_name}</dd>
          </dl>
          {a.details && <p class="prewrap">{a.details}</p>}
          {a.status === "needs_info" && <SupplementForm api={api} id={a.id} onDone={app.reload} />}
          {a.attachments.length > 0 && <Attachments api={api} id={a.id} files={a.attachments} />}
          <h2>{t("resident.myReports.history")}</h2>
          <ol class="timeline">
            {a.history.map((e) => (
              <li key={e.id}>
                <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
                <strong>{t("resident.myReports.statusTo", { status: codeLabel("resident.appStatus", e.to_status) })}</strong>
                {e.note && <p class="prewrap">{e.note}</p>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
