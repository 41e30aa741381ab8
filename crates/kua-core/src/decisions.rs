//! A reviewer's decisions on whether two records are one person (issue #12).
//!
//! Each decision is its own sealed setting, `decision:<uuid>`, written once and logged
//! `link_decided` in the same transaction (revision and keyed digest, like every
//! setting), so a decision removed or put back from an older copy of the vault is an
//! integrity error, not a silent change of who is counted. A decision is never
//! rewritten but to drop its note when a testimony it names is erased; an undo is a new
//! decision that names the one it takes back.
//!
//! Decisions are listed from the log, not from the table: a row deleted behind Kua's
//! back is then missing where the log says it must be, and reading it fails.
//!
//! The core only keeps decisions. Which records they join into persons, and which
//! automatic links they override, is `kua-analysis`'s work.

use crate::custody::{Event, Tail};
use crate::error::{Error, Result};
use crate::seams::format_time;
use crate::vault::{Ctx, Vault};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const PREFIX: &str = "decision:";
/// A note is a reviewer's reason, not a document.
const NOTE_MAX: usize = 4000;

/// What a reviewer decided of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Same,
    Different,
    Unsure,
}

/// A vault's decisions, oldest first, and the logged decisions that could not be read
/// (damaged rows, by setting name), which are left out of linkage and reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LinkDecisions {
    pub decisions: Vec<Decision>,
    pub unreadable: Vec<String>,
}

/// One decision. `verdict` is None for an undo, which names the decision it takes back
/// in `undoes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Decision {
    pub id: String,
    /// The decision's place among this vault's decisions, from 1: later ones win.
    pub number: u32,
    /// The two records (testimony ids), in the order the reviewer gave them.
    pub a: String,
    pub b: String,
    pub verdict: Option<Verdict>,
    pub undoes: Option<String>,
    pub note: Option<String>,
    /// RFC 3339 UTC.
    pub time: String,
}

fn check_note(note: Option<&str>) -> Result<()> {
    if note.is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(Error::BadInput(format!(
            "the note is longer than {NOTE_MAX} characters; keep the reason short"
        )));
    }
    Ok(())
}

fn check_record_id(id: &str) -> Result<String> {
    uuid::Uuid::parse_str(id.trim())
        .map(|u| u.to_string())
        .map_err(|_| Error::BadInput(format!("{id:?} is not a record id")))
}

impl Ctx<'_> {
    fn decision_names(&self) -> Result<Vec<String>> {
        let (entries, _) =
            crate::custody::walk(self.db, &self.vault, &self.keys.sub.custody, None)?;
        // A row is logged again when its note is erased (`erase_decision_notes`): each
        // decision once, in the order it was first logged.
        let mut seen = std::collections::HashSet::new();
        Ok(entries
            .iter()
            .filter(|e| e.event == Event::LinkDecided)
            .filter_map(|e| e.detail.clone())
            .filter(|d| d.starts_with(PREFIX))
            .filter(|d| seen.insert(d.clone()))
            .collect())
    }

    /// Drops the notes of the decisions that name a testimony being erased, inside the
    /// erasing transaction: a reviewer's note may say who the person is, and must not
    /// outlive the testimony. The decision itself stays (its pair, verdict and time), so
    /// that the log still explains every person; the row's new revision is logged
    /// `link_decided` again, like any setting's change.
    pub(crate) fn erase_decision_notes(
        &mut self,
        tx: &rusqlite::Connection,
        tail: &mut Tail,
        record: &uuid::Uuid,
    ) -> Result<()> {
        let id = record.to_string();
        for d in self.decisions()?.decisions {
            if d.note.is_none() || (d.a != id && d.b != id) {
                continue;
            }
            let cleared = Decision { note: None, ..d };
            let name = format!("{PREFIX}{}", cleared.id);
            let bytes = serde_json::to_vec(&cleared).map_err(|e| Error::Storage(e.to_string()))?;
            let state = self.write_secret(tx, &name, &bytes)?;
            self.log(tx, tail, Event::LinkDecided, state.change(Some(name)))?;
        }
        Ok(())
    }

    /// Every decision that reads, and the names of those that do not. One damaged row
    /// must not stop a reviewer's work on every other person: it is reported (by every
    /// persons view, and by `verify` as an integrity problem) and left out.
    fn decisions(&self) -> Result<LinkDecisions> {
        let mut out = LinkDecisions::default();
        for name in self.decision_names()? {
            let read = self.read_secret(&name).and_then(|bytes| {
                let bytes = bytes.ok_or_else(|| {
                    Error::integrity(format!("{name} (logged, but no longer in the vault)"))
                })?;
                serde_json::from_slice::<Decision>(&bytes)
                    .map_err(|_| Error::integrity(format!("{name} (not a decision)")))
            });
            match read {
                Ok(d) => out.decisions.push(d),
                Err(e) if e.class() == crate::ErrorClass::Integrity => out.unreadable.push(name),
                Err(e) => return Err(e),
            }
        }
        out.decisions.sort_by_key(|d| d.number);
        Ok(out)
    }

    /// The number the next decision gets: after every logged one, readable or not.
    fn next_number(all: &LinkDecisions) -> u32 {
        let highest = all.decisions.iter().map(|d| d.number).max().unwrap_or(0);
        highest.max((all.decisions.len() + all.unreadable.len()) as u32) + 1
    }

    fn store_decision(&mut self, d: &Decision) -> Result<()> {
        let name = format!("{PREFIX}{}", d.id);
        let bytes = serde_json::to_vec(d).map_err(|e| Error::Storage(e.to_string()))?;
        self.transaction(|ctx, tx, tail: &mut Tail| {
            let state = ctx.write_secret(tx, &name, &bytes)?;
            ctx.log(
                tx,
                tail,
                Event::LinkDecided,
                state.change(Some(name.clone())),
            )
        })
    }
}

impl Vault {
    /// Every decision, oldest first (undos included), and those that do not read.
    pub fn link_decisions(&mut self) -> Result<LinkDecisions> {
        self.ctx()?.decisions()
    }

    /// Records a reviewer's decision on two records. The caller checks that the records
    /// exist; the core checks only that they are two record ids.
    pub fn decide_link(
        &mut self,
        a: &str,
        b: &str,
        verdict: Verdict,
        note: Option<&str>,
    ) -> Result<Decision> {
        let (a, b) = (check_record_id(a)?, check_record_id(b)?);
        if a == b {
            return Err(Error::BadInput(
                "a record is always its own person; name two different records".into(),
            ));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        check_note(note)?;
        let mut ctx = self.ctx()?;
        let number = Ctx::next_number(&ctx.decisions()?);
        let d = Decision {
            id: ctx.seams.uuid().to_string(),
            number,
            a,
            b,
            verdict: Some(verdict),
            undoes: None,
            note: note.map(String::from),
            time: format_time(ctx.seams.clock.now_ms()),
        };
        ctx.store_decision(&d)?;
        Ok(d)
    }

    /// Takes a decision back by recording an undo; the decision itself stays, and the
    /// pair returns to what earlier decisions (or none) said.
    pub fn undo_link_decision(&mut self, id: &str, note: Option<&str>) -> Result<Decision> {
        let mut ctx = self.ctx()?;
        let read = ctx.decisions()?;
        let number = Ctx::next_number(&read);
        let all = read.decisions;
        let id = id.trim();
        let target = all.iter().find(|d| d.id == id).ok_or_else(|| {
            Error::BadInput(format!(
                "no decision {id}; `kua persons decisions` lists them"
            ))
        })?;
        if target.verdict.is_none() {
            return Err(Error::BadInput(format!(
                "decision {id} is itself an undo; decide the pair again instead"
            )));
        }
        if all.iter().any(|d| d.undoes.as_deref() == Some(id)) {
            return Err(Error::BadInput(format!("decision {id} is already undone")));
        }
        let d = Decision {
            id: ctx.seams.uuid().to_string(),
            number,
            a: target.a.clone(),
            b: target.b.clone(),
            verdict: None,
            undoes: Some(target.id.clone()),
            note: note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(String::from),
            time: format_time(ctx.seams.clock.now_ms()),
        };
        check_note(d.note.as_deref())?;
        ctx.store_decision(&d)?;
        Ok(d)
    }

    /// When each record first came into this vault as linkage sees it: the position in
    /// the custody log of its first `sealed`, `amended` or `imported` entry (drafts are
    /// not linked, so a draft started long ago and sealed now is new to linkage). Later
    /// imports and seals always come later, so the earliest record of a person stays the
    /// earliest, and a person named after it keeps its name.
    pub fn arrivals(&mut self) -> Result<HashMap<String, u64>> {
        let ctx = self.ctx()?;
        let (entries, _) = crate::custody::walk(ctx.db, &ctx.vault, &ctx.keys.sub.custody, None)?;
        let mut out = HashMap::new();
        for e in entries {
            if matches!(e.event, Event::Sealed | Event::Amended | Event::Imported) {
                if let Some(r) = e.record {
                    out.entry(r).or_insert(e.seq);
                }
            }
        }
        Ok(out)
    }
}
