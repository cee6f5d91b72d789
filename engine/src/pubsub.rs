//! Who listens to what: channels, patterns and shard channels, each with
//! its subscribers in subscription order (the order Redis delivers in).
//! The clients keep their own side (`client::Subscriptions`); this is the
//! index PUBLISH walks.

use indexmap::{IndexMap, IndexSet};

use crate::client::ClientId;
use crate::glob;

type Listeners = IndexMap<Vec<u8>, IndexSet<ClientId>>;

#[derive(Debug, Default)]
pub struct PubSub {
    channels: Listeners,
    patterns: Listeners,
    shard_channels: Listeners,
}

/// Which of the three namespaces a subscription lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl PubSub {
    fn map(&mut self, kind: Kind) -> &mut Listeners {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    fn map_ref(&self, kind: Kind) -> &Listeners {
        match kind {
            Kind::Channel => &self.channels,
            Kind::Pattern => &self.patterns,
            Kind::Shard => &self.shard_channels,
        }
    }

    pub fn add(&mut self, kind: Kind, name: &[u8], client: ClientId) {
        self.map(kind)
            .entry(name.to_vec())
            .or_default()
            .insert(client);
    }

    pub fn remove(&mut self, kind: Kind, name: &[u8], client: ClientId) {
        let map = self.map(kind);
        if let Some(listeners) = map.get_mut(name) {
            listeners.shift_remove(&client);
            if listeners.is_empty() {
                map.shift_remove(name);
            }
        }
    }

    /// Subscribers of a channel (or shard channel), in subscription order.
    pub fn listeners(&self, kind: Kind, name: &[u8]) -> Vec<ClientId> {
        self.map_ref(kind)
            .get(name)
            .map(|l| l.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Every (pattern, client) whose pattern matches `channel`.
    pub fn pattern_listeners(&self, channel: &[u8]) -> Vec<(Vec<u8>, ClientId)> {
        self.patterns
            .iter()
            .filter(|(pattern, _)| glob::matches(pattern, channel))
            .flat_map(|(pattern, clients)| clients.iter().map(|&c| (pattern.clone(), c)))
            .collect()
    }

    /// Active names of a kind matching `pattern` (all when `None`).
    pub fn names(&self, kind: Kind, pattern: Option<&[u8]>) -> Vec<Vec<u8>> {
        self.map_ref(kind)
            .keys()
            .filter(|name| pattern.is_none_or(|p| glob::matches(p, name)))
            .cloned()
            .collect()
    }

    pub fn count(&self, kind: Kind, name: &[u8]) -> usize {
        self.map_ref(kind).get(name).map_or(0, IndexSet::len)
    }

    /// How many distinct patterns have subscribers (PUBSUB NUMPAT).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// How many channels (or shard channels) have subscribers.
    pub fn active(&self, kind: Kind) -> usize {
        self.map_ref(kind).len()
    }
}

/// Delivers `frame` to client `target`: `me` if it is the client whose
/// command is running (it is lent out of `server.clients` meanwhile).
pub(crate) fn deliver(
    server: &mut crate::engine::Server,
    me: Option<&mut crate::client::Client>,
    target: ClientId,
    frame: crate::reply::Reply,
) {
    if let Some(client) = crate::client::find(&mut server.clients, me, target) {
        client.push(frame);
        server.note_output(target);
    }
}

/// PUBLISH: the message to every subscriber of `channel` (`message`
/// frames) and every client with a matching pattern (`pmessage`), in
/// subscription order; how many deliveries were made.
pub(crate) fn publish(
    server: &mut crate::engine::Server,
    mut me: Option<&mut crate::client::Client>,
    channel: &[u8],
    message: &[u8],
) -> usize {
    use crate::reply::Reply;
    let direct = server.pubsub.listeners(Kind::Channel, channel);
    let patterned = server.pubsub.pattern_listeners(channel);
    for &target in &direct {
        let frame = Reply::Push(vec![
            Reply::bulk(b"message"),
            Reply::bulk(channel),
            Reply::bulk(message),
        ]);
        deliver(server, me.as_deref_mut(), target, frame);
    }
    for (pattern, target) in &patterned {
        let frame = Reply::Push(vec![
            Reply::bulk(b"pmessage"),
            Reply::bulk(pattern),
            Reply::bulk(channel),
            Reply::bulk(message),
        ]);
        deliver(server, me.as_deref_mut(), *target, frame);
    }
    direct.len() + patterned.len()
}

/// SPUBLISH: the message to a shard channel's subscribers.
pub(crate) fn publish_shard(
    server: &mut crate::engine::Server,
    mut me: Option<&mut crate::client::Client>,
    channel: &[u8],
    message: &[u8],
) -> usize {
    use crate::reply::Reply;
    let listeners = server.pubsub.listeners(Kind::Shard, channel);
    for &target in &listeners {
        let frame = Reply::Push(vec![
            Reply::bulk(b"smessage"),
            Reply::bulk(channel),
            Reply::bulk(message),
        ]);
        deliver(server, me.as_deref_mut(), target, frame);
    }
    listeners.len()
}

/// Drops every subscription of a client that goes away (or RESETs).
pub(crate) fn unsubscribe_all(
    server: &mut crate::engine::Server,
    client: &mut crate::client::Client,
) {
    let subs = std::mem::take(&mut client.subscriptions);
    for channel in &subs.channels {
        server.pubsub.remove(Kind::Channel, channel, client.id);
    }
    for pattern in &subs.patterns {
        server.pubsub.remove(Kind::Pattern, pattern, client.id);
    }
    for channel in &subs.shard_channels {
        server.pubsub.remove(Kind::Shard, channel, client.id);
    }
}
