import { useEffect, useRef, useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { getLang, t, useLang } from "../../i18n";
import { formatDateTime, formatNumber } from "../../i18n/format";
import { useRoute } from "../../lib/router";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Loading, Notice } from "../../ui/components";
import { CameraForm } from "./CameraForm";
import { EventsPanel } from "./EventsPanel";
import { OnvifDiscovery } from "./OnvifDiscovery";
import { SiteNetworks } from "./SiteNetworks";
import { blobOf, currentTab, label, Stat, StatusBadge, SubNav, useAction, useBlobUrl } from "./shared";
import { useOverview, type Overview } from "./useOverview";

type Camera = Schemas["CameraOut"];
type Probe = Schemas["ProbeOut"];
export const PREVIEW_REFRESH_MS = 10_000;

/** Operations centre: live overview (SSE), camera wall with previews through the platform, motion events. */
export function OperationsPage({ api }: { api: Api }) {
  useLang();
  const route = useRoute();
  const { overview, error, live } = useOverview(api);
  const cameras = useAsync(() => call(api.GET("/api/v1/cameras")), [api]);
  // Statuses change on the server (worker probes): refresh the wall when the live overview changes.
  const seen = useRef<string | null>(null);
  useEffect(() => {
    const key = overview ? JSON.stringify(overview.cameras) : null;
    if (key && seen.current && key !== seen.current) cameras.reload();
    seen.current = key;
  }, [overview]);
  const tabs = [
    { route: "/operations", label: t("adminOps.ops.wall") },
    { route: "/operations/events", label: t("adminOps.ops.events") },
    { route: "/operations/networks", label: t("cameras.net.title") },
  ];
  const tab = currentTab(route, tabs);
  return (
    <section>
      <div class="spread">
        <h1>{t("adminOps.ops.title")}</h1>
        <span class={`live ${live}`} role="status">
          {t(live === "live" ? "adminOps.ops.live" : live === "retrying" ? "adminOps.ops.retrying" : "adminOps.ops.connecting")}
        </span>
      </div>
      <ErrorNotice error={error} />
      {overview && <OverviewStats overview={overview} />}
      <SubNav tabs={tabs} current={tab} label={t("adminOps.ops.title")} />
      {tab === "/operations/events" ? (
        <EventsPanel api={api} cameras={cameras.data ?? []} refreshKey={overview?.recent_events?.[0]?.id ?? 0} />
      ) : tab === "/operations/networks" ? (
        <SiteNetworks api={api} />
      ) : (
        <CameraWall api={api} cameras={cameras.data} loading={cameras.loading} error={cameras.error} reload={cameras.reload} />
      )}
    </section>
  );
}

function OverviewStats({ overview }: { overview: Overview }) {
  const cams = overview.cameras ?? {};
  const n = (v: number | undefined) => formatNumber(v ?? 0);
  return (
    <div class="stats" aria-label={t("adminOps.ops.summary")} role="group">
      <Stat label={t("adminOps.status.online")} value={n(cams.online)} tone="good" />
      <Stat label={t("adminOps.status.degraded")} value={n(cams.degraded)} tone={cams.degraded ? "warn" : undefined} />
      <Stat label={t("adminOps.status.offline")} value={n(cams.offline)} tone={cams.offline ? "bad" : undefined} />
      <Stat label={t("adminOps.ops.devicesOnline")} value={`${n(overview.devices?.online)}/${n(overview.devices?.total)}`} />
      <Stat label={t("adminOps.ops.activeAlarms")} value={n(overview.devices?.active_alarms)} tone={overview.devices?.active_alarms ? "bad" : undefined} />
      <Stat label={t("adminOps.ops.reportsOverdue")} value={n(overview.reports?.by_sla?.overdue)} tone={overview.reports?.by_sla?.overdue ? "bad" : undefined} />
      <Stat label={t("adminOps.ops.reportsDueSoon")} value={n(overview.reports?.by_sla?.due_soon)} />
    </div>
  );
}

export const FIRST_CHECK_POLL_MS = 2_000;
const FIRST_CHECK_MAX_MS = 60_000;

function CameraWall(props: { api: Api; cameras?: Camera[]; loading: boolean; error: unknown; reload: () => void }) {
  const [editing, setEditing] = useState<Camera | "new" | null>(null);
  const [discovering, setDiscovering] = useState(false);
  const [saved, setSaved] = useState(false);
  // The camera just added: its first check runs in the background; poll until its result is in.
  const [added, setAdded] = useState<{ id: number; name: string; since: number } | null>(null);
  const fresh = added ? props.cameras?.find((c) => c.id === added.id) : undefined;
  const checked = !!fresh?.last_checked_at;
  const late = !!added && !checked && Date.now() - added.since > FIRST_CHECK_MAX_MS;
  const { reload } = props;
  useEffect(() => {
    if (!added || checked || late) return;
    const timer = setTimeout(reload, FIRST_CHECK_POLL_MS);
    return () => clearTimeout(timer);
  }, [added, checked, late, props.cameras, reload]);
  return (
    <>
      <div class="spread">
        <h2>{t("adminOps.ops.wall")}</h2>
        <span class="row">
          <button type="button" aria-expanded={discovering} onClick={() => setDiscovering(!discovering)}>
            {t("adminOps.onvif.open")}
          </button>
          <button type="button" class="primary" onClick={() => setEditing("new")}>
            {t("adminOps.cam.add")}
          </button>
        </span>
      </div>
      {saved && !added && <Notice kind="ok">{t("common.saved")}</Notice>}
      {added && <FirstCheck name={added.name} camera={fresh} late={late} />}
      {discovering && <OnvifDiscovery api={props.api} onRegistered={props.reload} onClose={() => setDiscovering(false)} />}
      {editing && (
        <CameraForm
          api={props.api}
          camera={editing === "new" ? null : editing}
          onDone={(changed, created) => {
            setEditing(null);
            setSaved(changed);
            setAdded(created ? { id: created.id, name: created.name, since: Date.now() } : null);
            if (changed) props.reload();
          }}
        />
      )}
      <ErrorNotice error={props.error} onRetry={props.reload} />
      {props.loading && !props.cameras && <Loading />}
      {props.cameras && props.cameras.length === 0 && <Empty text={t("adminOps.cam.none")} />}
      <ul class="wall plain">
        {props.cameras?.map((c) => (
          <CameraTile key={c.id} api={props.api} camera={c} onEdit={() => setEditing(c)} onProbed={props.reload} />
        ))}
      </ul>
    </>
  );
}

function FirstCheck(props: { name: string; camera?: Camera; late: boolean }) {
  const c = props.camera;
  if (c?.last_checked_at) {
    return c.status === "online" || c.status === "degraded" ? (
      <Notice kind="ok">{t("cameras.firstCheck.online", { name: props.name })}</Notice>
    ) : (
      <Notice kind="error">{t("cameras.firstCheck.failed", { name: props.name, reason: label("adminOps.reason", c.status_reason) })}</Notice>
    );
  }
  if (props.late) return <Notice kind="info">{t("cameras.firstCheck.late", { name: props.name })}</Notice>;
  return <Notice kind="info">{t("cameras.firstCheck.running", { name: props.name })}</Notice>;
}

function CameraTile(props: { api: Api; camera: Camera; onEdit: () => void; onProbed: () => void }) {
  const { api, camera } = props;
  const preview = useBlobUrl(
    () => blobOf(api.GET("/api/v1/cameras/{camera_id}/preview.jpg", { params: { path: { camera_id: camera.id } }, parseAs: "blob" })),
    [api, camera.id, camera.status_changed_at, camera.snapshot_file_id],
    PREVIEW_REFRESH_MS,
  );
  const probe = useAction();
  const [result, setResult] = useState<Probe | null>(null);
  async function readOnvif() {
    const out = await probe.run(() =>
      call(api.POST("/api/v1/cameras/{camera_id}/onvif/device-information", { params: { path: { camera_id: camera.id } }, body: null })),
    );
    if (out) props.onProbed();
  }
  async function probeNow() {
    const out = await probe.run(() => call(api.POST("/api/v1/cameras/{camera_id}/probe", { params: { path: { camera_id: camera.id } } })));
    if (out) {
      setResult(out);
      props.onProbed();
    }
  }
  return (
    <li class="tile card" aria-label={camera.name}>
      <div class="preview">
        {preview.url ? (
          <img src={preview.url} alt={t("adminOps.cam.previewOf", { name: camera.name })} width={320} height={180} />
        ) : (
          <span class="muted">{t("adminOps.cam.noPreview")}</span>
        )}
      </div>
      <div class="spread">
        <strong>{camera.name}</strong>
        {camera.last_checked_at ? <StatusBadge status={camera.status} /> : <span class="badge st-unknown">{t("cameras.firstCheck.pending")}</span>}
      </div>
      {camera.location && <div class="muted">{camera.location}</div>}
      {camera.status_reason && <div class="reason">{label("adminOps.reason", camera.status_reason)}</div>}
      <dl class="facts">
        {camera.width && camera.height ? (
          <>
            <dt>{t("adminOps.cam.resolution")}</dt>
            <dd>
              {camera.width}×{camera.height}
              {camera.fps ? ` · ${formatNumber(camera.fps, undefined, 1)} fps` : ""}
            </dd>
          </>
        ) : null}
        {camera.manufacturer || camera.model ? (
          <>
            <dt>{t("adminOps.cam.device")}</dt>
            <dd>{[camera.manufacturer, camera.model, camera.firmware].filter(Boolean).join(" · ")}</dd>
          </>
        ) : null}
        <dt>{t("adminOps.cam.checked")}</dt>
        <dd>{camera.last_checked_at ? formatDateTime(camera.last_checked_at) : "—"}</dd>
      </dl>
      {result && (
        <Notice kind={result.ok ? "ok" : "error"}>
          {t("adminOps.cam.probeResult", { message: localMessage(result), ms: formatNumber(result.elapsed_ms, undefined, 0) })}
        </Notice>
      )}
      <ErrorNotice error={probe.error} />
      <div class="row">
        <button type="button" onClick={probeNow} disabled={probe.busy} aria-label={t("adminOps.cam.probeName", { name: camera.name })}>
          {probe.busy ? t("adminOps.cam.probing") : t("adminOps.cam.probe")}
        </button>
        <button type="button" onClick={readOnvif} disabled={probe.busy} aria-label={t("adminOps.cam.onvifName", { name: camera.name })}>
          {t("adminOps.cam.onvif")}
        </button>
        <button type="button" onClick={props.onEdit} aria-label={t("adminOps.cam.editName", { name: camera.name })}>
          {t("common.edit")}
        </button>
      </div>
    </li>
  );
}

function localMessage(p: Probe): string {
  return getLang() === "en" ? p.message_en || p.message : p.message || p.message_en;
}
