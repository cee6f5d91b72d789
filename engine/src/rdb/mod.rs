//! Redis's RDB format: snapshots of the whole dataset (SAVE, BGSAVE,
//! `Engine::snapshot` / `Engine::load_snapshot`) and single values (DUMP,
//! RESTORE), byte-compatible with Redis 7.0 in both directions.
//!
//! - [`write`]: files and DUMP payloads in the encodings Redis 7.0.15
//!   writes (RDB version 10; 12 only when hash fields have TTLs).
//! - [`read`]: files of versions 9 to 12 and DUMP payloads, including the
//!   older blob types Redis 7 still loads (ziplists, quicklist v1, zipmap
//!   excepted). Reading builds new databases; the live dataset is replaced
//!   only once the whole file parsed and its checksum matched.
//! - [`listpack`], [`intset`], [`ziplist`], [`lzf`]: the nested blobs.
//!
//! A file: `REDIS0010`, aux fields, per database SELECTDB and RESIZEDB, per
//! key optional EXPIRETIME_MS and IDLE/FREQ, the type byte, the key, the
//! value; EOF and a CRC-64 (Jones, as `crc64.rs`) of everything before it.

pub mod intset;
pub mod listpack;
pub mod lzf;
mod read;
mod write;
pub mod ziplist;

use std::fmt;

use crate::db::Db;
use crate::engine::Server;
use crate::evict::clock;
use crate::types::{EncodingLimits, Value};

/// The version Redis 7.0 writes, and ours unless hash fields have TTLs.
pub const RDB_VERSION: u16 = 10;
/// Redis 7.4's version, needed for hash field TTLs.
pub const RDB_VERSION_FIELD_TTLS: u16 = 12;
/// The versions we read: Redis 5.0's 9 to Redis 7.4's 12.
pub const MIN_VERSION: u16 = 9;
pub const MAX_VERSION: u16 = 12;

/// Value type bytes (`RDB_TYPE_*`).
pub(crate) mod rdb_type {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE_PRE_GA: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
    pub const SET_LISTPACK: u8 = 20;
    pub const STREAM_LISTPACKS_3: u8 = 21;
    pub const HASH_METADATA_PRE_GA: u8 = 22;
    pub const HASH_LISTPACK_EX_PRE_GA: u8 = 23;
    pub const HASH_METADATA: u8 = 24;
    pub const HASH_LISTPACK_EX: u8 = 25;
}

/// Opcodes between keys (`RDB_OPCODE_*`).
pub(crate) mod opcode {
    pub const SLOT_INFO: u8 = 244;
    pub const FUNCTION2: u8 = 245;
    pub const FUNCTION_PRE_GA: u8 = 246;
    pub const MODULE_AUX: u8 = 247;
    pub const IDLE: u8 = 248;
    pub const FREQ: u8 = 249;
    pub const AUX: u8 = 250;
    pub const RESIZEDB: u8 = 251;
    pub const EXPIRETIME_MS: u8 = 252;
    pub const EXPIRETIME: u8 = 253;
    pub const SELECTDB: u8 = 254;
    pub const EOF: u8 = 255;
}

/// Why a snapshot was not loaded. Nothing changed when this is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// It does not start with `REDIS` and four digits.
    NotRdb,
    /// A version we do not read (only 9 to 12).
    Version(u16),
    /// Too short to hold the EOF opcode and checksum: cut off.
    Truncated,
    /// The CRC-64 at the end does not match the content.
    Checksum,
    /// The content is malformed at `offset` (from the file's start).
    Corrupt { offset: usize, reason: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotRdb => write!(f, "not an RDB file (no REDISnnnn signature)"),
            LoadError::Version(v) => write!(
                f,
                "RDB version {v} is not supported (versions {MIN_VERSION} to {MAX_VERSION} are)"
            ),
            LoadError::Truncated => write!(f, "RDB file is truncated (no EOF marker and checksum)"),
            LoadError::Checksum => write!(f, "RDB checksum mismatch: the file is damaged"),
            LoadError::Corrupt { offset, reason } => {
                write!(f, "RDB file is corrupt at byte {offset}: {reason}")
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// What SAVE and BGSAVE leave for the host, and LASTSAVE's answer.
#[derive(Debug, Clone, Default)]
pub struct Persistence {
    /// Unix seconds of the last successful save (at start: the start time,
    /// as Redis reports before its first save).
    pub last_save_s: i64,
    /// The last snapshot SAVE or BGSAVE made, until the host takes it.
    pub pending: Option<Vec<u8>>,
    /// Changes since the last save (INFO's rdb_changes_since_last_save):
    /// one per keyspace event a command emits, which is Redis's count for
    /// single-key, single-element writes (Redis counts every element of a
    /// multi-element write).
    pub changes: u64,
    /// Snapshots made since the start (rdb_saves).
    pub saves: u64,
    /// Whether a background save (BGSAVE, or one the `save` policy
    /// started) has happened: rdb_last_bgsave_time_sec is -1 until then.
    pub bgsaved: bool,
    /// Keys the last load (a snapshot the host loaded, DEBUG RELOAD) kept
    /// and dropped as already expired: rdb_last_load_keys_loaded and
    /// rdb_last_load_keys_expired.
    pub last_load_keys_loaded: u64,
    pub last_load_keys_expired: u64,
}

impl Persistence {
    pub fn new(now_ms: i64) -> Persistence {
        Persistence {
            last_save_s: now_ms.div_euclid(1000),
            pending: None,
            changes: 0,
            saves: 0,
            bgsaved: false,
            last_load_keys_loaded: 0,
            last_load_keys_expired: 0,
        }
    }
}

/// Redis's `objectSetLRUOrLFU`: under an LFU policy a given frequency
/// becomes the key's counter (decremented now); otherwise a given idle
/// time sets its LRU clock that many seconds back. The other is ignored.
pub(crate) fn set_access(
    db: &mut Db,
    key: &[u8],
    mode: clock::Mode,
    idle_s: Option<u64>,
    freq: Option<u8>,
    now: i64,
) {
    if let Some(bits) = access_bits(mode, idle_s, freq, now) {
        db.set_eviction_bits(key, bits);
    }
}

/// The eviction bits an IDLE or FREQ field gives a key under `mode`, if
/// the mode keeps that kind.
pub(crate) fn access_bits(
    mode: clock::Mode,
    idle_s: Option<u64>,
    freq: Option<u8>,
    now: i64,
) -> Option<u32> {
    match (mode, idle_s, freq) {
        (clock::Mode::Lfu { .. }, _, Some(f)) => {
            let minutes = clock::initial(mode, now) & !0xff;
            Some(minutes | u32::from(f))
        }
        (clock::Mode::Lru, Some(idle), _) => Some(clock::idle_since(idle, now)),
        _ => None,
    }
}

fn write_options(server: &Server) -> write::Options {
    write::Options {
        compress: server.params.text("rdbcompression") != "no",
        access: write::Access::for_policy(&server.params.text("maxmemory-policy")),
        max_intset_entries: server.limits.set_max_intset_entries,
        now_ms: server.now_ms,
        used_mem: crate::memory::totals(&server.dbs).used,
        functions: function_codes(server),
    }
}

/// The loaded function libraries' code, which files carry.
fn function_codes(server: &Server) -> Vec<Vec<u8>> {
    #[cfg(feature = "scripting")]
    {
        let functions = server.scripting.functions.libraries();
        functions.map(|l| l.code.clone()).collect()
    }
    #[cfg(not(feature = "scripting"))]
    {
        let _ = server;
        Vec::new()
    }
}

/// Puts a loaded file's libraries in place of the loaded ones (a load
/// replaces functions as it replaces keys), all or nothing.
fn install_functions(server: &mut Server, codes: Vec<Vec<u8>>) -> Result<(), LoadError> {
    let refused = |reason: String| LoadError::Corrupt { offset: 0, reason };
    #[cfg(feature = "scripting")]
    {
        let policy = crate::scripting::RestorePolicy::Flush;
        server
            .scripting
            .functions
            .restore(codes, policy)
            .map_err(|e| refused(format!("a function library does not load: {e}")))
    }
    #[cfg(not(feature = "scripting"))]
    {
        let _ = server;
        if codes.is_empty() {
            Ok(())
        } else {
            Err(refused(
                "function libraries need scripting, which this build lacks".to_string(),
            ))
        }
    }
}

/// The whole dataset as an RDB file.
pub fn snapshot(server: &Server) -> Vec<u8> {
    write::file(&server.dbs, &write_options(server))
}

/// SAVE / BGSAVE: writes the snapshot (`write_dump`) and counts it in
/// rdb_saves.
pub fn save(server: &mut Server) {
    write_dump(server);
    server.persistence.saves += 1;
}

/// What Redis's `rdbSave` does to dump.rdb, for every save including
/// DEBUG RELOAD's (which rdb_saves does not count): the snapshot waits for
/// the host to collect, LASTSAVE becomes now and the count of changes
/// since the last save restarts. Returns the snapshot.
pub fn write_dump(server: &mut Server) -> Vec<u8> {
    let bytes = snapshot(server);
    let persistence = &mut server.persistence;
    persistence.pending = Some(bytes.clone());
    persistence.last_save_s = server.now_ms.div_euclid(1000);
    persistence.changes = 0;
    bytes
}

/// Redis's cron check of the `save` policy: a background save starts when
/// some point's change count has been reached and more than its seconds
/// have passed since the last save. True if it saved (the snapshot waits
/// for `Engine::take_snapshot`).
pub fn save_if_due(server: &mut Server) -> bool {
    let p = &server.persistence;
    let since_s = server.now_ms.div_euclid(1000) - p.last_save_s;
    let due = server
        .params
        .save_points()
        .iter()
        .any(|&(seconds, changes)| {
            p.changes >= u64::try_from(changes).unwrap_or(u64::MAX) && since_s > seconds
        });
    if due {
        save(server);
        server.persistence.bgsaved = true;
    }
    due
}

/// Replaces every database with a snapshot's content, all or nothing.
/// Transactions watching keys of the old data are doomed, as after
/// FLUSHALL, and clients blocked on keys that now hold data are served.
/// INFO's rdb_last_load_keys_* count what this load kept and dropped.
pub fn load_snapshot(server: &mut Server, bytes: &[u8]) -> Result<(), LoadError> {
    let mode = crate::evict::access_mode(&server.params);
    let mut loaded = read::file(bytes, server.dbs.len(), &server.limits, mode, server.now_ms)?;
    install_functions(server, std::mem::take(&mut loaded.functions))?;
    for index in 0..server.dbs.len() {
        crate::multi::touch_db(server, None, index, None);
    }
    for (old, new) in server.dbs.iter().zip(loaded.dbs.iter_mut()) {
        new.stats = old.stats;
    }
    server.set_dbs(loaded.dbs);
    server.persistence.last_load_keys_loaded = loaded.keys_loaded;
    server.persistence.last_load_keys_expired = loaded.keys_expired;
    crate::blocking::note_replaced_dataset(server);
    Ok(())
}

/// A DUMP payload of `value`.
pub fn dump(value: &Value, limits: &EncodingLimits) -> Vec<u8> {
    write::dump(value, limits.set_max_intset_entries)
}

/// FUNCTION DUMP's payload: each library's code as a FUNCTION2 record,
/// then the footer every DUMP payload has.
#[cfg(feature = "scripting")]
pub fn dump_functions<'a>(codes: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = write::Out::new(true);
    for code in codes {
        out.byte(opcode::FUNCTION2);
        out.string(code);
    }
    out.buf.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crate::crc64::update(0, &out.buf);
    out.buf.extend_from_slice(&crc.to_le_bytes());
    out.buf
}

/// The libraries' code in a FUNCTION DUMP payload, or Redis's error text.
#[cfg(feature = "scripting")]
pub fn restore_functions(payload: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let body = payload_body(payload)
        .ok_or_else(|| "ERR DUMP payload version or checksum are wrong".to_string())?;
    let mut r = read::Reader::new(body);
    let mut codes = Vec::new();
    while !r.at_end() {
        let ty = r
            .byte()
            .map_err(|_| "ERR can not read data type".to_string())?;
        if ty != opcode::FUNCTION2 {
            return Err("ERR given type is not a function".to_string());
        }
        let code = r
            .string()
            .map_err(|_| "ERR failed loading the given functions payload".to_string())?;
        codes.push(code);
    }
    Ok(codes)
}

/// Why RESTORE refused a payload: Redis tells these two apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreError {
    /// Too short, a newer version than we read, or the CRC-64 is wrong.
    VersionOrChecksum,
    /// The checksum matched but the value does not parse (or is empty).
    BadFormat,
}

/// A DUMP payload's body, once the footer's version (2 bytes LE, at most
/// 12) and CRC-64 (8 bytes LE) check out.
fn payload_body(payload: &[u8]) -> Option<&[u8]> {
    let body_len = payload.len().checked_sub(10)?;
    let footer = payload.get(body_len..)?;
    let version = u16::from_le_bytes([*footer.first()?, *footer.get(1)?]);
    if version > MAX_VERSION {
        return None;
    }
    let checked = payload.get(..body_len + 2)?;
    let mut crc = [0u8; 8];
    crc.copy_from_slice(footer.get(2..10)?);
    if crate::crc64::update(0, checked) != u64::from_le_bytes(crc) {
        return None;
    }
    payload.get(..body_len)
}

/// Reads a DUMP payload: the value, checked against its footer first.
pub fn restore(payload: &[u8], limits: &EncodingLimits, now: i64) -> Result<Value, RestoreError> {
    payload_body(payload).ok_or(RestoreError::VersionOrChecksum)?;
    match read::payload_value(payload, limits, now) {
        Ok(Some(value)) => Ok(value),
        _ => Err(RestoreError::BadFormat),
    }
}
