//! The command line, as clap sees it. This is a contract scripts rely on.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

mod case;
pub use case::CaseCommand;

#[derive(Debug, Parser)]
#[command(name = "kua", version, about = "Kua: an encrypted, offline testimony vault", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The vault file (default: KUA_VAULT, or vault.kua in the platform data directory).
    #[arg(long, global = true, env = "KUA_VAULT")]
    pub vault: Option<PathBuf>,
    /// Read the passphrase from this file instead of a prompt (KUA_PASSPHRASE also works).
    #[arg(long, global = true)]
    pub passphrase_file: Option<PathBuf>,
    /// Machine-readable output on standard output.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault; shows the recovery key once.
    Init {
        /// Use a deliberately weak KDF (fast, easy to brute-force). For tests only.
        #[arg(long)]
        insecure_test_kdf: bool,
        /// Calibrate the KDF to take about this many milliseconds (default 1000; never
        /// below m=64 MiB, t=3, p=4).
        #[arg(long, default_value_t = 1000)]
        kdf_target_ms: u64,
    },
    /// Add a testimony from a JSON object (a file, or - for standard input), or many from
    /// an array of objects in one transaction; prints the ids, one per line.
    Add { file: Option<PathBuf> },
    /// Change a draft from a JSON object; present keys replace, `null` fields are removed.
    Edit { id: String, file: Option<PathBuf> },
    /// Seal the draft: freeze it and record its content hash.
    Seal { id: String },
    /// Record a change to a sealed testimony as a new sealed version.
    Amend { id: String, file: Option<PathBuf> },
    /// Record or change consent (a JSON consent object), or withdraw it.
    Consent {
        id: String,
        file: Option<PathBuf>,
        /// Withdraw consent as of this date (YYYY-MM-DD), or today.
        #[arg(long, num_args = 0..=1, default_missing_value = "")]
        withdraw: Option<String>,
    },
    /// Show a testimony (the latest version, or --version N).
    Show {
        id: String,
        #[arg(long)]
        version: Option<u32>,
    },
    /// List testimonies, most recently changed first.
    List,
    /// Full-text search over narratives and fields (Russian, Kazakh, English).
    Search {
        query: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Add files to a testimony as attachments.
    Attach {
        id: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// When the photo or recording was made (YYYY-MM-DDTHH:MM).
        #[arg(long)]
        captured_at: Option<String>,
    },
    /// Write an attachment out, checking its evidence hash.
    Extract {
        id: String,
        attachment: String,
        /// Output file, or - for standard output.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Versions of a testimony and its custody-log entries.
    History { id: String },
    /// The vault's custody log.
    Log,
    /// Check the custody chain, its signatures, and every content and evidence hash.
    Verify,
    /// Change the passphrase (asks for the current one first).
    Passwd {
        /// Read the new passphrase from this file instead of a prompt.
        #[arg(long)]
        new_passphrase_file: Option<PathBuf>,
        /// Also replace the vault key and the recovery key (shown once): for a
        /// passphrase that may have leaked together with a copy of the vault.
        #[arg(long)]
        rotate_key: bool,
    },
    /// Make a new recovery key (shown once); the old one stops working.
    RecoveryKey,
    /// Set a new passphrase using the recovery key.
    Recover {
        #[arg(long)]
        recovery_key_file: Option<PathBuf>,
        #[arg(long)]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Erase a testimony for good (crypto-erase); a tombstone stays in the custody log.
    Delete {
        id: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Destroy the whole vault at once (a laptop about to be taken): its key slots first,
    /// which makes it unrecoverable within a second whatever its size, then the file and
    /// its journals, overwritten and removed. Needs no passphrase; there is no undo.
    Erase {
        /// Required: says that you mean to destroy the vault and everything in it.
        #[arg(long)]
        yes_destroy_everything: bool,
    },
    /// Erase the vault after this many failed unlocks in a row (3 to 100), or `off`
    /// (the default); without a value, show the setting and the failures so far.
    EraseAfter { limit: Option<String> },
    /// Form templates.
    Template {
        #[command(subcommand)]
        command: TemplateCommand,
    },
    /// This vault's identities: signing key (minisign), age recipient, fingerprint.
    Identity {
        #[command(subcommand)]
        command: Option<IdentityCommand>,
        /// Write the signing key as a minisign public key file (for `minisign -V -p`).
        #[arg(long)]
        minisign_pub: bool,
        #[arg(short, long, requires = "minisign_pub")]
        output: Option<PathBuf>,
    },
    /// People bundles are sent to.
    Recipients {
        #[command(subcommand)]
        command: RecipientsCommand,
    },
    /// Senders whose bundles this vault accepts.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// Write a signed, encrypted bundle of sealed testimonies (and of cases named).
    #[command(group(clap::ArgGroup::new("what").required(true).args(["all", "since_last", "ids", "cases"])))]
    Export {
        /// A recipient name (see `kua recipients`) or an age1… key; repeatable.
        #[arg(long = "to", required = true)]
        to: Vec<String>,
        /// Every sealed version.
        #[arg(long, conflicts_with_all = ["since_last", "ids"])]
        all: bool,
        /// Only versions not yet sent to these recipients.
        #[arg(long, conflicts_with = "ids")]
        since_last: bool,
        /// Replace identifying fields (names, contacts, addresses) with keyed pseudonyms.
        #[arg(long)]
        redact: bool,
        #[arg(short, long)]
        output: PathBuf,
        /// A lawyer's case to send (repeatable): whole to recipients who are all legal,
        /// only its course (steps and outcomes) to others. Named alone, without ids or
        /// --all, the bundle carries only the cases.
        #[arg(long = "case")]
        cases: Vec<String>,
        /// Send the cases' privileged notes too (legal recipients only).
        #[arg(long, requires = "cases")]
        case_notes: bool,
        /// Testimonies to export (every sealed version of each).
        ids: Vec<String>,
    },
    /// Bundles: check one without importing it.
    Bundle {
        #[command(subcommand)]
        command: BundleCommand,
    },
    /// Import bundles: verified first, all or nothing, idempotent.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Accept a sender not yet trusted (compare its fingerprint first!) and trust it.
        #[arg(long)]
        trust_new: bool,
    },
    /// Count records (the latest sealed version of every own testimony and every
    /// received record) by one dimension, or two for a cross-tab. Dimensions: region,
    /// place_region, place_type, agency, detaining_authority, method, month, year, sex,
    /// age_band, language, source.
    Stats {
        /// One dimension, or two separated by a comma.
        #[arg(long, value_delimiter = ',')]
        by: Vec<String>,
        /// Only records with this code (repeatable). Codes of one dimension are
        /// alternatives; `not_recorded` selects records without a value.
        #[arg(long = "where", value_name = "DIM=CODE")]
        filters: Vec<String>,
        /// Events on or after this date (YYYY-MM-DD, YYYY-MM or YYYY).
        #[arg(long)]
        from: Option<String>,
        /// Events on or before this date (the last day of a month or year given).
        #[arg(long)]
        to: Option<String>,
        /// Count drafts too (their latest version).
        #[arg(long)]
        include_drafts: bool,
        /// CSV on standard output.
        #[arg(long)]
        csv: bool,
        /// For publication: counts under 5 are withheld (`<5`), with enough others that
        /// none can be worked back from the totals.
        #[arg(long)]
        public: bool,
        /// Language of the labels: en, ru or kk.
        #[arg(long, default_value = "en")]
        lang: String,
        /// What to count: testimonies, or persons (each survivor once per category,
        /// as links and reviewers' decisions join their testimonies).
        #[arg(long, default_value = "testimonies")]
        count: String,
    },
    /// Datasets for analysts (coded, pseudonymous, consent-checked).
    Dataset {
        #[command(subcommand)]
        command: DatasetCommand,
    },
    /// Counting each survivor once: records that may be the same person.
    Persons {
        #[command(subcommand)]
        command: PersonsCommand,
    },
    /// A lawyer's case files: the course of a complaint, petitions, evidence, notes.
    Case {
        #[command(subcommand)]
        command: CaseCommand,
    },
    /// A court report (PDF/A, signed: FILE.minisig beside it) of a sealed testimony, or
    /// with --case of a case. Anonymous testimonies leave out what names the person
    /// unless --full (which their consent to legal use must allow). With --received, of a
    /// record received in a bundle: a redacted one without what names the person.
    Report {
        /// The testimony (or with --case, the case).
        id: String,
        /// Report a case instead of a testimony.
        #[arg(long)]
        case: bool,
        /// Report a record received in a bundle (as `kua received` lists it).
        #[arg(long, conflicts_with = "case")]
        received: bool,
        /// With --received: the sender's key id, needed when several senders sent
        /// records with this id.
        #[arg(long, requires = "received")]
        sender: Option<String>,
        /// The sealed version to report (default: the latest sealed one).
        #[arg(long)]
        version: Option<u32>,
        /// The report's language: en, ru or kk.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Include identifying fields of an anonymous testimony.
        #[arg(long)]
        full: bool,
        /// The time printed on the report and its PDF date (RFC 3339, default now): the
        /// same version and options, this included, give the same bytes.
        #[arg(long)]
        made_at: Option<String>,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// A disclosure package for a court: reports, sealed records, original attachments,
    /// custody entries, SHA256SUMS and its signature, checked with sha256sum and
    /// minisign alone. The testimonies leave the vault in plaintext.
    Disclose {
        /// The testimonies; each one's consent must cover legal use.
        #[arg(required = true)]
        ids: Vec<String>,
        /// A new (or empty) directory for the package.
        #[arg(short, long)]
        output: PathBuf,
        /// The language of the reports and the README: en, ru or kk.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Disclose anonymous testimonies too, with what names the person.
        #[arg(long)]
        full: bool,
        /// The time printed on the reports (RFC 3339, default now).
        #[arg(long)]
        made_at: Option<String>,
        /// Required: says that you mean the testimonies to leave the vault unencrypted.
        #[arg(long)]
        confirm_plaintext: bool,
    },
    /// Every open deadline of every case: overdue first, then today, then upcoming.
    Deadlines {
        /// The day to count from (YYYY-MM-DD; default: today's local date).
        #[arg(long)]
        today: Option<String>,
    },
    /// Testimonies received in bundles, with their provenance.
    Received {
        #[command(subcommand)]
        command: Option<ReceivedCommand>,
    },
    /// List the microphones (audio inputs).
    Devices,
    /// Record an interview from a microphone into a testimony, encrypted as it is
    /// captured (saved at least every second). Type a line and Enter to drop a marker
    /// (`#section note` names a template section); an empty line stops.
    Record {
        id: String,
        /// The input to use (as `kua devices` names it); default: the system's.
        #[arg(long)]
        device: Option<String>,
        /// Stop after this many seconds of recorded audio.
        #[arg(long)]
        duration: Option<f64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Adopt an age identity written by age-keygen.
    Import { file: PathBuf },
    /// Write the age identity out for escrow. Whoever holds it reads every bundle sent here.
    ExportAge {
        #[arg(long)]
        i_understand_the_risk: bool,
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecipientsCommand {
    Add {
        name: String,
        /// age1…
        key: String,
        /// A lawyer or court: consent scope `legal` applies instead of `coalition`.
        #[arg(long)]
        legal: bool,
    },
    List,
    Remove {
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    Add {
        name: String,
        /// The sender's minisign public key: the base64 line, or a .pub file.
        key: String,
    },
    List,
    Remove {
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Decrypt and check everything: signature, sender, every hash, the custody log.
    Verify {
        file: PathBuf,
        /// Check with this age identity file instead of a vault (trust and continuity
        /// are then not checked).
        #[arg(long)]
        identity: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PersonsCommand {
    /// Pairs of records that may be one person, best first, with the reasons.
    Candidates {
        /// Only this band: auto (linked without review) or review.
        #[arg(long)]
        band: Option<String>,
    },
    /// The pairs waiting for a reviewer: the review band, then undecided pairs of
    /// flagged persons.
    Queue,
    /// Decide whether two records are one person (a new decision; nothing is erased).
    Decide {
        a: String,
        b: String,
        /// same, different or unsure.
        verdict: String,
        /// Why, read from a file or `-` for standard input (kept encrypted with the
        /// decision; not an argument, which shell history and the process list keep).
        #[arg(long)]
        note_file: Option<std::path::PathBuf>,
    },
    /// Take a decision back (recorded as a new decision).
    Undo {
        decision: String,
        /// Why, from a file or `-` for standard input.
        #[arg(long)]
        note_file: Option<std::path::PathBuf>,
    },
    /// Every decision, oldest first.
    Decisions,
    /// Persons: records that links and decisions join, each person once.
    List {
        /// Only persons with more than one record.
        #[arg(long)]
        linked: bool,
        /// Only persons flagged for review.
        #[arg(long)]
        flagged: bool,
    },
    /// One person (by person id, or the id of any of its records), with its records and
    /// the pairs and decisions that join them.
    Show { person: String },
    /// The coalition's linkage secret, which keys the match keys redacted records carry.
    /// Interviewers share it; the coordinator must not hold it.
    Secret {
        #[command(subcommand)]
        command: SecretCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Create the coalition's secret in this vault and show it once, to give the other
    /// interviewers by hand.
    New,
    /// Enter the secret another interviewer created: from a file, `-` for standard
    /// input, or typed at the prompt (never an argument).
    Set {
        #[arg(long)]
        secret_file: Option<std::path::PathBuf>,
    },
    /// Show the secret's key id (the same in every vault that holds the same secret);
    /// with --reveal, the secret itself.
    Show {
        #[arg(long)]
        reveal: bool,
    },
    /// Forget the secret: later bundles carry no match keys.
    Forget,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Write one table per entity and a codebook into a new or empty folder: only
    /// sealed records whose consent covers the coalition, only coded fields that do not
    /// identify anyone. CSV is UTF-8 with a BOM, comma-separated.
    Export {
        #[arg(short, long)]
        output: PathBuf,
        /// csv or json.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Language of the label columns: en, ru or kk.
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReceivedCommand {
    List,
    Show {
        id: String,
        #[arg(long)]
        version: Option<u32>,
        /// The sender's key id, as `kua received` lists it: needed when several senders
        /// sent records with this id.
        #[arg(long)]
        sender: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// The installed templates.
    List,
    /// One template with its sections and fields.
    Show {
        id: String,
        /// Language of labels: en, ru or kk.
        #[arg(long, default_value = "en")]
        lang: String,
    },
}
