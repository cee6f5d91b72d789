//! The smaller patterns from the guides, each with the outcome that
//! defines it, over several seeds.

use redsim_sims::jobs::{self, JobParams, QueueKind};
use redsim_sims::lock::{self, LockParams};

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
