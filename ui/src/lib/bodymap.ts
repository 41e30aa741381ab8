// Body maps (Istanbul Protocol, Annex III) apart from the DOM: reading a field's value,
// placing, moving, describing and removing marks, the region a point falls in, and a
// change between versions in words. Tested without a window (bodymap.test.ts).
import type { Atlas } from "./bindings/Atlas";
import type { BodyMap } from "./bindings/BodyMap";
import type { Mark } from "./bindings/Mark";
import type { MarkChange } from "./bindings/MarkChange";
import type { Region } from "./bindings/Region";
import type { View } from "./bindings/View";
import type { JsonValue } from "./bindings/serde_json/JsonValue";
import { label } from "./form";
import frontMale from "../../../assets/body/front-male.svg?url";
import frontFemale from "../../../assets/body/front-female.svg?url";
import backMale from "../../../assets/body/back-male.svg?url";
import backFemale from "../../../assets/body/back-female.svg?url";
import head from "../../../assets/body/head.svg?url";
import hands from "../../../assets/body/hands.svg?url";
import feet from "../../../assets/body/feet.svg?url";

/** The bundled outlines, by file name (the same files the reports draw). */
const DRAWINGS: Record<string, string> = {
  "front-male.svg": frontMale,
  "front-female.svg": frontFemale,
  "back-male.svg": backMale,
  "back-female.svg": backFemale,
  "head.svg": head,
  "hands.svg": hands,
  "feet.svg": feet,
};

/** The address of a view's drawing for a figure (the male one when none is chosen). */
export function drawing(view: View, figure: string | undefined): string | undefined {
  const name = view.figures ? `${view.id}-${figure ?? "male"}.svg` : `${view.id}.svg`;
  return DRAWINGS[name];
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * A field's value as a map; anything else reads as an empty one. A received record is
 * not validated on import, so every mark is read defensively: one without a number
 * (or with a number another mark has) or without a finite position is left out, and
 * parts of the wrong type are dropped, rather than break the page.
 */
export function readMap(v: JsonValue | undefined): BodyMap {
  const empty: BodyMap = { marks: [], regions: {} };
  if (typeof v !== "object" || v === null || Array.isArray(v)) return empty;
  const o = v as Record<string, unknown>;
  const seen = new Set<number>();
  const marks: Mark[] = [];
  for (const raw of Array.isArray(o.marks) ? o.marks : []) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) continue;
    const m = raw as Record<string, unknown>;
    const n = num(m.n);
    const x = num(m.x);
    const y = num(m.y);
    const view = str(m.view);
    const region = str(m.region);
    if (n === undefined || !Number.isInteger(n) || n < 1 || seen.has(n) || x === undefined || y === undefined || !view || !region) continue;
    seen.add(n);
    const mark: Mark = { n, view, region, x, y };
    for (const k of ["lesion", "shape", "colour", "note", "method", "consistency"] as const) {
      const s = str(m[k]);
      if (s) mark[k] = s;
    }
    for (const k of ["length_cm", "width_cm"] as const) {
      const c = num(m[k]);
      if (c !== undefined) mark[k] = c;
    }
    if (Array.isArray(m.photos)) {
      const photos = m.photos.filter((p): p is string => typeof p === "string");
      if (photos.length) mark.photos = photos;
    }
    marks.push(mark);
  }
  const regions: Record<string, string> = {};
  if (typeof o.regions === "object" && o.regions !== null && !Array.isArray(o.regions)) {
    for (const [r, status] of Object.entries(o.regions)) if (typeof status === "string") regions[r] = status;
  }
  const map: BodyMap = { marks, regions };
  const figure = str(o.figure);
  if (figure) map.figure = figure;
  const last = num(o.last);
  if (last !== undefined && Number.isInteger(last)) map.last = last;
  return map;
}

/**
 * What the core stores: `null` (the field is cleared) when nothing is marked or recorded.
 * A plain copy through JSON: parts of the map may be the page's reactive proxies, which
 * `structuredClone` refuses.
 */
export function toValue(map: BodyMap): JsonValue {
  // The counter stays even when every mark is removed, so a number is never given twice.
  if (map.marks.length === 0 && Object.keys(map.regions).length === 0 && !map.figure && map.last === undefined) return null;
  return JSON.parse(JSON.stringify(map)) as JsonValue;
}

/** Positions are kept to three decimals: a tenth of a millimetre on a printed view. */
export function round(p: number): number {
  return Math.round(Math.min(1, Math.max(0, p)) * 1000) / 1000;
}

/** The regions drawn on a view, in the atlas's order. */
export function regionsOn(atlas: Atlas, view: string): Region[] {
  return atlas.regions.filter((r) => r.anchors[view] !== undefined);
}

/**
 * The region whose anchor lies nearest a point of a view, distances measured in the
 * drawing's own units (a view twice as wide as tall must not favour vertical
 * neighbours). The person can change it: a suggestion, not a judgment.
 */
export function nearestRegion(atlas: Atlas, view: View, x: number, y: number): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const r of regionsOn(atlas, view.id)) {
    const a = r.anchors[view.id];
    if (!a) continue;
    const dx = (a[0] - x) * view.width;
    const dy = (a[1] - y) * view.height;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = r.id;
    }
  }
  return best;
}

/**
 * The next mark's number: one past the highest ever given (`last`, kept in the map), so
 * that a removed mark's number never names another finding.
 */
export function nextNumber(map: BodyMap): number {
  return map.marks.reduce((n, m) => Math.max(n, m.n), map.last ?? 0) + 1;
}

/**
 * Adds a mark at a point of a view, in the nearest region (or `region`, chosen from a
 * list, placed at its anchor when no point is given). It has no lesion type until it is
 * described (sealing needs one).
 */
export function addMark(atlas: Atlas, map: BodyMap, view: View, at: { x: number; y: number } | null, region?: string): BodyMap {
  const r = region ?? (at ? nearestRegion(atlas, view, at.x, at.y) : undefined);
  if (!r) return map;
  const anchor = atlas.regions.find((x) => x.id === r)?.anchors[view.id];
  const point = at ?? (anchor ? { x: anchor[0], y: anchor[1] } : null);
  if (!point) return map;
  const n = nextNumber(map);
  const mark: Mark = { n, view: view.id, region: r, x: round(point.x), y: round(point.y) };
  return { ...map, marks: [...map.marks, mark], last: n };
}

/**
 * How far (in the view's own units, as a share of its larger side) a mark may be nudged
 * from its region's point and keep the region chosen; beyond it, the region follows.
 */
const NUDGE_REACH = 0.08;

/**
 * Moves a mark to a point of its view. A drag puts it elsewhere and its region follows;
 * with `keepRegion` (a key's nudge) it keeps the region chosen while it stays near that
 * region's point, so the drawing and the region named never disagree.
 */
export function moveMark(atlas: Atlas, map: BodyMap, n: number, view: View, x: number, y: number, keepRegion = false): BodyMap {
  return {
    ...map,
    marks: map.marks.map((m) => {
      if (m.n !== n) return m;
      const anchor = atlas.regions.find((r) => r.id === m.region)?.anchors[view.id];
      const side = Math.max(view.width, view.height);
      const near = anchor !== undefined && Math.hypot((anchor[0] - x) * view.width, (anchor[1] - y) * view.height) <= NUDGE_REACH * side;
      const region = keepRegion && near ? m.region : (nearestRegion(atlas, view, x, y) ?? m.region);
      return { ...m, x: round(x), y: round(y), region };
    }),
  };
}

/** Changes some parts of a mark; an empty value removes an optional part. */
export function updateMark(map: BodyMap, n: number, patch: Partial<Mark>): BodyMap {
  return {
    ...map,
    marks: map.marks.map((m) => {
      if (m.n !== n) return m;
      const next: Record<string, unknown> = { ...m, ...patch };
      for (const [k, v] of Object.entries(next)) {
        if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) delete next[k];
      }
      return next as unknown as Mark;
    }),
  };
}

/** Puts a mark on another view, at its region's anchor there (or the view's centre). */
export function placeOn(atlas: Atlas, map: BodyMap, n: number, view: View, region: string): BodyMap {
  const anchor = atlas.regions.find((r) => r.id === region)?.anchors[view.id];
  const [x, y] = anchor ?? [0.5, 0.5];
  return updateMark(map, n, { view: view.id, region, x: round(x), y: round(y) });
}

export function removeMark(map: BodyMap, n: number): BodyMap {
  return { ...map, marks: map.marks.filter((m) => m.n !== n), last: nextNumber(map) - 1 };
}

/** How many marks of a stored value `readMap` left out as unreadable. */
export function unreadableMarks(v: JsonValue | undefined): number {
  const raw = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>).marks : undefined;
  return Array.isArray(raw) ? raw.length - readMap(v).marks.length : 0;
}

/** Records what was done with a region; `null` clears it (not recorded). */
export function setStatus(map: BodyMap, region: string, status: string | null): BodyMap {
  const regions = { ...map.regions };
  if (status) regions[region] = status;
  else delete regions[region];
  return { ...map, regions };
}

/** A mark's position moved by a keyboard step (1% of the view), kept inside it. */
export function nudge(m: Mark, key: string, step = 0.01): { x: number; y: number } | null {
  const d: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  const v = d[key];
  return v ? { x: round(m.x + v[0]), y: round(m.y + v[1]) } : null;
}

type Translate = (key: string, args?: Record<string, string | number>) => string;

/** A region's label, or its id when this build does not know it. */
export function regionLabel(atlas: Atlas | undefined, id: string, lang: string): string {
  const r = atlas?.regions.find((x) => x.id === id);
  return r ? label(r.label, lang) : id;
}

/** A term of the atlas's vocabularies by its label. */
export function termLabel(list: readonly { id: string; label: { en: string; ru: string; kk: string } }[], id: string | undefined, lang: string): string {
  if (!id) return "";
  const o = list.find((x) => x.id === id);
  return o ? label(o.label, lang) : id;
}

/** A change between versions in words: "mark 3 added on the left forearm". */
export function changeText(c: MarkChange, atlas: Atlas | undefined, lang: string, t: Translate): string {
  const region = regionLabel(atlas, c.region, lang);
  switch (c.kind) {
    case "added":
    case "removed":
    case "moved":
    case "described":
      return t(`body-change-${c.kind}`, { n: c.n, region });
    case "examination": {
      const status = (s: string | null | undefined) => (s ? termLabel(atlas?.statuses ?? [], s, lang) : t("body-not-recorded"));
      return t("body-change-examination", { region, from: status(c.from), to: status(c.to) });
    }
  }
}

/** A short summary for places that show a value in one line. */
export function summary(map: BodyMap, t: Translate): string {
  return t("body-summary", { marks: map.marks.length, regions: Object.keys(map.regions).length });
}
