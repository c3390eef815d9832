import { useState } from "preact/hooks";
import { ApiError, passwordLogin, takeSessionExpired, type Api } from "../api/client";
import { t, useLang } from "../i18n";
import { sessionFromToken, type Session } from "../lib/session";
import { ErrorNotice, Field, Notice } from "./components";

/** Username and password against a realm's token endpoint.
 *
 * A one-time password (the onboarding handover) answers `password_change_required`: the form then asks for a
 * new password and sends it with the one-time password; the token that comes back is a normal login.
 * A session that ended on a 401 says so above the form ("your session expired, log in again").
 */
export function LoginForm(props: {
  api: Api;
  realm: "provider" | "communes";
  onLogin: (session: Session) => void;
}) {
  useLang();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mustChange, setMustChange] = useState(false);
  const [expired] = useState(takeSessionExpired);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setMismatch(false);
    if (mustChange && newPassword !== confirm) {
      setMismatch(true);
      return;
    }
    setBusy(true);
    try {
      const tok = await passwordLogin(props.api, props.realm, username.trim(), password, mustChange ? newPassword : undefined);
      const session = sessionFromToken(tok.access_token);
      if (!session) throw new Error("bad token");
      props.onLogin(session);
    } catch (err) {
      if (err instanceof ApiError && err.code === "password_change_required") setMustChange(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (mustChange) {
    return (
      <form class="card narrow" onSubmit={submit} data-form="change-password">
        <h1>{t("login.changeTitle")}</h1>
        <p>{t("login.changeHelp")}</p>
        <ErrorNotice error={error} />
        {mismatch && <Notice kind="error">{t("login.mismatch")}</Notice>}
        <Field
          label={t("login.newPassword")}
          name="new-password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          value={newPassword}
          onInput={(e) => setNewPassword(e.currentTarget.value)}
        />
        <Field
          label={t("login.confirmPassword")}
          name="confirm-password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          value={confirm}
          onInput={(e) => setConfirm(e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("login.busy") : t("login.changeSubmit")}
        </button>
      </form>
    );
  }

  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>{t("login.title")}</h1>
      {expired && !error && <Notice kind="info">{t("login.expired")}</Notice>}
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
