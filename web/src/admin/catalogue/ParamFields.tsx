import type { Schemas } from "../../api/client";
import { t } from "../../i18n";
import { Field, SelectField } from "../../ui/components";

type ParamSpec = Schemas["ParamSpec"];
export type ParamValue = number | string | boolean;

/** The display name of a profile's field, command or parameter (its technical name when unnamed). */
export const specLabel = (spec: { name?: string; label?: string | null } | undefined, fallback: string) => spec?.label || fallback;

/** Typed inputs for a command's parameters, from the profile (issue 15: a rule had no field for `minutes`). */
export function ParamFields(props: { params: Record<string, ParamSpec>; values: Record<string, string>; onChange: (values: Record<string, string>) => void; skip?: string[]; prefix?: string }) {
  const entries = Object.entries(props.params).filter(([name]) => !props.skip?.includes(name));
  const set = (name: string, value: string) => props.onChange({ ...props.values, [name]: value });
  return (
    <>
      {entries.map(([name, p]) => {
        const title = p.unit ? `${p.label || name} (${p.unit})` : p.label || name;
        const key = `${props.prefix ?? "param"}-${name}`;
        if (p.type === "boolean") {
          return (
            <SelectField
              key={key}
              label={title}
              name={key}
              value={props.values[name] ?? ""}
              onChange={(e) => set(name, e.currentTarget.value)}
              options={[
                { value: "", label: t("catalogue.param.choose") },
                { value: "true", label: t("catalogue.param.yes") },
                { value: "false", label: t("catalogue.param.no") },
              ]}
            />
          );
        }
        const numeric = p.type !== "text";
        const range = [p.min != null ? t("catalogue.param.min", { n: p.min }) : "", p.max != null ? t("catalogue.param.max", { n: p.max }) : ""].filter(Boolean).join(", ");
        return (
          <Field
            key={key}
            label={title}
            name={key}
            type={numeric ? "number" : "text"}
            step={p.type === "integer" ? 1 : "any"}
            min={numeric ? (p.min ?? undefined) : undefined}
            max={numeric ? (p.max ?? undefined) : undefined}
            required={p.required ?? true}
            hint={range || undefined}
            value={props.values[name] ?? ""}
            onInput={(e) => set(name, e.currentTarget.value)}
          />
        );
      })}
    </>
  );
}

/** The typed values to send: numbers as numbers, yes/no as booleans; empty ones left out. */
export function paramValues(params: Record<string, ParamSpec>, raw: Record<string, string>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value.trim() === "" || !(name in params)) continue;
    const type = params[name].type ?? "number";
    out[name] = type === "boolean" ? value === "true" : type === "text" ? value.trim() : Number(value);
  }
  return out;
}

export const paramText = (values: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, String(v)]));
