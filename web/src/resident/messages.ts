// The strings of this app's screens (the shared ones are loaded by i18n itself).
import { addMessages } from "../i18n";
import { residentEn } from "../i18n/areas/resident.en";
import { residentVi } from "../i18n/areas/resident.vi";
import { messagesEn } from "../i18n/areas/messages.en";
import { messagesVi } from "../i18n/areas/messages.vi";

addMessages({ ...residentVi, ...messagesVi }, { ...residentEn, ...messagesEn });
