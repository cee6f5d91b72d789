//! Redis hashes: fields in insertion order, encoded as a `listpack` while
//! small (at most `hash-max-listpack-entries` fields, none of whose name or
//! value set by HSET exceeds `hash-max-listpack-value` bytes), converted once
//! and for good to a `hashtable` past either limit, as Redis does.
//!
//! Fields may have their own expiry time (Redis 7.4). A listpack hash that
//! has used them reports `listpackex` and, like Redis's, lists the fields
//! with a TTL first, by expiry time, then the others in their order.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use indexmap::IndexMap;
use rustc_hash::{FxBuildHasher, FxHashMap};

use super::list::entry_size;
use super::EncodingLimits;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hash {
    fields: IndexMap<Vec<u8>, Vec<u8>, FxBuildHasher>,
    hashtable: bool,
    /// Each field's expiry (unix ms) and the sequence number that orders ties.
    ttls: FxHashMap<Vec<u8>, (i64, u64)>,
    /// The same entries ordered by expiry, soonest first; among equal
    /// times the most recently set first, as Redis's listpackex inserts.
    ttl_order: BTreeSet<(i64, Reverse<u64>, Vec<u8>)>,
    next_seq: u64,
    /// A listpack that has held field TTLs reports `listpackex`.
    listpack_ex: bool,
    /// The listpack entry bytes of every field and value (TTLs aside),
    /// kept as they change: the memory model reads it after each write,
    /// where summing it afresh cost O(fields) per write.
    entry_bytes: usize,
}

impl Hash {
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn get(&self, field: &[u8]) -> Option<&Vec<u8>> {
        self.fields.get(field)
    }

    /// Converts to a hashtable if a field or value is longer than a
    /// listpack allows.
    fn prepare_for(&mut self, args: &[&[u8]], limits: &EncodingLimits) {
        if args
            .iter()
            .any(|a| a.len() > limits.hash_max_listpack_value)
        {
            self.hashtable = true;
        }
    }

    /// Sets a field (dropping any TTL it had, and, as Redis does, moving it
    /// behind the others); true if it is new.
    pub fn set(&mut self, field: &[u8], value: Vec<u8>, limits: &EncodingLimits) -> bool {
        if self.clear_ttl(field) {
            self.move_to_end(field);
        }
        self.set_keep_ttl(field, value, limits)
    }

    /// Sets a field keeping its TTL (HINCRBY, HINCRBYFLOAT); true if it is
    /// new. A long field or value, or one entry past the limit, makes the
    /// hash a hashtable.
    pub fn set_keep_ttl(&mut self, field: &[u8], value: Vec<u8>, limits: &EncodingLimits) -> bool {
        self.prepare_for(&[field, &value], limits);
        let added = entry_size(&value);
        let new = match self.fields.get_mut(field) {
            Some(slot) => {
                self.entry_bytes = self.entry_bytes - entry_size(slot) + added;
                *slot = value;
                false
            }
            None => {
                self.entry_bytes += entry_size(field) + added;
                self.fields.insert(field.to_vec(), value);
                true
            }
        };
        if self.fields.len() > limits.hash_max_listpack_entries {
            self.hashtable = true;
        }
        new
    }

    /// Removes a field; true if it existed. A listpack keeps its order.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        self.clear_ttl(field);
        let removed = if self.hashtable {
            self.fields.swap_remove(field)
        } else {
            self.fields.shift_remove(field)
        };
        if let Some(value) = &removed {
            self.entry_bytes -= entry_size(field) + entry_size(value);
        }
        removed.is_some()
    }

    /// Fields in the order Redis lists them.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&Vec<u8>, &Vec<u8>)> + '_> {
        if self.hashtable || self.ttls.is_empty() {
            return Box::new(self.fields.iter());
        }
        let with_ttl = self
            .ttl_order
            .iter()
            .filter_map(|(_, _, f)| self.fields.get_key_value(f));
        let without = self
            .fields
            .iter()
            .filter(|(f, _)| !self.ttls.contains_key(f.as_slice()));
        Box::new(with_ttl.chain(without))
    }

    /// The expiry time of a field, if it has one.
    pub fn expire_at(&self, field: &[u8]) -> Option<i64> {
        self.ttls.get(field).map(|&(at, _)| at)
    }

    pub fn has_ttls(&self) -> bool {
        !self.ttls.is_empty()
    }

    /// Gives an existing field an expiry time; false if there is no field.
    pub fn set_expire(&mut self, field: &[u8], at: i64) -> bool {
        if !self.fields.contains_key(field) {
            return false;
        }
        self.clear_ttl(field);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.ttls.insert(field.to_vec(), (at, seq));
        self.ttl_order.insert((at, Reverse(seq), field.to_vec()));
        self.listpack_ex = true;
        true
    }

    /// Removes a field's TTL, moving it behind the fields without one;
    /// true if it had one.
    pub fn persist(&mut self, field: &[u8]) -> bool {
        let had = self.clear_ttl(field);
        if had {
            self.move_to_end(field);
        }
        had
    }

    fn clear_ttl(&mut self, field: &[u8]) -> bool {
        match self.ttls.remove(field) {
            Some((at, seq)) => {
                self.ttl_order.remove(&(at, Reverse(seq), field.to_vec()));
                true
            }
            None => false,
        }
    }

    /// Order only shows in a listpack; a hashtable's members must stay put
    /// for HSCAN's cursor (see `scan::collection_positions`).
    fn move_to_end(&mut self, field: &[u8]) {
        if self.hashtable {
            return;
        }
        if let Some(value) = self.fields.shift_remove(field) {
            self.fields.insert(field.to_vec(), value);
        }
    }

    /// Deletes the fields whose time has come; how many.
    pub fn purge_expired(&mut self, now: i64) -> usize {
        let mut removed = 0;
        while let Some((at, _, field)) = self.ttl_order.first().cloned() {
            if at > now {
                break;
            }
            self.remove(&field);
            removed += 1;
        }
        removed
    }

    /// Whether HSCAN must page through the hash (a hashtable).
    pub fn is_paged(&self) -> bool {
        self.hashtable
    }

    /// The field and value at a position (for random picks and HSCAN pages).
    pub fn get_index(&self, i: usize) -> Option<(&Vec<u8>, &Vec<u8>)> {
        self.fields.get_index(i)
    }

    /// What the fields and values take as listpack entries (their TTLs
    /// not counted).
    pub fn entry_bytes(&self) -> usize {
        self.entry_bytes
    }

    pub fn encoding(&self) -> &'static str {
        match (self.hashtable, self.listpack_ex) {
            (true, _) => "hashtable",
            (false, true) => "listpackex",
            (false, false) => "listpack",
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn entry_bytes_follow_every_change() {
        let limits = EncodingLimits::default();
        let mut h = Hash::default();
        let recount =
            |h: &Hash| -> usize { h.iter().map(|(f, v)| entry_size(f) + entry_size(v)).sum() };
        let mut seed: u64 = 7;
        for step in 0..2000u64 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let field = format!("f{}", (seed >> 33) % 40).into_bytes();
            let value = match (seed >> 20) % 4 {
                0 => format!("{}", seed % 100_000).into_bytes(),
                1 => vec![b'x'; (seed % 90) as usize],
                2 => b"-7".to_vec(),
                _ => Vec::new(),
            };
            match (seed >> 40) % 6 {
                0 | 1 => {
                    h.set(&field, value, &limits);
                }
                2 => {
                    h.set_keep_ttl(&field, value, &limits);
                }
                3 => {
                    h.remove(&field);
                }
                4 => {
                    h.set_expire(&field, i64::try_from(step % 50).unwrap_or(0));
                }
                _ => {
                    h.persist(&field);
                    h.purge_expired(i64::try_from(step % 60).unwrap_or(0));
                }
            }
            assert_eq!(h.entry_bytes(), recount(&h), "after step {step}");
        }
    }

    #[test]
    fn converts_past_either_limit_and_never_back() {
        let limits = EncodingLimits::default();
        let mut h = Hash::default();
        for i in 0..limits.hash_max_listpack_entries {
            h.set(format!("f{i}").as_bytes(), b"v".to_vec(), &limits);
        }
        assert_eq!(h.encoding(), "listpack");
        h.set(b"one-more", b"v".to_vec(), &limits);
        assert_eq!(h.encoding(), "hashtable");
        h.remove(b"one-more");
        assert_eq!(h.encoding(), "hashtable");

        let mut small = Hash::default();
        small.set(b"f", vec![b'x'; 65], &limits);
        assert_eq!(small.encoding(), "hashtable");
    }

    #[test]
    fn listpack_keeps_insertion_order_through_deletes() {
        let mut h = Hash::default();
        for f in ["a", "b", "c", "d"] {
            h.set(f.as_bytes(), Vec::new(), &EncodingLimits::default());
        }
        h.remove(b"b");
        let order: Vec<&[u8]> = h.iter().map(|(f, _)| f.as_slice()).collect();
        assert_eq!(order, [b"a".as_slice(), b"c", b"d"]);
    }
}
