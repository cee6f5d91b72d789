//! The cache simulation's behaviour: requests arrive (Poisson, Zipf keys,
//! a read/write mix drawn from their own random stream so every strategy
//! sees the same requests for a seed), and each walks through its steps
//! as events on virtual time: a GET, the Redis round trip, a database
//! query with its latency, the SET that fills the cache. Because every
//! step is its own event, requests in flight interleave: many requests
//! can miss the same key while its first load is still running, which is
//! the stampede.

use super::db::{self, PrimaryDb};
use super::metrics::{CacheBucket, CacheTotals, Metrics};
use super::params::{CacheParams, Strategy};
use super::stampede::{Reload, Reloads, HOT_KEY};
use crate::dist::{exponential_gap_ms, Zipf};
use crate::events::EventQueue;
use crate::host::{ttl_args, Conn, Host};
use crate::log::Action;
use crate::params::ParamError;
use crate::recent::Recent;
use crate::sim::{Model, Sim};
use redsim_engine::rng::Rng;
use redsim_engine::{Engine, Reply};

/// Outcomes kept between two reads.
const OUTCOME_CAPACITY: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Read,
    Write,
}

/// Where a request's answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// Its first GET hit.
    Cache,
    /// A GET hit after waiting for another request's load (the lock).
    CacheAfterWait,
    Database,
    /// A write, acknowledged.
    Written,
}

/// One finished request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub id: u64,
    pub op: Op,
    pub key: u32,
    pub started_ms: u64,
    pub finished_ms: u64,
    pub served: Served,
    /// The version read, or written.
    pub version: u64,
    /// For a read: how long a newer version had been acknowledged.
    pub stale_ms: Option<u64>,
}

/// A write-behind write lost in a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LostWrite {
    pub key: u32,
    pub version: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Request {
    id: u64,
    key: u32,
    started_ms: u64,
    /// Its first GET missed (retries after waiting do not count again).
    missed: bool,
    /// The hot key's reload its miss belongs to.
    reload: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
pub enum ReadStep {
    Get,
    TryLock,
    Load { holds_lock: bool },
    Loaded { holds_lock: bool },
}

pub enum Event {
    Arrive,
    Read(Request, ReadStep),
    Written(Request),
    Flush,
    /// A write-behind batch reaching the database.
    Flushed(Vec<(u32, u64)>),
    Crash,
}

pub struct CacheSim {
    params: CacheParams,
    host: Host,
    app: Conn,
    db: PrimaryDb,
    zipf: Zipf,
    /// Draws the request stream only.
    arrivals: Rng,
    next_arrival_ms: f64,
    next_id: u64,
    lock_ttl_ms: u64,
    metrics: Metrics,
    reloads: Reloads,
    outcomes: Recent<Outcome>,
    /// Write-behind: acknowledged writes not yet sent to the database.
    queued: Vec<(u32, u64)>,
    /// Write-behind: writes sent in batches not yet applied.
    in_flight: usize,
    lost: Vec<LostWrite>,
}

/// Starts a cache simulation (nothing has run but the setup commands).
pub fn simulate(params: CacheParams) -> Result<Sim<CacheSim>, ParamError> {
    params.validate()?;
    let mut seeds = Rng::new(params.seed);
    let mut host = Host::new(seeds.next_u64());
    let app = host.connect();
    for (name, value) in [
        ("maxmemory", params.maxmemory.to_string()),
        ("maxmemory-policy", params.policy.name().to_string()),
    ] {
        host.run(app, "setup", &["CONFIG", "SET", name, &value]);
    }
    // The holder of the stampede lock sets the value at most one round
    // trip plus the longest query after taking it; a second of margin
    // more, and the lock never expires under a load in progress.
    let lock_ttl_ms = params.db_latency.max_ms() + params.cache_rtt_ms + 1_000;
    let mut model = CacheSim {
        host,
        app,
        db: PrimaryDb::new(params.keys as usize, params.db_latency, seeds.next_u64()),
        zipf: Zipf::new(params.keys as u32, params.zipf_s),
        arrivals: Rng::new(seeds.next_u64()),
        next_arrival_ms: 0.0,
        next_id: 1,
        lock_ttl_ms,
        metrics: Metrics::new(params.bucket_ms, params.duration_ms),
        reloads: Reloads::default(),
        outcomes: Recent::new(OUTCOME_CAPACITY),
        queued: Vec::new(),
        in_flight: 0,
        lost: Vec::new(),
        params,
    };
    let mut queue = EventQueue::default();
    model.schedule_arrival(&mut queue);
    if let Strategy::WriteBehind {
        flush_every_ms,
        crash_at_ms,
    } = model.params.strategy
    {
        queue.schedule(flush_every_ms, Event::Flush);
        if let Some(at) = crash_at_ms {
            queue.schedule(at, Event::Crash);
        }
    }
    let end = model.params.duration_ms;
    Ok(Sim::new(model, queue, end))
}

impl Model for CacheSim {
    type Event = Event;

    fn handle(&mut self, at: u64, event: Event, queue: &mut EventQueue<Event>) {
        match event {
            Event::Arrive => self.arrive(at, queue),
            Event::Read(req, step) => self.read(at, req, step, queue),
            Event::Written(req) => self.written(at, req),
            Event::Flush => self.flush(at, queue),
            Event::Flushed(batch) => self.flushed(batch),
            Event::Crash => self.crash(),
        }
    }

    fn reach(&mut self, at: u64) {
        self.metrics.close_due(at, &mut self.host);
    }

    fn host(&mut self) -> &mut Host {
        &mut self.host
    }

    fn host_ref(&self) -> &Host {
        &self.host
    }
}

impl CacheSim {
    pub fn params(&self) -> &CacheParams {
        &self.params
    }

    /// The chart buckets closed so far.
    pub fn buckets(&self) -> &[CacheBucket] {
        self.metrics.buckets()
    }

    pub fn totals(&self) -> CacheTotals {
        self.metrics.totals()
    }

    /// The hot key's reloads (the stampede view).
    pub fn reloads(&self) -> &[Reload] {
        self.reloads.list()
    }

    /// Requests finished since the last call.
    pub fn take_outcomes(&mut self) -> Vec<Outcome> {
        self.outcomes.take()
    }

    /// Write-behind writes a crash lost.
    pub fn lost_writes(&self) -> &[LostWrite] {
        &self.lost
    }

    /// Write-behind writes acknowledged but not yet in the database.
    pub fn unflushed_writes(&self) -> usize {
        self.queued.len() + self.in_flight
    }

    /// Writes the database has applied.
    pub fn db_writes_applied(&self) -> u64 {
        self.db.writes_applied()
    }

    /// The version the database holds for `key`.
    pub fn db_version(&self, key: u32) -> u64 {
        self.db.read(key)
    }

    /// The engine, for the key browser.
    pub fn engine(&self) -> &Engine {
        self.host.engine()
    }

    fn schedule_arrival(&mut self, queue: &mut EventQueue<Event>) {
        self.next_arrival_ms += exponential_gap_ms(&mut self.arrivals, self.params.rate_per_s);
        let at = self.next_arrival_ms as u64;
        if at < self.params.duration_ms {
            queue.schedule(at, Event::Arrive);
        }
    }

    fn arrive(&mut self, at: u64, queue: &mut EventQueue<Event>) {
        // Always both draws, in this order, so the stream does not depend
        // on the strategy.
        let key = self.zipf.sample(&mut self.arrivals);
        let is_write = self.arrivals.unit() < self.params.write_ratio;
        let req = Request {
            id: self.next_id,
            key,
            started_ms: at,
            missed: false,
            reload: None,
        };
        self.next_id += 1;
        self.metrics.arrived();
        self.schedule_arrival(queue);
        if is_write {
            self.write(at, req, queue);
        } else {
            self.read(at, req, ReadStep::Get, queue);
        }
    }

    fn read(&mut self, at: u64, mut req: Request, step: ReadStep, queue: &mut EventQueue<Event>) {
        let rtt = self.params.cache_rtt_ms;
        let actor = actor(&req);
        match step {
            ReadStep::Get if !self.params.strategy.uses_cache() => {
                self.load(at, req, false, queue);
            }
            ReadStep::Get => {
                let cached = self.get(&req);
                if !req.missed {
                    self.metrics.lookup(at, cached.is_some());
                }
                if let Some(version) = cached {
                    let served = if req.missed {
                        Served::CacheAfterWait
                    } else {
                        Served::Cache
                    };
                    self.finish(req, at, at + rtt, served, version);
                    return;
                }
                if !req.missed && req.key == HOT_KEY {
                    req.reload = self.reloads.missed(at);
                }
                req.missed = true;
                let next = if self.params.stampede_lock {
                    ReadStep::TryLock
                } else {
                    ReadStep::Load { holds_lock: false }
                };
                queue.schedule(at + rtt, Event::Read(req, next));
            }
            ReadStep::TryLock => {
                let ttl = self.lock_ttl_ms.to_string();
                let token = format!("req-{}", req.id);
                let lock = lock_name(req.key);
                let argv = ["SET", &lock, &token, "NX", "PX", &ttl];
                let holds_lock = match self.host.run(self.app, &actor, &argv) {
                    Reply::Nil => {
                        let wait = self.params.lock_retry_ms;
                        let note = format!("{lock} is held: GET again in {wait} ms");
                        self.host.note(&actor, Action::Note(note));
                        queue.schedule(at + rtt + wait, Event::Read(req, ReadStep::Get));
                        return;
                    }
                    // An error (such as OOM) is no lock at all: load anyway
                    // rather than wait for a lock nobody holds.
                    reply => reply == Reply::ok(),
                };
                // GET again, pipelined with the SET: the previous holder
                // may have filled the key and released the lock between
                // this request's miss and its SET NX.
                if let Some(version) = self.get(&req) {
                    self.release(&req);
                    self.finish(req, at, at + rtt, Served::CacheAfterWait, version);
                    return;
                }
                queue.schedule(at + rtt, Event::Read(req, ReadStep::Load { holds_lock }));
            }
            ReadStep::Load { holds_lock } => self.load(at, req, holds_lock, queue),
            ReadStep::Loaded { holds_lock } => {
                let version = self.db.read(req.key);
                let text = format!("SELECT item:{} -> v{version}", req.key);
                self.host.note(&actor, Action::Db(text));
                if !self.params.strategy.uses_cache() {
                    self.finish(req, at, at, Served::Database, version);
                    return;
                }
                self.cache_set(at, &req, version);
                if holds_lock {
                    self.release(&req);
                }
                self.finish(req, at, at + rtt, Served::Database, version);
            }
        }
    }

    /// GET item:<key>: the cached version, if any.
    fn get(&mut self, req: &Request) -> Option<u64> {
        match self
            .host
            .run(self.app, &actor(req), &["GET", &key_name(req.key)])
        {
            Reply::Bulk(bytes) => db::version_of(&bytes),
            _ => None,
        }
    }

    /// Releases the stampede lock `req` holds. It cannot have expired (its
    /// TTL outlasts any load), so it is still ours: a plain DEL is safe.
    fn release(&mut self, req: &Request) {
        self.host
            .run(self.app, &actor(req), &["DEL", &lock_name(req.key)]);
    }

    /// Starts a database read for `req`.
    fn load(&mut self, at: u64, req: Request, holds_lock: bool, queue: &mut EventQueue<Event>) {
        let latency = self.db.query();
        self.metrics.db_query(at);
        if let Some(reload) = req.reload {
            self.reloads.loading(reload);
        }
        queue.schedule(
            at + latency,
            Event::Read(req, ReadStep::Loaded { holds_lock }),
        );
    }

    fn write(&mut self, at: u64, req: Request, queue: &mut EventQueue<Event>) {
        if let Strategy::WriteBehind { .. } = self.params.strategy {
            let version = self.db.acknowledge(req.key, at);
            self.cache_set(at, &req, version);
            self.queued.push((req.key, version));
            let done = at + self.params.cache_rtt_ms;
            self.finish(req, at, done, Served::Written, version);
            return;
        }
        let latency = self.db.query();
        self.metrics.db_query(at);
        queue.schedule(at + latency, Event::Written(req));
    }

    /// The database acknowledged `req`'s write.
    fn written(&mut self, at: u64, req: Request) {
        let version = self.db.commit(req.key, at);
        let actor = actor(&req);
        let text = format!("UPDATE item:{} -> v{version}", req.key);
        self.host.note(&actor, Action::Db(text));
        let rtt = self.params.cache_rtt_ms;
        let done = match self.params.strategy {
            Strategy::CacheAside {
                invalidate_on_write: true,
            } => {
                self.host
                    .run(self.app, &actor, &["DEL", &key_name(req.key)]);
                at + rtt
            }
            Strategy::WriteThrough => {
                self.cache_set(at, &req, version);
                at + rtt
            }
            _ => at,
        };
        self.finish(req, at, done, Served::Written, version);
    }

    /// SET item:<key> <value> EX ttl.
    fn cache_set(&mut self, at: u64, req: &Request, version: u64) {
        let value = db::value(version, self.params.value_bytes);
        let [unit, ttl] = ttl_args(self.params.ttl_ms);
        let argv = ["SET", &key_name(req.key), &value, &unit, &ttl];
        let reply = self.host.run(self.app, &actor(req), &argv);
        if req.key == HOT_KEY && reply == Reply::ok() {
            self.reloads.filled(at);
        }
    }

    /// Records `req` as answered at `done`, with a value obtained at
    /// `observed` (which is when its staleness is measured).
    fn finish(&mut self, req: Request, observed: u64, done: u64, served: Served, version: u64) {
        let (op, stale_ms) = match served {
            Served::Written => (Op::Write, None),
            _ => (Op::Read, self.db.staleness(req.key, version, observed)),
        };
        self.metrics
            .completed(done, done - req.started_ms, stale_ms);
        self.outcomes.push(Outcome {
            id: req.id,
            op,
            key: req.key,
            started_ms: req.started_ms,
            finished_ms: done,
            served,
            version,
            stale_ms,
        });
    }

    /// Write-behind: sends the queued writes to the database as one batch.
    fn flush(&mut self, at: u64, queue: &mut EventQueue<Event>) {
        if let Strategy::WriteBehind { flush_every_ms, .. } = self.params.strategy {
            queue.schedule(at + flush_every_ms, Event::Flush);
        }
        if self.queued.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.queued);
        let text = format!("batch of {} writes sent", batch.len());
        self.host.note("flusher", Action::Db(text));
        self.in_flight += batch.len();
        let latency = self.db.query();
        self.metrics.db_query(at);
        queue.schedule(at + latency, Event::Flushed(batch));
    }

    fn flushed(&mut self, batch: Vec<(u32, u64)>) {
        self.in_flight = self.in_flight.saturating_sub(batch.len());
        let text = format!("batch of {} writes applied", batch.len());
        self.host.note("flusher", Action::Db(text));
        for (key, version) in batch {
            self.db.store(key, version);
        }
    }

    /// The application crashes and restarts: its write queue is gone.
    fn crash(&mut self) {
        let lost: Vec<LostWrite> = self
            .queued
            .drain(..)
            .map(|(key, version)| LostWrite { key, version })
            .collect();
        let text = format!("application crashed: {} queued writes lost", lost.len());
        self.host.note("app", Action::Note(text));
        self.lost.extend(lost);
    }
}

fn actor(req: &Request) -> String {
    format!("req {}", req.id)
}

fn key_name(key: u32) -> String {
    format!("item:{key}")
}

fn lock_name(key: u32) -> String {
    format!("lock:item:{key}")
}
