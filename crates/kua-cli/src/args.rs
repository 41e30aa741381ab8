//! The command line, as clap sees it. This is a contract scripts rely on.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
    /// Add a testimony from a JSON object (a file, or - for standard input); prints its id.
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
    /// Change the passphrase.
    Passwd {
        /// Read the new passphrase from this file instead of a prompt.
        #[arg(long)]
        new_passphrase_file: Option<PathBuf>,
    },
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
    /// Form templates.
    Template {
        #[command(subcommand)]
        command: TemplateCommand,
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
