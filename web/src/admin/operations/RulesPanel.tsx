import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { formatNumber } from "../../i18n/format";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../../ui/components";
import { ParamFields, paramText, paramValues, specLabel } from "../catalogue/ParamFields";
import { Check, label, StatusBadge, useAction } from "./shared";

type Device = Schemas["DeviceOut"];
type Profile = Schemas["ProfileOut"];
type Rule = Schemas["RuleOut"];
type RuleIn = Schemas["RuleIn"];
type RulePatch = Schemas["RulePatch"];

export function describeRule(rule: Rule, deviceName: (id: number | null) => string, fieldName: (field: string) => string = (f) => f): string {
  if (rule.kind === "threshold") {
    return t("adminOps.rule.thresholdText", {
      device: deviceName(rule.sensor_device_id),
      field: fieldName(rule.field ?? ""),
      op: label("adminOps.op", rule.op),
      threshold: formatNumber(rule.threshold ?? 0),
      clear: formatNumber(rule.clear_threshold ?? rule.threshold ?? 0),
      seconds: formatNumber(rule.duration_s),
    });
  }
  return t("adminOps.rule.scheduleText", {
    time: rule.time_of_day ?? "",
    minutes: formatNumber(rule.duration_min ?? 0),
    command: rule.command ?? "",
    device: deviceName(rule.target_device_id),
  });
}

/** Automation rules: thresholds (with duration and hysteresis) and schedules (skipped after rain). */
export function RulesPanel(props: { api: Api; devices: Device[]; profiles: Profile[] }) {
  const rules = useAsync(() => call(props.api.GET("/api/v1/device-rules")), [props.api]);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<number | null>(null);
  const [saved, setSaved] = useState(false);
  const done = (changed: boolean) => {
    setAdding(false);
    setEditing(null);
    setSaved(changed);
    if (changed) rules.reload();
  };
  const names = new Map(props.devices.map((d) => [d.id, d.name]));
  const deviceName = (id: number | null) => (id == null ? "—" : names.get(id) ?? String(id));
  const fieldLabels = new Map(props.profiles.flatMap((p) => p.fields ?? []).map((f) => [f.name, specLabel(f, f.name)]));
  const fieldName = (field: string) => fieldLabels.get(field) ?? field;
  return (
    <>
      <div class="spread">
        <h2>{t("adminOps.dev.rules")}</h2>
        <button type="button" class="primary" onClick={() => setAdding(true)}>
          {t("adminOps.rule.add")}
        </button>
      </div>
      {saved && <Notice kind="ok">{t("common.saved")}</Notice>}
      {adding && (
        <RuleForm
          api={props.api}
          devices={props.devices}
          profiles={props.profiles}
          onDone={done}
        />
      )}
      <ErrorNotice error={rules.error} onRetry={rules.reload} />
      {rules.loading && !rules.data && <Loading />}
      {rules.data && rules.data.length === 0 && <Empty text={t("adminOps.rule.none")} />}
      <ul class="plain">
        {rules.data?.map((r) => (
          <li key={r.id} class="card">
            <div class="spread">
              <strong>{r.name}</strong>
              <span class="row">
                {!r.enabled && <span class="badge">{t("adminOps.rule.disabled")}</span>}
                <StatusBadge status={r.state} prefix="adminOps.ruleState" />
              </span>
            </div>
            <div>{describeRule(r, deviceName, fieldName)}</div>
            {r.last_outcome && <div class="muted">{t("adminOps.rule.lastOutcome", { outcome: label("adminOps.outcome", r.last_outcome) })}</div>}
            {editing === r.id ? (
              <RuleForm api={props.api} devices={props.devices} profiles={props.profiles} rule={r} onDone={done} />
            ) : (
              <RuleActions api={props.api} rule={r} onEdit={() => setEditing(r.id)} onChanged={() => done(true)} />
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Edit, switch on/off, and delete (after a second, explicit confirmation). */
function RuleActions(props: { api: Api; rule: Rule; onEdit: () => void; onChanged: () => void }) {
  const { rule } = props;
  const { enabled } = rule;
  const [confirming, setConfirming] = useState(false);
  const act = useAction();
  const path = { params: { path: { rule_id: rule.id } } };

  async function toggle() {
    if (await act.run(() => call(props.api.PATCH("/api/v1/device-rules/{rule_id}", { ...path, body: { enabled: !enabled } })))) props.onChanged();
  }

  async function remove() {
    const gone = await act.run(() => call(props.api.DELETE("/api/v1/device-rules/{rule_id}", path)).then(() => true));
    if (gone) props.onChanged();
  }

  return (
    <>
      <ErrorNotice error={act.error} />
      <div class="row">
        <button type="button" onClick={props.onEdit} aria-label={t("adminOps.rule.editName", { name: rule.name })}>
          {t("adminOps.rule.edit")}
        </button>
        <button type="button" onClick={toggle} disabled={act.busy} aria-label={t(enabled ? "adminOps.rule.disableName" : "adminOps.rule.enableName", { name: rule.name })}>
          {t(enabled ? "adminOps.rule.disable" : "adminOps.rule.enable")}
        </button>
        {confirming ? (
          <>
            <button type="button" class="danger" onClick={remove} disabled={act.busy}>
              {t("adminOps.rule.confirmDelete", { name: rule.name })}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t("common.cancel")}
            </button>
          </>
        ) : (
          <button type="button" class="danger" onClick={() => setConfirming(true)} aria-label={t("adminOps.rule.deleteName", { name: rule.name })}>
            {t("adminOps.rule.delete")}
          </button>
        )}
      </div>
    </>
  );
}

function commandsOf(devices: Device[], profiles: Profile[], deviceId: string): string[] {
  const device = devices.find((d) => String(d.id) === deviceId);
  return profiles.find((p) => p.id === device?.profile_id)?.commands?.map((c) => c.name) ?? [];
}

/** The spec of `command` in the target device's profile (its typed parameters). */
function commandSpec(devices: Device[], profiles: Profile[], deviceId: string, command: string) {
  const device = devices.find((d) => String(d.id) === deviceId);
  return profiles.find((p) => p.id === device?.profile_id)?.commands?.find((c) => c.name === command);
}

/** Devices whose profile measures `field` (all of them while no field is chosen). */
function sensorsFor(devices: Device[], profiles: Profile[], field: string): Device[] {
  if (!field.trim()) return devices;
  const measuring = new Set(profiles.filter((p) => p.fields?.some((f) => f.name === field.trim())).map((p) => p.id));
  return devices.filter((d) => measuring.has(d.profile_id));
}

const optNum = (s: string) => (s.trim() === "" ? null : Number(s));

const text = (n: number | null | undefined) => (n == null ? "" : String(n));

/** The form's values: empty for a new rule, else those of `rule`. */
function initialValues(rule?: Rule) {
  return {
    name: rule?.name ?? "",
    kind: (rule?.kind ?? "threshold") as "threshold" | "schedule",
    sensor: text(rule?.sensor_device_id),
    field: rule?.field ?? "",
    op: (rule?.op ?? "below") as "below" | "above",
    threshold: text(rule?.threshold),
    clear: text(rule?.clear_threshold),
    duration: text(rule?.duration_s ?? 0),
    target: text(rule?.target_device_id),
    command: rule?.command ?? "",
    time: rule?.time_of_day ?? "05:30",
    minutes: text(rule?.duration_min ?? 30),
    rainDevice: text(rule?.rain_device_id),
    rainField: rule?.rain_field ?? "",
    rainThreshold: text(rule?.rain_threshold),
    notify: rule?.notify ?? true,
    enabled: rule?.enabled ?? true,
    params: paramText(rule?.params) as Record<string, string>,
  };
}

/** Creates a rule, or edits `rule` (its kind stays; the server checks the result as on creation). */
function RuleForm(props: { api: Api; devices: Device[]; profiles: Profile[]; rule?: Rule; onDone: (changed: boolean) => void }) {
  const { devices, profiles, rule } = props;
  const first = devices[0] ? String(devices[0].id) : "";
  const [v, setV] = useState(() => initialValues(rule));
  const set = (patch: Partial<typeof v>) => setV((prev) => ({ ...prev, ...patch }));
  const save = useAction();
  const deviceOptions = devices.map((d) => ({ value: String(d.id), label: d.name }));
  const none = { value: "", label: t("adminOps.rule.noneOption") };
  // Issue 15: the sensor list offers only devices whose profile has the chosen field.
  const sensors = v.kind === "threshold" ? sensorsFor(devices, profiles, v.field) : devices;
  const sensorOptions = sensors.map((d) => ({ value: String(d.id), label: d.name }));
  const sensor = sensors.some((d) => String(d.id) === v.sensor) ? v.sensor : sensors[0] ? String(sensors[0].id) : first;
  const allFields = [...new Map(profiles.flatMap((p) => p.fields ?? []).map((f) => [f.name, f])).values()];
  const targetCommands = commandsOf(devices, profiles, v.target);
  const spec = commandSpec(devices, profiles, v.target, v.command.trim());
  // A schedule's duration is sent as `minutes`: no second field for it.
  const skip = v.kind === "schedule" ? ["minutes"] : [];

  async function submit(e: Event) {
    e.preventDefault();
    const body: RuleIn = { name: v.name.trim(), kind: v.kind, enabled: v.enabled, notify: v.notify, duration_s: 0, rain_window_h: rule?.rain_window_h ?? 24, target_device_id: optNum(v.target), command: v.command.trim() || null, params: spec ? paramValues(spec.params ?? {}, Object.fromEntries(Object.entries(v.params).filter(([k]) => !skip.includes(k)))) : {} };
    if (v.kind === "threshold") {
      Object.assign(body, {
        sensor_device_id: optNum(sensor),
        field: v.field.trim(),
        op: v.op,
        threshold: optNum(v.threshold),
        clear_threshold: optNum(v.clear),
        duration_s: Number(v.duration || 0),
      });
    } else {
      Object.assign(body, {
        time_of_day: v.time,
        duration_min: optNum(v.minutes),
        rain_device_id: optNum(v.rainDevice),
        rain_field: v.rainField.trim() || null,
        rain_threshold: optNum(v.rainThreshold),
      });
    }
    if (rule) {
      const { kind: _kind, ...patch } = body;
      const edit: RulePatch = patch;
      const path = { rule_id: rule.id };
      if (await save.run(() => call(props.api.PATCH("/api/v1/device-rules/{rule_id}", { params: { path }, body: edit })))) props.onDone(true);
      return;
    }
    if (await save.run(() => call(props.api.POST("/api/v1/device-rules", { body })))) props.onDone(true);
  }

  const title = rule ? t("adminOps.rule.editName", { name: rule.name }) : t("adminOps.rule.add");
  return (
    <form class="card" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <ErrorNotice error={save.error} />
      <div class="grid2">
        <Field label={t("adminOps.rule.name")} name="name" required maxLength={200} value={v.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        <SelectField
          label={t("adminOps.rule.kind")}
          name="kind"
          value={v.kind}
          disabled={!!rule}
          onChange={(e) => set({ kind: e.currentTarget.value as typeof v.kind })}
          options={(["threshold", "schedule"] as const).map((k) => ({ value: k, label: label("adminOps.ruleKind", k) }))}
        />
        {v.kind === "threshold" ? (
          <>
            <SelectField
              label={t("adminOps.rule.field")}
              name="field"
              required
              value={v.field}
              onChange={(e) => set({ field: e.currentTarget.value })}
              options={[{ value: "", label: t("catalogue.param.choose") }, ...allFields.map((f) => ({ value: f.name, label: f.unit ? `${specLabel(f, f.name)} (${f.unit})` : specLabel(f, f.name) }))]}
            />
            {sensorOptions.length > 0 ? (
              <SelectField label={t("adminOps.rule.sensor")} name="sensor" required value={sensor} onChange={(e) => set({ sensor: e.currentTarget.value })} options={sensorOptions} />
            ) : (
              <p class="muted">{t("catalogue.rule.noSensor")}</p>
            )}
            <SelectField
              label={t("adminOps.rule.op")}
              name="op"
              value={v.op}
              onChange={(e) => set({ op: e.currentTarget.value as typeof v.op })}
              options={(["below", "above"] as const).map((o) => ({ value: o, label: label("adminOps.op", o) }))}
            />
            <Field label={t("adminOps.rule.threshold")} name="threshold" type="number" step="any" required value={v.threshold} onInput={(e) => set({ threshold: e.currentTarget.value })} />
            <Field
              label={t("adminOps.rule.clear")}
              name="clear_threshold"
              type="number"
              step="any"
              hint={t("adminOps.rule.clearHint")}
              value={v.clear}
              onInput={(e) => set({ clear: e.currentTarget.value })}
            />
            <Field
              label={t("adminOps.rule.duration")}
              name="duration_s"
              type="number"
              min={0}
              max={86400}
              hint={t("adminOps.rule.durationHint")}
              value={v.duration}
              onInput={(e) => set({ duration: e.currentTarget.value })}
            />
          </>
        ) : (
          <>
            <Field label={t("adminOps.rule.time")} name="time_of_day" type="time" required value={v.time} onInput={(e) => set({ time: e.currentTarget.value })} />
            <Field label={t("adminOps.rule.minutes")} name="duration_min" type="number" min={1} max={1440} required value={v.minutes} onInput={(e) => set({ minutes: e.currentTarget.value })} />
            <SelectField label={t("adminOps.rule.rainDevice")} name="rain_device" value={v.rainDevice} onChange={(e) => set({ rainDevice: e.currentTarget.value })} options={[none, ...deviceOptions]} />
            <Field label={t("adminOps.rule.rainField")} name="rain_field" value={v.rainField} onInput={(e) => set({ rainField: e.currentTarget.value })} />
            <Field label={t("adminOps.rule.rainThreshold")} name="rain_threshold" type="number" step="any" hint={t("adminOps.rule.rainHint")} value={v.rainThreshold} onInput={(e) => set({ rainThreshold: e.currentTarget.value })} />
          </>
        )}
        <SelectField
          label={t("adminOps.rule.target")}
          name="target"
          required={v.kind === "schedule"}
          value={v.target}
          onChange={(e) => set({ target: e.currentTarget.value })}
          options={[none, ...deviceOptions]}
        />
        {targetCommands.length > 0 ? (
          <SelectField
            label={t("adminOps.rule.command")}
            name="rule_command"
            required={v.kind === "schedule"}
            value={v.command}
            onChange={(e) => set({ command: e.currentTarget.value, params: {} })}
            options={[{ value: "", label: t("adminOps.rule.noneOption") }, ...targetCommands.map((c) => ({ value: c, label: specLabel(commandSpec(devices, profiles, v.target, c), c) }))]}
          />
        ) : (
          <Field label={t("adminOps.rule.command")} name="rule_command" required={v.kind === "schedule"} value={v.command} onInput={(e) => set({ command: e.currentTarget.value })} />
        )}
        {spec && <ParamFields params={spec.params ?? {}} values={v.params} onChange={(params) => set({ params })} skip={skip} prefix="rule-param" />}
        <Check label={t("adminOps.rule.notify")} checked={v.notify} onChange={(notify) => set({ notify })} />
        <Check label={t("adminOps.rule.enabled")} checked={v.enabled} onChange={(enabled) => set({ enabled })} />
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("common.save")}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
