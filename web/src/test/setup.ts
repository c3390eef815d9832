// Tests render single screens without their app's entry: give them every area's strings.
import { addMessages } from "../i18n";
import { en } from "../i18n/en";
import { vi } from "../i18n/vi";

addMessages(vi, en);
