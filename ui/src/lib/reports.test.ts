import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import type { Consent } from "./bindings/Consent";
import {
  allowsLegal, disclosureFolderName, isAnonymous, looksLikePdf, madeAtNow, reportFileName, reportRequest, sha256Hex, toBytes, type ReportTarget,
} from "./reports";

const ID = "3f2c9a10-5b7d-4e21-9c3a-0d1e2f3a4b5c";
const consent = (over: Partial<Consent> = {}): Consent => ({
  given_at: "2022-01-20",
  method: "oral",
  scope: ["store"],
  anonymous: false,
  ...over,
});

describe("court reports", () => {
  it("date a report to the minute, in UTC, as the CLI's --made-at reads it", () => {
    expect(madeAtNow(new Date("2026-12-03T10:15:42.123Z"))).toBe("2026-12-03T10:15:00Z");
    expect(madeAtNow(new Date("2026-12-03T15:15:59.999+05:00"))).toBe("2026-12-03T10:15:00Z");
    expect(madeAtNow()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/);
  });

  it("ask the preview and the save for the same report", () => {
    const testimony: ReportTarget = { kind: "testimony", id: ID, version: 2, anonymous: true, legal: true };
    expect(reportRequest(testimony, "kk", true, "2026-12-03T10:15:00Z")).toEqual({
      id: ID, case: false, version: 2, lang: "kk", full: true, made_at: "2026-12-03T10:15:00Z",
    });
    // "Full" means something only for an anonymous testimony, and never for a case.
    expect(reportRequest({ ...testimony, anonymous: false }, "ru", true, "x").full).toBe(false);
    expect(reportRequest({ kind: "case", id: ID }, "en", true, "x")).toEqual({ id: ID, case: true, version: null, lang: "en", full: false, made_at: "x" });
    // A received record names its sender; a redacted one never asks for the full report.
    const received: ReportTarget = { kind: "received", id: ID, version: 1, sender: "ABCDEF0123456789", redacted: false, anonymous: true, legal: true };
    expect(reportRequest(received, "ru", true, "x")).toEqual({
      id: ID, case: false, received_from: "ABCDEF0123456789", version: 1, lang: "ru", full: true, made_at: "x",
    });
    expect(reportRequest({ ...received, redacted: true }, "ru", true, "x").full).toBe(false);
  });

  it("suggest file and folder names", () => {
    expect(reportFileName({ kind: "testimony", id: ID, version: 3, anonymous: false, legal: false })).toBe("kua-report-3f2c9a10-v3.pdf");
    expect(reportFileName({ kind: "case", id: ID })).toBe("kua-case-report-3f2c9a10.pdf");
    expect(reportFileName({ kind: "received", id: ID, version: 2, sender: "S", redacted: true, anonymous: false, legal: false })).toBe(
      "kua-report-received-3f2c9a10-v2.pdf",
    );
    expect(disclosureFolderName(ID, "2026-12-03T10:15:00Z")).toBe("kua-disclosure-3f2c9a10-2026-12-03");
  });

  it("take anonymity from either consent, and legal use only from one not withdrawn", () => {
    expect(isAnonymous({ consent: consent() })).toBe(false);
    expect(isAnonymous({ consent: consent(), sealed_consent: consent({ anonymous: true }) })).toBe(true);
    expect(isAnonymous({ consent: consent({ anonymous: true }), sealed_consent: null })).toBe(true);
    expect(allowsLegal(null)).toBe(false);
    expect(allowsLegal(consent({ scope: ["store", "coalition"] }))).toBe(false);
    expect(allowsLegal(consent({ scope: ["store", "legal"] }))).toBe(true);
    expect(allowsLegal(consent({ scope: ["legal"], withdrawn_at: "2023-01-01" }))).toBe(false);
  });

  it("read the preview's bytes however the IPC hands them over", () => {
    const pdf = new TextEncoder().encode("%PDF-1.7\n");
    expect(toBytes(pdf.buffer)).toEqual(pdf);
    expect(toBytes(pdf)).toEqual(pdf);
    expect(toBytes(Array.from(pdf))).toEqual(pdf);
    expect(() => toBytes("%PDF-")).toThrow();
    expect(looksLikePdf(pdf)).toBe(true);
    expect(looksLikePdf(new TextEncoder().encode("<html>"))).toBe(false);
  });

  it("hash the preview as the shell hashes the saved file", async () => {
    const bytes = new TextEncoder().encode("%PDF-1.7 Қарағанды");
    expect(await sha256Hex(bytes)).toBe(createHash("sha256").update(bytes).digest("hex"));
  });
});
