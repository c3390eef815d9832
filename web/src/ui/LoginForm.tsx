import { useState } from "preact/hooks";
import { passwordLogin, type Api } from "../api/client";
import { t, useLang } from "../i18n";
import { sessionFromToken, type Session } from "../lib/session";
import { ErrorNotice, Field } from "./components";

/** Username and password against a realm's token endpoint. */
export function LoginForm(props: {
  api: Api;
  realm: "provider" | "communes";
  onLogin: (session: Session) => void;
}) {
  useLang();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const tok = await passwordLogin(props.api, props.realm, username.trim(), password);
      const session = sessionFromToken(tok.access_token);
      if (!session) throw new Error("bad token");
      props.onLogin(session);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>{t("login.title")}</h1>
      <ErrorNotice error={error} />
      <Field
        label={t("login.username")}
        name="username"
        autocomplete="username"
        required
        value={username}
        onInput={(e) => setUsername(e.currentTarget.value)}
      />
      <Field
        label={t("login.password")}
        name="password"
        type="password"
        autocomplete="current-password"
        required
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t("login.busy") : t("login.submit")}
      </button>
    </form>
  );
}
