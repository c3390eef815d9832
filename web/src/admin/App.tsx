import "./messages";
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
import { DashboardPage } from "./economy/DashboardPage";
import { FeesPage } from "./economy/FeesPage";
import { ProductionPage } from "./economy/ProductionPage";
import { DevicesPage } from "./operations/DevicesPage";
import { OperationsPage } from "./operations/OperationsPage";
import { AnnouncementsPage } from "./people/AnnouncementsPage";
import { useBranding } from "./people/branding";
import { ResidentsPage } from "./people/ResidentsPage";
import { SettingsPage } from "./people/SettingsPage";
import { ProceduresPage } from "./services/ProceduresPage";
import { ReportsPage } from "./services/ReportsPage";
import { SurveysPage } from "./services/SurveysPage";

/** Screens of the console, in menu order; the first is the landing page. */
const ADMIN_PAGES: { route: string; label: MessageKey; module?: string; render: (api: Api) => ComponentChildren }[] = [
  { route: "/villages", label: "nav.villages", render: (api) => <VillagesPage api={api} /> },
  { route: "/users", label: "nav.users", render: (api) => <UsersPage api={api} /> },
  { route: "/audit", label: "nav.audit", render: (api) => <AuditPage api={api} /> },
  { route: "/inbox", label: "nav.inbox", render: (api) => <InboxList api={api} /> },
  { route: "/people", label: "adminPeople.nav.people", render: (api) => <ResidentsPage api={api} /> },
  { route: "/announcements", module: "announcements", label: "adminPeople.nav.announcements", render: (api) => <AnnouncementsPage api={api} /> },
  { route: "/reports", module: "reports", label: "adminPeople.nav.reports", render: (api) => <ReportsPage api={api} /> },
  { route: "/surveys", module: "surveys", label: "adminPeople.nav.surveys", render: (api) => <SurveysPage api={api} /> },
  { route: "/procedures", module: "procedures", label: "adminPeople.nav.procedures", render: (api) => <ProceduresPage api={api} /> },
  { route: "/settings", label: "adminPeople.nav.settings", render: (api) => <SettingsPage api={api} /> },
  { route: "/dashboard", label: "adminOps.nav.dashboard", render: (api) => <DashboardPage api={api} /> },
  { route: "/operations", module: "cameras", label: "adminOps.nav.operations", render: (api) => <OperationsPage api={api} /> },
  { route: "/devices", module: "devices", label: "adminOps.nav.devices", render: (api) => <DevicesPage api={api} /> },
  { route: "/production", module: "production", label: "adminOps.nav.production", render: (api) => <ProductionPage api={api} /> },
  { route: "/fees", module: "fees", label: "adminOps.nav.fees", render: (api) => <FeesPage api={api} /> },
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
  useBranding(api, baseUrl);
  if (!session) {
    return (
      <Shell title={t("app.admin")} subtitle={commune.name}>
        <LoginForm api={api} realm="communes" onLogin={login} />
      </Shell>
    );
  }
  // A module the commune has not enabled has no routes on the platform (404 module_disabled): no menu either.
  const modules = commune.modules as readonly string[] | undefined;
  const pages = ADMIN_PAGES.filter((p) => !p.module || !modules || modules.includes(p.module));
  const page = pages.find((p) => route.startsWith(p.route)) ?? pages[0];
  const nav = pages.map((p) => ({ route: p.route, label: t(p.label) }));
  const current = page.route;
  return (
    <Shell title={commune.name} subtitle={`${t("app.admin")} · ${session.username ?? ""}`} nav={nav} route={current} onLogout={logout}>
      {page.render(api)}
    </Shell>
  );
}
