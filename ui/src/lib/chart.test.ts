import { describe, expect, it } from "vitest";
import type { Table } from "./bindings/Table";
import type { ReceivedSummary } from "./bindings/ReceivedSummary";
import {
  codeKey, crossCell, filtersOf, intake, isMulti, keyCode, largest, niceMax, queryOf, scale, share, shortId, shown, ticks,
  truncate, validBound,
} from "./chart";

describe("chart scales", () => {
  it("round the top of an axis up to a nice number", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(-3)).toBe(1);
    expect(niceMax(3)).toBe(3);
    expect(niceMax(5)).toBe(5);
    expect(niceMax(7)).toBe(8);
    expect(niceMax(23)).toBe(25);
    expect(niceMax(101)).toBe(150);
    expect(niceMax(1000)).toBe(1000);
    for (const n of [1, 6, 9, 13, 48, 99, 777, 12345]) expect(niceMax(n)).toBeGreaterThanOrEqual(n);
  });

  it("put whole-number ticks from zero to the top", () => {
    expect(ticks(3)).toEqual([0, 1, 2, 3]);
    expect(ticks(8)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks(25)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(ticks(7)).toEqual([0, 2, 4, 6, 7]);
    expect(ticks(0)).toEqual([0]);
  });

  it("scale a count to a bar length, never past the axis", () => {
    expect(scale(5, 10, 200)).toBe(100);
    expect(scale(0, 10, 200)).toBe(0);
    expect(scale(20, 10, 200)).toBe(200);
    expect(scale(3, 0, 200)).toBe(0);
  });
});

describe("shares of records", () => {
  it("are of the records in the selection, and unknown when a figure is withheld", () => {
    expect(share(3, 5)).toBeCloseTo(0.6);
    expect(share(null, 5)).toBeNull();
    expect(share(3, null)).toBeNull();
    expect(share(0, 0)).toBeNull();
  });

  it("may sum past one for a dimension with several values per record", () => {
    // Five records; four name beating, two electric shock, two burns, two sleep deprivation.
    const counts = [4, 2, 2, 2];
    const sum = counts.reduce((s, c) => s + (share(c, 5) ?? 0), 0);
    expect(sum).toBeCloseTo(2);
    expect(isMulti("method")).toBe(true);
    expect(isMulti("agency")).toBe(true);
    expect(isMulti("region")).toBe(false);
  });
});

describe("categories shown", () => {
  const axis = [
    { code: "KZ-10", label: "Abai", count: 1 },
    { code: "KZ-11", label: "Akmola", count: 0 },
    { code: "KZ-15", label: "Aktobe", count: null },
    { code: null, label: "Not recorded", count: 0 },
  ];

  it("leave out empty categories but keep withheld ones and not recorded", () => {
    expect(shown(axis, false).map((s) => s.index)).toEqual([0, 2, 3]);
    expect(shown(axis, true).map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(largest(axis)).toBe(1);
  });

  it("key not recorded as the empty string and back", () => {
    expect(codeKey(null)).toBe("");
    expect(keyCode("")).toBeNull();
    expect(keyCode(codeKey("KZ-75"))).toBe("KZ-75");
  });

  it("cut long labels with an ellipsis", () => {
    expect(truncate("Алматы қаласы", 20)).toBe("Алматы қаласы");
    expect(truncate("«Құрғақ» тұншықтыру (пакет, противогаз)", 12)).toBe("«Құрғақ» тұ…");
    expect([...truncate("«Құрғақ» тұншықтыру (пакет, противогаз)", 12)].length).toBeLessThanOrEqual(12);
  });
});

describe("cross-tab cells", () => {
  it("run by rows, the first dimension slowest", () => {
    const table: Table = {
      by: ["region", "sex"],
      total: 5,
      axes: [
        [{ code: "KZ-75", label: "", count: 3 }, { code: null, label: "", count: 2 }],
        [{ code: "female", label: "", count: 1 }, { code: "male", label: "", count: 2 }, { code: null, label: "", count: 2 }],
      ],
      cells: [
        { codes: ["KZ-75", "female"], count: 1 }, { codes: ["KZ-75", "male"], count: 1 }, { codes: ["KZ-75", null], count: 1 },
        { codes: [null, "female"], count: 0 }, { codes: [null, "male"], count: 1 }, { codes: [null, null], count: 1 },
      ],
      excluded: { no_date: 0, imprecise: 0, consent: 0 },
      notes: { withdrawn: 0, unreadable: 0, inconsistent: 0, drafts: 0, unreadable_decisions: 0, ambiguous_records: 0 },
      public: false,
      unit: "testimonies",
    };
    expect(crossCell(table, 0, 1)).toBe(1);
    expect(crossCell(table, 1, 0)).toBe(0);
    expect(crossCell(table, 1, 2)).toBe(1);
    expect(crossCell(table, 2, 0)).toBeUndefined();
  });
});

describe("queries", () => {
  it("accept the date forms the shell takes, with real months and days", () => {
    for (const ok of ["2022", "2022-01", "2022-01-31", "2024-02-29", " 2022-12 "]) expect(validBound(ok), ok).toBe(true);
    for (const bad of ["", "22", "2022-1", "2022-13", "2022-00", "2023-02-29", "2022-04-31", "2022/01", "январь"]) expect(validBound(bad), bad).toBe(false);
  });

  it("apply every chosen filter, not recorded included, and the date range", () => {
    const sel = { filters: { sex: ["male"], region: [], method: ["beating", null] }, from: " 2022-01 ", to: "", public: false };
    expect(filtersOf(sel)).toEqual([
      { dimension: "method", codes: ["beating", null] },
      { dimension: "sex", codes: ["male"] },
    ]);
    const q = queryOf(sel, ["region"]);
    expect(q).toEqual({ by: ["region"], filters: filtersOf(sel), from: "2022-01", public: false });
    expect("to" in q).toBe(false);
    // A published table is of the whole vault: no filter or date goes with it.
    expect(queryOf({ ...sel, public: true }, ["region"])).toEqual({ by: ["region"], filters: [], public: true });
    // What to count goes with every query, published ones too.
    expect(queryOf({ ...sel, count: "persons" }, ["region"])).toEqual({ by: ["region"], filters: filtersOf(sel), from: "2022-01", public: false, count: "persons" });
    expect(queryOf({ ...sel, public: true, count: "persons" }, ["sex"])).toEqual({ by: ["sex"], filters: [], public: true, count: "persons" });
    expect(queryOf({ ...sel, count: "testimonies" }, ["sex"]).count).toBe("testimonies");
    expect(shortId("0b6f1e2a-1111-4222-8333-444455556666")).toBe("0b6f1e2a");
  });
});

describe("intake per sender", () => {
  const r = (sender: string, key: string, at: string, pending = false): ReceivedSummary => ({
    id: "x", version: 1, sender, sender_key_id: key, bundle_id: "b", imported_at: at, pending, redacted: false, template: "t", language: "kk", excerpt: "",
  });

  it("counts records, the last import and held records, and lists trusted senders with nothing yet", () => {
    const out = intake(
      [r("field-7", "AB12", "2022-02-01T10:00:00Z"), r("field-7", "AB12", "2022-03-01T10:00:00Z", true), r("field-2", "CD34", "2022-01-05T09:00:00Z")],
      [{ name: "field-7", key_id: "ab12", public_key: "", fingerprint: "" }, { name: "lawyer", key_id: "EE99", public_key: "", fingerprint: "" }],
    );
    expect(out).toEqual([
      { name: "field-2", keyId: "CD34", records: 1, lastImport: "2022-01-05T09:00:00Z", pending: 0 },
      { name: "field-7", keyId: "ab12", records: 2, lastImport: "2022-03-01T10:00:00Z", pending: 1 },
      { name: "lawyer", keyId: "EE99", records: 0, lastImport: "", pending: 0 },
    ]);
  });
});
