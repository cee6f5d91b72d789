//! What the playground keeps in the browser so its dataset survives a
//! reload or a killed tab: an RDB snapshot plus a journal of the keys
//! written since, and how the two are put back together at startup.
//!
//! The journal holds each changed key's resulting state (a DUMP payload
//! and its absolute expiry, or "gone"), not the command lines that changed
//! it. Replaying command lines would be wrong for everything Redis's own
//! AOF has to rewrite: relative TTLs (EXPIRE, SET EX) would restart at load
//! time, SPOP and XADD `*` would pick other members and IDs, and a BLPOP
//! served by another pane's LPUSH would not pop. A key's state is the same
//! whenever it is applied, and a MULTI/EXEC's keys all arrive with EXEC's
//! changes, so they are written in one batch (one storage transaction).
//!
//! The storage itself is behind a `Sink` that the browser adapter supplies;
//! everything here is plain Rust.

use std::fmt;

use redsim_engine::changes::Change;
use redsim_engine::{Config, Engine};

/// Past this much journal since the last snapshot, the next write is a
/// fresh snapshot instead (compaction), so startup replays little.
const JOURNAL_LIMIT: usize = 4 << 20;

/// What to write to storage at once. A snapshot replaces the stored one
/// and empties the journal, before the records are appended. The console
/// history rides along in the same storage, replaced whole when given.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    pub snapshot: Option<Vec<u8>>,
    pub records: Vec<Vec<u8>>,
    pub history: Option<String>,
}

/// Where batches go (IndexedDB in the browser).
pub type Sink = Box<dyn FnMut(Batch)>;

/// The writing side: off until a sink is given (startup, a shared script,
/// a second tab or a broken storage never write).
#[derive(Default)]
pub struct Persist {
    sink: Option<Sink>,
    journal_bytes: usize,
    /// The console history, when it changed since last written.
    history: Option<String>,
}

impl Persist {
    /// Starts writing to `sink`, with a full snapshot of `engine` first so
    /// the stored state is exactly what is in memory.
    pub fn start(&mut self, engine: &mut Engine, sink: Sink) {
        self.sink = Some(sink);
        self.compact(engine);
    }

    /// Stops writing (storage failed); the playground goes on in memory.
    pub fn stop(&mut self) {
        self.sink = None;
    }

    /// Writes what one step of the engine (a command, a tick) changed: the
    /// snapshot SAVE, BGSAVE or the save policy made, and the changed keys'
    /// new state. A whole database changing (FLUSHDB, SWAPDB, a load) or a
    /// long journal makes a full snapshot instead of records.
    pub fn note(&mut self, engine: &mut Engine, changes: &[Change]) {
        // Drained even when not writing, so a stale one is never written
        // later over newer data.
        let made = engine.take_snapshot();
        if self.sink.is_none() || (made.is_none() && changes.is_empty()) {
            return;
        }
        let whole = changes.iter().any(|c| matches!(c, Change::Db(_)));
        if whole || self.journal_bytes > JOURNAL_LIMIT {
            self.compact(engine);
            return;
        }
        let mut batch = Batch {
            snapshot: made,
            ..Batch::default()
        };
        if batch.snapshot.is_some() {
            self.journal_bytes = 0;
        }
        // The keys' state now is at least as new as a snapshot made during
        // this step, so the records always go after it.
        for change in changes {
            if let Change::Key { db, key } = change {
                let record = Record {
                    db: *db,
                    key: key.clone(),
                    value: engine.dump_key(*db, key),
                }
                .encode();
                self.journal_bytes += record.len();
                batch.records.push(record);
            }
        }
        self.send(batch);
    }

    /// Replaces the stored snapshot and journal with a snapshot of now
    /// (the page being hidden, after a load, a long journal).
    pub fn compact(&mut self, engine: &mut Engine) {
        engine.take_snapshot();
        if self.sink.is_none() {
            return;
        }
        self.journal_bytes = 0;
        let snapshot = Some(engine.snapshot());
        self.send(Batch {
            snapshot,
            ..Batch::default()
        });
    }

    /// Notes the console history (`History::to_text`) after a line ran; it
    /// goes out with the line's changes, or alone at `flush`.
    pub fn note_history(&mut self, text: String) {
        self.history = Some(text);
    }

    /// Writes a history that no change took along (a read-only line).
    pub fn flush(&mut self) {
        if let Some(text) = self.history.take() {
            self.send(Batch {
                history: Some(text),
                ..Batch::default()
            });
        }
    }

    fn send(&mut self, mut batch: Batch) {
        if batch.history.is_none() {
            batch.history = self.history.take();
        }
        if let Some(sink) = self.sink.as_mut() {
            sink(batch);
        }
    }
}

/// One journal entry: a key's state after a write.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub db: usize,
    pub key: Vec<u8>,
    /// DUMP payload and absolute expiry (unix ms); None: the key is gone.
    pub value: Option<(Vec<u8>, Option<i64>)>,
}

impl Record {
    /// `tag db keylen key [expire] payload`: tag 0 gone, 1 no TTL, 2 TTL;
    /// integers little-endian (u32, u32, i64).
    pub fn encode(&self) -> Vec<u8> {
        let (tag, expire, payload) = match &self.value {
            None => (0u8, None, &[][..]),
            Some((payload, None)) => (1, None, &payload[..]),
            Some((payload, Some(at))) => (2, Some(*at), &payload[..]),
        };
        let mut out = Vec::with_capacity(17 + self.key.len() + payload.len());
        out.push(tag);
        out.extend_from_slice(&(self.db as u32).to_le_bytes());
        out.extend_from_slice(&(self.key.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.key);
        if let Some(at) = expire {
            out.extend_from_slice(&at.to_le_bytes());
        }
        out.extend_from_slice(payload);
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Record> {
        let (&tag, rest) = bytes.split_first()?;
        let (db, rest) = rest.split_first_chunk::<4>()?;
        let (len, rest) = rest.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return None;
        }
        let (key, rest) = rest.split_at(len);
        let value = match tag {
            0 if rest.is_empty() => None,
            1 => Some((rest.to_vec(), None)),
            2 => {
                let (at, payload) = rest.split_first_chunk::<8>()?;
                Some((payload.to_vec(), Some(i64::from_le_bytes(*at))))
            }
            _ => return None,
        };
        Some(Record {
            db: u32::from_le_bytes(*db) as usize,
            key: key.to_vec(),
            value,
        })
    }
}

/// Why the stored data could not be put back together.
#[derive(Debug, Clone, PartialEq)]
pub enum RebuildError {
    Snapshot(redsim_engine::rdb::LoadError),
    /// The journal entry at this index is damaged or was refused.
    Record(usize),
}

impl fmt::Display for RebuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RebuildError::Snapshot(e) => write!(f, "the saved snapshot does not load: {e}"),
            RebuildError::Record(i) => write!(f, "saved journal entry {i} is damaged"),
        }
    }
}

/// The dataset the stored snapshot and journal describe, as one RDB file
/// (what gets loaded, and stored back as the compacted snapshot). The
/// journal is applied in a scratch engine with RESTORE ... ABSTTL REPLACE
/// and DEL, so the live engine sees one load and nothing else.
pub fn rebuild(
    snapshot: Option<&[u8]>,
    journal: &[Vec<u8>],
    now_ms: i64,
) -> Result<Vec<u8>, RebuildError> {
    let mut scratch = Engine::new(Config {
        now_ms,
        ..Config::default()
    });
    if let Some(bytes) = snapshot {
        scratch
            .load_snapshot(bytes)
            .map_err(RebuildError::Snapshot)?;
    }
    let client = scratch.connect();
    for (i, bytes) in journal.iter().enumerate() {
        let record = Record::decode(bytes).ok_or(RebuildError::Record(i))?;
        let db = record.db.to_string();
        let mut ok = !scratch
            .execute(client, &[&b"SELECT"[..], db.as_bytes()])
            .is_error();
        ok &= !match record.value {
            None => scratch.execute(client, &[&b"DEL"[..], &record.key[..]]),
            Some((payload, expire)) => {
                let ttl = expire.unwrap_or(0).to_string();
                scratch.execute(
                    client,
                    &[
                        &b"RESTORE"[..],
                        &record.key[..],
                        ttl.as_bytes(),
                        &payload[..],
                        &b"REPLACE"[..],
                        &b"ABSTTL"[..],
                    ],
                )
            }
        }
        .is_error();
        if !ok {
            return Err(RebuildError::Record(i));
        }
    }
    Ok(scratch.snapshot())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::state::playground::Playground;

    /// Everything written, in order, as storage would hold it: the last
    /// snapshot and the records after it.
    #[derive(Default)]
    struct Store {
        snapshot: Option<Vec<u8>>,
        journal: Vec<Vec<u8>>,
        history: Option<String>,
        batches: usize,
    }

    fn attach(p: &mut Playground) -> Rc<RefCell<Store>> {
        let store = Rc::new(RefCell::new(Store::default()));
        let sink_store = Rc::clone(&store);
        p.start_persisting(Box::new(move |batch: Batch| {
            let mut s = sink_store.borrow_mut();
            s.batches += 1;
            if let Some(snapshot) = batch.snapshot {
                s.snapshot = Some(snapshot);
                s.journal.clear();
            }
            s.journal.extend(batch.records);
            if batch.history.is_some() {
                s.history = batch.history;
            }
        }));
        store
    }

    /// A new playground from what the store holds, as a reload does.
    fn reopen(store: &Store, wall_ms: i64) -> Playground {
        let bytes = rebuild(store.snapshot.as_deref(), &store.journal, wall_ms).unwrap();
        let mut p = Playground::new(wall_ms);
        p.load_rdb(&bytes).unwrap();
        if let Some(text) = &store.history {
            p.load_history(text);
        }
        p
    }

    fn run(p: &mut Playground, line: &str, wall_ms: i64) -> String {
        let id = p.session.panes[0].id;
        p.submit(id, line, wall_ms);
        p.pane(id)
            .and_then(|pane| pane.entries.last())
            .map(|e| e.output.clone())
            .unwrap_or_default()
    }

    #[test]
    fn records_round_trip() {
        for value in [
            None,
            Some((b"payload".to_vec(), None)),
            Some((Vec::new(), Some(-5))),
            Some((b"x".to_vec(), Some(1_700_000_000_000))),
        ] {
            let record = Record {
                db: 15,
                key: b"k\0\xff".to_vec(),
                value,
            };
            assert_eq!(Record::decode(&record.encode()), Some(record));
        }
        assert_eq!(Record::decode(&[0, 1, 0, 0, 0, 9, 0, 0, 0, b'k']), None);
        assert_eq!(Record::decode(&[7, 0, 0, 0, 0, 0, 0, 0, 0]), None);
    }

    #[test]
    fn every_acknowledged_write_survives_a_reopen() {
        let mut p = Playground::new(1_000);
        let store = attach(&mut p);
        assert!(store.borrow().snapshot.is_some(), "starts with a snapshot");
        run(&mut p, "SET plain v", 1_000);
        run(&mut p, "SELECT 3", 1_000);
        run(&mut p, "RPUSH q a b c", 1_000);
        run(&mut p, "EXPIRE q 100", 1_000);
        run(&mut p, "SADD s x y z", 1_000);
        run(&mut p, "SPOP s", 1_000);
        run(&mut p, "SELECT 0", 1_000);
        run(&mut p, "SET gone 1", 1_000);
        run(&mut p, "DEL gone", 1_000);
        run(&mut p, "MULTI", 1_000);
        run(&mut p, "INCR n", 1_000);
        run(&mut p, "HSET h f v", 1_000);
        let before = store.borrow().journal.len();
        run(&mut p, "EXEC", 1_000);
        assert_eq!(
            store.borrow().journal.len(),
            before + 2,
            "EXEC's keys at once"
        );
        let spopped = run(&mut p, "SELECT 3", 1_000);
        assert_eq!(spopped, "OK");
        let members = run(&mut p, "SMEMBERS s", 1_000);
        assert!(store.borrow().journal.len() >= 7);

        // Reopened 10 s later: the relative TTL kept its deadline.
        let mut q = reopen(&store.borrow(), 11_000);
        assert_eq!(
            q.session.history.lines().last().map(String::as_str),
            Some("SMEMBERS s"),
            "the console history is stored with the data"
        );
        assert_eq!(run(&mut q, "GET plain", 11_000), "\"v\"");
        assert_eq!(run(&mut q, "EXISTS gone", 11_000), "(integer) 0");
        assert_eq!(run(&mut q, "GET n", 11_000), "\"1\"");
        assert_eq!(run(&mut q, "HGET h f", 11_000), "\"v\"");
        run(&mut q, "SELECT 3", 11_000);
        assert_eq!(run(&mut q, "TTL q", 11_000), "(integer) 90");
        assert_eq!(
            run(&mut q, "LRANGE q 0 -1", 11_000),
            "1) \"a\"\n2) \"b\"\n3) \"c\""
        );
        assert_eq!(
            run(&mut q, "SMEMBERS s", 11_000),
            members,
            "SPOP's pick kept"
        );
        // Past the TTL the key is not brought back.
        let q = reopen(&store.borrow(), 200_000);
        assert_eq!(q.key_count(), 4, "plain, n, h and s");
    }

    #[test]
    fn a_blocked_pop_served_by_another_pane_is_journaled() {
        let mut p = Playground::new(0);
        let store = attach(&mut p);
        let a = p.session.panes[0].id;
        let b = p.add_pane();
        p.submit(b, "BLPOP jobs 0", 0);
        p.submit(a, "RPUSH jobs j1 j2", 0);
        let mut q = reopen(&store.borrow(), 0);
        assert_eq!(run(&mut q, "LRANGE jobs 0 -1", 0), "1) \"j2\"");
    }

    #[test]
    fn whole_database_changes_and_saves_compact_the_journal() {
        let mut p = Playground::new(0);
        let store = attach(&mut p);
        run(&mut p, "SET a 1", 0);
        run(&mut p, "SET b 2", 0);
        assert_eq!(store.borrow().journal.len(), 2);
        run(&mut p, "SAVE", 0);
        assert!(
            store.borrow().journal.is_empty(),
            "SAVE's snapshot replaces it"
        );
        run(&mut p, "SET c 3", 0);
        run(&mut p, "SWAPDB 0 1", 0);
        assert!(
            store.borrow().journal.is_empty(),
            "a swap writes a snapshot"
        );
        run(&mut p, "FLUSHDB", 0);
        let mut q = reopen(&store.borrow(), 0);
        assert_eq!(run(&mut q, "DBSIZE", 0), "(integer) 0");
        run(&mut q, "SELECT 1", 0);
        assert_eq!(run(&mut q, "MGET a b c", 0), "1) \"1\"\n2) \"2\"\n3) \"3\"");
    }

    #[test]
    fn a_long_journal_is_compacted_into_a_snapshot() {
        let mut p = Playground::new(0);
        let store = attach(&mut p);
        let members: Vec<String> = (0..60_000).map(|i| format!("m{i}")).collect();
        run(&mut p, &format!("SADD big {}", members.join(" ")), 0);
        let record = store.borrow().journal[0].len();
        assert!(record > 300_000, "{record}");
        let mut compacted = false;
        for i in 0..(JOURNAL_LIMIT / record + 2) {
            run(&mut p, &format!("SADD big extra{i}"), 0);
            compacted |= store.borrow().journal.is_empty();
        }
        assert!(compacted, "the journal stays under the limit");
        assert!(store.borrow().journal.len() * record <= JOURNAL_LIMIT + record);
        let mut q = reopen(&store.borrow(), 0);
        let expected = format!("(integer) {}", 60_000 + JOURNAL_LIMIT / record + 2);
        assert_eq!(run(&mut q, "SCARD big", 0), expected);
    }

    #[test]
    fn the_save_policy_snapshots_on_a_tick() {
        let mut p = Playground::new(0);
        let store = attach(&mut p);
        run(&mut p, "SET a 1", 0);
        assert_eq!(store.borrow().journal.len(), 1);
        p.tick(120_000);
        assert!(
            store.borrow().journal.is_empty(),
            "{}",
            store.borrow().batches
        );
        assert_eq!(reopen(&store.borrow(), 120_000).key_count(), 1);
    }

    #[test]
    fn a_save_made_before_persisting_started_is_never_written() {
        let mut p = Playground::new(0);
        run(&mut p, "SET a 1", 0);
        run(&mut p, "SAVE", 0);
        run(&mut p, "SET b 2", 0);
        let store = attach(&mut p);
        run(&mut p, "SET c 3", 0);
        assert_eq!(
            store.borrow().batches,
            2,
            "the start's snapshot, then SET c"
        );
        assert_eq!(reopen(&store.borrow(), 0).key_count(), 3);
    }

    #[test]
    fn damaged_stored_data_is_reported() {
        assert!(matches!(
            rebuild(Some(b"REDIS0010garbage"), &[], 0),
            Err(RebuildError::Snapshot(_))
        ));
        assert_eq!(
            rebuild(None, &[vec![1, 0, 0, 0, 0, 1, 0, 0, 0, b'k', 1, 2]], 0),
            Err(RebuildError::Record(0)),
            "a payload RESTORE refuses"
        );
        assert_eq!(rebuild(None, &[vec![9]], 0), Err(RebuildError::Record(0)));
    }
}
