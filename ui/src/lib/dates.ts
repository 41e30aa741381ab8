// Dates as people type and read them in the interface's language (issue #18), whatever
// the system's locale: day.month.year in Russian and Kazakh ("06.01.2022", a month
// "01.2022", a year "2022"), and ISO in English ("2022-01-06"), since the English
// interface serves coalitions across countries whose day and month orders differ.
// What is stored and sent to the shell is always ISO (YYYY, YYYY-MM, YYYY-MM-DD,
// YYYY-MM-DDTHH:MM); this file only converts at the field.
//
// Read in every language: ISO. Day-first ("6.1.2022", "06/01/2022") is read in Russian
// and Kazakh only, where it is the one order; in English "1.6.2022" is the 1st of June
// to some readers and the 6th of January to others, so it is refused, not guessed.

export type DateLang = "en" | "ru" | "kk";

export function isDateLang(s: string): s is DateLang {
  return s === "en" || s === "ru" || s === "kk";
}

/** What a field takes: a full day; a year, month or day; a day and a time; a day with or without a time. */
export type Precision = "day" | "approximate" | "datetime" | "moment";

const pad = (n: number) => String(n).padStart(2, "0");

function realDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

type Parts = { y: number; m?: number; d?: number; hh?: number; mm?: number };

function iso(p: Parts): string {
  let s = String(p.y).padStart(4, "0");
  if (p.m !== undefined) s += `-${pad(p.m)}`;
  if (p.d !== undefined) s += `-${pad(p.d)}`;
  if (p.hh !== undefined && p.mm !== undefined) s += `T${pad(p.hh)}:${pad(p.mm)}`;
  return s;
}

function valid(p: Parts): boolean {
  if (p.y < 1000 || p.y > 9999) return false;
  if (p.m !== undefined && (p.m < 1 || p.m > 12)) return false;
  if (p.d !== undefined && (p.m === undefined || !realDay(p.y, p.m, p.d))) return false;
  if (p.hh !== undefined && (p.hh > 23 || p.mm === undefined || p.mm > 59)) return false;
  return true;
}

/** The parts of an ISO date, or null when `s` is not one. */
function isoParts(s: string): Parts | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2}))?)?)?$/.exec(s.trim());
  if (!m) return null;
  const n = (x: string | undefined) => (x === undefined ? undefined : Number(x));
  const p: Parts = { y: Number(m[1]), m: n(m[2]), d: n(m[3]), hh: n(m[4]), mm: n(m[5]) };
  return valid(p) ? p : null;
}

/** The parts of a day-first date ("06.01.2022 14:30", "01.2022"), or null. */
function dayFirstParts(s: string, lang: DateLang): Parts | null {
  if (lang === "en") return null;
  const sep = "[./-]";
  const re = new RegExp(`^(?:(\\d{1,2})${sep})?(\\d{1,2})${sep}(\\d{4})(?:[ T,]+(\\d{1,2})[:.](\\d{2}))?$`);
  const m = re.exec(s.trim());
  if (!m) return null;
  const p: Parts = { y: Number(m[3]), m: Number(m[2]) };
  if (m[1] !== undefined) p.d = Number(m[1]);
  if (m[4] !== undefined) {
    if (p.d === undefined) return null;
    p.hh = Number(m[4]);
    p.mm = Number(m[5]);
  }
  return valid(p) ? p : null;
}

function fits(p: Parts, precision: Precision): boolean {
  const hasTime = p.hh !== undefined;
  const hasDay = p.d !== undefined;
  switch (precision) {
    case "day":
      return hasDay && !hasTime;
    case "approximate":
      return !hasTime;
    case "datetime":
      return hasTime;
    case "moment":
      return hasDay;
  }
}

/**
 * What `text` says as ISO, when it is a date of the field's precision in a form the
 * language reads; null otherwise (the caller keeps the text, and the field is marked).
 */
export function readDate(text: string, lang: DateLang, precision: Precision): string | null {
  const p = isoParts(text) ?? dayFirstParts(text, lang);
  return p && fits(p, precision) ? iso(p) : null;
}

/** A stored ISO date in the language's order; anything else as it is. */
export function showDate(stored: string | null | undefined, lang: DateLang): string {
  if (!stored) return "";
  const p = isoParts(stored);
  if (!p) return stored;
  const time = p.hh !== undefined && p.mm !== undefined ? ` ${pad(p.hh)}:${pad(p.mm)}` : "";
  if (lang === "en") return `${iso({ y: p.y, m: p.m, d: p.d })}${time}`;
  const parts = [p.d, p.m].filter((x): x is number => x !== undefined).map(pad);
  return [...parts, String(p.y)].join(".") + time;
}
