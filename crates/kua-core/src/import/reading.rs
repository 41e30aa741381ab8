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
//! - What is in flight between the stages is bounded by an estimate (`flow::LIMIT`:
//!   what a parsed file is expected to hold, each piece's allocation and a fixed cost
//!   per hand-over, counted before the file is parsed), or one hand-over if that alone
//!   is larger. A hostile bundle can exceed the estimate by a constant factor (JSON of
//!   empty arrays), not without bound; a 64 MiB record may be held twice (one being
//!   stored, one parsed or waiting) where the single pass held it once. A bundle read
//!   ahead holds its own parsed log and manifest beside the import that commits.
//! - Plaintext passes between the threads in memory only; media pieces in zeroised
//!   buffers.
//! - When the importer stops, the stage stops too: at its next hand-over, or at its
//!   next read of the bundle once nothing it could still find would be reported
//!   (`flow::Cut`). A `Reading` dropped or finished waits for its thread; a bundle
//!   read ahead lives in the unlocked keys until its import takes it or it is dropped.

use super::checks::{Checks, Seen};
use crate::export::{BundledCase, BundledRecord};
use ed25519_dalek::VerifyingKey;
use flow::{Cut, Flow};
use kua_bundle::{FileEntry, Manifest, Visitor};
use std::io::Read;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use zeroize::Zeroizing;

mod flow;
mod media;

pub(super) use media::MediaBytes;

/// The largest media piece handed over.
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

/// What the first stage ended with.
pub(super) struct Outcome {
    /// The reader's result.
    read: kua_bundle::Result<Manifest>,
    /// The vault-free checks after the whole bundle read (`Checks::finish`), run only
    /// when it did.
    finished: kua_bundle::Result<()>,
    checks: Checks,
    /// The file (counted from 1) the reader's failure is about, when it is about one:
    /// it failed while handing it over, or its hash did not match. None otherwise:
    /// the reader failed between files or after the last (a header, the trailing
    /// data), or did not fail.
    failed_in: Option<usize>,
    /// The reader stopped because the importer was gone.
    gone: bool,
}

impl Outcome {
    /// The bundle's checks, if it read and checked whole and the importer did not stop
    /// (`stopped`: at which file, counted from 1, or 0 for the manifest, and why).
    ///
    /// The first stage reads on while the importer works, and checks each file's hash
    /// before it begins the next. If its failure is about the file where the importer
    /// stopped or one before it (that file altered, say), that is the cause to report,
    /// as a single pass would have: not whatever the importer made of the altered
    /// bytes. Anything it found in later files or between them, a single pass never
    /// reached, and its own stop when the importer was gone is never the cause. (One
    /// difference: damage the reader met further on in the very media file the
    /// importer refused is reported, where a single pass reported the refusal.)
    pub(super) fn checked(
        self,
        stopped: Option<(usize, kua_bundle::Error)>,
    ) -> kua_bundle::Result<Checks> {
        let ours = self.gone && matches!(self.read, Err(kua_bundle::Error::Rejected(_)));
        let read = match stopped {
            Some((at, stop)) => match self.read {
                Err(e) if !ours && self.failed_in.is_some_and(|f| f <= at) => Err(e),
                _ => Err(stop),
            },
            None => self.read,
        };
        read?;
        self.finished?;
        Ok(self.checks)
    }
}

/// The first stage's visitor: checks each file and hands it over.
struct Forward {
    send: Sender<(usize, Event)>,
    flow: Arc<Flow>,
    checks: Checks,
    pinned: Vec<(String, VerifyingKey)>,
    /// Whether media bytes are handed over (an import) or only read through their hash
    /// (a verify).
    hand_media: bool,
    manifest_sha256: String,
    /// The file being handed over (counted from 1) and its path.
    file: (usize, String),
    /// Handing the current file over failed.
    file_failed: bool,
    gone: bool,
}

/// The error the stage stops with when the importer is gone; never reported as the
/// bundle's (the importer's own reason is).
fn gone() -> kua_bundle::Error {
    kua_bundle::Error::Rejected("the import stopped".into())
}

impl Forward {
    /// Counts `weight` in flight, waiting for room; false (and `gone`) if the importer
    /// is gone.
    fn room(&mut self, weight: usize) -> kua_bundle::Result<()> {
        if self.flow.take(weight) {
            Ok(())
        } else {
            self.gone = true;
            Err(gone())
        }
    }

    /// Hands over an event whose `weight` was counted.
    fn hand(&mut self, weight: usize, event: Event) -> kua_bundle::Result<()> {
        if self.send.send((weight, event)).is_err() {
            self.gone = true;
            return Err(gone());
        }
        Ok(())
    }

    fn visit(
        &mut self,
        path: &str,
        entry: &FileEntry,
        data: &mut dyn Read,
    ) -> kua_bundle::Result<()> {
        let entry = entry.clone();
        let media = path.starts_with("media/");
        // Counted before the file is parsed, so that what the parse holds is within
        // the bound.
        let weight = if media {
            flow::EVENT
        } else {
            flow::parsed(entry.size)
        };
        self.room(weight)?;
        match self.checks.file(path, &entry, data)? {
            Seen::Record(record) => self.hand(weight, Event::Record { record, entry }),
            Seen::Case(case) => self.hand(weight, Event::Case { case, entry }),
            Seen::Log => self.hand(weight, Event::Log { entry }),
            Seen::Media(sha) => {
                let sha256 = sha.to_string();
                let mut left = entry.size;
                self.hand(weight, Event::Media { sha256, entry })?;
                while self.hand_media && left > 0 {
                    let len = usize::try_from(left).unwrap_or(PIECE).min(PIECE);
                    let weight = flow::bytes(len);
                    self.room(weight)?;
                    let mut piece = Zeroizing::new(vec![0u8; len]);
                    let n = crate::chunks::fill(data, &mut piece)?;
                    if n == 0 {
                        self.flow.give(weight);
                        break;
                    }
                    piece.truncate(n);
                    left = left.saturating_sub(n as u64);
                    self.hand(weight, Event::Bytes(piece))?;
                }
                self.room(flow::EVENT)?;
                self.hand(flow::EVENT, Event::MediaEnd)
            }
        }
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
        self.room(flow::EVENT)?;
        self.hand(
            flow::EVENT,
            Event::Manifest {
                manifest: Box::new(m.clone()),
                sender: *sender,
                sha256,
            },
        )
    }

    fn file(
        &mut self,
        path: &str,
        entry: &FileEntry,
        data: &mut dyn Read,
    ) -> kua_bundle::Result<()> {
        self.file = (self.flow.begin_file(), path.to_string());
        let visited = self.visit(path, entry, data);
        self.file_failed = visited.is_err();
        visited
    }
}

/// The next bundle of a batch, read ahead while the one before it commits
/// (`Vault::import_reading_next`). Kept with the unlocked keys, so that a lock drops it
/// (and stops its thread) with them.
pub(crate) struct Ahead {
    pub(super) path: std::path::PathBuf,
    /// The vault's age recipient it was decrypted for: a changed identity reads again.
    pub(super) recipient: String,
    pub(super) reading: Reading,
}

impl std::fmt::Debug for Ahead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ahead { .. }")
    }
}

/// A bundle being read on the first stage's thread.
pub(super) struct Reading {
    receive: Option<Receiver<(usize, Event)>>,
    flow: Arc<Flow>,
    thread: Option<std::thread::JoinHandle<Outcome>>,
}

impl Reading {
    /// Starts reading `input` on a thread of its own. `pinned` are the keys of trusted
    /// senders by key id (the reader authenticates their manifests before parsing
    /// them); `hand_media` whether media bytes are handed over.
    pub(super) fn start(
        input: impl Read + Send + 'static,
        identity: kua_bundle::age::x25519::Identity,
        pinned: Vec<(String, VerifyingKey)>,
        hand_media: bool,
    ) -> crate::error::Result<Reading> {
        let (send, receive) = std::sync::mpsc::channel();
        let flow = Arc::new(Flow::default());
        let input = Cut {
            inner: input,
            flow: Arc::clone(&flow),
        };
        let mut forward = Forward {
            send,
            flow: Arc::clone(&flow),
            checks: Checks::default(),
            pinned,
            hand_media,
            manifest_sha256: String::new(),
            file: (0, String::new()),
            file_failed: false,
            gone: false,
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
                let (file, path) = &forward.file;
                let about_file = match &read {
                    Err(kua_bundle::Error::HashMismatch { path: p }) => p == path,
                    Err(_) => forward.file_failed,
                    Ok(_) => false,
                };
                Outcome {
                    failed_in: about_file.then_some(*file),
                    read,
                    finished,
                    checks: forward.checks,
                    gone: forward.gone,
                }
            })?;
        Ok(Reading {
            receive: Some(receive),
            flow,
            thread: Some(thread),
        })
    }

    /// The next event, or None when the stage has ended (see `finish`).
    pub(super) fn next(&mut self) -> Option<Event> {
        let (weight, event) = self.receive.as_ref()?.recv().ok()?;
        self.flow.give(weight);
        Some(event)
    }

    /// Stops the stage if it is still reading and returns how it ended. `stopped`: the
    /// file the importer stopped at, if it did (as in `Outcome::checked`); the stage's
    /// verdict on the files after it is not waited for.
    pub(super) fn finish(mut self, stopped: Option<usize>) -> crate::error::Result<Outcome> {
        self.stop(stopped);
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(outcome)) => Ok(outcome),
            _ => Err(crate::error::Error::Bundle {
                code: "bundle_corrupt",
                message: "the bundle's reading stopped unexpectedly; nothing was imported".into(),
            }),
        }
    }

    fn stop(&mut self, needed: Option<usize>) {
        self.receive = None;
        self.flow.close(needed);
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        // Nothing of it is wanted any more.
        self.stop(Some(0));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
#[path = "reading_tests.rs"]
mod tests;
