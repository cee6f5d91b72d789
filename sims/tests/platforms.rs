//! The same seed gives the same run on every platform: a cache and a
//! rate-limit simulation, reduced to a digest of everything they record,
//! must equal constants computed once natively. This file also runs
//! compiled to wasm32 in Node (`cargo xtask test`, with
//! wasm-bindgen-test-runner), so the constants passing there proves the
//! browser's runs are the native ones. A deliberate change to what a
//! simulation does changes them: recompute them natively (the failure
//! prints the new digest) and check that wasm32 agrees.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_sims::cache::{self, CacheParams, EvictionPolicy};
use redsim_sims::rate_limit::{self, RateParams, Stream};
use redsim_sims::{Latency, LogEntry};

/// FNV-1a, 64 bits: small, and the same everywhere.
struct Digest(u64);

impl Digest {
    fn new() -> Digest {
        Digest(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, text: &str) {
        for &byte in text.as_bytes() {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Every command with its reply, database query and note, in order.
    fn add_log(&mut self, log: &[LogEntry]) {
        for entry in log {
            self.add(&format!(
                "{} {} {:?}\n",
                entry.at_ms, entry.actor, entry.action
            ));
        }
    }
}

/// Cache-aside under an LFU policy and a memory limit, with log-normal
/// database latency and Zipf keys: every floating-point draw the
/// simulations make, and the engine's own eviction sampling and LFU
/// counter.
fn cache_digest(seed: u64) -> u64 {
    let mut sim = cache::simulate(CacheParams {
        seed,
        duration_ms: 4_000,
        keys: 300,
        zipf_s: 1.1,
        rate_per_s: 300.0,
        write_ratio: 0.1,
        db_latency: Latency::LogNormal {
            median_ms: 30,
            p99_ms: 400,
        },
        ttl_ms: 1_500,
        maxmemory: 890_000,
        policy: EvictionPolicy::AllKeysLfu,
        stampede_lock: true,
        ..CacheParams::default()
    })
    .expect("valid parameters");
    sim.run_to_end();
    let buckets = sim.model().buckets();
    assert!(
        buckets.iter().map(|b| b.evictions).sum::<u64>() > 100,
        "the memory limit makes the engine evict"
    );
    let mut digest = Digest::new();
    digest.add(&format!("{buckets:?}"));
    digest.add_log(&sim.take_log());
    digest.add(&format!("{:?}", sim.model_mut().take_outcomes()));
    digest.0
}

/// Poisson arrivals fed to the four limiters.
fn rate_limit_digest(seed: u64) -> u64 {
    let mut sim = rate_limit::simulate(RateParams {
        seed,
        duration_ms: 6_000,
        stream: Stream::Random { rate_per_s: 25.0 },
        refill_per_s: 7.5,
        ..RateParams::default()
    })
    .expect("valid parameters");
    sim.run_to_end();
    let requests = sim.model().requests();
    assert!(requests.len() > 100, "{} requests", requests.len());
    let mut digest = Digest::new();
    digest.add(&format!("{requests:?}"));
    digest.add_log(&sim.take_log());
    digest.add(&format!("{:?}", sim.model_mut().take_decisions()));
    digest.0
}

#[test]
fn a_cache_run_is_the_same_natively_and_in_wasm32() {
    assert_eq!(cache_digest(7), 6_922_164_131_999_682_284, "cache digest");
}

#[test]
fn a_rate_limit_run_is_the_same_natively_and_in_wasm32() {
    assert_eq!(
        rate_limit_digest(7),
        17_731_828_831_041_919_082,
        "rate-limit digest"
    );
}
