//! Keyspace notifications: events published on `__keyspace@<db>__:<key>`
//! (the event as message) and `__keyevent@<db>__:<event>` (the key as
//! message), for the classes `notify-keyspace-events` enables.
//!
//! Commands emit their own events where Redis does (`Ctx::notify`, and
//! `Ctx::modified` for the usual event-plus-WATCH pair). What a database
//! does on its own — create a key, expire one, miss a read — it notes as
//! `db::KeyEvent`s, and `flush` publishes those: before every event a
//! command emits (so they come out in the order they happened), after
//! every command and after every active-expiry pass. Evictions will join
//! them as `evicted` (class `e`) when maxmemory exists.

use crate::client::Client;
use crate::db::KeyEvent;
use crate::engine::{Ctx, Server};

/// Event classes, with Redis's bit values (as `notify-keyspace-events`
/// letters set them: g $ l s h z x e t m d n; K and E pick the channels).
pub mod class {
    pub const KEYSPACE: u32 = 1;
    pub const KEYEVENT: u32 = 1 << 1;
    pub const GENERIC: u32 = 1 << 2;
    pub const STRING: u32 = 1 << 3;
    pub const LIST: u32 = 1 << 4;
    pub const SET: u32 = 1 << 5;
    pub const HASH: u32 = 1 << 6;
    pub const ZSET: u32 = 1 << 7;
    pub const EXPIRED: u32 = 1 << 8;
    pub const EVICTED: u32 = 1 << 9;
    pub const STREAM: u32 = 1 << 10;
    pub const KEY_MISS: u32 = 1 << 11;
    pub const NEW: u32 = 1 << 14;
}

/// Publishes the event if its class is enabled, after whatever the
/// databases noted before it.
pub(crate) fn emit(
    server: &mut Server,
    mut me: Option<&mut Client>,
    event_class: u32,
    event: &str,
    key: &[u8],
    db: usize,
) {
    flush(server, me.as_deref_mut(), db);
    publish(server, me, event_class, event, key, db);
}

/// The publishing half of `emit`.
fn publish(
    server: &mut Server,
    mut me: Option<&mut Client>,
    event_class: u32,
    event: &str,
    key: &[u8],
    db: usize,
) {
    let flags = server.notify_flags;
    if flags & event_class == 0 {
        return;
    }
    if flags & class::KEYSPACE != 0 {
        let mut channel = format!("__keyspace@{db}__:").into_bytes();
        channel.extend_from_slice(key);
        crate::pubsub::publish(server, me.as_deref_mut(), &channel, event.as_bytes());
    }
    if flags & class::KEYEVENT != 0 {
        let channel = format!("__keyevent@{db}__:{event}").into_bytes();
        crate::pubsub::publish(server, me, &channel, key);
    }
}

/// Publishes what the databases noted since the last flush, database
/// `first` first (the running client's: a command that touches two
/// databases, MOVE or COPY, looks at its own first), then the others in
/// order. An expired or evicted key also dooms the transactions WATCHing it and
/// invalidates it for tracking clients, as Redis's expiry signals the key
/// modified.
pub(crate) fn flush(server: &mut Server, mut me: Option<&mut Client>, first: usize) {
    // Most commands leave no database event: answer that with one flag
    // rather than a look at every database.
    if !server
        .key_events_pending
        .swap(false, std::sync::atomic::Ordering::Relaxed)
    {
        debug_assert!(
            server.dbs.iter().all(|db| !db.has_events()),
            "a database queued a key event without raising the server's flag"
        );
        return;
    }
    let count = server.dbs.len();
    let order = std::iter::once(first).chain((0..count).filter(|&i| i != first));
    for db in order {
        let Some(events) = server.dbs.get_mut(db).map(crate::db::Db::take_events) else {
            continue;
        };
        for event in events {
            // What each event publishes, and whether it changed the key
            // (a change dooms WATCHers and reaches tracking clients).
            let (key, published, changed): (Vec<u8>, &[(u32, &str)], bool) = match event {
                KeyEvent::Created(key) => (key, &[(class::NEW, "new")], false),
                KeyEvent::Missed(key) => (key, &[(class::KEY_MISS, "keymiss")], false),
                KeyEvent::Expired(key) => (key, &[(class::EXPIRED, "expired")], true),
                KeyEvent::Evicted(key) => (key, &[(class::EVICTED, "evicted")], true),
                KeyEvent::FieldsExpired {
                    key,
                    emptied: false,
                } => (key, &[(class::HASH, "hexpired")], true),
                KeyEvent::FieldsExpired { key, emptied: true } => (
                    key,
                    &[(class::HASH, "hexpired"), (class::GENERIC, "del")],
                    true,
                ),
            };
            for &(event_class, name) in published {
                publish(server, me.as_deref_mut(), event_class, name, &key, db);
            }
            if changed {
                crate::engine::key_changed(server, me.as_deref_mut(), db, &key, None);
            }
        }
    }
}

/// The notification helpers commands use, beside `Ctx::notify` and
/// `Ctx::signal_modified`.
impl Ctx<'_> {
    /// A key changed: its WATCHers are doomed and `event` is published
    /// (the pair nearly every write ends with).
    pub fn modified(&mut self, event_class: u32, event: &str, key: &[u8]) {
        self.signal_modified(key);
        self.notify(event_class, event, key);
    }

    /// A command deleted `key` (a store with an empty result, a collection
    /// that lost its last element): `del`, and WATCHers are doomed.
    pub fn deleted(&mut self, key: &[u8]) {
        self.modified(class::GENERIC, "del", key);
    }

    /// `modified` for a key in database `db`, which need not be the
    /// client's (MOVE's and COPY's destination).
    pub fn modified_in(&mut self, db: usize, event_class: u32, event: &str, key: &[u8]) {
        let id = self.client.id;
        crate::engine::key_changed(self.server, Some(&mut *self.client), db, key, Some(id));
        emit(
            self.server,
            Some(&mut *self.client),
            event_class,
            event,
            key,
            db,
        );
    }

    /// Publishes what the databases noted (keys created, expired or
    /// missed) that no later event has carried out yet; dispatch calls
    /// this after every command.
    pub fn flush_key_events(&mut self) {
        let db = self.client.db;
        flush(self.server, Some(&mut *self.client), db);
    }
}
