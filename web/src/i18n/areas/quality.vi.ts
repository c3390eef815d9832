// Vietnamese strings of the shared by e2e/accessibility work.
export const qualityVi = {
} as const;
