import { t, useLang } from "../i18n";
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
  const nav = [
    { route: "/villages", label: t("nav.villages") },
    { route: "/users", label: t("nav.users") },
    { route: "/audit", label: t("nav.audit") },
    { route: "/inbox", label: t("nav.inbox") },
  ];
  const page = route.startsWith("/users") ? (
    <UsersPage api={api} />
  ) : route.startsWith("/audit") ? (
    <AuditPage api={api} />
  ) : route.startsWith("/inbox") ? (
    <InboxList api={api} />
  ) : (
    <VillagesPage api={api} />
  );
  const current = nav.some((n) => route.startsWith(n.route)) ? route : "/villages";
  return (
    <Shell title={commune.name} subtitle={`${t("app.admin")} · ${session.username ?? ""}`} nav={nav} route={current} onLogout={logout}>
      {page}
    </Shell>
  );
}
