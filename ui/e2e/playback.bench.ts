// Time to first audio (docs/benchmarks.md): from pressing Play on a recording in the
// app to the player's `playing` event, for recordings of one minute and one hour
// (three with KUA_BENCH_LONG=1), on a release build. The reference, in the same window
// and run, is the same Ogg Opus bytes played from a plain in-memory Blob: the player's
// own start-up, without the vault, the decryption or the IPC. The app streams the
// recording as WebM through Media Source Extensions where the player offers them
// (src/lib/stream.ts); the figures say whether it did. It prints and saves figures; it
// asserts none.
import { afterAll, beforeAll, it } from "vitest";
import { execFile as execFileCb, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, ROOT, click, el, openApp, startDriver, stopDriver, type, work, type Browser } from "./harness";

const PASS = "benchmark passphrase with several words";
const RUNS = 7;
const home = join(work, "playback");
const vault = join(home, "vault.kua");
const lengths: [string, number][] = [["1 min", 60], ["1 h", 3600], ...(process.env.KUA_BENCH_LONG ? [["3 h", 10_800] as [string, number]] : [])];
const results: Record<string, unknown> = {};
const env = { ...process.env, KUA_PASSPHRASE: PASS, KUA_VAULT: vault };
const kua = join(ROOT, "target", "release", "kua");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function file(seconds: number): string {
  return join(work, `speech-${seconds}s.opus`);
}

// The set-up runs for minutes; a synchronous call that long would starve the test
// worker's own messages to vitest (it reports "Timeout calling onTaskUpdate").
const execFile = promisify(execFileCb);

beforeAll(async () => {
  mkdirSync(home, { recursive: true });
  await execFile("cargo", ["build", "--release", "--quiet", "-p", "kua-cli", "-p", "kua-audio", "--example", "synth"], { cwd: ROOT });
  await execFile("cargo", ["run", "--release", "--quiet", "-p", "kua-core", "--example", "populate", "--", vault, "1"], { cwd: ROOT, env });
  const id = (JSON.parse(execFileSync(kua, ["--json", "list"], { env, encoding: "utf8" })) as { id: string }[])[0]?.id ?? "";
  for (const [, seconds] of lengths) {
    if (!existsSync(file(seconds))) await execFile(join(ROOT, "target", "release", "examples", "synth"), [file(seconds), String(seconds)]);
    await execFile(kua, ["attach", id, file(seconds)], { env });
  }
  await startDriver();
});

afterAll(() => {
  stopDriver();
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, "playback-bench.json"), JSON.stringify(results, null, 2));
  console.log(JSON.stringify(results, null, 2));
});

async function sinceMark(b: Browser, from: string, to: string): Promise<number> {
  return (await b.execute(
    (a: string, z: string) => {
      const s = performance.getEntriesByName(a).at(-1);
      const e = performance.getEntriesByName(z).at(-1);
      return s && e && e.startTime >= s.startTime ? e.startTime - s.startTime : -1;
    },
    from,
    to,
  )) as number;
}

/**
 * The same bytes from a plain Blob, played the way the app plays (an element made in
 * script, play() once it can play): the player's own time to first audio.
 */
async function plainBlob(b: Browser, bytes: Buffer): Promise<number> {
  return (await b.executeAsync(
    (b64: string, done: (ms: number) => void) => {
      const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([raw], { type: "audio/ogg" }));
      const audio = document.createElement("audio");
      audio.preload = "metadata";
      audio.muted = true;
      document.body.appendChild(audio);
      const start = performance.now();
      const finish = (ms: number) => {
        done(ms);
        audio.pause();
        audio.remove();
        URL.revokeObjectURL(url);
      };
      audio.onplaying = () => finish(performance.now() - start);
      audio.onerror = () => finish(-1);
      audio.oncanplay = () => void audio.play().catch(() => finish(-1));
      audio.src = url;
    },
    bytes.toString("base64"),
  )) as number;
}

it("measures the time to first audio", async () => {
  const b = await openApp(home);
  try {
    await type(b, "#passphrase", PASS);
    await click(b, "form button[type=submit]");
    await click(b, "button.record");
    for (const [label, seconds] of lengths) {
      const name = `speech-${seconds}s.opus`;
      const app: number[] = [];
      const loaded: number[] = [];
      const opened: number[] = [];
      const appended: number[] = [];
      const plain: number[] = [];
      let streamed = 0;
      for (let i = 0; i < RUNS; i++) {
        // A fresh player each time: leave the tab and come back.
        await click(b, "button[data-tab=narrative]");
        await click(b, "button[data-tab=attachments]");
        const row = await b.execute((n: string) => {
          const rows = [...document.querySelectorAll("[data-testid=attachments] tbody tr")];
          const at = rows.findIndex((r) => r.textContent?.includes(n));
          return (rows[at + 1] as HTMLElement | undefined)?.dataset.attachment ?? "";
        }, name);
        await click(b, `tr.media-row[data-attachment="${row}"] [data-testid=play]`);
        await el(b, `tr.media-row[data-attachment="${row}"] audio`);
        let ms = -1;
        await b.waitUntil(async () => (ms = await sinceMark(b, "kua:play-pressed", "kua:playing")) >= 0, { timeout: 60_000 }).catch(async () => {
          const state = await b.execute(() => {
            const a = document.querySelector("tr.media-row audio") as HTMLAudioElement | null;
            return { ready: a?.readyState, network: a?.networkState, error: a?.error?.message, page: document.querySelector("[data-testid=player] .error")?.textContent };
          });
          throw new Error(`${name} never played: loaded after ${await sinceMark(b, "kua:play-pressed", "kua:media-loaded")} ms; ${JSON.stringify(state)}`);
        });
        app.push(ms);
        if ((await (await el(b, `tr.media-row[data-attachment="${row}"] [data-testid=player]`)).getAttribute("data-streamed")) === "webm") streamed++;
        loaded.push(await sinceMark(b, "kua:play-pressed", "kua:media-loaded"));
        opened.push(await sinceMark(b, "kua:play-pressed", "kua:source-open"));
        appended.push(await sinceMark(b, "kua:play-pressed", "kua:first-appended"));
        await b.execute(() => document.querySelectorAll("audio").forEach((a) => a.pause()));
        plain.push(await plainBlob(b, readFileSync(file(seconds))));
      }
      const ok = (xs: number[]) => xs.filter((x) => x >= 0);
      results[label] = {
        bytes: readFileSync(file(seconds)).length,
        app_ms: { median: Math.round(median(ok(app))), runs: app.map(Math.round) },
        // How many of the runs streamed WebM through Media Source Extensions.
        streamed: `${streamed}/${RUNS}`,
        // Of which: Play pressed → the first range fetched (streamed), or every byte
        // decrypted, fetched and in a Blob (not streamed).
        loaded_ms: { median: Math.round(median(ok(loaded))), runs: loaded.map(Math.round) },
        // Play pressed → the MediaSource opened, and → the first audio appended to it
        // (-1 when no MediaSource opened after this Play).
        source_open_ms: { median: Math.round(median(ok(opened))), runs: opened.map(Math.round) },
        first_appended_ms: { median: Math.round(median(ok(appended))), runs: appended.map(Math.round) },
        plain_blob_ms: { median: Math.round(median(ok(plain))), runs: plain.map(Math.round), failed: plain.length - ok(plain).length },
      };
    }
  } finally {
    await b.deleteSession();
  }
});
