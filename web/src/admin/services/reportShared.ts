// Field-report states and the moves between them (mirrors smartcommune.platform.reports.service.TRANSITIONS).
import type { Schemas } from "../../api/client";

export type Report = Schemas["ReportOut"];
export const BOARD_COLUMNS = ["new", "accepted", "in_progress", "resolved", "done"] as const;
export const DONE = ["closed", "rejected", "duplicate"];
export const TRANSITIONS: Record<string, string[]> = {
  new: ["accepted", "rejected", "duplicate"],
  accepted: ["in_progress", "resolved", "rejected", "duplicate"],
  in_progress: ["resolved"],
  resolved: ["closed", "in_progress"],
};
const DAY_MS = 24 * 3600_000;

export type Sla = "overdue" | "due_soon" | "on_time" | "done";

/** Where a report stands against its deadline: overdue, due within a day, on time, or no longer open. */
export function slaState(r: Pick<Report, "status" | "overdue" | "sla_due_at">, now = Date.now()): Sla {
  if (r.status === "resolved" || DONE.includes(r.status)) return "done";
  if (r.overdue || new Date(r.sla_due_at).getTime() < now) return "overdue";
  return new Date(r.sla_due_at).getTime() - now < DAY_MS ? "due_soon" : "on_time";
}

export function columnOf(status: string): (typeof BOARD_COLUMNS)[number] {
  return DONE.includes(status) ? "done" : ((BOARD_COLUMNS as readonly string[]).includes(status) ? status : "new") as (typeof BOARD_COLUMNS)[number];
}

/** Overdue first, then by deadline. */
export function bySla(a: Report, b: Report): number {
  const rank = (r: Report) => ["overdue", "due_soon", "on_time", "done"].indexOf(slaState(r));
  return rank(a) - rank(b) || new Date(a.sla_due_at).getTime() - new Date(b.sla_due_at).getTime();
}
