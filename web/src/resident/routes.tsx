// The resident app's screens. Only home (with the inbox) and login are in the first load; every other
// screen is fetched with import() when first opened, which keeps the initial JS small on slow networks.
import type { ComponentType } from "preact";
import { useState } from "preact/hooks";
import { NetworkError } from "../api/client";
import type { MessageKey } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { ErrorNotice, Loading } from "../ui/components";
import type { IconName } from "./icons";
import type { ScreenProps } from "./screen";

type Loader = () => Promise<{ default: ComponentType<ScreenProps> }>;

export interface ScreenDef {
  /** First path segment, e.g. "/reports" for #/reports and #/reports/12. */
  path: string;
  label: MessageKey;
  icon: IconName;
  load: Loader;
  /** The commune module it belongs to: hidden when the commune has turned that module off. */
  module?: string;
}

export const REPORT_NEW: ScreenDef = { path: "/report", label: "resident.nav.report", icon: "camera", module: "reports", load: () => import("./ReportPage") };
export const MY_REPORTS: ScreenDef = { path: "/reports", label: "resident.nav.myReports", icon: "list", module: "reports", load: () => import("./MyReports") };

/** In the order of the home grid. */
export const SCREENS: ScreenDef[] = [
  REPORT_NEW,
  MY_REPORTS,
  { path: "/surveys", module: "surveys", label: "resident.nav.surveys", icon: "chart", load: () => import("./SurveysPage") },
  { path: "/fees", module: "fees", label: "resident.nav.fees", icon: "wallet", load: () => import("./FeesPage") },
  { path: "/procedures", module: "procedures", label: "resident.nav.procedures", icon: "columns", load: () => import("./ProceduresPage") },
  { path: "/applications", module: "procedures", label: "resident.nav.applications", icon: "folder", load: () => import("./ApplicationsPage") },
  { path: "/contacts", label: "resident.nav.contacts", icon: "phone", load: () => import("./ContactsPage") },
  { path: "/library", label: "resident.nav.library", icon: "book", load: () => import("./LibraryPage") },
  { path: "/listings", module: "listings", label: "resident.nav.listings", icon: "bag", load: () => import("./ListingsPage") },
  { path: "/trace", module: "traceability", label: "resident.nav.trace", icon: "search", load: () => import("./TracePage") },
];

/** Whether the commune offers the screen (a profile saved before modules existed lists none: show all). */
export function offered(screen: Pick<ScreenDef, "module">, modules: readonly string[] | undefined): boolean {
  return !screen.module || !modules || modules.includes(screen.module);
}

export function matchScreen(route: string): { screen: ScreenDef; params: string[] } | null {
  const [first, ...rest] = route.replace(/^\/+/, "").split("/");
  const screen = SCREENS.find((s) => s.path === `/${first}`);
  if (!screen) return null;
  const params = rest.filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { screen, params };
}

const loaded = new Map<Loader, ComponentType<ScreenProps>>();

/** Renders a lazily loaded screen; a chunk that cannot be fetched (offline, not yet cached) offers a retry. */
export function LazyScreen({ screen, props }: { screen: ScreenDef; props: ScreenProps }) {
  const [attempt, setAttempt] = useState(0);
  const ready = loaded.get(screen.load);
  const mod = useAsync(async () => {
    if (ready) return ready;
    const m = await screen.load().catch((e: unknown) => {
      throw new NetworkError(String(e));
    });
    loaded.set(screen.load, m.default);
    return m.default;
  }, [screen.load, attempt]);
  const Screen = ready ?? mod.data;
  if (Screen) return <Screen {...props} />;
  if (mod.error) return <ErrorNotice error={mod.error} onRetry={() => setAttempt((n) => n + 1)} />;
  return <Loading />;
}
