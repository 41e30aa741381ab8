// What a locked app still holds in memory, read as root through /proc/PID/mem as
// someone who takes a running laptop could: every readable mapping of the shell process
// and of WebKit's processes. Unlocked, with a testimony found by search and open on
// screen, and a recording running with a marker whose note was typed, the canary text
// and the note must be found there (or the reading proves nothing); after
// the lock button, no process of the app may hold any of it: not the shell, which held
// the keys and received the testimony, and not WebKit's, since the lock ends the web
// process that showed the page and starts a new one (window.rs, `clear`).
//
// The vault key itself cannot be known here (the app makes it from the system's RNG);
// kua-core's tests/it/memory.rs reads a locked core process for the key and subkeys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kuaOn, COMPLETE, ROOT, appProcesses, click, el, openApp, realKeys, sh, startDriver, stopDriver, type, work, type Browser } from "./harness";

const PASS = "жад сынағы 2026 желтоқсан";
const home = join(work, "memory");
const vault = join(home, "vault.kua");
// Put together at run time, so that no file the processes map holds it.
const WORD = `pamyat${(0x7f3a9c * 11).toString(16)}`;
const CANARY = `${WORD}-КАНАРЕЙКА-ҚҰСЫ`;
// A recording marker's note, typed while recording: the lock stops the recording, whose
// end carries the markers' notes.
const NOTE = `zametka${(0x5b1d * 13).toString(16)}`;
const fakeMic = join(ROOT, "scripts", "fake-mic.sh");
let sine = "";

const kua = kuaOn(vault, PASS);

function name(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "gone";
  }
}

/**
 * Whether the page's text under `selector` holds `text`, asked without `text` or the
 * page's text crossing WebDriver (which keeps copies in the shell): the script carries
 * the code points shifted by one and returns a boolean.
 */
async function pageHas(b: Browser, selector: string, text: string): Promise<boolean> {
  const shifted = [...text].map((c) => (c.codePointAt(0) ?? 0) + 1);
  return (await b.execute(
    (sel: string, codes: number[]) => (document.querySelector(sel)?.textContent ?? "").includes(String.fromCodePoint(...codes.map((c) => c - 1))),
    selector,
    shifted,
  )) as boolean;
}

/**
 * Which of `needles` each process's memory holds, every readable mapping and every
 * unreadable one with resident pages read whole. A process whose maps cannot be read,
 * or anonymous or shared memory or a heap (where text would be) that cannot be read
 * whole while still mapped, is a failure, so that nothing is passed over in silence;
 * device and file mappings that refuse are listed with KUA_MEMORY_DEBUG=1.
 */
function holding(pids: number[], needles: Record<string, Buffer>): string[] {
  const found: string[] = [];
  const unreadable: string[] = [];
  // Read in pieces (WebKit reserves gigabytes, mostly never touched), each overlapping
  // the next by the longest needle, so that no needle is missed at a seam.
  const PIECE = 64 << 20;
  const overlap = Math.max(...Object.values(needles).map((b) => b.length));
  for (const pid of pids) {
    // Each mapping with its resident size: a mapping the process made unreadable
    // (PROT_NONE, as allocators do with memory they give up) still holds what was
    // written to its resident pages, and root reads it through /proc/PID/mem all the same.
    const maps: { line: string; rss: number }[] = [];
    try {
      for (const l of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
        if (/^[0-9a-f]+-[0-9a-f]+ /.test(l)) maps.push({ line: l, rss: 0 });
        else {
          const last = maps.at(-1);
          if (l.startsWith("Rss:") && last) last.rss = parseInt(l.slice(4), 10);
        }
      }
    } catch (e) {
      if (existsSync(`/proc/${pid}`)) unreadable.push(`${name(pid)} (${pid}): its maps (${String(e)})`);
      continue;
    }
    const fd = openSync(`/proc/${pid}/mem`, "r");
    const seen = new Set<string>();
    const buf = Buffer.alloc(PIECE + overlap);
    try {
      for (const { line, rss } of maps) {
        const [range, perms] = line.split(/\s+/);
        if (!range || !perms || !(perms.startsWith("r") || rss > 0) || line.includes("[vvar") || line.includes("[vsyscall]")) continue;
        const [lo, hi] = range.split("-").map((h) => parseInt(h, 16));
        if (lo === undefined || hi === undefined) continue;
        for (let at = lo; at < hi; at += PIECE) {
          const want = Math.min(PIECE + overlap, hi - at);
          let got = 0;
          let failure = "";
          try {
            got = readSync(fd, buf, 0, want, at);
          } catch (e) {
            failure = String(e);
          }
          if (got < want) {
            let still = false;
            try {
              still = readFileSync(`/proc/${pid}/maps`, "utf8").split("\n").includes(line);
            } catch {
              // the process is gone
            }
            // Anonymous memory, heaps and stacks, and shared memory (memfd, /dev/shm, a
            // deleted file) must be read whole; a file's own mapping may end early.
            const path = line.split(/\s+/).slice(5).join(" ");
            const volatile = path === "" || path.startsWith("[heap") || path.startsWith("[stack") || path.startsWith("[anon") || path.startsWith("/memfd:") || path.startsWith("/dev/shm/") || path.endsWith("(deleted)");
            if (still && volatile) {
              unreadable.push(`${name(pid)} (${pid}): ${line} at +${(at - lo).toString(16)}: ${got} of ${want} bytes ${failure}`);
            } else if (process.env.KUA_MEMORY_DEBUG) console.error(`SKIP ${name(pid)} ${line}: ${got} of ${want} ${failure}`);
          }
          const piece = buf.subarray(0, got);
          for (const [what, bytes] of Object.entries(needles)) {
            if (!seen.has(what) && piece.includes(bytes)) seen.add(what);
            if (process.env.KUA_MEMORY_DEBUG) {
              let hit = piece.indexOf(bytes);
              while (hit >= 0) {
                console.error(`HIT ${what} ${name(pid)} ${line.slice(0, 100)} +${(at - lo + hit).toString(16)}: ${JSON.stringify(piece.subarray(Math.max(0, hit - 64), hit + 80).toString("latin1"))}`);
                hit = piece.indexOf(bytes, hit + 1);
              }
            }
          }
          if (got < want) break;
        }
      }
    } finally {
      closeSync(fd);
    }
    for (const what of seen) found.push(`${what} in ${name(pid)} (${pid})`);
  }
  expect(unreadable, "anonymous memory that could not be read").toEqual([]);
  return found;
}

describe("memory of a locked app", () => {
  beforeAll(async () => {
    mkdirSync(home, { recursive: true });
    kua(["init", "--insecure-test-kdf"]);
    kua(["add", "-"], JSON.stringify({ ...COMPLETE, narrative: `Рассказ: ${CANARY}, конец.` }));
    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: "ru" }));
    // The lock ends the web process, as in a packaged app; WebDriver's session ends with
    // it, so nothing below the lock uses WebDriver.
    sine = sh("bash", [fakeMic, "tone", "440"]).trim();
    await startDriver({ KUA_E2E_END_WEB_PROCESS: "1" });
  }, 60_000);

  afterAll(() => {
    stopDriver();
    if (sine) sh("bash", [fakeMic, "quiet", sine]);
  });

  it("holds the testimony while unlocked and none of it after the lock button", async () => {
    const b: Browser = await openApp(home);
    try {
      await type(b, "#passphrase", PASS);
      await click(b, "form button[type=submit]");
      await el(b, "[data-testid=new-testimony]");
      // Typed on the (virtual) keyboard, as a user would: WebDriver's typing and its
      // text replies pass through the shell and would leave copies there that no real
      // use makes.
      await click(b, "[data-testid=search]");
      for (const key of WORD) await realKeys(b, [key]);
      await b.waitUntil(() => pageHas(b, "[data-testid=records]", WORD), { timeout: 20_000, timeoutMsg: "the search never showed the canary's word" });
      await click(b, "[data-testid=records] button.record");
      await click(b, "button[data-tab=narrative]");
      await b.waitUntil(() => pageHas(b, "main", CANARY), { timeout: 20_000, timeoutMsg: "the narrative never showed the canary" });
      // A recording runs, with a marker whose note is typed, when the lock comes.
      await click(b, "button[data-tab=recording]");
      await click(b, "[data-testid=record-start]");
      await click(b, "[data-testid=marker-note]");
      for (const key of NOTE) await realKeys(b, [key]);
      await click(b, "[data-testid=marker-add]");
      await b.waitUntil(() => pageHas(b, "[data-testid=record-markers]", NOTE), { timeout: 20_000, timeoutMsg: "the marker's note never showed" });

      const needles = {
        canary: Buffer.from(CANARY, "utf8"),
        "canary (UTF-16)": Buffer.from(CANARY, "utf16le"),
        "canary's word": Buffer.from(WORD, "utf8"),
        "canary's word (UTF-16)": Buffer.from(WORD, "utf16le"),
        "marker note": Buffer.from(NOTE, "utf8"),
        "marker note (UTF-16)": Buffer.from(NOTE, "utf16le"),
      };
      const pids = appProcesses(home);
      const shell = pids.filter((pid) => name(pid) === "kua-desktop");
      expect(shell.length).toBe(1);
      expect(pids.length).toBeGreaterThan(1);
      const unlocked = holding(pids, needles);
      // The reading works: the page holds the testimony while it is shown (UTF-16 in its
      // JavaScript heap, UTF-8 where it was decoded), and the shell the canary's word in
      // its search index.
      expect(unlocked.some((h) => /^canary (\(UTF-16\) )?in WebKitWebProces/.test(h)), unlocked.join("; ")).toBe(true);
      expect(unlocked.some((h) => h.startsWith("canary's word in kua-desktop")), unlocked.join("; ")).toBe(true);
      expect(unlocked.some((h) => /^marker note (\(UTF-16\) )?in WebKitWebProces/.test(h)), unlocked.join("; ")).toBe(true);

      const pages = pids.filter((p) => !shell.includes(p) && name(p).startsWith("WebKitWebProces"));
      expect(pages.length).toBeGreaterThan(0);
      // The click's answer may never come: the page's process ends under it.
      await click(b, "[data-testid=lock]").catch(() => undefined);
      // The web process that showed the testimony ends, and a new one loads the start
      // screen.
      const fresh = (): number[] => appProcesses(home).filter((p) => !pids.includes(p) && name(p).startsWith("WebKitWebProces"));
      const deadline = Date.now() + 20_000;
      while ((pages.some((p) => existsSync(`/proc/${p}`)) || fresh().length === 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const p of pages) expect(existsSync(`/proc/${p}`), `web process ${p} still runs after lock`).toBe(false);
      expect(fresh().length, "no new web process after lock").toBeGreaterThan(0);
      // Let the new page settle after the lock, as a seized laptop would.
      await new Promise((r) => setTimeout(r, 2_000));
      if (process.env.KUA_MEMORY_DEBUG) console.error("PHASE locked");
      const locked = holding(shell, needles);
      expect(locked, `the shell after lock: ${locked.join("; ")}`).toEqual([]);
      const anywhere = holding(appProcesses(home), needles);
      expect(anywhere, `after lock: ${anywhere.join("; ")}`).toEqual([]);
    } finally {
      // The session ended with the web process.
      await b.deleteSession().catch(() => undefined);
    }
  });
});
