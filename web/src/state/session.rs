//! A console session: one engine, its client panes (each its own
//! connection, as several redis-cli windows on one server), the clock and
//! the shared history. This is all the docs widget runs; the playground
//! (`playground.rs`) wraps it with the key browser, persistence and the
//! server panel, which see each line and each change through `Hooks`.

use redsim_engine::changes::Change;
use redsim_engine::reply::cli;
use redsim_engine::{ClientId, Config, Engine, BROWSER_MAXMEMORY};

use super::clock::Clock;
use super::console::{Entry, Pane};
use super::editor::Key;
use super::help;
use super::history::History;
use super::slowlog::SlowRow;

/// What a host of a session does around the lines it runs. Every method
/// defaults to nothing (`NoHooks`).
pub trait Hooks {
    /// `line` is about to run on database `db`.
    fn before_line(&mut self, _engine: &Engine, _db: usize, _line: &str) {}
    /// `line` ran for `client`, and what it sent was delivered.
    fn after_line(&mut self, _engine: &Engine, _client: ClientId, _line: &str) {}
    /// A line joined the shared history.
    fn history(&mut self, _history: &History) {}
    /// What the engine's change feed reported (only when the host turned
    /// it on with `Engine::watch_changes`).
    fn changes(&mut self, _engine: &mut Engine, _changes: &[Change]) {}
}

/// A host that only shows the console.
pub struct NoHooks;

impl Hooks for NoHooks {}

pub struct Session {
    engine: Engine,
    pub clock: Clock,
    pub panes: Vec<Pane>,
    next_pane: usize,
    /// The pane a command was last typed into, whose history a share link
    /// carries.
    last_pane: usize,
    /// The line run last, in any pane: what the visualizers show the
    /// question of (a score range, a geo search).
    pub last_line: String,
    /// Every line typed in any pane, as redis-cli's history file keeps
    /// them: a new pane starts with it.
    pub history: History,
}

impl Session {
    /// A fresh engine with one pane.
    pub fn new(wall_ms: i64) -> Session {
        let clock = Clock::new();
        let mut engine = Engine::new(Config {
            now_ms: clock.now(wall_ms),
            ..Config::default()
        });
        // Protect the tab, and let DEBUG OBJECT show what a key is made of
        // (constants, so these cannot fail).
        let _ = engine.configure(&[
            ("maxmemory", BROWSER_MAXMEMORY),
            ("enable-debug-command", "yes"),
        ]);
        let mut session = Session {
            engine,
            clock,
            panes: Vec::new(),
            next_pane: 0,
            last_pane: 0,
            last_line: String::new(),
            history: History::default(),
        };
        session.add_pane();
        session
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// Opens a new client pane; returns its id.
    pub fn add_pane(&mut self) -> usize {
        let id = self.next_pane;
        self.next_pane += 1;
        let client = self.engine.connect();
        let mut pane = Pane::new(id, client);
        pane.history = self.history.clone();
        self.panes.push(pane);
        id
    }

    /// Closes a pane and disconnects its client (the last one stays).
    pub fn close_pane(&mut self, id: usize, hooks: &mut dyn Hooks) {
        if self.panes.len() <= 1 {
            return;
        }
        if let Some(at) = self.panes.iter().position(|p| p.id == id) {
            let pane = self.panes.remove(at);
            self.engine.disconnect(pane.client);
            self.deliver(hooks);
        }
    }

    pub fn pane(&self, id: usize) -> Option<&Pane> {
        self.panes.iter().find(|p| p.id == id)
    }

    fn pane_mut(&mut self, id: usize) -> Option<&mut Pane> {
        self.panes.iter_mut().find(|p| p.id == id)
    }

    /// redis-cli's prompt for a pane's client: `[n]` after the address when
    /// a database other than 0 is selected.
    pub fn prompt(&self, id: usize) -> String {
        let db = self
            .pane(id)
            .map_or(0, |p| self.engine.selected_db(p.client));
        match db {
            0 => "127.0.0.1:6379> ".to_string(),
            db => format!("127.0.0.1:6379[{db}]> "),
        }
    }

    /// Runs what was typed or pasted into a pane, line by line, at the
    /// session's time; then delivers what other panes received.
    pub fn submit(&mut self, id: usize, text: &str, wall_ms: i64, hooks: &mut dyn Hooks) {
        self.engine.set_time(self.clock.now(wall_ms));
        for line in text.lines() {
            let Some(pane) = self.panes.iter().find(|p| p.id == id) else {
                return;
            };
            if pane.is_blocked() {
                break;
            }
            let (client, prompt) = (pane.client, self.prompt(id));
            self.last_pane = id;
            self.last_line = line.to_string();
            hooks.before_line(&self.engine, self.engine.selected_db(client), line);
            // HELP is redis-cli's own, never sent to the server.
            let output = match help::answer(self.engine.commands(), line) {
                Some(text) => text,
                None => cli::run_line(&mut self.engine, client, line),
            };
            let pending = self.engine.is_blocked(client);
            self.history.push(line);
            hooks.history(&self.history);
            if let Some(pane) = self.pane_mut(id) {
                pane.history.push(line);
                pane.push(Entry {
                    prompt,
                    input: line.to_string(),
                    output,
                    pending,
                });
            }
            self.deliver(hooks);
            hooks.after_line(&self.engine, client, line);
        }
    }

    /// Moves time on and lets the engine run its timers (active expiry,
    /// blocking timeouts); delivers what arrived.
    pub fn tick(&mut self, wall_ms: i64, hooks: &mut dyn Hooks) {
        self.engine.tick(self.clock.now(wall_ms));
        self.deliver(hooks);
    }

    /// A key in a pane's input line (see `editor`); Enter runs the line.
    pub fn key(&mut self, id: usize, key: Key, wall_ms: i64, hooks: &mut dyn Hooks) {
        let table = self.engine.commands();
        let Some(pane) = self.panes.iter_mut().find(|p| p.id == id) else {
            return;
        };
        if let Some(line) = pane.key(key, table) {
            self.submit(id, &line, wall_ms, hooks);
        }
    }

    /// The dimmed hint after a pane's input line.
    pub fn hint(&self, id: usize) -> String {
        self.pane(id)
            .map(|p| p.editor.hint(self.engine.commands(), &p.history))
            .unwrap_or_default()
    }

    /// Starts the shared history from what an earlier visit saved
    /// (`History::to_text`); every open pane gets it.
    pub fn load_history(&mut self, text: &str) {
        self.history = History::from_text(text);
        for pane in &mut self.panes {
            pane.history = self.history.clone();
        }
    }

    /// Gives the engine the host's microsecond clock, which times commands
    /// for SLOWLOG.
    pub fn set_timer(&mut self, timer: fn() -> u64) {
        self.engine.set_timer(timer);
    }

    /// The slow log, newest first, and its threshold in µs.
    pub fn slowlog(&self) -> (Vec<SlowRow>, i64) {
        let rows = self.engine.slow_log().map(SlowRow::from_entry).collect();
        (rows, self.engine.config_int("slowlog-log-slower-than"))
    }

    /// Sets `slowlog-log-slower-than` in µs (-1, Redis's lowest, turns the
    /// log off; lower values are taken as -1, so this cannot fail).
    pub fn set_slowlog_threshold(&mut self, us: i64) {
        let _ = self
            .engine
            .set_config("slowlog-log-slower-than", &us.max(-1).to_string());
    }

    /// Gives up a pane's blocking command, as Ctrl-C does in redis-cli
    /// (here the client stays connected and gets the timeout reply).
    pub fn cancel(&mut self, id: usize, hooks: &mut dyn Hooks) {
        let Some(client) = self.pane(id).map(|p| p.client) else {
            return;
        };
        self.engine.unblock(client);
        self.deliver(hooks);
    }

    /// Moves every client's waiting output into its pane, printed as
    /// redis-cli prints it; then hands the change feed to the hooks (every
    /// step of the engine ends here, so the feed is taken once, here).
    pub fn deliver(&mut self, hooks: &mut dyn Hooks) {
        let clients: Vec<ClientId> = self.engine.clients_with_output();
        for client in clients {
            let frames = self.engine.take_output(client);
            let proto = self.engine.protocol(client);
            let text = cli::format_as(redsim_engine::Reply::Frames(frames), proto);
            let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
            if let Some(pane) = self.panes.iter_mut().find(|p| p.client == client) {
                pane.receive(text);
            }
        }
        let changes = self.engine.take_changes();
        hooks.changes(&mut self.engine, &changes);
    }

    /// The lines typed into the pane last used, for a share link.
    pub fn share_script(&self) -> String {
        let pane = self.pane(self.last_pane).or(self.panes.first());
        let lines = pane.into_iter().flat_map(|p| &p.entries);
        lines
            .filter(|e| !e.input.trim().is_empty())
            .map(|e| format!("{}\n", e.input))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Hooks, NoHooks, Session};
    use redsim_engine::{ClientId, Engine};

    fn outputs(s: &Session, id: usize) -> Vec<String> {
        s.pane(id)
            .map(|pane| pane.entries.iter().map(|e| e.output.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn transcript_and_prompt_follow_redis_cli() {
        let mut s = Session::new(0);
        let a = s.panes[0].id;
        s.submit(a, "SET greeting hello\nGET greeting", 0, &mut NoHooks);
        s.submit(a, "SELECT 2", 0, &mut NoHooks);
        s.submit(a, "GET \"oops", 0, &mut NoHooks);
        assert_eq!(
            outputs(&s, a),
            ["OK", "\"hello\"", "OK", "Invalid argument(s)"]
        );
        let entries = &s.panes[0].entries;
        assert_eq!(entries[2].prompt, "127.0.0.1:6379> ");
        assert_eq!(entries[3].prompt, "127.0.0.1:6379[2]> ");
        assert_eq!(s.prompt(a), "127.0.0.1:6379[2]> ");
    }

    #[test]
    fn time_passes_between_lines_and_can_be_paused_and_advanced() {
        let mut s = Session::new(1_000);
        let a = s.panes[0].id;
        s.submit(a, "SET k v PX 500", 1_000, &mut NoHooks);
        s.submit(a, "GET k", 1_499, &mut NoHooks);
        s.clock.pause(1_499);
        s.submit(a, "GET k", 5_000, &mut NoHooks);
        s.clock.advance(1);
        s.submit(a, "GET k", 5_000, &mut NoHooks);
        assert_eq!(outputs(&s, a), ["OK", "\"v\"", "\"v\"", "(nil)"]);
    }

    #[test]
    fn panes_are_separate_clients_of_one_server() {
        let mut s = Session::new(0);
        let a = s.panes[0].id;
        let b = s.add_pane();
        s.submit(b, "SUBSCRIBE news", 0, &mut NoHooks);
        s.submit(a, "PUBLISH news hello", 0, &mut NoHooks);
        let b_out = outputs(&s, b);
        assert_eq!(
            b_out[1], "1) \"message\"\n2) \"news\"\n3) \"hello\"",
            "{b_out:?}"
        );
        // A blocked pane waits until another pane pushes.
        let c = s.add_pane();
        s.submit(c, "BLPOP jobs 0", 0, &mut NoHooks);
        assert!(s.pane(c).is_some_and(|pane| pane.is_blocked()));
        s.submit(c, "PING", 0, &mut NoHooks);
        assert_eq!(
            s.pane(c).map(|pane| pane.entries.len()),
            Some(1),
            "nothing runs while blocked"
        );
        s.submit(a, "LPUSH jobs j1", 0, &mut NoHooks);
        assert_eq!(outputs(&s, c), ["1) \"jobs\"\n2) \"j1\""]);
        // Cancelling gives the timeout reply.
        s.submit(c, "BLPOP jobs 0", 0, &mut NoHooks);
        s.cancel(c, &mut NoHooks);
        assert_eq!(outputs(&s, c)[1], "(nil)");
        // WATCH in one pane fails after a write in another.
        s.submit(a, "WATCH k\nMULTI\nSET k 1", 0, &mut NoHooks);
        s.submit(c, "SET k 2", 0, &mut NoHooks);
        s.submit(a, "EXEC", 0, &mut NoHooks);
        assert_eq!(outputs(&s, a).last().map(String::as_str), Some("(nil)"));
        s.close_pane(b, &mut NoHooks);
        assert_eq!(s.panes.len(), 2);
        s.submit(a, "PUBSUB NUMSUB news", 0, &mut NoHooks);
        assert_eq!(
            outputs(&s, a).last().map(String::as_str),
            Some("1) \"news\"\n2) (integer) 0")
        );
    }

    #[test]
    fn console_keys_run_help_and_new_panes_share_the_history() {
        use super::Key;
        let mut s = Session::new(0);
        s.load_history("PING");
        let a = s.panes[0].id;
        s.key(a, Key::Changed("help get".to_string()), 0, &mut NoHooks);
        s.key(a, Key::Enter, 0, &mut NoHooks);
        let out = outputs(&s, a);
        assert!(out[0].starts_with("\n  GET key\n  summary: "), "{out:?}");
        assert_eq!(s.history.lines(), ["PING", "help get"]);
        let b = s.add_pane();
        s.key(b, Key::Up, 0, &mut NoHooks);
        let shown = |s: &Session| {
            s.pane(b)
                .map(|pane| pane.editor.shown(&pane.history).to_string())
                .unwrap_or_default()
        };
        assert_eq!(shown(&s), "help get");
        s.key(b, Key::Changed("GET ".to_string()), 0, &mut NoHooks);
        assert_eq!(s.hint(b), "key");
    }

    #[test]
    fn the_slow_log_is_read_and_its_threshold_set_without_a_command() {
        let mut s = Session::new(0);
        let a = s.panes[0].id;
        assert_eq!(s.slowlog(), (Vec::new(), 10_000));
        s.set_slowlog_threshold(-5);
        assert_eq!(s.slowlog().1, -1);
        s.set_slowlog_threshold(0);
        s.submit(a, "SET k v", 0, &mut NoHooks);
        let (rows, threshold) = s.slowlog();
        assert_eq!(threshold, 0);
        assert_eq!(rows.len(), 1, "reading the log logged nothing");
        assert_eq!(rows[0].command, "SET k v");
    }

    /// Records what a host is told, in order.
    #[derive(Default)]
    struct Recorder(Vec<String>);

    impl Hooks for Recorder {
        fn before_line(&mut self, _: &Engine, db: usize, line: &str) {
            self.0.push(format!("before {db} {line}"));
        }
        fn after_line(&mut self, _: &Engine, _: ClientId, line: &str) {
            self.0.push(format!("after {line}"));
        }
        fn history(&mut self, history: &super::History) {
            self.0.push(format!("history {}", history.lines().len()));
        }
        fn changes(&mut self, _: &mut Engine, changes: &[redsim_engine::changes::Change]) {
            if !changes.is_empty() {
                self.0.push(format!("changes {}", changes.len()));
            }
        }
    }

    #[test]
    fn hooks_see_each_line_and_the_changes_it_made() {
        let mut s = Session::new(0);
        s.engine_mut().watch_changes();
        let a = s.panes[0].id;
        let mut seen = Recorder::default();
        s.submit(a, "SELECT 3\nMSET x 1 y 2", 0, &mut seen);
        assert_eq!(
            seen.0,
            [
                "before 0 SELECT 3",
                "history 1",
                "after SELECT 3",
                "before 3 MSET x 1 y 2",
                "history 2",
                "changes 2",
                "after MSET x 1 y 2",
            ]
        );
    }
}
