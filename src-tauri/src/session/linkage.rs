//! The session's analysis set and linkage: built on first use, rebuilt when the vault
//! changed, dropped on lock.
//!
//! Linkage compares every candidate pair of records: about a second at 10,000 records,
//! a minute at 100,000. It is therefore built without holding the vault (the records are
//! read under it, then the vault is let go), so that a lock never waits for it; a build
//! that a lock overtook (the epoch moved) is thrown away. A reviewer's decision changes
//! no record, so it does not rebuild the candidates: the decisions are applied again to
//! the ones in memory.

use super::{guard, present, Session};
use crate::error::IpcError;
use kua_analysis::persons::{Linkage, LINK_FIELDS};
use kua_analysis::AnalysisSet;
use kua_core::{Decision, Vault};
use std::sync::atomic::Ordering;
use std::sync::Arc;

impl Session {
    /// The open vault, unlocked and not being locked, to `f`.
    fn with_unlocked<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        let mut slot = guard(&self.vault);
        if self.locking.load(Ordering::SeqCst) {
            return Err(kua_core::Error::Locked.into());
        }
        f(present(&mut slot)?)
    }

    /// The linkage at the vault's current change mark, built now if there is none, with
    /// the epoch and mark it belongs to.
    fn linkage(&self) -> Result<(u64, u64, Arc<Linkage>), IpcError> {
        let _building = guard(&self.building);
        let read = self.with_unlocked(|vault| {
            let mark = vault.change_mark()?;
            let epoch = self.epoch.load(Ordering::SeqCst);
            if let Some((m, l)) = &*guard(&self.linkage) {
                if *m == mark {
                    return Ok(Err((epoch, mark, l.clone())));
                }
            }
            let records = vault.analysis_records(false, Some(LINK_FIELDS))?;
            let decisions = vault.link_decisions()?;
            let arrivals = vault.arrivals()?;
            let epoch = self.epoch.load(Ordering::SeqCst);
            Ok(Ok((mark, epoch, records, decisions, arrivals)))
        })?;
        let (mark, epoch, records, decisions, arrivals) = match read {
            Err(cached) => return Ok(cached),
            Ok(read) => read,
        };
        // The vault is free meanwhile: a lock, an edit, an import can go ahead.
        let built = Arc::new(Linkage::build(&records, decisions, &arrivals));
        drop(records);
        self.with_unlocked(|_| {
            if self.epoch.load(Ordering::SeqCst) != epoch {
                return Err(kua_core::Error::Locked.into());
            }
            *guard(&self.linkage) = Some((mark, built.clone()));
            Ok((epoch, mark, built))
        })
    }

    /// Runs `f` on the linkage of the open, unlocked vault. A vault changed meanwhile
    /// is linked again on the next call.
    pub fn with_linkage<T>(
        &self,
        f: impl FnOnce(&Linkage) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        let (_, _, linkage) = self.linkage()?;
        f(&linkage)
    }

    /// Records a decision (`decide` checks the pair against the linkage and writes it)
    /// and applies the vault's decisions to the linkage in memory, when the decision is
    /// the vault's only change since the linkage was built.
    pub fn decide(
        &self,
        decide: impl FnOnce(&mut Vault, &Linkage) -> Result<Decision, IpcError>,
    ) -> Result<Decision, IpcError> {
        let (epoch, mark, linkage) = self.linkage()?;
        self.with_unlocked(|vault| {
            // Another vault opened, or this one locked and opened again, meanwhile: the
            // pair was checked against records of another state.
            if self.epoch.load(Ordering::SeqCst) != epoch {
                return Err(kua_core::Error::Locked.into());
            }
            let d = decide(vault, &linkage)?;
            let now = vault.change_mark()?;
            let mut cached = guard(&self.linkage);
            let ours = matches!(&*cached, Some((m, l)) if *m == mark && Arc::ptr_eq(l, &linkage));
            if ours && now == mark + 1 {
                let decisions = vault.link_decisions()?;
                *cached = None;
                let again = Arc::unwrap_or_clone(linkage).with_decisions(decisions);
                *cached = Some((now, Arc::new(again)));
            }
            Ok(d)
        })
    }

    /// Runs `f` on the analysis set of the open, unlocked vault, built now if the vault
    /// changed since it was last built (every change is logged, so the log's length
    /// tells) or if `drafts` differs.
    ///
    /// With `persons`, the set's records are given their persons first (linkage is
    /// built if needed, see `linkage`).
    pub fn with_analysis<T>(
        &self,
        drafts: bool,
        persons: bool,
        f: impl FnOnce(&AnalysisSet) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        // An edit or an import between linking and counting moves the mark: link again
        // (a few times at most; a vault changing that fast is being imported into).
        let mut f = Some(f);
        for _ in 0..3 {
            let linkage = if persons { Some(self.linkage()?) } else { None };
            let counted = self.with_unlocked(|vault| {
                let mark = vault.change_mark()?;
                let epoch = self.epoch.load(Ordering::SeqCst);
                if linkage
                    .as_ref()
                    .is_some_and(|(e, at, _)| *e != epoch || *at != mark)
                {
                    return Ok(None);
                }
                let mut cached = guard(&self.analysis);
                let fresh = matches!(&*cached, Some((m, d, _)) if *m == mark && *d == drafts);
                if !fresh {
                    // The old set goes first, so two are never held at once.
                    *cached = None;
                    let set = AnalysisSet::build(
                        vault.analysis_records(drafts, Some(kua_analysis::FIELDS))?,
                    );
                    *cached = Some((mark, drafts, set));
                }
                let Some((_, _, set)) = cached.as_mut() else {
                    return Err(kua_core::Error::Locked.into());
                };
                if let Some((_, _, linkage)) = &linkage {
                    if !set.persons_linked() {
                        set.link_persons(linkage);
                    }
                }
                match f.take() {
                    Some(f) => f(set).map(Some),
                    None => Err(kua_core::Error::Locked.into()),
                }
            })?;
            if let Some(out) = counted {
                return Ok(out);
            }
        }
        Err(IpcError::new(
            "vault_changed",
            "the vault kept changing while persons were being linked; try again",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kua_core::Verdict;

    /// A sealed testimony of a woman named `name`, without a birth date: two of them
    /// are a review pair, never linked automatically.
    fn sealed(s: &Session, name: &str) -> String {
        let input: kua_core::model::TestimonyInput = serde_json::from_value(serde_json::json!({
            "template": "istanbul-2022", "language": "ru",
            "fields": {"interview_datetime": "2022-01-20T14:30", "interview_place": "Алматы",
                "interviewers": "Интервьюер 3", "events_date": "2022-01", "incident_place": "ИВС",
                "methods": ["beating"], "detaining_authority": "police",
                "full_name": name, "gender": "female", "events_region": "KZ-75"},
            "narrative": "…",
            "consent": {"given_at": "2022-01-20", "method": "oral", "scope": ["store", "coalition"], "anonymous": false}
        }))
        .unwrap();
        s.with_vault(|v| {
            let id = v.add(&input)?;
            v.seal(&id)?;
            Ok(id)
        })
        .unwrap()
    }

    fn persons(s: &Session) -> Vec<Vec<String>> {
        s.with_linkage(|l| {
            Ok(l.persons
                .iter()
                .map(|p| p.records.iter().map(|r| r.id.clone()).collect())
                .collect())
        })
        .unwrap()
    }

    /// A decision applied to the linkage in memory gives the persons a full rebuild
    /// gives, without rebuilding; a lock drops the linkage and refuses decisions.
    #[test]
    fn a_decision_in_memory_equals_a_rebuild_and_a_lock_drops_the_linkage() {
        let dir = tempfile::tempdir().unwrap();
        let s = crate::session::tests::with_vault(dir.path());
        let a = sealed(&s, "Алия Нурланова");
        let b = sealed(&s, "Aliya Nurlanova");
        let _ = sealed(&s, "Гульнара Омарова");
        assert_eq!(persons(&s).len(), 3);
        let before = guard(&s.linkage)
            .as_ref()
            .map(|(_, l)| Arc::clone(l))
            .unwrap();

        s.decide(|v, l| {
            l.check_pair(&a, &b)?;
            Ok(v.decide_link(&a, &b, Verdict::Same, None)?)
        })
        .unwrap();
        // Applied in memory at the new mark: the candidates are the ones compared before.
        let mark = s.with_vault(|v| v.change_mark()).unwrap();
        let after = guard(&s.linkage)
            .as_ref()
            .map(|(m, l)| (*m, Arc::clone(l)))
            .unwrap();
        assert_eq!(after.0, mark);
        let compared = |l: &Linkage| -> Vec<(String, String, String)> {
            l.pairs(None)
                .into_iter()
                .map(|p| (p.a.id, p.b.id, format!("{:.6}", p.comparison.score)))
                .collect()
        };
        assert!(!compared(&before).is_empty());
        assert_eq!(compared(&after.1), compared(&before));
        let in_memory = persons(&s);
        let rebuilt = s
            .with_vault(|v| {
                let l = kua_analysis::persons::link(v)?;
                Ok(l.persons
                    .iter()
                    .map(|p| p.records.iter().map(|r| r.id.clone()).collect::<Vec<_>>())
                    .collect::<Vec<_>>())
            })
            .unwrap();
        assert_eq!(in_memory, rebuilt);
        assert_eq!(in_memory.len(), 2);
        assert!(in_memory.iter().any(|p| p.contains(&a) && p.contains(&b)));

        s.lock().unwrap();
        assert!(guard(&s.linkage).is_none());
        assert!(guard(&s.analysis).is_none());
        assert!(s.with_linkage(|_| Ok(())).is_err());
        assert!(s
            .decide(|v, _| Ok(v.decide_link(&a, &b, Verdict::Different, None)?))
            .is_err());
    }
}
