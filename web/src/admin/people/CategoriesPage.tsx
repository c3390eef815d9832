import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { useAsync } from "../../lib/useAsync";
import { ErrorNotice, Field, Loading, Notice } from "../../ui/components";
import { TextArea, reloadAfterWrite, useAction } from "./shared";

type Category = Schemas["CategoryOut"];

/** Report categories: list, create, edit, deactivate and use again. */
export function CategoriesPage({ api }: { api: Api }) {
  useLang();
  const list = useAsync(() => call(api.GET("/api/v1/report-categories")), [api]);
  const [editing, setEditing] = useState<Category | "new" | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const toggle = useAction();

  async function setActive(c: Category, active: boolean) {
    setSaved(null);
    const ok = await toggle.run(() =>
      call(api.PATCH("/api/v1/report-categories/{category_id}", { params: { path: { category_id: c.id } }, body: { active } })),
    );
    if (ok) {
      setSaved(t("adminPeople.categories.saved", { name: c.name }));
      reloadAfterWrite(list.reload);
    }
  }

  const addButton = (
    <button type="button" class="primary" onClick={() => (setSaved(null), setEditing("new"))}>
      {t("adminPeople.categories.add")}
    </button>
  );

  return (
    <section>
      <div class="spread">
        <h1>{t("adminPeople.categories.title")}</h1>
        {list.data && list.data.length > 0 && addButton}
      </div>
      <p class="muted">{t("adminPeople.categories.intro")}</p>
      {saved && <Notice kind="ok">{saved}</Notice>}
      <ErrorNotice error={toggle.error} />
      {editing && (
        <CategoryForm
          api={api}
          category={editing === "new" ? null : editing}
          onDone={(name) => {
            setEditing(null);
            if (name) {
              setSaved(t("adminPeople.categories.saved", { name }));
              reloadAfterWrite(list.reload);
            }
          }}
        />
      )}
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.length === 0 && !editing && (
        <div class="card empty-action">
          <p>{t("adminPeople.categories.empty")}</p>
          {addButton}
        </div>
      )}
      {list.data && list.data.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{t("adminPeople.categories.name")}</th>
              <th scope="col">{t("adminPeople.categories.group")}</th>
              <th scope="col">{t("adminPeople.categories.sla")}</th>
              <th scope="col">{t("adminPeople.categories.status")}</th>
              <th scope="col">{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((c) => (
              <tr key={c.id}>
                <td>
                  <strong>{c.name}</strong>
                  {c.description && <div class="muted">{c.description}</div>}
                </td>
                <td data-label={t("adminPeople.categories.group")}>{c.group_name ?? "—"}</td>
                <td data-label={t("adminPeople.categories.sla")}>{t("adminPeople.categories.slaValue", { hours: c.sla_hours })}</td>
                <td data-label={t("adminPeople.categories.status")}>{c.active ? t("adminPeople.categories.active") : t("adminPeople.categories.inactive")}</td>
                <td>
                  <div class="row">
                    <button type="button" onClick={() => (setSaved(null), setEditing(c))} aria-label={t("adminPeople.categories.edit", { name: c.name })}>
                      {t("common.edit")}
                    </button>
                    <button type="button" disabled={toggle.busy} onClick={() => setActive(c, !c.active)}>
                      {c.active ? t("adminPeople.categories.deactivate") : t("adminPeople.categories.activate")}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CategoryForm(props: { api: Api; category: Category | null; onDone: (savedName: string | null) => void }) {
  const c = props.category;
  const [form, setForm] = useState({
    code: c?.code ?? "",
    name: c?.name ?? "",
    description: c?.description ?? "",
    group_name: c?.group_name ?? "",
    sla_hours: String(c?.sla_hours ?? 72),
  });
  const save = useAction();
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  const title = c ? t("adminPeople.categories.edit", { name: c.name }) : t("adminPeople.categories.add");

  async function submit(e: Event) {
    e.preventDefault();
    const common = {
      name: form.name.trim(),
      description: form.description.trim(),
      group_name: form.group_name.trim(),
      responsible_role: c?.responsible_role ?? "commune_official",
      sla_hours: Number(form.sla_hours),
    };
    const ok = await save.run(() =>
      call(
        c
          ? props.api.PATCH("/api/v1/report-categories/{category_id}", { params: { path: { category_id: c.id } }, body: common })
          : props.api.POST("/api/v1/report-categories", { body: { ...common, code: form.code.trim() } }),
      ),
    );
    if (ok) props.onDone(common.name);
  }

  return (
    <form class="card" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <ErrorNotice error={save.error} />
      <div class="grid2">
        <Field label={t("adminPeople.categories.name")} name="name" required maxLength={200} value={form.name} onInput={set("name")} />
        <Field
          label={t("adminPeople.categories.code")}
          hint={t("adminPeople.categories.codeHint")}
          name="code"
          required
          disabled={!!c}
          maxLength={40}
          pattern="[A-Za-z0-9_.\-]+"
          value={form.code}
          onInput={set("code")}
        />
        <Field label={t("adminPeople.categories.group")} name="group_name" maxLength={100} value={form.group_name} onInput={set("group_name")} />
        <Field label={t("adminPeople.categories.sla")} name="sla_hours" type="number" min={1} max={8760} required value={form.sla_hours} onInput={set("sla_hours")} />
      </div>
      <TextArea label={t("adminPeople.categories.description")} name="description" maxLength={2000} value={form.description} onInput={set("description")} />
      <div class="row">
        <button type="submit" class="primary" disabled={save.busy}>
          {t("common.save")}
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
