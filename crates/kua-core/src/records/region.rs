//! Row ids for the records one import stores.

use crate::seams::Seams;
use std::collections::HashSet;

/// The stretch of row ids one import draws from: 2^32 ids.
const SPAN_BITS: u32 = 32;

/// Row ids for the rows one import stores (one bundle, one transaction): each at a random
/// place within one stretch of 2^32 ids, the stretch itself at a random place in the
/// positive 63-bit range, drawn at the first row.
///
/// Why: a record row (about 3 KB sealed) fills a 4 KiB page, so a row inserted at a random
/// place in a large table splits a full leaf there, and in the rollback journal that
/// imports run in, every page a split touches is journaled and written again. A
/// coordinator's import of 100 records wrote about 3.6 MB for them that way. Within one
/// stretch, after the first row, a bundle's rows fill pages its own transaction made,
/// written once at its commit (docs/benchmarks.md, "Coordinator scale", eleventh
/// session).
///
/// What the file shows: row order still tells nothing of when rows came or in which
/// order, since the stretch and each row's place in it are random. It shows which rows
/// came in one import, as the pages that import's transaction allocated at the end of
/// the file already do. Ids are distinct within a stretch; a row id taken by another
/// import's row (as likely as two random 63-bit ids meeting) fails the insert, and the
/// import with it, as a random id would.
#[derive(Debug, Default)]
pub(crate) struct RowRegion {
    base: Option<u64>,
    used: HashSet<u32>,
}

impl RowRegion {
    pub(crate) fn new() -> RowRegion {
        RowRegion::default()
    }

    /// The next row id: random within the stretch, never one this region gave before.
    pub(crate) fn next(&mut self, seams: &mut Seams) -> i64 {
        // A stretch nearly full (never, in practice: it would take billions of rows in
        // one bundle) moves on to a new one rather than searching it.
        if self.used.len() >= 1 << (SPAN_BITS - 1) {
            *self = RowRegion::new();
        }
        let base = *self.base.get_or_insert_with(|| {
            (u64::from_le_bytes(seams.bytes::<8>()) >> 1) & !((1u64 << SPAN_BITS) - 1)
        });
        loop {
            let low = u32::from_le_bytes(seams.bytes::<4>());
            if self.used.insert(low) {
                // The top bit of `base` is clear: the id is positive.
                return (base | u64::from(low)) as i64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seams::SteppingClock;
    use rand_core::{impls, RngCore, SeedableRng};

    fn seams() -> Seams {
        Seams::new(
            Box::new(SteppingClock::new(0, 1)),
            Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(9)),
        )
    }

    #[test]
    fn one_region_gives_distinct_positive_ids_in_one_stretch() {
        let mut seams = seams();
        let mut region = RowRegion::new();
        let ids: Vec<i64> = (0..500).map(|_| region.next(&mut seams)).collect();
        assert!(ids.iter().all(|&id| id > 0));
        let stretch = ids[0] >> SPAN_BITS;
        assert!(ids.iter().all(|&id| id >> SPAN_BITS == stretch));
        let distinct: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(distinct.len(), ids.len());
        // The ids are spread over the stretch, not counted up from its start.
        assert!(ids.iter().any(|&id| id & 0xFFFF_FFFF > 1 << 31));
        assert!(ids.windows(2).any(|w| w[0] > w[1]));
        // Another import draws another stretch.
        let other = RowRegion::new().next(&mut seams);
        assert_ne!(other >> SPAN_BITS, stretch);
    }

    /// Gives exactly the bytes it was made with: an 8-byte base, then the same 4 bytes
    /// twice before a third value.
    #[derive(Debug)]
    struct Repeating(Vec<u8>);

    impl RngCore for Repeating {
        fn next_u32(&mut self) -> u32 {
            impls::next_u32_via_fill(self)
        }
        fn next_u64(&mut self) -> u64 {
            impls::next_u64_via_fill(self)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            let n = dest.len().min(self.0.len());
            dest[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl rand_core::CryptoRng for Repeating {}

    #[test]
    fn an_id_drawn_twice_in_one_region_is_drawn_again() {
        let mut bytes = vec![0xAB; 8];
        bytes.extend([1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0]);
        let mut seams = Seams::new(
            Box::new(SteppingClock::new(0, 1)),
            Box::new(Repeating(bytes)),
        );
        let mut region = RowRegion::new();
        let base = ((u64::from_le_bytes([0xAB; 8]) >> 1) & !0xFFFF_FFFF) as i64;
        assert_eq!(region.next(&mut seams), base | 1);
        assert_eq!(region.next(&mut seams), base | 2);
    }
}
