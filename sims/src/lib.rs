//! # redsim-sims
//!
//! Simulations of the patterns Redis guides teach, each driving the real
//! engine (`redsim-engine`) with real commands on a virtual clock, and
//! recording every command it ran so the playground can show it. Nothing
//! is modelled apart from Redis: the database behind a cache, the request
//! streams and the clocks are simulated; the cache, the counters, the
//! locks are the engine.
//!
//! A simulation is built from a parameters struct (checked, so the
//! playground's forms cannot make it panic or allocate without bound) and
//! a seed; the same seed replays the same run, natively and in wasm32.
//! [`Sim`] drives it: `step` one event, `advance_to` a virtual time;
//! `take_log` drains the commands run since the last call, and each
//! simulation's model exposes its charts and outcomes.
//!
//! - [`cache`]: cache-aside, write-through, write-behind, the stampede.
//! - [`rate_limit`]: four rate limiters fed the same request stream.
//! - [`lock`]: a distributed lock, released safely (token check) or not.
//! - [`jobs`]: a job queue on a list and on a stream with a consumer group.
//! - [`leaderboard`]: ZINCRBY scores, ZREVRANGE/ZREVRANK views.
//! - [`sessions`]: a session store with TTLs refreshed on activity.
//! - [`chat`]: pub/sub chat with members coming and going.
//!
//! Shared pieces: `sim` (the step loop), `events` (the event queue), `host`
//! (the engine on the virtual clock, recording commands), `log` and
//! `recent` (what is recorded), `dist` and `math` (seeded random draws
//! that are the same on every platform), `percentile`, `params`.

pub mod cache;
pub mod chat;
mod dist;
mod events;
mod host;
pub mod jobs;
pub mod leaderboard;
pub mod lock;
mod log;
mod math;
mod params;
mod percentile;
pub mod rate_limit;
mod recent;
pub mod sessions;
mod sim;

pub use dist::Latency;
pub use host::EPOCH_MS;
pub use log::{Action, LogEntry};
pub use params::ParamError;
pub use percentile::Percentiles;
pub use sim::{Model, Sim};
