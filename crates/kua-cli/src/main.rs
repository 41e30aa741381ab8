//! `kua`: every use-case of the Kua vault from a terminal or a script.
//!
//! Exit codes: 0 success; 1 unexpected failure; 2 usage; 3 wrong passphrase or recovery
//! key; 4 not found; 5 integrity failure (also `verify` finding a problem); 6 invalid
//! input; 7 I/O (disk full, unreadable file).

#![forbid(unsafe_code)]

mod analysis;
mod args;
mod case;
mod commands;
mod exchange;
mod input;
mod marks;
mod output;
mod persons;
mod progress;
mod record;
mod report;
mod secrets;

use clap::Parser;
use kua_core::ErrorClass;
use std::process::ExitCode;

/// Every block Rust frees is wiped (kua-wipe): plaintext dropped on lock does not stay
/// in the heap.
#[global_allocator]
static ALLOCATOR: kua_wipe::Allocator = kua_wipe::ALLOCATOR;

fn main() -> ExitCode {
    // Before any file or key exists: SQLite's freed memory wiped (Rust's is, by the
    // global allocator), owner-only files, no core dumps (kua-core hygiene).
    if let Err(code) = kua_wipe::sqlite() {
        eprintln!("kua: warning: SQLite refused the wiping memory methods (code {code}); freed memory may keep plaintext until reused");
    }
    for note in kua_core::harden_process()
        .into_iter()
        .chain(kua_core::lock_memory())
    {
        eprintln!("kua: warning: {note}");
    }
    let cli = args::Cli::parse();
    let json = cli.global.json;
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let (code, exit) = classify(&e);
            if json {
                let err =
                    serde_json::json!({ "error": { "code": code, "message": format!("{e:#}") } });
                eprintln!("{err}");
            } else {
                eprintln!("kua: {e:#}");
            }
            ExitCode::from(exit)
        }
    }
}

fn core_exit(core: &kua_core::Error) -> u8 {
    match core.class() {
        ErrorClass::Auth => 3,
        ErrorClass::NotFound => 4,
        ErrorClass::Integrity => 5,
        ErrorClass::Input => 6,
        ErrorClass::Io => 7,
    }
}

/// The stable error code and the exit code of an error.
fn classify(e: &anyhow::Error) -> (&'static str, u8) {
    if let Some(core) = e.downcast_ref::<kua_core::Error>() {
        return (core.code(), core_exit(core));
    }
    if let Some(a) = e.downcast_ref::<kua_analysis::Error>() {
        let exit = match a {
            kua_analysis::Error::Write { .. } => 7,
            kua_analysis::Error::UnknownRecord(_) | kua_analysis::Error::UnknownPerson(_) => 4,
            _ => 6,
        };
        return (a.code(), exit);
    }
    if let Some(c) = e.downcast_ref::<kua_case::Error>() {
        let exit = match c {
            kua_case::Error::Core(core) => core_exit(core),
            kua_case::Error::UnknownEntry { .. }
            | kua_case::Error::UnknownClient(_)
            | kua_case::Error::UnknownDocument(_) => 4,
            _ => 6,
        };
        return (c.code(), exit);
    }
    if let Some(r) = e.downcast_ref::<kua_report::Error>() {
        let exit = match r {
            kua_report::Error::Core(core) => core_exit(core),
            kua_report::Error::Case(kua_case::Error::Core(core)) => core_exit(core),
            kua_report::Error::Layout(_) => 1,
            _ => 6,
        };
        return (r.code(), exit);
    }
    if e.downcast_ref::<std::io::Error>().is_some() {
        return ("io", 7);
    }
    if e.downcast_ref::<serde_json::Error>().is_some() {
        return ("bad_input", 6);
    }
    ("failed", 1)
}
