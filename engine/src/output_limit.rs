//! `client-output-buffer-limit`: a client whose pending output grows past
//! its class's hard limit, or stays past the soft limit for the soft
//! seconds, is disconnected and its output dropped, as Redis does to
//! protect itself from subscribers that do not read.
//!
//! Pending output is what waits in the engine (the outbox) plus what the
//! host reports it has taken but not yet delivered (`Client::backlog`:
//! the native server's socket queue). As in Redis, what fits in a client's
//! 16 KB reply buffer is not counted, only what overflows into the reply
//! list. The class is Redis's: pub/sub for a
//! client with subscriptions, normal otherwise (MONITOR included; replicas
//! do not exist here).

use crate::client::Client;
use crate::commands::REPLY_BUFFER;
use crate::config::BufferLimit;
use crate::engine::Server;

/// Index of each class in `Params::buffer_limits`.
const NORMAL: usize = 0;
const PUBSUB: usize = 2;

/// Closes the clients over their limits among those sent frames since the
/// last check (`Server::output_touched`), as Redis checks a client when it
/// adds to its output; after every command.
pub(crate) fn enforce(server: &mut Server) {
    let mut touched = std::mem::take(&mut server.output_touched);
    touched.sort_unstable();
    touched.dedup();
    let limits = server.hot.buffer_limits;
    let now = server.now_ms;
    for id in &touched {
        if let Some(client) = server.clients.get_mut(id) {
            check(client, limits, now);
        }
    }
    // Keeps the allocation for the next command.
    touched.clear();
    server.output_touched = touched;
}

/// `enforce` for `client`, which is out of `server.clients` (its own
/// commands running).
pub(crate) fn enforce_on(server: &Server, client: &mut Client) {
    check(client, server.hot.buffer_limits, server.now_ms);
}

/// `enforce` over every client: each tick, so a soft limit's seconds run
/// out even for a client sent nothing more, and after the host reports
/// what its sockets still hold.
pub(crate) fn enforce_all(server: &mut Server) {
    server.output_touched.clear();
    let limits = server.hot.buffer_limits;
    let now = server.now_ms;
    for client in server.clients.values_mut() {
        check(client, limits, now);
    }
}

/// Closes `client` (dropping its output) if it is over its class's limit.
fn check(client: &mut Client, limits: [BufferLimit; 3], now: i64) {
    let class = if client.subscriptions.count() > 0 {
        PUBSUB
    } else {
        NORMAL
    };
    let Some(limit) = limits.get(class).copied() else {
        return;
    };
    if limit == BufferLimit::default() || client.closing {
        return;
    }
    if client.outbox.is_empty() && client.backlog == 0 {
        client.over_soft_limit_since = None;
        return;
    }
    // Only what overflows the fixed reply buffer counts.
    let pending = pending_bytes(client).saturating_sub(REPLY_BUFFER) as u64;
    if over_limit(limit, pending, &mut client.over_soft_limit_since, now) {
        client.closing = true;
        client.output_dropped = true;
        client.outbox.clear();
    }
}

/// The client's pending output in bytes: its outbox and what the host
/// has yet to deliver.
fn pending_bytes(client: &Client) -> usize {
    client.outbox_bytes() + client.backlog
}

/// Whether `pending` bytes break `limit`: at the hard limit at once, at
/// the soft one after it has lasted the soft seconds (`since` remembers
/// when it was first reached, and is cleared below it).
fn over_limit(limit: BufferLimit, pending: u64, since: &mut Option<i64>, now: i64) -> bool {
    if limit.hard > 0 && pending >= limit.hard {
        return true;
    }
    if limit.soft > 0 && pending >= limit.soft {
        let first = *since.get_or_insert(now);
        return now - first >= limit.soft_seconds.saturating_mul(1000);
    }
    *since = None;
    false
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn hard_at_once_soft_after_its_seconds() {
        let limit = BufferLimit {
            hard: 1000,
            soft: 100,
            soft_seconds: 2,
        };
        let mut since = None;
        assert!(!over_limit(limit, 99, &mut since, 0));
        assert!(!over_limit(limit, 100, &mut since, 0));
        assert_eq!(since, Some(0));
        assert!(!over_limit(limit, 500, &mut since, 1_999));
        assert!(over_limit(limit, 500, &mut since, 2_000));
        // Dropping below resets the soft clock.
        let mut since = Some(0);
        assert!(!over_limit(limit, 10, &mut since, 5_000));
        assert_eq!(since, None);
        assert!(!over_limit(limit, 200, &mut since, 6_000));
        assert!(over_limit(limit, 1000, &mut since, 6_000));
        let no_soft_wait = BufferLimit {
            hard: 0,
            soft: 100,
            soft_seconds: 0,
        };
        assert!(over_limit(no_soft_wait, 100, &mut None, 0));
    }
}
