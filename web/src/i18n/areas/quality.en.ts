import type { qualityVi } from "./quality.vi";

// English strings of the shared by e2e/accessibility work; same keys as quality.vi.ts (a missing key is a compile error).
export const qualityEn: Record<keyof typeof qualityVi, string> = {
};
