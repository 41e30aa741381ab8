//! How a bundle's carried custody log relates to what this vault already has from the
//! same sender: first, extends, late (reordered), gap, fork.

use super::{Continuity, SenderState};
use crate::custody::Event;
use crate::export::{ExportedDetail, LogLine};

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
