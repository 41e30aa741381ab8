import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Atlas } from "./bindings/Atlas";
import type { BodyMap } from "./bindings/BodyMap";
import { addMark, changeText, drawing, moveMark, nearestRegion, nextNumber, nudge, placeOn, readMap, regionsOn, removeMark, setStatus, toValue, unreadableMarks, updateMark } from "./bodymap";
import { sameList } from "./chart";

const assets = join(__dirname, "../../../assets/body");
const drawings = JSON.parse(readFileSync(join(assets, "atlas.json"), "utf8"));
const vocab = JSON.parse(readFileSync(join(assets, "vocab.json"), "utf8"));
const atlas: Atlas = { ...drawings, ...vocab };
const view = (id: string) => {
  const v = atlas.views.find((x) => x.id === id);
  if (!v) throw new Error(id);
  return v;
};
const empty: BodyMap = { marks: [], regions: {} };

describe("body maps", () => {
  it("find the region whose anchor is nearest, on that view only", () => {
    for (const r of atlas.regions) {
      for (const [v, [x, y]] of Object.entries(r.anchors)) {
        expect(nearestRegion(atlas, view(v), x, y), `${r.id} on ${v}`).toBe(r.id);
      }
    }
    // The person's left forearm is on the viewer's right from the front, left from behind.
    const front = nearestRegion(atlas, view("front"), 0.8, 0.47);
    const back = nearestRegion(atlas, view("back"), 0.2, 0.47);
    expect(front).toBe("forearm_left");
    expect(back).toBe("forearm_left");
    expect(regionsOn(atlas, "front").some((r) => r.id === "sole_left")).toBe(false);
  });

  it("number marks for good, place them by point or by region, and move them", () => {
    let m = addMark(atlas, empty, view("front"), { x: 0.8, y: 0.47 });
    m = addMark(atlas, m, view("feet"), null, "sole_right");
    // Placed, not yet described: no lesion type until the examiner gives one.
    expect(m.marks.map((x) => [x.n, x.view, x.region, x.lesion])).toEqual([
      [1, "front", "forearm_left", undefined],
      [2, "feet", "sole_right", undefined],
    ]);
    const anchor = atlas.regions.find((r) => r.id === "sole_right")?.anchors.feet;
    expect([m.marks[1]?.x, m.marks[1]?.y]).toEqual(anchor);
    // A removed number is not given again, even the highest: the history and the report
    // name marks by number.
    m = removeMark(m, 2);
    expect(nextNumber(m)).toBe(3);
    m = addMark(atlas, m, view("front"), { x: 0.2, y: 0.47 });
    expect(m.marks.map((x) => x.n)).toEqual([1, 3]);
    expect(readMap(toValue(m)).last).toBe(3);
    const r = atlas.regions.find((x) => x.id === "chest_left")?.anchors.front ?? [0, 0];
    // Dragged, the region follows; nudged by a key, it keeps the region chosen.
    m = moveMark(atlas, m, 3, view("front"), r[0], r[1]);
    expect(m.marks[1]?.region).toBe("chest_left");
    m = moveMark(atlas, m, 3, view("front"), r[0] + 0.01, r[1] + 0.01, true);
    expect(m.marks[1]?.region).toBe("chest_left");
    // Nudged far from the region's point, the region follows: the drawing and the name
    // never disagree.
    m = moveMark(atlas, m, 3, view("front"), 0.2, 0.47, true);
    expect(m.marks[1]?.region).toBe("forearm_right");
    m = placeOn(atlas, m, 3, view("back"), "upper_back_left");
    expect(m.marks[1]?.view).toBe("back");
    expect(nudge({ ...m.marks[1]!, x: 0.995 }, "ArrowRight")).toEqual({ x: 1, y: m.marks[1]?.y });
    expect(nudge(m.marks[1]!, "a")).toBeNull();
    // The outer hip is the hip, not the groin.
    expect(nearestRegion(atlas, view("front"), 0.36, 0.52)).toBe("hip_right");
    expect(nearestRegion(atlas, view("front"), 0.64, 0.5)).toBe("hip_left");
    // Every mark removed, the counter stays, and the next mark gets a new number.
    let all = removeMark(removeMark(m, 1), 3);
    expect(toValue(all)).toEqual({ marks: [], regions: {}, last: 3 });
    all = addMark(atlas, readMap(toValue(all)), view("front"), { x: 0.8, y: 0.47 });
    expect(all.marks[0]?.n).toBe(4);
  });

  it("read a received map defensively", () => {
    const raw = {
      figure: 7,
      marks: [
        { n: 1, view: "front", region: "chest_left", x: 0.6, y: 0.3, lesion: "bruise", photos: "not a list", length_cm: "4" },
        { n: 1, view: "front", region: "chest_left", x: 0.5, y: 0.3 },
        { view: "front", region: "chest_left", x: 0.5, y: 0.3 },
        { n: 2, view: "front", region: "chest_left", x: "0.5", y: 0.3 },
        null,
        "mark",
      ],
      regions: { groin: "declined", chest_left: 3 },
    };
    const map = readMap(raw as never);
    expect(unreadableMarks(raw as never)).toBe(5);
    expect(map).toEqual({ marks: [{ n: 1, view: "front", region: "chest_left", x: 0.6, y: 0.3, lesion: "bruise" }], regions: { groin: "declined" } });
  });

  it("store only what was recorded", () => {
    expect(toValue(empty)).toBeNull();
    // A figure chosen before any mark is kept.
    expect(toValue({ ...empty, figure: "female" })).toEqual({ figure: "female", marks: [], regions: {} });
    let m = addMark(atlas, { ...empty, figure: "female" }, view("front"), { x: 0.8, y: 0.47 });
    m = updateMark(m, 1, { lesion: "bruise", length_cm: 4.5, shape: "linear", photos: ["a"] });
    m = updateMark(m, 1, { shape: undefined, photos: [] });
    m = setStatus(setStatus(m, "groin", "declined"), "chest_left", "examined");
    m = setStatus(m, "chest_left", null);
    expect(toValue(m)).toEqual({
      figure: "female",
      marks: [{ n: 1, view: "front", region: "forearm_left", x: 0.8, y: 0.47, lesion: "bruise", length_cm: 4.5 }],
      regions: { groin: "declined" },
      last: 1,
    });
    expect(readMap(toValue(m))).toEqual(m);
    // The page hands over reactive proxies (Svelte state), which structuredClone refuses.
    const proxied = { ...m, regions: new Proxy(m.regions, {}) };
    expect(toValue(proxied)).toEqual(toValue(m));
    expect(readMap("not a map")).toEqual(empty);
    expect(drawing(view("front"), "female")).toMatch(/front-female/);
    expect(drawing(view("hands"), "female")).toMatch(/hands/);
  });

  it("never pair one injury's region with another's type", () => {
    expect(sameList("injury_region", "lesion_type")).toBe(true);
    expect(sameList("lesion_type", "injury_region")).toBe(true);
    expect(sameList("place_type", "place_region")).toBe(true);
    expect(sameList("injury_region", "method")).toBe(false);
  });

  it("say a change between versions in words", () => {
    const t = (key: string, args?: Record<string, string | number>) => `${key} ${JSON.stringify(args)}`;
    expect(changeText({ kind: "added", n: 3, region: "forearm_left" }, atlas, "kk", t)).toBe('body-change-added {"n":3,"region":"сол білек"}');
    expect(changeText({ kind: "examination", region: "groin", from: null, to: "declined" }, atlas, "en", t)).toContain('"to":"examination declined"');
  });
});
