//! Deadlines across cases: what falls due, from the steps, petitions and evidence of
//! each case, against the day the caller says it is (the local date; front ends pass
//! it, tests fix it).
//!
//! Which deadlines are open (a voided step sets none):
//! - a main step's `deadline` (the next deadline it sets: an appeal's last day), until
//!   the next step of the main course, or a complaint filed after it (decided or not);
//! - a complaint's deadline, while the complaint waits for its decision;
//! - a decision's deadline (to appeal it further), until a complaint filed after it;
//! - a petition's decision due day, until its decision is recorded;
//! - a piece of evidence's "request by" day, until anything is recorded of its fate
//!   (requested in time, or refused, obtained, lost).

use crate::course::Track;
use crate::entry;
use crate::file::CaseFile;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Days a petition waits for its decision when no due day is given: "at once or within
/// three days" (CPC art. 99).
pub const PETITION_DAYS: u64 = 3;

/// Where a deadline stands on the day asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    Overdue,
    Today,
    Upcoming,
}

/// What a deadline is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    Step,
    Petition,
    Evidence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Deadline {
    pub case: String,
    pub client: String,
    pub title: Option<String>,
    pub kind: DueKind,
    /// The entry the deadline belongs to.
    pub entry: String,
    /// The step, petition kind or evidence kind (a code of the course table).
    pub what: String,
    /// A few words of the petition or evidence, as written.
    pub about: Option<String>,
    /// YYYY-MM-DD.
    pub due: String,
    /// Days from today to the due day: negative when overdue.
    pub days: i64,
    pub status: DueStatus,
}

/// A day written exactly YYYY-MM-DD (four, two and two digits).
pub(crate) fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shape
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

/// A petition's decision due day: the given one, or three days after filing.
pub fn petition_due(p: &entry::Petition) -> Option<String> {
    if let Some(d) = &p.due {
        return Some(d.clone());
    }
    let filed = parse_day(&p.filed)?;
    filed
        .checked_add_days(chrono::Days::new(PETITION_DAYS))
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// The open deadlines of one case, soonest first.
pub fn of_case(f: &CaseFile, today: NaiveDate) -> Vec<Deadline> {
    let mut out = Vec::new();
    let mut push = |kind, entry: &str, what: &str, about: Option<String>, due: &str| {
        let Some(day) = parse_day(due) else { return };
        let days = (day - today).num_days();
        out.push(Deadline {
            case: f.id.clone(),
            client: f.client.clone(),
            title: f.title.clone(),
            kind,
            entry: entry.to_string(),
            what: what.to_string(),
            about,
            due: due.to_string(),
            days,
            status: match days {
                d if d < 0 => DueStatus::Overdue,
                0 => DueStatus::Today,
                _ => DueStatus::Upcoming,
            },
        });
    };
    let live: Vec<_> = f.steps.iter().filter(|s| !s.voided).collect();
    for (i, s) in live.iter().enumerate() {
        let Some(due) = &s.step.deadline else {
            continue;
        };
        let after = &live[i + 1..];
        // A complaint (or an appeal of a ruling) filed later: it answers the deadline
        // whether or not it was decided since.
        let complained = || {
            after.iter().any(|x| {
                crate::course::course()
                    .step(&x.step.step)
                    .is_ok_and(|k| k.opens)
            })
        };
        let met = if s.open {
            false
        } else if s.track == Track::Main {
            after.iter().any(|x| x.track == Track::Main) || complained()
        } else {
            complained()
        };
        if !met {
            push(DueKind::Step, &s.entry, &s.step.step, None, due);
        }
    }
    for p in f.petitions.iter().filter(|p| p.decision.is_none()) {
        let about = Some(p.petition.asked.chars().take(80).collect());
        push(
            DueKind::Petition,
            &p.entry,
            &p.petition.kind,
            about,
            &p.due_date,
        );
    }
    for e in &f.evidence {
        if e.status != "to_request" {
            continue;
        }
        if let Some(due) = &e.evidence.deadline {
            let about = Some(e.evidence.what.chars().take(80).collect());
            push(DueKind::Evidence, &e.entry, &e.evidence.kind, about, due);
        }
    }
    sort(&mut out);
    out
}

/// Soonest first (the most overdue at the top), then by case and entry so the order
/// never depends on the order cases were read in.
pub fn sort(list: &mut [Deadline]) {
    list.sort_by(|a, b| (a.days, &a.case, &a.entry).cmp(&(b.days, &b.case, &b.entry)));
}
