// Streams a recording to the player through Media Source Extensions, so that an hour of
// audio starts playing as soon as its first range has arrived. The shell serves an Ogg
// Opus recording also as WebM (src-tauri/src/media.rs: the same packets in the container
// WebKitGTK's Media Source Extensions take; they do not take Ogg). Everything stays in
// memory: the player's buffer holds what was appended, nothing is written anywhere.

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
 * The largest recording streamed: about 75 minutes of speech. WebKitGTK keeps at most
 * about 15 MB of an audio-only source buffer (5 % of its default 304 MB for a source);
 * past it, a five-hour recording's later appends were dropped and a jump near its end
 * never finished seeking. Larger recordings load into a Blob, as before.
 */
const MAX_STREAMED = 12 * 1024 * 1024;

export interface Stream {
  /** The player's `src` (the MediaSource's object URL). */
  url: string;
  /** Settles once every range is appended, or with the error that stopped it. */
  done: Promise<void>;
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

/**
 * Fetches the first range of the WebM form of the recording at `base` (a kua-media: URL)
 * and returns a stream that appends it to a MediaSource, then the rest once `rest`
 * settles (the caller resolves it when the player has started) or 300 ms after the
 * first append, whichever comes first. Null when the
 * shell does not serve this recording as WebM (not Ogg Opus, or unreadable): the caller
 * then loads the original.
 */
export async function openStream(base: string, rest: Promise<void>, signal?: AbortSignal): Promise<Stream | null> {
  const url = `${base}/webm`;
  // Closing stops the fetches still under way, not only the appends; so does the
  // caller's signal (its player closed while the first range was on its way).
  const abort = new AbortController();
  signal?.addEventListener("abort", () => abort.abort(), { once: true });
  const r = await fetch(url, { headers: { Range: `bytes=0-${FIRST - 1}` }, signal: abort.signal });
  if (r.status !== 206 && r.status !== 200) return null;
  const first = new Uint8Array(await r.arrayBuffer());
  // The shell answers the first request from the remux of the recording's start, whose
  // whole size it does not know yet ("bytes 0-65535/*"); the next answer says it.
  const known = r.status === 200 ? first.byteLength : totalOf(r);
  if (known === undefined || first.byteLength === 0 || (known !== null && first.byteLength > known)) return null;

  const source = new MediaSource();
  const objectUrl = URL.createObjectURL(source);
  let closed = false;
  const done = new Promise<void>((resolve, reject) => {
    source.addEventListener(
      "sourceopen",
      () => {
        const run = async () => {
          const buffer = source.addSourceBuffer(WEBM_OPUS);
          const append = (bytes: Uint8Array) =>
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
              buffer.appendBuffer(bytes as Uint8Array<ArrayBuffer>);
            });
          // Appended in pieces, so that the player is never held long by one append.
          const appendAll = async (bytes: Uint8Array) => {
            for (let i = 0; i < bytes.byteLength && !closed; i += APPEND) await append(bytes.subarray(i, i + APPEND));
          };
          await append(first);
          // The rest waits until the player has started (fetching and parsing it would
          // compete with the start for the same two cores), then is asked for part by
          // part, the next part fetched while this one is appended: never more than two
          // parts of decrypted audio wait in the page or in the shell's answers.
          await Promise.race([rest, new Promise((r) => setTimeout(r, 300))]);
          if (closed) return;
          let at = first.byteLength;
          let total = known;
          if (total === null) {
            // An open-ended range: up to 4 MiB, and the size of the whole.
            const r = await fetch(url, { headers: { Range: `bytes=${at}-` }, signal: abort.signal });
            const size = r.status === 206 ? totalOf(r) : undefined;
            const bytes = new Uint8Array(await r.arrayBuffer());
            if (typeof size !== "number" || bytes.byteLength === 0 || at + bytes.byteLength > size) throw new Error(`media ${r.status}`);
            await appendAll(bytes);
            at += bytes.byteLength;
            total = size;
          }
          if (closed) return;
          const end = total;
          const part = (from: number) => {
            const p = range(url, from, Math.min(end, from + PART), abort.signal);
            // A rejected part is awaited below; until then it must not count as unhandled.
            p.catch(() => {});
            return p;
          };
          let next = at < end ? part(at) : null;
          while (next && !closed) {
            const bytes = await next;
            at += bytes.byteLength;
            next = at < end ? part(at) : null;
            await appendAll(bytes);
          }
          if (!closed && source.readyState === "open") source.endOfStream();
        };
        run().then(resolve, (e: unknown) => {
          if (!closed && source.readyState === "open") source.endOfStream("decode");
          reject(e instanceof Error ? e : new Error(String(e)));
        });
      },
      { once: true },
    );
  });
  return {
    url: objectUrl,
    done,
    close() {
      closed = true;
      abort.abort();
      URL.revokeObjectURL(objectUrl);
    },
  };
}
