//! Persons: the clusters that reviewers' decisions and automatic links form.
//!
//! Invariants:
//! - A decision in force always wins: a pair decided "different" or "unsure" is never
//!   joined by an automatic link, and no chain of automatic links joins two records
//!   decided "different" (a link that would is skipped). A "same" decision joins its
//!   pair whatever the score.
//! - The decision in force on a pair is its latest decision that no undo took back; an
//!   undo brings the one before it back.
//! - A person is named after its earliest record in this vault (the first `created` or
//!   `imported` entry of the custody log). Imports always come later, so new records
//!   joining a person never rename it; when two persons merge, the merged one keeps the
//!   older name.
//! - Every record of the set is in exactly one person (most are alone).

use super::candidates::{candidates, facts_of, Candidate};
use super::score::{compare, Band, Facts, REVIEW};
use crate::error::{Error, Result};
use kua_core::{AnalysisRecords, Decision, LinkDecisions, RecordSource, Vault, Verdict};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Why a person needs a reviewer's look even though nobody queued a pair of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// More than three records: chains of links can join namesakes.
    Large,
    /// Two of its records score low, or conflict (different sex, birth years apart).
    WeakPair,
    /// Reviewers said "same" along a chain whose ends they said are "different".
    ConflictingDecisions,
}

/// One record as linkage knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    pub id: String,
    pub version: u32,
    pub source: RecordSource,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Person {
    /// `P-` and the first twelve hex digits of its earliest record's id.
    pub id: String,
    /// Its records, earliest first.
    pub records: Vec<Member>,
    pub flags: Vec<Flag>,
}

/// Everything linkage found in a vault: records, candidate pairs, decisions, persons.
/// It holds names only as matching keys, in memory (`Facts`), and is dropped with the
/// vault's keys.
#[derive(Debug, Clone)]
pub struct Linkage {
    pub(crate) members: Vec<Member>,
    pub(crate) facts: Vec<Facts>,
    pub(crate) candidates: Vec<Candidate>,
    pub decisions: Vec<Decision>,
    /// Logged decisions that could not be read (damaged rows): left out, and shown by
    /// every persons view so that nobody takes the persons for complete.
    pub unreadable_decisions: Vec<String>,
    pub persons: Vec<Person>,
    /// Record index → person index.
    pub(crate) person_of: Vec<usize>,
    /// Record id → record index, for ids only one record has.
    pub(crate) index: HashMap<String, usize>,
    /// Ids that records from two sources share. Record ids are random UUIDs, so this
    /// happens only when a bundle reuses another record's id: such records are kept
    /// apart (each its own person unless its facts link it), decisions are neither taken
    /// nor applied on their id, and every persons view reports them.
    pub ambiguous_records: Vec<String>,
}

/// The fields linkage reads of a record.
pub const LINK_FIELDS: &[&str] = &[
    "full_name",
    "birth_date",
    "age",
    "gender",
    "events_region",
    "events_date",
    "person_code",
];

/// The analysis's fields and linkage's, for a caller that builds both from one read.
pub fn fields_with_linkage() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = crate::FIELDS.to_vec();
    all.extend(LINK_FIELDS.iter().filter(|f| !crate::FIELDS.contains(f)));
    all
}

/// Links the sealed records of a vault (own and received), with its decisions.
pub fn link(vault: &mut Vault) -> kua_core::Result<Linkage> {
    let records = vault.analysis_records(false, Some(LINK_FIELDS))?;
    link_records(vault, &records)
}

/// Links records the caller has read (with at least `LINK_FIELDS`).
pub fn link_records(vault: &mut Vault, records: &AnalysisRecords) -> kua_core::Result<Linkage> {
    let decisions = vault.link_decisions()?;
    let arrivals = vault.arrivals()?;
    Ok(Linkage::build(records, decisions, &arrivals))
}

/// Unordered pair key.
pub(crate) fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// The decision in force on each pair: its latest one that no undo took back.
pub fn in_force(decisions: &[Decision]) -> HashMap<(String, String), &Decision> {
    let undone: HashSet<&str> = decisions
        .iter()
        .filter_map(|d| d.undoes.as_deref())
        .collect();
    let mut out = HashMap::new();
    let mut ordered: Vec<&Decision> = decisions.iter().collect();
    ordered.sort_by_key(|d| d.number);
    for d in ordered {
        if d.verdict.is_some() && !undone.contains(d.id.as_str()) {
            out.insert(pair(&d.a, &d.b), d);
        }
    }
    out
}

struct Clusters {
    parent: Vec<usize>,
}

impl Clusters {
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    /// Joins two clusters; the root is the smaller index (the earlier record).
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (keep, child) = (ra.min(rb), ra.max(rb));
            self.parent[child] = keep;
        }
    }
}

/// The largest person whose every pair is compared for the weak-pair flag (a person of
/// more records is flagged `Large` anyway).
const PAIRWISE_MAX: usize = 40;

impl Linkage {
    /// Links the records of a vault. `arrivals` is `Vault::arrivals`; records it does
    /// not know (none, in a sound vault) come last. Records whose person withdrew
    /// consent are left out, as the counts leave them out.
    pub fn build(
        input: &AnalysisRecords,
        decisions: LinkDecisions,
        arrivals: &HashMap<String, u64>,
    ) -> Linkage {
        let mut order: Vec<usize> = (0..input.records.len())
            .filter(|&i| {
                !input.records[i]
                    .consent
                    .as_ref()
                    .is_some_and(|c| c.is_withdrawn())
            })
            .collect();
        order.sort_by(|&x, &y| {
            let (a, b) = (&input.records[x], &input.records[y]);
            let at =
                |r: &kua_core::AnalysisRecord| arrivals.get(&r.id).copied().unwrap_or(u64::MAX);
            at(a).cmp(&at(b)).then_with(|| a.id.cmp(&b.id))
        });
        let members: Vec<Member> = order
            .iter()
            .map(|&i| {
                let r = &input.records[i];
                Member {
                    id: r.id.clone(),
                    version: r.version,
                    source: r.source.clone(),
                }
            })
            .collect();
        let facts: Vec<Facts> = order.iter().map(|&i| facts_of(&input.records[i])).collect();
        let found = candidates(&facts);
        Linkage::from_parts(members, facts, found, decisions)
    }

    /// The same records and candidates under another set of decisions: what a new
    /// decision changes, without comparing every record again.
    pub fn with_decisions(self, decisions: LinkDecisions) -> Linkage {
        Linkage::from_parts(self.members, self.facts, self.candidates, decisions)
    }

    pub(crate) fn from_parts(
        members: Vec<Member>,
        facts: Vec<Facts>,
        candidates: Vec<Candidate>,
        read: LinkDecisions,
    ) -> Linkage {
        let LinkDecisions {
            decisions,
            unreadable: unreadable_decisions,
        } = read;
        let mut index = HashMap::new();
        let mut ambiguous = std::collections::BTreeSet::new();
        for (i, m) in members.iter().enumerate() {
            if index.insert(m.id.clone(), i).is_some() {
                ambiguous.insert(m.id.clone());
            }
        }
        for id in &ambiguous {
            index.remove(id);
        }
        let n = members.len();
        let mut clusters = Clusters {
            parent: (0..n).collect(),
        };
        let force = in_force(&decisions);
        let mut apart: Vec<(usize, usize)> = Vec::new();
        for d in force.values() {
            let (Some(&a), Some(&b)) = (index.get(&d.a), index.get(&d.b)) else {
                // A decision on a record no longer counted (withdrawn, erased).
                continue;
            };
            match d.verdict {
                Some(Verdict::Same) => clusters.union(a, b),
                Some(Verdict::Different) => apart.push((a, b)),
                _ => {}
            }
        }
        // Automatic links, best first, where no decision speaks and no "different"
        // decision would end up inside one person.
        for c in candidates.iter().filter(|c| c.band == Band::Auto) {
            if force.contains_key(&pair(&members[c.a].id, &members[c.b].id)) {
                continue;
            }
            let (ra, rb) = (clusters.find(c.a), clusters.find(c.b));
            if ra == rb {
                continue;
            }
            let blocked = apart.iter().any(|&(x, y)| {
                let (rx, ry) = (clusters.find(x), clusters.find(y));
                (rx == ra && ry == rb) || (rx == rb && ry == ra)
            });
            if !blocked {
                clusters.union(ra, rb);
            }
        }
        // Persons in the order of their earliest record.
        let mut person_of = vec![usize::MAX; n];
        let mut persons: Vec<Person> = Vec::new();
        let mut of_root: HashMap<usize, usize> = HashMap::new();
        for i in 0..n {
            let root = clusters.find(i);
            let p = *of_root.entry(root).or_insert_with(|| {
                persons.push(Person {
                    id: person_id(&members[root], ambiguous.contains(&members[root].id)),
                    records: Vec::new(),
                    flags: Vec::new(),
                });
                persons.len() - 1
            });
            persons[p].records.push(members[i].clone());
            person_of[i] = p;
        }
        let mut linkage = Linkage {
            members,
            facts,
            candidates,
            decisions,
            unreadable_decisions,
            persons,
            person_of,
            index,
            ambiguous_records: ambiguous.into_iter().collect(),
        };
        linkage.flag(&apart);
        linkage
    }

    fn flag(&mut self, apart: &[(usize, usize)]) {
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); self.persons.len()];
        for (i, &p) in self.person_of.iter().enumerate() {
            groups[p].push(i);
        }
        for (p, group) in groups.iter().enumerate() {
            let mut flags = Vec::new();
            if group.len() > 3 {
                flags.push(Flag::Large);
            }
            if group.len() > 1 && group.len() <= PAIRWISE_MAX {
                let weak = group.iter().enumerate().any(|(k, &a)| {
                    group[k + 1..].iter().any(|&b| {
                        let c = compare(&self.facts[a], &self.facts[b]);
                        c.hard_conflict || c.score < REVIEW
                    })
                });
                if weak {
                    flags.push(Flag::WeakPair);
                }
            }
            if apart
                .iter()
                .any(|&(a, b)| self.person_of[a] == p && self.person_of[b] == p)
            {
                flags.push(Flag::ConflictingDecisions);
            }
            self.persons[p].flags = flags;
        }
    }

    /// The number of records linked.
    pub fn records(&self) -> usize {
        self.members.len()
    }

    /// The index of the person a record (by id and source) belongs to.
    pub(crate) fn person_index(&self, record: &str, source: &RecordSource) -> Option<usize> {
        let i = match self.index.get(record) {
            Some(&i) => i,
            None => self
                .members
                .iter()
                .position(|m| m.id == record && source_key(&m.source) == source_key(source))?,
        };
        (source_key(&self.members[i].source) == source_key(source)).then(|| self.person_of[i])
    }

    /// The record index of an id, refusing an id two records share.
    pub(crate) fn record_index(&self, record: &str) -> Result<usize> {
        let record = record.trim();
        if let Some(&i) = self.index.get(record) {
            return Ok(i);
        }
        if self.ambiguous_records.iter().any(|a| a == record) {
            return Err(Error::AmbiguousRecord(record.to_string()));
        }
        Err(Error::UnknownRecord(record.to_string()))
    }

    /// The person a record belongs to.
    pub fn person_of(&self, record: &str) -> Result<&Person> {
        Ok(&self.persons[self.person_of[self.record_index(record)?]])
    }

    /// A person by id, or by the id of any of its records.
    pub fn person(&self, id: &str) -> Result<&Person> {
        let id = id.trim();
        if let Some(p) = self.persons.iter().find(|p| p.id.eq_ignore_ascii_case(id)) {
            return Ok(p);
        }
        self.person_of(id).map_err(|e| match e {
            Error::AmbiguousRecord(_) => e,
            _ => Error::UnknownPerson(id.to_string()),
        })
    }

    /// Checks a pair a reviewer is about to decide: two records linkage knows.
    pub fn check_pair(&self, a: &str, b: &str) -> Result<()> {
        for id in [a, b] {
            self.record_index(id)?;
        }
        Ok(())
    }
}

/// Which source a record came from: `own`, or the sender's key id.
fn source_key(s: &RecordSource) -> &str {
    match s {
        RecordSource::Own => "own",
        RecordSource::Received { sender_key_id, .. } => sender_key_id,
    }
}

/// `P-` and twelve hex digits of the record's id; for a record whose id another shares,
/// also its whole source (`own` or the sender's key id, unique per sender), so that two
/// persons never share an id.
fn person_id(record: &Member, ambiguous: bool) -> String {
    let hex: String = record
        .id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    if ambiguous {
        return format!("P-{hex}-{}", source_key(&record.source).to_lowercase());
    }
    format!("P-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::Span;

    fn member(id: &str, sender: Option<&str>) -> Member {
        Member {
            id: id.into(),
            version: 1,
            source: match sender {
                None => RecordSource::Own,
                Some(s) => RecordSource::Received {
                    sender_key_id: s.into(),
                    sender_name: s.into(),
                },
            },
        }
    }

    fn facts(name: &str, birth: &str) -> Facts {
        Facts {
            name: Some(kua_core::names::name_key(name)),
            birth: Span::parse(birth),
            sex: Some("female".into()),
            ..Facts::default()
        }
    }

    /// A bundle that reuses another record's id (a forged or copied bundle) must not
    /// merge two survivors: the two records stay apart, decisions are neither taken nor
    /// applied on the shared id, and each counts as its own person.
    #[test]
    fn records_sharing_an_id_are_never_merged_by_it() {
        let shared = "11111111-1111-4111-8111-111111111111";
        let other = "22222222-2222-4222-8222-222222222222";
        let members = vec![
            member(shared, Some("AAAA0000")),
            member(shared, Some("BBBB0000")),
            member(other, None),
        ];
        let f = vec![
            facts("Асель Нурланова", "1990-06-15"),
            facts("Гульнара Омарова", "1971-02-01"),
            facts("Айгерим Сатпаева", "1985-03-03"),
        ];
        let found = super::super::candidates::candidates(&f);
        let same = Decision {
            id: "d1".into(),
            number: 1,
            a: shared.into(),
            b: other.into(),
            verdict: Some(Verdict::Same),
            undoes: None,
            note: None,
            time: "2026-12-03T00:00:00Z".into(),
        };
        let l = Linkage::from_parts(
            members,
            f,
            found,
            LinkDecisions {
                decisions: vec![same],
                unreadable: Vec::new(),
            },
        );
        assert_eq!(l.ambiguous_records, vec![shared.to_string()]);
        assert_eq!(l.persons.len(), 3, "{:?}", l.persons);
        let ids: HashSet<&str> = l.persons.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), 3, "person ids stay distinct: {ids:?}");
        let a = RecordSource::Received {
            sender_key_id: "AAAA0000".into(),
            sender_name: "x".into(),
        };
        let b = RecordSource::Received {
            sender_key_id: "BBBB0000".into(),
            sender_name: "y".into(),
        };
        let (pa, pb) = (
            l.person_index(shared, &a).unwrap(),
            l.person_index(shared, &b).unwrap(),
        );
        assert_ne!(pa, pb);
        assert_eq!(l.person_index(shared, &RecordSource::Own), None);
        assert!(matches!(
            l.check_pair(shared, other),
            Err(Error::AmbiguousRecord(_))
        ));
        assert!(matches!(l.person(shared), Err(Error::AmbiguousRecord(_))));
        assert!(l.person_of(other).is_ok());
    }
}
