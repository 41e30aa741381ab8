//! Recovery of recordings cut short: at the next unlock, each open-recording record is
//! finished from what was flushed, after checking it against its last logged state.

use super::{secret_name, Live, Open};
use crate::catalog::parse_id;
use crate::chunks::{chunk_rowid, open_chunk, ChunkSealer, Nonces};
use crate::crypto::{hex, Key};
use crate::error::{Error, Result};
use crate::model::AttachmentInfo;
use crate::records::Head;
use crate::vault::{Ctx, Vault};
use crate::CHUNK;
use rusqlite::params;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::{Zeroize, Zeroizing};

fn prefix_bytes(hex_prefix: &str, id: &Uuid) -> Result<[u8; 19]> {
    let bytes = data_encoding::HEXLOWER
        .decode(hex_prefix.as_bytes())
        .map_err(|_| Error::integrity(format!("open recording {id}")))?;
    bytes
        .try_into()
        .map_err(|_| Error::integrity(format!("open recording {id}")))
}

impl Vault {
    /// Finishes every recording that a crash left open, from what was flushed, and logs
    /// each as recovered. Front ends call it after unlocking. One that cannot be
    /// recovered (its record or chunks damaged) does not stop the others: they are
    /// recovered and committed, and then the first error is returned (verify names the
    /// damage; the next unlock tries again).
    pub fn recover_recordings(&mut self) -> Result<Vec<AttachmentInfo>> {
        let mut ctx = self.ctx()?;
        let mut out = Vec::new();
        let open: Vec<_> = ctx
            .open_recordings_rev()?
            .into_iter()
            .filter(|(id, _, _)| !ctx.keys.recordings.contains_key(id))
            .collect();
        if open.is_empty() {
            return Ok(out);
        }
        // The last logged state of each record (recording_started, recording_saved,
        // and setting_changed at migration or key rotation).
        let (entries, _) = crate::custody::walk(ctx.db, &ctx.vault, &ctx.keys.sub.custody, None)?;
        let logged = crate::secret::logged_settings(&entries);
        let mut first_error = None;
        for (id, open, rev) in open {
            // Recover what is there (it is all there is); a record older than its
            // logged state is said in the log, for good, with the recovery.
            let rolled_back = logged
                .get(&secret_name(&id))
                .is_some_and(|&(was, _)| rev < was)
                .then_some(rev);
            match ctx.recover_one(id, open, rolled_back) {
                Ok(info) => out.push(info),
                Err(e) => {
                    ctx.keys.recordings.remove(&id);
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }
}

impl Ctx<'_> {
    fn recover_one(
        &mut self,
        id: Uuid,
        mut open: Open,
        rolled_back: Option<u32>,
    ) -> Result<AttachmentInfo> {
        let bad = || Error::integrity(format!("open recording {id}"));
        let mut key_bytes = Zeroizing::new(
            data_encoding::HEXLOWER
                .decode(open.key.as_bytes())
                .map_err(|_| bad())?,
        );
        let key = Key::from_slice(&key_bytes).ok_or_else(bad)?;
        key_bytes.zeroize();
        let testimony = parse_id(&open.testimony)?;
        let prefix = match open.nonces {
            Nonces::Stream => prefix_bytes(&open.prefix, &id)?,
            Nonces::Random => [0u8; 19],
        };
        let row = Uuid::parse_str(&open.row).map_err(|_| bad())?;
        let head = Head {
            row,
            key,
            id,
            version: 1,
            parent: testimony,
        };
        // Read back what was flushed: the hash is over the whole stream, and the tail
        // must be re-sealed as the last chunk. A format-1 recording's chunks, tail
        // included, are sealed again under random nonces in one transaction with its
        // record, so that it has one nonce scheme throughout at every commit.
        let mut hasher = Sha256::new();
        let mut tail = Zeroizing::new(Vec::new());
        let mut resealed = Vec::new();
        let sealer = ChunkSealer::new(
            self.seams,
            &head.key,
            &self.vault,
            &self.keys.sub.chunk_ids,
            id,
        );
        // A recording killed before its first flush has an open record and no chunk at
        // all: nothing was captured, and it is recovered as the empty recording it is
        // (its start is in the log). Any other missing chunk is damage.
        let never_flushed = self.never_flushed(&id, &open)?;
        let flushed = if never_flushed {
            0..0
        } else {
            0..open.full_chunks + 1
        };
        for index in flushed {
            let place = format!("recording {id} chunk {index}");
            let sealed: Vec<u8> = self
                .db
                .query_row(
                    "SELECT body FROM chunk WHERE id = ?1",
                    params![chunk_rowid(&self.keys.sub.chunk_ids, &id, index)],
                    |r| r.get(0),
                )
                .map_err(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Error::integrity(place.clone()),
                    e => e.into(),
                })?;
            let is_tail = index == open.full_chunks;
            let take = if is_tail { open.tail_len } else { CHUNK };
            // The tail may already carry the "last" flag: a finish that sealed it and
            // then failed to write the attachment record leaves it so.
            let opened = |last| {
                open_chunk(
                    &head.key,
                    &self.vault,
                    open.nonces,
                    (&id, &prefix),
                    (index, last, take),
                    &sealed,
                    &place,
                )
            };
            let plain = match opened(false) {
                Ok(p) => p,
                Err(_) if is_tail => opened(true)?,
                Err(e) => return Err(e),
            };
            let part = plain.get(..take).ok_or_else(|| Error::integrity(place))?;
            hasher.update(part);
            if is_tail {
                tail = Zeroizing::new(part.to_vec());
            }
            if open.nonces == Nonces::Stream {
                let mut full = Zeroizing::new(vec![0u8; CHUNK]);
                full[..take].copy_from_slice(part);
                resealed.push(sealer.seal(index, false, take, &full)?);
            }
        }
        drop(sealer);
        if open.nonces == Nonces::Stream {
            open.nonces = Nonces::Random;
            let bytes = Zeroizing::new(
                serde_json::to_vec(&open).map_err(|e| Error::Storage(e.to_string()))?,
            );
            let tx = self.db.unchecked_transaction()?;
            for (rowid, body) in &resealed {
                tx.execute(
                    "UPDATE chunk SET body = ?2 WHERE id = ?1",
                    params![rowid, body],
                )?;
            }
            self.write_secret(&tx, &secret_name(&id), &bytes)?;
            tx.commit()?;
        }
        let size = open.full_chunks * CHUNK as u64 + open.tail_len as u64;
        let sha = hex(&hasher.finalize());
        self.keys.recordings.insert(
            id,
            Live {
                open,
                head,
                tail,
                hasher: Sha256::new(),
                rolled_back,
            },
        );
        self.flush_live(&id, None, true)?;
        self.close(&id, sha, size, true)
    }
}
