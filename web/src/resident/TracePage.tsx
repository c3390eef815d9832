import { useState } from "preact/hooks";
import { call, type Api } from "../api/client";
import type { components } from "../api/schema";
import { formatDate, formatDateTime } from "../i18n/format";
import { t, useLang } from "../i18n";
import { navigate } from "../lib/router";
import { useAsync } from "../lib/useAsync";
import { ErrorNotice, Field, Loading, Notice } from "../ui/components";
import type { ScreenProps } from "./screen";
import { parseTraceInput, type TraceRef } from "./trace";

type Entry = Record<string, unknown>;
const JSON_ONLY = { Accept: "application/json" };

type TraceOut = components["schemas"]["TraceOut"];

/** The trace route also answers HTML and a GS1 linkset; asked for JSON, it is the TraceOut document. */
function loadTrace(api: Api, ref: TraceRef): Promise<TraceOut> {
  const pending = ref.gtin
    ? call(api.GET("/01/{gtin}/10/{lot}", { params: { path: { gtin: ref.gtin, lot: ref.lot } }, headers: JSON_ONLY }))
    : call(api.GET("/trace/{lot}", { params: { path: { lot: ref.lot } }, headers: JSON_ONLY }));
  return pending as Promise<TraceOut>;
}

interface Detector {
  detect(source: ImageBitmapSource): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (opts: { formats: string[] }) => Detector;

/** The origin of a scanned product QR: enter or scan the code, see the lot, its producer and its timeline. */
export default function TracePage(props: ScreenProps) {
  useLang();
  const code = props.params.join("/");
  const [text, setText] = useState(code);
  const [scanError, setScanError] = useState(false);
  const ref = parseTraceInput(code);
  const trace = useAsync(() => (ref ? loadTrace(props.api, ref) : Promise.resolve(null)), [props.api, code]);
  const Barcode = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;

  function open(value: string) {
    setScanError(false);
    navigate(`/trace/${encodeURIComponent(value.trim())}`);
  }

  async function scan(e: Event) {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file || !Barcode) return;
    try {
      const found = await new Barcode({ formats: ["qr_code", "data_matrix"] }).detect(await createImageBitmap(file));
      if (!found[0]) throw new Error("no code");
      setText(found[0].rawValue);
      open(found[0].rawValue);
    } catch {
      setScanError(true);
    }
  }

  const data = trace.data;
  return (
    <section>
      <h1>{t("resident.trace.title")}</h1>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          open(text);
        }}
      >
        <Field label={t("resident.trace.code")} name="code" required hint={t("resident.trace.hint")} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" class="primary">
          {t("resident.trace.look")}
        </button>
        {Barcode && (
          <Field label={t("resident.trace.scan")} name="scan" type="file" accept="image/*" capture="environment" onChange={scan} />
        )}
        {scanError && <Notice kind="info">{t("resident.trace.scanFailed")}</Notice>}
      </form>
      {code && !ref && <Notice kind="error">{t("resident.trace.invalid")}</Notice>}
      <ErrorNotice error={trace.error} onRetry={trace.reload} />
      {trace.loading && ref && <Loading />}
      {data && (
        <article class="card">
          <h2>{String(data.lot.product ?? "")}</h2>
          <dl class="facts">
            <dt>{t("resident.trace.lot")}</dt>
            <dd>{String(data.lot.code ?? "")}</dd>
            <dt>{t("resident.trace.quantity")}</dt>
            <dd>{typeof data.lot.quantity_text === "string" ? data.lot.quantity_text : `${String(data.lot.quantity ?? "")} ${String(data.lot.unit ?? "")}`}</dd>
            {typeof data.lot.produced_at === "string" && (
              <>
                <dt>{t("resident.trace.produced")}</dt>
                <dd>{formatDate(data.lot.produced_at)}</dd>
              </>
            )}
            <dt>{t("resident.trace.producer")}</dt>
            <dd>{[data.producer.name, data.producer.farm, data.producer.commune].filter(Boolean).map(String).join(" · ")}</dd>
          </dl>
          {data.certifications.length > 0 && (
            <>
              <h3>{t("resident.trace.certifications")}</h3>
              <ul class="plain">
                {data.certifications.map((c, i) => (
                  <li key={i}>
                    {String(c.name)} <span class={`badge ${c.valid ? "active" : "suspended"}`}>{c.valid ? t("resident.trace.valid") : t("resident.trace.expired")}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>{t("resident.trace.timeline")}</h3>
          <ol class="timeline">
            {data.timeline.map((e: Entry, i) => (
              <li key={i}>
                {typeof e.at === "string" && <time dateTime={e.at}>{formatDateTime(e.at)}</time>}
                <strong>{String(e.name ?? e.type ?? "")}</strong>
                {e.material != null && <p>{[e.material, e.amount].filter(Boolean).map(String).join(" · ")}</p>}
                {e.phi_days != null && <p class="muted">{t("resident.trace.phi", { days: String(e.phi_days) })}</p>}
                {e.quantity != null && <p class="muted">{t("resident.trace.made", { lot: String(e.lot ?? ""), quantity: String(e.quantity) })}</p>}
                {typeof e.notes === "string" && <p class="prewrap">{e.notes}</p>}
              </li>
            ))}
          </ol>
        </article>
      )}
    </section>
  );
}
