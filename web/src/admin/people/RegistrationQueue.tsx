import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { formatDate, formatDateTime } from "../../i18n/format";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice } from "../../ui/components";
import { reloadAfterWrite, useAction } from "./shared";

type Resident = Schemas["ResidentOut"];
type Village = Schemas["VillageOut"];
const QUEUE_SIZE = 200;

/**
 * Residents' self-registrations from their phones, oldest first, awaiting an official's check against
 * the register: verify or reject each (the resident is told either way; the note goes with it).
 */
export function RegistrationQueue({ api, villages }: { api: Api; villages: Village[] }) {
  const queue = useAsync(
    () => call(api.GET("/api/v1/residents", { params: { query: { status: "pending", limit: QUEUE_SIZE } } })),
    [api],
  );
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<number[]>([]); // reviewed here: hidden at once, before the reload
  const pending = (queue.data ?? []).filter((r) => !done.includes(r.id)).sort((a, b) => a.created_at.localeCompare(b.created_at));
  return (
    <>
      <p class="muted">{t("adminPeople.queue.intro")}</p>
      {message && <Notice kind="ok">{message}</Notice>}
      <ErrorNotice error={queue.error} onRetry={queue.reload} />
      {queue.loading && !queue.data && <Loading />}
      {queue.data && pending.length === 0 && <Empty text={t("adminPeople.queue.none")} />}
      <ul class="plain">
        {pending.map((r) => (
          <RegistrationCard
            key={r.id}
            api={api}
            resident={r}
            village={villages.find((v) => v.id === r.village_id)?.name ?? "—"}
            onReviewed={(verified) => {
              setDone((ids) => [...ids, r.id]);
              setMessage(t(verified ? "adminPeople.queue.verified" : "adminPeople.queue.rejected", { name: r.full_name }));
              reloadAfterWrite(queue.reload);
            }}
          />
        ))}
      </ul>
    </>
  );
}

function RegistrationCard(props: { api: Api; resident: Resident; village: string; onReviewed: (verified: boolean) => void }) {
  const { api, resident: r } = props;
  const [note, setNote] = useState("");
  const act = useAction();

  async function review(verify: boolean) {
    const path = { resident_id: r.id };
    const body = { note: note.trim() || null };
    const out = await act.run(() =>
      call(
        verify
          ? api.POST("/api/v1/residents/{resident_id}/verify", { params: { path }, body })
          : api.POST("/api/v1/residents/{resident_id}/reject", { params: { path }, body }),
      ),
    );
    if (out) props.onReviewed(verify);
  }

  return (
    <li class="card" aria-label={r.full_name}>
      <div class="spread">
        <strong>{r.full_name}</strong>
        <span class="muted">{t("adminPeople.queue.submitted", { at: formatDateTime(r.created_at) })}</span>
      </div>
      <dl class="ap-facts">
        <dt>{t("adminPeople.people.village")}</dt>
        <dd>{props.village}</dd>
        <dt>{t("adminPeople.people.phone")}</dt>
        <dd>{r.phone ?? "—"}</dd>
        <dt>{t("adminPeople.people.birthDate")}</dt>
        <dd>{r.date_of_birth ? formatDate(r.date_of_birth) : "—"}</dd>
        <dt>{t("adminPeople.people.householdId")}</dt>
        <dd>{r.household_id ?? "—"}</dd>
        <dt>{t("adminPeople.people.groups")}</dt>
        <dd>{r.groups.join(", ") || "—"}</dd>
      </dl>
      <ErrorNotice error={act.error} />
      <Field
        label={t("adminPeople.queue.noteFor", { name: r.full_name })}
        name={`note-${r.id}`}
        maxLength={500}
        value={note}
        hint={t("adminPeople.queue.noteHint")}
        onInput={(e) => setNote(e.currentTarget.value)}
      />
      <div class="row">
        <button type="button" class="primary" disabled={act.busy} onClick={() => void review(true)} aria-label={t("adminPeople.queue.verifyNamed", { name: r.full_name })}>
          {t("adminPeople.queue.verify")}
        </button>
        <button type="button" class="danger" disabled={act.busy} onClick={() => void review(false)} aria-label={t("adminPeople.queue.rejectNamed", { name: r.full_name })}>
          {t("adminPeople.queue.reject")}
        </button>
      </div>
    </li>
  );
}
