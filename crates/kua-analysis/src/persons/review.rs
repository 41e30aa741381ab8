//! What a reviewer sees: candidate pairs with the decision in force on each, the
//! review queue, any two records compared, and a person with its records, the pairs
//! between them and the decisions that name them.

use super::candidates::Candidate;
use super::people::{in_force, pair, Linkage, Member, Person};
use super::score::{compare, Band, Comparison};
use crate::error::Result;
use kua_core::Decision;
use serde::Serialize;
use std::collections::HashMap;

/// The largest person whose pairs a person view compares one by one.
const PAIRS_MAX: usize = 40;

impl Linkage {
    /// Candidate pairs as a reviewer sees them, best first: each with the decision in
    /// force on it, if any. `band` keeps one band only.
    pub fn pairs(&self, band: Option<Band>) -> Vec<PairView> {
        let force = in_force(&self.decisions);
        self.candidates
            .iter()
            .filter(|c| band.is_none_or(|b| c.band == b))
            .map(|c| self.view(c, &force))
            .collect()
    }

    /// The review queue: pairs in the review band that no decision in force settles,
    /// best first, then pairs of flagged persons that nobody has decided.
    pub fn queue(&self) -> Vec<PairView> {
        let force = in_force(&self.decisions);
        let open = |c: &&Candidate| {
            !force.contains_key(&pair(&self.members[c.a].id, &self.members[c.b].id))
        };
        let mut out: Vec<PairView> = self
            .candidates
            .iter()
            .filter(|c| c.band == Band::Review)
            .filter(open)
            .map(|c| self.view(c, &force))
            .collect();
        out.extend(
            self.candidates
                .iter()
                .filter(|c| c.band == Band::Auto)
                .filter(|c| !self.persons[self.person_of[c.a]].flags.is_empty())
                .filter(open)
                .map(|c| self.view(c, &force)),
        );
        out
    }

    /// Two records compared, whether or not they are a candidate pair (the review
    /// screen opens any two).
    pub fn compare(&self, a: &str, b: &str) -> Result<PairView> {
        let (i, j) = (self.record_index(a)?, self.record_index(b)?);
        let comparison = compare(&self.facts[i], &self.facts[j]);
        let band = super::score::band(&comparison);
        let force = in_force(&self.decisions);
        Ok(self.view(
            &Candidate {
                a: i,
                b: j,
                comparison,
                band,
            },
            &force,
        ))
    }

    fn view(&self, c: &Candidate, force: &HashMap<(String, String), &Decision>) -> PairView {
        let (a, b) = (&self.members[c.a], &self.members[c.b]);
        PairView {
            a: a.clone(),
            b: b.clone(),
            band: c.band,
            comparison: c.comparison.clone(),
            same_person_now: self.person_of[c.a] == self.person_of[c.b],
            decision: force.get(&pair(&a.id, &b.id)).map(|d| (*d).clone()),
        }
    }

    /// A person (by id, or the id of any of its records) with every pair of its
    /// records compared and the decisions that name any of them.
    pub fn view_person(&self, id: &str) -> Result<PersonView> {
        let person = self.person(id)?.clone();
        let ids: Vec<&str> = person.records.iter().map(|r| r.id.as_str()).collect();
        let mut pairs = Vec::new();
        if ids.len() <= PAIRS_MAX {
            for (k, a) in ids.iter().enumerate() {
                for b in &ids[k + 1..] {
                    // A record whose id another shares cannot be named by it; it is
                    // listed, not compared.
                    match self.compare(a, b) {
                        Ok(p) => pairs.push(p),
                        Err(crate::Error::AmbiguousRecord(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        let decisions = self
            .decisions
            .iter()
            .filter(|d| ids.contains(&d.a.as_str()) || ids.contains(&d.b.as_str()))
            .cloned()
            .collect();
        Ok(PersonView {
            person,
            pairs,
            decisions,
        })
    }
}

/// A candidate pair as front ends show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PairView {
    pub a: Member,
    pub b: Member,
    pub band: Band,
    /// The score in [0, 1], whether a hard conflict forbids an automatic link, and the
    /// reasons.
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub comparison: Comparison,
    /// Whether the two are in one person now (by links and decisions).
    pub same_person_now: bool,
    /// The decision in force on this pair, if any.
    pub decision: Option<Decision>,
}

/// A person as front ends show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonView {
    pub person: Person,
    /// Every pair of its records, compared (none for a person of more than 40 records).
    pub pairs: Vec<PairView>,
    /// Decisions that name any of its records, oldest first, undos included.
    pub decisions: Vec<Decision>,
}
