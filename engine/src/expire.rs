//! Active expiry: the periodic sweep that reclaims keys nobody reads, the
//! way Redis's `activeExpireCycle` does it. Each database is probed with
//! stretches of 20 keys that have a TTL, taken from a random place;
//! probing repeats while more than a quarter of a stretch was expired, and
//! a whole cycle is capped so a tick never does unbounded work. What each
//! database reclaimed is published (`expired`, `hexpired`) before the
//! next one is swept, as Redis notifies as it goes.

use crate::engine::Server;

/// Keys sampled per loop (Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP).
const KEYS_PER_LOOP: usize = 20;
/// Upper bound on keys sampled in one cycle, across all databases.
const MAX_SAMPLES_PER_CYCLE: usize = 4_000;

/// Runs one cycle; returns how many keys it deleted.
pub fn active_cycle(server: &mut Server) -> usize {
    let db_count = server.dbs.len();
    let now = server.now_ms;
    let mut budget = MAX_SAMPLES_PER_CYCLE;
    let mut deleted = 0;
    for _ in 0..db_count {
        let index = server.expire_cursor % db_count;
        server.expire_cursor = (index + 1) % db_count;
        let Some(db) = server.dbs.get_mut(index) else {
            continue;
        };
        // Hash fields with their own TTLs (Redis 7.4) are reclaimed too.
        db.reclaim_hash_fields(now, &mut server.rng, KEYS_PER_LOOP);
        loop {
            let sample = db.sample_volatile(&mut server.rng, KEYS_PER_LOOP.min(budget));
            if sample.is_empty() {
                break;
            }
            budget -= sample.len();
            let expired = sample
                .iter()
                .filter(|key| db.expire_if_due(key, now))
                .count();
            deleted += expired;
            // Stop probing this database once expired keys look rare.
            if expired * 4 <= sample.len() {
                break;
            }
        }
        crate::notify::flush(server, None, index);
        if budget == 0 {
            break;
        }
    }
    deleted
}

#[cfg(test)]
mod tests {
    use crate::engine::{Config, Engine};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn sweeps_expired_keys_without_reads_and_keeps_live_ones() {
        let mut engine = Engine::new(Config::default());
        let c = engine.connect();
        for i in 0..500 {
            engine.execute(
                c,
                &[
                    &b"SET"[..],
                    format!("gone:{i}").as_bytes(),
                    b"v",
                    b"PX",
                    b"100",
                ],
            );
            engine.execute(
                c,
                &[
                    &b"SET"[..],
                    format!("live:{i}").as_bytes(),
                    b"v",
                    b"EX",
                    b"100",
                ],
            );
        }
        engine.execute(c, &["SET", "forever", "v"]);
        assert_eq!(engine.dbsize(0), 1001);
        // The first cycle after the deadline reclaims keys nobody read...
        engine.tick(100);
        assert!(engine.dbsize(0) < 1001);
        // ...and repeated bounded cycles reclaim the rest, never a live key.
        for step in 1..=3000 {
            engine.tick(100 + step);
        }
        assert_eq!(engine.dbsize(0), 501);
    }
}
