// Where the clusters of a WebM stream lie, read as its bytes arrive, and which of them a
// player's buffer should hold next. A streamed recording (lib/stream.ts) keeps only a
// window of minutes around the playhead in the player's buffer, which WebKitGTK caps at
// about 15 MB for audio; the bytes themselves are all in the page. The shell's remux
// (crates/kua-audio/src/webm.rs) writes an EBML header, a Segment of unknown size, its
// Info and Tracks, then Clusters of known size, each opening with its Timestamp.

/** One cluster: its start in milliseconds and its bytes `at`..`end` in the stream. */
export interface Cluster {
  ms: number;
  at: number;
  end: number;
}

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const CLUSTER = 0x1f43b675;
const TIMESTAMP = 0xe7;

/** The byte at `i` (callers check `i` against the bytes that have arrived). */
const byte = (bytes: Uint8Array, i: number): number => bytes[i] ?? 0;

/** A variable-length integer of EBML, or null when `bytes` end before it does. */
function vint(bytes: Uint8Array, at: number, end: number, keepMarker: boolean): { value: number; len: number; unknown: boolean } | null {
  if (at >= end) return null;
  const first = byte(bytes, at);
  let len = 1;
  while (len <= 8 && (first & (0x80 >> (len - 1))) === 0) len++;
  if (len > 8) throw new Error("not WebM: a malformed element");
  if (at + len > end) return null;
  const mask = 0xff >> len;
  let value = keepMarker ? first : first & mask;
  let ones = (first & mask) === mask;
  for (let i = 1; i < len; i++) {
    value = value * 256 + byte(bytes, at + i);
    ones &&= byte(bytes, at + i) === 0xff;
  }
  // All ones is a size left unknown (a stream's segment), not a number.
  if (!keepMarker && ones) return { value: -1, len, unknown: true };
  if (!Number.isSafeInteger(value)) throw new Error("not WebM: an element too large");
  return { value, len, unknown: false };
}

/** Reads the clusters of a WebM stream from its first bytes, more of them at each call. */
export class ClusterScan {
  /** The clusters whose header has arrived, in stream order. */
  readonly clusters: Cluster[] = [];
  /** Where the first cluster begins (the bytes before it set the player up), or -1. */
  initEnd = -1;
  private at = 0;
  private inSegment = false;

  /** Reads what `bytes[0..length)` holds past what earlier calls read. */
  scan(bytes: Uint8Array, length: number): void {
    for (;;) {
      const id = vint(bytes, this.at, length, true);
      if (!id) return;
      const size = vint(bytes, this.at + id.len, length, false);
      if (!size) return;
      const body = this.at + id.len + size.len;
      if (!this.inSegment) {
        if (id.value === SEGMENT) {
          this.inSegment = true;
          this.at = body;
          continue;
        }
        if (id.value !== EBML || size.unknown) throw new Error("not WebM: no EBML header and segment");
        this.at = body + size.value;
        continue;
      }
      if (size.unknown) throw new Error("not WebM as the shell writes it: an element of unknown size");
      if (id.value === CLUSTER) {
        const stamp = vint(bytes, body, length, true);
        if (!stamp) return;
        const width = vint(bytes, body + stamp.len, length, false);
        if (!width) return;
        if (stamp.value !== TIMESTAMP || width.value < 1 || width.value > 6) throw new Error("not WebM: a cluster without its timestamp first");
        const from = body + stamp.len + width.len;
        if (from + width.value > length) return;
        let ms = 0;
        for (let i = 0; i < width.value; i++) ms = ms * 256 + byte(bytes, from + i);
        if (this.initEnd < 0) this.initEnd = this.at;
        this.clusters.push({ ms, at: this.at, end: body + size.value });
      }
      this.at = body + size.value;
    }
  }
}

/** Seconds of audio the player's buffer holds ahead of the playhead: about 330 KB of speech. */
export const AHEAD = 120;
/** Seconds it keeps behind the playhead, for a step back. */
export const BEHIND = 30;
/** Slack before anything is removed, so that the buffer is not trimmed at every tick. */
const SLACK = 10;

/**
 * The clusters to append next, `[from, to)`, or null when the window ahead of `now` is
 * held or its bytes have not arrived. `held[i]` says whether cluster `i` is in the
 * player's buffer (the stream marks what it appends and unmarks what it removes, so no
 * float comparison of buffered ranges decides it). The run starts at the cluster holding
 * the point 100 ms before `now` (Opus decodes 80 ms ahead of where it plays), or the
 * first one after it not held, and holds clusters that are not held, have arrived
 * whole, start within `AHEAD` seconds of `now`, and come to at most `maxBytes` (one
 * cluster at least).
 */
export function nextRun(clusters: Cluster[], held: boolean[], arrived: number, now: number, maxBytes: number): [number, number] | null {
  const t = now * 1000;
  const after = clusters.findIndex((c) => c.ms > t - 100);
  let from = after < 0 ? clusters.length - 1 : Math.max(0, after - 1);
  if (from < 0) return null;
  while (from < clusters.length && held[from]) from++;
  const start = clusters[from];
  if (!start) return null;
  let to = from;
  for (let c = clusters[to]; c && !held[to] && c.end <= arrived && c.ms < t + AHEAD * 1000 && (to === from || c.end - start.at <= maxBytes); c = clusters[to]) to++;
  return to > from ? [from, to] : null;
}

/**
 * Unmarks in `held` every cluster that a removal of `s`..`e` seconds touched, and those
 * within 100 ms of it: the player's timestamps can sit a few milliseconds off the
 * clusters' (its decoder's delay), and a cluster unmarked in vain is only appended again.
 */
export function release(clusters: Cluster[], held: boolean[], s: number, e: number): void {
  clusters.forEach((c, i) => {
    const next = clusters[i + 1]?.ms ?? Infinity;
    if (c.ms < e * 1000 + 100 && next > s * 1000 - 100) held[i] = false;
  });
}

/** What lies far enough from `now` to be removed from the player's buffer. */
export function excess(buffered: [number, number][], now: number): [number, number][] {
  const low = now - BEHIND;
  const high = now + AHEAD + SLACK;
  const out: [number, number][] = [];
  for (const [s, e] of buffered) {
    if (s < low - SLACK) out.push([s, Math.min(e, low)]);
    if (e > high + SLACK) out.push([Math.max(s, high), e]);
  }
  return out;
}

/** Whether the last cluster is held, so that the stream can be ended there. */
export function endHeld(clusters: Cluster[], held: boolean[]): boolean {
  return clusters.length > 0 && held[clusters.length - 1] === true;
}
