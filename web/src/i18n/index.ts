import { useEffect, useState } from "preact/hooks";
import { baseEn } from "./areas/base.en";
import { baseVi } from "./areas/base.vi";
import type { MessageKey } from "./vi";

export type Lang = "vi" | "en";
export type { MessageKey };
export const LANGS: readonly Lang[] = ["vi", "en"];
// Only the shared strings at start; each app adds its own areas (`addMessages`), so the resident app does not
// carry the consoles' ~1,500 strings over a slow network.
const DICTS: Record<Lang, Partial<Record<MessageKey, string>>> = { vi: { ...baseVi }, en: { ...baseEn } };

/** Make an area's strings available (called once by the app, or the lazy screen, that shows them). */
export function addMessages(vi: Partial<Record<MessageKey, string>>, en: Partial<Record<MessageKey, string>>): void {
  Object.assign(DICTS.vi, vi);
  Object.assign(DICTS.en, en);
}

/** Whether a string exists for `key` (for labels built from codes). */
export function hasMessage(key: string): key is MessageKey {
  return key in DICTS.vi;
}
const STORAGE_KEY = "sc.lang";

function initialLang(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === "vi" || saved === "en") return saved;
  } catch {
    /* storage may be blocked */
  }
  return "vi"; // Vietnamese first, whatever the browser prefers
}

let current: Lang = initialLang();
const listeners = new Set<(lang: Lang) => void>();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* ignore */
  }
  if (typeof document !== "undefined") document.documentElement.lang = lang;
  for (const fn of listeners) fn(lang);
}

/** Translate `key`, replacing `{name}` placeholders from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>, lang: Lang = current): string {
  const text = DICTS[lang][key] ?? DICTS.vi[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Re-render the calling component when the language changes; returns the current language. */
export function useLang(): Lang {
  const [lang, setState] = useState(current);
  useEffect(() => {
    listeners.add(setState);
    return () => {
      listeners.delete(setState);
    };
  }, []);
  return lang;
}

/** The label of a role name, falling back to the name itself for custom roles. */
export function roleLabel(role: string): string {
  const key = `role.${role}`;
  return hasMessage(key) ? t(key) : role;
}
