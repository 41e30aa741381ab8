// Starts what the end-to-end tests need: an X server (Xvfb, unless DISPLAY is set),
// tauri-driver (which drives /usr/bin/WebKitWebDriver), and app sessions on the real
// binary. Screenshots go to e2e-artifacts/screenshots/<lang>/ at the repository root.
import { spawn, type ChildProcess, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync, readlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { remote } from "webdriverio";

export const ROOT = resolve(__dirname, "..", "..");
// A test build: `cargo build -p kua-desktop --features e2e` (the feature gives the seams
// these tests need: scripted dialogs, a persistent webview under WebDriver).
export const APP = process.env.KUA_APP ?? join(ROOT, "target", "debug", "kua-desktop");
/** The `kua` command, from the same build as the app. */
export const CLI = process.env.KUA_CLI ?? join(ROOT, "target", "debug", "kua");
export const ARTIFACTS = join(ROOT, "e2e-artifacts");
export type Browser = WebdriverIO.Browser;

const children: ChildProcess[] = [];
export const work = mkdtempSync(join(tmpdir(), "kua-e2e-"));
/** Answers for the app's file dialogs, one line per dialog (see src-tauri/src/chooser.rs). */
export const picks = join(work, "picks.txt");
/** tauri-driver's port (WebKitWebDriver's is 1000 above it): random, so that files do not share one. */
let PORT = 4444 + Math.floor(Math.random() * 1000);

/** Whether tauri-driver answers on `port` within 10 s. */
async function waitForPort(port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status`);
      if (r.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** `screen` is the X screen's size (Xvfb), WIDTHxHEIGHT. */
export async function startDriver(extra: NodeJS.ProcessEnv = {}, screen = "1280x800"): Promise<void> {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: build it first (scripts/test.sh does)`);
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, KUA_SCRIPTED_PICKS: picks };
  if (!env.DISPLAY) {
    const display = `:${90 + Math.floor(Math.random() * 9)}`;
    const x = spawn("Xvfb", [display, "-screen", "0", `${screen}x24`, "-nolisten", "tcp"], { stdio: "ignore" });
    children.push(x);
    env.DISPLAY = display;
    // Programs this process starts itself (the benchmark's direct launches) use it too.
    process.env.DISPLAY = display;
    await new Promise((r) => setTimeout(r, 500));
  }
  writeFileSync(picks, "");
  // A port can still be held by the driver of the file before (it ends after SIGTERM,
  // not at it): a driver that does not answer is ended, and another port is tried.
  // Seen once in CI: "tauri-driver did not start on port 5060", a suite lost to it.
  for (let attempt = 0; ; attempt++) {
    const driver = spawn("tauri-driver", ["--port", String(PORT), "--native-port", String(PORT + 1000)], { env, stdio: ["ignore", "inherit", "inherit"] });
    children.push(driver);
    if (await waitForPort(PORT)) return;
    driver.kill("SIGKILL");
    if (attempt === 2) throw new Error(`tauri-driver did not start on ports ${PORT} and the two before it`);
    PORT = 4444 + Math.floor(Math.random() * 1000);
  }
}

export function stopDriver(): void {
  for (const c of children.reverse()) c.kill("SIGTERM");
}

export async function openApp(home: string): Promise<Browser> {
  mkdirSync(home, { recursive: true });
  // WebDriver's clicks and keys reach the page without passing through GTK, so the
  // shell does not count them as input (src-tauri/src/input.rs): give sessions the
  // longest idle lock, or a slow run would lock under the test.
  const settings = join(home, "settings.json");
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ auto_lock_minutes: 60 }));
  const browser = await remote({
    hostname: "127.0.0.1",
    port: PORT,
    logLevel: "warn",
    connectionRetryCount: 0,
    capabilities: {
      // @ts-expect-error tauri-driver's own capability
      "tauri:options": { application: APP, args: ["--home", home] },
      "wdio:enforceWebDriverClassic": true,
    },
  });
  await browser.setTimeout({ implicit: 0 });
  return browser;
}

/** Queues the answer to the next file dialog(s). */
export function answerDialog(...paths: string[][]): void {
  const current = readFileSync(picks, "utf8");
  const lines = current.split("\n").filter((l) => l.length > 0);
  writeFileSync(picks, [...lines, ...paths.map((p) => p.join("\t"))].join("\n"));
}

export async function el(b: Browser, selector: string, timeout = 20_000) {
  const e = await b.$(selector);
  await e.waitForDisplayed({ timeout });
  return e;
}

export async function click(b: Browser, selector: string): Promise<void> {
  const e = await el(b, selector);
  await e.waitForEnabled({ timeout: 20_000 });
  await e.click();
}

export async function type(b: Browser, selector: string, text: string): Promise<void> {
  const e = await el(b, selector);
  await e.setValue(text);
}

export async function textOf(b: Browser, selector: string): Promise<string> {
  return (await el(b, selector)).getText();
}

export async function waitText(b: Browser, selector: string, pattern: RegExp, timeout = 30_000): Promise<string> {
  let last = "";
  await b.waitUntil(
    async () => {
      const e = await b.$(selector);
      if (!(await e.isExisting())) return false;
      last = await e.getText();
      return pattern.test(last);
    },
    { timeout, timeoutMsg: `${selector} never matched ${pattern} (last: ${last.slice(0, 200)})` },
  );
  return last;
}

/**
 * Creates a vault on the welcome screen and confirms its recovery key; `seen` is called
 * on each screen on the way (screenshots, accessibility checks).
 */
export async function createVault(b: Browser, pass: string, seen: (name: string) => Promise<void> = async () => {}): Promise<void> {
  await seen("01-welcome");
  await click(b, "button.primary");
  await type(b, "#new-pass", pass);
  await type(b, "#new-pass-confirm", pass);
  await seen("02-create");
  await click(b, "form button[type=submit]");
  const key = await textOf(b, "[data-testid=recovery-key]");
  if (!/^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/.test(key)) throw new Error(`not a recovery key: ${key}`);
  await seen("03-recovery");
  await type(b, "#recovery-check", key.split("-").at(-1) ?? "");
  await click(b, ".card button.primary");
  await el(b, "[data-testid=new-testimony]");
}

export async function screenshot(b: Browser, lang: string, name: string): Promise<void> {
  const dir = join(ARTIFACTS, "screenshots", lang);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.png`), Buffer.from(await b.takeScreenshot(), "base64"));
}

const AXE = readFileSync(join(ROOT, "ui", "node_modules", "axe-core", "axe.min.js"), "utf8");

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

/** Runs axe-core inside the window; returns serious and critical violations. */
export async function axe(b: Browser): Promise<AxeViolation[]> {
  await b.execute(AXE);
  const result = (await b.executeAsync((done: (r: unknown) => void) => {
    // @ts-expect-error injected above
    window.axe.run(document).then((r: { violations: unknown; passes: unknown[] }) => done({ violations: r.violations, passes: r.passes.length }), (e: Error) => done({ error: String(e) }));
  })) as { violations: AxeViolation[]; passes: number } | { error: string };
  if ("error" in result) throw new Error(`axe failed: ${result.error}`);
  // A run that checked nothing would report nothing: make sure rules actually passed.
  if (result.passes < 5) throw new Error(`axe checked almost nothing (${result.passes} rules passed)`);
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    const st = statSync(p);
    return st.isDirectory() ? filesUnder(p) : st.isFile() ? [p] : [];
  });
}

/** Whether `needle` appears in `hay` as UTF-8 or UTF-16 (either byte order). */
export function contains(hay: Buffer, needle: string): boolean {
  const utf16le = Buffer.from(needle, "utf16le");
  const utf16be = Buffer.from(utf16le);
  utf16be.swap16();
  return [Buffer.from(needle, "utf8"), utf16le, utf16be].some((n) => hay.includes(n));
}

/** PIDs of the app started with this --home and of every process it started. */
/**
 * The `kua` command on `vault` with passphrase `pass`: a function that runs it with
 * `args` (and `input` on its standard input) and returns what it printed.
 */
export function kuaOn(vault: string, pass: string): (args: string[], input?: string) => string {
  return (args, input) =>
    execFileSync(CLI, args, {
      env: { ...process.env, KUA_VAULT: vault, KUA_PASSPHRASE: pass },
      encoding: "utf8",
      input,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
}

export function appProcesses(home: string): number[] {
  const all = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const pid of all) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      cmd.set(pid, readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
    } catch {
      // gone
    }
  }
  const roots = all.filter((p) => (cmd.get(p) ?? "").includes("kua-desktop") && (cmd.get(p) ?? "").includes(home));
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, pp] of parent) {
      if (out.has(pp) && !out.has(pid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return [...out];
}

/**
 * The port of WebKit's automation server, which exists only because WebDriver drives
 * the window (WebKitWebDriver sets WEBKIT_INSPECTOR_SERVER for the app it starts).
 */
function automationPorts(pids: number[]): Set<number> {
  const ports = new Set<number>();
  for (const pid of pids) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      const server = env.find((e) => e.startsWith("WEBKIT_INSPECTOR_SERVER="));
      const port = Number(server?.split(":").at(-1));
      if (Number.isInteger(port) && port > 0) ports.add(port);
    } catch {
      // gone
    }
  }
  return ports;
}

/**
 * Internet sockets (TCP or UDP, v4 or v6) held by these processes, leaving out only the
 * loopback connections of the automation server that the test itself uses.
 */
export function inetSockets(pids: number[], includeAutomation = false): string[] {
  const automation = includeAutomation ? new Set<number>() : automationPorts(pids);
  const inodes = new Map<string, number>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
          const m = /^socket:\[(\d+)\]$/.exec(link);
          if (m?.[1]) inodes.set(m[1], pid);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // gone
    }
  }
  const found: string[] = [];
  for (const table of ["tcp", "tcp6", "udp", "udp6", "raw", "raw6"]) {
    const lines = readFileSync(`/proc/net/${table}`, "utf8").split("\n").slice(1);
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      if (!cols[9] || !inodes.has(cols[9])) continue;
      const local = cols[1] ?? "";
      const remote = cols[2] ?? "";
      const port = (a: string) => parseInt(a.split(":")[1] ?? "", 16);
      const loopback = (a: string) => a.startsWith("0100007F:") || a.startsWith("00000000000000000000000001000000:");
      // The server's own socket (listening or accepted), or a connection to it.
      if (loopback(local) && automation.has(port(local))) continue;
      if (loopback(local) && loopback(remote) && automation.has(port(remote))) continue;
      const pid = inodes.get(cols[9]) ?? 0;
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
      } catch {
        // gone
      }
      found.push(`${table} ${local} -> ${remote} (pid ${pid} ${cmd}; automation ports ${[...automation].join(",")})`);
    }
  }
  return found;
}

export function rss(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb * 1024;
}

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8" });
}

/**
 * Presses keys together (X keysym names, e.g. "Control_L", "Shift_L", "l") as a real
 * keyboard would, through the X server's XTest extension, with the pointer over the
 * window. Unlike WebDriver's keys, these pass through GTK, where the shell watches
 * input and the panic shortcut (src-tauri/src/input.rs).
 */
export async function realKeys(b: Browser, keysyms: string[]): Promise<void> {
  const r = await b.getWindowRect();
  const script = `
import ctypes, sys
x = ctypes.CDLL("libX11.so.6")
t = ctypes.CDLL("libXtst.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XStringToKeysym.restype = ctypes.c_ulong
x.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
t.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
t.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_ulong]
d = x.XOpenDisplay(None)
if not d:
    sys.exit("no X display")
t.XTestFakeMotionEvent(d, -1, int(sys.argv[1]), int(sys.argv[2]), 0)
codes = [x.XKeysymToKeycode(d, x.XStringToKeysym(k.encode())) for k in sys.argv[3:]]
if 0 in codes:
    sys.exit("unknown keysym")
for c in codes:
    t.XTestFakeKeyEvent(d, c, 1, 0)
for c in reversed(codes):
    t.XTestFakeKeyEvent(d, c, 0, 0)
x.XSync(d, 0)
`;
  const cx = Math.round(r.x + r.width / 2);
  const cy = Math.round(r.y + r.height / 2);
  execFileSync("python3", ["-c", script, String(cx), String(cy), ...keysyms], { stdio: ["ignore", "inherit", "inherit"] });
}

/** A sealable testimony (crates/kua-cli/tests/it/main.rs, COMPLETE). */
export const COMPLETE = {
  template: "istanbul-2022",
  language: "ru",
  fields: {
    interview_datetime: "2022-01-20T14:30",
    interview_place: "Алматы",
    interviewers: "Интервьюер 5",
    events_date: "2022-01",
    incident_place: "ИВС",
    methods: ["beating"],
    detaining_authority: "national_guard",
  } as Record<string, unknown>,
  narrative: "Меня задержали на площади.",
  consent: { given_at: "2022-01-20", method: "oral", scope: ["store", "coalition"], anonymous: false },
};
