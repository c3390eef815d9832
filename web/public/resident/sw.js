/* Resident PWA service worker: the app opens offline with what was loaded, and queued reports are sent.
 *
 * - install: fetch the shell (./ = index.html) and every script, style and icon it references; cache them.
 * - navigations: network first (a new build is picked up at once), the cached shell when offline.
 * - GET …/api/v1/… (inbox, my reports, invoices, surveys, procedures, contacts…): network first; the last good
 *   response is kept and served offline with the header X-SC-Offline: 1 so the page can say it is showing
 *   saved data. Signing out deletes that cache. Document files are not kept (too large).
 * - built assets (hashed names, including lazily loaded screens once opened) and icons: cache first.
 * - sync "sc-outbox": send the field reports queued in IndexedDB (src/resident/outbox.ts writes them; the
 *   database and record shapes here must match it) with the reporter's saved token, then tell open pages.
 */
const SHELL_CACHE = "sc-resident-shell-v2";
const DATA_CACHE = "sc-resident-data";
const SHELL_URL = new URL("./", self.registration.scope).href;
const OUTBOX_DB = "sc-resident-outbox";
const OUTBOX_SYNC_TAG = "sc-outbox";
const OUTBOX_EVENT = "sc-outbox-changed";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      const response = await fetch(SHELL_URL, { cache: "no-cache" });
      if (!response.ok) return;
      const html = await response.clone().text();
      await cache.put(SHELL_URL, response);
      const urls = new Set();
      for (const m of html.matchAll(/(?:src|href)="([^"#]+)"/g)) {
        const url = new URL(m[1], SHELL_URL);
        if (url.origin === self.location.origin) urls.add(url.href);
      }
      await cache.addAll([...urls]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("sc-resident-shell-") && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request, cacheName, fallbackKey, markOffline) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackKey || request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackKey || request);
    if (!cached) throw error;
    if (!markOffline) return cached;
    const headers = new Headers(cached.headers);
    headers.set("X-SC-Offline", "1");
    return new Response(await cached.blob(), { status: cached.status, headers });
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, SHELL_CACHE, SHELL_URL, false));
  } else if (/\/api\/v1\//.test(url.pathname) && !/\/file$/.test(url.pathname)) {
    event.respondWith(networkFirst(request, DATA_CACHE, null, true));
  } else if (/\/assets\/|\.(?:png|svg|webmanifest)$/.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});

// -- Background Sync: queued field reports ------------------------------------------------------------------

function idb(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openOutbox() {
  const req = indexedDB.open(OUTBOX_DB, 1);
  req.onupgradeneeded = () => {
    req.result.createObjectStore("reports", { keyPath: "id", autoIncrement: true });
    req.result.createObjectStore("auth", { keyPath: "scope" });
  };
  return idb(req);
}

function reportForm(item) {
  const form = new FormData();
  const d = item.draft;
  if (d.client_ref) form.append("client_ref", d.client_ref);
  form.append("category_id", String(d.category_id));
  form.append("description", d.description);
  if (d.lat != null && d.lng != null) {
    form.append("lat", String(d.lat));
    form.append("lng", String(d.lng));
  }
  if (d.address) form.append("address", d.address);
  if (item.photo) form.append("photos", item.photo, item.photoName);
  return form;
}

async function sendQueued() {
  const db = await openOutbox();
  const store = (name, mode) => db.transaction(name, mode).objectStore(name);
  const items = (await idb(store("reports", "readonly").getAll())).filter((r) => r.state === "queued");
  const auths = new Map((await idb(store("auth", "readonly").getAll())).map((a) => [a.scope, a]));
  let changed = false;
  let offline = false;
  for (const item of items.sort((a, b) => a.id - b.id)) {
    const auth = auths.get(item.scope);
    if (!auth || auth.subject !== item.subject || auth.exp * 1000 < Date.now() + 30000) continue; // the app sends it after sign-in
    let response;
    try {
      response = await fetch(`${item.scope}/api/v1/reports`, {
        method: "POST",
        headers: { Authorization: `Bearer ${auth.token}` },
        body: reportForm(item),
      });
    } catch {
      offline = true;
      break;
    }
    changed = true;
    if (response.ok) {
      await idb(store("reports", "readwrite").delete(item.id));
    } else if (response.status === 401 || response.status === 408 || response.status === 429 || response.status >= 500) {
      await idb(store("reports", "readwrite").put({ ...item, attempts: item.attempts + 1 }));
    } else {
      const body = await response.json().catch(() => ({}));
      const e = body.error || {};
      const error = { code: e.code || "error", vi: e.message || "", en: e.message_en || "" };
      await idb(store("reports", "readwrite").put({ ...item, attempts: item.attempts + 1, state: "failed", error }));
    }
  }
  db.close();
  if (changed) {
    for (const client of await self.clients.matchAll({ includeUncontrolled: true })) client.postMessage({ type: OUTBOX_EVENT });
  }
  if (offline) throw new Error("offline"); // the browser retries the sync later
}

function withLock(fn) {
  return self.navigator.locks ? self.navigator.locks.request("sc-outbox", fn) : fn();
}

self.addEventListener("sync", (event) => {
  if (event.tag === OUTBOX_SYNC_TAG) event.waitUntil(withLock(sendQueued));
});
