// Emergency erase (#16), in the real window, in Kazakh. A vault with one testimony is
// made with the `kua` command. Unlocked, in Settings, the erase stays closed until it
// is asked for, Escape closes it and forgets the word typed, and the shell refuses an
// erase the page did not confirm. Locked, on the unlock screen, the erase stays apart
// from the unlock button, refuses any word but the Kazakh one (in any capitals, with
// spaces around it), and then destroys the vault: the window shows the start screen,
// the file and its journals are gone from the disk, and the CLI can no longer open it.
// The open form is checked with axe-core and photographed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, COMPLETE, axe, click, el, openApp, screenshot, startDriver, stopDriver, textOf, type, waitText, work, type Browser } from "./harness";

const PASS = "жою тексеру 2022 қаңтар";
const home = join(work, "erase");
const vault = join(home, "vault.kua");
const LANG = "kk";
// The confirmation word of the Kazakh interface (erase-word in kk.ftl).
const WORD = "ЖОЮ";


const env = () => ({ ...process.env, KUA_VAULT: vault, KUA_PASSPHRASE: PASS });

function kua(args: string[], input?: string): string {
  return execFileSync(CLI, args, {
    env: env(),
    encoding: "utf8",
    input,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
}

/** The vault's file and its journals, as far as they are on the disk. */
function vaultFiles(): string[] {
  return existsSync(home) ? readdirSync(home).filter((n) => n.startsWith("vault.kua")) : [];
}

const problems: string[] = [];
async function check(b: Browser, name: string): Promise<void> {
  await screenshot(b, LANG, name);
  for (const v of await axe(b)) {
    problems.push(`${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
}

async function focused(b: Browser): Promise<string | null | undefined> {
  return (await b.execute(() => document.activeElement?.getAttribute("data-testid"))) as string | null | undefined;
}

/** Waits until the element with this data-testid has the focus. */
async function waitFocus(b: Browser, testid: string): Promise<void> {
  await b.waitUntil(async () => (await focused(b)) === testid, { timeout: 5_000, timeoutMsg: `focus never reached ${testid}` });
}

async function enabled(b: Browser, selector: string): Promise<boolean> {
  return (await el(b, selector)).isEnabled();
}

async function absent(b: Browser, selector: string): Promise<boolean> {
  return !(await (await b.$(selector)).isExisting());
}

let testimonyId = "";

describe("emergency erase", () => {
  let b: Browser;

  beforeAll(async () => {
    mkdirSync(home, { recursive: true });
    kua(["init", "--insecure-test-kdf"]);
    testimonyId = kua(["add", "-"], JSON.stringify(COMPLETE)).trim();
    kua(["seal", testimonyId]);
    // The fixture is what it says: one testimony, readable with the passphrase.
    const rows = JSON.parse(kua(["--json", "list"])) as { id: string }[];
    expect(rows.map((r) => r.id)).toEqual([testimonyId]);
    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: LANG }));
    await startDriver();
    b = await openApp(home);
  });

  afterAll(async () => {
    await b?.deleteSession();
    stopDriver();
  });

  it("keeps the erase in Settings closed until asked for; Escape closes it and forgets the word", async () => {
    // The app starts locked.
    await type(b, "#passphrase", PASS);
    await click(b, "form button[type=submit]");
    await el(b, "[data-testid=new-testimony]");
    await click(b, "button[data-nav=settings]");

    // The last card of Settings, closed: no field, nothing to press but the opener.
    await el(b, "[data-testid=emergency-erase]");
    const last = await b.execute(() => [...document.querySelectorAll("#content .card")].at(-1)?.getAttribute("data-testid"));
    expect(last).toBe("emergency-erase");
    expect(await absent(b, "[data-testid=erase-word]")).toBe(true);
    expect(await absent(b, "[data-testid=erase-submit]")).toBe(true);
    expect(await (await el(b, "[data-testid=erase-open]")).getAttribute("aria-expanded")).toBe("false");

    // Opened, the field has the focus and the word is shown in Kazakh.
    await click(b, "[data-testid=erase-open]");
    await el(b, "[data-testid=erase-word]");
    await waitFocus(b, "erase-word");
    expect(await (await el(b, "[data-testid=erase-open]")).getAttribute("aria-expanded")).toBe("true");
    expect(await textOf(b, "[data-testid=erase-word-shown]")).toBe(WORD);
    expect(await enabled(b, "[data-testid=erase-submit]")).toBe(false);
    await type(b, "[data-testid=erase-word]", WORD);
    await b.waitUntil(() => enabled(b, "[data-testid=erase-submit]"), { timeout: 5_000, timeoutMsg: "the right word did not enable the erase" });
    await check(b, "90-erase-settings");

    // Escape closes the form, gives the focus back to the opener and forgets the word.
    await b.keys(["Escape"]);
    await b.waitUntil(() => absent(b, "[data-testid=erase-word]"), { timeout: 5_000, timeoutMsg: "Escape left the erase form open" });
    await waitFocus(b, "erase-open");
    await click(b, "[data-testid=erase-open]");
    expect(await (await el(b, "[data-testid=erase-word]")).getValue()).toBe("");
    expect(await enabled(b, "[data-testid=erase-submit]")).toBe(false);
    // Cancel closes it too.
    await click(b, "[data-testid=erase-cancel]");
    await b.waitUntil(() => absent(b, "[data-testid=erase-word]"), { timeout: 5_000, timeoutMsg: "Cancel left the erase form open" });
    expect(vaultFiles()).toContain("vault.kua");

    // Erase after failed unlocks: off by default; switched on at 5, kept when Settings
    // opens again, switched off again (the unlock below must not erase by accident).
    expect(await (await el(b, "[data-testid=erase-after-on]")).isSelected()).toBe(false);
    await click(b, "[data-testid=erase-after-on]");
    await type(b, "[data-testid=erase-after-limit]", "2");
    expect(await enabled(b, "[data-testid=erase-after-save]")).toBe(false);
    await type(b, "[data-testid=erase-after-limit]", "5");
    await click(b, "[data-testid=erase-after-save]");
    await waitText(b, "[data-testid=erase-after-notice]", /5/);
    await check(b, "92-erase-after");
    await click(b, "button[data-nav=list]");
    await click(b, "button[data-nav=settings]");
    expect(await (await el(b, "[data-testid=erase-after-on]")).isSelected()).toBe(true);
    expect(await (await el(b, "[data-testid=erase-after-limit]")).getValue()).toBe("5");
    await click(b, "[data-testid=erase-after-on]");
    await click(b, "[data-testid=erase-after-save]");
    await el(b, "[data-testid=erase-after-notice]");
  });

  it("is refused by the shell unless the page confirms it", async () => {
    // A page that skips the form (or sends the word as typed) erases nothing.
    for (const confirm of [WORD, "erase", "", "ERASE "]) {
      const answer = (await b.executeAsync((word: string, done: (r: unknown) => void) => {
        const w = window as unknown as { __TAURI_INTERNALS__: { invoke: (cmd: string, args: unknown) => Promise<unknown> } };
        w.__TAURI_INTERNALS__.invoke("erase_vault", { confirm: word }).then(
          () => done("erased"),
          (e: unknown) => done(e),
        );
      }, confirm)) as unknown;
      expect(answer, `confirm ${JSON.stringify(confirm)}`).toMatchObject({ code: "erase_not_confirmed" });
    }
    expect(vaultFiles()).toContain("vault.kua");
    // Still open and unlocked.
    await click(b, "button[data-nav=list]");
    await el(b, "[data-testid=new-testimony]");
  });

  it("erases the locked vault from the unlock screen once the word is typed", async () => {
    await click(b, "[data-testid=lock]");
    await el(b, "#passphrase");

    // Below the unlock form, in a card of its own, not inside the form.
    const layout = (await b.execute(() => {
      const unlock = document.querySelector("#passphrase")?.closest("form");
      const erase = document.querySelector("[data-testid=emergency-erase]");
      if (!unlock || !erase) return null;
      return { inside: unlock.contains(erase), gap: erase.getBoundingClientRect().top - unlock.getBoundingClientRect().bottom };
    })) as { inside: boolean; gap: number } | null;
    expect(layout).not.toBeNull();
    expect(layout?.inside).toBe(false);
    expect(layout?.gap ?? 0).toBeGreaterThan(24);
    expect(await absent(b, "[data-testid=erase-word]")).toBe(true);

    await click(b, "[data-testid=erase-open]");
    await el(b, "[data-testid=erase-word]");
    await waitFocus(b, "erase-word");
    expect(await textOf(b, "[data-testid=erase-word-shown]")).toBe(WORD);

    // Another word (the English or the Russian one, a part of the word) is not enough,
    // and Enter does nothing with it.
    for (const wrong of ["ERASE", "УНИЧТОЖИТЬ", "ЖО", "ЖОЮЮ"]) {
      await type(b, "[data-testid=erase-word]", wrong);
      await b.pause(100);
      expect(await enabled(b, "[data-testid=erase-submit]"), wrong).toBe(false);
    }
    await (await el(b, "[data-testid=erase-word]")).addValue("\uE007");
    await b.pause(500);
    expect(await absent(b, "[data-testid=erase-status]")).toBe(true);
    expect(vaultFiles()).toContain("vault.kua");
    await el(b, "#passphrase");

    // The word in small letters, with spaces around it.
    await type(b, "[data-testid=erase-word]", `  ${WORD.toLowerCase()} `);
    await b.waitUntil(() => enabled(b, "[data-testid=erase-submit]"), { timeout: 5_000, timeoutMsg: "the word in small letters did not enable the erase" });
    await check(b, "91-erase-unlock");

    // The shell reloads the window at once: a click answered with an error because the
    // page went away is fine; the start screen tells whether it worked.
    const submit = await el(b, "[data-testid=erase-submit]");
    await submit.click().catch(() => {});
    await b.waitUntil(
      async () => {
        try {
          return await (await b.$("[data-testid=welcome]")).isDisplayed();
        } catch {
          return false;
        }
      },
      { timeout: 60_000, interval: 250, timeoutMsg: "the start screen never came after the erase" },
    );
    await waitText(b, "[data-testid=welcome] h2", /^Бастау$/);
    expect(await absent(b, "[data-testid=emergency-erase]")).toBe(true);
    await screenshot(b, LANG, "92-erase-done");

    // The file and its journals are gone (the journals go right after the file).
    for (let i = 0; i < 40 && vaultFiles().length > 0; i++) await b.pause(250);
    expect(vaultFiles()).toEqual([]);
    for (const suffix of ["", "-wal", "-shm", "-journal"]) expect(existsSync(`${vault}${suffix}`), `${vault}${suffix}`).toBe(false);

    // The CLI finds no vault there, and looking does not make one.
    const r = spawnSync(CLI, ["--json", "list"], { env: env(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(r.status).not.toBe(0);
    const error = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { error?: { code?: string } })
      .at(-1);
    expect(error?.error?.code, r.stderr).toBe("no_vault");
    expect(r.stdout).not.toContain(testimonyId);
    expect(vaultFiles()).toEqual([]);
  });

  it("has no serious or critical accessibility violation", () => {
    expect(problems).toEqual([]);
  });
});
