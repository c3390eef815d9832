import { baseEn } from "./areas/base.en";
import { providerEn } from "./areas/provider.en";
import { adminPeopleEn } from "./areas/adminPeople.en";
import { adminOpsEn } from "./areas/adminOps.en";
import { residentEn } from "./areas/resident.en";
import { qualityEn } from "./areas/quality.en";
import { publicSiteEn } from "./areas/publicSite.en";
import { camerasEn } from "./areas/cameras.en";
import { messagesEn } from "./areas/messages.en";
import { mapPickerEn } from "./areas/mapPicker.en";
import { catalogueEn } from "./areas/catalogue.en";
import type { MessageKey } from "./vi";

// English: the second language. The type makes a missing or extra key a compile error.
export const en: Record<MessageKey, string> = {
  ...baseEn,
  ...providerEn,
  ...adminPeopleEn,
  ...adminOpsEn,
  ...residentEn,
  ...qualityEn,
  ...publicSiteEn,
  ...camerasEn,
  ...messagesEn,
  ...mapPickerEn,
  ...catalogueEn,
};
