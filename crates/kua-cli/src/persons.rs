//! `kua persons …`: candidate pairs, the review queue, decisions and persons. Names are
//! compared in memory by linkage and never printed: a pair shows record ids, the score
//! and which features agreed.

use crate::args::{PersonsCommand, SecretCommand};
use crate::output::emit;
use anyhow::{bail, Result};
use kua_analysis::persons::{Band, Linkage, PairView, Person};
use kua_core::{Decision, LinkageSecret, RecordSource, Vault, Verdict};
use std::process::ExitCode;

pub fn run(vault: &mut Vault, command: PersonsCommand, json: bool) -> Result<ExitCode> {
    match command {
        PersonsCommand::Candidates { band } => {
            let band = match band.as_deref() {
                None => None,
                Some("auto") => Some(Band::Auto),
                Some("review") => Some(Band::Review),
                Some(other) => bail!("--band must be auto or review, not {other:?}"),
            };
            let pairs = link(vault)?.pairs(band);
            emit(json, &pairs, || print_pairs(&pairs, "candidate pairs"))
        }
        PersonsCommand::Queue => {
            let pairs = link(vault)?.queue();
            emit(json, &pairs, || print_pairs(&pairs, "pairs to review"))
        }
        PersonsCommand::Decide {
            a,
            b,
            verdict,
            note_file,
        } => {
            let note = read_note(note_file.as_deref())?;
            let verdict = match verdict.as_str() {
                "same" => Verdict::Same,
                "different" => Verdict::Different,
                "unsure" => Verdict::Unsure,
                other => bail!("the decision must be same, different or unsure, not {other:?}"),
            };
            link(vault)?.check_pair(&a, &b)?;
            let d = vault.decide_link(&a, &b, verdict, note.as_deref())?;
            emit(json, &d, || println!("{}", d.id))
        }
        PersonsCommand::Undo {
            decision,
            note_file,
        } => {
            let note = read_note(note_file.as_deref())?;
            let d = vault.undo_link_decision(&decision, note.as_deref())?;
            emit(json, &d, || println!("{}", d.id))
        }
        PersonsCommand::Decisions => {
            let read = vault.link_decisions()?;
            warn_unreadable(&read.unreadable);
            let all = read.decisions;
            emit(json, &all, || {
                for d in &all {
                    print_decision(d);
                }
                println!("{} decisions", all.len());
            })
        }
        PersonsCommand::List { linked, flagged } => {
            let linkage = link(vault)?;
            let persons: Vec<&Person> = linkage
                .persons
                .iter()
                .filter(|p| !linked || p.records.len() > 1)
                .filter(|p| !flagged || !p.flags.is_empty())
                .collect();
            emit(json, &persons, || {
                for p in &persons {
                    let ids: Vec<&str> = p.records.iter().map(|r| r.id.as_str()).collect();
                    println!("{}  {}  {}", p.id, flags(p), ids.join(" "));
                }
                println!(
                    "{} persons shown; {} persons in {} records",
                    persons.len(),
                    linkage.persons.len(),
                    linkage.records()
                );
            })
        }
        PersonsCommand::Show { person } => {
            let linkage = link(vault)?;
            let view = linkage.view_person(&person)?;
            emit(json, &view, || {
                println!("person:  {}  {}", view.person.id, flags(&view.person));
                for r in &view.person.records {
                    println!("record:  {} v{} ({})", r.id, r.version, source(&r.source));
                }
                print_pairs(&view.pairs, "pairs between its records");
                for d in &view.decisions {
                    print_decision(d);
                }
            })
        }
        PersonsCommand::Secret { command } => secret(vault, command, json),
    }
}

fn secret(vault: &mut Vault, command: SecretCommand, json: bool) -> Result<ExitCode> {
    use secrecy::ExposeSecret;
    let key_id = |s: &LinkageSecret| serde_json::json!({ "key_id": s.key_id() });
    match command {
        SecretCommand::New => {
            let s = vault.create_linkage_secret()?;
            let shown = s.display();
            let out = serde_json::json!({ "key_id": s.key_id(), "secret": shown.expose_secret() });
            emit(json, &out, || {
                println!("{}", shown.expose_secret());
                eprintln!("Give this secret to the coalition's other interviewers by hand (read it out, or on paper you then destroy), never to the coordinator, and never by e-mail or messenger. Key id: {}.", s.key_id());
            })
        }
        SecretCommand::Set { secret_file } => {
            let typed = match secret_file.as_deref() {
                Some(p) if p.as_os_str() == "-" => {
                    use std::io::Read;
                    let mut text = zeroize::Zeroizing::new(String::new());
                    std::io::stdin().read_to_string(&mut text)?;
                    secrecy::SecretString::from(text.trim().to_string())
                }
                Some(p) => crate::secrets::from_file(p)?,
                None => crate::secrets::typed("Linkage secret: ")?,
            };
            let s = LinkageSecret::parse(typed.expose_secret())?;
            vault.set_linkage_secret(&s)?;
            emit(json, &key_id(&s), || println!("key id {}", s.key_id()))
        }
        SecretCommand::Show { reveal } => {
            let Some(s) = vault.linkage_secret()? else {
                bail!("this vault has no linkage secret: `kua persons secret new` creates one, `kua persons secret set` enters one");
            };
            let shown = s.display();
            let mut out = key_id(&s);
            if reveal {
                out["secret"] = shown.expose_secret().into();
            }
            emit(json, &out, || {
                println!("key id {}", s.key_id());
                if reveal {
                    println!("{}", shown.expose_secret());
                }
            })
        }
        SecretCommand::Forget => {
            vault.forget_linkage_secret()?;
            emit(json, &serde_json::json!({ "forgotten": true }), || {
                println!("forgotten: later bundles carry no match keys")
            })
        }
    }
}

/// Links the vault's records, and says on standard error when a decision could not be
/// read, so that nobody takes the persons for complete.
fn link(vault: &mut Vault) -> Result<Linkage> {
    let linkage = kua_analysis::persons::link(vault)?;
    warn_unreadable(&linkage.unreadable_decisions);
    if !linkage.ambiguous_records.is_empty() {
        eprintln!(
            "kua: warning: records from different senders share an id ({}), so a bundle reused another record's id; they are kept apart, and no decision can name them",
            linkage.ambiguous_records.join(", ")
        );
    }
    Ok(linkage)
}

fn warn_unreadable(names: &[String]) {
    if !names.is_empty() {
        eprintln!(
            "kua: warning: {} decision(s) could not be read and are left out ({}); `kua verify` reports the damage",
            names.len(),
            names.join(", ")
        );
    }
}

/// A note from a file, or from standard input for `-`.
fn read_note(path: Option<&std::path::Path>) -> Result<Option<String>> {
    use std::io::Read;
    let Some(path) = path else { return Ok(None) };
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(path)?;
    }
    Ok(Some(text))
}

fn source(s: &RecordSource) -> String {
    match s {
        RecordSource::Own => "own".into(),
        RecordSource::Received {
            sender_key_id,
            sender_name,
        } => format!("from {sender_name} {sender_key_id}"),
    }
}

fn flags(p: &Person) -> String {
    let names: Vec<String> = p
        .flags
        .iter()
        .filter_map(|f| serde_json::to_value(f).ok())
        .filter_map(|v| v.as_str().map(|s| format!("[{s}]")))
        .collect();
    names.join(" ")
}

fn print_decision(d: &Decision) {
    let what = match (d.verdict, &d.undoes) {
        (Some(Verdict::Same), _) => "same".to_string(),
        (Some(Verdict::Different), _) => "different".to_string(),
        (Some(Verdict::Unsure), _) => "unsure".to_string(),
        (None, Some(u)) => format!("undoes {u}"),
        (None, None) => "?".to_string(),
    };
    println!(
        "#{} {} {}  {} ~ {}  {}{}",
        d.number,
        d.id,
        d.time,
        d.a,
        d.b,
        what,
        d.note
            .as_deref()
            .map(|n| format!("  ({n})"))
            .unwrap_or_default()
    );
}

fn print_pairs(pairs: &[PairView], what: &str) {
    for p in pairs {
        let reasons: Vec<String> = p
            .comparison
            .reasons
            .iter()
            .map(|r| {
                let feature = serde_json::to_value(r.feature)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                format!("{feature} {} ({:+.1})", r.level, r.weight)
            })
            .collect();
        let band = match p.band {
            Band::Auto => "auto",
            Band::Review => "review",
            Band::NotLinked => "not_linked",
        };
        let decided = p
            .decision
            .as_ref()
            .and_then(|d| d.verdict)
            .map(|v| format!(" decided {v:?}").to_lowercase())
            .unwrap_or_default();
        println!(
            "{:.3} {:<10} {} ~ {}{decided}  {}",
            p.comparison.score,
            band,
            p.a.id,
            p.b.id,
            reasons.join(", ")
        );
    }
    println!("{} {what}", pairs.len());
}
