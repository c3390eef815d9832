import { t, useLang } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, Loading } from "../ui/components";
import { loadWithOffline, LoadNotices, type ScreenProps } from "./screen";

/** The commune's officials and hotlines, each phone number one tap to call. */
export default function ContactsPage({ api }: ScreenProps) {
  useLang();
  const contacts = useAsync(() => loadWithOffline(api.GET("/api/v1/public/contacts")), [api]);
  const all = contacts.data?.data ?? [];
  const groups = [
    { kind: "hotline", title: t("resident.contacts.hotlines") },
    { kind: "official", title: t("resident.contacts.officials") },
  ];
  return (
    <section>
      <h1>{t("resident.contacts.title")}</h1>
      <LoadNotices state={contacts} />
      {contacts.loading && !contacts.data && <Loading />}
      {contacts.data && all.length === 0 && <Empty text={t("resident.contacts.empty")} />}
      {groups.map((g) => {
        const items = all.filter((c) => c.kind === g.kind);
        if (!items.length) return null;
        return (
          <section key={g.kind}>
            <h2>{g.title}</h2>
            <ul class="plain cards">
              {items.map((c) => (
                <li key={c.id} class="card">
                  <strong>{c.name}</strong>
                  {(c.position || c.department) && <span class="meta">{[c.position, c.department].filter(Boolean).join(" · ")}</span>}
                  {c.hours && <span class="meta">{t("resident.contacts.hours", { hours: c.hours })}</span>}
                  <span class="stack">
                    {c.phone && (
                      <a class="button primary" href={`tel:${c.phone.replace(/[ .-]/g, "")}`}>
                        {t("resident.contacts.call", { phone: c.phone })}
                      </a>
                    )}
                    {c.email && (
                      <a class="button" href={`mailto:${c.email}`}>
                        {c.email}
                      </a>
                    )}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}
