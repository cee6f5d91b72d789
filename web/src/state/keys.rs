//! The key browser: one database's keys as a namespace tree, filtered by a
//! Redis glob and sorted by name, TTL or size. It is kept up to date from
//! the engine's change feed: a changed key is looked up again on its own,
//! and only a database reported as a whole (FLUSHDB, SWAPDB, a load) or a
//! new filter or database lists the keyspace again. At most `MAX_ROWS`
//! keys are held, so a huge keyspace costs a bounded amount.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use redsim_engine::changes::Change;
use redsim_engine::inspect::KeySummary;
use redsim_engine::{glob, Engine};

use super::selection::Selection;

/// Keys held and shown at most.
pub const MAX_ROWS: usize = 1000;

/// How many keys one step of a listing asks the engine for.
const SCAN_STEP: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Name,
    /// Soonest to expire first; keys without a TTL last.
    Ttl,
    /// Largest (MEMORY USAGE) first.
    Size,
}

/// One key, as the browser shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub key: Vec<u8>,
    pub kind: &'static str,
    pub encoding: &'static str,
    /// Unix ms, so the countdown runs without asking the engine again.
    pub expire_at: Option<i64>,
    pub memory: usize,
    pub len: usize,
}

impl Row {
    fn new(summary: KeySummary, now_ms: i64) -> Row {
        Row {
            expire_at: summary.ttl_ms.map(|ttl| now_ms + ttl),
            key: summary.key,
            kind: summary.kind,
            encoding: summary.encoding,
            memory: summary.memory,
            len: summary.len,
        }
    }
}

/// What a person does in the key browser.
#[derive(Debug, Clone, PartialEq)]
pub enum KeysAction {
    SelectDb(usize),
    /// Browses the running simulation's engine (true) or the playground's.
    Source(bool),
    Filter(String),
    Sort(Sort),
    Separator(String),
    /// Opens or closes a folder (its prefix, separator included).
    Toggle(Vec<u8>),
    /// Opens a key's visualizer.
    Select(Vec<u8>),
    /// Closes the visualizer.
    Deselect,
    /// A second set to draw a Venn diagram with, or none.
    Compare(Option<Vec<u8>>),
}

/// One line of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    Folder {
        /// The folder's prefix, separator included: what `Toggle` names.
        prefix: Vec<u8>,
        label: String,
        depth: usize,
        keys: usize,
        open: bool,
    },
    Key {
        row: Row,
        label: String,
        depth: usize,
    },
}

pub struct KeyBrowser {
    pub db: usize,
    /// Whether the keys are the running simulation's (its database 0).
    pub of_simulation: bool,
    /// Splits keys into folders; empty: a flat list.
    pub separator: String,
    /// A Redis glob; empty matches everything.
    pub filter: String,
    pub sort: Sort,
    rows: BTreeMap<Vec<u8>, Row>,
    /// Whether `rows` holds every matching key (false once `MAX_ROWS` is hit).
    complete: bool,
    closed: BTreeSet<Vec<u8>>,
    pub selection: Option<Selection>,
}

impl Default for KeyBrowser {
    fn default() -> Self {
        KeyBrowser {
            db: 0,
            of_simulation: false,
            separator: ":".to_string(),
            filter: String::new(),
            sort: Sort::Name,
            rows: BTreeMap::new(),
            complete: true,
            closed: BTreeSet::new(),
            selection: None,
        }
    }
}

impl KeyBrowser {
    /// Keys held (at most `MAX_ROWS`).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether every key matching the filter is held.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Whether any listed key has a TTL (a countdown to show).
    pub fn has_countdowns(&self) -> bool {
        self.rows.values().any(|row| row.expire_at.is_some())
    }

    #[cfg(test)]
    fn row(&self, key: &[u8]) -> Option<&Row> {
        self.rows.get(key)
    }

    /// Keys held of one type, by name (the sets a Venn view can compare).
    pub fn keys_of_kind(&self, kind: &str) -> Vec<Vec<u8>> {
        self.rows
            .values()
            .filter(|r| r.kind == kind)
            .map(|r| r.key.clone())
            .collect()
    }

    fn matches(&self, key: &[u8]) -> bool {
        self.filter.is_empty() || glob::matches(self.filter.as_bytes(), key)
    }

    pub fn act(&mut self, engine: &Engine, action: KeysAction) {
        match action {
            KeysAction::SelectDb(db) => {
                self.db = db;
                self.of_simulation = false;
                self.selection = None;
                self.relist(engine);
            }
            KeysAction::Source(of_simulation) => {
                self.of_simulation = of_simulation;
                self.db = 0;
                self.selection = None;
                self.relist(engine);
            }
            KeysAction::Filter(filter) => {
                self.filter = filter;
                self.relist(engine);
            }
            KeysAction::Sort(sort) => self.sort = sort,
            KeysAction::Separator(separator) => {
                self.separator = separator;
                self.closed.clear();
            }
            KeysAction::Toggle(prefix) => {
                if !self.closed.remove(&prefix) {
                    self.closed.insert(prefix);
                }
            }
            KeysAction::Select(key) => {
                self.selection = Some(Selection::open(engine, self.db, key));
            }
            KeysAction::Deselect => self.selection = None,
            KeysAction::Compare(other) => {
                if let Some(selection) = self.selection.as_mut() {
                    selection.compare(engine, other);
                }
            }
        }
    }

    /// Lists the database again from the start, up to `MAX_ROWS` matching keys.
    pub fn relist(&mut self, engine: &Engine) {
        self.rows.clear();
        self.complete = true;
        let mut cursor = 0;
        loop {
            let (keys, next) = engine.scan_keys(self.db, cursor, SCAN_STEP);
            for key in keys {
                self.refresh_key(engine, key);
            }
            cursor = next;
            if cursor == 0 || !self.complete {
                break;
            }
        }
        if let Some(selection) = self.selection.as_mut() {
            selection.refresh(engine);
        }
    }

    /// Looks one key up again: new, changed or gone.
    fn refresh_key(&mut self, engine: &Engine, key: Vec<u8>) {
        if !self.matches(&key) {
            return;
        }
        match engine.key_summary(self.db, &key) {
            None => {
                self.rows.remove(&key);
            }
            Some(summary) => {
                if self.rows.len() >= MAX_ROWS && !self.rows.contains_key(&key) {
                    self.complete = false;
                    return;
                }
                self.rows.insert(key, Row::new(summary, engine.now()));
            }
        }
    }

    /// Applies what the engine reports changed: only those keys are looked
    /// up; a database reported whole is listed again.
    pub fn apply(&mut self, engine: &Engine, changes: &[Change]) {
        if changes.contains(&Change::Db(self.db)) {
            self.relist(engine);
            return;
        }
        for change in changes {
            if let Change::Key { db, key } = change {
                if *db == self.db {
                    self.refresh_key(engine, key.clone());
                }
            }
        }
        if let Some(selection) = self.selection.as_mut() {
            if changes.iter().any(|c| selection.is_affected_by(c)) {
                selection.refresh(engine);
            }
        }
    }

    /// After each command: a selected stream is read again, because
    /// XREADGROUP, XACK, XCLAIM and XGROUP change its consumer groups
    /// without Redis signalling the key as modified, so the feed does not
    /// name it. One key, at most `CONTENTS_LIMIT` entries.
    pub fn after_command(&mut self, engine: &Engine) {
        if let Some(selection) = self.selection.as_mut().filter(|s| s.is_stream()) {
            selection.refresh(engine);
        }
    }

    /// The tree as lines, folders first opened, each level in the chosen order.
    pub fn lines(&self) -> Vec<Line> {
        let mut root = Folder::default();
        let separator = self.separator.as_bytes();
        for row in self.rows.values() {
            let mut folder = &mut root;
            let mut rest: &[u8] = &row.key;
            let mut taken = 0;
            while let Some(at) = find(rest, separator) {
                taken += at + separator.len();
                folder = folder
                    .folders
                    .entry(rest[..at].to_vec())
                    .or_insert_with(|| Folder {
                        prefix: row.key[..taken].to_vec(),
                        ..Folder::default()
                    });
                rest = &rest[at + separator.len()..];
            }
            folder.keys.push((rest.to_vec(), row));
        }
        root.total();
        let mut out = Vec::new();
        self.emit(&root, 0, &mut out);
        out
    }

    fn emit(&self, folder: &Folder<'_>, depth: usize, out: &mut Vec<Line>) {
        enum Item<'f, 'r> {
            Sub(&'f [u8], &'f Folder<'r>),
            Leaf(&'f [u8], &'r Row),
        }
        let mut items: Vec<Item<'_, '_>> = folder
            .folders
            .iter()
            .map(|(name, sub)| Item::Sub(name, sub))
            .chain(folder.keys.iter().map(|(name, row)| Item::Leaf(name, row)))
            .collect();
        /// (label, soonest expiry, memory, folder-first) of an item.
        fn facts<'f>(item: &Item<'f, '_>) -> (&'f [u8], Option<i64>, usize, u8) {
            match item {
                Item::Sub(name, f) => (name, f.expire_at, f.memory, 0),
                Item::Leaf(name, row) => (name, row.expire_at, row.memory, 1),
            }
        }
        items.sort_by(|a, b| {
            let (a, b) = (facts(a), facts(b));
            let by_name = a.0.cmp(b.0).then(a.3.cmp(&b.3));
            match self.sort {
                Sort::Name => by_name,
                Sort::Ttl => soonest(a.1, b.1).then(by_name),
                Sort::Size => b.2.cmp(&a.2).then(by_name),
            }
        });
        for item in items {
            match item {
                Item::Sub(name, sub) => {
                    let open = !self.closed.contains(&sub.prefix);
                    out.push(Line::Folder {
                        prefix: sub.prefix.clone(),
                        label: shown(name),
                        depth,
                        keys: sub.count,
                        open,
                    });
                    if open {
                        self.emit(sub, depth + 1, out);
                    }
                }
                Item::Leaf(name, row) => out.push(Line::Key {
                    row: row.clone(),
                    label: shown(name),
                    depth,
                }),
            }
        }
    }
}

/// A folder of the tree while it is built, with its keys' totals.
#[derive(Default)]
struct Folder<'r> {
    prefix: Vec<u8>,
    folders: BTreeMap<Vec<u8>, Folder<'r>>,
    keys: Vec<(Vec<u8>, &'r Row)>,
    count: usize,
    memory: usize,
    expire_at: Option<i64>,
}

impl Folder<'_> {
    /// Fills in the totals of this folder and every folder below it.
    fn total(&mut self) {
        self.count = self.keys.len();
        self.memory = self.keys.iter().map(|(_, r)| r.memory).sum();
        self.expire_at = self.keys.iter().filter_map(|(_, r)| r.expire_at).min();
        for sub in self.folders.values_mut() {
            sub.total();
            self.count += sub.count;
            self.memory += sub.memory;
            self.expire_at = match (self.expire_at, sub.expire_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
}

/// Orders expiry times soonest first, none last.
fn soonest(a: Option<i64>, b: Option<i64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Bytes as text: UTF-8 without control characters as it is, anything
/// else quoted as redis-cli quotes it.
pub fn shown(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(char::is_control) => text.to_string(),
        _ => {
            let mut out = String::new();
            redsim_engine::reply::cli::quote_into(&mut out, bytes);
            out
        }
    }
}

/// A TTL countdown as people read it: `59s`, `4m 05s`, `2h 03m`, `3d 4h`.
pub fn countdown(ms: i64) -> String {
    let s = ms.max(0).div_euclid(1000);
    match s {
        0..60 => format!("{}.{}s", s, ms.max(0) % 1000 / 100),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h {:02}m", s / 3600, s / 60 % 60),
        _ => format!("{}d {}h", s / 86_400, s / 3600 % 24),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redsim_engine::reply::cli;
    use redsim_engine::Config;

    fn engine() -> (Engine, redsim_engine::ClientId) {
        let mut e = Engine::new(Config {
            now_ms: 1_000_000,
            ..Config::default()
        });
        e.watch_changes();
        let c = e.connect();
        (e, c)
    }

    fn run(e: &mut Engine, c: redsim_engine::ClientId, line: &str) {
        cli::run_line(e, c, line);
    }

    /// The visible lines as `depth label` text.
    fn outline(b: &KeyBrowser) -> Vec<String> {
        b.lines()
            .iter()
            .map(|l| match l {
                Line::Folder {
                    label, depth, keys, ..
                } => format!("{}{label}/ ({keys})", "  ".repeat(*depth)),
                Line::Key { label, depth, .. } => format!("{}{label}", "  ".repeat(*depth)),
            })
            .collect()
    }

    #[test]
    fn keys_form_a_namespace_tree_with_a_configurable_separator() {
        let (mut e, c) = engine();
        run(
            &mut e,
            c,
            "MSET user:1:name a user:1:email b user:2:name c session x",
        );
        run(&mut e, c, "SET user: empty-leaf");
        let mut b = KeyBrowser::default();
        b.relist(&e);
        assert_eq!(
            outline(&b),
            [
                "session",
                "user/ (4)",
                "  ",
                "  1/ (2)",
                "    email",
                "    name",
                "  2/ (1)",
                "    name",
            ]
        );
        b.act(&e, KeysAction::Toggle(b"user:1:".to_vec()));
        assert_eq!(outline(&b)[3], "  1/ (2)");
        assert_eq!(outline(&b)[4], "  2/ (1)", "closed folder hides its keys");
        b.act(&e, KeysAction::Separator(String::new()));
        assert_eq!(outline(&b).len(), 5, "no separator: a flat list");
        b.act(&e, KeysAction::Separator("1".into()));
        assert!(outline(&b).contains(&"user:/ (2)".to_string()));
    }

    #[test]
    fn filters_with_redis_globs_and_sorts_by_name_ttl_or_size() {
        let (mut e, c) = engine();
        run(
            &mut e,
            c,
            "SET a:big xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        );
        run(&mut e, c, "SET a:soon 1 EX 10");
        run(&mut e, c, "SET a:later 1 EX 100");
        run(&mut e, c, "SET b 1");
        let mut b = KeyBrowser::default();
        b.act(&e, KeysAction::Separator(String::new()));
        b.act(&e, KeysAction::Filter("a:[bs]*".into()));
        assert_eq!(outline(&b), ["a:big", "a:soon"]);
        b.act(&e, KeysAction::Filter(String::new()));
        b.act(&e, KeysAction::Sort(Sort::Ttl));
        assert_eq!(outline(&b), ["a:soon", "a:later", "a:big", "b"]);
        b.act(&e, KeysAction::Sort(Sort::Size));
        assert_eq!(outline(&b)[0], "a:big");
        // Folders sort by their keys: the one holding the soonest expiry first.
        b.act(&e, KeysAction::Separator(":".into()));
        b.act(&e, KeysAction::Sort(Sort::Ttl));
        assert_eq!(outline(&b), ["a/ (3)", "  soon", "  later", "  big", "b"]);
        let soon = b.row(b"a:soon").and_then(|r| r.expire_at);
        assert_eq!(soon, Some(1_010_000), "absolute, so the countdown runs");
        // Escaped glob characters match literally, as in Redis.
        run(&mut e, c, "SET q?x 1");
        b.act(&e, KeysAction::Filter("q\\?*".into()));
        assert_eq!(outline(&b), ["q?x"]);
    }

    #[test]
    fn follows_the_change_feed_key_by_key_and_relists_a_flushed_database() {
        let (mut e, c) = engine();
        run(&mut e, c, "SET a 1");
        let mut b = KeyBrowser::default();
        b.relist(&e);
        e.take_changes();
        run(&mut e, c, "RPUSH l x y");
        run(&mut e, c, "DEL a");
        run(&mut e, c, "SELECT 1");
        run(&mut e, c, "SET elsewhere 1");
        let changes = e.take_changes();
        b.apply(&e, &changes);
        assert_eq!(outline(&b), ["l"]);
        assert_eq!(b.row(b"l").map(|r| (r.kind, r.len)), Some(("list", 2)));
        // A key filtered out stays out when it changes.
        b.act(&e, KeysAction::Filter("n*".into()));
        run(&mut e, c, "SELECT 0");
        run(&mut e, c, "RPUSH l z");
        run(&mut e, c, "SET new 1 PX 100");
        let changes = e.take_changes();
        b.apply(&e, &changes);
        assert_eq!(outline(&b), ["new"]);
        // Expiry is a change like any other.
        e.tick(1_000_000 + 1_000);
        let changes = e.take_changes();
        b.apply(&e, &changes);
        assert_eq!(b.len(), 0);
        b.act(&e, KeysAction::Filter(String::new()));
        assert_eq!(outline(&b), ["l"]);
        run(&mut e, c, "FLUSHDB");
        let changes = e.take_changes();
        assert_eq!(changes, [Change::Db(0)]);
        b.apply(&e, &changes);
        assert_eq!(b.len(), 0);
        // Another database is listed when chosen.
        b.act(&e, KeysAction::SelectDb(1));
        assert_eq!(outline(&b), ["elsewhere"]);
    }

    #[test]
    fn a_huge_keyspace_is_held_up_to_the_bound() {
        let (mut e, c) = engine();
        let pairs: String = (0..1500).map(|i| format!(" key:{i} v")).collect();
        run(&mut e, c, &format!("MSET{pairs}"));
        let mut b = KeyBrowser::default();
        b.relist(&e);
        assert_eq!((b.len(), b.is_complete()), (MAX_ROWS, false));
        b.act(&e, KeysAction::Filter("key:1?".into()));
        assert_eq!((b.len(), b.is_complete()), (10, true));
    }

    #[test]
    fn text_and_countdowns_read_well() {
        assert_eq!(shown(b"caf\xc3\xa9"), "café");
        assert_eq!(shown(b"a\x00b"), "\"a\\x00b\"");
        assert_eq!(countdown(9_450), "9.4s");
        assert_eq!(countdown(65_000), "1m 05s");
        assert_eq!(countdown(7_380_000), "2h 03m");
        assert_eq!(countdown(-5), "0.0s");
    }
}
