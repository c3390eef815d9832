import { t, useLang } from "../i18n";
import { sessionKey } from "../lib/session";
import { useRoute } from "../lib/router";
import { useSession } from "../lib/useSession";
import { Shell } from "../ui/components";
import { LoginForm } from "../ui/LoginForm";
import { CommunesPage } from "./CommunesPage";
import { OnboardPage } from "./OnboardPage";

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
    { route: "/onboard", label: t("nav.onboard") },
  ];
  return (
    <Shell title={t("app.provider")} subtitle={session.username ?? undefined} nav={nav} route={route} onLogout={logout}>
      {route.startsWith("/onboard") ? <OnboardPage api={api} /> : <CommunesPage api={api} />}
    </Shell>
  );
}
