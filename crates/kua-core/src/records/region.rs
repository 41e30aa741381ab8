//! Row ids for the records one import stores.

use crate::error::{Error, Result};
use crate::records::Head;
use crate::seams::Seams;
use crate::store::Table;
use crate::vault::Ctx;
use rusqlite::Connection;
use std::collections::HashSet;

/// The stretch of row ids one import draws from, per table: 2^32 ids.
const SPAN_BITS: u32 = 32;

/// Draws of a row id already given before the source of randomness is taken as broken.
const TRIES: usize = 64;

/// Row ids for the rows one import stores in one table (one bundle, one transaction):
/// each at a random place within one stretch of 2^32 ids, the stretch itself at a random
/// place in the positive 63-bit range, drawn at the first row. Used for the bulk of an
/// import, the received records and the received cases, each table with a stretch of
/// its own; the few rows describing received media keep fully random ids.
///
/// Why: a record row (about 3 KB sealed) fills a 4 KiB page, so a row inserted at a random
/// place in a large table splits a full leaf there, and in the rollback journal that
/// imports run in, every page a split touches is journaled and written again: a
/// coordinator's import of 1,000 bundles of 100 records wrote 7.9 GB for a 2.6 GB vault.
/// Within one stretch, after the first row, a bundle's rows fill pages its own
/// transaction made, written once at its commit: 4.9 GB, and the import a quarter
/// quicker (docs/benchmarks.md, "Coordinator scale", eleventh session).
///
/// What the file shows, the trade-off. The rows of one table that came in one import
/// share the high bits of their row ids, so a reader of the file without the key can
/// group them by import, count them and see their padded sizes. The custody log already
/// shows the counts: its entries are in order, one per record or case received, padded
/// alike and unlike the entry of the setting each import writes, so the file shows how
/// many records and cases (together) each import brought, and in which order the imports
/// came. What the stretches add: which rows of the table came together, hence the padded
/// sizes of each import's records, how many of an import's rows are cases, and that
/// rows came in one bundle from one sender (a bundle of one testimony's versions groups
/// those versions). What they do not show: when or in which order rows came within an
/// import (each row's place is random), or a link between rows of two tables by their
/// ids (each table draws its own stretch; the rows describing received media keep
/// random ids). Ids are distinct within a stretch; a row id taken by another import's
/// row (as likely as two random 63-bit ids meeting) fails the insert, and the import
/// with it, as a random id would.
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
    /// An error, not an endless loop, if the source of randomness keeps repeating.
    pub(crate) fn next(&mut self, seams: &mut Seams) -> Result<i64> {
        let base = *self.base.get_or_insert_with(|| {
            (u64::from_le_bytes(seams.bytes::<8>()) >> 1) & !((1u64 << SPAN_BITS) - 1)
        });
        for _ in 0..TRIES {
            let low = u32::from_le_bytes(seams.bytes::<4>());
            if self.used.insert(low) {
                // The top bit of `base` is clear: the id is not negative.
                return Ok((base | u64::from(low)) as i64);
            }
        }
        Err(Error::Storage(format!(
            "the source of randomness gave {TRIES} row ids already used in this import; \
             nothing was imported"
        )))
    }
}

impl Ctx<'_> {
    /// `Ctx::insert`, at a row id of the import's `rows`.
    pub(crate) fn insert_in(
        &mut self,
        tx: &Connection,
        table: Table,
        head: &Head,
        content: &[u8],
        rows: &mut RowRegion,
    ) -> Result<()> {
        super::insert_with(
            tx,
            self.seams,
            (&self.vault, &self.keys.sub),
            table,
            head,
            content,
            |seams| rows.next(seams),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seams::SteppingClock;
    use rand_core::{impls, RngCore};

    fn seams() -> Seams {
        Seams::seeded(9)
    }

    #[test]
    fn one_region_gives_distinct_positive_ids_in_one_stretch() {
        let mut seams = seams();
        let mut region = RowRegion::new();
        let ids: Vec<i64> = (0..500).map(|_| region.next(&mut seams).unwrap()).collect();
        assert!(ids.iter().all(|&id| id > 0));
        let stretch = ids[0] >> SPAN_BITS;
        assert!(ids.iter().all(|&id| id >> SPAN_BITS == stretch));
        let distinct: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(distinct.len(), ids.len());
        // The ids are spread over the stretch, not counted up from its start.
        assert!(ids.iter().any(|&id| id & 0xFFFF_FFFF > 1 << 31));
        assert!(ids.windows(2).any(|w| w[0] > w[1]));
        // Another import draws another stretch.
        let other = RowRegion::new().next(&mut seams).unwrap();
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

    fn repeating(bytes: Vec<u8>) -> Seams {
        Seams::new(
            Box::new(SteppingClock::new(0, 1)),
            Box::new(Repeating(bytes)),
        )
    }

    #[test]
    fn an_id_drawn_twice_in_one_region_is_drawn_again() {
        let mut bytes = vec![0xAB; 8];
        bytes.extend([1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0]);
        let mut seams = repeating(bytes);
        let mut region = RowRegion::new();
        // 0xABAB…AB shifted right by one, its low 32 bits cleared.
        assert_eq!(region.next(&mut seams).unwrap(), 0x55D5_D5D5_0000_0001);
        assert_eq!(region.next(&mut seams).unwrap(), 0x55D5_D5D5_0000_0002);
    }

    #[test]
    fn a_source_that_keeps_repeating_is_an_error_not_a_loop() {
        // After the base, the same low bits for ever (the source gives zeros once its
        // bytes are used up).
        let mut seams = repeating(vec![0xAB; 8]);
        let mut region = RowRegion::new();
        assert_eq!(region.next(&mut seams).unwrap(), 0x55D5_D5D5_0000_0000);
        let err = region.next(&mut seams).unwrap_err();
        assert!(
            matches!(&err, Error::Storage(m) if m.contains("already used")),
            "{err}"
        );
    }
}
