import type { publicSiteVi } from "./publicSite.vi";

// English strings about the commune's public presence; same keys as publicSite.vi.ts (a missing key is a compile error).
export const publicSiteEn: Record<keyof typeof publicSiteVi, string> = {
  "publicSite.reportsPublicAfter": "New reports become public (list, map, Open311)",
  "publicSite.reportsPublicAfter.accepted": "Once the commune has accepted them (recommended)",
  "publicSite.reportsPublicAfter.submitted": "As soon as a resident sends them",
  "publicSite.reportsPublicAfterHint": "A report not yet accepted may hold wrong or private information.",
  "publicSite.open": "The commune's public pages",
};
