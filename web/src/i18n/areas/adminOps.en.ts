import type { adminOpsVi } from "./adminOps.vi";

// English strings of the commune admin: cameras, devices, production, fees, dashboard and criteria; same keys as adminOps.vi.ts (a missing key is a compile error).
export const adminOpsEn: Record<keyof typeof adminOpsVi, string> = {
};
