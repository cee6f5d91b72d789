//! Client-side caching (CLIENT TRACKING): the server remembers which keys
//! a tracking client may hold in its local cache and tells it when they
//! change, as Redis's `tracking.c` does.
//!
//! - Default mode: the keys a tracking client reads are remembered in one
//!   table shared by every database (Redis identifies cached entries by
//!   key name only). When a key changes, each client remembered for it
//!   gets one `invalidate` message and the key is forgotten until read
//!   again. OPTIN clients are remembered only for the command after
//!   CLIENT CACHING yes; OPTOUT clients are not for the one after
//!   CLIENT CACHING no. NOLOOP skips the changes a client makes itself.
//! - BCAST mode: nothing is remembered per client. Each client listens to
//!   key prefixes and, after every command and every tick (Redis: once
//!   per event-loop pass), gets the keys under each of its prefixes that
//!   changed meanwhile, sorted, one message per prefix.
//! - A flush invalidates everything: the message carries null instead of
//!   keys.
//!
//! Messages are RESP3 pushes `invalidate [keys]` on the client's own
//! connection. With REDIRECT they go to another client instead: a push if
//! that one speaks RESP3, otherwise a pub/sub `message` on
//! `__redis__:invalidate` if it is subscribed to anything. A RESP2 client
//! without a redirect gets nothing (RESP2 has no pushes). If the redirect
//! client is gone, a RESP3 tracker is told `tracking-redir-broken` instead.
//! Invalidations a client causes for itself wait until its reply is out.
//!
//! Which keys a command read is an approximation: the key positions of a
//! command flagged `readonly` (`Spec::key_positions`, from its key specs),
//! after it ran — what Redis's `getKeysFromCommand` gives for nearly every
//! read command.

use rustc_hash::FxHashMap;

use crate::sorted_map::{SortedMap, SortedSet};

use crate::client::{find, Client, ClientId};
use crate::commands::Spec;
use crate::engine::Server;
use crate::reply::Reply;
use crate::resp::Protocol;

/// The pub/sub channel RESP2 redirect clients receive invalidations on.
const CHANNEL: &[u8] = b"__redis__:invalidate";

/// One client's tracking settings (CLIENT TRACKING ON and its options).
#[derive(Debug, Clone, Default)]
pub struct ClientTracking {
    /// Client that receives the invalidations; 0: this one.
    pub redirect: ClientId,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// CLIENT CACHING was given for the next command (OPTIN: yes, OPTOUT:
    /// no); it lasts until a command other than CLIENT ends outside MULTI.
    pub caching: bool,
    /// The redirect client has gone away.
    pub broken_redirect: bool,
    /// BCAST prefixes, in byte order (as TRACKINGINFO lists them).
    pub prefixes: SortedSet<Vec<u8>>,
    /// Invalidations of keys this client changed itself, sent once its
    /// reply is out (`None`: a flush).
    pending: Vec<Option<Vec<u8>>>,
}

/// What CLIENT TRACKING ON asks for, already validated.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub redirect: ClientId,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    pub prefixes: Vec<Vec<u8>>,
}

/// The server side: remembered keys and BCAST prefixes.
#[derive(Debug, Default)]
pub struct Table {
    /// Keys read by default-mode trackers, each with the clients that may
    /// cache it. Ids of clients that stopped tracking or left are dropped
    /// lazily, when the key changes, as Redis does.
    keys: FxHashMap<Vec<u8>, SortedSet<ClientId>>,
    /// BCAST prefixes, in byte order.
    prefixes: SortedMap<Vec<u8>, Prefix>,
}

#[derive(Debug, Default)]
struct Prefix {
    clients: SortedSet<ClientId>,
    /// Keys under the prefix changed since the last broadcast, in the
    /// order they changed, each with the client that changed it (`None`:
    /// it expired), so NOLOOP clients can be spared their own changes.
    /// The broadcast sorts them and keeps each key's last change.
    changed: Vec<(Vec<u8>, Option<ClientId>)>,
}

/// Turns tracking on, or changes its options when it is already on (the
/// caller has checked they are compatible). BCAST prefixes add to those
/// the client already has; BCAST without a prefix means every key.
pub(crate) fn enable(server: &mut Server, client: &mut Client, options: Options) {
    let state = client.tracking.get_or_insert_with(ClientTracking::default);
    state.redirect = options.redirect;
    state.bcast = options.bcast;
    state.optin = options.optin;
    state.optout = options.optout;
    state.noloop = options.noloop;
    state.broken_redirect = false;
    if !options.bcast {
        return;
    }
    let mut prefixes = options.prefixes;
    if prefixes.is_empty() {
        prefixes.push(Vec::new());
    }
    for prefix in prefixes {
        server
            .tracking
            .prefixes
            .get_or_insert_with(prefix.clone(), Prefix::default)
            .clients
            .insert(client.id);
        state.prefixes.insert(prefix);
    }
}

/// Turns tracking off (CLIENT TRACKING OFF, RESET, disconnection).
pub(crate) fn disable(server: &mut Server, client: &mut Client) {
    let Some(state) = client.tracking.take() else {
        return;
    };
    for prefix in state.prefixes {
        if let Some(entry) = server.tracking.prefixes.get_mut(&prefix) {
            entry.clients.remove(&client.id);
            if entry.clients.is_empty() {
                server.tracking.prefixes.remove(&prefix);
            }
        }
    }
}

/// After `spec` ran for `client`: a read-only command's keys are now
/// possibly in the client's cache.
pub(crate) fn remember_read(server: &mut Server, client: &Client, spec: &Spec, argv: &[&[u8]]) {
    let Some(state) = &client.tracking else {
        return;
    };
    if state.bcast || !spec.has_flag("readonly") {
        return;
    }
    if (state.optin && !state.caching) || (state.optout && state.caching) {
        return;
    }
    for at in spec.key_positions(argv) {
        if let Some(&key) = argv.get(at) {
            server
                .tracking
                .keys
                .entry(key.to_vec())
                .or_default()
                .insert(client.id);
        }
    }
}

/// `key` changed (in any database): the clients that may cache it are
/// told, and BCAST prefixes covering it note it for the next broadcast.
/// `me` is the client whose command is running, if any; `changed_by` the
/// client that changed the key (`None` when it expired).
pub(crate) fn invalidate(
    server: &mut Server,
    mut me: Option<&mut Client>,
    key: &[u8],
    changed_by: Option<ClientId>,
) {
    for (prefix, entry) in server.tracking.prefixes.iter_mut() {
        if key.starts_with(prefix) {
            entry.changed.push((key.to_vec(), changed_by));
        }
    }
    let Some(ids) = server.tracking.keys.remove(key) else {
        return;
    };
    let running = me.as_deref().map(|c| c.id);
    for id in ids {
        let Some(state) = find(&mut server.clients, me.as_deref_mut(), id)
            .and_then(|c| c.tracking.as_mut())
            .filter(|t| !t.bcast)
        else {
            continue;
        };
        if running == Some(id) {
            if !state.noloop {
                state.pending.push(Some(key.to_vec()));
            }
        } else {
            send(server, me.as_deref_mut(), id, Some(vec![key.to_vec()]));
        }
    }
}

/// FLUSHDB / FLUSHALL: every tracking client is told that all keys are
/// invalid, and the remembered keys are forgotten.
pub(crate) fn invalidate_all(server: &mut Server, me: &mut Client) {
    if let Some(state) = me.tracking.as_mut() {
        state.pending.push(None);
    }
    let others: Vec<ClientId> = server
        .clients
        .values()
        .filter(|c| c.tracking.is_some())
        .map(|c| c.id)
        .collect();
    for id in others {
        send(server, Some(&mut *me), id, None);
    }
    server.tracking.keys.clear();
}

/// After a client's command (or, for a blocked client, its end): the
/// invalidations it caused itself go out after its reply, and the
/// CLIENT CACHING choice is used up unless the command was another CLIENT
/// subcommand, or the client waits in a transaction or blocking command.
pub(crate) fn finish_command(server: &mut Server, client: &mut Client, command: &[u8]) {
    let Some(state) = client.tracking.as_mut() else {
        return;
    };
    let pending = std::mem::take(&mut state.pending);
    if client.multi.is_none()
        && client.blocked.is_none()
        && !command.eq_ignore_ascii_case(b"client")
    {
        state.caching = false;
    }
    let id = client.id;
    for keys in pending {
        send(server, Some(&mut *client), id, keys.map(|k| vec![k]));
    }
}

/// Whether `broadcast` has changes to send.
pub(crate) fn has_broadcasts(server: &Server) -> bool {
    server
        .tracking
        .prefixes
        .values()
        .any(|entry| !entry.changed.is_empty())
}

/// Sends each BCAST client the keys under its prefixes that changed since
/// the last broadcast (without its own changes if NOLOOP).
pub(crate) fn broadcast(server: &mut Server) {
    let mut messages = Vec::new();
    for entry in server.tracking.prefixes.values_mut() {
        if entry.changed.is_empty() {
            continue;
        }
        let mut changed = std::mem::take(&mut entry.changed);
        changed.sort_by(|a, b| a.0.cmp(&b.0));
        // Stable, so of a key's changes the last is last: keep its changer.
        changed.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 = later.1;
            }
            same
        });
        for &id in &entry.clients {
            messages.push((id, changed.clone()));
        }
    }
    for (id, changed) in messages {
        let noloop = server
            .clients
            .get(&id)
            .and_then(|c| c.tracking.as_ref())
            .is_some_and(|t| t.noloop);
        let keys: Vec<Vec<u8>> = changed
            .into_iter()
            .filter(|(_, by)| !noloop || *by != Some(id))
            .map(|(key, _)| key)
            .collect();
        if !keys.is_empty() {
            send(server, None, id, Some(keys));
        }
    }
}

/// Delivers one invalidation message for tracking client `tracker`
/// (`keys`: `None` means all keys), to it or to its redirect client.
fn send(
    server: &mut Server,
    mut me: Option<&mut Client>,
    tracker: ClientId,
    keys: Option<Vec<Vec<u8>>>,
) {
    let Some(client) = find(&mut server.clients, me.as_deref_mut(), tracker) else {
        return;
    };
    let redirect = client.tracking.as_ref().map_or(0, |t| t.redirect);
    let target = if redirect == 0 {
        tracker
    } else {
        let running = me.as_deref().map(|c| c.id);
        if running != Some(redirect) && !server.clients.contains_key(&redirect) {
            redirect_broken(server, me, tracker, redirect);
            return;
        }
        redirect
    };
    let Some(receiver) = find(&mut server.clients, me, target) else {
        return;
    };
    let payload = match keys {
        Some(keys) => Reply::Array(keys.into_iter().map(Reply::Bulk).collect()),
        None => Reply::Nil,
    };
    let frame = if receiver.proto == Protocol::Resp3 {
        Reply::Push(vec![Reply::bulk(b"invalidate"), payload])
    } else if target != tracker && receiver.subscriptions.count() > 0 {
        Reply::Push(vec![Reply::bulk(b"message"), Reply::bulk(CHANNEL), payload])
    } else {
        return;
    };
    receiver.push(frame);
    server.note_output(target);
}

/// The redirect client of `tracker` is gone: it is flagged, and told if it
/// can hear pushes.
fn redirect_broken(
    server: &mut Server,
    me: Option<&mut Client>,
    tracker: ClientId,
    redirect: ClientId,
) {
    let Some(client) = find(&mut server.clients, me, tracker) else {
        return;
    };
    if let Some(state) = client.tracking.as_mut() {
        state.broken_redirect = true;
    }
    if client.proto == Protocol::Resp3 {
        let id = i64::try_from(redirect).unwrap_or(i64::MAX);
        client.push(Reply::Push(vec![
            Reply::bulk(b"tracking-redir-broken"),
            Reply::Int(id),
        ]));
        server.note_output(tracker);
    }
}
