//! The in-memory FTS5 index: documents in, the best-ranked matches out.
//!
//! A large index is split into shards, one in-memory SQLite database each, and a query
//! runs on every shard at once, one thread per shard; the best of each shard's best
//! are then taken together. On the two-core machine Kua is measured on, this cut the
//! query p95 at 100,000 testimonies by about a third, from 0.78–0.81 to 0.41–0.60 of
//! plain FTS5 (docs/benchmarks.md, "Search"). A document lives in the shard its row id
//! picks (`rowid % shards`), so consecutive documents alternate.
//!
//! The price is in the ranking: FTS5's rank (bm25) weighs a word by how few documents
//! hold it, and each shard counts its own documents. The shards' weights agree for a
//! word whose documents are split about evenly between them, as common words' are; a
//! rare word (a name in a few testimonies) is often split unevenly: against one table,
//! its weight in a shard differs by up to ln 2 when that shard holds it all, and by more
//! in a shard holding only a few of its documents (under about a quarter), so documents
//! can come in another order than one table would give (as in search engines that shard,
//! which also rank with each shard's statistics). Shards are therefore used only from
//! `SHARDED_FROM` documents; a smaller index is one table, and its order is exactly
//! FTS5's. Which is used is decided when the index is built.

use super::{fold, fts_query, rank, Term};
use crate::error::{Error, Result};
use crate::model::Status;
use rusqlite::{params, Connection};
use std::collections::HashMap;
use std::sync::mpsc::SyncSender;
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;

/// From how many documents the index is split (and only on a machine with more than one
/// core). Below it a query takes a few milliseconds (docs/benchmarks.md: p95 6–13 ms at
/// 10,000), and the exact order of one table is worth more than a thread.
pub(super) const SHARDED_FROM: usize = 20_000;

/// At most this many shards: the number measured.
const MAX_SHARDS: usize = 2;

#[derive(Debug)]
pub struct SearchIndex {
    /// Each shard's connection is used by one thread at a time: by the query's thread
    /// for that shard, or through `&mut self` for a change. The lock is never contended
    /// and is there to let a shared borrow of the index cross to those threads.
    shards: Vec<Mutex<Connection>>,
    rowids: HashMap<Uuid, i64>,
    ids: HashMap<i64, (Uuid, u32, Status)>,
    /// The row id the next document gets: it starts at 1 and is never reused, and it
    /// picks the document's shard (`shard_of`).
    next: i64,
}

/// A document to index: a testimony's latest version.
#[derive(Debug)]
pub struct Doc {
    pub id: Uuid,
    pub version: u32,
    pub status: Status,
    pub text: String,
}

/// A raw hit before the vault turns it into a `SearchHit`.
#[derive(Debug)]
pub struct Hit {
    pub id: Uuid,
    pub version: u32,
    pub status: Status,
}

/// One shard: an in-memory database with the FTS5 table. Temporary storage is in memory
/// too, so that nothing of the index ever reaches a temporary file.
fn shard() -> Result<Connection> {
    let open = || -> rusqlite::Result<Connection> {
        let db = Connection::open_in_memory()?;
        db.execute_batch(
            "PRAGMA temp_store = MEMORY;
             CREATE VIRTUAL TABLE doc USING fts5(body, content = '', contentless_delete = 1,
                 tokenize = 'unicode61 remove_diacritics 0');",
        )?;
        Ok(db)
    };
    open().map_err(index_error)
}

/// What a failure of SQLite in the index gives. It is said of the search index, not of
/// the vault file (which `From<rusqlite::Error>` would name for a corrupt database):
/// the index is in memory, and the vault drops it after a failed search (`Vault::search`).
fn index_error(e: rusqlite::Error) -> Error {
    Error::Storage(format!(
        "the search index failed ({e}); search again to rebuild it"
    ))
}

/// The shard a row id lives in, among `n` (row ids are positive).
pub(super) fn shard_of(rowid: i64, n: usize) -> usize {
    usize::try_from(rowid).unwrap_or(0) % n
}

/// What a shard gives when a thread panicked while it held the shard's lock, or while
/// searching it: the vault drops the index, and the next search builds it again
/// (`Vault::search`).
fn unusable() -> Error {
    Error::Storage("the search index is unusable; search again to rebuild it".into())
}

fn failed_build() -> Error {
    Error::Storage("the search index could not be built; search again to retry".into())
}

/// A shard's connection, for the one thread that uses it.
fn lock(shard: &Mutex<Connection>) -> Result<MutexGuard<'_, Connection>> {
    shard.lock().map_err(|_| unusable())
}

fn insert(db: &Connection, rowid: i64, body: &str) -> rusqlite::Result<()> {
    db.prepare_cached("INSERT INTO doc (rowid, body) VALUES (?1, ?2)")?
        .execute(params![rowid, body])?;
    Ok(())
}

/// The best `limit` matches of one shard, (rank, rowid), best first.
fn best_in(db: &Connection, query: &str, limit: usize) -> Result<Vec<(f64, i64)>> {
    let found = || -> rusqlite::Result<Vec<(f64, i64)>> {
        let mut stmt = db.prepare_cached("SELECT rank, rowid FROM doc WHERE doc MATCH ?1")?;
        let matches = stmt.query_map(params![query], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rank::best(matches, limit)
    };
    found().map_err(index_error)
}

/// How many documents pass to an inserter at a time. One at a time, every hand-over
/// woke a thread that then took the core from the reader: at 100,000 documents, waking
/// was 9 % of the build's CPU (docs/benchmarks.md, "Search", twelfth session).
pub(super) const BATCH: usize = 32;

/// Documents on their way to one shard's inserter: (row id, folded text).
pub(super) type Batch = Vec<(i64, String)>;

/// Reads the documents, folds each, gives it its row id and sends it to its shard's
/// inserter, `BATCH` at a time, until the documents end or one cannot be read (its error
/// is returned, and the documents not yet sent are dropped: the build fails). An
/// inserter stops only on an error, which its join reports; sending to it then fails,
/// and reading stops, at that shard's next full batch or at the end: up to `BATCH`
/// documents per shard may be read and folded for nothing after the failure.
pub(super) fn feed(
    index: &mut SearchIndex,
    docs: impl Iterator<Item = Result<Doc>>,
    senders: &[SyncSender<Batch>],
) -> Option<Error> {
    let mut pending: Vec<Batch> = senders.iter().map(|_| Vec::with_capacity(BATCH)).collect();
    for doc in docs {
        let doc = match doc {
            Ok(doc) => doc,
            Err(e) => return Some(e),
        };
        let rowid = index.next;
        let at = shard_of(rowid, senders.len());
        pending[at].push((rowid, fold::fold_text(&doc.text)));
        if pending[at].len() == BATCH {
            let full = std::mem::replace(&mut pending[at], Vec::with_capacity(BATCH));
            if senders[at].send(full).is_err() {
                return None;
            }
        }
        index.next += 1;
        index.rowids.insert(doc.id, rowid);
        index.ids.insert(rowid, (doc.id, doc.version, doc.status));
    }
    for (sender, rest) in senders.iter().zip(pending) {
        if !rest.is_empty() && sender.send(rest).is_err() {
            return None;
        }
    }
    None
}

impl SearchIndex {
    /// An index with no shard and no document, for `feed`'s unit test.
    #[cfg(test)]
    pub(super) fn empty() -> Self {
        SearchIndex {
            shards: Vec::new(),
            rowids: HashMap::new(),
            ids: HashMap::new(),
            next: 1,
        }
    }

    /// How many shards an index of `docs` documents is built with.
    pub(super) fn shards_for(docs: usize) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if docs >= SHARDED_FROM {
            cores.min(MAX_SHARDS)
        } else {
            1
        }
    }

    /// Builds an index of `shards` shards (one or two), each in one transaction. Reading the
    /// documents (decrypting, decoding, lower-casing, folding: the caller's iterator and
    /// `fold_text`) runs on this thread while one thread per shard feeds its FTS5 table,
    /// so that on two cores the build takes about as long as the FTS5 inserts alone.
    /// The text passes between them in memory only.
    pub(super) fn build_in(docs: impl Iterator<Item = Result<Doc>>, shards: usize) -> Result<Self> {
        // Enough to keep the threads busy, few enough to hold little plaintext: at most
        // QUEUE documents queued, and for each shard a batch being filled and one being
        // inserted (about 1 MB of folded text in all). The channels' sizes hold that for
        // one shard or two.
        const QUEUE: usize = 256;
        const _: () = assert!(QUEUE.is_multiple_of(BATCH * MAX_SHARDS));
        let connections = (0..shards.clamp(1, MAX_SHARDS))
            .map(|_| shard())
            .collect::<Result<Vec<_>>>()?;
        let mut index = SearchIndex {
            shards: Vec::new(),
            rowids: HashMap::new(),
            ids: HashMap::new(),
            next: 1,
        };
        let n = connections.len();
        let built = std::thread::scope(|scope| -> Result<Vec<Connection>> {
            let mut senders = Vec::with_capacity(n);
            let mut inserters = Vec::with_capacity(n);
            let mut cannot_start = None;
            for db in connections {
                let (send, receive) =
                    std::sync::mpsc::sync_channel::<Batch>((QUEUE / BATCH).div_ceil(n));
                senders.push(send);
                let started = std::thread::Builder::new().spawn_scoped(
                    scope,
                    move || -> Result<Connection> {
                        let fill = || -> rusqlite::Result<()> {
                            let tx = db.unchecked_transaction()?;
                            for (rowid, body) in receive.into_iter().flatten() {
                                insert(&tx, rowid, &body)?;
                            }
                            tx.commit()
                        };
                        fill().map_err(index_error)?;
                        Ok(db)
                    },
                );
                match started {
                    Ok(inserter) => inserters.push(inserter),
                    Err(e) => {
                        cannot_start = Some(e);
                        break;
                    }
                }
            }
            // The documents are read only if every thread started (a missing one's
            // receiver is gone, and reading would decrypt a testimony for nothing).
            let failed = match cannot_start {
                None => feed(&mut index, docs, &senders),
                Some(_) => None,
            };
            drop(senders);
            // Every inserter is joined before any result is looked at: one left running
            // would be joined by the scope, which panics if that thread did.
            let joined: Vec<_> = inserters.into_iter().map(|i| i.join()).collect();
            if let Some(e) = cannot_start {
                return Err(Error::Storage(format!(
                    "the search index could not be built ({e}); search again to retry"
                )));
            }
            if let Some(e) = failed {
                return Err(e);
            }
            joined
                .into_iter()
                .map(|j| j.map_err(|_| failed_build())?)
                .collect()
        })?;
        index.shards = built.into_iter().map(Mutex::new).collect();
        Ok(index)
    }

    fn shard_mut(&mut self, rowid: i64) -> Result<&mut Connection> {
        let at = shard_of(rowid, self.shards.len());
        self.shards[at].get_mut().map_err(|_| unusable())
    }

    /// Adds or replaces one document.
    pub fn upsert(&mut self, doc: Doc) -> Result<()> {
        self.remove(&doc.id)?;
        let rowid = self.next;
        self.next += 1;
        insert(self.shard_mut(rowid)?, rowid, &fold::fold_text(&doc.text)).map_err(index_error)?;
        self.rowids.insert(doc.id, rowid);
        self.ids.insert(rowid, (doc.id, doc.version, doc.status));
        Ok(())
    }

    pub fn remove(&mut self, id: &Uuid) -> Result<()> {
        if let Some(rowid) = self.rowids.remove(id) {
            self.ids.remove(&rowid);
            self.shard_mut(rowid)?
                .prepare_cached("DELETE FROM doc WHERE rowid = ?1")
                .and_then(|mut delete| delete.execute(params![rowid]))
                .map_err(index_error)?;
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Every document containing all the words of a query (each as a prefix, in any of
    /// its folded readings), best first, at most `limit` (`rank::best`): each shard's
    /// best on a thread of its own (the first on this one), then the best of those.
    pub(super) fn query(&self, terms: &[Term], limit: usize) -> Result<Vec<Hit>> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let query = fts_query(terms);
        let query = query.as_str();
        // No more rows were ever indexed than `next` counts, whatever was removed since
        // (a row whose removal failed is still in FTS5, and dropped below).
        let limit = limit.min(usize::try_from(self.next).unwrap_or(usize::MAX));
        if limit == 0 {
            return Ok(Vec::new());
        }
        let from_shard = |shard: &Mutex<Connection>| best_in(&*lock(shard)?, query, limit);
        let found: Vec<Vec<(f64, i64)>> = match self.shards.split_first() {
            None => Vec::new(),
            Some((first, [])) => vec![from_shard(first)?],
            Some((first, rest)) => std::thread::scope(|scope| {
                let others: Vec<_> = rest
                    .iter()
                    .map(|shard| {
                        std::thread::Builder::new().spawn_scoped(scope, move || from_shard(shard))
                    })
                    .collect();
                let mut found = vec![from_shard(first)];
                // Every thread is joined before any result is looked at (as in
                // `build_in`).
                for (shard, other) in rest.iter().zip(others) {
                    found.push(match other {
                        Ok(thread) => thread.join().unwrap_or_else(|_| Err(unusable())),
                        // No thread could be started: this shard is searched here.
                        Err(_) => from_shard(shard),
                    });
                }
                found.into_iter().collect::<Result<Vec<_>>>()
            })?,
        };
        let best = rank::best(found.into_iter().flatten().map(Ok::<_, Error>), limit)?;
        Ok(best
            .into_iter()
            .filter_map(|(_, rowid)| {
                self.ids.get(&rowid).map(|&(id, version, status)| Hit {
                    id,
                    version,
                    status,
                })
            })
            .collect())
    }

    /// Each shard's connection, for tests that look into the tables.
    #[cfg(test)]
    pub(super) fn shard_tables(&self) -> Vec<MutexGuard<'_, Connection>> {
        self.shards.iter().map(|s| lock(s).unwrap()).collect()
    }

    /// Leaves a shard as a thread that panicked while searching it would, for tests.
    #[cfg(test)]
    pub(crate) fn poison(&self, at: usize) {
        let shard = &self.shards[at];
        let panicked = std::panic::catch_unwind(|| {
            let _searching = shard.lock();
            std::panic::resume_unwind(Box::new("a thread fails while it holds the shard"))
        });
        assert!(panicked.is_err() && shard.is_poisoned());
    }

    /// The document indexed under a row id, for tests.
    #[cfg(test)]
    pub(super) fn id_of(&self, rowid: i64) -> Uuid {
        self.ids[&rowid].0
    }
}
