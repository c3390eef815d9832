// What a resident may type or scan on a product label: the GS1 Digital Link on the QR
// (https://<commune>/01/<GTIN>/10/<lot>), the commune path /trace/<lot>, a GS1 element string
// "(01)<GTIN>(10)<lot>", or just the lot code printed under it.

export interface TraceRef {
  gtin: string | null;
  lot: string;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function parseTraceInput(input: string): TraceRef | null {
  const text = input.trim();
  if (!text) return null;
  const link = /\/01\/(\d{8,14})\/10\/([^/?#]+)/.exec(text);
  if (link) return { gtin: link[1].padStart(14, "0"), lot: decode(link[2]) };
  const path = /\/trace\/([^/?#]+)/.exec(text);
  if (path) return { gtin: null, lot: decode(path[1]) };
  const element = /^\(01\)(\d{8,14})\(10\)(.{1,20})$/.exec(text);
  if (element) return { gtin: element[1].padStart(14, "0"), lot: element[2] };
  if (/^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/.test(text)) return { gtin: null, lot: text };
  return null;
}
