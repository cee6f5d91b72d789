//! The random draws the simulations make: which key a request asks for
//! (Zipf popularity), how long a database query takes (uniform or
//! log-normal latency), and the gaps between requests (Poisson arrivals).
//! All from the engine's seeded xoshiro256** generator and `math`'s
//! platform-independent `ln`/`exp`, so a seed gives the same run natively
//! and in the browser.

use crate::math;
use crate::params::{self, ParamError};
use redsim_engine::rng::Rng;

/// The longest database latency a distribution may produce: a bound for
/// the lock TTL the stampede mitigation derives from it.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// z for the 99th percentile of the standard normal distribution.
const Z_P99: f64 = 2.326_347_874;

/// Popularity over `n` keys: key `k` (0-based) is drawn with probability
/// proportional to `1 / (k + 1)^s`, so key 0 is the hottest.
#[derive(Debug, Clone)]
pub struct Zipf {
    /// Cumulative weights, increasing; the last is the total.
    cdf: Vec<f64>,
}

impl Zipf {
    /// `n` and `s` are the caller's validated values (`n` >= 1).
    pub fn new(n: u32, s: f64) -> Zipf {
        let mut total = 0.0;
        let cdf = (1..=n.max(1))
            .map(|rank| {
                total += math::powf(f64::from(rank), -s);
                total
            })
            .collect();
        Zipf { cdf }
    }

    pub fn sample(&self, rng: &mut Rng) -> u32 {
        let total = self.cdf.last().copied().unwrap_or(0.0);
        let target = rng.unit() * total;
        let index = self.cdf.partition_point(|&c| c <= target);
        // The last index is a guard against rounding at the very top.
        index.min(self.cdf.len().saturating_sub(1)) as u32
    }
}

/// How long a query to the simulated primary database takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Latency {
    /// Every whole millisecond in `min_ms..=max_ms` equally likely.
    Uniform { min_ms: u64, max_ms: u64 },
    /// Log-normal with this median and 99th percentile: most queries are
    /// quick, a few are very slow, as real databases behave.
    LogNormal { median_ms: u64, p99_ms: u64 },
}

impl Latency {
    pub fn validate(&self, field: &'static str) -> Result<(), ParamError> {
        let (low, high) = match *self {
            Latency::Uniform { min_ms, max_ms } => (min_ms, max_ms),
            Latency::LogNormal { median_ms, p99_ms } => {
                params::int(field, median_ms, 1, MAX_LATENCY_MS)?;
                (median_ms, p99_ms)
            }
        };
        params::int(field, high, 0, MAX_LATENCY_MS)?;
        if low > high {
            return Err(ParamError::new(field, "the lower bound is above the upper"));
        }
        Ok(())
    }

    pub fn sample(&self, rng: &mut Rng) -> u64 {
        match *self {
            Latency::Uniform { min_ms, max_ms } => {
                let span = max_ms.saturating_sub(min_ms).saturating_add(1);
                min_ms + rng.below(span as usize) as u64
            }
            Latency::LogNormal { median_ms, p99_ms } => {
                // Irwin-Hall: twelve uniforms minus six is close to a
                // standard normal, bounded to [-6, 6], and needs no cos/sin.
                let z: f64 = (0..12).map(|_| rng.unit()).sum::<f64>() - 6.0;
                let ms = median_ms as f64 * math::exp(sigma(median_ms, p99_ms) * z);
                (ms.round() as u64).min(self.max_ms())
            }
        }
    }

    /// The longest latency `sample` can return.
    pub fn max_ms(&self) -> u64 {
        match *self {
            Latency::Uniform { max_ms, .. } => max_ms.min(MAX_LATENCY_MS),
            Latency::LogNormal { median_ms, p99_ms } => {
                let top = median_ms as f64 * math::exp(sigma(median_ms, p99_ms) * 6.0);
                (top.ceil() as u64).min(MAX_LATENCY_MS)
            }
        }
    }
}

/// The log-normal's sigma giving `p99` at the 99th percentile.
fn sigma(median_ms: u64, p99_ms: u64) -> f64 {
    math::ln(p99_ms.max(median_ms).max(1) as f64 / median_ms.max(1) as f64) / Z_P99
}

/// A gap between Poisson arrivals at `rate_per_s` (positive), in ms.
pub fn exponential_gap_ms(rng: &mut Rng, rate_per_s: f64) -> f64 {
    // 1 - unit() is in (0, 1], so the logarithm is finite.
    -math::ln(1.0 - rng.unit()) * 1000.0 / rate_per_s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_favours_low_ranks_and_stays_in_range() {
        let zipf = Zipf::new(100, 1.0);
        let mut rng = Rng::new(1);
        let mut counts = [0u32; 100];
        for _ in 0..20_000 {
            let k = zipf.sample(&mut rng) as usize;
            counts[k] += 1;
        }
        // P(key 0) = 1 / H(100) ~ 0.193; P(key 1) is half of it.
        assert!((3500..4300).contains(&counts[0]), "{}", counts[0]);
        assert!(counts[0] > counts[1] && counts[1] > counts[9]);
        let uniform = Zipf::new(4, 0.0);
        let mut seen = [false; 4];
        for _ in 0..200 {
            seen[uniform.sample(&mut rng) as usize] = true;
        }
        assert_eq!(seen, [true; 4]);
        assert_eq!(Zipf::new(1, 3.0).sample(&mut rng), 0);
    }

    #[test]
    fn latencies_stay_within_their_bounds() {
        let mut rng = Rng::new(7);
        let uniform = Latency::Uniform {
            min_ms: 20,
            max_ms: 200,
        };
        let samples: Vec<u64> = (0..5000).map(|_| uniform.sample(&mut rng)).collect();
        assert!(samples.iter().all(|&ms| (20..=200).contains(&ms)));
        assert!(samples.contains(&20) && samples.contains(&200));
        let log_normal = Latency::LogNormal {
            median_ms: 30,
            p99_ms: 300,
        };
        let mut samples: Vec<u64> = (0..20_000).map(|_| log_normal.sample(&mut rng)).collect();
        samples.sort_unstable();
        let median = samples[samples.len() / 2];
        let p99 = samples[samples.len() * 99 / 100];
        assert!((27..=33).contains(&median), "{median}");
        assert!((230..=380).contains(&p99), "{p99}");
        assert!(samples.iter().all(|&ms| ms <= log_normal.max_ms()));
    }

    #[test]
    fn bad_latencies_are_refused() {
        let inverted = Latency::Uniform {
            min_ms: 10,
            max_ms: 5,
        };
        assert!(inverted.validate("db_latency").is_err());
        let zero_median = Latency::LogNormal {
            median_ms: 0,
            p99_ms: 5,
        };
        assert!(zero_median.validate("db_latency").is_err());
        let huge = Latency::Uniform {
            min_ms: 0,
            max_ms: u64::MAX,
        };
        assert!(huge.validate("db_latency").is_err());
    }

    #[test]
    fn poisson_gaps_average_to_the_rate() {
        let mut rng = Rng::new(3);
        let total: f64 = (0..10_000)
            .map(|_| exponential_gap_ms(&mut rng, 100.0))
            .sum();
        let mean = total / 10_000.0;
        assert!((9.5..10.5).contains(&mean), "{mean}");
    }
}
