//! WATCH bookkeeping: which clients watch which keys, and marking their
//! transactions doomed when a watched key changes (Redis's
//! `touchWatchedKey`), is flushed, or is swapped away
//! (`touchAllWatchedKeysInDb`).

use crate::client::{find, Client, ClientId, Watched};
use crate::engine::Server;

/// Marks the clients watching `key` in `db` so their EXEC fails, in the
/// order they WATCHed it, as Redis does. A watcher that found the key
/// already expired when it WATCHed is spared if the key is now gone
/// (logically nothing changed) and from then on watches it as absent;
/// if the key is present, Redis stops walking the watchers there.
pub(crate) fn touch(server: &mut Server, mut me: Option<&mut Client>, db: usize, key: &[u8]) {
    let Some(watchers) = server.watchers.get(key) else {
        return;
    };
    let watchers: Vec<ClientId> = watchers
        .iter()
        .filter(|&&(d, _)| d == db)
        .map(|&(_, id)| id)
        .collect();
    let present = server.dbs.get(db).is_some_and(|d| d.value(key).is_some());
    for id in watchers {
        let Some(client) = find(&mut server.clients, me.as_deref_mut(), id) else {
            continue;
        };
        let Some(watched) = client
            .watched
            .iter_mut()
            .find(|w| w.db == db && w.key == key)
        else {
            continue;
        };
        if watched.expired_at_watch {
            if present {
                break;
            }
            watched.expired_at_watch = false;
            continue;
        }
        client.dirty_cas = true;
        // Once doomed, the client's other WATCHes cannot matter: Redis
        // drops them, which also keeps them out of later walks.
        let dropped = std::mem::take(&mut client.watched);
        forget(server, id, dropped);
    }
}

/// Marks the watchers of keys in `emptied` before FLUSHDB, FLUSHALL or
/// SWAPDB (`replaced_with`: the database swapped in): only keys that
/// exist in either count, and keys expired at WATCH time that stay
/// logically absent do not.
pub(crate) fn touch_db(
    server: &mut Server,
    mut me: Option<&mut Client>,
    emptied: usize,
    replaced_with: Option<usize>,
) {
    if let Some(feed) = server.changes.as_mut() {
        feed.db(emptied);
    }
    let now = server.now_ms;
    let keys: Vec<(Vec<u8>, Vec<ClientId>)> = server
        .watchers
        .iter()
        .filter_map(|(key, watchers)| {
            let ids: Vec<ClientId> = watchers
                .iter()
                .filter(|&&(d, _)| d == emptied)
                .map(|&(_, id)| id)
                .collect();
            (!ids.is_empty()).then(|| (key.clone(), ids))
        })
        .collect();
    for (key, ids) in keys {
        let in_emptied = server
            .dbs
            .get(emptied)
            .is_some_and(|d| d.value(&key).is_some());
        let replacement = replaced_with.and_then(|r| server.dbs.get(r));
        let in_replacement = replacement.is_some_and(|d| d.value(&key).is_some());
        let replacement_expired = replacement
            .and_then(|d| d.expire_at(&key))
            .is_some_and(|at| at <= now);
        if !in_emptied && !in_replacement {
            continue;
        }
        for id in ids {
            let Some(client) = find(&mut server.clients, me.as_deref_mut(), id) else {
                continue;
            };
            let Some(watched) = client
                .watched
                .iter_mut()
                .find(|w| w.db == emptied && w.key == key)
            else {
                continue;
            };
            if watched.expired_at_watch {
                if !in_replacement {
                    // The expired key is gone: no logical change.
                    watched.expired_at_watch = false;
                    continue;
                }
                if replacement_expired {
                    continue;
                }
            } else if !in_emptied && replacement_expired {
                // An absent key replaced by an expired one: still absent.
                watched.expired_at_watch = true;
                continue;
            }
            client.dirty_cas = true;
        }
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
        .entry(key.to_vec())
        .or_default()
        .push((db, client.id));
}

/// Forgets every WATCH of a client (UNWATCH, EXEC, DISCARD, disconnect).
pub(crate) fn unwatch_all(server: &mut Server, client: &mut Client) {
    let dropped = std::mem::take(&mut client.watched);
    forget(server, client.id, dropped);
    client.dirty_cas = false;
}

/// Removes client `id` from the watcher lists of `watched`.
fn forget(server: &mut Server, id: ClientId, watched: Vec<Watched>) {
    for w in watched {
        if let Some(list) = server.watchers.get_mut(&w.key) {
            list.retain(|&(db, other)| (db, other) != (w.db, id));
            if list.is_empty() {
                server.watchers.remove(&w.key);
            }
        }
    }
}
