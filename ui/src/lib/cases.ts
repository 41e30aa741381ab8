// A lawyer's cases, apart from the DOM: the local day deadlines count from, labels from
// the course table in the reader's language, which steps the course allows now (the
// same rule as kua-case's record.rs), deadlines grouped by urgency, and what a case
// error says. Tested without a window (cases.test.ts).
//
// Every state, step, ground, outcome, petition, evidence and document label comes from
// the course table (`case_course`, assets/cases/course.json): nothing here names one.
import type { CaseFile } from "./bindings/CaseFile";
import type { Coded } from "./bindings/Coded";
import type { Course } from "./bindings/Course";
import type { Deadline } from "./bindings/Deadline";
import type { DueStatus } from "./bindings/DueStatus";
import type { NoteView } from "./bindings/NoteView";
import type { Notes } from "./bindings/Notes";
import type { PetitionView } from "./bindings/PetitionView";
import type { ReceivedSummary } from "./bindings/ReceivedSummary";
import type { Outcomes } from "./bindings/Outcomes";
import type { Step } from "./bindings/Step";
import type { StepKind } from "./bindings/StepKind";
import type { StepView } from "./bindings/StepView";
import { errorText, t } from "./i18n.svelte";

/** The local calendar day of `now` as YYYY-MM-DD: the day deadlines fall due on. */
export function localDay(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Whether `s` is a calendar day written YYYY-MM-DD (what the shell accepts). */
export function isDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  return date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d;
}

/** A label of the course table in `lang`, else in English, else the code itself. */
export function labelIn(labels: { [key in string]?: string } | undefined, lang: string, code = ""): string {
  return labels?.[lang] || labels?.en || code;
}

/** The label of `code` in one of the course's vocabularies. */
export function codeLabel(list: readonly Coded[], code: string | null | undefined, lang: string): string {
  if (!code) return "";
  return labelIn(list.find((c) => c.code === code)?.label, lang, code);
}

export function stepKind(course: Course, code: string): StepKind | undefined {
  return course.steps.find((k) => k.code === code);
}

export function stepLabel(course: Course, code: string, lang: string): string {
  return labelIn(stepKind(course, code)?.label, lang, code);
}

export function stateLabel(course: Course, code: string, lang: string): string {
  return codeLabel(course.states, code, lang);
}

/** What the allowed steps depend on: the case's state and the steps taken. */
export type Position = Pick<CaseFile, "state"> & { steps: Pick<StepView, "step" | "voided" | "open">[] };

/**
 * The steps the course allows now, in the table's order: those whose `from` holds the
 * state (main steps and complaints beside the course); a decision on a complaint only
 * while one it answers is open; a step that must follow another (an appeal of the
 * investigating judge's ruling) only once that one was decided. kua-case refuses any
 * other (`impossible_step`, `no_open_complaint`).
 */
export function allowedSteps(course: Course, at: Position): StepKind[] {
  return course.steps.filter((k) => {
    if (k.from.length === 0 && k.answers.length === 0 && k.after.length === 0) return false;
    if (k.from.length > 0 && !k.from.includes(at.state)) return false;
    if (k.answers.length > 0 && !at.steps.some((s) => s.open && !s.voided && k.answers.includes(s.step))) return false;
    // An appeal of the investigating judge's ruling needs the ruling: a complaint to
    // the judge that was decided.
    if (k.after.length > 0 && !at.steps.some((s) => !s.voided && !s.open && k.after.includes(s.step))) return false;
    return true;
  });
}

export const needsGround = (k: StepKind | undefined): boolean => !!k?.needs.includes("ground");

/** The outcomes a step may have: its own list, or every outcome of the course. */
export function outcomesOf(course: Course, k: StepKind | undefined): Course["outcomes"] {
  const own = k?.outcomes ?? [];
  return own.length === 0 ? course.outcomes : course.outcomes.filter((o) => own.includes(o.code));
}

/** The complaints a decision of kind `k` may answer: open, not voided, of a kind it answers. */
export function answerable<S extends Pick<StepView, "entry" | "step" | "open" | "voided">>(k: StepKind | undefined, steps: readonly S[]): S[] {
  if (!k || k.answers.length === 0) return [];
  return steps.filter((s) => s.open && !s.voided && k.answers.includes(s.step));
}
export const needsOutcome = (k: StepKind | undefined): boolean => !!k?.needs.includes("outcome");

/** A step's fields as a form edits them: text, empty for none. */
export type StepFields = Record<"date" | "body" | "number" | "article" | "document" | "deadline" | "ground" | "outcome" | "note", string>;

/** A recorded step's fields, to prefill the form that corrects it. */
export function stepFields(s: Pick<StepView, keyof StepFields>): StepFields {
  return {
    date: s.date,
    body: s.body ?? "",
    number: s.number ?? "",
    article: s.article ?? "",
    document: s.document ?? "",
    deadline: s.deadline ?? "",
    ground: s.ground ?? "",
    outcome: s.outcome ?? "",
    note: s.note ?? "",
  };
}

/** Any step not voided can be corrected: its fields replaced, its code kept. */
export function correctable(s: Pick<StepView, "voided">): boolean {
  return !s.voided;
}

/**
 * Whether a step can be voided (recorded by mistake): the latest step of the main course
 * still in force (voiding it puts the stage back), or a step beside the course: a
 * complaint still awaiting its decision, or a decision. A complaint already decided is
 * not offered: its decision is voided first. kua-case refuses other voids
 * (`bad_correction`); an earlier step of the course is corrected instead.
 */
export function voidable(
  course: Course,
  steps: readonly Pick<StepView, "entry" | "track" | "step" | "voided">[],
  s: Pick<StepView, "entry" | "track" | "step" | "voided" | "open">,
): boolean {
  if (s.voided) return false;
  if (s.track === "beside") return !stepKind(course, s.step)?.opens || s.open;
  const latest = steps.filter((x) => x.track === "main" && !x.voided).at(-1);
  return latest?.entry === s.entry;
}

/** The correction of step `entry` (its code `step`) to these fields. */
export function correctionOf(s: Pick<StepView, "entry" | "step">, f: StepFields): Step {
  return {
    step: s.step,
    date: f.date.trim(),
    body: optional(f.body),
    number: optional(f.number),
    article: optional(f.article),
    document: optional(f.document),
    deadline: optional(f.deadline),
    ground: optional(f.ground),
    outcome: optional(f.outcome),
    note: optional(f.note),
    corrects: s.entry,
    void: false,
    answers: null,
  };
}

/** The correction that voids step `entry`, recorded on `today`. */
export function voidOf(s: Pick<StepView, "entry" | "step">, today: string): Step {
  return {
    step: s.step,
    date: today,
    body: null,
    number: null,
    article: null,
    document: null,
    deadline: null,
    ground: null,
    outcome: null,
    note: null,
    corrects: s.entry,
    void: true,
    answers: null,
  };
}

/** A count's row label: a state's or a ground's, or the course's "not recorded". */
export function outcomeRowLabel(course: Course, list: "states" | "grounds", code: string, lang: string): string {
  if (code === "not_recorded" && !course[list].some((c) => c.code === code)) return labelIn(course.not_recorded, lang, code);
  return codeLabel(course[list], code, lang);
}

/** The rows of a count worth showing: every row with `empty`, else those counted, and the not-recorded row always. */
export function shownRows(rows: Outcomes["by_state"], empty: boolean): Outcomes["by_state"] {
  return empty ? rows : rows.filter((r) => r.count > 0 || r.code === "not_recorded");
}

/** The label of what a deadline is about: a step, a petition's kind or evidence's kind. */
export function deadlineWhat(course: Course, d: Pick<Deadline, "kind" | "what">, lang: string): string {
  if (d.kind === "step") return stepLabel(course, d.what, lang);
  return codeLabel(d.kind === "petition" ? course.petition_kinds : course.evidence_kinds, d.what, lang);
}

export const DUE_ORDER: readonly DueStatus[] = ["overdue", "today", "upcoming"];

/** Deadlines by urgency: overdue (the most overdue first), today, upcoming (soonest first). */
export function dueGroups(list: readonly Deadline[]): { status: DueStatus; items: Deadline[] }[] {
  const order = (a: Deadline, b: Deadline) => a.days - b.days || a.case.localeCompare(b.case) || a.entry.localeCompare(b.entry);
  return DUE_ORDER.map((status) => ({ status, items: list.filter((d) => d.status === status).sort(order) })).filter((g) => g.items.length > 0);
}

/** Whether a deadline is overdue or falls due today: the app then opens on the deadlines. */
export function urgent(list: readonly Pick<Deadline, "status">[]): boolean {
  return list.some((d) => d.status === "overdue" || d.status === "today");
}

/** The privileged notes when their text was asked for, else null. */
export function shownNotes(notes: Notes): NoteView[] | null {
  return typeof notes === "number" ? null : notes;
}

export function notesCount(notes: Notes): number {
  return typeof notes === "number" ? notes : notes.length;
}

/** The first group of an id: enough to tell testimonies and cases apart on screen. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A refused petition not yet filed again. */
export function refileable(p: Pick<PetitionView, "decision" | "refiled_by">): boolean {
  return p.decision?.decision === "refused" && !p.refiled_by;
}

/** Received records by id, each at its latest version (a client is named by id alone). */
export function latestReceived<R extends Pick<ReceivedSummary, "id" | "version">>(list: readonly R[]): Map<string, R> {
  const out = new Map<string, R>();
  for (const r of list) {
    const had = out.get(r.id);
    if (!had || r.version > had.version) out.set(r.id, r);
  }
  return out;
}

/** Optional text as the shell takes it: trimmed, empty as null. */
export function optional(s: string | null | undefined): string | null {
  const v = (s ?? "").trim();
  return v === "" ? null : v;
}

/** The deadline open on an entry (a step, a petition, a piece of evidence), if any. */
export function deadlineOf(deadlines: readonly Deadline[], entry: string): Deadline | undefined {
  return deadlines.find((d) => d.entry === entry);
}

function codeOf(e: unknown): string | null {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : null;
}

/**
 * What a failed case command says, by its code (never its message). A step the course
 * does not allow names what it does allow from where the case stands, in the course's
 * words; dates and codes read as a case's (YYYY-MM-DD, the course's lists).
 */
export function caseErrorText(e: unknown, course: Course | null, at: Position | null, lang: string): string {
  switch (codeOf(e)) {
    case "impossible_step": {
      if (!course || !at) return t("error-impossible-step");
      const state = stateLabel(course, at.state, lang);
      const allowed = allowedSteps(course, at).map((k) => labelIn(k.label, lang, k.code));
      return allowed.length > 0
        ? t("case-error-impossible-step", { state, allowed: allowed.join("; ") })
        : t("case-error-impossible-step-none", { state });
    }
    case "bad_date":
      return t("case-error-bad-date");
    case "unknown_code":
      return t("case-error-unknown-code");
    default:
      return errorText(e);
  }
}
