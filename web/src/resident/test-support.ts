// Test-only helpers for the resident screens (not imported by the app).
import "fake-indexeddb/auto";
import { Blob as NodeBlob, File as NodeFile } from "node:buffer";
import { makeApi } from "../api/client";
import { sessionFromToken } from "../lib/session";
import { CAM_LO, fakeToken } from "../test/helpers";
import { closeOutbox, OUTBOX_DB } from "./outbox";
import type { ScreenProps } from "./screen";
import type { Outbox } from "./useOutbox";

/**
 * jsdom's Blob and FormData cannot be stored in (fake) IndexedDB nor sent by Node's fetch; Node's own can.
 * Swap them in, as a browser has one consistent set.
 */
export async function useNodeBlobs(): Promise<void> {
  const probe = await new Response("a=1", { headers: { "content-type": "application/x-www-form-urlencoded" } }).formData();
  Object.assign(globalThis, { FormData: probe.constructor, Blob: NodeBlob, File: NodeFile });
}

export function photoFile(bytes = 2048, name = "ho-ga.jpg"): File {
  return new NodeFile([new Uint8Array(bytes).fill(7)], name, { type: "image/jpeg" }) as unknown as File;
}

export async function resetOutbox(): Promise<void> {
  closeOutbox();
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(OUTBOX_DB);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

export const BASE = "http://localhost/t/cam-lo";
export const TOKEN = fakeToken({ sub: "u1", preferred_username: "+84912000001" });

export function noOutbox(): Outbox {
  return { items: [], sentCount: 0, flush: async () => null, remove: async () => undefined, retry: async () => undefined };
}

/** The props a screen gets from the app, with `fetch` answering its calls. */
export function screenProps(fetchImpl: typeof fetch, params: string[] = [], outbox: Outbox = noOutbox()): ScreenProps {
  const api = makeApi({ baseUrl: BASE, fetch: fetchImpl, token: () => TOKEN });
  return { api, commune: { modules: [], ...CAM_LO }, baseUrl: BASE, session: sessionFromToken(TOKEN)!, outbox, params };
}

/** The multipart fields of a recorded request body. */
export async function formOf(body: string, contentType: string | null): Promise<FormData> {
  return new Response(body, { headers: { "content-type": contentType ?? "" } }).formData();
}
