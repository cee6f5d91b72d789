//! A redis-cli-like session over the engine for black-box tests: type a
//! line, get back exactly what redis-cli would print.

#![allow(dead_code)]

pub mod persist;

use redsim_engine::reply::cli;
use redsim_engine::{ClientId, Config, Engine, Reply};

pub struct Session {
    pub engine: Engine,
    pub client: ClientId,
}

impl Session {
    /// A fresh engine whose clock starts at `now_ms`.
    pub fn at(now_ms: i64) -> Session {
        let mut engine = Engine::new(Config {
            now_ms,
            ..Config::default()
        });
        let client = engine.connect();
        Session { engine, client }
    }

    pub fn new() -> Session {
        Session::at(1_700_000_000_000)
    }

    /// Runs a line and returns the raw reply.
    pub fn reply(&mut self, line: &str) -> Reply {
        match self.engine.execute_line(self.client, line) {
            Ok(reply) => reply,
            Err(err) => panic!("line {line:?} did not parse: {err:?}"),
        }
    }

    /// Runs a line and returns redis-cli's text, without the final newline.
    pub fn run(&mut self, line: &str) -> String {
        cli::run_line(&mut self.engine, self.client, line)
    }

    /// The value of `name` in `INFO <section>`.
    pub fn info_field(&mut self, section: &str, name: &str) -> String {
        info_field(&mut self.engine, self.client, section, name)
    }

    /// Advances the clock by `ms` without running active expiry.
    pub fn sleep(&mut self, ms: i64) {
        let now = self.engine.now();
        self.engine.set_time(now + ms);
    }
}

/// Runs a line as `client` of a multi-client engine; redis-cli's text.
pub fn line(engine: &mut Engine, client: ClientId, text: &str) -> String {
    cli::run_line(engine, client, text)
}

/// The value of `name` in `INFO <section>` as `client` reads it.
pub fn info_field(engine: &mut Engine, client: ClientId, section: &str, name: &str) -> String {
    let text = line(engine, client, &format!("INFO {section}"));
    let prefix = format!("{name}:");
    text.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map(|value| value.trim_end().to_string())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

/// What a client has received since it last looked (pushes, replies to
/// commands served later), as redis-cli prints it.
pub fn received(engine: &mut Engine, client: ClientId) -> String {
    let frames = engine.take_output(client);
    let text = cli::format_as(Reply::Frames(frames), engine.protocol(client));
    text.trim_end_matches('\n').to_string()
}

/// An engine whose clock starts at 1,000,000 ms.
pub fn engine() -> Engine {
    Engine::new(Config {
        now_ms: 1_000_000,
        ..Config::default()
    })
}
