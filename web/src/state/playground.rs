//! The playground's one engine and everything around it: the client panes
//! (each its own connection, as several redis-cli windows on one server)
//! and the clock. Views read from here and act through its methods.

use redsim_engine::reply::cli;
use redsim_engine::{ClientId, Config, Engine, BROWSER_MAXMEMORY};

use super::clock::Clock;
use super::console::{Entry, Pane};
use super::editor::Key;
use super::help;
use super::history::History;
use super::keys::{KeyBrowser, KeysAction};
use super::lessons::{self, Check, Outcome};
use super::persist::{Persist, Sink};
use super::query;
use super::server::ServerPanel;
use super::slowlog::SlowRow;

pub struct Playground {
    engine: Engine,
    pub clock: Clock,
    pub panes: Vec<Pane>,
    next_pane: usize,
    /// The key browser and the selected key's visualizer.
    pub keys: KeyBrowser,
    /// INFO's essentials over time.
    pub server: ServerPanel,
    /// Writes the dataset to browser storage once started (`persist`).
    pub persist: Persist,
    /// The pane a command was last typed into, whose history a share link
    /// carries.
    last_pane: usize,
    /// The line run last, in any pane: what the visualizers show the
    /// question of (a score range, a geo search).
    pub last_line: String,
    /// Exact counts of HyperLogLogs built here, beside their estimates.
    pub exact: super::exact::ExactCounts,
    /// Every line typed in any pane, as redis-cli's history file keeps
    /// them: a new pane starts with it.
    pub history: History,
}

impl Playground {
    pub fn new(wall_ms: i64) -> Playground {
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
            // Snapshot to browser storage a minute after a change at most:
            // the journal keeps every write in between (`persist`).
            ("save", "60 1"),
        ]);
        engine.watch_changes();
        let mut playground = Playground {
            engine,
            clock,
            panes: Vec::new(),
            next_pane: 0,
            keys: KeyBrowser::default(),
            server: ServerPanel::default(),
            persist: Persist::default(),
            last_pane: 0,
            last_line: String::new(),
            exact: Default::default(),
            history: History::default(),
        };
        playground.add_pane();
        playground
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

    /// Runs `text` in the `client`-th pane (1-based), opening panes up to
    /// it as needed, as a lesson's ▶ does; the last line's reply.
    pub fn run_in_client(&mut self, client: usize, text: &str, wall_ms: i64) -> String {
        while self.panes.len() < client.min(lessons::MAX_CLIENT) {
            self.add_pane();
        }
        let index = client.clamp(1, self.panes.len()) - 1;
        let Some(id) = self.panes.get(index).map(|p| p.id) else {
            return String::new();
        };
        self.submit(id, text, wall_ms);
        self.pane(id)
            .and_then(|p| p.entries.last())
            .map(|e| e.output.clone())
            .unwrap_or_default()
    }

    /// Runs a challenge's checks against the first pane's database.
    pub fn check_lesson(&mut self, checks: &[Check], wall_ms: i64) -> Vec<Outcome> {
        self.engine.set_time(self.clock.now(wall_ms));
        let db = self
            .panes
            .first()
            .map_or(0, |p| self.engine.selected_db(p.client));
        let outcomes = lessons::run_checks(&mut self.engine, db, checks);
        // A MONITOR pane sees the checker's commands.
        self.deliver();
        outcomes
    }

    /// Closes a pane and disconnects its client (the last one stays).
    pub fn close_pane(&mut self, id: usize) {
        if self.panes.len() <= 1 {
            return;
        }
        if let Some(at) = self.panes.iter().position(|p| p.id == id) {
            let pane = self.panes.remove(at);
            self.engine.disconnect(pane.client);
            self.deliver();
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
    /// playground's time; then delivers what other panes received.
    pub fn submit(&mut self, id: usize, text: &str, wall_ms: i64) {
        self.engine.set_time(self.clock.now(wall_ms));
        self.run_lines(id, text);
        self.persist.flush();
    }

    fn run_lines(&mut self, id: usize, text: &str) {
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
            let db = self.engine.selected_db(client);
            let engine = &self.engine;
            self.exact
                .before(db, line, |key| engine.key_summary(db, key).is_some());
            // HELP is redis-cli's own, never sent to the server.
            let output = match help::answer(self.engine.commands(), line) {
                Some(text) => text,
                None => cli::run_line(&mut self.engine, client, line),
            };
            let pending = self.engine.is_blocked(client);
            self.history.push(line);
            self.persist.note_history(self.history.to_text());
            if let Some(pane) = self.pane_mut(id) {
                pane.history.push(line);
                pane.push(Entry {
                    prompt,
                    input: line.to_string(),
                    output,
                    pending,
                });
            }
            self.deliver();
            if !self.keys.of_simulation {
                self.keys.after_command(&self.engine);
                self.follow_set_operation(client, line);
            }
        }
    }

    /// A set operation of the selected set with one other set opens the
    /// Venn view of the two, whose regions the visualizer then lights.
    fn follow_set_operation(&mut self, client: ClientId, line: &str) {
        let Some(selection) = &self.keys.selection else {
            return;
        };
        if selection.db != self.engine.selected_db(client) {
            return;
        }
        let partner = query::of_line(line, &selection.key).and_then(|q| q.partner(&selection.key));
        let compared = selection.other.as_ref().map(|o| &o.key);
        if partner.is_some() && partner.as_ref() != compared {
            self.keys.act(&self.engine, KeysAction::Compare(partner));
        }
    }

    /// Moves time on and lets the engine run its timers (active expiry,
    /// blocking timeouts); delivers what arrived.
    pub fn tick(&mut self, wall_ms: i64) {
        self.engine.tick(self.clock.now(wall_ms));
        self.deliver();
        self.server
            .sample(&mut self.engine, self.clock.now(wall_ms));
    }

    /// A key in a pane's input line (see `editor`); Enter runs the line.
    pub fn key(&mut self, id: usize, key: Key, wall_ms: i64) {
        let table = self.engine.commands();
        let Some(pane) = self.panes.iter_mut().find(|p| p.id == id) else {
            return;
        };
        if let Some(line) = pane.key(key, table) {
            self.submit(id, &line, wall_ms);
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
    pub fn cancel(&mut self, id: usize) {
        let Some(client) = self.pane(id).map(|p| p.client) else {
            return;
        };
        self.engine.unblock(client);
        self.deliver();
    }

    /// Moves every client's waiting output into its pane, printed as
    /// redis-cli prints it.
    fn deliver(&mut self) {
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
        self.note_changes();
    }

    /// Every step of the engine ends in `deliver`: hands what it changed to
    /// the consumers of the change feed (the feed is taken once, here).
    fn note_changes(&mut self) {
        let changes = self.engine.take_changes();
        self.exact.apply(&changes);
        self.persist.note(&mut self.engine, &changes);
        if !self.keys.of_simulation {
            self.keys.apply(&self.engine, &changes);
        }
    }

    /// Starts writing the dataset to `sink` (see `persist`).
    pub fn start_persisting(&mut self, sink: Sink) {
        self.persist.start(&mut self.engine, sink);
    }

    /// Writes a full snapshot now (the page is being hidden).
    pub fn compact(&mut self) {
        self.persist.compact(&mut self.engine);
    }

    /// The dataset as an RDB file real Redis loads.
    pub fn rdb(&self) -> Vec<u8> {
        self.engine.snapshot()
    }

    /// Replaces the dataset with an RDB file's, all or nothing.
    pub fn load_rdb(&mut self, bytes: &[u8]) -> Result<(), redsim_engine::rdb::LoadError> {
        self.engine.load_snapshot(bytes)?;
        self.deliver();
        Ok(())
    }

    /// What the key browser was asked to do, on the playground's keys
    /// (`Workbench::keys_action` also browses a simulation's).
    pub fn keys_action(&mut self, action: KeysAction) {
        self.keys.act(&self.engine, action);
    }

    /// Each database's key count, for the key browser's database selector.
    pub fn db_sizes(&self) -> Vec<usize> {
        (0..Config::default().databases)
            .map(|db| self.engine.dbsize(db))
            .collect()
    }

    /// Keys in all databases.
    pub fn key_count(&self) -> usize {
        self.db_sizes().iter().sum()
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
    use super::Playground;
    use crate::state::keys::KeysAction;

    fn outputs(p: &Playground, id: usize) -> Vec<String> {
        p.pane(id)
            .map(|pane| pane.entries.iter().map(|e| e.output.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn transcript_and_prompt_follow_redis_cli() {
        let mut p = Playground::new(0);
        let a = p.panes[0].id;
        p.submit(a, "SET greeting hello\nGET greeting", 0);
        p.submit(a, "SELECT 2", 0);
        p.submit(a, "GET \"oops", 0);
        assert_eq!(
            outputs(&p, a),
            ["OK", "\"hello\"", "OK", "Invalid argument(s)"]
        );
        let entries = &p.panes[0].entries;
        assert_eq!(entries[2].prompt, "127.0.0.1:6379> ");
        assert_eq!(entries[3].prompt, "127.0.0.1:6379[2]> ");
        assert_eq!(p.prompt(a), "127.0.0.1:6379[2]> ");
    }

    #[test]
    fn a_set_operation_with_the_selected_set_compares_the_two() {
        let mut p = Playground::new(0);
        let a = p.panes[0].id;
        p.submit(a, "SADD x 1 2 3\nSADD y 3 4\nSADD z 9", 0);
        p.keys_action(KeysAction::Select(b"x".to_vec()));
        p.submit(a, "SINTER y x", 0);
        let compared = |p: &Playground| {
            let other = p.keys.selection.as_ref().and_then(|s| s.other.clone());
            other.map(|o| (o.key, o.members.len()))
        };
        assert_eq!(compared(&p), Some((b"y".to_vec(), 2)));
        p.submit(a, "SUNION x y z", 0);
        assert_eq!(
            compared(&p),
            Some((b"y".to_vec(), 2)),
            "three sets: no change"
        );
        p.submit(a, "SDIFFSTORE out x z", 0);
        assert_eq!(compared(&p), Some((b"z".to_vec(), 1)));
        p.submit(a, "SELECT 1\nSINTER x y", 0);
        assert_eq!(
            compared(&p),
            Some((b"z".to_vec(), 1)),
            "another database's x"
        );
    }

    #[test]
    fn time_passes_between_lines_and_can_be_paused_and_advanced() {
        let mut p = Playground::new(1_000);
        let a = p.panes[0].id;
        p.submit(a, "SET k v PX 500", 1_000);
        p.submit(a, "GET k", 1_499);
        p.clock.pause(1_499);
        p.submit(a, "GET k", 5_000);
        p.clock.advance(1);
        p.submit(a, "GET k", 5_000);
        assert_eq!(outputs(&p, a), ["OK", "\"v\"", "\"v\"", "(nil)"]);
    }

    #[test]
    fn panes_are_separate_clients_of_one_server() {
        let mut p = Playground::new(0);
        let a = p.panes[0].id;
        let b = p.add_pane();
        p.submit(b, "SUBSCRIBE news", 0);
        p.submit(a, "PUBLISH news hello", 0);
        let b_out = outputs(&p, b);
        assert_eq!(
            b_out[1], "1) \"message\"\n2) \"news\"\n3) \"hello\"",
            "{b_out:?}"
        );
        // A blocked pane waits until another pane pushes.
        let c = p.add_pane();
        p.submit(c, "BLPOP jobs 0", 0);
        assert!(p.pane(c).is_some_and(|pane| pane.is_blocked()));
        p.submit(c, "PING", 0);
        assert_eq!(
            p.pane(c).map(|pane| pane.entries.len()),
            Some(1),
            "nothing runs while blocked"
        );
        p.submit(a, "LPUSH jobs j1", 0);
        assert_eq!(outputs(&p, c), ["1) \"jobs\"\n2) \"j1\""]);
        // Cancelling gives the timeout reply.
        p.submit(c, "BLPOP jobs 0", 0);
        p.cancel(c);
        assert_eq!(outputs(&p, c)[1], "(nil)");
        // WATCH in one pane fails after a write in another.
        p.submit(a, "WATCH k\nMULTI\nSET k 1", 0);
        p.submit(c, "SET k 2", 0);
        p.submit(a, "EXEC", 0);
        assert_eq!(outputs(&p, a).last().map(String::as_str), Some("(nil)"));
        p.close_pane(b);
        assert_eq!(p.panes.len(), 2);
        p.submit(a, "PUBSUB NUMSUB news", 0);
        assert_eq!(
            outputs(&p, a).last().map(String::as_str),
            Some("1) \"news\"\n2) (integer) 0")
        );
    }

    #[test]
    fn console_keys_run_help_and_new_panes_share_the_history() {
        use super::Key;
        let mut p = Playground::new(0);
        p.load_history("PING");
        let a = p.panes[0].id;
        p.key(a, Key::Changed("help get".to_string()), 0);
        p.key(a, Key::Enter, 0);
        let out = outputs(&p, a);
        assert!(out[0].starts_with("\n  GET key\n  summary: "), "{out:?}");
        assert_eq!(p.history.lines(), ["PING", "help get"]);
        let b = p.add_pane();
        p.key(b, Key::Up, 0);
        let shown = |p: &Playground| {
            p.pane(b)
                .map(|pane| pane.editor.shown(&pane.history).to_string())
                .unwrap_or_default()
        };
        assert_eq!(shown(&p), "help get");
        p.key(b, Key::Changed("GET ".to_string()), 0);
        assert_eq!(p.hint(b), "key");
    }

    #[test]
    fn the_slow_log_is_read_and_its_threshold_set_without_a_command() {
        let mut p = Playground::new(0);
        let a = p.panes[0].id;
        assert_eq!(p.slowlog(), (Vec::new(), 10_000));
        p.set_slowlog_threshold(-5);
        assert_eq!(p.slowlog().1, -1);
        p.set_slowlog_threshold(0);
        p.submit(a, "SET k v", 0);
        let (rows, threshold) = p.slowlog();
        assert_eq!(threshold, 0);
        assert_eq!(rows.len(), 1, "reading the log logged nothing");
        assert_eq!(rows[0].command, "SET k v");
    }
}
