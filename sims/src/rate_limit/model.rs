//! The rate-limiting simulation: one request stream, fed at each request's
//! virtual time to all four limiters side by side, each on its own
//! connection and keys, each request's decision recorded per limiter.

use super::fixed_window::FixedWindow;
use super::limiter::{Limiter, LimiterKind};
use super::sliding_counter::SlidingCounter;
use super::sliding_log::SlidingLog;
use super::stream::Stream;
use super::token_bucket::TokenBucket;
use crate::events::EventQueue;
use crate::host::Host;
use crate::params::{self, ParamError};
use crate::recent::Recent;
use crate::sim::{Model, Sim};
use redsim_engine::inspect::KeySummary;
use redsim_engine::rng::Rng;
use redsim_engine::Engine;

pub const MAX_DURATION_MS: u64 = 600_000;
pub const MAX_LIMIT: u64 = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub struct RateParams {
    pub seed: u64,
    pub duration_ms: u64,
    pub stream: Stream,
    /// Requests allowed per window (fixed window, sliding log and counter).
    pub limit: u64,
    pub window_ms: u64,
    /// Token bucket: tokens added per second (to the thousandth).
    pub refill_per_s: f64,
    /// Token bucket: capacity, the largest burst admitted at once.
    pub burst: u64,
}

impl Default for RateParams {
    /// 10 requests a second against bursts of 15 every 1.5 s.
    fn default() -> Self {
        RateParams {
            seed: 1,
            duration_ms: 10_000,
            stream: Stream::Bursty {
                burst: 15,
                every_ms: 1_500,
                spacing_ms: 20,
            },
            limit: 10,
            window_ms: 1_000,
            refill_per_s: 10.0,
            burst: 10,
        }
    }
}

/// One limiter's answer to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Index into `RateLimitSim::requests`.
    pub request: usize,
    pub at_ms: u64,
    pub limiter: LimiterKind,
    pub allowed: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub allowed: u64,
    pub rejected: u64,
}

/// A limiter and its tally.
struct Slot {
    kind: LimiterKind,
    limiter: Box<dyn Limiter>,
    counts: Counts,
}

pub struct RateLimitSim {
    params: RateParams,
    host: Host,
    requests: Vec<u64>,
    slots: Vec<Slot>,
    decisions: Recent<Decision>,
}

/// Starts a rate-limiting simulation.
pub fn simulate(params: RateParams) -> Result<Sim<RateLimitSim>, ParamError> {
    params::int("duration_ms", params.duration_ms, 1, MAX_DURATION_MS)?;
    params::int("limit", params.limit, 1, MAX_LIMIT)?;
    params::int("window_ms", params.window_ms, 1, 3_600_000)?;
    let refill = params::real("refill_per_s", params.refill_per_s, 0.001, 10_000.0)?;
    params::int("burst", params.burst, 1, MAX_LIMIT)?;
    let mut seeds = Rng::new(params.seed);
    let mut host = Host::new(seeds.next_u64());
    let requests = params
        .stream
        .times(params.duration_ms, &mut Rng::new(seeds.next_u64()))?;
    let limiters: Vec<(LimiterKind, Box<dyn Limiter>)> = vec![
        (
            LimiterKind::FixedWindow,
            Box::new(FixedWindow {
                conn: host.connect(),
                limit: params.limit,
                window_ms: params.window_ms,
            }),
        ),
        (
            LimiterKind::SlidingLog,
            Box::new(SlidingLog {
                conn: host.connect(),
                limit: params.limit,
                window_ms: params.window_ms,
                next_member: 0,
            }),
        ),
        (
            LimiterKind::SlidingCounter,
            Box::new(SlidingCounter {
                conn: host.connect(),
                limit: params.limit,
                window_ms: params.window_ms,
            }),
        ),
        (
            LimiterKind::TokenBucket,
            Box::new(TokenBucket {
                conn: host.connect(),
                // Tokens per second to the thousandth are millionths per ms.
                rate_micro_per_ms: (refill * 1000.0).round() as u64,
                burst: params.burst,
                sha: None,
            }),
        ),
    ];
    let mut queue = EventQueue::default();
    for (index, &at) in requests.iter().enumerate() {
        queue.schedule(at, index);
    }
    let end = params.duration_ms;
    let capacity = requests.len() * LimiterKind::ALL.len();
    let model = RateLimitSim {
        params,
        host,
        requests,
        slots: limiters
            .into_iter()
            .map(|(kind, limiter)| Slot {
                kind,
                limiter,
                counts: Counts::default(),
            })
            .collect(),
        decisions: Recent::new(capacity),
    };
    Ok(Sim::new(model, queue, end))
}

impl Model for RateLimitSim {
    /// The index of the request arriving.
    type Event = usize;

    fn handle(&mut self, at: u64, request: usize, _queue: &mut EventQueue<usize>) {
        for slot in &mut self.slots {
            let actor = format!("{} #{request}", slot.kind.name());
            let allowed = slot.limiter.decide(&mut self.host, at, &actor);
            if allowed {
                slot.counts.allowed += 1;
            } else {
                slot.counts.rejected += 1;
            }
            self.decisions.push(Decision {
                request,
                at_ms: at,
                limiter: slot.kind,
                allowed,
            });
        }
    }

    fn host(&mut self) -> &mut Host {
        &mut self.host
    }

    fn host_ref(&self) -> &Host {
        &self.host
    }
}

impl RateLimitSim {
    pub fn params(&self) -> &RateParams {
        &self.params
    }

    /// Every request's time, in order (the timeline's x positions).
    pub fn requests(&self) -> &[u64] {
        &self.requests
    }

    /// Decisions made since the last call.
    pub fn take_decisions(&mut self) -> Vec<Decision> {
        self.decisions.take()
    }

    /// Allowed and rejected so far by `kind`.
    pub fn counts(&self, kind: LimiterKind) -> Counts {
        self.slots
            .iter()
            .find(|slot| slot.kind == kind)
            .map_or_else(Counts::default, |slot| slot.counts)
    }

    /// The keys `kind` has in the engine now, with their TTLs.
    pub fn keys(&self, kind: LimiterKind) -> Vec<KeySummary> {
        self.host.keys_with_prefix(kind.key_prefix())
    }

    pub fn engine(&self) -> &Engine {
        self.host.engine()
    }
}

/// The most of `times` (sorted) within any half-open interval
/// `[t, t + len)`: how close a limiter came to, or past, its limit. The
/// fixed window reaches twice its limit across a boundary.
pub fn most_within(times: &[u64], len: u64) -> usize {
    let mut most = 0;
    let mut start = 0;
    for (end, &t) in times.iter().enumerate() {
        while times
            .get(start)
            .is_some_and(|&s| s.saturating_add(len) <= t)
        {
            start += 1;
        }
        most = most.max(end + 1 - start);
    }
    most
}
