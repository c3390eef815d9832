import { useState } from "preact/hooks";
import { ApiError, call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { formatDateTime } from "../../i18n/format";
import { ErrorNotice, Field, Notice, SelectField } from "../../ui/components";
import { DateField } from "../../ui/DateField";
import { FormButtons, label, useAction } from "../operations/shared";

type Plot = Schemas["PlotOut"];
type Lot = Schemas["LotOut"];
type LogIn = Schemas["LogIn"];
type LogType = LogIn["log_type"];
type InputKind = NonNullable<LogIn["input_kind"]>;
type Unit = NonNullable<LogIn["unit"]>;
const LOG_TYPES: LogType[] = ["seeding", "input", "observation", "harvest", "processing", "packing"];
const INPUT_KINDS: InputKind[] = ["fertiliser", "pesticide", "feed", "veterinary", "other"];
const UNITS: Unit[] = ["KGM", "TNE", "GRM", "LTR", "H87", "BX", "PK"];

/** The refusal of a harvest inside a pre-harvest interval, with the date harvesting becomes allowed. */
export function PhiRefusal({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || error.code !== "pre_harvest_interval") return <ErrorNotice error={error} />;
  const from = (error.details as { harvest_allowed_from?: string } | undefined)?.harvest_allowed_from;
  return (
    <Notice kind="error">
      <strong>{t("adminOps.prod.phiTitle")}</strong> {from ? t("adminOps.prod.phiFrom", { at: formatDateTime(from) }) : t("adminOps.prod.phiWait")}
    </Notice>
  );
}

/** One farmOS-style log: seeding, input (with pre-harvest interval), observation, harvest (makes a lot), processing/packing. */
export function LogForm(props: { api: Api; farmId: number; plots: Plot[]; lots: Lot[]; onDone: (lot: Lot | null, changed: boolean) => void }) {
  const [v, setV] = useState({
    type: "seeding" as LogType,
    plot: "",
    at: "",
    notes: "",
    material: "",
    inputKind: "fertiliser" as InputKind,
    amount: "",
    amountUnit: "kg",
    phi: "",
    product: "",
    quantity: "",
    unit: "KGM" as Unit,
    sourceLot: "",
  });
  const set = (patch: Partial<typeof v>) => setV((prev) => ({ ...prev, ...patch }));
  const save = useAction();
  const makesLot = v.type === "harvest" || v.type === "processing" || v.type === "packing";

  async function submit(e: Event) {
    e.preventDefault();
    const body: LogIn = { log_type: v.type, plot_id: v.plot ? Number(v.plot) : null, notes: v.notes.trim(), notes_public: false, at: v.at ? new Date(v.at).toISOString() : null };
    if (v.type === "input") {
      Object.assign(body, { material: v.material.trim(), input_kind: v.inputKind, amount: v.amount, amount_unit: v.amountUnit.trim(), phi_days: v.phi ? Number(v.phi) : null });
    }
    if (makesLot) {
      Object.assign(body, { product_name: v.product.trim() || null, quantity: v.quantity, unit: v.unit });
      if (v.type !== "harvest") body.source_lot_id = v.sourceLot ? Number(v.sourceLot) : null;
    }
    const out = await save.run(() => call(props.api.POST("/api/v1/production/farms/{farm_id}/logs", { params: { path: { farm_id: props.farmId } }, body })));
    if (out) props.onDone(out.lot ?? null, true);
  }

  return (
    <form class="card" onSubmit={submit} aria-label={t("adminOps.prod.addLog")}>
      <PhiRefusal error={save.error} />
      <div class="grid2">
        <SelectField label={t("adminOps.prod.logType")} name="log_type" value={v.type} onChange={(e) => set({ type: e.currentTarget.value as LogType })} options={LOG_TYPES.map((l) => ({ value: l, label: label("adminOps.logType", l) }))} />
        <SelectField
          label={t("adminOps.prod.plot")}
          name="plot"
          value={v.plot}
          onChange={(e) => set({ plot: e.currentTarget.value })}
          options={[{ value: "", label: t("adminOps.prod.wholeFarm") }, ...props.plots.map((p) => ({ value: String(p.id), label: p.name }))]}
        />
        <DateField label={t("adminOps.prod.at")} name="at" withTime hint={t("adminOps.prod.atHint")} value={v.at} onValue={(at) => set({ at })} />
        {v.type === "input" && (
          <>
            <Field label={t("adminOps.prod.material")} name="material" required value={v.material} onInput={(e) => set({ material: e.currentTarget.value })} />
            <SelectField label={t("adminOps.prod.inputKind")} name="input_kind" value={v.inputKind} onChange={(e) => set({ inputKind: e.currentTarget.value as InputKind })} options={INPUT_KINDS.map((k) => ({ value: k, label: label("adminOps.inputKind", k) }))} />
            <Field label={t("adminOps.prod.amount")} name="amount" type="number" min={0} step="any" required value={v.amount} onInput={(e) => set({ amount: e.currentTarget.value })} />
            <Field label={t("adminOps.prod.amountUnit")} name="amount_unit" required maxLength={10} value={v.amountUnit} onInput={(e) => set({ amountUnit: e.currentTarget.value })} />
            <Field label={t("adminOps.prod.phi")} name="phi_days" type="number" min={0} max={365} hint={t("adminOps.prod.phiHint")} value={v.phi} onInput={(e) => set({ phi: e.currentTarget.value })} />
          </>
        )}
        {makesLot && (
          <>
            {v.type !== "harvest" && (
              <SelectField
                label={t("adminOps.prod.sourceLot")}
                name="source_lot"
                required
                value={v.sourceLot}
                onChange={(e) => set({ sourceLot: e.currentTarget.value })}
                options={[{ value: "", label: t("adminOps.rule.noneOption") }, ...props.lots.map((l) => ({ value: String(l.id), label: `${l.code} · ${l.product_name}` }))]}
              />
            )}
            <Field label={t("adminOps.prod.product")} name="product_name" value={v.product} onInput={(e) => set({ product: e.currentTarget.value })} />
            <Field label={t("adminOps.prod.quantity")} name="quantity" type="number" min={0} step="any" required value={v.quantity} onInput={(e) => set({ quantity: e.currentTarget.value })} />
            <SelectField label={t("adminOps.prod.unit")} name="unit" value={v.unit} onChange={(e) => set({ unit: e.currentTarget.value as Unit })} options={UNITS.map((u) => ({ value: u, label: label("adminOps.unit", u) }))} />
          </>
        )}
        <Field label={t("adminOps.prod.notes")} name="notes" maxLength={2000} value={v.notes} onInput={(e) => set({ notes: e.currentTarget.value })} />
      </div>
      <FormButtons busy={save.busy} onCancel={() => props.onDone(null, false)} />
    </form>
  );
}
