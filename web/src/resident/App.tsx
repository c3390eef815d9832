import "./messages";
import { useEffect, useState } from "preact/hooks";
import type { Api } from "../api/client";
import { t, useLang, type MessageKey } from "../i18n";
import { useRoute } from "../lib/router";
import { sessionKey } from "../lib/session";
import { useSession } from "../lib/useSession";
import { Shell } from "../ui/components";
import { InboxList } from "../ui/InboxList";
import { TenantGate, type Commune } from "../ui/TenantGate";
import { useResidentBranding } from "./branding";
import { Home } from "./Home";
import { Icon, type IconName } from "./icons";
import { OtpLogin } from "./OtpLogin";
import { LazyScreen, matchScreen, MY_REPORTS, offered, REPORT_NEW, SCREENS } from "./routes";
import type { ScreenProps } from "./screen";
import { useOutbox } from "./useOutbox";

/** The cache the service worker keeps loaded data in (inbox, my reports, invoices…); emptied on sign-out. */
export const DATA_CACHE = "sc-resident-data";

export function ResidentApp(props: { fetch?: typeof fetch; pathname?: string }) {
  return (
    <TenantGate title={t("app.resident")} fetch={props.fetch} pathname={props.pathname}>
      {(commune, baseUrl) => <Resident commune={commune} baseUrl={baseUrl} fetch={props.fetch} />}
    </TenantGate>
  );
}

interface InstallPrompt extends Event {
  prompt: () => Promise<void>;
}

function Resident(props: { commune: Commune; baseUrl: string; fetch?: typeof fetch }) {
  useLang();
  const { commune, baseUrl } = props;
  const { session, api, login, logout } = useSession(sessionKey("resident", commune.slug), baseUrl, props.fetch);
  const outbox = useOutbox(api, baseUrl, session);
  const branding = useResidentBranding(api, baseUrl, commune.slug);
  const [install, setInstall] = useState<InstallPrompt | null>(null);
  useEffect(() => {
    const on = (e: Event) => {
      e.preventDefault();
      setInstall(e as InstallPrompt);
    };
    addEventListener("beforeinstallprompt", on);
    return () => removeEventListener("beforeinstallprompt", on);
  }, []);

  // Signed out (by the button, or an expired session): another person may sign in on this phone next.
  useEffect(() => {
    if (!session && typeof caches !== "undefined") void caches.delete(DATA_CACHE);
  }, [session]);
  const signOut = logout;
  return (
    <Shell title={branding?.name ?? commune.name} subtitle={t("app.resident")} onLogout={session ? signOut : undefined}>
      {install && (
        <button
          type="button"
          class="primary install"
          onClick={() => {
            void install.prompt();
            setInstall(null);
          }}
        >
          {t("resident.install")}
        </button>
      )}
      {session ? (
        <SignedIn {...{ api, commune, baseUrl, session, outbox, params: [] }} />
      ) : (
        <>
          <OtpLogin api={api} communeCode={commune.commune_code} onLogin={login} />
          <PublicLinks baseUrl={baseUrl} />
        </>
      )}
    </Shell>
  );
}

const TABS: { route: string; label: MessageKey; icon: IconName; module?: string }[] = [
  { route: "/", label: "resident.nav.home", icon: "home" },
  { route: "/inbox", label: "resident.nav.inbox", icon: "news" },
  { route: REPORT_NEW.path, label: REPORT_NEW.label, icon: REPORT_NEW.icon, module: REPORT_NEW.module },
  // A short label: "Phản ánh của tôi" wrapped to two lines in a quarter of a 390 px phone.
  { route: MY_REPORTS.path, label: "resident.tab.myReports", icon: MY_REPORTS.icon, module: MY_REPORTS.module },
];

function SignedIn(props: ScreenProps) {
  const route = useRoute();
  usePrefetchScreens(props);
  const modules = props.commune.modules as readonly string[] | undefined;
  const found = matchScreen(route);
  const match = found && offered(found.screen, modules) ? found : null;
  const tabs = TABS.filter((tab) => offered(tab, modules));
  let body;
  if (match) body = <LazyScreen key={match.screen.path} screen={match.screen} props={{ ...props, params: match.params }} />;
  else if (route === "/inbox" || route.startsWith("/inbox/")) body = <InboxList api={props.api} />;
  else if (route === "/") body = <Home {...props} />;
  else body = <NotFound route={route} />;
  const active = match ? match.screen.path : route.startsWith("/inbox") ? "/inbox" : route === "/" ? "/" : null;
  return (
    <>
      <div class="screen">{body}</div>
      <nav class="bottom-tabs" aria-label={t("common.menu")} style={{ gridTemplateColumns: `repeat(${tabs.length}, 1fr)` }}>
        {tabs.map((tab) => (
          <a key={tab.route} href={`#${tab.route}`} aria-current={tab.route === active ? "page" : undefined}>
            <Icon name={tab.icon} size={26} />
            <span>{t(tab.label)}</span>
          </a>
        ))}
      </nav>
    </>
  );
}

/** Visitors need no account: the commune's public pages (listings with booking, library, contacts…). */
function PublicLinks(props: { baseUrl: string }) {
  const route = useRoute();
  const listings = route.startsWith("/listings");
  return (
    <p class="public-link">
      <a href={`${props.baseUrl}/${listings ? "listings" : ""}`}>{t(listings ? "resident.public.listings" : "resident.public.home")}</a>
    </p>
  );
}

/** An address the app does not have (an old link, a typo, a screen whose module the commune turned off). */
function NotFound(props: { route: string }) {
  return (
    <section class="card not-found" aria-labelledby="not-found-title">
      <h2 id="not-found-title">{t("resident.notFound.title")}</h2>
      <p>{t("resident.notFound.body", { route: `#${props.route}` })}</p>
      <a class="button primary" href="#/">
        {t("resident.notFound.home")}
      </a>
    </section>
  );
}

/**
 * Reporting must work offline, and every screen should open offline once the app has been used online: when
 * the app is idle, fetch the screens' code (the service worker keeps it) and the report categories. With
 * Data Saver on, only the report form and the list of one's reports.
 */
function usePrefetchScreens({ api, baseUrl, session, commune }: ScreenProps) {
  useEffect(() => {
    if (navigator.onLine === false) return;
    const saveData = (navigator as Navigator & { connection?: { saveData?: boolean } }).connection?.saveData === true;
    const screens = saveData ? [REPORT_NEW, MY_REPORTS] : SCREENS.filter((s) => offered(s, commune.modules as readonly string[] | undefined));
    const idle = (globalThis as { requestIdleCallback?: (fn: () => void) => number }).requestIdleCallback ?? ((fn: () => void) => setTimeout(fn, 2000));
    idle(() => {
      void REPORT_NEW.load()
        .then((m) => (m as { prefetch?: (a: Api, b: string) => void }).prefetch?.(api, baseUrl))
        .catch(() => undefined);
      for (const s of screens) void s.load().catch(() => undefined);
    });
  }, [api, baseUrl, session.subject, commune.modules]);
}
