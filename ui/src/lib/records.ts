// A record that linkage names (an own testimony or a received record), read the way
// the app shows it elsewhere, and its values as a reviewer reads them.
import { ipc, type Member, type Template } from "./ipc";
import type { Field } from "./bindings/Field";
import type { JsonValue } from "./bindings/serde_json/JsonValue";
import { display, label, type Values } from "./form";
import { isPseudonym } from "./persons";
import { go } from "./route.svelte";

export interface LoadedRecord {
  fields: Values;
  template: Template | undefined;
  /** A received record pseudonymised by its sender. */
  redacted: boolean;
}

/** Reads the version linkage counted: `show` for an own testimony, `show_received` else. */
export async function loadRecord(m: Member, templates: readonly Template[]): Promise<LoadedRecord> {
  if (m.source.kind === "own") {
    const r = await ipc.show(m.id, m.version);
    return { fields: r.fields as Values, template: templates.find((x) => x.id === r.template), redacted: false };
  }
  const r = await ipc.showReceived(m.id, m.version, m.source.sender_key_id);
  return {
    fields: r.record.body.fields as Values,
    template: templates.find((x) => x.id === r.record.body.template),
    redacted: r.record.redacted,
  };
}

/** Opens a record as the rest of the app does (a testimony, or a received record). */
export function openMember(m: Member): void {
  if (m.source.kind === "own") go({ name: "testimony", id: m.id });
  else go({ name: "received", id: m.id, version: m.version, sender: m.source.sender_key_id });
}

/** A field of a template by id, at the top level. */
export function fieldOf(template: Template | undefined, id: string): Field | undefined {
  for (const s of template?.sections ?? []) {
    const f = s.fields.find((x) => x.id === id);
    if (f) return f;
  }
  return undefined;
}

export interface Shown {
  text: string;
  /** Nothing recorded, or hidden by the sender: shown in the page's own words. */
  kind: "value" | "missing" | "redacted";
}

/**
 * A value as a reviewer reads it: options by their labels, lists item by item; a
 * pseudonym never appears (`redacted` replaces it, also inside list items).
 */
export function shownValue(
  field: Field | undefined,
  v: JsonValue | undefined,
  words: { lang: string; yes: string; no: string; missing: string; redacted: string },
): Shown {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "") || (Array.isArray(v) && v.length === 0)) {
    return { text: words.missing, kind: "missing" };
  }
  if (isPseudonym(v)) return { text: words.redacted, kind: "redacted" };
  if (!field) return { text: typeof v === "object" ? JSON.stringify(v) : String(v), kind: "value" };
  if (field.type === "list" && Array.isArray(v)) {
    const items = v.map((item) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) return isPseudonym(item) ? words.redacted : String(item);
      return (field.fields ?? [])
        .filter((sub) => item[sub.id] !== undefined)
        .map((sub) => {
          const value = item[sub.id];
          const text = isPseudonym(value) ? words.redacted : display(sub, value, words.lang, words.yes, words.no);
          return `${label(sub.label, words.lang)}: ${text}`;
        })
        .join("; ");
    });
    return { text: items.join("\n"), kind: "value" };
  }
  return { text: display(field, v, words.lang, words.yes, words.no), kind: "value" };
}
