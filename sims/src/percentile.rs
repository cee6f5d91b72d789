//! Latency percentiles by the nearest-rank method: each reported figure is
//! a latency some request really had, which is what a chart's tooltip
//! should be able to point at.

/// p50, p95, p99 and the maximum of a set of samples, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percentiles {
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
    pub max: u64,
}

/// The percentiles of `samples` (sorted in place); None when empty.
pub fn percentiles(samples: &mut [u64]) -> Option<Percentiles> {
    samples.sort_unstable();
    let max = *samples.last()?;
    Some(Percentiles {
        p50: nearest_rank(samples, 50),
        p95: nearest_rank(samples, 95),
        p99: nearest_rank(samples, 99),
        max,
    })
}

/// The smallest sample with at least `percent`% of the samples at or
/// below it.
fn nearest_rank(sorted: &[u64], percent: usize) -> u64 {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_on_small_and_large_sets() {
        assert_eq!(percentiles(&mut []), None);
        let one = percentiles(&mut [7]).unwrap();
        assert_eq!((one.p50, one.p95, one.p99, one.max), (7, 7, 7, 7));
        let mut hundred: Vec<u64> = (1..=100).rev().collect();
        let p = percentiles(&mut hundred).unwrap();
        assert_eq!((p.p50, p.p95, p.p99, p.max), (50, 95, 99, 100));
        let mut ten: Vec<u64> = (1..=10).collect();
        let p = percentiles(&mut ten).unwrap();
        assert_eq!((p.p50, p.p95, p.p99), (5, 10, 10));
    }
}
