import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { formatNumber } from "../../i18n/format";
import { useAsync } from "../../lib/useAsync";
import { ErrorNotice, Field, Notice, SelectField } from "../../ui/components";
import { FormButtons, useAction } from "../operations/shared";

type FeeType = Schemas["FeeTypeOut"];
const PAGE = 1000;
const MAX_LINES = 20_000;

/** Every household id of the commune (or of one village), page by page. */
export async function allHouseholdIds(api: Api, villageId?: number): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await call(api.GET("/api/v1/households", { params: { query: { village_id: villageId, limit: PAGE, offset } } }));
    ids.push(...page.map((h) => h.id));
    if (page.length < PAGE) return ids;
  }
}

function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

/** Issue one invoice per household for a fee type and period (rerunning creates nothing new). */
export function BulkIssueForm(props: { api: Api; types: FeeType[]; onDone: (changed: boolean, period?: string) => void; onIssued?: (period: string) => void }) {
  const { api } = props;
  const villages = useAsync(() => call(api.GET("/api/v1/villages")), [api]);
  const [feeType, setFeeType] = useState(String(props.types[0]?.id ?? ""));
  const [period, setPeriod] = useState(thisMonth());
  const [village, setVillage] = useState("");
  const [amount, setAmount] = useState("");
  const [result, setResult] = useState<{ created: number; existing: number } | null>(null);
  const issue = useAction();
  const type = props.types.find((f) => String(f.id) === feeType);

  async function submit(e: Event) {
    e.preventDefault();
    const out = await issue.run(async () => {
      const ids = await allHouseholdIds(api, village ? Number(village) : undefined);
      let created = 0;
      let existing = 0;
      for (let i = 0; i < ids.length; i += MAX_LINES) {
        const lines = ids.slice(i, i + MAX_LINES).map((household_id) => ({ household_id, amount_vnd: amount ? Number(amount) : null }));
        const r = await call(api.POST("/api/v1/fees/invoices/bulk", { body: { fee_type_id: Number(feeType), period, lines } }));
        created += r.created;
        existing += r.existing;
      }
      return { created, existing };
    });
    if (out) {
      setResult(out);
      props.onIssued?.(period);
    }
  }

  return (
    <form class="card" onSubmit={submit} aria-label={t("adminOps.fees.bulk")}>
      <h2>{t("adminOps.fees.bulk")}</h2>
      <ErrorNotice error={issue.error} />
      {result && <Notice kind="ok">{t("adminOps.fees.bulkDone", { created: formatNumber(result.created), existing: formatNumber(result.existing) })}</Notice>}
      <div class="grid2">
        <SelectField label={t("adminOps.fees.feeType")} name="fee_type" value={feeType} onChange={(e) => setFeeType(e.currentTarget.value)} options={props.types.map((f) => ({ value: String(f.id), label: f.name }))} />
        <Field label={t("adminOps.fees.period")} name="bulk_period" type="month" required pattern="\d{4}-\d{2}" value={period} onInput={(e) => setPeriod(e.currentTarget.value)} />
        <SelectField
          label={t("adminOps.fees.village")}
          name="village"
          value={village}
          onChange={(e) => setVillage(e.currentTarget.value)}
          options={[{ value: "", label: t("adminOps.fees.allVillages") }, ...(villages.data ?? []).map((v) => ({ value: String(v.id), label: v.name }))]}
        />
        <Field
          label={t("adminOps.fees.amountOverride")}
          name="amount"
          type="number"
          min={1}
          inputMode="numeric"
          required={type?.default_amount_vnd == null}
          hint={type?.default_amount_vnd != null ? t("adminOps.fees.defaultHint") : undefined}
          value={amount}
          onInput={(e) => setAmount(e.currentTarget.value)}
        />
      </div>
      {result ? (
        <button type="button" class="primary" onClick={() => props.onDone(true, period)}>
          {t("adminOps.fees.close")}
        </button>
      ) : (
        <FormButtons busy={issue.busy} submit={t("adminOps.fees.issue")} onCancel={() => props.onDone(false)} />
      )}
    </form>
  );
}
