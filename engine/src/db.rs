//! One logical database: the key -> value map, each key's expiry time, and
//! the index of keys that have one (what active expiry samples from).
//! Lazy expiry lives here: every lookup first removes the key if its time
//! has passed, so an expired key is never visible through any access path.

use indexmap::IndexSet;
use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::rng::Rng;
pub use crate::types::Value;

pub type Key = Vec<u8>;

#[derive(Debug, Clone)]
struct Entry {
    value: Value,
    /// Absolute unix time in milliseconds, when the key has a TTL.
    expire_at: Option<i64>,
}

#[derive(Debug, Default)]
pub struct Db {
    entries: FxHashMap<Key, Entry>,
    volatile: IndexSet<Key, FxBuildHasher>,
}

impl Db {
    /// Removes `key` if its expiry time is at or before `now`; true if it did.
    pub fn expire_if_due(&mut self, key: &[u8], now: i64) -> bool {
        let due = self
            .entries
            .get(key)
            .and_then(|e| e.expire_at)
            .is_some_and(|at| at <= now);
        if due {
            self.remove(key);
        }
        due
    }

    /// The live value of `key`, after lazy expiry.
    pub fn get(&mut self, key: &[u8], now: i64) -> Option<&mut Value> {
        self.expire_if_due(key, now);
        self.entries.get_mut(key).map(|e| &mut e.value)
    }

    /// The live value of `key`, or a new one from `make` stored without a TTL.
    pub fn get_or_insert(
        &mut self,
        key: &[u8],
        now: i64,
        make: impl FnOnce() -> Value,
    ) -> &mut Value {
        self.expire_if_due(key, now);
        let entry = self.entries.entry(key.to_vec());
        &mut entry
            .or_insert_with(|| Entry {
                value: make(),
                expire_at: None,
            })
            .value
    }

    pub fn contains(&mut self, key: &[u8], now: i64) -> bool {
        self.get(key, now).is_some()
    }

    /// Stores `value` under `key`. The old TTL survives only with `keep_ttl`.
    pub fn set(&mut self, key: Key, value: Value, keep_ttl: bool) {
        match self.entries.get_mut(&key) {
            Some(entry) => {
                entry.value = value;
                if !keep_ttl && entry.expire_at.take().is_some() {
                    self.volatile.swap_remove(&key);
                }
            }
            None => {
                self.entries.insert(
                    key,
                    Entry {
                        value,
                        expire_at: None,
                    },
                );
            }
        }
    }

    /// Deletes `key` outright (no expiry check); true if it existed.
    pub fn remove(&mut self, key: &[u8]) -> bool {
        match self.entries.remove(key) {
            Some(entry) => {
                if entry.expire_at.is_some() {
                    self.volatile.swap_remove(key);
                }
                true
            }
            None => false,
        }
    }

    /// The expiry time of a live key, if it has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<i64> {
        self.entries.get(key).and_then(|e| e.expire_at)
    }

    /// Sets the expiry time of an existing key; false if there is no such key.
    pub fn set_expire(&mut self, key: &[u8], at: i64) -> bool {
        let Some(entry) = self.entries.get_mut(key) else {
            return false;
        };
        if entry.expire_at.replace(at).is_none() {
            self.volatile.insert(key.to_vec());
        }
        true
    }

    /// Removes the TTL of `key`; true if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        let had = self
            .entries
            .get_mut(key)
            .and_then(|e| e.expire_at.take())
            .is_some();
        if had {
            self.volatile.swap_remove(key);
        }
        had
    }

    /// Stored keys, including expired ones not yet reclaimed (as Redis's DBSIZE).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many stored keys have a TTL.
    pub fn volatile_len(&self) -> usize {
        self.volatile.len()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.volatile.clear();
    }

    /// A uniformly chosen key among those with a TTL.
    pub fn random_volatile_key(&self, rng: &mut Rng) -> Option<Key> {
        if self.volatile.is_empty() {
            return None;
        }
        self.volatile
            .get_index(rng.below(self.volatile.len()))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::RString;

    fn string(s: &str) -> Value {
        Value::String(RString::from_arg(s.as_bytes()))
    }
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn lazy_expiry_hides_and_reclaims() {
        let mut db = Db::default();
        db.set(b"k".to_vec(), string("v"), false);
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
        db.set(b"k".to_vec(), string("1"), false);
        db.set_expire(b"k", 500);
        db.set(b"k".to_vec(), string("2"), true);
        assert_eq!(db.expire_at(b"k"), Some(500));
        db.set(b"k".to_vec(), string("3"), false);
        assert_eq!(db.expire_at(b"k"), None);
        assert_eq!(db.volatile_len(), 0);
    }
}
