//! Cache-aside and its relatives in front of a slow primary database:
//! no cache, cache-aside (with or without invalidation on write),
//! write-through and write-behind, under Zipf-popular traffic, with the
//! engine's maxmemory and eviction policy, and the stampede of a hot key
//! expiring under load (with and without the `SET NX` lock).
//!
//! - `params`: the form and its bounds; `db`: the primary database and the
//!   truth about acknowledged writes; `model`: the requests' steps;
//!   `metrics`: the charts' buckets; `stampede`: the hot key's reloads.

mod db;
mod metrics;
mod model;
mod params;
mod stampede;

pub use metrics::{CacheBucket, CacheTotals};
pub use model::{simulate, CacheSim, LostWrite, Op, Outcome, Served};
pub use params::{
    CacheParams, EvictionPolicy, Strategy, MAX_DURATION_MS, MAX_KEYS, MAX_RATE_PER_S,
};
pub use stampede::{Reload, HOT_KEY};
