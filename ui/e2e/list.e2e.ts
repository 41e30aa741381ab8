// The testimony list in windows (#17), in the real window, in Russian: a vault of 1,200
// testimonies made with `kua add` (one array, one transaction). The page holds only the
// rows it shows: the first 100, then 500 more per "Show more"; the count says how many
// match. Filters, the order and search go through the shell and select what the vault
// holds (the expected figures come from the fixture, not from the app).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, click, el, openApp, startDriver, stopDriver, type, waitText, work, type Browser } from "./harness";

const PASS = "список окнами 1200 записей";
const home = join(work, "list");
const vault = join(home, "vault.kua");
const N = 1200;
// One in three in Kazakh; the one with the rare word is number 778, in Russian.
const kazakh = (i: number) => i % 3 === 0;
const RARE = "Жезказганом";

function kua(args: string[], input?: string): string {
  return execFileSync(CLI, args, {
    env: { ...process.env, KUA_VAULT: vault, KUA_PASSPHRASE: PASS },
    encoding: "utf8",
    input,
    maxBuffer: 64 << 20,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
}

/** How many rows the page holds in its list. */
async function rowCount(b: Browser): Promise<number> {
  return (await b.execute(() => document.querySelectorAll("[data-testid=records] button.record").length)) as number;
}

async function waitRows(b: Browser, n: number): Promise<void> {
  await b.waitUntil(async () => (await rowCount(b)) === n, { timeout: 20_000, timeoutMsg: `the list never held ${n} rows (it holds ${await rowCount(b)})` });
}

/** The count line as numbers: [shown, matching]. */
async function counted(b: Browser): Promise<number[]> {
  const text = await (await el(b, "[data-testid=count]")).getText();
  // Russian groups thousands with a (narrow) no-break space: "1 200".
  return (text.match(/\d[\d\s\u00a0\u202f]*/g) ?? []).map((s) => Number(s.replace(/[\s\u00a0\u202f]/g, "")));
}

describe("the testimony list in windows", () => {
  let b: Browser;
  let ids: string[] = [];

  beforeAll(async () => {
    mkdirSync(home, { recursive: true });
    kua(["init", "--insecure-test-kdf"]);
    const input = (i: number) => ({
      language: kazakh(i) ? "kk" : "ru",
      narrative: i === 778 ? `Запись ${i}: меня задержали под ${RARE}.` : `Запись ${i}: ${kazakh(i) ? "мені қаңтарда ұстады" : "меня задержали в январе"}.`,
    });
    // The first alone, so that it is older than every other (the rest share milliseconds).
    const first = kua(["add", "-"], JSON.stringify(input(0))).trim();
    const rest = Array.from({ length: N - 1 }, (_, i) => input(i + 1));
    ids = [first, ...kua(["add", "-"], JSON.stringify(rest)).trim().split("\n")];
    expect(new Set(ids).size).toBe(N);
    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: "ru" }));
    await startDriver();
    b = await openApp(home);
    await type(b, "#passphrase", PASS);
    await click(b, "form button[type=submit]");
    await el(b, "[data-testid=new-testimony]");
  });

  afterAll(async () => {
    await b?.deleteSession();
    stopDriver();
  });

  it("shows the first rows, then more on request, each testimony once", async () => {
    await waitRows(b, 100);
    expect(await counted(b)).toEqual([100, N]);
    // A hundred distinct rows, each one of the vault's.
    const shown = (await b.execute(() => [...document.querySelectorAll("[data-testid=records] button.record")].map((e) => e.getAttribute("data-id")))) as string[];
    expect(new Set(shown).size).toBe(100);
    for (const id of shown) expect(ids).toContain(id);

    await click(b, "[data-testid=list-more]");
    await waitRows(b, 600);
    expect(await counted(b)).toEqual([600, N]);
    await click(b, "[data-testid=list-more]");
    await waitRows(b, 1100);
    await click(b, "[data-testid=list-more]");
    await waitRows(b, N);
    expect(await counted(b)).toEqual([N, N]);
    // Every testimony once: windows neither overlap nor skip.
    const all = (await b.execute(() => [...document.querySelectorAll("[data-testid=records] button.record")].map((e) => e.getAttribute("data-id")))) as string[];
    expect([...all].sort()).toEqual([...ids].sort());
    expect(await (await b.$("[data-testid=list-more]")).isExisting()).toBe(false);
  });

  it("filters by language and orders by creation in the shell", async () => {
    const select = await el(b, "select[data-testid=list-language]");
    await select.selectByAttribute("value", "kk");
    const kk = ids.filter((_, i) => kazakh(i)).length;
    await b.waitUntil(async () => (await counted(b))[1] === kk, { timeout: 20_000, timeoutMsg: `the count never said ${kk}` });
    await waitRows(b, 100);
    expect(await counted(b)).toEqual([100, kk]);
    const shown = async () => (await b.execute(() => [...document.querySelectorAll("[data-testid=records] button.record")].map((e) => [e.getAttribute("data-id"), e.getAttribute("data-language")]))) as [string, string][];
    expect((await shown()).every(([, l]) => l === "kk")).toBe(true);
    // Most recently changed first: the oldest is not among the first hundred.
    expect((await shown()).map(([id]) => id)).not.toContain(ids[0]);
    const firstShown = async () => (await shown())[0]?.[0];

    // Oldest first: the first Kazakh testimony added leads.
    await (await el(b, "select[data-testid=list-sort]")).selectByAttribute("value", "created_asc");
    await b.waitUntil(async () => (await firstShown()) === ids[0], {
      timeout: 20_000,
      timeoutMsg: "the oldest Kazakh testimony did not come first",
    });
    await (await el(b, "select[data-testid=list-language]")).selectByAttribute("value", "");
    await b.waitUntil(async () => (await counted(b))[1] === N, { timeout: 20_000, timeoutMsg: "the filter's end did not bring every testimony back" });
  });

  it("searches through the shell and lists only the hits", async () => {
    await type(b, "[data-testid=search]", RARE.toLowerCase());
    await b.waitUntil(async () => (await counted(b)).join() === "1,1", { timeout: 20_000, timeoutMsg: "the search did not list its one hit" });
    await waitRows(b, 1);
    const hit = (await b.execute(() => document.querySelector("[data-testid=records] button.record")?.getAttribute("data-id"))) as string;
    expect(hit).toBe(ids[778]);
    await waitText(b, "[data-testid=records]", new RegExp(RARE));
    // Cleared, the whole list is back.
    await (await el(b, "[data-testid=search]")).clearValue();
    await (await el(b, "[data-testid=search]")).addValue(" ");
    await waitRows(b, 100);
  });
});
