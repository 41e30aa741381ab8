import { describe, expect, it } from "vitest";
import { AHEAD, BEHIND, ClusterScan, endHeld, excess, nextRun, release, type Cluster } from "./webm";

/** An element: its ID's bytes, its size as a one- or two-byte EBML integer, its body. */
function element(id: number[], body: number[]): number[] {
  const size = body.length < 0x7f ? [0x80 | body.length] : [0x40 | (body.length >> 8), body.length & 0xff];
  return [...id, ...size, ...body];
}

/** A WebM as the shell writes it: a header, a segment of unknown size, Info, clusters. */
function webm(clusters: { ms: number; bytes: number }[]): Uint8Array {
  const out = [
    ...element([0x1a, 0x45, 0xdf, 0xa3], [0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d]),
    ...[0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ...element([0x15, 0x49, 0xa9, 0x66], [0x2a, 0xd7, 0xb1, 0x83, 0x0f, 0x42, 0x40]),
  ];
  for (const c of clusters) {
    const stamp = element([0xe7], [(c.ms >> 16) & 0xff, (c.ms >> 8) & 0xff, c.ms & 0xff]);
    const block = element([0xa3], new Array<number>(c.bytes).fill(7));
    out.push(...element([0x1f, 0x43, 0xb6, 0x75], [...stamp, ...block]));
  }
  return new Uint8Array(out);
}

const FIVE = [0, 5000, 10000, 15000].map((ms) => ({ ms, bytes: 40 }));

describe("the clusters of a WebM stream", () => {
  it("are found with their times and bytes, the same read whole or a byte at a time", () => {
    const bytes = webm(FIVE);
    const whole = new ClusterScan();
    whole.scan(bytes, bytes.length);
    expect(whole.clusters.map((c) => c.ms)).toEqual([0, 5000, 10000, 15000]);
    expect(whole.initEnd).toBe(whole.clusters[0]?.at);
    // Each cluster ends where the next begins, and the last at the end of the stream.
    whole.clusters.forEach((c, i) => expect(c.end).toBe(whole.clusters[i + 1]?.at ?? bytes.length));
    const bit = new ClusterScan();
    for (let n = 0; n <= bytes.length; n++) bit.scan(bytes, n);
    expect(bit.clusters).toEqual(whole.clusters);
    expect(bit.initEnd).toBe(whole.initEnd);
  });

  it("are not looked for in what is not WebM", () => {
    const ogg = new TextEncoder().encode("OggS\0\x02 and the rest of an Ogg page");
    expect(() => new ClusterScan().scan(ogg, ogg.length)).toThrow(/not WebM/);
  });
});

describe("the window the player's buffer holds", () => {
  // A cluster every 5 s for 10 minutes, 10 bytes each, all arrived.
  const clusters: Cluster[] = Array.from({ length: 120 }, (_, i) => ({ ms: i * 5000, at: 100 + i * 10, end: 110 + i * 10 }));
  const all = 100 + 120 * 10;

  /** Held: clusters `from`..`to` (exclusive), as the stream marks what it appended. */
  const holding = (from: number, to: number): boolean[] => Array.from({ length: 120 }, (_, i) => i >= from && i < to);

  it("starts at the start and reaches two minutes ahead, no further than what arrived", () => {
    expect(nextRun(clusters, [], all, 0, 1 << 20)).toEqual([0, AHEAD / 5]);
    expect(nextRun(clusters, [], 100 + 3 * 10, 0, 1 << 20)).toEqual([0, 3]);
    expect(nextRun(clusters, [], 100, 0, 1 << 20)).toBeNull();
    // At most maxBytes an append, one cluster at least.
    expect(nextRun(clusters, [], all, 0, 25)).toEqual([0, 2]);
    expect(nextRun(clusters, [], all, 0, 1)).toEqual([0, 1]);
  });

  it("goes on after what is held, and waits while two minutes ahead are held", () => {
    expect(nextRun(clusters, holding(0, 12), all, 10, 1 << 20)).toEqual([12, 26]);
    expect(nextRun(clusters, holding(0, 26), all, 10, 1 << 20)).toBeNull();
    // Nothing more once the last cluster is held.
    expect(nextRun(clusters, holding(90, 120), all, 590, 1 << 20)).toBeNull();
  });

  it("after a jump out of what is held, starts at the cluster holding the point just before it", () => {
    expect(nextRun(clusters, holding(0, 24), all, 400, 1 << 20)?.[0]).toBe(79);
    // 100 ms into a cluster: the one before it too, for the decoder's pre-roll.
    expect(nextRun(clusters, holding(0, 24), all, 400.05, 1 << 20)?.[0]).toBe(79);
    expect(nextRun(clusters, holding(0, 24), all, 402, 1 << 20)?.[0]).toBe(80);
    // Past the last cluster's start: the last cluster.
    expect(nextRun(clusters, [], all, 599, 1 << 20)).toEqual([119, 120]);
  });

  it("appends again the whole of a cluster that a removal cut into, and no hole is left", () => {
    // Held from 55 s to 225 s, the playhead at 60.3 s: the buffer is trimmed from
    // 190.3 s (60.3 + 130) on, inside the cluster of 190 s, which must be appended again
    // before 195 s is, once the playhead is at 100 s.
    const held = holding(11, 45);
    release(clusters, held, 190.3, 225);
    expect(held.slice(37, 45)).toEqual([true, false, false, false, false, false, false, false]);
    expect(nextRun(clusters, held, all, 60.3, 1 << 20)).toBeNull();
    expect(nextRun(clusters, held, all, 100, 1 << 20)).toEqual([38, 44]);
    // A removal ending more than 100 ms before a cluster starts leaves that cluster held;
    // one ending closer to it, as the player's timestamps may, does not.
    const kept = holding(0, 30);
    release(clusters, kept, 0, 49.8);
    expect(kept.indexOf(true)).toBe(10);
    release(clusters, kept, 0, 49.95);
    expect(kept.indexOf(true)).toBe(11);
  });

  it("lets go of what lies far behind or far ahead of the playhead, not of what is near", () => {
    expect(excess([[0, 150]], 20)).toEqual([]);
    expect(excess([[0, 150]], 100)).toEqual([[0, 100 - BEHIND]]);
    // After a jump back: the range ahead goes beyond the window's slack.
    expect(excess([[290, 300]], 10)).toEqual([[290, 300]]);
    expect(excess([[0, 500]], 100)).toEqual([
      [0, 100 - BEHIND],
      [100 + AHEAD + 10, 500],
    ]);
  });

  it("knows when the last cluster is held, so that the stream can end", () => {
    expect(endHeld(clusters, holding(100, 120))).toBe(true);
    expect(endHeld(clusters, holding(0, 119))).toBe(false);
    expect(endHeld([], [])).toBe(false);
  });
});
