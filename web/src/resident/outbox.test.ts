import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApiError, makeApi, NetworkError } from "../api/client";
import { json, mockFetch } from "../test/helpers";
import { flushOutbox, isTransient, listQueued, newClientRef, queueReport, requeue, type QueuedReport } from "./outbox";
import { BASE, formOf, photoFile, resetOutbox, TOKEN, useNodeBlobs } from "./test-support";

const REPORT = { id: 41, status: "new", category_id: 3, description: "Ổ gà", photos: [] };
const draft = { client_ref: "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", category_id: 3, description: "Ổ gà lớn trước nhà văn hóa thôn", lat: 16.81, lng: 107.01, address: "Thôn An Bình" };
const api = (fetchImpl: typeof fetch) => makeApi({ baseUrl: BASE, fetch: fetchImpl, token: () => TOKEN });

beforeAll(useNodeBlobs);
beforeEach(resetOutbox);
afterEach(resetOutbox);

async function queueOne(over: Partial<QueuedReport> = {}) {
  return queueReport({ scope: BASE, subject: "u1", draft, photo: photoFile(3000), photoName: "ho-ga.jpg", ...over });
}

describe("offline report queue", () => {
  it("keeps the report and its photo (as a Blob) in IndexedDB, per commune and reporter", async () => {
    await queueOne();
    await queueOne({ subject: "someone-else" });
    await queueOne({ scope: "http://localhost/t/hau-loc" });
    const mine = await listQueued(BASE, "u1");
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ state: "queued", attempts: 0, draft, photoName: "ho-ga.jpg" });
    expect(mine[0].photo).toBeInstanceOf(Blob);
    expect(mine[0].photo!.size).toBe(3000);
  });

  it("sends queued reports as multipart with the photo, then forgets them", async () => {
    await queueOne();
    const m = mockFetch({ "POST /api/v1/reports": () => json(REPORT, 201) });
    const result = await flushOutbox(api(m.fetch), BASE, "u1");
    expect(result.sent.map((r) => r.id)).toEqual([41]);
    expect(await listQueued(BASE, "u1")).toEqual([]);
    const call = m.calls[0];
    expect(call.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    const form = await formOf(call.body, call.headers.get("content-type"));
    expect(Object.fromEntries([...form.entries()].filter(([k]) => k !== "photos"))).toEqual({
      client_ref: draft.client_ref,
      category_id: "3",
      description: draft.description,
      lat: "16.81",
      lng: "107.01",
      address: "Thôn An Bình",
    });
    const photo = form.get("photos") as File;
    expect(photo.name).toBe("ho-ga.jpg");
    expect(photo.size).toBe(3000);
  });

  it("stays queued while the network is down, and stops at the first failure", async () => {
    await queueOne();
    await queueOne();
    let tries = 0;
    const offline = (() => {
      tries++;
      return Promise.reject(new TypeError("Failed to fetch"));
    }) as typeof fetch;
    const result = await flushOutbox(api(offline), BASE, "u1");
    expect(result).toMatchObject({ sent: [], failed: 0, left: 2 });
    expect(tries).toBe(1);
    const left = await listQueued(BASE, "u1");
    expect(left.map((r) => [r.state, r.attempts])).toEqual([
      ["queued", 1],
      ["queued", 0],
    ]);
  });

  it("keeps a report the server could not take now (503) and marks one it refuses (422) as failed", async () => {
    await queueOne();
    const busy = mockFetch({ "POST /api/v1/reports": () => json({ error: { code: "unavailable" } }, 503) });
    await flushOutbox(api(busy.fetch), BASE, "u1");
    expect((await listQueued(BASE, "u1"))[0].state).toBe("queued");

    const refuse = mockFetch({
      "POST /api/v1/reports": () => json({ error: { code: "unknown_category", message: "Lĩnh vực không hợp lệ.", message_en: "Unknown category." } }, 422),
    });
    const result = await flushOutbox(api(refuse.fetch), BASE, "u1");
    expect(result.failed).toBe(1);
    const [failed] = await listQueued(BASE, "u1");
    expect(failed).toMatchObject({ state: "failed", error: { code: "unknown_category", vi: "Lĩnh vực không hợp lệ.", en: "Unknown category." } });

    // Failed reports are not retried on their own; the reporter can put one back.
    await flushOutbox(api(refuse.fetch), BASE, "u1");
    expect(refuse.calls).toHaveLength(1);
    await requeue(failed.id!);
    expect((await listQueued(BASE, "u1"))[0]).toMatchObject({ state: "queued", error: undefined });
  });

  it("sends each report once when flushes overlap (app start and the online event together)", async () => {
    await queueOne();
    const m = mockFetch({ "POST /api/v1/reports": () => json(REPORT, 201) });
    const client = api(m.fetch);
    await Promise.all([flushOutbox(client, BASE, "u1"), flushOutbox(client, BASE, "u1")]);
    expect(m.calls).toHaveLength(1);
  });

  it("tells network trouble from a verdict", () => {
    expect(isTransient(new NetworkError("x"))).toBe(true);
    expect(isTransient(new ApiError(503, "x", "", ""))).toBe(true);
    expect(isTransient(new ApiError(429, "x", "", ""))).toBe(true);
    expect(isTransient(new ApiError(422, "x", "", ""))).toBe(false);
    expect(isTransient(new ApiError(404, "x", "", ""))).toBe(false);
  });
});

describe("newClientRef", () => {
  it("makes distinct RFC 4122 version-4 UUIDs without crypto.randomUUID", () => {
    const refs = new Set(Array.from({ length: 200 }, () => newClientRef()));
    expect(refs.size).toBe(200);
    for (const ref of refs) expect(ref).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
