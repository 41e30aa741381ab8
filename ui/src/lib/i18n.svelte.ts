// Every string of the UI goes through Fluent. The language switches live: `t` reads the
// reactive `locale.lang`, so every place that calls it re-renders.
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import en from "../locales/en.ftl?raw";
import ru from "../locales/ru.ftl?raw";
import kk from "../locales/kk.ftl?raw";

export const LANGUAGES = ["en", "ru", "kk"] as const;
export type Lang = (typeof LANGUAGES)[number];
export const SOURCES: Record<Lang, string> = { en, ru, kk };

function bundle(lang: Lang): FluentBundle {
  const b = new FluentBundle(lang === "kk" ? "kk-KZ" : lang === "ru" ? "ru-RU" : "en-GB", {
    // No Unicode isolation marks around placeables: they would end up in copied text.
    useIsolating: false,
  });
  const errors = b.addResource(new FluentResource(SOURCES[lang]));
  if (errors.length > 0) throw new Error(`${lang}.ftl: ${errors.map(String).join("; ")}`);
  return b;
}

const bundles: Record<Lang, FluentBundle> = { en: bundle("en"), ru: bundle("ru"), kk: bundle("kk") };

export const locale = $state<{ lang: Lang }>({ lang: "en" });

export function isLang(s: string): s is Lang {
  return (LANGUAGES as readonly string[]).includes(s);
}

export function setLang(lang: Lang): void {
  locale.lang = lang;
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}

/** The translated message `id`; the key itself when missing (a test forbids that). */
export function t(id: string, args?: Record<string, FluentVariable>): string {
  const b = bundles[locale.lang];
  const msg = b.getMessage(id) ?? bundles.en.getMessage(id);
  if (!msg?.value) return id;
  return (b.getMessage(id) ? b : bundles.en).formatPattern(msg.value, args);
}

function intlLocale(): string {
  return locale.lang === "kk" ? "kk-KZ" : locale.lang === "ru" ? "ru-RU" : "en-GB";
}

/**
 * A stored date or date-time (ISO, UTC) in the reader's language, local time: in
 * Russian and Kazakh day.month.year ("06.01.2022, 14:30"), written out here rather than
 * by Intl, whose Kazakh puts the year first and whose output follows the ICU data of
 * the machine; in English with the month's name ("6 Jan 2022, 14:30"), which no reader
 * takes for another day.
 */
export function formatDate(iso: string | null | undefined, withTime = true): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (locale.lang !== "en") {
    const pad = (n: number) => String(n).padStart(2, "0");
    const day = `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()}`;
    return withTime ? `${day}, ${pad(d.getHours())}:${pad(d.getMinutes())}` : day;
  }
  return new Intl.DateTimeFormat(intlLocale(), {
    dateStyle: "medium",
    ...(withTime ? { timeStyle: "short" } : {}),
  }).format(d);
}

/** A calendar day (YYYY-MM-DD, which has no time zone) in the reader's language. */
export function formatDay(day: string | null | undefined): string {
  if (!day) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!m) return day;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(d.getTime())) return day;
  if (locale.lang !== "en") return `${m[3]}.${m[2]}.${m[1]}`;
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: "medium" }).format(d);
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(intlLocale()).format(n);
}

/** A fraction (0.6) as a percentage in the reader's language ("60%", "60 %"). */
export function formatPercent(fraction: number): string {
  return new Intl.NumberFormat(intlLocale(), { style: "percent", maximumFractionDigits: 1 }).format(fraction);
}

/** A number with its sign and one decimal ("+9.7", "−5.0", "0.0"), in the reader's language. */
export function formatSigned(n: number): string {
  return new Intl.NumberFormat(intlLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(n);
}

export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: u === 0 ? 0 : 1 }).format(v)} ${units[u]}`;
}

/** The translated text for an error code from the shell. */
export function errorText(e: unknown): string {
  if (typeof e === "object" && e !== null && "code" in e) {
    const code = String((e as { code: unknown }).code);
    const key = `error-${code.replace(/_/g, "-")}`;
    const text = t(key);
    return text === key ? t("error-unknown", { code }) : text;
  }
  return t("error-unknown", { code: "?" });
}
