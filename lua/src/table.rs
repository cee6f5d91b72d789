//! Lua 5.1 tables, laid out as 5.1 lays them out so that the observable
//! consequences of the layout match: `#t` on tables with holes (the border
//! `luaH_getn` finds depends on the array/hash split) and the order of
//! `next`/`pairs` (which follows the hash part's node order).
//!
//! The layout rules reproduced here (behaviour, not code, from 5.1.5):
//! - an array part for keys `1..=n` and a hash part of `2^k` nodes, each
//!   node a key, a value and the index of the next node in its collision
//!   chain;
//! - a key's main position is its 5.1 hash modulo the node count: strings
//!   by `luaS_hash` masked, booleans by 0/1 masked, numbers by the sum of
//!   the double's two 32-bit halves modulo `(size - 1) | 1` (0 and -0 both
//!   at node 0), other objects by their identity modulo the same (5.1 uses
//!   the address there, so the order of such keys cannot match);
//! - a colliding key goes to the free node found by a cursor that only
//!   moves down from the end, and a key found squatting in another key's
//!   main position is moved there instead;
//! - a node whose value became nil keeps its key, so reassigning the key
//!   reuses the node, and a new key whose main position holds such a node
//!   takes it over (chain link included);
//! - when no node is free the table is rebuilt: the array part becomes the
//!   largest power of two `n` such that more than `n/2` of the keys
//!   `1..=n` are in use (counting the key being inserted), the rest go to a
//!   hash part of the next power of two, reinserted from the end of the
//!   old node vector;
//! - writing nil to an absent key still creates its node (and can trigger
//!   that rebuild).

use crate::heap::{Error, Memory};
use crate::value::{int_key, TableRef, Value};

/// The largest array part (and hash part) is 2^MAX_BITS.
const MAX_BITS: usize = 26;
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    key: Value,
    val: Value,
    /// Next node in this collision chain, or `NONE`.
    next: u32,
}

const FREE_NODE: Node = Node {
    key: Value::Nil,
    val: Value::Nil,
    next: NONE,
};

/// Where a present key's value lives.
#[derive(Clone, Copy)]
enum Slot {
    Array(usize),
    Node(usize),
}

/// A Lua table. Read it through [`Heap::table`](crate::heap::Heap::table);
/// write it through the heap's `set*` methods, which count its memory.
#[derive(Debug)]
pub struct Table {
    array: Vec<Value>,
    /// Empty for 5.1's shared "dummy node" (a hash part of size 0).
    nodes: Vec<Node>,
    /// Free-node cursor: every node at or above it has been handed out.
    last_free: usize,
    meta: Option<TableRef>,
    pub(crate) readonly: bool,
    /// Bytes counted for `array` and `nodes`.
    charged: usize,
}

/// The ceiling of log2(x), for x >= 1.
fn ceil_log2(x: usize) -> usize {
    (usize::BITS - x.saturating_sub(1).leading_zeros()) as usize
}

/// 5.1's "floating point byte" encoding of a size (`luaO_int2fb`), as the
/// compiler stores a constructor's item counts in `OP_NEWTABLE`: exact below
/// 8, otherwise `(8 + m) * 2^(e-1)` rounded up.
pub fn size_to_fb(x: u32) -> u8 {
    // Wider than 5.1's unsigned int so that `x + 1` cannot overflow.
    let mut x = u64::from(x);
    let mut e = 0u64;
    while x >= 16 {
        x = (x + 1) >> 1;
        e += 1;
    }
    if x < 8 {
        x as u8
    } else {
        (((e + 1) << 3) | (x - 8)) as u8
    }
}

/// Decodes [`size_to_fb`] (`luaO_fb2int`).
pub fn fb_to_size(fb: u8) -> usize {
    let e = u32::from(fb >> 3);
    let m = usize::from(fb & 7);
    if e == 0 {
        m
    } else {
        (m + 8).checked_shl(e - 1).unwrap_or(usize::MAX)
    }
}

/// The size 5.1 gives a constructor's array or hash part holding `n` items:
/// `n` rounded through the byte encoding, so `{1,2,nil,4}` gets exactly 4
/// array slots (hence `#` is 4) and 17 list items get 18.
pub fn ctor_size(n: usize) -> usize {
    fb_to_size(size_to_fb(u32::try_from(n).unwrap_or(u32::MAX)))
}

/// 5.1's hash for a number key other than zero: the two 32-bit halves of
/// the double added up.
fn num_hash(n: f64) -> u32 {
    let bits = n.to_bits();
    (bits as u32).wrapping_add((bits >> 32) as u32)
}

/// Counts `key` in `nums` (by `ceil_log2`) if it could live in an array
/// part; returns 1 if it did.
fn count_int(key: Value, nums: &mut [usize; MAX_BITS + 1]) -> usize {
    match key {
        Value::Num(n) => match int_key(n) {
            Some(k) if k > 0 && (k as usize) <= 1 << MAX_BITS => {
                if let Some(c) = nums.get_mut(ceil_log2(k as usize)) {
                    *c += 1;
                }
                1
            }
            _ => 0,
        },
        _ => 0,
    }
}

/// 5.1's `computesizes`: given `nums[i]` = how many integer keys lie in
/// `(2^(i-1), 2^i]` and `total` of them, the array size (the largest power
/// of two more than half used) and how many keys it will hold.
fn compute_sizes(nums: &[usize; MAX_BITS + 1], total: usize) -> (usize, usize) {
    let mut below = 0;
    let (mut size, mut held) = (0, 0);
    let mut power = 1usize;
    for &count in nums {
        if power / 2 >= total {
            break;
        }
        if count > 0 {
            below += count;
            if below > power / 2 {
                size = power;
                held = below;
            }
        }
        if below == total {
            break;
        }
        power *= 2;
    }
    (size, held)
}

impl Table {
    /// `lua_createtable(narray, nhash)`: the hash size rounds up to a power
    /// of two.
    pub(crate) fn new(narray: usize, nhash: usize, mem: &mut Memory) -> Result<Table, Error> {
        let mut t = Table {
            array: Vec::new(),
            nodes: Vec::new(),
            last_free: 0,
            meta: None,
            readonly: false,
            charged: 0,
        };
        t.resize(narray, nhash, mem)?;
        Ok(t)
    }

    /// Bytes counted for the table's parts.
    pub(crate) fn charged(&self) -> usize {
        self.charged
    }

    /// The value at `key` (`rawget`); nil for absent keys, including nil
    /// and NaN.
    pub fn get(&self, key: Value) -> Value {
        match self.find(key) {
            Some(Slot::Array(i)) => self.array.get(i).copied().unwrap_or_default(),
            Some(Slot::Node(i)) => self.nodes.get(i).map_or(Value::Nil, |n| n.val),
            None => Value::Nil,
        }
    }

    /// `rawgeti(t, i)`.
    pub fn get_int(&self, i: i64) -> Value {
        self.get(Value::Num(i as f64))
    }

    /// `#t`: a border as 5.1's `luaH_getn` finds it. If the array part's
    /// last slot is nil, a binary search inside the array part; otherwise,
    /// with a hash part, doubling probes `j+1, 2(j+1), ...` past the array
    /// size `j` until a nil, then a binary search between the last two.
    pub fn length(&self) -> usize {
        let size = self.array.len();
        if size > 0 && self.array.get(size - 1).is_some_and(|v| v.is_nil()) {
            let (mut lo, mut hi) = (0, size);
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                if self.array.get(mid - 1).is_none_or(|v| v.is_nil()) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return lo;
        }
        if self.nodes.is_empty() {
            return size;
        }
        self.unbound_search(size)
    }

    fn unbound_search(&self, start: usize) -> usize {
        let present = |k: usize| !self.get_int(k as i64).is_nil();
        let (mut lo, mut hi) = (start, start + 1);
        while present(hi) {
            lo = hi;
            hi *= 2;
            if hi > i32::MAX as usize {
                // 5.1 gives up on doubling (a table built to defeat it) and
                // walks from 1 to the first nil.
                let mut i = 1;
                while present(i) {
                    i += 1;
                }
                return i - 1;
            }
        }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if present(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// `next(t, key)`: the entry after `key` (the first for nil) in
    /// traversal order, array part first, then the hash nodes in index
    /// order; `None` at the end. A key that is not in the table is an
    /// error; one whose value was set to nil since is still fine, which is
    /// what lets a traversal assign or clear the fields it visits.
    pub fn next(&self, key: Value) -> Result<Option<(Value, Value)>, Error> {
        let start = self.position_after(key)?;
        let asize = self.array.len();
        let array = self.array.iter().enumerate().skip(start);
        for (i, &v) in array {
            if !v.is_nil() {
                return Ok(Some((Value::Num((i + 1) as f64), v)));
            }
        }
        let nodes = self.nodes.iter().skip(start.saturating_sub(asize));
        for n in nodes {
            if !n.val.is_nil() {
                return Ok(Some((n.key, n.val)));
            }
        }
        Ok(None)
    }

    /// The traversal position just after `key`.
    fn position_after(&self, key: Value) -> Result<usize, Error> {
        if key.is_nil() {
            return Ok(0);
        }
        let asize = self.array.len();
        if let Value::Num(n) = key {
            match int_key(n) {
                Some(k) if k > 0 && (k as usize) <= asize => return Ok(k as usize),
                _ => {}
            }
        }
        match self.find_node(key) {
            Some(i) => Ok(asize + i + 1),
            None => Err(Error::InvalidNextKey),
        }
    }

    pub fn metatable(&self) -> Option<TableRef> {
        self.meta
    }

    pub fn is_readonly(&self) -> bool {
        self.readonly
    }

    /// The array part's size (for tests and diagnostics).
    pub fn array_size(&self) -> usize {
        self.array.len()
    }

    /// The hash part's node count, 0 for 5.1's empty "dummy" part.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Calls `mark` on every value the table keeps alive: the metatable and
    /// the keys and values of non-nil entries. A key whose value is nil is
    /// left unmarked, as 5.1 turns such keys into dead keys at a
    /// collection; if it is collected, its stale handle stays in the node
    /// and never equals a live key.
    pub(crate) fn trace(&self, mut mark: impl FnMut(Value)) {
        if let Some(m) = self.meta {
            mark(Value::Table(m));
        }
        self.array.iter().for_each(|&v| mark(v));
        for n in &self.nodes {
            if !n.val.is_nil() {
                mark(n.key);
                mark(n.val);
            }
        }
    }

    fn find(&self, key: Value) -> Option<Slot> {
        if let Value::Num(n) = key {
            if let Some(k) = int_key(n) {
                if k > 0 && (k as usize) <= self.array.len() {
                    return Some(Slot::Array(k as usize - 1));
                }
            }
        }
        if key.is_nil() {
            return None;
        }
        self.find_node(key).map(Slot::Node)
    }

    /// The node holding `key`, walking its chain from its main position.
    fn find_node(&self, key: Value) -> Option<usize> {
        let mut i = self.main_position(key)?;
        // A chain visits each node at most once; the bound only guards
        // against a corrupted chain looping.
        for _ in 0..self.nodes.len() {
            let node = self.nodes.get(i)?;
            if node.key == key {
                return Some(i);
            }
            i = node.next as usize;
        }
        None
    }

    /// Where 5.1 first tries to put `key`; `None` with no hash part.
    fn main_position(&self, key: Value) -> Option<usize> {
        let size = self.nodes.len();
        if size == 0 {
            return None;
        }
        // Sizes are powers of two up to 2^MAX_BITS, so these fit.
        let mask = (size - 1) as u32;
        let hash_mod = |h: u32| (h % (mask | 1)) as usize;
        Some(match key {
            Value::Nil => 0,
            // 0 and -0 are one key but differ in bits.
            Value::Num(n) => {
                if n == 0.0 {
                    0
                } else {
                    hash_mod(num_hash(n))
                }
            }
            Value::Str(s) => (s.hash() & mask) as usize,
            Value::Bool(b) => (u32::from(b) & mask) as usize,
            Value::Table(r) => hash_mod(r.index()),
            Value::Func(r) => hash_mod(r.index()),
            Value::Native(r) => hash_mod(r.index()),
            Value::Thread(r) => hash_mod(r.index()),
            Value::LightUserdata(p) => hash_mod(p),
        })
    }

    /// `rawset`; see [`Heap::set`](crate::heap::Heap::set).
    pub(crate) fn set(&mut self, key: Value, val: Value, mem: &mut Memory) -> Result<(), Error> {
        if self.readonly {
            return Err(Error::ReadOnly);
        }
        match key {
            Value::Nil => return Err(Error::IndexNil),
            Value::Num(n) if n.is_nan() => return Err(Error::IndexNaN),
            _ => {}
        }
        // At most one rebuild: it always leaves room for the new key.
        for _ in 0..2 {
            if self.store(key, val) {
                return Ok(());
            }
            self.rehash(key, mem)?;
        }
        Err(Error::TableOverflow)
    }

    /// Stores `val` at `key` if the key is present or a node can be found
    /// for it without rebuilding; false if the table must be rebuilt.
    fn store(&mut self, key: Value, val: Value) -> bool {
        let slot = match self.find(key) {
            Some(slot) => slot,
            None => match self.new_key(key) {
                Some(i) => Slot::Node(i),
                None => return false,
            },
        };
        let cell = match slot {
            Slot::Array(i) => self.array.get_mut(i),
            Slot::Node(i) => self.nodes.get_mut(i).map(|n| &mut n.val),
        };
        match cell {
            Some(cell) => {
                *cell = val;
                true
            }
            None => false,
        }
    }

    /// Gives the absent `key` a node (value nil) following 5.1's collision
    /// rules; `None` if there is no free node left.
    fn new_key(&mut self, key: Value) -> Option<usize> {
        let mp = self.main_position(key)?;
        let occupant = *self.nodes.get(mp)?;
        if occupant.val.is_nil() {
            // Free, or a cleared entry: taken over, chain link and all.
            self.nodes.get_mut(mp)?.key = key;
            return Some(mp);
        }
        let free = self.free_position()?;
        let occupant_mp = self.main_position(occupant.key)?;
        if occupant_mp != mp {
            // The occupant is a colliding key that was put here for lack of
            // room: move it to the free node and relink its chain.
            let mut prev = occupant_mp;
            let mut steps = 0;
            while self.nodes.get(prev)?.next as usize != mp {
                // A chain is shorter than the node count unless corrupted.
                steps += 1;
                if steps > self.nodes.len() {
                    return None;
                }
                prev = self.nodes.get(prev)?.next as usize;
            }
            self.nodes.get_mut(prev)?.next = free as u32;
            *self.nodes.get_mut(free)? = occupant;
            *self.nodes.get_mut(mp)? = Node { key, ..FREE_NODE };
            Some(mp)
        } else {
            // The occupant is at home: the new key goes to the free node,
            // linked right after it.
            *self.nodes.get_mut(free)? = Node {
                key,
                val: Value::Nil,
                next: occupant.next,
            };
            self.nodes.get_mut(mp)?.next = free as u32;
            Some(free)
        }
    }

    /// The next node with a nil key below the cursor.
    fn free_position(&mut self) -> Option<usize> {
        while self.last_free > 0 {
            self.last_free -= 1;
            if self.nodes.get(self.last_free)?.key.is_nil() {
                return Some(self.last_free);
            }
        }
        None
    }

    /// Rebuilds the table with sizes computed from its keys plus `extra`.
    fn rehash(&mut self, extra: Value, mem: &mut Memory) -> Result<(), Error> {
        let mut nums = [0usize; MAX_BITS + 1];
        let mut int_keys = self.count_array(&mut nums);
        let mut total = int_keys;
        for n in &self.nodes {
            if !n.val.is_nil() {
                int_keys += count_int(n.key, &mut nums);
                total += 1;
            }
        }
        int_keys += count_int(extra, &mut nums);
        total += 1;
        let (asize, in_array) = compute_sizes(&nums, int_keys);
        self.resize(asize, total - in_array, mem)
    }

    /// Counts the array part's non-nil slots into `nums` by `ceil_log2` of
    /// their keys; returns the total.
    fn count_array(&self, nums: &mut [usize; MAX_BITS + 1]) -> usize {
        let mut total = 0;
        let mut lo = 0; // slices (2^(lg-1), 2^lg] as 0-based [lo, hi)
        for (lg, count) in nums.iter_mut().enumerate() {
            let hi = (1usize << lg).min(self.array.len());
            if lo >= hi && hi == self.array.len() {
                break;
            }
            let used = self
                .array
                .get(lo..hi)
                .map_or(0, |s| s.iter().filter(|v| !v.is_nil()).count());
            *count += used;
            total += used;
            lo = hi;
        }
        total
    }

    /// `OP_SETLIST`'s pre-allocation: grows the array part to `n`, keeping
    /// the hash part's size.
    pub(crate) fn grow_array(&mut self, n: usize, mem: &mut Memory) -> Result<(), Error> {
        if self.readonly {
            return Err(Error::ReadOnly);
        }
        if n <= self.array.len() {
            return Ok(());
        }
        self.resize(n, self.nodes.len(), mem)
    }

    pub(crate) fn set_metatable(&mut self, meta: Option<TableRef>) -> Result<(), Error> {
        if self.readonly {
            return Err(Error::ReadOnly);
        }
        self.meta = meta;
        Ok(())
    }

    /// Gives the table an array part of `asize` slots and a hash part of
    /// `nhash` nodes rounded up to a power of two, moving entries across.
    /// The new parts are counted before they are allocated (on top of the
    /// old ones, which is the peak), the old ones released after.
    fn resize(&mut self, asize: usize, nhash: usize, mem: &mut Memory) -> Result<(), Error> {
        let nsize = match nhash {
            0 => 0,
            _ if ceil_log2(nhash) > MAX_BITS => return Err(Error::TableOverflow),
            _ => 1usize << ceil_log2(nhash),
        };
        let bytes = asize
            .checked_mul(std::mem::size_of::<Value>())
            .and_then(|a| a.checked_add(nsize.checked_mul(std::mem::size_of::<Node>())?))
            .ok_or(Error::NoMemory)?;
        mem.reserve(bytes)?;
        let old_asize = self.array.len();
        let mut nodes = Vec::new();
        let allocated = nodes.try_reserve_exact(nsize).is_ok()
            && (asize <= old_asize || self.array.try_reserve_exact(asize - old_asize).is_ok());
        if !allocated {
            mem.release(bytes);
            return Err(Error::NoMemory);
        }
        nodes.resize(nsize, FREE_NODE);
        let old_nodes = std::mem::replace(&mut self.nodes, nodes);
        self.last_free = nsize;
        let mut complete = true;
        if asize >= old_asize {
            self.array.resize(asize, Value::Nil);
        } else {
            // The vanishing end of the array part moves to the hash part,
            // in key order; those keys are absent from the new nodes.
            for i in asize..old_asize {
                let v = self.array.get(i).copied().unwrap_or_default();
                if !v.is_nil() {
                    let key = Value::Num((i + 1) as f64);
                    complete &= match self.new_key(key).and_then(|n| self.nodes.get_mut(n)) {
                        Some(node) => {
                            node.val = v;
                            true
                        }
                        None => false,
                    };
                }
            }
            self.array.truncate(asize);
            self.array.shrink_to_fit();
        }
        // Then the old nodes, from last to first.
        for n in old_nodes.iter().rev() {
            if !n.val.is_nil() {
                complete &= self.store(n.key, n.val);
            }
        }
        mem.release(self.charged);
        self.charged = bytes;
        // The sizes always leave room for every entry; losing one would be
        // a bug in the sizing above.
        debug_assert!(complete, "table resize lost an entry");
        Ok(())
    }
}
