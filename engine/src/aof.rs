//! AOF: the dataset as a stream of RESP commands, and back.
//!
//! [`export`] writes what Redis 7.0's AOF rewrite (BGREWRITEAOF with
//! `aof-use-rdb-preamble no`) writes: per non-empty database a SELECT, then
//! per key the commands that rebuild it — SET for strings; RPUSH, SADD,
//! ZADD (scores as `%.17g`) and HMSET in batches of at most 64 items; for
//! a hash with field TTLs (Redis 7.4) one HMSET per field, each followed by
//! HPEXPIREAT ... FIELDS 1 when the field has a TTL; for a stream an XADD
//! per entry (or `XADD key MAXLEN 0 0-1 x y` when it is empty), XSETID with
//! ENTRIESADDED and MAXDELETEDID, and per consumer group XGROUP CREATE ...
//! ENTRIESREAD, XGROUP CREATECONSUMER for consumers with nothing pending
//! and one `XCLAIM ... 0 <id> TIME <ms> RETRYCOUNT <n> JUSTID FORCE` per
//! pending entry; then PEXPIREAT for a key with a TTL. Keys and hash fields
//! that have already expired are left out. Redis walks its hash tables, so
//! its key and member order differ; ours is the engine's own order (sorted
//! sets ascending). `redis-cli --pipe` loads the stream into a real Redis.
//! What the commands cannot carry is lost, as with Redis's own rewrite:
//! consumers' seen and active times, pending entries whose message was
//! deleted (XCLAIM does not recreate them), the order of hash fields with
//! equal TTLs (they come back in reverse order).
//!
//! [`import`] runs such a stream — Redis's AOF grammar: multibulk commands
//! only, `#` annotation lines skipped, parsed by [`crate::resp`] — through
//! one client of a fresh scratch engine with the live engine's parameters
//! (but no `maxmemory`, `requirepass` or keyspace events), so SELECT,
//! MULTI/EXEC and every command behave as they do for a client. The live
//! dataset is replaced only when the whole stream parsed, every command
//! name was known (Redis refuses an AOF with an unknown command) and no
//! transaction was left open; otherwise nothing changes and [`AofError`]
//! says where the stream went wrong. Commands that answer an error (and
//! ones that would block) do not stop the import: they are counted and
//! the first few reported in [`ImportSummary`].
//!
//! An AOF that starts with an RDB preamble (`aof-use-rdb-preamble yes`) is
//! refused: load the preamble with `Engine::load_snapshot` instead.

use std::fmt;

use crate::db::Db;
use crate::engine::{Config, Engine, Server};
use crate::number::format_g17;
use crate::reply::Reply;
use crate::resp::{parse_request, RequestLimits};
use crate::types::stream::StreamId;
use crate::types::{Hash, Stream, Value};

/// Redis's AOF_REWRITE_ITEMS_PER_CMD: most elements (or pairs) a rewritten
/// RPUSH, SADD, ZADD or HMSET carries.
pub const ITEMS_PER_CMD: usize = 64;

/// How many failed commands an [`ImportSummary`] describes one by one.
pub const MAX_REPORTED_ERRORS: usize = 20;

/// BGREWRITEAOF's result waiting for the host (`Engine::take_aof_rewrite`).
#[derive(Debug, Clone, Default)]
pub struct Rewrite {
    /// The stream the last BGREWRITEAOF wrote, until the host takes it.
    pending: Option<Vec<u8>>,
    /// BGREWRITEAOF ran inside a transaction: as in Redis, the rewrite
    /// happens after it, here when the host takes it.
    pub scheduled: bool,
    /// Rewrites made since the start (INFO's aof_rewrites).
    pub rewrites: u64,
}

/// BGREWRITEAOF: writes the stream now, or (inside EXEC) marks it due.
/// Returns whether it was only scheduled.
pub(crate) fn rewrite(server: &mut Server, in_exec: bool) -> bool {
    if in_exec {
        server.aof.scheduled = true;
        server.aof.pending = None;
    } else {
        server.aof.pending = Some(export(server));
        server.aof.scheduled = false;
        server.aof.rewrites += 1;
    }
    in_exec
}

/// The stream the last BGREWRITEAOF made (once).
pub(crate) fn take_rewrite(server: &mut Server) -> Option<Vec<u8>> {
    if std::mem::take(&mut server.aof.scheduled) {
        server.aof.rewrites += 1;
        return Some(export(server));
    }
    server.aof.pending.take()
}

/// RESP request bytes, written as Redis's `rio` helpers write them.
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// `*<n>\r\n`: the start of a command of `n` arguments.
    fn count(&mut self, n: usize) {
        self.buf.push(b'*');
        self.buf.extend_from_slice(n.to_string().as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    fn bulk(&mut self, bytes: &[u8]) {
        self.buf.push(b'$');
        self.buf
            .extend_from_slice(bytes.len().to_string().as_bytes());
        self.buf.extend_from_slice(b"\r\n");
        self.buf.extend_from_slice(bytes);
        self.buf.extend_from_slice(b"\r\n");
    }

    fn int(&mut self, n: i64) {
        self.bulk(n.to_string().as_bytes());
    }

    fn id(&mut self, id: StreamId) {
        self.bulk(&id.to_bytes());
    }

    fn command(&mut self, args: &[&[u8]]) {
        self.count(args.len());
        for arg in args {
            self.bulk(arg);
        }
    }

    /// Variadic commands of `width` arguments per item, at most
    /// [`ITEMS_PER_CMD`] items each, as Redis batches its rewrites. `len`
    /// must be the number of items `items` yields.
    fn batches<I: Iterator>(
        &mut self,
        name: &[u8],
        key: &[u8],
        len: usize,
        width: usize,
        items: I,
        mut item: impl FnMut(&mut Writer, I::Item),
    ) {
        let mut left = len;
        let mut in_batch = 0;
        for it in items {
            if in_batch == 0 {
                self.count(2 + left.min(ITEMS_PER_CMD) * width);
                self.bulk(name);
                self.bulk(key);
            }
            item(self, it);
            in_batch += 1;
            if in_batch == ITEMS_PER_CMD {
                in_batch = 0;
            }
            left = left.saturating_sub(1);
        }
    }
}

/// The whole dataset as the command stream an AOF rewrite writes.
pub fn export(server: &Server) -> Vec<u8> {
    let mut w = Writer { buf: Vec::new() };
    let now = server.now_ms;
    for (index, db) in server.dbs.iter().enumerate() {
        let keys: Vec<_> = db
            .keys()
            .into_iter()
            .filter(|k| db.expire_at(k).is_none_or(|at| at > now))
            .collect();
        if keys.is_empty() {
            continue;
        }
        w.command(&[b"SELECT", index.to_string().as_bytes()]);
        for key in keys {
            write_key(&mut w, db, &key, now);
        }
    }
    w.buf
}

fn write_key(w: &mut Writer, db: &Db, key: &[u8], now: i64) {
    let Some(value) = db.value(key) else {
        return;
    };
    match value {
        Value::String(s) => w.command(&[b"SET", key, &s.as_bytes()]),
        Value::List(list) => {
            w.batches(b"RPUSH", key, list.len(), 1, list.iter(), |w, e| w.bulk(e));
        }
        Value::Set(set) => {
            w.batches(b"SADD", key, set.len(), 1, set.iter(), |w, m| w.bulk(&m));
        }
        Value::ZSet(z) => {
            w.batches(
                b"ZADD",
                key,
                z.len(),
                2,
                z.range(0, z.len()),
                |w, (m, s)| {
                    w.bulk(format_g17(s).as_bytes());
                    w.bulk(m);
                },
            );
        }
        Value::Hash(h) => {
            if !write_hash(w, key, h, now) {
                return;
            }
        }
        Value::Stream(s) => write_stream(w, key, s),
    }
    if let Some(at) = db.expire_at(key) {
        w.count(3);
        w.bulk(b"PEXPIREAT");
        w.bulk(key);
        w.int(at);
    }
}

/// A hash; false (nothing written) when every field has expired.
fn write_hash(w: &mut Writer, key: &[u8], h: &Hash, now: i64) -> bool {
    let live: Vec<(&Vec<u8>, &Vec<u8>, Option<i64>)> = h
        .iter()
        .map(|(f, v)| (f, v, h.expire_at(f)))
        .filter(|(_, _, at)| at.is_none_or(|at| at > now))
        .collect();
    if live.is_empty() {
        return false;
    }
    if live.iter().all(|(_, _, at)| at.is_none()) {
        w.batches(b"HMSET", key, live.len(), 2, live.iter(), |w, (f, v, _)| {
            w.bulk(f);
            w.bulk(v);
        });
        return true;
    }
    // Redis 7.4 writes a hash with field TTLs a field at a time.
    for (field, value, at) in live {
        w.command(&[b"HMSET", key, field, value]);
        if let Some(at) = at {
            w.count(6);
            w.bulk(b"HPEXPIREAT");
            w.bulk(key);
            w.int(at);
            w.bulk(b"FIELDS");
            w.bulk(b"1");
            w.bulk(field);
        }
    }
    true
}

fn write_stream(w: &mut Writer, key: &[u8], s: &Stream) {
    if s.is_empty() {
        // An empty stream is made by adding an entry and trimming it away.
        w.command(&[b"XADD", key, b"MAXLEN", b"0", b"0-1", b"x", b"y"]);
    } else {
        for (id, fields) in s.range(StreamId::ZERO, StreamId::MAX) {
            w.count(3 + fields.len());
            w.bulk(b"XADD");
            w.bulk(key);
            w.id(*id);
            for piece in fields {
                w.bulk(piece);
            }
        }
    }
    w.count(7);
    w.bulk(b"XSETID");
    w.bulk(key);
    w.id(s.last_id);
    w.bulk(b"ENTRIESADDED");
    w.int(i64::try_from(s.entries_added).unwrap_or(i64::MAX));
    w.bulk(b"MAXDELETEDID");
    w.id(s.max_deleted_id);
    for (name, group) in &s.groups {
        w.count(7);
        w.bulk(b"XGROUP");
        w.bulk(b"CREATE");
        w.bulk(key);
        w.bulk(name);
        w.id(group.last_id);
        w.bulk(b"ENTRIESREAD");
        // Redis's "unknown" read counter is -1.
        w.int(
            group
                .entries_read
                .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX)),
        );
        for (consumer_name, consumer) in &group.consumers {
            if consumer.pending.is_empty() {
                w.command(&[b"XGROUP", b"CREATECONSUMER", key, name, consumer_name]);
                continue;
            }
            for id in &consumer.pending {
                let (time, count) = group
                    .pending
                    .get(id)
                    .map_or((0, 0), |p| (p.delivery_time, p.delivery_count));
                w.count(12);
                w.bulk(b"XCLAIM");
                w.bulk(key);
                w.bulk(name);
                w.bulk(consumer_name);
                w.bulk(b"0");
                w.id(*id);
                w.bulk(b"TIME");
                w.int(time);
                w.bulk(b"RETRYCOUNT");
                w.int(i64::try_from(count).unwrap_or(i64::MAX));
                w.bulk(b"JUSTID");
                w.bulk(b"FORCE");
            }
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Commands run (MULTI, EXEC and the queued ones each count).
    pub commands: usize,
    /// How many answered an error (errors inside an EXEC's reply each
    /// count) or would have blocked.
    pub failed: usize,
    /// The first [`MAX_REPORTED_ERRORS`] of those.
    pub errors: Vec<CommandError>,
    /// Keys in all databases after the import.
    pub keys: usize,
}

/// One command of an imported stream that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    /// Where the command starts in the stream.
    pub offset: usize,
    /// Its name, as written.
    pub command: String,
    /// The error reply (or why it could not run).
    pub error: String,
}

/// Why a stream was not imported. The dataset is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AofError {
    /// The stream ends inside a command.
    Truncated { offset: usize },
    /// Something other than a well-formed multibulk command at `offset`.
    Format { offset: usize, reason: String },
    /// A command the engine does not know (Redis stops loading there too).
    UnknownCommand { offset: usize, name: String },
    /// MULTI at `offset` has no EXEC or DISCARD before the end.
    UnfinishedMulti { offset: usize },
    /// The stream starts with an RDB file (`aof-use-rdb-preamble yes`).
    RdbPreamble,
}

impl fmt::Display for AofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AofError::Truncated { offset } => write!(
                f,
                "AOF is truncated: the command at byte {offset} is cut off"
            ),
            AofError::Format { offset, reason } => {
                write!(f, "bad AOF format at byte {offset}: {reason}")
            }
            AofError::UnknownCommand { offset, name } => {
                write!(f, "unknown command '{name}' in the AOF at byte {offset}")
            }
            AofError::UnfinishedMulti { offset } => write!(
                f,
                "AOF ends inside the transaction started by MULTI at byte {offset}"
            ),
            AofError::RdbPreamble => write!(
                f,
                "AOF starts with an RDB preamble: load that part as a snapshot"
            ),
        }
    }
}

impl std::error::Error for AofError {}

/// Text of a command name for messages: lossy, at most 64 bytes.
fn name_text(name: &[u8]) -> String {
    String::from_utf8_lossy(name.get(..64).unwrap_or(name)).into_owned()
}

/// Errors in a reply: itself, or the elements of an EXEC's array, told
/// by their position in the transaction.
fn reply_errors(reply: &Reply) -> Vec<(Option<usize>, String)> {
    match reply {
        Reply::Error(text) => vec![(None, text.clone())],
        Reply::Array(items) | Reply::Frames(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Reply::Error(text) => Some((Some(i), text.clone())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the client has a MULTI open.
fn in_multi(engine: &mut Engine, client: crate::ClientId) -> bool {
    engine
        .server_mut()
        .clients
        .get(&client)
        .is_some_and(|c| c.multi.is_some())
}

/// A scratch engine with `live`'s parameters, for loading into.
fn scratch_engine(live: &Server) -> Engine {
    let mut engine = Engine::new(Config {
        databases: live.dbs.len(),
        now_ms: live.now_ms,
        ..live.config.clone()
    });
    let server = engine.server_mut();
    server.params = live.params.clone();
    // Loading neither evicts nor asks for a password; nobody listens to
    // the scratch engine's events. Each of these is a valid setting.
    let _ = server.params.set(&[
        b"maxmemory",
        b"0",
        b"requirepass",
        b"",
        b"notify-keyspace-events",
        b"",
    ]);
    crate::commands::mirror_config(server);
    engine
}

/// Runs an AOF stream into a fresh dataset and, if it is sound, makes
/// that the live one (see the module's notes).
pub fn import(live: &mut Server, bytes: &[u8]) -> Result<ImportSummary, AofError> {
    if bytes.starts_with(b"REDIS") {
        return Err(AofError::RdbPreamble);
    }
    let limits = RequestLimits {
        max_bulk_len: live.config.proto_max_bulk_len,
    };
    let mut scratch = scratch_engine(live);
    let mut client = scratch.connect();
    let mut summary = ImportSummary::default();
    let mut multi_at = None;
    // Offset and name of each command queued in the open transaction.
    let mut queued: Vec<(usize, String)> = Vec::new();
    let mut pos = 0;
    while let Some(rest) = bytes.get(pos..).filter(|r| !r.is_empty()) {
        if rest.first() == Some(&b'#') {
            // An annotation line (Redis's `#TS:...`): skipped.
            pos += rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |n| n + 1);
            continue;
        }
        if rest.first() != Some(&b'*') {
            return Err(AofError::Format {
                offset: pos,
                reason: "expected '*' (a multibulk command)".to_string(),
            });
        }
        let (argv, used) = match parse_request(rest, &limits) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => return Err(AofError::Truncated { offset: pos }),
            Err(err) => {
                return Err(AofError::Format {
                    offset: pos,
                    reason: err.to_string(),
                })
            }
        };
        let Some(name) = argv.first() else {
            return Err(AofError::Format {
                offset: pos,
                reason: "a command without arguments".to_string(),
            });
        };
        if scratch.commands().get(name).is_none() {
            return Err(AofError::UnknownCommand {
                offset: pos,
                name: name_text(name),
            });
        };
        let reply = scratch.execute(client, &argv);
        summary.commands += 1;
        let mut errors = Vec::new();
        for (index, error) in reply_errors(&reply) {
            // An error in EXEC's reply belongs to the command queued there.
            let queued_at = index.and_then(|i| queued.get(i));
            errors.push(match queued_at {
                Some((at, command)) => (*at, command.clone(), error),
                None => (pos, name_text(name), error),
            });
        }
        if scratch.is_blocked(client) {
            // A blocking command with nothing to serve it: it would wait
            // forever. A new client goes on in the same database.
            let error = "the command blocked and was abandoned".to_string();
            errors.push((pos, name_text(name), error));
            let db = scratch.selected_db(client);
            scratch.disconnect(client);
            client = scratch.connect();
            scratch.execute(client, &[b"SELECT".to_vec(), db.to_string().into_bytes()]);
        }
        for (offset, command, error) in errors {
            summary.failed += 1;
            if summary.errors.len() < MAX_REPORTED_ERRORS {
                summary.errors.push(CommandError {
                    offset,
                    command,
                    error,
                });
            }
        }
        if in_multi(&mut scratch, client) {
            multi_at.get_or_insert(pos);
            if matches!(&reply, Reply::Status(s) if s == "QUEUED") {
                queued.push((pos, name_text(name)));
            }
        } else {
            multi_at = None;
            queued.clear();
        }
        pos += used;
    }
    if let Some(offset) = multi_at {
        return Err(AofError::UnfinishedMulti { offset });
    }
    let fresh = std::mem::take(&mut scratch.server_mut().dbs);
    install(live, fresh);
    summary.keys = live.dbs.iter().map(Db::len).sum();
    Ok(summary)
}

/// Makes `fresh` the live databases, as a snapshot load does: WATCHers of
/// the old data are doomed, per-database statistics carry over, clients
/// blocked on keys that now hold data are served.
fn install(server: &mut Server, mut fresh: Vec<Db>) {
    for index in 0..server.dbs.len() {
        crate::multi::touch_db(server, None, index, None);
    }
    for (old, new) in server.dbs.iter().zip(fresh.iter_mut()) {
        new.stats = old.stats;
    }
    fresh.resize_with(server.dbs.len(), Db::default);
    server.set_dbs(fresh);
    crate::blocking::note_replaced_dataset(server);
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn engine() -> (Engine, crate::ClientId) {
        let mut e = Engine::new(Config::default());
        let c = e.connect();
        (e, c)
    }

    fn run(e: &mut Engine, c: crate::ClientId, line: &str) -> Reply {
        e.execute_line(c, line).expect("a command")
    }

    #[test]
    fn lists_are_written_in_batches_of_64() {
        let (mut e, c) = engine();
        let items: Vec<String> = (0..130).map(|i| i.to_string()).collect();
        run(&mut e, c, &format!("RPUSH l {}", items.join(" ")));
        let out = e.export_aof();
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"));
        // 64 + 64 + 2 items: three RPUSHes of 66, 66 and 4 arguments.
        assert_eq!(text.matches("RPUSH").count(), 3);
        assert!(text.contains("*66\r\n$5\r\nRPUSH"));
        assert!(text.contains("*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$3\r\n128\r\n$3\r\n129\r\n"));
    }

    #[test]
    fn scores_are_printed_with_17_digits() {
        let (mut e, c) = engine();
        run(&mut e, c, "ZADD z 1.1 a inf b -0 c");
        let text = String::from_utf8_lossy(&e.export_aof()).into_owned();
        assert!(
            text.contains("$18\r\n1.1000000000000001\r\n$1\r\na\r\n"),
            "{text}"
        );
        assert!(text.contains("$3\r\ninf\r\n$1\r\nb\r\n"), "{text}");
        // A listpack sorted set holds -0 as 0, as Redis 7.0's does.
        assert!(text.contains("$1\r\n0\r\n$1\r\nc\r\n"), "{text}");
    }

    #[test]
    fn an_empty_engine_writes_nothing() {
        let (e, _) = engine();
        assert!(e.export_aof().is_empty());
    }

    #[test]
    fn expired_keys_and_fields_are_left_out() {
        let (mut e, c) = engine();
        e.set_time(1_000_000);
        run(&mut e, c, "SET gone x PX 10");
        run(&mut e, c, "SET kept y PX 100000");
        run(&mut e, c, "HSET h a 1 b 2");
        run(&mut e, c, "HPEXPIRE h 10 FIELDS 1 a");
        e.set_time(1_000_050);
        let text = String::from_utf8_lossy(&e.export_aof()).into_owned();
        assert!(!text.contains("gone"), "{text}");
        assert!(text.contains("$9\r\nPEXPIREAT\r\n$4\r\nkept\r\n$7\r\n1100000\r\n"));
        assert!(text.contains("*4\r\n$5\r\nHMSET\r\n$1\r\nh\r\n$1\r\nb\r\n$1\r\n2\r\n"));
        assert!(!text.contains("HPEXPIREAT"), "{text}");
    }

    #[test]
    fn import_replaces_the_dataset() {
        let (mut e, c) = engine();
        run(&mut e, c, "SET old 1");
        let stream = b"*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
        let summary = e.import_aof(stream).expect("imports");
        assert_eq!(summary.commands, 2);
        assert_eq!(summary.failed, 0);
        assert_eq!(summary.keys, 1);
        assert_eq!(e.dbsize(0), 0);
        assert_eq!(e.dbsize(2), 1);
    }

    #[test]
    fn bad_streams_change_nothing() {
        let (mut e, c) = engine();
        run(&mut e, c, "SET old 1");
        let good = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
        for cut in 1..good.len() {
            assert_eq!(
                e.import_aof(&good[..cut]),
                Err(AofError::Truncated { offset: 0 }),
                "cut at {cut}"
            );
        }
        let cases: &[&[u8]] = &[
            b"SET a b\r\n",
            b"*1\r\n$3\r\nFOO\r\n",
            b"*0\r\n",
            b"*1\r\nx3\r\nFOO\r\n",
            b"*2\r\n$5\r\nMULTI\r\n",
            b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
            b"REDIS0010garbage",
        ];
        for case in cases {
            assert!(
                e.import_aof(case).is_err(),
                "{:?}",
                String::from_utf8_lossy(case)
            );
        }
        assert_eq!(e.dbsize(0), 1);
        assert_eq!(run(&mut e, c, "GET old"), Reply::Bulk(b"1".to_vec()));
    }
}
