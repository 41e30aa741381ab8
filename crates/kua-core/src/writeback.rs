//! Early write-back: syncs of the vault's filesystem requested while a long
//! transaction is still being written (an attachment streaming in, a bundle being
//! imported), on a thread of their own, so that the disk writes what SQLite has written
//! while the work goes on. The transaction's own commit still syncs, and is what makes
//! it durable; an early sync only leaves the commit less to wait for. On the project's
//! machine this made ingest and the coordinator's import faster (docs/benchmarks.md).

use std::fs::File;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::OnceLock;

/// Syncs of the vault's filesystem while an attachment streams in or a bundle is
/// stored, so that the disk writes the pages SQLite has written while the work goes
/// on, instead of all of them at the commit's fsync.
///
/// This changes nothing of the transaction's atomicity: SQLite writes a page into the
/// file only after the journal that can undo it is on disk, and the commit still syncs.
/// The sync goes through the vault's folder (syncfs), not a descriptor of the vault
/// file: closing any descriptor of a file drops every POSIX lock the process holds on
/// it, SQLite's included, even those of another connection of this process.
///
/// Best effort, on one thread for the whole process (`syncer`): no attachment or
/// import ever waits for it. At most one request waits while a sync runs and the others are
/// dropped (the next sync of the same filesystem covers their pages; with two vaults on
/// two filesystems, one's request may be dropped for the other's). A sync that hangs on
/// a stuck drive stops the early syncs that would follow it, never an attachment or an
/// import.
///
/// syncfs also writes other programs' dirty pages on that filesystem, and a sync
/// requested shortly before the end may still run while the commit's fsync does. A
/// sync running or waiting after the import or attachment holds a descriptor of the
/// folder until it ends.
pub(crate) struct EarlySync {
    folder: Option<File>,
}

impl EarlySync {
    pub(crate) fn start(folder: Option<File>) -> EarlySync {
        EarlySync { folder }
    }

    pub(crate) fn request(&self) {
        // The folder first: without one (systems without syncfs, a verify, the unit
        // tests below) no thread is started.
        let Some(folder) = &self.folder else {
            return;
        };
        let Some(syncer) = syncer() else {
            return;
        };
        // A descriptor of its own for the thread, which may outlive this attachment or
        // import (a folder's: closing it touches no lock of the vault file).
        if let Ok(folder) = folder.try_clone() {
            let _ = syncer.try_send(folder);
        }
    }
}

/// The process's early-sync thread, started on first use; None if it cannot be.
fn syncer() -> Option<&'static SyncSender<File>> {
    static SYNCER: OnceLock<Option<SyncSender<File>>> = OnceLock::new();
    SYNCER
        .get_or_init(|| {
            let (send, receive) = sync_channel::<File>(1);
            std::thread::Builder::new()
                .name("kua-early-sync".into())
                .spawn(move || {
                    for folder in receive {
                        sync_filesystem(&folder);
                    }
                })
                .ok()
                .map(|_| send)
        })
        .as_ref()
}

/// The folder whose filesystem is synced early while an attachment streams in or a
/// bundle is stored: the real folder of the vault, symbolic links resolved. None where syncfs does not exist.
#[cfg(target_os = "linux")]
pub(crate) fn sync_folder(vault: &std::path::Path) -> Option<File> {
    let real = std::fs::canonicalize(vault).ok()?;
    File::open(real.parent()?).ok()
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn sync_folder(_: &std::path::Path) -> Option<File> {
    None
}

/// Asks the kernel to write the dirty pages of the filesystem that holds `folder`.
/// Its errors are not the attachment's or the import's: syncfs reports a failed write of
/// any file on the filesystem, and one of the vault's own reaches the commit's fsync
/// through SQLite's descriptor (Linux, since 4.13, reports a failed write-back to every
/// descriptor open when it failed), which fails the commit.
#[cfg(target_os = "linux")]
fn sync_filesystem(folder: &File) {
    let _ = rustix::fs::syncfs(folder);
}

#[cfg(not(target_os = "linux"))]
fn sync_filesystem(_: &File) {}

/// Early syncs paced by the bytes stored: one is requested each time `every` more bytes
/// were stored since the last request. Used where what is stored comes in pieces of any
/// size (a bundle's records and media files), so that neither many small pieces nor
/// one large one escapes the pacing.
pub(crate) struct Paced {
    early: EarlySync,
    every: u64,
    since: u64,
}

impl Paced {
    pub(crate) fn new(early: EarlySync, every: u64) -> Paced {
        Paced {
            early,
            every: every.max(1),
            since: 0,
        }
    }

    /// Counts `bytes` more stored; requests an early sync when `every` bytes have
    /// passed since the last request, and says whether it did.
    pub(crate) fn stored(&mut self, bytes: u64) -> bool {
        self.since = self.since.saturating_add(bytes);
        if self.since < self.every {
            return false;
        }
        self.since = 0;
        self.early.request();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sync_is_requested_each_time_the_pace_is_reached() {
        let mut paced = Paced::new(EarlySync::start(None), 100);
        let requested: Vec<bool> = [40, 40, 20, 99, 1, 250, 0]
            .into_iter()
            .map(|n| paced.stored(n))
            .collect();
        // 40, 80: under the pace; 100: requested, counting starts again; 99, then 100:
        // requested; one piece of 250 bytes requests once, and the count starts again
        // from nothing rather than owing two more, so a piece of nothing requests
        // nothing.
        assert_eq!(requested, [false, false, true, false, true, true, false]);
    }
}
