//! XINFO: what a stream holds (STREAM, with FULL details), its consumer
//! groups (GROUPS) and a group's consumers (CONSUMERS), with Redis 7.2+'s
//! fields (consumers' active times).

use super::stream::entry_reply;
use super::{
    arg, help_reply, int_arg, int_reply, is_opt, subcommand_syntax, Arg, ArgKind, BeginSearch,
    Body, FindKeys, KeySpec, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;
use crate::types::stream::{Group, Stream, StreamId};

pub const SPECS: &[Spec] = &[Spec {
    name: "xinfo",
    arity: -2,
    acl: &["@slow"],
    group: "stream",
    since: "5.0.0",
    complexity: "Depends on the subcommand.",
    summary: "Describes streams, their consumer groups and the groups' consumers.",
    body: Body::Container {
        subcommands: SUBCOMMANDS,
        bare: None,
    },
    ..BASE
}];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "stream",
        arity: -3,
        flags: &["readonly"],
        keys: (2, 2, 1),
        acl: &["@read", "@stream", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        complexity: "O(1); FULL is O(N) in the entries and pending entries listed.",
        summary: "Describes a stream: its length, IDs, counters, and first and last entries, or FULL details.",
        history: &[("6.0.0", "The FULL form arrived."), ("7.0.0", "The max-deleted-entry-id, entries-added, recorded-first-entry-id, entries-read and lag fields arrived."), ("7.2.0", "Consumers report active-time; seen-time counts any attempt to read or claim.")],
        args: &[Arg::key("key", 0), Arg::block("full", &[Arg::new("count", ArgKind::Integer).token("COUNT").optional()]).token("FULL").optional()],
        body: Body::Run(xinfo_stream),
        ..BASE
    },
    Spec {
        name: "groups",
        arity: 3,
        flags: &["readonly"],
        keys: (2, 2, 1),
        acl: &["@read", "@stream", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        complexity: "O(1) per group.",
        summary: "Lists a stream's consumer groups with their consumers, pending entries and progress.",
        history: &[("7.0.0", "The entries-read and lag fields arrived.")],
        args: &[Arg::key("key", 0)],
        body: Body::Run(xinfo_groups),
        ..BASE
    },
    Spec {
        name: "consumers",
        arity: 4,
        flags: &["readonly"],
        keys: (2, 2, 1),
        acl: &["@read", "@stream", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        complexity: "O(1) per consumer.",
        summary: "Lists a group's consumers with their pending counts and idle times.",
        args: &[Arg::key("key", 0), Arg::new("groupname", ArgKind::String)],
        body: Body::Run(xinfo_consumers),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@stream", "@slow"],
        group: "stream",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Lists the XINFO subcommands.",
        body: Body::Run(xinfo_help),
        ..BASE
    },
];

fn field(name: &str, value: Reply) -> (Reply, Reply) {
    (Reply::bulk(name.as_bytes()), value)
}

fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

fn count_reply(n: u64) -> Reply {
    Reply::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn no_such_key() -> CmdError {
    CmdError::Other("ERR no such key".to_string())
}

/// The fields every form of XINFO STREAM starts with.
fn stream_header(stream: &Stream) -> Vec<(Reply, Reply)> {
    vec![
        field("length", int_reply(stream.len())),
        field("radix-tree-keys", int_reply(stream.node_count())),
        field("radix-tree-nodes", int_reply(stream.radix_tree_nodes())),
        field("last-generated-id", id_reply(stream.last_id)),
        field("max-deleted-entry-id", id_reply(stream.max_deleted_id)),
        field("entries-added", count_reply(stream.entries_added)),
        field("recorded-first-entry-id", id_reply(stream.first_id)),
    ]
}

fn entries_read_reply(group: &Group) -> Reply {
    group.entries_read.map_or(Reply::Nil, count_reply)
}

fn lag_reply(stream: &Stream, group: &Group) -> Reply {
    stream.lag(group).map_or(Reply::Nil, count_reply)
}

fn xinfo_stream(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let Some(stream) = super::read::<Stream>(ctx, arg(argv, 2))? else {
        return Err(no_such_key());
    };
    let options = argv.get(3..).unwrap_or_default();
    let full = match options {
        [] => None,
        [word] if is_opt(word, "FULL") => Some(10),
        [word, count_word, count] if is_opt(word, "FULL") && is_opt(count_word, "COUNT") => {
            Some(int_arg(count)?.max(0))
        }
        _ => return Err(subcommand_syntax(argv)),
    };
    let mut fields = stream_header(stream);
    let Some(count) = full else {
        fields.push(field("groups", int_reply(stream.groups.len())));
        let first = stream
            .first_entry()
            .map_or(Reply::Nil, |(&id, f)| entry_reply(id, f));
        let last = stream
            .last_entry()
            .map_or(Reply::Nil, |(&id, f)| entry_reply(id, f));
        fields.push(field("first-entry", first));
        fields.push(field("last-entry", last));
        return Ok(Reply::Map(fields));
    };
    // COUNT 0 lists everything.
    let limit = match usize::try_from(count) {
        Ok(0) | Err(_) => usize::MAX,
        Ok(n) => n,
    };
    let entries = stream
        .range(StreamId::ZERO, StreamId::MAX)
        .take(limit)
        .map(|(&id, f)| entry_reply(id, f))
        .collect();
    fields.push(field("entries", Reply::Array(entries)));
    let groups = stream
        .groups
        .iter()
        .map(|(name, group)| full_group(stream, name, group, limit))
        .collect();
    fields.push(field("groups", Reply::Array(groups)));
    Ok(Reply::Map(fields))
}

/// One group in XINFO STREAM FULL: its counters, pending list and consumers.
fn full_group(stream: &Stream, name: &[u8], group: &Group, limit: usize) -> Reply {
    let pending = group
        .pending
        .iter()
        .take(limit)
        .map(|(&id, p)| {
            Reply::Array(vec![
                id_reply(id),
                Reply::bulk(&p.consumer),
                Reply::Int(p.delivery_time),
                count_reply(p.delivery_count),
            ])
        })
        .collect();
    let consumers = group
        .consumers
        .iter()
        .map(|(consumer_name, consumer)| {
            let own = consumer
                .pending
                .iter()
                .take(limit)
                .filter_map(|id| group.pending.get(id).map(|p| (id, p)))
                .map(|(&id, p)| {
                    Reply::Array(vec![
                        id_reply(id),
                        Reply::Int(p.delivery_time),
                        count_reply(p.delivery_count),
                    ])
                })
                .collect();
            Reply::Map(vec![
                field("name", Reply::bulk(consumer_name)),
                field("seen-time", Reply::Int(consumer.seen_time)),
                field(
                    "active-time",
                    Reply::Int(consumer.active_time.unwrap_or(-1)),
                ),
                field("pel-count", int_reply(consumer.pending.len())),
                field("pending", Reply::Array(own)),
            ])
        })
        .collect();
    Reply::Map(vec![
        field("name", Reply::bulk(name)),
        field("last-delivered-id", id_reply(group.last_id)),
        field("entries-read", entries_read_reply(group)),
        field("lag", lag_reply(stream, group)),
        field("pel-count", int_reply(group.pending.len())),
        field("pending", Reply::Array(pending)),
        field("consumers", Reply::Array(consumers)),
    ])
}

fn xinfo_groups(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let Some(stream) = super::read::<Stream>(ctx, arg(argv, 2))? else {
        return Err(no_such_key());
    };
    let groups = stream
        .groups
        .iter()
        .map(|(name, group)| {
            Reply::Map(vec![
                field("name", Reply::bulk(name)),
                field("consumers", int_reply(group.consumers.len())),
                field("pending", int_reply(group.pending.len())),
                field("last-delivered-id", id_reply(group.last_id)),
                field("entries-read", entries_read_reply(group)),
                field("lag", lag_reply(stream, group)),
            ])
        })
        .collect();
    Ok(Reply::Array(groups))
}

fn xinfo_consumers(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (key, group_name) = (arg(argv, 2), arg(argv, 3));
    let now = ctx.now();
    let Some(stream) = super::read::<Stream>(ctx, key)? else {
        return Err(no_such_key());
    };
    let Some(group) = stream.groups.get(group_name) else {
        return Err(CmdError::Other(format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            String::from_utf8_lossy(group_name),
            String::from_utf8_lossy(key)
        )));
    };
    let consumers = group
        .consumers
        .iter()
        .map(|(name, consumer)| {
            let idle = now.saturating_sub(consumer.seen_time).max(0);
            let inactive = consumer
                .active_time
                .map_or(-1, |at| now.saturating_sub(at).max(0));
            Reply::Map(vec![
                field("name", Reply::bulk(name)),
                field("pending", int_reply(consumer.pending.len())),
                field("idle", Reply::Int(idle)),
                field("inactive", Reply::Int(inactive)),
            ])
        })
        .collect();
    Ok(Reply::Array(consumers))
}

fn xinfo_help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Lists the group's consumers with their pending counts and idle times.",
        "GROUPS <key>",
        "    Lists the stream's consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]]",
        "    Describes the stream; FULL adds entries, pending lists and consumers",
        "    (at most <count> of each, 10 by default, 0 for all).",
        "HELP",
        "    Prints this help.",
    ]))
}
