//! A redis-cli session: one engine, one client, the transcript of what was
//! typed and printed, and the prompt redis-cli would show.

use redsim_engine::reply::cli;
use redsim_engine::{ClientId, Config, Engine, BROWSER_MAXMEMORY};

use super::history::History;

/// One typed line and what redis-cli printed for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub prompt: String,
    pub input: String,
    pub output: String,
}

pub struct Console {
    engine: Engine,
    client: ClientId,
    pub entries: Vec<Entry>,
    pub history: History,
}

impl Console {
    pub fn new(now_ms: i64) -> Console {
        let mut engine = Engine::new(Config {
            now_ms,
            ..Config::default()
        });
        // Protect the tab, and let DEBUG OBJECT show what a key is made of
        // (constants, so these cannot fail).
        let _ = engine.configure(&[
            ("maxmemory", BROWSER_MAXMEMORY),
            ("enable-debug-command", "yes"),
        ]);
        let client = engine.connect();
        Console {
            engine,
            client,
            entries: Vec::new(),
            history: History::default(),
        }
    }

    /// redis-cli's prompt: the address, then `[n]` when a database other than 0 is selected.
    pub fn prompt(&self) -> String {
        match self.engine.selected_db(self.client) {
            0 => "127.0.0.1:6379> ".to_string(),
            db => format!("127.0.0.1:6379[{db}]> "),
        }
    }

    /// Runs a typed line at time `now_ms` and records it with its output.
    pub fn submit(&mut self, line: &str, now_ms: i64) {
        let prompt = self.prompt();
        self.history.push(line);
        self.engine.set_time(now_ms);
        let output = cli::run_line(&mut self.engine, self.client, line);
        self.entries.push(Entry {
            prompt,
            input: line.to_string(),
            output,
        });
    }

    /// Moves the clock and lets active expiry run.
    pub fn tick(&mut self, now_ms: i64) {
        self.engine.tick(now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::Console;

    #[test]
    fn transcript_and_prompt_follow_redis_cli() {
        let mut c = Console::new(0);
        c.submit("SET greeting hello", 0);
        c.submit("GET greeting", 0);
        c.submit("SELECT 2", 0);
        c.submit("GET \"oops", 0);
        let outputs: Vec<&str> = c.entries.iter().map(|e| e.output.as_str()).collect();
        assert_eq!(outputs, ["OK", "\"hello\"", "OK", "Invalid argument(s)"]);
        assert_eq!(c.entries[2].prompt, "127.0.0.1:6379> ");
        assert_eq!(c.entries[3].prompt, "127.0.0.1:6379[2]> ");
        assert_eq!(c.prompt(), "127.0.0.1:6379[2]> ");
    }

    #[test]
    fn time_passes_between_lines() {
        let mut c = Console::new(1_000);
        c.submit("SET k v PX 500", 1_000);
        c.submit("GET k", 1_499);
        c.submit("GET k", 1_500);
        assert_eq!(c.entries[1].output, "\"v\"");
        assert_eq!(c.entries[2].output, "(nil)");
    }
}
