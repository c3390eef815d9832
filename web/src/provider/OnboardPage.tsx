import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useAsync, useDebounced } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice } from "../ui/components";

type Official = Schemas["OfficialCommuneOut"];

/** Pick a commune from the official 2025 list and create it on the platform. */
export function OnboardPage({ api }: { api: Api }) {
  useLang();
  const [q, setQ] = useState("");
  const needle = useDebounced(q.trim(), 250);
  const [picked, setPicked] = useState<Official | null>(null);
  const [slug, setSlug] = useState("");
  const [template, setTemplate] = useState("base");
  const [plan, setPlan] = useState("standard");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const results = useAsync(
    () =>
      needle.length < 2
        ? Promise.resolve([] as Official[])
        : call(api.GET("/api/provider/v1/official-communes", { params: { query: { q: needle, limit: 20 } } })),
    [api, needle, done],
  );

  async function create(e: Event) {
    e.preventDefault();
    if (!picked) return;
    setBusy(true);
    setError(null);
    try {
      const created = await call(
        api.POST("/api/provider/v1/communes", {
          body: { commune_code: picked.code, province_code: picked.province_code, slug: slug.trim() || null, template, plan },
        }),
      );
      setDone(t("onboard.created", { name: created.name, seconds: formatNumber(created.creation_seconds, undefined, 1) }));
      setPicked(null);
      setSlug("");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <h1>{t("onboard.title")}</h1>
      {done && <Notice kind="ok">{done}</Notice>}
      <div class="card">
        <Field
          label={t("common.search")}
          type="search"
          name="official-q"
          placeholder={t("onboard.search")}
          value={q}
          hint={t("onboard.hint")}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
        <ErrorNotice error={results.error} onRetry={results.reload} />
        {results.loading && needle.length >= 2 && <Loading />}
        {results.data && needle.length >= 2 && results.data.length === 0 && !results.loading && <Empty />}
        <ul class="plain picker">
          {results.data?.map((c) => (
            <li key={c.code}>
              <span>
                <strong>{c.name}</strong>
                <span class="muted">{` · ${c.code} · ${c.province_name}`}</span>
              </span>
              {c.onboarded ? (
                <span class="badge">{t("onboard.onboarded")}</span>
              ) : (
                <button type="button" onClick={() => setPicked(c)} aria-pressed={picked?.code === c.code}>
                  {t("onboard.pick")}
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
      {picked && (
        <form class="card" onSubmit={create}>
          <h2>{t("onboard.picked")}</h2>
          <p>
            <strong>{picked.name}</strong>
            <span class="muted">{` · ${picked.code} · ${picked.province_name}`}</span>
          </p>
          <ErrorNotice error={error} />
          <div class="grid2">
            <Field label={t("onboard.slug")} name="slug" value={slug} onInput={(e) => setSlug(e.currentTarget.value)} />
            <Field label={t("onboard.template")} name="template" value={template} required onInput={(e) => setTemplate(e.currentTarget.value)} />
            <Field label={t("onboard.plan")} name="plan" value={plan} required onInput={(e) => setPlan(e.currentTarget.value)} />
          </div>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t("onboard.busy") : t("onboard.submit")}
          </button>
        </form>
      )}
    </section>
  );
}
