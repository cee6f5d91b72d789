//! Redis sets as Redis 7.0 encodes them: an `intset` (sorted 64-bit
//! integers) while every member is an integer and there are at most
//! `set-max-intset-entries` of them, otherwise a `hashtable` for good.

use std::borrow::Cow;

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

use crate::number::parse_i64;

/// Redis 7.0's default `set-max-intset-entries`.
pub const MAX_INTSET_ENTRIES: usize = 512;

#[derive(Debug, Clone, PartialEq)]
pub enum Set {
    /// Sorted, distinct integers.
    Ints(Vec<i64>),
    /// Any members; an index set for O(1) random picks.
    Table(IndexSet<Vec<u8>, FxBuildHasher>),
}

impl Default for Set {
    fn default() -> Self {
        Set::Ints(Vec::new())
    }
}

impl Set {
    /// An empty set in the encoding Redis picks for its first member.
    pub fn for_member(first: &[u8]) -> Set {
        match parse_i64(first) {
            Some(_) => Set::Ints(Vec::new()),
            None => Set::Table(IndexSet::default()),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Ints(v) => v.len(),
            Set::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            Set::Ints(v) => parse_i64(member).is_some_and(|n| v.binary_search(&n).is_ok()),
            Set::Table(t) => t.contains(member),
        }
    }

    fn convert_to_table(&mut self) {
        if let Set::Ints(v) = self {
            let table = v.iter().map(|n| n.to_string().into_bytes()).collect();
            *self = Set::Table(table);
        }
    }

    /// Adds a member; true if it is new.
    pub fn add(&mut self, member: &[u8]) -> bool {
        if let Set::Ints(v) = self {
            match parse_i64(member) {
                Some(n) => {
                    let Err(at) = v.binary_search(&n) else {
                        return false;
                    };
                    v.insert(at, n);
                    if v.len() > MAX_INTSET_ENTRIES {
                        self.convert_to_table();
                    }
                    return true;
                }
                None => self.convert_to_table(),
            }
        }
        match self {
            Set::Table(t) => t.insert(member.to_vec()),
            Set::Ints(_) => false,
        }
    }

    /// Removes a member; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            Set::Ints(v) => match parse_i64(member).map(|n| v.binary_search(&n)) {
                Some(Ok(at)) => {
                    v.remove(at);
                    true
                }
                _ => false,
            },
            Set::Table(t) => t.swap_remove(member),
        }
    }

    /// Members in the set's own order (ascending for an intset).
    pub fn iter(&self) -> Box<dyn Iterator<Item = Cow<'_, [u8]>> + '_> {
        match self {
            Set::Ints(v) => Box::new(v.iter().map(|n| Cow::Owned(n.to_string().into_bytes()))),
            Set::Table(t) => Box::new(t.iter().map(|m| Cow::Borrowed(m.as_slice()))),
        }
    }

    /// The member at a position (for random picks).
    pub fn get_index(&self, i: usize) -> Option<Vec<u8>> {
        match self {
            Set::Ints(v) => v.get(i).map(|n| n.to_string().into_bytes()),
            Set::Table(t) => t.get_index(i).cloned(),
        }
    }

    /// Removes and returns the member at a position.
    pub fn take_index(&mut self, i: usize) -> Option<Vec<u8>> {
        match self {
            Set::Ints(v) => (i < v.len()).then(|| v.remove(i).to_string().into_bytes()),
            Set::Table(t) => t.swap_remove_index(i),
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Ints(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn intset_until_a_string_or_too_many() {
        let mut s = Set::for_member(b"3");
        assert!(s.add(b"3") && s.add(b"-1") && !s.add(b"3"));
        assert_eq!(s.encoding(), "intset");
        let members: Vec<Vec<u8>> = s.iter().map(|m| m.into_owned()).collect();
        assert_eq!(members, vec![b"-1".to_vec(), b"3".to_vec()]);
        s.add(b"01");
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"3") && s.contains(b"01") && !s.contains(b"1"));

        let mut big = Set::default();
        for i in 0..=MAX_INTSET_ENTRIES {
            big.add(i.to_string().as_bytes());
        }
        assert_eq!(big.encoding(), "hashtable");
        assert_eq!(big.len(), MAX_INTSET_ENTRIES + 1);
    }
}
