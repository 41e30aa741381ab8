// Counting each survivor once, without a window: decisions in force and what may be
// undone (the shell's rule), reasons for and against, pseudonyms never shown as
// values, the persons list's order, the review keys, and a translation for every code
// the shell sends (features, levels, bands, flags, verdicts).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FluentResource } from "@fluent/bundle";
import type { Decision } from "./bindings/Decision";
import type { Field } from "./bindings/Field";
import type { PairView } from "./bindings/PairView";
import type { Person } from "./bindings/Person";
import {
  COMPARED, decisionState, inForce, isPseudonym, orderPersons, pairKey, reasonFor, recordCount, toneOf, undoable, undoneNumber,
  verdictOfKey,
} from "./persons";
import { shownValue } from "./records";
import { LANGUAGES, SOURCES } from "./i18n.svelte";

const A = "0b6f1e2a-1111-4222-8333-444455556666";
const B = "1c7a2f3b-2222-4333-8444-555566667777";
const C = "2d8b3a4c-3333-4444-8555-666677778888";

function decision(n: number, a: string, b: string, verdict: Decision["verdict"], undoes: string | null = null): Decision {
  return { id: `d${n}`, number: n, a, b, verdict, undoes, note: null, time: "2024-05-01T10:00:00Z" };
}

describe("decisions", () => {
  it("the latest decision on a pair is in force, whichever order its records were named in", () => {
    const all = [decision(1, A, B, "same"), decision(2, B, A, "different"), decision(3, A, C, "unsure")];
    const force = inForce(all);
    expect(force.get(pairKey(A, B))?.id).toBe("d2");
    expect(force.get(pairKey(B, A))?.id).toBe("d2");
    expect(force.get(pairKey(C, A))?.id).toBe("d3");
    expect(decisionState(all[0]!, all)).toBe("replaced");
    expect(decisionState(all[1]!, all)).toBe("in_force");
  });

  it("an undo brings the decision before it back, and only a decision in force may be undone", () => {
    const all = [decision(1, A, B, "same"), decision(2, A, B, "different"), decision(3, A, B, null, "d2")];
    expect(inForce(all).get(pairKey(A, B))?.id).toBe("d1");
    expect(all.map((d) => decisionState(d, all))).toEqual(["in_force", "undone", "undo"]);
    expect(all.map((d) => undoable(d, all))).toEqual([true, false, false]);
    expect(undoneNumber(all[2]!, all)).toBe(2);
    expect(undoneNumber(all[0]!, all)).toBeNull();
    // Every decision undone: none is in force.
    const none = [decision(1, A, B, "same"), decision(2, A, B, null, "d1")];
    expect(inForce(none).size).toBe(0);
  });
});

describe("reasons", () => {
  const pair: PairView = {
    a: { id: A, version: 1, source: { kind: "own" } },
    b: { id: B, version: 2, source: { kind: "received", sender_key_id: "ABCD", sender_name: "field-7" } },
    band: "review",
    same_person_now: false,
    decision: null,
    score: 0.87,
    hard_conflict: false,
    reasons: [
      { feature: "name", level: "exact", weight: 9.7 },
      { feature: "sex", level: "differ", weight: -4.6 },
      { feature: "age", level: "within_three_years", weight: 0 },
    ],
  };

  it("say for, against or neither, and nothing for a feature not compared", () => {
    expect(toneOf(reasonFor(pair, "name"))).toBe("agree");
    expect(toneOf(reasonFor(pair, "sex"))).toBe("disagree");
    expect(toneOf(reasonFor(pair, "age"))).toBe("neutral");
    expect(toneOf(reasonFor(pair, "birth_date"))).toBe("none");
    expect(reasonFor(pair, null)).toBeUndefined();
  });

  it("cover every feature in the comparison, and linkage's fields come first", () => {
    const features = COMPARED.flatMap((c) => (c.feature ? [c.feature] : []));
    expect(new Set(features)).toEqual(new Set(["name", "birth_date", "age", "sex", "region", "events_date", "person_code"]));
    expect(COMPARED.slice(0, 7).every((c) => c.feature !== null)).toBe(true);
  });
});

describe("pseudonyms", () => {
  const words = { lang: "en", yes: "Yes", no: "No", missing: "Not recorded", redacted: "hidden" };
  const places: Field = {
    id: "detention_places",
    type: "list",
    label: { en: "Places", ru: "Места", kk: "Орындар" },
    fields: [
      { id: "place_name", type: "text", label: { en: "Name", ru: "Название", kk: "Атауы" } },
      { id: "place_type", type: "choice", label: { en: "Type", ru: "Тип", kk: "Түрі" }, options: [{ id: "police_station", label: { en: "Police station", ru: "Отдел полиции", kk: "Полиция бөлімі" } }] },
    ],
  } as unknown as Field;

  it("are never shown as a value, not even inside a list", () => {
    expect(isPseudonym("~0123456789abcdef")).toBe(true);
    expect(isPseudonym("(redacted)")).toBe(true);
    expect(isPseudonym("Әлия Нұрланқызы")).toBe(false);
    expect(isPseudonym("~ a tilde in a name")).toBe(false);
    expect(isPseudonym(42)).toBe(false);
    expect(shownValue(undefined, "~0123456789abcdef", words)).toEqual({ text: "hidden", kind: "redacted" });
    expect(shownValue(undefined, undefined, words)).toEqual({ text: "Not recorded", kind: "missing" });
    expect(shownValue(undefined, "  ", words).kind).toBe("missing");
    const list = shownValue(places, [{ place_name: "~fedcba9876543210", place_type: "police_station" }], words);
    expect(list.text).toBe("Name: hidden; Type: Police station");
    expect(list.text).not.toContain("~");
  });
});

describe("the persons list", () => {
  const p = (id: string, n: number, flags: Person["flags"] = []): Person => ({
    id,
    records: Array.from({ length: n }, (_, i) => ({ id: `${id}-${i}`, version: 1, source: { kind: "own" } })),
    flags,
  });
  const all = [p("P-1", 1), p("P-2", 2), p("P-3", 1), p("P-4", 4, ["large"]), p("P-5", 3)];

  it("puts flagged persons first, then those of several records, each in the shell's order", () => {
    expect(orderPersons(all, { linked: false, flagged: false }).map((x) => x.id)).toEqual(["P-4", "P-2", "P-5", "P-1", "P-3"]);
    expect(orderPersons(all, { linked: true, flagged: false }).map((x) => x.id)).toEqual(["P-4", "P-2", "P-5"]);
    expect(orderPersons(all, { linked: false, flagged: true }).map((x) => x.id)).toEqual(["P-4"]);
    expect(recordCount(all)).toBe(11);
  });
});

describe("review keys", () => {
  it("answer by the physical key in any layout, or by the letter", () => {
    expect(verdictOfKey({ key: "s", code: "KeyS" })).toBe("same");
    expect(verdictOfKey({ key: "ы", code: "KeyS" })).toBe("same");
    expect(verdictOfKey({ key: "D", code: "" })).toBe("different");
    expect(verdictOfKey({ key: "u", code: "Unidentified" })).toBe("unsure");
    expect(verdictOfKey({ key: "x", code: "KeyX" })).toBeNull();
    expect(verdictOfKey({ key: "Enter", code: "Enter" })).toBeNull();
  });
});

describe("codes the shell sends", () => {
  const root = join(__dirname, "..", "..", "..");
  const literals = (file: string) => [...readFileSync(join(root, "ui/src/lib/bindings", file), "utf8").matchAll(/"([a-z_]+)"/g)].map((m) => m[1] ?? "");

  it("each have a translation in every language", () => {
    // The levels are listed in Reason's documentation, as `code`s.
    const levels = [...readFileSync(join(root, "ui/src/lib/bindings/Reason.ts"), "utf8").matchAll(/`([a-z_]+)`/g)].map((m) => m[1] ?? "");
    expect(levels).toContain("loosely_similar");
    const wanted = [
      ...literals("Feature.ts").map((f) => `persons-feature-${f}`),
      ...levels.map((l) => `persons-level-${l}`),
      ...literals("Band.ts").map((b) => `persons-band-${b}`),
      ...literals("Flag.ts").flatMap((f) => [`persons-flag-${f}`, `persons-flag-explain-${f}`]),
      ...literals("Verdict.ts").map((v) => `persons-verdict-${v}`),
      ...["in_force", "undone", "replaced", "undo"].map((s) => `persons-state-${s}`),
      ...["agree", "disagree", "neutral", "none"].map((s) => `persons-tone-${s}`),
    ];
    expect(wanted.length).toBeGreaterThan(30);
    for (const lang of LANGUAGES) {
      const keys = new Set(new FluentResource(SOURCES[lang]).body.map((m) => m.id));
      expect(wanted.filter((k) => !keys.has(k)), lang).toEqual([]);
    }
  });
});
