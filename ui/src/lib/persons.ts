// Counting each survivor once, apart from the DOM: which fields a reviewer compares,
// how a reason reads (for or against), which decision is in force on a pair and which
// may be undone, the order of the persons list, and the review keys. Tested without a
// window (persons.test.ts).
import type { Decision } from "./bindings/Decision";
import type { Feature } from "./bindings/Feature";
import type { PairView } from "./bindings/PairView";
import type { Person } from "./bindings/Person";
import type { Reason } from "./bindings/Reason";
import type { Verdict } from "./bindings/Verdict";
import type { JsonValue } from "./bindings/serde_json/JsonValue";

/**
 * The fields a reviewer sees side by side, in order: the ones linkage compares (with the
 * feature it scores them by) and two that help a person decide (linkage ignores them).
 */
export const COMPARED: readonly { field: string; feature: Feature | null }[] = [
  { field: "full_name", feature: "name" },
  { field: "birth_date", feature: "birth_date" },
  { field: "age", feature: "age" },
  { field: "gender", feature: "sex" },
  { field: "events_region", feature: "region" },
  { field: "events_date", feature: "events_date" },
  { field: "person_code", feature: "person_code" },
  { field: "interview_datetime", feature: null },
  { field: "detention_places", feature: null },
];

/** What a reason says: for one person, against, neither (a weight of zero), or no comparison. */
export type Tone = "agree" | "disagree" | "neutral" | "none";

export function toneOf(r: Reason | undefined): Tone {
  if (!r) return "none";
  return r.weight > 0 ? "agree" : r.weight < 0 ? "disagree" : "neutral";
}

/** The pair's verdict on one feature, if linkage compared it. */
export function reasonFor(pair: PairView, feature: Feature | null): Reason | undefined {
  return feature === null ? undefined : pair.reasons.find((r) => r.feature === feature);
}

/**
 * Whether a stored value is a sender's pseudonym rather than the value: a redacted
 * record carries `~` and hex digits for every identifying field (a name, a date of
 * birth), and "(redacted)" for free text that could name people. Never shown as a name.
 */
export function isPseudonym(v: JsonValue | undefined): boolean {
  if (typeof v !== "string") return false;
  const s = v.trim();
  return /^~[0-9a-f]{8,}$/i.test(s) || s === "(redacted)";
}

/** An unordered pair of records as one key. */
export function pairKey(a: string, b: string): string {
  return a <= b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * The decision in force on each pair: its latest decision that no undo took back (an
 * undo brings the one before it back). The same rule as kua-analysis's `in_force`.
 */
export function inForce(decisions: readonly Decision[]): Map<string, Decision> {
  const undone = new Set(decisions.flatMap((d) => (d.undoes ? [d.undoes] : [])));
  const out = new Map<string, Decision>();
  for (const d of [...decisions].sort((x, y) => x.number - y.number)) {
    if (d.verdict !== null && !undone.has(d.id)) out.set(pairKey(d.a, d.b), d);
  }
  return out;
}

/**
 * Where a decision stands: an undo; undone by a later undo; in force on its pair; or
 * replaced by a later decision on the same pair.
 */
export type DecisionState = "undo" | "undone" | "in_force" | "replaced";

export function decisionState(d: Decision, all: readonly Decision[], force = inForce(all)): DecisionState {
  if (d.verdict === null) return "undo";
  if (all.some((x) => x.undoes === d.id)) return "undone";
  return force.get(pairKey(d.a, d.b))?.id === d.id ? "in_force" : "replaced";
}

/** Only a decision in force may be undone here (an undo is decided again instead). */
export function undoable(d: Decision, all: readonly Decision[], force = inForce(all)): boolean {
  return decisionState(d, all, force) === "in_force";
}

/** The number of the decision an undo takes back, when it is among `all`. */
export function undoneNumber(d: Decision, all: readonly Decision[]): number | null {
  return d.undoes === null ? null : (all.find((x) => x.id === d.undoes)?.number ?? null);
}

export interface PersonFilter {
  /** Only persons with more than one record. */
  linked: boolean;
  /** Only persons flagged for a reviewer's look. */
  flagged: boolean;
}

/**
 * The persons list as shown: flagged persons first, then persons of several records,
 * then the rest, each group in the shell's order (of their earliest record).
 */
export function orderPersons(persons: readonly Person[], filter: PersonFilter): Person[] {
  const rank = (p: Person) => (p.flags.length > 0 ? 0 : p.records.length > 1 ? 1 : 2);
  return persons
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => (!filter.linked || p.records.length > 1) && (!filter.flagged || p.flags.length > 0))
    .sort((x, y) => rank(x.p) - rank(y.p) || x.i - y.i)
    .map(({ p }) => p);
}

/** How many records the persons hold. */
export function recordCount(persons: readonly Person[]): number {
  return persons.reduce((n, p) => n + p.records.length, 0);
}

/**
 * The verdict a key asks for: S, D or U. The physical key counts (so that a Russian or
 * Kazakh layout works too), or the letter typed.
 */
export function verdictOfKey(e: { key: string; code: string }): Verdict | null {
  const code: Record<string, Verdict> = { KeyS: "same", KeyD: "different", KeyU: "unsure" };
  const fromCode = code[e.code];
  if (fromCode) return fromCode;
  const key: Record<string, Verdict> = { s: "same", d: "different", u: "unsure" };
  return key[e.key.toLowerCase()] ?? null;
}

/** Whether a key press is typing into something (a note, a field), not a command. */
export function isTyping(target: EventTarget | null): boolean {
  if (typeof HTMLElement === "undefined" || !(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}
