import { useState } from "preact/hooks";
import { call, fromOfflineCopy, NetworkError, type Api, type Schemas } from "../api/client";
import { formatDate, formatDateTime, formatNumber } from "../i18n/format";
import { t, useLang, type MessageKey } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Loading, Notice } from "./components";

type Item = Schemas["InboxItemOut"];

/** Status codes a message names, by message code (their names are in the messages area). */
const FAMILY: Record<string, string> = {
  application_status: "application",
  application_received: "application",
  report_status: "report",
  camera_status: "camera",
};

/** A message in the reader's language from its code and parameters; the stored text when the code is unknown. */
export function renderMessage(item: Pick<Item, "code" | "params" | "title" | "body">): { title: string; body: string } {
  const key = `messages.${item.code ?? ""}.title` as MessageKey;
  if (!item.code || t(key) === key) return { title: item.title, body: item.body };
  const raw = (item.params ?? {}) as Record<string, unknown>;
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(raw)) params[k] = typeof v === "number" ? v : String(v ?? "");
  if (typeof raw.due_date === "string" && raw.due_date) params.due_date = formatDate(raw.due_date);
  if (typeof raw.due === "string" && raw.due) params.due = formatDateTime(raw.due);
  const family = FAMILY[item.code];
  if (family && raw.status) {
    const statusKey = `messages.status.${family}.${String(raw.status)}` as MessageKey;
    params.status_name = t(statusKey) === statusKey ? String(raw.status) : t(statusKey);
  }
  const bodyKey = `messages.${item.code}.body` as MessageKey;
  return { title: t(key, params).trim(), body: t(bodyKey) === bodyKey ? "" : t(bodyKey, params).trim() };
}

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
          const text = renderMessage(item);
          return (
            <li key={item.id} class={isUnread ? "unread" : undefined}>
              <button type="button" class="item" aria-expanded={open === item.id} onClick={() => void toggle(item)}>
                <span class="title">{text.title}</span>
                <span class="meta">
                  <time dateTime={item.created_at}>{formatDateTime(item.created_at)}</time>
                  {item.priority === "urgent" && <span class="badge urgent">{t("inbox.urgent")}</span>}
                  {isUnread && <span class="badge">{t("inbox.new")}</span>}
                </span>
              </button>
              {open === item.id && (
                <div class="body">
                  {text.body && <p>{text.body}</p>}
                  {item.link && (
                    <a class="button" href={`#${item.link}`}>
                      {t("messages.open")}
                    </a>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
