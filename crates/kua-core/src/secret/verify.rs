//! `kua verify`'s check of every setting against the custody log.

use super::logged_settings;
use crate::custody::{Entry, Event};
use crate::error::Result;
use crate::vault::Ctx;
use std::collections::BTreeMap;

/// Checks every setting against its last logged state (see the module documentation of
/// `secret`),
/// and reports recoveries that found a rolled-back recording and header damage.
pub(crate) fn verify_settings(
    ctx: &Ctx<'_>,
    entries: &[Entry],
    problem: &mut impl FnMut(&str, String, String),
) -> Result<()> {
    let logged = logged_settings(entries);
    let mut ended = std::collections::BTreeSet::new();
    let mut recordings_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in entries {
        match (e.event, &e.record, &e.detail) {
            (Event::RecordingRolledBack, _, Some(id)) => problem(
                "setting_rolled_back",
                format!("recording {id}"),
                "when it was recovered, the recording's record was older than its logged state: it had been put back from an older copy of the vault, and audio saved after that copy was lost".into(),
            ),
            (Event::AttachmentAdded, _, Some(id)) => {
                ended.insert(crate::recording::secret_name_str(id));
            }
            (Event::RecordingStarted, Some(t), Some(id)) => recordings_of
                .entry(t.clone())
                .or_default()
                .push(crate::recording::secret_name_str(id)),
            (Event::Deleted, Some(t), _) => {
                ended.extend(recordings_of.remove(t).unwrap_or_default());
            }
            _ => {}
        }
    }
    let states = ctx.secret_states()?;
    for (name, state) in &states {
        let place = format!("setting {name}");
        let state = match state {
            Ok(s) => s,
            Err(_) => {
                problem(
                    "setting_unreadable",
                    place,
                    "the setting does not decrypt at its revision: altered, damaged, or put back from an older copy".into(),
                );
                continue;
            }
        };
        match logged.get(name) {
            None => problem(
                "unlogged_setting",
                place,
                "the custody log has no entry for this setting: it was added outside Kua".into(),
            ),
            Some((rev, digest)) => {
                if state.rev < *rev || (state.rev == *rev && state.digest != *digest) {
                    problem(
                        "setting_rolled_back",
                        place,
                        format!("the setting is at revision {} but the log records revision {rev}: it was put back from an older copy of the vault", state.rev),
                    );
                } else if state.rev > *rev && !name.starts_with("recording:") {
                    problem(
                        "unlogged_setting",
                        place,
                        format!("the setting is at revision {} but the log records revision {rev}: it was changed outside Kua", state.rev),
                    );
                }
            }
        }
    }
    for name in logged.keys() {
        if !states.contains_key(name) && !ended.contains(name) {
            problem(
                "setting_missing",
                format!("setting {name}"),
                "the custody log records this setting but the vault no longer holds it".into(),
            );
        }
    }
    for part in &ctx.keys.header_damage {
        problem(
            "header_damaged",
            format!("vault header: {part}"),
            if *part == "recovery_slot" {
                "the recovery-key slot is damaged: the recovery key no longer opens the vault; make a new recovery key now, while the passphrase works".into()
            } else {
                "this part of the plaintext header does not match its MAC: it was altered or damaged".into()
            },
        );
    }
    Ok(())
}
