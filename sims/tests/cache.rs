//! The outcomes that define each caching strategy, over several seeds.

use redsim_sims::cache::{simulate, CacheParams, Op, Outcome, Served, Strategy};
use redsim_sims::{Action, Latency};

const SEEDS: [u64; 4] = [1, 2, 3, 0xdead_beef];

/// Read-heavy traffic with enough writes to supersede cached values often.
fn churn(seed: u64, strategy: Strategy) -> CacheParams {
    CacheParams {
        seed,
        duration_ms: 20_000,
        keys: 50,
        rate_per_s: 300.0,
        write_ratio: 0.2,
        ttl_ms: 2_000,
        strategy,
        ..CacheParams::default()
    }
}

/// Runs to the end, draining outcomes as the playground would.
fn run(params: CacheParams) -> (redsim_sims::Sim<redsim_sims::cache::CacheSim>, Vec<Outcome>) {
    let mut sim = simulate(params).expect("valid parameters");
    let mut outcomes = Vec::new();
    while !sim.finished() {
        let next = sim.now() + 1_000;
        sim.advance_to(next);
        outcomes.extend(sim.model_mut().take_outcomes());
    }
    (sim, outcomes)
}

#[test]
fn without_invalidation_staleness_never_exceeds_the_ttl() {
    for seed in SEEDS {
        let params = churn(
            seed,
            Strategy::CacheAside {
                invalidate_on_write: false,
            },
        );
        let ttl = params.ttl_ms;
        let (sim, outcomes) = run(params);
        let stale: Vec<u64> = outcomes.iter().filter_map(|o| o.stale_ms).collect();
        // Stale reads happen (the property is not vacuous), some of them
        // close to the bound, and none past it.
        assert!(
            stale.len() > 100,
            "seed {seed}: {} stale reads",
            stale.len()
        );
        let worst = stale.iter().copied().max().unwrap_or(0);
        assert!(worst <= ttl, "seed {seed}: a read {worst} ms stale");
        assert!(worst > ttl / 2, "seed {seed}: worst only {worst} ms");
        assert_eq!(sim.model().totals().max_staleness_ms, worst);
    }
}

#[test]
fn with_invalidation_no_read_is_stale_after_the_del() {
    for seed in SEEDS {
        let (mut sim, outcomes) = run(churn(
            seed,
            Strategy::CacheAside {
                invalidate_on_write: true,
            },
        ));
        let writes = outcomes.iter().filter(|o| o.op == Op::Write).count();
        let cached = outcomes
            .iter()
            .filter(|o| o.served == Served::Cache)
            .count();
        assert!(writes > 500 && cached > 1_000, "seed {seed}");
        assert!(
            outcomes.iter().all(|o| o.stale_ms.is_none()),
            "seed {seed}: a stale read after invalidation"
        );
        // The DELs really ran on the engine.
        let log = sim.take_log();
        assert!(log.iter().any(|e| matches!(&e.action,
            Action::Redis { argv, .. } if argv.first().map(String::as_str) == Some("DEL"))));
    }
}

#[test]
fn write_behind_loses_exactly_the_queued_writes_on_a_crash() {
    let flush_every_ms = 2_000;
    let crash_at_ms = 9_500;
    for seed in SEEDS {
        let params = CacheParams {
            seed,
            duration_ms: 20_000,
            rate_per_s: 200.0,
            write_ratio: 0.3,
            strategy: Strategy::WriteBehind {
                flush_every_ms,
                crash_at_ms: Some(crash_at_ms),
            },
            ..CacheParams::default()
        };
        let (sim, outcomes) = run(params);
        let model = sim.model();
        let lost = model.lost_writes();
        let last_flush = crash_at_ms / flush_every_ms * flush_every_ms;
        let acked_at = |key: u32, version: u64| {
            outcomes
                .iter()
                .find(|o| o.op == Op::Write && o.key == key && o.version == version)
                .map(|o| o.started_ms)
        };
        // Every lost write was acknowledged between the last flush and the
        // crash, and every write acknowledged strictly between them is lost.
        for w in lost {
            let at = acked_at(w.key, w.version).expect("a lost write was acknowledged");
            assert!(
                (last_flush..=crash_at_ms).contains(&at),
                "seed {seed}: {at}"
            );
        }
        let queued_at_crash = outcomes
            .iter()
            .filter(|o| {
                o.op == Op::Write && o.started_ms > last_flush && o.started_ms < crash_at_ms
            })
            .count();
        assert!(queued_at_crash > 0, "seed {seed}");
        assert!(lost.len() >= queued_at_crash && lost.len() <= queued_at_crash + 2);
        // Nothing else was lost: every write is in the database, lost, or
        // still on its way there.
        let writes = outcomes.iter().filter(|o| o.op == Op::Write).count() as u64;
        assert_eq!(
            model.db_writes_applied() + lost.len() as u64 + model.unflushed_writes() as u64,
            writes,
            "seed {seed}"
        );
    }
}

#[test]
fn the_stampede_loads_once_per_miss_without_the_lock_and_once_with_it() {
    for seed in SEEDS {
        let without = CacheParams {
            seed,
            ..CacheParams::stampede()
        };
        let with = CacheParams {
            stampede_lock: true,
            ..without.clone()
        };
        let (unlocked, _) = run(without);
        let reloads = unlocked.model().reloads();
        // The cold start and then one reload per TTL.
        assert!(reloads.len() >= 3, "seed {seed}: {reloads:?}");
        for r in reloads {
            assert_eq!(r.db_loads, r.misses, "seed {seed}: {r:?}");
        }
        let expiries = reloads.get(1..).unwrap_or_default();
        assert!(
            expiries.iter().all(|r| r.db_loads > 1),
            "seed {seed}: {reloads:?}"
        );

        let (locked, outcomes) = run(with);
        let reloads = locked.model().reloads();
        assert!(reloads.len() >= 3, "seed {seed}: {reloads:?}");
        for r in reloads {
            assert_eq!(r.db_loads, 1, "seed {seed}: {r:?}");
        }
        assert!(
            reloads.iter().any(|r| r.misses > 1),
            "seed {seed}: nobody waited"
        );
        assert!(outcomes.iter().any(|o| o.served == Served::CacheAfterWait));
        assert!(locked.model().totals().db_queries < unlocked.model().totals().db_queries);
    }
}

#[test]
fn no_cache_sends_everything_to_the_database() {
    let (sim, outcomes) = run(CacheParams {
        duration_ms: 5_000,
        strategy: Strategy::NoCache,
        db_latency: Latency::LogNormal {
            median_ms: 30,
            p99_ms: 300,
        },
        ..CacheParams::default()
    });
    let totals = sim.model().totals();
    assert_eq!(totals.hits + totals.misses, 0);
    assert!(outcomes.iter().all(|o| o.served != Served::Cache));
    assert!(totals.db_queries >= totals.completed);
    assert_eq!(sim.model().engine().dbsize(0), 0);
}
