import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t, useLang, type MessageKey } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../ui/components";

type Village = Schemas["VillageOut"];
type Kind = NonNullable<Schemas["VillageIn"]["kind"]>;
export const KINDS: Kind[] = ["thon", "ban", "ap", "to_dan_pho", "khu_pho", "xom"];
const kindLabel = (k: string) => ((KINDS as string[]).includes(k) ? t(`kind.${k}` as MessageKey) : k);

export function VillagesPage({ api }: { api: Api }) {
  useLang();
  const list = useAsync(() => call(api.GET("/api/v1/villages")), [api]);
  const [editing, setEditing] = useState<Village | "new" | null>(null);
  const [saved, setSaved] = useState(false);

  return (
    <section>
      <div class="spread">
        <h1>{t("villages.title")}</h1>
        <button type="button" class="primary" onClick={() => setEditing("new")}>
          {t("villages.add")}
        </button>
      </div>
      {saved && <Notice kind="ok">{t("common.saved")}</Notice>}
      {editing && (
        <VillageForm
          api={api}
          village={editing === "new" ? null : editing}
          onDone={(changed) => {
            setEditing(null);
            setSaved(changed);
            if (changed) list.reload();
          }}
        />
      )}
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <>
          <p class="muted">{t("villages.count", { count: formatNumber(list.data.length) })}</p>
          {list.data.length === 0 ? (
            <Empty />
          ) : (
            <table class="list">
              <thead>
                <tr>
                  <th>{t("villages.code")}</th>
                  <th>{t("villages.name")}</th>
                  <th>{t("villages.kind")}</th>
                  <th>{t("villages.population")}</th>
                  <th>{t("common.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((v) => (
                  <tr key={v.id}>
                    <td data-label={t("villages.code")}>{v.code}</td>
                    <td data-label={t("villages.name")}>
                      <strong>{v.name}</strong>
                    </td>
                    <td data-label={t("villages.kind")}>{kindLabel(v.kind)}</td>
                    <td data-label={t("villages.population")} class="num">
                      {v.population == null ? "—" : formatNumber(v.population)}
                    </td>
                    <td>
                      <button type="button" onClick={() => setEditing(v)} aria-label={t("villages.edit", { name: v.name })}>
                        {t("common.edit")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

export function VillageForm(props: { api: Api; village: Village | null; onDone: (changed: boolean) => void }) {
  const v = props.village;
  const [code, setCode] = useState(v?.code ?? "");
  const [name, setName] = useState(v?.name ?? "");
  const [kind, setKind] = useState<Kind>((v?.kind as Kind) ?? "thon");
  const [population, setPopulation] = useState(v?.population == null ? "" : String(v.population));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const pop = population.trim() === "" ? null : Number(population);
    try {
      if (v) {
        await call(
          props.api.PATCH("/api/v1/villages/{village_id}", {
            params: { path: { village_id: v.id } },
            body: { name: name.trim(), kind, population: pop },
          }),
        );
      } else {
        await call(props.api.POST("/api/v1/villages", { body: { code: code.trim(), name: name.trim(), kind, population: pop } }));
      }
      props.onDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit} aria-label={v ? t("villages.edit", { name: v.name }) : t("villages.add")}>
      <h2>{v ? t("villages.edit", { name: v.name }) : t("villages.add")}</h2>
      <ErrorNotice error={error} />
      <div class="grid2">
        <Field
          label={t("villages.code")}
          name="code"
          required
          disabled={!!v}
          pattern="[A-Za-z0-9_.\-]+"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <Field label={t("villages.name")} name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <SelectField
          label={t("villages.kind")}
          name="kind"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as Kind)}
          options={KINDS.map((k) => ({ value: k, label: kindLabel(k) }))}
        />
        <Field
          label={t("villages.population")}
          name="population"
          type="number"
          min={0}
          inputMode="numeric"
          value={population}
          onInput={(e) => setPopulation(e.currentTarget.value)}
        />
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {t("common.save")}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
