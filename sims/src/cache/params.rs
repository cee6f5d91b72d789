//! What the cache simulation's form sets, its presets, and the checks that
//! bound everything a run allocates (keys, requests, buckets) before it
//! starts.

use crate::dist::Latency;
use crate::host::TICK_MS;
use crate::params::{self, ParamError};

pub const MAX_KEYS: u64 = 100_000;
pub const MAX_RATE_PER_S: f64 = 2_000.0;
pub const MAX_DURATION_MS: u64 = 600_000;
pub const MAX_VALUE_BYTES: u64 = 16_384;
pub const MAX_TTL_MS: u64 = 3_600_000;
pub const MAX_MAXMEMORY: u64 = 1 << 30;

/// How the application uses the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Every request goes to the database.
    NoCache,
    /// Reads: GET, on a miss load from the database and SET EX. Writes go
    /// to the database; with `invalidate_on_write` they then DEL the key,
    /// otherwise the old value is served until its TTL runs out.
    CacheAside { invalidate_on_write: bool },
    /// Reads as cache-aside; writes go to the database, then SET the new
    /// value in the cache.
    WriteThrough,
    /// Reads as cache-aside; writes SET the cache and answer at once, the
    /// database write waits in the application's queue, flushed as one
    /// batch every `flush_every_ms`. A crash of the application at
    /// `crash_at_ms` loses what is queued.
    WriteBehind {
        flush_every_ms: u64,
        crash_at_ms: Option<u64>,
    },
}

impl Strategy {
    pub fn uses_cache(&self) -> bool {
        !matches!(self, Strategy::NoCache)
    }
}

/// Redis's `maxmemory-policy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictionPolicy {
    NoEviction,
    AllKeysLru,
    AllKeysLfu,
    AllKeysRandom,
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
}

impl EvictionPolicy {
    pub const ALL: [EvictionPolicy; 8] = [
        EvictionPolicy::NoEviction,
        EvictionPolicy::AllKeysLru,
        EvictionPolicy::AllKeysLfu,
        EvictionPolicy::AllKeysRandom,
        EvictionPolicy::VolatileLru,
        EvictionPolicy::VolatileLfu,
        EvictionPolicy::VolatileRandom,
        EvictionPolicy::VolatileTtl,
    ];

    /// The name CONFIG SET takes.
    pub fn name(self) -> &'static str {
        match self {
            EvictionPolicy::NoEviction => "noeviction",
            EvictionPolicy::AllKeysLru => "allkeys-lru",
            EvictionPolicy::AllKeysLfu => "allkeys-lfu",
            EvictionPolicy::AllKeysRandom => "allkeys-random",
            EvictionPolicy::VolatileLru => "volatile-lru",
            EvictionPolicy::VolatileLfu => "volatile-lfu",
            EvictionPolicy::VolatileRandom => "volatile-random",
            EvictionPolicy::VolatileTtl => "volatile-ttl",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CacheParams {
    pub seed: u64,
    /// How long the run lasts, virtual ms.
    pub duration_ms: u64,
    /// Width of one chart bucket, a multiple of 100 ms.
    pub bucket_ms: u64,
    /// Distinct keys (`item:0` is the most popular).
    pub keys: u64,
    /// Zipf exponent of key popularity: 0 is uniform, 1 is typical web
    /// traffic, higher concentrates on a few keys.
    pub zipf_s: f64,
    /// Requests per second (Poisson arrivals).
    pub rate_per_s: f64,
    /// Fraction of requests that are writes.
    pub write_ratio: f64,
    /// Size of each value, so memory use and eviction mean something.
    pub value_bytes: u64,
    pub db_latency: Latency,
    /// Round trip to Redis, ms.
    pub cache_rtt_ms: u64,
    /// TTL of cached values.
    pub ttl_ms: u64,
    /// The engine's `maxmemory` in bytes (0: no limit).
    pub maxmemory: u64,
    pub policy: EvictionPolicy,
    pub strategy: Strategy,
    /// The stampede mitigation: a miss takes `SET lock:<key> <token> NX PX`
    /// before loading; the others wait `lock_retry_ms` and GET again.
    pub stampede_lock: bool,
    pub lock_retry_ms: u64,
}

impl Default for CacheParams {
    /// Cache-aside over 1,000 keys of typical popularity.
    fn default() -> Self {
        CacheParams {
            seed: 1,
            duration_ms: 60_000,
            bucket_ms: 1_000,
            keys: 1_000,
            zipf_s: 1.0,
            rate_per_s: 200.0,
            write_ratio: 0.05,
            value_bytes: 100,
            db_latency: Latency::Uniform {
                min_ms: 20,
                max_ms: 200,
            },
            cache_rtt_ms: 1,
            ttl_ms: 10_000,
            maxmemory: 0,
            policy: EvictionPolicy::AllKeysLru,
            strategy: Strategy::CacheAside {
                invalidate_on_write: false,
            },
            stampede_lock: false,
            lock_retry_ms: 50,
        }
    }
}

impl CacheParams {
    /// The stampede: a few very hot keys under heavy read load, a short
    /// TTL, a slow database. Turn `stampede_lock` on to compare.
    pub fn stampede() -> CacheParams {
        CacheParams {
            duration_ms: 20_000,
            keys: 100,
            zipf_s: 1.2,
            rate_per_s: 1_000.0,
            write_ratio: 0.0,
            db_latency: Latency::Uniform {
                min_ms: 100,
                max_ms: 300,
            },
            ttl_ms: 5_000,
            ..CacheParams::default()
        }
    }

    /// Every field in range, and the run's sizes bounded.
    pub fn validate(&self) -> Result<(), ParamError> {
        params::int("duration_ms", self.duration_ms, 1_000, MAX_DURATION_MS)?;
        // With the duration's bound, at most 6,000 buckets.
        params::int("bucket_ms", self.bucket_ms, TICK_MS, 60_000)?;
        // Buckets close on the cron's ticks, so they end exactly on time.
        if self.bucket_ms % TICK_MS != 0 {
            return Err(ParamError::new("bucket_ms", "must be a multiple of 100"));
        }
        params::int("keys", self.keys, 1, MAX_KEYS)?;
        params::real("zipf_s", self.zipf_s, 0.0, 3.0)?;
        params::real("rate_per_s", self.rate_per_s, 0.1, MAX_RATE_PER_S)?;
        params::real("write_ratio", self.write_ratio, 0.0, 1.0)?;
        params::int("value_bytes", self.value_bytes, 1, MAX_VALUE_BYTES)?;
        self.db_latency.validate("db_latency")?;
        params::int("cache_rtt_ms", self.cache_rtt_ms, 0, 1_000)?;
        params::int("ttl_ms", self.ttl_ms, 1, MAX_TTL_MS)?;
        params::int("maxmemory", self.maxmemory, 0, MAX_MAXMEMORY)?;
        params::int("lock_retry_ms", self.lock_retry_ms, 1, 10_000)?;
        if let Strategy::WriteBehind {
            flush_every_ms,
            crash_at_ms,
        } = self.strategy
        {
            params::int("flush_every_ms", flush_every_ms, 1, MAX_DURATION_MS)?;
            if let Some(at) = crash_at_ms {
                params::int("crash_at_ms", at, 0, self.duration_ms)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_bad_fields_are_named() {
        assert_eq!(CacheParams::default().validate(), Ok(()));
        assert_eq!(CacheParams::stampede().validate(), Ok(()));
        let nan = CacheParams {
            zipf_s: f64::NAN,
            ..CacheParams::default()
        };
        assert_eq!(nan.validate().unwrap_err().field, "zipf_s");
        let odd_bucket = CacheParams {
            bucket_ms: 150,
            ..CacheParams::default()
        };
        assert_eq!(odd_bucket.validate().unwrap_err().field, "bucket_ms");
        let too_many = CacheParams {
            keys: MAX_KEYS + 1,
            ..CacheParams::default()
        };
        assert_eq!(too_many.validate().unwrap_err().field, "keys");
        let late_crash = CacheParams {
            strategy: Strategy::WriteBehind {
                flush_every_ms: 1_000,
                crash_at_ms: Some(10_000_000),
            },
            ..CacheParams::default()
        };
        assert_eq!(late_crash.validate().unwrap_err().field, "crash_at_ms");
        assert!(EvictionPolicy::ALL.iter().all(|p| !p.name().is_empty()));
    }
}
