// Vietnamese strings of the provider console (map, wizard, rollouts, fleet health, billing).
export const providerVi = {
} as const;
