import type { adminPeopleVi } from "./adminPeople.vi";

// English strings of the commune admin: settings, people, announcements, reports, surveys, procedures; same keys as adminPeople.vi.ts (a missing key is a compile error).
export const adminPeopleEn: Record<keyof typeof adminPeopleVi, string> = {
};
