// Which commune an admin or resident page belongs to: the `/t/{slug}` prefix of its address, else the host
// name (`<slug>.<base domain>` or a custom domain), which the platform resolves itself.

export interface TenantLocation {
  /** The slug from a `/t/{slug}/` prefix; null when the host name decides. */
  slug: string | null;
  /** What to put before `/api/v1/...`: "/t/{slug}" or "". */
  prefix: string;
}

export function tenantFromPath(pathname: string): TenantLocation {
  const m = /^\/t\/([^/]+)\//.exec(pathname);
  if (!m) return { slug: null, prefix: "" };
  const slug = decodeURIComponent(m[1]);
  return { slug, prefix: `/t/${encodeURIComponent(slug)}` };
}

/** The address of the same app under another commune's prefix (for the "choose a commune" form). */
export function appUrlForSlug(pathname: string, slug: string): string {
  const appPath = pathname.replace(/^\/t\/[^/]+/, "");
  return `/t/${encodeURIComponent(slug.trim().toLowerCase())}${appPath}`;
}
