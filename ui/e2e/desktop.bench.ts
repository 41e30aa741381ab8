// Measures the desktop app on a release build (docs/benchmarks.md has the command and
// the figures): cold start to the unlock screen, unlock to the list of 10,000
// testimonies, typing latency in a 1 MB narrative against an empty one, and the idle
// memory of every app process. It prints and saves figures; it asserts none.
import { afterAll, beforeAll, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { APP, ARTIFACTS, ROOT, appProcesses, click, el, openApp, rss, startDriver, stopDriver, type Browser, work } from "./harness";

const PASS = "benchmark passphrase with several words";
const N = Number(process.env.KUA_BENCH_TESTIMONIES ?? 10_000);
const home = join(work, "bench");
const results: Record<string, unknown> = {};

/** When a process started, in epoch milliseconds (10 ms resolution). */
function procStartMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  // /proc/uptime has centiseconds; /proc/stat's btime only whole seconds.
  const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const boot = Date.now() - uptime * 1000;
  return boot + (ticks / hz) * 1000;
}

function pss(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb * 1024;
}

async function mark(b: Browser, name: string): Promise<number> {
  return (await b.execute((n: string) => {
    const m = performance.getEntriesByName(n).at(-1);
    return m ? performance.timeOrigin + m.startTime : -1;
  }, name)) as number;
}

/** Each process's name and memory. */
const perProcess = (pids: number[]) =>
  pids.map((p) => ({ process: (readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0] ?? "").split("/").at(-1), rss_mib: mib(rss([p])), pss_mib: mib(pss([p])) }));

/** The GL libraries a process has mapped (Mesa's drivers, GLX, LLVM): none in the shell
 * as users run it (src-tauri/src/window.rs, `prepare_webkit`). */
function glLibraries(pid: number | undefined): string[] {
  if (pid === undefined) return ["(no process)"];
  let maps: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, "utf8");
  } catch {
    return ["(gone)"];
  }
  const found = maps.match(/[^/\s]*(?:_dri\.so|libGLX_mesa|libEGL_mesa|libLLVM)[^/\s]*/g) ?? [];
  return [...new Set(found)];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;

beforeAll(async () => {
  mkdirSync(home, { recursive: true });
  const vault = join(home, "vault.kua");
  if (!existsSync(vault)) {
    execFileSync("cargo", ["run", "--release", "--quiet", "-p", "kua-core", "--example", "populate", "--", vault, String(N)], { cwd: ROOT, env: { ...process.env, KUA_PASSPHRASE: PASS }, stdio: "inherit" });
  }
  await startDriver();
});

afterAll(() => {
  stopDriver();
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, "desktop-bench.json"), JSON.stringify(results, null, 2));
  console.log(JSON.stringify(results, null, 2));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The app as users run it: started directly, not by WebDriver (which keeps accelerated
// compositing on, see src-tauri/src/window.rs). Input comes from xdotool. Idle memory
// on the unlock screen, then with the list on screen; the reference in the same run is
// the same app on a vault with no testimony, so that the difference is what the
// testimonies cost.
async function asUser(at: string, label: string): Promise<Record<string, unknown>> {
  const app = spawn(APP, ["--home", at], { stdio: "ignore" });
  try {
    await sleep(5000);
    let pids = appProcesses(at);
    const unlockScreen = { processes: perProcess(pids), rss_mib: mib(rss(pids)), pss_mib: mib(pss(pids)) };
    execFileSync("xdotool", ["search", "--sync", "--name", "^Kua$", "windowfocus", "--sync"]);
    execFileSync("xdotool", ["type", "--delay", "30", PASS]);
    execFileSync("xdotool", ["key", "Return"]);
    await sleep(15000);
    mkdirSync(ARTIFACTS, { recursive: true });
    const screen = join(ARTIFACTS, `production-${label}-list.xwd`);
    writeFileSync(screen, execFileSync("xwd", ["-root", "-silent"], { maxBuffer: 1 << 26 }));
    pids = appProcesses(at);
    return { unlock_screen: unlockScreen, list: { processes: perProcess(pids), rss_mib: mib(rss(pids)), pss_mib: mib(pss(pids)) }, gl_in_shell: glLibraries(app.pid), screen };
  } finally {
    app.kill("SIGTERM");
    await sleep(1000);
  }
}

it("measures the memory of the app as users run it", async () => {
  const empty = join(work, "bench-empty");
  mkdirSync(empty, { recursive: true });
  execFileSync(join(ROOT, "target", "release", "kua"), ["--vault", join(empty, "vault.kua"), "init", "--insecure-test-kdf"], { env: { ...process.env, KUA_PASSPHRASE: PASS }, stdio: "ignore" });
  const full = await asUser(home, `${N}`);
  const reference = await asUser(empty, "empty");
  const pssOf = (r: Record<string, unknown>, k: string) => (r[k] as { pss_mib: number }).pss_mib;
  results.production_idle_memory = {
    testimonies: N,
    with_testimonies: full,
    empty_vault_reference: reference,
    list_cost_over_empty_vault_pss_mib: Math.round((pssOf(full, "list") - pssOf(reference, "list")) * 10) / 10,
  };
});

it("measures the desktop app", async () => {
  // Cold start: process start to the unlock screen's first mount, five launches.
  const starts: number[] = [];
  const withDriver: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    const b = await openApp(home);
    await el(b, "#passphrase");
    withDriver.push(Date.now() - t0);
    const root = Math.min(...appProcesses(home));
    starts.push((await mark(b, "kua:unlock-screen")) - procStartMs(root));
    if (i === 4) {
      // Idle on the unlock screen: what the app costs before any vault is open.
      await b.pause(5000);
      const pids = appProcesses(home);
      results.idle_memory_unlock_screen = { rss_mib: mib(rss(pids)), pss_mib: mib(pss(pids)) };
    }
    await b.deleteSession();
  }
  results.cold_start_ms = { runs: starts.map(Math.round), median: Math.round(median(starts)), including_webdriver_launch_median: median(withDriver) };

  // Reference for unlocking: the CLI's unlock + list of the same vault, same run.
  const cli = join(ROOT, "target", "release", "kua");
  const cliRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    execFileSync(cli, ["--vault", join(home, "vault.kua"), "list", "--json"], { env: { ...process.env, KUA_PASSPHRASE: PASS }, maxBuffer: 1 << 30 });
    cliRuns.push(Date.now() - t);
  }

  // Unlock to the rendered list, three times (each a fresh app).
  const unlockRuns: number[] = [];
  const afterUnlock: number[] = [];
  let b: Browser | null = null;
  for (let i = 0; i < 3; i++) {
    b = await openApp(home);
    await (await el(b, "#passphrase")).setValue(PASS);
    await click(b, "form button[type=submit]");
    await el(b, "[data-testid=count]", 120_000);
    const submit = await mark(b, "kua:unlock-submit");
    const unlocked = await mark(b, "kua:unlocked");
    const listed = await mark(b, "kua:list-rendered");
    unlockRuns.push(listed - submit);
    afterUnlock.push(listed - unlocked);
    if (i < 2) await b.deleteSession();
  }
  results.unlock_to_list_ms = {
    testimonies: N,
    submit_to_list: unlockRuns.map(Math.round),
    unlocked_to_list: afterUnlock.map(Math.round),
    median_submit_to_list: Math.round(median(unlockRuns)),
    median_unlocked_to_list: Math.round(median(afterUnlock)),
    reference_cli_unlock_and_list_ms: cliRuns,
    reference_median: median(cliRuns),
  };
  if (!b) return;

  // Idle memory of every app process, with the 10k list on screen.
  await b.pause(5000);
  const pids = appProcesses(home);
  results.idle_memory_10k_list = { processes: perProcess(pids), rss_mib: mib(rss(pids)), pss_mib: mib(pss(pids)) };

  // Typing latency: keydown to the next painted frame, in an empty narrative and in a
  // 1 MB one, typing at about 8 keys a second across an autosave.
  async function typing(size: number): Promise<number[]> {
    await click(b!, "[data-testid=new-testimony]");
    await click(b!, "[data-testid=create-testimony]");
    await click(b!, "button[data-tab=narrative]");
    const area = await el(b!, "[data-testid=narrative]");
    await b!.execute((n: number) => {
      const ta = document.querySelector<HTMLElement>("[data-testid=narrative]");
      if (!ta) return;
      // Paragraphs of about 800 bytes, as an account typed at length would have.
      const para = "Шестого января меня забрали прямо из больничной палаты, қаңтарда ұстады. ".repeat(6);
      const count = n > 0 ? Math.ceil(n / new TextEncoder().encode(para).length) : 0;
      ta.replaceChildren(...Array.from({ length: count }, () => {
        const d = document.createElement("div");
        d.textContent = para;
        return d;
      }));
      ta.dispatchEvent(new Event("input", { bubbles: true }));
      const w = window as unknown as { __lat: number[] };
      w.__lat = [];
      ta.addEventListener("keydown", () => {
        const t0 = performance.now();
        requestAnimationFrame(() => setTimeout(() => w.__lat.push(performance.now() - t0), 0));
      });
    }, size);
    await b!.waitUntil(async () => (await (await b!.$("[data-testid=save-state]")).getAttribute("data-state")) === "saved", { timeout: 60_000 });
    await area.click();
    for (let i = 0; i < 60; i++) {
      await b!.keys(i % 10 === 9 ? " " : "ә");
      await b!.pause(i === 30 ? 1000 : 120);
    }
    await b!.waitUntil(async () => (await (await b!.$("[data-testid=save-state]")).getAttribute("data-state")) === "saved", { timeout: 60_000 });
    const lat = (await b!.execute(() => (window as unknown as { __lat: number[] }).__lat)) as number[];
    await click(b!, "button[data-nav=list]");
    return lat;
  }
  const empty = await typing(0);
  const big = await typing(1024 * 1024);
  const summary = (xs: number[]) => ({ keys: xs.length, p50_ms: Math.round(pct(xs, 0.5) * 10) / 10, p95_ms: Math.round(pct(xs, 0.95) * 10) / 10, max_ms: Math.round(Math.max(...xs) * 10) / 10 });
  results.typing_latency = { empty_narrative: summary(empty), one_mib_narrative: summary(big) };

  // Last, so that the memory figures above are of the list alone: the coordinator's
  // dashboard over the same vault: from the query to the charts on
  // screen (page marks), when it first opens (the shell builds its analysis set then),
  // when it opens again (the set is kept), and when drafts are included (the set is
  // rebuilt with them: the 10,000 synthetic testimonies are drafts).
  const dashboard = async (act: () => Promise<void>): Promise<number> => {
    const before = await b!.execute(() => performance.getEntriesByName("kua:dashboard-rendered").length);
    await act();
    await b!.waitUntil(async () => (await b!.execute(() => performance.getEntriesByName("kua:dashboard-rendered").length)) > before, { timeout: 120_000 });
    const [q, r] = (await b!.execute(() => [
      performance.getEntriesByName("kua:dashboard-query").at(-1)?.startTime ?? NaN,
      performance.getEntriesByName("kua:dashboard-rendered").at(-1)?.startTime ?? NaN,
    ])) as number[];
    return Math.round((r ?? NaN) - (q ?? NaN));
  };
  const firstOpen = await dashboard(() => click(b!, "button[data-nav=dashboard]"));
  await click(b!, "button[data-nav=list]");
  await el(b, "[data-testid=count]", 120_000);
  const reopen = await dashboard(() => click(b!, "button[data-nav=dashboard]"));
  const withDrafts = await dashboard(() => click(b!, "[data-testid=dash-drafts]"));
  results.dashboard_ms = { testimonies: N, first_open_sealed_only: firstOpen, include_drafts_rebuild: withDrafts, reopen_kept_set: reopen };
  await b.deleteSession();
});
