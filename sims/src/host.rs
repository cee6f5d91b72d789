//! The real engine as a simulation uses it: one `Engine` on the virtual
//! clock, connections for the simulated actors, and every command recorded
//! in the log with its reply as it runs. Nothing reaches the engine any
//! other way, so what the log shows is what happened.

use crate::log::{shown, shown_reply, Action, LogEntry, LOG_CAPACITY};
use crate::recent::Recent;
use redsim_engine::inspect::{Contents, KeySummary, ServerStats};
use redsim_engine::{ClientId, Config, Engine, Reply};

/// Virtual time 0 as the engine's unix clock (2024-01-01T00:00:00Z), so
/// TIME and the key browser's TTLs look like a real server's.
pub const EPOCH_MS: u64 = 1_704_067_200_000;

/// How often the engine's cron runs (Redis's default `hz` is 10).
pub const TICK_MS: u64 = 100;

/// An actor's connection to the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conn(ClientId);

pub struct Host {
    engine: Engine,
    log: Recent<LogEntry>,
    now_ms: u64,
}

impl Host {
    pub fn new(seed: u64) -> Host {
        Host {
            engine: Engine::new(Config {
                seed,
                now_ms: engine_time(0),
                ..Config::default()
            }),
            log: Recent::new(LOG_CAPACITY),
            now_ms: 0,
        }
    }

    pub fn connect(&mut self) -> Conn {
        Conn(self.engine.connect())
    }

    /// Moves the clock (virtual ms) without running the cron.
    pub fn set_now(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
        self.engine.set_time(engine_time(now_ms));
    }

    /// Moves the clock and runs the engine's cron (active expiry).
    pub fn tick(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
        self.engine.tick(engine_time(now_ms));
    }

    /// Runs one command now and logs it with its reply, as the (RESP2)
    /// connection receives it: scores as bulk strings, maps as arrays.
    pub fn run(&mut self, conn: Conn, actor: &str, argv: &[&str]) -> Reply {
        let reply = self.engine.execute(conn.0, argv).into_resp2();
        self.log.push(LogEntry {
            at_ms: self.now_ms,
            actor: actor.to_string(),
            action: Action::Redis {
                argv: argv.iter().map(|arg| shown(arg.as_bytes())).collect(),
                reply: shown_reply(&reply),
            },
        });
        reply
    }

    /// What reached `conn` without it asking (pub/sub messages).
    pub fn take_output(&mut self, conn: Conn) -> Vec<Reply> {
        self.engine.take_output(conn.0)
    }

    /// Closes a connection (a crashed client): the engine unblocks it and
    /// forgets its subscriptions.
    pub fn disconnect(&mut self, conn: Conn) {
        self.engine.disconnect(conn.0);
    }

    /// Logs something that is not a Redis command.
    pub fn note(&mut self, actor: &str, action: Action) {
        self.log.push(LogEntry {
            at_ms: self.now_ms,
            actor: actor.to_string(),
            action,
        });
    }

    pub fn take_log(&mut self) -> Vec<LogEntry> {
        self.log.take()
    }

    pub fn log_dropped(&self) -> u64 {
        self.log.dropped()
    }

    /// The engine, for views that read keys without running commands.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// INFO's figures (used memory, evictions), read without a command.
    pub fn stats(&mut self) -> ServerStats {
        self.engine.server_stats()
    }

    /// A string key's value, read without a command (so the simulation
    /// can know the truth without it showing in the log or the stats).
    pub fn peek(&self, key: &str) -> Option<Vec<u8>> {
        match self.engine.key_contents(0, key.as_bytes(), 1)? {
            Contents::String(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The live keys starting with `prefix`, sorted, as the key browser
    /// would list them (read without commands, so nothing is counted).
    pub fn keys_with_prefix(&self, prefix: &str) -> Vec<KeySummary> {
        let mut keys = Vec::new();
        let mut cursor = 0;
        loop {
            let (batch, next) = self.engine.scan_keys(0, cursor, 256);
            keys.extend(
                batch
                    .iter()
                    .filter(|key| key.starts_with(prefix.as_bytes()))
                    .filter_map(|key| self.engine.key_summary(0, key)),
            );
            if next == 0 {
                break;
            }
            cursor = next;
        }
        keys.sort_by(|a, b| a.key.cmp(&b.key));
        keys
    }
}

fn engine_time(now_ms: u64) -> i64 {
    i64::try_from(unix_ms(now_ms)).unwrap_or(i64::MAX)
}

/// Virtual time `at` on the unix clock (ms), as applications store times.
pub fn unix_ms(at: u64) -> u64 {
    at.saturating_add(EPOCH_MS)
}

/// The arguments that give a key a TTL of `ttl_ms`: `EX` in whole seconds
/// as the guides write it, `PX` when the TTL is not whole seconds.
pub fn ttl_args(ttl_ms: u64) -> [String; 2] {
    if ttl_ms % 1000 == 0 {
        ["EX".into(), (ttl_ms / 1000).to_string()]
    } else {
        ["PX".into(), ttl_ms.to_string()]
    }
}

/// The command that sets a TTL of `ttl_ms` on an existing key: EXPIRE in
/// whole seconds, PEXPIRE otherwise.
pub fn expire_command(key: &str, ttl_ms: u64) -> [String; 3] {
    let [unit, amount] = ttl_args(ttl_ms);
    let name = if unit == "EX" { "EXPIRE" } else { "PEXPIRE" };
    [name.into(), key.into(), amount]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_run_on_the_virtual_clock_and_are_logged() {
        let mut host = Host::new(1);
        let conn = host.connect();
        host.set_now(1500);
        assert_eq!(
            host.run(conn, "t", &["SET", "k", "v", "PX", "500"]),
            Reply::ok()
        );
        host.set_now(1999);
        assert_eq!(
            host.run(conn, "t", &["GET", "k"]),
            Reply::Bulk(b"v".to_vec())
        );
        host.tick(2000);
        assert_eq!(host.run(conn, "t", &["GET", "k"]), Reply::Nil);
        let log = host.take_log();
        assert_eq!(log.len(), 3);
        assert_eq!(log[0].at_ms, 1500);
        assert_eq!(log[2].at_ms, 2000);
        assert_eq!(
            log[1].action,
            Action::Redis {
                argv: vec!["GET".into(), "k".into()],
                reply: Reply::Bulk(b"v".to_vec())
            }
        );
        assert_eq!(host.peek("missing"), None);
        host.run(conn, "t", &["SET", "other", "1"]);
        assert_eq!(host.peek("other"), Some(b"1".to_vec()));
        host.run(conn, "t", &["SET", "k:1", "1"]);
        let keys: Vec<_> = host
            .keys_with_prefix("k")
            .into_iter()
            .map(|k| k.key)
            .collect();
        assert_eq!(keys, [b"k:1".to_vec()]);
    }

    #[test]
    fn ttl_arguments_use_seconds_when_they_can() {
        assert_eq!(ttl_args(5000), ["EX".to_string(), "5".to_string()]);
        assert_eq!(ttl_args(1500), ["PX".to_string(), "1500".to_string()]);
        assert_eq!(
            expire_command("k", 60_000),
            ["EXPIRE".to_string(), "k".to_string(), "60".to_string()]
        );
        assert_eq!(
            expire_command("k", 250),
            ["PEXPIRE".to_string(), "k".to_string(), "250".to_string()]
        );
    }
}
