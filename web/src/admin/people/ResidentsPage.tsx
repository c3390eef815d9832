import { MapPicker, type LatLng } from "../../ui/MapPicker";
import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDate, formatNumber } from "../../i18n/format";
import { useAsync, useDebounced } from "../../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../../ui/components";
import { RegistrationQueue } from "./RegistrationQueue";
import { Check, Section, codeLabel, multipart, reloadAfterWrite, useAction } from "./shared";

type Household = Schemas["HouseholdOut"];
type Resident = Schemas["ResidentOut"];
type Village = Schemas["VillageOut"];
type Kind = "households" | "residents" | "pending";
const KIND_LABEL = {
  residents: "adminPeople.people.residents",
  households: "adminPeople.people.households",
  pending: "adminPeople.queue.tab",
} as const;
const PAGE = 100;

/**
 * Households and residents: search, filter by village, create, edit, archive and restore, CSV import; and
 * the queue of residents' own registrations awaiting verification.
 */
export function ResidentsPage({ api }: { api: Api }) {
  useLang();
  const [kind, setKind] = useState<Kind>("residents");
  const villages = useAsync(() => call(api.GET("/api/v1/villages")), [api]);
  const [importing, setImporting] = useState(false);
  const [imported, setImported] = useState(0); // remounts the lists after an import added rows

  return (
    <Section
      title={t("adminPeople.people.title")}
      actions={
        <button type="button" onClick={() => setImporting(!importing)} aria-expanded={importing}>
          {t("adminPeople.import.open")}
        </button>
      }
    >
      {importing && <ImportCard api={api} onImported={() => reloadAfterWrite(() => setImported((n) => n + 1))} />}
      <div class="subtabs" role="group" aria-label={t("adminPeople.people.title")}>
        {(["residents", "households", "pending"] as const).map((k) => (
          <button key={k} type="button" aria-pressed={kind === k} onClick={() => setKind(k)}>
            {t(KIND_LABEL[k])}
          </button>
        ))}
      </div>
      <ErrorNotice error={villages.error} onRetry={villages.reload} />
      {villages.data &&
        (kind === "residents" ? (
          <ResidentList key={imported} api={api} villages={villages.data} />
        ) : kind === "pending" ? (
          <RegistrationQueue api={api} villages={villages.data} />
        ) : (
          <HouseholdList key={imported} api={api} villages={villages.data} />
        ))}
    </Section>
  );
}

function villageOptions(villages: Village[], any: boolean) {
  const opts = villages.map((v) => ({ value: String(v.id), label: v.name }));
  return any ? [{ value: "", label: t("common.all") }, ...opts] : opts;
}

function villageName(villages: Village[], id: number | null | undefined): string {
  return villages.find((v) => v.id === id)?.name ?? "—";
}

/** The first page of a filtered list (reloaded when `deps` change) and "more" pages after it. */
function useFiltered<T>(load: (offset: number) => Promise<T[]>, deps: unknown[]) {
  const [extra, setExtra] = useState<T[]>([]);
  const [lastFull, setLastFull] = useState(false);
  const first = useAsync(async () => {
    setExtra([]);
    const page = await load(0);
    setLastFull(page.length === PAGE);
    return page;
  }, deps);
  const more = useAction();
  const rows = [...(first.data ?? []), ...extra];
  return {
    first,
    rows,
    hasMore: lastFull,
    more,
    loadMore: async () => {
      const page = await more.run(() => load(rows.length));
      if (!page) return;
      setExtra([...extra, ...page]);
      setLastFull(page.length === PAGE);
    },
  };
}

function ResidentList({ api, villages }: { api: Api; villages: Village[] }) {
  const [q, setQ] = useState("");
  const [village, setVillage] = useState("");
  const [archived, setArchived] = useState(false);
  const [editing, setEditing] = useState<Resident | "new" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const query = useDebounced(q.trim(), 300);
  const act = useAction();
  const list = useFiltered(
    (offset) =>
      call(
        api.GET("/api/v1/residents", {
          params: {
            query: { q: query || undefined, village_id: village ? Number(village) : undefined, include_archived: archived, limit: PAGE, offset },
          },
        }),
      ),
    [api, query, village, archived],
  );

  async function archive(r: Resident, restore: boolean) {
    setMessage(null);
    const path = { params: { path: { resident_id: r.id } } };
    const done = await act.run(() =>
      call(restore ? api.POST("/api/v1/residents/{resident_id}/restore", path) : api.DELETE("/api/v1/residents/{resident_id}", path)),
    );
    if (done) {
      setMessage(t(restore ? "adminPeople.people.restored" : "adminPeople.people.archived", { name: r.full_name }));
      reloadAfterWrite(list.first.reload);
    }
  }

  return (
    <>
      <div class="card filters">
        <Field label={t("adminPeople.people.search")} name="q" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <SelectField label={t("adminPeople.people.village")} name="village" value={village} onChange={(e) => setVillage(e.currentTarget.value)} options={villageOptions(villages, true)} />
        <Check label={t("adminPeople.people.showArchived")} checked={archived} onChange={setArchived} />
        <button type="button" class="primary" onClick={() => setEditing("new")}>
          {t("adminPeople.people.addResident")}
        </button>
      </div>
      {message && <Notice kind="ok">{message}</Notice>}
      <ErrorNotice error={act.error} />
      {editing && (
        <ResidentForm
          api={api}
          villages={villages}
          resident={editing === "new" ? null : editing}
          onDone={(changed) => {
            setEditing(null);
            if (changed) {
              setMessage(t("common.saved"));
              reloadAfterWrite(list.first.reload);
            }
          }}
        />
      )}
      <ErrorNotice error={list.first.error} onRetry={list.first.reload} />
      {list.first.loading && !list.first.data && <Loading />}
      {list.first.data && list.rows.length === 0 && <Empty />}
      {list.rows.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("adminPeople.people.fullName")}</th>
              <th>{t("adminPeople.people.village")}</th>
              <th>{t("adminPeople.people.phone")}</th>
              <th>{t("adminPeople.people.groups")}</th>
              <th>{t("adminPeople.people.status")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((r) => (
              <tr key={r.id}>
                <td data-label={t("adminPeople.people.fullName")}>
                  <strong>{r.full_name}</strong>
                  {r.date_of_birth && <div class="muted">{formatDate(r.date_of_birth)}</div>}
                </td>
                <td data-label={t("adminPeople.people.village")}>{villageName(villages, r.village_id)}</td>
                <td data-label={t("adminPeople.people.phone")}>{r.phone ?? "—"}</td>
                <td data-label={t("adminPeople.people.groups")}>{r.groups.join(", ") || "—"}</td>
                <td data-label={t("adminPeople.people.status")}>
                  <span class={`badge ap-st-${r.status}`}>{codeLabel("adminPeople.resident.status", r.status)}</span>
                  {r.archived_at && <span class="badge">{t("adminPeople.people.archivedBadge")}</span>}
                </td>
                <td>
                  <div class="row">
                    <button type="button" onClick={() => setEditing(r)} aria-label={t("adminPeople.people.editNamed", { name: r.full_name })}>
                      {t("common.edit")}
                    </button>
                    <button
                      type="button"
                      class={r.archived_at ? "" : "danger"}
                      disabled={act.busy}
                      onClick={() => void archive(r, !!r.archived_at)}
                      aria-label={t(r.archived_at ? "adminPeople.people.restoreNamed" : "adminPeople.people.archiveNamed", { name: r.full_name })}
                    >
                      {t(r.archived_at ? "adminPeople.people.restore" : "adminPeople.people.archive")}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasMore && (
        <button type="button" disabled={list.more.busy} onClick={() => void list.loadMore()}>
          {t("common.more")}
        </button>
      )}
    </>
  );
}

function ResidentForm(props: { api: Api; villages: Village[]; resident: Resident | null; onDone: (changed: boolean) => void }) {
  const r = props.resident;
  const [form, setForm] = useState({
    full_name: r?.full_name ?? "",
    phone: r?.phone ?? "",
    village_id: String(r?.village_id ?? props.villages[0]?.id ?? ""),
    household_id: r?.household_id == null ? "" : String(r.household_id),
    date_of_birth: r?.date_of_birth ?? "",
    groups: r?.groups.join(", ") ?? "",
  });
  const save = useAction();
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  const title = r ? t("adminPeople.people.editNamed", { name: r.full_name }) : t("adminPeople.people.addResident");

  async function submit(e: Event) {
    e.preventDefault();
    const body = {
      full_name: form.full_name.trim(),
      phone: form.phone.trim() || null,
      village_id: form.village_id ? Number(form.village_id) : null,
      household_id: form.household_id ? Number(form.household_id) : null,
      date_of_birth: form.date_of_birth || null,
      groups: form.groups.split(",").map((g) => g.trim()).filter(Boolean),
    };
    const ok = await save.run(() =>
      call(
        r
          ? props.api.PATCH("/api/v1/residents/{resident_id}", { params: { path: { resident_id: r.id } }, body })
          : props.api.POST("/api/v1/residents", { body }),
      ),
    );
    if (ok) props.onDone(true);
  }

  return (
    <form class="card" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <ErrorNotice error={save.error} />
      <div class="grid2">
        <Field label={t("adminPeople.people.fullName")} name="full_name" required maxLength={200} value={form.full_name} onInput={set("full_name")} />
        <Field label={t("adminPeople.people.phone")} name="phone" type="tel" inputMode="tel" value={form.phone} onInput={set("phone")} />
        <SelectField label={t("adminPeople.people.village")} name="village_id" value={form.village_id} onChange={set("village_id")} options={villageOptions(props.villages, false)} />
        <Field label={t("adminPeople.people.householdId")} name="household_id" type="number" min={1} inputMode="numeric" value={form.household_id} onInput={set("household_id")} />
        <Field label={t("adminPeople.people.birthDate")} name="date_of_birth" type="date" value={form.date_of_birth} onInput={set("date_of_birth")} />
        <Field label={t("adminPeople.people.groups")} name="groups" hint={t("adminPeople.people.groupsHint")} value={form.groups} onInput={set("groups")} />
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("common.save")}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

function HouseholdList({ api, villages }: { api: Api; villages: Village[] }) {
  const [house, setHouse] = useState("");
  const [village, setVillage] = useState("");
  const [archived, setArchived] = useState(false);
  const [editing, setEditing] = useState<Household | "new" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const houseNumber = useDebounced(house.trim(), 300);
  const act = useAction();
  const list = useFiltered(
    (offset) =>
      call(
        api.GET("/api/v1/households", {
          params: {
            query: {
              house_number: houseNumber || undefined,
              village_id: village ? Number(village) : undefined,
              include_archived: archived,
              limit: PAGE,
              offset,
            },
          },
        }),
      ),
    [api, houseNumber, village, archived],
  );

  async function archive(h: Household, restore: boolean) {
    setMessage(null);
    const path = { params: { path: { household_id: h.id } } };
    const done = await act.run(() =>
      call(restore ? api.POST("/api/v1/households/{household_id}/restore", path) : api.DELETE("/api/v1/households/{household_id}", path)),
    );
    if (done) {
      setMessage(t(restore ? "adminPeople.people.restored" : "adminPeople.people.archived", { name: h.address_code }));
      reloadAfterWrite(list.first.reload);
    }
  }

  return (
    <>
      <div class="card filters">
        <Field label={t("adminPeople.people.houseNumber")} name="house_number" type="search" value={house} onInput={(e) => setHouse(e.currentTarget.value)} />
        <SelectField label={t("adminPeople.people.village")} name="village" value={village} onChange={(e) => setVillage(e.currentTarget.value)} options={villageOptions(villages, true)} />
        <Check label={t("adminPeople.people.showArchived")} checked={archived} onChange={setArchived} />
        <button type="button" class="primary" onClick={() => setEditing("new")}>
          {t("adminPeople.people.addHousehold")}
        </button>
      </div>
      {message && <Notice kind="ok">{message}</Notice>}
      <ErrorNotice error={act.error} />
      {editing && (
        <HouseholdForm
          api={api}
          villages={villages}
          household={editing === "new" ? null : editing}
          onDone={(changed) => {
            setEditing(null);
            if (changed) {
              setMessage(t("common.saved"));
              reloadAfterWrite(list.first.reload);
            }
          }}
        />
      )}
      <ErrorNotice error={list.first.error} onRetry={list.first.reload} />
      {list.first.loading && !list.first.data && <Loading />}
      {list.first.data && list.rows.length === 0 && <Empty />}
      {list.rows.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("adminPeople.people.houseNumber")}</th>
              <th>{t("adminPeople.people.village")}</th>
              <th>{t("adminPeople.people.headName")}</th>
              <th>{t("adminPeople.people.address")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((h) => (
              <tr key={h.id}>
                <td data-label={t("adminPeople.people.houseNumber")}>
                  <strong>{h.house_number}</strong>
                  <div class="muted">{h.address_code}</div>
                  {h.archived_at && <span class="badge">{t("adminPeople.people.archivedBadge")}</span>}
                </td>
                <td data-label={t("adminPeople.people.village")}>{villageName(villages, h.village_id)}</td>
                <td data-label={t("adminPeople.people.headName")}>{h.head_name ?? "—"}</td>
                <td data-label={t("adminPeople.people.address")}>{h.address_line ?? "—"}</td>
                <td>
                  <div class="row">
                    <button type="button" onClick={() => setEditing(h)} aria-label={t("adminPeople.people.editNamed", { name: h.address_code })}>
                      {t("common.edit")}
                    </button>
                    <button
                      type="button"
                      class={h.archived_at ? "" : "danger"}
                      disabled={act.busy}
                      onClick={() => void archive(h, !!h.archived_at)}
                      aria-label={t(h.archived_at ? "adminPeople.people.restoreNamed" : "adminPeople.people.archiveNamed", { name: h.address_code })}
                    >
                      {t(h.archived_at ? "adminPeople.people.restore" : "adminPeople.people.archive")}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasMore && (
        <button type="button" disabled={list.more.busy} onClick={() => void list.loadMore()}>
          {t("common.more")}
        </button>
      )}
    </>
  );
}

function HouseholdForm(props: { api: Api; villages: Village[]; household: Household | null; onDone: (changed: boolean) => void }) {
  const h = props.household;
  const [form, setForm] = useState({
    village_id: String(h?.village_id ?? props.villages[0]?.id ?? ""),
    house_number: h?.house_number ?? "",
    head_name: h?.head_name ?? "",
    address_line: h?.address_line ?? "",
  });
  const [location, setLocation] = useState<LatLng | null>(h?.latitude != null && h?.longitude != null ? { lat: h.latitude, lng: h.longitude } : null);
  const save = useAction();
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  const title = h ? t("adminPeople.people.editNamed", { name: h.address_code }) : t("adminPeople.people.addHousehold");

  async function submit(e: Event) {
    e.preventDefault();
    const common = {
      village_id: Number(form.village_id),
      head_name: form.head_name.trim() || null,
      address_line: form.address_line.trim() || null,
      latitude: location?.lat ?? null,
      longitude: location?.lng ?? null,
    };
    const ok = await save.run(() =>
      call(
        h
          ? props.api.PATCH("/api/v1/households/{household_id}", { params: { path: { household_id: h.id } }, body: common })
          : props.api.POST("/api/v1/households", { body: { ...common, house_number: form.house_number.trim() } }),
      ),
    );
    if (ok) props.onDone(true);
  }

  return (
    <form class="card" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <ErrorNotice error={save.error} />
      <div class="grid2">
        <SelectField label={t("adminPeople.people.village")} name="village_id" value={form.village_id} onChange={set("village_id")} options={villageOptions(props.villages, false)} />
        <Field label={t("adminPeople.people.houseNumber")} name="house_number" required disabled={!!h} maxLength={40} value={form.house_number} onInput={set("house_number")} />
        <Field label={t("adminPeople.people.headName")} name="head_name" maxLength={200} value={form.head_name} onInput={set("head_name")} />
        <Field label={t("adminPeople.people.address")} name="address_line" maxLength={300} value={form.address_line} onInput={set("address_line")} />
      </div>
      <MapPicker legend={t("adminPeople.people.location")} value={location} onChange={setLocation} noMap={import.meta.env.MODE === "test"} />
      <div class="row">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("common.save")}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

/** CSV import: every good row is kept; each bad row is listed with its row number, column and problem. */
function ImportCard({ api, onImported }: { api: Api; onImported: () => void }) {
  const [kind, setKind] = useState<Kind>("households");
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<Schemas["ImportResult"] | null>(null);
  const act = useAction();
  const columns = kind === "households" ? "village_code, house_number, head_name, address_line, latitude, longitude" : "full_name, phone, village_code, house_number, date_of_birth, groups";

  async function submit(e: Event) {
    e.preventDefault();
    if (!file) return;
    setResult(null);
    const body = multipart({ file });
    const out = await act.run(() =>
      call(kind === "households" ? api.POST("/api/v1/households/import", body) : api.POST("/api/v1/residents/import", body)),
    );
    if (!out) return;
    setResult(out);
    if (out.created > 0) onImported();
  }

  return (
    <form class="card" onSubmit={submit} aria-label={t("adminPeople.import.title")}>
      <h2>{t("adminPeople.import.title")}</h2>
      <SelectField
        label={t("adminPeople.import.kind")}
        name="import-kind"
        value={kind}
        onChange={(e) => setKind(e.currentTarget.value as Kind)}
        options={[
          { value: "households", label: t("adminPeople.people.households") },
          { value: "residents", label: t("adminPeople.people.residents") },
        ]}
      />
      <p class="muted">{t("adminPeople.import.columns", { columns })}</p>
      <div class="field">
        <label for="sc-import-file">{t("adminPeople.import.file")}</label>
        <input id="sc-import-file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      </div>
      <ErrorNotice error={act.error} />
      <button type="submit" class="primary" disabled={act.busy || !file}>
        {t("adminPeople.import.submit")}
      </button>
      {result && (
        <div aria-live="polite">
          <Notice kind={result.rejected ? "info" : "ok"}>
            {t("adminPeople.import.result", { created: formatNumber(result.created), rejected: formatNumber(result.rejected) })}
          </Notice>
          {result.errors.length > 0 && (
            <>
            <h3 id="sc-import-errors">{t("adminPeople.import.errors")}</h3>
            <table class="list row-errors" aria-labelledby="sc-import-errors">
              <thead>
                <tr>
                  <th>{t("adminPeople.import.row")}</th>
                  <th>{t("adminPeople.import.field")}</th>
                  <th>{t("adminPeople.import.problem")}</th>
                </tr>
              </thead>
              <tbody>
                {result.errors.map((e, i) => (
                  <tr key={i}>
                    <td data-label={t("adminPeople.import.row")}>{e.row}</td>
                    <td data-label={t("adminPeople.import.field")}>{e.field}</td>
                    <td data-label={t("adminPeople.import.problem")}>{e.problem}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </>
          )}
        </div>
      )}
    </form>
  );
}
