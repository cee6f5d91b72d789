//! The playground: a console session (`session.rs`: the engine, its client
//! panes, the clock) and what the playground shows around it, the key
//! browser with its visualizers, the server panel, persistence to browser
//! storage and exact HyperLogLog counts, which follow each line and each
//! change through the session's hooks. Views read from here and act
//! through its methods.

use redsim_engine::changes::Change;
use redsim_engine::{ClientId, Config, Engine};

use super::console::Pane;
use super::editor::Key;
use super::exact::ExactCounts;
use super::history::History;
use super::keys::{KeyBrowser, KeysAction};
use super::lessons::{self, Check, Outcome};
use super::persist::{Persist, Sink};
use super::query;
use super::server::ServerPanel;
use super::session::{Hooks, Session};
use super::slowlog::SlowRow;

pub struct Playground {
    pub session: Session,
    /// The key browser and the selected key's visualizer.
    pub keys: KeyBrowser,
    /// INFO's essentials over time.
    pub server: ServerPanel,
    /// Writes the dataset to browser storage once started (`persist`).
    pub persist: Persist,
    /// Exact counts of HyperLogLogs built here, beside their estimates.
    pub exact: ExactCounts,
}

/// The playground's parts that follow the session's lines and changes.
struct Followers<'a> {
    keys: &'a mut KeyBrowser,
    persist: &'a mut Persist,
    exact: &'a mut ExactCounts,
}

impl Hooks for Followers<'_> {
    fn before_line(&mut self, engine: &Engine, db: usize, line: &str) {
        self.exact
            .before(db, line, |key| engine.key_summary(db, key).is_some());
    }

    fn after_line(&mut self, engine: &Engine, client: ClientId, line: &str) {
        if !self.keys.of_simulation {
            self.keys.after_command(engine);
            follow_set_operation(self.keys, engine, client, line);
        }
    }

    fn history(&mut self, history: &History) {
        self.persist.note_history(history.to_text());
    }

    fn changes(&mut self, engine: &mut Engine, changes: &[Change]) {
        self.exact.apply(changes);
        self.persist.note(engine, changes);
        if !self.keys.of_simulation {
            self.keys.apply(engine, changes);
        }
    }
}

/// A set operation of the selected set with one other set opens the
/// Venn view of the two, whose regions the visualizer then lights.
fn follow_set_operation(keys: &mut KeyBrowser, engine: &Engine, client: ClientId, line: &str) {
    let Some(selection) = &keys.selection else {
        return;
    };
    if selection.db != engine.selected_db(client) {
        return;
    }
    let partner = query::of_line(line, &selection.key).and_then(|q| q.partner(&selection.key));
    let compared = selection.other.as_ref().map(|o| &o.key);
    if partner.is_some() && partner.as_ref() != compared {
        keys.act(engine, KeysAction::Compare(partner));
    }
}

impl Playground {
    pub fn new(wall_ms: i64) -> Playground {
        let mut session = Session::new(wall_ms);
        // Snapshot to browser storage a minute after a change at most: the
        // journal keeps every write in between (`persist`). A constant, so
        // this cannot fail.
        let _ = session.engine_mut().configure(&[("save", "60 1")]);
        session.engine_mut().watch_changes();
        Playground {
            session,
            keys: KeyBrowser::default(),
            server: ServerPanel::default(),
            persist: Persist::default(),
            exact: ExactCounts::default(),
        }
    }

    /// The session and the hooks that keep the rest in step with it.
    fn parts(&mut self) -> (&mut Session, Followers<'_>) {
        let Playground {
            session,
            keys,
            persist,
            exact,
            ..
        } = self;
        (
            session,
            Followers {
                keys,
                persist,
                exact,
            },
        )
    }

    fn engine(&self) -> &Engine {
        self.session.engine()
    }

    /// Opens a new client pane; returns its id.
    pub fn add_pane(&mut self) -> usize {
        self.session.add_pane()
    }

    /// Runs `text` in the `client`-th pane (1-based), opening panes up to
    /// it as needed, as a lesson's ▶ does; the last line's reply.
    pub fn run_in_client(&mut self, client: usize, text: &str, wall_ms: i64) -> String {
        while self.session.panes.len() < client.min(lessons::MAX_CLIENT) {
            self.session.add_pane();
        }
        let index = client.clamp(1, self.session.panes.len()) - 1;
        let Some(id) = self.session.panes.get(index).map(|p| p.id) else {
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
        let (session, mut followers) = self.parts();
        let now = session.clock.now(wall_ms);
        let db = session
            .panes
            .first()
            .map_or(0, |p| session.engine().selected_db(p.client));
        let engine = session.engine_mut();
        engine.set_time(now);
        let outcomes = lessons::run_checks(engine, db, checks);
        // A MONITOR pane sees the checker's commands.
        session.deliver(&mut followers);
        outcomes
    }

    /// Closes a pane and disconnects its client (the last one stays).
    pub fn close_pane(&mut self, id: usize) {
        let (session, mut followers) = self.parts();
        session.close_pane(id, &mut followers);
    }

    pub fn pane(&self, id: usize) -> Option<&Pane> {
        self.session.pane(id)
    }

    /// redis-cli's prompt for a pane's client.
    pub fn prompt(&self, id: usize) -> String {
        self.session.prompt(id)
    }

    /// Runs what was typed or pasted into a pane, line by line; then
    /// writes what changed to browser storage.
    pub fn submit(&mut self, id: usize, text: &str, wall_ms: i64) {
        let (session, mut followers) = self.parts();
        session.submit(id, text, wall_ms, &mut followers);
        self.persist.flush();
    }

    /// Moves time on (see `Session::tick`) and samples the server panel.
    pub fn tick(&mut self, wall_ms: i64) {
        let (session, mut followers) = self.parts();
        session.tick(wall_ms, &mut followers);
        let now = self.session.clock.now(wall_ms);
        self.server.sample(self.session.engine_mut(), now);
    }

    /// A key in a pane's input line (see `editor`); Enter runs the line.
    pub fn key(&mut self, id: usize, key: Key, wall_ms: i64) {
        let (session, mut followers) = self.parts();
        session.key(id, key, wall_ms, &mut followers);
        self.persist.flush();
    }

    /// The dimmed hint after a pane's input line.
    pub fn hint(&self, id: usize) -> String {
        self.session.hint(id)
    }

    /// Starts the shared history from what an earlier visit saved.
    pub fn load_history(&mut self, text: &str) {
        self.session.load_history(text);
    }

    /// The slow log, newest first, and its threshold in µs.
    pub fn slowlog(&self) -> (Vec<SlowRow>, i64) {
        self.session.slowlog()
    }

    /// Sets `slowlog-log-slower-than` in µs (see `Session`).
    pub fn set_slowlog_threshold(&mut self, us: i64) {
        self.session.set_slowlog_threshold(us);
    }

    /// Gives up a pane's blocking command, as Ctrl-C does in redis-cli.
    pub fn cancel(&mut self, id: usize) {
        let (session, mut followers) = self.parts();
        session.cancel(id, &mut followers);
    }

    /// Starts writing the dataset to `sink` (see `persist`).
    pub fn start_persisting(&mut self, sink: Sink) {
        self.persist.start(self.session.engine_mut(), sink);
    }

    /// Writes a full snapshot now (the page is being hidden).
    pub fn compact(&mut self) {
        self.persist.compact(self.session.engine_mut());
    }

    /// The dataset as an RDB file real Redis loads.
    pub fn rdb(&self) -> Vec<u8> {
        self.engine().snapshot()
    }

    /// Replaces the dataset with an RDB file's, all or nothing.
    pub fn load_rdb(&mut self, bytes: &[u8]) -> Result<(), redsim_engine::rdb::LoadError> {
        let (session, mut followers) = self.parts();
        session.engine_mut().load_snapshot(bytes)?;
        session.deliver(&mut followers);
        Ok(())
    }

    /// What the key browser was asked to do, on the playground's keys
    /// (`Workbench::keys_action` also browses a simulation's).
    pub fn keys_action(&mut self, action: KeysAction) {
        self.keys.act(self.session.engine(), action);
    }

    /// Each database's key count, for the key browser's database selector.
    pub fn db_sizes(&self) -> Vec<usize> {
        (0..Config::default().databases)
            .map(|db| self.engine().dbsize(db))
            .collect()
    }

    /// Keys in all databases.
    pub fn key_count(&self) -> usize {
        self.db_sizes().iter().sum()
    }

    /// The lines typed into the pane last used, for a share link.
    pub fn share_script(&self) -> String {
        self.session.share_script()
    }
}

#[cfg(test)]
mod tests {
    use super::Playground;
    use crate::state::keys::KeysAction;

    #[test]
    fn a_set_operation_with_the_selected_set_compares_the_two() {
        let mut p = Playground::new(0);
        let a = p.session.panes[0].id;
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
    fn lines_reach_the_key_browser_and_the_exact_counts() {
        let mut p = Playground::new(0);
        let a = p.session.panes[0].id;
        p.submit(a, "PFADD visitors a b c a", 0);
        assert_eq!(p.exact.get(0, b"visitors"), Some(3));
        assert_eq!(p.keys.len(), 1, "the key browser lists the new key");
        p.submit(a, "DEL visitors", 0);
        assert_eq!(
            p.exact.get(0, b"visitors"),
            None,
            "the change feed reached it"
        );
        assert_eq!(p.keys.len(), 0);
        assert_eq!(
            p.session.history.lines(),
            ["PFADD visitors a b c a", "DEL visitors"]
        );
    }
}
