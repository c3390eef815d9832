import { afterEach, describe, expect, it, vi } from "vitest";
import { compressPhoto, fitWithin, photoName } from "./photo";

afterEach(() => vi.unstubAllGlobals());

describe("photo compression", () => {
  it("fits the long edge within the limit, keeping the aspect ratio, never enlarging", () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3000, 4000, 1000)).toEqual({ width: 750, height: 1000 });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
  });

  it("redraws a large photo smaller as JPEG on a canvas", async () => {
    const close = vi.fn();
    vi.stubGlobal("createImageBitmap", vi.fn(async () => ({ width: 4000, height: 3000, close })));
    const drawn: number[][] = [];
    const small = new Blob([new Uint8Array(200)], { type: "image/jpeg" });
    const getContext = vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue({
      drawImage: (_img: unknown, ...args: number[]) => drawn.push(args),
    } as unknown as CanvasRenderingContext2D);
    const toBlob = vi.spyOn(HTMLCanvasElement.prototype, "toBlob").mockImplementation(function (cb, type, quality) {
      expect([type, quality]).toEqual(["image/jpeg", 0.72]);
      cb(small);
    });
    const out = await compressPhoto(new Blob([new Uint8Array(5000)], { type: "image/jpeg" }));
    expect(out).toBe(small);
    expect(drawn).toEqual([[0, 0, 1600, 1200]]);
    expect(close).toHaveBeenCalled();
    getContext.mockRestore();
    toBlob.mockRestore();
  });

  it("keeps the original when it cannot be decoded, or is not an image", async () => {
    vi.stubGlobal("createImageBitmap", vi.fn(async () => Promise.reject(new Error("bad"))));
    const file = new Blob([new Uint8Array(10)], { type: "image/heic" });
    expect(await compressPhoto(file)).toBe(file);
    const pdf = new Blob(["%PDF"], { type: "application/pdf" });
    expect(await compressPhoto(pdf)).toBe(pdf);
  });

  it("names the re-encoded photo .jpg", () => {
    expect(photoName("IMG_0001.HEIC", new Blob([], { type: "image/jpeg" }))).toBe("IMG_0001.jpg");
    expect(photoName("a.png", new Blob([], { type: "image/png" }))).toBe("a.png");
  });
});
