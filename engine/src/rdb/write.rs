//! Writing RDB: whole files (SAVE, `Engine::snapshot`) and single values
//! (DUMP), in the encodings Redis 7.0.15 writes, so real Redis loads them
//! and the bytes come out as Redis's own for the same data (LZF output
//! aside: any valid LZF stream is accepted, ours is not liblzf's).
//!
//! What 7.0 cannot express picks the nearest thing it can: a set the
//! engine keeps as a listpack (a 7.2 encoding) is written as an intset if
//! its members are all integers and few enough, else as a plain set;
//! consumers' active time (7.2+) is not written. Hash fields with TTLs
//! (Redis 7.4) have no 7.0 form: those hashes are written as RDB 12's
//! HASH_LISTPACK_EX / HASH_METADATA and the file (or DUMP payload) then says
//! version 12, which only Redis 7.4+ loads. Without field TTLs it is 10.

use super::{intset, listpack, lzf, opcode, rdb_type, RDB_VERSION, RDB_VERSION_FIELD_TTLS};
use crate::crc64;
use crate::db::Db;
use crate::number::{format_g17, parse_i64};
use crate::types::stream::StreamId;
use crate::types::{Hash, List, Set, Stream, Value, ZSet};

/// How a file is written: the parameters that change its bytes.
#[derive(Debug, Clone)]
pub struct Options {
    /// `rdbcompression`: LZF for strings longer than 20 bytes.
    pub compress: bool,
    /// Which access information each key carries (from `maxmemory-policy`).
    pub access: Access,
    /// Most set members an intset may hold (`set-max-intset-entries`).
    pub max_intset_entries: usize,
    /// Unix ms, for the `ctime` aux field and idle times.
    pub now_ms: i64,
    /// The `used-mem` aux field: used_memory in the memory model.
    pub used_mem: usize,
    /// Function libraries' code, written before the databases.
    pub functions: Vec<Vec<u8>>,
}

/// Redis writes each key's idle time under an LRU policy, its LFU counter
/// under an LFU policy, neither otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    None,
    Idle,
    Freq,
}

impl Access {
    pub fn for_policy(policy: &str) -> Access {
        if policy.contains("lru") {
            Access::Idle
        } else if policy.contains("lfu") {
            Access::Freq
        } else {
            Access::None
        }
    }
}

/// An output buffer with Redis's primitive encodings.
pub(super) struct Out {
    pub buf: Vec<u8>,
    compress: bool,
}

impl Out {
    pub fn new(compress: bool) -> Out {
        Out {
            buf: Vec::new(),
            compress,
        }
    }

    pub fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// A length: 6 bits, 14 bits, 32 bits or 64 bits (big endian after
    /// the first byte, as `rdbSaveLen`).
    pub fn len(&mut self, n: u64) {
        if n < 1 << 6 {
            self.buf.push(n as u8);
        } else if n < 1 << 14 {
            self.buf.push(0x40 | (n >> 8) as u8);
            self.buf.push((n & 0xff) as u8);
        } else if let Ok(n32) = u32::try_from(n) {
            self.buf.push(0x80);
            self.buf.extend_from_slice(&n32.to_be_bytes());
        } else {
            self.buf.push(0x81);
            self.buf.extend_from_slice(&n.to_be_bytes());
        }
    }

    fn usize(&mut self, n: usize) {
        self.len(n as u64);
    }

    /// A string the way `rdbSaveRawString` stores it: as an 8/16/32-bit
    /// integer when it is a short canonical one, LZF-compressed when longer
    /// than 20 bytes and that saves at least 4 bytes, else verbatim.
    pub fn string(&mut self, s: &[u8]) {
        if s.len() <= 11 {
            if let Some(n) = parse_i64(s) {
                if self.encoded_int(n) {
                    return;
                }
            }
        }
        if self.compress && s.len() > 20 {
            if let Some(packed) = lzf::compress(s, s.len() - 4) {
                self.buf.push(0xc0 | 3);
                self.usize(packed.len());
                self.usize(s.len());
                self.buf.extend_from_slice(&packed);
                return;
            }
        }
        self.usize(s.len());
        self.buf.extend_from_slice(s);
    }

    /// An integer value (`rdbSaveLongLongAsStringObject`): encoded when it
    /// fits 32 bits, else its decimal text.
    pub fn int_string(&mut self, n: i64) {
        if !self.encoded_int(n) {
            let text = n.to_string();
            self.usize(text.len());
            self.buf.extend_from_slice(text.as_bytes());
        }
    }

    fn encoded_int(&mut self, n: i64) -> bool {
        if let Ok(v) = i8::try_from(n) {
            self.buf.push(0xc0);
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else if let Ok(v) = i16::try_from(n) {
            self.buf.push(0xc1);
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else if let Ok(v) = i32::try_from(n) {
            self.buf.push(0xc2);
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else {
            return false;
        }
        true
    }

    pub fn millis(&mut self, ms: i64) {
        self.buf.extend_from_slice(&ms.to_le_bytes());
    }

    fn aux(&mut self, key: &str, value: &str) {
        self.byte(opcode::AUX);
        self.string(key.as_bytes());
        self.string(value.as_bytes());
    }
}

/// The RDB version a file or payload holding these values needs.
fn version_for<'a>(values: impl IntoIterator<Item = &'a Value>) -> u16 {
    let field_ttls = values
        .into_iter()
        .any(|v| matches!(v, Value::Hash(h) if h.has_ttls()));
    if field_ttls {
        RDB_VERSION_FIELD_TTLS
    } else {
        RDB_VERSION
    }
}

/// A whole RDB file of `dbs`, as SAVE writes it.
pub fn file(dbs: &[Db], options: &Options) -> Vec<u8> {
    let version = version_for(
        dbs.iter()
            .flat_map(|db| db.entries().map(|entry| entry.value))
            .collect::<Vec<_>>(),
    );
    let mut out = Out::new(options.compress);
    out.buf
        .extend_from_slice(format!("REDIS{version:04}").as_bytes());
    let mut body = Out::new(options.compress);
    for code in &options.functions {
        body.byte(opcode::FUNCTION2);
        body.string(code);
    }
    for (index, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        body.byte(opcode::SELECTDB);
        body.usize(index);
        body.byte(opcode::RESIZEDB);
        body.usize(db.len());
        body.usize(db.volatile_len());
        for entry in db.entries() {
            let (key, value) = (entry.key, entry.value);
            if let Some(at) = entry.expire_at {
                body.byte(opcode::EXPIRETIME_MS);
                body.millis(at);
            }
            match options.access {
                Access::Idle => {
                    let idle = entry.idle_seconds(options.now_ms);
                    body.byte(opcode::IDLE);
                    body.len(u64::try_from(idle).unwrap_or(0));
                }
                Access::Freq => {
                    // The counter after the decay it is owed (Redis's
                    // LFUDecrAndReturn).
                    let freq = entry.frequency(options.now_ms);
                    body.byte(opcode::FREQ);
                    body.byte(u8::try_from(freq).unwrap_or(u8::MAX));
                }
                Access::None => {}
            }
            body.byte(object_type(value, options.max_intset_entries));
            body.string(key);
            write_value(&mut body, value, options.max_intset_entries);
        }
    }
    // Aux fields in Redis 7.0's order; used-mem from the memory model.
    out.aux("redis-ver", "7.0.15");
    out.aux("redis-bits", "64");
    out.aux("ctime", &options.now_ms.div_euclid(1000).to_string());
    out.aux("used-mem", &options.used_mem.to_string());
    out.aux("aof-base", "0");
    out.buf.extend_from_slice(&body.buf);
    out.byte(opcode::EOF);
    let crc = crc64::update(0, &out.buf);
    out.buf.extend_from_slice(&crc.to_le_bytes());
    out.buf
}

/// A DUMP payload: the value's type and encoding, the RDB version (2 bytes
/// LE) and a CRC-64 of all that (8 bytes LE).
pub fn dump(value: &Value, max_intset_entries: usize) -> Vec<u8> {
    let mut out = Out::new(true);
    out.byte(object_type(value, max_intset_entries));
    write_value(&mut out, value, max_intset_entries);
    let version = version_for([value]);
    out.buf.extend_from_slice(&version.to_le_bytes());
    let crc = crc64::update(0, &out.buf);
    out.buf.extend_from_slice(&crc.to_le_bytes());
    out.buf
}

/// The RDB type byte a value is written with (`rdbSaveObjectType`).
fn object_type(value: &Value, max_intset_entries: usize) -> u8 {
    match value {
        Value::String(_) => rdb_type::STRING,
        Value::List(_) => rdb_type::LIST_QUICKLIST_2,
        Value::Set(set) if matches!(**set, Set::Ints(_)) => rdb_type::SET_INTSET,
        Value::Set(set) => match intset_members(set, max_intset_entries) {
            Some(_) => rdb_type::SET_INTSET,
            None => rdb_type::SET,
        },
        Value::ZSet(z) if z.encoding() == "listpack" => rdb_type::ZSET_LISTPACK,
        Value::ZSet(_) => rdb_type::ZSET_2,
        Value::Hash(h) => match (h.encoding() == "hashtable", h.has_ttls()) {
            (false, false) => rdb_type::HASH_LISTPACK,
            (false, true) => rdb_type::HASH_LISTPACK_EX,
            (true, false) => rdb_type::HASH,
            (true, true) => rdb_type::HASH_METADATA,
        },
        Value::Stream(_) => rdb_type::STREAM_LISTPACKS_2,
    }
}

/// A listpack set whose members are all integers, few enough for an
/// intset: written as one, since Redis 7.0 has no listpack sets. Sorted.
fn intset_members(set: &Set, max_intset_entries: usize) -> Option<Vec<i64>> {
    match set {
        Set::Pack(members) if members.len() <= max_intset_entries => {
            let mut ints: Vec<i64> = members
                .iter()
                .map(|m| parse_i64(m))
                .collect::<Option<_>>()?;
            ints.sort_unstable();
            Some(ints)
        }
        _ => None,
    }
}

/// The value's body (`rdbSaveObject`), matching `object_type`.
fn write_value(out: &mut Out, value: &Value, max_intset_entries: usize) {
    match value {
        Value::String(s) => match s.as_i64() {
            Some(n) if s.encoding() == "int" => out.int_string(n),
            _ => out.string(&s.as_bytes()),
        },
        Value::List(list) => write_list(out, list),
        Value::Set(set) => write_set(out, set, max_intset_entries),
        Value::ZSet(z) => write_zset(out, z),
        Value::Hash(h) => write_hash(out, h),
        Value::Stream(s) => write_stream(out, s),
    }
}

/// A quicklist of listpack nodes, split as the list model says Redis's
/// nodes are (plain nodes for elements too large for any listpack).
fn write_list(out: &mut Out, list: &List) {
    let mut shape = list.node_shape();
    if shape.iter().map(|&(n, _)| n).sum::<usize>() != list.len()
        || shape.iter().any(|&(n, _)| n == 0)
    {
        // The model and the elements disagree (never expected): fall back
        // to nodes of 128 elements, which any Redis loads.
        shape = (0..list.len())
            .step_by(128)
            .map(|start| ((list.len() - start).min(128), false))
            .collect();
    }
    out.usize(shape.len());
    let mut items = list.iter();
    for (count, plain) in shape {
        if plain && count == 1 {
            out.len(1); // QUICKLIST_NODE_CONTAINER_PLAIN
            if let Some(element) = items.next() {
                out.string(element);
            }
            continue;
        }
        out.len(2); // QUICKLIST_NODE_CONTAINER_PACKED
        let lp = listpack::encode(items.by_ref().take(count).map(Vec::as_slice));
        out.string(&lp);
    }
}

fn write_set(out: &mut Out, set: &Set, max_intset_entries: usize) {
    match set {
        Set::Ints(ints) => out.string(&intset::encode(ints)),
        _ => match intset_members(set, max_intset_entries) {
            Some(ints) => out.string(&intset::encode(&ints)),
            None => {
                out.usize(set.len());
                for member in set.iter() {
                    out.string(&member);
                }
            }
        },
    }
}

/// A score as Redis 7.0's `d2string` prints it into a listpack: exact
/// integers below 2^52 as integers, others as `%.17g`.
fn score_text(score: f64) -> String {
    const LIMIT: f64 = 4_503_599_627_370_496.0;
    if score == 0.0 {
        return if score.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    if score.is_finite() && score > -LIMIT && score < LIMIT && score.fract() == 0.0 {
        return (score as i64).to_string();
    }
    format_g17(score)
}

fn write_zset(out: &mut Out, z: &ZSet) {
    if z.encoding() == "listpack" {
        let mut w = listpack::Writer::new();
        for (member, score) in z.range(0, z.len()) {
            w.push(member);
            w.push(score_text(score).as_bytes());
        }
        out.string(&w.finish());
        return;
    }
    // Highest first, as Redis walks its skiplist backwards.
    out.usize(z.len());
    for rank in (0..z.len()).rev() {
        if let Some((member, score)) = z.at(rank) {
            out.string(member);
            out.buf.extend_from_slice(&score.to_le_bytes());
        }
    }
}

fn write_hash(out: &mut Out, h: &Hash) {
    let min_expire = h.iter().filter_map(|(f, _)| h.expire_at(f)).min();
    let hashtable = h.encoding() == "hashtable";
    match (hashtable, min_expire) {
        (false, None) => {
            let lp = listpack::encode(h.iter().flat_map(|(f, v)| [f.as_slice(), v.as_slice()]));
            out.string(&lp);
        }
        (false, Some(min)) => {
            out.millis(min);
            let mut w = listpack::Writer::new();
            for (f, v) in h.iter() {
                w.push(f);
                w.push(v);
                w.push_int(h.expire_at(f).unwrap_or(0));
            }
            out.string(&w.finish());
        }
        (true, None) => {
            out.usize(h.len());
            for (f, v) in h.iter() {
                out.string(f);
                out.string(v);
            }
        }
        (true, Some(min)) => {
            out.millis(min);
            out.usize(h.len());
            for (f, v) in h.iter() {
                let ttl = h.expire_at(f).map_or(0, |at| (at - min) as u64 + 1);
                out.len(ttl);
                out.string(f);
                out.string(v);
            }
        }
    }
}

/// A stream ID as the 16 big-endian bytes Redis keys its radix trees with.
fn raw_id(id: StreamId) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&id.ms.to_be_bytes());
    key[8..].copy_from_slice(&id.seq.to_be_bytes());
    key
}

/// Stream flags on each entry: its field names are the node's master ones.
const FLAG_SAMEFIELDS: i64 = 2;

/// One stream node's listpack: the master entry (live count, deleted
/// count, master field names, a 0 terminator), then each entry as flags,
/// ID deltas, fields (only values when they share the master's names) and
/// the entry's element count, which lets Redis walk it backwards.
fn stream_node(
    master: StreamId,
    master_fields: &[Vec<u8>],
    entries: &[(&StreamId, &Vec<Vec<u8>>)],
) -> Vec<u8> {
    let mut w = listpack::Writer::new();
    w.push_int(entries.len() as i64);
    w.push_int(0);
    w.push_int(master_fields.len() as i64);
    for f in master_fields {
        w.push(f);
    }
    w.push_int(0);
    for (id, fields) in entries {
        let names: Vec<&Vec<u8>> = fields.iter().step_by(2).collect();
        let same = names.len() == master_fields.len()
            && names.iter().zip(master_fields).all(|(a, b)| *a == b);
        w.push_int(if same { FLAG_SAMEFIELDS } else { 0 });
        w.push_int(id.ms.wrapping_sub(master.ms) as i64);
        w.push_int(id.seq.wrapping_sub(master.seq) as i64);
        let pairs = names.len() as i64;
        if same {
            for value in fields.iter().skip(1).step_by(2) {
                w.push(value);
            }
            w.push_int(pairs + 3);
        } else {
            w.push_int(pairs);
            for piece in fields.iter() {
                w.push(piece);
            }
            w.push_int(2 * pairs + 4);
        }
    }
    w.finish()
}

fn write_stream(out: &mut Out, s: &Stream) {
    let masters: Vec<(StreamId, &[Vec<u8>])> = s.node_masters().collect();
    let mut nodes = Vec::with_capacity(masters.len());
    for (i, &(master, fields)) in masters.iter().enumerate() {
        let end = masters.get(i + 1).map_or(StreamId::MAX, |&(next, _)| next);
        let entries: Vec<(&StreamId, &Vec<Vec<u8>>)> = s
            .range(master, end)
            .filter(|(id, _)| **id < end || end == StreamId::MAX)
            .collect();
        if !entries.is_empty() {
            nodes.push((master, stream_node(master, fields, &entries)));
        }
    }
    out.usize(nodes.len());
    for (master, lp) in &nodes {
        out.string(&raw_id(*master));
        out.string(lp);
    }
    out.usize(s.len());
    out.len(s.last_id.ms);
    out.len(s.last_id.seq);
    out.len(s.first_id.ms);
    out.len(s.first_id.seq);
    out.len(s.max_deleted_id.ms);
    out.len(s.max_deleted_id.seq);
    out.len(s.entries_added);
    out.usize(s.groups.len());
    for (name, group) in &s.groups {
        out.string(name);
        out.len(group.last_id.ms);
        out.len(group.last_id.seq);
        // Redis's "unknown" read counter is -1, written as a 64-bit length.
        out.len(group.entries_read.unwrap_or(u64::MAX));
        out.usize(group.pending.len());
        for (id, pending) in &group.pending {
            out.buf.extend_from_slice(&raw_id(*id));
            out.millis(pending.delivery_time);
            out.len(pending.delivery_count);
        }
        out.usize(group.consumers.len());
        for (consumer_name, consumer) in &group.consumers {
            out.string(consumer_name);
            out.millis(consumer.seen_time);
            out.usize(consumer.pending.len());
            for id in &consumer.pending {
                out.buf.extend_from_slice(&raw_id(*id));
            }
        }
    }
}
