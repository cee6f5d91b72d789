//! The simulations panel: which simulation is shown, its parameters as the
//! form edits them, the run in progress on virtual time (play at a speed,
//! pause, step one event, reset), and what the run produced for the views:
//! the command log as redis-cli would print each reply, the cache's chart
//! buckets, the rate limiters' decisions. The simulations themselves, and
//! the engine each drives, live in the `redsim-sims` crate.

use std::collections::VecDeque;

use redsim_engine::config::memtoull;
use redsim_engine::reply::cli;
use redsim_sims::cache::{self, CacheParams, CacheSim, EvictionPolicy, Strategy};
use redsim_sims::rate_limit::{self, Decision, LimiterKind, RateLimitSim, RateParams, Stream};
use redsim_sims::{Action as Did, Latency, LogEntry, Sim};

/// Log lines kept for the view (the newest).
pub const LOG_LINES: usize = 300;

/// Events run in one frame at most, so a fast speed cannot freeze the tab:
/// past it, virtual time falls behind the chosen speed.
const EVENTS_PER_FRAME: usize = 4_000;

/// The longest wall-clock gap one frame makes up (a tab in the background).
const MAX_FRAME_MS: i64 = 250;

pub const SPEEDS: [u32; 5] = [1, 10, 100, 300, 1000];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Cache,
    RateLimit,
}

enum Run {
    Cache(Box<Sim<CacheSim>>),
    Rate(Box<Sim<RateLimitSim>>),
}

/// One line of the command log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub at_ms: u64,
    pub actor: String,
    /// `redis`, `db` or `note`.
    pub kind: &'static str,
    pub text: String,
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
pub enum SimAction {
    Toggle,
    Show(Kind),
    Play,
    Pause,
    Step,
    Speed(u32),
    Reset,
    /// A form field changed: its id and text (see `fields`).
    Set(&'static str, String),
    /// Loads the parameters of a named scenario (see `PRESETS`).
    Preset(&'static str),
    /// A request drawn on the rate-limit timeline at this virtual ms.
    Draw(u64),
}

/// Scenarios one click away.
pub const PRESETS: [&str; 4] = [
    "cache-aside",
    "stampede",
    "stampede with lock",
    "rate limits",
];

pub struct Simulations {
    pub shown: bool,
    pub kind: Kind,
    pub cache: CacheParams,
    pub rate: RateParams,
    run: Option<Run>,
    /// Why the parameters cannot run, named by field.
    pub error: Option<String>,
    pub playing: bool,
    pub speed: u32,
    pub log: VecDeque<LogLine>,
    /// Every limiter's decision so far (bounded by the stream's size).
    pub decisions: Vec<Decision>,
    pub runs: Vec<RunSummary>,
    last_wall: Option<i64>,
}

impl Default for Simulations {
    fn default() -> Self {
        let mut s = Simulations {
            shown: false,
            kind: Kind::Cache,
            cache: CacheParams::default(),
            rate: RateParams::default(),
            run: None,
            error: None,
            playing: false,
            speed: 10,
            log: VecDeque::new(),
            decisions: Vec::new(),
            runs: Vec::new(),
            last_wall: None,
        };
        s.reset();
        s
    }
}

/// A form field: its id, label, current text and, for a choice, the
/// choices.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub choices: &'static [&'static str],
}

const STRATEGIES: [&str; 6] = [
    "no cache",
    "cache-aside",
    "cache-aside, DEL on write",
    "write-through",
    "write-behind",
    "write-behind, crash halfway",
];

const STREAMS: [&str; 4] = ["steady", "bursty", "random", "drawn"];

const ON_OFF: [&str; 2] = ["off", "on"];

const POLICIES: [&str; 8] = [
    "noeviction",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
];

fn field(id: &'static str, label: &'static str, value: impl ToString) -> Field {
    Field {
        id,
        label,
        value: value.to_string(),
        choices: &[],
    }
}

fn choice(
    id: &'static str,
    label: &'static str,
    value: &str,
    choices: &'static [&'static str],
) -> Field {
    Field {
        id,
        label,
        value: value.to_string(),
        choices,
    }
}

fn strategy_name(s: &Strategy) -> &'static str {
    match s {
        Strategy::NoCache => STRATEGIES[0],
        Strategy::CacheAside {
            invalidate_on_write: false,
        } => STRATEGIES[1],
        Strategy::CacheAside { .. } => STRATEGIES[2],
        Strategy::WriteThrough => STRATEGIES[3],
        Strategy::WriteBehind {
            crash_at_ms: None, ..
        } => STRATEGIES[4],
        Strategy::WriteBehind { .. } => STRATEGIES[5],
    }
}

fn stream_name(s: &Stream) -> &'static str {
    match s {
        Stream::Steady { .. } => STREAMS[0],
        Stream::Bursty { .. } => STREAMS[1],
        Stream::Random { .. } => STREAMS[2],
        Stream::Drawn { .. } => STREAMS[3],
    }
}

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{what}: “{text}” is not a number"))
}

/// Whole seconds, or fractions, to ms.
fn seconds_ms(text: &str, what: &str) -> Result<u64, String> {
    let s: f64 = number(text, what)?;
    if !(s.is_finite() && s > 0.0 && s <= 86_400.0) {
        return Err(format!("{what}: between 0 and 86400 seconds"));
    }
    Ok((s * 1000.0).round() as u64)
}

impl Simulations {
    /// The form for the shown simulation.
    pub fn fields(&self) -> Vec<Field> {
        match self.kind {
            Kind::Cache => self.cache_fields(),
            Kind::RateLimit => self.rate_fields(),
        }
    }

    fn cache_fields(&self) -> Vec<Field> {
        let c = &self.cache;
        let (db_min, db_max) = match c.db_latency {
            Latency::Uniform { min_ms, max_ms } => (min_ms, max_ms),
            Latency::LogNormal { median_ms, p99_ms } => (median_ms, p99_ms),
        };
        vec![
            choice(
                "strategy",
                "strategy",
                strategy_name(&c.strategy),
                &STRATEGIES,
            ),
            field("rate", "requests / s", c.rate_per_s),
            field("keys", "keys", c.keys),
            field("zipf", "popularity skew (Zipf s)", c.zipf_s),
            field("writes", "writes %", c.write_ratio * 100.0),
            field("ttl", "cache TTL (s)", c.ttl_ms as f64 / 1000.0),
            field("db_min", "DB latency min (ms)", db_min),
            field("db_max", "DB latency max (ms)", db_max),
            field("maxmemory", "maxmemory (0 = none)", c.maxmemory),
            choice("policy", "maxmemory-policy", c.policy.name(), &POLICIES),
            choice(
                "lock",
                "stampede lock (SET NX)",
                ON_OFF[usize::from(c.stampede_lock)],
                &ON_OFF,
            ),
            field("seed", "seed", c.seed),
            field("duration", "duration (s)", c.duration_ms as f64 / 1000.0),
        ]
    }

    fn rate_fields(&self) -> Vec<Field> {
        let r = &self.rate;
        let mut fields = vec![choice(
            "stream",
            "requests",
            stream_name(&r.stream),
            &STREAMS,
        )];
        match &r.stream {
            Stream::Steady { rate_per_s } | Stream::Random { rate_per_s } => {
                fields.push(field("stream_rate", "requests / s", rate_per_s));
            }
            Stream::Bursty {
                burst, every_ms, ..
            } => {
                fields.push(field("stream_burst", "burst size", burst));
                fields.push(field("stream_every", "a burst every (ms)", every_ms));
            }
            Stream::Drawn { .. } => {}
        }
        fields.extend([
            field("limit", "limit per window", r.limit),
            field("window", "window (ms)", r.window_ms),
            field("refill", "bucket refill / s", r.refill_per_s),
            field("burst", "bucket size", r.burst),
            field("seed", "seed", r.seed),
            field("duration", "duration (s)", r.duration_ms as f64 / 1000.0),
        ]);
        fields
    }

    /// Applies one field's text; the run restarts from the new parameters.
    fn set(&mut self, id: &str, text: &str) -> Result<(), String> {
        match self.kind {
            Kind::Cache => set_cache(&mut self.cache, id, text)?,
            Kind::RateLimit => set_rate(&mut self.rate, id, text)?,
        }
        self.reset();
        Ok(())
    }

    pub fn act(&mut self, action: SimAction, wall_ms: i64) {
        match action {
            SimAction::Toggle => self.shown = !self.shown,
            SimAction::Show(kind) => {
                self.kind = kind;
                self.reset();
            }
            SimAction::Play => {
                self.playing = self.run.is_some();
                self.last_wall = Some(wall_ms);
            }
            SimAction::Pause => self.playing = false,
            SimAction::Step => {
                self.playing = false;
                match &mut self.run {
                    Some(Run::Cache(sim)) => {
                        sim.step();
                    }
                    Some(Run::Rate(sim)) => {
                        sim.step();
                    }
                    None => {}
                }
                self.collect();
            }
            SimAction::Speed(speed) => self.speed = speed.clamp(1, 1000),
            SimAction::Reset => self.reset(),
            SimAction::Set(id, text) => {
                if let Err(why) = self.set(id, &text) {
                    self.error = Some(why);
                }
            }
            SimAction::Preset(name) => self.preset(name),
            SimAction::Draw(at_ms) => {
                let times = match &mut self.rate.stream {
                    Stream::Drawn { times_ms } => times_ms,
                    other => {
                        *other = Stream::Drawn {
                            times_ms: Vec::new(),
                        };
                        let Stream::Drawn { times_ms } = other else {
                            return;
                        };
                        times_ms
                    }
                };
                if times.len() < rate_limit::MAX_REQUESTS as usize {
                    times.push(at_ms.min(self.rate.duration_ms.saturating_sub(1)));
                }
                self.reset();
            }
        }
    }

    fn preset(&mut self, name: &str) {
        match name {
            "cache-aside" => {
                self.kind = Kind::Cache;
                self.cache = CacheParams::default();
            }
            "stampede" | "stampede with lock" => {
                self.kind = Kind::Cache;
                self.cache = CacheParams {
                    stampede_lock: name == "stampede with lock",
                    ..CacheParams::stampede()
                };
            }
            _ => {
                self.kind = Kind::RateLimit;
                self.rate = RateParams::default();
            }
        }
        self.reset();
    }

    /// Starts the shown simulation again from its parameters, paused.
    pub fn reset(&mut self) {
        self.playing = false;
        self.log.clear();
        self.decisions.clear();
        let run = match self.kind {
            Kind::Cache => cache::simulate(self.cache.clone()).map(|s| Run::Cache(Box::new(s))),
            Kind::RateLimit => {
                rate_limit::simulate(self.rate.clone()).map(|s| Run::Rate(Box::new(s)))
            }
        };
        match run {
            Ok(run) => {
                self.run = Some(run);
                self.error = None;
                self.collect();
            }
            Err(e) => {
                self.run = None;
                self.error = Some(format!("{}: {}", e.field, e.message));
            }
        }
    }

    /// Moves a playing run on by the wall time since the last frame times
    /// the speed (a bounded number of events per frame).
    pub fn frame(&mut self, wall_ms: i64) {
        if !self.playing {
            return;
        }
        let elapsed = wall_ms - self.last_wall.unwrap_or(wall_ms);
        self.last_wall = Some(wall_ms);
        let virtual_ms = elapsed.clamp(0, MAX_FRAME_MS) as u64 * u64::from(self.speed);
        let finished = match &mut self.run {
            Some(Run::Cache(sim)) => advance(sim, virtual_ms),
            Some(Run::Rate(sim)) => advance(sim, virtual_ms),
            None => true,
        };
        self.collect();
        if finished {
            self.playing = false;
            self.note_finished();
        }
    }

    /// Drains what the run produced since the last call.
    fn collect(&mut self) {
        let (log, decisions) = match &mut self.run {
            Some(Run::Cache(sim)) => (sim.take_log(), Vec::new()),
            Some(Run::Rate(sim)) => {
                let decisions = sim.model_mut().take_decisions();
                (sim.take_log(), decisions)
            }
            None => (Vec::new(), Vec::new()),
        };
        self.decisions.extend(decisions);
        let skip = log.len().saturating_sub(LOG_LINES);
        self.log.extend(log.into_iter().skip(skip).map(log_line));
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
    }

    fn note_finished(&mut self) {
        let Some(Run::Cache(sim)) = &self.run else {
            return;
        };
        let model = sim.model();
        let totals = model.totals();
        let reads = totals.hits + totals.misses;
        let mut p95: Vec<u64> = model
            .buckets()
            .iter()
            .filter_map(|b| b.latency.map(|l| l.p95))
            .collect();
        p95.sort_unstable();
        let c = &self.cache;
        self.runs.push(RunSummary {
            label: format!(
                "{}{}, TTL {} s, seed {}",
                strategy_name(&c.strategy),
                if c.stampede_lock { " + lock" } else { "" },
                c.ttl_ms as f64 / 1000.0,
                c.seed
            ),
            hit_ratio: (reads > 0).then(|| totals.hits as f64 / reads as f64),
            // The median bucket's p95: one number for the run.
            p95_ms: p95.get(p95.len() / 2).copied(),
            db_queries: totals.db_queries,
            stale_reads: totals.stale_reads,
            lost_writes: model.lost_writes().len(),
        });
        if self.runs.len() > 10 {
            self.runs.remove(0);
        }
    }

    pub fn cache_run(&self) -> Option<&Sim<CacheSim>> {
        match &self.run {
            Some(Run::Cache(sim)) => Some(sim),
            _ => None,
        }
    }

    pub fn rate_run(&self) -> Option<&Sim<RateLimitSim>> {
        match &self.run {
            Some(Run::Rate(sim)) => Some(sim),
            _ => None,
        }
    }

    /// Virtual time now and at the end, in ms.
    pub fn progress(&self) -> (u64, u64) {
        match &self.run {
            Some(Run::Cache(sim)) => (sim.now(), sim.end()),
            Some(Run::Rate(sim)) => (sim.now(), sim.end()),
            None => (0, 0),
        }
    }
}

/// What the views draw, read from the run (props must be comparable, the
/// run is not).
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
    pub cache: Option<CacheView>,
    pub rate: Option<RateView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CacheView {
    pub buckets: Vec<cache::CacheBucket>,
    pub totals: cache::CacheTotals,
    pub reloads: Vec<cache::Reload>,
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
    /// The most it admitted within any window's length.
    pub peak: usize,
    /// Its keys in the engine now, with their TTLs (ms).
    pub keys: Vec<(String, Option<i64>)>,
    /// Its latest commands, from the log.
    pub commands: Vec<LogLine>,
}

/// Commands shown per rate limiter.
const LIMITER_COMMANDS: usize = 6;

impl Simulations {
    pub fn view(&self) -> SimView {
        let (now_ms, end_ms) = self.progress();
        SimView {
            kind: self.kind,
            fields: self.fields(),
            error: self.error.clone(),
            playing: self.playing,
            speed: self.speed,
            now_ms,
            end_ms,
            log: self.log.iter().cloned().collect(),
            cache: self.cache_run().map(|sim| {
                let m = sim.model();
                CacheView {
                    buckets: m.buckets().to_vec(),
                    totals: m.totals(),
                    reloads: m.reloads().to_vec(),
                    lost_writes: m.lost_writes().len(),
                    runs: self.runs.clone(),
                }
            }),
            rate: self.rate_run().map(|sim| self.rate_view(sim.model())),
        }
    }

    fn rate_view(&self, m: &RateLimitSim) -> RateView {
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
                LimiterView {
                    name: kind.name(),
                    decisions: self
                        .decisions
                        .iter()
                        .filter(|d| d.limiter == kind)
                        .map(|d| (d.at_ms, d.allowed))
                        .collect(),
                    allowed: counts.allowed,
                    rejected: counts.rejected,
                    peak: peak_in_window(&self.decisions, kind, self.rate.window_ms),
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
            drawn: matches!(self.rate.stream, Stream::Drawn { .. }),
            limit: self.rate.limit,
            window_ms: self.rate.window_ms,
            limiters,
        }
    }
}

/// Runs a simulation's events for `virtual_ms` more (at most
/// `EVENTS_PER_FRAME` of them); whether it has finished.
fn advance<M: redsim_sims::Model>(sim: &mut Sim<M>, virtual_ms: u64) -> bool {
    let target = sim.now().saturating_add(virtual_ms).min(sim.end());
    let mut events = 0;
    while events < EVENTS_PER_FRAME && sim.next_event_at().is_some_and(|at| at <= target) {
        sim.step();
        events += 1;
    }
    if events < EVENTS_PER_FRAME {
        sim.advance_to(target);
    }
    sim.finished() || sim.next_event_at().is_none() && sim.now() >= sim.end()
}

fn log_line(entry: LogEntry) -> LogLine {
    let (kind, text) = match entry.action {
        Did::Redis { argv, reply } => {
            let mut command = String::new();
            for arg in &argv {
                if !command.is_empty() {
                    command.push(' ');
                }
                if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '"') {
                    cli::quote_into(&mut command, arg.as_bytes());
                } else {
                    command.push_str(arg);
                }
            }
            let reply = cli::format(&reply).trim_end().replace('\n', " ");
            ("redis", format!("{command} → {reply}"))
        }
        Did::Db(text) => ("db", text),
        Did::Note(text) => ("note", text),
    };
    LogLine {
        at_ms: entry.at_ms,
        actor: entry.actor,
        kind,
        text,
    }
}

fn set_cache(c: &mut CacheParams, id: &str, text: &str) -> Result<(), String> {
    match id {
        "strategy" => {
            let duration = c.duration_ms;
            c.strategy = match STRATEGIES.iter().position(|s| *s == text) {
                Some(0) => Strategy::NoCache,
                Some(1) => Strategy::CacheAside {
                    invalidate_on_write: false,
                },
                Some(2) => Strategy::CacheAside {
                    invalidate_on_write: true,
                },
                Some(3) => Strategy::WriteThrough,
                Some(4) => Strategy::WriteBehind {
                    flush_every_ms: 1_000,
                    crash_at_ms: None,
                },
                Some(5) => Strategy::WriteBehind {
                    flush_every_ms: 1_000,
                    crash_at_ms: Some(duration / 2),
                },
                _ => return Err(format!("strategy: no strategy “{text}”")),
            };
        }
        "rate" => c.rate_per_s = number(text, "requests / s")?,
        "keys" => c.keys = number(text, "keys")?,
        "zipf" => c.zipf_s = number(text, "popularity skew")?,
        "writes" => c.write_ratio = number::<f64>(text, "writes %")? / 100.0,
        "ttl" => c.ttl_ms = seconds_ms(text, "cache TTL")?,
        "db_min" | "db_max" => {
            let (mut min_ms, mut max_ms) = match c.db_latency {
                Latency::Uniform { min_ms, max_ms } => (min_ms, max_ms),
                Latency::LogNormal { median_ms, p99_ms } => (median_ms, p99_ms),
            };
            let ms = number(text, "DB latency")?;
            if id == "db_min" {
                min_ms = ms;
            } else {
                max_ms = ms;
            }
            c.db_latency = Latency::Uniform { min_ms, max_ms };
        }
        "maxmemory" => {
            c.maxmemory = memtoull(text.trim().as_bytes())
                .ok_or_else(|| format!("maxmemory: “{text}” is not a size (e.g. 0, 500kb, 2mb)"))?;
        }
        "policy" => {
            c.policy = EvictionPolicy::ALL
                .into_iter()
                .find(|p| p.name() == text)
                .ok_or_else(|| format!("maxmemory-policy: no policy “{text}”"))?;
        }
        "lock" => c.stampede_lock = text == "on",
        "seed" => c.seed = number(text, "seed")?,
        "duration" => c.duration_ms = seconds_ms(text, "duration")?,
        _ => return Err(format!("no field {id}")),
    }
    Ok(())
}

fn set_rate(r: &mut RateParams, id: &str, text: &str) -> Result<(), String> {
    match id {
        "stream" => {
            r.stream = match text {
                "steady" => Stream::Steady { rate_per_s: 10.0 },
                "bursty" => RateParams::default().stream,
                "random" => Stream::Random { rate_per_s: 12.0 },
                "drawn" => Stream::Drawn {
                    times_ms: Vec::new(),
                },
                _ => return Err(format!("requests: no stream “{text}”")),
            };
        }
        "stream_rate" => match &mut r.stream {
            Stream::Steady { rate_per_s } | Stream::Random { rate_per_s } => {
                *rate_per_s = number(text, "requests / s")?;
            }
            _ => return Err("requests / s: only for a steady or random stream".to_string()),
        },
        "stream_burst" | "stream_every" => match &mut r.stream {
            Stream::Bursty {
                burst, every_ms, ..
            } => {
                if id == "stream_burst" {
                    *burst = number(text, "burst size")?;
                } else {
                    *every_ms = number(text, "a burst every")?;
                }
            }
            _ => return Err("bursts: only for a bursty stream".to_string()),
        },
        "limit" => r.limit = number(text, "limit")?,
        "window" => r.window_ms = number(text, "window")?,
        "refill" => r.refill_per_s = number(text, "bucket refill")?,
        "burst" => r.burst = number(text, "bucket size")?,
        "seed" => r.seed = number(text, "seed")?,
        "duration" => r.duration_ms = seconds_ms(text, "duration")?,
        _ => return Err(format!("no field {id}")),
    }
    Ok(())
}

/// The most requests a limiter admitted within any `window_ms` (a sliding
/// window over its allowed decisions): the fixed window's boundary burst
/// shows up here as up to twice the limit.
pub fn peak_in_window(decisions: &[Decision], kind: LimiterKind, window_ms: u64) -> usize {
    let mut allowed: Vec<u64> = decisions
        .iter()
        .filter(|d| d.limiter == kind && d.allowed)
        .map(|d| d.at_ms)
        .collect();
    allowed.sort_unstable();
    let mut peak = 0;
    let mut start = 0;
    for (end, &at) in allowed.iter().enumerate() {
        while allowed.get(start).is_some_and(|&s| s + window_ms <= at) {
            start += 1;
        }
        peak = peak.max(end + 1 - start);
    }
    peak
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(s.cache_run().is_none());
        s.act(SimAction::Play, 0);
        assert!(!s.playing, "nothing to play");
        s.act(SimAction::Set("maxmemory", "2mb".into()), 0);
        s.act(SimAction::Set("keys", "100".into()), 0);
        assert_eq!(
            (s.error.clone(), s.cache.maxmemory),
            (None, 2 * 1024 * 1024)
        );
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
        let peak = |kind| peak_in_window(&s.decisions, kind, 1_000);
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
            assert!(
                !l.commands.is_empty() && l.commands.iter().all(|c| c.actor.starts_with(l.name))
            );
            assert!(!l.keys.is_empty(), "{} made its keys", l.name);
        }
        let fixed = &rate.limiters[0];
        assert!(
            fixed.keys.iter().all(|(_, ttl)| ttl.is_some()),
            "fixed windows expire"
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
}
