import { useId, useState } from "preact/hooks";
import { call, type Schemas } from "../api/client";
import { formatNumber, formatVnd } from "../i18n/format";
import { t, useLang } from "../i18n";
import { navigate } from "../lib/router";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice } from "../ui/components";
import { codeLabel } from "./labels";
import { BackLink, loadWithOffline, LoadNotices, type ScreenProps } from "./screen";
import { localPhone } from "./phone";

type Procedure = Schemas["ProcedureOut"];

export default function ProceduresPage(props: ScreenProps) {
  useLang();
  const catalogue = useAsync(() => loadWithOffline(props.api.GET("/api/v1/public/procedures")), [props.api]);
  const id = Number(props.params[0]);
  const picked = props.params[0] ? catalogue.data?.data.find((p) => p.id === id) : undefined;
  const [q, setQ] = useState("");
  if (props.params[0]) {
    return (
      <section>
        <BackLink route="/procedures" label={t("resident.procedures.title")} />
        <ErrorNotice error={catalogue.error} onRetry={catalogue.reload} />
        {catalogue.loading && !catalogue.data && <Loading />}
        {catalogue.data && !picked && <Empty text={t("resident.procedures.notFound")} />}
        {picked && <ProcedureDetail {...props} procedure={picked} />}
      </section>
    );
  }
  const needle = q.trim().toLocaleLowerCase("vi");
  const items = (catalogue.data?.data ?? []).filter((p) => !needle || `${p.name} ${p.field}`.toLocaleLowerCase("vi").includes(needle));
  return (
    <section>
      <div class="spread">
        <h1>{t("resident.procedures.title")}</h1>
        <a class="button" href="#/applications">
          {t("resident.nav.applications")}
        </a>
      </div>
      <Field label={t("common.search")} name="q" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      <LoadNotices state={catalogue} />
      {catalogue.loading && !catalogue.data && <Loading />}
      {catalogue.data && items.length === 0 && <Empty text={t("resident.procedures.empty")} />}
      <ul class="plain cards">
        {items.map((p) => (
          <li key={p.id}>
            <a class="card-link" href={`#/procedures/${p.id}`}>
              <strong>{p.name}</strong>
              <span class="meta">
                {p.field} · {t("resident.procedures.days", { days: formatNumber(p.processing_days) })}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ProcedureDetail(props: ScreenProps & { procedure: Procedure }) {
  const p = props.procedure;
  return (
    <>
      <h1>{p.name}</h1>
      <dl class="facts">
        <dt>{t("resident.procedures.field")}</dt>
        <dd>{p.field}</dd>
        <dt>{t("resident.procedures.processing")}</dt>
        <dd>{t("resident.procedures.days", { days: formatNumber(p.processing_days) })}</dd>
        <dt>{t("resident.procedures.fee")}</dt>
        <dd>{p.fee_vnd > 0 ? formatVnd(p.fee_vnd) : t("resident.procedures.free")}</dd>
        <dt>{t("resident.procedures.mode")}</dt>
        <dd>{codeLabel("resident.procedureMode", p.mode)}</dd>
      </dl>
      {p.fee_note && <p class="muted">{p.fee_note}</p>}
      {p.required_documents.length > 0 && (
        <>
          <h2>{t("resident.procedures.documents")}</h2>
          <ul>
            {p.required_documents.map((d, i) => (
              <li key={i}>{d}</li>
            ))}
          </ul>
        </>
      )}
      {p.legal_basis && (
        <>
          <h2>{t("resident.procedures.legal")}</h2>
          <p class="prewrap">{p.legal_basis}</p>
        </>
      )}
      {p.mode === "in_person" ? <Notice kind="info">{t("resident.procedures.inPerson")}</Notice> : <ApplyForm {...props} />}
    </>
  );
}

function ApplyForm(props: ScreenProps & { procedure: Procedure }) {
  const phone = localPhone(props.session.username);
  const [name, setName] = useState("");
  const [tel, setTel] = useState(phone);
  const [details, setDetails] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const detailsId = useId();
  const filesId = useId();

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const form = new FormData();
      form.append("procedure_id", String(props.procedure.id));
      form.append("applicant_name", name.trim());
      if (tel.trim()) form.append("applicant_phone", tel.trim());
      form.append("details", details.trim());
      for (const f of files) form.append("files", f, f.name);
      const app = await call(props.api.POST("/api/v1/applications", { body: form as never, bodySerializer: (b: unknown) => b as FormData }));
      navigate(`/applications/${app.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit}>
      <h2>{t("resident.procedures.apply")}</h2>
      <Field label={t("resident.procedures.applicant")} name="applicant_name" required maxLength={120} autocomplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <Field label={t("resident.procedures.phone")} name="applicant_phone" type="tel" inputMode="tel" autocomplete="tel" value={tel} onInput={(e) => setTel(e.currentTarget.value)} />
      <div class="field">
        <label for={detailsId}>{t("resident.procedures.details")}</label>
        <textarea id={detailsId} name="details" rows={4} maxLength={4000} value={details} onInput={(e) => setDetails(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={filesId}>{t("resident.procedures.files")}</label>
        <input id={filesId} name="files" type="file" multiple accept="image/*,application/pdf" onChange={(e) => setFiles([...(e.currentTarget.files ?? [])])} />
        {files.length > 0 && <small>{t("resident.procedures.filesPicked", { count: formatNumber(files.length) })}</small>}
      </div>
      <ErrorNotice error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t("resident.report.sending") : t("resident.procedures.submit")}
      </button>
    </form>
  );
}
