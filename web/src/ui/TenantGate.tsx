import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { ApiError, call, makeApi, type Schemas } from "../api/client";
import { t, useLang } from "../i18n";
import { appUrlForSlug, tenantFromPath } from "../lib/tenant";
import { useAsync } from "../lib/useAsync";
import { ErrorNotice, Field, Loading, Shell } from "./components";

export type Commune = Schemas["CommuneProfile"];
const CACHE_KEY = "sc.commune.";

/**
 * Resolve the commune of this address (GET {prefix}/api/v1/commune, public) before rendering `children`.
 * The profile is remembered so the resident app can open offline.
 */
export function TenantGate(props: {
  title: string;
  fetch?: typeof fetch;
  pathname?: string;
  children: (commune: Commune, baseUrl: string) => ComponentChildren;
}) {
  useLang();
  const pathname = props.pathname ?? location.pathname;
  const where = tenantFromPath(pathname);
  const origin = typeof location !== "undefined" ? location.origin : "";
  const baseUrl = origin + where.prefix;
  const api = useMemo(() => makeApi({ baseUrl, fetch: props.fetch }), [baseUrl, props.fetch]);
  const cacheKey = CACHE_KEY + (where.slug ?? location.host);
  const profile = useAsync(async () => {
    try {
      const c = await call(api.GET("/api/v1/commune"));
      localStorage.setItem(cacheKey, JSON.stringify(c));
      return c;
    } catch (e) {
      const saved = !(e instanceof ApiError) && localStorage.getItem(cacheKey);
      if (saved) return JSON.parse(saved) as Commune;
      throw e;
    }
  }, [api]);

  if (profile.data) return <>{props.children(profile.data, baseUrl)}</>;
  return (
    <Shell title={props.title} subtitle={t("app.brand")}>
      {profile.loading ? (
        <Loading />
      ) : profile.error instanceof ApiError && profile.error.status === 404 ? (
        <ChooseCommune pathname={pathname} unknown={where.slug !== null} />
      ) : (
        <ErrorNotice error={profile.error} onRetry={profile.reload} />
      )}
    </Shell>
  );
}

function ChooseCommune({ pathname, unknown }: { pathname: string; unknown: boolean }) {
  const [slug, setSlug] = useState("");
  return (
    <form
      class="card narrow"
      onSubmit={(e) => {
        e.preventDefault();
        if (slug.trim()) location.assign(appUrlForSlug(pathname, slug));
      }}
    >
      <h1>{t("tenant.missing")}</h1>
      {unknown && <p class="notice error">{t("tenant.notFound")}</p>}
      <p>{t("tenant.missingHelp")}</p>
      <Field label={t("tenant.slug")} name="slug" required value={slug} onInput={(e) => setSlug(e.currentTarget.value)} />
      <button type="submit" class="primary">
        {t("tenant.open")}
      </button>
    </form>
  );
}
