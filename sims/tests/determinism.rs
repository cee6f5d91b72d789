//! A seed replays a run exactly (what the playground's "seed" field
//! promises), and another seed gives another run.

use redsim_sims::cache::{self, CacheBucket, CacheParams};
use redsim_sims::rate_limit::{self, RateParams, Stream};
use redsim_sims::LogEntry;

fn cache_run(seed: u64) -> (Vec<LogEntry>, Vec<CacheBucket>, Vec<cache::Outcome>) {
    let mut sim = cache::simulate(CacheParams {
        seed,
        duration_ms: 5_000,
        write_ratio: 0.2,
        stampede_lock: true,
        maxmemory: 1_000_000,
        ..CacheParams::default()
    })
    .expect("valid parameters");
    sim.run_to_end();
    let buckets = sim.model().buckets().to_vec();
    let outcomes = sim.model_mut().take_outcomes();
    (sim.take_log(), buckets, outcomes)
}

#[test]
fn the_cache_simulation_replays_its_seed() {
    for seed in [1, 2, 99] {
        let first = cache_run(seed);
        assert!(first.0.len() > 1_000 && first.1.len() == 5);
        assert_eq!(first, cache_run(seed), "seed {seed}");
    }
    let (log_a, buckets_a, _) = cache_run(1);
    let (log_b, buckets_b, _) = cache_run(2);
    assert_ne!(log_a, log_b);
    assert_ne!(buckets_a, buckets_b);
}

fn rate_run(seed: u64) -> (Vec<LogEntry>, Vec<rate_limit::Decision>) {
    let mut sim = rate_limit::simulate(RateParams {
        seed,
        stream: Stream::Random { rate_per_s: 20.0 },
        ..RateParams::default()
    })
    .expect("valid parameters");
    sim.run_to_end();
    let decisions = sim.model_mut().take_decisions();
    (sim.take_log(), decisions)
}

#[test]
fn the_rate_limit_simulation_replays_its_seed() {
    for seed in [1, 2, 99] {
        let first = rate_run(seed);
        assert!(first.1.len() > 400);
        assert_eq!(first, rate_run(seed), "seed {seed}");
    }
    assert_ne!(rate_run(1).1, rate_run(2).1);
}
