import { useEffect, useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../api/client";
import { formatDateTime, formatNumber } from "../i18n/format";
import { t, useLang } from "../i18n";
import { ErrorNotice, Loading, Notice } from "../ui/components";
import { localPhone } from "../resident/phone";
import { FINAL_RUN_STATUSES, known, RunStatusBadge } from "./shared";

type Run = Schemas["RunDetail"];

/** One provisioning run's steps, polled until the run has finished, failed or been cancelled. */
export function RunProgress({ api, runId, intervalMs = 1000 }: { api: Api; runId: string; intervalMs?: number }) {
  useLang();
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await call(api.GET("/api/provider/v1/provisioning/runs/{run_id}", { params: { path: { run_id: runId } } }));
        if (stopped) return;
        setRun(next);
        setError(null);
        if (!FINAL_RUN_STATUSES.includes(next.status)) timer = setTimeout(poll, intervalMs);
      } catch (e) {
        if (stopped) return;
        setError(e);
        timer = setTimeout(poll, intervalMs * 3); // a network hiccup: keep watching, more slowly
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, runId, intervalMs, tick]);

  async function act(action: "cancel" | "resume") {
    try {
      const params = { params: { path: { run_id: runId } } };
      setRun(
        await call(
          action === "cancel"
            ? api.POST("/api/provider/v1/provisioning/runs/{run_id}/cancel", params)
            : api.POST("/api/provider/v1/provisioning/runs/{run_id}/resume", params),
        ),
      );
      setTick((n) => n + 1);
    } catch (e) {
      setError(e);
    }
  }

  if (!run) return error ? <ErrorNotice error={error} /> : <Loading />;
  const done = run.steps.filter((s) => s.status === "succeeded" || s.status === "skipped").length;
  const final = FINAL_RUN_STATUSES.includes(run.status);
  // The run keeps the slug it was asked for (none: automatic); the register step reports the one given.
  const registered = run.steps.find((s) => s.name === "register")?.output.slug;
  const slug = typeof registered === "string" ? registered : (run.slug ?? String(run.commune_code));
  return (
    <section class="card run" aria-labelledby="run-title" data-run-status={run.status}>
      <h2 id="run-title">{t("provider.run.title", { code: run.commune_code })}</h2>
      <p>
        <RunStatusBadge status={run.status} />{" "}
        <span class="muted">{t("provider.run.stepsDone", { done: formatNumber(done), total: formatNumber(run.steps.length) })}</span>
      </p>
      <progress max={run.steps.length || 1} value={done} aria-label={t("provider.run.progress")} />
      <ErrorNotice error={error} />
      <ol class="steps" aria-live="polite">
        {run.steps.map((s) => (
          <li key={s.name} class={`step ${s.status}`} data-step={s.name} data-status={s.status}>
            <span class="step-name">{known("provider.step", s.name)}</span>
            <span class="muted">{known("provider.stepStatus", s.status)}</span>
            {s.duration_ms != null && <span class="muted">{t("provider.run.ms", { ms: formatNumber(s.duration_ms, undefined, 0) })}</span>}
            {s.error && <div class="step-error">{s.error}</div>}
          </li>
        ))}
      </ol>
      {run.status === "succeeded" && (
        <Notice kind="ok">
          {t("provider.run.doneLead")}{" "}
          <a href={`/t/${slug}/app/admin/`} data-commune-link={slug}>
            {`/t/${slug}`}
          </a>
        </Notice>
      )}
      {run.status === "succeeded" && <Handover api={api} run={run} />}
      {run.status === "failed" && (
        <Notice kind="error">{t("provider.run.failedNotice", { reason: run.error ?? t("error.generic") })}</Notice>
      )}
      {run.finished_at && <p class="muted">{t("provider.run.finishedAt", { at: formatDateTime(run.finished_at) })}</p>}
      <div class="row">
        {!final && (
          <button type="button" class="danger" onClick={() => void act("cancel")}>
            {t("provider.run.cancel")}
          </button>
        )}
        {(run.status === "failed" || run.status === "cancelled") && (
          <button type="button" onClick={() => void act("resume")}>
            {t("provider.run.resume")}
          </button>
        )}
      </div>
    </section>
  );
}

type HandoverOut = Schemas["AdminHandover"];

/** The first admin's way in: username and one-time password, revealed once (then erased on the server). */
function Handover({ api, run }: { api: Api; run: Run }) {
  const identity = run.steps.find((s) => s.name === "identity");
  const [shown, setShown] = useState<HandoverOut | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (!identity || identity.status !== "succeeded" || typeof identity.output.admin_username !== "string") return null;
  const available = identity.output.handover_available === true;
  const phone = typeof identity.output.sms_phone === "string" ? localPhone(identity.output.sms_phone) : "";

  async function reveal() {
    try {
      setShown(await call(api.POST("/api/provider/v1/provisioning/runs/{run_id}/admin-handover", { params: { path: { run_id: run.id } } })));
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section class="handover" aria-labelledby="handover-title">
      <h3 id="handover-title">{t("provider.handover.title")}</h3>
      <dl class="facts">
        <dt>{t("provider.handover.username")}</dt>
        <dd data-handover="username">{identity.output.admin_username}</dd>
        {shown && (
          <>
            <dt>{t("provider.handover.password")}</dt>
            <dd>
              <code data-handover="password">{shown.password}</code>
            </dd>
          </>
        )}
      </dl>
      {shown ? (
        <Notice kind="info">
          {t("provider.handover.onceShown")}{" "}
          {shown.sms_sent && phone ? t("provider.handover.smsSent", { phone }) : ""}
        </Notice>
      ) : available ? (
        <>
          <p class="muted">{t("provider.handover.help")}</p>
          <button type="button" class="primary" onClick={() => void reveal()}>
            {t("provider.handover.reveal")}
          </button>
        </>
      ) : (
        <p class="muted">{t("provider.handover.gone")}</p>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}
