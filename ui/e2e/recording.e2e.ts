// Recording an interview in the real app window, from a fake microphone (a PulseAudio
// null sink remapped as the default source, playing a 500 Hz sine: scripts/fake-mic.sh).
// The interviewer records with a marker and a pause, stops, and plays the recording
// back in the window: its duration, the tone's frequency (measured by Web Audio on what
// the player decodes) and a jump to the marker are checked. Then the app is killed
// mid-recording; the next unlock recovers the recording, logs it, and it plays. Then the
// testimony is sealed and exported with the `kua` command, and a coordinator who
// imported the bundle plays the received recording in the window and jumps to its
// marker. While
// media play, no process of the app holds a file in its temporary directory, and no
// file there or in the app's home carries an Ogg page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CLI, ROOT, appProcesses, axe, click, createVault, el, filesUnder, openApp, screenshot, sh, startDriver,
  stopDriver, textOf, type, waitText, work, type Browser,
} from "./harness";

const PASS = "тау өзен жол қызыл алма 2022";
const TONE = 500;
const home = join(work, "recorder");
// The app's temporary directory (inherited through tauri-driver): it must stay empty.
const tmp = join(work, "app-tmp");
const fakeMic = join(ROOT, "scripts", "fake-mic.sh");
let sine = "";
let firstRecording = "";
let markerAt = 0;
const coordinator = join(work, "coordinator");
const COORD_PASS = "координатор алқабы 2022 көктем";
const kua = CLI;

function seconds(clock: string): number {
  const [h, m, s] = clock.trim().split(":").map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

async function elapsed(b: Browser): Promise<number> {
  return seconds(await textOf(b, "[data-testid=record-elapsed]"));
}

async function waitElapsed(b: Browser, atLeast: number): Promise<void> {
  await b.waitUntil(async () => (await elapsed(b)) >= atLeast, {
    timeout: 30_000,
    timeoutMsg: `the recording never reached ${atLeast} s`,
  });
}

async function unlock(b: Browser): Promise<void> {
  await type(b, "#passphrase", PASS);
  await click(b, "form button[type=submit]");
  await el(b, "[data-testid=new-testimony]");
}

/** Opens the one testimony of this vault on a tab. */
async function openTestimony(b: Browser, tab: string): Promise<void> {
  await click(b, "button.record");
  await click(b, `button[data-tab=${tab}]`);
}

/** Files the app's processes hold open in its temporary directory, or deleted files. */
function heldTempFiles(appHome = home): string[] {
  const found: string[] = [];
  for (const pid of appProcesses(appHome)) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        // memfd and shared memory are RAM; a deleted file on a disk is not.
        if (link.startsWith("/memfd:") || link.startsWith("/dev/shm/")) continue;
        if (link.startsWith(tmp) || (link.startsWith("/") && link.endsWith("(deleted)"))) found.push(`${pid}: ${link}`);
      } catch {
        // closed meanwhile
      }
    }
  }
  return found;
}

interface Playback { duration: number; time: number; frequency: number; level: number; error: string; state?: string }

/**
 * Plays the player's media from `from` seconds through an analyser until it has played
 * at least 0.8 s of media time and the analyser hears something (or 20 s have passed,
 * or the media ended), and returns its duration, where it got to, and the loudest
 * frequency it heard. It waits on the media's own clock, not the wall clock: on a
 * loaded machine WebKit may take a while to start playing, and the Web Audio graph of a
 * media element may start a little after its clock.
 */
async function listen(b: Browser, row: string, from: number): Promise<Playback> {
  return (await b.executeAsync(
    (selector: string, start: number, done: (r: Playback) => void) => {
      const media = document.querySelector(`${selector} audio`) as HTMLAudioElement | null;
      if (!media) return done({ duration: 0, time: 0, frequency: 0, level: -999, error: "no audio element" });
      const w = window as unknown as { __kuaGraph?: Map<HTMLMediaElement, AnalyserNode>; __kuaCtx?: AudioContext };
      const ctx = (w.__kuaCtx ??= new AudioContext());
      w.__kuaGraph ??= new Map();
      let analyser = w.__kuaGraph.get(media);
      if (!analyser) {
        analyser = ctx.createAnalyser();
        analyser.fftSize = 8192;
        const source = ctx.createMediaElementSource(media);
        source.connect(analyser);
        analyser.connect(ctx.destination);
        w.__kuaGraph.set(media, analyser);
      }
      const a = analyser;
      const loudest = (): { frequency: number; level: number } => {
        const bins = new Float32Array(a.frequencyBinCount);
        a.getFloatFrequencyData(bins);
        let best = 0;
        for (let i = 1; i < bins.length; i++) if ((bins[i] ?? -Infinity) > (bins[best] ?? -Infinity)) best = i;
        // Silence is -Infinity, which WebDriver's JSON cannot carry.
        const level = bins[best] ?? -999;
        return { frequency: (best * ctx.sampleRate) / a.fftSize, level: Number.isFinite(level) ? level : -999 };
      };
      const run = async () => {
        await ctx.resume();
        media.currentTime = start;
        await media.play();
        const began = Date.now();
        let heard = loudest();
        // Readings in a row in which the analyser heard something: the first ones after
        // the graph starts see a window only partly filled with sound, whose peak is
        // weak and smeared (seen with streamed playback, whose graph starts later).
        let audible = 0;
        for (;;) {
          await new Promise((r) => setTimeout(r, 100));
          heard = loudest();
          audible = heard.level > -60 ? audible + 1 : 0;
          const played = media.currentTime >= start + 0.8;
          if ((played && audible >= 3) || media.ended || Date.now() - began > 20_000) break;
        }
        const time = media.currentTime;
        const state = `ended=${media.ended} paused=${media.paused} seeking=${media.seeking} ready=${media.readyState} ctx=${ctx.state}`;
        media.pause();
        done({ duration: media.duration, time, frequency: heard.frequency, level: heard.level, error: "", state });
      };
      run().catch((e) => done({ duration: media.duration, time: media.currentTime, frequency: 0, level: -999, error: String(e) }));
    },
    row,
    from,
  )) as Playback;
}

/** Opens the player of the attachment in `row` and waits for its duration. */
async function openPlayer(b: Browser, row: string): Promise<number> {
  await click(b, `${row} [data-testid=play]`);
  await el(b, `${row} audio`);
  let state = { duration: 0, ready: 0, network: 0, error: "", src: "" };
  try {
    await b.waitUntil(
      async () => {
        state = (await b.execute((selector: string) => {
          const e = document.querySelector(selector) as HTMLMediaElement;
          // NaN and Infinity do not survive WebDriver's JSON.
          const d = Number.isFinite(e.duration) ? e.duration : String(e.duration);
          return { duration: d, ready: e.readyState, network: e.networkState, error: e.error ? `${e.error.code} ${e.error.message}` : "", src: e.currentSrc };
        }, `${row} audio`)) as typeof state;
        return typeof state.duration === "number" && state.duration > 0;
      },
      { timeout: 20_000 },
    );
  } catch {
    throw new Error(`the player never learnt the duration: ${JSON.stringify(state)}`);
  }
  // It starts playing by itself; stop it so that the checks below choose the moment.
  await b.execute((selector: string) => (document.querySelector(selector) as HTMLMediaElement).pause(), `${row} audio`);
  return state.duration;
}

/** Adds a testimony with this narrative through the CLI, with `file` attached to it. */
function addWithAttachment(narrative: string, file: string): void {
  const env = { ...process.env, KUA_VAULT: join(home, "vault.kua"), KUA_PASSPHRASE: PASS };
  const input = JSON.stringify({ narrative });
  const id = (JSON.parse(execFileSync(kua, ["--json", "add", "-"], { env, input, encoding: "utf8" })) as { id: string }).id;
  execFileSync(kua, ["attach", id, file], { env, stdio: ["ignore", "pipe", "pipe"] });
}

/** Unlocks, and opens the attachments of the testimony whose row shows `narrative`. */
async function openAttachments(b: Browser, narrative: string): Promise<void> {
  await unlock(b);
  await el(b, "button.record");
  for (const r of await b.$$("button.record")) {
    if ((await r.getText()).includes(narrative)) {
      await r.click();
      break;
    }
  }
  await click(b, "button[data-tab=attachments]");
}

/** Photographs the screen and returns its serious or critical accessibility problems. */
async function look(b: Browser, name: string): Promise<string[]> {
  await screenshot(b, "en", name);
  return (await axe(b))
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

function oggOnDisk(): string[] {
  return [...filesUnder(tmp), ...[home, coordinator].flatMap((h) => filesUnder(h)).filter((f) => !/vault\.kua(-wal|-shm)?$/.test(f))]
    .filter((f) => readFileSync(f).includes(Buffer.from("OggS")));
}

describe("recording in the app window", () => {
  beforeAll(async () => {
    mkdirSync(tmp, { recursive: true });
    process.env.TMPDIR = tmp;
    sine = sh("bash", [fakeMic, "tone", String(TONE)]).trim();
    await startDriver();
  });

  afterAll(() => {
    stopDriver();
    if (sine) sh("bash", [fakeMic, "quiet", sine]);
  });

  it("records with a marker and a pause, then plays back the tone and jumps to the marker", async () => {
    const b = await openApp(home);
    try {
      await createVault(b, PASS);
      await click(b, "[data-testid=new-testimony]");
      await (await el(b, "#new-language")).selectByAttribute("value", "kk");
      await click(b, "[data-testid=create-testimony]");
      await el(b, "[data-testid=consent-form]");
      await click(b, "button[data-tab=recording]");
      expect(await (await el(b, "[data-testid=record-device]")).getValue()).not.toBe("");
      await click(b, "[data-testid=record-start]");
      await waitElapsed(b, 2);
      // The tone is there: the meter shows a level well above silence.
      await b.waitUntil(async () => Number(await (await el(b, "[data-testid=record-level]")).getAttribute("value")) > -20, {
        timeout: 5_000,
        timeoutMsg: "the level meter stayed low",
      });
      expect(await textOf(b, "[data-testid=record-space]")).toMatch(/Free space: .+ \(about [\d,]+ hours of speech\)/);
      await (await el(b, "[data-testid=marker-section]")).selectByAttribute("value", "detention");
      await type(b, "[data-testid=marker-note]", "ИВС, екінші күн");
      await click(b, "[data-testid=marker-add]");
      expect(await waitText(b, "[data-testid=record-markers]", /ИВС, екінші күн/)).toMatch(/^00:00:0[2-4] /);
      expect(await look(b, "recording-live")).toEqual([]);

      // Paused, the clock stands still.
      await click(b, "[data-testid=record-pause]");
      await waitText(b, "[data-testid=record-state]", /Paused/);
      const paused = await elapsed(b);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await elapsed(b)).toBe(paused);
      await click(b, "[data-testid=record-pause]");
      await waitText(b, "[data-testid=record-state]", /Recording/);
      await waitElapsed(b, paused + 2);
      const recorded = await elapsed(b);
      await click(b, "[data-testid=record-stop]");
      const saved = await waitText(b, "[data-testid=record-saved]", /[0-9a-f]{64}/);
      const hash = /[0-9a-f]{64}/.exec(saved)?.[0] ?? "";

      // It is an attachment with its evidence hash and plays in the window.
      await click(b, "button[data-tab=attachments]");
      const table = await textOf(b, "[data-testid=attachments]");
      expect(table).toMatch(/recording-\d{8}-\d{6}\.opus/);
      expect(table).toContain(hash);
      const row = "tr.media-row";
      firstRecording = (await (await el(b, row)).getAttribute("data-attachment")) ?? "";
      const duration = await openPlayer(b, row);
      expect(duration).toBeGreaterThanOrEqual(recorded - 0.1);
      expect(duration).toBeLessThan(recorded + 1.5);

      const heard = await listen(b, row, 0.2);
      expect(heard.error).toBe("");
      expect(heard.time, JSON.stringify(heard)).toBeGreaterThanOrEqual(1.0);
      expect(Math.abs(heard.frequency - TONE), JSON.stringify(heard)).toBeLessThan(15);
      expect(heard.level).toBeGreaterThan(-60);
      expect(heldTempFiles()).toEqual([]);
      expect(await look(b, "recording-playback")).toEqual([]);

      // The marker is on the timeline and jumps there: the player settles its seek
      // before it plays and says where (data-landed), whatever the latency of WebDriver.
      const jump = await el(b, `${row} [data-testid=marker-jump]`);
      const at = Number(await jump.getAttribute("data-at")) / 1000;
      const player = `${row} [data-testid=player]`;
      const landing = async (): Promise<number> => {
        await b.execute((p: string) => document.querySelector(p)?.removeAttribute("data-landed"), player);
        await jump.click();
        let landed = "";
        await b
          .waitUntil(async () => (landed = (await (await el(b, player)).getAttribute("data-landed")) ?? "") !== "", { timeout: 10_000 })
          .catch(() => {});
        // And it plays from there: the time moves on past where it landed.
        const from = landed === "" ? -1 : Number(landed);
        let state = "";
        await b
          .waitUntil(
            async () => {
              const s = (await b.execute(() => {
                const a = document.querySelector("tr.media-row audio") as HTMLAudioElement;
                return { time: a.currentTime, paused: a.paused, ended: a.ended, ready: a.readyState, duration: a.duration };
              })) as { time: number; paused: boolean; ended: boolean; ready: number; duration: number };
              state = JSON.stringify(s);
              return s.ended || s.time > from + 0.05;
            },
            { timeout: 5_000, interval: 100 },
          )
          .catch(() => {
            throw new Error(`the player did not play after the jump to ${at} s, landed at ${from}: ${state}`);
          });
        return from;
      };
      markerAt = at;
      const there = await landing();
      // On the marker or up to about a page of the recording (250 ms) before it.
      expect(there, `marker at ${at} s`).toBeGreaterThanOrEqual(at - 0.3);
      expect(there, `marker at ${at} s`).toBeLessThanOrEqual(at + 0.05);
      // Played to the end, a marker still jumps back.
      // A second before the end: WebKitGTK's Ogg seek can land up to a few pages late,
      // and a seek that lands past the last page stalls instead of ending.
      const ended = (await b.executeAsync((done: (state: string) => void) => {
        const a = document.querySelector("tr.media-row audio") as HTMLAudioElement;
        const timer = setTimeout(() => done(`not ended: time=${a.currentTime} duration=${a.duration} paused=${a.paused} ready=${a.readyState}`), 20_000);
        a.addEventListener("ended", () => { clearTimeout(timer); done("ended"); }, { once: true });
        a.currentTime = Math.max(0, a.duration - 1);
        void a.play();
      })) as string;
      expect(ended).toBe("ended");
      const again = await landing();
      expect(again, `after the end, marker at ${at} s`).toBeGreaterThanOrEqual(at - 0.3);
      expect(again, `after the end, marker at ${at} s`).toBeLessThanOrEqual(at + 0.05);
      await el(b, `${row} .timeline .tick`);
      expect(oggOnDisk()).toEqual([]);
    } finally {
      await b.deleteSession();
    }
  });

  it("a recording cut short by killing the app is recovered at the next unlock, logged, and plays", async () => {
    let b = await openApp(home);
    await unlock(b);
    await openTestimony(b, "recording");
    await click(b, "[data-testid=record-start]");
    await waitElapsed(b, 4);
    const before = await elapsed(b);
    // As a crash or a power cut would: no chance to finish anything.
    const shell = appProcesses(home).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]?.endsWith("kua-desktop"));
    expect(shell.length).toBe(1);
    process.kill(shell[0] ?? 0, "SIGKILL");
    await b.deleteSession().catch(() => {});

    b = await openApp(home);
    try {
      await unlock(b);
      expect(await textOf(b, "[data-testid=recovered]")).toMatch(/^1 interrupted recording was recovered/);
      expect(await look(b, "recording-recovered")).toEqual([]);
      await openTestimony(b, "attachments");
      const row = `tr.media-row:not([data-attachment="${firstRecording}"])`;
      const duration = await openPlayer(b, row);
      // Flushed every second: at most the last two seconds are lost.
      expect(duration).toBeGreaterThanOrEqual(before - 2);
      const heard = await listen(b, row, 0.2);
      expect(heard.error).toBe("");
      expect(heard.time, JSON.stringify(heard)).toBeGreaterThanOrEqual(1.0);
      expect(Math.abs(heard.frequency - TONE), JSON.stringify(heard)).toBeLessThan(15);
      expect(heard.level, JSON.stringify(heard)).toBeGreaterThan(-60);
      await click(b, "button[data-tab=history]");
      await waitText(b, "#panel", /Recording recovered after an interruption/);
      expect(heldTempFiles()).toEqual([]);
      expect(oggOnDisk()).toEqual([]);
    } finally {
      await b.deleteSession();
    }
  });

  it("the recording and its marker travel in a bundle, and the coordinator plays them", async () => {
    // The recorder's app has exited, so the `kua` command may open its vault.
    for (let i = 0; i < 100 && appProcesses(home).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(appProcesses(home)).toEqual([]);
    const run = (vault: string, pass: string, ...args: string[]) =>
      execFileSync(kua, args, { env: { ...process.env, KUA_VAULT: vault, KUA_PASSPHRASE: pass }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const mine = join(home, "vault.kua");
    const theirs = join(coordinator, "vault.kua");
    mkdirSync(coordinator, { recursive: true });
    run(theirs, COORD_PASS, "init", "--insecure-test-kdf");
    // The interviewer completes the testimony (the example's fields and consent) and seals it.
    const id = (JSON.parse(run(mine, PASS, "--json", "list")) as { id: string }[])[0]?.id ?? "";
    const example = JSON.parse(readFileSync(join(ROOT, "assets", "examples", "testimony-ru.json"), "utf8")) as Record<string, unknown>;
    const fields = join(work, "fields.json");
    const consent = join(work, "consent.json");
    writeFileSync(fields, JSON.stringify({ fields: example.fields, narrative: example.narrative }));
    writeFileSync(consent, JSON.stringify(example.consent));
    run(mine, PASS, "edit", id, fields);
    run(mine, PASS, "consent", id, consent);
    run(mine, PASS, "seal", id);
    const recipient = (JSON.parse(run(theirs, COORD_PASS, "--json", "identity")) as { age_recipient: string }).age_recipient;
    run(mine, PASS, "recipients", "add", "coalition", recipient);
    const pub = join(work, "recorder.pub");
    run(mine, PASS, "identity", "--minisign-pub", "-o", pub);
    run(theirs, COORD_PASS, "trust", "add", "field-7", pub);
    const bundle = join(work, "recordings.kua");
    run(mine, PASS, "export", "--to", "coalition", "--all", "-o", bundle);
    // An age file: nothing of the audio shows.
    expect(readFileSync(bundle).includes(Buffer.from("OggS"))).toBe(false);
    expect(run(theirs, COORD_PASS, "import", bundle)).toMatch(/imported 1 new record versions, 2 new media files/);

    const b = await openApp(coordinator);
    try {
      await type(b, "#passphrase", COORD_PASS);
      await click(b, "form button[type=submit]");
      await click(b, "button[data-nav=received]");
      await click(b, "[data-testid=received] button.record");
      await waitText(b, "[data-testid=provenance-sender]", /field-7/);
      // The received recording that carries the marker.
      const row = "[data-testid=received-attachment]:has([data-testid=marker-jump])";
      expect(await b.$$("[data-testid=received-attachment]")).toHaveLength(2);
      // The example's consent is anonymous, so the export is redacted, and a marker's
      // note (names may be spoken there) travels as "(redacted)"; its time and section
      // stay (docs/bundle-format.md).
      const shown = await textOf(b, row);
      expect(shown).toMatch(/\(redacted\)/);
      expect(shown).not.toMatch(/ИВС, екінші күн/);
      const jump = await el(b, `${row} [data-testid=marker-jump]`);
      expect(Number(await jump.getAttribute("data-at")) / 1000).toBe(markerAt);
      const duration = await openPlayer(b, row);
      expect(duration).toBeGreaterThan(markerAt);
      const heard = await listen(b, row, 0.2);
      expect(heard.error).toBe("");
      expect(heard.time, JSON.stringify(heard)).toBeGreaterThanOrEqual(1.0);
      expect(Math.abs(heard.frequency - TONE), JSON.stringify(heard)).toBeLessThan(15);
      expect(heard.level, JSON.stringify(heard)).toBeGreaterThan(-60);
      const player = `${row} [data-testid=player]`;
      await b.execute((p: string) => document.querySelector(p)?.removeAttribute("data-landed"), player);
      await jump.click();
      await b.waitUntil(async () => ((await (await el(b, player)).getAttribute("data-landed")) ?? "") !== "", { timeout: 10_000, timeoutMsg: "the jump never settled" });
      const landed = Number(await (await el(b, player)).getAttribute("data-landed"));
      expect(landed, `marker at ${markerAt} s`).toBeGreaterThanOrEqual(markerAt - 0.3);
      expect(landed, `marker at ${markerAt} s`).toBeLessThanOrEqual(markerAt + 0.05);
      expect(await look(b, "received-recording")).toEqual([]);
      expect(heldTempFiles(coordinator)).toEqual([]);
      expect(oggOnDisk()).toEqual([]);
    } finally {
      await b.deleteSession();
    }
  });

  it("a recording of minutes streams: it plays from its start, knows its whole length, and plays near its end", async () => {
    // Longer than what the shell remuxes to answer the first request (192 KiB of Ogg)
    // and than that first answer (64 KiB): the start comes from the remux of the start
    // alone, the rest from the whole remux (media.rs, lib/stream.ts).
    for (let i = 0; i < 100 && appProcesses(home).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    // KUA_E2E_LONG=18000 runs it on five hours of speech (about 50 MB; its synthesis
    // takes minutes), more than WebKitGTK's player would buffer whole.
    const LONG = Number(process.env.KUA_E2E_LONG ?? 300);
    const speech = join(work, `speech-${LONG}s.opus`);
    execFileSync("cargo", ["build", "--quiet", "-p", "kua-audio", "--example", "synth"], { cwd: ROOT });
    // Not synchronous: hours of speech take minutes, and the test runner's worker must
    // keep answering its host meanwhile.
    await promisify(execFile)(join(ROOT, "target", "debug", "examples", "synth"), [speech, String(LONG)]);
    expect(readFileSync(speech).length).toBeGreaterThan(3 * 192 * 1024);
    // On a testimony of its own: the one before is sealed and was sent.
    addWithAttachment("a long recording", speech);

    const b = await openApp(home);
    try {
      await openAttachments(b, "a long recording");
      const attachment = (await b.execute((n: string) => {
        const rows = [...document.querySelectorAll("[data-testid=attachments] tbody tr")];
        const at = rows.findIndex((r) => r.textContent?.includes(n));
        return (rows[at + 1] as HTMLElement | undefined)?.dataset.attachment ?? "";
      }, `speech-${LONG}s.opus`)) as string;
      expect(attachment).not.toBe("");
      const row = `tr.media-row[data-attachment="${attachment}"]`;
      const duration = await openPlayer(b, row);
      // A recording of minutes streams as WebM through Media Source Extensions
      // (lib/stream.ts), which WebKitGTK offers with GStreamer's Opus parser
      // (scripts/setup.sh installs it); one of seconds loads whole, as before.
      expect(await (await el(b, `${row} [data-testid=player]`)).getAttribute("data-streamed"), "the recording streamed").toBe("webm");
      expect(duration).toBeGreaterThan(LONG - 1);
      expect(duration).toBeLessThan(LONG + 1);
      const start = await listen(b, row, 0.2);
      expect(start.error).toBe("");
      expect(start.time, JSON.stringify(start)).toBeGreaterThanOrEqual(1.0);
      expect(start.level, JSON.stringify(start)).toBeGreaterThan(-60);
      // The player's buffer holds a window of two minutes ahead (lib/webm.ts), not the
      // whole recording, which WebKitGTK's 15 MB cap would cut short in long ones.
      const heldEnd = async () =>
        (await b.execute((selector: string) => {
          const media = document.querySelector(`${selector} audio`) as HTMLAudioElement | null;
          const r = media?.buffered;
          return r && r.length > 0 ? r.end(r.length - 1) : -1;
        }, row)) as number;
      // The window fills as the rest arrives (the shell remuxes the whole recording first).
      let held = await heldEnd();
      for (let i = 0; i < 150 && held <= 60; i++) {
        await new Promise((r) => setTimeout(r, 200));
        held = await heldEnd();
      }
      expect(held, "seconds held ahead").toBeGreaterThan(60);
      expect(held, "seconds held ahead").toBeLessThan(LONG - 60);
      // Near the end, out of the window: a jump that the stream fills from its cluster,
      // with bytes that came from the whole remux, after the first answer.
      const end = await listen(b, row, LONG - 10);
      expect(end.error).toBe("");
      expect(end.time, JSON.stringify(end)).toBeGreaterThanOrEqual(LONG - 9.2);
      expect(end.level, JSON.stringify(end)).toBeGreaterThan(-60);
      // What lay far behind the playhead left the player's buffer: the start is gone.
      const heldStart = async () =>
        (await b.execute((selector: string) => {
          const r = (document.querySelector(`${selector} audio`) as HTMLAudioElement | null)?.buffered;
          return r && r.length > 0 ? r.start(0) : -1;
        }, row)) as number;
      let from = await heldStart();
      for (let i = 0; i < 50 && from < 60; i++) {
        await new Promise((r) => setTimeout(r, 200));
        from = await heldStart();
      }
      expect(from, "the first second held after the jump to the end").toBeGreaterThan(60);
      // And a jump back, out of what is held again, plays.
      const back = await listen(b, row, 30);
      expect(back.error).toBe("");
      expect(back.time, JSON.stringify(back)).toBeGreaterThanOrEqual(30.8);
      expect(back.level, JSON.stringify(back)).toBeGreaterThan(-60);
      // The window moved back with it: what was held near the end left the buffer.
      let to = await heldEnd();
      for (let i = 0; i < 50 && to > 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        to = await heldEnd();
      }
      expect(to, "the last second held after the jump back").toBeLessThan(200);
      expect(to, "the last second held after the jump back").toBeGreaterThan(back.time);
      expect(await (await el(b, `${row} [data-testid=player]`)).getAttribute("data-streamed")).toBe("webm");
      expect(heldTempFiles()).toEqual([]);
    } finally {
      await b.deleteSession();
    }
  });

  it("an .ogg file the shell cannot stream falls back to the original, and says plainly that it cannot be played", async () => {
    // Large enough to be streamed, but not Ogg Opus: the shell refuses its WebM form
    // while the player's MediaSource is already opening (lib/stream.ts), the player
    // falls back to the original in a Blob, which does not play either. The Play button
    // must not stay busy: the error shows, with the player's controls.
    for (let i = 0; i < 100 && appProcesses(home).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const noise = join(work, "unreadable.ogg");
    const bytes = Buffer.alloc(600 * 1024);
    let x = 0x2545f491;
    for (let i = 0; i < bytes.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    writeFileSync(noise, bytes);
    addWithAttachment("an unreadable recording", noise);

    const b = await openApp(home);
    try {
      await openAttachments(b, "an unreadable recording");
      const row = "tr.media-row";
      // From the keyboard: the focus must not be lost when the Play button makes way
      // for the player's controls.
      await (await el(b, `${row} [data-testid=play]`)).waitForEnabled({ timeout: 20_000 });
      await b.execute((selector: string) => (document.querySelector(selector) as HTMLElement).focus(), `${row} [data-testid=play]`);
      await b.keys(["Enter"]);
      await waitText(b, `${row} [data-testid=player] .error`, /cannot be played here/);
      // The stream was tried and fell back: what the player holds is the original.
      expect(await (await el(b, `${row} [data-testid=player]`)).getAttribute("data-streamed")).toBe("fell-back");
      await el(b, `${row} audio`);
      expect(await b.execute((selector: string) => (document.querySelector(selector) as HTMLMediaElement).controls, `${row} audio`)).toBe(true);
      expect(await (await b.$(`${row} [data-testid=play]`)).isExisting()).toBe(false);
      let focused = "";
      await b
        .waitUntil(async () => (focused = (await b.execute(() => document.activeElement?.tagName ?? "")) as string) === "AUDIO", { timeout: 5_000 })
        .catch(() => {});
      expect(focused, "what has the focus after Play was pressed with the keyboard").toBe("AUDIO");
      expect(heldTempFiles()).toEqual([]);
    } finally {
      await b.deleteSession();
    }
  });
});
