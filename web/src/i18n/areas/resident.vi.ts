// Vietnamese strings of the resident app screens.
export const residentVi = {
} as const;
