import { useState } from "preact/hooks";
import { otpLogin, requestOtp, type Api } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t, useLang } from "../i18n";
import { sessionFromToken, type Session } from "../lib/session";
import { ErrorNotice, Field, Notice } from "../ui/components";

/** Two steps: phone number → SMS code → token (grant type phone-otp of the communes realm). */
export function OtpLogin(props: { api: Api; communeCode: number; onLogin: (s: Session) => void }) {
  useLang();
  const [phone, setPhone] = useState("");
  const [sent, setSent] = useState<{ phone: string; expires_in: number } | null>(null);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run(step: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await step();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const send = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      setSent(await requestOtp(props.api, props.communeCode, phone.trim()));
      setCode("");
    });
  };
  const verify = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const tok = await otpLogin(props.api, props.communeCode, phone.trim(), code.trim());
      const session = sessionFromToken(tok.access_token);
      if (!session) throw new Error("bad token");
      props.onLogin(session);
    });
  };

  if (!sent) {
    return (
      <form class="card narrow" onSubmit={send}>
        <h1>{t("otp.title")}</h1>
        <p class="muted">{t("otp.help")}</p>
        <ErrorNotice error={error} />
        <Field
          label={t("otp.phone")}
          name="phone"
          type="tel"
          inputMode="tel"
          autocomplete="tel"
          required
          value={phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("otp.busy") : t("otp.send")}
        </button>
      </form>
    );
  }
  return (
    <form class="card narrow" onSubmit={verify}>
      <h1>{t("otp.title")}</h1>
      <Notice kind="ok">
        {t("otp.sent", { phone: sent.phone, minutes: formatNumber(Math.max(1, Math.round(sent.expires_in / 60))) })}
      </Notice>
      <ErrorNotice error={error} />
      <Field
        label={t("otp.code")}
        name="otp"
        inputMode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9]*"
        maxLength={8}
        required
        value={code}
        onInput={(e) => setCode(e.currentTarget.value)}
      />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t("otp.busy") : t("otp.verify")}
      </button>
      <button type="button" class="link" onClick={() => setSent(null)}>
        {t("otp.changePhone")}
      </button>
    </form>
  );
}
