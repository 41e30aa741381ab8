// The dashboard's arithmetic, apart from the DOM: scales and ticks, shares of records,
// which categories a chart shows, cross-tab cells, the queries of one screen, and the
// state of intake per sender. Charts are drawn by Svelte as SVG from these numbers.
import type { Category } from "./bindings/Category";
import type { Suppressed } from "./bindings/Suppressed";
import { t } from "./i18n.svelte";
import type { Dimension } from "./bindings/Dimension";
import type { Filter } from "./bindings/Filter";
import type { Query } from "./bindings/Query";
import type { ReceivedSummary } from "./bindings/ReceivedSummary";
import type { Table } from "./bindings/Table";
import type { TrustedSender } from "./bindings/TrustedSender";
import type { Unit } from "./bindings/Unit";

/** Every dimension, in the order the cross-tab offers them. */
export const DIMENSIONS: readonly Dimension[] = [
  "region", "place_region", "place_type", "agency", "detaining_authority", "method",
  "month", "year", "sex", "age_band", "language", "source", "role", "injury_region", "lesion_type",
];

/** The dimensions a record may hold several values of: they count records, not answers. */
export const MULTI: readonly Dimension[] = ["method", "agency", "place_type", "place_region", "injury_region", "lesion_type"];

/**
 * Pairs of dimensions the shell refuses to count together (kua-analysis `select.rs`):
 * each is counted per testimony, so together they would pair one place's region with
 * another's type, or one injury's region with another's lesion.
 */
export const SAME_LIST: readonly (readonly [Dimension, Dimension])[] = [
  ["place_region", "place_type"],
  ["injury_region", "lesion_type"],
];

export function sameList(a: Dimension | "", b: Dimension | ""): boolean {
  return SAME_LIST.some(([x, y]) => (a === x && b === y) || (a === y && b === x));
}

export function isMulti(d: Dimension): boolean {
  return MULTI.includes(d);
}

/** The charts of the dashboard, in order, and the dimensions its filters offer. */
export const CHARTS: readonly Dimension[] = ["region", "agency", "method", "month", "sex", "age_band", "lesion_type", "injury_region"];
export const FILTERS: readonly Dimension[] = ["region", "agency", "method", "sex", "age_band", "role", "source"];

/** Colours as attributes, so that a saved chart looks the same outside the app. */
export const COLOURS = {
  bar: "#1f4a5c",
  notRecorded: "#8a949b",
  notRecordedStroke: "#4f5a62",
  ink: "#1d2328",
  muted: "#4f5a62",
  grid: "#d9dee1",
  background: "#ffffff",
} as const;

export const FONT = "Noto Sans, DejaVu Sans, sans-serif";

/**
 * The top of a count axis: the smallest "nice" number (1, 2 or 5 times a power of ten,
 * at least `max`) that `steps` equal whole steps reach. At least 1, so that an empty
 * chart still has an axis.
 */
export function niceMax(max: number, steps = 5): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  if (max <= steps) return Math.ceil(max);
  const raw = max / steps;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    const step = m * power;
    if (step >= raw && Number.isInteger(step)) return step * Math.ceil(max / step);
  }
  return Math.ceil(max);
}

/** Whole-number ticks from 0 to `top` (at most about `steps` + 1 of them). */
export function ticks(top: number, steps = 5): number[] {
  if (top <= 0) return [0];
  const step = Math.max(1, Math.ceil(top / steps));
  const out: number[] = [];
  for (let v = 0; v <= top; v += step) out.push(v);
  if (out[out.length - 1] !== top) out.push(top);
  return out;
}

/** Length of a bar for `count` on a scale whose top is `top` and full length `length`. */
export function scale(count: number, top: number, length: number): number {
  if (top <= 0 || count <= 0) return 0;
  return Math.min(length, (count / top) * length);
}

/**
 * The share of the selection's records in a category, as a fraction; null when either
 * figure is withheld or there are no records. For multi-valued dimensions the shares
 * may sum past 1: a record counts under each of its categories.
 */
export function share(count: number | null, total: number | null): number | null {
  if (count === null || total === null || total <= 0) return null;
  return count / total;
}

/** The largest count shown (withheld ones are not drawn). */
export function largest(categories: readonly { count: number | null }[]): number {
  return categories.reduce((m, c) => Math.max(m, c.count ?? 0), 0);
}

/** A label cut to `max` characters with an ellipsis; the full text goes in a tooltip. */
export function truncate(label: string, max: number): string {
  const chars = [...label];
  return chars.length <= max ? label : `${chars.slice(0, Math.max(1, max - 1)).join("").trimEnd()}…`;
}

/**
 * The categories a chart shows, each with its place on the axis. Categories no record
 * has are left out unless `empty` is set; "not recorded" always stays (it tells how
 * complete the data is), and so does a withheld count (it may be a small one).
 */
export function shown(axis: readonly Category[], empty: boolean): { category: Category; index: number }[] {
  return axis
    .map((category, index) => ({ category, index }))
    .filter(({ category }) => empty || category.code === null || category.count !== 0);
}

/** A category's key where a string is needed (a `value`, a map key): "" is "not recorded". */
export function codeKey(code: string | null): string {
  return code ?? "";
}

export function keyCode(key: string): string | null {
  return key === "" ? null : key;
}

/** The cell of a cross-tab at row `i`, column `j`: cells run by rows (first dimension slowest). */
export function crossCell(table: Table, i: number, j: number): number | null | undefined {
  const width = table.axes[1]?.length ?? 1;
  return table.cells[i * width + j]?.count;
}

/** A date bound as the shell takes it: YYYY, YYYY-MM or YYYY-MM-DD, with a real month and day. */
export function validBound(s: string): boolean {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s.trim());
  if (!m) return false;
  const month = m[2] === undefined ? 1 : Number(m[2]);
  if (month < 1 || month > 12) return false;
  if (m[3] === undefined) return true;
  const day = Number(m[3]);
  const days = new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate();
  return day >= 1 && day <= days;
}

export interface Selection {
  /** Per dimension, the codes chosen (null: not recorded); none chosen: no filter. */
  filters: Partial<Record<Dimension, (string | null)[]>>;
  from: string;
  to: string;
  public: boolean;
  /** What the counts count: testimonies (the shell's default) or persons. */
  count?: Unit;
}

/** The filters of a selection, in a stable order, leaving out dimensions with nothing chosen. */
export function filtersOf(sel: Selection): Filter[] {
  return DIMENSIONS.flatMap((dimension) => {
    const codes = sel.filters[dimension] ?? [];
    return codes.length ? [{ dimension, codes: [...codes] }] : [];
  });
}

/** The query counting a selection by `by`. */
export function queryOf(sel: Selection, by: Dimension[]): Query {
  // A published table is of the whole vault (the shell refuses anything narrower, which
  // could be set beside another table to work a withheld count out).
  const count = sel.count ? { count: sel.count } : {};
  if (sel.public) return { by, filters: [], public: true, ...count };
  const q: Query = { by, filters: filtersOf(sel), public: false, ...count };
  if (sel.from.trim()) q.from = sel.from.trim();
  if (sel.to.trim()) q.to = sel.to.trim();
  return q;
}

/** The first eight characters of an id, as lists show it. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

export interface SenderIntake {
  name: string;
  keyId: string;
  /** Record versions received from this sender. */
  records: number;
  /** When the last of them was imported (ISO), or "" when none was. */
  lastImport: string;
  /** Versions held until an earlier bundle from this sender arrives. */
  pending: number;
}

/**
 * What has come in from each sender: every trusted sender (even one nothing came from
 * yet) and every sender of a received record, by key id; named as trusted, or as named
 * when imported.
 */
export function intake(received: readonly ReceivedSummary[], trusted: readonly TrustedSender[]): SenderIntake[] {
  const by = new Map<string, SenderIntake>();
  const get = (keyId: string, name: string) => {
    const k = keyId.toLowerCase();
    let s = by.get(k);
    if (!s) {
      s = { name, keyId, records: 0, lastImport: "", pending: 0 };
      by.set(k, s);
    }
    return s;
  };
  for (const t of trusted) get(t.key_id, t.name).name = t.name;
  for (const r of received) {
    const s = get(r.sender_key_id, r.sender);
    s.records++;
    if (r.pending) s.pending++;
    if (r.imported_at > s.lastImport) s.lastImport = r.imported_at;
  }
  return [...by.values()].sort((a, b) => a.name.localeCompare(b.name) || a.keyId.localeCompare(b.keyId));
}

/** A withheld count as shown: "<5" when it is small, "x" when it is withheld only so
 * that a small one cannot be worked out (it may be of any size). */
export function withheldText(why: Suppressed | undefined): string {
  return why === "complement" ? t("dash-withheld-complement") : t("dash-withheld");
}
