//! Passphrase stretching with Argon2id (RFC 9106). Parameters live in the vault header.

use super::keys::Key;
use crate::error::{Error, Result};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The floor below which default parameters never go (RFC 9106's second recommended option).
pub const MIN_M_KIB: u32 = 64 * 1024;
pub const MIN_T: u32 = 3;
pub const MIN_P: u32 = 4;

/// Argon2id cost parameters, as stored in the vault header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// The RFC 9106 floor. Calibration only ever raises memory from here.
    pub const FLOOR: KdfParams = KdfParams {
        m_kib: MIN_M_KIB,
        t: MIN_T,
        p: MIN_P,
    };

    /// Deliberately weak parameters for tests and demos. Whoever uses them must say so
    /// loudly; a vault created with them is easy to brute-force.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    pub fn is_below_floor(&self) -> bool {
        self.m_kib < MIN_M_KIB || self.t < MIN_T || self.p < MIN_P
    }

    /// Derives the 256-bit key-encryption key from a passphrase.
    pub fn derive(&self, passphrase: &[u8], salt: &[u8]) -> Result<Key> {
        let params = Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|e| Error::BadInput(format!("KDF parameters: {e}")))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase, salt, out.as_mut())
            .map_err(|e| Error::BadInput(format!("KDF: {e}")))?;
        Ok(Key::from_zeroizing(out))
    }
}

/// Chooses parameters that take about `target` on this machine, never below the floor.
/// Only memory grows (t and p stay at the floor), so the cost is memory-hard.
pub fn calibrate(target: Duration) -> Result<KdfParams> {
    let salt = [0u8; 16];
    let start = Instant::now();
    KdfParams::FLOOR.derive(b"calibration", &salt)?;
    Ok(scaled(start.elapsed(), target))
}

/// The parameters that take about `target` when the floor took `took`: memory scaled by
/// their ratio, rounded down to whole MiB, never below the floor and never above 2 GiB.
/// Kept apart from the clock so that the arithmetic is tested exactly.
fn scaled(took: Duration, target: Duration) -> KdfParams {
    let took = took.max(Duration::from_millis(1));
    let scale = target.as_secs_f64() / took.as_secs_f64();
    // Cap at 2 GiB so a fast machine does not create a vault a slow one cannot open.
    let m = (f64::from(MIN_M_KIB) * scale).min(2.0 * 1024.0 * 1024.0);
    KdfParams {
        m_kib: (m as u32 / 1024 * 1024).max(MIN_M_KIB),
        ..KdfParams::FLOOR
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_parameter_below_its_floor_is_below_the_floor() {
        let floor = KdfParams::FLOOR;
        assert!(!floor.is_below_floor());
        let above = KdfParams {
            m_kib: MIN_M_KIB * 2,
            t: MIN_T + 1,
            p: MIN_P + 1,
        };
        assert!(!above.is_below_floor());
        for weak in [
            KdfParams {
                m_kib: MIN_M_KIB - 1,
                ..above
            },
            KdfParams {
                t: MIN_T - 1,
                ..above
            },
            KdfParams {
                p: MIN_P - 1,
                ..above
            },
            KdfParams::INSECURE_FOR_TESTS,
        ] {
            assert!(weak.is_below_floor(), "{weak:?}");
        }
    }

    #[test]
    fn memory_scales_with_the_time_the_floor_took() {
        let ms = Duration::from_millis;
        let m = |took, target| scaled(ms(took), ms(target));
        // Four times faster than the target: four times the memory.
        assert_eq!(m(100, 400).m_kib, 4 * MIN_M_KIB);
        // A third faster: 87,381 KiB rounded down to whole MiB.
        assert_eq!(m(300, 400).m_kib, 85 * 1024);
        // As slow as the target or slower: the floor, never less.
        assert_eq!(m(400, 400).m_kib, MIN_M_KIB);
        assert_eq!(m(500, 400).m_kib, MIN_M_KIB);
        // A very fast machine stops at 2 GiB.
        assert_eq!(m(1, 3_600_000).m_kib, 2 * 1024 * 1024);
        // A clock that saw no time counts as one millisecond, not as infinitely fast.
        assert_eq!(m(0, 2).m_kib, 2 * MIN_M_KIB);
        // Only memory grows.
        let p = m(100, 400);
        assert_eq!((p.t, p.p), (MIN_T, MIN_P));
    }
}
