//! The course of a complaint, as data (`assets/cases/course.json`): the states of the
//! main course, the steps between them, the steps beside it (complaints against a
//! decision, which do not suspend it), and a case's vocabularies, labelled in en, ru
//! and kk. The code here only reads the table; what a step may follow is the table's.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const COURSE: &str = include_str!("../../../assets/cases/course.json");

/// A label per interface language (`en`, `ru`, `kk`).
pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Coded {
    pub code: String,
    pub label: Labels,
}

/// Whether a step moves the main course or runs beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Track {
    Main,
    Beside,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepKind {
    pub code: String,
    pub track: Track,
    /// The states this step may be taken from (main steps, and complaints beside them).
    #[serde(default)]
    pub from: Vec<String>,
    /// The state a main step leads to.
    #[serde(default)]
    pub to: Option<String>,
    /// Fields the step must carry (`ground`, `outcome`).
    #[serde(default)]
    pub needs: Vec<String>,
    /// The outcomes this step may have (codes of `outcomes`); empty: any.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// A complaint that waits for a decision once filed.
    #[serde(default)]
    pub opens: bool,
    /// The complaints this step decides; it needs one of them open.
    #[serde(default)]
    pub answers: Vec<String>,
    /// Steps of which one must have been taken before (an appeal of a judge's ruling).
    #[serde(default)]
    pub after: Vec<String>,
    pub label: Labels,
}

/// The whole table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Course {
    pub version: u32,
    pub initial: String,
    /// The label of a count's "not recorded" row.
    pub not_recorded: Labels,
    pub states: Vec<Coded>,
    pub steps: Vec<StepKind>,
    pub grounds: Vec<Coded>,
    pub outcomes: Vec<Coded>,
    pub petition_kinds: Vec<Coded>,
    pub petition_decisions: Vec<Coded>,
    pub evidence_kinds: Vec<Coded>,
    pub evidence_statuses: Vec<Coded>,
    pub document_kinds: Vec<Coded>,
}

/// The course bundled with this build.
pub fn course() -> &'static Course {
    static COURSE_TABLE: OnceLock<Course> = OnceLock::new();
    COURSE_TABLE.get_or_init(|| {
        // The table is part of the build and checked by this crate's tests; a broken
        // one is a build defect, not user input.
        #[allow(clippy::expect_used)]
        serde_json::from_str(COURSE).expect("assets/cases/course.json is a valid course")
    })
}

impl Course {
    pub fn step(&self, code: &str) -> Result<&StepKind> {
        self.steps
            .iter()
            .find(|s| s.code == code)
            .ok_or_else(|| Error::UnknownStep(code.to_string()))
    }

    /// The steps allowed from `state` (main and beside), by code.
    pub fn allowed_from(&self, state: &str) -> Vec<String> {
        self.steps
            .iter()
            .filter(|s| s.from.iter().any(|f| f == state))
            .map(|s| s.code.clone())
            .collect()
    }

    /// The English label of a state, step or code, for plain output.
    pub fn label<'a>(list: &'a [Coded], code: &str, lang: &str) -> Option<&'a str> {
        let c = list.iter().find(|c| c.code == code)?;
        c.label
            .get(lang)
            .or_else(|| c.label.get("en"))
            .map(String::as_str)
    }

    /// Checks that `code` is one of `list`'s codes.
    pub fn check_code(list: &[Coded], field: &str, code: &str) -> Result<()> {
        if list.iter().any(|c| c.code == code) {
            return Ok(());
        }
        Err(Error::UnknownCode {
            field: field.to_string(),
            code: code.to_string(),
            known: list.iter().map(|c| c.code.clone()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the table uses is defined, every label is in the three languages,
    /// and every state but the initial one can be reached.
    #[test]
    fn the_table_is_whole() {
        let c = course();
        let states: Vec<&str> = c.states.iter().map(|s| s.code.as_str()).collect();
        assert!(states.contains(&c.initial.as_str()));
        for s in &c.steps {
            for f in &s.from {
                assert!(states.contains(&f.as_str()), "{}: from {f}", s.code);
            }
            if let Some(to) = &s.to {
                assert!(states.contains(&to.as_str()), "{}: to {to}", s.code);
            }
            assert_eq!(s.track == Track::Main, s.to.is_some(), "{}", s.code);
            for a in s.answers.iter().chain(&s.after) {
                assert!(c.step(a).is_ok_and(|k| k.opens), "{}: {a}", s.code);
            }
            for o in &s.outcomes {
                assert!(c.outcomes.iter().any(|x| &x.code == o), "{}: {o}", s.code);
            }
            for n in &s.needs {
                assert!(["ground", "outcome"].contains(&n.as_str()), "{}", s.code);
            }
            assert!(
                !s.from.is_empty() || !s.answers.is_empty() || !s.after.is_empty(),
                "{} can never be taken",
                s.code
            );
            for l in ["en", "ru", "kk"] {
                assert!(
                    s.label.get(l).is_some_and(|t| !t.is_empty()),
                    "{} {l}",
                    s.code
                );
            }
        }
        for list in [
            &c.states,
            &c.grounds,
            &c.outcomes,
            &c.petition_kinds,
            &c.petition_decisions,
            &c.evidence_kinds,
            &c.evidence_statuses,
            &c.document_kinds,
        ] {
            for item in list {
                for l in ["en", "ru", "kk"] {
                    assert!(
                        item.label.get(l).is_some_and(|t| !t.is_empty()),
                        "{} {l}",
                        item.code
                    );
                }
            }
        }
        for s in states.iter().filter(|s| **s != c.initial) {
            assert!(
                c.steps.iter().any(|k| k.to.as_deref() == Some(*s)),
                "{s} is never reached"
            );
        }
    }
}
