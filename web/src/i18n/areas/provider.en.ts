import type { providerVi } from "./provider.vi";

// English strings of the provider console (map, wizard, rollouts, fleet health, billing); same keys as provider.vi.ts (a missing key is a compile error).
export const providerEn: Record<keyof typeof providerVi, string> = {
};
