import { useState } from "preact/hooks";
import { ApiError, call, errorMessage, type Api, type Schemas } from "../api/client";
import { formatDate, formatDateTime } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useAsync, useDebounced } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../ui/components";
import { Pager } from "./CommunesPage";
import { known, ProvinceSelect } from "./shared";

type Row = Schemas["FleetHealthOut"];
type Plan = Schemas["PlanOut"];
const PAGE = 25;
const TROUBLE = new Set(["past_due", "unpaid", "canceled", "incomplete_expired"]);

/** Plans, and each commune's subscription standing (from the fleet page's join on billing accounts). */
export function BillingPage({ api }: { api: Api }) {
  useLang();
  const plans = useAsync(() => call(api.GET("/api/provider/v1/billing/plans")), [api]);
  const [q, setQ] = useState("");
  const [province, setProvince] = useState("");
  const [offset, setOffset] = useState(0);
  const needle = useDebounced(q.trim(), 250);
  const page = useAsync(
    () =>
      call(
        api.GET("/api/provider/v1/fleet/health", {
          params: { query: { q: needle || undefined, province_code: province ? Number(province) : undefined, limit: PAGE, offset } },
        }),
      ),
    [api, needle, province, offset],
  );

  return (
    <section>
      <h1>{t("provider.billing.title")}</h1>
      <div class="card">
        <h2>{t("provider.billing.plans")}</h2>
        <ErrorNotice error={plans.error} onRetry={plans.reload} />
        {plans.loading && !plans.data && <Loading />}
        {plans.data?.length === 0 && <Empty text={t("provider.billing.noPlans")} />}
        {plans.data && plans.data.length > 0 && (
          <table class="list">
            <thead>
              <tr>
                <th>{t("provider.billing.planCode")}</th>
                <th>{t("provider.billing.planName")}</th>
                <th>{t("provider.billing.meters")}</th>
              </tr>
            </thead>
            <tbody>
              {plans.data.map((p) => (
                <tr key={p.code}>
                  <td data-label={t("provider.billing.planCode")}>{p.code}</td>
                  <td data-label={t("provider.billing.planName")}>{p.name}</td>
                  <td data-label={t("provider.billing.meters")}>
                    {Object.keys(p.meters).map((m) => known("provider.billing.meter", m)).join(", ") || "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <NewPlan api={api} onSaved={plans.reload} />
      </div>
      <div class="card filters" role="search">
        <Field
          label={t("common.search")}
          type="search"
          name="billing-q"
          placeholder={t("communes.search")}
          value={q}
          onInput={(e) => {
            setQ(e.currentTarget.value);
            setOffset(0);
          }}
        />
        <ProvinceSelect
          value={province}
          name="billing-province"
          onChange={(v) => {
            setProvince(v);
            setOffset(0);
          }}
        />
      </div>
      <ErrorNotice error={page.error} onRetry={page.reload} />
      {page.loading && !page.data && <Loading />}
      {page.data && page.data.items.length === 0 && <Empty />}
      {page.data && page.data.items.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("communes.name")}</th>
              <th>{t("communes.plan")}</th>
              <th>{t("provider.billing.status")}</th>
              <th>{t("provider.billing.unpaidSince")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((row) => (
              <BillingRow key={row.commune_code} api={api} row={row} plans={plans.data ?? []} />
            ))}
          </tbody>
        </table>
      )}
      {page.data && <Pager offset={offset} total={page.data.total} onOffset={setOffset} size={PAGE} />}
    </section>
  );
}

export function billingStatusLabel(status: string | null): string {
  return status ? known("provider.billing.status", status) : t("provider.billing.none");
}

function BillingRow({ api, row, plans }: { api: Api; row: Row; plans: Plan[] }) {
  const [open, setOpen] = useState(false);
  const status = row.billing_status;
  const tone = status === "active" || status === "trialing" ? "active" : status && TROUBLE.has(status) ? "suspended" : "";
  return (
    <>
      <tr data-slug={row.slug}>
        <td data-label={t("communes.name")}>
          <strong>{row.name}</strong>
          <div class="muted">{row.province_name}</div>
        </td>
        <td data-label={t("communes.plan")}>{row.billing_plan ?? row.plan}</td>
        <td data-label={t("provider.billing.status")}>
          <span class={`badge ${tone}`}>{billingStatusLabel(status)}</span>
        </td>
        <td data-label={t("provider.billing.unpaidSince")}>{row.unpaid_since ? formatDate(row.unpaid_since) : "—"}</td>
        <td>
          <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} aria-label={t("provider.billing.detailsNamed", { name: row.name })}>
            {t("provider.billing.details")}
          </button>
        </td>
      </tr>
      {open && (
        <tr class="detail">
          <td colSpan={5}>
            <AccountDetail api={api} row={row} plans={plans} />
          </td>
        </tr>
      )}
    </>
  );
}

function AccountDetail({ api, row, plans }: { api: Api; row: Row; plans: Plan[] }) {
  const [saved, setSaved] = useState<string | null>(null);
  const account = useAsync(
    () => call(api.GET("/api/provider/v1/billing/communes/{key}", { params: { path: { key: row.slug } } })),
    [api, row.slug, saved],
  );
  const [plan, setPlan] = useState(row.billing_plan ?? plans[0]?.code ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function subscribe(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const out = await call(
        api.POST("/api/provider/v1/billing/communes/{key}/subscription", { params: { path: { key: row.slug } }, body: { plan_code: plan } }),
      );
      setSaved(t("provider.billing.subscribed", { name: row.name, plan: out.plan_code }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const a = account.data;
  return (
    <div class="account">
      {saved && <Notice kind="ok">{saved}</Notice>}
      {account.loading && !a && <Loading />}
      {/* No account yet is normal for a new commune: the form below creates it. */}
      {account.error instanceof ApiError && account.error.code === "billing_account_not_found" ? (
        <Notice kind="info">{errorMessage(account.error)}</Notice>
      ) : (
        <ErrorNotice error={account.error} />
      )}
      {a && (
        <dl class="review">
          <div>
            <dt>{t("provider.billing.status")}</dt>
            <dd>{billingStatusLabel(a.status)}</dd>
          </div>
          <div>
            <dt>{t("provider.billing.customer")}</dt>
            <dd>{a.stripe_customer_id ?? "—"}</dd>
          </div>
          <div>
            <dt>{t("provider.billing.subscription")}</dt>
            <dd>{a.stripe_subscription_id ?? "—"}</dd>
          </div>
          <div>
            <dt>{t("provider.billing.noticeSent")}</dt>
            <dd>{a.notice_sent_at ? formatDateTime(a.notice_sent_at) : "—"}</dd>
          </div>
          <div>
            <dt>{t("provider.billing.suspendedAt")}</dt>
            <dd>{a.suspended_for_billing_at ? formatDateTime(a.suspended_for_billing_at) : "—"}</dd>
          </div>
        </dl>
      )}
      {plans.length > 0 && (
        <form class="row" onSubmit={subscribe}>
          <SelectField
            label={t("provider.billing.choosePlan")}
            value={plan}
            onChange={(e) => setPlan(e.currentTarget.value)}
            options={plans.map((p) => ({ value: p.code, label: p.name }))}
          />
          <button type="submit" disabled={busy || !plan}>
            {a ? t("provider.billing.changePlan") : t("provider.billing.subscribe")}
          </button>
        </form>
      )}
      <ErrorNotice error={error} />
    </div>
  );
}

/** A plan: its code, name and the Stripe price of its base fee (metered prices are added through the API). */
function NewPlan({ api, onSaved }: { api: Api; onSaved: () => void }) {
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [price, setPrice] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const out = await call(
        api.PUT("/api/provider/v1/billing/plans", { body: { code: code.trim(), name: name.trim(), base_price_id: price.trim(), meters: {} } }),
      );
      setSaved(t("provider.billing.planSaved", { name: out.name }));
      setCode("");
      setName("");
      setPrice("");
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} aria-labelledby="new-plan-title">
      <h3 id="new-plan-title">{t("provider.billing.newPlan")}</h3>
      {saved && <Notice kind="ok">{saved}</Notice>}
      <ErrorNotice error={error} />
      <div class="grid2">
        <Field label={t("provider.billing.planName")} name="plan-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Field
          label={t("provider.billing.planCode")}
          name="plan-code"
          required
          pattern="[a-z0-9_\-]{2,40}"
          hint={t("provider.billing.planCodeHint")}
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <Field
          label={t("provider.billing.basePrice")}
          name="plan-price"
          required
          hint={t("provider.billing.basePriceHint")}
          value={price}
          onInput={(e) => setPrice(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="primary" disabled={busy}>
        {t("provider.billing.createPlan")}
      </button>
    </form>
  );
}
