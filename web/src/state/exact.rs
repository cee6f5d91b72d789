//! The exact number of distinct elements of HyperLogLogs built in this
//! playground, so the visualizer can set PFCOUNT's estimate beside the
//! truth. Known only while every change to the key was a PFADD typed here:
//! a key that existed before tracking began, or that anything else changed
//! (PFMERGE, RESTORE, SET, DEL, expiry, a flush), is no longer known.

use std::collections::{BTreeSet, HashMap};

use redsim_engine::changes::Change;
use redsim_engine::line::split_args;

#[derive(Debug, Default)]
pub struct ExactCounts {
    elements: HashMap<(usize, Vec<u8>), BTreeSet<Vec<u8>>>,
    /// The PFADD that just ran: its key, whose change is expected.
    expected: Option<(usize, Vec<u8>)>,
}

impl ExactCounts {
    /// Notes a line about to run in database `db`; `existed` says whether
    /// its key existed before (a PFADD to an untracked, existing key adds
    /// to something unknown).
    pub fn before(&mut self, db: usize, line: &str, existed: impl Fn(&[u8]) -> bool) {
        self.expected = None;
        let Some(args) = split_args(line.as_bytes()) else {
            return;
        };
        let (Some(name), Some(key)) = (args.first(), args.get(1)) else {
            return;
        };
        if !name.eq_ignore_ascii_case(b"pfadd") {
            return;
        }
        let slot = (db, key.clone());
        if !self.elements.contains_key(&slot) && existed(key) {
            return;
        }
        self.elements
            .entry(slot.clone())
            .or_default()
            .extend(args.iter().skip(2).cloned());
        self.expected = Some(slot);
    }

    /// Forgets the keys something other than the expected PFADD changed.
    pub fn apply(&mut self, changes: &[Change]) {
        let expected = self.expected.take();
        for change in changes {
            match change {
                Change::Key { db, key } => {
                    let slot = (*db, key.clone());
                    if expected.as_ref() != Some(&slot) {
                        self.elements.remove(&slot);
                    }
                }
                Change::Db(db) => self.elements.retain(|(d, _), _| d != db),
            }
        }
    }

    /// The exact count of a tracked HyperLogLog.
    pub fn get(&self, db: usize, key: &[u8]) -> Option<usize> {
        self.elements.get(&(db, key.to_vec())).map(BTreeSet::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(db: usize, k: &str) -> Change {
        Change::Key {
            db,
            key: k.as_bytes().to_vec(),
        }
    }

    #[test]
    fn counts_pfadds_and_forgets_on_other_changes() {
        let mut e = ExactCounts::default();
        e.before(0, "PFADD h a b c a", |_| false);
        e.apply(&[key(0, "h")]);
        e.before(0, "pfadd h c d", |_| true);
        e.apply(&[key(0, "h")]);
        assert_eq!(e.get(0, b"h"), Some(4));
        assert_eq!(e.get(1, b"h"), None, "per database");
        // Something else changed it: unknown from then on.
        e.before(0, "PFMERGE h other", |_| true);
        e.apply(&[key(0, "h")]);
        assert_eq!(e.get(0, b"h"), None);
        // A PFADD to a key that existed untracked is not known either.
        e.before(0, "PFADD h x", |_| true);
        e.apply(&[key(0, "h")]);
        assert_eq!(e.get(0, b"h"), None);
        e.before(2, "PFADD g x", |_| false);
        e.apply(&[key(2, "g")]);
        e.apply(&[Change::Db(2)]);
        assert_eq!(e.get(2, b"g"), None, "flushed");
    }
}
