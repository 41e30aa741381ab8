//! The media the page may play (media.rs serves them): grants by random token, and the
//! WebM remuxes kept for the players streaming now. Both end together, for one player
//! when it closes and for all of them when a lock begins or another vault opens.
//!
//! Locks are taken in one order: the vault's (by callers), then `media`, then `remux`.

use super::{guard, Session};
use crate::media::{Grant, Remux};
use std::sync::{Arc, MutexGuard};

impl Session {
    /// Grants the page a token to play `grant` through the media protocol.
    pub fn grant_media(&self, grant: Grant) -> String {
        let mut bytes = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        guard(&self.media).insert(token.clone(), grant);
        token
    }

    pub fn media_grant(&self, token: &str) -> Option<Grant> {
        guard(&self.media).get(token).cloned()
    }

    /// The kept WebM remux, if one is of the recording granted under `token`.
    pub fn remux(&self, token: &str) -> Option<Arc<zeroize::Zeroizing<Vec<u8>>>> {
        guard(&self.remux)
            .iter()
            .find(|r| r.token == token)
            .map(|r| Arc::clone(&r.webm))
    }

    /// Serialises the making of whole remuxes (see `remux_build`).
    pub fn remux_build(&self) -> MutexGuard<'_, ()> {
        guard(&self.remux_build)
    }

    /// Keeps `remux` with the latest one before it (two players may stream at once),
    /// unless the media grants were cleared (a lock or an erase) since its token was
    /// checked: then it is dropped at once.
    pub fn keep_remux(&self, remux: Remux) {
        let grants = guard(&self.media);
        let mut kept = guard(&self.remux);
        kept.retain(|r| r.token != remux.token && grants.contains_key(&r.token));
        if grants.contains_key(&remux.token) {
            kept.push(remux);
        }
        let over = kept.len().saturating_sub(2);
        kept.drain(..over);
    }

    /// Ends the grant of one player (it closed) and wipes its remux, if one is kept.
    pub fn release_media(&self, token: &str) {
        guard(&self.media).remove(token);
        guard(&self.remux).retain(|r| r.token != token);
    }

    /// Forgets every media grant and wipes the remuxes kept for them.
    pub(crate) fn clear_media(&self) {
        guard(&self.media).clear();
        guard(&self.remux).clear();
    }
}
