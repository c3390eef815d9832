import type { ComponentChildren, JSX } from "preact";
import { useId } from "preact/hooks";
import { errorMessage } from "../api/client";
import { LANGS, setLang, t, useLang, type Lang } from "../i18n";

// Language names are shown in their own language, so they are data, not translatable text.
export const LANG_NAMES: Record<Lang, string> = { vi: "Tiếng Việt", en: "English" };

export function LangSwitch() {
  const lang = useLang();
  return (
    <div class="lang" role="group" aria-label={t("common.language")}>
      {LANGS.map((l) => (
        <button type="button" key={l} class="link" aria-pressed={l === lang} onClick={() => setLang(l)} lang={l}>
          {LANG_NAMES[l]}
        </button>
      ))}
    </div>
  );
}

type InputProps = JSX.InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string };

export function Field({ label, hint, ...input }: InputProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} {...input} />
      {hint && <small>{hint}</small>}
    </div>
  );
}

type SelectProps = JSX.SelectHTMLAttributes<HTMLSelectElement> & {
  label: string;
  options: { value: string; label: string }[];
};

export function SelectField({ label, options, ...select }: SelectProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Notice({ kind, children }: { kind: "error" | "ok" | "info"; children: ComponentChildren }) {
  return (
    <div class={`notice ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <Notice kind="error">
      {errorMessage(error)}{" "}
      {onRetry && (
        <button type="button" class="link" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </Notice>
  );
}

export function Loading() {
  return (
    <p class="muted" aria-live="polite">
      {t("common.loading")}
    </p>
  );
}

export function Empty({ text }: { text?: string }) {
  return <p class="muted empty">{text ?? t("common.empty")}</p>;
}

export interface NavItem {
  route: string;
  label: string;
}

/** A titled group of menu entries (the admin console's sidebar). */
export interface NavGroup {
  label: string;
  items: NavItem[];
}

/** Page frame: title bar, navigation, language switch, sign-out, main content. */
export function Shell(props: {
  title: string;
  subtitle?: string;
  nav?: NavItem[];
  /** Grouped navigation shown as a sidebar (wide screens) or a menu above the page (phones). */
  groups?: NavGroup[];
  route?: string;
  onLogout?: () => void;
  children: ComponentChildren;
}) {
  useLang();
  return (
    <>
      <a class="skip" href="#main">
        {t("common.skip")}
      </a>
      <header class="bar">
        <div class="brand">
          <strong>{props.title}</strong>
          {props.subtitle && <span>{props.subtitle}</span>}
        </div>
        <div class="bar-actions">
          <LangSwitch />
          {props.onLogout && (
            <button type="button" class="link" onClick={props.onLogout}>
              {t("common.logout")}
            </button>
          )}
        </div>
      </header>
      {props.nav && (
        <nav class="tabs" aria-label={t("common.menu")}>
          {props.nav.map((n) => (
            <a key={n.route} href={`#${n.route}`} aria-current={props.route?.startsWith(n.route) ? "page" : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
      )}
      {props.groups ? (
        <div class="with-side">
          <nav class="side" aria-label={t("common.menu")}>
            {props.groups.map((g) => (
              <div class="side-group" key={g.label}>
                <h2>{g.label}</h2>
                <ul>
                  {g.items.map((n) => (
                    <li key={n.route}>
                      <a href={`#${n.route}`} aria-current={props.route?.startsWith(n.route) ? "page" : undefined}>
                        {n.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </nav>
          <main id="main">{props.children}</main>
        </div>
      ) : (
        <main id="main">{props.children}</main>
      )}
    </>
  );
}
