//! Redis lists: the elements in a `VecDeque`, plus a model of how Redis
//! 7.2+ lays them out in memory, because OBJECT ENCODING shows it. A small
//! list is one `listpack`; past `list-max-listpack-size` it becomes a
//! `quicklist`, a chain of listpack nodes (or "plain" nodes holding one
//! large element each). A quicklist shrunk back to a single node of at most
//! half the limit becomes a listpack again.
//!
//! The model tracks each node's element count and byte size with Redis's
//! listpack entry sizes and Redis's rules for filling, splitting and merging
//! nodes, so conversions happen on the same command as in Redis.

use std::collections::VecDeque;

use super::EncodingLimits;
use crate::number::parse_i64;

/// A listpack's fixed bytes: 6 of header, 1 terminator.
const LISTPACK_OVERHEAD: usize = 7;
/// Node size limits for `list-max-listpack-size` -1 .. -5.
const SIZE_LEVELS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// The most a node may hold when the limit is a count of entries.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// What Redis adds to an element's length when guessing its entry size.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;

/// The bytes an element takes in a listpack: encoding, data, back-length.
pub fn entry_size(element: &[u8]) -> usize {
    match parse_i64(element) {
        Some(n) => int_entry_size(n),
        None if element.len() < 64 => with_back_len(1 + element.len()),
        None if element.len() < 4096 => with_back_len(2 + element.len()),
        None => with_back_len(5 + element.len()),
    }
}

/// The bytes a listpack entry holding the integer `n` takes (as
/// `entry_size` of its decimal text, without writing the text).
pub fn int_entry_size(n: i64) -> usize {
    with_back_len(match n {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    })
}

/// An entry's encoded size plus the back-length bytes after it.
fn with_back_len(encoded: usize) -> usize {
    let back_len = match encoded {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    };
    encoded + back_len
}

/// What `list-max-listpack-size` allows one node: bytes or entries.
#[derive(Clone, Copy)]
struct Fill {
    max_bytes: Option<usize>,
    max_count: usize,
}

impl Fill {
    fn new(limits: &EncodingLimits) -> Fill {
        let fill = limits.list_max_listpack_size;
        if fill >= 0 {
            Fill {
                max_bytes: None,
                max_count: usize::try_from(fill).unwrap_or(usize::MAX).max(1),
            }
        } else {
            let level = usize::try_from(fill.unsigned_abs() - 1).unwrap_or(usize::MAX);
            Fill {
                max_bytes: SIZE_LEVELS.get(level).or(SIZE_LEVELS.last()).copied(),
                max_count: usize::MAX,
            }
        }
    }

    fn exceeded_by(self, bytes: usize, count: usize) -> bool {
        match self.max_bytes {
            Some(max) => bytes > max,
            None => bytes > SIZE_SAFETY_LIMIT || count > self.max_count,
        }
    }

    /// An element too big for any node gets a plain node of its own.
    fn is_large(self, len: usize) -> bool {
        len > self.max_bytes.unwrap_or(SIZE_SAFETY_LIMIT)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Node {
    count: usize,
    bytes: usize,
    plain: bool,
}

impl Node {
    fn packed(count: usize, bytes: usize) -> Node {
        Node {
            count,
            bytes,
            plain: false,
        }
    }

    fn for_element(element: &[u8], fill: Fill) -> Node {
        if fill.is_large(element.len()) {
            Node {
                count: 1,
                bytes: element.len(),
                plain: true,
            }
        } else {
            Node::packed(1, LISTPACK_OVERHEAD + entry_size(element))
        }
    }

    fn allows_insert(&self, len: usize, fill: Fill) -> bool {
        !self.plain
            && !fill.is_large(len)
            && !fill.exceeded_by(
                self.bytes + len + SIZE_ESTIMATE_OVERHEAD,
                self.count.saturating_add(1),
            )
    }

    fn allows_merge(&self, other: &Node, fill: Fill) -> bool {
        !self.plain
            && !other.plain
            && !fill.exceeded_by(
                (self.bytes + other.bytes).saturating_sub(LISTPACK_OVERHEAD),
                self.count + other.count,
            )
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Layout {
    /// One listpack of this many bytes.
    Listpack {
        bytes: usize,
    },
    Quicklist {
        nodes: VecDeque<Node>,
    },
}

/// Which end of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Head,
    Tail,
}

#[derive(Debug, Clone, PartialEq)]
pub struct List {
    items: VecDeque<Vec<u8>>,
    layout: Layout,
}

impl Default for List {
    fn default() -> Self {
        List {
            items: VecDeque::new(),
            layout: Layout::Listpack {
                bytes: LISTPACK_OVERHEAD,
            },
        }
    }
}

impl List {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&Vec<u8>> {
        self.items.get(i)
    }

    pub fn iter(&self) -> std::collections::vec_deque::Iter<'_, Vec<u8>> {
        self.items.iter()
    }

    pub fn range(
        &self,
        range: std::ops::RangeInclusive<usize>,
    ) -> std::collections::vec_deque::Iter<'_, Vec<u8>> {
        self.items.range(range)
    }

    pub fn encoding(&self) -> &'static str {
        match self.layout {
            Layout::Listpack { .. } => "listpack",
            Layout::Quicklist { .. } => "quicklist",
        }
    }

    /// How many quicklist nodes (1 for a listpack): for tests and MEMORY.
    pub fn node_count(&self) -> usize {
        match &self.layout {
            Layout::Listpack { .. } => 1,
            Layout::Quicklist { nodes } => nodes.len(),
        }
    }

    /// Each node's size in bytes (its listpack's, or a plain node's
    /// element's) and whether it is plain, head to tail: for the memory
    /// model. A listpack list is one node.
    pub fn node_bytes(&self) -> Box<dyn Iterator<Item = (usize, bool)> + '_> {
        match &self.layout {
            Layout::Listpack { bytes } => Box::new(std::iter::once((*bytes, false))),
            Layout::Quicklist { nodes } => Box::new(nodes.iter().map(|n| (n.bytes, n.plain))),
        }
    }

    /// Each node's element count and whether it is a plain node (one
    /// large element), head to tail: the nodes Redis would write to an RDB
    /// file (a listpack list is written as a quicklist of one node).
    pub fn node_shape(&self) -> Vec<(usize, bool)> {
        match &self.layout {
            Layout::Listpack { .. } => vec![(self.items.len(), false)],
            Layout::Quicklist { nodes } => nodes.iter().map(|n| (n.count, n.plain)).collect(),
        }
    }

    /// Redis's check before elements are added: a listpack that would grow
    /// past the limit (counting `added_bytes` of new data, the raw lengths
    /// Redis counts) becomes a quicklist holding it as its one node.
    pub fn prepare_growth(
        &mut self,
        added_bytes: usize,
        added_count: usize,
        limits: &EncodingLimits,
    ) {
        if let Layout::Listpack { bytes } = self.layout {
            let fill = Fill::new(limits);
            let new_count = self.items.len().saturating_add(added_count);
            if fill.exceeded_by(bytes.saturating_add(added_bytes), new_count) {
                let mut nodes = VecDeque::new();
                if !self.items.is_empty() {
                    nodes.push_back(Node::packed(self.items.len(), bytes));
                }
                self.layout = Layout::Quicklist { nodes };
            }
        }
    }

    /// Redis's check after elements are removed: a quicklist down to one
    /// packed node of at most half the limit becomes a listpack again.
    pub fn after_removal(&mut self, limits: &EncodingLimits) {
        self.try_listpack(limits, 2);
    }

    /// A quicklist of one small enough packed node becomes a listpack; the
    /// limit is divided by `divisor` (2 when shrinking, to avoid flapping).
    fn try_listpack(&mut self, limits: &EncodingLimits, divisor: usize) {
        let Layout::Quicklist { nodes } = &self.layout else {
            return;
        };
        let fill = Fill::new(limits);
        let (Some(node), 1) = (nodes.front(), nodes.len()) else {
            return;
        };
        let max_bytes = fill.max_bytes.unwrap_or(usize::MAX) / divisor;
        if !node.plain && node.bytes <= max_bytes && node.count <= fill.max_count / divisor {
            self.layout = Layout::Listpack { bytes: node.bytes };
        }
    }

    /// Pushes elements one by one at an end, as LPUSH/RPUSH do (LPUSH a b
    /// leaves b first), after one growth check for all of them.
    pub fn push_all(&mut self, end: End, elements: &[&[u8]], limits: &EncodingLimits) {
        let added = elements.iter().map(|e| e.len()).sum();
        self.prepare_growth(added, elements.len(), limits);
        for element in elements {
            self.push(end, element.to_vec(), limits);
        }
    }

    /// Pushes one element; the caller has run `prepare_growth`.
    pub fn push(&mut self, end: End, element: Vec<u8>, limits: &EncodingLimits) {
        let fill = Fill::new(limits);
        match &mut self.layout {
            Layout::Listpack { bytes } => *bytes += entry_size(&element),
            Layout::Quicklist { nodes } => {
                let edge = match end {
                    End::Head => nodes.front_mut(),
                    End::Tail => nodes.back_mut(),
                };
                match edge {
                    Some(node) if node.allows_insert(element.len(), fill) => {
                        node.count += 1;
                        node.bytes += entry_size(&element);
                    }
                    _ => {
                        let node = Node::for_element(&element, fill);
                        match end {
                            End::Head => nodes.push_front(node),
                            End::Tail => nodes.push_back(node),
                        }
                    }
                }
            }
        }
        match end {
            End::Head => self.items.push_front(element),
            End::Tail => self.items.push_back(element),
        }
    }

    /// Pops one element; the caller runs `after_removal` when done.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        let element = match end {
            End::Head => self.items.pop_front()?,
            End::Tail => self.items.pop_back()?,
        };
        let index = match end {
            End::Head => 0,
            End::Tail => self.nodes_len().saturating_sub(1),
        };
        self.forget_entry(index, &element);
        Some(element)
    }

    fn nodes_len(&self) -> usize {
        match &self.layout {
            Layout::Listpack { .. } => 1,
            Layout::Quicklist { nodes } => nodes.len(),
        }
    }

    /// Accounts for an element leaving node `node_index`.
    fn forget_entry(&mut self, node_index: usize, element: &[u8]) {
        match &mut self.layout {
            Layout::Listpack { bytes } => *bytes = bytes.saturating_sub(entry_size(element)),
            Layout::Quicklist { nodes } => {
                let Some(node) = nodes.get_mut(node_index) else {
                    return;
                };
                node.count = node.count.saturating_sub(1);
                node.bytes = node.bytes.saturating_sub(entry_size(element));
                if node.count == 0 {
                    nodes.remove(node_index);
                }
            }
        }
    }

    /// The node holding element `index`, and the element's offset in it.
    fn locate(&self, index: usize) -> Option<(usize, usize)> {
        let Layout::Quicklist { nodes } = &self.layout else {
            return Some((0, index));
        };
        let mut first = 0;
        for (n, node) in nodes.iter().enumerate() {
            if index < first + node.count {
                return Some((n, index - first));
            }
            first += node.count;
        }
        None
    }

    /// Removes the element at `index`; the caller runs `after_removal`.
    pub fn remove(&mut self, index: usize) -> Option<Vec<u8>> {
        let (node, _) = self.locate(index)?;
        let element = self.items.remove(index)?;
        self.forget_entry(node, &element);
        Some(element)
    }

    /// Keeps only elements `start..=stop` (both in range, start <= stop);
    /// the caller runs `after_removal`.
    pub fn trim(&mut self, start: usize, stop: usize) {
        let tail = self.items.len().saturating_sub(stop.saturating_add(1));
        for _ in 0..tail {
            self.pop(End::Tail);
        }
        for _ in 0..start {
            self.pop(End::Head);
        }
    }

    /// Bytes of the elements `from..to` as listpack entries.
    fn entries_bytes(&self, from: usize, to: usize) -> usize {
        self.items.range(from..to).map(|e| entry_size(e)).sum()
    }

    /// Inserts `element` before or after the element at `index` (LINSERT),
    /// after the growth check, with Redis's quicklist placement rules.
    pub fn insert(&mut self, index: usize, after: bool, element: Vec<u8>, limits: &EncodingLimits) {
        let at = if after { index + 1 } else { index };
        if matches!(self.layout, Layout::Quicklist { .. }) {
            self.place_in_quicklist(index, after, &element, Fill::new(limits));
        } else if let Layout::Listpack { bytes } = &mut self.layout {
            *bytes += entry_size(&element);
        }
        self.items.insert(at.min(self.items.len()), element);
    }

    /// Redis's `_quicklistInsert`: where a new element goes relative to the
    /// element at `index`, updating the node model (before `items` changes).
    fn place_in_quicklist(&mut self, index: usize, after: bool, element: &[u8], fill: Fill) {
        let Some((n, offset)) = self.locate(index) else {
            return;
        };
        let first_of_node = index - offset;
        let Layout::Quicklist { nodes } = &mut self.layout else {
            return;
        };
        let Some(&node) = nodes.get(n) else {
            return;
        };
        let len = element.len();
        let size = entry_size(element);
        let full = !node.allows_insert(len, fill);
        let at_tail = after && offset + 1 == node.count;
        let at_head = !after && offset == 0;
        let next = nodes.get(n + 1).copied();
        let prev = n.checked_sub(1).and_then(|p| nodes.get(p)).copied();
        if fill.is_large(len) {
            let plain = Node::for_element(element, fill);
            if node.plain || at_tail || at_head {
                nodes.insert(if after { n + 1 } else { n }, plain);
            } else {
                // Split around the pivot; the plain node goes in between.
                let (keep, moved) = self.split_parts(first_of_node, node, offset, after);
                let Layout::Quicklist { nodes } = &mut self.layout else {
                    return;
                };
                if let Some(slot) = nodes.get_mut(n) {
                    *slot = keep;
                }
                if after {
                    nodes.insert(n + 1, plain);
                    nodes.insert(n + 2, moved);
                } else {
                    nodes.insert(n, plain);
                    nodes.insert(n, moved);
                }
            }
            return;
        }
        if !full {
            if let Some(slot) = nodes.get_mut(n) {
                slot.count += 1;
                slot.bytes += size;
            }
        } else if at_tail && next.is_some_and(|x| x.allows_insert(len, fill)) {
            if let Some(slot) = nodes.get_mut(n + 1) {
                slot.count += 1;
                slot.bytes += size;
            }
        } else if at_head && prev.is_some_and(|x| x.allows_insert(len, fill)) {
            if let Some(slot) = nodes.get_mut(n - 1) {
                slot.count += 1;
                slot.bytes += size;
            }
        } else if (at_tail && next.is_some()) || (at_head && prev.is_some()) {
            nodes.insert(
                if after { n + 1 } else { n },
                Node::for_element(element, fill),
            );
        } else {
            // Split the node at the pivot: the part on the insertion side
            // becomes a new node holding the element, then neighbours merge.
            let (keep, mut moved) = self.split_parts(first_of_node, node, offset, after);
            moved.count += 1;
            moved.bytes += size;
            let Layout::Quicklist { nodes } = &mut self.layout else {
                return;
            };
            if let Some(slot) = nodes.get_mut(n) {
                *slot = keep;
            }
            let center = if after {
                nodes.insert(n + 1, moved);
                n
            } else {
                nodes.insert(n, moved);
                n + 1
            };
            merge_around(nodes, center, fill);
        }
    }

    /// Redis's `_quicklistSplitNode`: the node at `first` (its first
    /// element's index) split at `offset`. Returns (what the node keeps,
    /// the new node): after → the new node has the elements after the
    /// offset; before → the elements before it.
    fn split_parts(&self, first: usize, node: Node, offset: usize, after: bool) -> (Node, Node) {
        let cut = if after { offset + 1 } else { offset };
        let end = first + node.count;
        let head = Node::packed(
            cut,
            LISTPACK_OVERHEAD + self.entries_bytes(first, first + cut),
        );
        let tail = Node::packed(
            node.count - cut,
            LISTPACK_OVERHEAD + self.entries_bytes(first + cut, end),
        );
        if after {
            (head, tail)
        } else {
            (tail, head)
        }
    }

    /// Replaces the element at `index` (LSET) with Redis's growth check
    /// before and shrink check after; false if out of range.
    pub fn set(&mut self, index: usize, element: Vec<u8>, limits: &EncodingLimits) -> bool {
        if index >= self.items.len() {
            return false;
        }
        // Redis counts the new value as one more entry here too.
        self.prepare_growth(element.len(), 1, limits);
        let fill = Fill::new(limits);
        let new_size = entry_size(&element);
        let old_size = self.items.get(index).map_or(0, |e| entry_size(e));
        let location = self.locate(index);
        let first = index - location.map_or(0, |(_, off)| off);
        match (&mut self.layout, location) {
            (Layout::Listpack { bytes }, _) => {
                *bytes = (*bytes + new_size).saturating_sub(old_size)
            }
            (Layout::Quicklist { nodes }, Some((n, offset))) => {
                if let Some(&node) = nodes.get(n) {
                    let in_place = !node.plain
                        && !fill.is_large(element.len())
                        && !fill.exceeded_by(
                            (node.bytes + new_size).saturating_sub(old_size),
                            node.count,
                        );
                    if in_place {
                        if let Some(slot) = nodes.get_mut(n) {
                            slot.bytes = (slot.bytes + new_size).saturating_sub(old_size);
                        }
                    } else if node.plain && fill.is_large(element.len()) {
                        if let Some(slot) = nodes.get_mut(n) {
                            slot.bytes = element.len();
                        }
                    } else {
                        self.replace_by_new_node(n, first, node, offset, &element, fill);
                    }
                }
            }
            (Layout::Quicklist { .. }, None) => {}
        }
        if let Some(slot) = self.items.get_mut(index) {
            *slot = element;
        }
        self.after_removal(limits);
        true
    }

    /// LSET's slow path in Redis: the node is split after the element, the
    /// new element gets a node of its own right after it, the old element
    /// is dropped, and neighbours merge.
    fn replace_by_new_node(
        &mut self,
        n: usize,
        first: usize,
        node: Node,
        offset: usize,
        element: &[u8],
        fill: Fill,
    ) {
        let split = (offset + 1 < node.count).then(|| self.split_parts(first, node, offset, true));
        let old_size = self.items.get(first + offset).map_or(0, |e| entry_size(e));
        let Layout::Quicklist { nodes } = &mut self.layout else {
            return;
        };
        let kept = match split {
            Some((keep, moved)) => {
                nodes.insert(n + 1, moved);
                keep
            }
            None => node,
        };
        nodes.insert(n + 1, Node::for_element(element, fill));
        if kept.count <= 1 {
            nodes.remove(n);
            return;
        }
        if let Some(slot) = nodes.get_mut(n) {
            *slot = Node::packed(kept.count - 1, kept.bytes.saturating_sub(old_size));
        }
        merge_around(nodes, n + 1, fill);
    }

    /// Builds a list the way SORT ... STORE does: a quicklist filled from
    /// the tail, then made a listpack if it fits in one node.
    pub fn from_elements(elements: Vec<Vec<u8>>, limits: &EncodingLimits) -> List {
        let mut list = List {
            items: VecDeque::new(),
            layout: Layout::Quicklist {
                nodes: VecDeque::new(),
            },
        };
        for element in elements {
            list.push(End::Tail, element, limits);
        }
        list.try_listpack(limits, 1);
        list
    }
}

/// Redis's `_quicklistMergeNodes` around `center`: the two nodes before it,
/// the two after it, then the center with each neighbour, when the merged
/// listpack stays within the limit.
fn merge_around(nodes: &mut VecDeque<Node>, center: usize, fill: Fill) {
    let try_merge = |nodes: &mut VecDeque<Node>, left: usize| -> bool {
        let (Some(&a), Some(&b)) = (nodes.get(left), nodes.get(left + 1)) else {
            return false;
        };
        if !a.allows_merge(&b, fill) {
            return false;
        }
        if let Some(slot) = nodes.get_mut(left) {
            *slot = Node::packed(
                a.count + b.count,
                (a.bytes + b.bytes).saturating_sub(LISTPACK_OVERHEAD),
            );
        }
        nodes.remove(left + 1);
        true
    };
    let mut center = center;
    if center >= 2 && try_merge(nodes, center - 2) {
        center -= 1;
    }
    try_merge(nodes, center + 1);
    if center >= 1 && try_merge(nodes, center - 1) {
        center -= 1;
    }
    try_merge(nodes, center);
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn entry_sizes_follow_listpack_encodings() {
        assert_eq!(entry_size(b"7"), 2);
        assert_eq!(entry_size(b"-1"), 3);
        assert_eq!(entry_size(b"100000"), 5);
        assert_eq!(entry_size(b"007"), 5);
        assert_eq!(entry_size(b"hello"), 7);
        assert_eq!(entry_size(&[b'x'; 100]), 103);
        assert_eq!(entry_size(&[b'x'; 5000]), 5007);
    }

    #[test]
    fn grows_to_a_quicklist_and_shrinks_back() {
        let limits = EncodingLimits::default();
        let mut list = List::default();
        let value = vec![b'x'; 100];
        // 7 + 78 * 103 bytes, and the next 100 still fit under 8 KB.
        for _ in 0..79 {
            list.push_all(End::Tail, &[&value], &limits);
        }
        assert_eq!(list.encoding(), "listpack");
        for _ in 0..10 {
            list.push_all(End::Tail, &[&value], &limits);
        }
        assert_eq!(list.encoding(), "quicklist");
        assert!(list.node_count() >= 2);
        while list.len() > 30 {
            list.pop(End::Tail);
            list.after_removal(&limits);
        }
        assert_eq!(list.encoding(), "listpack");
    }

    #[test]
    fn count_limit_and_large_elements() {
        let limits = EncodingLimits {
            list_max_listpack_size: 4,
            ..EncodingLimits::default()
        };
        let mut list = List::default();
        list.push_all(End::Tail, &[b"a", b"b", b"c", b"d"], &limits);
        assert_eq!(list.encoding(), "listpack");
        list.push_all(End::Tail, &[b"e"], &limits);
        assert_eq!((list.encoding(), list.node_count()), ("quicklist", 2));
        list.pop(End::Tail);
        list.pop(End::Tail);
        list.after_removal(&limits);
        assert_eq!(
            list.encoding(),
            "quicklist",
            "4 entries, more than half of 4"
        );
        list.pop(End::Tail);
        list.after_removal(&limits);
        assert_eq!(list.encoding(), "listpack");

        let mut big = List::default();
        big.push_all(End::Tail, &[&[b'x'; 9000]], &EncodingLimits::default());
        assert_eq!(big.encoding(), "quicklist");
    }
}
