import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDateTime } from "../../i18n/format";
import { tenantFromPath } from "../../lib/tenant";
import { useAsync } from "../../lib/useAsync";
import { ErrorNotice, Field, Loading, Notice } from "../../ui/components";
import { brandingChanged } from "./branding";
import { Section, TextArea, multipart, useAction } from "./shared";

type Settings = Schemas["CommuneSettingsOut"];
type Form = { [K in keyof Schemas["CommuneSettingsIn"]]-?: string };
const DEFAULT_COLOR = "#0b6b3a";

function formOf(s: Settings): Form {
  return {
    display_name: s.display_name ?? "",
    primary_color: s.primary_color ?? "",
    contact_phone: s.contact_phone ?? "",
    contact_email: s.contact_email ?? "",
    address: s.address ?? "",
    office_hours: s.office_hours ?? "",
    reports_public_after: s.reports_public_after ?? "accepted",
  };
}

/** The commune's display name, colour, logo, office contacts and hours (commune admins change them). */
export function SettingsPage({ api, baseUrl = tenantFromPath(location.pathname).prefix }: { api: Api; baseUrl?: string }) {
  useLang();
  const settings = useAsync(() => call(api.GET("/api/v1/commune/settings")), [api]);
  if (!settings.data) return settings.loading ? <Loading /> : <ErrorNotice error={settings.error} onRetry={settings.reload} />;
  return <SettingsForm api={api} baseUrl={baseUrl} initial={settings.data} />;
}

function SettingsForm(props: { api: Api; baseUrl: string; initial: Settings }) {
  const [current, setCurrent] = useState(props.initial);
  const [form, setForm] = useState<Form>(() => formOf(props.initial));
  const [saved, setSaved] = useState<string | null>(null);
  const save = useAction();
  const logo = useAction();
  const set = (k: keyof Form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });

  const done = (s: Settings, message: string) => {
    setCurrent(s);
    setSaved(message);
    brandingChanged();
  };

  async function submit(e: Event) {
    e.preventDefault();
    setSaved(null);
    const body = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v.trim() || null])) as Schemas["CommuneSettingsIn"];
    const s = await save.run(() => call(props.api.PUT("/api/v1/commune/settings", { body })));
    if (s) {
      setForm(formOf(s));
      done(s, t("common.saved"));
    }
  }

  async function upload(file: File | undefined) {
    if (!file) return;
    setSaved(null);
    const s = await logo.run(() => call(props.api.POST("/api/v1/commune/settings/logo", multipart({ file }))));
    if (s) done(s, t("adminPeople.settings.logoSaved"));
  }

  async function removeLogo() {
    setSaved(null);
    const s = await logo.run(() => call(props.api.DELETE("/api/v1/commune/settings/logo")));
    if (s) done(s, t("adminPeople.settings.logoRemoved"));
  }

  return (
    <Section title={t("adminPeople.settings.title")}>
      {saved && <Notice kind="ok">{saved}</Notice>}
      <form class="card" onSubmit={submit} aria-label={t("adminPeople.settings.title")}>
        <ErrorNotice error={save.error} />
        <div class="grid2">
          <Field
            label={t("adminPeople.settings.displayName")}
            name="display_name"
            maxLength={200}
            hint={t("adminPeople.settings.displayNameHint", { name: current.official_name })}
            value={form.display_name}
            onInput={set("display_name")}
          />
          <div class="field">
            <label for="sc-color">{t("adminPeople.settings.color")}</label>
            <div class="row">
              <input
                id="sc-color"
                type="color"
                class="swatch"
                value={form.primary_color || DEFAULT_COLOR}
                onInput={set("primary_color")}
                aria-describedby="sc-color-hint"
              />
              <input
                name="primary_color"
                aria-label={t("adminPeople.settings.colorCode")}
                pattern="#[0-9A-Fa-f]{6}"
                placeholder={DEFAULT_COLOR}
                value={form.primary_color}
                onInput={set("primary_color")}
                style={{ maxWidth: "9rem" }}
              />
            </div>
            <small id="sc-color-hint">{t("adminPeople.settings.colorHint")}</small>
          </div>
          <Field label={t("adminPeople.settings.phone")} name="contact_phone" type="tel" inputMode="tel" value={form.contact_phone} onInput={set("contact_phone")} />
          <Field label={t("adminPeople.settings.email")} name="contact_email" type="email" value={form.contact_email} onInput={set("contact_email")} />
        </div>
        <Field label={t("adminPeople.settings.address")} name="address" maxLength={300} value={form.address} onInput={set("address")} />
        <TextArea
          label={t("adminPeople.settings.hours")}
          name="office_hours"
          maxLength={500}
          hint={t("adminPeople.settings.hoursHint")}
          value={form.office_hours}
          onInput={set("office_hours")}
        />
        <div class="field">
          <label for="sc-reports-public">{t("publicSite.reportsPublicAfter")}</label>
          <select id="sc-reports-public" name="reports_public_after" value={form.reports_public_after} onChange={set("reports_public_after")} aria-describedby="sc-reports-public-hint">
            <option value="accepted">{t("publicSite.reportsPublicAfter.accepted")}</option>
            <option value="submitted">{t("publicSite.reportsPublicAfter.submitted")}</option>
          </select>
          <small id="sc-reports-public-hint">{t("publicSite.reportsPublicAfterHint")}</small>
        </div>
        <p>
          <a href={`${props.baseUrl}/`}>{t("publicSite.open")}</a>
        </p>
        <button type="submit" class="primary" disabled={save.busy}>
          {t("common.save")}
        </button>
        {current.updated_at && (
          <p class="muted">{t("adminPeople.settings.updated", { at: formatDateTime(current.updated_at), by: current.updated_by ?? "—" })}</p>
        )}
      </form>
      <div class="card">
        <h2>{t("adminPeople.settings.logo")}</h2>
        <ErrorNotice error={logo.error} />
        {current.logo_url ? (
          <img class="logo-preview" src={`${props.baseUrl}${current.logo_url}`} alt={t("adminPeople.settings.logoAlt")} />
        ) : (
          <p class="muted">{t("adminPeople.settings.noLogo")}</p>
        )}
        <div class="field">
          <label for="sc-logo">{t("adminPeople.settings.logoUpload")}</label>
          <input
            id="sc-logo"
            type="file"
            accept="image/png,image/jpeg,image/webp"
            disabled={logo.busy}
            onChange={(e) => void upload(e.currentTarget.files?.[0])}
          />
          <small>{t("adminPeople.settings.logoHint")}</small>
        </div>
        {current.has_logo && (
          <button type="button" class="danger" disabled={logo.busy} onClick={() => void removeLogo()}>
            {t("adminPeople.settings.logoRemove")}
          </button>
        )}
      </div>
    </Section>
  );
}
