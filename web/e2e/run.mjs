// Runs end-to-end flows (web/e2e/flows/<name>.mjs) in Debian's Chromium against a running platform.
//
//   BASE_URL=http://127.0.0.1:8000 SERVER_LOG=/path/server.log OUT_DIR=/tmp/shots node e2e/run.mjs [flow ...]
//
// With no names, every flow runs in FLOWS order. The platform must have the demo communes
// (`smartcommune demo`); tests/web/test_e2e.py starts one. Each flow module exports `title` and
// `run(browser)`; it throws `Skip` (lib.mjs) when its screen does not exist yet. Each flow is bounded by
// E2E_FLOW_TIMEOUT_MS. The last line printed is a JSON summary: {"passed": [...], "skipped": {...}, "failed": {...}}.
import { join } from "node:path";
import { launch, OUT, pageErrors, Skip } from "./lib.mjs";

/** Every flow, in the order a full run takes them (the resident flow counts unread messages, so it goes first). */
const FLOWS = ["journey-provider", "provider", "admin", "resident", "accessibility", "isolation", "report", "announcement", "onboarding", "journey-resident", "public", "journey-cameras"];
const FLOW_TIMEOUT_MS = Number(process.env.E2E_FLOW_TIMEOUT_MS ?? 150000);

/** Every page still open when a flow failed, as it looked then: `FAILED-<flow>-<n>.png`. */
async function failureShots(name) {
  let n = 0;
  for (const context of browser.contexts()) {
    for (const page of context.pages()) {
      const path = join(OUT, `FAILED-${name}-${++n}.png`);
      await page.screenshot({ path, fullPage: true, timeout: 5000 }).then(
        () => console.error(`  screenshot ${path} (${page.url()})`),
        () => {},
      );
    }
  }
}

const names = process.argv.slice(2);
for (const name of names) if (!FLOWS.includes(name)) throw new Error(`unknown flow ${name}; flows: ${FLOWS.join(", ")}`);
const summary = { passed: [], skipped: {}, failed: {} };
const browser = await launch();
try {
  for (const name of names.length ? names : FLOWS) {
    const flow = await import(`./flows/${name}.mjs`);
    console.log(`== ${name}: ${flow.title}`);
    const started = Date.now();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`flow ${name} took longer than ${FLOW_TIMEOUT_MS} ms`)), FLOW_TIMEOUT_MS);
    });
    try {
      pageErrors.length = 0;
      await Promise.race([flow.run(browser), timeout]);
      if (pageErrors.length) throw new Error(`uncaught errors in the page:\n  ${pageErrors.join("\n  ")}`);
      summary.passed.push(name);
      console.log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      if (e instanceof Skip) {
        summary.skipped[name] = e.message;
        console.log(`SKIP ${name}: ${e.message}`);
      } else {
        summary.failed[name] = String(e?.stack ?? e);
        console.error(`FAIL ${name}:`, e);
        await failureShots(name);
      }
    } finally {
      clearTimeout(timer);
      for (const context of browser.contexts()) await context.close().catch(() => {});
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(summary));
process.exit(Object.keys(summary.failed).length ? 1 : 0);
