import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang, type MessageKey } from "../../i18n";
import { useAsync } from "../../lib/useAsync";
import { ErrorNotice, Loading, Notice } from "../../ui/components";
import { useAction } from "./shared";

type ModuleState = Schemas["ModuleState"];

export function moduleName(code: string): string {
  const key = `adminPeople.module.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

/** Turn the commune's modules on and off; `onChange` receives the enabled codes so the menu follows at once. */
export function ModulesPage({ api, onChange }: { api: Api; onChange: (enabled: string[]) => void }) {
  useLang();
  const list = useAsync(() => call(api.GET("/api/v1/commune/modules")), [api]);
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);
  const [states, setStates] = useState<ModuleState[] | null>(null);
  const rows = states ?? list.data;

  async function toggle(m: ModuleState) {
    setDone(null);
    const next = await action.run(() =>
      call(api.PUT("/api/v1/commune/modules/{code}", { params: { path: { code: m.code } }, body: { enabled: !m.enabled } })),
    );
    if (!next) return;
    setStates(next);
    onChange(next.filter((s) => s.enabled).map((s) => s.code));
    setDone(t(m.enabled ? "adminPeople.modules.disabled" : "adminPeople.modules.enabled", { name: moduleName(m.code) }));
  }

  return (
    <section class="card">
      <h1>{t("adminPeople.modules.title")}</h1>
      <p class="muted">{t("adminPeople.modules.intro")}</p>
      {done && <Notice kind="ok">{done}</Notice>}
      <ErrorNotice error={action.error ?? list.error} onRetry={list.error ? list.reload : undefined} />
      {list.loading && !rows && <Loading />}
      {rows && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{t("adminPeople.nav.modules")}</th>
              <th scope="col">{t("adminPeople.categories.status")}</th>
              <th scope="col">{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.code}>
                <td>{moduleName(m.code)}</td>
                <td data-label={t("adminPeople.categories.status")}>{m.enabled ? t("adminPeople.modules.on") : t("adminPeople.modules.off")}</td>
                <td>
                  {m.optional ? (
                    <button type="button" class={m.enabled ? "" : "primary"} disabled={action.busy} onClick={() => toggle(m)}>
                      {t(m.enabled ? "adminPeople.modules.disable" : "adminPeople.modules.enable", { name: moduleName(m.code) })}
                    </button>
                  ) : (
                    <span class="muted">{t("adminPeople.modules.always")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
