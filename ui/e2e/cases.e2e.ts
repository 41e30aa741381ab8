// A lawyer's cases in the real window, in Russian. A vault holding one sealed testimony
// is prepared with the `kua` command; in the window a case is opened for it and the
// course of the complaint recorded step by step (complaint → ERDR registration → victim
// → termination for want of elements of a crime → complaint to the investigating judge
// → granted → reinstated → sent to court), the stage read after each step in the course
// table's words, and only the steps the course allows offered (no verdict during the
// investigation, no complaint's decision before a complaint). Two petitions filed days
// ago fall due (one overdue, one today) and lead the deadlines view, which the app then
// opens on after an unlock. A privileged note is not on the page until "Show privileged
// notes" is switched on, and leaves it when switched off. A document goes in and a copy
// comes out through the (scripted) file dialogs. The registration's ERDR number is
// corrected (the step keeps its place, marked corrected) and the latest step voided as
// recorded by mistake (the stage goes back); the dashboard counts the complaint. The case
// then goes from the export screen to a coalition recipient, as its course alone; a
// coordinator's vault imports it with the CLI, counts it by stage, and shows it in the
// window as a copy received from the lawyer, with no form to change it. Every view is
// checked with axe-core and photographed; afterwards the CLI reads what the window
// recorded, and nothing of the note is found on disk outside the vault's ciphertext.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  kuaOn, COMPLETE, answerDialog, appProcesses, axe, click, contains, el, filesUnder, openApp, screenshot, startDriver, stopDriver, textOf, type,
  waitText, work, type Browser,
} from "./harness";

const PASS = "адвокат дело жалоба 2024 март";
const home = join(work, "cases-lawyer");
const vault = join(home, "vault.kua");
const LANG = "ru";
const TITLE = "Дело о пытках в ИВС";
const ERDR = "247500031000123";
// The number as corrected after a typo.
const ERDR_FIXED = "247500031000132";
const NOTE = "Адвокатская-Тайна-Канарейка-5174: доверитель боится давления.";
const NOTE_MORE = " Дополнено после встречи.";
const CANARY = "Тайна-Канарейка-5174";
const DOC_TEXT = "Постановление о прекращении DOC-CANARY-3307";
const docPath = join(work, "cases-src", "postanovlenie.txt");
const copyPath = join(work, "cases-out", "copy.txt");
// The coordinator's vault (made with the CLI) and what travels to it.
const COORD_PASS = "координатор счёт жалоб 2024 март";
const coordHome = join(work, "cases-coordinator");
const coordVault = join(coordHome, "vault.kua");
const bundlePath = join(work, "cases-out", "course.kua");
const lawyerPub = join(work, "cases-out", "lawyer.pub");

interface Coded { code: string; label: Record<string, string> }
const COURSE = JSON.parse(readFileSync(join(__dirname, "..", "..", "assets", "cases", "course.json"), "utf8")) as {
  states: Coded[];
  steps: Coded[];
  grounds: Coded[];
  outcomes: Coded[];
};
const label = (list: Coded[], code: string) => list.find((c) => c.code === code)?.label[LANG] ?? `?${code}`;

/** The local day, `days` from today, as the page counts it (YYYY-MM-DD). */
function day(days = 0): string {
  const now = new Date();
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A YYYY-MM-DD day as a Russian date field shows it (DD.MM.YYYY). */
function dayShown(iso: string): string {
  return iso.split("-").reverse().join(".");
}

const kua = kuaOn(vault, PASS);

/** The CLI once the window has let the vault go (the app may take a moment to exit). */
async function kuaWhenFree(args: string[]): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 40; i++) {
    try {
      return kua(args);
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw last;
}

async function kuaJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await kuaWhenFree(["--json", ...args])) as T;
}

/** The CLI on the coordinator's vault. */
const coord = kuaOn(coordVault, COORD_PASS);

interface Counted { cases: number; own: number; received: number; rows: { code: string; count: number }[] }
const counted = (s: Counted, code: string) => s.rows.find((r) => r.code === code)?.count;

const problems: string[] = [];
async function check(b: Browser, name: string): Promise<void> {
  await screenshot(b, LANG, name);
  for (const v of await axe(b)) {
    problems.push(`${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
}

/** Unlocks; `start` is the screen the app must open on. */
async function unlock(b: Browser, start: "list" | "deadlines"): Promise<void> {
  await type(b, "#passphrase", PASS);
  await click(b, "form button[type=submit]");
  await el(b, start === "list" ? "[data-testid=new-testimony]" : "[data-testid=deadlines-view]");
}

/** The step codes the form offers. */
async function offered(b: Browser): Promise<string[]> {
  return (await b.execute(() =>
    [...document.querySelectorAll("[data-testid=step-kind] option")].map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ""),
  )) as string[];
}

async function count(b: Browser, selector: string): Promise<number> {
  return (await b.execute((s: string) => document.querySelectorAll(s).length, selector)) as number;
}

const stepsShown = (b: Browser) => count(b, "[data-testid=case-step]");

async function choose(b: Browser, selector: string, value: string): Promise<void> {
  await (await el(b, selector)).selectByAttribute("value", value);
}

/** Records a step through the form and waits for the case to show it at `state`. */
async function recordStep(
  b: Browser,
  step: string,
  state: string,
  fields: { number?: string; article?: string; body?: string; ground?: string; outcome?: string } = {},
): Promise<void> {
  const before = await stepsShown(b);
  expect(await offered(b), `${step} offered`).toContain(step);
  await choose(b, "[data-testid=step-kind]", step);
  if (fields.ground) await choose(b, "[data-testid=step-ground]", fields.ground);
  if (fields.outcome) await choose(b, "[data-testid=step-outcome]", fields.outcome);
  if (fields.body) await type(b, "[data-testid=step-body]", fields.body);
  if (fields.number) await type(b, "[data-testid=step-number]", fields.number);
  if (fields.article) await type(b, "[data-testid=step-article]", fields.article);
  // The date defaults to today, the page's local day.
  // Shown in the interface's order (Russian: day.month.year), sent as ISO.
  expect(await (await el(b, "[data-testid=step-date]")).getValue()).toBe(dayShown(day()));
  await click(b, "[data-testid=step-submit]");
  await b.waitUntil(async () => (await stepsShown(b)) === before + 1, { timeout: 15_000, timeoutMsg: `${step} was not recorded` });
  await el(b, `[data-testid=case-state][data-state="${state}"]`);
  expect(await textOf(b, "[data-testid=case-state]")).toBe(label(COURSE.states, state));
  const said = label(COURSE.steps, step);
  await b.waitUntil(async () => (await (await b.$("[data-testid=step-done]")).getText()).includes(said), {
    timeout: 10_000,
    timeoutMsg: `no word that ${step} was recorded`,
  });
}

/** Whether the page holds `text` anywhere: its markup or a field's value. */
async function onPage(b: Browser, text: string): Promise<boolean> {
  return (await b.execute((t: string) => {
    const values = [...document.querySelectorAll("input, textarea")].map((f) => (f as HTMLInputElement).value);
    return document.documentElement.outerHTML.includes(t) || values.some((v) => v.includes(t));
  }, text)) as boolean;
}

let caseId = "";
let client = "";

describe("a lawyer's cases", () => {
  beforeAll(async () => {
    mkdirSync(home, { recursive: true });
    for (const d of ["cases-src", "cases-out"]) mkdirSync(join(work, d), { recursive: true });
    writeFileSync(docPath, DOC_TEXT);
    kua(["init", "--insecure-test-kdf"]);
    client = kua(["add", "-"], JSON.stringify(COMPLETE)).trim();
    kua(["seal", client]);
    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: LANG }));
    await startDriver();
  });

  afterAll(() => stopDriver());

  it("opens a case and records the course, offering only the steps the course allows", async () => {
    const b = await openApp(home);
    try {
      // No case yet: the usual start screen.
      await unlock(b, "list");
      await click(b, "button[data-nav=cases]");
      await waitText(b, "h1", /^Дела$/);
      await el(b, "[data-testid=cases-empty]");
      await check(b, "80-cases-empty");

      await click(b, "[data-testid=new-case-open]");
      await choose(b, "[data-testid=new-case-client]", client);
      await type(b, "[data-testid=new-case-title]", TITLE);
      await check(b, "81-case-new");
      await click(b, "[data-testid=new-case-submit]");
      caseId = (await (await el(b, "[data-testid=case-title]")).getAttribute("data-id")) ?? "";
      expect(caseId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await textOf(b, "[data-testid=case-title]")).toBe(TITLE);
      expect(await textOf(b, "[data-testid=case-client]")).toBe(client.slice(0, 8));
      await el(b, "[data-testid=case-state][data-state=documented]");
      expect(await textOf(b, "[data-testid=case-state]")).toBe(label(COURSE.states, "documented"));
      // From "documented" the course allows the complaint alone.
      expect(await offered(b)).toEqual(["complaint_filed"]);
      await check(b, "82-case-opened");

      await recordStep(b, "complaint_filed", "complaint_filed", { body: "Прокуратура Алматы" });
      expect(await offered(b)).not.toContain("victim_recognised");
      await recordStep(b, "registered", "registered", { number: ERDR, article: "146" });
      await recordStep(b, "victim_recognised", "investigation");
      // During the investigation: no verdict, and no complaint's decision without a complaint.
      const during = await offered(b);
      expect(during).not.toContain("verdict");
      expect(during).not.toContain("complaint_decided");
      expect(during).not.toContain("judge_ruling_appealed");
      expect(during).toContain("sent_to_court");
      await recordStep(b, "terminated", "terminated", { ground: "no_elements" });
      // A complaint beside the course: the stage stays, the complaint awaits its decision.
      await recordStep(b, "complaint_to_judge", "terminated", { body: "Следственный суд" });
      await el(b, "[data-testid=case-step][data-step=complaint_to_judge][data-open=true] [data-testid=mark-awaiting]");
      expect(await offered(b)).toContain("complaint_decided");
      await check(b, "83-case-complaint-open");
      await recordStep(b, "complaint_decided", "terminated", { outcome: "granted" });
      await el(b, "[data-testid=case-step][data-step=complaint_to_judge][data-open=false]");
      expect(await offered(b)).not.toContain("complaint_decided");
      await recordStep(b, "reinstated", "investigation");
      await recordStep(b, "sent_to_court", "sent_to_court");
      expect(await offered(b)).not.toContain("sent_to_court");

      // The timeline: every step in order, with what the decisions said.
      const order = (await b.execute(() => [...document.querySelectorAll("[data-testid=case-step]")].map((s) => s.getAttribute("data-step")))) as string[];
      expect(order).toEqual([
        "complaint_filed", "registered", "victim_recognised", "terminated", "complaint_to_judge", "complaint_decided", "reinstated", "sent_to_court",
      ]);
      expect(await textOf(b, "[data-testid=case-step][data-step=registered] [data-testid=step-shown-number]")).toBe(ERDR);
      expect(await textOf(b, "[data-testid=case-step][data-step=terminated] [data-testid=step-shown-ground]")).toBe(label(COURSE.grounds, "no_elements"));
      expect(await textOf(b, "[data-testid=case-step][data-step=complaint_decided] [data-testid=step-shown-outcome]")).toBe(label(COURSE.outcomes, "granted"));
      await check(b, "84-case-course");

      // Nothing of the case in the title or the page's storage.
      expect(await b.getTitle()).toBe("Kua");
      expect(await b.execute(() => localStorage.length + sessionStorage.length)).toBe(0);
    } finally {
      await b.deleteSession();
    }
  });

  it("lists petitions that fall due among the deadlines, and opens on them after an unlock", async () => {
    const b = await openApp(home);
    try {
      // Nothing is due yet: the usual start screen.
      await unlock(b, "list");
      await click(b, "button[data-nav=cases]");
      await click(b, `[data-testid=case-open][data-id="${caseId}"]`);
      await click(b, "[data-testid=case-tab-petitions]");

      // Filed 5 days ago, decided within 3 days: overdue by 2. Filed 3 days ago: due today.
      const petitions: [string, string, string][] = [
        ["cctv_seizure", "Изъять записи камер ИВС за 6–7 января", day(-5)],
        ["forensic_medical_exam", "Назначить судебно-медицинскую экспертизу", day(-3)],
      ];
      for (const [kind, asked, filed] of petitions) {
        const before = await count(b, "[data-testid=petition]");
        await choose(b, "[data-testid=petition-kind]", kind);
        await type(b, "[data-testid=petition-asked]", asked);
        await type(b, "[data-testid=petition-filed]", filed);
        await click(b, "[data-testid=petition-submit]");
        await b.waitUntil(async () => (await count(b, "[data-testid=petition]")) === before + 1, { timeout: 15_000, timeoutMsg: `${kind} was not filed` });
      }
      expect(await (await el(b, "[data-testid=petition][data-kind=cctv_seizure] [data-testid=petition-due]")).getAttribute("data-due")).toBe(day(-2));
      await el(b, "[data-testid=petition][data-kind=cctv_seizure] [data-testid=due-badge][data-status=overdue]");
      await el(b, "[data-testid=petition][data-kind=forensic_medical_exam] [data-testid=due-badge][data-status=today]");
      await check(b, "85-case-petitions");

      // The deadlines view: overdue first, then today.
      await click(b, "button[data-nav=deadlines]");
      const overdue = await el(b, `[data-testid=deadlines-overdue] [data-testid=deadline-row][data-case="${caseId}"][data-kind=petition]`);
      expect(await overdue.getAttribute("data-due")).toBe(day(-2));
      expect(await overdue.getAttribute("data-what")).toBe("cctv_seizure");
      const today = await el(b, `[data-testid=deadlines-today] [data-testid=deadline-row][data-case="${caseId}"][data-kind=petition]`);
      expect(await today.getAttribute("data-due")).toBe(day());
      const groups = (await b.execute(() => [...document.querySelectorAll("section[data-testid^=deadlines-]")].map((s) => s.getAttribute("data-testid")))) as string[];
      expect(groups).toEqual(["deadlines-overdue", "deadlines-today"]);
      await check(b, "86-deadlines");

      // The cases list says the same.
      await click(b, "button[data-nav=cases]");
      const row = await el(b, `[data-testid=case-row][data-id="${caseId}"]`);
      expect(await row.getAttribute("data-overdue")).toBe("1");
      expect(await row.getAttribute("data-state")).toBe("sent_to_court");
      expect(await textOf(b, `[data-testid=case-row][data-id="${caseId}"] [data-testid=case-row-state]`)).toContain(label(COURSE.states, "sent_to_court"));
      await el(b, `[data-testid=case-row][data-id="${caseId}"] [data-testid=due-badge][data-status=overdue]`);
      await check(b, "87-cases-list");

      // A deadline opens its case.
      await click(b, "button[data-nav=deadlines]");
      await click(b, `[data-testid=deadlines-overdue] [data-testid=deadline-row][data-case="${caseId}"] [data-testid=deadline-open]`);
      await el(b, `[data-testid=case-title][data-id="${caseId}"]`);

      // Locked and unlocked: something is overdue, so the app opens on the deadlines.
      await click(b, "[data-testid=lock]");
      await el(b, "#passphrase");
      await unlock(b, "deadlines");
      await el(b, `[data-testid=deadlines-overdue] [data-testid=deadline-row][data-case="${caseId}"]`);
      expect(await (await el(b, "button[data-nav=deadlines]")).getAttribute("aria-current")).toBe("page");
    } finally {
      await b.deleteSession();
    }
  });

  it("keeps privileged notes off the page until they are shown, and drops them when hidden", async () => {
    const b = await openApp(home);
    try {
      await unlock(b, "deadlines");
      await click(b, `[data-testid=deadline-open]`);
      await el(b, `[data-testid=case-title][data-id="${caseId}"]`);
      await click(b, "[data-testid=case-tab-notes]");
      expect(await (await el(b, "[data-testid=notes-count]")).getAttribute("data-count")).toBe("0");
      expect(await (await el(b, "[data-testid=notes-toggle]")).getAttribute("aria-pressed")).toBe("false");

      await type(b, "[data-testid=note-new]", NOTE);
      await click(b, "[data-testid=note-submit]");
      await b.waitUntil(async () => (await (await b.$("[data-testid=notes-count]")).getAttribute("data-count")) === "1", {
        timeout: 15_000,
        timeoutMsg: "the note was not counted",
      });
      // Written, counted, and nowhere on the page.
      expect(await b.$("[data-testid=note-text]").isExisting()).toBe(false);
      expect(await onPage(b, CANARY)).toBe(false);
      await check(b, "88-case-notes-hidden");

      // Shown on purpose.
      await click(b, "[data-testid=notes-toggle]");
      expect(await waitText(b, "[data-testid=note-text]", new RegExp(CANARY))).toBe(NOTE);
      expect(await (await el(b, "[data-testid=notes-toggle]")).getAttribute("aria-pressed")).toBe("true");
      // A draft gets a new text (the old one stays in its history), then is sealed.
      await click(b, "[data-testid=note-edit]");
      await type(b, "[data-testid=note-edit-text]", NOTE + NOTE_MORE);
      await click(b, "[data-testid=note-edit-save]");
      await waitText(b, "[data-testid=note-text]", /Дополнено/);
      await el(b, "[data-testid=note-history]");
      await click(b, "[data-testid=note-seal]");
      await click(b, "[data-testid=note-seal-confirm]");
      await el(b, "[data-testid=note][data-sealed=true]");
      expect(await b.$("[data-testid=note-edit]").isExisting()).toBe(false);
      await check(b, "89-case-notes-shown");

      // Hidden again: the text leaves the page.
      await click(b, "[data-testid=notes-toggle]");
      await b.waitUntil(async () => !(await b.$("[data-testid=notes-list]").isExisting()), { timeout: 10_000, timeoutMsg: "the notes stayed" });
      expect(await onPage(b, CANARY)).toBe(false);
      expect(await (await el(b, "[data-testid=notes-count]")).getAttribute("data-count")).toBe("1");
      expect(await b.execute(() => localStorage.length + sessionStorage.length)).toBe(0);
    } finally {
      await b.deleteSession();
    }
  });

  it("adds a document through the file dialog and saves a copy of it", async () => {
    const b = await openApp(home);
    try {
      await unlock(b, "deadlines");
      await click(b, "button[data-nav=cases]");
      await click(b, `[data-testid=case-open][data-id="${caseId}"]`);
      await click(b, "[data-testid=case-tab-documents]");
      await choose(b, "[data-testid=document-kind]", "decision");
      await type(b, "[data-testid=document-title]", "Постановление о прекращении");
      await type(b, "[data-testid=document-date]", day(-10));
      answerDialog([docPath]);
      await click(b, "[data-testid=document-add]");
      await el(b, "[data-testid=case-document][data-kind=decision]");
      await check(b, "90-case-documents");

      answerDialog([copyPath]);
      await click(b, "[data-testid=case-document-save]");
      await b.waitUntil(async () => existsSync(copyPath) && readFileSync(copyPath, "utf8") === DOC_TEXT, { timeout: 15_000, timeoutMsg: "no copy was saved" });

      // The document can be named by a step's decision now.
      await click(b, "[data-testid=case-tab-course]");
      await el(b, "#step-kind");
      await check(b, "91-case-course-with-document");
    } finally {
      await b.deleteSession();
    }
  });

  it("corrects the registration's ERDR number and voids the latest step, which puts the stage back", async () => {
    const b = await openApp(home);
    try {
      await unlock(b, "deadlines");
      await click(b, "button[data-nav=cases]");
      await click(b, `[data-testid=case-open][data-id="${caseId}"]`);
      await el(b, "[data-testid=case-timeline]");
      // Every step in force can be corrected; only the latest step of the course and the
      // decision beside it can be voided (the complaint it decided is not, while decided).
      expect(await count(b, "[data-testid=case-step] [data-testid=step-correct]")).toBe(8);
      const voidable = (await b.execute(() =>
        [...document.querySelectorAll("[data-testid=case-step]")].filter((li) => li.querySelector("[data-testid=step-void]")).map((li) => li.getAttribute("data-step")),
      )) as string[];
      expect(voidable).toEqual(["complaint_decided", "sent_to_court"]);

      // The correction form opens with the step's fields; the number is typed over.
      const registered = "[data-testid=case-step][data-step=registered]";
      await click(b, `${registered} [data-testid=step-correct]`);
      const number = await el(b, `${registered} [data-testid=correct-number]`);
      expect(await number.getValue()).toBe(ERDR);
      expect(await (await el(b, `${registered} [data-testid=correct-article]`)).getValue()).toBe("146");
      expect(await (await el(b, `${registered} [data-testid=correct-date]`)).getValue()).toBe(dayShown(day()));
      await check(b, "92-case-correct");
      await number.setValue(ERDR_FIXED);
      await click(b, `${registered} [data-testid=correct-submit]`);
      await el(b, `${registered}[data-corrected=true] [data-testid=mark-corrected]`);
      await waitText(b, `${registered} [data-testid=step-shown-number]`, new RegExp(`^${ERDR_FIXED}$`));
      await waitText(b, "[data-testid=timeline-done]", /Исправлено/);
      expect(await b.$(`${registered} [data-testid=correct-form]`).isExisting()).toBe(false);
      // The step kept its place, and the stage did not move.
      const order = (await b.execute(() => [...document.querySelectorAll("[data-testid=case-step]")].map((s) => s.getAttribute("data-step")))) as string[];
      expect(order[1]).toBe("registered");
      expect(await (await el(b, "[data-testid=case-state]")).getAttribute("data-state")).toBe("sent_to_court");

      // The latest step voided, once confirmed: the case goes back to the investigation.
      const court = "[data-testid=case-step][data-step=sent_to_court]";
      await click(b, `${court} [data-testid=step-void]`);
      await el(b, `${court} [data-testid=void-confirm]`);
      expect(await textOf(b, `${court} [data-testid=void-confirm-box]`)).toContain(label(COURSE.states, "investigation"));
      await check(b, "93-case-void-confirm");
      await click(b, `${court} [data-testid=void-confirm]`);
      await el(b, "[data-testid=case-state][data-state=investigation]");
      expect(await textOf(b, "[data-testid=case-state]")).toBe(label(COURSE.states, "investigation"));
      await el(b, `${court}[data-void=true] [data-testid=mark-void]`);
      // It stays in the course, with no action left; the step before it is now the latest.
      expect(await stepsShown(b)).toBe(8);
      expect(await b.$(`${court} [data-testid=step-correct]`).isExisting()).toBe(false);
      await el(b, "[data-testid=case-step][data-step=reinstated] [data-testid=step-void]");
      expect(await offered(b)).toContain("sent_to_court");
      expect(await b.execute(() => document.activeElement?.id)).toBe("timeline-title");
      await check(b, "94-case-voided");

      // The dashboard counts the complaint: at the investigation now, terminated once,
      // never in court (the voided step counts for nothing).
      await click(b, "button[data-nav=dashboard]");
      const complaints = await el(b, "[data-testid=dash-complaints]");
      expect(await complaints.getAttribute("data-cases")).toBe("1");
      expect(await textOf(b, "[data-testid=complaints-state] tr[data-code=investigation] [data-testid=count]")).toBe("1");
      expect(await textOf(b, "[data-testid=complaints-ever] tr[data-code=terminated] [data-testid=count]")).toBe("1");
      expect(await b.$("[data-testid=complaints-ever] tr[data-code=sent_to_court]").isExisting()).toBe(false);
      expect(await textOf(b, "[data-testid=complaints-ground] tr[data-code=not_recorded] th")).toBe("Нет сведений");
      expect(await textOf(b, "[data-testid=complaints-ground] tr[data-code=not_recorded] [data-testid=count]")).toBe("0");
      await check(b, "95-dashboard-complaints");
    } finally {
      await b.deleteSession();
    }
  });

  it("sends the case's course to a coalition recipient from the export screen; the coordinator counts the complaint", async () => {
    // The coordinator's vault, its key in the lawyer's address book, the lawyer's key
    // trusted by the coordinator: all with the CLI.
    mkdirSync(coordHome, { recursive: true });
    coord(["init", "--insecure-test-kdf"]);
    const age = (JSON.parse(coord(["--json", "identity"])) as { age_recipient: string }).age_recipient;
    await kuaWhenFree(["recipients", "add", "coalition", age]);
    await kuaWhenFree(["identity", "--minisign-pub", "-o", lawyerPub]);
    coord(["trust", "add", "lawyer", lawyerPub]);

    const b = await openApp(home);
    try {
      await unlock(b, "deadlines");
      await click(b, "button[data-nav=export]");
      await click(b, "[data-recipient=coalition]");
      // No testimony: the case alone.
      await click(b, "[data-testid=export-mode-none]");
      await click(b, `[data-testid=export-case][data-case="${caseId}"]`);
      // Privileged notes never go to a recipient who is not legal.
      expect(await (await el(b, "[data-testid=export-case-notes]")).isEnabled()).toBe(false);
      await click(b, "[data-testid=export-check]");
      await waitText(b, "[data-testid=export-plan-cases]", /только ход/);
      await check(b, "96-export-case-plan");
      answerDialog([bundlePath]);
      await click(b, "[data-testid=export-run]");
      expect(await waitText(b, "[data-testid=export-path]", /course\.kua/)).toBe(bundlePath);
      await el(b, `[data-testid=export-cases] [data-case="${caseId}"]`);
      await check(b, "97-export-case-done");
    } finally {
      await b.deleteSession();
    }

    const imported = JSON.parse(coord(["--json", "import", bundlePath])) as { new_cases: number }[];
    expect(imported[0]?.new_cases).toBe(1);
    const now = JSON.parse(coord(["--json", "stats", "--by", "case_state"])) as Counted;
    expect([now.cases, now.own, now.received]).toEqual([1, 0, 1]);
    expect(counted(now, "investigation")).toBe(1);
    expect(counted(now, "sent_to_court")).toBe(0);
    const reached = JSON.parse(coord(["--json", "stats", "--by", "case_reached"])) as Counted;
    expect(counted(reached, "registered")).toBe(1);
    expect(counted(reached, "terminated")).toBe(1);
    expect(counted(reached, "sent_to_court"), "the voided step reached nothing").toBe(0);
    // The course alone: nothing of the privileged note, the petitions or the document.
    const shown = coord(["case", "show", caseId, "--privileged"]);
    expect(shown).not.toContain(CANARY);
    expect(shown).not.toContain("Изъять записи камер");
  });

  it("shows the received case read-only, as a copy from its sender", async () => {
    writeFileSync(join(coordHome, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: LANG }));
    const b = await openApp(coordHome);
    try {
      await type(b, "#passphrase", COORD_PASS);
      await click(b, "form button[type=submit]");
      await el(b, "[data-testid=new-testimony]");
      await click(b, "button[data-nav=cases]");
      const row = await el(b, `[data-testid=case-row][data-id="${caseId}"]`);
      expect(await row.getAttribute("data-from")).toBe("lawyer");
      expect(await textOf(b, `[data-testid=case-row][data-id="${caseId}"] [data-testid=case-row-from]`)).toContain("lawyer");
      await check(b, "98-cases-received");

      await click(b, `[data-testid=case-open][data-id="${caseId}"]`);
      expect(await textOf(b, "[data-testid=case-received]")).toContain("lawyer");
      await el(b, "[data-testid=case-state][data-state=investigation]");
      await el(b, "[data-testid=case-step][data-step=sent_to_court][data-void=true]");
      for (const part of ["step-form", "step-correct", "step-void"]) {
        expect(await b.$(`[data-testid=${part}]`).isExisting(), part).toBe(false);
      }
      // The copy can still be erased: the recipient decides what it keeps.
      await el(b, "[data-testid=case-erase]");
      await check(b, "99-case-received");
      const tabs: [string, string][] = [
        ["petitions", "petition-form"], ["evidence", "evidence-form"], ["circumstances", "circumstance-form"],
        ["documents", "document-form"], ["testimonies", "link-form"], ["notes", "note-form"],
      ];
      for (const [tab, form] of tabs) {
        await click(b, `[data-testid=case-tab-${tab}]`);
        await el(b, `#case-tab-${tab}[aria-selected=true]`);
        expect(await b.$(`[data-testid=${form}]`).isExisting(), form).toBe(false);
      }
    } finally {
      await b.deleteSession();
    }
  });

  it("recorded in the vault what the window showed, and left nothing of the note on disk", async () => {
    const shown = await kuaJson<{
      state: string;
      steps: { step: string; number: string | null; ground: string | null; voided: boolean; corrections: string[] }[];
      petitions: unknown[];
    }>(["case", "show", caseId]);
    // Sent to court, then that step voided: back at the investigation.
    expect(shown.state).toBe("investigation");
    expect(shown.steps.map((s) => s.step)).toHaveLength(8);
    const registered = shown.steps.find((s) => s.step === "registered");
    expect(registered?.number).toBe(ERDR_FIXED);
    expect(registered?.corrections).toHaveLength(1);
    expect(shown.steps.find((s) => s.step === "sent_to_court")?.voided).toBe(true);
    expect(shown.steps.find((s) => s.step === "terminated")?.ground).toBe("no_elements");
    expect(shown.petitions).toHaveLength(2);
    const due = await kuaJson<{ case: string; kind: string; status: string }[]>(["deadlines", "--today", day()]);
    expect(due.filter((d) => d.case === caseId && d.kind === "petition").map((d) => d.status).sort()).toEqual(["overdue", "today"]);

    for (let i = 0; i < 50 && appProcesses(home).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const leaks = filesUnder(home).flatMap((f) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(f);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
      return [CANARY, "DOC-CANARY-3307"].filter((c) => contains(bytes, c) || contains(bytes, c.toLowerCase())).map((c) => `${c} in ${f}`);
    });
    expect(leaks).toEqual([]);
  });

  it("has no serious or critical accessibility violation", () => {
    expect(problems).toEqual([]);
  });
});
