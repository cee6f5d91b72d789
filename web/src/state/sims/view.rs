//! What the simulation views draw, copied from the run (props must be
//! comparable; the run is not): the cache's buckets and totals, each rate
//! limiter's decisions, keys and commands, each smaller pattern's figures,
//! and the keys in the simulation's engine with their TTLs.

use redsim_engine::Engine;
use redsim_sims::cache::{CacheBucket, CacheSim, CacheTotals, Reload};
use redsim_sims::chat::Message;
use redsim_sims::jobs::{JobStats, QueueKind};
use redsim_sims::leaderboard::Ranking;
use redsim_sims::lock::LockStats;
use redsim_sims::rate_limit::{most_within, LimiterKind, RateLimitSim, Stream};
use redsim_sims::sessions::Visit;

use super::{Field, Kind, LogLine, Run, Simulations};

/// Keys listed from a simulation's engine at most.
const KEYS_SHOWN: usize = 24;

/// Commands shown per rate limiter.
const LIMITER_COMMANDS: usize = 6;

/// Chat messages shown (the newest).
const MESSAGES_SHOWN: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct SimView {
    pub kind: Kind,
    pub fields: Vec<Field>,
    pub error: Option<String>,
    pub playing: bool,
    pub speed: u32,
    pub now_ms: u64,
    pub end_ms: u64,
    pub log: Vec<LogLine>,
    /// Keys in the simulation's engine now.
    pub keys: Vec<KeyLine>,
    pub cache: Option<CacheView>,
    pub rate: Option<RateView>,
    pub pattern: Option<PatternView>,
}

/// A key of a simulation's engine: name, type, TTL (ms) if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyLine {
    pub key: String,
    pub kind: &'static str,
    pub ttl_ms: Option<i64>,
}

/// A finished cache run, for comparing strategies side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub label: String,
    pub hit_ratio: Option<f64>,
    pub p95_ms: Option<u64>,
    pub db_queries: u64,
    pub stale_reads: u64,
    pub lost_writes: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CacheView {
    pub buckets: Vec<CacheBucket>,
    pub totals: CacheTotals,
    pub reloads: Vec<Reload>,
    pub lost_writes: usize,
    pub runs: Vec<RunSummary>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RateView {
    pub requests: Vec<u64>,
    pub drawn: bool,
    pub limit: u64,
    pub window_ms: u64,
    pub limiters: Vec<LimiterView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LimiterView {
    pub name: &'static str,
    /// (virtual ms, allowed) of every request decided so far.
    pub decisions: Vec<(u64, bool)>,
    pub allowed: u64,
    pub rejected: u64,
    /// The most it admitted within any window's length: the fixed
    /// window's boundary burst shows here as up to twice the limit.
    pub peak: usize,
    /// Its keys in the engine now, with their TTLs (ms).
    pub keys: Vec<(String, Option<i64>)>,
    /// Its latest commands, from the log.
    pub commands: Vec<LogLine>,
}

/// The smaller patterns' figures.
#[derive(Debug, Clone, PartialEq)]
pub enum PatternView {
    Lock {
        stats: LockStats,
        safe_release: bool,
    },
    Jobs {
        stats: JobStats,
        stream: bool,
    },
    Leaderboard {
        ranking: Option<Ranking>,
        followed: String,
    },
    Sessions {
        ttl_ms: u64,
        recent: Vec<Visit>,
    },
    Chat {
        messages: Vec<Message>,
        /// Messages each member received, by member.
        received: Vec<usize>,
    },
}

/// A finished cache run in one line of the comparison table.
pub fn summary(model: &CacheSim, label: String) -> RunSummary {
    let totals = model.totals();
    let reads = totals.hits + totals.misses;
    let mut p95: Vec<u64> = model
        .buckets()
        .iter()
        .filter_map(|b| b.latency.map(|l| l.p95))
        .collect();
    p95.sort_unstable();
    RunSummary {
        label,
        hit_ratio: (reads > 0).then(|| totals.hits as f64 / reads as f64),
        // The median bucket's p95: one number for the run.
        p95_ms: p95.get(p95.len() / 2).copied(),
        db_queries: totals.db_queries,
        stale_reads: totals.stale_reads,
        lost_writes: model.lost_writes().len(),
    }
}

/// The first keys of database 0, by name.
fn keys_of(engine: &Engine) -> Vec<KeyLine> {
    let (mut names, mut cursor) = (Vec::new(), 0);
    loop {
        let (keys, next) = engine.scan_keys(0, cursor, 64);
        names.extend(keys);
        cursor = next;
        if cursor == 0 || names.len() >= 512 {
            break;
        }
    }
    names.sort();
    names
        .iter()
        .take(KEYS_SHOWN)
        .filter_map(|k| engine.key_summary(0, k))
        .map(|s| KeyLine {
            key: String::from_utf8_lossy(&s.key).into_owned(),
            kind: s.kind,
            ttl_ms: s.ttl_ms,
        })
        .collect()
}

impl Simulations {
    pub fn view(&self) -> SimView {
        let (now_ms, end_ms) = self.progress();
        let mut view = SimView {
            kind: self.kind,
            fields: self.fields(),
            error: self.error.clone(),
            playing: self.playing,
            speed: self.speed,
            now_ms,
            end_ms,
            log: self.log.iter().cloned().collect(),
            keys: Vec::new(),
            cache: None,
            rate: None,
            pattern: None,
        };
        let Some(run) = &self.run else {
            return view;
        };
        view.keys = with_sim!(run, sim => keys_of(sim.model().engine()));
        let p = &self.params;
        match run {
            Run::Cache(sim) => {
                let m = sim.model();
                view.cache = Some(CacheView {
                    buckets: m.buckets().to_vec(),
                    totals: m.totals(),
                    reloads: m.reloads().to_vec(),
                    lost_writes: m.lost_writes().len(),
                    runs: self.runs.clone(),
                });
            }
            Run::Rate(sim) => view.rate = Some(self.rate_view(sim.model())),
            Run::Lock(sim) => {
                view.pattern = Some(PatternView::Lock {
                    stats: sim.model().stats(),
                    safe_release: p.lock.safe_release,
                });
            }
            Run::Jobs(sim) => {
                view.pattern = Some(PatternView::Jobs {
                    stats: sim.model().stats(),
                    stream: p.jobs.kind == QueueKind::Stream,
                });
            }
            Run::Leaderboard(sim) => {
                view.pattern = Some(PatternView::Leaderboard {
                    ranking: sim.model().rankings().last().cloned(),
                    followed: redsim_sims::leaderboard::player_name(p.leaderboard.followed),
                });
            }
            Run::Sessions(_) => {
                view.pattern = Some(PatternView::Sessions {
                    ttl_ms: p.sessions.ttl_ms,
                    recent: self.visits.iter().rev().take(20).copied().collect(),
                });
            }
            Run::Chat(sim) => {
                let m = sim.model();
                let messages = m.messages();
                view.pattern = Some(PatternView::Chat {
                    messages: messages
                        .iter()
                        .skip(messages.len().saturating_sub(MESSAGES_SHOWN))
                        .cloned()
                        .collect(),
                    received: (0..p.chat.members).map(|i| m.received(i).len()).collect(),
                });
            }
        }
        view
    }

    fn rate_view(&self, m: &RateLimitSim) -> RateView {
        let window_ms = self.params.rate.window_ms;
        let limiters = LimiterKind::ALL
            .into_iter()
            .map(|kind| {
                let counts = m.counts(kind);
                let prefix = format!("{} #", kind.name());
                let mut commands: Vec<LogLine> = self
                    .log
                    .iter()
                    .rev()
                    .filter(|l| l.actor.starts_with(&prefix))
                    .take(LIMITER_COMMANDS)
                    .cloned()
                    .collect();
                commands.reverse();
                let decisions: Vec<(u64, bool)> = self
                    .decisions
                    .iter()
                    .filter(|d| d.limiter == kind)
                    .map(|d| (d.at_ms, d.allowed))
                    .collect();
                // Decisions arrive in time order, so these are sorted.
                let admitted: Vec<u64> = decisions
                    .iter()
                    .filter(|(_, allowed)| *allowed)
                    .map(|(at, _)| *at)
                    .collect();
                LimiterView {
                    name: kind.name(),
                    peak: most_within(&admitted, window_ms),
                    decisions,
                    allowed: counts.allowed,
                    rejected: counts.rejected,
                    keys: m
                        .keys(kind)
                        .into_iter()
                        .map(|k| (String::from_utf8_lossy(&k.key).into_owned(), k.ttl_ms))
                        .collect(),
                    commands,
                }
            })
            .collect();
        RateView {
            requests: m.requests().to_vec(),
            drawn: matches!(self.params.rate.stream, Stream::Drawn { .. }),
            limit: self.params.rate.limit,
            window_ms,
            limiters,
        }
    }
}
