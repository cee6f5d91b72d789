//! A session store: users log in (`SET session:<token> <user> EX ttl`),
//! every request looks the session up and refreshes its TTL in one
//! command (`GETEX ... EX ttl`), some log out (`DEL`), and a user idle for
//! longer than the TTL finds the session gone and logs in again. The
//! engine's expiry alone decides whether a session is still there.

use crate::dist::Latency;
use crate::events::EventQueue;
use crate::host::{ttl_args, Conn, Host};
use crate::params::{self, ParamError};
use crate::recent::Recent;
use crate::sim::{Model, Sim};
use redsim_engine::rng::Rng;
use redsim_engine::{Engine, Reply};

#[derive(Debug, Clone, PartialEq)]
pub struct SessionParams {
    pub seed: u64,
    pub duration_ms: u64,
    pub users: u64,
    pub ttl_ms: u64,
    /// A user's pause between two requests.
    pub think: Latency,
    /// Chance (0 to 1) that a user logs out after a request.
    pub logout_chance: f64,
}

impl Default for SessionParams {
    fn default() -> Self {
        SessionParams {
            seed: 1,
            duration_ms: 120_000,
            users: 20,
            ttl_ms: 10_000,
            think: Latency::LogNormal {
                median_ms: 3_000,
                p99_ms: 40_000,
            },
            logout_chance: 0.05,
        }
    }
}

/// One request of a user who believed they were logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    pub at_ms: u64,
    pub user: u64,
    /// Time since the session was last set or refreshed.
    pub idle_ms: u64,
    /// Whether the session was there (else: log in again).
    pub found: bool,
}

pub enum Event {
    Request(u64),
}

struct User {
    conn: Conn,
    /// The session token, while the user believes they are logged in.
    token: Option<String>,
    logins: u64,
    last_seen_ms: u64,
}

pub struct SessionSim {
    params: SessionParams,
    host: Host,
    rng: Rng,
    users: Vec<User>,
    visits: Recent<Visit>,
}

/// Visits kept between two reads.
const VISIT_CAPACITY: usize = 100_000;

pub fn simulate(params: SessionParams) -> Result<Sim<SessionSim>, ParamError> {
    params::int("duration_ms", params.duration_ms, 1, 600_000)?;
    params::int("users", params.users, 1, 1_000)?;
    params::int("ttl_ms", params.ttl_ms, 1, 3_600_000)?;
    params.think.validate("think")?;
    params::real("logout_chance", params.logout_chance, 0.0, 1.0)?;
    let mut seeds = Rng::new(params.seed);
    let mut host = Host::new(seeds.next_u64());
    let mut rng = Rng::new(seeds.next_u64());
    let mut queue = EventQueue::default();
    let users = (0..params.users)
        .map(|u| {
            queue.schedule(params.think.sample(&mut rng), Event::Request(u));
            User {
                conn: host.connect(),
                token: None,
                logins: 0,
                last_seen_ms: 0,
            }
        })
        .collect();
    let end = params.duration_ms;
    Ok(Sim::new(
        SessionSim {
            params,
            host,
            rng,
            users,
            visits: Recent::new(VISIT_CAPACITY),
        },
        queue,
        end,
    ))
}

impl Model for SessionSim {
    type Event = Event;

    fn handle(&mut self, at: u64, Event::Request(u): Event, queue: &mut EventQueue<Event>) {
        let [unit, ttl] = ttl_args(self.params.ttl_ms);
        let Some(user) = self.users.get_mut(u as usize) else {
            return;
        };
        let actor = format!("user {u}");
        let found = match &user.token {
            Some(token) => {
                let key = format!("session:{token}");
                let found = matches!(
                    self.host
                        .run(user.conn, &actor, &["GETEX", &key, &unit, &ttl]),
                    Reply::Bulk(_)
                );
                self.visits.push(Visit {
                    at_ms: at,
                    user: u,
                    idle_ms: at - user.last_seen_ms,
                    found,
                });
                found
            }
            None => false,
        };
        if !found {
            user.logins += 1;
            let token = format!("u{u}-{}", user.logins);
            let key = format!("session:{token}");
            let argv = ["SET", &key, &format!("user:{u}"), &unit, &ttl];
            self.host.run(user.conn, &actor, &argv);
            user.token = Some(token);
        }
        user.last_seen_ms = at;
        if self.rng.unit() < self.params.logout_chance {
            if let Some(token) = user.token.take() {
                self.host
                    .run(user.conn, &actor, &["DEL", &format!("session:{token}")]);
            }
        }
        // At least a millisecond, so a user never loops at one instant.
        let think = self.params.think.sample(&mut self.rng).max(1);
        queue.schedule(at + think, Event::Request(u));
    }

    fn host(&mut self) -> &mut Host {
        &mut self.host
    }

    fn host_ref(&self) -> &Host {
        &self.host
    }
}

impl SessionSim {
    /// Requests made with a session the user believed valid, since the
    /// last call.
    pub fn take_visits(&mut self) -> Vec<Visit> {
        self.visits.take()
    }

    pub fn ttl_ms(&self) -> u64 {
        self.params.ttl_ms
    }

    pub fn engine(&self) -> &Engine {
        self.host.engine()
    }
}
