import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDateTime, formatNumber } from "../../i18n/format";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../../ui/components";
import { Check, CheckGroup, Section, TextArea, codeLabel, localToIso, multipart, reloadAfterWrite, useAction } from "./shared";

type Announcement = Schemas["AnnouncementOut"];
type Attachment = Schemas["smartcommune__platform__announcements__schemas__AttachmentOut"];
type Priority = NonNullable<Schemas["AnnouncementIn"]["priority"]>;
type Channel = "push" | "sms" | "zalo";
const PRIORITIES: Priority[] = ["normal", "urgent", "emergency"];
const CHANNELS: Channel[] = ["push", "sms", "zalo"];
export const DELIVERY_STATUSES = ["queued", "sent", "delivered", "read", "failed"] as const;

/** Compose (target, channels, priority, schedule, attachments, preview, publish) and follow deliveries. */
export function AnnouncementsPage({ api }: { api: Api }) {
  useLang();
  const list = useAsync(() => call(api.GET("/api/v1/announcements", { params: { query: { limit: 30 } } })), [api]);
  const villages = useAsync(() => call(api.GET("/api/v1/villages")), [api]);
  const [composing, setComposing] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  return (
    <Section
      title={t("adminPeople.ann.title")}
      actions={
        <button type="button" class="primary" onClick={() => setComposing(true)} disabled={composing}>
          {t("adminPeople.ann.new")}
        </button>
      }
    >
      {message && <Notice kind="ok">{message}</Notice>}
      {composing && (
        <Composer
          api={api}
          villages={villages.data ?? []}
          onDone={(a) => {
            setComposing(false);
            if (a) {
              setMessage(t(a.status === "scheduled" ? "adminPeople.ann.scheduled" : "adminPeople.ann.published", { title: a.title }));
              reloadAfterWrite(list.reload);
            }
          }}
        />
      )}
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.length === 0 && <Empty />}
      {list.data && list.data.length > 0 && (
        <ul class="plain">
          {list.data.map((a) => (
            <AnnouncementItem key={a.id} api={api} announcement={a} onChanged={() => reloadAfterWrite(list.reload)} />
          ))}
        </ul>
      )}
    </Section>
  );
}

function AnnouncementItem(props: { api: Api; announcement: Announcement; onChanged: () => void }) {
  const a = props.announcement;
  const cancel = useAction();
  async function doCancel() {
    const ok = await cancel.run(() => call(props.api.POST("/api/v1/announcements/{announcement_id}/cancel", { params: { path: { announcement_id: a.id } } })));
    if (ok) props.onChanged();
  }
  return (
    <li class="card">
      <div class="spread">
        <h2 style={{ margin: 0 }}>{a.title}</h2>
        <div class="row">
          {a.priority !== "normal" && <span class="badge urgent">{codeLabel("adminPeople.ann.priority", a.priority)}</span>}
          <span class={`badge ap-st-${a.status}`}>{codeLabel("adminPeople.ann.status", a.status)}</span>
        </div>
      </div>
      <p class="muted">
        {t("adminPeople.ann.meta", {
          at: formatDateTime(a.published_at ?? a.publish_at),
          recipients: formatNumber(a.recipients),
          channels: ["inbox", ...a.channels].map((c) => codeLabel("adminPeople.ann.channel", c)).join(", "),
        })}
      </p>
      <ErrorNotice error={cancel.error} />
      {a.status === "scheduled" ? (
        <button type="button" class="danger" disabled={cancel.busy} onClick={() => void doCancel()}>
          {t("adminPeople.ann.cancel")}
        </button>
      ) : (
        a.status === "published" && <DeliveryStats api={props.api} id={a.id} />
      )}
    </li>
  );
}

/** Totals per delivery status over every channel, and each channel's own line. */
export function DeliveryStats(props: { api: Api; id: number }) {
  const report = useAsync(
    () => call(props.api.GET("/api/v1/announcements/{announcement_id}/deliveries", { params: { path: { announcement_id: props.id }, query: { limit: 1 } } })),
    [props.api, props.id],
  );
  if (report.error) return <ErrorNotice error={report.error} onRetry={report.reload} />;
  if (!report.data) return <Loading />;
  const summary = report.data.summary;
  const total = (status: string) => Object.values(summary).reduce((n, byStatus) => n + (byStatus[status] ?? 0), 0);
  return (
    <div>
      <h3 class="sr-only">{t("adminPeople.ann.stats")}</h3>
      <div class="stats-row" aria-label={t("adminPeople.ann.stats")}>
        {DELIVERY_STATUSES.map((s) => (
          <span key={s} class={`badge ap-st-${s}`}>
            {t("adminPeople.ann.statCount", { label: codeLabel("adminPeople.delivery", s), count: formatNumber(total(s)) })}
          </span>
        ))}
      </div>
      {Object.keys(summary).length > 0 && (
        <details>
          <summary>{t("adminPeople.ann.byChannel")}</summary>
          <table class="list">
            <thead>
              <tr>
                <th>{t("adminPeople.ann.channels")}</th>
                {DELIVERY_STATUSES.map((s) => (
                  <th key={s}>{codeLabel("adminPeople.delivery", s)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Object.entries(summary).map(([channel, byStatus]) => (
                <tr key={channel}>
                  <td data-label={t("adminPeople.ann.channels")}>{codeLabel("adminPeople.ann.channel", channel)}</td>
                  {DELIVERY_STATUSES.map((s) => (
                    <td key={s} class="num" data-label={codeLabel("adminPeople.delivery", s)}>
                      {formatNumber(byStatus[s] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}

function Composer(props: { api: Api; villages: Schemas["VillageOut"][]; onDone: (a: Announcement | null) => void }) {
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [priority, setPriority] = useState<Priority>("normal");
  const [whole, setWhole] = useState(true);
  const [villageIds, setVillageIds] = useState<string[]>([]);
  const [groups, setGroups] = useState("");
  const [channels, setChannels] = useState<string[]>(["push"]);
  const [loudspeaker, setLoudspeaker] = useState(false);
  const [publishAt, setPublishAt] = useState("");
  const [expiresAt, setExpiresAt] = useState("");
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [preview, setPreview] = useState(false);
  const publish = useAction();
  const upload = useAction();

  async function addFile(file: File | undefined) {
    if (!file) return;
    const a = await upload.run(() => call(props.api.POST("/api/v1/announcements/attachments", multipart({ file }))));
    if (a) setAttachments([...attachments, a]);
  }

  async function submit(e: Event) {
    e.preventDefault();
    const created = await publish.run(() =>
      call(
        props.api.POST("/api/v1/announcements", {
          body: {
            title: title.trim(),
            body: body.trim(),
            priority,
            publish_at: localToIso(publishAt),
            expires_at: localToIso(expiresAt),
            target: {
              whole_commune: whole,
              village_ids: whole ? [] : villageIds.map(Number),
              groups: whole ? [] : groups.split(",").map((g) => g.trim()).filter(Boolean),
            },
            channels: channels as Channel[],
            loudspeaker,
            attachment_ids: attachments.map((a) => a.id),
          },
        }),
      ),
    );
    if (created) props.onDone(created);
  }

  return (
    <form class="card" onSubmit={submit} aria-label={t("adminPeople.ann.new")}>
      <h2>{t("adminPeople.ann.new")}</h2>
      <Field label={t("adminPeople.ann.titleField")} name="title" required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <TextArea label={t("adminPeople.ann.body")} name="body" required maxLength={10000} rows={6} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      <div class="grid2">
        <SelectField
          label={t("adminPeople.ann.priorityField")}
          name="priority"
          value={priority}
          onChange={(e) => setPriority(e.currentTarget.value as Priority)}
          options={PRIORITIES.map((p) => ({ value: p, label: codeLabel("adminPeople.ann.priority", p) }))}
        />
        <div>
          <CheckGroup
            legend={t("adminPeople.ann.channels")}
            options={CHANNELS.map((c) => ({ value: c, label: codeLabel("adminPeople.ann.channel", c) }))}
            selected={channels}
            onChange={setChannels}
          />
          <Check label={t("adminPeople.ann.loudspeaker")} checked={loudspeaker} onChange={setLoudspeaker} />
        </div>
      </div>
      <fieldset class="checks">
        <legend>{t("adminPeople.ann.target")}</legend>
        <Check label={t("adminPeople.ann.wholeCommune")} checked={whole} onChange={setWhole} />
        {!whole && (
          <>
            <CheckGroup
              legend={t("adminPeople.ann.villages")}
              options={props.villages.map((v) => ({ value: String(v.id), label: v.name }))}
              selected={villageIds}
              onChange={setVillageIds}
            />
            <Field label={t("adminPeople.ann.groups")} name="groups" hint={t("adminPeople.people.groupsHint")} value={groups} onInput={(e) => setGroups(e.currentTarget.value)} />
          </>
        )}
      </fieldset>
      <div class="grid2">
        <Field label={t("adminPeople.ann.publishAt")} name="publish_at" type="datetime-local" hint={t("adminPeople.ann.publishAtHint")} value={publishAt} onInput={(e) => setPublishAt(e.currentTarget.value)} />
        <Field label={t("adminPeople.ann.expiresAt")} name="expires_at" type="datetime-local" value={expiresAt} onInput={(e) => setExpiresAt(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="sc-ann-file">{t("adminPeople.ann.attach")}</label>
        <input id="sc-ann-file" type="file" accept="application/pdf,image/png,image/jpeg,image/webp" disabled={upload.busy} onChange={(e) => void addFile(e.currentTarget.files?.[0])} />
        <ErrorNotice error={upload.error} />
        {attachments.length > 0 && (
          <ul class="plain picker">
            {attachments.map((a) => (
              <li key={a.id}>
                <span>{a.name}</span>
                <button type="button" class="link" onClick={() => setAttachments(attachments.filter((x) => x.id !== a.id))}>
                  {t("adminPeople.ann.detach", { name: a.name })}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {preview && (
        <div class={`card preview-card ${priority}`} aria-label={t("adminPeople.ann.preview")}>
          <p class="muted">{t("adminPeople.ann.preview")}</p>
          {priority !== "normal" && <span class="badge urgent">{codeLabel("adminPeople.ann.priority", priority)}</span>}
          <h3>{title || t("adminPeople.ann.untitled")}</h3>
          <p class="pre">{body}</p>
          {attachments.length > 0 && <p class="muted">{attachments.map((a) => a.name).join(", ")}</p>}
        </div>
      )}
      <ErrorNotice error={publish.error} />
      <div class="row">
        <button type="submit" class="primary" disabled={publish.busy}>
          {publishAt ? t("adminPeople.ann.schedule") : t("adminPeople.ann.publish")}
        </button>
        <button type="button" onClick={() => setPreview(!preview)} aria-pressed={preview}>
          {t("adminPeople.ann.preview")}
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
