//! Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, ...):
//! registered per key in arrival order, served first come first served
//! when a write command touches one of their keys (after the whole
//! command, so data pushed inside MULTI is served after EXEC), timed out
//! by `tick`, or released by CLIENT UNBLOCK.
//!
//! Serving re-runs the client's command: it either finds data now and
//! replies, or asks to block again, in which case it keeps its place.

use crate::client::{Blocked, Client, ClientId};
use crate::commands::Table;
use crate::engine::{dispatch, Ctx, Server};
use crate::reply::Reply;

/// Puts a client that just blocked at the back of each of its keys' queues.
pub(crate) fn register(server: &mut Server, id: ClientId, blocked: &Blocked) {
    for key in &blocked.keys {
        server
            .blocking
            .entry((blocked.db, key.clone()))
            .or_default()
            .push_back(id);
    }
}

/// Takes a client out of every queue it waits in.
pub(crate) fn unregister(server: &mut Server, client: &Client) {
    let Some(blocked) = &client.blocked else {
        return;
    };
    for key in &blocked.keys {
        let slot = (blocked.db, key.clone());
        if let Some(queue) = server.blocking.get_mut(&slot) {
            queue.retain(|&c| c != client.id);
            if queue.is_empty() {
                server.blocking.remove(&slot);
            }
        }
    }
}

/// Notes that a write touched `key`, if anyone waits on it.
pub(crate) fn note_ready(server: &mut Server, db: usize, key: &[u8]) {
    let slot = (db, key.to_vec());
    if server.blocking.contains_key(&slot) && !server.ready_keys.contains(&slot) {
        server.ready_keys.push(slot);
    }
}

/// After the whole dataset was replaced (a load): every key someone waits
/// on that now holds a value is ready, in key order.
pub(crate) fn note_replaced_dataset(server: &mut Server) {
    let mut waiting: Vec<&(usize, Vec<u8>)> = server.blocking.keys().collect();
    waiting.sort_unstable();
    for (db, key) in waiting {
        if server.dbs.get(*db).and_then(|d| d.value(key)).is_some() {
            server.ready_keys.push((*db, key.clone()));
        }
    }
}

/// Serves the clients waiting on keys that were written, in the order the
/// keys were written and, per key, the order the clients blocked. Serving
/// may write more keys (BLMOVE's destination), which are served in turn.
pub(crate) fn serve_ready(server: &mut Server, table: &Table) {
    while !server.ready_keys.is_empty() {
        let ready = std::mem::take(&mut server.ready_keys);
        for slot in ready {
            let waiting: Vec<ClientId> = server
                .blocking
                .get(&slot)
                .map(|q| q.iter().copied().collect())
                .unwrap_or_default();
            for id in waiting {
                retry(server, table, id);
            }
        }
    }
}

/// Runs a blocked client's command again; it replies and is unblocked, or
/// stays blocked where it was.
fn retry(server: &mut Server, table: &Table, id: ClientId) {
    let Some(mut client) = server.clients.remove(&id) else {
        return;
    };
    let Some(blocked) = client.blocked.take() else {
        server.clients.insert(id, client);
        return;
    };
    let argv: Vec<&[u8]> = blocked.argv.iter().map(Vec::as_slice).collect();
    let saved_db = client.db;
    client.db = blocked.db;
    let mut ctx = Ctx {
        server: &mut *server,
        client: &mut client,
        table,
    };
    let reply = dispatch(&mut ctx, &argv).unwrap_or_else(Reply::from);
    client.db = saved_db;
    if client.blocked.is_some() {
        // Nothing for it yet: keep the original deadline and queue places.
        client.blocked = Some(blocked);
    } else {
        client.blocked = Some(blocked);
        unregister(server, &client);
        client.blocked = None;
        for frame in reply.into_frames() {
            client.send(frame);
        }
        server.note_output(id);
        crate::tracking::finish_command(server, &mut client, b"");
    }
    server.clients.insert(id, client);
}

/// Answers the clients whose timeout has passed.
pub(crate) fn expire_timeouts(server: &mut Server) {
    let now = server.now_ms;
    let due: Vec<ClientId> = server
        .clients
        .values()
        .filter(|c| {
            c.blocked
                .as_ref()
                .and_then(|b| b.deadline)
                .is_some_and(|at| at <= now)
        })
        .map(|c| c.id)
        .collect();
    for id in due {
        release(server, id, None);
    }
}

/// Unblocks a client with its timeout reply, or with `error` (CLIENT
/// UNBLOCK ... ERROR); false if it was not blocked (a command held by
/// CLIENT PAUSE is not a blocked one).
pub(crate) fn release(server: &mut Server, id: ClientId, error: Option<&str>) -> bool {
    let Some(mut client) = server.clients.remove(&id) else {
        return false;
    };
    let released = match client.blocked.clone() {
        Some(blocked) if !blocked.postponed => {
            unregister(server, &client);
            client.blocked = None;
            // Its statistics and slow-log entry wait for this moment.
            let spent_us = client.block_spent_us.take().unwrap_or(0);
            if let Some(name) = client.last_command {
                crate::engine::count_call(server, name, false, spent_us, error.is_some());
                let argv: Vec<&[u8]> = blocked.argv.iter().map(Vec::as_slice).collect();
                crate::engine::log_if_slow(server, &client, &argv, spent_us);
            }
            client.send(match error {
                Some(text) => Reply::Error(text.to_string()),
                None => blocked.timeout_reply,
            });
            server.note_output(client.id);
            crate::tracking::finish_command(server, &mut client, b"");
            true
        }
        _ => false,
    };
    server.clients.insert(id, client);
    released
}
