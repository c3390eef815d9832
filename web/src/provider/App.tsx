import "./messages";
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Api } from "../api/client";
import { t, useLang } from "../i18n";
import { sessionKey } from "../lib/session";
import { useRoute } from "../lib/router";
import { useSession } from "../lib/useSession";
import { ErrorNotice, Loading, Shell } from "../ui/components";
import { LoginForm } from "../ui/LoginForm";
import { BillingPage } from "./BillingPage";
import { CommunesPage } from "./CommunesPage";
import { FleetPage } from "./FleetPage";
import { OnboardPage } from "./OnboardPage";
import { RolloutsPage } from "./RolloutsPage";
import { SiteNetworkRequestsPage } from "./SiteNetworkRequests";

export function ProviderApp(props: { baseUrl?: string; fetch?: typeof fetch }) {
  useLang();
  const route = useRoute();
  const { session, api, login, logout } = useSession(sessionKey("provider", "platform"), props.baseUrl ?? "", props.fetch);
  if (!session) {
    return (
      <Shell title={t("app.provider")} subtitle={t("app.brand")}>
        <LoginForm api={api} realm="provider" onLogin={login} />
      </Shell>
    );
  }
  const nav = [
    { route: "/communes", label: t("nav.communes") },
    { route: "/map", label: t("provider.nav.map") },
    { route: "/onboard", label: t("nav.onboard") },
    { route: "/rollouts", label: t("provider.nav.rollouts") },
    { route: "/fleet", label: t("provider.nav.fleet") },
    { route: "/billing", label: t("provider.nav.billing") },
    { route: "/site-networks", label: t("cameras.provider.nav") },
  ];
  return (
    <Shell title={t("app.provider")} subtitle={session.username ?? undefined} nav={nav} route={route} onLogout={logout}>
      <Page api={api} route={route} />
    </Shell>
  );
}

function Page({ api, route }: { api: Api; route: string }) {
  if (route.startsWith("/onboard")) return <OnboardPage api={api} route={route} />;
  if (route.startsWith("/rollouts")) return <RolloutsPage api={api} route={route} />;
  if (route.startsWith("/fleet")) return <FleetPage api={api} />;
  if (route.startsWith("/billing")) return <BillingPage api={api} />;
  if (route.startsWith("/map")) return <LazyMap api={api} />;
  if (route.startsWith("/site-networks")) return <SiteNetworkRequestsPage api={api} />;
  if (route === "/" || route.startsWith("/communes")) return <CommunesPage api={api} />;
  return <NotFound />;
}

/** An unknown console address says so (it used to show the communes list as if nothing was wrong). */
function NotFound() {
  return (
    <section class="card" data-page="not-found">
      <h1>{t("provider.notFound.title")}</h1>
      <p>{t("provider.notFound.help")}</p>
      <a href="#/communes">{t("provider.notFound.back")}</a>
    </section>
  );
}

/** The map and its data load on first visit only (kept out of the console's first paint). */
function LazyMap({ api }: { api: Api }) {
  const [Map, setMap] = useState<ComponentType<{ api: Api }> | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    import("./MapPage").then(
      (m) => setMap(() => m.MapPage),
      (e: unknown) => setError(e),
    );
  }, []);
  if (error) return <ErrorNotice error={error} />;
  return Map ? <Map api={api} /> : <Loading />;
}
