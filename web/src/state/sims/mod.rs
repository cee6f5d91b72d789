//! The simulations panel: which simulation is shown, its parameters as the
//! form edits them (`form`), the run in progress on virtual time (play at a
//! speed, pause, step one event, reset), and what the run produced, drained
//! each frame for the views (`view`): the command log as redis-cli would
//! print each reply, the rate limiters' decisions, the session visits. The
//! simulations themselves, each driving an engine of its own, live in the
//! `redsim-sims` crate.

mod form;

use std::collections::VecDeque;

use redsim_engine::reply::cli;
use redsim_engine::Engine;
use redsim_sims::cache::{self, CacheParams, CacheSim};
use redsim_sims::chat::{self, ChatSim};
use redsim_sims::jobs::{self, JobSim};
use redsim_sims::leaderboard::{self, LeaderboardSim};
use redsim_sims::lock::{self, LockSim};
use redsim_sims::rate_limit::{self, Decision, RateLimitSim, RateParams, Stream};
use redsim_sims::sessions::{self, SessionSim, Visit};
use redsim_sims::{Action as Did, LogEntry, Model, ParamError, Sim};

pub use form::Field;
use form::Params;
pub use view::{CacheView, KeyLine, LimiterView, PatternView, RateView, RunSummary, SimView};

/// Log lines kept for the view (the newest).
pub const LOG_LINES: usize = 300;

/// Session visits kept for the view (the newest).
const VISITS_KEPT: usize = 200;

/// Events run in one frame at most, so a fast speed cannot freeze the tab:
/// past it, virtual time falls behind the chosen speed.
const EVENTS_PER_FRAME: usize = 4_000;

/// The longest wall-clock gap one frame makes up (a tab in the background).
const MAX_FRAME_MS: i64 = 250;

pub const SPEEDS: [u32; 5] = [1, 10, 100, 300, 1000];

/// The simulations, in the order of the panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Cache,
    RateLimit,
    Lock,
    Jobs,
    Leaderboard,
    Sessions,
    Chat,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Cache,
        Kind::RateLimit,
        Kind::Lock,
        Kind::Jobs,
        Kind::Leaderboard,
        Kind::Sessions,
        Kind::Chat,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Cache => "caching",
            Kind::RateLimit => "rate limiting",
            Kind::Lock => "distributed lock",
            Kind::Jobs => "job queue",
            Kind::Leaderboard => "leaderboard",
            Kind::Sessions => "session store",
            Kind::Chat => "pub/sub chat",
        }
    }
}

enum Run {
    Cache(Box<Sim<CacheSim>>),
    Rate(Box<Sim<RateLimitSim>>),
    Lock(Box<Sim<LockSim>>),
    Jobs(Box<Sim<JobSim>>),
    Leaderboard(Box<Sim<LeaderboardSim>>),
    Sessions(Box<Sim<SessionSim>>),
    Chat(Box<Sim<ChatSim>>),
}

/// Runs `$body` with `$sim` bound to whichever simulation `$run` holds.
macro_rules! with_sim {
    ($run:expr, $sim:ident => $body:expr) => {
        match $run {
            Run::Cache($sim) => $body,
            Run::Rate($sim) => $body,
            Run::Lock($sim) => $body,
            Run::Jobs($sim) => $body,
            Run::Leaderboard($sim) => $body,
            Run::Sessions($sim) => $body,
            Run::Chat($sim) => $body,
        }
    };
}

mod view;

/// One line of the command log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub at_ms: u64,
    pub actor: String,
    /// `redis`, `db` or `note`.
    pub kind: &'static str,
    pub text: String,
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
    /// A form field changed: its id and text (see `form`).
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
    params: Params,
    run: Option<Run>,
    /// Why the parameters cannot run, named by field.
    pub error: Option<String>,
    pub playing: bool,
    pub speed: u32,
    pub log: VecDeque<LogLine>,
    /// Every limiter's decision so far (bounded by the stream's size).
    pub decisions: Vec<Decision>,
    /// The newest session visits.
    pub visits: VecDeque<Visit>,
    /// Finished cache runs, to compare strategies.
    pub runs: Vec<RunSummary>,
    last_wall: Option<i64>,
}

impl Default for Simulations {
    fn default() -> Self {
        let mut s = Simulations {
            shown: false,
            kind: Kind::Cache,
            params: Params::default(),
            run: None,
            error: None,
            playing: false,
            speed: 10,
            log: VecDeque::new(),
            decisions: Vec::new(),
            visits: VecDeque::new(),
            runs: Vec::new(),
            last_wall: None,
        };
        s.reset();
        s
    }
}

impl Simulations {
    /// The form for the shown simulation: its own fields, then seed and
    /// duration.
    pub fn fields(&self) -> Vec<Field> {
        let p = &self.params;
        let (mut fields, seed, duration) = match self.kind {
            Kind::Cache => (
                form::cache_fields(&p.cache),
                p.cache.seed,
                p.cache.duration_ms,
            ),
            Kind::RateLimit => (form::rate_fields(&p.rate), p.rate.seed, p.rate.duration_ms),
            Kind::Lock => (form::lock_fields(&p.lock), p.lock.seed, p.lock.duration_ms),
            Kind::Jobs => (form::job_fields(&p.jobs), p.jobs.seed, p.jobs.duration_ms),
            Kind::Leaderboard => (
                form::leaderboard_fields(&p.leaderboard),
                p.leaderboard.seed,
                p.leaderboard.duration_ms,
            ),
            Kind::Sessions => (
                form::session_fields(&p.sessions),
                p.sessions.seed,
                p.sessions.duration_ms,
            ),
            Kind::Chat => (form::chat_fields(&p.chat), p.chat.seed, p.chat.duration_ms),
        };
        fields.extend(form::common_fields(seed, duration));
        fields
    }

    /// Applies one field's text; the run restarts from the new parameters.
    fn set(&mut self, id: &str, text: &str) -> Result<(), String> {
        let p = &mut self.params;
        let (seed, duration_ms) = match self.kind {
            Kind::Cache => (&mut p.cache.seed, &mut p.cache.duration_ms),
            Kind::RateLimit => (&mut p.rate.seed, &mut p.rate.duration_ms),
            Kind::Lock => (&mut p.lock.seed, &mut p.lock.duration_ms),
            Kind::Jobs => (&mut p.jobs.seed, &mut p.jobs.duration_ms),
            Kind::Leaderboard => (&mut p.leaderboard.seed, &mut p.leaderboard.duration_ms),
            Kind::Sessions => (&mut p.sessions.seed, &mut p.sessions.duration_ms),
            Kind::Chat => (&mut p.chat.seed, &mut p.chat.duration_ms),
        };
        if form::set_common(seed, duration_ms, id, text)? {
            self.reset();
            return Ok(());
        }
        match self.kind {
            Kind::Cache => form::set_cache(&mut p.cache, id, text)?,
            Kind::RateLimit => form::set_rate(&mut p.rate, id, text)?,
            Kind::Lock => form::set_lock(&mut p.lock, id, text)?,
            Kind::Jobs => form::set_jobs(&mut p.jobs, id, text)?,
            Kind::Leaderboard => form::set_leaderboard(&mut p.leaderboard, id, text)?,
            Kind::Sessions => form::set_sessions(&mut p.sessions, id, text)?,
            Kind::Chat => form::set_chat(&mut p.chat, id, text)?,
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
                if let Some(run) = &mut self.run {
                    with_sim!(run, sim => { sim.step(); });
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
            SimAction::Draw(at_ms) => self.draw(at_ms),
        }
    }

    /// Adds a request at `at_ms` to a drawn stream (making the stream a
    /// drawn one if it was not).
    fn draw(&mut self, at_ms: u64) {
        let rate = &mut self.params.rate;
        let last = rate.duration_ms.saturating_sub(1);
        match &mut rate.stream {
            Stream::Drawn { times_ms } => {
                if times_ms.len() < rate_limit::MAX_REQUESTS as usize {
                    times_ms.push(at_ms.min(last));
                }
            }
            other => {
                *other = Stream::Drawn {
                    times_ms: vec![at_ms.min(last)],
                };
            }
        }
        self.reset();
    }

    fn preset(&mut self, name: &str) {
        match name {
            "cache-aside" => {
                self.kind = Kind::Cache;
                self.params.cache = CacheParams::default();
            }
            "stampede" | "stampede with lock" => {
                self.kind = Kind::Cache;
                self.params.cache = CacheParams {
                    stampede_lock: name == "stampede with lock",
                    ..CacheParams::stampede()
                };
            }
            _ => {
                self.kind = Kind::RateLimit;
                self.params.rate = RateParams::default();
            }
        }
        self.reset();
    }

    /// Starts the shown simulation again from its parameters, paused.
    pub fn reset(&mut self) {
        self.playing = false;
        self.log.clear();
        self.decisions.clear();
        self.visits.clear();
        match self.start() {
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

    fn start(&self) -> Result<Run, ParamError> {
        let p = self.params.clone();
        Ok(match self.kind {
            Kind::Cache => Run::Cache(Box::new(cache::simulate(p.cache)?)),
            Kind::RateLimit => Run::Rate(Box::new(rate_limit::simulate(p.rate)?)),
            Kind::Lock => Run::Lock(Box::new(lock::simulate(p.lock)?)),
            Kind::Jobs => Run::Jobs(Box::new(jobs::simulate(p.jobs)?)),
            Kind::Leaderboard => Run::Leaderboard(Box::new(leaderboard::simulate(p.leaderboard)?)),
            Kind::Sessions => Run::Sessions(Box::new(sessions::simulate(p.sessions)?)),
            Kind::Chat => Run::Chat(Box::new(chat::simulate(p.chat)?)),
        })
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
            Some(run) => with_sim!(run, sim => advance(sim, virtual_ms)),
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
        let log = match &mut self.run {
            Some(Run::Rate(sim)) => {
                self.decisions.extend(sim.model_mut().take_decisions());
                sim.take_log()
            }
            Some(Run::Sessions(sim)) => {
                self.visits.extend(sim.model_mut().take_visits());
                while self.visits.len() > VISITS_KEPT {
                    self.visits.pop_front();
                }
                sim.take_log()
            }
            Some(run) => with_sim!(run, sim => sim.take_log()),
            None => Vec::new(),
        };
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
        self.runs.push(view::summary(
            sim.model(),
            form::cache_label(&self.params.cache),
        ));
        if self.runs.len() > 10 {
            self.runs.remove(0);
        }
    }

    /// The running simulation's engine, for the key browser.
    pub fn engine(&self) -> Option<&Engine> {
        let run = self.run.as_ref()?;
        Some(with_sim!(run, sim => sim.model().engine()))
    }

    /// Virtual time now and at the end, in ms.
    pub fn progress(&self) -> (u64, u64) {
        match &self.run {
            Some(run) => with_sim!(run, sim => (sim.now(), sim.end())),
            None => (0, 0),
        }
    }
}

/// Runs a simulation's events for `virtual_ms` more (at most
/// `EVENTS_PER_FRAME` of them); whether it has finished.
fn advance<M: Model>(sim: &mut Sim<M>, virtual_ms: u64) -> bool {
    let target = sim.now().saturating_add(virtual_ms).min(sim.end());
    let mut events = 0;
    while events < EVENTS_PER_FRAME && sim.next_event_at().is_some_and(|at| at <= target) {
        sim.step();
        events += 1;
    }
    if events < EVENTS_PER_FRAME {
        sim.advance_to(target);
    }
    sim.finished()
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

#[cfg(test)]
mod tests;
