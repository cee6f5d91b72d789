//! Every simulation's parameters as a form: the fields shown (text, or a
//! choice among names) and how a field's text is read back into the
//! parameters, refused with the field named when it does not read. The
//! ranges themselves are the sims crate's to check (`simulate`).

use redsim_engine::config::memtoull;
use redsim_sims::cache::{CacheParams, EvictionPolicy, Strategy};
use redsim_sims::chat::ChatParams;
use redsim_sims::jobs::{Crash, JobParams, QueueKind};
use redsim_sims::leaderboard::LeaderboardParams;
use redsim_sims::lock::LockParams;
use redsim_sims::rate_limit::{RateParams, Stream};
use redsim_sims::sessions::SessionParams;
use redsim_sims::Latency;

/// A form field: its id, label, current text and, for a choice, the
/// choices.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub choices: &'static [&'static str],
}

/// Every simulation's parameters, kept while another is shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    pub cache: CacheParams,
    pub rate: RateParams,
    pub lock: LockParams,
    pub jobs: JobParams,
    pub leaderboard: LeaderboardParams,
    pub sessions: SessionParams,
    pub chat: ChatParams,
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

const DISTRIBUTIONS: [&str; 2] = ["uniform", "log-normal"];

const RELEASES: [&str; 2] = ["DEL (unsafe)", "check the token (safe)"];

const QUEUES: [&str; 2] = ["list (LPUSH + BRPOP)", "stream (consumer group)"];

const CRASHES: [&str; 2] = ["no crash", "worker 0 crashes at 2 s"];

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

fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// A latency distribution's two numbers: min and max, or median and p99.
fn ends(l: &Latency) -> (u64, u64) {
    match *l {
        Latency::Uniform { min_ms, max_ms } => (min_ms, max_ms),
        Latency::LogNormal { median_ms, p99_ms } => (median_ms, p99_ms),
    }
}

/// A distribution of `log_normal`'s shape from its two numbers.
fn shaped(log_normal: bool, low: u64, high: u64) -> Latency {
    if log_normal {
        Latency::LogNormal {
            median_ms: low,
            p99_ms: high,
        }
    } else {
        Latency::Uniform {
            min_ms: low,
            max_ms: high,
        }
    }
}

/// The range of a latency distribution, as two fields.
fn latency_fields(l: &Latency, what: &'static str) -> [Field; 2] {
    let (low, high) = ends(l);
    let [low_label, high_label] = match (what, l) {
        ("work", Latency::LogNormal { .. }) => ["work median (ms)", "work p99 (ms)"],
        ("work", _) => ["work min (ms)", "work max (ms)"],
        ("think", _) => ["pause median (ms)", "pause p99 (ms)"],
        (_, Latency::LogNormal { .. }) => ["DB latency median (ms)", "DB latency p99 (ms)"],
        _ => ["DB latency min (ms)", "DB latency max (ms)"],
    };
    [
        field("low_ms", low_label, low),
        field("high_ms", high_label, high),
    ]
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

/// A cache run's name in the table of finished runs.
pub fn cache_label(c: &CacheParams) -> String {
    format!(
        "{}{}, TTL {} s, seed {}",
        strategy_name(&c.strategy),
        if c.stampede_lock { " + lock" } else { "" },
        seconds(c.ttl_ms),
        c.seed
    )
}

fn stream_name(s: &Stream) -> &'static str {
    match s {
        Stream::Steady { .. } => STREAMS[0],
        Stream::Bursty { .. } => STREAMS[1],
        Stream::Random { .. } => STREAMS[2],
        Stream::Drawn { .. } => STREAMS[3],
    }
}

pub fn cache_fields(c: &CacheParams) -> Vec<Field> {
    let mut fields = vec![
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
        field("ttl", "cache TTL (s)", seconds(c.ttl_ms)),
    ];
    let log_normal = matches!(c.db_latency, Latency::LogNormal { .. });
    fields.push(choice(
        "db_dist",
        "DB latency",
        DISTRIBUTIONS[usize::from(log_normal)],
        &DISTRIBUTIONS,
    ));
    fields.extend(latency_fields(&c.db_latency, "db"));
    fields.extend([
        field("maxmemory", "maxmemory (0 = none)", c.maxmemory),
        choice("policy", "maxmemory-policy", c.policy.name(), &POLICIES),
        choice(
            "lock",
            "stampede lock (SET NX)",
            ON_OFF[usize::from(c.stampede_lock)],
            &ON_OFF,
        ),
    ]);
    fields
}

pub fn rate_fields(r: &RateParams) -> Vec<Field> {
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
    ]);
    fields
}

pub fn lock_fields(l: &LockParams) -> Vec<Field> {
    let mut fields = vec![
        choice(
            "release",
            "release",
            RELEASES[usize::from(l.safe_release)],
            &RELEASES,
        ),
        field("lock_ttl", "lock TTL (ms)", l.lock_ttl_ms),
    ];
    fields.extend(latency_fields(&l.work, "work"));
    fields.push(field("retry", "retry after (ms)", l.retry_ms));
    fields
}

pub fn job_fields(j: &JobParams) -> Vec<Field> {
    let mut fields = vec![
        choice(
            "queue",
            "queue",
            QUEUES[usize::from(j.kind == QueueKind::Stream)],
            &QUEUES,
        ),
        field("workers", "workers", j.workers),
        field("jobs_rate", "jobs / s", j.jobs_per_s),
        choice(
            "crash",
            "crash",
            CRASHES[usize::from(j.crash.is_some())],
            &CRASHES,
        ),
    ];
    fields.extend(latency_fields(&j.work, "work"));
    fields
}

pub fn leaderboard_fields(l: &LeaderboardParams) -> Vec<Field> {
    vec![
        field("players", "players", l.players),
        field("events", "score events / s", l.events_per_s),
        field("top", "rows shown", l.top),
    ]
}

pub fn session_fields(s: &SessionParams) -> Vec<Field> {
    let mut fields = vec![
        field("users", "users", s.users),
        field("session_ttl", "session TTL (s)", seconds(s.ttl_ms)),
        field("logout", "logout chance %", s.logout_chance * 100.0),
    ];
    fields.extend(latency_fields(&s.think, "think"));
    fields
}

pub fn chat_fields(c: &ChatParams) -> Vec<Field> {
    vec![
        field("members", "members", c.members),
        field("leave", "leave chance %", c.leave_chance * 100.0),
    ]
}

/// The seed and duration every simulation has, last in its form.
pub fn common_fields(seed: u64, duration_ms: u64) -> [Field; 2] {
    [
        field("seed", "seed", seed),
        field("duration", "duration (s)", seconds(duration_ms)),
    ]
}

/// Sets the seed or the duration (`id` "seed" or "duration"), which every
/// simulation has; false for other fields.
pub fn set_common(
    seed: &mut u64,
    duration_ms: &mut u64,
    id: &str,
    text: &str,
) -> Result<bool, String> {
    match id {
        "seed" => *seed = number(text, "seed")?,
        "duration" => *duration_ms = seconds_ms(text, "duration")?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{what}: “{text}” is not a number"))
}

/// A percentage typed, as a fraction.
fn percent(text: &str, what: &str) -> Result<f64, String> {
    Ok(number::<f64>(text, what)? / 100.0)
}

/// Seconds typed (fractions allowed), as ms.
fn seconds_ms(text: &str, what: &str) -> Result<u64, String> {
    let s: f64 = number(text, what)?;
    if !(s.is_finite() && s > 0.0 && s <= 86_400.0) {
        return Err(format!("{what}: between 0 and 86400 seconds"));
    }
    Ok((s * 1000.0).round() as u64)
}

fn pick(choices: &[&str], text: &str, what: &str) -> Result<usize, String> {
    choices
        .iter()
        .position(|c| *c == text)
        .ok_or_else(|| format!("{what}: no choice “{text}”"))
}

/// One end of a latency distribution, keeping its shape.
fn set_latency(l: &mut Latency, id: &str, text: &str) -> Result<(), String> {
    let ms: u64 = number(text, "latency")?;
    let (mut low, mut high) = ends(l);
    if id == "low_ms" {
        low = ms;
    } else {
        high = ms;
    }
    *l = shaped(matches!(l, Latency::LogNormal { .. }), low, high);
    Ok(())
}

pub fn set_cache(c: &mut CacheParams, id: &str, text: &str) -> Result<(), String> {
    match id {
        "strategy" => {
            let crash = Some(c.duration_ms / 2);
            c.strategy = match pick(&STRATEGIES, text, "strategy")? {
                0 => Strategy::NoCache,
                n @ (1 | 2) => Strategy::CacheAside {
                    invalidate_on_write: n == 2,
                },
                3 => Strategy::WriteThrough,
                n => Strategy::WriteBehind {
                    flush_every_ms: 1_000,
                    crash_at_ms: crash.filter(|_| n == 5),
                },
            };
        }
        "rate" => c.rate_per_s = number(text, "requests / s")?,
        "keys" => c.keys = number(text, "keys")?,
        "zipf" => c.zipf_s = number(text, "popularity skew")?,
        "writes" => c.write_ratio = percent(text, "writes %")?,
        "ttl" => c.ttl_ms = seconds_ms(text, "cache TTL")?,
        "low_ms" | "high_ms" => set_latency(&mut c.db_latency, id, text)?,
        "db_dist" => {
            // The same two numbers, read as the other shape's.
            let (low, high) = ends(&c.db_latency);
            c.db_latency = shaped(pick(&DISTRIBUTIONS, text, "DB latency")? == 1, low, high);
        }
        "maxmemory" => {
            c.maxmemory = memtoull(text.trim().as_bytes())
                .ok_or_else(|| format!("maxmemory: “{text}” is not a size (e.g. 0, 500kb, 2mb)"))?;
        }
        "policy" => {
            let at = pick(&POLICIES, text, "maxmemory-policy")?;
            c.policy = EvictionPolicy::ALL
                .get(at)
                .copied()
                .ok_or_else(|| format!("maxmemory-policy: no policy “{text}”"))?;
        }
        "lock" => c.stampede_lock = pick(&ON_OFF, text, "stampede lock")? == 1,
        _ => return Err(format!("no field {id}")),
    }
    Ok(())
}

pub fn set_rate(r: &mut RateParams, id: &str, text: &str) -> Result<(), String> {
    match id {
        "stream" => {
            r.stream = match pick(&STREAMS, text, "requests")? {
                0 => Stream::Steady { rate_per_s: 10.0 },
                1 => RateParams::default().stream,
                2 => Stream::Random { rate_per_s: 12.0 },
                _ => Stream::Drawn {
                    times_ms: Vec::new(),
                },
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
        _ => return Err(format!("no field {id}")),
    }
    Ok(())
}

pub fn set_lock(l: &mut LockParams, id: &str, text: &str) -> Result<(), String> {
    match id {
        "release" => l.safe_release = pick(&RELEASES, text, "release")? == 1,
        "lock_ttl" => l.lock_ttl_ms = number(text, "lock TTL")?,
        "low_ms" | "high_ms" => set_latency(&mut l.work, id, text)?,
        "retry" => l.retry_ms = number(text, "retry after")?,
        _ => return Err(format!("no field {id}")),
    }
    Ok(())
}

pub fn set_jobs(j: &mut JobParams, id: &str, text: &str) -> Result<(), String> {
    match id {
        "queue" => {
            j.kind = if pick(&QUEUES, text, "queue")? == 1 {
                QueueKind::Stream
            } else {
                QueueKind::List
            };
        }
        "workers" => j.workers = number(text, "workers")?,
        "jobs_rate" => j.jobs_per_s = number(text, "jobs / s")?,
        "crash" => {
            j.crash = (pick(&CRASHES, text, "crash")? == 1).then_some(Crash {
                worker: 0,
                at_ms: 2_000,
            });
        }
        "low_ms" | "high_ms" => set_latency(&mut j.work, id, text)?,
        _ => return Err(format!("no field {id}")),
    }
    Ok(())
}

pub fn set_leaderboard(l: &mut LeaderboardParams, id: &str, text: &str) -> Result<(), String> {
    match id {
        "players" => l.players = number(text, "players")?,
        "events" => l.events_per_s = number(text, "score events / s")?,
        "top" => l.top = number(text, "rows shown")?,
        _ => return Err(format!("no field {id}")),
    }
    Ok(())
}

pub fn set_sessions(s: &mut SessionParams, id: &str, text: &str) -> Result<(), String> {
    match id {
        "users" => s.users = number(text, "users")?,
        "session_ttl" => s.ttl_ms = seconds_ms(text, "session TTL")?,
        "logout" => s.logout_chance = percent(text, "logout chance %")?,
        "low_ms" | "high_ms" => set_latency(&mut s.think, id, text)?,
        _ => return Err(format!("no field {id}")),
    }
    Ok(())
}

pub fn set_chat(c: &mut ChatParams, id: &str, text: &str) -> Result<(), String> {
    match id {
        "members" => c.members = number(text, "members")?,
        "leave" => c.leave_chance = percent(text, "leave chance %")?,
        _ => return Err(format!("no field {id}")),
    }
    Ok(())
}
