//! # redsim-engine
//!
//! Redis 7 semantics as a library: no sockets, no clock, no threads. The host
//! connects clients, passes command argument vectors in, gets `Reply` values
//! out, and moves time forward with `tick`. The same crate runs in a browser
//! tab (wasm32), in Node, behind the TCP server, and in deterministic tests.
//!
//! ## Layout
//! - [`engine`]: `Engine`, clients, dispatch (unknown command / arity checks).
//! - [`client`]: a connection's state; [`pause`]: CLIENT PAUSE;
//!   [`tracking`]: client-side caching invalidation (CLIENT TRACKING).
//! - [`commands`]: the command table (`table.rs`) and one file per group.
//! - [`config`]: the runtime parameters CONFIG GET and CONFIG SET work on.
//! - [`db`]: a keyspace with lazy expiry; [`expire`]: the active expiry cycle.
//! - [`reply`]: the `Reply` type; [`reply::cli`] prints it as redis-cli does.
//! - [`resp`]: RESP2/RESP3 request and reply parsing, reply encoding.
//! - [`geo`]: geohash scores, distances and search areas for the GEO commands.
//! - [`glob`]: Redis's glob matching (KEYS, SCAN MATCH).
//! - [`line`]: redis-cli's argument splitting (quotes and escapes).
//! - [`error`]: command errors with Redis's exact texts.
//! - [`number`]: Redis's integer parsing and double formatting.
//! - [`long_double`]: exact x87 80-bit arithmetic for INCRBYFLOAT's digits.
//! - [`rdb`]: Redis's RDB format: snapshots, DUMP/RESTORE payloads.
//! - [`aof`]: the dataset as an AOF command stream (BGREWRITEAOF), and back.
//! - [`types`]: the value types (strings with their encodings, lists).
//! - [`stats`]: the counters INFO reports.
//! - [`rng`]: the seeded random generator behind every random choice.

/// The `maxmemory` browser hosts (the playground, the npm package) start
/// with, so a runaway script gets Redis's OOM error instead of exhausting
/// the tab; CONFIG SET maxmemory changes it.
pub const BROWSER_MAXMEMORY: &str = "64mb";

pub mod aof;
pub mod blocking;
pub mod changes;
pub mod client;
pub mod commands;
pub mod config;
pub mod crc64;
pub mod db;
pub mod engine;
pub mod error;
pub mod evict;
pub mod expire;
pub mod geo;
pub mod glob;
pub mod inline_bytes;
pub mod inspect;
pub mod key_index;
pub mod latency;
pub mod line;
pub mod long_double;
pub mod memory;
pub mod multi;
pub mod notify;
pub mod number;
pub mod output_limit;
pub mod pause;
pub mod pubsub;
pub mod rdb;
pub mod reply;
pub mod resp;
pub mod rng;
#[cfg(feature = "scripting")]
pub mod scripting;
pub mod slowlog;
pub mod sorted_map;
pub mod stats;
pub mod tracking;
pub mod types;

pub use engine::{ClientId, Config, Engine, LineError, Peer, Served};
pub use error::CmdError;
pub use reply::Reply;
pub use resp::Protocol;
