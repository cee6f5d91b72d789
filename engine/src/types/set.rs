//! Redis sets as Redis 7.2+ encodes them: an `intset` (sorted 64-bit
//! integers) while every member is an integer, a `listpack` (members in
//! insertion order) while the set is small, a `hashtable` after that. Sets
//! only grow into a bigger encoding; the one way back is SPOP with a count
//! that rebuilds a hashtable set from its few survivors.

use std::borrow::Cow;

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

use super::EncodingLimits;
use crate::number::parse_i64;

type Members = IndexSet<Vec<u8>, FxBuildHasher>;

#[derive(Debug, Clone, PartialEq)]
pub enum Set {
    /// Sorted, distinct integers.
    Ints(Vec<i64>),
    /// Members in insertion order; removal keeps the order, as a listpack.
    Pack(Members),
    /// Any members; removal moves the last member into the gap, which keeps
    /// lookups and random picks O(1) and SSCAN's descending cursor valid.
    Table(Members),
}

impl Default for Set {
    /// The encoding Redis starts a computed set (SINTERSTORE, ...) in.
    fn default() -> Self {
        Set::Ints(Vec::new())
    }
}

/// Decimal length of an integer member, as a listpack would store its text.
fn decimal_len(n: i64) -> usize {
    let digits = n
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |d| d as usize + 1);
    digits + usize::from(n < 0)
}

impl Set {
    /// An empty set in the encoding Redis picks for `size_hint` new members,
    /// the first of which is `first` (`None`: not known to be an integer).
    pub fn create(first: Option<&[u8]>, size_hint: usize, limits: &EncodingLimits) -> Set {
        let first_is_int = first.and_then(parse_i64).is_some();
        if first_is_int && size_hint <= limits.set_max_intset_entries {
            Set::Ints(Vec::new())
        } else if size_hint <= limits.set_max_listpack_entries {
            Set::Pack(Members::default())
        } else {
            Set::Table(Members::default())
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Ints(v) => v.len(),
            Set::Pack(m) | Set::Table(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            Set::Ints(v) => parse_i64(member).is_some_and(|n| v.binary_search(&n).is_ok()),
            Set::Pack(m) | Set::Table(m) => m.contains(member),
        }
    }

    fn to_members(&self) -> Members {
        self.iter().map(Cow::into_owned).collect()
    }

    /// Adds a member, converting first if the current encoding cannot take
    /// it; true if it is new.
    pub fn add(&mut self, member: &[u8], limits: &EncodingLimits) -> bool {
        match self {
            Set::Ints(v) => match parse_i64(member) {
                Some(n) => {
                    let Err(at) = v.binary_search(&n) else {
                        return false;
                    };
                    v.insert(at, n);
                    if v.len() > limits.set_max_intset_entries {
                        *self = Set::Table(self.to_members());
                    }
                    return true;
                }
                None => {
                    // The integers must fit the listpack's value limit too.
                    let widest = match (v.first(), v.last()) {
                        (Some(&lo), Some(&hi)) => decimal_len(lo).max(decimal_len(hi)),
                        _ => 0,
                    };
                    let fits = v.len() < limits.set_max_listpack_entries
                        && member.len() <= limits.set_max_listpack_value
                        && widest <= limits.set_max_listpack_value;
                    *self = if fits {
                        Set::Pack(self.to_members())
                    } else {
                        Set::Table(self.to_members())
                    };
                }
            },
            Set::Pack(m) => {
                if m.contains(member) {
                    return false;
                }
                if m.len() >= limits.set_max_listpack_entries
                    || member.len() > limits.set_max_listpack_value
                {
                    *self = Set::Table(std::mem::take(m));
                }
            }
            Set::Table(_) => {}
        }
        match self {
            Set::Pack(m) | Set::Table(m) => m.insert(member.to_vec()),
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
            Set::Pack(m) => m.shift_remove(member),
            Set::Table(m) => m.swap_remove(member),
        }
    }

    /// Members in the set's own order (ascending for an intset).
    pub fn iter(&self) -> Box<dyn Iterator<Item = Cow<'_, [u8]>> + '_> {
        match self {
            Set::Ints(v) => Box::new(v.iter().map(|n| Cow::Owned(n.to_string().into_bytes()))),
            Set::Pack(m) | Set::Table(m) => Box::new(m.iter().map(|m| Cow::Borrowed(m.as_slice()))),
        }
    }

    /// The member at a position (for random picks and SSCAN pages).
    pub fn get_index(&self, i: usize) -> Option<Vec<u8>> {
        match self {
            Set::Ints(v) => v.get(i).map(|n| n.to_string().into_bytes()),
            Set::Pack(m) | Set::Table(m) => m.get_index(i).cloned(),
        }
    }

    /// Removes and returns the member at a position.
    pub fn take_index(&mut self, i: usize) -> Option<Vec<u8>> {
        match self {
            Set::Ints(v) => (i < v.len()).then(|| v.remove(i).to_string().into_bytes()),
            Set::Pack(m) => m.shift_remove_index(i),
            Set::Table(m) => m.swap_remove_index(i),
        }
    }

    /// Whether SSCAN must page through the set (a hashtable) rather than
    /// answer it whole, as Redis does for its compact encodings.
    pub fn is_paged(&self) -> bool {
        matches!(self, Set::Table(_))
    }

    /// SPOP's way of popping most of a hashtable set: Redis moves the
    /// survivors into a set created for their number, so a hashtable left
    /// with few members becomes a listpack again.
    pub fn rebuild(&mut self, limits: &EncodingLimits) {
        if let Set::Table(m) = self {
            let mut fresh = Set::create(None, m.len(), limits);
            for member in m.iter() {
                fresh.add(member, limits);
            }
            *self = fresh;
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Ints(_) => "intset",
            Set::Pack(_) => "listpack",
            Set::Table(_) => "hashtable",
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn members(s: &Set) -> Vec<Vec<u8>> {
        s.iter().map(|m| m.into_owned()).collect()
    }

    #[test]
    fn intset_then_listpack_then_hashtable() {
        let limits = EncodingLimits::default();
        let mut s = Set::create(Some(b"3"), 1, &limits);
        assert!(s.add(b"3", &limits) && s.add(b"-1", &limits) && !s.add(b"3", &limits));
        assert_eq!(s.encoding(), "intset");
        assert_eq!(members(&s), vec![b"-1".to_vec(), b"3".to_vec()]);
        s.add(b"01", &limits);
        assert_eq!(s.encoding(), "listpack");
        assert_eq!(
            members(&s),
            vec![b"-1".to_vec(), b"3".to_vec(), b"01".to_vec()]
        );
        assert!(s.contains(b"3") && s.contains(b"01") && !s.contains(b"1"));
        s.add(&[b'x'; 65], &limits);
        assert_eq!(s.encoding(), "hashtable");
    }

    #[test]
    fn thresholds_follow_the_limits() {
        let limits = EncodingLimits {
            set_max_intset_entries: 2,
            set_max_listpack_entries: 3,
            set_max_listpack_value: 5,
            ..EncodingLimits::default()
        };
        let mut s = Set::create(Some(b"1"), 2, &limits);
        s.add(b"1", &limits);
        s.add(b"2", &limits);
        assert_eq!(s.encoding(), "intset");
        s.add(b"3", &limits);
        assert_eq!(
            s.encoding(),
            "hashtable",
            "an intset overflows to a hashtable"
        );

        let mut s = Set::create(Some(b"a"), 1, &limits);
        s.add(b"xxxxx", &limits);
        assert_eq!(s.encoding(), "listpack");
        s.add(b"xxxxxx", &limits);
        assert_eq!(s.encoding(), "hashtable");

        // An intset whose numbers are too wide for the listpack skips it.
        let mut s = Set::create(Some(b"123456"), 1, &limits);
        s.add(b"123456", &limits);
        s.add(b"a", &limits);
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(Set::create(Some(b"1"), 4, &limits).encoding(), "hashtable");
    }

    #[test]
    fn rebuild_shrinks_a_hashtable() {
        let limits = EncodingLimits::default();
        let mut s = Set::create(Some(b"1"), 600, &limits);
        for i in 0..600 {
            s.add(i.to_string().as_bytes(), &limits);
        }
        assert_eq!(s.encoding(), "hashtable");
        while s.len() > 10 {
            s.take_index(0);
        }
        s.rebuild(&limits);
        assert_eq!((s.encoding(), s.len()), ("listpack", 10));
    }
}
