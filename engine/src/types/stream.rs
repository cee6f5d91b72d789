//! Redis streams: entries ordered by ID, consumer groups with their pending
//! entries lists, and a model of Redis's storage (a radix tree of listpack
//! nodes) because it shows through: approximate trimming (`MAXLEN ~`) only
//! drops whole nodes, and XINFO STREAM reports the node and radix tree
//! sizes. Each node's byte size follows Redis's listpack entry sizes so it
//! fills up on the same entry as in Redis.

use std::collections::{BTreeMap, BTreeSet};

use super::list::{entry_size, int_entry_size};
use crate::sorted_map::SortedMap;

/// A stream entry ID: milliseconds and a sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const ZERO: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// The next ID, or `None` past the last possible one.
    pub fn next(self) -> Option<StreamId> {
        match (self.ms, self.seq) {
            (u64::MAX, u64::MAX) => None,
            (ms, u64::MAX) => Some(StreamId::new(ms + 1, 0)),
            (ms, seq) => Some(StreamId::new(ms, seq + 1)),
        }
    }

    /// The previous ID, or `None` before 0-0.
    pub fn prev(self) -> Option<StreamId> {
        match (self.ms, self.seq) {
            (0, 0) => None,
            (ms, 0) => Some(StreamId::new(ms - 1, u64::MAX)),
            (ms, seq) => Some(StreamId::new(ms, seq - 1)),
        }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::ZERO
    }

    /// `ms-seq`, as every reply spells an ID.
    pub fn to_bytes(self) -> Vec<u8> {
        format!("{}-{}", self.ms, self.seq).into_bytes()
    }

    /// The 128-bit big-endian key Redis files a node under.
    fn key(self) -> [u8; 16] {
        let mut key = [0u8; 16];
        let (high, low) = key.split_at_mut(8);
        high.copy_from_slice(&self.ms.to_be_bytes());
        low.copy_from_slice(&self.seq.to_be_bytes());
        key
    }
}

/// The node limits (`stream-node-max-bytes`, `stream-node-max-entries`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLimits {
    pub max_bytes: usize,
    pub max_entries: u64,
}

/// The largest listpack Redis lets a stream node grow to.
const LISTPACK_MAX_SIZE: usize = 1 << 30;
const LISTPACK_OVERHEAD: usize = 7;
/// An entry's flags: deleted, or sharing the node's master field names.
const FLAG_SAMEFIELDS: i64 = 2;

/// One listpack node: its master entry and counters, and the bytes of the
/// entries appended to it (deleted ones stay until the node goes).
#[derive(Debug, Clone, PartialEq)]
struct Node {
    master_fields: Vec<Vec<u8>>,
    live: u64,
    deleted: u64,
    entries_bytes: usize,
    /// The ID of the last entry written to the node, deleted or not.
    last_id: StreamId,
}

impl Node {
    fn bytes(&self) -> usize {
        let counters = [
            i64::try_from(self.live).unwrap_or(i64::MAX),
            i64::try_from(self.deleted).unwrap_or(i64::MAX),
            i64::try_from(self.master_fields.len()).unwrap_or(i64::MAX),
            0,
        ];
        LISTPACK_OVERHEAD
            + counters.iter().map(|&n| int_entry_size(n)).sum::<usize>()
            + self
                .master_fields
                .iter()
                .map(|f| entry_size(f))
                .sum::<usize>()
            + self.entries_bytes
    }
}

/// An entry delivered to a consumer and not yet acknowledged.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub consumer: Vec<u8>,
    /// Unix ms of the last delivery.
    pub delivery_time: i64,
    pub delivery_count: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Consumer {
    /// Last time the consumer tried to read or claim (unix ms).
    pub seen_time: i64,
    /// Last time it actually got entries; `None` if never.
    pub active_time: Option<i64>,
    pub pending: BTreeSet<StreamId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub last_id: StreamId,
    /// Entries the group has read, when that count is known.
    pub entries_read: Option<u64>,
    pub pending: BTreeMap<StreamId, Pending>,
    /// By name, in byte order as Redis's radix tree keeps them.
    pub consumers: SortedMap<Vec<u8>, Consumer>,
}

impl Group {
    pub fn new(last_id: StreamId, entries_read: Option<u64>) -> Group {
        Group {
            last_id,
            entries_read,
            pending: BTreeMap::new(),
            consumers: SortedMap::new(),
        }
    }

    /// The consumer named `name`, created (seen now) if new; true if created.
    pub fn consumer_or_create(&mut self, name: &[u8], now: i64) -> (&mut Consumer, bool) {
        let created = !self.consumers.contains_key(name);
        let consumer = self
            .consumers
            .get_or_insert_with(name.to_vec(), || Consumer {
                seen_time: now,
                active_time: None,
                pending: BTreeSet::new(),
            });
        (consumer, created)
    }

    /// Drops a pending entry from the group and its consumer; true if it was
    /// pending.
    pub fn acknowledge(&mut self, id: StreamId) -> bool {
        let Some(entry) = self.pending.remove(&id) else {
            return false;
        };
        if let Some(owner) = self.consumers.get_mut(&entry.consumer) {
            owner.pending.remove(&id);
        }
        true
    }

    /// Makes `consumer` the owner of pending entry `id` (which must exist
    /// in the group's list), leaving its times and counts to the caller.
    pub fn reassign(&mut self, id: StreamId, consumer: &[u8]) {
        let Some(entry) = self.pending.get_mut(&id) else {
            return;
        };
        if entry.consumer != consumer {
            if let Some(old) = self.consumers.get_mut(&entry.consumer) {
                old.pending.remove(&id);
            }
            entry.consumer = consumer.to_vec();
        }
        if let Some(new) = self.consumers.get_mut(consumer) {
            new.pending.insert(id);
        }
    }
}

/// How XADD/XTRIM trim.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trim {
    MaxLen(u64),
    MinId(StreamId),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    entries: BTreeMap<StreamId, Vec<Vec<u8>>>,
    /// Nodes by master ID (the ID of the first entry written to them).
    nodes: BTreeMap<StreamId, Node>,
    pub last_id: StreamId,
    /// The first entry's ID as Redis records it (0-0 when empty).
    pub first_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    /// By name, in byte order as Redis's radix tree keeps them.
    pub groups: SortedMap<Vec<u8>, Group>,
}

impl Stream {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, id: StreamId) -> Option<&Vec<Vec<u8>>> {
        self.entries.get(&id)
    }

    /// Entries with IDs in `start..=end`, ascending.
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
    ) -> impl DoubleEndedIterator<Item = (&StreamId, &Vec<Vec<u8>>)> {
        let bounds = if start <= end {
            Some((start, end))
        } else {
            None
        };
        bounds
            .into_iter()
            .flat_map(move |(s, e)| self.entries.range(s..=e))
    }

    pub fn first_entry(&self) -> Option<(&StreamId, &Vec<Vec<u8>>)> {
        self.entries.first_key_value()
    }

    pub fn last_entry(&self) -> Option<(&StreamId, &Vec<Vec<u8>>)> {
        self.entries.last_key_value()
    }

    /// The ID XADD with `*` would use at time `now_ms`, or `None` when the
    /// stream has used the last possible ID.
    pub fn next_auto_id(&self, now_ms: u64) -> Option<StreamId> {
        if now_ms > self.last_id.ms {
            Some(StreamId::new(now_ms, 0))
        } else {
            self.last_id.next()
        }
    }

    /// Appends an entry (`fields` alternate names and values) with an ID
    /// the caller checked is above `last_id`, into the tail node or a new
    /// one, as Redis fills them.
    pub fn append(&mut self, id: StreamId, fields: Vec<Vec<u8>>, limits: NodeLimits) {
        let data_bytes: usize = fields.iter().map(Vec::len).sum();
        let max_bytes = match limits.max_bytes {
            0 => LISTPACK_MAX_SIZE,
            n => n.min(LISTPACK_MAX_SIZE),
        };
        let tail_full = self.nodes.last_key_value().is_none_or(|(_, node)| {
            node.bytes() + data_bytes >= max_bytes
                || (limits.max_entries > 0 && node.live + node.deleted >= limits.max_entries)
        });
        let names: Vec<&Vec<u8>> = fields.iter().step_by(2).collect();
        if tail_full {
            self.nodes.insert(
                id,
                Node {
                    master_fields: names.iter().map(|f| f.to_vec()).collect(),
                    live: 0,
                    deleted: 0,
                    entries_bytes: 0,
                    last_id: id,
                },
            );
        }
        if let Some((&master, node)) = self.nodes.iter_mut().next_back() {
            let same_fields = node.master_fields.len() == names.len()
                && node.master_fields.iter().zip(&names).all(|(a, b)| a == *b);
            let pairs = names.len();
            let ms_delta = id.ms.wrapping_sub(master.ms) as i64;
            let seq_delta = id.seq.wrapping_sub(master.seq) as i64;
            let mut bytes = int_entry_size(if same_fields { FLAG_SAMEFIELDS } else { 0 })
                + int_entry_size(ms_delta)
                + int_entry_size(seq_delta);
            let pieces = if same_fields {
                bytes += fields
                    .iter()
                    .skip(1)
                    .step_by(2)
                    .map(|v| entry_size(v))
                    .sum::<usize>();
                pairs + 3
            } else {
                bytes += int_entry_size(i64::try_from(pairs).unwrap_or(i64::MAX));
                bytes += fields.iter().map(|f| entry_size(f)).sum::<usize>();
                2 * pairs + 4
            };
            bytes += int_entry_size(i64::try_from(pieces).unwrap_or(i64::MAX));
            node.entries_bytes += bytes;
            node.live += 1;
            node.last_id = id;
        }
        if self.entries.is_empty() {
            self.first_id = id;
        }
        self.entries.insert(id, fields);
        self.last_id = id;
        self.entries_added += 1;
    }

    /// The node holding entry `id`.
    fn node_of(&mut self, id: StreamId) -> Option<(StreamId, &mut Node)> {
        self.nodes
            .range_mut(..=id)
            .next_back()
            .map(|(&master, node)| (master, node))
    }

    /// Deletes one entry (XDEL): the node keeps it as a tombstone unless it
    /// was the node's last live entry. True if it existed.
    pub fn delete(&mut self, id: StreamId) -> bool {
        if self.entries.remove(&id).is_none() {
            return false;
        }
        if let Some((master, node)) = self.node_of(id) {
            if node.live <= 1 {
                self.nodes.remove(&master);
            } else {
                node.live -= 1;
                node.deleted += 1;
            }
        }
        if id > self.max_deleted_id {
            self.max_deleted_id = id;
        }
        if id == self.first_id {
            self.first_id = self.first_live_id();
        }
        true
    }

    fn first_live_id(&self) -> StreamId {
        self.entries
            .first_key_value()
            .map_or(StreamId::ZERO, |(&id, _)| id)
    }

    /// Trims as XADD/XTRIM do; returns how many entries went. `approx`
    /// stops at the first node that cannot go whole; `limit` (0: none)
    /// caps the entries removed, counted in whole nodes.
    pub fn trim(&mut self, trim: Trim, approx: bool, limit: u64) -> u64 {
        let mut removed = 0u64;
        // Always the oldest node: each pass either drops it whole or stops,
        // so a capped stream's XADD looks at one or two nodes, not all.
        while let Some((&master, node)) = self.nodes.first_key_value() {
            if let Trim::MaxLen(max) = trim {
                if self.len() as u64 <= max {
                    break;
                }
            }
            let live = node.live;
            if limit > 0 && removed + live > limit {
                break;
            }
            let whole = match trim {
                Trim::MaxLen(max) => self.len() as u64 - live >= max,
                Trim::MinId(min) => node.last_id < min,
            };
            let next_master = self.nodes.range(master..).nth(1).map(|(&id, _)| id);
            let span: Vec<StreamId> = match next_master {
                Some(next) => self
                    .entries
                    .range(master..next)
                    .map(|(&id, _)| id)
                    .collect(),
                None => self.entries.range(master..).map(|(&id, _)| id).collect(),
            };
            if whole {
                for id in &span {
                    self.entries.remove(id);
                }
                self.nodes.remove(&master);
                removed += live;
                continue;
            }
            if approx {
                break;
            }
            // Tombstone entries from the front of this node until done.
            let mut tombstoned = 0u64;
            for id in span {
                let done = match trim {
                    Trim::MaxLen(max) => self.len() as u64 <= max,
                    Trim::MinId(min) => id >= min,
                };
                if done {
                    break;
                }
                self.entries.remove(&id);
                tombstoned += 1;
            }
            if let Some(node) = self.nodes.get_mut(&master) {
                node.live -= tombstoned;
                node.deleted += tombstoned;
            }
            removed += tombstoned;
            break;
        }
        self.first_id = self.first_live_id();
        removed
    }

    /// XSETID: moves the last ID (checked by the caller) and counters.
    pub fn set_last_id(
        &mut self,
        id: StreamId,
        entries_added: Option<u64>,
        max_deleted: Option<StreamId>,
    ) {
        self.last_id = id;
        if let Some(n) = entries_added {
            self.entries_added = n;
        }
        if let Some(m) = max_deleted {
            self.max_deleted_id = m;
        }
    }

    /// Each listpack node's master ID and master field names, oldest
    /// first; a node holds the entries from its master ID up to the next
    /// node's. This is how Redis writes a stream to an RDB file.
    pub fn node_masters(&self) -> impl Iterator<Item = (StreamId, &[Vec<u8>])> + '_ {
        self.nodes
            .iter()
            .map(|(&id, node)| (id, node.master_fields.as_slice()))
    }

    /// Adds a node read from an RDB file: its master ID and field names,
    /// its live entries (ascending, at or after the master ID, after every
    /// entry already loaded), how many entries it has marked deleted, the
    /// bytes of all its entries and the ID of its last entry, deleted or
    /// not. False, and nothing added, if the entries break that order.
    pub fn load_node(
        &mut self,
        master: StreamId,
        master_fields: Vec<Vec<u8>>,
        entries: Vec<(StreamId, Vec<Vec<u8>>)>,
        deleted: u64,
        entries_bytes: usize,
        last_id: StreamId,
    ) -> bool {
        let floor = self.nodes.last_key_value().map(|(_, n)| n.last_id);
        if floor.is_some_and(|f| master <= f) || last_id < master {
            return false;
        }
        let mut previous: Option<StreamId> = None;
        for (id, _) in &entries {
            if *id < master || *id > last_id || previous.is_some_and(|p| p >= *id) {
                return false;
            }
            previous = Some(*id);
        }
        let live = entries.len() as u64;
        for (id, fields) in entries {
            self.entries.insert(id, fields);
        }
        self.nodes.insert(
            master,
            Node {
                master_fields,
                live,
                deleted,
                entries_bytes,
                last_id,
            },
        );
        true
    }

    /// Each listpack node's size in bytes, oldest first: for the memory
    /// model.
    pub fn node_bytes(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes.values().map(Node::bytes)
    }

    /// How many listpack nodes (XINFO's radix-tree-keys).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// How many nodes Redis's radix tree has for the node keys (XINFO's
    /// radix-tree-nodes): the root, every prefix where keys branch, every
    /// child of such a branch, and every key, since runs of single-child
    /// prefixes are compressed into one node.
    pub fn radix_tree_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|id| id.key()).collect();
        let mut count = 1;
        // Keys are sorted; walk the prefix tree depth by depth over runs of
        // keys sharing a prefix.
        let mut runs: Vec<(usize, usize)> = if keys.is_empty() {
            Vec::new()
        } else {
            vec![(0, keys.len())]
        };
        for depth in 0..16 {
            let mut next_runs = Vec::new();
            for &(from, to) in &runs {
                let children = split_by_byte(&keys, from, to, depth);
                let branches = children.len() > 1;
                for &(child_from, child_to) in &children {
                    let child_branches = depth + 1 < 16
                        && split_by_byte(&keys, child_from, child_to, depth + 1).len() > 1;
                    if branches || child_branches || depth + 1 == 16 {
                        count += 1;
                    }
                }
                next_runs.extend(children);
            }
            runs = next_runs;
        }
        count
    }

    /// Whether an XDEL tombstone may lie in `start..` (Redis only knows the
    /// latest one), which makes a group's read counter unreliable.
    pub fn has_tombstones_from(&self, start: StreamId) -> bool {
        if self.is_empty() || self.max_deleted_id.is_zero() || self.first_id > self.max_deleted_id {
            return false;
        }
        start <= self.max_deleted_id
    }

    /// How many entries were ever added up to `id`, when that can be known
    /// (Redis's estimate of a group's read counter).
    pub fn entries_read_at(&self, id: StreamId) -> Option<u64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if self.is_empty() && id <= self.last_id {
            return Some(self.entries_added);
        }
        if id == self.last_id {
            return Some(self.entries_added);
        }
        if id > self.last_id {
            return None;
        }
        let no_gaps = self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id;
        let length = self.len() as u64;
        if no_gaps {
            if id < self.first_id {
                return Some(self.entries_added.saturating_sub(length));
            }
            if id == self.first_id {
                return Some(self.entries_added.saturating_sub(length) + 1);
            }
        }
        None
    }

    /// A group's lag, when it can be known.
    pub fn lag(&self, group: &Group) -> Option<u64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if let Some(read) = group.entries_read {
            if !self.has_tombstones_from(group.last_id) {
                return Some(self.entries_added.saturating_sub(read));
            }
        }
        self.entries_read_at(group.last_id)
            .map(|read| self.entries_added.saturating_sub(read))
    }

    /// Records that a group was served entry `id` (past its last ID),
    /// keeping its read counter as Redis does.
    pub fn advance_group(&mut self, group: &[u8], id: StreamId) {
        let tombstones = self.has_tombstones_from(id);
        let estimate = self.entries_read_at(id);
        let entries_added = self.entries_added;
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        if id <= g.last_id {
            return;
        }
        match g.entries_read {
            Some(read) if !tombstones => g.entries_read = Some(read + 1),
            _ if entries_added > 0 => g.entries_read = estimate,
            _ => {}
        }
        g.last_id = id;
    }
}

/// Splits keys `from..to` (sorted, sharing `depth` leading bytes) into runs
/// by their byte at `depth`.
fn split_by_byte(keys: &[[u8; 16]], from: usize, to: usize, depth: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = from;
    while start < to {
        let byte = keys.get(start).and_then(|k| k.get(depth)).copied();
        let mut end = start + 1;
        while end < to && keys.get(end).and_then(|k| k.get(depth)).copied() == byte {
            end += 1;
        }
        runs.push((start, end));
        start = end;
    }
    runs
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const LIMITS: NodeLimits = NodeLimits {
        max_bytes: 4096,
        max_entries: 100,
    };

    fn entry() -> Vec<Vec<u8>> {
        vec![b"a".to_vec(), b"1".to_vec()]
    }

    #[test]
    fn ids_step_and_stop_at_the_ends() {
        assert_eq!(StreamId::new(1, u64::MAX).next(), Some(StreamId::new(2, 0)));
        assert_eq!(StreamId::MAX.next(), None);
        assert_eq!(StreamId::new(2, 0).prev(), Some(StreamId::new(1, u64::MAX)));
        assert_eq!(StreamId::ZERO.prev(), None);
    }

    #[test]
    fn nodes_fill_by_count_and_approximate_trim_drops_whole_nodes() {
        let mut s = Stream::default();
        for i in 1..=250 {
            s.append(StreamId::new(i, 0), entry(), LIMITS);
        }
        assert_eq!(s.node_count(), 3);
        assert_eq!(s.trim(Trim::MaxLen(10), true, 0), 200);
        assert_eq!(s.len(), 50);
        assert_eq!(s.trim(Trim::MaxLen(10), false, 0), 40);
        assert_eq!(s.first_id, StreamId::new(241, 0));
    }

    #[test]
    fn deleting_a_nodes_last_entry_drops_the_node() {
        let mut s = Stream::default();
        s.append(StreamId::new(1, 1), entry(), LIMITS);
        assert!(s.delete(StreamId::new(1, 1)));
        assert_eq!((s.len(), s.node_count(), s.radix_tree_nodes()), (0, 0, 1));
        assert_eq!(s.first_id, StreamId::ZERO);
        assert_eq!(s.max_deleted_id, StreamId::new(1, 1));
    }

    #[test]
    fn one_key_makes_a_root_and_a_leaf() {
        let mut s = Stream::default();
        for i in 1..=5 {
            s.append(StreamId::new(i, 1), entry(), LIMITS);
        }
        assert_eq!(s.radix_tree_nodes(), 2);
    }
}
