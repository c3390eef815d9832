import { useEffect, useState } from "preact/hooks";
import { en } from "./en";
import { vi, type MessageKey } from "./vi";

export type Lang = "vi" | "en";
export type { MessageKey };
export const LANGS: readonly Lang[] = ["vi", "en"];
const DICTS: Record<Lang, Record<MessageKey, string>> = { vi, en };
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
  const key = `role.${role}` as MessageKey;
  return key in vi ? t(key) : role;
}
