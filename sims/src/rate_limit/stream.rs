//! The request stream every limiter is fed: steady, bursty, random
//! (Poisson), or drawn by the user as explicit request times. Generated
//! up front, once, so all four limiters see exactly the same requests.

use crate::dist::exponential_gap_ms;
use crate::params::{self, ParamError};
use redsim_engine::rng::Rng;

/// Requests a stream may hold (each becomes four decisions on screen).
pub const MAX_REQUESTS: u64 = 20_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Stream {
    /// Evenly spaced requests.
    Steady { rate_per_s: f64 },
    /// `burst` requests `spacing_ms` apart, a burst every `every_ms`.
    Bursty {
        burst: u64,
        every_ms: u64,
        spacing_ms: u64,
    },
    /// Poisson arrivals at an average rate (the seed decides them).
    Random { rate_per_s: f64 },
    /// Requests at these virtual times (any order; sorted on use).
    Drawn { times_ms: Vec<u64> },
}

impl Stream {
    /// The request times before `duration_ms`, sorted; an error if the
    /// stream's parameters are out of range or it would exceed
    /// `MAX_REQUESTS`.
    pub fn times(&self, duration_ms: u64, rng: &mut Rng) -> Result<Vec<u64>, ParamError> {
        let too_many = || {
            ParamError::new(
                "stream",
                format!("more than {MAX_REQUESTS} requests in the run"),
            )
        };
        let mut times = Vec::new();
        match self {
            Stream::Steady { rate_per_s } => {
                let rate = params::real("rate_per_s", *rate_per_s, 0.001, 10_000.0)?;
                if rate * duration_ms as f64 / 1000.0 > MAX_REQUESTS as f64 {
                    return Err(too_many());
                }
                let gap = 1000.0 / rate;
                times.extend(
                    (0..)
                        .map(|i| (f64::from(i) * gap) as u64)
                        .take_while(|&at| at < duration_ms),
                );
            }
            Stream::Bursty {
                burst,
                every_ms,
                spacing_ms,
            } => {
                let burst = params::int("burst", *burst, 1, MAX_REQUESTS)?;
                let every = params::int("every_ms", *every_ms, 1, duration_ms)?;
                let spacing = params::int("spacing_ms", *spacing_ms, 0, every)?;
                if duration_ms.div_ceil(every).saturating_mul(burst) > MAX_REQUESTS {
                    return Err(too_many());
                }
                for start in (0..duration_ms).step_by(every as usize) {
                    times.extend(
                        (0..burst)
                            .map(|i| start + i * spacing)
                            .take_while(|&at| at < duration_ms),
                    );
                }
                times.sort_unstable();
            }
            Stream::Random { rate_per_s } => {
                let rate = params::real("rate_per_s", *rate_per_s, 0.001, 10_000.0)?;
                // The expected count is bounded; the draw is cut at the
                // bound too, since a random stream may run over it.
                if rate * duration_ms as f64 / 1000.0 > MAX_REQUESTS as f64 / 2.0 {
                    return Err(too_many());
                }
                let mut at = exponential_gap_ms(rng, rate);
                while (at as u64) < duration_ms && (times.len() as u64) < MAX_REQUESTS {
                    times.push(at as u64);
                    at += exponential_gap_ms(rng, rate);
                }
            }
            Stream::Drawn { times_ms } => {
                if times_ms.len() as u64 > MAX_REQUESTS {
                    return Err(too_many());
                }
                if times_ms.iter().any(|&at| at >= duration_ms) {
                    return Err(ParamError::new(
                        "times_ms",
                        "a request is past the end of the run",
                    ));
                }
                times.extend_from_slice(times_ms);
                times.sort_unstable();
            }
        }
        Ok(times)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(stream: Stream, duration_ms: u64) -> Result<Vec<u64>, ParamError> {
        stream.times(duration_ms, &mut Rng::new(1))
    }

    #[test]
    fn each_kind_of_stream() {
        let steady = times(Stream::Steady { rate_per_s: 4.0 }, 1_000).unwrap();
        assert_eq!(steady, [0, 250, 500, 750]);
        let bursty = Stream::Bursty {
            burst: 3,
            every_ms: 1_000,
            spacing_ms: 10,
        };
        assert_eq!(times(bursty, 1_015).unwrap(), [0, 10, 20, 1_000, 1_010]);
        let random = times(Stream::Random { rate_per_s: 50.0 }, 10_000).unwrap();
        assert!((400..600).contains(&random.len()));
        assert!(random.windows(2).all(|w| w[0] <= w[1]));
        let drawn = Stream::Drawn {
            times_ms: vec![30, 10, 20],
        };
        assert_eq!(times(drawn, 100).unwrap(), [10, 20, 30]);
    }

    #[test]
    fn streams_are_bounded() {
        let flood = Stream::Steady {
            rate_per_s: 10_000.0,
        };
        assert!(times(flood, 600_000).is_err());
        let burst = Stream::Bursty {
            burst: 20_000,
            every_ms: 1,
            spacing_ms: 0,
        };
        assert!(times(burst, 10).is_err());
        let nan = Stream::Random {
            rate_per_s: f64::NAN,
        };
        assert_eq!(times(nan, 1_000).unwrap_err().field, "rate_per_s");
        let late = Stream::Drawn {
            times_ms: vec![5, 100],
        };
        assert_eq!(times(late, 100).unwrap_err().field, "times_ms");
    }
}
