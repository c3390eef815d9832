import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../api/client";
import { t, useLang } from "../i18n";
import { formatDateTime } from "../i18n/format";
import { useAction } from "../lib/useAction";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../ui/components";

type Request = Schemas["ProviderSiteNetworkRequestOut"];
type Status = Request["status"];
const STATUSES: Status[] = ["pending", "approved", "refused", "revoked"];

/** Provider staff approve or refuse the communes' camera site network requests (audited in the commune). */
export function SiteNetworkRequestsPage({ api }: { api: Api }) {
  useLang();
  const [status, setStatus] = useState<Status | "">("pending");
  const list = useAsync(
    () => call(api.GET("/api/provider/v1/site-network-requests", { params: { query: status ? { status } : {} } })),
    [api, status],
  );
  const [done, setDone] = useState<string | null>(null);
  return (
    <section>
      <h1>{t("cameras.provider.title")}</h1>
      <p class="muted">{t("cameras.provider.intro")}</p>
      <SelectField
        label={t("cameras.provider.filter")}
        name="status"
        value={status}
        onChange={(e) => setStatus(e.currentTarget.value as Status | "")}
        options={[{ value: "", label: t("cameras.provider.all") }, ...STATUSES.map((s) => ({ value: s, label: t(`cameras.reqStatus.${s}`) }))]}
      />
      {done && <Notice kind="ok">{done}</Notice>}
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.items.length === 0 && <Empty text={t("cameras.provider.none")} />}
      {list.data && list.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("cameras.provider.commune")}</th>
              <th scope="col">{t("cameras.provider.network")}</th>
              <th scope="col">{t("cameras.provider.note")}</th>
              <th scope="col">{t("cameras.provider.requestedAt")}</th>
              <th scope="col">{t("cameras.provider.status")}</th>
              <th scope="col">{t("cameras.provider.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((r) => (
              <Row
                key={r.id}
                api={api}
                request={r}
                onDecided={(text) => {
                  setDone(text);
                  list.reload();
                }}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Row(props: { api: Api; request: Request; onDecided: (text: string) => void }) {
  const r = props.request;
  const act = useAction();
  const [reason, setReason] = useState("");
  const names = { cidr: r.cidr, commune: r.commune_name };
  async function decide(kind: "approve" | "refuse") {
    const path = kind === "approve" ? "/api/provider/v1/site-network-requests/{request_id}/approve" : "/api/provider/v1/site-network-requests/{request_id}/refuse";
    const out = await act.run(() => call(props.api.POST(path, { params: { path: { request_id: r.id } }, body: { note: kind === "refuse" ? reason.trim() : "" } })));
    if (out) props.onDecided(t(kind === "approve" ? "cameras.provider.approved" : "cameras.provider.refused", names));
  }
  return (
    <tr>
      <td>{r.commune_name}</td>
      <td>
        <code>{r.cidr}</code>
      </td>
      <td>{r.note || "—"}</td>
      <td>{formatDateTime(r.requested_at)}</td>
      <td>{t(`cameras.reqStatus.${r.status}`)}</td>
      <td>
        <ErrorNotice error={act.error} />
        {r.status === "pending" ? (
          <div class="row">
            <button type="button" class="primary" disabled={act.busy} onClick={() => decide("approve")} aria-label={t("cameras.provider.approveName", names)}>
              {t("cameras.provider.approve")}
            </button>
            <Field label={t("cameras.provider.refuseReason")} name={`reason-${r.id}`} maxLength={300} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            <button type="button" disabled={act.busy} onClick={() => decide("refuse")} aria-label={t("cameras.provider.refuseName", names)}>
              {t("cameras.provider.refuse")}
            </button>
          </div>
        ) : (
          r.decision_note || "—"
        )}
      </td>
    </tr>
  );
}
