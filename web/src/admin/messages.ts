// The strings of this app's screens (the shared ones are loaded by i18n itself).
import { addMessages } from "../i18n";
import { adminPeopleEn } from "../i18n/areas/adminPeople.en";
import { adminPeopleVi } from "../i18n/areas/adminPeople.vi";
import { adminOpsEn } from "../i18n/areas/adminOps.en";
import { adminOpsVi } from "../i18n/areas/adminOps.vi";
import { publicSiteEn } from "../i18n/areas/publicSite.en";
import { publicSiteVi } from "../i18n/areas/publicSite.vi";
import { camerasEn } from "../i18n/areas/cameras.en";
import { camerasVi } from "../i18n/areas/cameras.vi";
import { messagesEn } from "../i18n/areas/messages.en";
import { messagesVi } from "../i18n/areas/messages.vi";
import { catalogueEn } from "../i18n/areas/catalogue.en";
import { catalogueVi } from "../i18n/areas/catalogue.vi";

addMessages(
  { ...adminPeopleVi, ...adminOpsVi, ...publicSiteVi, ...messagesVi, ...camerasVi, ...catalogueVi },
  { ...adminPeopleEn, ...adminOpsEn, ...publicSiteEn, ...messagesEn, ...camerasEn, ...catalogueEn },
);
