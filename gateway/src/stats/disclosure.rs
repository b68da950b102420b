//! Statistical disclosure control for one answer: its cells and their total.
//!
//! - Primary suppression: a count from 1 to `threshold - 1` is not released.
//! - Secondary suppression: the answer releases the total and the other cells, and a reader
//!   knows the rule, so a hidden primary cell lies in `[1, threshold - 1]` and a hidden
//!   secondary one in `[threshold, total]`. Cells are hidden until no hidden cell is pinned to
//!   one value by those bounds and the sum; the smallest released cell goes first. If no cell is
//!   left to hide, the total is hidden.
//! - Means are released only over at least [`MIN_PERSONS_FOR_MEAN`] persons; when a cell's
//!   mean is hidden, the total's is too (it would give the hidden one away).

/// Fewest persons a mean is released over.
pub const MIN_PERSONS_FOR_MEAN: u64 = 20;

/// Why a count is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// Below the threshold.
    Primary,
    /// To protect a primary cell.
    Secondary,
}

/// What may be released of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Per cell, in order: `None` if released.
    pub cells: Vec<Option<Hidden>>,
    /// Whether the total is hidden.
    pub total_hidden: bool,
}

/// Decides which of `counts` (all at least 1) and their `total` are released.
pub fn suppress(counts: &[u64], threshold: u64) -> Release {
    let total: u64 = counts.iter().sum();
    let mut cells: Vec<Option<Hidden>> = counts
        .iter()
        .map(|&c| (c < threshold).then_some(Hidden::Primary))
        .collect();
    if total < threshold {
        // Every cell is below the threshold too: nothing is released.
        return Release {
            cells,
            total_hidden: total > 0,
        };
    }
    loop {
        if !any_pinned(counts, &cells, total, threshold) {
            return Release {
                cells,
                total_hidden: false,
            };
        }
        let next = (0..counts.len())
            .filter(|&i| cells[i].is_none())
            .min_by_key(|&i| counts[i]);
        match next {
            Some(i) => cells[i] = Some(Hidden::Secondary),
            None => {
                return Release {
                    cells,
                    total_hidden: true,
                };
            }
        }
    }
}

/// Whether some hidden cell has only one value consistent with the released cells, the total
/// and the bounds a reader knows.
fn any_pinned(counts: &[u64], cells: &[Option<Hidden>], total: u64, threshold: u64) -> bool {
    let hidden: Vec<(u64, u64)> = cells
        .iter()
        .filter_map(|c| match c {
            Some(Hidden::Primary) => Some((1, threshold - 1)),
            Some(Hidden::Secondary) => Some((threshold, total)),
            None => None,
        })
        .collect();
    if hidden.is_empty() {
        return false;
    }
    let released: u64 = counts
        .iter()
        .zip(cells)
        .filter(|(_, c)| c.is_none())
        .map(|(n, _)| n)
        .sum();
    let rest = total - released;
    let low_sum: u64 = hidden.iter().map(|b| b.0).sum();
    let high_sum: u64 = hidden.iter().map(|b| b.1).sum();
    hidden.iter().any(|&(low, high)| {
        let lowest = low.max(rest.saturating_sub(high_sum - high));
        let highest = high.min(rest.saturating_sub(low_sum - low));
        lowest >= highest
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator, so that failures replay.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    #[test]
    fn a_single_small_cell_takes_a_second_one_with_it() {
        let r = suppress(&[3, 40, 25, 12], 10);
        assert_eq!(
            r.cells,
            vec![Some(Hidden::Primary), None, None, Some(Hidden::Secondary)]
        );
        assert!(!r.total_hidden);
    }

    #[test]
    fn two_ones_are_not_enough_cover() {
        // 1 + 1 hidden with a known sum of 2 pins both to 1: a third cell must go.
        let r = suppress(&[1, 1, 50, 60], 10);
        assert_eq!(r.cells.iter().filter(|c| c.is_some()).count(), 3);
    }

    #[test]
    fn a_small_total_hides_everything() {
        let r = suppress(&[2, 3], 10);
        assert!(r.total_hidden);
        assert!(r.cells.iter().all(|c| c.is_some()));
    }

    /// Property: over random answers, no released count is below the threshold, and every
    /// hidden count can be changed without changing anything released: some other hidden
    /// cell can absorb the difference within what a reader knows of it.
    #[test]
    fn no_hidden_cell_can_be_recomputed() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..20_000 {
            let threshold = 5 + rng.below(11);
            let n = 1 + rng.below(8) as usize;
            let counts: Vec<u64> = (0..n)
                .map(|_| match rng.below(3) {
                    0 => 1 + rng.below(threshold),
                    1 => 1 + rng.below(3),
                    _ => 1 + rng.below(60),
                })
                .collect();
            let release = suppress(&counts, threshold);
            let total: u64 = counts.iter().sum();
            for (c, hidden) in counts.iter().zip(&release.cells) {
                if hidden.is_none() {
                    assert!(*c >= threshold, "case {case}: {counts:?} released {c}");
                }
            }
            if release.total_hidden {
                continue;
            }
            let bounds = |h: Hidden| match h {
                Hidden::Primary => (1, threshold - 1),
                Hidden::Secondary => (threshold, total),
            };
            let hidden: Vec<(u64, (u64, u64))> = counts
                .iter()
                .zip(&release.cells)
                .filter_map(|(c, h)| h.map(|h| (*c, bounds(h))))
                .collect();
            for (i, &(value, (low, high))) in hidden.iter().enumerate() {
                let movable = hidden.iter().enumerate().any(|(j, &(other, (ol, oh)))| {
                    j != i && ((value < high && other > ol) || (value > low && other < oh))
                });
                assert!(
                    movable,
                    "case {case}: threshold {threshold}, counts {counts:?}, release {release:?}: cell {value} is the only value possible"
                );
            }
        }
    }
}
