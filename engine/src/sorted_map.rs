//! Ordered maps and sets kept as sorted vectors, for the engine's small
//! bookkeeping collections: tracking's prefixes and per-key readers, the
//! counters INFO lists, a stream's groups and consumers. They iterate in key order, as a
//! `BTreeMap` does, but each key/value type costs a few hundred bytes of
//! wasm instead of the ~8 KB of node code a `BTreeMap` instantiates (the
//! engine's download is budgeted). Insertion and removal move the entries
//! after the slot, so these are only for collections that stay small or
//! grow at the end (client ids only increase); the keyspace, streams and
//! the like keep their trees.

use std::borrow::Borrow;

/// A map from `K` to `V`, ordered by `K`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }

    /// A map of `entries` in any order, sorted once (so building from an
    /// untrusted file is O(n log n), not an insertion per entry); the
    /// first key found twice is the error.
    pub fn from_unique(mut entries: Vec<(K, V)>) -> Result<Self, K> {
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let twice = entries.windows(2).position(|pair| match pair {
            [a, b] => a.0 == b.0,
            _ => false,
        });
        match twice {
            Some(at) => Err(entries.swap_remove(at).0),
            None => Ok(SortedMap { entries }),
        }
    }

    /// The slot of `key`, or where it would go.
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.entries.get(at).map(|(_, v)| v)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.entries.get_mut(at).map(|(_, v)| v)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; the value it replaced, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => self
                .entries
                .get_mut(at)
                .map(|(_, old)| std::mem::replace(old, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// The value of `key`, inserted from `make` first if it is missing.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let at = self.position_or_insert_with(key, make);
        // `at` is in bounds: found, or just inserted there.
        &mut self.entries[at].1
    }

    /// `get_or_insert_with` for a caller that asks for the same key many
    /// times running: the entry at `*hint` is tried first with `is_key`, a
    /// test cheaper than a search, and `*hint` is left at the entry found.
    pub fn get_or_insert_hinted(
        &mut self,
        hint: &mut usize,
        is_key: impl FnOnce(&K) -> bool,
        key: K,
        make: impl FnOnce() -> V,
    ) -> &mut V {
        if !self.entries.get(*hint).is_some_and(|(k, _)| is_key(k)) {
            *hint = self.position_or_insert_with(key, make);
        }
        // `*hint` is in bounds: checked, found, or just inserted there.
        &mut self.entries[*hint].1
    }

    /// The position of `key` among the entries, inserted from `make` first
    /// if it is missing.
    fn position_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> usize {
        match self.find(&key) {
            Ok(at) => at,
            Err(at) => {
                self.entries.insert(at, (key, make()));
                at
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        Some(self.entries.remove(at).1)
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

impl<'a, K: Ord, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

/// A set of `K`, ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedSet<K> {
    map: SortedMap<K, ()>,
}

impl<K> Default for SortedSet<K> {
    fn default() -> Self {
        SortedSet {
            map: SortedMap::default(),
        }
    }
}

impl<K: Ord> SortedSet<K> {
    pub const fn new() -> Self {
        SortedSet {
            map: SortedMap::new(),
        }
    }

    /// Adds `key`; false if it was already there.
    pub fn insert(&mut self, key: K) -> bool {
        self.map.insert(key, ()).is_none()
    }

    /// Removes `key`; false if it was not there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.remove(key).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.map.keys()
    }
}

impl<'a, K: Ord> IntoIterator for &'a SortedSet<K> {
    type Item = &'a K;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, ())>, fn(&'a (K, ())) -> &'a K>;

    fn into_iter(self) -> Self::IntoIter {
        self.map.entries.iter().map(|(k, _)| k)
    }
}

impl<K: Ord> IntoIterator for SortedSet<K> {
    type Item = K;
    type IntoIter = std::iter::Map<std::vec::IntoIter<(K, ())>, fn((K, ())) -> K>;

    fn into_iter(self) -> Self::IntoIter {
        self.map.entries.into_iter().map(|(k, ())| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_keeps_its_keys_in_order_and_replaces_values() {
        let mut map = SortedMap::new();
        for (k, v) in [(5, "e"), (1, "a"), (3, "c"), (1, "A")] {
            map.insert(k, v);
        }
        assert_eq!(
            map.iter().collect::<Vec<_>>(),
            [(&1, &"A"), (&3, &"c"), (&5, &"e")]
        );
        assert_eq!(map.insert(3, "C"), Some("c"));
        assert_eq!(map.get(&3), Some(&"C"));
        assert_eq!(map.remove(&1), Some("A"));
        assert_eq!(map.remove(&1), None);
        assert!(!map.contains_key(&1));
        *map.get_or_insert_with(4, || "d") = "D";
        assert_eq!(*map.get_or_insert_with(4, || "unused"), "D");
        assert_eq!(map.remove(&5), Some("e"));
        assert_eq!(map.keys().copied().collect::<Vec<_>>(), [3, 4]);
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn a_hint_that_no_longer_fits_falls_back_to_a_search() {
        let mut map = SortedMap::new();
        let mut hint = 0;
        *map.get_or_insert_hinted(&mut hint, |k| *k == 5, 5, || 0) += 1;
        // 1 goes in front of 5: the hint (0) now points at 1.
        *map.get_or_insert_hinted(&mut hint, |k| *k == 1, 1, || 0) += 1;
        *map.get_or_insert_hinted(&mut hint, |k| *k == 5, 5, || 0) += 1;
        assert_eq!(hint, 1);
        *map.get_or_insert_hinted(&mut hint, |k| *k == 5, 5, || 0) += 1;
        hint = 99;
        *map.get_or_insert_hinted(&mut hint, |k| *k == 1, 1, || 0) += 1;
        assert_eq!(map.iter().collect::<Vec<_>>(), [(&1, &2), (&5, &3)]);
    }

    #[test]
    fn a_map_is_built_from_unsorted_entries_unless_a_key_repeats() {
        let map = SortedMap::from_unique(vec![(3, 'c'), (1, 'a'), (2, 'b')]);
        assert_eq!(
            map.map(|m| m.keys().copied().collect::<Vec<_>>()),
            Ok(vec![1, 2, 3])
        );
        let twice = SortedMap::from_unique(vec![(3, 'c'), (1, 'a'), (3, 'C')]);
        assert_eq!(twice.map(|m| m.len()), Err(3));
    }

    #[test]
    fn borrowed_keys_find_owned_ones() {
        let mut map: SortedMap<Vec<u8>, u32> = SortedMap::new();
        map.insert(b"b".to_vec(), 2);
        map.insert(b"a".to_vec(), 1);
        assert_eq!(map.get(&b"a"[..]), Some(&1));
        assert_eq!(
            map.get_mut(&b"b"[..]).map(|v| std::mem::replace(v, 9)),
            Some(2)
        );
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [1, 9]);
    }

    #[test]
    fn a_set_dedups_and_orders() {
        let mut set = SortedSet::new();
        for n in [9, 2, 9, 4] {
            set.insert(n);
        }
        assert_eq!(set.iter().copied().collect::<Vec<_>>(), [2, 4, 9]);
        assert!(set.insert(3));
        assert!(!set.insert(3));
        assert!(set.remove(&9));
        assert!(!set.remove(&9));
        assert_eq!((&set).into_iter().copied().collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!(set.into_iter().collect::<Vec<_>>(), [2, 3, 4]);
    }
}
