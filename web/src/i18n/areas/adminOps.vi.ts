// Vietnamese strings of the commune admin: cameras, devices, production, fees, dashboard and criteria.
export const adminOpsVi = {
} as const;
