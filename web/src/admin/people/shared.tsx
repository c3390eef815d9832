// Pieces shared by the people and services screens of the admin console (settings, residents, announcements,
// reports, surveys, procedures).
import type { ComponentChildren, JSX } from "preact";
import { useId } from "preact/hooks";
import { t, type MessageKey } from "../../i18n";
import "./people.css";

export { useAction } from "../../lib/useAction";

/** A translated label for a code ("adminPeople.report.status" + "new"), else the code itself. */
export function codeLabel(prefix: string, code: string | null | undefined): string {
  if (!code) return "—";
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

type TextAreaProps = JSX.TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; hint?: string };

export function TextArea({ label, hint, ...area }: TextAreaProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} rows={4} {...area} />
      {hint && <small>{hint}</small>}
    </div>
  );
}

export function Check(props: { label: string; checked: boolean; onChange: (checked: boolean) => void; name?: string }) {
  return (
    <label class="ap-check">
      <input type="checkbox" name={props.name} checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      <span>{props.label}</span>
    </label>
  );
}

/** A group of checkboxes (villages, channels…) in a fieldset with a legend. */
export function CheckGroup(props: {
  legend: string;
  options: { value: string; label: string }[];
  selected: string[];
  onChange: (selected: string[]) => void;
}) {
  const toggle = (value: string, on: boolean) =>
    props.onChange(on ? [...props.selected, value] : props.selected.filter((v) => v !== value));
  return (
    <fieldset class="checks">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <Check key={o.value} label={o.label} checked={props.selected.includes(o.value)} onChange={(on) => toggle(o.value, on)} />
      ))}
    </fieldset>
  );
}

/** Horizontal bars (share of a total), readable by screen readers as "label: count (percent)". */
export function Bars(props: { rows: { label: string; count: number; percent: number }[]; caption?: string }) {
  return (
    <ul class="bars" aria-label={props.caption}>
      {props.rows.map((r, i) => (
        <li key={i}>
          <span class="bar-label">{r.label}</span>
          <span class="bar-track" aria-hidden="true">
            <span class="bar-fill" style={{ width: `${Math.max(0, Math.min(100, r.percent))}%` }} />
          </span>
          <span class="bar-value">{t("adminPeople.bars.value", { count: r.count, percent: Math.round(r.percent) })}</span>
        </li>
      ))}
    </ul>
  );
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section>
      <div class="spread">
        <h1>{props.title}</h1>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

// Officials enter times in Vietnam's time (UTC+7 all year, no daylight saving).
const VN_OFFSET = "+07:00";

/** "2026-11-22T08:00" (a datetime-local value, Vietnam time) → "2026-11-22T08:00:00+07:00"; "" → null. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  return `${value.length === 16 ? `${value}:00` : value}${VN_OFFSET}`;
}

/** An ISO instant → a datetime-local value in Vietnam time. */
export function isoToLocal(iso: string | Date): string {
  const d = new Date(new Date(iso).getTime() + 7 * 3600_000);
  return d.toISOString().slice(0, 16);
}

/** A FormData body for openapi-fetch (it would otherwise send JSON). */
export function multipart(parts: Record<string, Blob | string>): { body: never; bodySerializer: (b: unknown) => FormData } {
  const form = new FormData();
  for (const [k, v] of Object.entries(parts)) form.append(k, v);
  return { body: form as never, bodySerializer: (b: unknown) => b as FormData };
}

/**
 * Reload now and once more a moment later. The platform commits a request's transaction after it has sent
 * the response, so a read issued right after a write can still see the old state; the second read catches up.
 */
export function reloadAfterWrite(reload: () => void, laterMs = 500): void {
  reload();
  setTimeout(reload, laterMs);
}
