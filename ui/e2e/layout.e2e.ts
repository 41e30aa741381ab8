// Every screen on the laptops interviewers carry (issue #18): 1366×768 and 1024×600, at
// 100 % and 200 % zoom, in Kazakh, Russian and English. On each screen the page is
// searched (layout.ts) for a control no scroll brings into sight, texts that overlap,
// labels that run into each other, and a lock button out of sight. The X screen is
// 1366×768, so the window must open at a size that fits it. Screenshots of every screen
// at both sizes in kk and ru go to e2e-artifacts/screenshots/layout/.
//
// The first screens (welcome, a new passphrase, the recovery key) are laid out the same
// way on machines with no vault, their zoom and language from the settings file.
//
// The vault holds what makes screens full: a sealed testimony with an attachment and
// consent, a draft, a case, a record received from another vault, and a bundle from an
// unknown sender waiting on the import screen (its trust form is where labels ran in).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, COMPLETE, answerDialog, el, openApp, screenshot, startDriver, stopDriver, type, work, type Browser } from "./harness";
import { layoutProblems, type LayoutReport } from "./layout";

const PASS = "экран ноутбука 1366 на 768";
const FIELD_PASS = "далалық ноутбук";
const home = join(work, "layout");
const vault = join(home, "vault.kua");
const field = join(work, "layout-field");
const bundle = join(field, "unknown", "to-coalition.kua");
const SCREEN = { width: 1366, height: 768 };
const SIZES = [
  { width: 1366, height: 768 },
  { width: 1024, height: 600 },
];
const ZOOMS = [100, 200];
const LANGS = ["kk", "ru", "en"] as const;

function kua(args: string[], input?: string, v = vault, pass = PASS): string {
  return execFileSync(CLI, args, {
    env: { ...process.env, KUA_VAULT: v, KUA_PASSPHRASE: pass },
    encoding: "utf8",
    input,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
}

let sealedId = "";
let draftId = "";
let caseId = "";

// Under page zoom WebKitWebDriver's clicks land off their element (its coordinates are
// not scaled), so this test moves between screens and sets choices from the page
// itself: what it checks is where things are, not how a click reaches them (the other
// suites click for real, at 100 %).
async function press(b: Browser, selector: string): Promise<void> {
  await el(b, selector);
  await b.execute((s: string) => (document.querySelector(s) as HTMLElement).click(), selector);
}

async function choose(b: Browser, selector: string, value: string): Promise<void> {
  await el(b, selector);
  await b.execute(
    (s: string, v: string) => {
      const select = document.querySelector(s) as HTMLSelectElement;
      select.value = v;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    },
    selector,
    value,
  );
}

/** Types into a field from the page itself (see `press`). */
async function fill(b: Browser, selector: string, value: string): Promise<void> {
  await el(b, selector);
  await b.execute(
    (s: string, v: string) => {
      const input = document.querySelector(s) as HTMLInputElement;
      input.value = v;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    },
    selector,
    value,
  );
}

/** What the page looks like now, as layout.ts reads it. */
async function check(b: Browser): Promise<LayoutReport> {
  return (await b.execute(layoutProblems)) as LayoutReport;
}

/** Waits for a screen's heading, and for its first data (a short pause once it shows). */
async function screenReady(b: Browser, selector = "#content h1"): Promise<void> {
  await el(b, selector);
  await b.pause(400);
}

async function unlock(b: Browser): Promise<void> {
  await type(b, "#passphrase", PASS);
  await press(b, "form button[type=submit]");
  await el(b, "[data-testid=new-testimony]");
}

/** The screens of an unlocked vault: a name, and how to get there from anywhere. */
// A view may be a state of a screen (a dialog or a form open): `close` puts it back.
const SCREENS: { name: string; open: (b: Browser) => Promise<void>; close?: (b: Browser) => Promise<void> }[] = [
  { name: "list", open: async (b) => { await press(b, "[data-nav=list]"); await screenReady(b); await el(b, `[data-testid=records] button.record[data-id="${sealedId}"]`); } },
  { name: "new", open: async (b) => { await press(b, "[data-nav=list]"); await press(b, "[data-testid=new-testimony]"); await screenReady(b); } },
  ...["consent", "narrative", "attachments", "history"].map((tab) => ({
    name: `testimony-${tab}`,
    open: async (b: Browser) => {
      await press(b, "[data-nav=list]");
      await press(b, `[data-testid=records] button.record[data-id="${sealedId}"]`);
      await el(b, "[data-testid=status]");
      await press(b, `button[role=tab][data-tab=${tab}]`);
      await b.pause(400);
    },
  })),
  { name: "cases", open: async (b) => { await press(b, "[data-nav=cases]"); await screenReady(b); await el(b, "[data-testid=case-row]"); } },
  ...["course", "petitions", "evidence", "notes"].map((tab) => ({
    name: `case-${tab}`,
    open: async (b: Browser) => {
      await press(b, "[data-nav=cases]");
      await press(b, `[data-testid=case-open][data-id="${caseId}"]`);
      await press(b, `[data-testid=case-tab-${tab}]`);
      await b.pause(400);
    },
  })),
  ...["deadlines", "custody", "export", "received", "dashboard", "persons", "contacts", "settings"].map((name) => ({
    name,
    open: async (b: Browser) => {
      await press(b, `[data-nav=${name}]`);
      await screenReady(b);
    },
  })),
  {
    name: "testimony-seal-dialog",
    open: async (b) => {
      await press(b, "[data-nav=list]");
      await press(b, `[data-testid=records] button.record[data-id="${draftId}"]`);
      await press(b, "[data-testid=seal]");
      await el(b, "[data-testid=seal-confirm]");
      await b.pause(200);
    },
    close: async (b) => {
      await b.keys(["Escape"]);
      await b.waitUntil(async () => !(await (await b.$("[data-testid=seal-confirm]")).isDisplayed()), { timeout: 5_000, timeoutMsg: "the seal dialog did not close" });
    },
  },
  {
    name: "testimony-report-dialog",
    open: async (b) => {
      await press(b, "[data-nav=list]");
      await press(b, `[data-testid=records] button.record[data-id="${sealedId}"]`);
      await press(b, "[data-testid=report-open]");
      await el(b, "[data-testid=report-lang]");
      await b.pause(1500);
    },
    close: async (b) => {
      await b.keys(["Escape"]);
      await b.waitUntil(async () => !(await (await b.$("[data-testid=report-lang]")).isDisplayed()), { timeout: 5_000, timeoutMsg: "the report dialog did not close" });
    },
  },
  {
    name: "case-new-form",
    open: async (b) => {
      await press(b, "[data-nav=cases]");
      await press(b, "[data-testid=new-case-open]");
      await el(b, "form button[data-cancel]");
    },
    close: async (b) => press(b, "form button[data-cancel]"),
  },
  {
    name: "dashboard-filter-open",
    open: async (b) => {
      await press(b, "[data-nav=dashboard]");
      await screenReady(b);
      await press(b, "details.multi summary");
      await el(b, "details.multi[open] fieldset");
    },
    close: async (b) => press(b, "details.multi[open] summary"),
  },
  {
    name: "import-unknown-sender",
    open: async (b) => {
      await press(b, "[data-nav=import]");
      answerDialog([bundle]);
      await press(b, "[data-testid=import-choose]");
      await el(b, "[data-testid=sender-name]");
      await b.pause(200);
    },
  },
];

/** Sets the zoom through the settings screen, as a user would, and waits for it to take. */
async function setZoom(b: Browser, zoom: number, width: number): Promise<void> {
  await press(b, "[data-nav=settings]");
  await choose(b, "select[data-testid=zoom]", String(zoom));
  // The page's width in CSS pixels is the window's divided by the zoom.
  await b.waitUntil(async () => Math.abs(((await b.execute(() => document.documentElement.clientWidth)) as number) - width / (zoom / 100)) < 24, {
    timeout: 10_000,
    timeoutMsg: `the zoom of ${zoom} % did not take`,
  });
}

async function setLanguage(b: Browser, lang: string): Promise<void> {
  await press(b, "[data-nav=settings]");
  await choose(b, "select[data-testid=language]", lang);
  await b.waitUntil(async () => (await b.execute(() => document.documentElement.lang)) === lang, { timeout: 10_000 });
}

describe("every screen on small screens, zoomed, in three languages", () => {
  let b: Browser;

  beforeAll(async () => {
    mkdirSync(home, { recursive: true });
    mkdirSync(field, { recursive: true });
    kua(["init", "--insecure-test-kdf"]);
    const attachment = join(home, "справка.txt");
    writeFileSync(attachment, "Медицинская справка: ушибы, ссадины запястий.");
    sealedId = kua(["add", "-"], JSON.stringify({ ...COMPLETE, fields: { ...COMPLETE.fields, interview_place: "Қарағанды облысы, Жезқазған қаласы" } })).trim();
    kua(["attach", sealedId, attachment]);
    kua(["seal", sealedId]);
    draftId = kua(["add", "-"], JSON.stringify({ language: "kk", narrative: "Бізді түнде әкетті, үш күн ұстады." })).trim();
    caseId = kua(["case", "new", "--client", sealedId, "--title", "Жезқазған: ұрып-соғу туралы шағым"]).trim().split("\n").at(-1)?.trim() ?? "";
    expect(caseId).toMatch(/^[0-9a-f-]{36}$/);
    // One field vault's record was imported (trusted); another field vault's bundle,
    // from a sender not yet trusted, waits on the import screen.
    const age = (JSON.parse(kua(["--json", "identity"])) as { age_recipient: string }).age_recipient;
    const sendOne = (dir: string): string => {
      mkdirSync(dir, { recursive: true });
      const fieldKua = (args: string[], input?: string) => kua(args, input, join(dir, "vault.kua"), FIELD_PASS);
      fieldKua(["init", "--insecure-test-kdf"]);
      fieldKua(["recipients", "add", "coalition", age]);
      fieldKua(["identity", "--minisign-pub", "-o", join(dir, "field.pub")]);
      const received = fieldKua(["add", "-"], JSON.stringify(COMPLETE)).trim();
      fieldKua(["seal", received]);
      const out = join(dir, "to-coalition.kua");
      fieldKua(["export", "--to", "coalition", "--all", "-o", out]);
      return out;
    };
    const trusted = sendOne(join(field, "trusted"));
    kua(["trust", "add", "Қарағанды-7", join(field, "trusted", "field.pub")]);
    kua(["import", trusted]);
    sendOne(join(field, "unknown"));
    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: "kk" }));
    await startDriver({}, `${SCREEN.width}x${SCREEN.height}`);
    b = await openApp(home);
  });

  afterAll(async () => {
    // The last test ends its own sessions.
    await b?.deleteSession().catch(() => {});
    stopDriver();
  });

  it("opens at a size that fits the screen it opens on", async () => {
    const rect = await b.getWindowRect();
    expect(rect.width).toBeLessThanOrEqual(SCREEN.width);
    expect(rect.height).toBeLessThanOrEqual(SCREEN.height);
    expect(rect.x).toBeGreaterThanOrEqual(0);
    expect(rect.y).toBeGreaterThanOrEqual(0);
    // The unlock screen, as opened: nothing out of reach.
    await el(b, "#passphrase");
    const report = await check(b);
    expect(report.controls).toBeGreaterThan(2);
    expect(report.problems).toEqual([]);
  });

  it("takes and shows dates day first in Kazakh and Russian, ISO in English", async () => {
    if (!(await (await b.$("[data-testid=lock]")).isExisting())) await unlock(b);
    for (const [lang, events, interview] of [["kk", "01.2022", "20.01.2022 14:30"], ["ru", "01.2022", "20.01.2022 14:30"], ["en", "2022-01", "2022-01-20 14:30"]] as const) {
      await setLanguage(b, lang);
      // A sealed testimony's fields, read-only: an approximate date and a date-time.
      await press(b, "[data-nav=list]");
      await press(b, `[data-testid=records] button.record[data-id="${sealedId}"]`);
      await el(b, "[data-testid=status]");
      // Every tab's text (the template's sections hold the dates).
      let text = "";
      const tabs = (await b.execute(() => [...document.querySelectorAll("button[role=tab][data-tab]")].map((e) => e.getAttribute("data-tab")))) as string[];
      for (const tab of tabs) {
        await press(b, `button[role=tab][data-tab="${tab}"]`);
        await b.pause(100);
        text += (await b.execute(() => document.querySelector("#panel")?.textContent ?? "")) as string;
      }
      expect(text).toContain(interview);
      expect(text).toContain(events);
      // The list's date filter reads what is typed in the language's order: a day after
      // every testimony leaves none listed, and the field keeps what was typed.
      await press(b, "[data-nav=list]");
      await el(b, `[data-testid=records] button.record[data-id="${sealedId}"]`);
      const from = lang === "en" ? "2031-03-01" : "01.03.2031";
      await type(b, "[data-testid=list-from]", from);
      await b.waitUntil(async () => (await b.execute(() => document.querySelectorAll("[data-testid=records] button.record").length)) === 0, {
        timeout: 10_000,
        timeoutMsg: `${lang}: the list still shows testimonies from before ${from}`,
      });
      expect(await (await el(b, "[data-testid=list-from]")).getValue()).toBe(from);
      await (await el(b, "[data-testid=list-from]")).clearValue();
      await (await el(b, "[data-testid=list-from]")).addValue(" ");
      await el(b, `[data-testid=records] button.record[data-id="${sealedId}"]`);
    }
  });

  it("works from the keyboard: F1 opens the screen's guide, Esc closes it; a form takes the cursor, Esc cancels it", async () => {
    if (!(await (await b.$("[data-testid=lock]")).isExisting())) await unlock(b);
    await setLanguage(b, "ru");
    await press(b, "[data-nav=cases]");
    await el(b, "[data-testid=case-row]");
    const active = async () => (await b.execute(() => {
      const a = document.activeElement;
      return a ? `${a.tagName.toLowerCase()}#${a.id}` : "";
    })) as string;
    // F1 on the cases screen: the guide speaks of cases, in Russian.
    await b.keys(["F1"]);
    await el(b, "[data-testid=guide-screen][data-screen=cases]");
    expect(await (await el(b, "[data-testid=guide-screen]")).getText()).toMatch(/Дела юриста/);
    await b.keys(["Escape"]);
    await b.waitUntil(async () => !(await (await b.$("[data-testid=guide-screen]")).isExisting()), { timeout: 5_000, timeoutMsg: "Esc did not close the guide" });
    // The new-case form puts the cursor in its first field; Esc closes it again.
    await (await el(b, "[data-testid=new-case-open]")).click();
    await b.waitUntil(async () => /^(input|select|textarea)#/.test(await active()), { timeout: 5_000, timeoutMsg: "the new-case form did not take the cursor" });
    const first = await active();
    const firstInForm = (await b.execute(() => {
      const f = document.activeElement?.closest("form");
      const fields = f ? [...f.querySelectorAll("input:not([type=hidden]), select, textarea")].filter((e) => (e as HTMLElement).offsetParent !== null) : [];
      return fields[0] === document.activeElement;
    })) as boolean;
    expect(firstInForm, `${first} is the form's first field`).toBe(true);
    await b.keys(["Escape"]);
    await b.waitUntil(async () => !(await (await b.$(first.replace(/^[a-z]+/, ""))).isExisting()), { timeout: 5_000, timeoutMsg: "Esc did not cancel the form" });
    // Once something is typed in it, Esc leaves the form (and what was typed) alone.
    await (await el(b, "[data-testid=new-case-open]")).click();
    const text = await el(b, "form input[type=text], form input:not([type])");
    await text.setValue("Жезқазған");
    await b.keys(["Escape"]);
    await b.pause(500);
    expect(await text.isExisting()).toBe(true);
    expect(await text.getValue()).toBe("Жезқазған");
    await (await el(b, "form button[data-cancel]")).click();
    await b.waitUntil(async () => !(await text.isExisting()), { timeout: 5_000, timeoutMsg: "Cancel did not close the form" });
    // The unlock screen puts the cursor in the passphrase.
    await press(b, "[data-testid=lock]");
    await el(b, "#passphrase");
    await b.waitUntil(async () => (await active()) === "input#passphrase", { timeout: 5_000, timeoutMsg: "the unlock screen did not put the cursor in the passphrase" });
    await unlock(b);
  });

  for (const lang of LANGS) {
    it(`lays out every screen at 1366×768 and 1024×600, at 100 % and 200 %, in ${lang}`, async () => {
      const problems: string[] = [];
      let looked = 0;
      const record = async (where: string, shot: boolean) => {
        const report = await check(b);
        looked++;
        if (report.controls < 3 || report.lines < 5) problems.push(`${where}: the check saw almost nothing (${report.controls} controls, ${report.lines} lines)`);
        for (const p of report.problems) problems.push(`${where} (${report.width}×${report.height} CSS px): ${p}`);
        if (shot && lang !== "en") await screenshot(b, join("layout", lang), where);
      };
      if (!(await (await b.$("[data-testid=lock]")).isExisting())) await unlock(b);
      await setLanguage(b, lang);
      for (const size of SIZES) {
        await b.setWindowSize(size.width, size.height);
        for (const zoom of ZOOMS) {
          await setZoom(b, zoom, size.width);
          const where = (name: string) => `${size.width}x${size.height}-${zoom}-${name}`;
          for (const screen of SCREENS) {
            try {
              await screen.open(b);
            } catch (e) {
              await screenshot(b, join("layout", "failed"), where(screen.name));
              throw new Error(`${lang} ${where(screen.name)}: the screen did not open: ${String(e)}`);
            }
            await record(where(screen.name), zoom === 100 || size.width === 1024);
            await screen.close?.(b);
          }
          // The guide, over the list, then closed by its button.
          await press(b, "[data-nav=list]");
          await press(b, "[data-testid=help]");
          await el(b, "[data-testid=guide-screen][data-screen=list]");
          await record(where("guide"), true);
          await press(b, "[data-testid=guide-close]");
          await b.waitUntil(async () => !(await (await b.$("[data-testid=guide-screen]")).isExisting()), { timeout: 5_000, timeoutMsg: "the guide did not close" });
          // The lock, from the button that must be in sight, and the unlock screen.
          await press(b, "[data-testid=lock]");
          await el(b, "#passphrase");
          await record(where("unlock"), true);
          await unlock(b);
        }
      }
      await setZoom(b, 100, SIZES.at(-1)?.width ?? SCREEN.width);
      expect(looked).toBe(SIZES.length * ZOOMS.length * (SCREENS.length + 2));
      expect(problems).toEqual([]);
    });
  }

  it("lays out the first screens (welcome, a new passphrase, the recovery key) at both sizes and zooms, in kk and ru", async () => {
    await b.deleteSession();
    const problems: string[] = [];
    let looked = 0;
    for (const lang of ["kk", "ru"]) {
      for (const size of SIZES) {
        for (const zoom of ZOOMS) {
          // A machine with no vault yet, its settings saying the language and zoom.
          const fresh = join(work, `layout-first-${lang}-${size.width}-${zoom}`);
          mkdirSync(fresh, { recursive: true });
          writeFileSync(join(fresh, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: lang, zoom_percent: zoom }));
          b = await openApp(fresh);
          await b.setWindowSize(size.width, size.height);
          const where = (name: string) => `${size.width}x${size.height}-${zoom}-${name}`;
          const record = async (name: string) => {
            const report = await check(b);
            looked++;
            if (report.controls < 2 || report.lines < 3) problems.push(`${where(name)}: the check saw almost nothing`);
            // The page is zoomed as the settings say: its width is the window's over the zoom.
            if (Math.abs(report.width - size.width / (zoom / 100)) > 24) problems.push(`${where(name)}: ${report.width} CSS px wide, not zoomed to ${zoom} %`);
            for (const p of report.problems) problems.push(`${where(name)} (${report.width}×${report.height} CSS px): ${p}`);
            await screenshot(b, join("layout", lang), where(name));
          };
          await el(b, "button.primary");
          await record("welcome");
          await press(b, "button.primary");
          await fill(b, "#new-pass", PASS);
          await fill(b, "#new-pass-confirm", PASS);
          await record("create");
          await press(b, "form button[type=submit]");
          await el(b, "[data-testid=recovery-key]", 60_000);
          await record("recovery");
          await b.deleteSession();
        }
      }
    }
    expect(looked).toBe(2 * SIZES.length * ZOOMS.length * 3);
    expect(problems).toEqual([]);
  });
});
