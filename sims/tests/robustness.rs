//! Parameters come from the playground's forms: extreme ones must be
//! refused with the field named, or run, and never panic.

use redsim_sims::cache::{self, CacheParams, EvictionPolicy, Strategy};
use redsim_sims::chat::{self, ChatParams};
use redsim_sims::jobs::{self, Crash, JobParams, QueueKind};
use redsim_sims::leaderboard::{self, LeaderboardParams};
use redsim_sims::lock::{self, LockParams};
use redsim_sims::rate_limit::{self, RateParams, Stream};
use redsim_sims::sessions::{self, SessionParams};
use redsim_sims::Latency;

const SLOW_TAIL: Latency = Latency::LogNormal {
    median_ms: 1,
    p99_ms: 60_000,
};

#[test]
fn out_of_range_parameters_are_refused_by_name() {
    let field = |result: Result<(), redsim_sims::ParamError>| result.unwrap_err().field;
    assert_eq!(
        field(
            cache::simulate(CacheParams {
                rate_per_s: f64::INFINITY,
                ..CacheParams::default()
            })
            .map(|_| ())
        ),
        "rate_per_s"
    );
    assert_eq!(
        field(
            cache::simulate(CacheParams {
                ttl_ms: 0,
                ..CacheParams::default()
            })
            .map(|_| ())
        ),
        "ttl_ms"
    );
    let huge_drawn = Stream::Drawn {
        times_ms: vec![1; 1_000_000],
    };
    assert_eq!(
        field(
            rate_limit::simulate(RateParams {
                stream: huge_drawn,
                ..RateParams::default()
            })
            .map(|_| ())
        ),
        "stream"
    );
    assert_eq!(
        field(
            rate_limit::simulate(RateParams {
                window_ms: 0,
                ..RateParams::default()
            })
            .map(|_| ())
        ),
        "window_ms"
    );
    let bad_crash = Some(Crash {
        worker: 5,
        at_ms: 0,
    });
    assert_eq!(
        field(
            jobs::simulate(JobParams {
                crash: bad_crash,
                ..JobParams::default()
            })
            .map(|_| ())
        ),
        "crash.worker"
    );
    assert_eq!(
        field(
            leaderboard::simulate(LeaderboardParams {
                followed: 50,
                ..LeaderboardParams::default()
            })
            .map(|_| ())
        ),
        "followed"
    );
    assert_eq!(
        field(
            lock::simulate(LockParams {
                lock_ttl_ms: 0,
                ..LockParams::default()
            })
            .map(|_| ())
        ),
        "lock_ttl_ms"
    );
    assert_eq!(
        field(
            sessions::simulate(SessionParams {
                logout_chance: -0.5,
                ..SessionParams::default()
            })
            .map(|_| ())
        ),
        "logout_chance"
    );
    assert_eq!(
        field(
            chat::simulate(ChatParams {
                members: 1,
                ..ChatParams::default()
            })
            .map(|_| ())
        ),
        "members"
    );
}

#[test]
fn extreme_but_valid_parameters_run() {
    // Tiny memory limit and every policy, the widest latency, most keys.
    for policy in EvictionPolicy::ALL {
        let mut sim = cache::simulate(CacheParams {
            keys: cache::MAX_KEYS,
            zipf_s: 3.0,
            rate_per_s: cache::MAX_RATE_PER_S,
            write_ratio: 1.0,
            value_bytes: 16_384,
            db_latency: SLOW_TAIL,
            cache_rtt_ms: 0,
            ttl_ms: 1,
            maxmemory: 1,
            policy,
            stampede_lock: true,
            lock_retry_ms: 1,
            strategy: Strategy::WriteThrough,
            ..CacheParams::default()
        })
        .expect("valid");
        sim.advance_to(300);
        sim.take_log();
    }
    let mut sim = cache::simulate(CacheParams {
        strategy: Strategy::WriteBehind {
            flush_every_ms: 1,
            crash_at_ms: Some(0),
        },
        ..CacheParams::default()
    })
    .expect("valid");
    sim.advance_to(500);
    for stream in [
        Stream::Steady { rate_per_s: 0.001 },
        Stream::Bursty {
            burst: 5_000,
            every_ms: 600_000,
            spacing_ms: 0,
        },
        Stream::Drawn {
            times_ms: vec![0, 0, 0, 599_999],
        },
    ] {
        let mut sim = rate_limit::simulate(RateParams {
            duration_ms: 600_000,
            stream,
            limit: 1,
            window_ms: 3_600_000,
            refill_per_s: 0.001,
            burst: 1,
            ..RateParams::default()
        })
        .expect("valid");
        sim.run_to_end();
    }
    let mut sim = jobs::simulate(JobParams {
        kind: QueueKind::List,
        workers: 8,
        work: SLOW_TAIL,
        poll_ms: 1,
        claim_idle_ms: 0,
        crash: Some(Crash {
            worker: 7,
            at_ms: 0,
        }),
        ..JobParams::default()
    })
    .expect("valid");
    sim.advance_to(1_000);
    let mut sim = lock::simulate(LockParams {
        work: SLOW_TAIL,
        lock_ttl_ms: 1,
        retry_ms: 1,
        ..LockParams::default()
    })
    .expect("valid");
    sim.advance_to(1_000);
    let mut sim = sessions::simulate(SessionParams {
        think: Latency::Uniform {
            min_ms: 0,
            max_ms: 0,
        },
        ttl_ms: 1,
        logout_chance: 1.0,
        users: 10,
        ..SessionParams::default()
    })
    .expect("valid");
    sim.advance_to(200);
    let mut sim = leaderboard::simulate(LeaderboardParams {
        players: 1,
        followed: 0,
        top: 100,
        ..LeaderboardParams::default()
    })
    .expect("valid");
    sim.advance_to(2_000);
    let mut sim = chat::simulate(ChatParams {
        members: 16,
        pause: Latency::Uniform {
            min_ms: 0,
            max_ms: 0,
        },
        leave_chance: 1.0,
        duration_ms: 1_000,
        ..ChatParams::default()
    })
    .expect("valid");
    sim.advance_to(100);
    // Stepping past the end is harmless.
    sim.advance_to(u64::MAX);
    assert!(sim.finished());
    assert_eq!(sim.step(), None);
}
