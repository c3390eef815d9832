import { useEffect, useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDateTime } from "../../i18n/format";
import { useRoute } from "../../lib/router";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, SelectField } from "../../ui/components";
import { LineChart, type Point } from "./LineChart";
import { ParamFields, paramValues, specLabel } from "../catalogue/ParamFields";
import { RulesPanel } from "./RulesPanel";
import { currentTab, label, StatusBadge, SubNav, useAction } from "./shared";

type Device = Schemas["DeviceOut"];
type Profile = Schemas["ProfileOut"];
type Command = Schemas["CommandOut"];
export const COMMAND_POLL_MS = 2000;
const FINAL = new Set(["succeeded", "failed", "timeout"]);

/** Devices (presence, telemetry, commands), automation rules, alarms. */
export function DevicesPage({ api }: { api: Api }) {
  useLang();
  const route = useRoute();
  const devices = useAsync(() => call(api.GET("/api/v1/devices")), [api]);
  const profiles = useAsync(() => call(api.GET("/api/v1/device-profiles")), [api]);
  const tabs = [
    { route: "/devices", label: t("adminOps.dev.list") },
    { route: "/devices/rules", label: t("adminOps.dev.rules") },
    { route: "/devices/alarms", label: t("adminOps.dev.alarms") },
  ];
  const tab = currentTab(route, tabs);
  const list = devices.data ?? [];
  return (
    <section>
      <h1>{t("adminOps.dev.title")}</h1>
      <SubNav tabs={tabs} current={tab} label={t("adminOps.dev.title")} />
      <ErrorNotice error={devices.error ?? profiles.error} onRetry={devices.reload} />
      {tab === "/devices/rules" && <RulesPanel api={api} devices={list} profiles={profiles.data ?? []} />}
      {tab === "/devices/alarms" && <AlarmsPanel api={api} devices={list} />}
      {tab === "/devices" && (devices.loading && !devices.data ? <Loading /> : <DeviceList api={api} devices={list} profiles={profiles.data ?? []} />)}
    </section>
  );
}

function DeviceList(props: { api: Api; devices: Device[]; profiles: Profile[] }) {
  const [selected, setSelected] = useState<number | null>(null);
  const device = props.devices.find((d) => d.id === selected);
  if (props.devices.length === 0) return <Empty text={t("adminOps.dev.none")} />;
  return (
    <>
      <table class="list">
        <thead>
          <tr>
            <th>{t("adminOps.dev.name")}</th>
            <th>{t("adminOps.dev.uid")}</th>
            <th>{t("adminOps.dev.presence")}</th>
            <th>{t("adminOps.dev.lastSeen")}</th>
            <th>{t("common.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {props.devices.map((d) => (
            <tr key={d.id}>
              <td data-label={t("adminOps.dev.name")}>
                <strong>{d.name}</strong>
                {d.location && <div class="muted">{d.location}</div>}
              </td>
              <td data-label={t("adminOps.dev.uid")}>{d.uid}</td>
              <td data-label={t("adminOps.dev.presence")}>
                <StatusBadge status={d.online ? "online" : "offline"} />
              </td>
              <td data-label={t("adminOps.dev.lastSeen")}>{d.last_seen_at ? formatDateTime(d.last_seen_at) : t("adminOps.dev.never")}</td>
              <td>
                <button
                  type="button"
                  aria-expanded={selected === d.id}
                  onClick={() => setSelected(selected === d.id ? null : d.id)}
                  aria-label={t("adminOps.dev.openName", { name: d.name })}
                >
                  {t("adminOps.dev.open")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {device && <DeviceDetail api={props.api} device={device} profile={props.profiles.find((p) => p.id === device.profile_id)} />}
    </>
  );
}

/** Numeric series per telemetry field: the profile's fields first, then any other numeric key seen. */
export function seriesOf(rows: Schemas["TelemetryOut"][], profile?: Profile): { field: string; title: string; unit: string; points: Point[] }[] {
  const units = new Map((profile?.fields ?? []).map((f) => [f.name, f.unit ?? ""]));
  const titles = new Map((profile?.fields ?? []).map((f) => [f.name, specLabel(f, f.name)]));
  const names = [...units.keys()];
  for (const r of rows) for (const [k, v] of Object.entries(r.data)) if (typeof v === "number" && !names.includes(k)) names.push(k);
  return names
    .map((field) => ({
      field,
      title: titles.get(field) ?? field,
      unit: units.get(field) ?? "",
      points: rows.filter((r) => typeof r.data[field] === "number").map((r) => ({ x: Date.parse(r.ts), y: r.data[field] as number })),
    }))
    .filter((s) => s.points.length > 0);
}

function DeviceDetail(props: { api: Api; device: Device; profile?: Profile }) {
  const { api, device } = props;
  const telemetry = useAsync(
    () => call(api.GET("/api/v1/devices/{device_id}/telemetry", { params: { path: { device_id: device.id }, query: { limit: 200 } } })),
    [api, device.id],
  );
  const series = telemetry.data ? seriesOf(telemetry.data, props.profile) : [];
  const history = useAsync(() => call(api.GET("/api/v1/devices/{device_id}/commands", { params: { path: { device_id: device.id } } })), [api, device.id]);
  return (
    <div class="card" role="region" aria-label={device.name}>
      <div class="spread">
        <h2>{device.name}</h2>
        <button type="button" onClick={telemetry.reload}>
          {t("adminOps.dev.refresh")}
        </button>
      </div>
      <h3>{t("adminOps.dev.telemetry")}</h3>
      <ErrorNotice error={telemetry.error} onRetry={telemetry.reload} />
      {telemetry.loading && !telemetry.data && <Loading />}
      {telemetry.data && series.length === 0 && <Empty text={t("adminOps.dev.noTelemetry")} />}
      <div class="charts">
        {series.map((s) => (
          <LineChart key={s.field} title={s.title} unit={s.unit} points={s.points} />
        ))}
      </div>
      {(props.profile?.commands ?? []).length > 0 ? <CommandForm api={api} device={device} profile={props.profile} onSent={history.reload} /> : <p class="muted">{t("catalogue.dev.noCommands")}</p>}
      <CommandHistory commands={history.data ?? []} profile={props.profile} error={history.error} />
    </div>
  );
}

/** Issue 15: the device's commands, sent by hand or by a rule, with their result. */
function CommandHistory(props: { commands: Command[]; profile?: Profile; error: unknown }) {
  const names = new Map((props.profile?.commands ?? []).map((c) => [c.name, specLabel(c, c.name)]));
  const source = (c: Command) =>
    c.source === "rule" || c.source === "schedule" ? t(`catalogue.history.source.${c.source}`) : t("catalogue.history.source.user", { who: c.requested_by });
  return (
    <section aria-label={t("catalogue.history.title")}>
      <h3>{t("catalogue.history.title")}</h3>
      <ErrorNotice error={props.error} />
      {props.commands.length === 0 ? (
        <Empty text={t("catalogue.history.none")} />
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th>{t("catalogue.history.when")}</th>
              <th>{t("catalogue.history.command")}</th>
              <th>{t("catalogue.history.source")}</th>
              <th>{t("catalogue.history.status")}</th>
            </tr>
          </thead>
          <tbody>
            {props.commands.map((c) => (
              <tr key={c.id}>
                <td data-label={t("catalogue.history.when")}>{formatDateTime(c.requested_at)}</td>
                <td data-label={t("catalogue.history.command")}>
                  {names.get(c.name) ?? c.name}
                  {Object.keys(c.params).length > 0 && <div class="muted">{Object.entries(c.params).map(([k, v]) => `${k} = ${String(v)}`).join(", ")}</div>}
                </td>
                <td data-label={t("catalogue.history.source")}>{source(c)}</td>
                <td data-label={t("catalogue.history.status")}>
                  <StatusBadge status={c.status} prefix="adminOps.cmd" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CommandForm(props: { api: Api; device: Device; profile?: Profile; onSent?: () => void }) {
  const commands = props.profile?.commands ?? [];
  const [name, setName] = useState(commands[0]?.name ?? "");
  const [params, setParams] = useState<Record<string, string>>({});
  const [command, setCommand] = useState<Command | null>(null);
  const send = useAction();
  const spec = commands.find((c) => c.name === name);

  // Poll the command until the device answers or it times out.
  useEffect(() => {
    if (!command || FINAL.has(command.status)) return;
    const timer = setTimeout(async () => {
      try {
        const next = await call(props.api.GET("/api/v1/device-commands/{command_id}", { params: { path: { command_id: command.id } } }));
        setCommand(next);
        if (FINAL.has(next.status)) props.onSent?.();
      } catch (e) {
        send.setError(e);
      }
    }, COMMAND_POLL_MS);
    return () => clearTimeout(timer);
  }, [command]);

  async function submit(e: Event) {
    e.preventDefault();
    const values = paramValues(spec?.params ?? {}, params);
    const out = await send.run(() =>
      call(props.api.POST("/api/v1/devices/{device_id}/commands", { params: { path: { device_id: props.device.id } }, body: { name, params: values } })),
    );
    if (out) {
      setCommand(out);
      props.onSent?.();
    }
  }

  return (
    <form onSubmit={submit} aria-label={t("adminOps.dev.command")}>
      <h3>{t("adminOps.dev.command")}</h3>
      <ErrorNotice error={send.error} />
      {commands.length > 0 ? (
        <SelectField
          label={t("adminOps.dev.commandName")}
          name="command"
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
            setParams({});
          }}
          options={commands.map((c) => ({ value: c.name, label: specLabel(c, c.name) }))}
        />
      ) : (
        <Field label={t("adminOps.dev.commandName")} name="command" required pattern="[a-z][a-z0-9_]*" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      )}
      <div class="grid2">
        <ParamFields params={spec?.params ?? {}} values={params} onChange={setParams} />
      </div>
      <button type="submit" class="primary" disabled={send.busy || !name}>
        {t("adminOps.dev.send")}
      </button>
      {command && (
        <div class="card command-result" role="status">
          <div class="spread">
            <span>{command.name}</span>
            <StatusBadge status={command.status} prefix="adminOps.cmd" />
          </div>
          {command.result && <pre class="diff">{JSON.stringify(command.result, null, 2)}</pre>}
          {command.responded_at && <div class="muted">{formatDateTime(command.responded_at)}</div>}
        </div>
      )}
    </form>
  );
}

function AlarmsPanel(props: { api: Api; devices: Device[] }) {
  const { api } = props;
  const [state, setState] = useState<"" | "active" | "acknowledged" | "cleared">("active");
  const alarms = useAsync(() => call(api.GET("/api/v1/device-alarms", { params: { query: { state: state || undefined } } })), [api, state]);
  const ack = useAction();
  const names = new Map(props.devices.map((d) => [d.id, d.name]));
  async function acknowledge(id: number) {
    if (await ack.run(() => call(api.POST("/api/v1/device-alarms/{alarm_id}/ack", { params: { path: { alarm_id: id } } })))) alarms.reload();
  }
  return (
    <>
      <h2>{t("adminOps.dev.alarms")}</h2>
      <div class="card">
        <SelectField
          label={t("adminOps.alarm.state")}
          name="alarm_state"
          value={state}
          onChange={(e) => setState(e.currentTarget.value as typeof state)}
          options={[{ value: "", label: t("common.all") }, ...(["active", "acknowledged", "cleared"] as const).map((s) => ({ value: s, label: label("adminOps.alarmState", s) }))]}
        />
      </div>
      <ErrorNotice error={alarms.error ?? ack.error} onRetry={alarms.reload} />
      {alarms.loading && !alarms.data && <Loading />}
      {alarms.data && alarms.data.length === 0 && <Empty text={t("adminOps.alarm.none")} />}
      <ul class="plain">
        {alarms.data?.map((a) => (
          <li key={a.id} class={`card alarm sev-${a.severity}`}>
            <div class="spread">
              <strong>{a.message}</strong>
              <StatusBadge status={a.state} prefix="adminOps.alarmState" />
            </div>
            <div class="muted">
              {label("adminOps.severity", a.severity)} · {names.get(a.device_id) ?? a.device_id} · {formatDateTime(a.raised_at)}
            </div>
            {a.acknowledged_by && (
              <div class="muted">{t("adminOps.alarm.ackBy", { who: a.acknowledged_by, at: a.acknowledged_at ? formatDateTime(a.acknowledged_at) : "" })}</div>
            )}
            {a.state === "active" && (
              <button type="button" onClick={() => acknowledge(a.id)} disabled={ack.busy} aria-label={t("adminOps.alarm.ackName", { message: a.message })}>
                {t("adminOps.alarm.ack")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
