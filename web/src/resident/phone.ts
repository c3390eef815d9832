/** A phone as Vietnamese people write it: +84912000001 / 0912000001 → "0912 000 001" ("" for anything else). */
export function localPhone(raw: string | null | undefined): string {
  if (!raw) return "";
  const digits = raw.replace(/^\+84/, "0").replace(/[\s.-]/g, "");
  if (/^0\d{9}$/.test(digits)) return `${digits.slice(0, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}`;
  if (/^0\d{10}$/.test(digits)) return `${digits.slice(0, 4)} ${digits.slice(4, 8)} ${digits.slice(8)}`;
  return "";
}
