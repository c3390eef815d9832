import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { formatNumber } from "../../i18n/format";
import { Empty, ErrorNotice, Field, Notice } from "../../ui/components";
import { useAction } from "./shared";

type Found = Schemas["OnvifDiscoveredOut"];
type Discovery = Schemas["OnvifDiscoveryOut"];

/** The name a discovered camera answers with, else its hardware, else its address. */
export function foundName(f: Found): string {
  return f.name || f.hardware || f.source;
}

/**
 * WS-Discovery on the commune's allow-listed site network (the platform refuses other addresses), the
 * cameras that answered, and registering one with its device service URL remembered.
 */
export function OnvifDiscovery(props: { api: Api; onRegistered: () => void; onClose: () => void }) {
  const [address, setAddress] = useState("");
  const [result, setResult] = useState<Discovery | null>(null);
  const [registering, setRegistering] = useState<Found | null>(null);
  const [registered, setRegistered] = useState<string | null>(null);
  const scan = useAction();

  async function discover(e: Event) {
    e.preventDefault();
    setRegistered(null);
    const body = { address: address.trim() || null, port: 3702, timeout_ms: 3000 };
    const out = await scan.run(() => call(props.api.POST("/api/v1/cameras/onvif/discover", { body })));
    if (out) setResult(out);
  }

  return (
    <section class="card" aria-label={t("adminOps.onvif.title")}>
      <div class="spread">
        <h2>{t("adminOps.onvif.title")}</h2>
        <button type="button" onClick={props.onClose}>
          {t("adminOps.onvif.close")}
        </button>
      </div>
      <form onSubmit={discover} aria-label={t("adminOps.onvif.discover")}>
        <Field
          label={t("adminOps.onvif.address")}
          name="onvif_address"
          inputMode="decimal"
          maxLength={45}
          value={address}
          hint={t("adminOps.onvif.addressHint")}
          onInput={(e) => setAddress(e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={scan.busy}>
          {scan.busy ? t("adminOps.onvif.discovering") : t("adminOps.onvif.discover")}
        </button>
      </form>
      <ErrorNotice error={scan.error} />
      {registered && <Notice kind="ok">{t("adminOps.onvif.registered", { name: registered })}</Notice>}
      {result && result.refused > 0 && <Notice kind="info">{t("adminOps.onvif.refused", { count: formatNumber(result.refused) })}</Notice>}
      {result && result.found.length === 0 && <Empty text={t("adminOps.onvif.none")} />}
      <ul class="plain">
        {result?.found.map((f) => (
          <li key={f.endpoint} class="card">
            <div class="spread">
              <strong>{foundName(f)}</strong>
              {f.camera_id != null && <span class="badge">{t("adminOps.onvif.known")}</span>}
            </div>
            <div class="muted">
              {[f.hardware, f.source].filter(Boolean).join(" · ")}
            </div>
            {registering?.endpoint === f.endpoint ? (
              <RegisterForm
                api={props.api}
                found={f}
                onDone={(camera) => {
                  setRegistering(null);
                  if (camera) {
                    setRegistered(camera.name);
                    setResult((r) => r && { ...r, found: r.found.map((x) => (x.endpoint === f.endpoint ? { ...x, camera_id: camera.id } : x)) });
                    props.onRegistered();
                  }
                }}
              />
            ) : (
              f.camera_id == null && (
                <button type="button" onClick={() => setRegistering(f)} aria-label={t("adminOps.onvif.registerName", { name: foundName(f) })}>
                  {t("adminOps.onvif.register")}
                </button>
              )
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * Register a discovered camera: name and address prefilled from its answer; the stream path and the
 * credentials come from the installer. Then its ONVIF device information is read through the service URL
 * it announced, which the platform remembers.
 */
function RegisterForm(props: { api: Api; found: Found; onDone: (camera: { id: number; name: string } | null) => void }) {
  const { api, found } = props;
  const [name, setName] = useState(foundName(found).slice(0, 200));
  const [streamUrl, setStreamUrl] = useState(`rtsp://${found.source}:554/`);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const save = useAction();
  const [cameraId, setCameraId] = useState<number | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    let id = cameraId;
    if (id == null) {
      const body = {
        name: name.trim(),
        location: "",
        stream_url: streamUrl.trim(),
        profile: "default" as const,
        sensitivity: 50,
        min_area: 0.01,
        motion_enabled: true,
        ...(username.trim() ? { username: username.trim() } : {}),
        ...(password ? { password } : {}),
      };
      const created = await save.run(() => call(api.POST("/api/v1/cameras", { body })));
      if (!created) return;
      id = created.id;
      setCameraId(id); // a failed identification below must not register the camera twice
    }
    const params = { path: { camera_id: id } };
    const identified = await save.run(() =>
      call(api.POST("/api/v1/cameras/{camera_id}/onvif/device-information", { params, body: { xaddr: found.xaddrs[0] ?? null } })),
    );
    if (identified) props.onDone({ id: identified.id, name: identified.name });
  }

  return (
    <form onSubmit={submit} aria-label={t("adminOps.onvif.registerName", { name: foundName(found) })} autocomplete="off">
      <ErrorNotice error={save.error} />
      {cameraId != null && save.error != null && (
        <Notice kind="info">
          {t("adminOps.onvif.createdNotIdentified")}{" "}
          <button type="button" onClick={() => props.onDone({ id: cameraId, name: name.trim() })}>
            {t("adminOps.onvif.skipIdentify")}
          </button>
        </Notice>
      )}
      <div class="grid2">
        <Field label={t("adminOps.cam.name")} name="name" required maxLength={200} value={name} disabled={cameraId != null} onInput={(e) => setName(e.currentTarget.value)} />
        <Field
          label={t("adminOps.cam.streamUrl")}
          name="stream_url"
          required
          minLength={8}
          maxLength={1000}
          inputMode="url"
          value={streamUrl}
          disabled={cameraId != null}
          hint={t("adminOps.onvif.streamHint")}
          onInput={(e) => setStreamUrl(e.currentTarget.value)}
        />
        <Field label={t("adminOps.cam.username")} name="cam_username" autocomplete="off" value={username} disabled={cameraId != null} onInput={(e) => setUsername(e.currentTarget.value)} />
        <Field
          label={t("adminOps.cam.password")}
          name="cam_password"
          type="password"
          autocomplete="new-password"
          value={password}
          disabled={cameraId != null}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={save.busy}>
          {cameraId != null ? t("adminOps.onvif.retryIdentify") : t("adminOps.onvif.registerConfirm")}
        </button>
        <button type="button" onClick={() => props.onDone(cameraId != null ? { id: cameraId, name: name.trim() } : null)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
