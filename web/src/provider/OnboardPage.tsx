import { useState } from "preact/hooks";
import { call, type Api } from "../api/client";
import { t, useLang, type MessageKey } from "../i18n";
import { navigate } from "../lib/router";
import { useAsync, useDebounced } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../ui/components";
import { RunProgress } from "./RunProgress";
import { known, ProvinceSelect, templateOptions, useTemplates } from "./shared";
import {
  emptyCamera,
  emptyDevice,
  emptyWizard,
  problems,
  STEPS,
  toRunSpec,
  type CameraRow,
  type DeviceRow,
  type Official,
  type Step,
  type WizardState,
} from "./wizard";

// A URL scheme, not a translatable text.
const STREAM_EXAMPLE = "rtsp://";

const STEP_TITLES: Record<Step, MessageKey> = {
  commune: "provider.wizard.stepCommune",
  template: "provider.wizard.stepTemplate",
  admin: "provider.wizard.stepAdmin",
  equipment: "provider.wizard.stepEquipment",
  review: "provider.wizard.stepReview",
};

/** `#/onboard` is the wizard; `#/onboard/runs/{id}` follows the run it started. */
export function OnboardPage({ api, route, pollMs }: { api: Api; route: string; pollMs?: number }) {
  useLang();
  const runId = /^\/onboard\/runs\/([^/]+)/.exec(route)?.[1];
  if (runId) {
    return (
      <section>
        <h1>{t("provider.wizard.progressTitle")}</h1>
        <RunProgress api={api} runId={decodeURIComponent(runId)} intervalMs={pollMs} />
        <a class="button" href="#/onboard">
          {t("provider.wizard.another")}
        </a>
      </section>
    );
  }
  return <Wizard api={api} />;
}

function Wizard({ api }: { api: Api }) {
  const [state, setState] = useState<WizardState>(emptyWizard);
  const [index, setIndex] = useState(0);
  const [shown, setShown] = useState<MessageKey[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const step = STEPS[index];
  const set = (patch: Partial<WizardState>) => setState((s) => ({ ...s, ...patch }));

  function go(delta: number) {
    if (delta > 0) {
      const found = problems(step, state);
      setShown(found);
      if (found.length) return;
    } else setShown([]);
    setIndex((i) => Math.min(STEPS.length - 1, Math.max(0, i + delta)));
  }

  async function start() {
    const found = problems("review", state);
    setShown(found);
    if (found.length) return;
    setBusy(true);
    setError(null);
    try {
      const run = await call(api.POST("/api/provider/v1/provisioning/communes", { body: toRunSpec(state) }));
      navigate(`/onboard/runs/${run.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="wizard">
      <h1>{t("provider.wizard.title")}</h1>
      <ol class="wizard-steps" aria-label={t("provider.wizard.stepsLabel")}>
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === index ? "step" : undefined} class={i < index ? "done" : ""}>
            {t("provider.wizard.stepN", { n: i + 1, title: t(STEP_TITLES[s]) })}
          </li>
        ))}
      </ol>
      <form
        class="card"
        aria-labelledby="wizard-step-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (step === "review") void start();
          else go(1);
        }}
      >
        <h2 id="wizard-step-title">{t(STEP_TITLES[step])}</h2>
        {shown.length > 0 && (
          <Notice kind="error">
            <ul class="plain">
              {shown.map((k) => (
                <li key={k}>{t(k)}</li>
              ))}
            </ul>
          </Notice>
        )}
        {step === "commune" && <CommuneStep api={api} picked={state.commune} onPick={(c) => set({ commune: c })} />}
        {step === "template" && <TemplateStep api={api} state={state} set={set} />}
        {step === "admin" && <AdminStep state={state} set={set} />}
        {step === "equipment" && <EquipmentStep state={state} set={set} />}
        {step === "review" && <Review state={state} />}
        <ErrorNotice error={error} />
        <div class="spread wizard-nav">
          <button type="button" disabled={index === 0 || busy} onClick={() => go(-1)}>
            {t("provider.wizard.back")}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {step === "review" ? (busy ? t("provider.wizard.starting") : t("provider.wizard.start")) : t("provider.wizard.next")}
          </button>
        </div>
      </form>
    </section>
  );
}

function CommuneStep({ api, picked, onPick }: { api: Api; picked: Official | null; onPick: (c: Official) => void }) {
  const [province, setProvince] = useState("");
  const [q, setQ] = useState("");
  const needle = useDebounced(q.trim(), 250);
  const ready = province !== "" || needle.length >= 2;
  const results = useAsync(
    () =>
      ready
        ? call(
            api.GET("/api/provider/v1/official-communes", {
              params: { query: { q: needle || undefined, province_code: province ? Number(province) : undefined, limit: 50 } },
            }),
          )
        : Promise.resolve([] as Official[]),
    [api, province, needle, ready],
  );
  return (
    <>
      <div class="grid2">
        <ProvinceSelect value={province} onChange={setProvince} name="wizard-province" allLabel={t("provider.wizard.anyProvince")} />
        <Field
          label={t("provider.wizard.search")}
          type="search"
          name="wizard-q"
          placeholder={t("onboard.search")}
          value={q}
          hint={t("provider.wizard.searchHint")}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </div>
      {picked && (
        <p class="notice info" role="status">
          {t("provider.wizard.picked", { name: picked.name, province: picked.province_name, code: picked.code })}
        </p>
      )}
      <ErrorNotice error={results.error} onRetry={results.reload} />
      {ready && results.loading && <Loading />}
      {ready && !results.loading && results.data?.length === 0 && <Empty />}
      <ul class="plain picker" aria-label={t("provider.wizard.results")}>
        {results.data?.map((c) => (
          <li key={c.code}>
            <span>
              <strong>{c.name}</strong>
              <span class="muted">{` · ${c.code} · ${c.province_name}`}</span>
            </span>
            {c.onboarded ? (
              <span class="badge">{t("onboard.onboarded")}</span>
            ) : (
              <button
                type="button"
                aria-pressed={picked?.code === c.code}
                aria-label={t("provider.wizard.pickNamed", { name: c.name })}
                onClick={() => onPick(c)}
              >
                {t("onboard.pick")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function TemplateStep({ api, state, set }: { api: Api; state: WizardState; set: (p: Partial<WizardState>) => void }) {
  const { templates, names } = useTemplates(api);
  const plans = useAsync(() => call(api.GET("/api/provider/v1/billing/plans")), [api]);
  const planCodes = plans.data?.length ? plans.data.map((p) => ({ value: p.code, label: p.name })) : null;
  const chosen = templates.find((tpl) => tpl.name === state.template);
  return (
    <div class="grid2">
      <SelectField
        label={t("onboard.template")}
        name="template"
        value={state.template}
        onChange={(e) => set({ template: e.currentTarget.value })}
        options={templateOptions(templates, names)}
      />
      {planCodes ? (
        <SelectField
          label={t("onboard.plan")}
          name="plan"
          value={state.plan}
          onChange={(e) => set({ plan: e.currentTarget.value })}
          options={planCodes.some((o) => o.value === state.plan) ? planCodes : [{ value: state.plan, label: state.plan }, ...planCodes]}
        />
      ) : (
        <Field label={t("onboard.plan")} name="plan" value={state.plan} onInput={(e) => set({ plan: e.currentTarget.value })} />
      )}
      <Field label={t("onboard.slug")} name="slug" value={state.slug} onInput={(e) => set({ slug: e.currentTarget.value })} />
      {chosen && (
        <p class="muted">{t("provider.wizard.templateModules", { modules: chosen.modules.map((m) => known("provider.module", m)).join(", ") || "—", version: chosen.version })}</p>
      )}
    </div>
  );
}

function AdminStep({ state, set }: { state: WizardState; set: (p: Partial<WizardState>) => void }) {
  return (
    <div class="grid2">
      <Field
        label={t("provider.wizard.adminName")}
        name="admin-name"
        autoComplete="name"
        value={state.adminName}
        onInput={(e) => set({ adminName: e.currentTarget.value })}
      />
      <Field
        label={t("provider.wizard.adminPhone")}
        name="admin-phone"
        type="tel"
        inputMode="tel"
        value={state.adminPhone}
        onInput={(e) => set({ adminPhone: e.currentTarget.value })}
      />
      <Field
        label={t("provider.wizard.adminEmail")}
        name="admin-email"
        type="email"
        value={state.adminEmail}
        onInput={(e) => set({ adminEmail: e.currentTarget.value })}
      />
    </div>
  );
}

function EquipmentStep({ state, set }: { state: WizardState; set: (p: Partial<WizardState>) => void }) {
  const editCamera = (i: number, patch: Partial<CameraRow>) =>
    set({ cameras: state.cameras.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  const editDevice = (i: number, patch: Partial<DeviceRow>) =>
    set({ devices: state.devices.map((d, j) => (j === i ? { ...d, ...patch } : d)) });
  return (
    <>
      <p class="muted">{t("provider.wizard.equipmentHint")}</p>
      <h3>{t("provider.wizard.cameras")}</h3>
      {state.cameras.map((c, i) => (
        <fieldset key={i} class="rowset">
          <legend>{t("provider.wizard.cameraN", { n: i + 1 })}</legend>
          <div class="grid2">
            <Field label={t("provider.wizard.cameraName", { n: i + 1 })} value={c.name} onInput={(e) => editCamera(i, { name: e.currentTarget.value })} />
            <Field
              label={t("provider.wizard.cameraUrl", { n: i + 1 })}
              value={c.stream_url}
              inputMode="url"
              placeholder={STREAM_EXAMPLE}
              onInput={(e) => editCamera(i, { stream_url: e.currentTarget.value })}
            />
            <Field label={t("provider.wizard.cameraLocation", { n: i + 1 })} value={c.location} onInput={(e) => editCamera(i, { location: e.currentTarget.value })} />
            <Field
              label={t("provider.wizard.cameraUser", { n: i + 1 })}
              value={c.username}
              autoComplete="off"
              onInput={(e) => editCamera(i, { username: e.currentTarget.value })}
            />
            <Field
              label={t("provider.wizard.cameraPassword", { n: i + 1 })}
              type="password"
              autoComplete="new-password"
              value={c.password}
              onInput={(e) => editCamera(i, { password: e.currentTarget.value })}
            />
          </div>
          <button type="button" class="link" onClick={() => set({ cameras: state.cameras.filter((_, j) => j !== i) })}>
            {t("provider.wizard.removeCamera", { n: i + 1 })}
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => set({ cameras: [...state.cameras, emptyCamera()] })}>
        {t("provider.wizard.addCamera")}
      </button>
      <h3>{t("provider.wizard.devices")}</h3>
      {state.devices.map((d, i) => (
        <fieldset key={i} class="rowset">
          <legend>{t("provider.wizard.deviceN", { n: i + 1 })}</legend>
          <div class="grid2">
            <Field label={t("provider.wizard.deviceUid", { n: i + 1 })} value={d.uid} onInput={(e) => editDevice(i, { uid: e.currentTarget.value })} />
            <Field label={t("provider.wizard.deviceSerial", { n: i + 1 })} value={d.serial} onInput={(e) => editDevice(i, { serial: e.currentTarget.value })} />
            <Field label={t("provider.wizard.deviceName", { n: i + 1 })} value={d.name} onInput={(e) => editDevice(i, { name: e.currentTarget.value })} />
            <Field label={t("provider.wizard.deviceProfile", { n: i + 1 })} value={d.profile} onInput={(e) => editDevice(i, { profile: e.currentTarget.value })} />
            <Field label={t("provider.wizard.deviceLocation", { n: i + 1 })} value={d.location} onInput={(e) => editDevice(i, { location: e.currentTarget.value })} />
          </div>
          <button type="button" class="link" onClick={() => set({ devices: state.devices.filter((_, j) => j !== i) })}>
            {t("provider.wizard.removeDevice", { n: i + 1 })}
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => set({ devices: [...state.devices, emptyDevice()] })}>
        {t("provider.wizard.addDevice")}
      </button>
    </>
  );
}

function Review({ state }: { state: WizardState }) {
  const rows: [MessageKey, string][] = [
    ["provider.wizard.reviewCommune", state.commune ? `${state.commune.name} · ${state.commune.code} · ${state.commune.province_name}` : "—"],
    ["onboard.template", state.template],
    ["onboard.plan", state.plan],
    ["onboard.slug", state.slug.trim() || t("provider.wizard.slugAuto")],
    ["provider.wizard.adminName", state.adminName],
    ["provider.wizard.adminPhone", state.adminPhone || "—"],
    ["provider.wizard.adminEmail", state.adminEmail || "—"],
    ["provider.wizard.cameras", String(state.cameras.length)],
    ["provider.wizard.devices", String(state.devices.length)],
  ];
  return (
    <dl class="review">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{t(k)}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
