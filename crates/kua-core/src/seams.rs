//! The seams through which the vault sees the outside world: the clock and the source of
//! randomness. Production uses the system clock and the OS RNG; tests inject fixed ones
//! so that every run is deterministic.

use rand_core::{CryptoRng, RngCore};
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch, UTC.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_ms(&self) -> i64;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

/// A clock for tests: starts at a given instant and advances by a fixed step on every read.
#[derive(Debug)]
pub struct SteppingClock {
    next: AtomicI64,
    step: i64,
}

impl SteppingClock {
    pub fn new(start_ms: i64, step_ms: i64) -> Self {
        Self {
            next: AtomicI64::new(start_ms),
            step: step_ms,
        }
    }
}

impl Clock for SteppingClock {
    fn now_ms(&self) -> i64 {
        self.next.fetch_add(self.step, Ordering::Relaxed)
    }
}

/// A cryptographically secure RNG that can be moved across threads.
pub trait SecureRng: RngCore + CryptoRng + Send + std::fmt::Debug {}
impl<T: RngCore + CryptoRng + Send + std::fmt::Debug> SecureRng for T {}

/// The clock and the RNG the vault uses. `Seams::system()` in production.
#[derive(Debug)]
pub struct Seams {
    pub clock: Box<dyn Clock>,
    pub rng: Box<dyn SecureRng>,
}

impl Seams {
    pub fn system() -> Self {
        Self {
            clock: Box::new(SystemClock),
            rng: Box::new(rand_core::OsRng),
        }
    }

    pub fn new(clock: Box<dyn Clock>, rng: Box<dyn SecureRng>) -> Self {
        Self { clock, rng }
    }

    /// For unit tests: a clock from 0 in 1 ms steps and a ChaCha20 RNG seeded with
    /// `seed`, so that every draw is the same on every run.
    #[cfg(test)]
    pub(crate) fn seeded(seed: u64) -> Self {
        use rand_core::SeedableRng;
        Self::new(
            Box::new(SteppingClock::new(0, 1)),
            Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
        )
    }

    /// Fills a caller's (zeroizing) buffer in place; use this for key material.
    pub(crate) fn fill(&mut self, buf: &mut [u8]) {
        self.rng.fill_bytes(buf);
    }

    /// Random bytes that are not secret (ids, salts, nonces).
    pub(crate) fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        self.rng.fill_bytes(&mut out);
        out
    }

    /// A random UUIDv4, the only kind of id the vault writes in plaintext.
    pub(crate) fn uuid(&mut self) -> uuid::Uuid {
        uuid::Builder::from_random_bytes(self.bytes::<16>()).into_uuid()
    }
}

/// Formats a Unix-millisecond instant as RFC 3339 UTC, for display and JSON output.
pub fn format_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_else(|| ms.to_string())
}
