//! Redis hashes: fields in insertion order, encoded as a `listpack` while
//! small (at most `hash-max-listpack-entries` fields, none of whose name or
//! value set by HSET exceeds `hash-max-listpack-value` bytes), converted once
//! and for good to a `hashtable` past either limit, as Redis does.

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

/// Redis 7.0's defaults for the conversion thresholds.
pub const MAX_LISTPACK_ENTRIES: usize = 512;
pub const MAX_LISTPACK_VALUE: usize = 64;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hash {
    fields: IndexMap<Vec<u8>, Vec<u8>, FxBuildHasher>,
    hashtable: bool,
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
    fn prepare_for(&mut self, args: &[&[u8]]) {
        if args.iter().any(|a| a.len() > MAX_LISTPACK_VALUE) {
            self.hashtable = true;
        }
    }

    /// Sets a field; true if it is new. A long field or value, or one entry
    /// past the limit, makes the hash a hashtable.
    pub fn set(&mut self, field: &[u8], value: Vec<u8>) -> bool {
        self.prepare_for(&[field, &value]);
        let new = match self.fields.get_mut(field) {
            Some(slot) => {
                *slot = value;
                false
            }
            None => {
                self.fields.insert(field.to_vec(), value);
                true
            }
        };
        if self.fields.len() > MAX_LISTPACK_ENTRIES {
            self.hashtable = true;
        }
        new
    }

    /// Removes a field; true if it existed. A listpack keeps its order.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        if self.hashtable {
            self.fields.swap_remove(field).is_some()
        } else {
            self.fields.shift_remove(field).is_some()
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &Vec<u8>)> {
        self.fields.iter()
    }

    /// The field and value at a position (for random picks).
    pub fn get_index(&self, i: usize) -> Option<(&Vec<u8>, &Vec<u8>)> {
        self.fields.get_index(i)
    }

    pub fn encoding(&self) -> &'static str {
        if self.hashtable {
            "hashtable"
        } else {
            "listpack"
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn converts_past_either_limit_and_never_back() {
        let mut h = Hash::default();
        for i in 0..MAX_LISTPACK_ENTRIES {
            h.set(format!("f{i}").as_bytes(), b"v".to_vec());
        }
        assert_eq!(h.encoding(), "listpack");
        h.set(b"one-more", b"v".to_vec());
        assert_eq!(h.encoding(), "hashtable");
        h.remove(b"one-more");
        assert_eq!(h.encoding(), "hashtable");

        let mut small = Hash::default();
        small.set(b"f", vec![b'x'; 65]);
        assert_eq!(small.encoding(), "hashtable");
    }

    #[test]
    fn listpack_keeps_insertion_order_through_deletes() {
        let mut h = Hash::default();
        for f in ["a", "b", "c", "d"] {
            h.set(f.as_bytes(), Vec::new());
        }
        h.remove(b"b");
        let order: Vec<&[u8]> = h.iter().map(|(f, _)| f.as_slice()).collect();
        assert_eq!(order, [b"a".as_slice(), b"c", b"d"]);
    }
}
