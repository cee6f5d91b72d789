//! The simulations panel's state, run natively: every simulation plays to
//! its end from the form's parameters and shows what defines it.

use super::*;
use redsim_sims::rate_limit::LimiterKind;

fn played_to_end(s: &mut Simulations) {
    s.act(SimAction::Speed(1000), 0);
    s.act(SimAction::Play, 0);
    let mut wall = 0;
    while s.playing && wall < 10_000_000 {
        wall += 100;
        s.frame(wall);
    }
}

#[test]
fn a_cache_run_plays_to_its_end_and_is_summed_up() {
    let mut s = Simulations::default();
    s.act(SimAction::Set("duration", "5".into()), 0);
    s.act(SimAction::Set("rate", "100".into()), 0);
    assert_eq!(s.error, None);
    played_to_end(&mut s);
    let (now, end) = s.progress();
    assert_eq!((now, end), (5_000, 5_000));
    assert!(s.log.len() <= LOG_LINES && !s.log.is_empty());
    assert!(s
        .log
        .iter()
        .any(|l| l.kind == "redis" && l.text.starts_with("GET item:")));
    let run = &s.runs[0];
    assert!(run.label.starts_with("cache-aside, TTL 10 s"));
    assert!(run.hit_ratio.is_some_and(|h| h > 0.0 && h < 1.0));
    assert!(run.db_queries > 0);
}

#[test]
fn a_frame_runs_a_bounded_number_of_events() {
    let mut s = Simulations::default();
    s.act(SimAction::Set("rate", "2000".into()), 0);
    s.act(SimAction::Speed(1000), 0);
    s.act(SimAction::Play, 0);
    s.frame(10_000);
    let (now, _) = s.progress();
    assert!(now < 250_000, "capped at {MAX_FRAME_MS} ms of wall time");
    assert!(
        now < 4_000,
        "and at {EVENTS_PER_FRAME} events: {now} ms of 2000 req/s"
    );
}

#[test]
fn bad_fields_are_named_and_the_last_good_run_is_kept_off() {
    let mut s = Simulations::default();
    s.act(SimAction::Set("keys", "lots".into()), 0);
    assert_eq!(s.error.as_deref(), Some("keys: “lots” is not a number"));
    s.act(SimAction::Set("keys", "0".into()), 0);
    assert!(
        s.error.as_deref().is_some_and(|e| e.starts_with("keys:")),
        "{:?}",
        s.error
    );
    assert!(s.run.is_none());
    s.act(SimAction::Play, 0);
    assert!(!s.playing, "nothing to play");
    s.act(SimAction::Set("maxmemory", "2mb".into()), 0);
    s.act(SimAction::Set("keys", "100".into()), 0);
    assert_eq!(
        (s.error.clone(), s.params.cache.maxmemory),
        (None, 2 * 1024 * 1024)
    );
    s.act(SimAction::Set("db_dist", "log-normal".into()), 0);
    assert_eq!(s.error, None);
    let labels: Vec<&str> = s.fields().iter().map(|f| f.label).collect();
    assert!(labels.contains(&"DB latency p99 (ms)"), "{labels:?}");
    for (id, bad) in [
        ("ttl", "-1"),
        ("duration", "NaN"),
        ("strategy", "magic"),
        ("policy", "lru"),
    ] {
        s.act(SimAction::Set(id, bad.into()), 0);
        assert!(s.error.is_some(), "{id} {bad}");
    }
}

#[test]
fn the_fixed_window_peak_is_twice_its_limit_at_a_boundary() {
    let mut s = Simulations::default();
    s.act(SimAction::Preset("rate limits"), 0);
    s.act(SimAction::Set("limit", "5".into()), 0);
    s.act(SimAction::Set("window", "1000".into()), 0);
    // Five requests just before a boundary, five just after.
    for at in [900, 920, 940, 960, 980, 1_000, 1_020, 1_040, 1_060, 1_080] {
        s.act(SimAction::Draw(at), 0);
    }
    played_to_end(&mut s);
    let rate = s.view().rate.expect("a rate run");
    let peak = |kind: LimiterKind| {
        let limiter = rate.limiters.iter().find(|l| l.name == kind.name());
        limiter.map_or(0, |l| l.peak)
    };
    assert_eq!(peak(LimiterKind::FixedWindow), 10);
    assert_eq!(peak(LimiterKind::SlidingLog), 5);
    assert!(peak(LimiterKind::SlidingCounter) <= 10);
    assert_eq!(s.decisions.len(), 40, "ten requests, four limiters");
}

#[test]
fn the_rate_view_shows_each_limiter_with_its_keys_and_commands() {
    let mut s = Simulations::default();
    s.act(SimAction::Preset("rate limits"), 0);
    s.act(SimAction::Speed(1), 0);
    s.act(SimAction::Play, 0);
    s.frame(200);
    let view = s.view();
    let rate = view.rate.expect("a rate run");
    assert_eq!(rate.limiters.len(), 4);
    for l in &rate.limiters {
        assert_eq!(
            l.decisions.len() as u64,
            l.allowed + l.rejected,
            "{}",
            l.name
        );
        assert!(!l.commands.is_empty() && l.commands.iter().all(|c| c.actor.starts_with(l.name)));
        assert!(!l.keys.is_empty(), "{} made its keys", l.name);
    }
    let fixed = &rate.limiters[0];
    assert!(
        fixed.keys.iter().all(|(_, ttl)| ttl.is_some()),
        "fixed windows expire"
    );
}

#[test]
fn every_pattern_plays_to_its_end_and_shows_its_figures() {
    for kind in Kind::ALL {
        let mut s = Simulations::default();
        s.act(SimAction::Show(kind), 0);
        s.act(SimAction::Set("duration", "20".into()), 0);
        assert_eq!(s.error, None, "{kind:?}");
        played_to_end(&mut s);
        let view = s.view();
        assert_eq!((view.now_ms, view.end_ms), (20_000, 20_000), "{kind:?}");
        assert!(!view.log.is_empty(), "{kind:?} ran commands");
        let shown = [
            view.cache.is_some(),
            view.rate.is_some(),
            view.pattern.is_some(),
        ];
        assert_eq!(
            shown.iter().filter(|s| **s).count(),
            1,
            "{kind:?}: one view"
        );
        match view.pattern {
            Some(PatternView::Lock { stats, .. }) => assert!(stats.acquisitions > 0),
            Some(PatternView::Jobs { stats, .. }) => assert!(stats.completed > 0),
            Some(PatternView::Leaderboard { ranking, .. }) => {
                assert!(ranking.is_some_and(|r| !r.top.is_empty()))
            }
            Some(PatternView::Sessions { recent, .. }) => assert!(!recent.is_empty()),
            Some(PatternView::Chat { messages, received }) => {
                assert!(!messages.is_empty() && received.iter().sum::<usize>() > 0)
            }
            None => {}
        }
    }
}

#[test]
fn the_lock_without_the_token_check_releases_another_workers_lock() {
    let mut s = Simulations::default();
    s.act(SimAction::Show(Kind::Lock), 0);
    s.act(SimAction::Set("release", "DEL (unsafe)".into()), 0);
    played_to_end(&mut s);
    let Some(PatternView::Lock {
        stats,
        safe_release,
    }) = s.view().pattern
    else {
        panic!("a lock view");
    };
    assert!(!safe_release && stats.wrong_releases > 0, "{stats:?}");
    s.act(
        SimAction::Set("release", "check the token (safe)".into()),
        0,
    );
    played_to_end(&mut s);
    let Some(PatternView::Lock { stats, .. }) = s.view().pattern else {
        panic!("a lock view");
    };
    assert_eq!(stats.wrong_releases, 0);
}

#[test]
fn a_sessions_keys_carry_their_ttl() {
    let mut s = Simulations::default();
    s.act(SimAction::Show(Kind::Sessions), 0);
    s.act(SimAction::Speed(1), 0);
    s.act(SimAction::Play, 0);
    s.frame(250);
    s.frame(500);
    let keys = s.view().keys;
    assert!(!keys.is_empty());
    assert!(
        keys.iter()
            .all(|k| k.ttl_ms.is_some_and(|t| t > 0 && t <= 10_000)),
        "{keys:?}"
    );
}

#[test]
fn stepping_runs_one_event_at_a_time() {
    let mut s = Simulations::default();
    s.act(SimAction::Preset("stampede"), 0);
    let before = s.progress().0;
    s.act(SimAction::Step, 0);
    s.act(SimAction::Step, 0);
    assert!(s.progress().0 >= before);
    assert!(!s.playing);
    assert!(!s.log.is_empty(), "the first request's GET is logged");
}

/// The browser test (tests/e2e/sims.test.mjs) shows the same figures for
/// this run: the same seed gives the same run natively and in wasm32.
#[test]
fn a_fixed_seed_gives_the_figures_the_browser_shows() {
    let mut s = Simulations::default();
    s.act(SimAction::Preset("cache-aside"), 0);
    s.act(SimAction::Set("duration", "20".into()), 0);
    s.act(SimAction::Set("ttl", "5".into()), 0);
    played_to_end(&mut s);
    let totals = s.view().cache.expect("a cache run").totals;
    assert_eq!(
        (
            totals.completed,
            totals.hits,
            totals.misses,
            totals.db_queries
        ),
        (3_976, 2_618, 1_190, 1_364)
    );
}
