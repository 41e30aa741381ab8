// Court reports and disclosure packages in the real window, in Kazakh. A vault holding a
// sealed Kazakh testimony (with an attachment, consent covering lawyers and courts), an
// anonymous one and a case is prepared with the `kua` command. In the window the court
// report is previewed with pdf.js (pages drawn on canvases, the Kazakh text in the text
// layer, no CSP violation) and saved through the (scripted) file dialog: the PDF and its
// signature are written, nothing else, nothing under the app's temporary directory, and
// the `kua` command makes the same report, byte for byte, from the time the window
// printed on it. A full report of the anonymous testimony and the case's report are
// previewed too. Then a disclosure package is written only once its plaintext is
// confirmed, and `sha256sum -c` and `minisign -V` accept it. Every view is checked with
// axe-core and photographed; the custody log records what left the vault. Last, the
// report of a record received redacted from an interviewer's vault is previewed and
// saved without the person's name, and the CLI makes the same bytes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CLI, COMPLETE, ROOT, answerDialog, appProcesses, axe, click, contains, el, filesUnder, openApp, screenshot, startDriver, stopDriver, textOf,
  type, work, type Browser,
} from "./harness";

const PASS = "сот есебі 2026 желтоқсан қар";
const LANG = "kk";
const home = join(work, "reports");
const vault = join(home, "vault.kua");
// The app's temporary directory (inherited through tauri-driver): no report may land there.
const tmp = join(work, "reports-tmp");
// Where the window saves (through the scripted dialogs), and where the CLI writes.
const out = join(work, "reports-out");
const cliDir = join(work, "reports-cli");
const savedPdf = join(out, "kua-report-kk.pdf");
const packageDir = join(out, "disclosure-kk");
const attachPath = join(work, "reports-src", "дәрігер-қорытындысы.txt");
const ATTACH_TEXT = "Медициналық қорытынды: қабырға сынған. ATTACH-REPORT-6021";
// One word, so that it reads back whole from the PDF's text however lines break.
const CANARY = "Қарлығаш4417";
const NARRATIVE = `Мені алаңда ұстап, көлікке отырғызды. ${CANARY} бәрін көрді: ә ғ қ ң ө ұ ү һ і.`;
const TESTIMONY = {
  ...COMPLETE,
  language: "kk",
  fields: { ...COMPLETE.fields, interview_place: "Қарағанды", incident_place: "Уақытша ұстау изоляторы" },
  narrative: NARRATIVE,
  consent: { ...COMPLETE.consent, scope: ["store", "coalition", "legal"], anonymous: false },
};
const ANONYMOUS = {
  ...TESTIMONY,
  narrative: "Атымды жасыруды сұраймын.",
  consent: { ...TESTIMONY.consent, anonymous: true },
};
// A record an interviewer's vault sends redacted: the coordinator's report of it keeps
// the account (with its canary word) and names no one.
const field = join(work, "reports-field");
const FIELD_PASS = "далалық сұхбат 2026 қаңтар";
const RECEIVED_NAME = "Жанар Төлегенқызы";
const RECEIVED_CANARY = "Жеткізуші7730";
const RECEIVED = {
  ...TESTIMONY,
  fields: { ...TESTIMONY.fields, full_name: RECEIVED_NAME },
  narrative: `Бізді түнде әкетті. ${RECEIVED_CANARY} бәрін көрді.`,
};
// The report's title in Kazakh, as kua-report prints it.
const LABELS = JSON.parse(readFileSync(join(ROOT, "assets", "reports", "labels.json"), "utf8")) as Record<string, Record<string, string>>;
const TITLE_KK = LABELS.report_title?.kk ?? "?report_title";

function kua(args: string[], input?: string, at = vault, pass = PASS): string {
  return execFileSync(CLI, args, {
    env: { ...process.env, KUA_VAULT: at, KUA_PASSPHRASE: pass },
    encoding: "utf8",
    input,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
}

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

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

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

async function openTestimony(b: Browser, id: string): Promise<void> {
  await click(b, `[data-testid=records] button.record[data-id="${id}"]`);
  await el(b, "[data-testid=status]");
}

/** Records every CSP violation the page sees from now on (read with `violations`). */
async function watchCsp(b: Browser): Promise<void> {
  await b.execute(() => {
    const w = window as unknown as { __csp?: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__csp?.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
}

async function violations(b: Browser): Promise<string[]> {
  return (await b.execute(() => (window as unknown as { __csp?: string[] }).__csp ?? ["not watched"])) as string[];
}

/** Waits for the open report window to finish its preview; its number of pages. */
async function previewed(b: Browser): Promise<number> {
  const dialog = "[data-testid=report-dialog]";
  await b.waitUntil(
    async () => {
      const state = await (await b.$(dialog)).getAttribute("data-state");
      if (state === "failed") {
        const error = (await (await b.$("[data-testid=report-error]")).isExisting()) ? await textOf(b, "[data-testid=report-error]") : "";
        throw new Error(`the preview failed: ${error}`);
      }
      return state === "done";
    },
    { timeout: 90_000, interval: 250, timeoutMsg: "the report was never shown" },
  );
  const pages = Number(await (await b.$(dialog)).getAttribute("data-pages"));
  expect(Number(await (await b.$(dialog)).getAttribute("data-drawn"))).toBe(pages);
  return pages;
}

interface Drawn { width: number; height: number; shownWidth: number; shownHeight: number; ink: number }

/** Every page's canvas: its size, and how many dark pixels the first page holds. */
async function canvases(b: Browser): Promise<Drawn[]> {
  return (await b.execute(() =>
    [...document.querySelectorAll("[data-testid=report-canvas]")].map((node, i) => {
      const c = node as HTMLCanvasElement;
      let ink = 0;
      if (i === 0 && c.width > 0 && c.height > 0) {
        const px = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        for (let p = 0; p < px.length; p += 4) if ((px[p] ?? 255) < 128) ink++;
      }
      return { width: c.width, height: c.height, shownWidth: c.clientWidth, shownHeight: c.clientHeight, ink };
    }),
  )) as Drawn[];
}

/** The preview's text layer, all pages, without white space. */
async function previewText(b: Browser): Promise<string> {
  return (await b.execute(() =>
    [...document.querySelectorAll("[data-testid=report-preview] .textLayer")].map((l) => l.textContent ?? "").join(""),
  ) as string).replace(/\s+/g, "");
}

/** Files the app's processes hold open in its temporary directory, or deleted files on a disk. */
function heldTempFiles(): string[] {
  const found: string[] = [];
  for (const pid of appProcesses(home)) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (link.startsWith("/memfd:") || link.startsWith("/dev/shm/")) continue;
        if (link.startsWith(tmp) || (link.startsWith("/") && link.endsWith("(deleted)"))) found.push(`${pid}: ${link}`);
      } catch {
        // closed meanwhile
      }
    }
  }
  return found;
}

/**
 * Files under `dir` that are a PDF or hold the testimony's text. (A PDF's text is in
 * compressed streams, hence its header; pdf.js's own code holds "%PDF-" too, so only a
 * file that starts with it counts.)
 */
function reportsUnder(dir: string): string[] {
  return filesUnder(dir).flatMap((f) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(f);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    return bytes.subarray(0, 5).toString("latin1") === "%PDF-" || contains(bytes, CANARY) || contains(bytes, CANARY.toLowerCase()) ? [f] : [];
  });
}

let id = "";
let anonymousId = "";
// Consent to the coalition only (COMPLETE): no disclosure package is offered.
let coalitionId = "";
let caseId = "";
let receivedId = "";
let senderKey = "";
// The time the report window chose and printed on the report.
let madeAt = "";

describe("court reports and disclosure packages", () => {
  beforeAll(async () => {
    for (const d of [home, tmp, out, cliDir, join(work, "reports-src")]) mkdirSync(d, { recursive: true });
    writeFileSync(attachPath, ATTACH_TEXT);
    kua(["init", "--insecure-test-kdf"]);
    id = kua(["add", "-"], JSON.stringify(TESTIMONY)).trim();
    kua(["attach", id, attachPath]);
    kua(["seal", id]);
    anonymousId = kua(["add", "-"], JSON.stringify(ANONYMOUS)).trim();
    kua(["seal", anonymousId]);
    coalitionId = kua(["add", "-"], JSON.stringify(COMPLETE)).trim();
    kua(["seal", coalitionId]);
    caseId = kua(["case", "new", "--client", id, "--title", "Қарағанды ісі"]).trim().split("\n").at(-1)?.trim() ?? "";
    expect(caseId).toMatch(/^[0-9a-f-]{36}$/);
    // The interviewer's vault sends one record, redacted, and this vault imports it.
    mkdirSync(field, { recursive: true });
    const fieldVault = join(field, "vault.kua");
    const fieldKua = (args: string[], input?: string) => kua(args, input, fieldVault, FIELD_PASS);
    fieldKua(["init", "--insecure-test-kdf"]);
    const age = (JSON.parse(kua(["--json", "identity"])) as { age_recipient: string }).age_recipient;
    fieldKua(["recipients", "add", "coalition", age]);
    fieldKua(["identity", "--minisign-pub", "-o", join(field, "field.pub")]);
    kua(["trust", "add", "field-7", join(field, "field.pub")]);
    receivedId = fieldKua(["add", "-"], JSON.stringify(RECEIVED)).trim();
    fieldKua(["seal", receivedId]);
    fieldKua(["export", "--to", "coalition", "--redact", receivedId, "-o", join(field, "to-coalition.kua")]);
    kua(["import", join(field, "to-coalition.kua")]);
    senderKey = (JSON.parse(fieldKua(["--json", "identity"])) as { minisign_key_id: string }).minisign_key_id;
    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: LANG }));
    process.env.TMPDIR = tmp;
    await startDriver();
  });

  afterAll(() => stopDriver());

  it("previews the court report in Kazakh with pdf.js and saves exactly what it showed", async () => {
    const b = await openApp(home);
    try {
      await unlock(b);
      await openTestimony(b, id);
      await watchCsp(b);
      await click(b, "[data-testid=report-open]");
      const dialog = await el(b, "[data-testid=report-dialog]");
      // In the interface's language by default, dated to the minute in UTC.
      expect(await dialog.getAttribute("data-lang")).toBe(LANG);
      madeAt = (await dialog.getAttribute("data-made-at")) ?? "";
      expect(madeAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/);
      const pages = await previewed(b);
      expect(pages).toBeGreaterThanOrEqual(1);
      expect(await textOf(b, "[data-testid=report-status]")).toBe(`Есепте ${pages} бет.`);

      // Every page drawn, and drawn with something on it.
      const drawn = await canvases(b);
      expect(drawn).toHaveLength(pages);
      for (const c of drawn) {
        expect(c.width).toBeGreaterThan(0);
        expect(c.height).toBeGreaterThan(0);
        expect(c.shownWidth).toBeGreaterThan(0);
        expect(c.shownHeight).toBeGreaterThan(c.shownWidth);
      }
      expect(drawn[0]?.ink ?? 0).toBeGreaterThan(500);
      // The text is there to select and for screen readers, Kazakh letters and all.
      const text = await previewText(b);
      expect(text).toContain(TITLE_KK.replace(/\s+/g, ""));
      expect(text).toContain(CANARY);
      await check(b, "50-report-preview");

      // Save as: the PDF and its signature where the dialog said, the bytes shown.
      answerDialog([savedPdf]);
      await click(b, "[data-testid=report-save]");
      const saved = await el(b, "[data-testid=report-saved]", 60_000);
      expect(await saved.getAttribute("data-path")).toBe(savedPdf);
      expect(existsSync(savedPdf)).toBe(true);
      expect(existsSync(`${savedPdf}.minisig`)).toBe(true);
      const bytes = readFileSync(savedPdf);
      expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      expect(await saved.getAttribute("data-sha256")).toBe(sha256(bytes));
      expect(await textOf(b, "[data-testid=report-saved-sha256]")).toBe(sha256(bytes));
      // Where the page could hash the preview (WebCrypto), the two are the same bytes.
      const previewSha = (await dialog.getAttribute("data-preview-sha256")) ?? "";
      if (previewSha !== "") {
        expect(previewSha).toBe(sha256(bytes));
        expect(await (await el(b, "[data-testid=report-saved-same]")).getAttribute("data-same")).toBe("true");
      }
      await check(b, "51-report-saved");

      // Nothing of the report on the disk but what was saved: not beside it, not in the
      // app's temporary directory, not held open there.
      expect(readdirSync(out).sort()).toEqual(["kua-report-kk.pdf", "kua-report-kk.pdf.minisig"]);
      expect(reportsUnder(tmp)).toEqual([]);
      expect(heldTempFiles()).toEqual([]);

      // Closing gives the focus back to the button that opened the report.
      await click(b, "[data-testid=report-close]");
      await b.waitUntil(async () => !(await (await b.$("[data-testid=report-dialog]")).isExisting()), { timeout: 10_000, timeoutMsg: "the report stayed open" });
      expect(await b.execute(() => document.activeElement?.getAttribute("data-testid"))).toBe("report-open");
      expect(await violations(b)).toEqual([]);
      expect(await b.execute(() => localStorage.length + sessionStorage.length)).toBe(0);
      expect(await b.getTitle()).toBe("Kua");
    } finally {
      await b.deleteSession();
    }
  });

  it("the CLI makes the same report, byte for byte, from the time the window printed", async () => {
    expect(madeAt).not.toBe("");
    const cliPdf = join(cliDir, "cli.pdf");
    await kuaWhenFree(["report", id, "--lang", LANG, "--made-at", madeAt, "-o", cliPdf]);
    const fromWindow = readFileSync(savedPdf);
    const fromCli = readFileSync(cliPdf);
    expect(sha256(fromCli)).toBe(sha256(fromWindow));
    expect(fromCli.equals(fromWindow)).toBe(true);

    // The window's file is signed by the vault's key, and holds the Kazakh text.
    const pub = join(cliDir, "kua.pub");
    kua(["identity", "--minisign-pub", "-o", pub]);
    execFileSync("minisign", ["-Vm", savedPdf, "-p", pub], { stdio: ["ignore", "pipe", "pipe"] });
    const text = execFileSync("pdftotext", [savedPdf, "-"], { encoding: "utf8" });
    expect(text).toContain(TITLE_KK);
    expect(text.replace(/\s+/g, "")).toContain(CANARY);

    // The custody log says a report was saved, with its hash.
    const history = JSON.parse(kua(["--json", "history", id])) as { log: { event: string; content_hash?: string | null }[] };
    expect(history.log.filter((l) => l.event === "report_saved").map((l) => l.content_hash)).toContain(sha256(fromWindow));
  });

  it("previews a full report of an anonymous testimony, and the case's report", async () => {
    const b = await openApp(home);
    try {
      await unlock(b);
      await openTestimony(b, anonymousId);
      await watchCsp(b);
      await click(b, "[data-testid=report-open]");
      await el(b, "[data-testid=report-dialog]");
      await previewed(b);
      // Anonymous by default; the consent covers lawyers and courts, so it may be full.
      const full = await el(b, "[data-testid=report-full]");
      expect(await full.isSelected()).toBe(false);
      expect(await full.isEnabled()).toBe(true);
      await full.click();
      await b.waitUntil(async () => (await (await b.$("[data-testid=report-dialog]")).getAttribute("data-full")) === "true", { timeout: 5_000 });
      expect(await previewed(b)).toBeGreaterThanOrEqual(1);
      await check(b, "52-report-full");
      await click(b, "[data-testid=report-close]");
      await b.waitUntil(async () => !(await (await b.$("[data-testid=report-dialog]")).isExisting()), { timeout: 10_000 });

      await click(b, "button[data-nav=cases]");
      await click(b, `[data-testid=case-open][data-id="${caseId}"]`);
      await el(b, `[data-testid=case-title][data-id="${caseId}"]`);
      await click(b, "[data-testid=case-report-open]");
      await el(b, "[data-testid=report-dialog]");
      expect(await previewed(b)).toBeGreaterThanOrEqual(1);
      expect((await canvases(b))[0]?.ink ?? 0).toBeGreaterThan(500);
      // A case report names no version and has no "full" choice.
      expect(await (await b.$("[data-testid=report-full]")).isExisting()).toBe(false);
      await check(b, "53-case-report");
      await click(b, "[data-testid=report-close]");
      await b.waitUntil(async () => !(await (await b.$("[data-testid=report-dialog]")).isExisting()), { timeout: 10_000 });
      expect(await b.execute(() => document.activeElement?.getAttribute("data-testid"))).toBe("case-report-open");
      expect(await violations(b)).toEqual([]);
    } finally {
      await b.deleteSession();
    }
  });

  it("writes a disclosure package only once its plaintext is confirmed; sha256sum and minisign accept it", async () => {
    const b = await openApp(home);
    let dialogMadeAt = "";
    let files = 0;
    let sums = "";
    try {
      await unlock(b);
      // A testimony whose consent does not cover lawyers and courts offers a report,
      // and no package.
      await openTestimony(b, coalitionId);
      await el(b, "[data-testid=report-open]");
      expect(await (await b.$("[data-testid=disclosure-open]")).isExisting()).toBe(false);
      await click(b, "button[data-nav=list]");
      await openTestimony(b, id);
      await click(b, "[data-testid=disclosure-open]");
      const dialog = await el(b, "[data-testid=disclosure-dialog]");
      dialogMadeAt = (await dialog.getAttribute("data-made-at")) ?? "";
      expect(await textOf(b, "[data-testid=disclosure-warning]")).toMatch(/ШИФРЛАНБАҒАН/);
      // Nothing can be written before the plaintext is confirmed.
      const run = await el(b, "[data-testid=disclosure-run]");
      expect(await run.isEnabled()).toBe(false);
      expect(await (await el(b, "[data-testid=disclosure-lang]")).getValue()).toBe(LANG);
      expect(await (await b.$("[data-testid=disclosure-full]")).isExisting()).toBe(false);
      await click(b, "[data-testid=disclosure-confirm]");
      expect(await run.isEnabled()).toBe(true);
      await check(b, "54-disclosure-confirm");

      answerDialog([packageDir]);
      await click(b, "[data-testid=disclosure-run]");
      const done = await el(b, "[data-testid=disclosure-done]", 90_000);
      expect(await done.getAttribute("data-dir")).toBe(packageDir);
      files = Number(await done.getAttribute("data-files"));
      sums = (await done.getAttribute("data-sums")) ?? "";
      expect(await textOf(b, "[data-testid=disclosure-dir]")).toBe(packageDir);
      await check(b, "55-disclosure-done");
      await click(b, "[data-testid=disclosure-close]");
      await b.waitUntil(async () => !(await (await b.$("[data-testid=disclosure-dialog]")).isExisting()), { timeout: 10_000 });
      expect(await b.execute(() => document.activeElement?.getAttribute("data-testid"))).toBe("disclosure-open");
    } finally {
      await b.deleteSession();
    }

    // A court checks it with the stock tools alone.
    const checked = execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: packageDir, encoding: "utf8" });
    const lines = checked.trim().split("\n");
    expect(lines.every((l) => l.endsWith(": OK")), checked).toBe(true);
    expect(lines).toHaveLength(files);
    expect(sha256(readFileSync(join(packageDir, "SHA256SUMS")))).toBe(sums);
    execFileSync("minisign", ["-Vm", "SHA256SUMS", "-p", "kua.pub"], { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] });
    // Signed with this vault's key, and holding the attachment as it went in.
    expect(readFileSync(join(packageDir, "kua.pub"), "utf8")).toBe(readFileSync(join(cliDir, "kua.pub"), "utf8"));
    const inPackage = filesUnder(packageDir);
    expect(inPackage.filter((f) => f.includes(`${id}-v1/attachments/`)).map((f) => readFileSync(f, "utf8"))).toEqual([ATTACH_TEXT]);
    // Its report is the one the CLI makes at the time the window chose.
    const packaged = readFileSync(join(packageDir, `${id}-v1`, "report.pdf"));
    const cliPdf = join(cliDir, "package-report.pdf");
    await kuaWhenFree(["report", id, "--lang", LANG, "--made-at", dialogMadeAt, "-o", cliPdf]);
    expect(packaged.equals(readFileSync(cliPdf))).toBe(true);

    const history = JSON.parse(kua(["--json", "history", id])) as { log: { event: string; content_hash?: string | null }[] };
    expect(history.log.filter((l) => l.event === "disclosed").map((l) => l.content_hash)).toEqual([sums]);
    // Only what was asked for was written.
    expect(readdirSync(out).sort()).toEqual(["disclosure-kk", "kua-report-kk.pdf", "kua-report-kk.pdf.minisig"]);
    expect(reportsUnder(tmp)).toEqual([]);
  });

  it("previews and saves the report of a record received redacted, without the name", async () => {
    const windowPdf = join(cliDir, "received-window.pdf");
    let receivedMadeAt = "";
    const b = await openApp(home);
    try {
      await unlock(b);
      await click(b, "button[data-nav=received]");
      await click(b, `[data-testid=received] button.record[data-id="${receivedId}"]`);
      await el(b, "[data-testid=provenance]");
      await watchCsp(b);
      await click(b, "[data-testid=report-open]");
      const dialog = await el(b, "[data-testid=report-dialog]");
      receivedMadeAt = (await dialog.getAttribute("data-made-at")) ?? "";
      expect(await previewed(b)).toBeGreaterThanOrEqual(1);
      const text = await previewText(b);
      expect(text).toContain((LABELS.received_report_title?.kk ?? "?received_report_title").replace(/\s+/g, ""));
      expect(text).toContain(RECEIVED_CANARY);
      // The sender by their key; the name they are trusted under is withheld with the rest.
      expect(text).toContain(senderKey);
      expect(text).not.toContain("field-7");
      expect(text).not.toContain(RECEIVED_NAME.replace(/\s+/g, ""));
      // What the sender redacted never reached this vault: no full report is offered.
      expect(await (await b.$("[data-testid=report-full]")).isExisting()).toBe(false);
      await check(b, "56-report-received");
      answerDialog([windowPdf]);
      await click(b, "[data-testid=report-save]");
      await el(b, "[data-testid=report-saved]", 60_000);
      await click(b, "[data-testid=report-close]");
      await b.waitUntil(async () => !(await (await b.$("[data-testid=report-dialog]")).isExisting()), { timeout: 10_000 });
      expect(await b.execute(() => document.activeElement?.getAttribute("data-testid"))).toBe("report-open");
      expect(await violations(b)).toEqual([]);
    } finally {
      await b.deleteSession();
    }
    // The CLI makes the same bytes; the window's file is signed by this vault's key.
    expect(receivedMadeAt).not.toBe("");
    const cliPdf = join(cliDir, "received-cli.pdf");
    await kuaWhenFree(["report", receivedId, "--received", "--lang", LANG, "--made-at", receivedMadeAt, "-o", cliPdf]);
    expect(readFileSync(cliPdf).equals(readFileSync(windowPdf))).toBe(true);
    const pub = join(cliDir, "received.pub");
    kua(["identity", "--minisign-pub", "-o", pub]);
    execFileSync("minisign", ["-Vm", windowPdf, "-p", pub], { stdio: ["ignore", "pipe", "pipe"] });
    const text = execFileSync("pdftotext", [windowPdf, "-"], { encoding: "utf8" });
    expect(text).not.toContain(RECEIVED_NAME);
  });

  it("left nothing of the reports in the app's own files", async () => {
    for (let i = 0; i < 100 && appProcesses(home).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(appProcesses(home)).toEqual([]);
    expect(reportsUnder(home).filter((f) => !/vault\.kua(-wal|-shm|-journal)?$/.test(f))).toEqual([]);
  });

  it("has no serious or critical accessibility violation", () => {
    expect(problems).toEqual([]);
  });
});
