import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { formatDateTime, formatNumber } from "../../i18n/format";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, SelectField } from "../../ui/components";
import { blobOf, label, StatusBadge, useAction, useBlobUrl } from "./shared";

type Camera = Schemas["CameraOut"];
type CameraEvent = Schemas["CameraEventOut"];
type State = "" | "open" | "incident" | "dismissed";

/** Motion events, newest first; an official looks at the snapshot and promotes or dismisses each. */
export function EventsPanel(props: { api: Api; cameras: Camera[]; refreshKey: number }) {
  const { api } = props;
  const [state, setState] = useState<State>("open");
  const [cameraId, setCameraId] = useState("");
  const events = useAsync(
    () =>
      call(
        api.GET("/api/v1/camera-events", {
          params: { query: { state: state || undefined, camera_id: cameraId ? Number(cameraId) : undefined, limit: 100 } },
        }),
      ),
    [api, state, cameraId, props.refreshKey],
  );
  const byId = new Map(props.cameras.map((c) => [c.id, c]));
  return (
    <>
      <h2>{t("adminOps.ops.events")}</h2>
      <div class="filters card">
        <SelectField
          label={t("adminOps.ev.state")}
          name="state"
          value={state}
          onChange={(e) => setState(e.currentTarget.value as State)}
          options={[
            { value: "", label: t("common.all") },
            ...(["open", "incident", "dismissed"] as const).map((s) => ({ value: s, label: label("adminOps.evState", s) })),
          ]}
        />
        <SelectField
          label={t("adminOps.ev.camera")}
          name="camera"
          value={cameraId}
          onChange={(e) => setCameraId(e.currentTarget.value)}
          options={[{ value: "", label: t("common.all") }, ...props.cameras.map((c) => ({ value: String(c.id), label: c.name }))]}
        />
      </div>
      <ErrorNotice error={events.error} onRetry={events.reload} />
      {events.loading && !events.data && <Loading />}
      {events.data && events.data.length === 0 && <Empty text={t("adminOps.ev.none")} />}
      <ul class="plain events">
        {events.data?.map((ev) => (
          <EventItem key={ev.id} api={api} event={ev} camera={byId.get(ev.camera_id)} onChanged={events.reload} />
        ))}
      </ul>
    </>
  );
}

function EventItem(props: { api: Api; event: CameraEvent; camera?: Camera; onChanged: () => void }) {
  const { api, event: ev, camera } = props;
  const [showSnapshot, setShowSnapshot] = useState(false);
  const [promoting, setPromoting] = useState(false);
  const act = useAction();
  const name = camera?.name ?? t("adminOps.ev.cameraN", { id: ev.camera_id });
  async function dismiss() {
    if (await act.run(() => call(api.POST("/api/v1/camera-events/{event_id}/dismiss", { params: { path: { event_id: ev.id } } })))) props.onChanged();
  }
  return (
    <li class="card event">
      <div class="spread">
        <strong>
          {label("adminOps.evKind", ev.kind)} · {name}
        </strong>
        <StatusBadge status={ev.state} prefix="adminOps.evState" />
      </div>
      <div class="muted">
        {formatDateTime(ev.started_at)}
        {ev.ended_at ? ` – ${formatDateTime(ev.ended_at)}` : ""} · {t("adminOps.ev.area", { percent: formatNumber(ev.peak_area * 100, undefined, 1) })}
      </div>
      {ev.incident_title && (
        <p>
          <strong>{ev.incident_title}</strong> {ev.incident_note}
        </p>
      )}
      {showSnapshot && <EventSnapshot api={api} event={ev} />}
      <ErrorNotice error={act.error} />
      {promoting && (
        <PromoteForm
          api={api}
          event={ev}
          cameraName={name}
          onDone={(changed) => {
            setPromoting(false);
            if (changed) props.onChanged();
          }}
        />
      )}
      <div class="row">
        {ev.snapshot_file_id && (
          <button type="button" aria-expanded={showSnapshot} onClick={() => setShowSnapshot(!showSnapshot)}>
            {t("adminOps.ev.snapshot")}
          </button>
        )}
        {ev.state === "open" && !promoting && (
          <>
            <button type="button" class="primary" onClick={() => setPromoting(true)}>
              {t("adminOps.ev.promote")}
            </button>
            <button type="button" onClick={dismiss} disabled={act.busy}>
              {t("adminOps.ev.dismiss")}
            </button>
          </>
        )}
      </div>
    </li>
  );
}

/** The frame stored with this event, fetched with the session's token into an object URL. */
function EventSnapshot(props: { api: Api; event: CameraEvent }) {
  const { api, event: ev } = props;
  const img = useBlobUrl(
    () => blobOf(api.GET("/api/v1/camera-events/{event_id}/snapshot", { params: { path: { event_id: ev.id } }, parseAs: "blob" })),
    [api, ev.id],
  );
  if (img.error) return <ErrorNotice error={img.error} />;
  if (!img.url) return <Loading />;
  return <img class="snapshot" src={img.url} alt={t("adminOps.ev.snapshotOf", { id: ev.id })} />;
}

function PromoteForm(props: { api: Api; event: CameraEvent; cameraName: string; onDone: (changed: boolean) => void }) {
  const [title, setTitle] = useState(t("adminOps.ev.defaultTitle", { camera: props.cameraName }));
  const [note, setNote] = useState("");
  const [reportId, setReportId] = useState("");
  const act = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    const ok = await act.run(() =>
      call(
        props.api.POST("/api/v1/camera-events/{event_id}/promote", {
          params: { path: { event_id: props.event.id } },
          body: { title: title.trim(), note: note.trim(), field_report_id: reportId.trim() || null },
        }),
      ),
    );
    if (ok) props.onDone(true);
  }
  return (
    <form onSubmit={submit} aria-label={t("adminOps.ev.promote")}>
      <ErrorNotice error={act.error} />
      <Field label={t("adminOps.ev.title")} name="title" required maxLength={300} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <Field label={t("adminOps.ev.note")} name="note" maxLength={4000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <Field
        label={t("adminOps.ev.report")}
        name="field_report_id"
        pattern="[A-Za-z0-9_.:\-]+"
        value={reportId}
        hint={t("adminOps.ev.reportHint")}
        onInput={(e) => setReportId(e.currentTarget.value)}
      />
      <div class="row">
        <button type="submit" class="primary" disabled={act.busy}>
          {t("adminOps.ev.promoteConfirm")}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
