// Streams a recording to the player through Media Source Extensions, so that an hour of
// audio starts playing as soon as its first range has arrived. The shell serves an Ogg
// Opus recording also as WebM (src-tauri/src/media.rs: the same packets in the container
// WebKitGTK's Media Source Extensions take; they do not take Ogg). Everything stays in
// memory: the page holds the bytes, the player's buffer a window of them around the
// playhead, and nothing is written anywhere.

import { AHEAD, ClusterScan, endHeld, excess, nextRun, release } from "./webm";

export const WEBM_OPUS = 'audio/webm; codecs="opus"';

/** The first request: about 20 s of speech, enough to start playing at once. */
const FIRST = 64 * 1024;
/**
 * The rest is appended in pieces of this size: the player parses each append before it
 * does anything else, and a 4 MiB append held its start back by a few hundred ms.
 */
const APPEND = 1024 * 1024;
/**
 * The smallest recording streamed: about three minutes of speech. Shorter ones load
 * whole into a Blob in a few milliseconds and start about as fast that way. And in the
 * end-to-end tests, Web Audio's analysis of a few-second streamed tone sometimes heard
 * it weak and 20 Hz off (in 3 of about 12 runs, not understood), where the Blob path
 * has been steady for weeks.
 */
const MIN_STREAMED = 512 * 1024;
/**
 * The largest recording streamed (more than 10 hours of speech; the shell remuxes no
 * more, media.rs): its bytes are held in the page, as a Blob's would be. The player's
 * buffer holds only a window of it, since WebKitGTK keeps at most about 15 MB of an
 * audio-only source buffer (5 % of its default 304 MB for a source): appended whole, a
 * five-hour recording lost its later appends and a jump near its end never finished.
 */
const MAX_STREAMED = 64 * 1024 * 1024;

export interface Stream {
  /** The player's `src` (the MediaSource's object URL). */
  url: string;
  /**
   * Fails with the error that stopped the stream (a fetch aborted by `close` too), or
   * with `NotStreamable` as soon as the first answer says the recording is no WebM.
   * The caller must handle it: closing the stream fails it too.
   */
  done: Promise<void>;
  /** The player the stream keeps a window of audio for (its playhead moves the window). */
  follow(el: HTMLMediaElement): void;
  /** Stops fetching and appending (the player is going away). */
  close(): void;
}

/** Whether this media is streamed: an Ogg Opus recording of minutes, and a player that takes WebM Opus. */
export function streamable(mediaType: string, size: number): boolean {
  const t = mediaType.toLowerCase();
  return (
    (t.startsWith("audio/ogg") || t.startsWith("audio/opus")) &&
    size >= MIN_STREAMED &&
    size <= MAX_STREAMED &&
    typeof MediaSource !== "undefined" &&
    MediaSource.isTypeSupported(WEBM_OPUS)
  );
}

/** The shell answers at most 4 MiB a request (media.rs). */
export const PART = 4 * 1024 * 1024;

/**
 * Fetches bytes `from`..`to` of a kua-media: URL into `into` at `from - offset`; a shorter
 * answer is followed by a request for the rest of the range.
 */
export async function fetchRange(url: string, from: number, to: number, into: Uint8Array, offset = 0, signal?: AbortSignal): Promise<void> {
  let at = from;
  while (at < to) {
    const r = await fetch(url, { headers: { Range: `bytes=${at}-${to - 1}` }, signal });
    if (r.status !== 206 && r.status !== 200) throw new Error(`media ${r.status}`);
    const part = new Uint8Array(await r.arrayBuffer());
    if (part.byteLength === 0 || at + part.byteLength > to) throw new Error("media size mismatch");
    into.set(part, at - offset);
    at += part.byteLength;
  }
}

async function range(url: string, from: number, to: number, signal: AbortSignal): Promise<Uint8Array> {
  const out = new Uint8Array(to - from);
  await fetchRange(url, from, to, out, from, signal);
  return out;
}

/** The whole's size from a 206 answer's Content-Range: null for "*", undefined if none. */
function totalOf(r: Response): number | null | undefined {
  const m = /\/(\d+|\*)$/.exec(r.headers.get("Content-Range") ?? "");
  if (!m) return undefined;
  if (m[1] === "*") return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The first range of a recording's WebM form, and what it says of the whole. */
interface Head {
  first: Uint8Array<ArrayBuffer>;
  /** The whole's size; null while the shell does not know it yet. */
  known: number | null;
  scan: ClusterScan;
}

/**
 * Fetches the first range of the WebM form at `url`. Null when the shell does not serve
 * this recording as WebM (not Ogg Opus, or unreadable) or the answer is not a WebM start.
 */
async function fetchHead(url: string, signal: AbortSignal): Promise<Head | null> {
  const r = await fetch(url, { headers: { Range: `bytes=0-${FIRST - 1}` }, signal });
  if (r.status !== 206 && r.status !== 200) return null;
  const first = new Uint8Array(await r.arrayBuffer());
  // The shell answers the first request from the remux of the recording's start, whose
  // whole size it does not know yet ("bytes 0-65535/*"); the next answer says it.
  const known = r.status === 200 ? first.byteLength : totalOf(r);
  if (known === undefined || first.byteLength === 0 || (known !== null && first.byteLength > known)) return null;
  const scan = new ClusterScan();
  try {
    scan.scan(first, first.byteLength);
  } catch {
    return null;
  }
  if (scan.initEnd < 0) return null;
  performance.mark("kua:media-loaded");
  return { first, known, scan };
}

/** The shell does not serve this recording as WebM: the caller loads the original. */
export class NotStreamable extends Error {
  constructor() {
    super("the recording is not served as WebM");
  }
}

/**
 * Streams the WebM form of the recording at `base` (a kua-media: URL) through a
 * MediaSource. The source is made at once and its first range asked for at the same
 * time: WebKit opens the source while the range is on its way (the two took about 40
 * ms each, one after the other). The rest is fetched once `rest` settles (the caller
 * resolves it when the player has started) or 300 ms after the first range arrived,
 * whichever comes first, one part after another into the page's memory. The player's
 * buffer holds only a window around the playhead (lib/webm.ts: two minutes ahead, half
 * a minute behind), refilled as it plays and wherever it jumps: its own limit (about
 * 15 MB of audio in WebKitGTK) is never what cuts a recording short. When the shell
 * does not serve this recording as WebM, `done` fails with `NotStreamable` as soon as
 * its first answer says so, opened or not, and the caller then loads the original.
 */
export function openStream(base: string, rest: Promise<void>, signal?: AbortSignal): Stream {
  const url = `${base}/webm`;
  // Closing stops the fetches still under way, not only the appends; so does the
  // caller's signal (its player closed while the first range was on its way).
  const abort = new AbortController();
  signal?.addEventListener("abort", () => abort.abort(), { once: true });
  const head = fetchHead(url, abort.signal);

  // What has arrived: `data[0..arrived)`, the whole recording's bytes once its size is
  // known. Set from the first range before anything reads them.
  let data: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  let arrived = 0;
  let total: number | null = null;
  let scan = new ClusterScan();
  let first = data;
  /** The first range, once: what it holds becomes the stream's state. */
  const started = head.then((h) => {
    if (!h) throw new NotStreamable();
    first = h.first;
    data = h.first;
    arrived = h.first.byteLength;
    total = h.known;
    scan = h.scan;
  });

  const source = new MediaSource();
  const objectUrl = URL.createObjectURL(source);
  let closed = false;
  let player: HTMLMediaElement | null = null;
  // The pump sleeps until the player moves or jumps, more bytes arrive, or the stream
  // closes. A poke while it is awake is kept, so that it does not sleep through a jump
  // that came while it was appending.
  let wake: () => void = () => {};
  let poked = false;
  const poke = () => {
    poked = true;
    wake();
  };
  const sleep = () =>
    poked
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          wake = resolve;
        });

  /** Fetches the rest, one part after another (the next asked for while one is read). */
  const fetchRest = async () => {
    await started;
    await Promise.race([rest, new Promise((r) => setTimeout(r, 300))]);
    if (closed) return;
    let at = arrived;
    if (total === null) {
      // An open-ended range: up to 4 MiB, and the size of the whole.
      const r = await fetch(url, { headers: { Range: `bytes=${at}-` }, signal: abort.signal });
      const size = r.status === 206 ? totalOf(r) : undefined;
      const bytes = new Uint8Array(await r.arrayBuffer());
      if (typeof size !== "number" || bytes.byteLength === 0 || at + bytes.byteLength > size) throw new Error(`media ${r.status}`);
      total = size;
      data = new Uint8Array(size);
      data.set(first);
      data.set(bytes, at);
      at += bytes.byteLength;
    } else if (data.byteLength < total) {
      const whole = new Uint8Array(total);
      whole.set(first);
      data = whole;
    }
    const end = total;
    const part = (from: number) => {
      const p = range(url, from, Math.min(end, from + PART), abort.signal);
      // A rejected part is awaited below; until then it must not count as unhandled.
      p.catch(() => {});
      return p;
    };
    arrived = at;
    scan.scan(data, arrived);
    poke();
    let next = at < end ? part(at) : null;
    while (next && !closed) {
      const bytes = await next;
      data.set(bytes, at);
      at += bytes.byteLength;
      next = at < end ? part(at) : null;
      arrived = at;
      scan.scan(data, arrived);
      poke();
    }
  };

  let resolveDone: () => void = () => {};
  let rejectDone: (e: Error) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  /** Stops the stream on its first failure, and says why through `done`. */
  const failed = (e: unknown) => {
    const firstFailure = !closed;
    closed = true;
    poke();
    rejectDone(e instanceof Error ? e : new Error(String(e)));
    // Ends the player's wait for data; refused while an append is under way. Not for a
    // recording that is no WebM: the caller's fallback replaces the source at once.
    try {
      if (firstFailure && !(e instanceof NotStreamable) && source.readyState === "open") source.endOfStream("decode");
    } catch {
      // The player then fails on its own, or the caller's fallback replaces it.
    }
  };
  // No WebM: the caller falls back at once, whether the source has opened or not.
  started.catch(failed);
  // The rest never touches the source: it is fetched whether the source has opened or
  // not, 300 ms after the first range at most.
  fetchRest().catch(failed);
  source.addEventListener(
    "sourceopen",
    () => {
      if (closed) return;
      performance.mark("kua:source-open");
      let buffer: SourceBuffer;
      try {
        buffer = source.addSourceBuffer(WEBM_OPUS);
      } catch (e) {
        closed = true;
        rejectDone(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const settle = (change: () => void) =>
        new Promise<void>((ok, fail) => {
          const ended = () => {
            buffer.removeEventListener("error", failed);
            ok();
          };
          const failed = () => {
            buffer.removeEventListener("updateend", ended);
            fail(new Error("the player refused the media"));
          };
          buffer.addEventListener("updateend", ended, { once: true });
          buffer.addEventListener("error", failed, { once: true });
          try {
            change();
          } catch (e) {
            buffer.removeEventListener("updateend", ended);
            buffer.removeEventListener("error", failed);
            fail(e);
          }
        });
      const buffered = (): [number, number][] => {
        const b = buffer.buffered;
        const out: [number, number][] = [];
        for (let i = 0; i < b.length; i++) out.push([b.start(i), b.end(i)]);
        return out;
      };
      // Keeps the window around the playhead filled, and nothing far from it.
      const pump = async () => {
        await started;
        if (closed) return;
        // Marks for the benchmark: the first audio appended to this source, once.
        let marked = false;
        await settle(() => buffer.appendBuffer(data.subarray(0, scan.initEnd)));
        // Which clusters the player's buffer holds: marked as appended, unmarked as removed.
        const held: boolean[] = [];
        // Whether the buffer was trimmed since the pump last slept: once a wake at most,
        // so that a sliver the player might keep after a removal cannot spin the pump.
        let trimmed = false;
        while (!closed) {
          poked = false;
          let now = player?.currentTime ?? 0;
          // While the stream is ended with its end in the window, what lies behind is
          // at most minutes and stays (a removal would reopen the stream); after a jump
          // away from the end, the buffer is trimmed as always.
          const last = scan.clusters.at(-1);
          const atEnd = source.readyState === "ended" && !!last && last.ms <= (now + AHEAD + 20) * 1000;
          const far = trimmed || atEnd ? [] : excess(buffered(), now);
          trimmed = true;
          for (const [s, e] of far) {
            await settle(() => buffer.remove(s, e));
            release(scan.clusters, held, s, e);
          }
          // The player may have jumped meanwhile.
          if (far.length > 0) now = player?.currentTime ?? 0;
          const run = nextRun(scan.clusters, held, arrived, now, APPEND);
          if (run) {
            const [from, to] = run;
            const at = scan.clusters[from]?.at ?? 0;
            const end = scan.clusters[to - 1]?.end ?? at;
            await settle(() => buffer.appendBuffer(data.subarray(at, end)));
            if (!marked) performance.mark("kua:first-appended");
            marked = true;
            for (let i = from; i < to; i++) held[i] = true;
            continue;
          }
          // Every byte is in and the buffer holds the end: the player may end there.
          if (total !== null && arrived === total && source.readyState === "open" && endHeld(scan.clusters, held)) source.endOfStream();
          await sleep();
          trimmed = false;
        }
      };
      pump().then(resolveDone, failed);
    },
    { once: true },
  );
  return {
    url: objectUrl,
    done,
    follow(el: HTMLMediaElement) {
      player = el;
      el.addEventListener("timeupdate", poke);
      el.addEventListener("seeking", poke);
      poke();
    },
    close() {
      closed = true;
      abort.abort();
      poke();
      player?.removeEventListener("timeupdate", poke);
      player?.removeEventListener("seeking", poke);
      URL.revokeObjectURL(objectUrl);
    },
  };
}
