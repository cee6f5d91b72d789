//! The memory model: what a key and its value would take in Redis 7 on a
//! 64-bit build with jemalloc, computed the way Redis's MEMORY USAGE
//! computes it (`objectComputeSize`): the fixed structures of each
//! encoding, allocations rounded up to jemalloc's size classes, and for
//! hashtable, skiplist and quicklist encodings the average of the first
//! `samples` elements (or nodes) times their number.
//!
//! It is a model, not a measurement of this process: the engine's own Rust
//! structures are laid out differently. What it gets right is what the
//! playground teaches and eviction needs: which encodings are compact, how
//! a value grows, and when `maxmemory` is reached.

use crate::types::list::{entry_size, int_entry_size};
use crate::types::{Hash, List, RString, Set, Stream, Value, ZSet};

use crate::db::Db;

/// What MEMORY USAGE samples by default (`SAMPLES 5`).
pub const DEFAULT_SAMPLES: usize = 5;

/// `sizeof` of Redis's structures on a 64-bit build (Redis 7.0).
const ROBJ: usize = 16;
const DICT: usize = 56;
const DICT_ENTRY: usize = 24;
const BUCKET: usize = 8;
const QUICKLIST: usize = 40;
const QUICKLIST_NODE: usize = 40;
const ZSET: usize = 16;
const ZSKIPLIST: usize = 32;
/// The skiplist header node: 32 levels (24 + 32 * 16 bytes, as allocated).
const ZSKIPLIST_HEADER: usize = 640;
/// A skiplist node's allocation averaged over Redis's random levels
/// (level L with probability 0.75 * 0.25^(L-1), 24 + 16 L bytes rounded up
/// to a size class): 53.3 bytes.
const ZSKIPLIST_NODE_AVERAGE: f64 = 53.34;
const STREAM: usize = 80;
const STREAM_GROUP: usize = 40;
const STREAM_CONSUMER: usize = 24;
const STREAM_NACK: usize = 24;
const STREAM_ID: usize = 16;
/// What Redis counts per radix-tree node: the node header and a fixed
/// allowance for its children and data pointer.
const RAX_NODE: usize = 4 + 8 * 30;
/// A listpack's header and end byte; an intset's header.
const LISTPACK_OVERHEAD: usize = 7;
const INTSET_HEADER: usize = 8;
/// A new stream node's listpack is allocated at this size up front.
const STREAM_NODE_PREALLOC: usize = 4096;

/// The size jemalloc really allocates for a request of `size` bytes: its
/// size classes are 8, 16, then multiples of 16 up to 128, then four
/// classes per doubling (160, 192, 224, 256, 320, ...).
pub fn alloc_size(size: usize) -> usize {
    match size {
        0..=8 => 8,
        9..=128 => size.div_ceil(16) * 16,
        _ => {
            let top_bit = usize::BITS - 1 - (size - 1).leading_zeros();
            let step = 1usize << (top_bit - 2);
            size.div_ceil(step).saturating_mul(step)
        }
    }
}

/// An sds string's allocation: the smallest header that holds its length,
/// the bytes, and the terminating NUL (Redis's `sdsnewlen`).
pub fn sds_size(len: usize) -> usize {
    let header = match len {
        0 => 3,
        1..=31 => 1,
        32..=255 => 3,
        256..=65_535 => 5,
        _ if (len as u64) < 1 << 32 => 9,
        _ => 17,
    };
    alloc_size(header + len + 1)
}

/// An sds string grown in place (APPEND, SETRANGE, SETBIT): Redis doubles
/// the room it asks for up to 1 MB, then adds 1 MB, and never uses the
/// smallest header for it.
fn greedy_sds_size(len: usize) -> usize {
    const MAX_PREALLOC: usize = 1024 * 1024;
    let room = if len < MAX_PREALLOC {
        len * 2
    } else {
        len + MAX_PREALLOC
    };
    if room < 32 {
        // An 8-bit header where a 5-bit one would do.
        alloc_size(3 + room + 1)
    } else {
        sds_size(room)
    }
}

/// A hashtable's bucket array: a power of two at least as large as the
/// number of entries, 4 at the least.
fn dict_buckets(entries: usize) -> usize {
    if entries == 0 {
        0
    } else {
        entries.next_power_of_two().max(4)
    }
}

/// A hashtable (`dict`) of `len` entries whose first few cost `sampled`
/// bytes in all: its fixed part plus their average times `len`.
fn dict_estimate(len: usize, sampled: usize, samples: usize) -> usize {
    let average = if samples == 0 {
        0.0
    } else {
        sampled as f64 / samples as f64
    };
    DICT + dict_buckets(len) * BUCKET + (average * len as f64) as usize
}

/// How many elements to sample: `samples` (0 meaning all) of `len`.
fn sample_count(samples: usize, len: usize) -> usize {
    if samples == 0 {
        len
    } else {
        samples.min(len)
    }
}

/// What MEMORY USAGE reports for a key: its value, the key's own string,
/// and its entry in the keyspace's hashtable.
pub fn key_usage(key: &[u8], value: &Value, samples: usize) -> usize {
    value_usage(value, samples) + sds_size(key.len()) + DICT_ENTRY
}

/// A value's size as Redis's `objectComputeSize` estimates it.
pub fn value_usage(value: &Value, samples: usize) -> usize {
    match value {
        Value::String(s) => string_usage(s),
        Value::List(l) => list_usage(l, samples),
        Value::Hash(h) => hash_usage(h, samples),
        Value::Set(s) => set_usage(s, samples),
        Value::ZSet(z) => zset_usage(z, samples),
        Value::Stream(s) => stream_usage(s),
    }
}

fn string_usage(s: &RString) -> usize {
    match s {
        RString::Int(_) => ROBJ,
        // One allocation: the object, an 8-bit sds header, bytes, NUL.
        RString::Short { len, .. } => alloc_size(ROBJ + 3 + usize::from(*len) + 1),
        RString::Bytes { data, raw: false } => alloc_size(ROBJ + 3 + data.len() + 1),
        // A raw string of embstr length was made by editing in place.
        RString::Bytes { data, raw: true } if data.len() <= 44 => {
            ROBJ + greedy_sds_size(data.len())
        }
        RString::Bytes { data, raw: true } => ROBJ + sds_size(data.len()),
    }
}

fn list_usage(list: &List, samples: usize) -> usize {
    let mut nodes = list.node_bytes();
    if list.encoding() == "listpack" {
        return ROBJ + alloc_size(nodes.next().map_or(LISTPACK_OVERHEAD, |(bytes, _)| bytes));
    }
    let count = list.node_count();
    let taken = sample_count(samples, count).max(1);
    let sampled: usize = nodes
        .by_ref()
        .take(taken)
        .map(|(bytes, _)| QUICKLIST_NODE + alloc_size(bytes))
        .sum();
    ROBJ + QUICKLIST + (sampled as f64 / taken as f64 * count as f64) as usize
}

fn listpack_usage(entries_bytes: usize) -> usize {
    ROBJ + alloc_size(LISTPACK_OVERHEAD + entries_bytes)
}

fn hash_usage(hash: &Hash, samples: usize) -> usize {
    if hash.encoding() != "hashtable" {
        let ttls: usize = if hash.has_ttls() {
            hash.iter()
                .filter_map(|(f, _)| hash.expire_at(f))
                .map(int_entry_size)
                .sum()
        } else {
            0
        };
        let bytes = hash.entry_bytes() + ttls;
        return listpack_usage(bytes);
    }
    let taken = sample_count(samples, hash.len());
    let sampled = hash
        .iter()
        .take(taken)
        .map(|(f, v)| sds_size(f.len()) + sds_size(v.len()) + DICT_ENTRY)
        .sum();
    ROBJ + dict_estimate(hash.len(), sampled, taken)
}

fn set_usage(set: &Set, samples: usize) -> usize {
    match set {
        Set::Ints(ints) => {
            let fits = |lo: i64, hi: i64| {
                ints.first().is_none_or(|&n| n >= lo) && ints.last().is_none_or(|&n| n <= hi)
            };
            let width = if fits(i16::MIN.into(), i16::MAX.into()) {
                2
            } else if fits(i32::MIN.into(), i32::MAX.into()) {
                4
            } else {
                8
            };
            ROBJ + alloc_size(INTSET_HEADER + width * ints.len())
        }
        Set::Pack(members) => listpack_usage(members.iter().map(|m| entry_size(m)).sum()),
        Set::Table(members) => {
            let taken = sample_count(samples, members.len());
            let sampled = members
                .iter()
                .take(taken)
                .map(|m| sds_size(m.len()) + DICT_ENTRY)
                .sum();
            ROBJ + dict_estimate(members.len(), sampled, taken)
        }
    }
}

fn zset_usage(zset: &ZSet, samples: usize) -> usize {
    if zset.encoding() != "skiplist" {
        return listpack_usage(zset.entry_bytes());
    }
    let taken = sample_count(samples, zset.len());
    let sampled: f64 = zset
        .range(0, taken)
        .map(|(m, _)| (sds_size(m.len()) + DICT_ENTRY) as f64 + ZSKIPLIST_NODE_AVERAGE)
        .sum();
    let average = if taken == 0 {
        0.0
    } else {
        sampled / taken as f64
    };
    ROBJ + ZSET
        + ZSKIPLIST
        + ZSKIPLIST_HEADER
        + DICT
        + dict_buckets(zset.len()) * BUCKET
        + (average * zset.len() as f64) as usize
}

/// Redis's allowance for a radix tree of `elements` keys in `nodes` nodes.
fn rax_usage(elements: usize, nodes: usize) -> usize {
    elements * STREAM_ID + nodes * RAX_NODE
}

/// Nodes of a radix tree of 16-byte IDs, when not modelled: the root, one
/// per key and about one branch per key beyond the first.
fn rax_nodes_estimate(elements: usize) -> usize {
    1 + 2 * elements.saturating_sub(1) + usize::from(elements > 0)
}

fn stream_usage(stream: &Stream) -> usize {
    // Nodes are allocated at 4 KB up front and shrunk to fit once full:
    // only the newest one still has its slack.
    let nodes = stream.node_count();
    let listpacks: usize = stream
        .node_bytes()
        .enumerate()
        .map(|(i, bytes)| {
            if i + 1 == nodes {
                alloc_size(bytes.max(STREAM_NODE_PREALLOC))
            } else {
                alloc_size(bytes)
            }
        })
        .sum();
    let mut total =
        ROBJ + STREAM + rax_usage(stream.node_count(), stream.radix_tree_nodes()) + listpacks;
    for group in stream.groups.values() {
        let pending = group.pending.len();
        total +=
            STREAM_GROUP + rax_usage(pending, rax_nodes_estimate(pending)) + STREAM_NACK * pending;
        for (name, consumer) in &group.consumers {
            let owned = consumer.pending.len();
            total += STREAM_CONSUMER + name.len() + rax_usage(owned, rax_nodes_estimate(owned));
        }
    }
    total
}

/// Redis 7.0's memory at startup, before any key or client.
pub const STARTUP: usize = 876_080;
/// What the server's function engine holds with no library loaded.
pub const FUNCTIONS: usize = 200;
/// jemalloc allocates each 24-byte dictEntry in a 32-byte class, which
/// MEMORY USAGE does not count but used_memory does.
const DICT_ENTRY_SLACK: usize = 8;
const DICT_ENTRY_ALLOCATED: usize = 32;

/// One database's share of MEMORY STATS: its keyspace and expires tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbOverhead {
    pub index: usize,
    pub main: usize,
    pub expires: usize,
}

/// The server's memory, as INFO memory and MEMORY STATS report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// used_memory: everything allocated.
    pub used: usize,
    pub keys: usize,
    /// Databases with keys, with their table overheads (as Redis counts
    /// them: entries, buckets and the key objects).
    pub dbs: Vec<DbOverhead>,
    /// used_memory_overhead: startup, functions and the tables.
    pub overhead: usize,
}

impl Overview {
    /// used_memory_dataset: what the values and keys take beyond overhead.
    pub fn dataset(&self) -> usize {
        self.used.saturating_sub(self.overhead)
    }
}

/// The allocator's page size: resident memory comes in whole pages.
const PAGE: usize = 4096;

/// What the process would hold resident for `used` bytes in the model:
/// whole pages.
pub fn resident(used: usize) -> usize {
    used.div_ceil(PAGE) * PAGE
}

/// Settles every database's pending size changes and adds it all up.
pub fn overview(dbs: &mut [Db]) -> Overview {
    for db in dbs.iter_mut() {
        db.settle_memory();
    }
    totals(dbs)
}

/// Adds up the databases' figures without settling them (the same total,
/// recomputing the changed keys' sizes each time).
pub fn totals(dbs: &[Db]) -> Overview {
    let mut used = STARTUP + FUNCTIONS;
    let mut keys = 0;
    let mut tables = Vec::new();
    for (index, db) in dbs.iter().enumerate() {
        let m = db.memory();
        keys += m.len;
        used += m.keys
            + m.len * DICT_ENTRY_SLACK
            + dict_buckets(m.len) * BUCKET
            + m.volatile * DICT_ENTRY_ALLOCATED
            + dict_buckets(m.volatile) * BUCKET;
        if m.len > 0 {
            tables.push(DbOverhead {
                index,
                main: m.len * (DICT_ENTRY + ROBJ) + dict_buckets(m.len) * BUCKET,
                expires: m.volatile * DICT_ENTRY + dict_buckets(m.volatile) * BUCKET,
            });
        }
    }
    let overhead = STARTUP + FUNCTIONS + tables.iter().map(|t| t.main + t.expires).sum::<usize>();
    Overview {
        used,
        keys,
        dbs: tables,
        overhead,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::number::format_g17;
    use crate::types::zset::score_entry_size;

    #[test]
    fn a_score_entry_is_sized_as_its_g17_text_is() {
        let mut scores = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            127.0,
            128.0,
            4095.0,
            -4097.0,
            2_147_483_648.0,
            1e15,
            1e16,
            99_999_999_999_999_990.0,
            1e17,
            9_007_199_254_740_993.0,
            1.5,
            -2.25,
            1e300,
            5e-324,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // A spread of magnitudes, integral and not.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let magnitude = 10f64.powi((x % 40) as i32 - 20);
            let value = (x >> 11) as f64 / (1u64 << 53) as f64 * magnitude;
            scores.push(if x & 1 == 0 { value.trunc() } else { -value });
        }
        for score in scores {
            assert_eq!(
                score_entry_size(score),
                entry_size(format_g17(score).as_bytes()),
                "{score:e}"
            );
        }
    }

    #[test]
    fn jemalloc_size_classes() {
        let classes: Vec<usize> = [
            1, 8, 9, 16, 17, 21, 33, 49, 100, 128, 129, 161, 257, 1006, 4407, 8191, 12310, 100_010,
        ]
        .iter()
        .map(|&n| alloc_size(n))
        .collect();
        assert_eq!(
            classes,
            [
                8, 8, 16, 16, 32, 32, 48, 64, 112, 128, 160, 192, 320, 1024, 5120, 8192, 14336,
                114_688
            ]
        );
    }

    #[test]
    fn sds_headers_grow_with_length() {
        assert_eq!(sds_size(0), 8);
        assert_eq!(sds_size(7), 16);
        assert_eq!(sds_size(45), 64);
        assert_eq!(sds_size(1000), 1024);
        assert_eq!(sds_size(100_000), 114_688);
    }
}
