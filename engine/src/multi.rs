//! WATCH bookkeeping: which clients watch which keys, and marking their
//! transactions doomed when a watched key changes (Redis's
//! `touchWatchedKey`), is flushed, or is swapped away.

use crate::client::{Client, ClientId, Watched};
use crate::engine::Server;

/// Marks every client watching `key` in `db` so its EXEC fails.
pub(crate) fn touch(server: &mut Server, me: Option<&mut Client>, db: usize, key: &[u8]) {
    let Some(watchers) = server.watchers.get(&(db, key.to_vec())) else {
        return;
    };
    let watchers: Vec<ClientId> = watchers.clone();
    let me_id = me.as_ref().map(|c| c.id);
    if let Some(me) = me {
        if watchers.contains(&me.id) {
            me.dirty_cas = true;
        }
    }
    for id in watchers {
        if Some(id) != me_id {
            if let Some(client) = server.clients.get_mut(&id) {
                client.dirty_cas = true;
            }
        }
    }
}

/// Marks the watchers of every key in `db` that `exists` says is there
/// (FLUSHDB, FLUSHALL, SWAPDB: Redis only dooms transactions whose keys
/// actually existed, or will exist after a swap).
pub(crate) fn touch_db(
    server: &mut Server,
    me: Option<&mut Client>,
    db: usize,
    exists: impl Fn(&Server, &[u8]) -> bool,
) {
    let keys: Vec<Vec<u8>> = server
        .watchers
        .keys()
        .filter(|(d, _)| *d == db)
        .map(|(_, k)| k.clone())
        .filter(|k| exists(server, k))
        .collect();
    let mut me = me;
    for key in keys {
        touch(server, me.as_deref_mut(), db, &key);
    }
}

/// Adds a WATCH of `key` in the client's database.
pub(crate) fn watch(server: &mut Server, client: &mut Client, key: &[u8], expired: bool) {
    let db = client.db;
    if client.watched.iter().any(|w| w.db == db && w.key == key) {
        return;
    }
    client.watched.push(Watched {
        db,
        key: key.to_vec(),
        expired_at_watch: expired,
    });
    server
        .watchers
        .entry((db, key.to_vec()))
        .or_default()
        .push(client.id);
}

/// Forgets every WATCH of a client (UNWATCH, EXEC, DISCARD, disconnect).
pub(crate) fn unwatch_all(server: &mut Server, client: &mut Client) {
    for w in client.watched.drain(..) {
        let slot = (w.db, w.key);
        if let Some(list) = server.watchers.get_mut(&slot) {
            list.retain(|&id| id != client.id);
            if list.is_empty() {
                server.watchers.remove(&slot);
            }
        }
    }
    client.dirty_cas = false;
}
