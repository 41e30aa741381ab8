// The one module that talks to the shell. Every command the page may call is here, with
// the types the Rust side declares (generated into ./bindings by the shell's tests, and
// checked there against the Rust types on every test run).
import { invoke, Channel } from "@tauri-apps/api/core";
import type { AppState } from "./bindings/AppState";
import type { Unlocked } from "./bindings/Unlocked";
import type { AttachmentInfo } from "./bindings/AttachmentInfo";
import type { BundleReport } from "./bindings/BundleReport";
import type { Category } from "./bindings/Category";
import type { Consent } from "./bindings/Consent";
import type { Dashboard } from "./bindings/Dashboard";
import type { EraseAfter } from "./bindings/EraseAfter";
import type { Decision } from "./bindings/Decision";
import type { Dimension } from "./bindings/Dimension";
import type { DatasetFormat } from "./bindings/DatasetFormat";
import type { DatasetReport } from "./bindings/DatasetReport";
import type { ExportChoice } from "./bindings/ExportChoice";
import type { ExportPlan } from "./bindings/ExportPlan";
import type { ExportReport } from "./bindings/ExportReport";
import type { IdentityInfo } from "./bindings/IdentityInfo";
import type { ImportReport } from "./bindings/ImportReport";
import type { InputDevice } from "./bindings/InputDevice";
import type { Marker } from "./bindings/Marker";
import type { MediaHandle } from "./bindings/MediaHandle";
import type { MediaRef } from "./bindings/MediaRef";
import type { LinkageSecretShown } from "./bindings/LinkageSecretShown";
import type { Member } from "./bindings/Member";
import type { PairView } from "./bindings/PairView";
import type { Person } from "./bindings/Person";
import type { PersonView } from "./bindings/PersonView";
import type { PersonsList } from "./bindings/PersonsList";
import type { RecordingEvent } from "./bindings/RecordingEvent";
import type { RecordingState } from "./bindings/RecordingState";
import type { IpcError } from "./bindings/IpcError";
import type { ListRow } from "./bindings/ListRow";
import type { ListQuery } from "./bindings/ListQuery";
import type { ListPage } from "./bindings/ListPage";
import type { LogLine } from "./bindings/LogLine";
import type { Pick } from "./bindings/Pick";
import type { Query } from "./bindings/Query";
import type { RecordRef } from "./bindings/RecordRef";
import type { ProgressEvent } from "./bindings/ProgressEvent";
import type { ReceivedRecord } from "./bindings/ReceivedRecord";
import type { ReceivedSummary } from "./bindings/ReceivedSummary";
import type { Recipient } from "./bindings/Recipient";
import type { SearchHit } from "./bindings/SearchHit";
import type { Settings } from "./bindings/Settings";
import type { Table } from "./bindings/Table";
import type { Template } from "./bindings/Template";
import type { Atlas } from "./bindings/Atlas";
import type { BodyMap } from "./bindings/BodyMap";
import type { Mark } from "./bindings/Mark";
import type { MarkChange } from "./bindings/MarkChange";
import type { Testimony } from "./bindings/Testimony";
import type { TestimonyInput } from "./bindings/TestimonyInput";
import type { TrustedSender } from "./bindings/TrustedSender";
import type { Unit } from "./bindings/Unit";
import type { Verdict } from "./bindings/Verdict";
import type { VerifyReport } from "./bindings/VerifyReport";
import type { VersionInfo } from "./bindings/VersionInfo";
import type { CaseFile } from "./bindings/CaseFile";
import type { CaseShown } from "./bindings/CaseShown";
import type { CircumstanceView } from "./bindings/CircumstanceView";
import type { DocumentView } from "./bindings/DocumentView";
import type { DueStatus } from "./bindings/DueStatus";
import type { EvidenceView } from "./bindings/EvidenceView";
import type { NoteView } from "./bindings/NoteView";
import type { Notes } from "./bindings/Notes";
import type { PetitionView } from "./bindings/PetitionView";
import type { StepKind } from "./bindings/StepKind";
import type { StepView } from "./bindings/StepView";
import type { CaseSummary } from "./bindings/CaseSummary";
import type { Course } from "./bindings/Course";
import type { Deadline } from "./bindings/Deadline";
import type { Document } from "./bindings/Document";
import type { Evidence } from "./bindings/Evidence";
import type { EvidenceStatus } from "./bindings/EvidenceStatus";
import type { Examined } from "./bindings/Examined";
import type { Note } from "./bindings/Note";
import type { Petition } from "./bindings/Petition";
import type { PetitionDecision } from "./bindings/PetitionDecision";
import type { Step } from "./bindings/Step";
import type { CountRow } from "./bindings/CountRow";
import type { Outcomes } from "./bindings/Outcomes";
import type { ReportRequest } from "./bindings/ReportRequest";
import type { ReportSaved } from "./bindings/ReportSaved";
import type { DisclosureDone } from "./bindings/DisclosureDone";
import type { Lang } from "./i18n.svelte";

export type {
  AppState, AttachmentInfo, BundleReport, Category, Consent, Dashboard, DatasetFormat, DatasetReport, Decision, Dimension, ExportChoice, ExportPlan, ExportReport,
  IdentityInfo, ImportReport, InputDevice, IpcError, LinkageSecretShown, Marker, MediaHandle, MediaRef, Member, PairView, Person, PersonView,
  PersonsList, RecordingEvent,
  RecordingState, ListRow, ListQuery, ListPage, LogLine, Pick, ProgressEvent, Query, ReceivedRecord, RecordRef,
  ReceivedSummary, Recipient, SearchHit, Settings, Table, Template, Testimony, TestimonyInput,
  TrustedSender, Unit, Unlocked, Verdict, VerifyReport, VersionInfo,
  CaseFile, CaseShown, CaseSummary, CircumstanceView, Course, Deadline, Document, DocumentView, DueStatus, Evidence, EvidenceStatus, EvidenceView,
  Examined, Note, Notes, NoteView, Petition, PetitionDecision, PetitionView, Step, StepKind, StepView, CountRow, Outcomes,
  ReportRequest, ReportSaved, DisclosureDone, Atlas, BodyMap, Mark, MarkChange,
};

/** Whether a thrown value is the shell's error shape. */
export function isIpcError(e: unknown): e is IpcError {
  // A DOMException has a code and a message too, but its code is a number.
  return typeof e === "object" && e !== null && "code" in e && "message" in e && typeof e.code === "string";
}

function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  return invoke<T>(cmd, args);
}

/** A channel that forwards progress events to `onEvent`. */
export function progressChannel(onEvent: (e: ProgressEvent) => void): Channel<ProgressEvent> {
  const channel = new Channel<ProgressEvent>();
  channel.onmessage = onEvent;
  return channel;
}

type OnProgress = (e: ProgressEvent) => void;
const ignore: OnProgress = () => {};

export const ipc = {
  appState: () => call<AppState>("app_state"),
  createVault: (passphrase: string, path: string | null) =>
    call<string>("create_vault", { passphrase, path }),
  openVault: (path: string) => call<void>("open_vault", { path }),
  // Both say what became of the recordings a crash had interrupted.
  unlock: (passphrase: string) => call<Unlocked>("unlock", { passphrase }),
  recover: (recoveryKey: string, passphrase: string) =>
    call<Unlocked>("recover", { recoveryKey, passphrase }),
  lock: () => call<void>("lock"),
  // The shell checks `current` before it sets the new passphrase. With `rotateKey` the
  // vault key and the recovery key are replaced too; the new recovery key comes back.
  changePassphrase: (current: string, passphrase: string, rotateKey: boolean) =>
    call<string | null>("change_passphrase", { current, passphrase, rotateKey }),
  newRecoveryKey: (current: string) => call<string>("new_recovery_key", { current }),
  setSettings: (settings: Settings) => call<void>("set_settings", { settings }),
  // Destroys the vault for good, locked or not, without the passphrase; the shell then
  // reloads the window onto the start screen. `confirm` must be "ERASE" exactly (else
  // `erase_not_confirmed`), whatever the language of the word the user typed.
  eraseVault: (confirm: "ERASE") => call<void>("erase_vault", { confirm }),
  // Erase after too many failed unlocks: the limit (null: off) and the failures so far.
  eraseAfter: () => call<EraseAfter>("erase_after"),
  setEraseAfter: (limit: number | null) => call<void>("set_erase_after", { limit }),

  templates: () => call<Template[]>("templates"),
  bodyAtlas: () => call<Atlas>("body_atlas"),
  list: () => call<ListRow[]>("list"),
  listWindow: (query: ListQuery) => call<ListPage>("list_window", { query }),
  search: (query: string) => call<SearchHit[]>("search", { query }),
  add: (input: TestimonyInput) => call<string>("add", { input }),
  show: (id: string, version: number | null = null) => call<Testimony>("show", { id, version }),
  edit: (id: string, input: TestimonyInput) => call<void>("edit", { id, input }),
  setConsent: (id: string, consent: Consent) => call<void>("set_consent", { id, consent }),
  seal: (id: string) => call<string>("seal", { id }),
  amend: (id: string, input: TestimonyInput) => call<number>("amend", { id, input }),
  versions: (id: string) => call<VersionInfo[]>("versions", { id }),

  pick: (what: Pick, suggested: string | null = null) =>
    call<string[]>("pick", { what, suggested }),
  attach: (id: string, paths: string[], onProgress: OnProgress = ignore) =>
    call<AttachmentInfo[]>("attach", { id, paths, progress: progressChannel(onProgress) }),
  extract: (id: string, attachment: string, path: string, onProgress: OnProgress = ignore) =>
    call<AttachmentInfo>("extract", { id, attachment, path, progress: progressChannel(onProgress) }),

  inputDevices: () => call<InputDevice[]>("input_devices"),
  recordStart: (testimony: string, device: string | null, events: Channel<RecordingEvent>) =>
    call<RecordingState>("record_start", { testimony, device, events }),
  recordWatch: (events: Channel<RecordingEvent>) =>
    call<RecordingState | null>("record_watch", { events }),
  recordPause: (paused: boolean) => call<void>("record_pause", { paused }),
  recordMarker: (note: string | null, section: string | null) =>
    call<Marker>("record_marker", { note, section }),
  recordStop: () => call<AttachmentInfo>("record_stop"),
  openMedia: (media: MediaRef) => call<MediaHandle>("open_media", { media }),
  /** The player of this handle closed: the shell ends its grant and wipes what it kept for it. */
  closeMedia: (url: string) => call<void>("close_media", { url }),

  log: () => call<LogLine[]>("log"),
  history: (id: string) => call<LogLine[]>("history", { id }),
  verify: (onProgress: OnProgress = ignore) =>
    call<VerifyReport>("verify", { progress: progressChannel(onProgress) }),

  identity: () => call<IdentityInfo>("identity"),
  recipients: () => call<Recipient[]>("recipients"),
  addRecipient: (name: string, age: string, legal: boolean) =>
    call<Recipient>("add_recipient", { name, age, legal }),
  removeRecipient: (name: string) => call<void>("remove_recipient", { name }),
  trustedSenders: () => call<TrustedSender[]>("trusted_senders"),
  trust: (name: string, publicKey: string | null, file: string | null) =>
    call<TrustedSender>("trust", { name, publicKey, file }),
  distrust: (name: string) => call<void>("distrust", { name }),
  exportPlan: (choice: ExportChoice) => call<ExportPlan>("export_plan", { choice }),
  exportBundle: (choice: ExportChoice, path: string, onProgress: OnProgress = ignore) =>
    call<ExportReport>("export", { choice, path, progress: progressChannel(onProgress) }),
  verifyBundle: (path: string, onProgress: OnProgress = ignore) =>
    call<BundleReport>("verify_bundle", { path, progress: progressChannel(onProgress) }),
  importBundle: (path: string, trustNew: boolean, onProgress: OnProgress = ignore) =>
    call<ImportReport>("import", { path, trustNew, progress: progressChannel(onProgress) }),
  received: () => call<ReceivedSummary[]>("received"),
  showReceived: (id: string, version: number | null = null, sender: string | null = null) =>
    call<ReceivedRecord>("show_received", { id, version, sender }),

  // The coordinator's dashboard: one table per query, in order, with labels in `lang`.
  dashboard: (queries: Query[], drafts: boolean, lang: Lang) =>
    call<Dashboard>("dashboard", { queries, drafts, lang }),
  // The records behind one cell of a query's table (a code per `by` dimension, null:
  // not recorded).
  cellRecords: (query: Query, codes: (string | null)[], drafts: boolean) =>
    call<RecordRef[]>("cell_records", { query, codes, drafts }),
  // `path` must come from pick("save_chart").
  saveChart: (path: string, bytes: Uint8Array) =>
    call<void>("save_chart", { path, bytes: Array.from(bytes) }),
  // `path` (from pick("save_dataset")) becomes a new folder of files.
  exportDataset: (path: string, format: DatasetFormat, lang: Lang) =>
    call<DatasetReport>("export_analysis_dataset", { path, format, lang }),

  // Counting each survivor once. Linkage covers sealed records only (own and received,
  // consent not withdrawn); drafts are never linked.
  // The pairs waiting for a reviewer, best first.
  personsQueue: () => call<PairView[]>("persons_queue"),
  // Any two records compared, with the decision in force on them.
  personsPair: (a: string, b: string) => call<PairView>("persons_pair", { a, b }),
  personsDecide: (a: string, b: string, verdict: Verdict, note: string | null) =>
    call<Decision>("persons_decide", { a, b, verdict, note }),
  // An undo is a new decision naming the one it takes back; nothing is erased.
  personsUndo: (decision: string, note: string | null = null) =>
    call<Decision>("persons_undo", { decision, note }),
  // Every person, and the decisions left out because their rows could not be read.
  personsList: () => call<PersonsList>("persons_list"),
  // `id`: a person id (P-…) or the id of any of its records.
  personShow: (id: string) => call<PersonView>("person_show", { id }),

  // The coalition's linkage secret, which keys the match keys of redacted records. Its
  // key id (16 hex digits), or null when the vault has none.
  linkageSecret: () => call<string | null>("linkage_secret"),
  // Creates it (the current passphrase needed); the secret comes back this once, to
  // pass on to the other interviewers.
  linkageSecretCreate: (current: string) => call<LinkageSecretShown>("linkage_secret_create", { current }),
  // Enters the one another interviewer created (the current passphrase needed; `secret`
  // null in the answer).
  linkageSecretSet: (current: string, secret: string) =>
    call<LinkageSecretShown>("linkage_secret_set", { current, secret }),
  // Both need the current passphrase: shows the secret again, or (`forget`) forgets it
  // and gives null.
  linkageSecretManage: (current: string, forget: boolean) =>
    call<LinkageSecretShown | null>("linkage_secret_manage", { current, forget }),

  // A lawyer's cases (kua-case). `today` is the page's local day (YYYY-MM-DD), the day
  // deadlines are counted from. Labels are the course table's (`caseCourse`), in en,
  // ru and kk; every command answers with the new entry's id.
  caseCourse: () => call<Course>("case_course"),
  casesList: (today: string) => call<CaseSummary[]>("cases_list", { today }),
  deadlines: (today: string) => call<Deadline[]>("deadlines", { today }),
  // The privileged notes' text only with `privileged` (else they are counted).
  caseShow: (id: string, privileged: boolean, today: string) =>
    call<CaseShown>("case_show", { id, privileged, today }),
  // `client`: an own testimony's id or a received record's.
  caseOpen: (client: string, title: string | null) => call<string>("case_open", { client, title }),
  // A correction too: `corrects` names the step's entry (its code stays); with `void`
  // the step was recorded by mistake (the latest main step, or a complaint beside it).
  caseStep: (id: string, step: Step) => call<string>("case_step", { id, step }),
  casePetition: (id: string, petition: Petition) => call<string>("case_petition", { id, petition }),
  caseDecidePetition: (id: string, decision: PetitionDecision) =>
    call<string>("case_decide_petition", { id, decision }),
  caseEvidence: (id: string, evidence: Evidence) => call<string>("case_evidence", { id, evidence }),
  caseEvidenceStatus: (id: string, status: EvidenceStatus) =>
    call<string>("case_evidence_status", { id, status }),
  caseCircumstance: (id: string, text: string) => call<string>("case_circumstance", { id, text }),
  caseExamined: (id: string, examined: Examined) => call<string>("case_examined", { id, examined }),
  // A new note, or (`revises`) a new text of a draft note.
  caseNote: (id: string, note: Note) => call<string>("case_note", { id, note }),
  caseSealNote: (id: string, note: string) => call<string>("case_seal_note", { id, note }),
  caseLink: (id: string, testimony: string) => call<string>("case_link", { id, testimony }),
  // `path` must come from pick("attachments"); `document.attachment` is ignored (the
  // shell fills it in). A copy is saved with `extract(caseId, attachment, path)`.
  caseDocument: (id: string, path: string, document: Document, onProgress: OnProgress = ignore) =>
    call<string>("case_document", { id, path, document, progress: progressChannel(onProgress) }),
  // Erases the case for good (a tombstone stays in the custody log).
  caseErase: (id: string) => call<void>("case_erase", { id }),
  // The outcomes of every complaint the vault knows, own and received, each case once
  // (the dashboard's counts; labels from `caseCourse`).
  caseOutcomes: () => call<Outcomes>("case_outcomes"),

  // Court reports (kua-report). The preview is the PDF's bytes, in memory only (an
  // ArrayBuffer: never a file or a URL); `request.made_at` fixes the bytes, so a save
  // with the same request writes what was previewed. `path` must come from
  // pick("save_report"); FILE.minisig is written beside it.
  reportPreview: (request: ReportRequest) => call<ArrayBuffer>("report_preview", { request }),
  reportSave: (request: ReportRequest, path: string) => call<ReportSaved>("report_save", { request, path }),
  // A disclosure package for a court: the testimonies UNENCRYPTED in a new folder
  // (`path` from pick("save_disclosure")), checked with sha256sum and minisign alone.
  // `confirmed` says the user agreed to that plaintext.
  disclose: (ids: string[], lang: Lang, full: boolean, madeAtTime: string, confirmed: boolean, path: string) =>
    call<DisclosureDone>("disclose", { ids, lang, full, madeAtTime, confirmed, path }),
};
