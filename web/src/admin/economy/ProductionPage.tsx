import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDate, formatDateTime, formatNumber } from "../../i18n/format";
import { useRoute } from "../../lib/router";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../../ui/components";
import { DateField } from "../../ui/DateField";
import { currentTab, FormButtons, label, SubNav, useAction } from "../operations/shared";
import { LogForm } from "./LogForm";
import { QrSheet } from "./QrSheet";

type Farm = Schemas["FarmOut"];
type Lot = Schemas["LotOut"];
type FarmKind = NonNullable<Schemas["FarmIn"]["kind"]>;
type Scheme = Schemas["CertificationIn"]["scheme"];

/** Farms and plots, production logs, lots with QR printing, certifications. */
export function ProductionPage({ api }: { api: Api }) {
  useLang();
  const route = useRoute();
  const farms = useAsync(() => call(api.GET("/api/v1/production/farms")), [api]);
  const tabs = [
    { route: "/production", label: t("adminOps.prod.farms") },
    { route: "/production/lots", label: t("adminOps.prod.lots") },
  ];
  const tab = currentTab(route, tabs);
  return (
    <section>
      <h1>{t("adminOps.prod.title")}</h1>
      <SubNav tabs={tabs} current={tab} label={t("adminOps.prod.title")} />
      <ErrorNotice error={farms.error} onRetry={farms.reload} />
      {farms.loading && !farms.data && <Loading />}
      {farms.data && (tab === "/production/lots" ? <LotsPanel api={api} farms={farms.data} /> : <FarmsPanel api={api} farms={farms.data} reload={farms.reload} />)}
    </section>
  );
}

function FarmsPanel(props: { api: Api; farms: Farm[]; reload: () => void }) {
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  return (
    <>
      <div class="spread">
        <h2>{t("adminOps.prod.farms")}</h2>
        <button type="button" class="primary" onClick={() => setAdding(true)}>
          {t("adminOps.prod.addFarm")}
        </button>
      </div>
      {adding && (
        <FarmForm
          api={props.api}
          onDone={(changed) => {
            setAdding(false);
            if (changed) props.reload();
          }}
        />
      )}
      {props.farms.length === 0 && <Empty text={t("adminOps.prod.noFarms")} />}
      <ul class="plain">
        {props.farms.map((f) => (
          <li key={f.id} class="card">
            <div class="spread">
              <div>
                <strong>{f.name}</strong>
                <div class="muted">
                  {f.producer_name} · {label("adminOps.farmKind", f.kind)} · {f.commodity}
                  {f.area_m2 ? ` · ${t("adminOps.prod.areaM2", { area: formatNumber(f.area_m2) })}` : ""}
                </div>
              </div>
              <button type="button" aria-expanded={selected === f.id} onClick={() => setSelected(selected === f.id ? null : f.id)} aria-label={t("adminOps.prod.openFarm", { name: f.name })}>
                {t("adminOps.dev.open")}
              </button>
            </div>
            {selected === f.id && <FarmDetail api={props.api} farmId={f.id} />}
          </li>
        ))}
      </ul>
    </>
  );
}

function FarmForm(props: { api: Api; onDone: (changed: boolean) => void }) {
  const [v, setV] = useState({ name: "", producer: "", kind: "crop" as FarmKind, commodity: "", area: "", gtin: "" });
  const set = (patch: Partial<typeof v>) => setV((prev) => ({ ...prev, ...patch }));
  const save = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    const body = {
      name: v.name.trim(),
      producer_name: v.producer.trim(),
      kind: v.kind,
      commodity: v.commodity.trim(),
      area_m2: v.area ? Number(v.area) : null,
      gtin: v.gtin.trim() || null,
    };
    if (await save.run(() => call(props.api.POST("/api/v1/production/farms", { body })))) props.onDone(true);
  }
  return (
    <form class="card" onSubmit={submit} aria-label={t("adminOps.prod.addFarm")}>
      <ErrorNotice error={save.error} />
      <div class="grid2">
        <Field label={t("adminOps.prod.farmName")} name="name" required value={v.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        <Field label={t("adminOps.prod.producer")} name="producer_name" required value={v.producer} onInput={(e) => set({ producer: e.currentTarget.value })} />
        <SelectField
          label={t("adminOps.prod.kind")}
          name="kind"
          value={v.kind}
          onChange={(e) => set({ kind: e.currentTarget.value as FarmKind })}
          options={(["crop", "livestock", "aquaculture"] as const).map((k) => ({ value: k, label: label("adminOps.farmKind", k) }))}
        />
        <Field label={t("adminOps.prod.commodity")} name="commodity" required value={v.commodity} onInput={(e) => set({ commodity: e.currentTarget.value })} />
        <Field label={t("adminOps.prod.area")} name="area_m2" type="number" min={0} step="any" value={v.area} onInput={(e) => set({ area: e.currentTarget.value })} />
        <Field label={t("adminOps.prod.gtin")} name="gtin" inputMode="numeric" pattern="[0-9]{8,14}" value={v.gtin} onInput={(e) => set({ gtin: e.currentTarget.value })} />
      </div>
      <FormButtons busy={save.busy} onCancel={() => props.onDone(false)} />
    </form>
  );
}

function FarmDetail(props: { api: Api; farmId: number }) {
  const { api, farmId } = props;
  const farm = useAsync(() => call(api.GET("/api/v1/production/farms/{farm_id}", { params: { path: { farm_id: farmId } } })), [api, farmId]);
  const logs = useAsync(() => call(api.GET("/api/v1/production/farms/{farm_id}/logs", { params: { path: { farm_id: farmId } } })), [api, farmId]);
  const lots = useAsync(() => call(api.GET("/api/v1/production/lots", { params: { query: { farm_id: farmId } } })), [api, farmId]);
  const [form, setForm] = useState<"plot" | "cert" | "log" | null>(null);
  const [created, setCreated] = useState<Lot | null>(null);
  if (farm.error) return <ErrorNotice error={farm.error} onRetry={farm.reload} />;
  if (!farm.data) return <Loading />;
  const f = farm.data;
  const plotName = new Map(f.plots.map((p) => [p.id, p.name]));
  const done = (changed: boolean) => {
    setForm(null);
    if (changed) {
      farm.reload();
      logs.reload();
      lots.reload();
    }
  };
  return (
    <div class="farm-detail">
      <h3>{t("adminOps.prod.plots")}</h3>
      {f.plots.length === 0 ? (
        <Empty />
      ) : (
        <ul>
          {f.plots.map((p) => (
            <li key={p.id}>
              {p.name}
              {p.crop ? ` · ${p.crop}` : ""}
              {p.area_m2 ? ` · ${t("adminOps.prod.areaM2", { area: formatNumber(p.area_m2) })}` : ""}
            </li>
          ))}
        </ul>
      )}
      <h3>{t("adminOps.prod.certs")}</h3>
      {f.certifications.length === 0 ? (
        <Empty />
      ) : (
        <ul>
          {f.certifications.map((c) => (
            <li key={c.id}>
              <strong>{label("adminOps.scheme", c.scheme)}</strong>
              {c.stars ? ` ${"★".repeat(c.stars)}` : ""} · {c.certificate_no} · {t("adminOps.prod.validRange", { from: formatDate(c.valid_from), to: formatDate(c.valid_to) })}
            </li>
          ))}
        </ul>
      )}
      <div class="row">
        <button type="button" onClick={() => setForm("log")}>
          {t("adminOps.prod.addLog")}
        </button>
        <button type="button" onClick={() => setForm("plot")}>
          {t("adminOps.prod.addPlot")}
        </button>
        <button type="button" onClick={() => setForm("cert")}>
          {t("adminOps.prod.addCert")}
        </button>
      </div>
      {created && <Notice kind="ok">{t("adminOps.prod.lotCreated", { code: created.code })}</Notice>}
      {form === "plot" && <PlotForm api={api} farmId={farmId} onDone={done} />}
      {form === "cert" && <CertForm api={api} farmId={farmId} onDone={done} />}
      {form === "log" && (
        <LogForm
          api={api}
          farmId={farmId}
          plots={f.plots}
          lots={lots.data ?? []}
          onDone={(lot, changed) => {
            setCreated(lot);
            done(changed);
          }}
        />
      )}
      <h3>{t("adminOps.prod.logs")}</h3>
      <ErrorNotice error={logs.error} onRetry={logs.reload} />
      {logs.data && logs.data.length === 0 && <Empty />}
      {logs.data && logs.data.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("adminOps.prod.at")}</th>
              <th>{t("adminOps.prod.logType")}</th>
              <th>{t("adminOps.prod.plot")}</th>
              <th>{t("adminOps.prod.details")}</th>
            </tr>
          </thead>
          <tbody>
            {logs.data.map((l) => (
              <tr key={l.id}>
                <td data-label={t("adminOps.prod.at")}>{formatDateTime(l.at)}</td>
                <td data-label={t("adminOps.prod.logType")}>{label("adminOps.logType", l.log_type)}</td>
                <td data-label={t("adminOps.prod.plot")}>{l.plot_id ? plotName.get(l.plot_id) ?? l.plot_id : "—"}</td>
                <td data-label={t("adminOps.prod.details")}>
                  {[l.material, l.amount != null ? `${formatNumber(Number(l.amount))} ${l.amount_unit ?? ""}` : null, l.phi_days != null ? t("adminOps.prod.phiDays", { days: l.phi_days }) : null, l.notes]
                    .filter(Boolean)
                    .join(" · ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function PlotForm(props: { api: Api; farmId: number; onDone: (changed: boolean) => void }) {
  const [v, setV] = useState({ name: "", crop: "", area: "" });
  const set = (patch: Partial<typeof v>) => setV((prev) => ({ ...prev, ...patch }));
  const save = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    const body = { name: v.name.trim(), crop: v.crop.trim() || null, area_m2: v.area ? Number(v.area) : null };
    if (await save.run(() => call(props.api.POST("/api/v1/production/farms/{farm_id}/plots", { params: { path: { farm_id: props.farmId } }, body })))) props.onDone(true);
  }
  return (
    <form class="card" onSubmit={submit} aria-label={t("adminOps.prod.addPlot")}>
      <ErrorNotice error={save.error} />
      <div class="grid2">
        <Field label={t("adminOps.prod.plotName")} name="plot_name" required value={v.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        <Field label={t("adminOps.prod.crop")} name="crop" value={v.crop} onInput={(e) => set({ crop: e.currentTarget.value })} />
        <Field label={t("adminOps.prod.area")} name="plot_area" type="number" min={0} step="any" value={v.area} onInput={(e) => set({ area: e.currentTarget.value })} />
      </div>
      <FormButtons busy={save.busy} onCancel={() => props.onDone(false)} />
    </form>
  );
}

function CertForm(props: { api: Api; farmId: number; onDone: (changed: boolean) => void }) {
  const [v, setV] = useState({ scheme: "vietgap" as Scheme, stars: "", no: "", issuer: "", from: "", to: "" });
  const set = (patch: Partial<typeof v>) => setV((prev) => ({ ...prev, ...patch }));
  const save = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    const body = { scheme: v.scheme, stars: v.scheme === "ocop" && v.stars ? Number(v.stars) : null, certificate_no: v.no.trim(), issuer: v.issuer.trim(), valid_from: v.from, valid_to: v.to };
    if (await save.run(() => call(props.api.POST("/api/v1/production/farms/{farm_id}/certifications", { params: { path: { farm_id: props.farmId } }, body })))) props.onDone(true);
  }
  return (
    <form class="card" onSubmit={submit} aria-label={t("adminOps.prod.addCert")}>
      <ErrorNotice error={save.error} />
      <div class="grid2">
        <SelectField
          label={t("adminOps.prod.scheme")}
          name="scheme"
          value={v.scheme}
          onChange={(e) => set({ scheme: e.currentTarget.value as Scheme })}
          options={(["vietgap", "ocop", "organic"] as const).map((s) => ({ value: s, label: label("adminOps.scheme", s) }))}
        />
        {v.scheme === "ocop" && <Field label={t("adminOps.prod.stars")} name="stars" type="number" min={3} max={5} value={v.stars} onInput={(e) => set({ stars: e.currentTarget.value })} />}
        <Field label={t("adminOps.prod.certNo")} name="certificate_no" required value={v.no} onInput={(e) => set({ no: e.currentTarget.value })} />
        <Field label={t("adminOps.prod.issuer")} name="issuer" value={v.issuer} onInput={(e) => set({ issuer: e.currentTarget.value })} />
        <DateField label={t("adminOps.prod.validFrom")} name="valid_from" required value={v.from} onValue={(from) => set({ from })} />
        <DateField label={t("adminOps.prod.validTo")} name="valid_to" required value={v.to} onValue={(to) => set({ to })} />
      </div>
      <FormButtons busy={save.busy} onCancel={() => props.onDone(false)} />
    </form>
  );
}

function LotsPanel(props: { api: Api; farms: Farm[] }) {
  const [farmId, setFarmId] = useState("");
  const lots = useAsync(() => call(props.api.GET("/api/v1/production/lots", { params: { query: { farm_id: farmId ? Number(farmId) : undefined } } })), [props.api, farmId]);
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [printing, setPrinting] = useState(false);
  const farmName = new Map(props.farms.map((f) => [f.id, f.name]));
  const toggle = (id: number) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const chosen = (lots.data ?? []).filter((l) => picked.has(l.id));
  return (
    <>
      <h2>{t("adminOps.prod.lots")}</h2>
      <div class="card filters">
        <SelectField
          label={t("adminOps.prod.farm")}
          name="farm"
          value={farmId}
          onChange={(e) => setFarmId(e.currentTarget.value)}
          options={[{ value: "", label: t("common.all") }, ...props.farms.map((f) => ({ value: String(f.id), label: f.name }))]}
        />
      </div>
      <ErrorNotice error={lots.error} onRetry={lots.reload} />
      {lots.loading && !lots.data && <Loading />}
      {lots.data && lots.data.length === 0 && <Empty text={t("adminOps.prod.noLots")} />}
      {lots.data && lots.data.length > 0 && (
        <>
          <div class="row">
            <button type="button" onClick={() => setPicked(new Set(lots.data!.map((l) => l.id)))}>
              {t("adminOps.prod.selectAll")}
            </button>
            <button type="button" class="primary" disabled={chosen.length === 0} onClick={() => setPrinting(true)}>
              {t("adminOps.prod.printQr", { count: chosen.length })}
            </button>
          </div>
          <table class="list">
            <thead>
              <tr>
                <th>{t("adminOps.prod.pick")}</th>
                <th>{t("adminOps.prod.lotCode")}</th>
                <th>{t("adminOps.prod.product")}</th>
                <th>{t("adminOps.prod.quantity")}</th>
                <th>{t("adminOps.prod.farm")}</th>
                <th>{t("adminOps.prod.producedAt")}</th>
              </tr>
            </thead>
            <tbody>
              {lots.data.map((l) => (
                <tr key={l.id}>
                  <td>
                    <input type="checkbox" class="big" checked={picked.has(l.id)} onChange={() => toggle(l.id)} aria-label={t("adminOps.prod.pickLot", { code: l.code })} />
                  </td>
                  <td data-label={t("adminOps.prod.lotCode")}>
                    <strong>{l.code}</strong>
                  </td>
                  <td data-label={t("adminOps.prod.product")}>{l.product_name}</td>
                  <td data-label={t("adminOps.prod.quantity")} class="num">
                    {formatNumber(Number(l.quantity))} {label("adminOps.unit", l.unit)}
                  </td>
                  <td data-label={t("adminOps.prod.farm")}>{farmName.get(l.farm_id) ?? l.farm_id}</td>
                  <td data-label={t("adminOps.prod.producedAt")}>{formatDate(l.produced_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {printing && chosen.length > 0 && <QrSheet api={props.api} lots={chosen} farmName={(id) => farmName.get(id) ?? ""} onClose={() => setPrinting(false)} />}
    </>
  );
}
