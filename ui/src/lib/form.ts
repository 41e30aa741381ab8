// How a template becomes a form, and how a form's state becomes what the core takes:
// pure functions, tested without a window (form.test.ts).
import type { Field } from "./bindings/Field";
import type { Template } from "./bindings/Template";
import type { Localized } from "./bindings/Localized";
import type { JsonValue } from "./bindings/serde_json/JsonValue";
import { isDateLang, showDate } from "./dates";

export type Values = Record<string, JsonValue>;
export type Item = Record<string, JsonValue>;

export function label(l: Localized | null | undefined, lang: string): string {
  if (!l) return "";
  return lang === "ru" ? l.ru : lang === "kk" ? l.kk : l.en;
}

/**
 * Whether a value counts as filled (the core's rule for required fields). A body map is
 * filled once it has a mark or a region's examination: a figure or a counter alone
 * records nothing.
 */
export function isFilled(v: JsonValue | undefined, field?: Field): boolean {
  if (v === null || v === undefined) return false;
  if (field?.type === "body_map" && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, JsonValue>;
    return isFilled(o.marks) || (typeof o.regions === "object" && o.regions !== null && Object.keys(o.regions).length > 0);
  }
  if (typeof v === "string") return v.trim().length > 0;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/**
 * The value an input produces, normalised: empty text is no value; numbers are numbers;
 * dates stay as typed (the core accepts YYYY, YYYY-MM and YYYY-MM-DD, since survivors
 * often remember only a month or a year).
 */
export function normalise(field: Field, raw: JsonValue | undefined): JsonValue {
  switch (field.type) {
    case "text":
    case "long_text":
    case "date":
    case "datetime":
    case "choice":
      return typeof raw === "string" && raw.trim() !== "" ? raw : null;
    case "number": {
      if (raw === null || raw === undefined || raw === "") return null;
      const n = typeof raw === "number" ? raw : Number(String(raw).replace(",", "."));
      return Number.isFinite(n) ? n : (raw as JsonValue);
    }
    case "boolean":
      return typeof raw === "boolean" ? raw : null;
    case "multi_choice":
      return Array.isArray(raw) && raw.length > 0 ? raw : null;
    case "body_map": {
      // The editor gives the map or null; a map with nothing in it is no value.
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
      const marks = (raw as Record<string, JsonValue>).marks;
      const regions = (raw as Record<string, JsonValue>).regions;
      const figure = (raw as Record<string, JsonValue>).figure;
      const some =
        (Array.isArray(marks) && marks.length > 0) ||
        (typeof regions === "object" && regions !== null && Object.keys(regions).length > 0) ||
        typeof figure === "string" ||
        typeof (raw as Record<string, JsonValue>).last === "number";
      return some ? raw : null;
    }
    case "list": {
      if (!Array.isArray(raw)) return null;
      const items = raw
        .filter((i): i is Item => typeof i === "object" && i !== null && !Array.isArray(i))
        .map((i) => compactItem(field, i))
        .filter((i) => Object.keys(i).length > 0);
      return items.length > 0 ? items : null;
    }
  }
}

function compactItem(field: Field, item: Item): Item {
  const out: Item = {};
  for (const sub of field.fields ?? []) {
    const v = normalise(sub, item[sub.id]);
    if (v !== null) out[sub.id] = v;
  }
  return out;
}

/** Toggles one option of a multi-choice value. */
export function toggle(current: JsonValue | undefined, option: string, on: boolean): string[] {
  const list = Array.isArray(current) ? current.filter((x): x is string => typeof x === "string") : [];
  const without = list.filter((x) => x !== option);
  return on ? [...without, option] : without;
}

/**
 * The `fields` of an edit: every field whose value changed, with `null` for a field
 * that was cleared (the core removes it). Unchanged fields are left out.
 */
export function changedFields(before: Values, after: Values): Values {
  const out: Values = {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of keys) {
    const a = before[k] ?? null;
    const b = after[k] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) out[k] = b;
  }
  return out;
}

export interface SectionState {
  filled: number;
  total: number;
  missingRequired: string[];
}

export function sectionState(section: Template["sections"][number], values: Values): SectionState {
  let filled = 0;
  const missingRequired: string[] = [];
  for (const f of section.fields) {
    if (isFilled(values[f.id], f)) filled++;
    else if (f.required) missingRequired.push(f.id);
  }
  return { filled, total: section.fields.length, missingRequired };
}

/** Required fields still empty, in template order: what blocks sealing. */
export function missingRequired(template: Template, values: Values): string[] {
  return template.sections.flatMap((s) => sectionState(s, values).missingRequired);
}

/** The label of a field anywhere in the template, for messages and the diff view. */
export function fieldLabel(template: Template | undefined, id: string, lang: string): string {
  if (!template) return id;
  for (const s of template.sections) {
    for (const f of s.fields) {
      if (f.id === id) return label(f.label, lang);
    }
  }
  return id;
}

/** A value as text for read-only views (sealed versions, received records). */
export function display(field: Field, v: JsonValue | undefined, lang: string, yes: string, no: string): string {
  if (v === null || v === undefined) return "";
  const opt = (id: string) => label((field.options ?? []).find((o) => o.id === id)?.label, lang) || id;
  switch (field.type) {
    case "boolean":
      return v ? yes : no;
    case "date":
    case "datetime":
      return typeof v === "string" && isDateLang(lang) ? showDate(v, lang) : String(v);
    case "choice":
      return typeof v === "string" ? opt(v) : String(v);
    case "multi_choice":
      return Array.isArray(v) ? v.map((x) => opt(String(x))).join(", ") : String(v);
    case "body_map": {
      // Shown drawn by BodyMapView; in one line, how much it holds.
      const o = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, JsonValue>) : {};
      const marks = Array.isArray(o.marks) ? o.marks.length : 0;
      const regions = typeof o.regions === "object" && o.regions !== null ? Object.keys(o.regions).length : 0;
      return `${marks} · ${regions}`;
    }
    case "list":
      return Array.isArray(v)
        ? v
            .map((item) =>
              typeof item === "object" && item !== null && !Array.isArray(item)
                ? (field.fields ?? [])
                    .filter((sub) => item[sub.id] !== undefined)
                    .map((sub) => `${label(sub.label, lang)}: ${display(sub, item[sub.id], lang, yes, no)}`)
                    .join("; ")
                : String(item),
            )
            .join(" | ")
        : String(v);
    default:
      return String(v);
  }
}
