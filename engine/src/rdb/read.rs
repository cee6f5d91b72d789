//! Reading RDB: whole files (versions 9 to 12) and DUMP payloads, into new
//! values; nothing here touches the live dataset.
//!
//! Everything read comes from an untrusted blob, so: every read is checked
//! against what is left, lengths are checked before they size anything
//! (a count of elements can be at most the bytes left, since each takes at
//! least one), compressed strings grow only as they really decompress, and
//! nested blobs (listpacks, ziplists, intsets) are validated entry by
//! entry. A damaged blob is an error with the offset where reading failed.
//!
//! Values are rebuilt through the types' own operations with the current
//! encoding limits, so they end up in the encoding Redis 7.2+ would pick
//! when loading them (a small set read from a plain SET becomes a listpack
//! or intset, a large listpack hash a hashtable, and so on).

use super::{intset, listpack, lzf, opcode, rdb_type, LoadError, MAX_VERSION, MIN_VERSION};
use crate::crc64;
use crate::db::Db;
use crate::evict::clock;
use crate::number::strtod;
use crate::sorted_map::SortedMap;
use crate::types::stream::{Consumer, Group, Pending, StreamId};
use crate::types::{EncodingLimits, Hash, List, RString, Set, Stream, Value, ZSet};

use super::listpack::Entry;
use super::ziplist;

pub(super) type Result<T> = std::result::Result<T, LoadError>;

/// A cursor over an untrusted blob.
pub(super) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    pub fn err(&self, reason: impl Into<String>) -> LoadError {
        LoadError::Corrupt {
            offset: self.pos,
            reason: reason.into(),
        }
    }

    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    pub fn at_end(&self) -> bool {
        self.remaining() == 0
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        match end.and_then(|e| self.data.get(self.pos..e)) {
            Some(bytes) => {
                self.pos += n;
                Ok(bytes)
            }
            None => Err(self.err("unexpected end of data")),
        }
    }

    pub fn byte(&mut self) -> Result<u8> {
        Ok(*self
            .take(1)?
            .first()
            .ok_or_else(|| self.err("unexpected end of data"))?)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// A length, or the special-encoding marker (`true`) with its kind.
    fn length(&mut self) -> Result<(u64, bool)> {
        let first = self.byte()?;
        Ok(match first >> 6 {
            0 => (u64::from(first & 0x3f), false),
            1 => (
                (u64::from(first & 0x3f) << 8) | u64::from(self.byte()?),
                false,
            ),
            3 => (u64::from(first & 0x3f), true),
            _ => match first {
                0x80 => (u64::from(u32::from_be_bytes(self.array()?)), false),
                0x81 => (u64::from_be_bytes(self.array()?), false),
                _ => return Err(self.err(format!("unknown length encoding {first:#04x}"))),
            },
        })
    }

    /// A plain length (the special encodings are an error here).
    pub fn len(&mut self) -> Result<u64> {
        match self.length()? {
            (n, false) => Ok(n),
            (_, true) => Err(self.err("encoded value where a length was expected")),
        }
    }

    /// A count of things that follow, each at least `min_bytes` long, so a
    /// count beyond what is left is an error before anything is sized.
    pub fn count(&mut self, min_bytes: usize) -> Result<usize> {
        let n = self.len()?;
        let limit = self.remaining() / min_bytes.max(1);
        match usize::try_from(n) {
            Ok(n) if n <= limit => Ok(n),
            _ => Err(self.err(format!("count {n} exceeds the data left"))),
        }
    }

    /// A string: verbatim, an encoded integer, or LZF-compressed.
    pub fn string(&mut self) -> Result<Vec<u8>> {
        match self.length()? {
            (len, false) => {
                let len = usize::try_from(len).map_err(|_| self.err("string too long"))?;
                Ok(self.take(len)?.to_vec())
            }
            (0, true) => Ok(i64::from(i8::from_le_bytes(self.array()?))
                .to_string()
                .into_bytes()),
            (1, true) => Ok(i64::from(i16::from_le_bytes(self.array()?))
                .to_string()
                .into_bytes()),
            (2, true) => Ok(i64::from(i32::from_le_bytes(self.array()?))
                .to_string()
                .into_bytes()),
            (3, true) => {
                let clen = usize::try_from(self.len()?).map_err(|_| self.err("LZF too long"))?;
                let ulen = usize::try_from(self.len()?).map_err(|_| self.err("LZF too long"))?;
                let packed = self.take(clen)?;
                lzf::decompress(packed, ulen)
                    .ok_or_else(|| self.err("invalid LZF compressed string"))
            }
            (kind, true) => Err(self.err(format!("unknown string encoding {kind}"))),
        }
    }

    pub fn millis(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    fn binary_double(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// The old text double (type ZSET, RDB < 8): a length byte with 253,
    /// 254, 255 for NaN, +inf, -inf.
    fn text_double(&mut self) -> Result<f64> {
        match self.byte()? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            len => {
                let text = self.take(usize::from(len))?;
                strtod(text)
                    .map(|(d, _)| d)
                    .ok_or_else(|| self.err("invalid double"))
            }
        }
    }
}

/// What a file's header says: its version.
pub(super) fn header(data: &[u8]) -> Result<u16> {
    let magic = data.get(..9).ok_or(LoadError::NotRdb)?;
    if magic.get(..5) != Some(b"REDIS".as_slice()) {
        return Err(LoadError::NotRdb);
    }
    let digits = magic.get(5..9).unwrap_or_default();
    let version = std::str::from_utf8(digits)
        .ok()
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse::<u16>().ok())
        .ok_or(LoadError::NotRdb)?;
    if !(MIN_VERSION..=MAX_VERSION).contains(&version) {
        return Err(LoadError::Version(version));
    }
    Ok(version)
}

/// Checks the trailing CRC-64 (8 bytes LE over everything before it); a
/// stored 0 means the writer had `rdbchecksum no`, as Redis accepts.
pub(super) fn check_crc(data: &[u8]) -> Result<&[u8]> {
    let split = data.len().checked_sub(8).ok_or(LoadError::Truncated)?;
    let (body, stored) = data.split_at(split);
    let mut crc_bytes = [0u8; 8];
    crc_bytes.copy_from_slice(stored);
    let stored = u64::from_le_bytes(crc_bytes);
    if stored != 0 && stored != crc64::update(0, body) {
        return Err(LoadError::Checksum);
    }
    Ok(body)
}

/// Per-key options read before a key: expiry, idle time, frequency.
#[derive(Default)]
struct KeyOptions {
    expire_at: Option<i64>,
    idle_s: Option<u64>,
    freq: Option<u8>,
}

/// A whole file read: its databases, and how many keys were loaded and
/// how many dropped as already expired (INFO's `rdb_last_load_keys_*`).
pub(super) struct Loaded {
    pub dbs: Vec<Db>,
    pub keys_loaded: u64,
    pub keys_expired: u64,
    /// Function libraries' code (FUNCTION2 records), in file order.
    pub functions: Vec<Vec<u8>>,
}

/// Reads a whole file into `databases` fresh databases. Keys whose expiry
/// time is before `now` are dropped, as Redis does when loading as a master.
pub(super) fn file(
    data: &[u8],
    databases: usize,
    limits: &EncodingLimits,
    mode: clock::Mode,
    now: i64,
) -> Result<Loaded> {
    header(data)?;
    // The shortest file: the 9-byte header, EOF and an 8-byte checksum.
    if data.len() < 18 {
        return Err(LoadError::Truncated);
    }
    // A file ends with the EOF opcode and its checksum; anything cut short
    // or flipped fails here, before any parsing.
    let body = check_crc(data)?;
    if body.last() != Some(&opcode::EOF) {
        return Err(LoadError::Truncated);
    }
    let mut r = Reader::new(body);
    r.take(9)?;
    let mut dbs: Vec<Db> = (0..databases)
        .map(|_| {
            let mut db = Db::default();
            db.set_access_mode(mode);
            db
        })
        .collect();
    let mut current = 0usize;
    let mut options = KeyOptions::default();
    let (mut keys_loaded, mut keys_expired) = (0, 0);
    let mut functions = Vec::new();
    loop {
        let ty = r.byte()?;
        match ty {
            opcode::EOF => {
                if !r.at_end() {
                    return Err(r.err("data after the EOF opcode"));
                }
                break;
            }
            opcode::EXPIRETIME_MS => options.expire_at = Some(r.millis()?),
            opcode::EXPIRETIME => {
                let seconds = i32::from_le_bytes(r.array()?);
                options.expire_at = Some(i64::from(seconds) * 1000);
            }
            opcode::IDLE => options.idle_s = Some(r.len()?),
            opcode::FREQ => options.freq = Some(r.byte()?),
            opcode::SELECTDB => {
                let index = r.len()?;
                current = usize::try_from(index)
                    .ok()
                    .filter(|&i| i < databases)
                    .ok_or_else(|| r.err(format!("database {index} does not exist here")))?;
            }
            opcode::RESIZEDB => {
                let keys = r.len()?;
                r.len()?;
                // Sized once, not rehashed as it fills; never past what the
                // rest of the file could hold (a key takes 3 bytes at least),
                // so a lying header cannot claim memory.
                let keys = usize::try_from(keys)
                    .unwrap_or(usize::MAX)
                    .min(r.remaining() / 3);
                if let Some(db) = dbs.get_mut(current) {
                    db.reserve(keys);
                }
            }
            opcode::SLOT_INFO => {
                r.len()?;
                r.len()?;
                r.len()?;
            }
            opcode::AUX => {
                r.string()?;
                r.string()?;
            }
            opcode::MODULE_AUX => return Err(r.err("module data is not supported")),
            opcode::FUNCTION2 => functions.push(r.string()?),
            opcode::FUNCTION_PRE_GA => {
                return Err(
                    r.err("function libraries of Redis 7.0's release candidates are not supported")
                )
            }
            _ => {
                let key = r.string()?;
                let value = object(&mut r, ty, limits, now)?;
                let opts = std::mem::take(&mut options);
                let db = dbs
                    .get_mut(current)
                    .ok_or_else(|| r.err("no such database"))?;
                let Some(value) = value else {
                    if db.value(&key).is_some() {
                        return Err(r.err("duplicate key"));
                    }
                    continue; // Redis skips empty collections silently.
                };
                if opts.expire_at.is_some_and(|at| at < now) {
                    if db.value(&key).is_some() {
                        return Err(r.err("duplicate key"));
                    }
                    keys_expired += 1;
                    continue;
                }
                let bits = super::access_bits(mode, opts.idle_s, opts.freq, now);
                if !db.load(key, value, opts.expire_at, bits, now) {
                    return Err(r.err("duplicate key"));
                }
                keys_loaded += 1;
            }
        }
    }
    Ok(Loaded {
        dbs,
        keys_loaded,
        keys_expired,
        functions,
    })
}

/// Reads one value of RDB type `ty`. `None` for an empty collection, which
/// files may hold (Redis skips them) and RESTORE refuses.
pub(super) fn object(
    r: &mut Reader<'_>,
    ty: u8,
    limits: &EncodingLimits,
    now: i64,
) -> Result<Option<Value>> {
    use rdb_type as t;
    let value = match ty {
        t::STRING => Value::String(RString::from_arg(&r.string()?)),
        t::LIST => {
            let n = r.count(1)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(r.string()?);
            }
            list(items, limits)
        }
        t::SET => set_from(r, limits)?,
        t::ZSET | t::ZSET_2 => {
            let n = r.count(2)?;
            let mut z = ZSet::new();
            for _ in 0..n {
                let member = r.string()?;
                let score = if ty == t::ZSET_2 {
                    r.binary_double()?
                } else {
                    r.text_double()?
                };
                if score.is_nan() {
                    return Err(r.err("sorted set score is NaN"));
                }
                if z.insert(&member, score, limits).is_some() {
                    return Err(r.err("duplicate sorted set member"));
                }
            }
            Value::ZSet(Box::new(z))
        }
        t::HASH => {
            let n = r.count(2)?;
            let mut h = Hash::default();
            for _ in 0..n {
                let field = r.string()?;
                let value = r.string()?;
                if !h.set(&field, value, limits) {
                    return Err(r.err("duplicate hash field"));
                }
            }
            Value::Hash(Box::new(h))
        }
        t::HASH_METADATA | t::HASH_METADATA_PRE_GA => hash_metadata(r, ty, limits, now)?,
        t::LIST_QUICKLIST | t::LIST_QUICKLIST_2 => quicklist(r, ty, limits)?,
        t::LIST_ZIPLIST => {
            let blob = r.string()?;
            let entries = ziplist::decode(&blob).map_err(|e| r.err(e))?;
            list(entries.into_iter().map(Entry::into_bytes).collect(), limits)
        }
        t::SET_INTSET => {
            let blob = r.string()?;
            let ints = intset::decode(&blob).map_err(|e| r.err(e))?;
            let mut set = Set::Ints(ints);
            if set.len() > limits.set_max_intset_entries {
                let mut table = Set::Table(Default::default());
                for m in set.iter() {
                    table.add(&m, limits);
                }
                set = table;
            }
            Value::Set(Box::new(set))
        }
        t::SET_LISTPACK => {
            let blob = r.string()?;
            let entries = listpack::decode(&blob).map_err(|e| r.err(e))?;
            let mut set = if entries.len() > limits.set_max_listpack_entries {
                Set::Table(Default::default())
            } else {
                Set::Pack(Default::default())
            };
            for e in entries {
                let member = e.into_bytes();
                if set.contains(&member) {
                    return Err(r.err("duplicate set member"));
                }
                // Straight into the encoding chosen above, as Redis keeps
                // the loaded listpack; `add` would re-decide it.
                match &mut set {
                    Set::Pack(m) | Set::Table(m) => {
                        m.insert(member);
                    }
                    Set::Ints(_) => {}
                }
            }
            Value::Set(Box::new(set))
        }
        t::ZSET_ZIPLIST | t::ZSET_LISTPACK => {
            let blob = r.string()?;
            let entries = if ty == t::ZSET_ZIPLIST {
                ziplist::decode(&blob)
            } else {
                listpack::decode(&blob)
            }
            .map_err(|e| r.err(e))?;
            if entries.len() % 2 != 0 {
                return Err(r.err("sorted set blob has an odd number of entries"));
            }
            let mut z = ZSet::new();
            let mut it = entries.into_iter();
            while let (Some(member), Some(score)) = (it.next(), it.next()) {
                let score = match score {
                    Entry::Int(n) => n as f64,
                    Entry::Str(s) => strtod(&s)
                        .map(|(d, _)| d)
                        .ok_or_else(|| r.err("invalid score"))?,
                };
                if score.is_nan() {
                    return Err(r.err("sorted set score is NaN"));
                }
                if z.insert(&member.into_bytes(), score, limits).is_some() {
                    return Err(r.err("duplicate sorted set member"));
                }
            }
            Value::ZSet(Box::new(z))
        }
        t::HASH_ZIPLIST | t::HASH_LISTPACK | t::HASH_LISTPACK_EX | t::HASH_LISTPACK_EX_PRE_GA => {
            if ty == t::HASH_LISTPACK_EX {
                r.millis()?; // the minimum expiry, implied by the fields
            }
            let blob = r.string()?;
            let entries = if ty == t::HASH_ZIPLIST {
                ziplist::decode(&blob)
            } else {
                listpack::decode(&blob)
            }
            .map_err(|e| r.err(e))?;
            let with_ttl = ty == t::HASH_LISTPACK_EX || ty == t::HASH_LISTPACK_EX_PRE_GA;
            let tuple = if with_ttl { 3 } else { 2 };
            if entries.len() % tuple != 0 {
                return Err(r.err("hash blob has a partial field"));
            }
            let mut h = Hash::default();
            let mut ttls = Vec::new();
            let mut it = entries.into_iter();
            while let (Some(field), Some(value)) = (it.next(), it.next()) {
                let field = field.into_bytes();
                let expire_at = if with_ttl {
                    let ttl = it
                        .next()
                        .and_then(|t| t.as_int())
                        .ok_or_else(|| r.err("hash field TTL is not an integer"))?;
                    if ttl < 0 {
                        return Err(r.err("hash field TTL is negative"));
                    }
                    (ttl != 0).then_some(ttl)
                } else {
                    None
                };
                if !h.set(&field, value.into_bytes(), limits) {
                    return Err(r.err("duplicate hash field"));
                }
                if let Some(at) = expire_at {
                    ttls.push((field, at));
                }
            }
            set_field_ttls(&mut h, ttls);
            h.purge_expired(now);
            Value::Hash(Box::new(h))
        }
        t::STREAM_LISTPACKS | t::STREAM_LISTPACKS_2 | t::STREAM_LISTPACKS_3 => stream(r, ty)?,
        t::HASH_ZIPMAP => return Err(r.err("zipmap hashes (Redis 2.4 files) are not supported")),
        t::MODULE_PRE_GA | t::MODULE_2 => return Err(r.err("module values are not supported")),
        other => return Err(r.err(format!("unknown value type {other}"))),
    };
    let empty = match &value {
        Value::String(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Stream(_) => false,
    };
    Ok((!empty).then_some(value))
}

fn list(items: Vec<Vec<u8>>, limits: &EncodingLimits) -> Value {
    Value::List(Box::new(List::from_elements(items, limits)))
}

/// A plain SET, rebuilt as Redis 7.2 loads one: an intset while members
/// are integers (unless there are too many for one), then a listpack or a
/// hashtable.
fn set_from(r: &mut Reader<'_>, limits: &EncodingLimits) -> Result<Value> {
    let n = r.count(1)?;
    let mut set = if n > limits.set_max_intset_entries {
        Set::Table(Default::default())
    } else {
        Set::Ints(Vec::new())
    };
    for _ in 0..n {
        let member = r.string()?;
        if !set.add(&member, limits) {
            return Err(r.err("duplicate set member"));
        }
    }
    Ok(Value::Set(Box::new(set)))
}

fn quicklist(r: &mut Reader<'_>, ty: u8, limits: &EncodingLimits) -> Result<Value> {
    let nodes = r.count(2)?;
    let mut items = Vec::new();
    for _ in 0..nodes {
        let container = if ty == rdb_type::LIST_QUICKLIST_2 {
            r.len()?
        } else {
            2
        };
        let blob = r.string()?;
        if blob.is_empty() {
            return Err(r.err("empty quicklist node"));
        }
        match container {
            1 => items.push(blob),
            2 => {
                let entries = if ty == rdb_type::LIST_QUICKLIST_2 {
                    listpack::decode(&blob)
                } else {
                    ziplist::decode(&blob)
                }
                .map_err(|e| r.err(e))?;
                items.extend(entries.into_iter().map(Entry::into_bytes));
            }
            _ => return Err(r.err("unknown quicklist container")),
        }
    }
    Ok(list(items, limits))
}

/// HASH_METADATA (RDB 12): a minimum expiry, then per field a TTL (0: none;
/// else relative to the minimum, plus one), the field and its value. The
/// 7.4 release candidates' variant stores absolute times.
fn hash_metadata(r: &mut Reader<'_>, ty: u8, limits: &EncodingLimits, now: i64) -> Result<Value> {
    let min = if ty == rdb_type::HASH_METADATA {
        Some(r.millis()?)
    } else {
        None
    };
    let n = r.count(3)?;
    let mut h = Hash::default();
    let mut ttls = Vec::new();
    for _ in 0..n {
        let ttl = r.len()?;
        let expire_at = match (ttl, min) {
            (0, _) => None,
            (t, Some(min)) => Some(
                i64::try_from(t - 1)
                    .ok()
                    .and_then(|t| t.checked_add(min))
                    .ok_or_else(|| r.err("hash field TTL out of range"))?,
            ),
            (t, None) => Some(i64::try_from(t).map_err(|_| r.err("hash field TTL out of range"))?),
        };
        let field = r.string()?;
        let value = r.string()?;
        if !h.set(&field, value, limits) {
            return Err(r.err("duplicate hash field"));
        }
        if let Some(at) = expire_at {
            ttls.push((field, at));
        }
    }
    set_field_ttls(&mut h, ttls);
    h.purge_expired(now);
    Ok(Value::Hash(Box::new(h)))
}

/// Gives fields their TTLs in reverse file order: among equal times the
/// hash lists the most recently set first, so the first written must be
/// set last to come out first again.
fn set_field_ttls(h: &mut Hash, ttls: Vec<(Vec<u8>, i64)>) {
    for (field, at) in ttls.into_iter().rev() {
        h.set_expire(&field, at);
    }
}

fn stream_id(r: &mut Reader<'_>) -> Result<StreamId> {
    Ok(StreamId::new(r.len()?, r.len()?))
}

fn raw_stream_id(bytes: &[u8]) -> Option<StreamId> {
    let ms = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
    let seq = u64::from_be_bytes(bytes.get(8..16)?.try_into().ok()?);
    Some(StreamId::new(ms, seq))
}

/// One stream node's listpack: the master entry, then its entries (see
/// `write::stream_node`). Live entries are returned with their IDs; deleted
/// ones are counted. Also the bytes of the entries and the last entry's ID.
struct Node {
    fields: Vec<Vec<u8>>,
    live: Vec<(StreamId, Vec<Vec<u8>>)>,
    deleted: u64,
    entries_bytes: usize,
    last_id: StreamId,
}

fn stream_node(master: StreamId, blob: &[u8]) -> std::result::Result<Node, &'static str> {
    let bad = "stream node listpack is malformed";
    let entries = listpack::decode(blob)?;
    let mut it = entries.into_iter();
    let int = |it: &mut std::vec::IntoIter<Entry>| it.next().and_then(|e| e.as_int()).ok_or(bad);
    let count = int(&mut it)?;
    let deleted = int(&mut it)?;
    let nfields = usize::try_from(int(&mut it)?).map_err(|_| bad)?;
    if nfields > blob.len() || count < 0 || deleted < 0 {
        return Err(bad);
    }
    let mut fields = Vec::with_capacity(nfields);
    for _ in 0..nfields {
        fields.push(it.next().ok_or(bad)?.into_bytes());
    }
    if int(&mut it)? != 0 {
        return Err(bad);
    }
    let master_bytes: usize = [count, deleted, nfields as i64, 0]
        .iter()
        .map(|n| crate::types::list::entry_size(n.to_string().as_bytes()))
        .sum::<usize>()
        + fields
            .iter()
            .map(|f| crate::types::list::entry_size(f))
            .sum::<usize>();
    let mut live = Vec::new();
    let mut seen_deleted = 0u64;
    let mut last_id = master;
    while let Some(flags) = it.next() {
        let flags = flags.as_int().ok_or(bad)?;
        let ms = master.ms.wrapping_add(int(&mut it)? as u64);
        let seq = master.seq.wrapping_add(int(&mut it)? as u64);
        let id = StreamId::new(ms, seq);
        let mut pieces = Vec::new();
        if flags & 2 != 0 {
            for name in &fields {
                pieces.push(name.clone());
                pieces.push(it.next().ok_or(bad)?.into_bytes());
            }
        } else {
            let n = usize::try_from(int(&mut it)?).map_err(|_| bad)?;
            if n == 0 || n > blob.len() {
                return Err(bad);
            }
            for _ in 0..2 * n {
                pieces.push(it.next().ok_or(bad)?.into_bytes());
            }
        }
        let pairs = (pieces.len() / 2) as i64;
        let lp_count = int(&mut it)?;
        let expected = if flags & 2 != 0 {
            pairs + 3
        } else {
            2 * pairs + 4
        };
        if lp_count != expected || pieces.is_empty() {
            return Err(bad);
        }
        last_id = id;
        if flags & 1 != 0 {
            seen_deleted += 1;
        } else {
            live.push((id, pieces));
        }
    }
    if live.len() as i64 != count || seen_deleted as i64 != deleted {
        return Err("stream node counters do not match its entries");
    }
    let entries_bytes = blob.len().saturating_sub(7 + master_bytes);
    Ok(Node {
        fields,
        live,
        deleted: seen_deleted,
        entries_bytes,
        last_id,
    })
}

fn stream(r: &mut Reader<'_>, ty: u8) -> Result<Value> {
    let nodes = r.count(2)?;
    let mut s = Stream::default();
    for _ in 0..nodes {
        let key = r.string()?;
        let master = raw_stream_id(&key)
            .filter(|_| key.len() == 16)
            .ok_or_else(|| r.err("stream node key is not a stream ID"))?;
        let blob = r.string()?;
        let node = stream_node(master, &blob).map_err(|e| r.err(e))?;
        if node.live.is_empty() {
            continue;
        }
        if !s.load_node(
            master,
            node.fields,
            node.live,
            node.deleted,
            node.entries_bytes,
            node.last_id,
        ) {
            return Err(r.err("stream nodes out of order"));
        }
    }
    let length = r.len()?;
    if length != s.len() as u64 {
        return Err(r.err("stream length does not match its entries"));
    }
    s.last_id = stream_id(r)?;
    if s.last_entry().is_some_and(|(id, _)| *id > s.last_id) {
        return Err(r.err("stream last ID is below its entries"));
    }
    if ty == rdb_type::STREAM_LISTPACKS {
        s.first_id = s.first_entry().map_or(StreamId::ZERO, |(id, _)| *id);
        s.max_deleted_id = StreamId::ZERO;
        s.entries_added = length;
    } else {
        s.first_id = stream_id(r)?;
        s.max_deleted_id = stream_id(r)?;
        s.entries_added = r.len()?;
    }
    // Groups and consumers are collected, then sorted once: a file need
    // not list them in order, and inserting each would be quadratic.
    let groups = r.count(3)?;
    let mut loaded_groups = Vec::new();
    for _ in 0..groups {
        let name = r.string()?;
        let last_id = stream_id(r)?;
        let entries_read = if ty == rdb_type::STREAM_LISTPACKS {
            s.entries_read_at(last_id)
        } else {
            match r.len()? {
                u64::MAX => None,
                n => Some(n),
            }
        };
        let mut group = Group::new(last_id, entries_read);
        // PEL entries given an owner so far (names may be empty strings).
        let mut owned_ids = std::collections::BTreeSet::new();
        let pel = r.count(17)?;
        for _ in 0..pel {
            let id = raw_stream_id(r.take(16)?).ok_or_else(|| r.err("bad PEL ID"))?;
            let delivery_time = r.millis()?;
            let delivery_count = r.len()?;
            let pending = Pending {
                consumer: Vec::new(),
                delivery_time,
                delivery_count,
            };
            if group.pending.insert(id, pending).is_some() {
                return Err(r.err("duplicate group PEL entry"));
            }
        }
        let consumers = r.count(10)?;
        let mut loaded_consumers = Vec::new();
        for _ in 0..consumers {
            let cname = r.string()?;
            let seen_time = r.millis()?;
            let active_time = if ty == rdb_type::STREAM_LISTPACKS_3 {
                Some(r.millis()?).filter(|&t| t >= 0)
            } else {
                Some(seen_time)
            };
            let owned = r.count(16)?;
            let mut consumer = Consumer {
                seen_time,
                active_time,
                pending: Default::default(),
            };
            for _ in 0..owned {
                let id = raw_stream_id(r.take(16)?).ok_or_else(|| r.err("bad PEL ID"))?;
                let Some(entry) = group.pending.get_mut(&id) else {
                    return Err(r.err("consumer PEL entry not in the group PEL"));
                };
                if !owned_ids.insert(id) || !consumer.pending.insert(id) {
                    return Err(r.err("PEL entry owned twice"));
                }
                entry.consumer = cname.clone();
            }
            loaded_consumers.push((cname, consumer));
        }
        group.consumers =
            SortedMap::from_unique(loaded_consumers).map_err(|_| r.err("duplicate consumer"))?;
        if owned_ids.len() != group.pending.len() {
            return Err(r.err("group PEL entry without a consumer"));
        }
        loaded_groups.push((name, group));
    }
    s.groups =
        SortedMap::from_unique(loaded_groups).map_err(|_| r.err("duplicate consumer group"))?;
    Ok(Value::Stream(Box::new(s)))
}

/// Reads a DUMP payload's value; the caller checked version and checksum.
/// Like Redis, it reads from the whole payload, footer included, and does
/// not insist on using all of it: a value cut short may take footer bytes,
/// bytes after the value are ignored. (Redis 7.0 restores such payloads;
/// refusing them would not be interchangeable.)
pub(super) fn payload_value(
    payload: &[u8],
    limits: &EncodingLimits,
    now: i64,
) -> Result<Option<Value>> {
    let mut r = Reader::new(payload);
    let ty = r.byte()?;
    object(&mut r, ty, limits, now)
}
