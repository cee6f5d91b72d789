//! The keyspace's hash index: from a key's hash to the slot that holds it
//! (`db::Db` keeps the slots and compares the keys).
//!
//! Entries keep 32 bits of their key's hash, so the table grows (moves
//! every entry into one twice the size) without reading a single key.
//! When it read each key from its slot instead, the cache misses made the
//! growth near 1M keys stop every client for 80–100 ms natively and 111 ms
//! in Node's wasm, and near 2M keys 180–240 ms and 670 ms; now those take
//! 21–26 and 42–55 ms natively, 8.5 and 17–20 ms in wasm.
//!
//! Redis grows its dictionaries a few entries per command instead. Doing
//! that here (a second table, filled by walking the slots) ended the
//! stalls but made a bulk load of 2M keys 35% slower natively: each entry
//! moved costs a random lookup in the old table, where growing at once
//! reads it in order.

use hashbrown::HashTable;

/// A key's entry: its slot, and the 32 bits of its hash that the table's hash
/// is made from (`table_hash`).
#[derive(Debug, Clone, Copy)]
struct Indexed {
    slot: u32,
    hash: u32,
}

impl Indexed {
    fn table_hash(&self) -> u64 {
        spread(self.hash)
    }
}

/// The 64-bit hash the table places an entry by: the stored 32 bits times
/// an odd constant, so both the top bits (hashbrown's tag) and the low bits
/// (its position) depend on the key.
fn spread(hash: u32) -> u64 {
    u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[derive(Debug, Default)]
pub struct KeyIndex {
    table: HashTable<Indexed>,
}

impl KeyIndex {
    /// The slot whose key has `hash` and for which `holds` says yes.
    pub fn find(&self, hash: u32, holds: impl Fn(u32) -> bool) -> Option<u32> {
        self.table
            .find(spread(hash), |e| e.hash == hash && holds(e.slot))
            .map(|e| e.slot)
    }

    /// Removes and returns the slot `find` would return.
    pub fn remove(&mut self, hash: u32, holds: impl Fn(u32) -> bool) -> Option<u32> {
        let found = self
            .table
            .find_entry(spread(hash), |e| e.hash == hash && holds(e.slot));
        Some(found.ok()?.remove().0.slot)
    }

    /// Adds the entry of a key that is not in the index.
    pub fn insert(&mut self, hash: u32, slot: u32) {
        let entry = Indexed { slot, hash };
        self.table
            .insert_unique(entry.table_hash(), entry, Indexed::table_hash);
    }

    /// Room for `additional` more entries without growing.
    pub fn reserve(&mut self, additional: usize) {
        self.table.reserve(additional, Indexed::table_hash);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// Keys are numbered; their slots are `slots`. Numbers share hashes in
    /// fours, so a lookup must tell keys with one hash apart.
    fn hash_of(name: u32) -> u32 {
        (name / 4).wrapping_mul(0x2545_F491)
    }

    fn find(index: &KeyIndex, slots: &[Option<u32>], name: u32) -> Option<u32> {
        index.find(hash_of(name), |s| {
            slots.get(s as usize) == Some(&Some(name))
        })
    }

    /// Growth moves entries by their stored hashes: one placed by one hash
    /// and moved by another would be lost at the first growth.
    #[test]
    fn entries_stay_found_as_the_table_grows() {
        let mut index = KeyIndex::default();
        let mut slots: Vec<Option<u32>> = Vec::new();
        for name in 0..50_000 {
            index.insert(hash_of(name), slots.len() as u32);
            slots.push(Some(name));
            // Every fifth key leaves again.
            if name % 5 == 4 {
                let gone = name - 2;
                let slot = index.remove(hash_of(gone), |s| {
                    slots.get(s as usize) == Some(&Some(gone))
                });
                assert_eq!(slot, Some(gone));
                slots[gone as usize] = None;
            }
        }
        index.reserve(100_000);
        for name in 0..50_000 {
            let present = name % 5 != 2 || name + 2 >= 50_000;
            assert_eq!(
                find(&index, &slots, name),
                present.then_some(name),
                "key {name}"
            );
        }
        assert_eq!(find(&index, &slots, 50_000), None);
    }
}
