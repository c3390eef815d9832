// The service worker's Background Sync sends the reports the page queued (same IndexedDB, same shapes).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { json } from "../test/helpers";
import { listQueued, queueReport, saveOutboxAuth } from "./outbox";
import { BASE, formOf, photoFile, resetOutbox, TOKEN, useNodeBlobs } from "./test-support";

const SW = readFileSync(join(import.meta.dirname, "../../public/resident/sw.js"), "utf8");

type Handler = (event: { tag: string; waitUntil: (p: Promise<unknown>) => void }) => void;

/** Runs sw.js with a fake `self`; returns its sync handler, the requests it made and the messages it posted. */
function loadWorker(respond: (req: Request) => Response | Promise<Response>) {
  const handlers: Record<string, Handler> = {};
  const requests: Request[] = [];
  const posted: unknown[] = [];
  const self = {
    registration: { scope: "http://localhost/t/cam-lo/app/resident/" },
    location: new URL("http://localhost/t/cam-lo/app/resident/sw.js"),
    navigator: {},
    addEventListener: (type: string, fn: Handler) => (handlers[type] = fn),
    clients: { matchAll: async () => [{ postMessage: (m: unknown) => posted.push(m) }] },
  };
  const fakeFetch = async (input: RequestInfo, init?: RequestInit) => {
    const req = new Request(input, init);
    requests.push(req.clone());
    return respond(req);
  };
  new Function("self", "fetch", SW)(self, fakeFetch);
  async function sync(tag = "sc-outbox") {
    let done: Promise<unknown> = Promise.resolve();
    handlers.sync({ tag, waitUntil: (p) => (done = p) });
    return done;
  }
  return { sync, requests, posted };
}

beforeAll(useNodeBlobs);
beforeEach(resetOutbox);
afterEach(resetOutbox);

const draft = { client_ref: "0b6f7c1e-3d2a-4f5b-9c8d-1e2f3a4b5c6d", category_id: 3, description: "Cây đổ chắn đường", lat: 16.8, lng: 107.0 };

describe("service worker background sync", () => {
  it("sends queued reports with the saved token and tells the open pages", async () => {
    await saveOutboxAuth({ scope: BASE, subject: "u1", token: TOKEN, exp: Math.floor(Date.now() / 1000) + 3600 });
    await queueReport({ scope: BASE, subject: "u1", draft, photo: photoFile(1234), photoName: "cay.jpg" });
    const worker = loadWorker(() => json({ id: 50 }, 201));
    await worker.sync();
    expect(worker.requests).toHaveLength(1);
    const req = worker.requests[0];
    expect(req.url).toBe(`${BASE}/api/v1/reports`);
    expect(req.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    const form = await formOf(await req.text(), req.headers.get("content-type"));
    expect(form.get("description")).toBe("Cây đổ chắn đường");
    expect(form.get("client_ref")).toBe(draft.client_ref); // a resend after a lost answer is not a second report
    expect((form.get("photos") as File).size).toBe(1234);
    expect(await listQueued(BASE, "u1")).toEqual([]);
    expect(worker.posted).toEqual([{ type: "sc-outbox-changed" }]);
  });

  it("leaves the queue alone without a valid token, and fails the sync while offline so the browser retries", async () => {
    await queueReport({ scope: BASE, subject: "u1", draft, photo: null, photoName: "" });
    await saveOutboxAuth({ scope: BASE, subject: "u1", token: TOKEN, exp: Math.floor(Date.now() / 1000) - 10 });
    const expired = loadWorker(() => json({}, 201));
    await expired.sync();
    expect(expired.requests).toHaveLength(0);

    await saveOutboxAuth({ scope: BASE, subject: "u1", token: TOKEN, exp: Math.floor(Date.now() / 1000) + 3600 });
    const offline = loadWorker(() => Promise.reject(new TypeError("Failed to fetch")));
    await expect(offline.sync()).rejects.toThrow("offline");
    expect((await listQueued(BASE, "u1"))[0].state).toBe("queued");
  });

  it("marks a report the platform refuses as failed, with its message", async () => {
    await saveOutboxAuth({ scope: BASE, subject: "u1", token: TOKEN, exp: Math.floor(Date.now() / 1000) + 3600 });
    await queueReport({ scope: BASE, subject: "u1", draft, photo: null, photoName: "" });
    const worker = loadWorker(() => json({ error: { code: "unknown_category", message: "Lĩnh vực không hợp lệ.", message_en: "Unknown category." } }, 422));
    await worker.sync();
    expect((await listQueued(BASE, "u1"))[0]).toMatchObject({ state: "failed", error: { code: "unknown_category", vi: "Lĩnh vực không hợp lệ." } });
  });
});
