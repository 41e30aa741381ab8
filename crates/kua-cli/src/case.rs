//! `kua case …` and `kua deadlines`: a lawyer's case files over `kua-case`. Labels are
//! printed in English here; `--json` gives the codes, and `kua case course --lang`
//! the labels in ru and kk.

use crate::args::{CaseCommand, Global};
use crate::commands::unlock;
use crate::output::emit;
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use kua_case::entry::{
    Document, Evidence, EvidenceStatus, Examined, Note, Petition, PetitionDecision, Step,
};
use kua_case::file::CaseFile;
use kua_case::{course, record, Course, Deadline, Notes};
use kua_core::Vault;
use std::path::Path;
use std::process::ExitCode;

fn today(given: Option<&str>) -> Result<NaiveDate> {
    match given {
        None => Ok(kua_case::today()),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .with_context(|| format!("--today {d:?} is not a date; write it as YYYY-MM-DD")),
    }
}

/// A date argument, or today's date.
fn date_or_today(given: Option<String>) -> String {
    given.unwrap_or_else(|| kua_case::today().format("%Y-%m-%d").to_string())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A petition or decision with its paper from `path`.
fn with_file(
    vault: &mut Vault,
    case: &str,
    path: &Path,
    what: record::WithDocument,
) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| kua_core::Error::io(path, e))?;
    let name = file_name(path);
    Ok(record::with_document(
        vault,
        case,
        what,
        &mut f,
        &name,
        &mut kua_core::Silent,
    )?)
}

fn printed(json: bool, entry: &str) -> Result<ExitCode> {
    emit(json, &serde_json::json!({ "entry": entry }), || {
        println!("{entry}")
    })
}

pub fn run(g: &Global, command: CaseCommand) -> Result<ExitCode> {
    if let CaseCommand::Course { lang } = &command {
        return print_course(lang, g.json);
    }
    let mut vault = unlock(g)?;
    let v = &mut vault;
    match command {
        CaseCommand::Course { .. } => unreachable_course(),
        CaseCommand::New { client, title } => {
            let id = record::open(v, &client, title)?;
            emit(g.json, &serde_json::json!({ "id": id }), || {
                println!("{id}")
            })
        }
        CaseCommand::List { today: t } => {
            let list = kua_case::list(v, today(t.as_deref())?)?;
            emit(g.json, &list, || {
                for c in &list {
                    let next = c
                        .next_deadline
                        .as_ref()
                        .map(|d| format!("next {} ({})", d.due, status(d)))
                        .unwrap_or_else(|| "no deadline".into());
                    println!(
                        "{}  {}  {}  client {}  {}",
                        c.id,
                        label(&course().states, &c.state),
                        next,
                        c.client,
                        c.title.as_deref().unwrap_or("")
                    );
                }
                println!("{} cases", list.len());
            })
        }
        CaseCommand::Show {
            id,
            privileged,
            today: t,
        } => {
            let f = kua_case::show(v, &id, privileged)?;
            let due = kua_case::deadlines::of_case(&f, today(t.as_deref())?);
            let mut value = serde_json::to_value(&f)?;
            if let Some(o) = value.as_object_mut() {
                o.insert("deadlines".into(), serde_json::to_value(&due)?);
            }
            emit(g.json, &value, || print_case(&f, &due))
        }
        CaseCommand::Step {
            id,
            step,
            date,
            body,
            number,
            article,
            document: file,
            deadline,
            ground,
            outcome,
            note,
            corrects,
            void,
            answers,
        } => {
            let s = Step {
                step,
                date: date_or_today(date),
                body,
                number,
                article,
                document: None,
                deadline,
                ground,
                outcome,
                note,
                corrects,
                void,
                answers,
            };
            // The document is stored only once the step is known to be possible.
            let entry = match file {
                Some(path) => {
                    let mut f =
                        std::fs::File::open(&path).map_err(|e| kua_core::Error::io(&path, e))?;
                    let name = file_name(&path);
                    record::step_with_document(v, &id, s, &mut f, &name, &mut kua_core::Silent)?
                }
                None => record::step(v, &id, s)?,
            };
            printed(g.json, &entry)
        }
        CaseCommand::Petition {
            id,
            kind,
            asked,
            asked_file,
            to,
            filed,
            due,
            refiles,
            document: file,
        } => {
            let asked = match (asked, asked_file) {
                (Some(a), _) => a,
                (None, f) => read_text(f.as_deref())?.to_string(),
            };
            let p = Petition {
                kind,
                asked,
                to,
                filed: date_or_today(filed),
                due,
                refiles,
                document: None,
            };
            let entry = match file {
                Some(path) => with_file(v, &id, &path, record::WithDocument::Petition(p))?,
                None => record::petition(v, &id, p)?,
            };
            printed(g.json, &entry)
        }
        CaseCommand::Decide {
            id,
            petition,
            decision,
            date,
            note,
            document: file,
        } => {
            let d = PetitionDecision {
                petition,
                date: date_or_today(date),
                decision,
                note,
                document: None,
            };
            let entry = match file {
                Some(path) => with_file(v, &id, &path, record::WithDocument::Decision(d))?,
                None => record::decide_petition(v, &id, d)?,
            };
            printed(g.json, &entry)
        }
        CaseCommand::Evidence {
            id,
            kind,
            what,
            place,
            from,
            to,
            deadline,
            note,
        } => {
            let e = Evidence {
                kind,
                what,
                place,
                from,
                to,
                deadline,
                note,
            };
            printed(g.json, &record::evidence(v, &id, e)?)
        }
        CaseCommand::Preserve {
            id,
            item,
            status,
            date,
            petition,
            note,
        } => {
            let s = EvidenceStatus {
                item,
                status,
                date: date_or_today(date),
                note,
                petition,
            };
            printed(g.json, &record::evidence_status(v, &id, s)?)
        }
        CaseCommand::Circumstance { id, file } => {
            let text = read_text(file.as_deref())?;
            printed(g.json, &record::circumstance(v, &id, &text)?)
        }
        CaseCommand::Examined { id, item, date } => {
            let x = Examined {
                item,
                date: date_or_today(date),
                note: None,
            };
            printed(g.json, &record::examined(v, &id, x)?)
        }
        CaseCommand::Note {
            id,
            file,
            revises,
            seal,
        } => {
            let text = read_text(file.as_deref())?;
            let n = Note {
                text: text.to_string(),
                revises,
                seal,
            };
            printed(g.json, &record::note(v, &id, n)?)
        }
        CaseCommand::SealNote { id, note } => printed(g.json, &record::seal_note(v, &id, &note)?),
        CaseCommand::Link { id, testimony } => printed(g.json, &record::link(v, &id, &testimony)?),
        CaseCommand::Document {
            id,
            file,
            kind,
            title,
            date,
        } => {
            kua_case::course::Course::check_code(&course().document_kinds, "kind", &kind)?;
            let mut f = std::fs::File::open(&file).map_err(|e| kua_core::Error::io(&file, e))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let doc = Document {
                kind,
                title,
                date,
                ..Document::default()
            };
            let (entry, info) =
                record::document(v, &id, &mut f, &name, doc, &mut kua_core::Silent)?;
            let out = serde_json::json!({ "entry": entry, "attachment": info });
            emit(g.json, &out, || {
                println!("{}  sha256 {}", info.id, info.sha256)
            })
        }
        CaseCommand::Erase { id, yes } => {
            if !yes {
                bail!("erasing a case destroys its entries and documents for good; add --yes to confirm");
            }
            v.erase_case(&id)?;
            emit(g.json, &serde_json::json!({ "erased": id }), || {
                println!("case {id} erased")
            })
        }
    }
}

fn unreachable_course() -> Result<ExitCode> {
    bail!("internal: the course is printed before the vault is unlocked")
}

/// The dimensions `kua stats --by` counts complaints by (each case once).
pub const DIMENSIONS: [&str; 3] = ["case_state", "case_reached", "termination_ground"];

/// `kua stats --by case_state|case_reached|termination_ground`.
pub fn stats(g: &Global, dim: &str, lang: &str) -> Result<ExitCode> {
    let o = kua_case::outcomes(&mut unlock(g)?)?;
    let c = course();
    let (rows, list, title) = match dim {
        "case_state" => (&o.by_state, &c.states, "complaints by their state now"),
        "case_reached" => (
            &o.ever,
            &c.states,
            "complaints that ever reached each state",
        ),
        _ => (&o.by_ground, &c.grounds, "terminated complaints by ground"),
    };
    let out = serde_json::json!({
        "by": dim,
        "unit": "complaints",
        "cases": o.cases,
        "own": o.own,
        "received": o.received,
        "rows": rows.iter().map(|r| serde_json::json!({
            "code": r.code,
            "label": Course::label(list, &r.code, lang).map_or_else(|| not_recorded(lang), str::to_string),
            "count": r.count,
        })).collect::<Vec<_>>(),
    });
    emit(g.json, &out, || {
        println!(
            "{title} ({} complaints: {} own, {} received)",
            o.cases, o.own, o.received
        );
        for r in rows {
            let label = Course::label(list, &r.code, lang)
                .map_or_else(|| not_recorded(lang), str::to_string);
            println!("  {:>6}  {label}", r.count);
        }
    })
}

fn not_recorded(lang: &str) -> String {
    let labels = &course().not_recorded;
    labels
        .get(lang)
        .or_else(|| labels.get("en"))
        .cloned()
        .unwrap_or_default()
}

pub fn deadlines(g: &Global, t: Option<&str>) -> Result<ExitCode> {
    let all = kua_case::deadlines(&mut unlock(g)?, today(t)?)?;
    emit(g.json, &all, || {
        for d in &all {
            println!(
                "{}  {:<9} {}  case {}  {}",
                d.due,
                status(d),
                what(d),
                d.case,
                d.about.as_deref().unwrap_or("")
            );
        }
        println!("{} open deadlines", all.len());
    })
}

/// A note's text, from a file or standard input; never from an argument.
fn read_text(path: Option<&Path>) -> Result<zeroize::Zeroizing<String>> {
    use std::io::Read;
    let mut text = zeroize::Zeroizing::new(String::new());
    match path {
        None => std::io::stdin().read_to_string(&mut text)?,
        Some(p) if p.as_os_str() == "-" => std::io::stdin().read_to_string(&mut text)?,
        Some(p) => std::fs::File::open(p)
            .map_err(|e| kua_core::Error::io(p, e))?
            .read_to_string(&mut text)?,
    };
    Ok(text)
}

fn label(list: &[kua_case::course::Coded], code: &str) -> String {
    Course::label(list, code, "en").unwrap_or(code).to_string()
}

fn status(d: &Deadline) -> String {
    match d.status {
        kua_case::DueStatus::Overdue => format!("overdue {}d", -d.days),
        kua_case::DueStatus::Today => "today".into(),
        kua_case::DueStatus::Upcoming => format!("in {}d", d.days),
    }
}

fn what(d: &Deadline) -> String {
    let c = course();
    match d.kind {
        kua_case::DueKind::Step => format!(
            "after {}",
            c.step(&d.what)
                .map_or(d.what.clone(), |s| s.label["en"].clone())
        ),
        kua_case::DueKind::Petition => format!(
            "decision on petition: {}",
            label(&c.petition_kinds, &d.what)
        ),
        kua_case::DueKind::Evidence => {
            format!("request evidence: {}", label(&c.evidence_kinds, &d.what))
        }
    }
}

fn print_case(f: &CaseFile, due: &[Deadline]) {
    let c = course();
    println!("case:     {}", f.id);
    println!("client:   {}", f.client);
    if let Some(t) = &f.title {
        println!("title:    {t}");
    }
    println!("opened:   {}", f.opened);
    println!("state:    {} ({})", label(&c.states, &f.state), f.state);
    for t in f.testimonies.iter().skip(1) {
        println!("linked:   {t}");
    }
    println!("course:");
    for s in &f.steps {
        let name = c
            .step(&s.step.step)
            .map_or(s.step.step.clone(), |k| k.label["en"].clone());
        let mut extra = Vec::new();
        for (k, v) in [
            ("body", &s.step.body),
            ("ERDR", &s.step.number),
            ("art.", &s.step.article),
            ("ground", &s.step.ground),
            ("outcome", &s.step.outcome),
            ("deadline", &s.step.deadline),
            ("document", &s.step.document),
        ] {
            if let Some(v) = v {
                extra.push(format!("{k} {v}"));
            }
        }
        let marks = match (s.voided, s.open, s.corrections.is_empty()) {
            (true, _, _) => " [void]",
            (_, true, _) => " [awaiting decision]",
            (_, _, false) => " [corrected]",
            _ => "",
        };
        println!(
            "  {}  {name}{marks}  {}  ({})",
            s.step.date,
            extra.join("; "),
            s.entry
        );
    }
    if !f.petitions.is_empty() {
        println!("petitions:");
        for p in &f.petitions {
            let fate = match &p.decision {
                Some(d) => format!("{} on {}", d.decision.decision, d.decision.date),
                None => format!("due {}", p.due_date),
            };
            println!(
                "  {}  {}: {}  {fate}  ({})",
                p.petition.filed,
                label(&c.petition_kinds, &p.petition.kind),
                p.petition.asked,
                p.entry
            );
        }
    }
    if !f.evidence.is_empty() {
        println!("evidence:");
        for e in &f.evidence {
            println!(
                "  {}: {}  {}  ({})",
                label(&c.evidence_kinds, &e.evidence.kind),
                e.evidence.what,
                label(&c.evidence_statuses, &e.status),
                e.entry
            );
        }
    }
    let open: Vec<_> = f
        .circumstances
        .iter()
        .filter(|x| x.examined.is_none())
        .collect();
    if !f.circumstances.is_empty() {
        println!(
            "circumstances not examined: {} of {}",
            open.len(),
            f.circumstances.len()
        );
        for x in open {
            println!("  {}  ({})", x.text, x.entry);
        }
    }
    for d in &f.documents {
        println!(
            "document: {}  {}  {}",
            d.document.attachment,
            label(&c.document_kinds, &d.document.kind),
            d.document.title.as_deref().unwrap_or("")
        );
    }
    match &f.notes {
        Notes::Count(n) => println!("notes:    {n} (privileged; --privileged shows them)"),
        Notes::Shown(notes) => {
            for n in notes {
                let sealed = if n.sealed { " [sealed]" } else { "" };
                println!("note {}{sealed} ({}):\n{}", n.id, n.updated, n.text);
            }
        }
    }
    for d in due {
        println!("deadline: {}  {}  {}", d.due, status(d), what(d));
    }
    for u in &f.unreadable {
        eprintln!("warning: entry {u} could not be read and is left out; run `kua verify`");
    }
}

fn print_course(lang: &str, json: bool) -> Result<ExitCode> {
    let c = course();
    emit(json, c, || {
        let l = |labels: &kua_case::course::Labels| {
            labels
                .get(lang)
                .or_else(|| labels.get("en"))
                .cloned()
                .unwrap_or_default()
        };
        println!("states:");
        for s in &c.states {
            println!("  {:<22} {}", s.code, l(&s.label));
        }
        println!("steps:");
        for s in &c.steps {
            let from = if s.from.is_empty() {
                format!(
                    "answers {}",
                    s.answers
                        .iter()
                        .chain(&s.after)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!("from {}", s.from.join(", "))
            };
            let to =
                s.to.as_deref()
                    .map_or("(beside the course)".to_string(), |t| format!("→ {t}"));
            println!("  {:<24} {}  {from} {to}", s.code, l(&s.label));
        }
        for (name, list) in [
            ("grounds", &c.grounds),
            ("outcomes", &c.outcomes),
            ("petition kinds", &c.petition_kinds),
            ("petition decisions", &c.petition_decisions),
            ("evidence kinds", &c.evidence_kinds),
            ("evidence statuses", &c.evidence_statuses),
            ("document kinds", &c.document_kinds),
        ] {
            println!("{name}:");
            for x in list {
                println!("  {:<22} {}", x.code, l(&x.label));
            }
        }
    })
}
