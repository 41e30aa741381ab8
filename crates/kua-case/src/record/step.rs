//! Steps of the course: a transition, a complaint beside it, its decision, or a
//! correction, checked against the case and the course table, stored with their details.

use super::{check_document, document, json, unknown};
use crate::checks::{self, SHORT, TEXT};
use crate::course::{course, Track};
use crate::entry::{self, kind};
use crate::error::{Error, Result};
use crate::file::CaseFile;
use kua_core::{Progress, Vault};
/// Records a step of the course, a complaint beside it, its decision, or a correction.
pub fn step(vault: &mut Vault, case: &str, input: entry::Step) -> Result<String> {
    let s = checked_step(vault, case, input)?;
    store_step(vault, case, s)
}

/// Stores a checked step as its course entry and, when it has any, its details right
/// after it, in one transaction.
fn store_step(vault: &mut Vault, case: &str, s: entry::Step) -> Result<String> {
    let (course_part, detail) = s.split();
    let mut items = vec![kua_core::NewCaseEntry {
        kind: kind::STEP.into(),
        privileged: false,
        data: json(&course_part)?,
    }];
    if let Some(d) = detail {
        items.push(kua_core::NewCaseEntry {
            kind: kind::STEP_DETAIL.into(),
            privileged: false,
            data: json(&d)?,
        });
    }
    let stored = vault.add_case_entries(case, items)?;
    Ok(stored.first().map(|e| e.id.clone()).unwrap_or_default())
}

/// Records a step with its decision as a file: the step is checked first, so that a
/// step the course refuses leaves no document behind; then the file goes in as the
/// case's document and the step names it.
pub fn step_with_document(
    vault: &mut Vault,
    case: &str,
    input: entry::Step,
    source: &mut (dyn std::io::Read + Send),
    name: &str,
    progress: &mut dyn Progress,
) -> Result<String> {
    let mut s = checked_step(
        vault,
        case,
        entry::Step {
            document: None,
            ..input
        },
    )?;
    let doc = entry::Document {
        kind: "decision".into(),
        date: Some(s.date.clone()),
        ..entry::Document::default()
    };
    let (_, info) = document(vault, case, source, name, doc, progress)?;
    s.document = Some(info.id);
    store_step(vault, case, s)
}

/// A step as it will be stored, checked against the case and the course.
fn checked_step(vault: &mut Vault, case: &str, input: entry::Step) -> Result<entry::Step> {
    let f = crate::show(vault, case, false)?;
    let c = course();
    let kind = c.step(input.step.trim())?;
    let date = checks::day("date", &input.date)?;
    let mut s = entry::Step {
        step: kind.code.clone(),
        date: date.format("%Y-%m-%d").to_string(),
        body: checks::optional("body", input.body, SHORT)?,
        number: checks::optional("number", input.number, SHORT)?,
        article: checks::optional("article", input.article, SHORT)?,
        document: checks::optional("document", input.document, SHORT)?,
        deadline: checks::canonical_day("deadline", input.deadline)?,
        ground: checks::optional("ground", input.ground, SHORT)?,
        outcome: checks::optional("outcome", input.outcome, SHORT)?,
        note: checks::optional("note", input.note, TEXT)?,
        corrects: checks::optional("corrects", input.corrects, SHORT)?,
        void: input.void,
        answers: checks::optional("answers", input.answers, SHORT)?,
    };
    checks::day_after("deadline", s.deadline.as_deref(), "the step's date", date)?;
    match s.corrects.clone() {
        Some(target) => {
            check_correction(&f, &s, &target)?;
            // A correction changes what was decided, never which complaint it answers.
            s.answers = f.step(&target).and_then(|o| o.step.answers.clone());
        }
        None => {
            check_transition(&f, kind, date)?;
            s.answers = answered(&f, kind, s.answers.take())?;
        }
    }
    for need in &kind.needs {
        let given = match need.as_str() {
            "ground" => s.ground.is_some(),
            _ => s.outcome.is_some(),
        };
        if !given && !s.void {
            return Err(Error::MissingField {
                step: kind.code.clone(),
                field: need.clone(),
            });
        }
    }
    if let Some(g) = &s.ground {
        checks::code(&c.grounds, "ground", g)?;
    }
    if let Some(o) = &s.outcome {
        checks::code(&c.outcomes, "outcome", o)?;
        if !kind.outcomes.is_empty() && !kind.outcomes.contains(o) {
            return Err(Error::UnknownCode {
                field: format!("outcome of {}", kind.code),
                code: o.clone(),
                known: kind.outcomes.clone(),
            });
        }
    }
    check_document(vault, case, s.document.as_deref())?;
    if s.void && s.corrects.is_none() {
        return Err(Error::BadCorrection(
            "only a correction (--corrects ENTRY) can void a step".into(),
        ));
    }
    let detailed =
        s.body.is_some() || s.number.is_some() || s.document.is_some() || s.note.is_some();
    if s.void && detailed {
        return Err(Error::BadCorrection(
            "a void carries no details: it only marks the step as recorded by mistake".into(),
        ));
    }
    Ok(s)
}

fn check_transition(
    f: &CaseFile,
    kind: &crate::course::StepKind,
    date: chrono::NaiveDate,
) -> Result<()> {
    let impossible = || Error::ImpossibleStep {
        step: kind.code.clone(),
        state: f.state.clone(),
        allowed: course().allowed_from(&f.state),
    };
    if !kind.from.is_empty() && !kind.from.contains(&f.state) {
        return Err(impossible());
    }
    // An appeal of a judge's ruling needs the ruling: a complaint to the judge that
    // was decided.
    if !kind.after.is_empty()
        && !f
            .steps
            .iter()
            .any(|s| !s.voided && !s.open && kind.after.contains(&s.step.step))
    {
        return Err(impossible());
    }
    if kind.track == Track::Main {
        if let Some(last) = f.main_steps().last() {
            checks::day_after(
                "date",
                Some(&date.format("%Y-%m-%d").to_string()),
                "the previous step's date",
                checks::day("date", &last.step.date)?,
            )?;
        }
    }
    Ok(())
}

/// The complaint a decision answers: the one named, which must be open and of a kind
/// the step decides, or the only such open one. None for a step that answers nothing.
fn answered(
    f: &CaseFile,
    kind: &crate::course::StepKind,
    named: Option<String>,
) -> Result<Option<String>> {
    if kind.answers.is_empty() {
        return Ok(None);
    }
    let open: Vec<&str> = f
        .open_complaints()
        .filter(|o| kind.answers.contains(&o.step.step))
        .map(|o| o.entry.as_str())
        .collect();
    match (named, open.as_slice()) {
        (Some(n), _) if open.contains(&n.as_str()) => Ok(Some(n)),
        (Some(n), _) => Err(unknown("open complaint", &n)),
        (None, [one]) => Ok(Some(one.to_string())),
        (None, []) => Err(Error::NoOpenComplaint {
            step: kind.code.clone(),
        }),
        (None, many) => Err(Error::AmbiguousComplaint {
            step: kind.code.clone(),
            open: many.iter().map(|s| s.to_string()).collect(),
        }),
    }
}

fn check_correction(f: &CaseFile, s: &entry::Step, target: &str) -> Result<()> {
    let old = f
        .step(target)
        .filter(|o| !o.voided)
        .ok_or_else(|| unknown("step", target))?;
    if old.step.step != s.step {
        return Err(Error::BadCorrection(format!(
            "a correction keeps the step ({}); to record that something else happened, void this step and record the right one",
            old.step.step
        )));
    }
    if s.void {
        let latest_main = f.main_steps().last().map(|m| m.entry.as_str());
        let voidable = match old.track {
            Track::Main => latest_main == Some(target),
            Track::Beside => true,
        };
        if !voidable {
            return Err(Error::BadCorrection(
                "only the latest step of the course can be voided; correct its fields instead"
                    .into(),
            ));
        }
        let decided = f
            .steps
            .iter()
            .any(|x| !x.voided && x.step.answers.as_deref() == Some(target));
        // A ruling that was appealed stays until the appeal is voided (the appeal needs
        // it: CPC art. 107).
        let at = f.steps.iter().position(|x| x.entry == target).unwrap_or(0);
        let complaint = old
            .step
            .answers
            .as_deref()
            .and_then(|c| f.step(c))
            .map(|c| c.step.step.clone());
        let appealed = complaint.is_some_and(|kind| {
            f.steps[at..].iter().any(|x| {
                !x.voided
                    && course()
                        .step(&x.step.step)
                        .is_ok_and(|k| k.after.contains(&kind))
            })
        });
        if appealed {
            return Err(Error::BadCorrection(
                "this ruling was appealed; void the appeal first".into(),
            ));
        }
        if decided {
            return Err(Error::BadCorrection(
                "this complaint has a decision; void the decision first".into(),
            ));
        }
    }
    Ok(())
}
