import { useState } from "preact/hooks";
import { call, fromOfflineCopy, NetworkError, type Api, type Schemas } from "../api/client";
import { formatDateTime, formatNumber } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Loading, Notice } from "./components";

type Item = Schemas["InboxItemOut"];

async function loadInbox(api: Api) {
  let result;
  try {
    result = await api.GET("/api/v1/inbox", { params: { query: { limit: 50 } } });
  } catch (e) {
    throw new NetworkError(String(e));
  }
  const page = await call(Promise.resolve(result));
  return { ...page, offline: fromOfflineCopy(result.response) };
}

/** The signed-in user's inbox (news, announcements, notices); an item opens on tap and is marked read. */
export function InboxList({ api }: { api: Api }) {
  useLang();
  const inbox = useAsync(() => loadInbox(api), [api]);
  const [open, setOpen] = useState<number | null>(null);
  const [readIds, setReadIds] = useState<Set<number>>(new Set());

  async function toggle(item: Item) {
    setOpen(open === item.id ? null : item.id);
    if (!item.read_at && !readIds.has(item.id)) {
      setReadIds(new Set(readIds).add(item.id));
      try {
        await call(api.POST("/api/v1/inbox/{item_id}/read", { params: { path: { item_id: item.id } } }));
      } catch {
        /* retried the next time it is opened */
      }
    }
  }

  const items = inbox.data?.items ?? [];
  const unread = Math.max(0, (inbox.data?.unread ?? 0) - readIds.size);
  return (
    <section>
      <div class="spread">
        <h1>{t("inbox.title")}</h1>
        {unread > 0 && <span class="badge">{t("inbox.unread", { count: formatNumber(unread) })}</span>}
      </div>
      {(inbox.data?.offline || (inbox.error instanceof NetworkError && !navigator.onLine)) && (
        <Notice kind="info">{t("common.offline")}</Notice>
      )}
      <ErrorNotice error={inbox.error} onRetry={inbox.reload} />
      {inbox.loading && !inbox.data && <Loading />}
      {inbox.data && items.length === 0 && <Empty text={t("inbox.empty")} />}
      <ul class="plain inbox">
        {items.map((item) => {
          const isUnread = !item.read_at && !readIds.has(item.id);
          return (
            <li key={item.id} class={isUnread ? "unread" : undefined}>
              <button type="button" class="item" aria-expanded={open === item.id} onClick={() => void toggle(item)}>
                <span class="title">{item.title}</span>
                <span class="meta">
                  <time dateTime={item.created_at}>{formatDateTime(item.created_at)}</time>
                  {item.priority === "urgent" && <span class="badge urgent">{t("inbox.urgent")}</span>}
                  {isUnread && <span class="badge">{t("inbox.new")}</span>}
                </span>
              </button>
              {open === item.id && <div class="body">{item.body}</div>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
