//! The key a visualizer shows: its summary and contents as last read, and
//! what the last change did to it (elements added, changed, removed), so
//! the view can highlight exactly that. Read again only when the change
//! feed names the key (or its database), never on a timer.

use std::collections::BTreeSet;

use redsim_engine::changes::Change;
use redsim_engine::inspect::{Contents, KeySummary};
use redsim_engine::types::EncodingLimits;
use redsim_engine::Engine;

use super::shapes::{self, Hll};

/// Elements read at most (a list's first ones, a sorted set's lowest ranks).
pub const CONTENTS_LIMIT: usize = 500;

/// A key as last read.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub summary: KeySummary,
    pub contents: Contents,
    pub limits: EncodingLimits,
    /// Set when the value is a string holding a HyperLogLog.
    pub hll: Option<Hll>,
    /// The engine's time when read: the TTL counts down from here.
    pub read_at: i64,
}

/// What the last change did, by element id (see `elements`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    pub added: BTreeSet<Vec<u8>>,
    pub changed: BTreeSet<Vec<u8>>,
    /// Ids gone (a list's removed values).
    pub removed: Vec<Vec<u8>>,
}

impl Marks {
    /// The highlight an element gets: "added", "changed" or none.
    pub fn of(&self, id: &[u8]) -> Option<&'static str> {
        if self.added.contains(id) {
            Some("added")
        } else if self.changed.contains(id) {
            Some("changed")
        } else {
            None
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// A second set, for the Venn view.
#[derive(Debug, Clone, PartialEq)]
pub struct Other {
    pub key: Vec<u8>,
    pub members: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub db: usize,
    pub key: Vec<u8>,
    /// None once the key is gone.
    pub view: Option<View>,
    pub marks: Marks,
    /// Bumped at every change, so the view replays its highlights.
    pub generation: u64,
    pub other: Option<Other>,
}

impl Selection {
    pub fn open(engine: &Engine, db: usize, key: Vec<u8>) -> Selection {
        let mut selection = Selection {
            db,
            key,
            view: None,
            marks: Marks::default(),
            generation: 0,
            other: None,
        };
        selection.view = selection.read(engine);
        selection
    }

    fn read(&self, engine: &Engine) -> Option<View> {
        let summary = engine.key_summary(self.db, &self.key)?;
        let contents = engine.key_contents(self.db, &self.key, CONTENTS_LIMIT)?;
        let hll = match &contents {
            Contents::String(bytes) => shapes::hll(bytes),
            _ => None,
        };
        Some(View {
            summary,
            contents,
            limits: engine.encoding_limits(),
            hll,
            read_at: engine.now(),
        })
    }

    /// Whether a change may concern this key or the set it is compared with.
    pub fn is_affected_by(&self, change: &Change) -> bool {
        match change {
            Change::Db(db) => *db == self.db,
            Change::Key { db, key } => {
                *db == self.db
                    && (*key == self.key || self.other.as_ref().is_some_and(|o| o.key == *key))
            }
        }
    }

    /// Reads the key again and notes what changed since the last read; a
    /// read that finds it as it was keeps the last change's marks.
    pub fn refresh(&mut self, engine: &Engine) {
        if let Some(other) = self.other.take() {
            self.compare(engine, Some(other.key));
        }
        let view = self.read(engine);
        let same = match (&self.view, &view) {
            // A TTL counting down is not a change; a new expiry time is.
            (Some(old), Some(new)) => {
                let expiry = |v: &View| v.summary.ttl_ms.map(|ttl| ttl + v.read_at);
                old.contents == new.contents
                    && old.summary.encoding == new.summary.encoding
                    && old.limits == new.limits
                    && expiry(old) == expiry(new)
            }
            (old, new) => old.is_none() && new.is_none(),
        };
        if same {
            return;
        }
        self.marks = match (&self.view, &view) {
            (Some(old), Some(new)) => diff(old, new),
            _ => Marks::default(),
        };
        self.generation += 1;
        self.view = view;
    }

    /// Whether the key is a stream: its consumer groups change without the
    /// key being signalled as modified (see `KeyBrowser::after_command`).
    pub fn is_stream(&self) -> bool {
        self.view
            .as_ref()
            .is_some_and(|v| matches!(v.contents, Contents::Stream(_)))
    }

    /// Picks (or drops) the set to compare with.
    pub fn compare(&mut self, engine: &Engine, other: Option<Vec<u8>>) {
        self.other =
            other.and_then(
                |key| match engine.key_contents(self.db, &key, CONTENTS_LIMIT)? {
                    Contents::Set(members) => Some(Other { key, members }),
                    _ => None,
                },
            );
    }
}

/// A value as (id, fingerprint) pairs: what identifies an element and what
/// tells that it changed. Lists are sequences and are compared otherwise.
fn elements(view: &View) -> Vec<(Vec<u8>, Vec<u8>)> {
    let text = |s: String| s.into_bytes();
    match &view.contents {
        Contents::String(_) if view.hll.is_some() => view
            .hll
            .iter()
            .flat_map(|h| h.histogram.iter().enumerate())
            .map(|(value, count)| (text(value.to_string()), text(count.to_string())))
            .collect(),
        Contents::String(bytes) => shapes::bits(bytes)
            .enumerate()
            .map(|(i, bit)| (text(i.to_string()), vec![u8::from(bit)]))
            .collect(),
        Contents::List(_) => Vec::new(),
        Contents::Hash(fields) => fields
            .iter()
            .map(|(f, v, ttl)| {
                let mut print = v.clone();
                print.extend_from_slice(format!("\0{ttl:?}").as_bytes());
                (f.clone(), print)
            })
            .collect(),
        Contents::Set(members) => members.iter().map(|m| (m.clone(), Vec::new())).collect(),
        Contents::ZSet(members) => members
            .iter()
            .map(|(m, score)| (m.clone(), text(score.to_string())))
            .collect(),
        Contents::Stream(stream) => {
            let entries = stream
                .entries
                .iter()
                .map(|(id, _)| (text(id.clone()), Vec::new()));
            let pending = stream.groups.iter().flat_map(|g| {
                g.pending.iter().map(move |(id, consumer, count)| {
                    (
                        pending_id(&g.name, id),
                        [consumer.as_slice(), count.to_string().as_bytes()].concat(),
                    )
                })
            });
            entries.chain(pending).collect()
        }
    }
}

/// A pending entry's id in `Marks`: group and entry ID.
pub fn pending_id(group: &[u8], id: &str) -> Vec<u8> {
    [group, b"\0", id.as_bytes()].concat()
}

fn diff(old: &View, new: &View) -> Marks {
    if let (Contents::List(a), Contents::List(b)) = (&old.contents, &new.contents) {
        return sequence(a, b);
    }
    let before: std::collections::HashMap<_, _> = elements(old).into_iter().collect();
    let after = elements(new);
    let mut marks = Marks::default();
    for (id, print) in &after {
        match before.get(id) {
            None => {
                marks.added.insert(id.clone());
            }
            Some(old) if old != print => {
                marks.changed.insert(id.clone());
            }
            Some(_) => {}
        }
    }
    let now: BTreeSet<&Vec<u8>> = after.iter().map(|(id, _)| id).collect();
    marks.removed = elements(old)
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !now.contains(id))
        .collect();
    marks
}

/// A list's change as a longest common subsequence: elements of the new
/// list outside it were pushed or set (ids are their positions), those of
/// the old one were popped or removed.
fn sequence(old: &[Vec<u8>], new: &[Vec<u8>]) -> Marks {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut marks = Marks::default();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            marks.added.insert(j.to_string().into_bytes());
            j += 1;
        } else {
            marks.removed.push(old[i].clone());
            i += 1;
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use redsim_engine::reply::cli;
    use redsim_engine::{ClientId, Config};

    fn engine() -> (Engine, ClientId) {
        let mut e = Engine::new(Config::default());
        e.watch_changes();
        let c = e.connect();
        (e, c)
    }

    fn ids(set: &BTreeSet<Vec<u8>>) -> Vec<String> {
        set.iter()
            .map(|id| String::from_utf8_lossy(id).into_owned())
            .collect()
    }

    /// Runs a command and refreshes the selection as the playground does.
    fn after(e: &mut Engine, c: ClientId, s: &mut Selection, line: &str) {
        cli::run_line(e, c, line);
        let changes = e.take_changes();
        if changes.iter().any(|ch| s.is_affected_by(ch)) || s.is_stream() {
            s.refresh(e);
        }
    }

    #[test]
    fn list_pushes_and_pops_are_marked_at_their_ends() {
        let (mut e, c) = engine();
        cli::run_line(&mut e, c, "RPUSH l b c d");
        let mut s = Selection::open(&e, 0, b"l".to_vec());
        assert!(s.marks.is_empty());
        after(&mut e, c, &mut s, "LPUSH l a");
        assert_eq!(ids(&s.marks.added), ["0"]);
        after(&mut e, c, &mut s, "RPOP l");
        assert!(s.marks.added.is_empty());
        assert_eq!(s.marks.removed, [b"d".to_vec()]);
        after(&mut e, c, &mut s, "LSET l 1 B");
        assert_eq!(
            (ids(&s.marks.added), s.marks.removed.len()),
            (vec!["1".into()], 1)
        );
        let generation = s.generation;
        after(&mut e, c, &mut s, "SET other 1");
        s.refresh(&e);
        assert_eq!(s.generation, generation, "nothing changed");
        assert_eq!(ids(&s.marks.added), ["1"], "the last change's marks stay");
    }

    #[test]
    fn hash_set_and_zset_changes_are_marked_by_element() {
        let (mut e, c) = engine();
        cli::run_line(&mut e, c, "HSET h f 1 g 2");
        let mut s = Selection::open(&e, 0, b"h".to_vec());
        after(&mut e, c, &mut s, "HSET h f 9 n 1");
        assert_eq!(
            (ids(&s.marks.added), ids(&s.marks.changed)),
            (vec!["n".into()], vec!["f".into()])
        );
        after(&mut e, c, &mut s, "HEXPIRE h 100 FIELDS 1 g");
        assert_eq!(ids(&s.marks.changed), ["g"], "a field TTL is a change");

        cli::run_line(&mut e, c, "ZADD z 1 a 2 b");
        let mut s = Selection::open(&e, 0, b"z".to_vec());
        after(&mut e, c, &mut s, "ZINCRBY z 5 a");
        assert_eq!(s.marks.of(b"a"), Some("changed"));
        after(&mut e, c, &mut s, "ZREM z b");
        assert_eq!(s.marks.removed, [b"b".to_vec()]);
        after(&mut e, c, &mut s, "DEL z");
        assert_eq!(s.view, None, "a deleted key shows as gone");
    }

    #[test]
    fn setbit_marks_the_bit_and_venn_partner_follows_its_changes() {
        let (mut e, c) = engine();
        cli::run_line(&mut e, c, "SETBIT bits 3 1");
        let mut s = Selection::open(&e, 0, b"bits".to_vec());
        after(&mut e, c, &mut s, "SETBIT bits 12 1");
        let mut added = ids(&s.marks.added);
        added.sort_by_key(|id| id.parse::<u32>().unwrap_or_default());
        assert_eq!(added, (8..16).map(|i| i.to_string()).collect::<Vec<_>>());
        after(&mut e, c, &mut s, "SETBIT bits 5 1");
        assert_eq!(ids(&s.marks.changed), ["5"]);

        cli::run_line(&mut e, c, "SADD a 1 2 3");
        cli::run_line(&mut e, c, "SADD b 3 4");
        let mut s = Selection::open(&e, 0, b"a".to_vec());
        s.compare(&e, Some(b"b".to_vec()));
        after(&mut e, c, &mut s, "SADD b 2");
        let other = s.other.as_ref().map(|o| o.members.len());
        assert_eq!(other, Some(3), "the compared set is read again");
        s.compare(&e, Some(b"bits".to_vec()));
        assert_eq!(s.other, None, "only sets compare");
    }

    #[test]
    fn streams_mark_new_entries_and_pending_ones() {
        let (mut e, c) = engine();
        cli::run_line(&mut e, c, "XADD x 1-1 a 1");
        cli::run_line(&mut e, c, "XGROUP CREATE x g 0");
        let mut s = Selection::open(&e, 0, b"x".to_vec());
        after(&mut e, c, &mut s, "XADD x 2-1 b 2");
        assert_eq!(ids(&s.marks.added), ["2-1"]);
        after(
            &mut e,
            c,
            &mut s,
            "XREADGROUP GROUP g alice COUNT 1 STREAMS x >",
        );
        assert_eq!(s.marks.of(&pending_id(b"g", "1-1")), Some("added"));
        after(&mut e, c, &mut s, "XACK x g 1-1");
        assert_eq!(s.marks.removed, [pending_id(b"g", "1-1")]);
    }
}
