//! The end of an import that passed every check: a sender first seen trusted (and that
//! logged), what this vault now knows of the sender (its state, logged as a setting,
//! and the pending bundles this one completes), and one custody entry per record and
//! case received (or one saying the bundle brought nothing new), all written into the
//! import's transaction; then, once it committed, the catalog.

use super::checks::Checks;
use super::continuity::learn;
use super::senders::{KeptSenders, Loaded, LoggedExport, SeenBundle};
use super::MEDIA_PARENT;
use crate::custody::{Change, Event, Tail};
use crate::error::Result;
use crate::records::Head;
use crate::vault::Ctx;
use kua_bundle::Manifest;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};

/// A bundle that passed every check, with what its import staged.
pub(super) struct Accepted<'a> {
    pub(super) checks: &'a Checks,
    pub(super) manifest: &'a Manifest,
    pub(super) manifest_sha256: String,
    /// The sender's canonical public key line.
    pub(super) sender_key: String,
    pub(super) sender_name: String,
    /// The name the sender is trusted under; None for a sender this import trusts.
    pub(super) trusted_as: Option<String>,
    pub(super) replay: bool,
    /// The earlier bundles to this vault, logged by the sender, that have not come.
    pub(super) missing: Vec<String>,
    /// The exports to this vault the carried log shows.
    pub(super) carried: BTreeMap<String, LoggedExport>,
    pub(super) arriving: LoggedExport,
    pub(super) new_records: &'a [(Head, Vec<u8>)],
    pub(super) new_cases: &'a [(Head, String)],
}

/// What `Accepted::write` wrote, for the vault to adopt once the transaction committed.
pub(super) struct Written {
    pub(super) tail: Tail,
    pub(super) senders: KeptSenders,
    /// Pending bundles this one completed.
    pub(super) released: Vec<String>,
}

impl Accepted<'_> {
    /// Updates what this vault knows of the sender, releases the pending bundles this
    /// one completes, trusts a new sender, and logs what was received, all in `tx`.
    pub(super) fn write(
        self,
        ctx: &mut Ctx<'_>,
        tx: &Connection,
        loaded: Loaded,
    ) -> Result<Written> {
        let Accepted {
            checks,
            manifest,
            manifest_sha256,
            sender_key,
            mut sender_name,
            trusted_as,
            replay,
            missing,
            carried,
            arriving,
            new_records,
            new_cases,
        } = self;
        let mut senders = loaded.into_changing();
        let state = senders.state(&sender_key);
        state.name = sender_name.clone();
        state.vault_id = manifest.sender.vault_id.clone();
        if !replay {
            let theirs: Vec<&str> = checks.log.iter().map(|l| l.hash.as_str()).collect();
            learn(state, &theirs, &carried);
            state.bundles.push(manifest.bundle_id.clone());
            if !missing.is_empty() {
                state.pending.insert(manifest.bundle_id.clone(), missing);
            }
        }
        state.seen.insert(
            manifest.bundle_id.clone(),
            SeenBundle {
                manifest: manifest_sha256,
                log_size: arriving.log_size,
                records: arriving.records,
            },
        );
        state.logged.extend(carried);
        let done: BTreeSet<String> = state.bundles.iter().cloned().collect();
        let mut released = Vec::new();
        state.pending.retain(|bundle, waiting| {
            waiting.retain(|w| !done.contains(w));
            if waiting.is_empty() {
                released.push(bundle.clone());
            }
            !waiting.is_empty()
        });
        let mut tail = ctx.keys.tail;
        if trusted_as.is_none() {
            if let Some(key) = checks.sender {
                sender_name = ctx.trust_within(tx, &mut tail, &key)?;
            }
        }
        senders.state(&sender_key).name.clone_from(&sender_name);
        let kept = senders.store(ctx, tx, &mut tail)?;
        // One entry per record and case received, signed together (`log_many`).
        let received = format!(
            "bundle {} from {} ({})",
            manifest.bundle_id, sender_name, manifest.sender.key_id
        );
        let records = new_records.iter().map(|(head, hash)| {
            (
                Event::Imported,
                Change {
                    record: Some(head.id),
                    version: Some(head.version),
                    content_hash: Some(String::from_utf8_lossy(hash).into_owned()),
                    detail: Some(received.clone()),
                },
            )
        });
        let cases = new_cases.iter().map(|(head, sha)| {
            (
                Event::CaseImported,
                Change {
                    record: Some(head.id),
                    version: Some(head.version),
                    content_hash: Some(sha.clone()),
                    detail: Some(received.clone()),
                },
            )
        });
        ctx.log_many(tx, &mut tail, records.chain(cases).collect())?;
        if new_records.is_empty() && new_cases.is_empty() && !replay {
            ctx.log(
                tx,
                &mut tail,
                Event::Imported,
                Change {
                    detail: Some(format!(
                        "bundle {} from {} ({}): nothing new",
                        manifest.bundle_id, sender_name, manifest.sender.key_id
                    )),
                    ..Change::default()
                },
            )?;
        }
        Ok(Written {
            tail,
            senders: kept,
            released,
        })
    }
}

/// Adds what an import stored to the catalog, once its transaction committed.
pub(super) fn catalog_received(
    ctx: &mut Ctx<'_>,
    records: Vec<(Head, Vec<u8>)>,
    media: Vec<Head>,
    cases: Vec<(Head, String)>,
) {
    let catalog = &mut ctx.keys.catalog;
    for (head, _) in cases {
        catalog
            .received_cases
            .entry((head.parent, head.id))
            .or_default()
            .push(head);
    }
    for (head, _) in records {
        catalog.add_received(head);
    }
    catalog
        .attachments
        .entry(MEDIA_PARENT)
        .or_default()
        .extend(media);
}
