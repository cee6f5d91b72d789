//! A feed of which keys changed, for hosts that show the keyspace live
//! (the playground's key browser): every key a write, expiry or eviction
//! touched (Redis's `signalModifiedKey`), and whole databases that were
//! flushed, swapped or loaded. Off until a host asks for it, so servers
//! pay nothing; bounded, so a host that stops reading is told to reload
//! whole databases instead of the feed growing without end.

use indexmap::IndexSet;

/// Keys kept before the feed gives up naming them one by one.
const MAX_KEYS: usize = 10_000;

/// Something that changed since the host last looked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Change {
    /// This key in this database may have a new value, TTL or none at all.
    Key { db: usize, key: Vec<u8> },
    /// Anything in this database may have changed: list it again.
    Db(usize),
}

#[derive(Debug, Default)]
pub struct Feed {
    changes: IndexSet<Change>,
}

impl Feed {
    pub(crate) fn key(&mut self, db: usize, key: &[u8]) {
        if self.changes.contains(&Change::Db(db)) {
            return;
        }
        if self.changes.len() >= MAX_KEYS {
            self.overflow();
        }
        self.changes.insert(Change::Key {
            db,
            key: key.to_vec(),
        });
    }

    pub(crate) fn db(&mut self, db: usize) {
        self.changes
            .retain(|c| !matches!(c, Change::Key { db: d, .. } if *d == db));
        self.changes.insert(Change::Db(db));
    }

    /// Too many keys to name: every database they were in is reported as a
    /// whole instead.
    fn overflow(&mut self) {
        let dbs: Vec<usize> = self
            .changes
            .iter()
            .map(|c| match c {
                Change::Key { db, .. } | Change::Db(db) => *db,
            })
            .collect();
        self.changes.clear();
        for db in dbs {
            self.changes.insert(Change::Db(db));
        }
    }

    /// What changed since the last call, in the order first noticed.
    pub(crate) fn take(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn keys_are_named_once_and_a_database_change_covers_its_keys() {
        let mut feed = Feed::default();
        feed.key(0, b"a");
        feed.key(1, b"b");
        feed.key(0, b"a");
        feed.db(0);
        feed.key(0, b"c");
        assert_eq!(
            feed.take(),
            [
                Change::Key {
                    db: 1,
                    key: b"b".to_vec()
                },
                Change::Db(0)
            ]
        );
        assert!(feed.take().is_empty());
    }

    #[test]
    fn too_many_keys_become_whole_databases() {
        let mut feed = Feed::default();
        for i in 0..MAX_KEYS + 5 {
            feed.key(i % 2, i.to_string().as_bytes());
        }
        let changes = feed.take();
        assert!(changes.len() < 10, "{}", changes.len());
        assert!(changes.contains(&Change::Db(0)) && changes.contains(&Change::Db(1)));
    }
}
