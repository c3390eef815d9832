// The resident app's sign-in page over a throttled network in Debian's Chromium: bytes on the wire and time
// to interactive, cold (empty profile) and warm (service worker installed). Driven by bench/web.py.
//
//   BASE_URL=http://127.0.0.1:8000 ROUNDS=3 node e2e/slow3g.mjs   → last line: one JSON object
//
// Network profile "slow-3g-400k": 400 kbit/s down and up, 400 ms round trip, applied with CDP
// Network.emulateNetworkConditions to the page AND to the service worker (its own fetches: the network-first
// navigation, the install) with the HTTP cache disabled in both, so every byte goes over the throttled link.
//
// Time to interactive (TTI), in ms from navigation start: the later of (a) the first moment the sign-in
// form's button ("Nhận mã xác thực") is visible and enabled and (b) the end of the last long task (≥ 50 ms,
// PerformanceObserver "longtask"), once the main thread has then been free of long tasks for QUIET_MS.
import { launch, PHONE } from "./lib.mjs";

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8000";
const URL_PATH = process.env.APP_PATH ?? "/t/cam-lo/app/resident/";
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CPU_SLOWDOWN = Number(process.env.CPU_SLOWDOWN ?? 1);
const QUIET_MS = 500;
const TIMEOUT_MS = 60000;
export const PROFILE = { name: "slow-3g-400k", down_kbps: 400, up_kbps: 400, rtt_ms: 400 };
const CONDITIONS = {
  offline: false,
  latency: PROFILE.rtt_ms,
  downloadThroughput: (PROFILE.down_kbps * 1000) / 8,
  uploadThroughput: (PROFILE.up_kbps * 1000) / 8,
};

/** Wire bytes per request of one CDP session: {url, type, bytes, fromServiceWorker}. */
function tracker() {
  const requests = new Map();
  return {
    requests,
    on(method, params) {
      if (method === "Network.requestWillBeSent") {
        requests.set(params.requestId, { url: params.request.url, type: params.type ?? "Other", bytes: 0, fromServiceWorker: false });
      } else if (method === "Network.responseReceived") {
        const r = requests.get(params.requestId);
        if (r) Object.assign(r, { type: params.type ?? r.type, fromServiceWorker: Boolean(params.response.fromServiceWorker) });
      } else if (method === "Network.loadingFinished") {
        const r = requests.get(params.requestId);
        if (r) r.bytes = params.encodedDataLength;
      }
    },
    reset() {
      requests.clear();
    },
  };
}

/** The service workers' CDP sessions (attached through the browser session; they are not pages). */
function serviceWorkers(browserSession, swTracker) {
  let nextId = 0;
  const pending = new Map();
  browserSession.on("Target.receivedMessageFromTarget", ({ message }) => {
    const m = JSON.parse(message);
    if (m.id !== undefined && pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
    } else if (m.method) swTracker.on(m.method, m.params);
  });
  const send = async (sessionId, method, params = {}) => {
    const id = ++nextId;
    const reply = new Promise((resolve) => pending.set(id, resolve));
    await browserSession.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) });
    return reply;
  };
  browserSession.on("Target.targetCreated", async ({ targetInfo }) => {
    if (targetInfo.type !== "service_worker") return;
    const { sessionId } = await browserSession.send("Target.attachToTarget", { targetId: targetInfo.targetId, flatten: false });
    await send(sessionId, "Network.enable");
    await send(sessionId, "Network.setCacheDisabled", { cacheDisabled: true });
    await send(sessionId, "Network.emulateNetworkConditions", CONDITIONS);
  });
  return browserSession.send("Target.setDiscoverTargets", { discover: true });
}

const LONG_TASKS = `
  window.__scLongTaskEnds = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__scLongTaskEnds.push(e.startTime + e.duration);
  }).observe({ type: "longtask", buffered: true });
`;

/** TTI as defined above, measured in the page; also first contentful paint and the load event. */
function interactive(quietMs) {
  const button = [...document.querySelectorAll("button")].find((b) => b.textContent.includes("Nhận mã xác thực"));
  const now = performance.now();
  if (!window.__scReady) {
    if (!button || button.disabled || button.offsetParent === null) return false;
    window.__scReady = now;
  }
  const lastLong = Math.max(0, ...window.__scLongTaskEnds);
  const tti = Math.max(window.__scReady, lastLong);
  if (now - tti < quietMs) return false;
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return { tti, fcp: fcp?.startTime ?? null, load: nav?.loadEventEnd || null, longTasks: window.__scLongTaskEnds.length };
}

function sum(requests, pick) {
  let bytes = 0;
  for (const r of requests.values()) if (pick(r)) bytes += r.bytes;
  return bytes;
}

function bytes(requests) {
  const wire = [...requests].filter((r) => !r.fromServiceWorker && r.bytes > 0);
  const js = wire.filter((r) => r.type === "Script" || new URL(r.url).pathname.endsWith(".js"));
  return {
    transferred_bytes: wire.reduce((n, r) => n + r.bytes, 0),
    js_transferred_bytes: js.reduce((n, r) => n + r.bytes, 0),
    requests_on_network: wire.length,
    js_paths: js.map((r) => new URL(r.url).pathname),
  };
}

/** One navigation to the sign-in page. Bytes: the page's own requests plus the service worker's (warm: the
 * worker fetches the page itself, network first), not what the worker answers from its cache. */
async function load(page, pageTracker, swTracker) {
  pageTracker.reset();
  swTracker.reset();
  await page.goto(`${BASE}${URL_PATH}`, { waitUntil: "commit", timeout: TIMEOUT_MS });
  const handle = await page.waitForFunction(interactive, QUIET_MS, { polling: 50, timeout: TIMEOUT_MS }).catch(async (e) => {
    const text = await page.evaluate(() => document.body?.innerText ?? "").catch(() => "?");
    throw new Error(`${page.url()} never became interactive; the page shows: ${JSON.stringify(text.slice(0, 500))}`, { cause: e });
  });
  const timing = await handle.jsonValue();
  return {
    tti_ms: Math.round(timing.tti),
    fcp_ms: timing.fcp === null ? null : Math.round(timing.fcp),
    long_tasks: timing.longTasks,
    ...bytes([...pageTracker.requests.values(), ...swTracker.requests.values()]),
    from_service_worker: [...pageTracker.requests.values()].filter((r) => r.fromServiceWorker).length,
  };
}

const browser = await launch();
const runs = { cold: [], warm: [] };
try {
  const browserSession = await browser.newBrowserCDPSession();
  const swTracker = tracker();
  await serviceWorkers(browserSession, swTracker);
  for (let round = 0; round < ROUNDS; round++) {
    const context = await browser.newContext(PHONE);
    await context.addInitScript(LONG_TASKS);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const pageTracker = tracker();
    for (const m of ["Network.requestWillBeSent", "Network.responseReceived", "Network.loadingFinished"]) {
      cdp.on(m, (params) => pageTracker.on(m, params));
    }
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", CONDITIONS);
    if (CPU_SLOWDOWN > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });

    // Cold: the page's own bytes until interactive. The service worker starts installing meanwhile (it
    // fetches the shell again); it is attached too late to count those fetches reliably, so they are left out.
    const cold = await load(page, pageTracker, swTracker);
    runs.cold.push({ ...cold, ...bytes(pageTracker.requests.values()) });
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: TIMEOUT_MS });
    const warm = await load(page, pageTracker, swTracker);
    runs.warm.push(warm);
    console.log(`round ${round + 1}: cold ${cold.tti_ms} ms ${runs.cold.at(-1).transferred_bytes} B · warm ${warm.tti_ms} ms ${warm.transferred_bytes} B`);
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ profile: PROFILE, cpu_slowdown: CPU_SLOWDOWN, quiet_ms: QUIET_MS, runs }));
