//! Pub/sub: SUBSCRIBE and friends (channels, glob patterns, shard
//! channels), PUBLISH/SPUBLISH and PUBSUB. Subscribers receive messages as
//! push frames in their outbox (arrays, for RESP2 clients).

use super::{all_keys, arg, help_reply, int_reply, one_key, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::pubsub::Kind;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "subscribe",
        arity: -2,
        flags: &["pubsub", "noscript", "loading", "stale"],
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since: "2.0.0",
        complexity: "O(N) for the N channels.",
        summary: "Listens for messages published to channels.",
        args: &[Arg::new("channel", ArgKind::String).multiple()],
        body: Body::Run(subscribe),
        ..BASE
    },
    Spec {
        name: "unsubscribe",
        arity: -1,
        flags: &["pubsub", "noscript", "loading", "stale"],
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since: "2.0.0",
        complexity: "O(N) for the N channels (or the client's channels).",
        summary: "Stops listening to some channels, or to all of them.",
        args: &[Arg::new("channel", ArgKind::String).optional().multiple()],
        body: Body::Run(unsubscribe),
        ..BASE
    },
    Spec {
        name: "psubscribe",
        arity: -2,
        flags: &["pubsub", "noscript", "loading", "stale"],
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since: "2.0.0",
        complexity: "O(N) for the N patterns.",
        summary: "Listens for messages published to channels matching glob patterns.",
        args: &[Arg::block("pattern", &[Arg::new("pattern", ArgKind::Pattern)]).multiple()],
        body: Body::Run(psubscribe),
        ..BASE
    },
    Spec {
        name: "punsubscribe",
        arity: -1,
        flags: &["pubsub", "noscript", "loading", "stale"],
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since: "2.0.0",
        complexity: "O(N) for the N patterns (or the client's patterns).",
        summary: "Stops listening to some patterns, or to all of them.",
        args: &[Arg::new("pattern", ArgKind::Pattern).optional().multiple()],
        body: Body::Run(punsubscribe),
        ..BASE
    },
    Spec {
        name: "ssubscribe",
        arity: -2,
        flags: &["pubsub", "noscript", "loading", "stale"],
        keys: (1, -1, 1),
        acl: &["@pubsub", "@slow"],
        key_specs: &[all_keys(&["not_key"])],
        group: "pubsub",
        since: "7.0.0",
        complexity: "O(N) for the N shard channels.",
        summary: "Listens for messages published to shard channels.",
        args: &[Arg::new("shardchannel", ArgKind::String).multiple()],
        body: Body::Run(ssubscribe),
        ..BASE
    },
    Spec {
        name: "sunsubscribe",
        arity: -1,
        flags: &["pubsub", "noscript", "loading", "stale"],
        keys: (1, -1, 1),
        acl: &["@pubsub", "@slow"],
        key_specs: &[all_keys(&["not_key"])],
        group: "pubsub",
        since: "7.0.0",
        complexity: "O(N) for the N shard channels (or the client's).",
        summary: "Stops listening to some shard channels, or to all of them.",
        args: &[Arg::new("shardchannel", ArgKind::String)
            .optional()
            .multiple()],
        body: Body::Run(sunsubscribe),
        ..BASE
    },
    Spec {
        name: "publish",
        arity: 3,
        flags: &["pubsub", "loading", "stale", "fast"],
        acl: &["@pubsub", "@fast"],
        group: "pubsub",
        since: "2.0.0",
        complexity: "O(N+M): N subscribers of the channel, M patterns.",
        summary: "Sends a message to a channel's subscribers and matching pattern subscribers.",
        args: &[
            Arg::new("channel", ArgKind::String),
            Arg::new("message", ArgKind::String),
        ],
        body: Body::Run(publish),
        ..BASE
    },
    Spec {
        name: "spublish",
        arity: 3,
        flags: &["pubsub", "loading", "stale", "fast"],
        keys: (1, 1, 1),
        acl: &["@pubsub", "@fast"],
        key_specs: &[one_key(None, &["not_key"])],
        group: "pubsub",
        since: "7.0.0",
        complexity: "O(N) for the N subscribers.",
        summary: "Sends a message to a shard channel's subscribers.",
        args: &[
            Arg::new("shardchannel", ArgKind::String),
            Arg::new("message", ArgKind::String),
        ],
        body: Body::Run(spublish),
        ..BASE
    },
    Spec {
        name: "pubsub",
        arity: -2,
        acl: &["@slow"],
        group: "pubsub",
        since: "2.8.0",
        complexity: "Depends on the subcommand.",
        summary: "Inspects the pub/sub state: channels, subscriber counts, patterns.",
        body: Body::Container {
            subcommands: SUBCOMMANDS,
            bare: None,
        },
        ..BASE
    },
];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "channels",
        arity: -2,
        flags: &["pubsub", "loading", "stale"],
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since: "2.8.0",
        complexity: "O(N) for the N active channels.",
        summary:
            "Lists channels with at least one subscriber, optionally those matching a pattern.",
        args: &[Arg::new("pattern", ArgKind::Pattern).optional()],
        body: Body::Run(pubsub_channels),
        ..BASE
    },
    Spec {
        name: "numsub",
        arity: -2,
        flags: &["pubsub", "loading", "stale"],
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since: "2.8.0",
        complexity: "O(N) for the N channels asked about.",
        summary: "Counts the subscribers of each given channel (patterns not included).",
        args: &[Arg::new("channel", ArgKind::String).optional().multiple()],
        body: Body::Run(pubsub_numsub),
        ..BASE
    },
    Spec {
        name: "numpat",
        arity: 2,
        flags: &["pubsub", "loading", "stale"],
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since: "2.8.0",
        complexity: "O(1)",
        summary: "Counts the patterns that have subscribers.",
        body: Body::Run(pubsub_numpat),
        ..BASE
    },
    Spec {
        name: "shardchannels",
        arity: -2,
        flags: &["pubsub", "loading", "stale"],
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since: "7.0.0",
        complexity: "O(N) for the N active shard channels.",
        summary: "Lists shard channels with subscribers, optionally those matching a pattern.",
        args: &[Arg::new("pattern", ArgKind::Pattern).optional()],
        body: Body::Run(pubsub_shardchannels),
        ..BASE
    },
    Spec {
        name: "shardnumsub",
        arity: -2,
        flags: &["pubsub", "loading", "stale"],
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since: "7.0.0",
        complexity: "O(N) for the N shard channels asked about.",
        summary: "Counts the subscribers of each given shard channel.",
        args: &[Arg::new("shardchannel", ArgKind::String)
            .optional()
            .multiple()],
        body: Body::Run(pubsub_shardnumsub),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@slow"],
        group: "pubsub",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Lists the PUBSUB subcommands.",
        body: Body::Run(pubsub_help),
        ..BASE
    },
];

/// The confirmation frame a (un)subscription sends: kind, name, count.
fn confirmation(word: &str, name: Option<&[u8]>, count: usize) -> Reply {
    Reply::Push(vec![
        Reply::bulk(word.as_bytes()),
        name.map_or(Reply::Nil, Reply::bulk),
        int_reply(count),
    ])
}

/// The counts a confirmation reports: channels and patterns together,
/// shard channels on their own.
fn reported_count(ctx: &Ctx<'_>, kind: Kind) -> usize {
    let subs = &ctx.client.subscriptions;
    match kind {
        Kind::Shard => subs.shard_channels.len(),
        _ => subs.channels.len() + subs.patterns.len(),
    }
}

fn subscribe_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], kind: Kind, word: &str) -> Reply {
    let mut frames = Vec::new();
    for &name in argv.iter().skip(1) {
        let subs = &mut ctx.client.subscriptions;
        let set = match kind {
            Kind::Channel => &mut subs.channels,
            Kind::Pattern => &mut subs.patterns,
            Kind::Shard => &mut subs.shard_channels,
        };
        if set.insert(name.to_vec()) {
            ctx.server.pubsub.add(kind, name, ctx.client.id);
        }
        frames.push(confirmation(word, Some(name), reported_count(ctx, kind)));
    }
    Reply::Frames(frames)
}

fn unsubscribe_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], kind: Kind, word: &str) -> Reply {
    let subs = &ctx.client.subscriptions;
    let current = match kind {
        Kind::Channel => &subs.channels,
        Kind::Pattern => &subs.patterns,
        Kind::Shard => &subs.shard_channels,
    };
    // Without names: every current one, or a single "none" frame.
    let names: Vec<Vec<u8>> = match argv.get(1..) {
        Some(named) if !named.is_empty() => named.iter().map(|n| n.to_vec()).collect(),
        _ => current.iter().cloned().collect(),
    };
    if names.is_empty() {
        return confirmation(word, None, reported_count(ctx, kind));
    }
    let mut frames = Vec::new();
    for name in names {
        let subs = &mut ctx.client.subscriptions;
        let set = match kind {
            Kind::Channel => &mut subs.channels,
            Kind::Pattern => &mut subs.patterns,
            Kind::Shard => &mut subs.shard_channels,
        };
        if set.shift_remove(&name) {
            ctx.server.pubsub.remove(kind, &name, ctx.client.id);
        }
        frames.push(confirmation(word, Some(&name), reported_count(ctx, kind)));
    }
    Reply::Frames(frames)
}

fn subscribe(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(subscribe_generic(ctx, argv, Kind::Channel, "subscribe"))
}

fn psubscribe(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(subscribe_generic(ctx, argv, Kind::Pattern, "psubscribe"))
}

fn ssubscribe(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(subscribe_generic(ctx, argv, Kind::Shard, "ssubscribe"))
}

fn unsubscribe(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(unsubscribe_generic(ctx, argv, Kind::Channel, "unsubscribe"))
}

fn punsubscribe(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(unsubscribe_generic(
        ctx,
        argv,
        Kind::Pattern,
        "punsubscribe",
    ))
}

fn sunsubscribe(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(unsubscribe_generic(ctx, argv, Kind::Shard, "sunsubscribe"))
}

fn publish(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(int_reply(ctx.publish(arg(argv, 1), arg(argv, 2))))
}

fn spublish(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let delivered = crate::pubsub::publish_shard(
        ctx.server,
        Some(&mut *ctx.client),
        arg(argv, 1),
        arg(argv, 2),
    );
    Ok(int_reply(delivered))
}

fn names_reply(ctx: &Ctx<'_>, kind: Kind, argv: &[&[u8]]) -> Reply {
    let names = ctx.server.pubsub.names(kind, argv.get(2).copied());
    Reply::Array(names.into_iter().map(Reply::Bulk).collect())
}

fn counts_reply(ctx: &Ctx<'_>, kind: Kind, argv: &[&[u8]]) -> Reply {
    let pairs = argv
        .iter()
        .skip(2)
        .map(|&name| {
            (
                Reply::bulk(name),
                int_reply(ctx.server.pubsub.count(kind, name)),
            )
        })
        .collect();
    Reply::Map(pairs)
}

fn pubsub_channels(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(names_reply(ctx, Kind::Channel, argv))
}

fn pubsub_shardchannels(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(names_reply(ctx, Kind::Shard, argv))
}

fn pubsub_numsub(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(counts_reply(ctx, Kind::Channel, argv))
}

fn pubsub_shardnumsub(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(counts_reply(ctx, Kind::Shard, argv))
}

fn pubsub_numpat(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(int_reply(ctx.server.pubsub.pattern_count()))
}

fn pubsub_help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Lists the channels with subscribers, optionally only those matching <pattern>.",
        "NUMPAT",
        "    Counts the patterns with subscribers.",
        "NUMSUB [<channel> ...]",
        "    Counts the subscribers of each channel.",
        "SHARDCHANNELS [<pattern>]",
        "    Lists the shard channels with subscribers.",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Counts the subscribers of each shard channel.",
        "HELP",
        "    Prints this help.",
    ]))
}
