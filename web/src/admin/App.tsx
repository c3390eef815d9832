import "./messages";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
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
import { CategoriesPage } from "./people/CategoriesPage";
import { ModulesPage } from "./people/ModulesPage";
import { useBranding } from "./people/branding";
import { ResidentsPage } from "./people/ResidentsPage";
import { SettingsPage } from "./people/SettingsPage";
import { ProceduresPage } from "./services/ProceduresPage";
import { ReportsPage } from "./services/ReportsPage";
import { SurveysPage } from "./services/SurveysPage";

type Group = "overview" | "people" | "services" | "economy" | "admin";
type Page = { route: string; label: MessageKey; group: Group; module?: string; render: (api: Api, ctx: ConsoleContext) => ComponentChildren };
type ConsoleContext = { setModules: (enabled: string[]) => void };

/** Screens of the console, by sidebar group in menu order; the first (the dashboard) is the landing page. */
const ADMIN_PAGES: Page[] = [
  { route: "/dashboard", group: "overview", label: "adminOps.nav.dashboard", render: (api) => <DashboardPage api={api} /> },
  { route: "/inbox", group: "overview", label: "nav.inbox", render: (api) => <InboxList api={api} /> },
  { route: "/villages", group: "people", label: "nav.villages", render: (api) => <VillagesPage api={api} /> },
  { route: "/people", group: "people", label: "adminPeople.nav.people", render: (api) => <ResidentsPage api={api} /> },
  { route: "/announcements", group: "people", module: "announcements", label: "adminPeople.nav.announcements", render: (api) => <AnnouncementsPage api={api} /> },
  { route: "/surveys", group: "people", module: "surveys", label: "adminPeople.nav.surveys", render: (api) => <SurveysPage api={api} /> },
  { route: "/reports", group: "services", module: "reports", label: "adminPeople.nav.reports", render: (api) => <ReportsPage api={api} /> },
  { route: "/report-categories", group: "services", module: "reports", label: "adminPeople.nav.categories", render: (api) => <CategoriesPage api={api} /> },
  { route: "/procedures", group: "services", module: "procedures", label: "adminPeople.nav.procedures", render: (api) => <ProceduresPage api={api} /> },
  { route: "/fees", group: "services", module: "fees", label: "adminOps.nav.fees", render: (api) => <FeesPage api={api} /> },
  { route: "/production", group: "economy", module: "production", label: "adminOps.nav.production", render: (api) => <ProductionPage api={api} /> },
  { route: "/operations", group: "economy", module: "cameras", label: "adminOps.nav.operations", render: (api) => <OperationsPage api={api} /> },
  { route: "/devices", group: "economy", module: "devices", label: "adminOps.nav.devices", render: (api) => <DevicesPage api={api} /> },
  { route: "/settings", group: "admin", label: "adminPeople.nav.settings", render: (api) => <SettingsPage api={api} /> },
  { route: "/modules", group: "admin", label: "adminPeople.nav.modules", render: (api, ctx) => <ModulesPage api={api} onChange={ctx.setModules} /> },
  { route: "/users", group: "admin", label: "nav.users", render: (api) => <UsersPage api={api} /> },
  { route: "/audit", group: "admin", label: "nav.audit", render: (api) => <AuditPage api={api} /> },
];
const GROUPS: Group[] = ["overview", "people", "services", "economy", "admin"];

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
  // Enabled modules: from the commune's profile, then as the modules screen changes them.
  const [modules, setModules] = useState<readonly string[] | undefined>(commune.modules);
  if (!session) {
    return (
      <Shell title={t("app.admin")} subtitle={commune.name}>
        <LoginForm api={api} realm="communes" onLogin={login} />
      </Shell>
    );
  }
  // A module the commune has not enabled has no routes on the platform (404 module_disabled): no menu either.
  const pages = ADMIN_PAGES.filter((p) => !p.module || !modules || modules.includes(p.module));
  const page = pages.find((p) => route.startsWith(p.route)) ?? pages[0];
  const groups = GROUPS.map((g) => ({
    label: t(`adminPeople.navGroup.${g}`),
    items: pages.filter((p) => p.group === g).map((p) => ({ route: p.route, label: t(p.label) })),
  })).filter((g) => g.items.length > 0);
  const current = page.route;
  return (
    <Shell title={commune.name} subtitle={`${t("app.admin")} · ${session.username ?? ""}`} groups={groups} route={current} onLogout={logout}>
      {page.render(api, { setModules })}
    </Shell>
  );
}
