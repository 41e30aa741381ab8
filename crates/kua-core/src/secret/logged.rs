//! What the custody log last recorded of each setting: the state a checked read of a
//! setting (`read_secret`) and `kua verify` compare the row with (see the module
//! documentation of `secret`).

use crate::custody::{Entry, Event};
use std::collections::BTreeMap;

/// The last logged (revision, digest) of every setting, from the custody log.
pub(crate) type LoggedSettings = BTreeMap<String, (u32, String)>;

pub(crate) fn logged_settings(entries: &[Entry]) -> LoggedSettings {
    let mut logged = LoggedSettings::new();
    for e in entries {
        if let (Some(name), Some(rev), Some(digest)) = (logged_name(e), e.version, &e.content_hash)
        {
            logged.insert(name, (rev, digest.clone()));
        }
    }
    logged
}

/// The logged settings as of the log's first `tail.size` entries.
#[derive(Debug)]
pub(crate) struct LoggedCache {
    pub(super) settings: LoggedSettings,
    pub(super) tail: crate::custody::Tail,
}

impl Default for LoggedCache {
    fn default() -> Self {
        LoggedCache {
            settings: LoggedSettings::new(),
            tail: crate::custody::Tail::EMPTY,
        }
    }
}

impl LoggedCache {
    /// Folds in `entries`, the ones that follow `tail`.
    pub(super) fn advance(&mut self, entries: &[Entry]) {
        if let Some(last) = entries.last() {
            self.settings.extend(logged_settings(entries));
            self.tail = crate::custody::Tail {
                size: last.seq + 1,
                head: last.hash(),
            };
        }
    }
}

/// The setting a custody entry records the state of, if any.
pub(crate) fn logged_name(e: &Entry) -> Option<String> {
    match e.event {
        Event::VaultCreated => Some(crate::vault::SIGNING_KEY.into()),
        Event::IdentityChanged => Some(crate::identity::AGE_IDENTITY.into()),
        Event::RecipientsChanged => Some(crate::contacts::RECIPIENTS.into()),
        Event::TrustChanged => Some(crate::contacts::TRUSTED.into()),
        Event::RecordingStarted | Event::RecordingSaved => e
            .detail
            .as_ref()
            .map(|id| crate::recording::secret_name_str(id)),
        Event::SettingChanged | Event::LinkDecided => e.detail.clone(),
        _ => None,
    }
    // Entries written by format 1 carry no revision: they say nothing about rows.
    .filter(|_| e.version.is_some() && e.content_hash.is_some())
}
