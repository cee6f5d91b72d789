//! The guarantees (and the known weakness) that define each limiter,
//! checked on the decisions made by the real engine, over several seeds
//! and streams.

use redsim_sims::rate_limit::{most_within, simulate, Decision, LimiterKind, RateParams, Stream};
use redsim_sims::EPOCH_MS;

const SEEDS: [u64; 4] = [1, 7, 42, 0xfeed];

fn streams() -> Vec<Stream> {
    vec![
        Stream::Random { rate_per_s: 25.0 },
        Stream::Bursty {
            burst: 12,
            every_ms: 700,
            spacing_ms: 15,
        },
        Stream::Steady { rate_per_s: 14.0 },
    ]
}

fn params(seed: u64, stream: Stream) -> RateParams {
    RateParams {
        seed,
        duration_ms: 20_000,
        stream,
        limit: 8,
        window_ms: 1_000,
        refill_per_s: 5.5,
        burst: 6,
    }
}

/// The admitted requests' times for `kind`.
fn admitted(params: RateParams, kind: LimiterKind) -> Vec<u64> {
    let mut sim = simulate(params).expect("valid parameters");
    let mut decisions: Vec<Decision> = Vec::new();
    while !sim.finished() {
        let next = sim.now() + 777;
        sim.advance_to(next);
        decisions.extend(sim.model_mut().take_decisions());
    }
    assert_eq!(decisions.len(), sim.model().requests().len() * 4);
    let counts = sim.model().counts(kind);
    let times: Vec<u64> = decisions
        .iter()
        .filter(|d| d.limiter == kind && d.allowed)
        .map(|d| d.at_ms)
        .collect();
    assert_eq!(counts.allowed, times.len() as u64);
    times
}

#[test]
fn fixed_window_admits_the_limit_per_window_and_at_most_twice_across_a_boundary() {
    for seed in SEEDS {
        for stream in streams() {
            let p = params(seed, stream);
            let (limit, window) = (p.limit as usize, p.window_ms);
            let times = admitted(p, LimiterKind::FixedWindow);
            let mut per_window = std::collections::BTreeMap::new();
            for &t in &times {
                *per_window.entry((EPOCH_MS + t) / window).or_insert(0) += 1;
            }
            assert!(per_window.values().all(|&n| n <= limit), "seed {seed}");
            let most = most_within(&times, window);
            assert!(most <= 2 * limit, "seed {seed}: {most}");
        }
    }
}

#[test]
fn fixed_window_reaches_exactly_twice_the_limit_where_the_log_does_not() {
    // Eight requests in the last 10 ms of a window, eight in the first
    // 10 ms of the next: 16 within 20 ms.
    let boundary = 3_000;
    let times_ms: Vec<u64> = (0..8)
        .map(|i| boundary - 10 + i)
        .chain((0..8).map(|i| boundary + i))
        .collect();
    let drawn = |seed| {
        params(
            seed,
            Stream::Drawn {
                times_ms: times_ms.clone(),
            },
        )
    };
    let fixed = admitted(drawn(1), LimiterKind::FixedWindow);
    assert_eq!(fixed.len(), 16);
    assert_eq!(most_within(&fixed, 1_000), 16);
    assert_eq!(admitted(drawn(1), LimiterKind::SlidingLog).len(), 8);
    assert!(admitted(drawn(1), LimiterKind::SlidingCounter).len() < 16);
}

#[test]
fn the_sliding_log_never_admits_more_than_the_limit_in_any_window() {
    for seed in SEEDS {
        for stream in streams() {
            let p = params(seed, stream);
            let (limit, window) = (p.limit as usize, p.window_ms);
            let times = admitted(p, LimiterKind::SlidingLog);
            assert!(times.len() > 100, "seed {seed}");
            // Windows (t - window, t]: the same as [t', t' + window) on
            // whole milliseconds.
            let most = most_within(&times, window);
            assert!(most <= limit, "seed {seed}: {most}");
            // The stream exceeds it, so the log is full at times.
            assert_eq!(most, limit, "seed {seed}");
        }
    }
}

#[test]
fn the_sliding_counter_admits_at_most_the_limit_per_fixed_window() {
    for seed in SEEDS {
        for stream in streams() {
            let p = params(seed, stream);
            let (limit, window) = (p.limit as usize, p.window_ms);
            let times = admitted(p, LimiterKind::SlidingCounter);
            let mut per_window = std::collections::BTreeMap::new();
            for &t in &times {
                *per_window.entry((EPOCH_MS + t) / window).or_insert(0) += 1;
            }
            assert!(per_window.values().all(|&n| n <= limit), "seed {seed}");
        }
    }
}

#[test]
fn the_token_bucket_never_admits_more_than_burst_plus_rate_times_time() {
    for seed in SEEDS {
        for stream in streams() {
            let p = params(seed, stream);
            // Millionths of a token per ms, as the bucket counts.
            let rate = (p.refill_per_s * 1000.0).round() as u64;
            let burst = p.burst;
            let times = admitted(p, LimiterKind::TokenBucket);
            assert!(times.len() > 50, "seed {seed}");
            // The bound holds everywhere, and is tight: some interval comes
            // within one token of it (the stream asks for more than the
            // refill rate).
            let mut tight = false;
            for (i, &a) in times.iter().enumerate() {
                for (j, &b) in times.iter().enumerate().skip(i) {
                    let n = (j - i + 1) as u64 * 1_000_000;
                    let bound = burst * 1_000_000 + rate * (b - a);
                    assert!(n <= bound, "seed {seed}: {n} admitted in [{a}, {b}]");
                    tight |= n + 1_000_000 > bound;
                }
            }
            assert!(tight, "seed {seed}");
        }
    }
}

#[test]
fn each_limiter_shows_its_keys() {
    let mut sim = simulate(params(1, Stream::Steady { rate_per_s: 20.0 })).expect("valid");
    sim.advance_to(2_500);
    let model = sim.model();
    let names = |kind| -> Vec<String> {
        model
            .keys(kind)
            .iter()
            .map(|k| String::from_utf8_lossy(&k.key).into_owned())
            .collect()
    };
    // The fixed window's key of the current second (and not yet expired
    // ones), the log, two counters, the bucket; all with TTLs.
    let second = (EPOCH_MS + 2_500) / 1_000;
    assert!(names(LimiterKind::FixedWindow).contains(&format!("ratelimit:fixed:user1:{second}")));
    assert_eq!(names(LimiterKind::SlidingLog), ["ratelimit:log:user1"]);
    assert_eq!(
        names(LimiterKind::SlidingCounter),
        [
            format!("ratelimit:counter:user1:{}", second - 1),
            format!("ratelimit:counter:user1:{second}")
        ]
    );
    assert_eq!(names(LimiterKind::TokenBucket), ["ratelimit:bucket:user1"]);
    for kind in LimiterKind::ALL {
        assert!(
            model.keys(kind).iter().all(|k| k.ttl_ms.is_some()),
            "{kind:?}"
        );
    }
    assert_eq!(model.keys(LimiterKind::SlidingLog)[0].kind, "zset");
    assert_eq!(model.keys(LimiterKind::TokenBucket)[0].kind, "hash");
}

#[test]
fn the_token_bucket_is_one_script_loaded_once_and_called_by_digest() {
    let mut sim = simulate(params(1, Stream::Steady { rate_per_s: 20.0 })).expect("valid");
    sim.advance_to(1_000);
    let commands: Vec<Vec<String>> = sim
        .take_log()
        .into_iter()
        .filter_map(|entry| match entry.action {
            redsim_sims::Action::Redis { argv, .. } => Some(argv),
            _ => None,
        })
        .collect();
    let loads = commands
        .iter()
        .filter(|argv| argv.starts_with(&["SCRIPT".to_string(), "LOAD".to_string()]))
        .count();
    assert_eq!(loads, 1);
    // Every command on the bucket's key is the script's call by digest.
    let on_bucket: Vec<&Vec<String>> = commands
        .iter()
        .filter(|argv| argv.iter().any(|a| a == "ratelimit:bucket:user1"))
        .collect();
    assert!(on_bucket.len() >= 19, "{}", on_bucket.len());
    assert!(on_bucket.iter().all(|argv| argv[0] == "EVALSHA"));
    // The hash holds what the script wrote: tokens as decimals.
    let contents = sim
        .model()
        .engine()
        .key_contents(0, b"ratelimit:bucket:user1", 10);
    let Some(redsim_engine::inspect::Contents::Hash(fields)) = contents else {
        panic!("a hash: {contents:?}");
    };
    let field = |name: &[u8]| {
        let value = fields.iter().find(|f| f.0 == name).map(|f| f.1.clone());
        String::from_utf8(value.expect("field")).expect("text")
    };
    let tokens = field(b"tokens");
    let (whole, part) = tokens.split_once('.').expect("a decimal");
    assert!(whole.parse::<u64>().is_ok() && part.len() == 6, "{tokens}");
    // When the last request came, as unix ms.
    let refilled: u64 = field(b"refilled_ms").parse().expect("ms");
    assert!(
        (EPOCH_MS..=EPOCH_MS + 1_000).contains(&refilled),
        "{refilled}"
    );
}
