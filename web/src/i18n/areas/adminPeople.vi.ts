// Vietnamese strings of the commune admin: settings, people, announcements, reports, surveys, procedures.
export const adminPeopleVi = {
} as const;
