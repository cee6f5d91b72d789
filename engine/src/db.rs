//! One logical database: the keyspace, each key's expiry time and last
//! access, and the index of keys that have a TTL (what active expiry samples).
//!
//! Keys live in slots that never move while the key exists: a hash table
//! (`key_index`) maps a key to its slot, deleted slots are reused for new
//! keys. A slot index is therefore a stable cursor, which gives SCAN
//! Redis's guarantee (a key present for the whole iteration is returned)
//! and RANDOMKEY and expiry sampling O(1) random access. Lazy expiry lives
//! here too: every lookup first removes the key if its time has passed, so
//! an expired key is never visible through any access path.
//!
//! A database cannot reach clients, yet some of what it does on its own is
//! news to them: a key created, a key (or hash fields) removed because its
//! time passed, a read that found nothing. It notes these as `KeyEvent`s in
//! order; the engine takes them (`take_events`) before each keyspace
//! notification a command emits, after each command and after each expiry
//! cycle, and turns them into events and WATCH signals (`notify::flush`).

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

use crate::evict::clock;
use crate::inline_bytes::InlineBytes;
use crate::key_index::KeyIndex;
use crate::memory;
use crate::rng::Rng;
pub use crate::types::Value;

pub type Key = Vec<u8>;

#[derive(Debug, Clone)]
struct Slot {
    key: InlineBytes,
    value: Value,
    /// Absolute unix time in milliseconds, when the key has a TTL.
    expire_at: Option<i64>,
    /// Redis's 24 eviction bits: the LRU clock at the last access, or the
    /// LFU time and counter (`evict::clock`).
    lru: u32,
    /// What the memory model says the key takes (`memory::key_usage`), as
    /// of the last time it was settled.
    mem: usize,
    /// Whether the value may have changed size since (queued in `dirty`).
    dirty: bool,
}

impl Slot {
    /// What the memory model says the key takes now.
    fn usage(&self) -> usize {
        memory::key_usage(self.key.as_slice(), &self.value, memory::DEFAULT_SAMPLES)
    }
}

#[derive(Debug)]
pub struct Db {
    /// A plain `Vec`, although its doubling at 2^20 keys copies ~90 MB
    /// (a 51–59 ms stop in Node's wasm): slots in fixed 4096-slot chunks
    /// never moved, but each new chunk was another wasm `memory.grow`, and
    /// a 2M-key load in Node took 6.4–7.9 s instead of 4.8 s.
    slots: Vec<Option<Slot>>,
    /// Empty slots below `slots.len()` to reuse.
    free: Vec<usize>,
    index: KeyIndex,
    /// Slots whose key has a TTL.
    volatile: IndexSet<usize, FxBuildHasher>,
    /// Slots whose hash may have field TTLs (checked when sampled).
    hash_ttls: IndexSet<usize, FxBuildHasher>,
    live: usize,
    /// Counters INFO reports; they survive FLUSHDB, as Redis's do.
    pub stats: DbStats,
    /// What happened to keys since the engine last took the list.
    events: Vec<KeyEvent>,
    /// Raised with every event queued; shared by all of a server's
    /// databases (`share_events_flag`).
    events_pending: Arc<AtomicBool>,
    /// Which of the events only a notification needs are queued (see
    /// `queue_only`): most servers publish neither, and queuing one copied
    /// the key of every new key and every missed read.
    queued: QueuedEvents,
    /// Lookups are not accesses for now (a CLIENT NO-TOUCH client's
    /// command runs).
    no_touch: bool,
    /// How an access updates a key's eviction bits.
    access: clock::Mode,
    /// The LFU counter's coin flips.
    lfu_rng: Rng,
    /// The memory model's total for every key's `mem`.
    keys_mem: usize,
    /// Slots handed out mutably since the memory total was last settled.
    dirty: Vec<usize>,
}

/// Something that happened to a key inside the database, for the engine to
/// publish (Redis's notifications from `dbAdd`, expiry and `lookupKey`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyEvent {
    /// A key that did not exist was stored: the `new` event.
    Created(Key),
    /// A key was deleted because its TTL passed: `expired`.
    Expired(Key),
    /// A hash lost fields whose TTL passed: `hexpired`, and `del` when
    /// the hash went with them.
    FieldsExpired { key: Key, emptied: bool },
    /// A read found no such key: `keymiss`.
    Missed(Key),
    /// A key was removed to stay under maxmemory: `evicted`.
    Evicted(Key),
}

/// A key taken out of one place to be put in another (`Db::detach`).
/// A stored key as `Db::entries` lends it out.
pub struct Entry<'a> {
    pub key: &'a [u8],
    pub value: &'a Value,
    pub expire_at: Option<i64>,
    lru: u32,
    access: clock::Mode,
}

impl Entry<'_> {
    /// Seconds since the key was last accessed (its bits as an LRU clock).
    pub fn idle_seconds(&self, now: i64) -> i64 {
        clock::idle_seconds(self.lru, now)
    }

    /// The key's LFU counter after decay.
    pub fn frequency(&self, now: i64) -> u32 {
        clock::frequency(self.lru, self.access, now)
    }
}

#[derive(Debug)]
pub struct Detached {
    value: Value,
    expire_at: Option<i64>,
    lru: u32,
}

/// What happened to this database's keys, for INFO stats.
#[derive(Debug, Default, Clone, Copy)]
pub struct DbStats {
    pub hits: u64,
    pub misses: u64,
    pub expired: u64,
}

impl Default for Db {
    fn default() -> Self {
        Db {
            slots: Vec::new(),
            free: Vec::new(),
            index: KeyIndex::default(),
            volatile: IndexSet::default(),
            hash_ttls: IndexSet::default(),
            live: 0,
            stats: DbStats::default(),
            events: Vec::new(),
            events_pending: Arc::default(),
            queued: QueuedEvents {
                created: true,
                missed: true,
            },
            no_touch: false,
            access: clock::Mode::default(),
            lfu_rng: Rng::new(LFU_SEED),
            keys_mem: 0,
            dirty: Vec::new(),
        }
    }
}

/// The events a database queues only for `notify-keyspace-events`: keys
/// created (`new`) and read lookups that missed (`keymiss`). Expiries and
/// evictions are always queued, because the engine acts on them besides
/// publishing them (WATCH, client tracking).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedEvents {
    pub created: bool,
    pub missed: bool,
}

/// The LFU counter's generator starts the same in every database, so runs
/// repeat.
const LFU_SEED: u64 = 0x1f_u64;

/// Settles the memory total once this many keys changed unseen, so the
/// queue stays small when nobody asks (no maxmemory, no INFO).
const DIRTY_LIMIT: usize = 1024;

/// What the memory model knows of a database.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DbMemory {
    /// Every key's MEMORY USAGE, summed.
    pub keys: usize,
    pub len: usize,
    /// Keys with a TTL (each an entry in the expires table).
    pub volatile: usize,
}

/// The 32 bits of a key's hash that the index keeps. FxHash works in a
/// `usize`: natively its high half is the better mixed, and on wasm32
/// there is no high half (it is zero, and every key would collide), so the
/// halves are folded together.
fn hash(key: &[u8]) -> u32 {
    let full = FxBuildHasher.hash_one(key);
    (full ^ (full >> 32)) as u32
}

/// Whether `slot` holds `key`.
fn holds(slots: &[Option<Slot>], slot: u32, key: &[u8]) -> bool {
    slots
        .get(slot as usize)
        .and_then(Option::as_ref)
        .is_some_and(|s| s.key.as_slice() == key)
}

/// Tries made to hit an occupied slot at random before walking to one.
const RANDOM_TRIES: usize = 32;

impl Db {
    fn find(&self, key: &[u8]) -> Option<usize> {
        let slots = &self.slots;
        let slot = self.index.find(hash(key), |i| holds(slots, i, key))?;
        Some(slot as usize)
    }

    fn slot(&self, key: &[u8]) -> Option<&Slot> {
        self.find(key)
            .and_then(|i| self.slots.get(i))
            .and_then(Option::as_ref)
    }

    fn slot_mut(&mut self, key: &[u8]) -> Option<&mut Slot> {
        let i = self.find(key)?;
        self.slots.get_mut(i).and_then(Option::as_mut)
    }

    /// Removes `key` if its expiry time is at or before `now`, and a hash's
    /// fields whose time has come (the key too if none is left); true if
    /// the key went away.
    pub fn expire_if_due(&mut self, key: &[u8], now: i64) -> bool {
        self.find(key)
            .is_some_and(|i| self.expire_slot_if_due(i, key, now))
    }

    /// `expire_if_due` for `key`, found in slot `i`: lookups find a key
    /// once and use its slot from then on (each search hashes and compares
    /// the key again, and a GET used to search five times).
    fn expire_slot_if_due(&mut self, i: usize, key: &[u8], now: i64) -> bool {
        let Some(slot) = self.slots.get_mut(i).and_then(Option::as_mut) else {
            return false;
        };
        if slot.expire_at.is_some_and(|at| at <= now) {
            self.remove(key);
            self.stats.expired += 1;
            self.queue_event(KeyEvent::Expired(key.to_vec()));
            return true;
        }
        let (purged, emptied) = match &mut slot.value {
            Value::Hash(h) if h.has_ttls() => (h.purge_expired(now) > 0, h.is_empty()),
            _ => (false, false),
        };
        if purged {
            self.mark_dirty(i);
            self.queue_event(KeyEvent::FieldsExpired {
                key: key.to_vec(),
                emptied,
            });
        }
        if emptied {
            self.remove(key);
        }
        emptied
    }

    /// The slot of `key` once expiry has had its say: `None` if the key is
    /// absent or just expired.
    fn live_slot(&mut self, key: &[u8], now: i64) -> Option<usize> {
        let i = self.find(key)?;
        (!self.expire_slot_if_due(i, key, now)).then_some(i)
    }

    /// Notes that the hash at `key` has field TTLs, for active reclamation.
    pub fn track_field_ttls(&mut self, key: &[u8]) {
        if let Some(i) = self.find(key) {
            self.hash_ttls.insert(i);
        }
    }

    /// Purges expired hash fields in up to `samples` randomly chosen hashes
    /// that have field TTLs; returns how many fields went.
    pub fn reclaim_hash_fields(&mut self, now: i64, rng: &mut Rng, samples: usize) -> usize {
        let mut removed = 0;
        for _ in 0..samples {
            if self.hash_ttls.is_empty() {
                break;
            }
            let Some(&i) = self.hash_ttls.get_index(rng.below(self.hash_ttls.len())) else {
                break;
            };
            let (purged, emptied, still_has) = match self.slots.get_mut(i).and_then(Option::as_mut)
            {
                Some(Slot {
                    value: Value::Hash(h),
                    ..
                }) => {
                    let purged = h.purge_expired(now);
                    (purged, h.is_empty(), h.has_ttls())
                }
                _ => (0, false, false),
            };
            removed += purged;
            if purged > 0 {
                self.mark_dirty(i);
            }
            if !still_has {
                self.hash_ttls.swap_remove(&i);
            }
            if purged == 0 {
                continue;
            }
            let Some(key) = self
                .slots
                .get(i)
                .and_then(Option::as_ref)
                .map(|s| s.key.to_vec())
            else {
                continue;
            };
            if emptied {
                self.remove(&key);
            }
            self.queue_event(KeyEvent::FieldsExpired { key, emptied });
        }
        removed
    }

    /// The live value of `key` for a command that reads it: an access, and
    /// a keyspace hit or miss.
    pub fn read(&mut self, key: &[u8], now: i64) -> Option<&mut Value> {
        let i = self.count_lookup(key, now, true)?;
        self.touch_slot(i, now);
        self.value_in(i)
    }

    /// Counts a read lookup as a hit or a miss; a miss is a `keymiss`
    /// event too, unless `notify_miss` is false (OBJECT's lookups). The
    /// live key's slot, if any.
    fn count_lookup(&mut self, key: &[u8], now: i64, notify_miss: bool) -> Option<usize> {
        let found = self.live_slot(key, now);
        if found.is_some() {
            self.stats.hits += 1;
        } else {
            self.stats.misses += 1;
            if notify_miss && self.queued.missed {
                self.queue_event(KeyEvent::Missed(key.to_vec()));
            }
        }
        found
    }

    /// The live value of `key` for a command that writes it: an access,
    /// not counted as a hit or miss (Redis's `lookupKeyWrite`).
    pub fn get(&mut self, key: &[u8], now: i64) -> Option<&mut Value> {
        let i = self.write_lookup(key, now)?;
        self.value_in(i)
    }

    /// The value of `key` again, for a command that already looked it up:
    /// Redis keeps hold of the object it found, so this is no access (and
    /// no expiry check: the command's time has not moved).
    pub fn again(&mut self, key: &[u8]) -> Option<&mut Value> {
        let i = self.find(key)?;
        self.value_in(i)
    }

    /// The value in slot `i`, handed to a command that may change it.
    fn value_in(&mut self, i: usize) -> Option<&mut Value> {
        self.mark_dirty(i);
        self.slots.get_mut(i)?.as_mut().map(|slot| &mut slot.value)
    }

    /// Redis's `lookupKeyWrite`: expiry first, then an access of the key
    /// if it is there. Its slot, if so.
    fn write_lookup(&mut self, key: &[u8], now: i64) -> Option<usize> {
        let i = self.live_slot(key, now)?;
        self.touch_slot(i, now);
        Some(i)
    }

    /// Records an access to the key in slot `i`, unless accesses are off.
    fn touch_slot(&mut self, i: usize, now: i64) {
        if self.no_touch {
            return;
        }
        let (mode, rng) = (self.access, &mut self.lfu_rng);
        if let Some(Some(slot)) = self.slots.get_mut(i) {
            slot.lru = clock::accessed(slot.lru, mode, now, rng);
        }
    }

    /// Queues slot `i` to have its size recomputed: its value was handed
    /// out mutably.
    fn mark_dirty(&mut self, i: usize) {
        if self.dirty.len() >= DIRTY_LIMIT {
            self.settle_memory();
        }
        if let Some(Some(slot)) = self.slots.get_mut(i) {
            if !slot.dirty {
                slot.dirty = true;
                self.dirty.push(i);
            }
        }
    }

    /// Recomputes the size of every key changed since the last call.
    pub fn settle_memory(&mut self) {
        for i in std::mem::take(&mut self.dirty) {
            if let Some(Some(slot)) = self.slots.get_mut(i) {
                let mem = slot.usage();
                self.keys_mem = self.keys_mem - slot.mem + mem;
                slot.mem = mem;
                slot.dirty = false;
            }
        }
    }

    /// The memory model's figures for this database, keys changed since
    /// the last settling counted at their current size.
    pub fn memory(&self) -> DbMemory {
        // A freed slot's index can be queued again once reused: count each
        // slot once.
        let mut queued = self.dirty.clone();
        queued.sort_unstable();
        queued.dedup();
        let unsettled: isize = queued
            .iter()
            .filter_map(|&i| self.slots.get(i)?.as_ref())
            .filter(|slot| slot.dirty)
            .map(|slot| slot.usage() as isize - slot.mem as isize)
            .sum();
        DbMemory {
            keys: self.keys_mem.saturating_add_signed(unsettled),
            len: self.live,
            volatile: self.volatile.len(),
        }
    }

    /// How accesses update keys' eviction bits from now on.
    pub fn set_access_mode(&mut self, mode: clock::Mode) {
        self.access = mode;
    }

    /// A key's eviction bits, if it exists.
    pub fn eviction_bits(&self, key: &[u8]) -> Option<u32> {
        self.slot(key).map(|s| s.lru)
    }

    /// Sets a key's eviction bits (RESTORE IDLETIME/FREQ, loading a
    /// snapshot).
    pub fn set_eviction_bits(&mut self, key: &[u8], bits: u32) {
        if let Some(slot) = self.slot_mut(key) {
            slot.lru = bits;
        }
    }

    /// While on, lookups leave keys' access times (OBJECT IDLETIME) alone,
    /// as for a command of a CLIENT NO-TOUCH client.
    pub fn set_no_touch(&mut self, on: bool) {
        self.no_touch = on;
    }

    /// The live value of `key` for a command that inspects it (TYPE, TTL,
    /// EXISTS, OBJECT): a hit or miss, but not an access.
    pub fn peek(&mut self, key: &[u8], now: i64) -> Option<&Value> {
        let i = self.count_lookup(key, now, true)?;
        self.slots.get(i)?.as_ref().map(|s| &s.value)
    }

    /// `peek` for OBJECT, whose misses are counted but not notified
    /// (Redis's LOOKUP_NONOTIFY).
    pub fn peek_quietly(&mut self, key: &[u8], now: i64) -> Option<&Value> {
        let i = self.count_lookup(key, now, false)?;
        self.slots.get(i)?.as_ref().map(|s| &s.value)
    }

    /// The live value of `key`, or a new one from `make` stored without a
    /// TTL. (Always `Some`; an Option keeps the impossible case panic-free.)
    pub fn get_or_insert(
        &mut self,
        key: &[u8],
        now: i64,
        make: impl FnOnce() -> Value,
    ) -> Option<&mut Value> {
        let i = match self.write_lookup(key, now) {
            Some(i) => i,
            None => {
                self.insert(key.to_vec(), make(), None, now);
                self.find(key)?
            }
        };
        self.value_in(i)
    }

    /// The stored value of `key` with no expiry check, for commands that
    /// already looked the key up and now read several values at once.
    pub fn value(&self, key: &[u8]) -> Option<&Value> {
        self.slot(key).map(|s| &s.value)
    }

    /// Whether a write-path command finds `key` (Redis's `lookupKeyWrite`
    /// != NULL): an access of a live key, not a hit or miss.
    pub fn contains(&mut self, key: &[u8], now: i64) -> bool {
        self.write_lookup(key, now).is_some()
    }

    /// Stores `value` under `key` as Redis's `setKey` does: a write lookup
    /// first (an expired old value is reclaimed, so the key counts as new;
    /// a live one is accessed), then its new value in place or a new key.
    pub fn set(&mut self, key: Key, value: Value, keep_ttl: bool, now: i64) {
        match self.write_lookup(&key, now) {
            Some(i) => self.overwrite(i, value, keep_ttl, now),
            None => self.insert(key, value, None, now),
        }
    }

    /// Stores `value` under `key` for a command that has just looked the
    /// key up itself: a new key (Redis's `dbAdd`), or a new value in place
    /// of the old (`dbSetValue`). The key is copied only if it is new.
    pub fn replace(&mut self, key: &[u8], value: Value, keep_ttl: bool, now: i64) {
        match self.live_slot(key, now) {
            Some(i) => self.overwrite(i, value, keep_ttl, now),
            None => self.insert(key.to_vec(), value, None, now),
        }
    }

    /// Puts `value` in place of slot `i`'s (`dbSetValue`): under an LFU
    /// policy the old counter stays (the lookup's access included), under
    /// LRU the clock starts now. The old TTL survives only with `keep_ttl`.
    fn overwrite(&mut self, i: usize, value: Value, keep_ttl: bool, now: i64) {
        if let Some(slot) = self.slots.get_mut(i).and_then(Option::as_mut) {
            slot.value = value;
            if self.access == clock::Mode::Lru {
                slot.lru = clock::lru_clock(now);
            }
            if !keep_ttl && slot.expire_at.take().is_some() {
                self.volatile.swap_remove(&i);
            }
        }
        self.mark_dirty(i);
    }

    /// Adds a key known to be absent, with its expiry and access time.
    pub fn insert(&mut self, key: Key, value: Value, expire_at: Option<i64>, now: i64) {
        let Some(i) = self.place(key, value, expire_at, now) else {
            return;
        };
        if !self.queued.created {
            return;
        }
        if let Some(Some(slot)) = self.slots.get(i) {
            self.queue_event(KeyEvent::Created(slot.key.to_vec()));
        }
    }

    /// Stores a key read from a snapshot, with its eviction bits if the
    /// file had them: one lookup, and no `new` event (a load is not a
    /// stream of writes). False, storing nothing, if the key exists (or,
    /// past any real machine's memory, the slots run out: `place`).
    pub fn load(
        &mut self,
        key: Key,
        value: Value,
        expire_at: Option<i64>,
        bits: Option<u32>,
        now: i64,
    ) -> bool {
        if self.find(&key).is_some() {
            return false;
        }
        let Some(i) = self.place(key, value, expire_at, now) else {
            return false;
        };
        if let (Some(bits), Some(Some(slot))) = (bits, self.slots.get_mut(i)) {
            slot.lru = bits;
        }
        true
    }

    /// Room for `additional` more keys, so a load does not rehash as it
    /// grows.
    pub fn reserve(&mut self, additional: usize) {
        self.slots.reserve(additional);
        self.index.reserve(additional);
    }

    /// Stores a new key (the caller knows it is absent) and returns its
    /// slot; None, storing nothing, once the slot numbers (32 bits) run
    /// out. At about 90 bytes a slot that is 370 GB of keys, past wasm32's
    /// 4 GB and any machine this runs on, but a key beyond it would be
    /// unreachable, so it is refused instead.
    fn place(&mut self, key: Key, value: Value, expire_at: Option<i64>, now: i64) -> Option<usize> {
        let i = match self.free.pop() {
            Some(i) if i < self.slots.len() => i,
            _ => self.slots.len(),
        };
        let slot_no = u32::try_from(i).ok()?;
        let h = hash(&key);
        let mem = memory::key_usage(&key, &value, memory::DEFAULT_SAMPLES);
        self.keys_mem += mem;
        let slot = Some(Slot {
            key: InlineBytes::from_vec(key),
            value,
            expire_at,
            lru: clock::initial(self.access, now),
            mem,
            dirty: false,
        });
        match self.slots.get_mut(i) {
            Some(free) => *free = slot,
            None => self.slots.push(slot),
        }
        self.index.insert(h, slot_no);
        if expire_at.is_some() {
            self.volatile.insert(i);
        }
        if let Some(Some(slot)) = self.slots.get(i) {
            if matches!(&slot.value, Value::Hash(h) if h.has_ttls()) {
                self.hash_ttls.insert(i);
            }
        }
        self.live += 1;
        Some(i)
    }

    /// Deletes `key` outright (no expiry check) and returns its value and
    /// expiry time.
    pub fn take(&mut self, key: &[u8]) -> Option<(Value, Option<i64>)> {
        let slots = &self.slots;
        let i = self.index.remove(hash(key), |j| holds(slots, j, key))? as usize;
        let slot = self.slots.get_mut(i).and_then(Option::take)?;
        self.keys_mem -= slot.mem;
        self.volatile.swap_remove(&i);
        self.hash_ttls.swap_remove(&i);
        self.live -= 1;
        if self.live == 0 {
            self.slots.clear();
            self.free.clear();
        } else {
            self.free.push(i);
        }
        Some((slot.value, slot.expire_at))
    }

    /// Takes `key` out whole, to be `attach`ed under another name or in
    /// another database (RENAME, MOVE): Redis moves the object, so its
    /// eviction bits go with the value and TTL.
    pub fn detach(&mut self, key: &[u8]) -> Option<Detached> {
        let lru = self.eviction_bits(key)?;
        let (value, expire_at) = self.take(key)?;
        Some(Detached {
            value,
            expire_at,
            lru,
        })
    }

    /// Adds a `detach`ed key under `key`, known to be absent.
    pub fn attach(&mut self, key: Key, detached: Detached, now: i64) {
        let Detached {
            value,
            expire_at,
            lru,
        } = detached;
        self.insert(key.clone(), value, expire_at, now);
        self.set_eviction_bits(&key, lru);
    }

    /// Deletes `key` outright (no expiry check); true if it existed.
    pub fn remove(&mut self, key: &[u8]) -> bool {
        self.take(key).is_some()
    }

    /// The expiry time of a stored key, if it has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<i64> {
        self.slot(key).and_then(|s| s.expire_at)
    }

    /// Seconds since the key was last accessed, as OBJECT IDLETIME reports
    /// (its eviction bits read as an LRU clock).
    pub fn idle_seconds(&self, key: &[u8], now: i64) -> Option<i64> {
        self.slot(key).map(|s| clock::idle_seconds(s.lru, now))
    }

    /// The key's LFU counter after decay, as OBJECT FREQ reports.
    pub fn frequency(&self, key: &[u8], now: i64) -> Option<u32> {
        self.slot(key)
            .map(|s| clock::frequency(s.lru, self.access, now))
    }

    /// Marks a key as accessed now (TOUCH); a read for the statistics.
    pub fn touch(&mut self, key: &[u8], now: i64) -> bool {
        self.read(key, now).is_some()
    }

    /// Sets the expiry time of an existing key; false if there is no such key.
    pub fn set_expire(&mut self, key: &[u8], at: i64) -> bool {
        let Some(i) = self.find(key) else {
            return false;
        };
        if let Some(slot) = self.slots.get_mut(i).and_then(Option::as_mut) {
            slot.expire_at = Some(at);
            self.volatile.insert(i);
        }
        true
    }

    /// Removes the TTL of `key`; true if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        let Some(i) = self.find(key) else {
            return false;
        };
        let had = self
            .slots
            .get_mut(i)
            .and_then(Option::as_mut)
            .and_then(|s| s.expire_at.take())
            .is_some();
        if had {
            self.volatile.swap_remove(&i);
        }
        had
    }

    /// Stored keys, including expired ones not yet reclaimed (as Redis's DBSIZE).
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// How many stored keys have a TTL.
    pub fn volatile_len(&self) -> usize {
        self.volatile.len()
    }

    pub fn clear(&mut self) {
        *self = Db {
            stats: self.stats,
            events: std::mem::take(&mut self.events),
            events_pending: std::mem::take(&mut self.events_pending),
            queued: self.queued,
            access: self.access,
            lfu_rng: self.lfu_rng.clone(),
            ..Db::default()
        };
    }

    /// Queues an event for `notify::flush` and raises the shared flag.
    fn queue_event(&mut self, event: KeyEvent) {
        self.events.push(event);
        self.events_pending.store(true, Ordering::Relaxed);
    }

    /// Queues `new` and `keymiss` events only as `queued` says (see
    /// `QueuedEvents`); ones already queued stay.
    pub(crate) fn queue_only(&mut self, queued: QueuedEvents) {
        self.queued = queued;
    }

    /// Raises `flag` from now on when an event is queued (and now, if
    /// some already are).
    pub(crate) fn share_events_flag(&mut self, flag: &Arc<AtomicBool>) {
        if self.has_events() {
            flag.store(true, Ordering::Relaxed);
        }
        self.events_pending = Arc::clone(flag);
    }

    /// Whether events wait to be published.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// What happened to keys since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<KeyEvent> {
        std::mem::take(&mut self.events)
    }

    /// Mean remaining time to live of the keys that have one, in
    /// milliseconds (INFO keyspace's avg_ttl); 0 when none has.
    pub fn average_ttl(&self, now: i64) -> i64 {
        let ttls: Vec<i64> = self
            .volatile
            .iter()
            .filter_map(|&i| self.slots.get(i).and_then(Option::as_ref)?.expire_at)
            .map(|at| (at - now).max(0))
            .collect();
        match i64::try_from(ttls.len()) {
            Ok(n) if n > 0 => ttls.iter().sum::<i64>() / n,
            _ => 0,
        }
    }

    /// Up to `count` distinct keys with a TTL, consecutive in the TTL index
    /// from a random place (as Redis's expiry cycle walks a stretch of its
    /// expires table), so a cycle over a few keys sees every one of them.
    pub fn sample_volatile(&self, rng: &mut Rng, count: usize) -> Vec<Key> {
        let len = self.volatile.len();
        if len == 0 {
            return Vec::new();
        }
        let start = rng.below(len);
        (0..count.min(len))
            .filter_map(|step| self.volatile.get_index((start + step) % len))
            .filter_map(|&i| self.slots.get(i).and_then(Option::as_ref))
            .map(|s| s.key.to_vec())
            .collect()
    }

    /// Up to `count` keys for eviction to weigh, with their eviction bits
    /// and expiry: consecutive entries of the keyspace (or, with
    /// `volatile_only`, of the keys with a TTL) from a random place, as
    /// Redis's `dictGetSomeKeys` takes them. The walk over empty slots is
    /// bounded, so a sparse keyspace may give fewer.
    pub fn sample_for_eviction(
        &self,
        rng: &mut Rng,
        count: usize,
        volatile_only: bool,
    ) -> Vec<(Key, u32, Option<i64>)> {
        let describe = |slot: &Slot| (slot.key.to_vec(), slot.lru, slot.expire_at);
        if volatile_only {
            let len = self.volatile.len();
            if len == 0 {
                return Vec::new();
            }
            let start = rng.below(len);
            return (0..count.min(len))
                .filter_map(|step| self.volatile.get_index((start + step) % len))
                .filter_map(|&i| self.slots.get(i).and_then(Option::as_ref))
                .map(describe)
                .collect();
        }
        let n = self.slots.len();
        if self.live == 0 || n == 0 {
            return Vec::new();
        }
        let start = rng.below(n);
        (0..n.min(count.saturating_mul(10)))
            .filter_map(|step| self.slots.get((start + step) % n).and_then(Option::as_ref))
            .take(count.min(self.live))
            .map(describe)
            .collect()
    }

    /// A random key with a TTL (possibly expired).
    pub fn random_volatile_key(&self, rng: &mut Rng) -> Option<Key> {
        let len = self.volatile.len();
        if len == 0 {
            return None;
        }
        let &i = self.volatile.get_index(rng.below(len))?;
        self.slots.get(i)?.as_ref().map(|s| s.key.to_vec())
    }

    /// Removes `key` to free memory, noting the `evicted` event; the bytes
    /// the model says it took, if it existed.
    pub fn evict(&mut self, key: &[u8]) -> Option<usize> {
        let i = self.find(key)?;
        let mem = self.slots.get(i)?.as_ref()?.mem;
        self.take(key)?;
        self.queue_event(KeyEvent::Evicted(key.to_vec()));
        Some(mem)
    }

    /// A random stored key (possibly expired; callers check).
    pub fn random_key(&self, rng: &mut Rng) -> Option<Key> {
        if self.live == 0 {
            return None;
        }
        let n = self.slots.len();
        let start = (0..RANDOM_TRIES)
            .map(|_| rng.below(n))
            .find(|&i| matches!(self.slots.get(i), Some(Some(_))))
            .unwrap_or_else(|| rng.below(n));
        // Mostly-empty slot arrays: walk on from the last probe.
        (0..n)
            .map(|step| (start + step) % n)
            .find_map(|i| self.slots.get(i).and_then(Option::as_ref))
            .map(|s| s.key.to_vec())
    }

    /// Visits slots from `cursor` on, until `count` keys were seen or ten
    /// times as many empty slots (Redis's SCAN effort rule). Returns the
    /// keys and the next cursor, 0 when the iteration is complete.
    pub fn scan(&self, cursor: u64, count: usize) -> (Vec<Key>, u64) {
        let mut keys = Vec::new();
        let mut empty_budget = count.saturating_mul(10);
        let mut i = usize::try_from(cursor).unwrap_or(usize::MAX);
        while i < self.slots.len() && keys.len() < count {
            match self.slots.get(i).and_then(Option::as_ref) {
                Some(slot) => keys.push(slot.key.to_vec()),
                None => {
                    empty_budget = empty_budget.saturating_sub(1);
                    if empty_budget == 0 {
                        i += 1;
                        break;
                    }
                }
            }
            i += 1;
        }
        let next = if i >= self.slots.len() {
            0
        } else {
            u64::try_from(i).unwrap_or(0)
        };
        (keys, next)
    }

    /// Every stored key with what a snapshot writes of it, in place and in
    /// slot order (possibly expired; callers check).
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        let access = self.access;
        self.slots.iter().flatten().map(move |slot| Entry {
            key: slot.key.as_slice(),
            value: &slot.value,
            expire_at: slot.expire_at,
            lru: slot.lru,
            access,
        })
    }

    /// Every stored key (possibly expired; callers check).
    pub fn keys(&self) -> Vec<Key> {
        self.slots
            .iter()
            .flatten()
            .map(|s| s.key.to_vec())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::types::RString;

    fn string(s: &str) -> Value {
        Value::String(RString::from_arg(s.as_bytes()))
    }

    #[test]
    fn lazy_expiry_hides_and_reclaims() {
        let mut db = Db::default();
        db.set(b"k".to_vec(), string("v"), false, 0);
        assert!(db.set_expire(b"k", 100));
        assert_eq!(db.volatile_len(), 1);
        assert!(db.contains(b"k", 99));
        assert!(!db.contains(b"k", 100));
        assert_eq!(db.len(), 0);
        assert_eq!(db.volatile_len(), 0);
    }

    #[test]
    fn set_clears_ttl_unless_kept() {
        let mut db = Db::default();
        db.set(b"k".to_vec(), string("1"), false, 0);
        db.set_expire(b"k", 500);
        db.set(b"k".to_vec(), string("2"), true, 0);
        assert_eq!(db.expire_at(b"k"), Some(500));
        db.set(b"k".to_vec(), string("3"), false, 0);
        assert_eq!(db.expire_at(b"k"), None);
        assert_eq!(db.volatile_len(), 0);
    }

    #[test]
    fn slots_are_reused_and_keys_stay_put() {
        let mut db = Db::default();
        for i in 0..100 {
            db.set(format!("k{i}").into_bytes(), string("v"), false, 0);
        }
        for i in (0..100).step_by(2) {
            assert!(db.remove(format!("k{i}").as_bytes()));
        }
        assert_eq!(db.len(), 50);
        for i in 100..150 {
            db.set(format!("k{i}").into_bytes(), string("v"), false, 0);
        }
        assert_eq!(db.len(), 100);
        assert_eq!(db.slots.len(), 100, "freed slots were reused");
        let mut rng = Rng::new(1);
        let key = db.random_key(&mut rng).unwrap();
        assert!(db.contains(&key, 0));
    }

    /// Keys' hashes differ on every target (wasm32's `usize` FxHash has
    /// no high half to take).
    #[test]
    fn keys_hash_apart() {
        let hashes: std::collections::HashSet<u32> = (0..1000)
            .map(|i| hash(format!("key:{i}").as_bytes()))
            .collect();
        assert!(hashes.len() > 990, "{} distinct hashes", hashes.len());
    }

    /// The index grows from the hashes it keeps: a key placed by one hash
    /// and moved by another would be lost at the first growth.
    #[test]
    fn keys_stay_found_across_the_index_growing() {
        let mut db = Db::default();
        let key = |i: usize| format!("key:{i}").into_bytes();
        let mut removed = std::collections::HashSet::new();
        for i in 0..20_000 {
            db.set(key(i), string("v"), false, 0);
            if i % 3 == 0 && removed.insert(i / 2) {
                assert!(db.remove(&key(i / 2)));
            }
        }
        db.reserve(50_000);
        for i in 20_000..30_000 {
            db.set(key(i), string("v"), false, 0);
        }
        assert_eq!(db.len(), 30_000 - removed.len());
        for i in 0..30_000 {
            assert_eq!(db.contains(&key(i), 0), !removed.contains(&i), "key:{i}");
        }
        for i in 0..30_000 {
            assert_eq!(db.take(&key(i)).is_some(), !removed.contains(&i));
            assert!(!db.contains(&key(i), 0));
        }
        assert_eq!(db.len(), 0);
    }
}
