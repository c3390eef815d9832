import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { formatDateTime, formatVnd } from "../../i18n/format";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice } from "../../ui/components";
import { StatusBadge, useAction } from "../operations/shared";

type Payment = Schemas["PaymentOut"];
type Action = Schemas["ResolveIn"]["action"];

/** Partial, over- and unmatched payments: assign to an invoice, accept as is, or mark refunded. */
export function ReconciliationPanel({ api }: { api: Api }) {
  const queue = useAsync(() => call(api.GET("/api/v1/payments/reconciliation")), [api]);
  const [done, setDone] = useState(false);
  return (
    <>
      <h2>{t("adminOps.fees.reconciliation")}</h2>
      {done && <Notice kind="ok">{t("adminOps.rec.resolved")}</Notice>}
      <ErrorNotice error={queue.error} onRetry={queue.reload} />
      {queue.loading && !queue.data && <Loading />}
      {queue.data && queue.data.length === 0 && <Empty text={t("adminOps.rec.none")} />}
      <ul class="plain">
        {queue.data?.map((p) => (
          <PaymentItem
            key={p.id}
            api={api}
            payment={p}
            onResolved={() => {
              setDone(true);
              queue.reload();
            }}
          />
        ))}
      </ul>
    </>
  );
}

function PaymentItem(props: { api: Api; payment: Payment; onResolved: () => void }) {
  const p = props.payment;
  const [invoiceId, setInvoiceId] = useState("");
  const [note, setNote] = useState("");
  const act = useAction();
  const unmatched = p.invoice_id == null;
  async function resolve(action: Action) {
    const body = { action, note: note.trim(), invoice_id: action === "assign" ? Number(invoiceId) : null };
    const ok = await act.run(() => call(props.api.POST("/api/v1/payments/{payment_id}/resolve", { params: { path: { payment_id: p.id } }, body })));
    if (ok) props.onResolved();
  }
  return (
    <li class="card" aria-label={t("adminOps.rec.payment", { amount: formatVnd(p.amount_vnd) })}>
      <div class="spread">
        <strong>{formatVnd(p.amount_vnd)}</strong>
        <StatusBadge status={p.match} prefix="adminOps.match" />
      </div>
      <div class="muted">
        {p.source} · {p.transaction_at ? formatDateTime(p.transaction_at) : formatDateTime(p.created_at)}
        {p.reference ? ` · ${p.reference}` : ""}
      </div>
      <div>{p.memo}</div>
      <ErrorNotice error={act.error} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void resolve(unmatched ? "assign" : "accept");
        }}
        aria-label={t("adminOps.rec.resolve")}
      >
        <div class="grid2">
          {unmatched && (
            <Field label={t("adminOps.rec.invoiceId")} name="invoice_id" type="number" min={1} required value={invoiceId} onInput={(e) => setInvoiceId(e.currentTarget.value)} />
          )}
          <Field label={t("adminOps.rec.note")} name="note" maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
        <div class="row">
          <button type="submit" class="primary" disabled={act.busy}>
            {unmatched ? t("adminOps.rec.assign") : t("adminOps.rec.accept")}
          </button>
          <button type="button" class="danger" disabled={act.busy} onClick={() => void resolve("refund")}>
            {t("adminOps.rec.refund")}
          </button>
        </div>
      </form>
    </li>
  );
}
