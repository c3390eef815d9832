import { useEffect, useState } from "preact/hooks";
import { t, useLang } from "../i18n";
import { sessionKey } from "../lib/session";
import { useSession } from "../lib/useSession";
import { Shell } from "../ui/components";
import { InboxList } from "../ui/InboxList";
import { TenantGate, type Commune } from "../ui/TenantGate";
import { OtpLogin } from "./OtpLogin";

/** The cache the service worker keeps the last loaded inbox in; emptied on sign-out. */
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
  const { commune } = props;
  const { session, api, login, logout } = useSession(sessionKey("resident", commune.slug), props.baseUrl, props.fetch);
  const [install, setInstall] = useState<InstallPrompt | null>(null);
  useEffect(() => {
    const on = (e: Event) => {
      e.preventDefault();
      setInstall(e as InstallPrompt);
    };
    addEventListener("beforeinstallprompt", on);
    return () => removeEventListener("beforeinstallprompt", on);
  }, []);

  const signOut = () => {
    logout();
    if (typeof caches !== "undefined") void caches.delete(DATA_CACHE);
  };
  return (
    <Shell title={commune.name} subtitle={t("app.resident")} onLogout={session ? signOut : undefined}>
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
      {session ? <InboxList api={api} /> : <OtpLogin api={api} communeCode={commune.commune_code} onLogin={login} />}
    </Shell>
  );
}
