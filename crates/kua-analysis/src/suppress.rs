//! Small-cell suppression for published figures. A count under five can point at a
//! person; it is withheld, and so is enough else that it cannot be worked back out of
//! the totals beside it (complementary suppression).
//!
//! The published figures of a table are its cells, the margins (each category's count
//! of records, which a one-dimension query publishes anyway) and the total. They lie on
//! lines: a row of cells with its margin, a column with its margin, the margins with
//! the total. A line with exactly one withheld figure gives it away by subtraction, so
//! until no line has exactly one, the smallest non-zero figure still shown on such a
//! line is withheld as well. Zero is shown: it says nobody and points at no one. (For
//! multi-valued dimensions the cells do not sum to the margin; the same rule is kept,
//! which withholds at least as much as needed.)

/// Counts below this are withheld.
pub const THRESHOLD: u64 = 5;

/// Which of `values` to withhold, given the lines (sets of indices into `values`) on
/// which published figures add up.
pub fn withhold(values: &[u64], lines: &[Vec<usize>]) -> Vec<bool> {
    let mut hidden: Vec<bool> = values
        .iter()
        .map(|&v| (1..THRESHOLD).contains(&v))
        .collect();
    loop {
        let mut changed = false;
        for line in lines {
            if line.iter().filter(|&&i| hidden[i]).count() != 1 {
                continue;
            }
            let partner = line
                .iter()
                .copied()
                .filter(|&i| !hidden[i] && values[i] > 0)
                .min_by_key(|&i| values[i]);
            if let Some(i) = partner {
                hidden[i] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_small_cell_takes_the_next_smallest_with_it() {
        // Cells 3, 10, 7 and their total 20: withholding 3 alone would leave
        // 20 - 10 - 7 = 3 in plain sight.
        let v = [3, 10, 7, 20];
        let hidden = withhold(&v, &[vec![0, 1, 2, 3]]);
        assert_eq!(hidden, [true, false, true, false]);
    }

    #[test]
    fn zeros_stay_and_large_counts_stay() {
        let v = [0, 12, 9, 21];
        assert_eq!(withhold(&v, &[vec![0, 1, 2, 3]]), [false; 4]);
    }
}
