import { getLang, type Lang } from "./index";

// Vietnam's conventions: day/month/year, "." thousands separator, "₫" after the amount, ICT time zone.
const LOCALES: Record<Lang, string> = { vi: "vi-VN", en: "en-GB" };
export const TIME_ZONE = "Asia/Ho_Chi_Minh";
// dd/mm/yyyy (dateStyle "short" gives 2/1/26 in vi-VN, which reads badly in lists).
const DAY = { day: "2-digit", month: "2-digit", year: "numeric" } as const;

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function fmt<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

function toDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

export function formatDate(value: string | number | Date, lang: Lang = getLang()): string {
  const f = fmt(`d:${lang}`, () => new Intl.DateTimeFormat(LOCALES[lang], { ...DAY, timeZone: TIME_ZONE }));
  return f.format(toDate(value));
}

export function formatDateTime(value: string | number | Date, lang: Lang = getLang()): string {
  const f = fmt(
    `dt:${lang}`,
    () => new Intl.DateTimeFormat(LOCALES[lang], { ...DAY, hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE }),
  );
  return f.format(toDate(value));
}

export function formatNumber(value: number, lang: Lang = getLang(), maximumFractionDigits = 2): string {
  const f = fmt(`n:${lang}:${maximumFractionDigits}`, () => new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits }));
  return f.format(value);
}

export function formatVnd(value: number, lang: Lang = getLang()): string {
  const f = fmt(`vnd:${lang}`, () => new Intl.NumberFormat(LOCALES[lang], { style: "currency", currency: "VND" }));
  return f.format(value);
}
