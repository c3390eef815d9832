import { useEffect, useState } from "preact/hooks";
import { ApiError, call, type Api, type Schemas } from "../api/client";
import { formatDateTime, formatNumber } from "../i18n/format";
import { t, useLang } from "../i18n";
import { navigate } from "../lib/router";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Loading, Notice, SelectField } from "../ui/components";
import { Pager } from "./CommunesPage";
import { readSse } from "./sse";
import { known, ProvinceSelect, RunStatusBadge, templateOptions, useTemplates } from "./shared";

// openapi-typescript widens the (code, reason) tuples of `skipped`.
type Started = Omit<Schemas["RolloutStarted"], "skipped"> & { skipped: (string | number)[][] };
type Scope = "province" | "all" | "manifest";
const RUN_STATUSES = ["pending", "running", "succeeded", "failed", "cancelled"] as const;
const RUNS_PAGE = 25;

/** GET /rollouts/{id} and each `progress` / `done` event of /rollouts/{id}/events. */
export interface RolloutProgress {
  rollout_id: string;
  scope: string;
  template: string;
  requested_by: string;
  created_at: string;
  total: number;
  finished: number;
  done: boolean;
  counts: Record<string, number>;
  failed: { commune_code: number; run_id: string; error: string | null }[];
  rejected: { row: number; reason: string; commune_code: number | null }[];
}

/** `#/rollouts` starts one; `#/rollouts/{id}` follows it live. */
export function RolloutsPage({ api, route, retryMs }: { api: Api; route: string; retryMs?: number }) {
  useLang();
  const [started, setStarted] = useState<Started | null>(null);
  const id = /^\/rollouts\/([^/]+)/.exec(route)?.[1];
  return (
    <section>
      <h1>{t("provider.rollouts.title")}</h1>
      {id ? (
        <>
          {started?.rollout_id === id && <StartSummary started={started} />}
          <RolloutView api={api} id={decodeURIComponent(id)} retryMs={retryMs} />
          <a class="button" href="#/rollouts">
            {t("provider.rollouts.new")}
          </a>
        </>
      ) : (
        <>
          <StartForm
            api={api}
            onStarted={(s) => {
              setStarted(s);
              navigate(`/rollouts/${s.rollout_id}`);
            }}
          />
          <RecentRollouts api={api} />
        </>
      )}
    </section>
  );
}

export function manifestFormat(fileName: string): "csv" | "yaml" {
  return /\.ya?ml$/i.test(fileName) ? "yaml" : "csv";
}

function StartForm({ api, onStarted }: { api: Api; onStarted: (s: Started) => void }) {
  const { templates, names } = useTemplates(api);
  const [scope, setScope] = useState<Scope>("province");
  const [province, setProvince] = useState("");
  const [template, setTemplate] = useState("base");
  const [file, setFile] = useState<File | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setProblem(null);
    if (scope === "province" && !province) return setProblem(t("provider.rollouts.needProvince"));
    if (scope === "manifest" && !file) return setProblem(t("provider.rollouts.needManifest"));
    if (scope === "all" && !confirmAll) return setProblem(t("provider.rollouts.needConfirm"));
    setBusy(true);
    setError(null);
    try {
      const body =
        scope === "province"
          ? { province_code: Number(province), template, all: false, manifest_format: "csv" as const }
          : scope === "all"
            ? { all: true, template, manifest_format: "csv" as const }
            : { manifest: await file!.text(), manifest_format: manifestFormat(file!.name), template, all: false };
      onStarted(await call(api.POST("/api/provider/v1/provisioning/rollouts", { body })));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit} aria-labelledby="rollout-start">
      <h2 id="rollout-start">{t("provider.rollouts.start")}</h2>
      <fieldset class="choices">
        <legend>{t("provider.rollouts.scope")}</legend>
        {(["province", "all", "manifest"] as const).map((s) => (
          <label key={s} class="choice">
            <input type="radio" name="scope" value={s} checked={scope === s} onChange={() => setScope(s)} />
            {t(`provider.rollouts.scope.${s}`)}
          </label>
        ))}
      </fieldset>
      <div class="grid2">
        {scope === "province" && <ProvinceSelect value={province} onChange={setProvince} name="rollout-province" allLabel="—" />}
        {scope === "manifest" && (
          <div class="field">
            <label for="rollout-manifest">{t("provider.rollouts.manifest")}</label>
            <input
              id="rollout-manifest"
              type="file"
              accept=".csv,.yaml,.yml,text/csv"
              onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
            />
            <small>{t("provider.rollouts.manifestHint")}</small>
          </div>
        )}
        <SelectField
          label={t("onboard.template")}
          name="rollout-template"
          value={template}
          onChange={(e) => setTemplate(e.currentTarget.value)}
          options={templateOptions(templates, names)}
        />
      </div>
      {scope === "all" && (
        <label class="choice">
          <input type="checkbox" checked={confirmAll} onChange={(e) => setConfirmAll(e.currentTarget.checked)} />
          {t("provider.rollouts.confirmAll")}
        </label>
      )}
      <p class="muted">{t("provider.rollouts.concurrencyNote")}</p>
      {problem && <Notice kind="error">{problem}</Notice>}
      <ErrorNotice error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t("provider.rollouts.starting") : t("provider.rollouts.submit")}
      </button>
    </form>
  );
}

function StartSummary({ started }: { started: Started }) {
  return (
    <div class="card">
      <p>{t("provider.rollouts.started", { runs: formatNumber(started.runs), skipped: formatNumber(started.skipped.length) })}</p>
      {started.skipped.length > 0 && (
        <details>
          <summary>{t("provider.rollouts.skipped", { count: formatNumber(started.skipped.length) })}</summary>
          <ul class="plain">
            {started.skipped.slice(0, 200).map(([code, reason]) => (
              <li key={code}>{`${code}: ${known("provider.skip", String(reason).replace(/ /g, "_"))}`}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** Live progress from the SSE stream; reconnects after a dropped connection, stops on done or a 4xx. */
export function useRolloutStream(api: Api, id: string, tick: number, retryMs = 2000) {
  const [progress, setProgress] = useState<RolloutProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const ctrl = new AbortController();
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    void (async () => {
      for (let failures = 0; failures < 6 && !ctrl.signal.aborted; failures++) {
        try {
          const res = await api.GET("/api/provider/v1/provisioning/rollouts/{rollout_id}/events", {
            params: { path: { rollout_id: id } },
            parseAs: "stream",
            signal: ctrl.signal,
          });
          if (!res.response.ok || !res.data) await call(Promise.resolve(res)); // throws the platform's error
          setLive(true);
          for await (const ev of readSse(res.data as ReadableStream<Uint8Array>)) {
            setProgress(JSON.parse(ev.data) as RolloutProgress);
            setError(null);
            failures = 0;
            if (ev.event === "done") return;
          }
        } catch (e) {
          if (ctrl.signal.aborted) return;
          setError(e);
          if (e instanceof ApiError && e.status < 500) return; // unknown rollout, no right: retrying will not help
        } finally {
          setLive(false);
        }
        await wait(retryMs);
      }
    })();
    return () => ctrl.abort();
  }, [api, id, tick, retryMs]);
  return { progress, error, live };
}

function RolloutView({ api, id, retryMs }: { api: Api; id: string; retryMs?: number }) {
  const [tick, setTick] = useState(0);
  const { progress, error, live } = useRolloutStream(api, id, tick, retryMs);
  const [actionError, setActionError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const countsKey = progress ? JSON.stringify(progress.counts) : "";
  const runs = useAsync(
    () =>
      call(
        api.GET("/api/provider/v1/provisioning/runs", {
          params: {
            query: {
              rollout_id: id,
              status: (status || undefined) as (typeof RUN_STATUSES)[number] | undefined,
              limit: RUNS_PAGE,
              offset,
            },
          },
        }),
      ),
    [api, id, status, offset, countsKey],
  );

  async function act(action: "cancel" | "resume") {
    setActionError(null);
    try {
      const params = { params: { path: { rollout_id: id } } };
      await call(
        action === "cancel"
          ? api.POST("/api/provider/v1/provisioning/rollouts/{rollout_id}/cancel", params)
          : api.POST("/api/provider/v1/provisioning/rollouts/{rollout_id}/resume", params),
      );
      setTick((n) => n + 1); // listen again: a resumed rollout is no longer done
    } catch (e) {
      setActionError(e);
    }
  }

  if (!progress) return error ? <ErrorNotice error={error} /> : <Loading />;
  const c = progress.counts;
  const stuck = (c.failed ?? 0) + (c.cancelled ?? 0);
  return (
    <div class="card rollout" data-rollout-done={progress.done ? "true" : "false"}>
      <h2>{t("provider.rollouts.viewTitle", { scope: progress.scope, template: progress.template })}</h2>
      <p class="muted">
        {t("provider.rollouts.requested", { by: progress.requested_by, at: formatDateTime(progress.created_at) })}
        {" · "}
        {progress.done ? t("provider.rollouts.done") : live ? t("provider.rollouts.live") : t("provider.rollouts.reconnecting")}
      </p>
      <progress max={progress.total || 1} value={progress.finished} aria-label={t("provider.rollouts.progress")} />
      <p aria-live="polite">
        {t("provider.rollouts.finished", { finished: formatNumber(progress.finished), total: formatNumber(progress.total) })}
      </p>
      <ul class="plain counts">
        {RUN_STATUSES.map((s) => (
          <li key={s}>
            <RunStatusBadge status={s} /> <strong>{formatNumber(c[s] ?? 0)}</strong>
          </li>
        ))}
      </ul>
      <ErrorNotice error={error ?? actionError} />
      <div class="row">
        {!progress.done && (
          <button type="button" class="danger" onClick={() => void act("cancel")}>
            {t("provider.rollouts.cancel")}
          </button>
        )}
        {stuck > 0 && (
          <button type="button" onClick={() => void act("resume")}>
            {t("provider.rollouts.resume", { count: formatNumber(stuck) })}
          </button>
        )}
      </div>
      {progress.failed.length > 0 && (
        <>
          <h3>{t("provider.rollouts.failures")}</h3>
          <ul class="plain failures">
            {progress.failed.map((f) => (
              <li key={f.run_id}>
                <strong>{f.commune_code}</strong>
                {": "}
                {f.error ?? t("error.generic")}
              </li>
            ))}
          </ul>
        </>
      )}
      {progress.rejected.length > 0 && (
        <>
          <h3>{t("provider.rollouts.rejected")}</h3>
          <ul class="plain failures">
            {progress.rejected.map((r) => (
              <li key={r.row}>{t("provider.rollouts.rejectedRow", { row: r.row, reason: r.reason })}</li>
            ))}
          </ul>
        </>
      )}
      <h3>{t("provider.rollouts.communes")}</h3>
      <SelectField
        label={t("communes.status")}
        name="run-status"
        value={status}
        onChange={(e) => {
          setStatus(e.currentTarget.value);
          setOffset(0);
        }}
        options={[{ value: "", label: t("common.all") }, ...RUN_STATUSES.map((s) => ({ value: s, label: known("provider.run", s) }))]}
      />
      <ErrorNotice error={runs.error} onRetry={runs.reload} />
      {runs.data && runs.data.items.length === 0 && <Empty />}
      {runs.data && runs.data.items.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("communes.code")}</th>
              <th>{t("provider.rollouts.slug")}</th>
              <th>{t("communes.status")}</th>
              <th>{t("provider.rollouts.currentStep")}</th>
              <th>{t("provider.rollouts.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.items.map((r) => (
              <tr key={r.id} data-commune={r.commune_code}>
                <td data-label={t("communes.code")} class="num">
                  {r.commune_code}
                </td>
                <td data-label={t("provider.rollouts.slug")}>{r.slug ?? "—"}</td>
                <td data-label={t("communes.status")}>
                  <RunStatusBadge status={r.status} />
                </td>
                <td data-label={t("provider.rollouts.currentStep")}>{r.current_step ? known("provider.step", r.current_step) : "—"}</td>
                <td data-label={t("provider.rollouts.reason")}>{r.error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {runs.data && <Pager offset={offset} total={runs.data.total} onOffset={setOffset} size={RUNS_PAGE} />}
    </div>
  );
}

function RecentRollouts({ api }: { api: Api }) {
  const recent = useAsync(() => call(api.GET("/api/provider/v1/fleet/rollouts", { params: { query: { limit: 20 } } })), [api]);
  return (
    <div class="card">
      <h2>{t("provider.rollouts.recent")}</h2>
      <ErrorNotice error={recent.error} onRetry={recent.reload} />
      {recent.loading && !recent.data && <Loading />}
      {recent.data?.length === 0 && <Empty />}
      {recent.data && recent.data.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("provider.rollouts.scope")}</th>
              <th>{t("onboard.template")}</th>
              <th>{t("provider.rollouts.startedAt")}</th>
              <th>{t("provider.rollouts.outcome")}</th>
            </tr>
          </thead>
          <tbody>
            {recent.data.map((r) => (
              <tr key={r.id}>
                <td data-label={t("provider.rollouts.scope")}>
                  <a href={`#/rollouts/${r.id}`}>{r.scope}</a>
                </td>
                <td data-label={t("onboard.template")}>{r.template}</td>
                <td data-label={t("provider.rollouts.startedAt")}>{`${formatDateTime(r.created_at)} · ${r.requested_by}`}</td>
                <td data-label={t("provider.rollouts.outcome")}>
                  {t("provider.rollouts.outcomeText", {
                    finished: formatNumber(r.finished),
                    total: formatNumber(r.total),
                    failed: formatNumber(r.failed),
                    rejected: formatNumber(r.rejected),
                  })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
