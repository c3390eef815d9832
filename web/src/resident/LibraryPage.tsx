import { useState } from "preact/hooks";
import { formatDate } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useAsync, useDebounced } from "../lib/useAsync";
import { Empty, Field, Loading, SelectField } from "../ui/components";
import { loadWithOffline, LoadNotices, type ScreenProps } from "./screen";

/** The commune's published documents (decisions, plans, guides), searchable. */
export default function LibraryPage({ api, baseUrl }: ScreenProps) {
  useLang();
  const [q, setQ] = useState("");
  const [category, setCategory] = useState("");
  const query = useDebounced(q.trim(), 400);
  const categories = useAsync(() => loadWithOffline(api.GET("/api/v1/public/library/categories")), [api]);
  const docs = useAsync(
    () =>
      loadWithOffline(
        api.GET("/api/v1/public/library", { params: { query: { q: query || undefined, category_id: category ? Number(category) : undefined, limit: 50 } } }),
      ),
    [api, query, category],
  );
  const names = new Map((categories.data?.data ?? []).map((c) => [c.id, c.name]));
  const items = docs.data?.data ?? [];
  return (
    <section>
      <h1>{t("resident.library.title")}</h1>
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label={t("resident.library.search")} name="q" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <SelectField
          label={t("resident.library.category")}
          name="category"
          value={category}
          options={[{ value: "", label: t("common.all") }, ...(categories.data?.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))]}
          onChange={(e) => setCategory(e.currentTarget.value)}
        />
      </form>
      <LoadNotices state={docs} />
      {docs.loading && !docs.data && <Loading />}
      {docs.data && items.length === 0 && <Empty text={t("resident.library.empty")} />}
      <ul class="plain cards">
        {items.map((d) => (
          <li key={d.id} class="card">
            <strong>{d.title}</strong>
            <span class="meta">
              {[names.get(d.category_id), d.doc_number, d.issued_on ? formatDate(d.issued_on) : ""].filter(Boolean).join(" · ")}
            </span>
            {d.summary && <p class="clip">{d.summary}</p>}
            <a class="button" href={`${baseUrl}/api/v1/public/library/${d.id}/file`} target="_blank" rel="noopener">
              {t("resident.library.open")}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
