import type { ComponentChildren } from "preact";
import type { Api } from "../api/client";
import { t, useLang, type MessageKey } from "../i18n";
import { useRoute } from "../lib/router";
import { sessionKey } from "../lib/session";
import { useSession } from "../lib/useSession";
import { Shell } from "../ui/components";
import { InboxList } from "../ui/InboxList";
import { LoginForm } from "../ui/LoginForm";
import { TenantGate, type Commune } from "../ui/TenantGate";
import { AuditPage } from "./AuditPage";
import { UsersPage } from "./UsersPage";
import { VillagesPage } from "./VillagesPage";

/** Screens of the console, in menu order; the first is the landing page. */
const ADMIN_PAGES: { route: string; label: MessageKey; render: (api: Api) => ComponentChildren }[] = [
  { route: "/villages", label: "nav.villages", render: (api) => <VillagesPage api={api} /> },
  { route: "/users", label: "nav.users", render: (api) => <UsersPage api={api} /> },
  { route: "/audit", label: "nav.audit", render: (api) => <AuditPage api={api} /> },
  { route: "/inbox", label: "nav.inbox", render: (api) => <InboxList api={api} /> },
];

export function AdminApp(props: { fetch?: typeof fetch; pathname?: string }) {
  return (
    <TenantGate title={t("app.admin")} fetch={props.fetch} pathname={props.pathname}>
      {(commune, baseUrl) => <AdminConsole commune={commune} baseUrl={baseUrl} fetch={props.fetch} />}
    </TenantGate>
  );
}

function AdminConsole(props: { commune: Commune; baseUrl: string; fetch?: typeof fetch }) {
  const { commune, baseUrl } = props;
  useLang();
  const route = useRoute();
  const { session, api, login, logout } = useSession(sessionKey("admin", commune.slug), baseUrl, props.fetch);
  if (!session) {
    return (
      <Shell title={t("app.admin")} subtitle={commune.name}>
        <LoginForm api={api} realm="communes" onLogin={login} />
      </Shell>
    );
  }
  const page = ADMIN_PAGES.find((p) => route.startsWith(p.route)) ?? ADMIN_PAGES[0];
  const nav = ADMIN_PAGES.map((p) => ({ route: p.route, label: t(p.label) }));
  const current = page.route;
  return (
    <Shell title={commune.name} subtitle={`${t("app.admin")} · ${session.username ?? ""}`} nav={nav} route={current} onLogout={logout}>
      {page.render(api)}
    </Shell>
  );
}
