//! The import's first stage, on a thread of its own: the bundle's reader (decryption,
//! the tar, the signature, SHA-256 of every byte) and the checks that need no vault
//! (`Checks`: parsing and checking records, cases and the carried custody log, and at
//! the end the log's chain and checkpoint). What it finds goes to the second stage, the
//! importer on the calling thread, which compares it with the vault and stores it.
//!
//! Why: on two cores a coordinator's import was one thread's work, and about a third
//! of that work needs nothing of the vault (docs/benchmarks.md, "Coordinator scale").
//!
//! Invariants:
//! - The events arrive in the bundle's order, as the reader's visitor would have seen
//!   them; a media file's bytes follow its `Media` event and end with `MediaEnd`.
//! - Everything is provisional until the stage's outcome says the whole bundle read
//!   and checked: the importer writes only into its open transaction.
//! - What is in flight between the stages is bounded (`LIMIT` bytes, or one event if
//!   that alone is larger), so a hostile bundle cannot make the import hold more than
//!   the old single pass did plus that bound.
//! - Plaintext passes between the threads in memory only; media pieces in zeroised
//!   buffers.
//! - When the importer stops (a rejected sender, a failure), dropping the `Reading`
//!   stops the stage at its next hand-over and waits for it: no thread outlives an
//!   import.

use super::checks::{Checks, Seen};
use crate::export::{BundledCase, BundledRecord};
use ed25519_dalek::VerifyingKey;
use kua_bundle::{FileEntry, Manifest, Visitor};
use std::io::Read;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use zeroize::Zeroizing;

/// How many bytes of the bundle may be between the two stages: more than one bundle of
/// a coordinator's usual size, so that the next can be read while one commits.
const LIMIT: usize = 8 << 20;

/// The size of each media piece handed over.
const PIECE: usize = 256 * 1024;

/// What the first stage found, in the bundle's order.
pub(super) enum Event {
    /// The manifest, verified with `sender`, and the SHA-256 of its signed bytes.
    Manifest {
        manifest: Box<Manifest>,
        sender: VerifyingKey,
        sha256: String,
    },
    /// A record, checked against its name, with its file's size and SHA-256.
    Record {
        record: Box<BundledRecord>,
        entry: FileEntry,
    },
    /// A lawyer's case, checked against its name.
    Case {
        case: Box<BundledCase>,
        entry: FileEntry,
    },
    /// A media file with this SHA-256: its bytes follow (when the import stores them).
    Media { sha256: String, entry: FileEntry },
    /// A piece of the current media file.
    Bytes(Zeroizing<Vec<u8>>),
    /// The end of the current media file's bytes.
    MediaEnd,
    /// The custody log (kept in the stage's `Checks`), for the progress.
    Log { entry: FileEntry },
}

impl Event {
    /// What the event holds of the bundle, for the bound on what is in flight.
    fn weight(&self) -> usize {
        let size = |e: &FileEntry| usize::try_from(e.size).unwrap_or(usize::MAX);
        match self {
            Event::Record { entry, .. } | Event::Case { entry, .. } => size(entry),
            Event::Bytes(b) => b.len(),
            _ => 0,
        }
    }
}

/// What the first stage ended with.
pub(super) struct Outcome {
    /// The reader's result.
    read: kua_bundle::Result<Manifest>,
    /// The vault-free checks after the whole bundle read (`Checks::finish`), run only
    /// when it did.
    finished: kua_bundle::Result<()>,
    checks: Checks,
    /// How many files the reader had begun to hand over when it returned.
    files_begun: usize,
}

impl Outcome {
    /// The bundle's checks, if it read and checked whole and the importer did not stop
    /// (`stopped`: after how many files, counting the one it stopped at, and why).
    ///
    /// The first stage reads on while the importer works, and checks each file's hash
    /// before it begins the next. If it failed at or before the file where the importer
    /// stopped (that file altered, say), that is the cause to report, as a single pass
    /// would have: not whatever the importer made of the altered bytes. Its stop when
    /// the importer was gone (`gone`) is never the cause.
    pub(super) fn checked(
        self,
        stopped: Option<(usize, kua_bundle::Error)>,
    ) -> kua_bundle::Result<Checks> {
        let read = match stopped {
            Some((at, stop)) => match self.read {
                Err(e)
                    if self.files_begun <= at && !matches!(e, kua_bundle::Error::Rejected(_)) =>
                {
                    Err(e)
                }
                _ => Err(stop),
            },
            None => self.read,
        };
        read?;
        self.finished?;
        Ok(self.checks)
    }
}

/// The bound on what is in flight: bytes held between the stages, and whether the
/// importer is gone.
#[derive(Default)]
struct Budget {
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

impl Budget {
    /// Waits until `n` more bytes fit (or nothing is in flight), then counts them;
    /// false if the importer is gone.
    fn take(&self, n: usize) -> bool {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !s.1 && s.0 > 0 && s.0.saturating_add(n) > LIMIT {
            s = self.changed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        if s.1 {
            return false;
        }
        s.0 = s.0.saturating_add(n);
        true
    }

    fn give(&self, n: usize) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 = s.0.saturating_sub(n);
        self.changed.notify_all();
    }

    fn close(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.1 = true;
        self.changed.notify_all();
    }
}

/// The first stage's visitor: checks each file and hands it over.
struct Forward {
    send: Sender<Event>,
    budget: Arc<Budget>,
    checks: Checks,
    pinned: Vec<(String, VerifyingKey)>,
    /// Whether media bytes are handed over (an import) or only read through their hash
    /// (a verify).
    media_bytes: bool,
    files_begun: usize,
    manifest_sha256: String,
}

/// The error the stage stops with when the importer is gone; never reported as the
/// bundle's (the importer's own reason is).
fn gone() -> kua_bundle::Error {
    kua_bundle::Error::Rejected("the import stopped".into())
}

impl Forward {
    fn hand(&self, event: Event) -> kua_bundle::Result<()> {
        let n = event.weight();
        if !self.budget.take(n) || self.send.send(event).is_err() {
            return Err(gone());
        }
        Ok(())
    }
}

impl Visitor for Forward {
    fn pinned(&mut self, key_id: &str) -> Option<VerifyingKey> {
        self.pinned
            .iter()
            .find(|(id, _)| id == key_id)
            .map(|(_, key)| *key)
    }

    fn manifest_sha256(&mut self, sha256: &str) {
        self.manifest_sha256 = sha256.to_string();
    }

    fn manifest(&mut self, m: &Manifest, sender: &VerifyingKey) -> kua_bundle::Result<()> {
        self.checks.manifest(m, sender);
        let sha256 = std::mem::take(&mut self.manifest_sha256);
        self.hand(Event::Manifest {
            manifest: Box::new(m.clone()),
            sender: *sender,
            sha256,
        })
    }

    fn file(
        &mut self,
        path: &str,
        entry: &FileEntry,
        data: &mut dyn Read,
    ) -> kua_bundle::Result<()> {
        self.files_begun += 1;
        let entry = entry.clone();
        match self.checks.file(path, &entry, data)? {
            Seen::Record(record) => self.hand(Event::Record { record, entry }),
            Seen::Case(case) => self.hand(Event::Case { case, entry }),
            Seen::Log => self.hand(Event::Log { entry }),
            Seen::Media(sha) => {
                let sha256 = sha.to_string();
                self.hand(Event::Media { sha256, entry })?;
                if self.media_bytes {
                    loop {
                        let mut piece = Zeroizing::new(vec![0u8; PIECE]);
                        let n = fill(data, &mut piece)?;
                        if n == 0 {
                            break;
                        }
                        piece.truncate(n);
                        self.hand(Event::Bytes(piece))?;
                    }
                }
                self.hand(Event::MediaEnd)
            }
        }
    }
}

/// Reads until `buf` is full or the file ends; how many bytes it holds.
fn fill(data: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match data.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The next bundle of a batch, read ahead while the one before it commits
/// (`Vault::import_reading_next`). Kept with the unlocked keys, so that a lock drops it
/// (and stops its thread) with them.
pub(crate) struct Ahead {
    pub(super) path: std::path::PathBuf,
    pub(super) reading: Reading,
}

impl std::fmt::Debug for Ahead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ahead { .. }")
    }
}

/// A bundle being read on the first stage's thread.
pub(super) struct Reading {
    receive: Option<Receiver<Event>>,
    budget: Arc<Budget>,
    thread: Option<std::thread::JoinHandle<Outcome>>,
}

impl Reading {
    /// Starts reading `input` on a thread of its own. `pinned` are the keys of trusted
    /// senders by key id (the reader authenticates their manifests before parsing
    /// them); `media_bytes` whether media bytes are handed over.
    pub(super) fn start(
        input: impl Read + Send + 'static,
        identity: kua_bundle::age::x25519::Identity,
        pinned: Vec<(String, VerifyingKey)>,
        media_bytes: bool,
    ) -> crate::error::Result<Reading> {
        let (send, receive) = std::sync::mpsc::channel();
        let budget = Arc::new(Budget::default());
        let mut forward = Forward {
            send,
            budget: Arc::clone(&budget),
            checks: Checks::default(),
            pinned,
            media_bytes,
            files_begun: 0,
            manifest_sha256: String::new(),
        };
        let thread = std::thread::Builder::new()
            .name("kua-import-read".into())
            .spawn(move || {
                let read = kua_bundle::read(input, std::slice::from_ref(&identity), &mut forward);
                drop(identity);
                let finished = match read {
                    Ok(_) => forward.checks.finish(),
                    Err(_) => Ok(()),
                };
                Outcome {
                    read,
                    finished,
                    checks: forward.checks,
                    files_begun: forward.files_begun,
                }
            })?;
        Ok(Reading {
            receive: Some(receive),
            budget,
            thread: Some(thread),
        })
    }

    /// The next event, or None when the stage has ended (see `finish`).
    pub(super) fn next(&mut self) -> Option<Event> {
        let event = self.receive.as_ref()?.recv().ok()?;
        self.budget.give(event.weight());
        Some(event)
    }

    /// Stops the stage if it is still reading (at its next hand-over) and returns how
    /// it ended.
    pub(super) fn finish(mut self) -> crate::error::Result<Outcome> {
        self.stop();
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(outcome)) => Ok(outcome),
            _ => Err(crate::error::Error::Bundle {
                code: "bundle_corrupt",
                message: "the bundle's reading stopped unexpectedly; nothing was imported".into(),
            }),
        }
    }

    fn stop(&mut self) {
        self.receive = None;
        self.budget.close();
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        self.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A media file's bytes as the first stage hands them over, until `MediaEnd`. Any
/// other end (the stage stopped on a damaged bundle) is an error, never an end.
pub(super) struct MediaBytes<'r> {
    pub(super) reading: &'r mut Reading,
    piece: Zeroizing<Vec<u8>>,
    at: usize,
    ended: bool,
}

impl<'r> MediaBytes<'r> {
    pub(super) fn new(reading: &'r mut Reading) -> MediaBytes<'r> {
        MediaBytes {
            reading,
            piece: Zeroizing::new(Vec::new()),
            at: 0,
            ended: false,
        }
    }

    /// Reads and drops what the importer left unread of this file.
    pub(super) fn skip(&mut self) -> std::io::Result<()> {
        std::io::copy(self, &mut std::io::sink()).map(|_| ())
    }
}

impl Read for MediaBytes<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.piece.len() {
            if self.ended || buf.is_empty() {
                return Ok(0);
            }
            match self.reading.next() {
                Some(Event::Bytes(piece)) => {
                    self.piece = piece;
                    self.at = 0;
                }
                Some(Event::MediaEnd) => self.ended = true,
                _ => {
                    return Err(std::io::Error::other(
                        "the bundle's reading stopped in the middle of a media file",
                    ))
                }
            }
        }
        let n = buf.len().min(self.piece.len() - self.at);
        buf[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
#[path = "reading_tests.rs"]
mod tests;
