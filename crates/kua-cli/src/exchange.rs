//! The commands that move testimonies between vaults: identities, recipients, trust,
//! export, bundle verification, import, received records.

use crate::args::{
    BundleCommand, Global, IdentityCommand, ReceivedCommand, RecipientsCommand, TrustCommand,
};
use crate::commands::unlock;
use crate::output::emit;
use crate::progress::Bar;
use anyhow::{bail, Context, Result};
use kua_core::{ExportRequest, Selection};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

pub fn identity(
    g: &Global,
    command: Option<IdentityCommand>,
    minisign_pub: bool,
    output: Option<PathBuf>,
) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    match command {
        None if minisign_pub => {
            let text = vault.minisign_public_key_file()?;
            match output {
                Some(path) => {
                    std::fs::write(&path, &text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("wrote {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let id = vault.identity()?;
            emit(g.json, &id, || {
                println!("fingerprint (read it aloud):  {}", id.fingerprint);
                println!("signing key (minisign):       {}", id.minisign_public_key);
                println!("minisign key id:              {}", id.minisign_key_id);
                println!("bundles to this vault go to:  {}", id.age_recipient);
            })
        }
        Some(IdentityCommand::Import { file }) => {
            let text = zeroize::Zeroizing::new(
                std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?,
            );
            let id = vault.import_age_identity(&text)?;
            emit(g.json, &id, || {
                eprintln!(
                    "this vault now receives bundles sent to {}",
                    id.age_recipient
                )
            })
        }
        Some(IdentityCommand::ExportAge {
            i_understand_the_risk,
            output,
        }) => {
            if !i_understand_the_risk {
                bail!("this writes the key that decrypts every bundle sent to this vault; add --i-understand-the-risk and keep the file offline");
            }
            let secret = vault.export_age_identity()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&output).with_context(|| {
                format!("cannot create {} (it must not exist yet)", output.display())
            })?;
            std::io::Write::write_all(
                &mut file,
                format!("{}\n", secret.expose_secret()).as_bytes(),
            )?;
            file.sync_all()?;
            eprintln!(
                "WARNING: {} decrypts every bundle sent to this vault. Keep it offline, in escrow.",
                output.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn recipients(g: &Global, command: RecipientsCommand) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    match command {
        RecipientsCommand::Add { name, key, legal } => {
            let r = vault.add_recipient(&name, &key, legal)?;
            emit(g.json, &r, || eprintln!("added recipient {name}"))
        }
        RecipientsCommand::Remove { name } => {
            vault.remove_recipient(&name)?;
            emit(g.json, &serde_json::json!({ "removed": name }), || {
                eprintln!("removed recipient {name}")
            })
        }
        RecipientsCommand::List => {
            let list = vault.recipients()?;
            emit(g.json, &list, || {
                for r in &list {
                    println!(
                        "{:<20} {} {}",
                        r.name,
                        r.age,
                        if r.legal { "(legal)" } else { "(coalition)" }
                    );
                }
            })
        }
    }
}

pub fn trust(g: &Global, command: TrustCommand) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    match command {
        TrustCommand::Add { name, key } => {
            let text = if Path::new(&key).is_file() {
                std::fs::read_to_string(&key)?
            } else {
                key
            };
            let t = vault.trust(&name, &text)?;
            emit(g.json, &t, || {
                eprintln!(
                    "trusting {name}, fingerprint {} (compare it aloud with the sender)",
                    t.fingerprint
                )
            })
        }
        TrustCommand::Remove { name } => {
            vault.distrust(&name)?;
            emit(g.json, &serde_json::json!({ "removed": name }), || {
                eprintln!("no longer trusting {name}")
            })
        }
        TrustCommand::List => {
            let list = vault.trusted_senders()?;
            emit(g.json, &list, || {
                for t in &list {
                    println!("{:<20} {}  {}", t.name, t.fingerprint, t.public_key);
                }
            })
        }
    }
}

pub fn export(
    g: &Global,
    to: Vec<String>,
    selection: Selection,
    redact: bool,
    (cases, case_notes): (Vec<String>, bool),
    output: &Path,
) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    let report = vault.export(
        &ExportRequest {
            to,
            selection,
            redact,
            cases,
            case_notes,
        },
        output,
        &mut Bar::new("exporting"),
    )?;
    emit(g.json, &report, || {
        println!(
            "wrote {} (bundle {})",
            report.file.display(),
            report.bundle_id
        );
        println!(
            "{} record versions, {} media files ({} bytes)",
            report.records.len(),
            report.media,
            report.media_bytes
        );
        for w in &report.withheld {
            println!("withheld {}: {}", w.id, w.reason.replace('_', " "));
        }
    })
}

fn print_report(r: &kua_core::BundleReport) {
    println!("bundle      {} (created {})", r.bundle_id, r.created);
    println!(
        "sender      {} fingerprint {}{}",
        r.sender.key_id,
        r.sender.fingerprint,
        r.sender
            .trusted_as
            .as_ref()
            .map(|n| format!(" — trusted as {n}"))
            .unwrap_or_else(|| " — NOT TRUSTED".into())
    );
    println!("records     {} ({} redacted)", r.records.len(), r.redacted);
    println!("media       {} files, {} bytes", r.media, r.media_bytes);
    println!(
        "custody log {} entries ({} carried as hashes only)",
        r.log_size, r.log_hashes_only
    );
    println!(
        "continuity  {}",
        serde_json::to_value(&r.continuity)
            .map(|v| v.to_string())
            .unwrap_or_default()
    );
}

pub fn bundle(g: &Global, command: BundleCommand) -> Result<ExitCode> {
    let BundleCommand::Verify { file, identity } = command;
    let report = match identity {
        Some(path) => {
            let text = zeroize::Zeroizing::new(
                std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            );
            let line = text
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
                .context("no AGE-SECRET-KEY-1… line in the identity file")?;
            let id = kua_core::kua_bundle::age::x25519::Identity::from_str(line)
                .map_err(|e| anyhow::anyhow!("not an age identity: {e}"))?;
            kua_core::check_bundle(std::io::BufReader::new(std::fs::File::open(&file)?), &[id])?
        }
        None => unlock(g)?.verify_bundle(&file, &mut Bar::new("verifying"))?,
    };
    emit(g.json, &report, || {
        print_report(&report);
        println!("OK: decrypted, signature valid, every hash matches, custody log intact");
    })
}

pub fn import(g: &Global, files: &[PathBuf], trust_new: bool) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    // One batch: the vault stays in its bulk-append mode from the first bundle to the
    // last, and each bundle is still imported (and made durable) on its own.
    let reports = vault.import_batch(|vault| -> Result<Vec<kua_core::ImportReport>> {
        let mut reports = Vec::new();
        for (i, file) in files.iter().enumerate() {
        // The next bundle is read on the other core while this one commits.
        let next = files.get(i + 1).map(PathBuf::as_path);
        let r = vault
            .import_reading_next(file, next, trust_new, &mut Bar::new("importing"))
            .with_context(|| format!("{} was not imported", file.display()))?;
        if !g.json {
            print_report(&r.report);
            match r.outcome {
                kua_core::ImportOutcome::Imported => println!(
                    "imported {} new record versions, {} new media files",
                    r.new_records, r.new_media
                ),
                kua_core::ImportOutcome::Pending => println!(
                    "imported, but HELD AS PENDING: earlier bundles from this sender are missing"
                ),
                kua_core::ImportOutcome::AlreadyImported => {
                    println!("already imported; nothing changed")
                }
            }
            for b in &r.released {
                println!("bundle {b} is no longer pending");
            }
            for id in &r.shared_ids {
                println!("WARNING: record {id} was also received from another sender; they are kept apart (kua received show {id} --sender KEY_ID)");
            }
            println!();
        }
        reports.push(r);
        }
        Ok(reports)
    })??;
    emit(g.json, &reports, || {})
}

pub fn received(g: &Global, command: Option<ReceivedCommand>) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    match command.unwrap_or(ReceivedCommand::List) {
        ReceivedCommand::List => {
            let list = vault.received()?;
            emit(g.json, &list, || {
                for r in &list {
                    println!(
                        "{} v{} from {} ({}) bundle {}{}  {}",
                        r.id,
                        r.version,
                        r.sender,
                        r.sender_key_id,
                        r.bundle_id,
                        if r.pending { " PENDING" } else { "" },
                        r.excerpt.replace('\n', " ")
                    );
                }
            })
        }
        ReceivedCommand::Show {
            id,
            version,
            sender,
        } => {
            let r = vault.show_received(&id, version, sender.as_deref())?;
            emit(g.json, &r, || {
                println!(
                    "{} version {} from {} ({}), bundle {}, imported {}",
                    r.record.id,
                    r.record.version,
                    r.sender_name,
                    r.sender_key_id,
                    r.bundle_id,
                    r.imported_at
                );
                println!(
                    "content hash {}{}",
                    r.record.content_hash,
                    if r.record.redacted {
                        " (redacted copy)"
                    } else {
                        ""
                    }
                );
                for (k, v) in &r.record.body.fields {
                    println!("{k}: {v}");
                }
                println!();
                println!("{}", r.record.body.narrative);
            })
        }
    }
}
