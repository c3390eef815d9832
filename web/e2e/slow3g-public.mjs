// The commune's public pages (server-rendered, no script) over a throttled network in Debian's Chromium:
// bytes on the wire, first contentful paint and the load event of each page, cold (HTTP cache disabled).
// Driven by bench/public_pages.py; the same "slow-3g-400k" profile as e2e/slow3g.mjs.
//
//   BASE_URL=http://127.0.0.1:8000 ROUNDS=3 PAGES=/t/cam-lo/,/t/cam-lo/reports node e2e/slow3g-public.mjs
import { launch, PHONE } from "./lib.mjs";

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8000";
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PAGES = (process.env.PAGES ?? "/t/cam-lo/").split(",");
/** As in e2e/slow3g.mjs (not imported: that module runs its own measurement when loaded). */
const PROFILE = { name: "slow-3g-400k", down_kbps: 400, up_kbps: 400, rtt_ms: 400 };
const CONDITIONS = {
  offline: false,
  latency: PROFILE.rtt_ms,
  downloadThroughput: (PROFILE.down_kbps * 1000) / 8,
  uploadThroughput: (PROFILE.up_kbps * 1000) / 8,
};

const browser = await launch();
const results = {};
try {
  for (const path of PAGES) {
    results[path] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const context = await browser.newContext(PHONE);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      await cdp.send("Network.emulateNetworkConditions", CONDITIONS);
      let bytes = 0;
      let requests = 0;
      cdp.on("Network.loadingFinished", (e) => {
        bytes += e.encodedDataLength;
        requests += 1;
      });
      const response = await page.goto(BASE + path, { waitUntil: "load", timeout: 60000 });
      const timing = await page.evaluate(async () => {
        const paint = () => performance.getEntriesByName("first-contentful-paint")[0];
        for (let i = 0; i < 40 && !paint(); i++) await new Promise((r) => setTimeout(r, 50));
        const nav = performance.getEntriesByType("navigation")[0];
        return { load_ms: nav.loadEventEnd, fcp_ms: paint()?.startTime ?? null, html_bytes: nav.encodedBodySize };
      });
      results[path].push({ status: response.status(), transferred_bytes: bytes, requests, ...timing });
      await context.close();
    }
    const r = results[path][0];
    console.log(`${path}: ${r.status}, ${(r.transferred_bytes / 1024).toFixed(1)} KB in ${r.requests} requests, FCP ${Math.round(r.fcp_ms)} ms, load ${Math.round(r.load_ms)} ms`);
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ profile: PROFILE, rounds: ROUNDS, pages: results }));
