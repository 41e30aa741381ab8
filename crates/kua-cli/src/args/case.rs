//! `kua case …`, as clap sees it: a lawyer's case files.

use clap::Subcommand;
use std::path::PathBuf;

/// `kua case …`. Free text given as an argument stays in the shell's history: the
/// privileged notes are read from a file or standard input only.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Open a case for a client's testimony (own or received); prints the case id.
    New {
        #[arg(long)]
        client: String,
        #[arg(long)]
        title: Option<String>,
    },
    /// The cases, most urgent first.
    List {
        #[arg(long)]
        today: Option<String>,
    },
    /// A case: its course, petitions, evidence, circumstances, documents, and its
    /// notes counted (their text only with --privileged).
    Show {
        id: String,
        /// Show the privileged notes' text.
        #[arg(long)]
        privileged: bool,
        #[arg(long)]
        today: Option<String>,
    },
    /// The course of a complaint: its states, its steps and what each may follow, and
    /// the case's vocabularies.
    Course {
        /// Labels in en, ru or kk.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Record a step of the course (or a complaint beside it, or its decision).
    Step {
        id: String,
        /// The step's code (`kua case course` lists them).
        step: String,
        /// The decision's date (default: today).
        #[arg(long)]
        date: Option<String>,
        /// The issuing body.
        #[arg(long)]
        body: Option<String>,
        /// The ERDR number.
        #[arg(long)]
        number: Option<String>,
        /// The criminal-code article.
        #[arg(long)]
        article: Option<String>,
        /// The decision as a file: stored as the case's document and named by the step.
        #[arg(long)]
        document: Option<PathBuf>,
        /// The next deadline this step sets (YYYY-MM-DD).
        #[arg(long)]
        deadline: Option<String>,
        /// Why the investigation was terminated (a ground's code).
        #[arg(long)]
        ground: Option<String>,
        /// What a decision came to (an outcome's code).
        #[arg(long)]
        outcome: Option<String>,
        /// A short, non-privileged remark.
        #[arg(long)]
        note: Option<String>,
        /// The entry id of a step this one corrects.
        #[arg(long)]
        corrects: Option<String>,
        /// With --corrects: the step was recorded by mistake (the latest step only).
        #[arg(long)]
        void: bool,
        /// For a complaint's decision: the complaint's entry id (needed when several
        /// complaints wait for a decision).
        #[arg(long)]
        answers: Option<String>,
    },
    /// Record a petition (ходатайство); its decision is due in 3 days unless --due.
    Petition {
        id: String,
        /// The petition's kind (`kua case course` lists them).
        kind: String,
        /// What was asked (or --asked-file, to keep it out of the shell's history).
        #[arg(
            long,
            required_unless_present = "asked_file",
            conflicts_with = "asked_file"
        )]
        asked: Option<String>,
        /// What was asked, from a file or `-` (standard input).
        #[arg(long)]
        asked_file: Option<PathBuf>,
        #[arg(long)]
        to: Option<String>,
        /// When it was filed (default: today).
        #[arg(long)]
        filed: Option<String>,
        #[arg(long)]
        due: Option<String>,
        /// The entry id of a refused petition this one files again.
        #[arg(long)]
        refiles: Option<String>,
        #[arg(long)]
        document: Option<PathBuf>,
    },
    /// Record the decision on a petition: granted, partly_granted or refused.
    Decide {
        id: String,
        petition: String,
        decision: String,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        document: Option<PathBuf>,
    },
    /// Record a piece of evidence to preserve (a camera, a register, a record).
    Evidence {
        id: String,
        /// The evidence's kind (`kua case course` lists them).
        kind: String,
        /// What it is: the camera, the register.
        #[arg(long)]
        what: String,
        #[arg(long)]
        place: Option<String>,
        /// The time window it must cover (YYYY-MM-DD or YYYY-MM-DDTHH:MM).
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        /// The day it must be requested by (CCTV is overwritten).
        #[arg(long)]
        deadline: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Record what became of a piece of evidence: requested, refused, obtained, lost.
    Preserve {
        id: String,
        item: String,
        status: String,
        #[arg(long)]
        date: Option<String>,
        /// The petition that requested it.
        #[arg(long)]
        petition: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Add a circumstance the investigation must examine, read from a file or `-`
    /// (standard input): an allegation is not for the shell's history.
    Circumstance { id: String, file: Option<PathBuf> },
    /// Mark a circumstance examined.
    Examined {
        id: String,
        item: String,
        #[arg(long)]
        date: Option<String>,
    },
    /// Write a privileged note from a file or `-` (standard input); with --revises, a
    /// new text of a draft note; --seal freezes it.
    Note {
        id: String,
        file: Option<PathBuf>,
        #[arg(long)]
        revises: Option<String>,
        #[arg(long)]
        seal: bool,
    },
    /// Seal a draft note as it stands.
    SealNote { id: String, note: String },
    /// Link another testimony of the client to the case.
    Link { id: String, testimony: String },
    /// Add a document (decision, complaint, reply, medical report) to the case.
    Document {
        id: String,
        file: PathBuf,
        /// The document's kind (`kua case course` lists them).
        #[arg(long, default_value = "other")]
        kind: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        date: Option<String>,
    },
    /// Erase a case for good: its entries and documents (a tombstone stays in the log).
    Erase {
        id: String,
        #[arg(long)]
        yes: bool,
    },
}
