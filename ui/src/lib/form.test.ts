import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Template } from "./bindings/Template";
import type { Field } from "./bindings/Field";
import { changedFields, display, isFilled, label, missingRequired, normalise, sectionState, toggle } from "./form";

const template: Template = JSON.parse(
  readFileSync(join(__dirname, "../../../assets/templates/istanbul-2022.json"), "utf8"),
);
const field = (id: string): Field => {
  const f = template.sections.flatMap((s) => s.fields).find((x) => x.id === id);
  if (!f) throw new Error(id);
  return f;
};

describe("the Istanbul Protocol template as a form", () => {
  it("counts a body map filled once it has a mark or a region's examination", () => {
    const map = field("injury_map");
    expect(isFilled({ figure: "female", marks: [], regions: {}, last: 2 }, map)).toBe(false);
    expect(isFilled({ marks: [], regions: { groin: "declined" } }, map)).toBe(true);
    expect(isFilled({ marks: [{ n: 1, view: "front", region: "groin", x: 0.5, y: 0.5 }], regions: {} }, map)).toBe(true);
  });

  it("has every field labelled in three languages", () => {
    for (const s of template.sections) {
      for (const f of s.fields) {
        for (const lang of ["en", "ru", "kk"]) expect(label(f.label, lang).length, `${f.id} ${lang}`).toBeGreaterThan(0);
      }
    }
  });

  it("lists the required fields that block sealing, in template order", () => {
    const missing = missingRequired(template, {});
    expect(missing).toEqual(template.sections.flatMap((s) => s.fields.filter((f) => f.required).map((f) => f.id)));
    expect(missing).toContain("interview_datetime");
    const filled = Object.fromEntries(missing.map((id) => [id, field(id).type === "multi_choice" ? ["beating"] : "x"]));
    expect(missingRequired(template, filled)).toEqual([]);
  });

  it("counts a section's filled and missing fields", () => {
    const interview = template.sections[0];
    if (!interview) throw new Error("no section");
    const st = sectionState(interview, { interview_place: "Алматы", interviewers: "  " });
    expect(st.filled).toBe(1);
    expect(st.missingRequired).toContain("interviewers");
    expect(st.missingRequired).not.toContain("interview_place");
  });
});

describe("values", () => {
  it("normalises empty input to no value", () => {
    expect(normalise(field("interview_place"), "   ")).toBeNull();
    expect(normalise(field("interview_place"), "Қарағанды")).toBe("Қарағанды");
    expect(normalise(field("age"), "34")).toBe(34);
    expect(normalise(field("age"), "34,5")).toBe(34.5);
    expect(normalise(field("age"), "")).toBeNull();
    expect(normalise(field("methods"), [])).toBeNull();
    expect(normalise(field("removed_from_hospital"), null)).toBeNull();
    expect(normalise(field("removed_from_hospital"), false)).toBe(false);
  });

  it("keeps approximate dates as typed", () => {
    expect(normalise(field("events_date"), "2022-01")).toBe("2022-01");
    expect(normalise(field("events_date"), "2022")).toBe("2022");
  });

  it("drops empty list items and empty sub-fields", () => {
    const perps = field("perpetrators");
    const sub = perps.fields?.[0]?.id ?? "";
    expect(normalise(perps, [{}, { [sub]: "" }])).toBeNull();
    expect(normalise(perps, [{ [sub]: "knb" }, {}])).toEqual([{ [sub]: "knb" }]);
  });

  it("toggles checklist options", () => {
    expect(toggle(["a"], "b", true)).toEqual(["a", "b"]);
    expect(toggle(["a", "b"], "a", false)).toEqual(["b"]);
    expect(toggle(null, "a", true)).toEqual(["a"]);
  });

  it("sends only what changed, and null for what was cleared", () => {
    expect(changedFields({ a: "1", b: ["x"], c: true }, { a: "1", b: ["x", "y"], d: 3 })).toEqual({ b: ["x", "y"], c: null, d: 3 });
    expect(changedFields({ a: "1" }, { a: "1" })).toEqual({});
  });

  it("counts whitespace as empty", () => {
    expect(isFilled(" ")).toBe(false);
    expect(isFilled(false)).toBe(true);
    expect(isFilled([])).toBe(false);
  });

  it("shows option labels in the reader's language", () => {
    const methods = field("methods");
    const first = methods.options?.[0];
    if (!first) throw new Error("no options");
    expect(display(methods, [first.id], "kk", "Иә", "Жоқ")).toBe(first.label.kk);
    expect(display(field("removed_from_hospital"), true, "ru", "Да", "Нет")).toBe("Да");
  });
});
