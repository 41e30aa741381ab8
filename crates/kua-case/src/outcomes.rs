//! The outcomes of complaints, counted for a coalition: how many were registered, how
//! many terminated and on what ground, how many reached court. The unit is the
//! complaint (a case), each counted once: a case this vault holds itself counts as its
//! own; a case received from several senders counts once, in its fullest copy. Every
//! state and ground of the table is listed, zeros included, and a termination without a
//! recorded ground counts as `not_recorded`, never dropped.

use crate::course::course;
use crate::file::{fold, CaseFile};
use crate::Result;
use kua_core::Vault;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One row of a count: a code of the course table and how many complaints have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CountRow {
    pub code: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Outcomes {
    /// Complaints counted, each once.
    pub cases: u32,
    pub own: u32,
    pub received: u32,
    /// By the state each complaint is in now (every state of the table).
    pub by_state: Vec<CountRow>,
    /// By the states each complaint has ever been in: registered, terminated, sent to
    /// court… (a complaint counts once per state however often it returned to it).
    pub ever: Vec<CountRow>,
    /// Complaints terminated now, by the ground of their latest termination.
    pub by_ground: Vec<CountRow>,
}

/// Every case this vault knows, own and received, each once: (file, own?).
pub fn all_cases(vault: &mut Vault) -> Result<Vec<(CaseFile, bool)>> {
    let mut out: BTreeMap<String, (CaseFile, bool, usize)> = BTreeMap::new();
    for id in vault.case_ids()? {
        let rows = vault.case_entries(&id)?;
        let mut f = fold(&id, &rows.entries, false);
        f.unreadable.extend(rows.unreadable);
        out.insert(id, (f, true, usize::MAX));
    }
    // The vault's own case first; else the copy every screen shows (`received_copies`).
    for r in crate::received_copies(vault)?.into_values() {
        if out.contains_key(&r.case.id) {
            continue;
        }
        let mut f = fold(&r.case.id, &r.case.entries, false);
        if f.client.is_empty() {
            f.client.clone_from(&r.case.client);
            f.testimonies.insert(0, r.case.client.clone());
        }
        out.insert(r.case.id.clone(), (f, false, 0));
    }
    Ok(out.into_values().map(|(f, own, _)| (f, own)).collect())
}

/// Counts the outcomes of every complaint the vault knows.
pub fn outcomes(vault: &mut Vault) -> Result<Outcomes> {
    Ok(count(&all_cases(vault)?))
}

pub fn count(cases: &[(CaseFile, bool)]) -> Outcomes {
    let c = course();
    let mut by_state: BTreeMap<&str, u32> = c.states.iter().map(|s| (s.code.as_str(), 0)).collect();
    let mut ever = by_state.clone();
    let mut by_ground: BTreeMap<String, u32> =
        c.grounds.iter().map(|g| (g.code.clone(), 0)).collect();
    by_ground.insert("not_recorded".into(), 0);
    for (f, _) in cases {
        *by_state.entry(f.state.as_str()).or_default() += 1;
        let mut reached: Vec<&str> = vec![c.initial.as_str()];
        reached.extend(f.main_steps().map(|s| s.after.as_str()));
        reached.sort_unstable();
        reached.dedup();
        for s in reached {
            *ever.entry(s).or_default() += 1;
        }
        if f.state == "terminated" {
            let ground = f
                .main_steps()
                .filter(|s| s.after == "terminated")
                .last()
                .and_then(|s| s.step.ground.clone())
                .unwrap_or_else(|| "not_recorded".into());
            *by_ground.entry(ground).or_default() += 1;
        }
    }
    // Rows in the table's order, so that a report reads like the course.
    let ordered = |m: &BTreeMap<&str, u32>| {
        c.states
            .iter()
            .map(|s| CountRow {
                code: s.code.clone(),
                count: m.get(s.code.as_str()).copied().unwrap_or(0),
            })
            .collect::<Vec<_>>()
    };
    let mut grounds: Vec<CountRow> = c
        .grounds
        .iter()
        .map(|g| CountRow {
            code: g.code.clone(),
            count: by_ground.get(&g.code).copied().unwrap_or(0),
        })
        .collect();
    grounds.push(CountRow {
        code: "not_recorded".into(),
        count: by_ground.get("not_recorded").copied().unwrap_or(0),
    });
    Outcomes {
        cases: cases.len() as u32,
        own: cases.iter().filter(|(_, own)| *own).count() as u32,
        received: cases.iter().filter(|(_, own)| !*own).count() as u32,
        by_state: ordered(&by_state),
        ever: ordered(&ever),
        by_ground: grounds,
    }
}
