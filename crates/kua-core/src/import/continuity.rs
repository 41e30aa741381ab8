//! How a bundle's carried custody log relates to what this vault already has from the
//! same sender: first, extends, late (reordered), gap, fork; and whether bundles hold
//! what the sender's log says was exported under their ids.

use super::senders::{LoggedExport, SenderState};
use super::Continuity;
use crate::custody::Event;
use crate::error::{Error, Result};
use crate::export::{ExportedDetail, LogLine};
use std::collections::BTreeMap;

/// Continuity of a carried log against what the vault has seen from the sender.
pub(super) fn continuity(
    state: Option<&SenderState>,
    lines: &[LogLine],
    our_recipient: &str,
    bundle: &str,
) -> (Continuity, Vec<String>) {
    let theirs: Vec<&str> = lines.iter().map(|l| l.hash.as_str()).collect();
    let missing: Vec<String> = lines
        .iter()
        .filter_map(|l| l.entry.as_ref())
        .filter(|e| e.event == Event::Exported)
        .filter_map(|e| serde_json::from_str::<ExportedDetail>(e.detail.as_deref()?).ok())
        .filter(|d| d.bundle != bundle && d.recipients.iter().any(|r| r == our_recipient))
        .map(|d| d.bundle)
        .filter(|b| state.is_none_or(|s| !s.bundles.contains(b)))
        .collect();
    let Some(state) = state else {
        return if missing.is_empty() {
            (Continuity::First, missing)
        } else {
            (
                Continuity::Gap {
                    missing: missing.clone(),
                },
                missing,
            )
        };
    };
    if let Some(at) = state.log.iter().zip(&theirs).position(|(a, b)| a != b) {
        return (Continuity::Fork { at: at as u64 }, missing);
    }
    if !missing.is_empty() {
        return (
            Continuity::Gap {
                missing: missing.clone(),
            },
            missing,
        );
    }
    if theirs.len() < state.log.len() {
        (Continuity::Late, missing)
    } else {
        (Continuity::Extends, missing)
    }
}

fn not_as_logged(bundle: &str, which: &str) -> Error {
    Error::Bundle {
        code: "bundle_not_as_logged",
        message: format!("{which} ({bundle}) does not hold what the sender's custody log says was exported under its id: a bundle forged under a genuine bundle's id; nothing was imported"),
    }
}

/// Checks the arriving bundle against what the sender's log says was exported under its
/// id (from this bundle's log or one seen before), and bundles imported earlier against
/// what this bundle's log says of them. Only a bundle that carries exactly the records
/// the sender logged, with the log that ended where the sender logged the export, counts
/// as that bundle: a forgery reusing the id of a bundle still awaited cannot release the
/// gap, nor turn the genuine bundle into "already imported".
pub(super) fn check_logged(
    state: Option<&SenderState>,
    carried: &BTreeMap<String, LoggedExport>,
    bundle: &str,
    arriving: &LoggedExport,
) -> Result<()> {
    let expected = carried
        .get(bundle)
        .or_else(|| state.and_then(|s| s.logged.get(bundle)));
    if expected.is_some_and(|x| x != arriving) {
        return Err(not_as_logged(bundle, "this bundle"));
    }
    if let Some(s) = state {
        for (id, x) in carried {
            if s.seen
                .get(id)
                .is_some_and(|seen| seen.log_size != x.log_size || seen.records != x.records)
            {
                return Err(not_as_logged(id, "a bundle imported earlier"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custody::Entry;
    use crate::import::senders::SeenBundle;
    use std::collections::BTreeSet;

    const US: &str = "us";

    fn line(seq: u64, hash: &str, export: Option<(&str, &str)>) -> LogLine {
        let detail = export.map(|(bundle, to)| {
            serde_json::to_string(&ExportedDetail {
                bundle: bundle.into(),
                recipients: vec![to.into()],
                records: Vec::new(),
                withheld: 0,
                cases: Vec::new(),
            })
            .expect("a detail serialises")
        });
        LogLine {
            seq,
            hash: hash.into(),
            entry: Some(Entry {
                seq,
                prev_hash: String::new(),
                time: 0,
                event: if export.is_some() {
                    Event::Exported
                } else {
                    Event::Created
                },
                record: None,
                version: None,
                content_hash: None,
                detail,
            }),
        }
    }

    fn state(log: &[&str]) -> SenderState {
        SenderState {
            log: log.iter().map(|h| h.to_string()).collect(),
            ..SenderState::default()
        }
    }

    #[test]
    fn an_export_to_someone_else_is_no_gap() {
        let lines = [
            line(0, "a", None),
            line(1, "b", Some(("other-bundle", "them"))),
        ];
        assert_eq!(continuity(None, &lines, US, "this").0, Continuity::First);
        let lines = [line(0, "a", None), line(1, "b", Some(("earlier", US)))];
        assert_eq!(
            continuity(None, &lines, US, "this").0,
            Continuity::Gap {
                missing: vec!["earlier".into()]
            }
        );
        // This bundle's own export entry is not a missing bundle.
        let lines = [line(0, "a", None), line(1, "b", Some(("this", US)))];
        assert_eq!(continuity(None, &lines, US, "this").0, Continuity::First);
    }

    #[test]
    fn the_same_log_again_extends_a_shorter_one_is_late() {
        let known = state(&["a", "b"]);
        let same = [line(0, "a", None), line(1, "b", None)];
        assert_eq!(
            continuity(Some(&known), &same, US, "x").0,
            Continuity::Extends
        );
        let longer = [line(0, "a", None), line(1, "b", None), line(2, "c", None)];
        assert_eq!(
            continuity(Some(&known), &longer, US, "x").0,
            Continuity::Extends
        );
        let shorter = [line(0, "a", None)];
        assert_eq!(
            continuity(Some(&known), &shorter, US, "x").0,
            Continuity::Late
        );
        let forked = [line(0, "a", None), line(1, "z", None)];
        assert_eq!(
            continuity(Some(&known), &forked, US, "x").0,
            Continuity::Fork { at: 1 }
        );
    }

    #[test]
    fn an_earlier_bundle_differing_in_records_alone_or_log_size_alone_is_not_as_logged() {
        let records = |ids: &[&str]| -> BTreeSet<(String, u32)> {
            ids.iter().map(|id| (id.to_string(), 1)).collect()
        };
        let mut known = state(&["a"]);
        known.seen.insert(
            "earlier".into(),
            SeenBundle {
                manifest: String::new(),
                log_size: 5,
                records: records(&["r1"]),
            },
        );
        let arriving = LoggedExport {
            log_size: 9,
            records: records(&["r2"]),
        };
        let check = |log_size, ids: &[&str]| {
            let carried = BTreeMap::from([(
                "earlier".to_string(),
                LoggedExport {
                    log_size,
                    records: records(ids),
                },
            )]);
            check_logged(Some(&known), &carried, "this", &arriving).map_err(|e| e.code())
        };
        assert_eq!(check(5, &["r1"]), Ok(()));
        assert_eq!(check(5, &["r1", "r3"]), Err("bundle_not_as_logged"));
        assert_eq!(check(6, &["r1"]), Err("bundle_not_as_logged"));
    }
}
