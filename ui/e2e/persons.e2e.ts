// Counting each survivor once, in the real window, in Russian. A vault is prepared with
// the `kua` command: one woman interviewed twice, her name written in Kazakh and in
// Latin letters (linked automatically), a namesake born 1971 (a man), a fourth record
// "Нурланкызы Алия" without a date of birth (it waits in the review queue), and a
// draft (never linked). The window must show the queue the CLI gives, take a decision
// by keyboard (not while typing the note), undo it and decide again, list the persons
// the CLI then lists, open a person from a testimony, and count persons on the
// dashboard as `kua stats --count persons` does, before and after the decision, listing
// the persons behind a count with their testimonies. In Settings, the coalition's
// linkage secret is created, shown once, shown again with the passphrase, forgotten
// and entered again. Every view is checked with axe-core and photographed, at 1024×640
// too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kuaOn, COMPLETE, axe, click, el, openApp, screenshot, startDriver, stopDriver, textOf, type, waitText, work, type Browser } from "./harness";

const PASS = "координатор проверка 2022 январь";
const home = join(work, "persons-coordinator");
const vault = join(home, "vault.kua");
const LANG = "ru";
const NOTE = "s d u: same events, same region";


const PEOPLE = {
  a: { full_name: "Әлия Нұрланқызы", birth_date: "1990-06-15", gender: "female", events_region: "KZ-75" },
  b: { full_name: "Aliya Nurlanqyzy", birth_date: "1990-06-15", gender: "female", events_region: "KZ-75" },
  c: { full_name: "Алия Нурланкызы", birth_date: "1971-02-01", gender: "male", events_region: "KZ-75" },
  d: { full_name: "Нурланкызы Алия", gender: "female", events_region: "KZ-75" },
};

const kua = kuaOn(vault, PASS);

/** The CLI once the window has let the vault go (the app may take a moment to exit). */
async function kuaJson<T>(args: string[]): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 40; i++) {
    try {
      return JSON.parse(kua(["--json", ...args])) as T;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw last;
}

/** Adds COMPLETE with these fields; seals it unless `draft`. Returns its id. */
function testimony(fields: Record<string, unknown>, draft = false): string {
  const t = { ...COMPLETE, fields: { ...COMPLETE.fields, ...fields } };
  const id = kua(["add", "-"], JSON.stringify(t)).trim();
  if (!draft) kua(["seal", id]);
  return id;
}

interface CliMember { id: string; version: number; source: { kind: string } }
interface CliPerson { id: string; records: CliMember[]; flags: string[] }
interface CliPair { a: CliMember; b: CliMember; score: number; hard_conflict: boolean; band: string }
interface CliDecision { id: string; verdict: string | null; undoes: string | null; note: string | null }

const ids = { a: "", b: "", c: "", d: "", draft: "" };
const names: Record<string, string> = {};

/** Persons as sets of record ids, comparable whatever their order. */
function shape(groups: string[][]): string[] {
  return groups.map((g) => [...g].sort().join(" ")).sort();
}
const groupsOf = (persons: CliPerson[]) => persons.map((p) => p.records.map((r) => r.id));

/** What a "same" decision on (x, y) makes of the persons: theirs joined, the rest alone. */
function joined(groups: string[][], x: string, y: string): string[][] {
  const i = groups.findIndex((g) => g.includes(x));
  const j = groups.findIndex((g) => g.includes(y));
  if (i < 0 || j < 0 || i === j) return groups;
  return [...groups.filter((_, k) => k !== i && k !== j), [...(groups[i] ?? []), ...(groups[j] ?? [])]];
}

/** "N человек", "N человека" as the Russian dashboard says it. */
function persons(n: number): RegExp {
  return new RegExp(`^${n} человека?$`);
}

const problems: string[] = [];
async function check(b: Browser, name: string): Promise<void> {
  await screenshot(b, LANG, name);
  for (const v of await axe(b)) {
    problems.push(`${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
}

async function unlock(b: Browser): Promise<void> {
  await type(b, "#passphrase", PASS);
  await click(b, "form button[type=submit]");
  await el(b, "[data-testid=new-testimony]");
}

/** The persons the window lists: person id → its record ids. */
async function listed(b: Browser): Promise<Record<string, string>> {
  return (await b.execute(() =>
    Object.fromEntries([...document.querySelectorAll("[data-testid=person-row]")].map((r) => [r.getAttribute("data-id") ?? "?", r.getAttribute("data-records") ?? ""])),
  )) as Record<string, string>;
}

/** The persons a drill-down in persons mode lists: person id → its record ids, sorted. */
async function drilledPersons(b: Browser, within: string): Promise<Record<string, string>> {
  return (await b.execute((w: string) => {
    const groups = [...document.querySelectorAll(`${w} [data-testid=drill-records] tbody`)];
    return Object.fromEntries(
      groups.map((g) => [g.getAttribute("data-person") ?? "?", [...g.querySelectorAll("tr")].map((tr) => tr.getAttribute("data-id") ?? "?").sort().join(" ")]),
    );
  }, within)) as Record<string, string>;
}

/** The linkage secret's text form: 56 base32 letters in 14 groups of four. */
const SECRET = /^([A-Z2-7]{4}-){13}[A-Z2-7]{4}$/;

async function focused(b: Browser): Promise<string | null | undefined> {
  return (await b.execute(() => document.activeElement?.getAttribute("data-testid"))) as string | null | undefined;
}

async function waitTotals(b: Browser, n: number): Promise<void> {
  for (const dim of ["region", "method", "sex"]) {
    await waitText(b, `[data-testid=table-${dim}] [data-testid=total]`, new RegExp(`^${n}$`));
  }
}

/** The dashboard counts persons as the CLI does; back to testimonies, it counts those. */
async function dashboardAgrees(b: Browser, testimonies: number, total: number, shot: string): Promise<void> {
  await click(b, "button[data-nav=dashboard]");
  await waitTotals(b, testimonies);
  expect(await (await el(b, "[data-testid=dash-count-testimonies]")).isSelected()).toBe(true);
  await click(b, "[data-testid=dash-count-persons]");
  await waitTotals(b, total);
  expect(await textOf(b, "[data-chart=region] [data-testid=chart-records]")).toMatch(persons(total));
  expect(await textOf(b, "[data-testid=table-region] tfoot th")).toBe("Все люди выборки");
  await check(b, shot);
  await click(b, "[data-testid=dash-count-testimonies]");
  await waitTotals(b, testimonies);
  expect(await textOf(b, "[data-chart=region] [data-testid=chart-records]")).toMatch(/свидетельств/);
}

let before: { persons: CliPerson[]; queue: CliPair[]; total: number } = { persons: [], queue: [], total: 0 };
let decided: { a: string; b: string } = { a: "", b: "" };

describe("counting each survivor once", () => {
  beforeAll(async () => {
    mkdirSync(home, { recursive: true });
    kua(["init", "--insecure-test-kdf"]);
    for (const k of ["a", "b", "c", "d"] as const) {
      ids[k] = testimony(PEOPLE[k]);
      names[ids[k]] = PEOPLE[k].full_name;
    }
    ids.draft = testimony({ ...PEOPLE.a }, true);
    // What the window must show, as the CLI sees it.
    before = {
      persons: await kuaJson<CliPerson[]>(["persons", "list"]),
      queue: await kuaJson<CliPair[]>(["persons", "queue"]),
      total: (await kuaJson<{ total: number }>(["stats", "--count", "persons"])).total,
    };
    // The fixture is what it says: the two spellings are one person, the namesake and
    // the record without a date of birth are not (yet), and the latter waits for review.
    expect(before.persons).toHaveLength(3);
    expect(shape(groupsOf(before.persons))).toContain([ids.a, ids.b].sort().join(" "));
    expect(before.total).toBe(3);
    expect(before.queue.some((p) => p.a.id === ids.d || p.b.id === ids.d)).toBe(true);
    // The draft is not linked.
    expect(before.persons.some((p) => p.records.some((r) => r.id === ids.draft))).toBe(false);

    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: LANG }));
    await startDriver();
  });

  afterAll(() => stopDriver());

  it("counts persons on the dashboard as the CLI does and lists the persons behind a count", async () => {
    const b = await openApp(home);
    try {
      await unlock(b);
      await dashboardAgrees(b, 4, before.total, "60-dashboard-persons");

      // Every testimony names the region of Almaty: its persons are all the CLI's, each
      // with all their testimonies, under a button that opens the person.
      await click(b, "[data-testid=dash-count-persons]");
      await waitTotals(b, before.total);
      await click(b, "[data-testid=table-region] tr[data-code='KZ-75'] [data-testid=drill-open]");
      await el(b, "[data-chart=region] [data-testid=drill][data-unit=persons]");
      // Compared whatever the order of the persons.
      const expected = before.persons.map((p) => [p.id, p.records.map((r) => r.id).sort().join(" ")]).sort();
      let last: string[][] = [];
      await b
        .waitUntil(async () => JSON.stringify((last = Object.entries(await drilledPersons(b, "[data-chart=region]")).sort())) === JSON.stringify(expected), {
          timeout: 15_000,
        })
        .catch(() => {});
      expect(last).toEqual(expected);
      expect(await b.$$("[data-chart=region] [data-testid=drill-person-open]")).toHaveLength(before.persons.length);
      expect(await textOf(b, "[data-chart=region] [data-testid=drill-count]")).toBe("(3 человека, 4 свидетельства)");
      await el(b, "[data-chart=region] [data-testid=drill-persons-hint]");
      expect(await b.execute(() => document.activeElement?.id)).toBe("drill-title");
      await check(b, "69-dashboard-persons-drill");
      // The person of the two spellings opens with both records.
      const ofA = before.persons.find((p) => p.records.some((r) => r.id === ids.a));
      await click(b, `[data-chart=region] [data-testid=drill-person-open][data-person="${ofA?.id}"]`);
      await el(b, `[data-testid=person-view][data-id="${ofA?.id}"]`);
      expect(await b.$$("[data-testid=person-records] tbody tr")).toHaveLength(ofA?.records.length ?? -1);
    } finally {
      await b.deleteSession();
    }
  });

  it("reviews the queue by keyboard, undoes, lists persons and opens a person from a testimony", async () => {
    const b = await openApp(home);
    try {
      await unlock(b);
      await click(b, "button[data-nav=persons]");
      await waitText(b, "h1", /^Люди$/);

      // The queue is the CLI's, best pair first, both records read with their names.
      const first = before.queue[0] as CliPair;
      decided = { a: first.a.id, b: first.b.id };
      const review = await el(b, "[data-testid=pair-review]");
      expect(await review.getAttribute("data-a")).toBe(first.a.id);
      expect(await review.getAttribute("data-b")).toBe(first.b.id);
      expect(await review.getAttribute("data-score")).toBe(String(first.score));
      expect(await review.getAttribute("data-hard-conflict")).toBe(String(first.hard_conflict));
      expect(await (await el(b, "[data-testid=queue-position]")).getAttribute("data-total")).toBe(String(before.queue.length));
      await waitText(b, "[data-testid=pair-field-full_name] td[data-side=a]", new RegExp(`^${names[first.a.id]}$`));
      await waitText(b, "[data-testid=pair-field-full_name] td[data-side=b]", new RegExp(`^${names[first.b.id]}$`));
      // Names agree: said in words and marked, not by colour alone.
      expect(await (await el(b, "[data-testid=pair-field-full_name]")).getAttribute("data-tone")).toBe("agree");
      expect(await textOf(b, "[data-testid=pair-field-full_name] td.tone")).toMatch(/✓\s*Совпадает/);
      // A date of birth missing from a record: not compared, and said so.
      if (first.a.id === ids.d || first.b.id === ids.d) {
        expect(await textOf(b, "[data-testid=pair-field-birth_date] td.tone")).toMatch(/Не сравнивается/);
      }
      expect(await textOf(b, "[data-testid=pair-score]")).toMatch(/%/);
      await check(b, "61-persons-queue");

      // A small window: the answers stay in sight.
      const rect = await b.getWindowRect();
      await b.setWindowSize(1024, 640);
      await b.pause(300);
      expect(await (await el(b, "[data-testid=decide-same]")).isDisplayed({ withinViewport: true })).toBe(true);
      expect(await (await el(b, "[data-testid=pair-field-full_name]")).isDisplayed({ withinViewport: true })).toBe(true);
      await check(b, "62-persons-queue-1024x640");
      await b.setWindowSize(rect.width, rect.height);

      // Typing S, D and U into the note decides nothing.
      await type(b, "[data-testid=pair-note]", NOTE);
      await b.pause(300);
      expect(await b.$("[data-testid=decided]").isExisting()).toBe(false);
      expect(await (await el(b, "[data-testid=pair-review]")).getAttribute("data-a")).toBe(first.a.id);
      // Out of the field, S answers "same person", with the note typed.
      await b.execute(() => (document.activeElement as HTMLElement | null)?.blur());
      await b.keys(["s"]);
      const notice = await el(b, "[data-testid=decided][data-undone=false]");
      expect(await notice.getAttribute("data-verdict")).toBe("same");
      const firstDecision = (await notice.getAttribute("data-decision")) ?? "";
      expect(await textOf(b, "[data-testid=decided] [role=status]")).toMatch(/Один человек/);
      // The pair has left the queue.
      await b.waitUntil(
        async () => {
          if (await b.$("[data-testid=queue-empty]").isExisting()) return true;
          const r = await b.$("[data-testid=pair-review]");
          return (await r.isExisting()) && `${await r.getAttribute("data-a")} ${await r.getAttribute("data-b")}` !== `${first.a.id} ${first.b.id}`;
        },
        { timeout: 15_000, timeoutMsg: "the decided pair stayed in the queue" },
      );
      await check(b, "63-persons-decided");

      // Undo: a new decision; the pair comes back and is shown.
      await click(b, "[data-testid=undo-last]");
      await el(b, "[data-testid=decided][data-undone=true]");
      await b.waitUntil(async () => (await (await b.$("[data-testid=pair-review]")).getAttribute("data-a")) === first.a.id, {
        timeout: 15_000,
        timeoutMsg: "the undone pair did not come back",
      });
      expect(await (await el(b, "[data-testid=queue-position]")).getAttribute("data-total")).toBe(String(before.queue.length));
      // And decided again, by keyboard, without a note.
      await b.keys(["s"]);
      await el(b, "[data-testid=decided][data-undone=false]");
      expect(await (await el(b, "[data-testid=decided]")).getAttribute("data-decision")).not.toBe(firstDecision);

      // The persons list: the two persons are one now.
      const expected = joined(groupsOf(before.persons), first.a.id, first.b.id);
      await click(b, "[data-testid=persons-tab-list]");
      const count = await el(b, "[data-testid=persons-count]");
      expect(await count.getAttribute("data-persons")).toBe(String(expected.length));
      expect(await count.getAttribute("data-records")).toBe("4");
      await b.waitUntil(async () => Object.keys(await listed(b)).length === expected.length, { timeout: 10_000 });
      expect(shape(Object.values(await listed(b)).map((r) => r.split(" ")))).toEqual(shape(expected));
      await click(b, "[data-testid=persons-linked-only]");
      await b.waitUntil(async () => Object.keys(await listed(b)).length === expected.filter((g) => g.length > 1).length, {
        timeout: 10_000,
        timeoutMsg: "“only linked” did not filter",
      });
      await check(b, "64-persons-list");

      // The person of the decided pair: its records, pairs, and the three decisions.
      const [personId] = Object.entries(await listed(b)).find(([, r]) => r.split(" ").includes(first.a.id)) ?? [""];
      await click(b, `[data-testid=person-row][data-id="${personId}"]`);
      await el(b, `[data-testid=person-view][data-id="${personId}"]`);
      const group = expected.find((g) => g.includes(first.a.id)) ?? [];
      const rows = (await b.execute(() => [...document.querySelectorAll("[data-testid=person-records] tbody tr")].map((r) => r.getAttribute("data-id")))) as string[];
      expect([...rows].sort()).toEqual([...group].sort());
      for (const rid of [first.a.id, first.b.id]) {
        await waitText(b, `[data-testid=person-records] tr[data-id="${rid}"] [data-testid=record-name]`, new RegExp(`^${names[rid]}$`));
      }
      const states = (await b.execute(() =>
        [...document.querySelectorAll("[data-testid=person-decisions] tbody tr")].map((r) => [r.getAttribute("data-verdict"), r.getAttribute("data-state")]),
      )) as [string, string][];
      expect(states).toEqual([
        ["same", "undone"],
        ["undo", "undo"],
        ["same", "in_force"],
      ]);
      expect(await textOf(b, `[data-decision="${firstDecision}"] [data-testid=decision-note]`)).toBe(NOTE);
      // Only the decision in force may be undone.
      expect(await b.$$("[data-testid=decision-undo]")).toHaveLength(1);
      await check(b, "65-person");
      // A pair compared side by side, inside the person.
      await click(b, "[data-testid=pair-compare]");
      await el(b, "#person-compare [data-testid=pair-review]");
      await check(b, "66-person-compare");

      // From a testimony: the namesake is a person of its own.
      await click(b, "button[data-nav=list]");
      await click(b, `button.record[data-id="${ids.c}"]`);
      await click(b, "[data-testid=person-open]");
      const ofC = before.persons.find((p) => p.records.some((r) => r.id === ids.c));
      await el(b, `[data-testid=person-view][data-id="${ofC?.id}"]`);
      expect(await b.$$("[data-testid=person-records] tbody tr")).toHaveLength(ofC?.records.length ?? -1);
      await check(b, "67-person-from-testimony");
      // Its record opens the testimony again.
      await click(b, `[data-testid=person-records] tr[data-id="${ids.c}"] [data-testid=person-record-open]`);
      await el(b, "[data-testid=person-open]");
      // A draft is never linked: it has no person button.
      await click(b, "button[data-nav=list]");
      await click(b, `button.record[data-id="${ids.draft}"]`);
      await el(b, "[data-testid=seal]");
      expect(await b.$("[data-testid=person-open]").isExisting()).toBe(false);
    } finally {
      await b.deleteSession();
    }
  });

  it("lists and counts, after the decisions, what the CLI lists and counts", async () => {
    const after = {
      persons: await kuaJson<CliPerson[]>(["persons", "list"]),
      total: (await kuaJson<{ total: number }>(["stats", "--count", "persons"])).total,
      decisions: await kuaJson<CliDecision[]>(["persons", "decisions"]),
    };
    expect(shape(groupsOf(after.persons))).toEqual(shape(joined(groupsOf(before.persons), decided.a, decided.b)));
    expect(after.total).toBe(joined(groupsOf(before.persons), decided.a, decided.b).length);
    expect(after.decisions.map((d) => d.verdict)).toEqual(["same", null, "same"]);
    expect(after.decisions[0]?.note).toBe(NOTE);

    const b = await openApp(home);
    try {
      await unlock(b);
      await click(b, "button[data-nav=persons]");
      await click(b, "[data-testid=persons-tab-list]");
      expect(await (await el(b, "[data-testid=persons-count]")).getAttribute("data-persons")).toBe(String(after.persons.length));
      await b.waitUntil(async () => Object.keys(await listed(b)).length === after.persons.length, { timeout: 10_000 });
      expect(Object.keys(await listed(b)).sort()).toEqual(after.persons.map((p) => p.id).sort());
      await dashboardAgrees(b, 4, after.total, "68-dashboard-persons-after");
    } finally {
      await b.deleteSession();
    }
  });

  it("creates, shows again, forgets and enters the coalition's linkage secret in Settings", async () => {
    const b = await openApp(home);
    let keyId = "";
    let secret = "";
    try {
      await unlock(b);
      await click(b, "button[data-nav=settings]");
      await el(b, "[data-testid=linkage-secret] [data-testid=linkage-none]");
      await check(b, "70-linkage-none");

      // Created with the passphrase, and shown this once in its text form until it is
      // written down.
      await click(b, "[data-testid=linkage-create]");
      expect(await focused(b)).toBe("linkage-create-passphrase");
      await type(b, "[data-testid=linkage-create-passphrase]", PASS);
      await click(b, "[data-testid=linkage-create-submit]");
      secret = await waitText(b, "[data-testid=linkage-shown]", SECRET);
      await check(b, "71-linkage-shown");
      await click(b, "[data-testid=linkage-written]");
      await b.waitUntil(async () => !(await b.$("[data-testid=linkage-shown]").isExisting()), {
        timeout: 5_000,
        timeoutMsg: "the secret stayed on screen",
      });
      keyId = await waitText(b, "[data-testid=linkage-key-id]", /^[0-9a-f]{16}$/);
      expect(await b.$("[data-testid=linkage-create]").isExisting()).toBe(false);

      // Shown again only with the passphrase; the form opens with its field focused.
      await click(b, "[data-testid=linkage-reveal-open]");
      expect(await focused(b)).toBe("linkage-reveal-passphrase");
      await type(b, "[data-testid=linkage-reveal-passphrase]", "не та фраза");
      await click(b, "[data-testid=linkage-reveal-submit]");
      await waitText(b, "[data-testid=linkage-secret] [role=alert]", /не открывает/);
      expect(await b.$("[data-testid=linkage-shown]").isExisting()).toBe(false);
      await check(b, "72-linkage-reveal-refused");
      await type(b, "[data-testid=linkage-reveal-passphrase]", PASS);
      await click(b, "[data-testid=linkage-reveal-submit]");
      expect(await waitText(b, "[data-testid=linkage-shown]", SECRET)).toBe(secret);
      await click(b, "[data-testid=linkage-written]");

      // Forgetting needs the passphrase and a confirmation: without the confirmation
      // neither the button nor Enter in the field does anything.
      await click(b, "[data-testid=linkage-forget-open]");
      expect(await focused(b)).toBe("linkage-forget-passphrase");
      await type(b, "[data-testid=linkage-forget-passphrase]", PASS);
      expect(await (await el(b, "[data-testid=linkage-forget-submit]")).isEnabled()).toBe(false);
      await b.keys(["Enter"]);
      await b.pause(500);
      expect(await textOf(b, "[data-testid=linkage-key-id]")).toBe(keyId);
      await click(b, "[data-testid=linkage-forget-confirm]");
      await check(b, "73-linkage-forget");
      await click(b, "[data-testid=linkage-forget-submit]");
      await el(b, "[data-testid=linkage-create]");
      expect(await b.$("[data-testid=linkage-key-id]").isExisting()).toBe(false);

      // Entered again as another interviewer would type it (small letters, spaces for
      // dashes), after a typing mistake is refused: the same key id.
      await click(b, "[data-testid=linkage-enter-open]");
      expect(await focused(b)).toBe("linkage-enter-input");
      const typo = secret.slice(0, 5) + (secret[5] === "A" ? "B" : "A") + secret.slice(6);
      await type(b, "[data-testid=linkage-enter-input]", typo);
      await type(b, "[data-testid=linkage-enter-passphrase]", PASS);
      await click(b, "[data-testid=linkage-enter-submit]");
      await waitText(b, "[data-testid=linkage-secret] [role=alert]", /опечатка/);
      expect(await b.$("[data-testid=linkage-key-id]").isExisting()).toBe(false);
      await check(b, "74-linkage-enter-refused");
      await type(b, "[data-testid=linkage-enter-input]", secret.toLowerCase().replace(/-/g, " "));
      await type(b, "[data-testid=linkage-enter-passphrase]", PASS);
      await click(b, "[data-testid=linkage-enter-submit]");
      await waitText(b, "[data-testid=linkage-notice]", new RegExp(keyId));
      expect(await textOf(b, "[data-testid=linkage-key-id]")).toBe(keyId);
      await check(b, "75-linkage-entered");
    } finally {
      await b.deleteSession();
    }
    // The vault holds what the window showed.
    expect(await kuaJson<{ key_id: string; secret: string }>(["persons", "secret", "show", "--reveal"])).toEqual({ key_id: keyId, secret });
  });

  it("has no serious or critical accessibility violation", () => {
    expect(problems).toEqual([]);
  });
});
