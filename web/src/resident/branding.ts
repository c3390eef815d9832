// The commune's colour, logo and display name in the resident app (issue 14: branding never reached it).
// Read from the public branding endpoint, remembered for offline starts, applied as the admin console does.
import { useEffect, useState } from "preact/hooks";
import { call, type Api } from "../api/client";
import { applyBranding, type Branding } from "../admin/people/branding";

const KEY = "sc.branding.";

function remembered(slug: string): Branding | null {
  try {
    const raw = localStorage.getItem(KEY + slug);
    return raw ? (JSON.parse(raw) as Branding) : null;
  } catch {
    return null;
  }
}

function themeColor(color: string | null | undefined): void {
  const meta = document.querySelector('meta[name="theme-color"]');
  if (meta && color) meta.setAttribute("content", color);
}

/** The branding (null until known); the colour and logo are put on <html> at once (from the last visit). */
export function useResidentBranding(api: Api, baseUrl: string, slug: string): Branding | null {
  const [branding, setBranding] = useState<Branding | null>(() => remembered(slug));
  useEffect(() => {
    let live = true;
    const cached = remembered(slug);
    if (cached) {
      applyBranding(cached, baseUrl);
      themeColor(cached.primary_color);
    }
    call(api.GET("/api/v1/public/commune/branding")).then(
      (b) => {
        if (!live) return;
        localStorage.setItem(KEY + slug, JSON.stringify(b));
        applyBranding(b, baseUrl);
        themeColor(b.primary_color);
        setBranding(b);
      },
      () => undefined, // offline or an old server: keep what we had
    );
    return () => {
      live = false;
    };
  }, [api, baseUrl, slug]);
  return branding;
}
