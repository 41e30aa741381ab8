// Court reports and disclosure packages as the page asks for them, apart from the DOM
// (the viewer is components/reports/; pdf.js is wrapped in pdfview.ts). A report's
// `made_at` is printed on it and fixes its bytes: a report window chooses it once, when
// it opens, and gives the same value to the preview and to "Save as", so the file saved
// is the one previewed, byte for byte.
import type { Consent } from "./bindings/Consent";
import type { ReportRequest } from "./bindings/ReportRequest";
import type { Lang } from "./i18n.svelte";

/**
 * What a report window reports: one version of a testimony, of a record received from
 * a sender (by key id; a redacted one never offers the full report), or a case.
 */
export type ReportTarget =
  | { kind: "testimony"; id: string; version: number; anonymous: boolean; legal: boolean }
  | { kind: "received"; id: string; version: number; sender: string; redacted: boolean; anonymous: boolean; legal: boolean }
  | { kind: "case"; id: string };

/** Now, to the minute, in UTC, as RFC 3339 without fractions ("2026-12-03T10:15:00Z"). */
export function madeAtNow(now: Date = new Date()): string {
  const d = new Date(now.getTime());
  d.setUTCSeconds(0, 0);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The request for the preview and the saved file alike. */
export function reportRequest(target: ReportTarget, lang: Lang, full: boolean, madeAt: string): ReportRequest {
  if (target.kind === "case") return { id: target.id, case: true, version: null, lang, full: false, made_at: madeAt };
  if (target.kind === "received") {
    return {
      id: target.id,
      case: false,
      received_from: target.sender,
      version: target.version,
      lang,
      full: !target.redacted && target.anonymous && full,
      made_at: madeAt,
    };
  }
  return { id: target.id, case: false, version: target.version, lang, full: target.anonymous && full, made_at: madeAt };
}

/** The file name "Save as" suggests. */
export function reportFileName(target: ReportTarget): string {
  const id8 = target.id.slice(0, 8);
  if (target.kind === "case") return `kua-case-report-${id8}.pdf`;
  if (target.kind === "received") return `kua-report-received-${id8}-v${target.version}.pdf`;
  return `kua-report-${id8}-v${target.version}.pdf`;
}

/** The folder name the disclosure's dialog suggests (a new folder). */
export function disclosureFolderName(id: string, madeAt: string): string {
  return `kua-disclosure-${id.slice(0, 8)}-${madeAt.slice(0, 10)}`;
}

/**
 * Whether the person asked for anonymity: the stricter of the consent now and the one
 * the version was sealed under, as kua-report decides.
 */
export function isAnonymous(t: { consent: Consent | null; sealed_consent?: Consent | null }): boolean {
  return Boolean(t.consent?.anonymous || t.sealed_consent?.anonymous);
}

/** Whether the consent in force covers lawyers and courts (and was not withdrawn). */
export function allowsLegal(consent: Consent | null): boolean {
  return consent !== null && !consent.withdrawn_at && consent.scope.includes("legal");
}

/**
 * The bytes of a command's raw answer. The shell answers with an ArrayBuffer; the IPC's
 * fallback path may give a typed array or an array of numbers instead.
 */
export function toBytes(raw: unknown): Uint8Array {
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
  if (ArrayBuffer.isView(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  if (Array.isArray(raw) && raw.every((b) => typeof b === "number")) return Uint8Array.from(raw as number[]);
  throw new TypeError("the report did not come as bytes");
}

/** Whether the bytes start like a PDF ("%PDF-"). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  return bytes.length > 5 && String.fromCharCode(...bytes.subarray(0, 5)) === "%PDF-";
}

/** SHA-256 of `bytes` as lower-case hex, or null where WebCrypto is not available. */
export async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = new Uint8Array(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
