import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { call, type Schemas } from "../api/client";
import { formatDate, formatDateTime, formatVnd } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Loading } from "../ui/components";
import { codeLabel } from "./labels";
import { loadWithOffline, LoadNotices, type ScreenProps } from "./screen";

type Invoice = Schemas["InvoiceOut"];
type Receipt = Schemas["ReceiptOut"];
const OUTSTANDING = new Set(["open", "partial"]);

export default function FeesPage({ api }: ScreenProps) {
  useLang();
  const invoices = useAsync(() => loadWithOffline(api.GET("/api/v1/me/invoices")), [api]);
  const receipts = useAsync(() => call(api.GET("/api/v1/me/receipts")).catch(() => [] as Receipt[]), [api]);
  const items = invoices.data?.data ?? [];
  const due = items.filter((i) => OUTSTANDING.has(i.status));
  const total = due.reduce((sum, i) => sum + i.amount_vnd - i.paid_vnd, 0);
  return (
    <section>
      <h1>{t("resident.fees.title")}</h1>
      <LoadNotices state={invoices} />
      {invoices.loading && !invoices.data && <Loading />}
      {invoices.data && items.length === 0 && <Empty text={t("resident.fees.empty")} />}
      {due.length > 0 && <p class="total">{t("resident.fees.totalDue", { amount: formatVnd(total) })}</p>}
      <ul class="plain cards">
        {items.map((inv) => (
          <InvoiceCard key={inv.id} api={api} invoice={inv} receipts={(receipts.data ?? []).filter((r) => r.invoice_id === inv.id)} />
        ))}
      </ul>
    </section>
  );
}

function InvoiceCard({ api, invoice, receipts }: { api: ScreenProps["api"]; invoice: Invoice; receipts: Receipt[] }) {
  const [showQr, setShowQr] = useState(false);
  const outstanding = OUTSTANDING.has(invoice.status);
  return (
    <li class="card">
      <span class="spread">
        <strong>{invoice.description || invoice.period}</strong>
        <span class={`badge ${outstanding ? "" : "active"}`}>{codeLabel("resident.invoiceStatus", invoice.status)}</span>
      </span>
      <dl class="facts">
        <dt>{t("resident.fees.period")}</dt>
        <dd>{invoice.period}</dd>
        <dt>{t("resident.fees.amount")}</dt>
        <dd>{formatVnd(invoice.amount_vnd)}</dd>
        {invoice.paid_vnd > 0 && (
          <>
            <dt>{t("resident.fees.paid")}</dt>
            <dd>{formatVnd(invoice.paid_vnd)}</dd>
          </>
        )}
        <dt>{t("resident.fees.due")}</dt>
        <dd>{formatDate(invoice.due_date)}</dd>
        <dt>{t("resident.fees.reference")}</dt>
        <dd>{invoice.reference}</dd>
        {invoice.paid_at && (
          <>
            <dt>{t("resident.fees.paidAt")}</dt>
            <dd>{formatDateTime(invoice.paid_at)}</dd>
          </>
        )}
        {receipts.map((r) => (
          <Fragment key={r.id}>
            <dt>{t("resident.fees.receipt")}</dt>
            <dd>{t("resident.fees.receiptLine", { number: r.number, amount: formatVnd(r.amount_vnd), date: formatDate(r.issued_at) })}</dd>
          </Fragment>
        ))}
      </dl>
      {outstanding &&
        (showQr ? (
          <VietQr api={api} invoice={invoice} />
        ) : (
          <button type="button" class="primary" onClick={() => setShowQr(true)}>
            {t("resident.fees.payQr")}
          </button>
        ))}
    </li>
  );
}

/** The VietQR code of an invoice: scan it in any Vietnamese banking app, or save the picture and open it there. */
function VietQr({ api, invoice }: { api: ScreenProps["api"]; invoice: Invoice }) {
  const path = { params: { path: { invoice_id: invoice.id } } };
  const info = useAsync(() => call(api.GET("/api/v1/me/invoices/{invoice_id}/vietqr", path)), [api, invoice.id]);
  const png = useAsync(
    () => call(api.GET("/api/v1/me/invoices/{invoice_id}/vietqr", { ...path, params: { ...path.params, query: { format: "png" } }, parseAs: "blob" })) as Promise<Blob>,
    [api, invoice.id],
  );
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!png.data) return;
    let made: string | null = null;
    try {
      made = URL.createObjectURL(png.data);
      setUrl(made);
    } catch {
      /* no picture: the bank details below still let one pay */
    }
    return () => void (made && URL.revokeObjectURL(made));
  }, [png.data]);
  const q = info.data;
  return (
    <div class="vietqr">
      <ErrorNotice error={info.error ?? png.error} onRetry={() => (info.reload(), png.reload())} />
      {(info.loading || png.loading) && <Loading />}
      {url && <img src={url} width={280} height={280} alt={t("resident.fees.qrAlt", { reference: invoice.reference })} />}
      {url && (
        <a class="button" href={url} download={`vietqr-${invoice.reference}.png`}>
          {t("resident.fees.saveQr")}
        </a>
      )}
      {q && (
        <dl class="facts">
          <dt>{t("resident.fees.account")}</dt>
          <dd>{`${q.account_number} · ${q.account_name}`}</dd>
          <dt>{t("resident.fees.amount")}</dt>
          <dd>{formatVnd(q.amount_vnd)}</dd>
          <dt>{t("resident.fees.transferNote")}</dt>
          <dd>
            <strong>{q.reference}</strong>
          </dd>
        </dl>
      )}
      <p class="muted">{t("resident.fees.qrHelp")}</p>
    </div>
  );
}
