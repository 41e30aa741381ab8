// The whole flow in the real app window, under Xvfb, through tauri-driver:
// a coordinator creates a vault; an interviewer creates one, locks, mistypes the
// passphrase, unlocks, records a testimony with consent in Russian and Kazakh, attaches
// a file, seals, amends, finds it by search, exports a bundle; the coordinator imports
// it and sees its provenance. Every screen is checked with axe-core and photographed in
// English and Kazakh. Afterwards nothing of the testimony may be found on disk outside
// the vault's ciphertext, and the app may have held no internet socket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  answerDialog, appProcesses, axe, click, contains, createVault as createVaultIn, el, filesUnder, inetSockets, openApp, realKeys,
  screenshot, startDriver, stopDriver, textOf, type, waitText, work, type Browser,
} from "./harness";

const PASS_A = "тау өзен жол қызыл алма 2022";
const PASS_B = "coordinator horse battery staple";
// Two paragraphs: the editor must keep the break.
const PARA1 = "Шестого января меня забрали из больничной палаты.";
const PARA2 = "Свидетельница-Канарейка-7431 видела это.";
const NARRATIVE = `${PARA1}\n${PARA2}`;
const AMENDED = " Позже она вспомнила номер машины: Жолаушы-Канарейка-8802.";
const PLACE_KK = "Қарағанды-Құпия-5520, ИВС";
const ATTACH_TEXT = "Медицинское заключение ATTACH-CANARY-9911";
const ATTACH_NAME = "медзаключение-канарейка.txt";
const CANARIES = ["Канарейка-7431", "Канарейка-8802", "Құпия-5520", "ATTACH-CANARY-9911", "медзаключение-канарейка"];

const homeA = join(work, "interviewer");
const homeB = join(work, "coordinator");
const bundlePath = join(work, "usb", "to-coalition.kua");
const attachPath = join(work, "source", ATTACH_NAME);

const problems: string[] = [];
async function check(b: Browser, lang: string, name: string): Promise<void> {
  await screenshot(b, lang, name);
  for (const v of await axe(b)) {
    problems.push(`${lang}/${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
}

async function createVault(b: Browser, pass: string, lang: string, prefix: string): Promise<void> {
  await createVaultIn(b, pass, (name) => check(b, lang, `${prefix}-${name}`));
}

async function nav(b: Browser, name: string): Promise<void> {
  await click(b, `button[data-nav=${name}]`);
}

let coordinatorAge = "";

describe("Kua desktop, end to end", () => {
  beforeAll(async () => {
    for (const d of ["usb", "source"]) mkdirSync(join(work, d), { recursive: true });
    writeFileSync(attachPath, ATTACH_TEXT);
    await startDriver();
  });

  afterAll(() => stopDriver());

  it("a coordinator creates a vault and reads out its key", async () => {
    const b = await openApp(homeB);
    try {
      await createVault(b, PASS_B, "en", "coordinator");
      expect(await b.getTitle()).toBe("Kua");
      await nav(b, "contacts");
      coordinatorAge = await textOf(b, "[data-testid=age-recipient]");
      expect(coordinatorAge).toMatch(/^age1[0-9a-z]{58}$/);

      // The page runs under the strict CSP: no eval, no inline handlers, no remote fetch.
      const csp = (await b.executeAsync((done: (r: unknown) => void) => {
        const out: Record<string, string> = {};
        try {
          out.eval = String(eval("1 + 1"));
        } catch (e) {
          out.eval = `blocked: ${String(e)}`;
        }
        const w = window as unknown as { __inline?: boolean };
        document.body.insertAdjacentHTML("beforeend", '<img id="csp-probe" src="data:," onerror="window.__inline = true" onload="window.__inline = true">');
        setTimeout(() => {
          out.inline = w.__inline ? "ran" : "blocked";
          document.getElementById("csp-probe")?.remove();
          fetch("https://example.org/").then(() => done({ ...out, fetch: "allowed" }), (e) => done({ ...out, fetch: `blocked: ${String(e)}` }));
        }, 300);
      })) as Record<string, string>;
      expect(csp.eval).toMatch(/^blocked/);
      expect(csp.inline).toBe("blocked");
      expect(csp.fetch).toMatch(/^blocked/);
      expect(await textOf(b, "[data-testid=my-fingerprint]")).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    } finally {
      await b.deleteSession();
    }
  });

  it("an interviewer records, seals, amends, finds and exports a testimony", async () => {
    const b = await openApp(homeA);
    try {
      await createVault(b, PASS_A, "en", "interviewer");
      await check(b, "en", "04-list-empty");

      // Lock with the button, then a wrong passphrase, then the right one.
      await click(b, "[data-testid=lock]");
      await el(b, "#passphrase");
      await check(b, "en", "05-unlock");
      await type(b, "#passphrase", "not the passphrase");
      await click(b, "form button[type=submit]");
      expect(await waitText(b, "[data-testid=unlock-error]", /does not open this vault/)).toContain("Caps Lock");
      await check(b, "en", "06-unlock-wrong");
      await type(b, "#passphrase", PASS_A);
      await click(b, "form button[type=submit]");
      await el(b, "[data-testid=new-testimony]");

      // A new testimony in Russian; consent comes first.
      await click(b, "[data-testid=new-testimony]");
      await check(b, "en", "07-new");
      await (await el(b, "#new-language")).selectByAttribute("value", "ru");
      await type(b, "#new-interviewer", "Интервьюер 3");
      await click(b, "[data-testid=create-testimony]");
      await el(b, "[data-testid=consent-form]");
      await check(b, "en", "08-consent");
      await click(b, "[data-scope=coalition]");
      await click(b, "[data-testid=consent-save]");
      await waitText(b, "button[data-tab=consent]", /✓/);

      // Template fields in Russian and Kazakh.
      await click(b, "button[data-tab=interview]");
      await type(b, "#f-interview_datetime", "2022-02-03T11:00");
      await type(b, "#f-interview_place", PLACE_KK);
      await type(b, "#f-interviewers", "Интервьюер 3, аудармашы");
      await check(b, "en", "09-form");
      await click(b, "button[data-tab=arrest]");
      await type(b, "#f-events_date", "2022-01");
      await type(b, "#f-incident_place", "Городская больница, затем ИВС");
      await (await el(b, "#f-detaining_authority")).selectByAttribute("value", "knb");
      await click(b, "button[data-tab=ill_treatment]");
      await click(b, "[data-field=methods] [data-option=beating]");
      await click(b, "button[data-tab=narrative]");
      await type(b, "[data-testid=narrative]", PARA1);
      await (await el(b, "[data-testid=narrative]")).addValue(`\uE007${PARA2}`);
      await waitText(b, "[data-testid=save-state]", /^Saved/);
      await check(b, "en", "10-narrative");

      // Attach a file through the (scripted) file dialog.
      await click(b, "button[data-tab=attachments]");
      answerDialog([attachPath]);
      await click(b, "[data-testid=attach]");
      const table = await waitText(b, "[data-testid=attachments]", /медзаключение/);
      const expected = createHash("sha256").update(readFileSync(attachPath)).digest("hex");
      expect(table).toContain(expected);
      await check(b, "en", "11-attachments");

      // Seal, with the confirmation that explains it.
      await click(b, "[data-testid=seal]");
      await el(b, "[data-testid=seal-confirm]");
      await check(b, "en", "12-seal-dialog");
      await click(b, "[data-testid=seal-confirm]");
      await waitText(b, "[data-testid=status]", /Sealed/);

      // Amend: a second sealed version with a reason.
      await click(b, "[data-testid=amend]");
      await click(b, "button[data-tab=narrative]");
      // As a user would: click into the account, go to its end, type.
      await click(b, "[data-testid=narrative]");
      await b.keys(["Control", "End"]);
      await (await el(b, "[data-testid=narrative]")).addValue(AMENDED);
      await type(b, "#amend-reason", "Дополнение после повторной беседы");
      await check(b, "en", "13-amend");
      await click(b, "[data-testid=amend-save]");
      await waitText(b, "h1", /version 2/);
      await click(b, "button[data-tab=history]");
      const versions = await waitText(b, "[data-testid=versions]", /version 2/);
      expect(versions).toContain("Дополнение после повторной беседы");
      expect(versions).toMatch(/Changed: the account/);
      await check(b, "en", "14-history");

      // Search finds it by a word of the amendment, in Kazakh letters too.
      await nav(b, "list");
      await type(b, "[data-testid=search]", "жолаушы");
      await waitText(b, "[data-testid=records]", /Жолаушы/);
      await check(b, "en", "15-search");
      await (await el(b, "[data-testid=search]")).setValue("қарағанды");
      await waitText(b, "[data-testid=count]", /Showing 1 of 1/);

      // The custody log verifies.
      await nav(b, "custody");
      await click(b, "[data-testid=verify]");
      await waitText(b, "[data-testid=verify-report]", /intact/);
      await check(b, "en", "16-custody");

      // Export to the coordinator.
      await nav(b, "contacts");
      await type(b, "[data-testid=recipient-name]", "coalition");
      await type(b, "[data-testid=recipient-key]", coordinatorAge);
      await click(b, "[data-testid=recipient-add]");
      await waitText(b, "main", /coalition/);
      await check(b, "en", "17-contacts");
      await nav(b, "export");
      await click(b, "[data-recipient=coalition]");
      await click(b, "[data-testid=export-check]");
      await waitText(b, "[data-testid=export-plan]", /2 versions will be exported/);
      await check(b, "en", "18-export-plan");
      answerDialog([bundlePath]);
      await click(b, "[data-testid=export-run]");
      expect(await waitText(b, "[data-testid=export-path]", /to-coalition\.kua/)).toBe(bundlePath);
      await check(b, "en", "19-export-done");

      // The same screens in Kazakh, switched live.
      await nav(b, "settings");
      await (await el(b, "[data-testid=language]")).selectByAttribute("value", "kk");
      await waitText(b, "nav", /Куәліктер/);
      await check(b, "kk", "20-settings");
      for (const [name, screen] of [["list", "21-list"], ["custody", "22-custody"], ["export", "23-export"], ["import", "24-import"], ["received", "25-received"], ["contacts", "26-contacts"]] as const) {
        await nav(b, name);
        await b.pause(300);
        await check(b, "kk", screen);
      }
      await nav(b, "list");
      await click(b, "[data-testid=records] button.record");
      await el(b, "[data-testid=status]");
      for (const tab of ["consent", "interview", "narrative", "attachments", "history"]) {
        await click(b, `button[data-tab=${tab}]`);
        await b.pause(200);
        await check(b, "kk", `27-testimony-${tab}`);
      }

      // No internet socket was ever needed; check the app and its WebKit processes now.
      const pids = appProcesses(homeA);
      expect(pids.length).toBeGreaterThan(1);
      // The check sees sockets: the automation connections the test itself uses.
      expect(inetSockets(pids, true).length).toBeGreaterThan(0);
      expect(inetSockets(pids)).toEqual([]);

      // The panic shortcut locks at once, whatever screen is open. It is watched by
      // the shell, so it is pressed on the (virtual) keyboard, not sent to the page.
      await realKeys(b, ["Control_L", "Shift_L", "l"]);
      await el(b, "#passphrase");
      expect(await b.$("body").getText()).not.toContain("Канарейка");
      await check(b, "kk", "28-unlock");
      expect(await b.getTitle()).toBe("Kua");
    } finally {
      await b.deleteSession();
    }
  });

  it("the coordinator verifies and imports the bundle, and sees its provenance", async () => {
    const b = await openApp(homeB);
    try {
      await type(b, "#passphrase", PASS_B);
      await click(b, "form button[type=submit]");
      await nav(b, "import");
      answerDialog([bundlePath]);
      await click(b, "[data-testid=import-choose]");
      await waitText(b, "[data-testid=continuity]", /First bundle/);
      expect(await textOf(b, "[data-testid=fingerprint]")).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
      await check(b, "en", "30-import-report");
      await click(b, "[data-testid=compared]");
      await type(b, "[data-testid=sender-name]", "field-7");
      await click(b, "[data-testid=import-confirm]");
      await waitText(b, "[data-testid=import-result]", /Imported: 2 new versions, 1 new attachments/);
      await nav(b, "received");
      await waitText(b, "[data-testid=received]", /v2/);
      const rows = await b.$$("[data-testid=received] button.record");
      expect(rows.length).toBe(2);
      for (const row of rows) if ((await row.getText()).includes("v2")) await row.click();
      const provenance = await waitText(b, "[data-testid=provenance]", /Bundle/);
      expect(provenance).toMatch(/Sender/);
      expect(await textOf(b, "[data-testid=provenance-sender]")).toBe("field-7");
      // The text survived the editor, the amendment, the bundle and the import exactly.
      expect(await textOf(b, "[data-testid=received-narrative]")).toBe(NARRATIVE + AMENDED);
      await check(b, "en", "31-received");
    } finally {
      await b.deleteSession();
    }
  });

  it("left nothing of the testimony on disk outside the vaults' ciphertext", async () => {
    // Wait for both apps and their WebKit processes to be gone, so every file is final.
    for (let i = 0; i < 100 && appProcesses(homeA).length + appProcesses(homeB).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(appProcesses(homeA).length + appProcesses(homeB).length).toBe(0);
    const files = [...filesUnder(homeA), ...filesUnder(homeB)];
    expect(files.some((f) => f.endsWith("vault.kua"))).toBe(true);
    expect(files.some((f) => f.includes("webview"))).toBe(true);
    const leaks = files.flatMap((f) => {
      // WebKit's storage process can still remove a file of its own after the app's
      // processes are gone: a file removed between listing and reading leaves nothing.
      let bytes: Buffer;
      try {
        bytes = readFileSync(f);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
      return CANARIES.filter((c) => contains(bytes, c) || contains(bytes, c.toLowerCase())).map((c) => `${c} in ${f}`);
    });
    expect(leaks).toEqual([]);
    // The bundle is encrypted too.
    const bundle = readFileSync(bundlePath);
    expect(CANARIES.filter((c) => contains(bundle, c))).toEqual([]);
  });

  it("has no serious or critical accessibility violation on any screen", () => {
    expect(problems).toEqual([]);
  });
});
