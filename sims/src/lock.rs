//! A distributed lock, and what goes wrong without the token check. Two
//! workers take turns at a shared resource: `SET lock:resource <token> NX
//! PX <ttl>`, work, release. Now and then a worker's work outlasts the
//! lock's TTL (a long pause); the lock expires and the other worker takes
//! it. When the first one finishes:
//!
//! - an unsafe release (`DEL lock:resource`) deletes the *other* worker's
//!   lock, letting a third critical section start beside it;
//! - a safe release checks the token first (`WATCH`, `GET`, and `DEL` in
//!   `MULTI/EXEC` only if the token is its own; a script does this in one
//!   step once the engine has scripting) and leaves the other's lock alone.
//!
//! Which lock a release deleted is read from the engine without a command,
//! so the count of wrong releases is the truth, not the worker's belief.

use crate::dist::Latency;
use crate::events::EventQueue;
use crate::host::{Conn, Host};
use crate::log::Action;
use crate::params::{self, ParamError};
use crate::sim::{Model, Sim};
use redsim_engine::rng::Rng;
use redsim_engine::{Engine, Reply};

const LOCK_KEY: &str = "lock:resource";
const WORKERS: [&str; 2] = ["worker A", "worker B"];

#[derive(Debug, Clone, PartialEq)]
pub struct LockParams {
    pub seed: u64,
    pub duration_ms: u64,
    pub lock_ttl_ms: u64,
    /// How long a worker holds the resource; a long tail past the TTL is
    /// the point.
    pub work: Latency,
    /// Pause before trying again after a failed SET NX, and between turns.
    pub retry_ms: u64,
    /// Release with the token check (the safe way) or a plain DEL.
    pub safe_release: bool,
}

impl Default for LockParams {
    fn default() -> Self {
        LockParams {
            seed: 1,
            duration_ms: 30_000,
            lock_ttl_ms: 1_000,
            work: Latency::LogNormal {
                median_ms: 200,
                p99_ms: 2_500,
            },
            retry_ms: 50,
            safe_release: true,
        }
    }
}

/// What happened to the lock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LockStats {
    pub acquisitions: u64,
    /// Critical sections that outlived their lock's TTL.
    pub expired_while_held: u64,
    /// Releases that deleted another worker's lock.
    pub wrong_releases: u64,
    /// Safe releases that found another's token and left it.
    pub refused_releases: u64,
    /// Times a worker entered while the other still believed it held the
    /// lock.
    pub overlaps: u64,
}

pub enum Event {
    TryAcquire(usize),
    Release(usize),
}

struct Worker {
    conn: Conn,
    /// The token of the lock it believes it holds.
    holding: Option<String>,
    acquired_ms: u64,
    turns: u64,
}

pub struct LockSim {
    params: LockParams,
    host: Host,
    rng: Rng,
    workers: Vec<Worker>,
    stats: LockStats,
}

pub fn simulate(params: LockParams) -> Result<Sim<LockSim>, ParamError> {
    params::int("duration_ms", params.duration_ms, 1, 600_000)?;
    params::int("lock_ttl_ms", params.lock_ttl_ms, 1, 600_000)?;
    params::int("retry_ms", params.retry_ms, 1, 60_000)?;
    params.work.validate("work")?;
    let mut seeds = Rng::new(params.seed);
    let mut host = Host::new(seeds.next_u64());
    let workers = WORKERS
        .iter()
        .map(|_| Worker {
            conn: host.connect(),
            holding: None,
            acquired_ms: 0,
            turns: 0,
        })
        .collect();
    let mut queue = EventQueue::default();
    for worker in 0..WORKERS.len() {
        queue.schedule(0, Event::TryAcquire(worker));
    }
    let end = params.duration_ms;
    let model = LockSim {
        rng: Rng::new(seeds.next_u64()),
        params,
        host,
        workers,
        stats: LockStats::default(),
    };
    Ok(Sim::new(model, queue, end))
}

impl Model for LockSim {
    type Event = Event;

    fn handle(&mut self, at: u64, event: Event, queue: &mut EventQueue<Event>) {
        match event {
            Event::TryAcquire(w) => self.try_acquire(at, w, queue),
            Event::Release(w) => self.release(at, w, queue),
        }
    }

    fn host(&mut self) -> &mut Host {
        &mut self.host
    }

    fn host_ref(&self) -> &Host {
        &self.host
    }
}

impl LockSim {
    pub fn stats(&self) -> LockStats {
        self.stats
    }

    pub fn engine(&self) -> &Engine {
        self.host.engine()
    }

    fn try_acquire(&mut self, at: u64, w: usize, queue: &mut EventQueue<Event>) {
        let ttl = self.params.lock_ttl_ms.to_string();
        let others_holding = self
            .workers
            .iter()
            .enumerate()
            .any(|(i, other)| i != w && other.holding.is_some());
        let Some(worker) = self.workers.get_mut(w) else {
            return;
        };
        worker.turns += 1;
        let token = format!("{}:{}", name(w), worker.turns);
        let argv = ["SET", LOCK_KEY, &token, "NX", "PX", &ttl];
        if self.host.run(worker.conn, name(w), &argv) != Reply::ok() {
            queue.schedule(at + self.params.retry_ms, Event::TryAcquire(w));
            return;
        }
        worker.holding = Some(token);
        worker.acquired_ms = at;
        self.stats.acquisitions += 1;
        if others_holding {
            self.stats.overlaps += 1;
            let note = "enters while the other worker still believes it holds the lock";
            self.host.note(name(w), Action::Note(note.into()));
        }
        let work = self.params.work.sample(&mut self.rng);
        queue.schedule(at + work, Event::Release(w));
    }

    fn release(&mut self, at: u64, w: usize, queue: &mut EventQueue<Event>) {
        let Some(worker) = self.workers.get_mut(w) else {
            return;
        };
        let Some(token) = worker.holding.take() else {
            return;
        };
        let conn = worker.conn;
        if at >= worker.acquired_ms + self.params.lock_ttl_ms {
            self.stats.expired_while_held += 1;
        }
        let before = self.host.peek(LOCK_KEY);
        let actor = name(w);
        if self.params.safe_release {
            self.host.run(conn, actor, &["WATCH", LOCK_KEY]);
            let current = self.host.run(conn, actor, &["GET", LOCK_KEY]);
            if current == Reply::Bulk(token.clone().into_bytes()) {
                self.host.run(conn, actor, &["MULTI"]);
                self.host.run(conn, actor, &["DEL", LOCK_KEY]);
                self.host.run(conn, actor, &["EXEC"]);
            } else {
                self.host.run(conn, actor, &["UNWATCH"]);
                if current != Reply::Nil {
                    self.stats.refused_releases += 1;
                    let note = "the lock is not mine any more: leave it";
                    self.host.note(actor, Action::Note(note.into()));
                }
            }
        } else {
            self.host.run(conn, actor, &["DEL", LOCK_KEY]);
        }
        let deleted_another = before.is_some_and(|holder| holder != token.as_bytes())
            && self.host.peek(LOCK_KEY).is_none();
        if deleted_another {
            self.stats.wrong_releases += 1;
            let note = "deleted the other worker's lock";
            self.host.note(actor, Action::Note(note.into()));
        }
        queue.schedule(at + self.params.retry_ms, Event::TryAcquire(w));
    }
}

fn name(worker: usize) -> &'static str {
    WORKERS.get(worker).copied().unwrap_or("worker")
}
