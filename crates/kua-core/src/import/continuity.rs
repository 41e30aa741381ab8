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
