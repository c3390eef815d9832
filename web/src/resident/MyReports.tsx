import { useEffect, useState } from "preact/hooks";
import { call, type Schemas } from "../api/client";
import { formatDateTime, formatNumber } from "../i18n/format";
import { getLang, t, useLang } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice } from "../ui/components";
import { AuthImage } from "./AuthImage";
import { loadCategories, type Category } from "./categories";
import { codeLabel } from "./labels";
import type { QueuedReport } from "./outbox";
import { BackLink, loadWithOffline, LoadNotices, type ScreenProps } from "./screen";

type Report = Schemas["ReportOut"];
type Detail = Schemas["ReportDetail"];

export default function MyReports(props: ScreenProps) {
  useLang();
  const categories = useAsync(() => loadCategories(props.api, props.baseUrl).catch(() => [] as Category[]), [props.api]);
  const names = new Map((categories.data ?? []).map((c) => [c.id, c.name]));
  const id = Number(props.params[0]);
  if (props.params[0] && Number.isInteger(id)) return <ReportDetail {...props} id={id} names={names} />;
  return <ReportList {...props} names={names} />;
}

function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{codeLabel("resident.reportStatus", status)}</span>;
}

function ReportList(props: ScreenProps & { names: Map<number, string> }) {
  const { api, outbox } = props;
  const reports = useAsync(() => loadWithOffline(api.GET("/api/v1/reports", { params: { query: { limit: 50 } } })), [api, outbox.sentCount]);
  const [flushing, setFlushing] = useState(false);
  useEffect(() => {
    addEventListener("online", reports.reload);
    return () => removeEventListener("online", reports.reload);
  }, [reports.reload]);
  const items = reports.data?.data ?? [];
  return (
    <section>
      <div class="spread">
        <h1>{t("resident.myReports.title")}</h1>
        <a class="button primary" href="#/report">
          {t("resident.nav.report")}
        </a>
      </div>
      {outbox.items.length > 0 && (
        <section aria-labelledby="queued-h">
          <h2 id="queued-h">{t("resident.queue.title")}</h2>
          <ul class="plain cards">
            {outbox.items.map((q) => (
              <QueuedItem
                key={q.id}
                item={q}
                name={props.names.get(q.draft.category_id)}
                onRemove={() => void outbox.remove(q.id!)}
                onRetry={() => void outbox.retry(q.id!)}
              />
            ))}
          </ul>
          {outbox.items.some((q) => q.state === "queued") && (
            <button
              type="button"
              disabled={flushing}
              onClick={async () => {
                setFlushing(true);
                await outbox.flush();
                setFlushing(false);
              }}
            >
              {flushing ? t("resident.report.sending") : t("resident.queue.sendNow")}
            </button>
          )}
        </section>
      )}
      <LoadNotices state={reports} />
      {reports.loading && !reports.data && <Loading />}
      {reports.data && items.length === 0 && outbox.items.length === 0 && <Empty text={t("resident.myReports.empty")} />}
      <ul class="plain cards">
        {items.map((r) => (
          <li key={r.id}>
            <a class="card-link" href={`#/reports/${r.id}`}>
              <span class="spread">
                <strong>{props.names.get(r.category_id) ?? t("resident.myReports.number", { id: r.id })}</strong>
                <StatusBadge status={r.status} />
              </span>
              <span class="clip">{r.description}</span>
              <span class="meta">
                {t("resident.myReports.number", { id: r.id })} · <time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time>
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function QueuedItem(props: { item: QueuedReport; name?: string; onRemove: () => void; onRetry: () => void }) {
  const { item, name } = props;
  const lang = getLang();
  return (
    <li class="card queued">
      <span class="spread">
        <strong>{name ?? t("resident.report.category")}</strong>
        <span class={`badge ${item.state === "failed" ? "urgent" : ""}`}>
          {item.state === "failed" ? t("resident.queue.failed") : t("resident.queue.pending")}
        </span>
      </span>
      <span class="clip">{item.draft.description}</span>
      <span class="meta">
        <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
        {item.photo && ` · ${t("resident.queue.withPhoto")}`}
      </span>
      {item.error && <Notice kind="error">{(lang === "vi" ? item.error.vi || item.error.en : item.error.en || item.error.vi) || t("error.generic")}</Notice>}
      {item.state === "failed" && (
        <span class="row">
          <button type="button" onClick={props.onRetry}>
            {t("resident.queue.retry")}
          </button>
          <button type="button" class="danger" onClick={props.onRemove}>
            {t("resident.queue.remove")}
          </button>
        </span>
      )}
    </li>
  );
}

function ReportDetail(props: ScreenProps & { id: number; names: Map<number, string> }) {
  const { api, id, session } = props;
  const report = useAsync(() => loadWithOffline(api.GET("/api/v1/reports/{report_id}", { params: { path: { report_id: id } } })), [api, id]);
  const r = report.data?.data;
  const mine = (actor: string) => actor === session.username || actor === session.subject;
  return (
    <section>
      <BackLink route="/reports" label={t("resident.myReports.title")} />
      <LoadNotices state={report} />
      {report.loading && !r && <Loading />}
      {r && (
        <>
          <div class="spread">
            <h1>{props.names.get(r.category_id) ?? t("resident.myReports.number", { id: r.id })}</h1>
            <StatusBadge status={r.status} />
          </div>
          <p class="muted">
            {t("resident.myReports.number", { id: r.id })} · <time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time>
          </p>
          <p class="prewrap">{r.description}</p>
          {r.address && <p>{t("resident.myReports.address", { address: r.address })}</p>}
          {r.lat != null && r.lng != null && <p class="muted">{t("resident.myReports.gps", { lat: formatNumber(r.lat, undefined, 5), lng: formatNumber(r.lng, undefined, 5) })}</p>}
          <div class="photos">
            {r.photos
              .filter((p) => !p.hidden)
              .map((p) => (
                <AuthImage
                  key={p.id}
                  id={`${r.id}/${p.id}`}
                  alt={t("resident.myReports.photo", { n: p.position + 1 })}
                  load={() => call(api.GET("/api/v1/reports/{report_id}/photos/{photo_id}", { params: { path: { report_id: r.id, photo_id: p.id } }, parseAs: "blob" })) as Promise<Blob>}
                />
              ))}
          </div>
          <h2>{t("resident.myReports.history")}</h2>
          <ol class="timeline">
            {r.events
              .filter((e) => !e.internal)
              .map((e) => (
                <li key={e.id}>
                  <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
                  {e.kind === "status" ? (
                    <strong>{t("resident.myReports.statusTo", { status: codeLabel("resident.reportStatus", e.to_status ?? "") })}</strong>
                  ) : e.kind === "rating" ? (
                    <strong>{t("resident.myReports.rated")}</strong>
                  ) : (
                    <strong>{mine(e.actor) ? t("resident.myReports.you") : t("resident.myReports.official")}</strong>
                  )}
                  {e.body && <p class="prewrap">{e.body}</p>}
                </li>
              ))}
          </ol>
          <CommentForm {...props} report={r} onDone={report.reload} />
          {(r.status === "resolved" || r.status === "closed") && r.rating == null && <RatingForm {...props} report={r} onDone={report.reload} />}
          {r.rating != null && <p>{t("resident.myReports.yourRating", { rating: r.rating })}</p>}
        </>
      )}
    </section>
  );
}

function CommentForm(props: ScreenProps & { report: Detail; onDone: () => void }) {
  const [body, setBody] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="card"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await call(props.api.POST("/api/v1/reports/{report_id}/comments", { params: { path: { report_id: props.report.id } }, body: { body: body.trim() } }));
          setBody("");
          props.onDone();
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <ErrorNotice error={error} />
      <Field label={t("resident.myReports.comment")} name="comment" required maxLength={2000} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      <button type="submit" disabled={busy}>
        {t("resident.myReports.sendComment")}
      </button>
    </form>
  );
}

function RatingForm(props: ScreenProps & { report: Report; onDone: () => void }) {
  const [rating, setRating] = useState(0);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="card"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await call(props.api.POST("/api/v1/reports/{report_id}/rating", { params: { path: { report_id: props.report.id } }, body: { rating, comment: "" } }));
          props.onDone();
        } catch (err) {
          setError(err);
        }
      }}
    >
      <fieldset class="scale">
        <legend>{t("resident.myReports.rate")}</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n}>
            <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} required />
            <span>{n}</span>
          </label>
        ))}
      </fieldset>
      <ErrorNotice error={error} />
      <button type="submit" disabled={rating === 0}>
        {t("resident.myReports.sendRating")}
      </button>
    </form>
  );
}
