// A lawyer's cases without a window, against the real course table: the local day, which
// steps are offered from each state (kua-case's rule), labels in the reader's language,
// deadlines by urgency, notes hidden or shown, and what an error says.
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Course } from "./bindings/Course";
import type { Deadline } from "./bindings/Deadline";
import type { StepView } from "./bindings/StepView";
import {
  allowedSteps, caseErrorText, codeLabel, correctable, correctionOf, deadlineWhat, dueGroups, isDay, latestReceived, localDay, needsGround,
  needsOutcome, notesCount, optional, outcomeRowLabel, refileable, shownNotes, shownRows, stateLabel, stepFields, stepKind, stepLabel, urgent,
  voidOf, voidable, type Position, answerable, outcomesOf } from "./cases";
import { setLang, t } from "./i18n.svelte";

const COURSE = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "assets", "cases", "course.json"), "utf8")) as Course;
// The table leaves out empty lists; the shell's serde fills them in.
for (const k of COURSE.steps) {
  k.from ??= [];
  k.needs ??= [];
  k.answers ??= [];
  k.after ??= [];
  k.outcomes ??= [];
  k.opens ??= false;
  k.to ??= null;
}

type Taken = Pick<StepView, "step" | "voided" | "open">;
const at = (state: string, steps: Taken[] = []): Position => ({ state, steps });
const codes = (p: Position) => allowedSteps(COURSE, p).map((k) => k.code);

/** Takes `code` as kua-case's fold does: moves the state, opens or answers a complaint. */
function take(p: Position, code: string): Position {
  const k = stepKind(COURSE, code);
  if (!k) throw new Error(`no step ${code}`);
  const steps = p.steps.map((s) => ({ ...s }));
  if (k.answers.length > 0) {
    const open = [...steps].reverse().find((s) => s.open && k.answers.includes(s.step));
    if (open) open.open = false;
  }
  steps.push({ step: code, voided: false, open: k.opens });
  return { state: k.to ?? p.state, steps };
}

afterEach(() => setLang("en"));

describe("the local day", () => {
  it("is the calendar's day where the user is, padded", () => {
    expect(localDay(new Date(2024, 0, 5, 23, 59))).toBe("2024-01-05");
    expect(localDay(new Date(2024, 11, 31, 0, 0))).toBe("2024-12-31");
  });

  it("is what kua-case accepts as a day, and nothing else", () => {
    expect(isDay(localDay())).toBe(true);
    expect(isDay("2024-02-29")).toBe(true);
    expect(isDay("2023-02-29")).toBe(false);
    expect(isDay("2024-1-05")).toBe(false);
    expect(isDay("2024-01")).toBe(false);
    expect(isDay("15.03.2024")).toBe(false);
  });
});

describe("the steps offered", () => {
  it("start with the complaint", () => {
    expect(COURSE.initial).toBe("documented");
    expect(codes(at("documented"))).toEqual(["complaint_filed"]);
  });

  it("from every state are its main steps and the complaints beside it, as the table says", () => {
    for (const s of COURSE.states) {
      const offered = allowedSteps(COURSE, at(s.code));
      const expected = COURSE.steps.filter((k) => k.from.includes(s.code)).map((k) => k.code);
      expect(offered.map((k) => k.code), s.code).toEqual(expected);
      // Nothing that answers a complaint, or must follow one, while none was made.
      expect(offered.some((k) => k.answers.length > 0 || k.after.length > 0), s.code).toBe(false);
    }
  });

  it("never offer a verdict during the investigation", () => {
    const during = codes(at("investigation"));
    expect(during).not.toContain("verdict");
    expect(during).not.toContain("complaint_decided");
    expect(during).toContain("sent_to_court");
    expect(during).toContain("terminated");
    expect(during).toContain("complaint_to_judge");
  });

  it("offer a complaint's decision only while one is open, and the appeal of a judge's ruling only after the judge ruled", () => {
    let p = at("terminated", [{ step: "terminated", voided: false, open: false }]);
    expect(codes(p)).not.toContain("complaint_decided");
    expect(codes(p)).not.toContain("judge_ruling_appealed");
    p = take(p, "complaint_to_judge");
    expect(codes(p)).toContain("complaint_decided");
    expect(codes(p)).not.toContain("judge_ruling_appealed");
    p = take(p, "complaint_decided");
    expect(codes(p)).not.toContain("complaint_decided");
    expect(codes(p)).toContain("judge_ruling_appealed");
    // The appeal is a complaint too: its decision is offered again.
    p = take(p, "judge_ruling_appealed");
    expect(codes(p)).toContain("complaint_decided");
    // A complaint voided (recorded by mistake) opens nothing.
    const voided = at("terminated", [{ step: "complaint_to_judge", voided: true, open: false }]);
    expect(codes(voided)).not.toContain("judge_ruling_appealed");
    expect(codes(voided)).not.toContain("complaint_decided");
  });

  it("follow a whole course: complaint, registration, victim, termination, the judge, reinstatement, court", () => {
    const path: [string, string][] = [
      ["complaint_filed", "complaint_filed"],
      ["registered", "registered"],
      ["victim_recognised", "investigation"],
      ["terminated", "terminated"],
      ["complaint_to_judge", "terminated"],
      ["complaint_decided", "terminated"],
      ["reinstated", "investigation"],
      ["sent_to_court", "sent_to_court"],
    ];
    let p = at(COURSE.initial);
    for (const [step, state] of path) {
      expect(codes(p), `${step} from ${p.state}`).toContain(step);
      p = take(p, step);
      expect(p.state).toBe(state);
    }
    // The judge's ruling can still be appealed: the complaint to the judge was decided.
    expect(codes(p)).toEqual(["trial_started", "judge_ruling_appealed"]);
  });

  it("offer only a step's own outcomes, and name the complaint a decision answers when several wait", () => {
    const verdict = outcomesOf(COURSE, stepKind(COURSE, "verdict")).map((o) => o.code);
    expect(verdict).toEqual(["conviction", "acquittal"]);
    const decided = stepKind(COURSE, "complaint_decided");
    expect(outcomesOf(COURSE, decided).map((o) => o.code)).toEqual(["granted", "partly_granted", "refused"]);
    const steps = [
      { entry: "a", step: "complaint_to_prosecutor", open: true, voided: false },
      { entry: "b", step: "complaint_to_judge", open: true, voided: false },
      { entry: "c", step: "complaint_to_judge", open: false, voided: false },
      { entry: "d", step: "complaint_to_judge", open: true, voided: true },
    ];
    expect(answerable(decided, steps).map((s) => s.entry)).toEqual(["a", "b"]);
    expect(answerable(stepKind(COURSE, "registered"), steps)).toEqual([]);
  });

  it("ask for a ground on termination and an outcome on decisions", () => {
    expect(needsGround(stepKind(COURSE, "terminated"))).toBe(true);
    expect(needsOutcome(stepKind(COURSE, "terminated"))).toBe(false);
    expect(needsOutcome(stepKind(COURSE, "complaint_decided"))).toBe(true);
    expect(needsOutcome(stepKind(COURSE, "verdict"))).toBe(true);
    expect(needsGround(stepKind(COURSE, "registered"))).toBe(false);
    expect(needsOutcome(undefined)).toBe(false);
  });
});

describe("labels", () => {
  it("come from the course table in the reader's language", () => {
    expect(stateLabel(COURSE, "registered", "ru")).toBe("Зарегистрировано в ЕРДР");
    expect(stateLabel(COURSE, "registered", "kk")).toBe("СДТБТ-да тіркелді");
    expect(stepLabel(COURSE, "complaint_to_judge", "en")).toMatch(/investigating judge/);
    expect(codeLabel(COURSE.grounds, "no_elements", "ru")).toMatch(/состава/);
  });

  it("fall back to English, then to the code", () => {
    expect(stateLabel(COURSE, "registered", "de")).toBe("Registered in the ERDR");
    expect(codeLabel(COURSE.outcomes, "unheard_of", "ru")).toBe("unheard_of");
    expect(codeLabel(COURSE.outcomes, null, "ru")).toBe("");
  });

  it("name what a deadline is about by its kind", () => {
    expect(deadlineWhat(COURSE, { kind: "step", what: "terminated" }, "en")).toBe(stepLabel(COURSE, "terminated", "en"));
    expect(deadlineWhat(COURSE, { kind: "petition", what: "cctv_seizure" }, "ru")).toBe("Изъять записи видеонаблюдения");
    expect(deadlineWhat(COURSE, { kind: "evidence", what: "cctv" }, "kk")).toBe("Бейнебақылау жазбасы");
  });
});

function due(caseId: string, entry: string, days: number): Deadline {
  return {
    case: caseId, client: "c", title: null, kind: "petition", entry, what: "other", about: null, due: "2024-01-01", days,
    status: days < 0 ? "overdue" : days === 0 ? "today" : "upcoming",
  };
}

describe("deadlines", () => {
  it("are grouped overdue, today, upcoming, the most overdue and the soonest first", () => {
    const groups = dueGroups([due("b", "1", 5), due("a", "2", -1), due("a", "3", 0), due("b", "4", -10), due("a", "5", 2)]);
    expect(groups.map((g) => g.status)).toEqual(["overdue", "today", "upcoming"]);
    expect(groups[0]?.items.map((d) => d.entry)).toEqual(["4", "2"]);
    expect(groups[2]?.items.map((d) => d.entry)).toEqual(["5", "1"]);
    expect(dueGroups([due("a", "1", 3)]).map((g) => g.status)).toEqual(["upcoming"]);
    expect(dueGroups([])).toEqual([]);
  });

  it("make the app open on them only when one is overdue or due today", () => {
    expect(urgent([due("a", "1", 4)])).toBe(false);
    expect(urgent([])).toBe(false);
    expect(urgent([due("a", "1", 4), due("a", "2", 0)])).toBe(true);
    expect(urgent([due("a", "1", -3)])).toBe(true);
  });
});

describe("privileged notes", () => {
  it("are a count unless their text was asked for", () => {
    expect(shownNotes(3)).toBeNull();
    expect(notesCount(3)).toBe(3);
    const shown = [{ id: "n", created: "", updated: "", text: "x", sealed: false, history: [] }];
    expect(shownNotes(shown)).toBe(shown);
    expect(notesCount(shown)).toBe(1);
  });
});

describe("petitions and records", () => {
  it("a refused petition may be filed again, once", () => {
    const refused = { entry: "d", petition: "p", date: "2024-01-02", decision: "refused", note: null, document: null };
    expect(refileable({ decision: refused, refiled_by: null })).toBe(true);
    expect(refileable({ decision: refused, refiled_by: "q" })).toBe(false);
    expect(refileable({ decision: { ...refused, decision: "granted" }, refiled_by: null })).toBe(false);
    expect(refileable({ decision: null, refiled_by: null })).toBe(false);
  });

  it("a received record is offered once, at its latest version", () => {
    const m = latestReceived([{ id: "r", version: 1 }, { id: "r", version: 3 }, { id: "s", version: 1 }, { id: "r", version: 2 }]);
    expect([...m.keys()]).toEqual(["r", "s"]);
    expect(m.get("r")?.version).toBe(3);
  });

  it("optional text is trimmed, and empty is none", () => {
    expect(optional("  ")).toBeNull();
    expect(optional(undefined)).toBeNull();
    expect(optional(" 146 ")).toBe("146");
  });
});

/** A step as the file shows it, with only what matters here given. */
function view(entry: string, step: string, over: Partial<StepView> = {}): StepView {
  const k = stepKind(COURSE, step);
  return {
    entry, recorded: "2024-03-01T10:00:00Z", track: k?.track ?? "main", before: "", after: "", corrections: [], voided: false, open: !!k?.opens,
    step, date: "2024-03-01", body: null, number: null, article: null, document: null, deadline: null, ground: null, outcome: null, note: null,
    corrects: null, void: false, answers: null, ...over,
  };
}

describe("correcting and voiding steps", () => {
  // The course of the e2e case: registered, victim, terminated, a complaint to the judge
  // decided, reinstated, sent to court.
  const course = [
    view("e1", "complaint_filed"),
    view("e2", "registered", { number: "247500031000123", article: "146", body: "ДП Алматы", deadline: "2024-03-10", note: "x" }),
    view("e3", "victim_recognised"),
    view("e4", "terminated", { ground: "no_elements" }),
    view("e5", "complaint_to_judge", { open: false }),
    view("e6", "complaint_decided", { outcome: "granted" }),
    view("e7", "reinstated"),
    view("e8", "sent_to_court"),
  ];

  it("any step in force can be corrected; a voided one cannot", () => {
    expect(course.every(correctable)).toBe(true);
    expect(correctable(view("v", "registered", { voided: true }))).toBe(false);
  });

  it("only the latest step of the course in force can be voided, with the complaints beside it still open and their decisions", () => {
    const offered = course.filter((s) => voidable(COURSE, course, s)).map((s) => s.entry);
    // The complaint to the judge was decided: its decision is voided first.
    expect(offered).toEqual(["e6", "e8"]);
    // Once the latest is voided, the step before it in the course is the latest.
    const after = course.map((s) => (s.entry === "e8" ? { ...s, voided: true } : s));
    expect(after.filter((s) => voidable(COURSE, after, s)).map((s) => s.entry)).toEqual(["e6", "e7"]);
    // An open complaint can be voided; a voided step never again.
    const open = [...course, view("e9", "complaint_to_prosecutor", { open: true })];
    expect(open.filter((s) => voidable(COURSE, open, s)).map((s) => s.entry)).toEqual(["e6", "e8", "e9"]);
    expect(voidable(COURSE, after, after[7] as StepView)).toBe(false);
  });

  it("a correction keeps the step's code and every field it is not given anew", () => {
    const registered = course[1] as StepView;
    const fields = stepFields(registered);
    expect(fields.number).toBe("247500031000123");
    expect(fields.ground).toBe("");
    const same = correctionOf(registered, fields);
    expect(same).toEqual({
      step: "registered", date: "2024-03-01", body: "ДП Алматы", number: "247500031000123", article: "146", document: null, deadline: "2024-03-10",
      ground: null, outcome: null, note: "x", corrects: "e2", void: false, answers: null,
    });
    const fixed = correctionOf(registered, { ...fields, number: " 247500031000999 ", note: "  " });
    expect(fixed.number).toBe("247500031000999");
    expect(fixed.note).toBeNull();
    expect(fixed.step).toBe("registered");
    // A termination's ground comes along, changed or not.
    expect(correctionOf(course[3] as StepView, stepFields(course[3] as StepView)).ground).toBe("no_elements");
  });

  it("a void names the step, keeps its code, says nothing else, and is dated today", () => {
    const v = voidOf(course[7] as StepView, "2024-04-02");
    expect(v).toMatchObject({ step: "sent_to_court", date: "2024-04-02", corrects: "e8", void: true, ground: null, outcome: null, number: null });
  });
});

describe("complaints counted", () => {
  it("are labelled by the course, the not-recorded row by the course's own words", () => {
    expect(outcomeRowLabel(COURSE, "states", "terminated", "ru")).toBe(stateLabel(COURSE, "terminated", "ru"));
    expect(outcomeRowLabel(COURSE, "grounds", "no_elements", "kk")).toBe(codeLabel(COURSE.grounds, "no_elements", "kk"));
    expect(outcomeRowLabel(COURSE, "grounds", "not_recorded", "ru")).toBe("Нет сведений");
    expect(outcomeRowLabel(COURSE, "grounds", "not_recorded", "kk")).toBe("Мәлімет жоқ");
  });

  it("show the rows counted, and the not-recorded row always; every row when asked", () => {
    const rows = [{ code: "a", count: 0 }, { code: "b", count: 2 }, { code: "not_recorded", count: 0 }];
    expect(shownRows(rows, false).map((r) => r.code)).toEqual(["b", "not_recorded"]);
    expect(shownRows(rows, true)).toEqual(rows);
  });
});

describe("errors", () => {
  const err = (code: string) => ({ code, message: "the shell's words, never shown" });

  it("an impossible step names the stage and what the course allows from it, in the reader's language", () => {
    setLang("ru");
    const text = caseErrorText(err("impossible_step"), COURSE, at("investigation"), "ru");
    expect(text).toContain("«Досудебное расследование (признан потерпевшим)»");
    expect(text).toContain(stepLabel(COURSE, "sent_to_court", "ru"));
    expect(text).toContain(stepLabel(COURSE, "complaint_to_judge", "ru"));
    expect(text).not.toContain(stepLabel(COURSE, "verdict", "ru"));
    expect(text).not.toContain("shell");
    setLang("kk");
    expect(caseErrorText(err("impossible_step"), COURSE, at("registered"), "kk")).toContain(stepLabel(COURSE, "victim_recognised", "kk"));
  });

  it("an impossible step with nothing allowed says so; without the case, it says what it can", () => {
    const table = { ...COURSE, steps: COURSE.steps.filter((k) => !k.from.includes("trial")) };
    expect(caseErrorText(err("impossible_step"), table, at("trial"), "en")).toBe(t("case-error-impossible-step-none", { state: "Trial" }));
    expect(caseErrorText(err("impossible_step"), null, null, "en")).toBe(t("error-impossible-step"));
  });

  it("dates and codes read as a case's; the other codes as everywhere", () => {
    expect(caseErrorText(err("bad_date"), COURSE, null, "en")).toBe(t("case-error-bad-date"));
    expect(caseErrorText(err("bad_date"), COURSE, null, "en")).not.toBe(t("error-bad-date"));
    expect(caseErrorText(err("unknown_code"), COURSE, null, "en")).toBe(t("case-error-unknown-code"));
    expect(caseErrorText(err("note_sealed"), COURSE, null, "en")).toBe(t("error-note-sealed"));
    // A correction the case refuses (voiding a step that is not the latest) says so.
    expect(caseErrorText(err("bad_correction"), COURSE, at("investigation"), "en")).toBe(t("error-bad-correction"));
    expect(caseErrorText(err("no_such_code_anywhere"), COURSE, null, "en")).toBe(t("error-unknown", { code: "no_such_code_anywhere" }));
    expect(caseErrorText(new Error("boom"), COURSE, null, "en")).toBe(t("error-unknown", { code: "?" }));
  });
});
