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
 * investigating judge's ruling) only once that one was taken. kua-case refuses any
 * other (`impossible_step`, `no_open_complaint`).
 */
export function allowedSteps(course: Course, at: Position): StepKind[] {
  return course.steps.filter((k) => {
    if (k.from.length === 0 && k.answers.length === 0 && k.after.length === 0) return false;
    if (k.from.length > 0 && !k.from.includes(at.state)) return false;
    if (k.answers.length > 0 && !at.steps.some((s) => s.open && !s.voided && k.answers.includes(s.step))) return false;
    if (k.after.length > 0 && !at.steps.some((s) => !s.voided && k.after.includes(s.step))) return false;
    return true;
  });
}

export const needsGround = (k: StepKind | undefined): boolean => !!k?.needs.includes("ground");
export const needsOutcome = (k: StepKind | undefined): boolean => !!k?.needs.includes("outcome");

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
