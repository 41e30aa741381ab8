//! The flow between the import's two stages: how much is in flight (a bound the first
//! stage waits on), and when the first stage may stop reading the bundle.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// How many bytes may be between the two stages, by the estimates below: more
/// than one bundle of a coordinator's usual size, so that the next can be read while
/// one commits.
pub(super) const LIMIT: usize = 16 << 20;

/// What every hand-over is counted as besides its bytes: the event, its strings and
/// the channel's slot. Many tiny files therefore fill the bound too.
const OVERHEAD: usize = 1024;

/// The estimate of what a file of `size` bytes holds in memory once parsed (a record,
/// a case): JSON's short strings and arrays take several times their text. It is an
/// estimate: a hostile file of empty arrays takes about ten times its text.
pub(super) fn parsed(size: u64) -> usize {
    usize::try_from(size)
        .unwrap_or(usize::MAX)
        .saturating_mul(4)
        .saturating_add(OVERHEAD)
}

/// What a hand-over of `bytes` allocated bytes counts as.
pub(super) fn bytes(capacity: usize) -> usize {
    capacity.saturating_add(OVERHEAD)
}

/// What a hand-over that holds no file's content counts as.
pub(super) const EVENT: usize = OVERHEAD;

#[derive(Default)]
struct State {
    in_flight: usize,
    /// The importer no longer takes events.
    closed: bool,
    /// The files whose outcome still matters once closed: the importer stopped at
    /// this one (counted from 1), so the reader's verdict on it and on those before
    /// it is still wanted, as a single pass would have given it. 0: none (it stopped
    /// at the manifest, or the reading is dropped). None: all of them (the importer
    /// did not stop).
    needed: Option<usize>,
}

/// Shared by the two stages.
#[derive(Default)]
pub(super) struct Flow {
    state: Mutex<State>,
    changed: Condvar,
    /// How many files the first stage has begun.
    begun: AtomicUsize,
}

impl Flow {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `n` more fit (or nothing is in flight), then counts them; false if
    /// the importer is gone.
    pub(super) fn take(&self, n: usize) -> bool {
        let mut s = self.state();
        while !s.closed && !fits(s.in_flight, n) {
            s = self.changed.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        if s.closed {
            return false;
        }
        s.in_flight = s.in_flight.saturating_add(n);
        true
    }

    pub(super) fn give(&self, n: usize) {
        let mut s = self.state();
        s.in_flight = s.in_flight.saturating_sub(n);
        self.changed.notify_all();
    }

    /// The importer takes no more events; `needed` as in `State`.
    pub(super) fn close(&self, needed: Option<usize>) {
        let mut s = self.state();
        s.closed = true;
        s.needed = match (s.needed, needed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.changed.notify_all();
    }

    pub(super) fn begin_file(&self) -> usize {
        self.begun.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether the first stage may stop reading the bundle: nothing it could still
    /// find would be reported.
    fn cut(&self) -> bool {
        let s = self.state();
        s.closed
            && s.needed
                .is_some_and(|n| n == 0 || self.begun.load(Ordering::SeqCst) > n)
    }
}

/// Whether `n` more fit beside `in_flight`: one hand-over larger than the bound goes
/// when nothing else is in flight, so that a large file still passes.
pub(super) fn fits(in_flight: usize, n: usize) -> bool {
    in_flight == 0 || in_flight.saturating_add(n) <= LIMIT
}

/// The bundle file, read by the first stage, that fails once the stage may stop (see
/// `Flow::cut`): an untrusted sender's 4 GB video is then not decrypted to the end,
/// nor a bundle read ahead when the vault locks.
pub(super) struct Cut<R> {
    pub(super) inner: R,
    pub(super) flow: std::sync::Arc<Flow>,
}

impl<R: Read> Read for Cut<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.flow.cut() {
            return Err(std::io::Error::other("the import stopped"));
        }
        self.inner.read(buf)
    }
}
