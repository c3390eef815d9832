// The strings of this app's screens (the shared ones are loaded by i18n itself).
import { addMessages } from "../i18n";
import { providerEn } from "../i18n/areas/provider.en";
import { providerVi } from "../i18n/areas/provider.vi";
import { camerasEn } from "../i18n/areas/cameras.en";
import { camerasVi } from "../i18n/areas/cameras.vi";

addMessages({ ...providerVi, ...camerasVi }, { ...providerEn, ...camerasEn });
