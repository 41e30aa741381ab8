// Every string the UI shows exists in English, Russian and Kazakh; every error code the
// Rust side can send has a translation; every event and problem code too.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FluentResource } from "@fluent/bundle";
import { SOURCES, LANGUAGES, t, setLang, formatDate, formatDay } from "./i18n.svelte";

const root = join(__dirname, "..", "..", "..");

function keys(src: string): Set<string> {
  return new Set(new FluentResource(src).body.map((m) => m.id));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "bindings" ? [] : sourceFiles(p);
    return /\.(svelte|ts)$/.test(name) && !name.endsWith(".test.ts") ? [p] : [];
  });
}

/** Keys used literally (`t("key")`) and the prefixes of keys built at run time. */
function usedKeys(): { literal: Set<string>; prefixes: Set<string> } {
  const literal = new Set<string>();
  const prefixes = new Set<string>();
  for (const file of sourceFiles(join(root, "ui", "src"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\bt\(\s*"([a-z0-9-]+)"/g)) literal.add(m[1] ?? "");
    for (const m of text.matchAll(/\bt\(`([a-z0-9-]+)\$\{/g)) prefixes.add(m[1] ?? "");
    for (const m of text.matchAll(/key: "([a-z0-9-]+)"/g)) literal.add(m[1] ?? "");
  }
  return { literal, prefixes };
}

/** The error codes the core, the bundle crate and the shell can return. */
function rustErrorCodes(): string[] {
  const files = [
    "crates/kua-core/src/error.rs",
    "crates/kua-bundle/src/error.rs",
    "crates/kua-core/src/import/continuity.rs",
    "crates/kua-core/src/import/checks.rs",
    "crates/kua-core/src/import/mod.rs",
    "src-tauri/src/error.rs",
    "src-tauri/src/session.rs",
    "src-tauri/src/session/linkage.rs",
    "src-tauri/src/commands/mod.rs",
    "src-tauri/src/commands/recording.rs",
    "src-tauri/src/commands/vault.rs",
    "src-tauri/src/commands/exchange.rs",
    "src-tauri/src/settings.rs",
    "src-tauri/src/grants.rs",
    "src-tauri/src/recorder.rs",
    "crates/kua-audio/src/error.rs",
    "crates/kua-analysis/src/error.rs",
    "crates/kua-case/src/error.rs",
    "crates/kua-report/src/error.rs",
  ];
  const codes = new Set<string>();
  for (const f of files) {
    const text = readFileSync(join(root, f), "utf8");
    // In the error enums, every arm of `code()` names a code.
    if (f.endsWith("error.rs")) for (const m of text.matchAll(/=> "([a-z_]+)"/g)) codes.add(m[1] ?? "");
    for (const m of text.matchAll(/code: "([a-z_]+)"/g)) codes.add(m[1] ?? "");
    for (const m of text.matchAll(/IpcError::new\(\s*"([a-z_]+)"/g)) codes.add(m[1] ?? "");
  }
  return [...codes].filter((c) => c !== "snake_case");
}

describe("translations", () => {
  const en = keys(SOURCES.en);

  it("have the same keys in every language", () => {
    for (const lang of LANGUAGES) {
      const k = keys(SOURCES[lang]);
      expect([...en].filter((x) => !k.has(x)), `missing in ${lang}`).toEqual([]);
      expect([...k].filter((x) => !en.has(x)), `extra in ${lang}`).toEqual([]);
    }
  });

  it("cover every key the UI uses", () => {
    const { literal, prefixes } = usedKeys();
    expect(literal.size).toBeGreaterThan(150);
    expect([...literal].filter((k) => !en.has(k))).toEqual([]);
    for (const p of prefixes) {
      expect([...en].some((k) => k.startsWith(p)), `no key starts with ${p}`).toBe(true);
    }
  });

  it("cover every error code the Rust side returns", () => {
    const codes = rustErrorCodes();
    expect(codes).toContain("wrong_passphrase");
    expect(codes).toContain("bundle_bad_signature");
    expect(codes).toContain("not_granted");
    expect(codes).toContain("bad_date");
    expect(codes).toContain("erase_not_confirmed");
    expect(codes).toContain("impossible_step");
    expect(codes).toContain("case_not_found");
    expect(codes.filter((c) => !en.has(`error-${c.replace(/_/g, "-")}`))).toEqual([]);
  });

  it("cover every custody event and verify problem", () => {
    const event = readFileSync(join(root, "ui/src/lib/bindings/Event.ts"), "utf8");
    const events = [...event.matchAll(/"([a-z_]+)"/g)].map((m) => m[1] ?? "");
    expect(events.length).toBeGreaterThan(10);
    expect(events.filter((e) => !en.has(`event-${e.replace(/_/g, "-")}`))).toEqual([]);
    const verify = readFileSync(join(root, "crates/kua-core/src/verify.rs"), "utf8") + readFileSync(join(root, "crates/kua-core/src/custody.rs"), "utf8");
    const problems = [...verify.matchAll(/"((?:custody|records?|attachment|content|evidence|orphan|unlogged)_[a-z_]+)"/g)].map((m) => m[1] ?? "");
    expect(problems.length).toBeGreaterThan(5);
    expect([...new Set(problems)].filter((p) => !en.has(`problem-${p.replace(/_/g, "-")}`))).toEqual([]);
  });

  it("format plurals per language", () => {
    setLang("ru");
    expect(t("list-attachments", { n: 3 })).toBe("3 вложения");
    expect(t("list-attachments", { n: 5 })).toBe("5 вложений");
    setLang("kk");
    expect(t("list-attachments", { n: 5 })).toBe("5 тіркеме");
    setLang("en");
    expect(t("list-attachments", { n: 1 })).toBe("1 attachment");
  });
});

describe("dates shown in the interface language's order", () => {
  it("writes day.month.year in Russian and Kazakh, whatever the system locale, and names the month in English", () => {
    // A local time, so that the test does not depend on the machine's time zone.
    const at = new Date(2022, 0, 6, 14, 30).toISOString();
    for (const lang of ["ru", "kk"] as const) {
      setLang(lang);
      expect(formatDate(at)).toBe("06.01.2022, 14:30");
      expect(formatDate(at, false)).toBe("06.01.2022");
      expect(formatDay("2022-01-06")).toBe("06.01.2022");
    }
    setLang("en");
    expect(formatDate(at, false)).toBe("6 Jan 2022");
    expect(formatDay("2022-01-06")).toBe("6 Jan 2022");
    // Not a date: shown as it is.
    expect(formatDay("2022-01")).toBe("2022-01");
    expect(formatDate("вчера")).toBe("вчера");
  });
});
