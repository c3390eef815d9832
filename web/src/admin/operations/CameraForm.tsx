import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { useAsync } from "../../lib/useAsync";
import { ErrorNotice, Field, SelectField } from "../../ui/components";
import { Check, label, useAction } from "./shared";

type Camera = Schemas["CameraOut"];
type Profile = NonNullable<Schemas["CameraIn"]["profile"]>;
const PROFILES: Profile[] = ["default", "outdoor", "indoor", "traffic", "flood"];

const num = (s: string) => (s.trim() === "" ? null : Number(s));

/** An address inside the first approved site network (so the hint's own example would be accepted). */
export function exampleUrl(cidr: string): string | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return null;
  const prefix = Number(m[5]);
  const base = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const size = prefix >= 32 ? 1 : 2 ** (32 - prefix);
  const host = (base + (size > 16 ? 10 : size > 2 ? 1 : 0)) >>> 0;
  const ip = [host >>> 24, (host >>> 16) & 255, (host >>> 8) & 255, host & 255].join(".");
  return `rtsp://${ip}:554/stream1`;
}

/**
 * Add or edit a camera. The stream address and its credentials are write-only: the platform never sends
 * them back, so on edit the fields start empty and an empty field keeps what is stored.
 */
export function CameraForm(props: { api: Api; camera: Camera | null; onDone: (changed: boolean, created?: Camera) => void }) {
  const c = props.camera;
  const networks = useAsync(() => call(props.api.GET("/api/v1/camera-site-networks")), [props.api]);
  const approved = (networks.data ?? []).map((n) => n.cidr);
  const example = approved.map(exampleUrl).find((u) => u !== null) ?? null;
  const streamHint = example ? t("cameras.hint.withNetwork", { example, networks: approved.join(", ") }) : t("cameras.hint.public");
  const [name, setName] = useState(c?.name ?? "");
  const [location, setLocation] = useState(c?.location ?? "");
  const [lat, setLat] = useState(c?.latitude == null ? "" : String(c.latitude));
  const [lng, setLng] = useState(c?.longitude == null ? "" : String(c.longitude));
  const [streamUrl, setStreamUrl] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [profile, setProfile] = useState<Profile>((c?.profile as Profile) ?? "default");
  const [sensitivity, setSensitivity] = useState(String(c?.sensitivity ?? 50));
  const [motion, setMotion] = useState(c?.motion_enabled ?? true);
  const save = useAction();
  const title = c ? t("adminOps.cam.editName", { name: c.name }) : t("adminOps.cam.add");

  async function submit(e: Event) {
    e.preventDefault();
    const common = {
      name: name.trim(),
      location: location.trim(),
      latitude: num(lat),
      longitude: num(lng),
      profile,
      sensitivity: Number(sensitivity),
      min_area: c?.min_area ?? 0.01,
      motion_enabled: motion,
    };
    const secrets = {
      ...(streamUrl.trim() ? { stream_url: streamUrl.trim() } : {}),
      ...(username.trim() ? { username: username.trim() } : {}),
      ...(password ? { password } : {}),
    };
    const out = await save.run(async () => {
      if (c) {
        await call(props.api.PATCH("/api/v1/cameras/{camera_id}", { params: { path: { camera_id: c.id } }, body: { ...common, ...secrets } }));
        return { created: undefined };
      }
      // The platform runs the first check in the background right after saving (see the wall).
      return { created: await call(props.api.POST("/api/v1/cameras", { body: { ...common, stream_url: streamUrl.trim(), ...secrets } })) };
    });
    if (out) props.onDone(true, out.created);
  }

  return (
    <form class="card" onSubmit={submit} aria-label={title} autocomplete="off">
      <h2>{title}</h2>
      <ErrorNotice error={save.error} />
      <div class="grid2">
        <Field label={t("adminOps.cam.name")} name="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Field label={t("adminOps.cam.location")} name="location" maxLength={300} value={location} onInput={(e) => setLocation(e.currentTarget.value)} />
        <Field label={t("adminOps.common.latitude")} name="latitude" type="number" step="any" min={-90} max={90} value={lat} hint={t("cameras.location.hint")} onInput={(e) => setLat(e.currentTarget.value)} />
        <Field label={t("adminOps.common.longitude")} name="longitude" type="number" step="any" min={-180} max={180} value={lng} onInput={(e) => setLng(e.currentTarget.value)} />
        <Field
          label={t("adminOps.cam.streamUrl")}
          name="stream_url"
          required={!c}
          minLength={8}
          inputMode="url"
          value={streamUrl}
          hint={c ? t("adminOps.cam.keepHint") : streamHint}
          onInput={(e) => setStreamUrl(e.currentTarget.value)}
        />
        <Field label={t("adminOps.cam.username")} name="cam_username" autocomplete="off" value={username} hint={c?.has_credentials ? t("adminOps.cam.credsStored") : undefined} onInput={(e) => setUsername(e.currentTarget.value)} />
        <Field label={t("adminOps.cam.password")} name="cam_password" type="password" autocomplete="new-password" value={password} hint={c ? t("adminOps.cam.keepHint") : undefined} onInput={(e) => setPassword(e.currentTarget.value)} />
        <SelectField
          label={t("adminOps.cam.profile")}
          name="profile"
          value={profile}
          onChange={(e) => setProfile(e.currentTarget.value as Profile)}
          options={PROFILES.map((p) => ({ value: p, label: label("adminOps.profile", p) }))}
        />
        <Field label={t("adminOps.cam.sensitivity")} name="sensitivity" type="number" min={1} max={100} required value={sensitivity} onInput={(e) => setSensitivity(e.currentTarget.value)} />
        <Check label={t("adminOps.cam.motion")} checked={motion} onChange={setMotion} />
      </div>
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
