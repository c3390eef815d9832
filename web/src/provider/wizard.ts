// The onboarding wizard's state, its checks per step and the run spec it sends (pure, tested alone).
import type { Schemas } from "../api/client";
import type { MessageKey } from "../i18n";

export type Official = Schemas["OfficialCommuneOut"];
export type RunSpec = Schemas["RunSpec"];

export interface CameraRow {
  name: string;
  location: string;
  stream_url: string;
  username: string;
  password: string;
}

export interface DeviceRow {
  uid: string;
  serial: string;
  name: string;
  profile: string;
  location: string;
}

export interface WizardState {
  commune: Official | null;
  slug: string;
  template: string;
  plan: string;
  adminName: string;
  adminPhone: string;
  adminEmail: string;
  cameras: CameraRow[];
  devices: DeviceRow[];
}

export const STEPS = ["commune", "template", "admin", "equipment", "review"] as const;
export type Step = (typeof STEPS)[number];

export const emptyWizard = (): WizardState => ({
  commune: null,
  slug: "",
  template: "base",
  plan: "standard",
  adminName: "",
  adminPhone: "",
  adminEmail: "",
  cameras: [],
  devices: [],
});

export const emptyCamera = (): CameraRow => ({ name: "", location: "", stream_url: "", username: "", password: "" });
export const emptyDevice = (): DeviceRow => ({ uid: "", serial: "", name: "", profile: "", location: "" });

const PHONE = /^(\+84|0)\d{9,10}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/; // registry.SLUG_RE
const STREAM = /^(rtsps?|https?):\/\/\S{3,}$/i;
const UID = /^[A-Za-z0-9_-]{1,64}$/;

/** What keeps the user on `step`, as message keys (empty: they may go on). */
export function problems(step: Step, s: WizardState): MessageKey[] {
  const out: MessageKey[] = [];
  if (step === "commune" && !s.commune) out.push("provider.wizard.needCommune");
  if (step === "template") {
    if (s.slug.trim() && !SLUG.test(s.slug.trim())) out.push("provider.wizard.badSlug");
    if (!s.template) out.push("provider.wizard.needTemplate");
  }
  if (step === "admin") {
    if (!s.adminName.trim()) out.push("provider.wizard.needAdminName");
    if (s.adminPhone.trim() && !PHONE.test(s.adminPhone.replace(/[\s.]/g, ""))) out.push("provider.wizard.badPhone");
    if (s.adminEmail.trim() && !EMAIL.test(s.adminEmail.trim())) out.push("provider.wizard.badEmail");
  }
  if (step === "equipment") {
    if (s.cameras.some((c) => !c.name.trim() || !STREAM.test(c.stream_url.trim()))) out.push("provider.wizard.badCamera");
    if (s.devices.some((d) => !UID.test(d.uid.trim()) || !d.serial.trim() || !d.name.trim() || !d.profile.trim())) {
      out.push("provider.wizard.badDevice");
    }
    const uids = s.devices.map((d) => d.uid.trim());
    if (new Set(uids).size !== uids.length) out.push("provider.wizard.duplicateDevice");
  }
  if (step === "review") for (const st of STEPS.slice(0, -1)) out.push(...problems(st, s));
  return out;
}

const orNull = (v: string) => v.trim() || null;

/** The body of POST /api/provider/v1/provisioning/communes. */
export function toRunSpec(s: WizardState): RunSpec {
  if (!s.commune) throw new Error("no commune picked");
  return {
    commune_code: s.commune.code,
    province_code: s.commune.province_code,
    slug: orNull(s.slug),
    template: s.template,
    plan: s.plan.trim() || "standard",
    admin: { name: s.adminName.trim(), phone: orNull(s.adminPhone.replace(/[\s.]/g, "")), email: orNull(s.adminEmail) },
    cameras: s.cameras.map((c) => ({
      name: c.name.trim(),
      location: c.location.trim(),
      stream_url: c.stream_url.trim(),
      username: orNull(c.username),
      password: c.password || null,
    })),
    devices: s.devices.map((d) => ({
      uid: d.uid.trim(),
      serial: d.serial.trim(),
      name: d.name.trim(),
      profile: d.profile.trim(),
      location: d.location.trim(),
    })),
  };
}
