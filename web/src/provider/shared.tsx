import { call, type Api, type Schemas } from "../api/client";
import { t, type MessageKey } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { SelectField } from "../ui/components";
import provinces from "./provinces.json";

export type Template = Schemas["TemplateOut"];
export const PROVINCES: { code: number; name: string }[] = provinces;
export const FINAL_RUN_STATUSES = ["succeeded", "failed", "cancelled"];

/** The templates the platform ships (`base` alone when the list cannot be read). */
export function useTemplates(api: Api) {
  const state = useAsync(() => call(api.GET("/api/provider/v1/provisioning/templates")), [api]);
  const names = state.data?.map((tpl) => tpl.name) ?? ["base"];
  return { templates: state.data ?? [], names, error: state.error };
}

export function templateOptions(templates: Template[], names: string[]) {
  const titles = new Map(templates.map((tpl) => [tpl.name, tpl.title]));
  return names.map((name) => ({ value: name, label: titles.get(name) ?? name }));
}

export function ProvinceSelect(props: { value: string; onChange: (value: string) => void; allLabel?: string; name?: string }) {
  return (
    <SelectField
      label={t("communes.province")}
      name={props.name ?? "province"}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      options={[{ value: "", label: props.allLabel ?? t("common.all") }, ...PROVINCES.map((p) => ({ value: String(p.code), label: p.name }))]}
    />
  );
}

/** A translated label for a known value, the raw value otherwise (statuses the UI does not know yet). */
export function known(prefix: string, value: string | null | undefined): string {
  if (!value) return "";
  const key = `${prefix}.${value}` as MessageKey;
  const text = t(key);
  return text === key ? value : text;
}

export function RunStatusBadge({ status }: { status: string }) {
  const tone = status === "succeeded" ? "active" : status === "failed" || status === "cancelled" ? "suspended" : "";
  return <span class={`badge ${tone}`}>{known("provider.run", status)}</span>;
}
