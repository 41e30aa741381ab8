//! Picking a search's best hits from FTS5's matches.
//!
//! They are picked here rather than by `ORDER BY rank LIMIT`: FTS5 answers that by
//! sorting every match in SQLite's sorter, and with temporary storage in memory (which
//! the index needs, so that nothing of it reaches a temporary file) the sorter
//! allocates each row on its own. With it, the 200 queries of the search benchmark at
//! 100,000 testimonies ran at p95 70–81 ms against 54–66 ms for the same table with
//! temporary files (docs/benchmarks.md, "Search"). Keeping the best in a heap reads
//! each match once and sorts only those kept.
//!
//! The order is FTS5's rank (bm25: lower is better); between equal ranks the document
//! indexed first comes first. (FTS5's own sort left ties in no defined order.) The same
//! function takes the best of the shards' best (index.rs).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// FTS5's rank of a match, ordered totally so that it can be kept in a heap. bm25 gives
/// a finite, negative number for every match; `total_cmp` orders those as `<` does.
#[derive(Debug, Clone, Copy)]
struct Rank(f64);

impl PartialEq for Rank {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Rank {}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The `limit` best of `matches` (rank, rowid), best first. The heap
/// never holds more than `limit` entries, whatever the number of matches; the caller
/// bounds `limit` by the size of the index.
pub(super) fn best<E>(
    matches: impl Iterator<Item = Result<(f64, i64), E>>,
    limit: usize,
) -> Result<Vec<(f64, i64)>, E> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    // The worst of those kept on top.
    let mut kept: BinaryHeap<(Rank, i64)> = BinaryHeap::with_capacity(limit);
    for found in matches {
        let (rank, rowid) = found?;
        let entry = (Rank(rank), rowid);
        if kept.len() < limit {
            kept.push(entry);
        } else if let Some(mut worst) = kept.peek_mut() {
            if entry < *worst {
                *worst = entry;
            }
        }
    }
    Ok(kept
        .into_sorted_vec()
        .into_iter()
        .map(|(Rank(rank), rowid)| (rank, rowid))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picked(matches: &[(f64, i64)], limit: usize) -> Vec<i64> {
        best(matches.iter().map(|&m| Ok::<_, ()>(m)), limit)
            .unwrap()
            .into_iter()
            .map(|(_, rowid)| rowid)
            .collect()
    }

    #[test]
    fn the_best_come_first_and_ties_in_indexing_order() {
        let matches = [
            (-1.0, 1),
            (-3.0, 7),
            (-2.0, 3),
            (-3.0, 2),
            (-0.5, 9),
            (-2.0, 4),
        ];
        assert_eq!(picked(&matches, 6), vec![2, 7, 3, 4, 1, 9]);
        assert_eq!(picked(&matches, 3), vec![2, 7, 3]);
        assert_eq!(picked(&matches, 1), vec![2]);
        assert!(picked(&matches, 0).is_empty());
        assert!(picked(&[], 5).is_empty());
    }

    #[test]
    fn an_error_while_reading_matches_is_passed_on() {
        let matches = vec![Ok((-1.0, 1)), Err("gone"), Ok((-2.0, 2))];
        assert_eq!(best(matches.into_iter(), 2), Err("gone"));
    }
}
