import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDateTime } from "../../i18n/format";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice } from "../../ui/components";
import { StatusBadge, useAction } from "./shared";

type Request = Schemas["SiteNetworkRequestOut"];

/**
 * Camera site networks of the commune: the approved ones (the only private ranges a camera URL may point
 * into) and the requests sent to the provider. The commune asks; only provider staff approve.
 */
export function SiteNetworks({ api }: { api: Api }) {
  useLang();
  const approved = useAsync(() => call(api.GET("/api/v1/camera-site-networks")), [api]);
  const requests = useAsync(() => call(api.GET("/api/v1/camera-site-network-requests")), [api]);
  const [cidr, setCidr] = useState("");
  const [note, setNote] = useState("");
  const [sent, setSent] = useState<Request | null>(null);
  const send = useAction();
  const remove = useAction();

  async function submit(e: Event) {
    e.preventDefault();
    setSent(null);
    const out = await send.run(() => call(api.POST("/api/v1/camera-site-network-requests", { body: { cidr: cidr.trim(), note: note.trim() } })));
    if (out) {
      setSent(out);
      setCidr("");
      setNote("");
      requests.reload();
    }
  }

  async function drop(id: number, value: string) {
    if (!window.confirm(t("cameras.net.removeConfirm", { cidr: value }))) return;
    const ok = await remove.run(async () => {
      await call(api.DELETE("/api/v1/camera-site-networks/{network_id}", { params: { path: { network_id: id } } }));
      return true;
    });
    if (ok) {
      approved.reload();
      requests.reload();
    }
  }

  return (
    <section class="card" aria-labelledby="site-networks-title">
      <h2 id="site-networks-title">{t("cameras.net.title")}</h2>
      <p class="muted">{t("cameras.net.intro")}</p>
      <h3>{t("cameras.net.approved")}</h3>
      <ErrorNotice error={approved.error ?? remove.error} onRetry={approved.reload} />
      {approved.loading && !approved.data && <Loading />}
      {approved.data && approved.data.length === 0 && <Empty text={t("cameras.net.noneApproved")} />}
      <ul class="plain">
        {approved.data?.map((n) => (
          <li key={n.id} class="spread">
            <span>
              <code>{n.cidr}</code> {n.note && <span class="muted">— {n.note}</span>}
            </span>
            <button type="button" onClick={() => drop(n.id, n.cidr)} aria-label={t("cameras.net.remove", { cidr: n.cidr })}>
              {t("cameras.net.delete")}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} aria-label={t("cameras.net.request")}>
        <ErrorNotice error={send.error} />
        {sent && <Notice kind="ok">{t("cameras.net.requested", { cidr: sent.cidr })}</Notice>}
        <div class="grid2">
          <Field label={t("cameras.net.cidr")} name="cidr" required maxLength={64} value={cidr} hint={t("cameras.net.cidrHint")} onInput={(e) => setCidr(e.currentTarget.value)} />
          <Field label={t("cameras.net.note")} name="note" maxLength={200} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={send.busy}>
          {t("cameras.net.request")}
        </button>
      </form>
      <h3>{t("cameras.net.requests")}</h3>
      <ErrorNotice error={requests.error} onRetry={requests.reload} />
      {requests.data && requests.data.length === 0 && <Empty text={t("cameras.net.noRequests")} />}
      <ul class="plain">
        {requests.data?.map((r) => (
          <li key={r.id} aria-label={r.cidr}>
            <code>{r.cidr}</code> <StatusBadge status={r.status} prefix="cameras.reqStatus" />{" "}
            <span class="muted">{formatDateTime(r.requested_at)}</span>
            {r.decision_note && <div class="muted">{t("cameras.net.decisionNote", { note: r.decision_note })}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
