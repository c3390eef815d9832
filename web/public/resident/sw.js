/* Resident PWA service worker: keeps the app shell and the last loaded inbox so they open offline.
 *
 * - install: fetch the shell (./ = index.html) and every script, style and icon it references; cache them.
 * - navigations: network first (a new build is picked up at once), the cached shell when offline.
 * - GET …/api/v1/inbox: network first; the last good response is kept and served offline with the
 *   header X-SC-Offline: 1 so the page can say it is showing saved data. Signing out deletes it.
 * - built assets (hashed names) and icons: cache first.
 */
const SHELL_CACHE = "sc-resident-shell-v1";
const DATA_CACHE = "sc-resident-data";
const SHELL_URL = new URL("./", self.registration.scope).href;

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
  } else if (/\/api\/v1\/inbox$/.test(url.pathname)) {
    event.respondWith(networkFirst(request, DATA_CACHE, null, true));
  } else if (/\/assets\/|\.(?:png|svg|webmanifest)$/.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});
