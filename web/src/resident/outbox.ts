// Field reports waiting to be sent: written offline, or whose sending failed on the network. Kept in
// IndexedDB (the photo as a Blob) and sent by `flushOutbox` when the app starts, when the phone comes back
// online, and by the service worker's Background Sync (public/resident/sw.js reads the same database: keep
// the names and shapes below in step with it).
import { ApiError, call, NetworkError, type Api, type Schemas } from "../api/client";

export const OUTBOX_DB = "sc-resident-outbox";
export const OUTBOX_SYNC_TAG = "sc-outbox";
const REPORTS = "reports";
const AUTH = "auth";
const LOCK = "sc-outbox";

export interface ReportDraft {
  /** One per report, kept through retries: the platform answers a resend with the report it already made. */
  client_ref: string;
  category_id: number;
  description: string;
  lat?: number | null;
  lng?: number | null;
  address?: string | null;
}

export interface QueuedReport {
  id?: number;
  /** The API base (origin + /t/{slug}) the report belongs to. */
  scope: string;
  /** The reporter's token subject: another user signing in on this phone does not send it. */
  subject: string;
  draft: ReportDraft;
  photo: Blob | null;
  photoName: string;
  createdAt: string;
  attempts: number;
  /** "failed": the platform refused it (bad input); it stays until the reporter deletes it. */
  state: "queued" | "failed";
  error?: { code: string; vi: string; en: string };
}

/** What the service worker needs to send on its own: the reporter's current token. */
export interface OutboxAuth {
  scope: string;
  subject: string;
  token: string;
  exp: number;
}

let opening: Promise<IDBDatabase> | null = null;

function openDb(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(OUTBOX_DB, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore(REPORTS, { keyPath: "id", autoIncrement: true });
      db.createObjectStore(AUTH, { keyPath: "scope" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  }).catch((e: unknown) => {
    opening = null;
    throw e;
  });
  return opening;
}

/** Forget the open connection (tests delete the database between cases). */
export function closeOutbox(): void {
  void opening?.then((db) => db.close()).catch(() => undefined);
  opening = null;
}

async function run<T>(store: string, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = op(tx.objectStore(store));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error ?? req.error);
    tx.onabort = () => reject(tx.error ?? req.error);
  });
}

export function outboxAvailable(): boolean {
  return typeof indexedDB !== "undefined";
}

export async function queueReport(item: Omit<QueuedReport, "id" | "attempts" | "state" | "createdAt">): Promise<number> {
  const row: QueuedReport = { ...item, attempts: 0, state: "queued", createdAt: new Date().toISOString() };
  const id = (await run(REPORTS, "readwrite", (s) => s.add(row))) as number;
  changed();
  return id;
}

export async function listQueued(scope: string, subject: string): Promise<QueuedReport[]> {
  const all = await run(REPORTS, "readonly", (s) => s.getAll() as IDBRequest<QueuedReport[]>);
  return all.filter((r) => r.scope === scope && r.subject === subject).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

/** A refused report the reporter wants to try again (e.g. after the commune fixed a category). */
export async function requeue(id: number): Promise<void> {
  const item = await run(REPORTS, "readonly", (s) => s.get(id) as IDBRequest<QueuedReport | undefined>);
  if (item) await putQueued({ ...item, state: "queued", error: undefined });
  changed();
}

export async function removeQueued(id: number): Promise<void> {
  await run(REPORTS, "readwrite", (s) => s.delete(id));
  changed();
}

async function putQueued(item: QueuedReport): Promise<void> {
  await run(REPORTS, "readwrite", (s) => s.put(item));
}

export async function saveOutboxAuth(auth: OutboxAuth): Promise<void> {
  await run(AUTH, "readwrite", (s) => s.put(auth));
}

export async function clearOutboxAuth(scope: string): Promise<void> {
  await run(AUTH, "readwrite", (s) => s.delete(scope));
}

// -- sending ------------------------------------------------------------------------------------------

/** A random UUID v4 (crypto.randomUUID exists only in secure contexts; plain-http LAN installs lack it). */
export function newClientRef(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function reportFormData(draft: ReportDraft, photo: Blob | null, photoName: string): FormData {
  const form = new FormData();
  form.append("client_ref", draft.client_ref);
  form.append("category_id", String(draft.category_id));
  form.append("description", draft.description);
  if (draft.lat != null && draft.lng != null) {
    form.append("lat", String(draft.lat));
    form.append("lng", String(draft.lng));
  }
  if (draft.address) form.append("address", draft.address);
  if (photo) form.append("photos", photo, photoName);
  return form;
}

export type Report = Schemas["ReportOut"];

export function sendReport(api: Api, draft: ReportDraft, photo: Blob | null, photoName: string): Promise<Report> {
  const form = reportFormData(draft, photo, photoName);
  return call(
    api.POST("/api/v1/reports", {
      body: form as never,
      bodySerializer: (b: unknown) => b as FormData,
    }),
  );
}

/** Worth trying again later: no network, a timeout, overload or a server fault rather than a verdict on the report. */
export function isTransient(e: unknown): boolean {
  if (e instanceof NetworkError) return true;
  return e instanceof ApiError && (e.status === 408 || e.status === 429 || e.status >= 500);
}

function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  return locks ? (locks.request(LOCK, fn) as Promise<T>) : fn();
}

let flushing: Promise<FlushResult> | null = null;

export interface FlushResult {
  sent: Report[];
  failed: number;
  left: number;
}

/**
 * Send this reporter's queued reports, oldest first. One flush at a time on the page, and (Web Locks)
 * never alongside the service worker's, so a report is not sent twice.
 */
export function flushOutbox(api: Api, scope: string, subject: string): Promise<FlushResult> {
  flushing ??= withLock(() => flushNow(api, scope, subject)).finally(() => {
    flushing = null;
  });
  return flushing;
}

async function flushNow(api: Api, scope: string, subject: string): Promise<FlushResult> {
  const result: FlushResult = { sent: [], failed: 0, left: 0 };
  const queued = (await listQueued(scope, subject)).filter((r) => r.state === "queued");
  for (let i = 0; i < queued.length; i++) {
    const item = queued[i];
    try {
      result.sent.push(await sendReport(api, item.draft, item.photo, item.photoName));
      await removeQueued(item.id!);
    } catch (e) {
      if (isTransient(e) || (e instanceof ApiError && e.status === 401)) {
        await putQueued({ ...item, attempts: item.attempts + 1 });
        result.left = queued.length - i;
        break; // still offline (or signed out): the rest would fail the same way
      }
      const err = e instanceof ApiError ? { code: e.code, vi: e.messageVi, en: e.messageEn } : { code: "error", vi: "", en: "" };
      await putQueued({ ...item, attempts: item.attempts + 1, state: "failed", error: err });
      result.failed++;
    }
  }
  if (queued.length) changed();
  return result;
}

// -- change notifications (this page, and the service worker after a background send) ---------------------

export const OUTBOX_EVENT = "sc-outbox-changed";

function changed(): void {
  if (typeof dispatchEvent === "function") dispatchEvent(new Event(OUTBOX_EVENT));
}

/** Ask the service worker to send the queue when connectivity returns, even if the app is closed. */
export function requestBackgroundSync(): void {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  void navigator.serviceWorker.ready
    .then((reg) => (reg as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }).sync?.register(OUTBOX_SYNC_TAG))
    .catch(() => undefined);
}
