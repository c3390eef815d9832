import { hasMessage, t } from "../i18n";

/** The label of a status (or other code) under `prefix`, the code itself when it has none. */
export function codeLabel(prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return hasMessage(key) ? t(key) : code;
}

/** The platform's bilingual problem texts ("vi / en") in the current language. */
export function bilingual(text: string, lang: "vi" | "en"): string {
  const [first, second] = text.split(" / ");
  return lang === "en" && second ? second : first;
}
