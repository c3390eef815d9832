import type { catalogueVi } from "./catalogue.vi";

// English strings of the catalogue screens and the shared date field; same keys as catalogue.vi.ts.
export const catalogueEn: Record<keyof typeof catalogueVi, string> = {
  "catalogue.date.hint": "Day/month/year, e.g. {example}",
  "catalogue.dateTime.hint": "Day/month/year hour:minute, e.g. {example}",
  "catalogue.date.invalid": "Invalid date: enter it as day/month/year.",
  "catalogue.dateTime.invalid": "Invalid date and time: enter it as day/month/year hour:minute.",
  "catalogue.date.placeholder": "dd/mm/yyyy",
  "catalogue.dateTime.placeholder": "dd/mm/yyyy hh:mm",
};
