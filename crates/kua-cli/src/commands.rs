//! One function per command: read the input, call one core function, print the result.

use crate::analysis;
use crate::args::{Cli, Command, DatasetCommand, Global, TemplateCommand};
use crate::case;
use crate::input;
use crate::output::{self, emit};
use crate::persons;
use crate::progress::{spinner, Bar};
use crate::report;
use crate::secrets;
use anyhow::{bail, Context, Result};
use kua_core::model::{Consent, TestimonyInput};
use kua_core::{CreateOptions, KdfParams, Seams, Vault};
use secrecy::ExposeSecret;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let g = &cli.global;
    match cli.command {
        Command::Init {
            insecure_test_kdf,
            kdf_target_ms,
        } => init(g, insecure_test_kdf, kdf_target_ms),
        Command::Add { file } => add(g, file.as_deref()),
        Command::Edit { id, file } => {
            let input: TestimonyInput = input::json(file.as_deref())?;
            unlock(g)?.edit(&id, &input)?;
            emit(g.json, &serde_json::json!({ "id": id }), || {
                eprintln!("saved draft {id}")
            })
        }
        Command::Seal { id } => {
            let hash = unlock(g)?.seal(&id)?;
            emit(
                g.json,
                &serde_json::json!({ "id": id, "content_hash": hash }),
                || {
                    println!("{hash}");
                    eprintln!("sealed {id}; its content hash is recorded in the custody log");
                },
            )
        }
        Command::Amend { id, file } => {
            let input: TestimonyInput = input::json(file.as_deref())?;
            let version = unlock(g)?.amend(&id, &input)?;
            emit(
                g.json,
                &serde_json::json!({ "id": id, "version": version }),
                || {
                    println!("{version}");
                },
            )
        }
        Command::Consent { id, file, withdraw } => consent(g, &id, file.as_deref(), withdraw),
        Command::Show { id, version } => {
            let t = unlock(g)?.show(&id, version)?;
            emit(g.json, &t, || output::testimony(&t))
        }
        Command::List => {
            let list = unlock(g)?.list()?;
            emit(g.json, &list, || output::list(&list))
        }
        Command::Stats {
            by,
            filters,
            from,
            to,
            include_drafts,
            csv,
            public,
            lang,
            count,
        } => {
            if let [dim] = by.as_slice() {
                if case::DIMENSIONS.contains(&dim.as_str()) {
                    if !filters.is_empty()
                        || from.is_some()
                        || to.is_some()
                        || include_drafts
                        || public
                        || csv
                    {
                        bail!("{dim} counts every complaint (each case once) as it stands; it takes no filters, dates, drafts, --public or --csv");
                    }
                    return case::stats(g, dim, &lang);
                }
            }
            let request = analysis::StatsRequest {
                by,
                filters,
                from,
                to,
                include_drafts,
                public,
                lang,
                count,
            };
            analysis::stats(&mut unlock(g)?, &request, g.json, csv)
        }
        Command::Dataset {
            command:
                DatasetCommand::Export {
                    output,
                    format,
                    lang,
                },
        } => analysis::dataset(&mut unlock(g)?, &output, &format, &lang, g.json),
        Command::Persons { command } => persons::run(&mut unlock(g)?, command, g.json),
        Command::Case { command } => case::run(g, command),
        Command::Deadlines { today } => case::deadlines(g, today.as_deref()),
        Command::Report {
            id,
            case,
            received,
            sender,
            version,
            lang,
            full,
            made_at,
            output,
        } => {
            let request = report::ReportArgs {
                id,
                case,
                received,
                sender,
                version,
                lang,
                full,
                made_at,
            };
            report::report(&mut unlock(g)?, &request, &output, g.json)
        }
        Command::Disclose {
            ids,
            output,
            lang,
            full,
            made_at,
            confirm_plaintext,
        } => report::disclose(
            &mut unlock(g)?,
            &ids,
            &output,
            &lang,
            full,
            made_at.as_deref(),
            confirm_plaintext,
            g.json,
        ),
        Command::Search { query, limit } => {
            let hits = unlock(g)?.search(&query, limit)?;
            emit(g.json, &hits, || output::hits(&hits))
        }
        Command::Attach {
            id,
            files,
            captured_at,
        } => attach(g, &id, &files, captured_at),
        Command::Extract {
            id,
            attachment,
            output,
        } => extract(g, &id, &attachment, &output),
        Command::History { id } => {
            let mut vault = unlock(g)?;
            let log = vault.history(&id)?;
            // A deleted testimony has no versions left, only its log entries.
            let versions = match vault.versions(&id) {
                Ok(v) => v,
                Err(kua_core::Error::TestimonyNotFound(_)) => Vec::new(),
                Err(e) => return Err(e.into()),
            };
            let out = serde_json::json!({ "id": id, "versions": versions, "log": log });
            emit(g.json, &out, || output::history(&versions, &log))
        }
        Command::Log => {
            let log = unlock(g)?.log()?;
            emit(g.json, &log, || output::log(&log))
        }
        Command::Verify => {
            let report = unlock(g)?.verify(&mut Bar::new("verifying"))?;
            emit(g.json, &report, || output::verify(&report))?;
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(5)
            })
        }
        Command::Passwd {
            new_passphrase_file,
            rotate_key,
        } => {
            // Unlocking asks for the current passphrase.
            let mut vault = unlock(g)?;
            let new = secrets::new_passphrase(new_passphrase_file.as_deref(), false, false)?;
            if rotate_key {
                let recovery = with_spinner("replacing the vault key", || {
                    vault.rotate_vault_key(&new, None)
                })?;
                return show_recovery_key(g, &recovery, "passphrase changed and the vault key replaced: an old copy of this file and the old passphrase or recovery key no longer open later copies (docs/vault-format.md says what stays readable).");
            }
            with_spinner("deriving the new key", || {
                vault.change_passphrase(&new, None)
            })?;
            emit(g.json, &serde_json::json!({ "ok": true }), || {
                eprintln!("passphrase changed; the recovery key still works. If the old passphrase may have leaked with a copy of the vault, run `kua passwd --rotate-key` instead")
            })
        }
        Command::RecoveryKey => {
            let mut vault = unlock(g)?;
            let recovery = vault.new_recovery_key()?;
            show_recovery_key(
                g,
                &recovery,
                "the old recovery key no longer opens this vault.",
            )
        }
        Command::Recover {
            recovery_key_file,
            new_passphrase_file,
        } => {
            let mut vault = Vault::open(&vault_path(g)?, Seams::system())?;
            let key = secrets::recovery_key(recovery_key_file.as_deref())?;
            let new = secrets::new_passphrase(new_passphrase_file.as_deref(), false, false)?;
            with_spinner("deriving the new key", || vault.recover(&key, &new, None))?;
            emit(g.json, &serde_json::json!({ "ok": true }), || {
                eprintln!("new passphrase set; the recovery key still works")
            })
        }
        Command::Erase {
            yes_destroy_everything,
        } => {
            let path = vault_path(g)?;
            if !yes_destroy_everything {
                bail!(
                    "this destroys the vault {} and everything in it, for good; add --yes-destroy-everything to do it",
                    path.display()
                );
            }
            kua_core::erase_vault(&path)?;
            emit(
                g.json,
                &serde_json::json!({ "erased": path.display().to_string() }),
                || {
                    eprintln!(
                        "erased {}: the vault can no longer be opened by anyone",
                        path.display()
                    )
                },
            )
        }
        Command::EraseAfter { limit } => {
            let mut vault = unlock(g)?;
            if let Some(text) = limit {
                let limit = match text.as_str() {
                    "off" => None,
                    n => Some(n.parse::<u32>().map_err(|_| {
                        kua_core::Error::BadInput(format!(
                            "{n:?} is neither a number of attempts nor off"
                        ))
                    })?),
                };
                vault.set_erase_after(limit)?;
            }
            let (limit, failures) = vault.erase_after()?;
            emit(
                g.json,
                &serde_json::json!({ "erase_after": limit, "failures": failures }),
                || match limit {
                    Some(n) => println!("the vault is erased after {n} failed unlocks in a row"),
                    None => println!("off: failed unlocks never erase the vault"),
                },
            )
        }
        Command::Delete { id, yes } => {
            let mut vault = unlock(g)?;
            if !yes {
                confirm(&format!(
                    "Erase testimony {id} with all its versions and attachments for good? Type yes: "
                ))?;
            }
            vault.delete(&id)?;
            emit(
                g.json,
                &serde_json::json!({ "id": id, "deleted": true }),
                || eprintln!("erased {id}; a tombstone remains in the custody log"),
            )
        }
        Command::Identity {
            command,
            minisign_pub,
            output,
        } => crate::exchange::identity(g, command, minisign_pub, output),
        Command::Recipients { command } => crate::exchange::recipients(g, command),
        Command::Trust { command } => crate::exchange::trust(g, command),
        Command::Export {
            to,
            all,
            since_last,
            redact,
            output,
            cases,
            case_notes,
            ids,
        } => {
            let selection = if all {
                kua_core::Selection::All
            } else if since_last {
                kua_core::Selection::SinceLast
            } else if !ids.is_empty() || !cases.is_empty() {
                kua_core::Selection::Ids(ids)
            } else {
                kua_core::Selection::All
            };
            crate::exchange::export(g, to, selection, redact, (cases, case_notes), &output)
        }
        Command::Bundle { command } => crate::exchange::bundle(g, command),
        Command::Import { files, trust_new } => crate::exchange::import(g, &files, trust_new),
        Command::Received { command } => crate::exchange::received(g, command),
        Command::Devices => crate::record::devices(g),
        Command::Record {
            id,
            device,
            duration,
        } => crate::record::record(g, &id, device.as_deref(), duration),
        Command::Template { command } => match command {
            TemplateCommand::List => {
                let list: Vec<_> = kua_core::template::builtin()
                    .iter()
                    .map(|t| serde_json::json!({ "id": t.id, "version": t.version, "title": t.title }))
                    .collect();
                emit(g.json, &list, || output::templates(&list))
            }
            TemplateCommand::Show { id, lang } => {
                let t = kua_core::template::find(&id)
                    .ok_or_else(|| kua_core::Error::TemplateNotFound(id.clone()))?;
                emit(g.json, &t, || output::template(t, &lang))
            }
        },
    }
}

fn vault_path(g: &Global) -> Result<PathBuf> {
    if let Some(p) = &g.vault {
        return Ok(p.clone());
    }
    let dirs = directories::ProjectDirs::from("org", "kua", "kua")
        .context("no home directory; give --vault PATH")?;
    // Kua's own data directory, made before the umask was set, is made private.
    kua_core::owner_only_dir(dirs.data_dir());
    Ok(dirs.data_dir().join("vault.kua"))
}

fn with_spinner<T>(msg: &str, f: impl FnOnce() -> kua_core::Result<T>) -> kua_core::Result<T> {
    let s = spinner(msg);
    let out = f();
    if let Some(s) = s {
        s.finish_and_clear();
    }
    out
}

pub(crate) fn unlock(g: &Global) -> Result<Vault> {
    let mut vault = Vault::open(&vault_path(g)?, Seams::system())?;
    let pass = secrets::passphrase(g.passphrase_file.as_deref())?;
    with_spinner("unlocking", || vault.unlock(&pass))?;
    for part in vault.header_damage()? {
        eprintln!(
            "warning: the vault header's {part} is damaged{}; run `kua verify`",
            if part == "recovery_slot" {
                ": the recovery key no longer works; make a new one now with `kua recovery-key`"
            } else {
                ""
            }
        );
    }
    // A recording cut short by a crash is finished from what was saved, and says so.
    // One that cannot be recovered is reported, not fatal: every command (verify
    // first) must still work on the vault.
    match vault.recover_recordings() {
        Ok(recovered) => {
            for info in recovered {
                eprintln!(
                    "recovered an interrupted recording: {} ({} bytes, sha256 {})",
                    info.id, info.size, info.sha256
                );
            }
        }
        Err(e) => eprintln!(
            "warning: an interrupted recording could not be recovered ({}): {e}; run `kua verify`",
            e.code()
        ),
    }
    Ok(vault)
}

/// `kua add`: one testimony from a JSON object, or many from an array of them, stored
/// in one transaction (all or none). Prints the ids, one per line, in input order.
fn add(g: &Global, file: Option<&Path>) -> Result<ExitCode> {
    let text = input::text(file)?;
    let many = text
        .as_deref()
        .is_some_and(|t| t.trim_start().starts_with('['));
    if many {
        let inputs: Vec<TestimonyInput> = input::parse(text.as_deref().unwrap_or("[]"))?;
        if inputs.is_empty() {
            return Err(kua_core::Error::BadInput(
                "the array holds no testimony; nothing was added".into(),
            )
            .into());
        }
        let ids = unlock(g)?.add_many(&inputs)?;
        return emit(g.json, &serde_json::json!({ "ids": ids }), || {
            for id in &ids {
                println!("{id}");
            }
        });
    }
    let input: TestimonyInput = match text {
        Some(t) => input::parse(&t)?,
        None => TestimonyInput::default(),
    };
    let id = unlock(g)?.add(&input)?;
    emit(g.json, &serde_json::json!({ "id": id }), || {
        println!("{id}")
    })
}

fn confirm(question: &str) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!("refusing to erase without confirmation; add --yes");
    }
    eprint!("{question}");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        bail!("not erased");
    }
    Ok(())
}

fn init(g: &Global, insecure: bool, target_ms: u64) -> Result<ExitCode> {
    let path = vault_path(g)?;
    if path.exists() {
        return Err(kua_core::Error::VaultExists(path).into());
    }
    let pass = secrets::new_passphrase(g.passphrase_file.as_deref(), true, insecure)?;
    let kdf = if insecure {
        eprintln!(
            "WARNING: --insecure-test-kdf: this vault uses a deliberately weak key derivation \
             and can be brute-forced. Never put a real testimony in it."
        );
        KdfParams::INSECURE_FOR_TESTS
    } else {
        with_spinner("calibrating the key derivation", || {
            kua_core::crypto::calibrate(Duration::from_millis(target_ms))
        })?
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let options = CreateOptions {
        kdf,
        allow_weak_kdf: insecure,
    };
    let (vault, recovery) = with_spinner("creating the vault", || {
        Vault::create(&path, &pass, options, Seams::system())
    })?;
    let shown = recovery.display();
    let out = serde_json::json!({
        "vault": path,
        "vault_id": vault.vault_id().to_string(),
        "kdf": vault.kdf_params(),
        "recovery_key": shown.expose_secret(),
    });
    emit(g.json, &out, || {
        println!("Created {}", path.display());
        println!();
        println!(
            "Recovery key (shown once; write it on paper and keep it apart from this laptop):"
        );
        println!();
        println!("    {}", shown.expose_secret());
        println!();
        println!("It opens the vault if the passphrase is forgotten. Anyone who has it and the file can read everything.");
    })
}

/// Shows a new recovery key once, as `kua init` does.
fn show_recovery_key(g: &Global, recovery: &kua_core::RecoveryKey, note: &str) -> Result<ExitCode> {
    let shown = recovery.display();
    let out = serde_json::json!({ "ok": true, "recovery_key": shown.expose_secret() });
    emit(g.json, &out, || {
        println!(
            "New recovery key (shown once; write it on paper and keep it apart from this laptop):"
        );
        println!();
        println!("    {}", shown.expose_secret());
        println!();
        println!("{note}");
    })
}

fn consent(
    g: &Global,
    id: &str,
    file: Option<&Path>,
    withdraw: Option<String>,
) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    let consent = match withdraw {
        Some(at) => {
            let mut c: Consent = vault
                .show(id, None)?
                .consent
                .ok_or_else(|| kua_core::Error::ConsentMissing(id.to_string()))?;
            c.withdrawn_at = Some(if at.is_empty() {
                kua_core::format_time(now_ms()).chars().take(10).collect()
            } else {
                at
            });
            c
        }
        None => {
            let text = match file {
                Some(p) if p != Path::new("-") => std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read {}", p.display()))?,
                _ => input::stdin()?,
            };
            serde_json::from_str(&text).map_err(|e| {
                kua_core::Error::BadInput(format!("the consent JSON does not fit: {e}"))
            })?
        }
    };
    vault.set_consent(id, &consent)?;
    emit(g.json, &consent, || eprintln!("consent of {id} recorded"))
}

fn now_ms() -> i64 {
    use kua_core::Clock;
    kua_core::SystemClock.now_ms()
}

fn attach(
    g: &Global,
    id: &str,
    files: &[PathBuf],
    captured_at: Option<String>,
) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    let mut infos = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut bar = Bar::new(&format!("adding {name}"));
        infos.push(vault.attach_file(id, path, captured_at.clone(), &mut bar)?);
    }
    emit(g.json, &infos, || {
        for a in &infos {
            println!("{}  {}  sha256:{}", a.id, a.name, a.sha256);
        }
    })
}

fn extract(g: &Global, id: &str, attachment: &str, out: &Path) -> Result<ExitCode> {
    let mut vault = unlock(g)?;
    let mut bar = Bar::new("extracting");
    if out == Path::new("-") {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        vault.extract(id, attachment, &mut lock, &mut bar)?;
        return Ok(ExitCode::SUCCESS);
    }
    let info = vault.extract_to_file(id, attachment, out, &mut bar)?;
    emit(g.json, &info, || {
        eprintln!(
            "wrote {} ({} bytes, sha256 {} verified)",
            out.display(),
            info.size,
            info.sha256
        )
    })
}
