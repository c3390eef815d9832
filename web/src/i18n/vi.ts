// Vietnamese: the default language. Every user-facing string of web/, by area (areas/*.vi.ts); each app loads
// only the areas it shows (see i18n/index.ts `addMessages`), this whole table is for types and tests.
import { baseVi } from "./areas/base.vi";
import { providerVi } from "./areas/provider.vi";
import { adminPeopleVi } from "./areas/adminPeople.vi";
import { adminOpsVi } from "./areas/adminOps.vi";
import { residentVi } from "./areas/resident.vi";
import { qualityVi } from "./areas/quality.vi";
import { publicSiteVi } from "./areas/publicSite.vi";
import { camerasVi } from "./areas/cameras.vi";
import { messagesVi } from "./areas/messages.vi";
import { mapPickerVi } from "./areas/mapPicker.vi";
import { catalogueVi } from "./areas/catalogue.vi";

export const vi = {
  ...baseVi,
  ...providerVi,
  ...adminPeopleVi,
  ...adminOpsVi,
  ...residentVi,
  ...qualityVi,
  ...publicSiteVi,
  ...camerasVi,
  ...messagesVi,
  ...mapPickerVi,
  ...catalogueVi,
} as const;

export type MessageKey = keyof typeof vi;
