// The commune's colour and logo on the admin console's title bar and buttons (GET /public/commune/branding).
import { useEffect } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";

export type Branding = Schemas["CommuneBranding"];
const EVENT = "sc-branding";

/** Put the colour in `--brand` and the logo in `--sc-logo` on <html>; null restores the defaults. */
export function applyBranding(branding: Pick<Branding, "primary_color" | "logo_url"> | null, baseUrl = ""): void {
  const root = document.documentElement;
  if (branding?.primary_color) root.style.setProperty("--brand", branding.primary_color);
  else root.style.removeProperty("--brand");
  if (branding?.logo_url) {
    root.style.setProperty("--sc-logo", `url("${baseUrl}${branding.logo_url}")`);
    root.classList.add("has-logo");
  } else {
    root.style.removeProperty("--sc-logo");
    root.classList.remove("has-logo");
  }
}

/** Tell the shell the settings changed (the settings screen calls it after saving). */
export function brandingChanged(): void {
  dispatchEvent(new Event(EVENT));
}

/** Load and apply the branding; again whenever `brandingChanged()` is called. Failures keep the defaults. */
export function useBranding(api: Api, baseUrl: string): void {
  useEffect(() => {
    let live = true;
    const load = () =>
      call(api.GET("/api/v1/public/commune/branding")).then(
        (b) => live && applyBranding(b, baseUrl),
        () => undefined,
      );
    void load();
    addEventListener(EVENT, load);
    return () => {
      live = false;
      removeEventListener(EVENT, load);
      applyBranding(null);
    };
  }, [api, baseUrl]);
}
