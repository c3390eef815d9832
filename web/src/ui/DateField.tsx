import { useEffect, useId, useState } from "preact/hooks";
import { t, useLang } from "../i18n";

const pad = (n: number) => String(n).padStart(2, "0");

/** "2026-12-07" or "2026-12-07T08:30" (what `<input type=date|datetime-local>` hold) as "07/12/2026[ 08:30]". */
export function isoToLocal(iso: string, withTime: boolean): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(iso);
  if (!m) return "";
  const date = `${m[3]}/${m[2]}/${m[1]}`;
  return withTime && m[4] ? `${date} ${m[4]}:${m[5]}` : date;
}

/** "7/12/2026" or "07.12.2026 8:30" → "2026-12-07" / "2026-12-07T08:30"; null when not a real date. */
export function localToIso(text: string, withTime: boolean): string | null {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ ,T]+(\d{1,2})[:h](\d{2}))?\s*$/.exec(text);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  const date = `${y}-${pad(mo)}-${pad(d)}`;
  if (!withTime) return m[4] ? null : date;
  const [h, mi] = [Number(m[4] ?? 0), Number(m[5] ?? 0)];
  if (h > 23 || mi > 59) return null;
  return `${date}T${pad(h)}:${pad(mi)}`;
}

/**
 * A date (or date and time) typed as dd/mm/yyyy whatever the browser's locale: `<input type=date>` shows
 * mm/dd/yyyy in an English-locale browser even on a Vietnamese screen (issue 15). `value`/`onValue` use the
 * native inputs' ISO form ("yyyy-mm-dd", "yyyy-mm-ddThh:mm"; "" when empty or invalid), so it is a drop-in.
 */
export function DateField(props: {
  label: string;
  name: string;
  value: string;
  onValue: (iso: string) => void;
  withTime?: boolean;
  required?: boolean;
  hint?: string;
}) {
  useLang();
  const id = useId();
  const withTime = props.withTime ?? false;
  const [text, setText] = useState(() => isoToLocal(props.value, withTime));
  const [invalid, setInvalid] = useState(false);
  useEffect(() => {
    // Follow a value set from outside (a reset form), not our own echo.
    if ((localToIso(text, withTime) ?? "") !== props.value) setText(isoToLocal(props.value, withTime));
  }, [props.value]);
  const kind = withTime ? "catalogue.dateTime" : "catalogue.date";
  const example = withTime ? "07/12/2026 08:30" : "07/12/2026";
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder={t(`${kind}.placeholder`)}
        required={props.required}
        value={text}
        aria-invalid={invalid || undefined}
        aria-describedby={hintId}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          setText(raw);
          const iso = raw.trim() ? localToIso(raw, withTime) : "";
          const bad = iso === null;
          setInvalid(bad);
          e.currentTarget.setCustomValidity(bad ? t(`${kind}.invalid`) : "");
          props.onValue(iso ?? "");
        }}
      />
      <small id={hintId}>
        {invalid ? t(`${kind}.invalid`) : props.hint ? `${props.hint} — ${t(`${kind}.hint`, { example })}` : t(`${kind}.hint`, { example })}
      </small>
    </div>
  );
}
