//! `kua persons …`: candidate pairs, the review queue, decisions and persons. Names are
//! compared in memory by linkage and never printed: a pair shows record ids, the score
//! and which features agreed.

use crate::args::PersonsCommand;
use crate::output::emit;
use anyhow::{bail, Result};
use kua_analysis::persons::{link, Band, PairView, Person};
use kua_core::{Decision, RecordSource, Vault, Verdict};
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
            let all = vault.link_decisions()?;
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
