//! Redis sorted sets: members ordered by (score, member bytes), with a
//! member → score map for O(1) lookups and an order-statistic treap (an
//! arena of nodes that know their subtree sizes) for O(log n) insertion,
//! removal, rank and rank-to-member, the bounds Redis's skiplist gives.
//!
//! The encoding Redis would report follows Redis's rule: `listpack` while
//! there are at most `zset-max-listpack-entries` members none longer than
//! `zset-max-listpack-value` bytes, `skiplist` for good after that.
//!
//! The member map is an index map whose removal moves the last member into
//! the gap and whose score updates happen in place, so positions suit
//! ZSCAN's descending cursor (see `commands::scan::collection_positions`).

use std::cmp::Ordering;

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

use super::list::{entry_size, int_entry_size};
use super::EncodingLimits;
use crate::number::format_g17;

const NIL: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct Node {
    score: f64,
    member: Vec<u8>,
    priority: u64,
    left: u32,
    right: u32,
    size: u32,
}

/// Orders (score, member) pairs as Redis does; scores are never NaN.
fn order(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> Ordering {
    a_score
        .partial_cmp(&b_score)
        .unwrap_or(Ordering::Equal)
        .then_with(|| a_member.cmp(b_member))
}

#[derive(Debug, Clone, Default)]
pub struct ZSet {
    nodes: Vec<Node>,
    free: Vec<u32>,
    root: u32,
    scores: IndexMap<Vec<u8>, f64, FxBuildHasher>,
    skiplist: bool,
    /// State of the generator for node priorities (deterministic).
    seed: u64,
    /// The listpack entry bytes of every member and score, kept as they
    /// change: the memory model reads it after each write, where summing
    /// it afresh cost O(members) per write.
    entry_bytes: usize,
}

impl PartialEq for ZSet {
    fn eq(&self, other: &ZSet) -> bool {
        self.len() == other.len() && self.range(0, self.len()).eq(other.range(0, other.len()))
    }
}

impl ZSet {
    pub fn new() -> ZSet {
        ZSet {
            root: NIL,
            ..ZSet::default()
        }
    }

    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    pub fn encoding(&self) -> &'static str {
        if self.skiplist {
            "skiplist"
        } else {
            "listpack"
        }
    }

    /// An empty set in the encoding Redis creates for `size_hint` members
    /// the first of which is `first_len` bytes long (ZADD's sizing).
    pub fn with_hint(size_hint: usize, first_len: usize, limits: &EncodingLimits) -> ZSet {
        ZSet {
            skiplist: size_hint > limits.zset_max_listpack_entries
                || first_len > limits.zset_max_listpack_value,
            ..ZSet::new()
        }
    }

    /// Whether ZSCAN must page through the set (a skiplist).
    pub fn is_paged(&self) -> bool {
        self.skiplist
    }

    /// The member and score at a position of the member map (ZSCAN pages).
    pub fn get_index(&self, i: usize) -> Option<(&Vec<u8>, f64)> {
        self.scores.get_index(i).map(|(m, &s)| (m, s))
    }

    fn node(&self, i: u32) -> Option<&Node> {
        self.nodes.get(i as usize)
    }

    fn size(&self, i: u32) -> u32 {
        self.node(i).map_or(0, |n| n.size)
    }

    fn fix(&mut self, i: u32) {
        let (l, r) = match self.node(i) {
            Some(n) => (n.left, n.right),
            None => return,
        };
        let size = 1 + self.size(l) + self.size(r);
        if let Some(n) = self.nodes.get_mut(i as usize) {
            n.size = size;
        }
    }

    fn set_children(&mut self, i: u32, left: u32, right: u32) {
        if let Some(n) = self.nodes.get_mut(i as usize) {
            n.left = left;
            n.right = right;
        }
        self.fix(i);
    }

    /// Splits the tree at `t` into nodes ordered before (score, member)
    /// (or at-or-before with `inclusive`) and the rest.
    fn split(&mut self, t: u32, score: f64, member: &[u8], inclusive: bool) -> (u32, u32) {
        let Some(n) = self.node(t) else {
            return (NIL, NIL);
        };
        let (left, right) = (n.left, n.right);
        let goes_left = match order(n.score, &n.member, score, member) {
            Ordering::Less => true,
            Ordering::Equal => inclusive,
            Ordering::Greater => false,
        };
        if goes_left {
            let (a, b) = self.split(right, score, member, inclusive);
            self.set_children(t, left, a);
            (t, b)
        } else {
            let (a, b) = self.split(left, score, member, inclusive);
            self.set_children(t, b, right);
            (a, t)
        }
    }

    fn merge(&mut self, a: u32, b: u32) -> u32 {
        match (self.node(a), self.node(b)) {
            (None, _) => b,
            (_, None) => a,
            (Some(na), Some(nb)) => {
                if na.priority > nb.priority {
                    let (l, r) = (na.left, na.right);
                    let merged = self.merge(r, b);
                    self.set_children(a, l, merged);
                    a
                } else {
                    let (l, r) = (nb.left, nb.right);
                    let merged = self.merge(a, l);
                    self.set_children(b, merged, r);
                    b
                }
            }
        }
    }

    fn next_priority(&mut self) -> u64 {
        // splitmix64: cheap, deterministic, well spread.
        self.seed = self.seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Sets a member's score, converting to a skiplist past the limits;
    /// returns the previous score, if any.
    pub fn insert(&mut self, member: &[u8], score: f64, limits: &EncodingLimits) -> Option<f64> {
        let old = self.score(member);
        let stays_listpack = !self.skiplist
            && self.len() + usize::from(old.is_none()) <= limits.zset_max_listpack_entries
            && member.len() <= limits.zset_max_listpack_value;
        // A listpack keeps a zero score as the integer 0, so -0 reads back
        // as 0; a skiplist keeps the double, sign included (Redis 7.0).
        let score = if stays_listpack && score == 0.0 {
            0.0
        } else {
            score
        };
        if let Some(old_score) = old {
            self.unlink(member, old_score);
            self.entry_bytes -= entry_size(member) + score_entry_size(old_score);
        }
        self.entry_bytes += entry_size(member) + score_entry_size(score);
        let priority = self.next_priority();
        let node = Node {
            score,
            member: member.to_vec(),
            priority,
            left: NIL,
            right: NIL,
            size: 1,
        };
        let i = match self.free.pop() {
            Some(i) => {
                if let Some(slot) = self.nodes.get_mut(i as usize) {
                    *slot = node;
                }
                i
            }
            None => {
                self.nodes.push(node);
                u32::try_from(self.nodes.len() - 1).unwrap_or(NIL)
            }
        };
        let (a, b) = self.split(self.root, score, member, false);
        let left = self.merge(a, i);
        self.root = self.merge(left, b);
        match self.scores.get_mut(member) {
            Some(slot) => *slot = score,
            None => {
                self.scores.insert(member.to_vec(), score);
            }
        }
        if self.len() > limits.zset_max_listpack_entries
            || member.len() > limits.zset_max_listpack_value
        {
            self.skiplist = true;
        }
        old
    }

    /// Takes a member's node out of the order (not out of the map).
    fn unlink(&mut self, member: &[u8], score: f64) {
        let (a, rest) = self.split(self.root, score, member, false);
        let (target, b) = self.split(rest, score, member, true);
        if target != NIL {
            self.free.push(target);
        }
        self.root = self.merge(a, b);
    }

    /// Removes a member; returns its score if it was there.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.scores.swap_remove(member)?;
        self.unlink(member, score);
        self.entry_bytes -= entry_size(member) + score_entry_size(score);
        if self.scores.is_empty() {
            *self = ZSet {
                skiplist: self.skiplist,
                seed: self.seed,
                ..ZSet::new()
            };
        }
        Some(score)
    }

    /// What the members and scores take as listpack entries.
    pub fn entry_bytes(&self) -> usize {
        self.entry_bytes
    }

    /// 0-based rank of a member in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.score(member)?;
        Some(self.count_before(|s, m| order(s, m, score, member) == Ordering::Less))
    }

    /// How many members sort before the first one for which `before` is false
    /// (`before` must be monotone over the order).
    pub fn count_before(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        let mut count = 0usize;
        let mut t = self.root;
        while let Some(n) = self.node(t) {
            if before(n.score, &n.member) {
                count += self.size(n.left) as usize + 1;
                t = n.right;
            } else {
                t = n.left;
            }
        }
        count
    }

    /// The member and score at a rank.
    pub fn at(&self, rank: usize) -> Option<(&[u8], f64)> {
        let mut k = rank;
        let mut t = self.root;
        while let Some(n) = self.node(t) {
            let left = self.size(n.left) as usize;
            match k.cmp(&left) {
                Ordering::Less => t = n.left,
                Ordering::Equal => return Some((&n.member, n.score)),
                Ordering::Greater => {
                    k -= left + 1;
                    t = n.right;
                }
            }
        }
        None
    }

    /// Removes and returns up to `n` members from the low end (or the high
    /// end with `highest`), in the order they come off.
    pub fn pop(&mut self, highest: bool, n: usize) -> Vec<(Vec<u8>, f64)> {
        let mut popped = Vec::with_capacity(n.min(self.len()));
        for _ in 0..n {
            let rank = if highest {
                self.len().saturating_sub(1)
            } else {
                0
            };
            let Some((member, score)) = self.at(rank).map(|(m, s)| (m.to_vec(), s)) else {
                break;
            };
            self.remove(&member);
            popped.push((member, score));
        }
        popped
    }

    /// Every member with its score, ascending.
    pub fn entries(&self) -> Vec<(Vec<u8>, f64)> {
        self.range(0, self.len())
            .map(|(m, s)| (m.to_vec(), s))
            .collect()
    }

    /// Members with ranks in `start..end`, ascending.
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        (start..end.min(self.len())).filter_map(move |r| self.at(r))
    }
}

/// The listpack entry of a score, which Redis writes as `%.17g` text: an
/// integral score below 10^17 prints as its integer digits (and -0 as
/// "-0", which is no integer), so its size needs no formatting.
pub fn score_entry_size(score: f64) -> usize {
    let integral = score.fract() == 0.0 && score.abs() < 1e17;
    if integral && !(score == 0.0 && score.is_sign_negative()) {
        // In range: |score| < 10^17 < 2^63.
        int_entry_size(score as i64)
    } else {
        entry_size(format_g17(score).as_bytes())
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
        let mut z = ZSet::new();
        let recount = |z: &ZSet| -> usize {
            z.range(0, z.len())
                .map(|(m, score)| entry_size(m) + score_entry_size(score))
                .sum()
        };
        let mut seed: u64 = 11;
        for step in 0..3000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let member = format!("m{}", (seed >> 33) % 150).into_bytes();
            let score = match (seed >> 20) % 4 {
                0 => ((seed >> 8) % 1000) as f64,
                1 => ((seed >> 8) % 1000) as f64 / 7.0,
                2 => -0.0,
                _ => 1e20,
            };
            match (seed >> 40) % 5 {
                0..=2 => {
                    z.insert(&member, score, &limits);
                }
                3 => {
                    z.remove(&member);
                }
                _ => {
                    z.pop(seed & 1 == 0, 2);
                }
            }
            assert_eq!(z.entry_bytes(), recount(&z), "after step {step}");
        }
    }

    #[test]
    fn order_rank_and_removal() {
        let limits = EncodingLimits::default();
        let mut z = ZSet::new();
        z.insert(b"c", 2.0, &limits);
        z.insert(b"a", 2.0, &limits);
        z.insert(b"b", 1.0, &limits);
        z.insert(b"d", -1.0, &limits);
        let order: Vec<&[u8]> = z.range(0, 10).map(|(m, _)| m).collect();
        assert_eq!(order, [b"d".as_slice(), b"b", b"a", b"c"]);
        assert_eq!(z.rank(b"a"), Some(2));
        assert_eq!(z.insert(b"a", 0.0, &limits), Some(2.0));
        assert_eq!(z.rank(b"a"), Some(1));
        assert_eq!(z.remove(b"b"), Some(1.0));
        assert_eq!(z.len(), 3);
        assert_eq!(z.at(2), Some((b"c".as_slice(), 2.0)));
        assert_eq!(z.count_before(|s, _| s < 1.0), 2);
    }

    #[test]
    fn large_sets_stay_consistent_and_become_skiplists() {
        let mut z = ZSet::new();
        for i in 0..2000u32 {
            z.insert(
                format!("m{i}").as_bytes(),
                f64::from(i % 97),
                &EncodingLimits::default(),
            );
        }
        assert_eq!(z.encoding(), "skiplist");
        for i in (0..2000u32).step_by(3) {
            z.remove(format!("m{i}").as_bytes());
        }
        let all: Vec<(Vec<u8>, f64)> = z.range(0, z.len()).map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(all.len(), z.len());
        assert!(all
            .windows(2)
            .all(|w| order(w[0].1, &w[0].0, w[1].1, &w[1].0) == Ordering::Less));
        for (i, (m, _)) in all.iter().enumerate() {
            assert_eq!(z.rank(m), Some(i));
        }
    }
}
