import { describe, expect, it } from "vitest";
import { readDate, showDate } from "./dates";

describe("dates in the interface language's order", () => {
  it("shows stored dates day first in Russian and Kazakh, ISO in English", () => {
    for (const lang of ["ru", "kk"] as const) {
      expect(showDate("2022-01-06", lang)).toBe("06.01.2022");
      expect(showDate("2022-01", lang)).toBe("01.2022");
      expect(showDate("2022", lang)).toBe("2022");
      expect(showDate("2022-01-06T14:30", lang)).toBe("06.01.2022 14:30");
    }
    expect(showDate("2022-01-06", "en")).toBe("2022-01-06");
    expect(showDate("2022-01-06T14:30", "en")).toBe("2022-01-06 14:30");
    // Not a date (a draft's half-typed value): shown as it is, never lost.
    expect(showDate("06.0", "ru")).toBe("06.0");
    expect(showDate("", "kk")).toBe("");
    expect(showDate(null, "kk")).toBe("");
  });

  it("reads what people type in their order, and ISO in every language", () => {
    expect(readDate("06.01.2022", "ru", "day")).toBe("2022-01-06");
    expect(readDate("6.1.2022", "kk", "day")).toBe("2022-01-06");
    expect(readDate("06/01/2022", "kk", "day")).toBe("2022-01-06");
    expect(readDate("06-01-2022", "ru", "day")).toBe("2022-01-06");
    expect(readDate(" 2022-01-06 ", "ru", "day")).toBe("2022-01-06");
    expect(readDate("2022-01-06", "en", "day")).toBe("2022-01-06");
    // English reads ISO only: 06/01/2022 or 06.01.2022 is the 1st of June to some
    // readers of English and the 6th of January to others.
    expect(readDate("06.01.2022", "en", "day")).toBeNull();
    expect(readDate("06/01/2022", "en", "day")).toBeNull();
  });

  it("takes a year or a month where the day is not remembered, and only there", () => {
    expect(readDate("01.2022", "ru", "approximate")).toBe("2022-01");
    expect(readDate("2022", "kk", "approximate")).toBe("2022");
    expect(readDate("2022-01", "en", "approximate")).toBe("2022-01");
    expect(readDate("06.01.2022", "kk", "approximate")).toBe("2022-01-06");
    expect(readDate("01.2022", "ru", "day")).toBeNull();
    expect(readDate("2022", "ru", "day")).toBeNull();
  });

  it("reads a day and a time", () => {
    expect(readDate("06.01.2022 14:30", "ru", "datetime")).toBe("2022-01-06T14:30");
    expect(readDate("6.1.2022 9:05", "kk", "datetime")).toBe("2022-01-06T09:05");
    expect(readDate("2022-01-06T14:30", "kk", "datetime")).toBe("2022-01-06T14:30");
    expect(readDate("2022-01-06 14:30", "en", "datetime")).toBe("2022-01-06T14:30");
    expect(readDate("06.01.2022", "ru", "datetime")).toBeNull();
    expect(readDate("06.01.2022", "ru", "moment")).toBe("2022-01-06");
    expect(readDate("06.01.2022 14:30", "ru", "moment")).toBe("2022-01-06T14:30");
    expect(readDate("06.01.2022 14:30", "ru", "day")).toBeNull();
  });

  it("refuses days, months and times that do not exist", () => {
    expect(readDate("31.02.2022", "ru", "day")).toBeNull();
    expect(readDate("29.02.2023", "ru", "day")).toBeNull();
    expect(readDate("29.02.2024", "ru", "day")).toBe("2024-02-29");
    expect(readDate("13.2022", "kk", "approximate")).toBeNull();
    expect(readDate("2022-13", "en", "approximate")).toBeNull();
    expect(readDate("06.01.2022 24:00", "ru", "datetime")).toBeNull();
    expect(readDate("06.01.2022 12:60", "ru", "datetime")).toBeNull();
    expect(readDate("06.01.22", "ru", "day")).toBeNull();
    expect(readDate("", "ru", "approximate")).toBeNull();
    expect(readDate("вчера", "ru", "approximate")).toBeNull();
  });

  it("reads back every date it shows, in every language", () => {
    for (const lang of ["en", "ru", "kk"] as const) {
      for (const [stored, precision] of [["2022-01-06", "day"], ["2022-01", "approximate"], ["2022", "approximate"], ["2022-01-06T14:30", "datetime"], ["1999-12-31T23:59", "moment"]] as const) {
        expect(readDate(showDate(stored, lang), lang, precision)).toBe(stored);
      }
    }
  });
});
