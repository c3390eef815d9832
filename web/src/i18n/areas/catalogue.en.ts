import type { catalogueVi } from "./catalogue.vi";

// English strings of the catalogue screens and the shared date field; same keys as catalogue.vi.ts.
export const catalogueEn: Record<keyof typeof catalogueVi, string> = {
  "catalogue.date.hint": "Day/month/year, e.g. {example}",
  "catalogue.dateTime.hint": "Day/month/year hour:minute, e.g. {example}",
  "catalogue.date.invalid": "Invalid date: enter it as day/month/year.",
  "catalogue.dateTime.invalid": "Invalid date and time: enter it as day/month/year hour:minute.",
  "catalogue.date.placeholder": "dd/mm/yyyy",
  "catalogue.dateTime.placeholder": "dd/mm/yyyy hh:mm",
  "catalogue.param.choose": "— Choose —",
  "catalogue.param.yes": "Yes",
  "catalogue.param.no": "No",
  "catalogue.param.min": "from {n}",
  "catalogue.param.max": "to {n}",
  "catalogue.rule.noSensor": "No device measures this field yet.",
  "catalogue.history.title": "Command history",
  "catalogue.history.none": "No command sent yet.",
  "catalogue.history.when": "When",
  "catalogue.history.command": "Command",
  "catalogue.history.source": "Source",
  "catalogue.history.status": "Result",
  "catalogue.history.source.user": "Sent by hand ({who})",
  "catalogue.history.source.rule": "By a rule",
  "catalogue.history.source.schedule": "By a schedule",
  "catalogue.dev.noCommands": "This device's profile has no commands.",
};
