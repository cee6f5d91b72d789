//! The smaller patterns from the guides, each with the outcome that
//! defines it, over several seeds.

use redsim_sims::chat::{self, ChatParams};
use redsim_sims::jobs::{self, JobParams, QueueKind};
use redsim_sims::leaderboard::{self, LeaderboardParams};
use redsim_sims::lock::{self, LockParams};
use redsim_sims::sessions::{self, SessionParams};

const SEEDS: [u64; 4] = [1, 2, 3, 4];

#[test]
fn an_unsafe_release_deletes_the_other_workers_lock_and_a_safe_one_never_does() {
    for seed in SEEDS {
        let run = |safe_release| {
            let mut sim = lock::simulate(LockParams {
                seed,
                safe_release,
                ..LockParams::default()
            })
            .expect("valid parameters");
            sim.run_to_end();
            sim.model().stats()
        };
        let unsafe_stats = run(false);
        assert!(unsafe_stats.expired_while_held > 0, "seed {seed}");
        assert!(
            unsafe_stats.wrong_releases > 0,
            "seed {seed}: {unsafe_stats:?}"
        );
        let safe = run(true);
        assert!(safe.expired_while_held > 0, "seed {seed}");
        assert_eq!(safe.wrong_releases, 0, "seed {seed}: {safe:?}");
        assert!(safe.refused_releases > 0, "seed {seed}: {safe:?}");
    }
}

#[test]
fn a_crash_loses_the_popped_job_from_a_list_and_nothing_from_a_stream() {
    for seed in SEEDS {
        let run = |kind| {
            let mut sim = jobs::simulate(JobParams {
                seed,
                kind,
                ..JobParams::default()
            })
            .expect("valid parameters");
            sim.run_to_end();
            (sim.model().stats(), sim.model().completions().to_vec())
        };
        let (list, done) = run(QueueKind::List);
        assert!(list.produced >= 40, "seed {seed}");
        assert_eq!(list.lost, 1, "seed {seed}: {list:?}");
        assert_eq!(done.iter().filter(|&&n| n == 0).count(), 1, "seed {seed}");
        assert!(done.iter().all(|&n| n <= 1));
        assert_eq!(list.completed, list.produced - 1);

        let (stream, done) = run(QueueKind::Stream);
        assert_eq!(stream.lost, 0);
        assert_eq!(stream.reclaimed, 1, "seed {seed}: {stream:?}");
        assert!(done.iter().all(|&n| n == 1), "seed {seed}: {done:?}");
        assert_eq!(stream.completed, stream.produced);
    }
}

#[test]
fn the_leaderboard_ranks_players_by_the_points_they_were_sent() {
    for seed in SEEDS {
        let params = LeaderboardParams {
            seed,
            ..LeaderboardParams::default()
        };
        let (top, followed) = (params.top as usize, params.followed as usize);
        let mut sim = leaderboard::simulate(params).expect("valid parameters");
        // Step event by event, and check each refresh right after it ran
        // against the points sent up to then.
        let mut checked = 0;
        while sim.step().is_some() {
            let model = sim.model();
            let Some(ranking) = model.rankings().get(checked) else {
                continue;
            };
            let sent = model.points_sent();
            // ZREVRANGE's order: score descending, ties by name descending.
            let mut expected: Vec<(String, f64)> = sent
                .iter()
                .enumerate()
                .filter(|(_, &points)| points > 0)
                .map(|(p, &points)| (leaderboard::player_name(p as u64), points as f64))
                .collect();
            expected.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
            let rank = expected
                .iter()
                .position(|(name, _)| *name == leaderboard::player_name(followed as u64));
            expected.truncate(top);
            assert_eq!(ranking.top, expected, "seed {seed} at {}", ranking.at_ms);
            assert_eq!(ranking.followed_rank, rank.map(|r| r as u64));
            checked += 1;
        }
        assert_eq!(checked, 30);
    }
}

#[test]
fn a_session_survives_exactly_while_the_user_is_active_within_the_ttl() {
    for seed in SEEDS {
        let mut sim = sessions::simulate(SessionParams {
            seed,
            ..SessionParams::default()
        })
        .expect("valid parameters");
        sim.run_to_end();
        let ttl = sim.model().ttl_ms();
        let visits = sim.model_mut().take_visits();
        for v in &visits {
            assert_eq!(v.found, v.idle_ms < ttl, "seed {seed}: {v:?}");
        }
        // Both cases happen.
        assert!(
            visits.iter().filter(|v| v.found).count() > 100,
            "seed {seed}"
        );
        assert!(
            visits.iter().filter(|v| !v.found).count() > 10,
            "seed {seed}"
        );
    }
}

#[test]
fn a_chat_message_reaches_exactly_the_members_present_in_order() {
    for seed in SEEDS {
        let mut sim = chat::simulate(ChatParams {
            seed,
            ..ChatParams::default()
        })
        .expect("valid parameters");
        sim.run_to_end();
        let model = sim.model();
        let messages = model.messages();
        assert!(messages.len() > 50, "seed {seed}");
        for m in messages {
            assert_eq!(m.delivered_to, m.present, "seed {seed}: {m:?}");
            assert_eq!(m.reached, m.present.len() as i64);
        }
        // Someone was away at least once, and each inbox is in publish order.
        assert!(messages.iter().any(|m| m.present.len() < 4), "seed {seed}");
        for member in 0..4 {
            let expected: Vec<&String> = messages
                .iter()
                .filter(|m| m.present.contains(&member))
                .map(|m| &m.text)
                .collect();
            let got: Vec<&String> = model.received(member).iter().collect();
            assert_eq!(got, expected, "seed {seed}: member {member}");
        }
    }
}
