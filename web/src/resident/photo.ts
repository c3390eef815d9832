// Camera photos are several MB; a report needs far less. Downscale and re-encode in the browser before
// anything is stored or sent, so slow networks and the offline queue carry ~200 KB instead.

export const MAX_EDGE = 1600;
export const JPEG_QUALITY = 0.72;

/** The size that fits within `max` on the long edge, keeping the aspect ratio; never enlarges. */
export function fitWithin(width: number, height: number, max = MAX_EDGE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

type Drawable = CanvasImageSource & { width: number; height: number };

async function decode(file: Blob): Promise<Drawable> {
  if (typeof createImageBitmap === "function") {
    return createImageBitmap(file, { imageOrientation: "from-image" });
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A JPEG of the photo at most MAX_EDGE px on its long edge; the original when it cannot be decoded or shrunk. */
export async function compressPhoto(file: Blob, maxEdge = MAX_EDGE, quality = JPEG_QUALITY): Promise<Blob> {
  if (!file.type.startsWith("image/")) return file;
  let source: Drawable;
  try {
    source = await decode(file);
  } catch {
    return file;
  }
  const size = fitWithin(source.width, source.height, maxEdge);
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = canvas.getContext("2d");
  if (!ctx) return file;
  ctx.drawImage(source, 0, 0, size.width, size.height);
  if ("close" in source && typeof source.close === "function") source.close();
  const out = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  return out && out.size < file.size ? out : file;
}

export function photoName(original: string | undefined, blob: Blob): string {
  const base = (original ?? "photo").replace(/\.[^.]+$/, "") || "photo";
  return blob.type === "image/jpeg" ? `${base}.jpg` : original ?? "photo";
}
