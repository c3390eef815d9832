import { useEffect, useId, useState } from "preact/hooks";
import type { Api } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { ErrorNotice, Field, Loading, Notice, SelectField } from "../ui/components";
import { isTransient, newClientRef, outboxAvailable, queueReport, requestBackgroundSync, sendReport, type Report, type ReportDraft } from "./outbox";
import { compressPhoto, photoName } from "./photo";
import { loadCategories } from "./categories";
import type { ScreenProps } from "./screen";

/** Called once the app is idle: the categories are at hand when the reporter is later offline. */
export function prefetch(api: Api, baseUrl: string): void {
  void loadCategories(api, baseUrl).catch(() => undefined);
}

type Gps =
  | { state: "idle" | "locating" | "denied" | "unavailable" }
  | { state: "ok"; lat: number; lng: number; accuracy: number };

interface Photo {
  blob: Blob;
  name: string;
  url: string | null;
  originalSize: number;
}

type Done = { kind: "sent"; report: Report } | { kind: "queued" };

export default function ReportPage(props: ScreenProps) {
  useLang();
  const { api, baseUrl } = props;
  const categories = useAsync(() => loadCategories(api, baseUrl), [api, baseUrl]);
  const [categoryId, setCategoryId] = useState("");
  const [description, setDescription] = useState("");
  const [address, setAddress] = useState("");
  const [photo, setPhoto] = useState<Photo | null>(null);
  const [compressing, setCompressing] = useState(false);
  const [photoInput, setPhotoInput] = useState(0); // bumped to clear the file input
  const [gps, setGps] = useState<Gps>({ state: "idle" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Done | null>(null);
  const descriptionId = useId();
  const photoId = useId();

  useEffect(() => () => void (photo?.url && URL.revokeObjectURL(photo.url)), [photo]);

  async function pickPhoto(e: Event) {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return setPhoto(null);
    setCompressing(true);
    try {
      const blob = await compressPhoto(file);
      let url: string | null = null;
      try {
        url = URL.createObjectURL(blob);
      } catch {
        /* no preview */
      }
      setPhoto({ blob, name: photoName(file.name, blob), url, originalSize: file.size });
    } finally {
      setCompressing(false);
    }
  }

  function locate() {
    if (!("geolocation" in navigator)) return setGps({ state: "unavailable" });
    setGps({ state: "locating" });
    navigator.geolocation.getCurrentPosition(
      (pos) => setGps({ state: "ok", lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: pos.coords.accuracy }),
      (err) => setGps({ state: err.code === 1 ? "denied" : "unavailable" }),
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
    );
  }

  function reset() {
    setCategoryId("");
    setDescription("");
    setAddress("");
    setPhoto(null);
    setPhotoInput((n) => n + 1);
    setGps({ state: "idle" });
    setDone(null);
  }

  async function submit(e: Event) {
    e.preventDefault();
    const draft: ReportDraft = {
      client_ref: newClientRef(),
      category_id: Number(categoryId),
      description: description.trim(),
      lat: gps.state === "ok" ? round6(gps.lat) : null,
      lng: gps.state === "ok" ? round6(gps.lng) : null,
      address: address.trim() || null,
    };
    const queue = async () => {
      await queueReport({ scope: baseUrl, subject: props.session.subject, draft, photo: photo?.blob ?? null, photoName: photo?.name ?? "" });
      requestBackgroundSync();
      setDone({ kind: "queued" });
    };
    setBusy(true);
    setError(null);
    try {
      if (navigator.onLine === false && outboxAvailable()) return await queue();
      try {
        const report = await sendReport(api, draft, photo?.blob ?? null, photo?.name ?? "");
        setDone({ kind: "sent", report });
      } catch (err) {
        if (!isTransient(err) || !outboxAvailable()) throw err;
        await queue();
      }
    } catch (err) {
      setError(err); // the form keeps everything typed: nothing is lost
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <section class="card">
        {done.kind === "sent" ? (
          <Notice kind="ok">{t("resident.report.sent", { id: done.report.id })}</Notice>
        ) : (
          <Notice kind="info">{t("resident.report.queued")}</Notice>
        )}
        <div class="stack">
          <a class="button" href={done.kind === "sent" ? `#/reports/${done.report.id}` : "#/reports"}>
            {done.kind === "sent" ? t("resident.report.view") : t("resident.report.viewQueued")}
          </a>
          <button type="button" onClick={reset}>
            {t("resident.report.another")}
          </button>
        </div>
      </section>
    );
  }

  const options = [{ value: "", label: t("resident.report.pickCategory") }, ...(categories.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))];
  return (
    <form class="card" onSubmit={submit}>
      <h1>{t("resident.report.title")}</h1>
      <ErrorNotice error={categories.error} onRetry={categories.reload} />
      {categories.loading && !categories.data && <Loading />}
      <SelectField label={t("resident.report.category")} name="category" required value={categoryId} options={options} onChange={(e) => setCategoryId(e.currentTarget.value)} />
      <div class="field">
        <label for={descriptionId}>{t("resident.report.description")}</label>
        <textarea id={descriptionId} name="description" required maxLength={4000} rows={4} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </div>

      <div class="field">
        <label for={photoId}>{t("resident.report.photo")}</label>
        <input key={photoInput} id={photoId} name="photo" type="file" accept="image/*" capture="environment" onChange={pickPhoto} />
        {compressing && <small>{t("resident.report.compressing")}</small>}
        {photo && (
          <div class="photo-preview">
            {photo.url && <img src={photo.url} alt={t("resident.report.photoPreview")} />}
            <small>{t("resident.report.photoSize", { size: kb(photo.blob.size), original: kb(photo.originalSize) })}</small>
            <button
              type="button"
              class="link"
              onClick={() => {
                setPhoto(null);
                setPhotoInput((n) => n + 1);
              }}
            >
              {t("resident.report.removePhoto")}
            </button>
          </div>
        )}
      </div>

      <fieldset class="field">
        <legend>{t("resident.report.location")}</legend>
        {gps.state === "ok" ? (
          <p>
            {t("resident.report.gpsOk", { lat: formatNumber(gps.lat, undefined, 5), lng: formatNumber(gps.lng, undefined, 5), accuracy: formatNumber(Math.round(gps.accuracy)) })}{" "}
            <button type="button" class="link" onClick={() => setGps({ state: "idle" })}>
              {t("resident.report.gpsClear")}
            </button>
          </p>
        ) : (
          <button type="button" onClick={locate} disabled={gps.state === "locating"}>
            {gps.state === "locating" ? t("resident.report.gpsLocating") : t("resident.report.gpsButton")}
          </button>
        )}
        {gps.state === "denied" && <Notice kind="info">{t("resident.report.gpsDenied")}</Notice>}
        {gps.state === "unavailable" && <Notice kind="info">{t("resident.report.gpsUnavailable")}</Notice>}
        <Field
          label={t("resident.report.address")}
          name="address"
          maxLength={300}
          required={gps.state !== "ok"}
          hint={gps.state === "ok" ? undefined : t("resident.report.addressHint")}
          value={address}
          onInput={(e) => setAddress(e.currentTarget.value)}
        />
      </fieldset>

      <ErrorNotice error={error} />
      <button type="submit" class="primary" disabled={busy || compressing}>
        {busy ? t("resident.report.sending") : t("resident.report.submit")}
      </button>
    </form>
  );
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function kb(bytes: number): string {
  return formatNumber(Math.max(1, Math.round(bytes / 1024)));
}
