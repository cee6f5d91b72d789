//! The cache simulation's charts: per virtual-time bucket, what requests
//! saw (hits, misses, latency percentiles, stale reads), the load on the
//! database, and the engine's memory and evictions sampled at the bucket's
//! end; and the run's running totals.
//!
//! A request counts in the bucket where it completed, a hit or miss where
//! its first GET ran, a database query where it started.

use crate::host::Host;
use crate::percentile::{percentiles, Percentiles};

/// One bucket of the charts.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheBucket {
    pub start_ms: u64,
    pub end_ms: u64,
    /// Requests that completed.
    pub completed: u64,
    /// Reads whose first GET hit / missed.
    pub hits: u64,
    pub misses: u64,
    /// Latency as the application saw it, of the completed requests.
    pub latency: Option<Percentiles>,
    pub db_queries: u64,
    /// Reads that returned a value older than an acknowledged write.
    pub stale_reads: u64,
    pub max_staleness_ms: u64,
    /// The engine's used_memory at the bucket's end.
    pub used_memory: usize,
    /// Keys the engine evicted during the bucket.
    pub evictions: u64,
    /// Keys in the engine at the bucket's end.
    pub keys: usize,
}

impl CacheBucket {
    /// Hits over reads that consulted the cache; None without any.
    pub fn hit_ratio(&self) -> Option<f64> {
        let reads = self.hits + self.misses;
        (reads > 0).then(|| self.hits as f64 / reads as f64)
    }

    pub fn db_queries_per_s(&self) -> f64 {
        let width = self.end_ms.saturating_sub(self.start_ms).max(1);
        self.db_queries as f64 * 1000.0 / width as f64
    }
}

/// Running totals since the start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheTotals {
    pub requests: u64,
    pub completed: u64,
    pub hits: u64,
    pub misses: u64,
    pub db_queries: u64,
    pub stale_reads: u64,
    pub max_staleness_ms: u64,
}

/// A bucket still being filled.
#[derive(Debug, Default)]
struct Open {
    completed: u64,
    hits: u64,
    misses: u64,
    latencies: Vec<u64>,
    db_queries: u64,
    stale_reads: u64,
    max_staleness_ms: u64,
}

pub struct Metrics {
    bucket_ms: u64,
    end_ms: u64,
    /// One per bucket of the run, indexed by `at / bucket_ms`.
    open: Vec<Open>,
    closed: Vec<CacheBucket>,
    evicted_so_far: u64,
    totals: CacheTotals,
}

impl Metrics {
    /// `bucket_ms` and `end_ms` are validated (the bucket count bounded).
    pub fn new(bucket_ms: u64, end_ms: u64) -> Metrics {
        let bucket_ms = bucket_ms.max(1);
        let count = end_ms.div_ceil(bucket_ms) as usize;
        Metrics {
            bucket_ms,
            end_ms,
            open: std::iter::repeat_with(Open::default).take(count).collect(),
            closed: Vec::new(),
            evicted_so_far: 0,
            totals: CacheTotals::default(),
        }
    }

    /// The bucket `at` falls in (None past the end).
    fn bucket(&mut self, at: u64) -> Option<&mut Open> {
        self.open.get_mut((at / self.bucket_ms) as usize)
    }

    pub fn arrived(&mut self) {
        self.totals.requests += 1;
    }

    pub fn lookup(&mut self, at: u64, hit: bool) {
        if hit {
            self.totals.hits += 1;
        } else {
            self.totals.misses += 1;
        }
        if let Some(b) = self.bucket(at) {
            if hit {
                b.hits += 1;
            } else {
                b.misses += 1;
            }
        }
    }

    pub fn db_query(&mut self, at: u64) {
        self.totals.db_queries += 1;
        if let Some(b) = self.bucket(at) {
            b.db_queries += 1;
        }
    }

    /// A request completed at `at` after `latency_ms`, having read a value
    /// `stale_ms` old (None: fresh, or a write).
    pub fn completed(&mut self, at: u64, latency_ms: u64, stale_ms: Option<u64>) {
        let totals = &mut self.totals;
        totals.completed += 1;
        if let Some(stale) = stale_ms {
            totals.stale_reads += 1;
            totals.max_staleness_ms = totals.max_staleness_ms.max(stale);
        }
        if let Some(b) = self.bucket(at) {
            b.completed += 1;
            b.latencies.push(latency_ms);
            if let Some(stale) = stale_ms {
                b.stale_reads += 1;
                b.max_staleness_ms = b.max_staleness_ms.max(stale);
            }
        }
    }

    /// Closes every bucket that ended by `at`, sampling the engine.
    pub fn close_due(&mut self, at: u64, host: &mut Host) {
        loop {
            let index = self.closed.len();
            let start_ms = index as u64 * self.bucket_ms;
            let end_ms = (start_ms + self.bucket_ms).min(self.end_ms);
            if start_ms >= self.end_ms || end_ms > at {
                return;
            }
            let Some(open) = self.open.get_mut(index) else {
                return;
            };
            let mut latencies = std::mem::take(&mut open.latencies);
            let stats = host.stats();
            let evictions = stats.evicted_keys.saturating_sub(self.evicted_so_far);
            self.evicted_so_far = stats.evicted_keys;
            self.closed.push(CacheBucket {
                start_ms,
                end_ms,
                completed: open.completed,
                hits: open.hits,
                misses: open.misses,
                latency: percentiles(&mut latencies),
                db_queries: open.db_queries,
                stale_reads: open.stale_reads,
                max_staleness_ms: open.max_staleness_ms,
                used_memory: stats.used_memory,
                evictions,
                keys: stats.keys,
            });
        }
    }

    /// The buckets closed so far, oldest first.
    pub fn buckets(&self) -> &[CacheBucket] {
        &self.closed
    }

    pub fn totals(&self) -> CacheTotals {
        self.totals
    }
}
