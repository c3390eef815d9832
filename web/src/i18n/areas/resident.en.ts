import type { residentVi } from "./resident.vi";

// English strings of the resident app screens; same keys as resident.vi.ts (a missing key is a compile error).
export const residentEn: Record<keyof typeof residentVi, string> = {
};
