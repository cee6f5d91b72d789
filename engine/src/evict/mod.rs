//! maxmemory: before a command runs, keys are evicted as Redis's
//! `maxmemory-policy` chooses them until the memory model's used_memory is
//! back under `maxmemory`, or nothing more can go.
//!
//! The approximation is Redis's own: each round samples
//! `maxmemory-samples` keys per database into a pool of the 16 best
//! candidates seen so far (kept between rounds), ranked by idle time (LRU),
//! by how rarely they are used (LFU, 255 minus the counter) or by how soon
//! they expire (volatile-ttl), and evicts the best one still present. The
//! random policies take a random key, visiting databases in turn.

pub mod clock;

use crate::config::Params;
use crate::engine::Server;

/// How many candidates the pool keeps (Redis's EVPOOL_SIZE).
const POOL_SIZE: usize = 16;

/// A sampled key and how good a candidate it is (higher: evict sooner).
#[derive(Debug, Clone)]
struct Candidate {
    score: u64,
    db: usize,
    key: Vec<u8>,
}

/// The best candidates seen, worst first, at most `POOL_SIZE`.
#[derive(Debug, Default)]
pub struct Pool {
    entries: Vec<Candidate>,
    /// Where the random policies look next.
    next_db: usize,
}

impl Pool {
    /// Redis's insertion rule: a candidate worse than all of a full pool
    /// is dropped; otherwise it takes its place in order, pushing out the
    /// worst one when the pool is full.
    fn offer(&mut self, candidate: Candidate) {
        let at = self
            .entries
            .iter()
            .take_while(|e| e.score < candidate.score)
            .count();
        if self.entries.len() == POOL_SIZE {
            if at == 0 {
                return;
            }
            self.entries.remove(0);
            self.entries.insert(at - 1, candidate);
        } else {
            self.entries.insert(at, candidate);
        }
    }
}

/// The parts of `maxmemory-policy` eviction needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    NoEviction,
    /// Ranked by a score from the sample; `volatile` limits it to keys
    /// with a TTL.
    Ranked {
        rank: Rank,
        volatile: bool,
    },
    Random {
        volatile: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rank {
    Lru,
    Lfu,
    Ttl,
}

fn policy(params: &Params) -> Policy {
    match params.text("maxmemory-policy").as_str() {
        "allkeys-lru" => Policy::Ranked {
            rank: Rank::Lru,
            volatile: false,
        },
        "volatile-lru" => Policy::Ranked {
            rank: Rank::Lru,
            volatile: true,
        },
        "allkeys-lfu" => Policy::Ranked {
            rank: Rank::Lfu,
            volatile: false,
        },
        "volatile-lfu" => Policy::Ranked {
            rank: Rank::Lfu,
            volatile: true,
        },
        "volatile-ttl" => Policy::Ranked {
            rank: Rank::Ttl,
            volatile: true,
        },
        "allkeys-random" => Policy::Random { volatile: false },
        "volatile-random" => Policy::Random { volatile: true },
        _ => Policy::NoEviction,
    }
}

/// How key accesses are recorded under the current parameters: LFU
/// counters under an LFU policy, the LRU clock otherwise.
pub fn access_mode(params: &Params) -> clock::Mode {
    if params.text("maxmemory-policy").contains("lfu") {
        clock::Mode::Lfu {
            log_factor: params.int("lfu-log-factor"),
            decay_minutes: params.int("lfu-decay-time"),
        }
    } else {
        clock::Mode::Lru
    }
}

/// Whether an LFU policy is selected (OBJECT FREQ works, IDLETIME not).
pub fn is_lfu(params: &Params) -> bool {
    matches!(access_mode(params), clock::Mode::Lfu { .. })
}

/// The memory is over `maxmemory` and no key could be evicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory;

/// Evicts keys until used_memory is at most `maxmemory` (nothing to do
/// when it is 0). Err when still over: the policy is noeviction or no key
/// qualifies. Evicted keys are noted in their databases' events.
pub fn perform(server: &mut Server) -> Result<(), OutOfMemory> {
    let Ok(limit) = usize::try_from(server.hot.maxmemory) else {
        return Ok(());
    };
    if limit == 0 || server.memory_overview().used <= limit {
        return Ok(());
    }
    let policy = policy(&server.params);
    let samples = usize::try_from(server.params.int("maxmemory-samples")).unwrap_or(1);
    while server.memory_overview().used > limit {
        let chosen = match policy {
            Policy::NoEviction => None,
            Policy::Ranked { rank, volatile } => best_candidate(server, rank, volatile, samples),
            Policy::Random { volatile } => random_candidate(server, volatile),
        };
        let Some((db, key)) = chosen else {
            return Err(OutOfMemory);
        };
        if let Some(db) = server.dbs.get_mut(db) {
            if db.evict(&key).is_some() {
                server.stats.evicted_keys += 1;
            }
        }
    }
    Ok(())
}

/// Samples every database into the pool, then takes the best candidate
/// that still exists (and still has a TTL, for volatile policies).
fn best_candidate(
    server: &mut Server,
    rank: Rank,
    volatile: bool,
    samples: usize,
) -> Option<(usize, Vec<u8>)> {
    let now = server.now_ms;
    let mode = access_mode(&server.params);
    loop {
        let mut any_keys = false;
        for (index, db) in server.dbs.iter().enumerate() {
            let sampled = db.sample_for_eviction(&mut server.rng, samples, volatile);
            any_keys |= !sampled.is_empty();
            for (key, bits, expire_at) in sampled {
                let score = match rank {
                    Rank::Lru => clock::idle_seconds(bits, now).unsigned_abs() * 1000,
                    Rank::Lfu => 255 - u64::from(clock::frequency(bits, mode, now).min(255)),
                    Rank::Ttl => u64::MAX - expire_at.unwrap_or(i64::MAX).unsigned_abs(),
                };
                server.evict_pool.offer(Candidate {
                    score,
                    db: index,
                    key,
                });
            }
        }
        if !any_keys {
            return None;
        }
        while let Some(candidate) = server.evict_pool.entries.pop() {
            let Some(db) = server.dbs.get(candidate.db) else {
                continue;
            };
            let present = if volatile {
                db.expire_at(&candidate.key).is_some()
            } else {
                db.value(&candidate.key).is_some()
            };
            if present {
                return Some((candidate.db, candidate.key));
            }
        }
    }
}

/// A random key from the next database (in turn) that has one.
fn random_candidate(server: &mut Server, volatile: bool) -> Option<(usize, Vec<u8>)> {
    let count = server.dbs.len();
    for _ in 0..count {
        server.evict_pool.next_db = (server.evict_pool.next_db + 1) % count.max(1);
        let index = server.evict_pool.next_db;
        let db = server.dbs.get(index)?;
        let key = if volatile {
            db.random_volatile_key(&mut server.rng)
        } else {
            db.random_key(&mut server.rng)
        };
        if let Some(key) = key {
            return Some((index, key));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn candidate(score: u64) -> Candidate {
        Candidate {
            score,
            db: 0,
            key: score.to_string().into_bytes(),
        }
    }

    #[test]
    fn the_pool_keeps_the_sixteen_best_in_order() {
        let mut pool = Pool::default();
        for score in [5, 1, 9, 3] {
            pool.offer(candidate(score));
        }
        let scores: Vec<u64> = pool.entries.iter().map(|c| c.score).collect();
        assert_eq!(scores, [1, 3, 5, 9]);
        for score in 100..120 {
            pool.offer(candidate(score));
        }
        assert_eq!(pool.entries.len(), POOL_SIZE);
        assert_eq!(pool.entries.last().map(|c| c.score), Some(119));
        // Worse than every entry of a full pool: not taken.
        pool.offer(candidate(0));
        assert!(pool.entries.iter().all(|c| c.score != 0));
        let lowest = pool.entries.first().map(|c| c.score);
        pool.offer(candidate(1000));
        assert_eq!(pool.entries.last().map(|c| c.score), Some(1000));
        assert_ne!(pool.entries.first().map(|c| c.score), lowest);
    }
}
