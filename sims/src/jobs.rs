//! A job queue with workers, two ways, and a worker crashing mid-job:
//!
//! - a list: the producer `LPUSH`es, idle workers wait in `BRPOP`, and the
//!   engine hands each pushed job to the worker blocked longest (its reply
//!   arrives on the worker's connection). A popped job exists only in its
//!   worker: when that worker crashes, the job is gone;
//! - a stream with a consumer group: the producer `XADD`s, workers read
//!   with `XREADGROUP ... >` and `XACK` when done. A crashed worker's job
//!   stays in the group's pending list, and an idle worker takes it over
//!   with `XAUTOCLAIM` once it has been idle long enough: nothing is lost.

use crate::dist::Latency;
use crate::events::EventQueue;
use crate::host::{Conn, Host};
use crate::log::Action;
use crate::params::{self, ParamError};
use crate::sim::{Model, Sim};
use redsim_engine::rng::Rng;
use redsim_engine::{Engine, Reply};

const KEY: &str = "jobs";
const GROUP: &str = "workers";
pub const MAX_JOBS: u64 = 20_000;
pub const MAX_WORKERS: u64 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    List,
    Stream,
}

/// A worker that crashes (and stays down) at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crash {
    pub worker: u64,
    pub at_ms: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobParams {
    pub seed: u64,
    pub duration_ms: u64,
    pub kind: QueueKind,
    /// Jobs produced per second, evenly, for `produce_for_ms`.
    pub jobs_per_s: f64,
    pub produce_for_ms: u64,
    pub workers: u64,
    /// How long a job takes.
    pub work: Latency,
    /// A stream worker's pause between reads that found nothing (list
    /// workers block in BRPOP instead).
    pub poll_ms: u64,
    pub crash: Option<Crash>,
    /// XAUTOCLAIM's min-idle-time: how long a job may stay pending before
    /// another worker takes it over.
    pub claim_idle_ms: u64,
}

impl Default for JobParams {
    /// Two workers, slightly overloaded for five seconds; worker 0 crashes.
    fn default() -> Self {
        JobParams {
            seed: 1,
            duration_ms: 30_000,
            kind: QueueKind::Stream,
            jobs_per_s: 8.0,
            produce_for_ms: 5_000,
            workers: 2,
            work: Latency::Uniform {
                min_ms: 200,
                max_ms: 400,
            },
            poll_ms: 100,
            crash: Some(Crash {
                worker: 0,
                at_ms: 2_000,
            }),
            claim_idle_ms: 1_000,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobStats {
    pub produced: u64,
    pub completed: u64,
    /// Jobs a crash destroyed (list only).
    pub lost: u64,
    /// Jobs taken over from a crashed worker with XAUTOCLAIM (stream).
    pub reclaimed: u64,
}

/// A job in a worker's hands: its number, and its stream entry ID.
#[derive(Debug, Clone)]
pub struct Job {
    number: u64,
    entry: Option<String>,
}

pub enum Event {
    Produce(u64),
    Poll(usize),
    Done(usize, Job),
    Crash(usize),
}

struct Worker {
    conn: Conn,
    name: String,
    alive: bool,
    busy: Option<u64>,
    /// Blocked in BRPOP (list): served when a job is pushed.
    waiting: bool,
}

pub struct JobSim {
    params: JobParams,
    host: Host,
    producer: Conn,
    rng: Rng,
    workers: Vec<Worker>,
    /// Per job number, how many times it was completed.
    completions: Vec<u32>,
    stats: JobStats,
}

pub fn simulate(params: JobParams) -> Result<Sim<JobSim>, ParamError> {
    params::int("duration_ms", params.duration_ms, 1, 600_000)?;
    let rate = params::real("jobs_per_s", params.jobs_per_s, 0.01, 1_000.0)?;
    params::int(
        "produce_for_ms",
        params.produce_for_ms,
        0,
        params.duration_ms,
    )?;
    if rate * params.produce_for_ms as f64 / 1000.0 > MAX_JOBS as f64 {
        return Err(ParamError::new(
            "jobs_per_s",
            format!("more than {MAX_JOBS} jobs"),
        ));
    }
    params::int("workers", params.workers, 1, MAX_WORKERS)?;
    params.work.validate("work")?;
    params::int("poll_ms", params.poll_ms, 1, 60_000)?;
    params::int("claim_idle_ms", params.claim_idle_ms, 0, 600_000)?;
    if let Some(crash) = params.crash {
        params::int("crash.worker", crash.worker, 0, params.workers - 1)?;
        params::int("crash.at_ms", crash.at_ms, 0, params.duration_ms)?;
    }
    let mut seeds = Rng::new(params.seed);
    let mut host = Host::new(seeds.next_u64());
    let producer = host.connect();
    if params.kind == QueueKind::Stream {
        host.run(
            producer,
            "setup",
            &["XGROUP", "CREATE", KEY, GROUP, "$", "MKSTREAM"],
        );
    }
    let workers = (0..params.workers)
        .map(|i| Worker {
            conn: host.connect(),
            name: format!("worker-{i}"),
            alive: true,
            busy: None,
            waiting: false,
        })
        .collect::<Vec<_>>();
    let mut queue = EventQueue::default();
    queue.schedule(0, Event::Produce(0));
    for w in 0..workers.len() {
        queue.schedule(0, Event::Poll(w));
    }
    if let Some(crash) = params.crash {
        queue.schedule(crash.at_ms, Event::Crash(crash.worker as usize));
    }
    let end = params.duration_ms;
    let model = JobSim {
        rng: Rng::new(seeds.next_u64()),
        params,
        host,
        producer,
        workers,
        completions: Vec::new(),
        stats: JobStats::default(),
    };
    Ok(Sim::new(model, queue, end))
}

impl Model for JobSim {
    type Event = Event;

    fn handle(&mut self, at: u64, event: Event, queue: &mut EventQueue<Event>) {
        match event {
            Event::Produce(n) => self.produce(at, n, queue),
            Event::Poll(w) => self.poll(at, w, queue),
            Event::Done(w, job) => self.done(at, w, job, queue),
            Event::Crash(w) => self.crash(w),
        }
    }

    fn host(&mut self) -> &mut Host {
        &mut self.host
    }

    fn host_ref(&self) -> &Host {
        &self.host
    }
}

impl JobSim {
    pub fn stats(&self) -> JobStats {
        self.stats
    }

    /// Per job number (in production order), how many times it completed.
    pub fn completions(&self) -> &[u32] {
        &self.completions
    }

    pub fn engine(&self) -> &Engine {
        self.host.engine()
    }

    fn produce(&mut self, at: u64, n: u64, queue: &mut EventQueue<Event>) {
        let job = n.to_string();
        let argv: &[&str] = match self.params.kind {
            QueueKind::List => &["LPUSH", KEY, &job],
            QueueKind::Stream => &["XADD", KEY, "*", "job", &job],
        };
        self.host.run(self.producer, "producer", argv);
        self.completions.push(0);
        self.stats.produced += 1;
        self.serve_waiting(at, queue);
        // Evenly spaced, from the job number so rounding does not drift.
        let next = ((n + 1) as f64 * 1000.0 / self.params.jobs_per_s) as u64;
        if next < self.params.produce_for_ms {
            queue.schedule(next, Event::Produce(n + 1));
        }
    }

    fn poll(&mut self, at: u64, w: usize, queue: &mut EventQueue<Event>) {
        let Some(worker) = self.workers.get(w).filter(|worker| worker.alive) else {
            return;
        };
        let (conn, name) = (worker.conn, worker.name.clone());
        let job = match self.params.kind {
            QueueKind::List => {
                let reply = self.host.run(conn, &name, &["BRPOP", KEY, "0"]);
                let job = popped(&reply);
                if job.is_none() {
                    // Blocked: the engine serves it when a job is pushed.
                    if let Some(worker) = self.workers.get_mut(w) {
                        worker.waiting = true;
                    }
                    return;
                }
                job
            }
            QueueKind::Stream => {
                let argv = [
                    "XREADGROUP",
                    "GROUP",
                    GROUP,
                    &name,
                    "COUNT",
                    "1",
                    "STREAMS",
                    KEY,
                    ">",
                ];
                let read = self.host.run(conn, &name, &argv);
                read_entry(&read).or_else(|| {
                    // Nothing new: take over a job another worker left pending.
                    let idle = self.params.claim_idle_ms.to_string();
                    let argv = ["XAUTOCLAIM", KEY, GROUP, &name, &idle, "0-0", "COUNT", "1"];
                    let claimed = claimed_entry(&self.host.run(conn, &name, &argv));
                    if claimed.is_some() {
                        self.stats.reclaimed += 1;
                    }
                    claimed
                })
            }
        };
        match job {
            Some(job) => self.start(at, w, job, queue),
            None => queue.schedule(at + self.params.poll_ms, Event::Poll(w)),
        }
    }

    /// Workers blocked in BRPOP that the last push served: their job
    /// arrived on their connection; they start on it now.
    fn serve_waiting(&mut self, at: u64, queue: &mut EventQueue<Event>) {
        for w in 0..self.workers.len() {
            let Some(worker) = self.workers.get(w).filter(|worker| worker.waiting) else {
                continue;
            };
            let (conn, name) = (worker.conn, worker.name.clone());
            let Some(job) = self.host.take_output(conn).iter().find_map(popped) else {
                continue;
            };
            let note = format!("BRPOP returned job {}", job.number);
            self.host.note(&name, Action::Note(note));
            if let Some(worker) = self.workers.get_mut(w) {
                worker.waiting = false;
            }
            self.start(at, w, job, queue);
        }
    }

    fn start(&mut self, at: u64, w: usize, job: Job, queue: &mut EventQueue<Event>) {
        if let Some(worker) = self.workers.get_mut(w) {
            worker.busy = Some(job.number);
        }
        let work = self.params.work.sample(&mut self.rng);
        queue.schedule(at + work, Event::Done(w, job));
    }

    fn done(&mut self, at: u64, w: usize, job: Job, queue: &mut EventQueue<Event>) {
        let Some(worker) = self.workers.get_mut(w).filter(|worker| worker.alive) else {
            return;
        };
        worker.busy = None;
        let (conn, name) = (worker.conn, worker.name.clone());
        if let Some(entry) = &job.entry {
            self.host.run(conn, &name, &["XACK", KEY, GROUP, entry]);
        }
        if let Some(count) = self.completions.get_mut(job.number as usize) {
            *count += 1;
        }
        self.stats.completed += 1;
        self.poll(at, w, queue);
    }

    fn crash(&mut self, w: usize) {
        let Some(worker) = self.workers.get_mut(w) else {
            return;
        };
        worker.alive = false;
        let name = worker.name.clone();
        if std::mem::take(&mut worker.waiting) {
            // Its connection goes with it, so no job is handed to it.
            let conn = worker.conn;
            self.host.disconnect(conn);
        }
        let note = match (worker.busy.take(), self.params.kind) {
            (None, _) => "crashed while idle".to_string(),
            (Some(job), QueueKind::List) => {
                self.stats.lost += 1;
                format!("crashed: job {job} was popped from the list and is lost")
            }
            (Some(job), QueueKind::Stream) => {
                format!("crashed: job {job} stays pending in the group until claimed")
            }
        };
        self.host.note(&name, Action::Note(note));
    }
}

/// The job in a `BRPOP` reply: `[key, value]`.
fn popped(reply: &Reply) -> Option<Job> {
    let Reply::Array(parts) = reply else {
        return None;
    };
    let Some(Reply::Bulk(bytes)) = parts.get(1) else {
        return None;
    };
    parse_number(bytes).map(|number| Job {
        number,
        entry: None,
    })
}

fn parse_number(bytes: &[u8]) -> Option<u64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// The first entry of `XREADGROUP`'s reply: `[[key, [[id, fields]]]]`.
fn read_entry(reply: &Reply) -> Option<Job> {
    let Reply::Array(streams) = reply else {
        return None;
    };
    let Some(Reply::Array(stream)) = streams.first() else {
        return None;
    };
    first_entry(stream.get(1)?)
}

/// The first entry of `XAUTOCLAIM`'s reply: `[cursor, [[id, fields]], deleted]`.
fn claimed_entry(reply: &Reply) -> Option<Job> {
    let Reply::Array(parts) = reply else {
        return None;
    };
    first_entry(parts.get(1)?)
}

/// The first of a list of entries `[[id, [field, value, ...]], ...]`, as
/// a job: the ID and the `job` field's number.
fn first_entry(entries: &Reply) -> Option<Job> {
    let Reply::Array(entries) = entries else {
        return None;
    };
    let Some(Reply::Array(entry)) = entries.first() else {
        return None;
    };
    let (Some(Reply::Bulk(id)), Some(Reply::Array(fields))) = (entry.first(), entry.get(1)) else {
        return None;
    };
    let Some(Reply::Bulk(number)) = fields.get(1) else {
        return None;
    };
    Some(Job {
        number: parse_number(number)?,
        entry: Some(String::from_utf8_lossy(id).into_owned()),
    })
}
