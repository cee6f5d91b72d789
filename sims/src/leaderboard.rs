//! A live leaderboard: game events add points to players (`ZINCRBY`), and
//! a viewer refreshes the top of the board (`ZREVRANGE ... WITHSCORES`)
//! and one followed player's rank (`ZREVRANK`) every so often. The
//! sorted set does the ranking; the simulation only keeps the points it
//! sent, so a test can check the board against them.

use crate::events::EventQueue;
use crate::host::{Conn, Host};
use crate::params::{self, ParamError};
use crate::sim::{Model, Sim};
use redsim_engine::rng::Rng;
use redsim_engine::{Engine, Reply};

const BOARD: &str = "leaderboard";

#[derive(Debug, Clone, PartialEq)]
pub struct LeaderboardParams {
    pub seed: u64,
    pub duration_ms: u64,
    pub players: u64,
    /// Score events per second (steady).
    pub events_per_s: f64,
    /// Each event adds 1 to this many points.
    pub max_points: u64,
    /// Rows the viewer shows.
    pub top: u64,
    pub refresh_ms: u64,
    /// The player whose rank the viewer follows (index).
    pub followed: u64,
}

impl Default for LeaderboardParams {
    fn default() -> Self {
        LeaderboardParams {
            seed: 1,
            duration_ms: 30_000,
            players: 50,
            events_per_s: 20.0,
            max_points: 10,
            top: 5,
            refresh_ms: 1_000,
            followed: 7,
        }
    }
}

/// What the viewer saw at one refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub at_ms: u64,
    /// Player names and scores, best first.
    pub top: Vec<(String, f64)>,
    /// The followed player's 0-based rank (None before they score).
    pub followed_rank: Option<u64>,
}

pub enum Event {
    Score(u64),
    Refresh,
}

pub struct LeaderboardSim {
    params: LeaderboardParams,
    host: Host,
    game: Conn,
    viewer: Conn,
    rng: Rng,
    /// Points sent per player.
    sent: Vec<u64>,
    rankings: Vec<Ranking>,
}

pub fn simulate(params: LeaderboardParams) -> Result<Sim<LeaderboardSim>, ParamError> {
    params::int("duration_ms", params.duration_ms, 1, 600_000)?;
    params::int("players", params.players, 1, 10_000)?;
    let rate = params::real("events_per_s", params.events_per_s, 0.01, 1_000.0)?;
    if rate * params.duration_ms as f64 / 1000.0 > 100_000.0 {
        return Err(ParamError::new("events_per_s", "more than 100000 events"));
    }
    params::int("max_points", params.max_points, 1, 1_000_000)?;
    params::int("top", params.top, 1, 100)?;
    params::int("refresh_ms", params.refresh_ms, 100, 600_000)?;
    params::int("followed", params.followed, 0, params.players - 1)?;
    let mut seeds = Rng::new(params.seed);
    let mut host = Host::new(seeds.next_u64());
    let (game, viewer) = (host.connect(), host.connect());
    let mut queue = EventQueue::default();
    queue.schedule(0, Event::Score(0));
    queue.schedule(params.refresh_ms, Event::Refresh);
    let end = params.duration_ms;
    let model = LeaderboardSim {
        host,
        game,
        viewer,
        rng: Rng::new(seeds.next_u64()),
        sent: vec![0; params.players as usize],
        rankings: Vec::new(),
        params,
    };
    Ok(Sim::new(model, queue, end))
}

impl Model for LeaderboardSim {
    type Event = Event;

    fn handle(&mut self, at: u64, event: Event, queue: &mut EventQueue<Event>) {
        match event {
            Event::Score(n) => {
                let player = self.rng.below(self.sent.len()) as u64;
                let points = 1 + self.rng.below(self.params.max_points as usize) as u64;
                if let Some(sent) = self.sent.get_mut(player as usize) {
                    *sent += points;
                }
                let argv = ["ZINCRBY", BOARD, &points.to_string(), &player_name(player)];
                self.host.run(self.game, "game", &argv);
                let next = ((n + 1) as f64 * 1000.0 / self.params.events_per_s) as u64;
                queue.schedule(next, Event::Score(n + 1));
            }
            Event::Refresh => {
                self.refresh(at);
                queue.schedule(at + self.params.refresh_ms, Event::Refresh);
            }
        }
    }

    fn host(&mut self) -> &mut Host {
        &mut self.host
    }

    fn host_ref(&self) -> &Host {
        &self.host
    }
}

impl LeaderboardSim {
    /// Every refresh so far, oldest first.
    pub fn rankings(&self) -> &[Ranking] {
        &self.rankings
    }

    /// Points sent per player so far (index = player).
    pub fn points_sent(&self) -> &[u64] {
        &self.sent
    }

    pub fn engine(&self) -> &Engine {
        self.host.engine()
    }

    fn refresh(&mut self, at: u64) {
        let last = (self.params.top - 1).to_string();
        let argv = ["ZREVRANGE", BOARD, "0", &last, "WITHSCORES"];
        let top = match self.host.run(self.viewer, "viewer", &argv) {
            Reply::Array(items) => items
                .chunks_exact(2)
                .filter_map(|pair| match pair {
                    [Reply::Bulk(name), Reply::Bulk(score)] => Some((
                        String::from_utf8_lossy(name).into_owned(),
                        std::str::from_utf8(score).ok()?.parse().ok()?,
                    )),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let followed = player_name(self.params.followed);
        let followed_rank =
            match self
                .host
                .run(self.viewer, "viewer", &["ZREVRANK", BOARD, &followed])
            {
                Reply::Int(rank) => u64::try_from(rank).ok(),
                _ => None,
            };
        self.rankings.push(Ranking {
            at_ms: at,
            top,
            followed_rank,
        });
    }
}

/// `player:007`: zero-padded, so name order is number order.
pub fn player_name(player: u64) -> String {
    format!("player:{player:03}")
}
