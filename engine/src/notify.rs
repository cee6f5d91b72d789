//! Keyspace notifications: events published on `__keyspace@<db>__:<key>`
//! (the event as message) and `__keyevent@<db>__:<event>` (the key as
//! message), for the classes `notify-keyspace-events` enables.

use crate::client::Client;
use crate::engine::Server;

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

/// Publishes the event if its class is enabled.
pub(crate) fn emit(
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
