//! Looking at keys from outside, as the playground's key browser and
//! visualizers do: without running a command, so nothing is counted (no
//! keyspace hit or miss, no access time, no MONITOR line, no statistics)
//! and nothing expires as a side effect. Keys whose TTL has passed but
//! which expiry has not reclaimed yet are shown as absent.

use crate::db::Db;
use crate::memory;
use crate::types::stream::StreamId;
use crate::types::Value;

/// One line of the key browser.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySummary {
    pub key: Vec<u8>,
    /// What TYPE reports.
    pub kind: &'static str,
    /// What OBJECT ENCODING reports.
    pub encoding: &'static str,
    /// Milliseconds to live, if the key has a TTL.
    pub ttl_ms: Option<i64>,
    /// What MEMORY USAGE reports.
    pub memory: usize,
    /// Elements (a string's length in bytes).
    pub len: usize,
}

/// A key's value, at most `limit` elements of it (ranked, in order, or
/// the first ones), for a visualizer.
#[derive(Debug, Clone, PartialEq)]
pub enum Contents {
    String(Vec<u8>),
    List(Vec<Vec<u8>>),
    /// Fields with their values and expiry times (unix ms).
    Hash(Vec<(Vec<u8>, Vec<u8>, Option<i64>)>),
    Set(Vec<Vec<u8>>),
    /// Members lowest score first.
    ZSet(Vec<(Vec<u8>, f64)>),
    Stream(StreamView),
}

/// A stream entry: its ID and field-value pairs.
pub type StreamEntry = (String, Vec<(Vec<u8>, Vec<u8>)>);

#[derive(Debug, Clone, PartialEq)]
pub struct StreamView {
    /// Oldest first.
    pub entries: Vec<StreamEntry>,
    pub last_id: String,
    pub groups: Vec<GroupView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    pub name: Vec<u8>,
    pub last_delivered: String,
    /// Pending entries: ID, consumer, delivery count.
    pub pending: Vec<(String, Vec<u8>, u64)>,
    pub consumers: Vec<Vec<u8>>,
}

/// The stored, unexpired value of `key`.
fn live<'a>(db: &'a Db, key: &[u8], now_ms: i64) -> Option<&'a Value> {
    if db.expire_at(key).is_some_and(|at| at <= now_ms) {
        return None;
    }
    db.value(key)
}

/// The key browser's line for `key`.
pub fn summary(db: &Db, key: &[u8], now_ms: i64) -> Option<KeySummary> {
    let value = live(db, key, now_ms)?;
    let len = match value {
        Value::String(s) => s.len(),
        Value::List(l) => l.len(),
        Value::Hash(h) => h.len(),
        Value::Set(s) => s.len(),
        Value::ZSet(z) => z.len(),
        Value::Stream(s) => s.len(),
    };
    Some(KeySummary {
        key: key.to_vec(),
        kind: value.type_name(),
        encoding: value.encoding(),
        ttl_ms: db.expire_at(key).map(|at| at - now_ms),
        memory: memory::key_usage(key, value, memory::DEFAULT_SAMPLES),
        len,
    })
}

fn id_text(id: StreamId) -> String {
    String::from_utf8_lossy(&id.to_bytes()).into_owned()
}

/// Up to `limit` elements of `key`'s value.
pub fn contents(db: &Db, key: &[u8], now_ms: i64, limit: usize) -> Option<Contents> {
    let value = live(db, key, now_ms)?;
    Some(match value {
        Value::String(s) => Contents::String(s.as_bytes().into_owned()),
        Value::List(l) => Contents::List(l.iter().take(limit).cloned().collect()),
        Value::Hash(h) => Contents::Hash(
            h.iter()
                .take(limit)
                .map(|(f, v)| (f.clone(), v.clone(), h.expire_at(f)))
                .collect(),
        ),
        Value::Set(s) => Contents::Set(s.iter().take(limit).map(|m| m.into_owned()).collect()),
        Value::ZSet(z) => Contents::ZSet(
            z.range(0, z.len().min(limit))
                .map(|(m, score)| (m.to_vec(), score))
                .collect(),
        ),
        Value::Stream(s) => {
            let entries = s
                .range(StreamId::new(0, 0), StreamId::new(u64::MAX, u64::MAX))
                .take(limit)
                .map(|(id, fields)| {
                    let pairs = fields
                        .chunks_exact(2)
                        .filter_map(|pair| match pair {
                            [field, value] => Some((field.clone(), value.clone())),
                            _ => None,
                        })
                        .collect();
                    (id_text(*id), pairs)
                })
                .collect();
            let groups = s
                .groups
                .iter()
                .map(|(name, g)| GroupView {
                    name: name.clone(),
                    last_delivered: id_text(g.last_id),
                    pending: g
                        .pending
                        .iter()
                        .take(limit)
                        .map(|(id, p)| (id_text(*id), p.consumer.clone(), p.delivery_count))
                        .collect(),
                    consumers: g.consumers.keys().cloned().collect(),
                })
                .collect();
            Contents::Stream(StreamView {
                entries,
                last_id: id_text(s.last_id),
                groups,
            })
        }
    })
}

/// INFO's essentials for a server panel, read without running INFO (so
/// nothing is counted and no client sees a command).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerStats {
    /// used_memory.
    pub used_memory: usize,
    /// maxmemory (0: no limit).
    pub maxmemory: u64,
    /// Keys in all databases.
    pub keys: usize,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub expired_keys: u64,
    pub evicted_keys: u64,
    pub connected_clients: usize,
    pub total_commands_processed: u64,
}

/// The figures INFO would print now (settling pending memory sizes first,
/// as INFO does).
pub fn server_stats(server: &mut crate::engine::Server, connected_clients: usize) -> ServerStats {
    let used_memory = server.memory_overview().used;
    let (hits, misses, expired) = server.dbs.iter().fold((0, 0, 0), |acc, db| {
        (
            acc.0 + db.stats.hits,
            acc.1 + db.stats.misses,
            acc.2 + db.stats.expired,
        )
    });
    ServerStats {
        used_memory,
        maxmemory: u64::try_from(server.params.int(crate::config::names::MAXMEMORY)).unwrap_or(0),
        keys: server.dbs.iter().map(Db::len).sum(),
        keyspace_hits: hits,
        keyspace_misses: misses,
        expired_keys: expired,
        evicted_keys: server.stats.evicted_keys,
        connected_clients,
        total_commands_processed: server.stats.total_commands_processed,
    }
}
