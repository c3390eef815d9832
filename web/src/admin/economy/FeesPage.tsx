import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDate, formatDateTime, formatNumber, formatVnd } from "../../i18n/format";
import { navigate, useRoute } from "../../lib/router";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../../ui/components";
import { currentTab, FormButtons, label, StatusBadge, SubNav, useAction } from "../operations/shared";
import { BulkIssueForm } from "./BulkIssueForm";
import { ReconciliationPanel } from "./ReconciliationPanel";

type FeeType = Schemas["FeeTypeOut"];
type Category = Schemas["FeeTypeIn"]["category"];
type InvoiceStatus = "open" | "partial" | "paid" | "overpaid";
const CATEGORIES: Category[] = ["tuition", "electricity", "water", "administrative", "hospital", "other"];
const STATUSES: InvoiceStatus[] = ["open", "partial", "paid", "overpaid"];

/** Fee types, invoices (bulk issue per period), a household's ledger, the reconciliation queue. */
export function FeesPage({ api }: { api: Api }) {
  useLang();
  const route = useRoute();
  const types = useAsync(() => call(api.GET("/api/v1/fees/types")), [api]);
  const tabs = [
    { route: "/fees", label: t("adminOps.fees.invoices") },
    { route: "/fees/types", label: t("adminOps.fees.types") },
    { route: "/fees/ledger", label: t("adminOps.fees.ledger") },
    { route: "/fees/reconciliation", label: t("adminOps.fees.reconciliation") },
  ];
  const tab = currentTab(route, tabs);
  const typeList = types.data ?? [];
  return (
    <section>
      <h1>{t("adminOps.fees.title")}</h1>
      <SubNav tabs={tabs} current={tab} label={t("adminOps.fees.title")} />
      <ErrorNotice error={types.error} onRetry={types.reload} />
      {tab === "/fees" && <InvoicesPanel api={api} types={typeList} />}
      {tab === "/fees/types" && <TypesPanel api={api} types={typeList} loading={types.loading} reload={types.reload} />}
      {tab === "/fees/ledger" && <LedgerPanel api={api} householdId={route.split("/")[3] ?? ""} />}
      {tab === "/fees/reconciliation" && <ReconciliationPanel api={api} />}
    </section>
  );
}

function InvoicesPanel(props: { api: Api; types: FeeType[] }) {
  const { api } = props;
  const [period, setPeriod] = useState("");
  const [status, setStatus] = useState<InvoiceStatus | "">("");
  const [bulk, setBulk] = useState(false);
  const invoices = useAsync(
    () => call(api.GET("/api/v1/fees/invoices", { params: { query: { period: period || undefined, status: status || undefined, limit: 200 } } })),
    [api, period, status],
  );
  const typeName = new Map(props.types.map((f) => [f.id, f.name]));
  return (
    <>
      <div class="spread">
        <h2>{t("adminOps.fees.invoices")}</h2>
        <button type="button" class="primary" onClick={() => setBulk(true)} disabled={props.types.length === 0}>
          {t("adminOps.fees.bulk")}
        </button>
      </div>
      {bulk && (
        <BulkIssueForm
          api={api}
          types={props.types}
          onIssued={(issuedPeriod) => {
            if (issuedPeriod !== period) setPeriod(issuedPeriod);
            else invoices.reload();
          }}
          onDone={(changed, issuedPeriod) => {
            setBulk(false);
            if (changed && issuedPeriod && issuedPeriod !== period) setPeriod(issuedPeriod);
            else if (changed) invoices.reload();
          }}
        />
      )}
      <div class="card filters">
        <Field label={t("adminOps.fees.period")} name="period" type="month" value={period} onInput={(e) => setPeriod(e.currentTarget.value)} />
        <SelectField
          label={t("adminOps.fees.status")}
          name="status"
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value as InvoiceStatus | "")}
          options={[{ value: "", label: t("common.all") }, ...STATUSES.map((s) => ({ value: s, label: label("adminOps.invoiceStatus", s) }))]}
        />
      </div>
      <ErrorNotice error={invoices.error} onRetry={invoices.reload} />
      {invoices.loading && !invoices.data && <Loading />}
      {invoices.data && invoices.data.length === 0 && (
        <div class="card row">
          <Empty text={t(props.types.length === 0 ? "adminOps.fees.noInvoicesNoTypes" : "adminOps.fees.noInvoicesHint")} />
          {props.types.length === 0 ? (
            <a class="button" href="#/fees/types">
              {t("adminOps.fees.addType")}
            </a>
          ) : (
            !bulk && (
              <button type="button" onClick={() => setBulk(true)}>
                {t("adminOps.fees.bulk")}
              </button>
            )
          )}
        </div>
      )}
      {invoices.data && invoices.data.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("adminOps.fees.reference")}</th>
              <th>{t("adminOps.fees.feeType")}</th>
              <th>{t("adminOps.fees.household")}</th>
              <th>{t("adminOps.fees.period")}</th>
              <th>{t("adminOps.fees.amount")}</th>
              <th>{t("adminOps.fees.paid")}</th>
              <th>{t("adminOps.fees.status")}</th>
              <th>{t("adminOps.fees.due")}</th>
            </tr>
          </thead>
          <tbody>
            {invoices.data.map((inv) => (
              <tr key={inv.id}>
                <td data-label={t("adminOps.fees.reference")}>
                  <strong>{inv.reference}</strong>
                </td>
                <td data-label={t("adminOps.fees.feeType")}>{typeName.get(inv.fee_type_id) ?? inv.fee_type_id}</td>
                <td data-label={t("adminOps.fees.household")}>
                  <a href={`#/fees/ledger/${inv.household_id}`} aria-label={t("adminOps.fees.ledgerOf", { id: inv.house_number ?? inv.household_id })}>
                    {householdName(inv)}
                  </a>
                </td>
                <td data-label={t("adminOps.fees.period")}>{inv.period}</td>
                <td data-label={t("adminOps.fees.amount")} class="num">
                  {formatVnd(inv.amount_vnd)}
                </td>
                <td data-label={t("adminOps.fees.paid")} class="num">
                  {formatVnd(inv.paid_vnd)}
                </td>
                <td data-label={t("adminOps.fees.status")}>
                  <StatusBadge status={inv.status} prefix="adminOps.invoiceStatus" />
                </td>
                <td data-label={t("adminOps.fees.due")}>{formatDate(inv.due_date)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** "Nguyễn Văn An · nhà 12" rather than the internal id; the id only when the household is unknown. */
export function householdName(inv: { household_id: number; household_head?: string | null; house_number?: string | null }): string {
  if (inv.house_number) {
    return inv.household_head
      ? t("adminOps.fees.householdOf", { head: inv.household_head, house: inv.house_number })
      : t("adminOps.fees.houseN", { house: inv.house_number });
  }
  return t("adminOps.fees.householdN", { id: inv.household_id });
}

type TypeForm = { code: string; name: string; category: Category; amount: string; due: string };
const BLANK: TypeForm = { code: "", name: "", category: "other", amount: "", due: "15" };

function TypesPanel(props: { api: Api; types: FeeType[]; loading: boolean; reload: () => void }) {
  // null: no form; 0: a new fee type; an id: that fee type being edited.
  const [editing, setEditing] = useState<number | null>(null);
  const [saved, setSaved] = useState("");
  const [v, setV] = useState<TypeForm>(BLANK);
  const set = (patch: Partial<TypeForm>) => setV((prev) => ({ ...prev, ...patch }));
  const save = useAction();
  function open(f: FeeType | null) {
    setSaved("");
    save.setError(null);
    setV(f ? { code: f.code, name: f.name, category: f.category as Category, amount: f.default_amount_vnd == null ? "" : String(f.default_amount_vnd), due: String(f.due_days) } : BLANK);
    setEditing(f ? f.id : 0);
  }
  async function submit(e: Event) {
    e.preventDefault();
    const amount = v.amount ? Number(v.amount) : null;
    const common = { name: v.name.trim(), category: v.category, due_days: Number(v.due || 15) };
    const ok =
      editing === 0
        ? await save.run(() => call(props.api.POST("/api/v1/fees/types", { body: { ...common, code: v.code.trim(), default_amount_vnd: amount } })))
        : await save.run(() =>
            call(
              props.api.PATCH("/api/v1/fees/types/{fee_type_id}", {
                params: { path: { fee_type_id: editing ?? 0 } },
                body: { ...common, default_amount_vnd: amount, clear_default_amount: amount == null },
              }),
            ),
          );
    if (ok) {
      setSaved(t("adminOps.fees.typeSaved", { name: ok.name }));
      setEditing(null);
      props.reload();
    }
  }
  async function toggle(f: FeeType) {
    setSaved("");
    const ok = await save.run(() => call(props.api.PATCH("/api/v1/fees/types/{fee_type_id}", { params: { path: { fee_type_id: f.id } }, body: { active: !f.active, clear_default_amount: false } })));
    if (ok) {
      setSaved(t(ok.active ? "adminOps.fees.typeActivated" : "adminOps.fees.typeDeactivated", { name: ok.name }));
      props.reload();
    }
  }
  const formLabel = editing === 0 ? t("adminOps.fees.addType") : t("adminOps.fees.editType");
  return (
    <>
      <div class="spread">
        <h2>{t("adminOps.fees.types")}</h2>
        <button type="button" class="primary" onClick={() => open(null)}>
          {t("adminOps.fees.addType")}
        </button>
      </div>
      {saved && <Notice kind="ok">{saved}</Notice>}
      {editing === null && <ErrorNotice error={save.error} />}
      {editing !== null && (
        <form class="card" onSubmit={submit} aria-label={formLabel}>
          <h3>{formLabel}</h3>
          <ErrorNotice error={save.error} />
          <div class="grid2">
            <Field
              label={t("adminOps.fees.code")}
              name="code"
              required
              disabled={editing !== 0}
              hint={editing !== 0 ? t("adminOps.fees.codeFixed") : undefined}
              pattern="[A-Za-z0-9_.\-]+"
              value={v.code}
              onInput={(e) => set({ code: e.currentTarget.value })}
            />
            <Field label={t("adminOps.fees.name")} name="name" required value={v.name} onInput={(e) => set({ name: e.currentTarget.value })} />
            <SelectField
              label={t("adminOps.fees.category")}
              name="category"
              value={v.category}
              onChange={(e) => set({ category: e.currentTarget.value as Category })}
              options={CATEGORIES.map((c) => ({ value: c, label: label("adminOps.feeCategory", c) }))}
            />
            <Field label={t("adminOps.fees.defaultAmount")} name="default_amount_vnd" type="number" min={1} inputMode="numeric" value={v.amount} onInput={(e) => set({ amount: e.currentTarget.value })} />
            <Field label={t("adminOps.fees.dueDays")} name="due_days" type="number" min={0} max={365} value={v.due} onInput={(e) => set({ due: e.currentTarget.value })} />
          </div>
          <FormButtons busy={save.busy} onCancel={() => setEditing(null)} />
        </form>
      )}
      {props.loading && props.types.length === 0 && <Loading />}
      {!props.loading && props.types.length === 0 && editing === null && (
        <div class="card row">
          <Empty text={t("adminOps.fees.noTypesHint")} />
          <button type="button" onClick={() => open(null)}>
            {t("adminOps.fees.addType")}
          </button>
        </div>
      )}
      {props.types.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("adminOps.fees.code")}</th>
              <th>{t("adminOps.fees.name")}</th>
              <th>{t("adminOps.fees.category")}</th>
              <th>{t("adminOps.fees.defaultAmount")}</th>
              <th>{t("adminOps.fees.dueDays")}</th>
              <th>{t("adminOps.fees.status")}</th>
              <th>{t("adminOps.fees.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {props.types.map((f) => (
              <tr key={f.id}>
                <td data-label={t("adminOps.fees.code")}>{f.code}</td>
                <td data-label={t("adminOps.fees.name")}>
                  <strong>{f.name}</strong>
                </td>
                <td data-label={t("adminOps.fees.category")}>{label("adminOps.feeCategory", f.category)}</td>
                <td data-label={t("adminOps.fees.defaultAmount")} class="num">
                  {f.default_amount_vnd == null ? "—" : formatVnd(f.default_amount_vnd)}
                </td>
                <td data-label={t("adminOps.fees.dueDays")} class="num">
                  {formatNumber(f.due_days)}
                </td>
                <td data-label={t("adminOps.fees.status")}>{t(f.active ? "adminOps.fees.typeActive" : "adminOps.fees.typeInactive")}</td>
                <td data-label={t("adminOps.fees.actions")} class="row">
                  <button type="button" onClick={() => open(f)} aria-label={t("adminOps.fees.editTypeNamed", { name: f.name })}>
                    {t("adminOps.fees.edit")}
                  </button>
                  <button
                    type="button"
                    disabled={save.busy}
                    onClick={() => toggle(f)}
                    aria-label={t(f.active ? "adminOps.fees.deactivateNamed" : "adminOps.fees.activateNamed", { name: f.name })}
                  >
                    {t(f.active ? "adminOps.fees.deactivate" : "adminOps.fees.activate")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function LedgerPanel(props: { api: Api; householdId: string }) {
  const [input, setInput] = useState(props.householdId);
  const id = Number(props.householdId);
  const ledger = useAsync(
    () => (id > 0 ? call(props.api.GET("/api/v1/fees/households/{household_id}/ledger", { params: { path: { household_id: id } } })) : Promise.resolve(null)),
    [props.api, id],
  );
  return (
    <>
      <h2>{t("adminOps.fees.ledger")}</h2>
      <form
        class="card row"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/fees/ledger/${input.trim()}`);
        }}
        aria-label={t("adminOps.fees.ledger")}
      >
        <Field label={t("adminOps.fees.householdId")} name="household_id" type="number" min={1} required value={input} onInput={(e) => setInput(e.currentTarget.value)} />
        <button type="submit" class="primary">
          {t("adminOps.fees.showLedger")}
        </button>
      </form>
      <ErrorNotice error={ledger.error} onRetry={ledger.reload} />
      {id > 0 && ledger.loading && !ledger.data && <Loading />}
      {ledger.data && (
        <>
          <Notice kind={ledger.data.balance_vnd > 0 ? "info" : "ok"}>
            {t("adminOps.fees.balance", { id: ledger.data.household_id, amount: formatVnd(ledger.data.balance_vnd) })}
          </Notice>
          {ledger.data.entries.length === 0 ? (
            <Empty />
          ) : (
            <table class="list">
              <thead>
                <tr>
                  <th>{t("adminOps.fees.at")}</th>
                  <th>{t("adminOps.fees.entry")}</th>
                  <th>{t("adminOps.fees.memo")}</th>
                  <th>{t("adminOps.fees.amount")}</th>
                  <th>{t("adminOps.fees.balanceCol")}</th>
                </tr>
              </thead>
              <tbody>
                {ledger.data.entries.map((l) => (
                  <tr key={l.id}>
                    <td data-label={t("adminOps.fees.at")}>{formatDateTime(l.at)}</td>
                    <td data-label={t("adminOps.fees.entry")}>{label("adminOps.ledgerKind", l.kind)}</td>
                    <td data-label={t("adminOps.fees.memo")}>{l.memo}</td>
                    <td data-label={t("adminOps.fees.amount")} class="num">
                      {formatVnd(l.amount_vnd)}
                    </td>
                    <td data-label={t("adminOps.fees.balanceCol")} class="num">
                      {formatVnd(l.balance_vnd)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
