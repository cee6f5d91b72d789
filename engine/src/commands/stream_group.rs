//! Consumer groups: XGROUP (create, move, destroy groups; add and remove
//! consumers), XACK, XPENDING, XCLAIM and XAUTOCLAIM. Reading through a
//! group is XREADGROUP, in `stream_read.rs`.

use super::stream::{entry_reply, parse_bound, parse_id_with, parse_strict_id};
use super::{
    arg, help_reply, int_arg, int_reply, is_opt, one_key, subcommand_syntax, Arg, ArgKind,
    BeginSearch, Body, FindKeys, KeySpec, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;
use crate::types::stream::{Group, Pending, Stream, StreamId};
use crate::types::Value;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "xgroup",
        arity: -2,
        acl: &["@slow"],
        group: "stream",
        since: "5.0.0",
        complexity: "Depends on the subcommand.",
        summary: "Creates, moves, and deletes consumer groups and their consumers.",
        body: Body::Container { subcommands: SUBCOMMANDS, bare: None },
        ..BASE
    },
    Spec {
        name: "xack",
        arity: -4,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@stream", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "stream",
        since: "5.0.0",
        complexity: "O(log N) per ID.",
        summary: "Acknowledges entries a consumer group delivered, removing them from its pending list.",
        args: &[Arg::key("key", 0), Arg::new("group", ArgKind::String), Arg::new("id", ArgKind::String).multiple()],
        body: Body::Run(xack),
        ..BASE
    },
    Spec {
        name: "xpending",
        arity: -3,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@stream", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "stream",
        since: "5.0.0",
        complexity: "O(log N + M) for the M entries listed; O(N) over consumers for the summary.",
        summary: "Shows a consumer group's pending entries: a summary, or a filtered list.",
        history: &[("6.2.0", "The IDLE filter and exclusive ranges arrived.")],
        args: &[Arg::key("key", 0), Arg::new("group", ArgKind::String), Arg::block("filters", &[Arg::new("min-idle-time", ArgKind::Integer).token("IDLE").since("6.2.0").optional(), Arg::new("start", ArgKind::String), Arg::new("end", ArgKind::String), Arg::new("count", ArgKind::Integer), Arg::new("consumer", ArgKind::String).optional()]).optional()],
        body: Body::Run(xpending),
        ..BASE
    },
    Spec {
        name: "xclaim",
        arity: -6,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@stream", "@fast"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "stream",
        since: "5.0.0",
        complexity: "O(log N) per ID.",
        summary: "Transfers pending entries to another consumer, optionally only those idle long enough.",
        args: &[Arg::key("key", 0), Arg::new("group", ArgKind::String), Arg::new("consumer", ArgKind::String), Arg::new("min-idle-time", ArgKind::String), Arg::new("id", ArgKind::String).multiple(), Arg::new("ms", ArgKind::Integer).token("IDLE").optional(), Arg::new("unix-time-milliseconds", ArgKind::UnixTime).token("TIME").optional(), Arg::new("count", ArgKind::Integer).token("RETRYCOUNT").optional(), Arg::pure_token("force", "FORCE").optional(), Arg::pure_token("justid", "JUSTID").optional(), Arg::new("id", ArgKind::String).token("LASTID").optional()],
        body: Body::Run(xclaim),
        ..BASE
    },
    Spec {
        name: "xautoclaim",
        arity: -6,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@stream", "@fast"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "stream",
        since: "6.2.0",
        complexity: "O(1) per call; O(N) to walk the whole pending list.",
        summary: "Walks a group's pending list from an ID and claims entries idle long enough for a consumer.",
        history: &[("7.0.0", "The reply also lists pending IDs whose entries were deleted, and those are dropped from the list.")],
        args: &[Arg::key("key", 0), Arg::new("group", ArgKind::String), Arg::new("consumer", ArgKind::String), Arg::new("min-idle-time", ArgKind::String), Arg::new("start", ArgKind::String), Arg::new("count", ArgKind::Integer).token("COUNT").optional(), Arg::pure_token("justid", "JUSTID").optional()],
        body: Body::Run(xautoclaim),
        ..BASE
    },
];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "create",
        arity: -5,
        flags: &["write", "denyoom"],
        keys: (2, 2, 1),
        acl: &["@write", "@stream", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Creates a consumer group starting after an ID (`$`: the stream's last ID), optionally creating the stream.",
        history: &[("7.0.0", "ENTRIESREAD sets the group's read counter.")],
        args: &[Arg::key("key", 0), Arg::new("groupname", ArgKind::String), Arg::one_of("id", &[Arg::new("id", ArgKind::String), Arg::pure_token("new_id", "$")]), Arg::pure_token("mkstream", "MKSTREAM").optional(), Arg::new("entries_read", ArgKind::Integer).token("ENTRIESREAD").optional()],
        body: Body::Run(xgroup_create),
        ..BASE
    },
    Spec {
        name: "setid",
        arity: -5,
        flags: &["write"],
        keys: (2, 2, 1),
        acl: &["@write", "@stream", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RW", "update"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Moves a consumer group's last delivered ID.",
        history: &[("7.0.0", "ENTRIESREAD sets the group's read counter.")],
        args: &[Arg::key("key", 0), Arg::new("groupname", ArgKind::String), Arg::one_of("id", &[Arg::new("id", ArgKind::String), Arg::pure_token("new_id", "$")]), Arg::new("entries_read", ArgKind::Integer).token("ENTRIESREAD").optional()],
        body: Body::Run(xgroup_setid),
        ..BASE
    },
    Spec {
        name: "destroy",
        arity: 4,
        flags: &["write"],
        keys: (2, 2, 1),
        acl: &["@write", "@stream", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        complexity: "O(N) for the N pending entries of the group.",
        summary: "Deletes a consumer group with its consumers and pending entries.",
        args: &[Arg::key("key", 0), Arg::new("groupname", ArgKind::String)],
        body: Body::Run(xgroup_destroy),
        ..BASE
    },
    Spec {
        name: "createconsumer",
        arity: 5,
        flags: &["write", "denyoom"],
        keys: (2, 2, 1),
        acl: &["@write", "@stream", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "stream",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Adds a consumer to a group; 0 if it already exists.",
        args: &[Arg::key("key", 0), Arg::new("groupname", ArgKind::String), Arg::new("consumername", ArgKind::String)],
        body: Body::Run(xgroup_createconsumer),
        ..BASE
    },
    Spec {
        name: "delconsumer",
        arity: 5,
        flags: &["write"],
        keys: (2, 2, 1),
        acl: &["@write", "@stream", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RW", "delete"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        complexity: "O(N) for the N pending entries of the consumer.",
        summary: "Removes a consumer from a group, dropping its pending entries; replies how many it had.",
        args: &[Arg::key("key", 0), Arg::new("groupname", ArgKind::String), Arg::new("consumername", ArgKind::String)],
        body: Body::Run(xgroup_delconsumer),
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
        summary: "Lists the XGROUP subcommands.",
        body: Body::Run(xgroup_help),
        ..BASE
    },
];

fn err(text: &str) -> CmdError {
    CmdError::Other(format!("ERR {text}"))
}

fn no_group(key: &[u8], group: &[u8]) -> CmdError {
    CmdError::Other(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        String::from_utf8_lossy(key),
        String::from_utf8_lossy(group)
    ))
}

/// ENTRIESREAD's value: a count, or -1 for "unknown".
fn parse_entries_read(raw: &[u8]) -> Result<Option<u64>, CmdError> {
    match int_arg(raw)? {
        -1 => Ok(None),
        n => u64::try_from(n)
            .map(Some)
            .map_err(|_| err("value for ENTRIESREAD must be positive or -1")),
    }
}

/// The stream an XGROUP subcommand works on: it must exist (CREATE with
/// MKSTREAM aside), and for most subcommands so must the group.
fn group_target<'a>(
    ctx: &'a mut Ctx<'_>,
    argv: &[&[u8]],
    needs_group: bool,
) -> Result<&'a mut Stream, CmdError> {
    let (key, group) = (arg(argv, 2), arg(argv, 3));
    let stream = super::write::<Stream>(ctx, key)?.ok_or_else(|| {
        err("The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
    })?;
    if needs_group && !stream.groups.contains_key(group) {
        return Err(CmdError::Other(format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            String::from_utf8_lossy(group),
            String::from_utf8_lossy(key)
        )));
    }
    Ok(stream)
}

fn xgroup_create(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut mkstream = false;
    let mut entries_read = None;
    let mut i = 5;
    while let Some(&opt) = argv.get(i) {
        if is_opt(opt, "MKSTREAM") {
            mkstream = true;
            i += 1;
        } else if is_opt(opt, "ENTRIESREAD") && i + 1 < argv.len() {
            entries_read = parse_entries_read(arg(argv, i + 1))?;
            i += 2;
        } else {
            return Err(subcommand_syntax(argv));
        }
    }
    let key = arg(argv, 2);
    let now = ctx.now();
    let exists = super::write::<Stream>(ctx, key)?.is_some();
    if !exists && !mkstream {
        group_target(ctx, argv, false)?;
    }
    if argv.len() > 8 {
        return Err(subcommand_syntax(argv));
    }
    let id_arg = arg(argv, 4);
    let last_id = super::again::<Stream>(ctx, key)?.map_or(StreamId::ZERO, |s| s.last_id);
    let id = if id_arg == b"$" {
        last_id
    } else {
        parse_strict_id(id_arg)?
    };
    if !exists {
        ctx.db()
            .insert(key.to_vec(), Value::Stream(Box::default()), None, now);
        ctx.signal_modified(key);
    }
    let Some(stream) = super::again::<Stream>(ctx, key)? else {
        return Ok(Reply::Nil);
    };
    let name = arg(argv, 3);
    if stream.groups.contains_key(name) {
        return Err(CmdError::Other(
            "BUSYGROUP Consumer Group name already exists".to_string(),
        ));
    }
    stream
        .groups
        .insert(name.to_vec(), Group::new(id, entries_read));
    // Group changes are published but, as in Redis, do not touch WATCH.
    ctx.notify(class::STREAM, "xgroup-create", key);
    Ok(Reply::ok())
}

fn xgroup_setid(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let entries_read = match argv.len() {
        5 => None,
        7 if is_opt(arg(argv, 5), "ENTRIESREAD") => parse_entries_read(arg(argv, 6))?,
        _ => return Err(subcommand_syntax(argv)),
    };
    let stream = group_target(ctx, argv, true)?;
    let id = match arg(argv, 4) {
        b"$" => stream.last_id,
        raw => parse_id_with(raw, 0, false, false)?.id,
    };
    if let Some(group) = stream.groups.get_mut(arg(argv, 3)) {
        group.last_id = id;
        group.entries_read = entries_read;
    }
    ctx.notify(class::STREAM, "xgroup-setid", arg(argv, 2));
    Ok(Reply::ok())
}

fn xgroup_destroy(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let stream = group_target(ctx, argv, false)?;
    let removed = stream.groups.remove(arg(argv, 3)).is_some();
    if removed {
        ctx.notify(class::STREAM, "xgroup-destroy", arg(argv, 2));
    }
    Ok(Reply::Int(i64::from(removed)))
}

fn xgroup_createconsumer(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let stream = group_target(ctx, argv, true)?;
    let created = stream
        .groups
        .get_mut(arg(argv, 3))
        .is_some_and(|g| g.consumer_or_create(arg(argv, 4), now).1);
    if created {
        consumer_created(ctx, arg(argv, 2));
    }
    Ok(Reply::Int(i64::from(created)))
}

fn xgroup_delconsumer(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let stream = group_target(ctx, argv, true)?;
    let Some(group) = stream.groups.get_mut(arg(argv, 3)) else {
        return Ok(Reply::Int(0));
    };
    let Some(consumer) = group.consumers.remove(arg(argv, 4)) else {
        return Ok(Reply::Int(0));
    };
    for id in &consumer.pending {
        group.pending.remove(id);
    }
    ctx.notify(class::STREAM, "xgroup-delconsumer", arg(argv, 2));
    Ok(int_reply(consumer.pending.len()))
}

/// A command made a consumer in a group of the stream at `key` (XGROUP
/// CREATECONSUMER, or implicitly XREADGROUP, XCLAIM and XAUTOCLAIM).
pub(crate) fn consumer_created(ctx: &mut Ctx<'_>, key: &[u8]) {
    ctx.notify(class::STREAM, "xgroup-createconsumer", key);
}

fn xgroup_help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [MKSTREAM] [ENTRIESREAD <n>]",
        "    Makes a group that will deliver the entries after <id> ($: the last one).",
        "    MKSTREAM creates an empty stream when the key is missing.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD <n>]",
        "    Moves the group's last delivered ID.",
        "DESTROY <key> <groupname>",
        "    Deletes the group, its consumers and its pending entries.",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Adds a consumer to the group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Removes a consumer and its pending entries from the group.",
        "HELP",
        "    Prints this help.",
    ]))
}

/// The stream and group a command names; NOGROUP when either is missing.
fn stream_and_group<'a>(
    ctx: &'a mut Ctx<'_>,
    key: &[u8],
    group: &[u8],
) -> Result<&'a mut Stream, CmdError> {
    let now = ctx.now();
    let stream = match ctx.db().read(key, now) {
        Some(Value::Stream(s)) => s,
        Some(_) => return Err(CmdError::WrongType),
        None => return Err(no_group(key, group)),
    };
    if !stream.groups.contains_key(group) {
        return Err(no_group(key, group));
    }
    Ok(stream)
}

fn xack(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let ids = argv
        .iter()
        .skip(3)
        .map(|raw| parse_strict_id(raw))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(stream) = super::write::<Stream>(ctx, arg(argv, 1))? else {
        return Ok(Reply::Int(0));
    };
    let Some(group) = stream.groups.get_mut(arg(argv, 2)) else {
        return Ok(Reply::Int(0));
    };
    Ok(int_reply(
        ids.into_iter().filter(|&id| group.acknowledge(id)).count(),
    ))
}

fn xpending(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    if argv.len() != 3 && !(6..=9).contains(&argv.len()) {
        return Err(CmdError::Syntax);
    }
    let mut range = None;
    if argv.len() >= 6 {
        let mut at = 3;
        let mut min_idle = 0;
        if is_opt(arg(argv, 3), "IDLE") {
            min_idle = int_arg(arg(argv, 4))?;
            if argv.len() < 8 {
                return Err(CmdError::Syntax);
            }
            at += 2;
        }
        let count = int_arg(arg(argv, at + 2))?.max(0);
        let start = parse_bound(arg(argv, at), false)?;
        let end = parse_bound(arg(argv, at + 1), true)?;
        let consumer = argv.get(at + 3).copied();
        range = Some((
            start,
            end,
            usize::try_from(count).unwrap_or(usize::MAX),
            min_idle,
            consumer,
        ));
    }
    let now = ctx.now();
    let stream = stream_and_group(ctx, arg(argv, 1), arg(argv, 2))?;
    let Some(group) = stream.groups.get(arg(argv, 2)) else {
        return Ok(Reply::Nil);
    };
    let Some((start, end, count, min_idle, consumer)) = range else {
        return Ok(pending_summary(group));
    };
    let ids: Box<dyn Iterator<Item = StreamId>> = match consumer {
        Some(name) => match group.consumers.get(name) {
            Some(c) => Box::new(bounded(&c.pending, start, end)),
            None => return Ok(Reply::Array(Vec::new())),
        },
        None => Box::new(
            (start <= end)
                .then(|| group.pending.range(start..=end).map(|(&id, _)| id))
                .into_iter()
                .flatten(),
        ),
    };
    let mut items = Vec::new();
    for id in ids {
        if items.len() >= count {
            break;
        }
        let Some(p) = group.pending.get(&id) else {
            continue;
        };
        let idle = now.saturating_sub(p.delivery_time);
        if min_idle != 0 && idle < min_idle {
            continue;
        }
        items.push(Reply::Array(vec![
            Reply::Bulk(id.to_bytes()),
            Reply::bulk(&p.consumer),
            Reply::Int(idle.max(0)),
            Reply::Int(i64::try_from(p.delivery_count).unwrap_or(i64::MAX)),
        ]));
    }
    Ok(Reply::Array(items))
}

/// The IDs of a consumer's pending set within `start..=end`.
fn bounded(
    set: &std::collections::BTreeSet<StreamId>,
    start: StreamId,
    end: StreamId,
) -> impl Iterator<Item = StreamId> + '_ {
    (start <= end)
        .then(|| set.range(start..=end).copied())
        .into_iter()
        .flatten()
}

/// XPENDING's summary: count, lowest and highest IDs, and per consumer.
fn pending_summary(group: &Group) -> Reply {
    let (Some((first, _)), Some((last, _))) = (
        group.pending.first_key_value(),
        group.pending.last_key_value(),
    ) else {
        return Reply::Array(vec![Reply::Int(0), Reply::Nil, Reply::Nil, Reply::NilArray]);
    };
    let consumers = group
        .consumers
        .iter()
        .filter(|(_, c)| !c.pending.is_empty())
        .map(|(name, c)| {
            Reply::Array(vec![
                Reply::bulk(name),
                Reply::Bulk(c.pending.len().to_string().into_bytes()),
            ])
        })
        .collect();
    Reply::Array(vec![
        int_reply(group.pending.len()),
        Reply::Bulk(first.to_bytes()),
        Reply::Bulk(last.to_bytes()),
        Reply::Array(consumers),
    ])
}

/// XCLAIM's options after the IDs.
struct ClaimOptions {
    force: bool,
    just_id: bool,
    /// When the entries count as last delivered (unix ms).
    delivery_time: Option<i64>,
    retry_count: Option<u64>,
    last_id: StreamId,
}

fn parse_claim_options(argv: &[&[u8]], from: usize, now: i64) -> Result<ClaimOptions, CmdError> {
    let mut opts = ClaimOptions {
        force: false,
        just_id: false,
        delivery_time: None,
        retry_count: None,
        last_id: StreamId::ZERO,
    };
    let number = |raw: &[u8], what: &str| {
        crate::number::parse_i64(raw)
            .ok_or_else(|| err(&format!("Invalid {what} option argument for XCLAIM")))
    };
    let mut j = from;
    while let Some(&opt) = argv.get(j) {
        let value = argv.get(j + 1).copied();
        match value {
            _ if is_opt(opt, "FORCE") => opts.force = true,
            _ if is_opt(opt, "JUSTID") => opts.just_id = true,
            Some(v) if is_opt(opt, "IDLE") => {
                opts.delivery_time = Some(now.saturating_sub(number(v, "IDLE")?));
                j += 1;
            }
            Some(v) if is_opt(opt, "TIME") => {
                opts.delivery_time = Some(number(v, "TIME")?);
                j += 1;
            }
            Some(v) if is_opt(opt, "RETRYCOUNT") => {
                // A negative count means "not given", as in Redis.
                opts.retry_count = u64::try_from(number(v, "RETRYCOUNT")?).ok();
                j += 1;
            }
            Some(v) if is_opt(opt, "LASTID") => {
                opts.last_id = parse_strict_id(v)?;
                j += 1;
            }
            _ => {
                return Err(err(&format!(
                    "Unrecognized XCLAIM option '{}'",
                    String::from_utf8_lossy(opt)
                )))
            }
        }
        j += 1;
    }
    Ok(opts)
}

/// Makes `consumer` own pending entry `id` as a claim does: delivery time,
/// count (set, bumped, or kept for JUSTID), and the consumer's activity.
fn claim_one(
    group: &mut Group,
    id: StreamId,
    consumer: &[u8],
    delivery_time: i64,
    retry_count: Option<u64>,
    just_id: bool,
    now: i64,
) {
    group.reassign(id, consumer);
    if let Some(p) = group.pending.get_mut(&id) {
        p.delivery_time = delivery_time;
        match retry_count {
            Some(n) => p.delivery_count = n,
            None if !just_id => p.delivery_count += 1,
            None => {}
        }
    }
    if let Some(c) = group.consumers.get_mut(consumer) {
        c.active_time = Some(now);
    }
}

/// A claimed entry in a reply: its ID alone (JUSTID) or the whole entry.
fn claimed_reply(stream: &Stream, id: StreamId, just_id: bool) -> Reply {
    match stream.get(id) {
        Some(fields) if !just_id => entry_reply(id, fields),
        _ => Reply::Bulk(id.to_bytes()),
    }
}

fn xclaim(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (key, group_name, consumer) = (arg(argv, 1), arg(argv, 2), arg(argv, 3));
    let now = ctx.now();
    let stream = stream_and_group(ctx, key, group_name)?;
    let min_idle = crate::number::parse_i64(arg(argv, 4))
        .ok_or_else(|| err("Invalid min-idle-time argument for XCLAIM"))?
        .max(0);
    // The IDs run until the first argument that is not one.
    let ids: Vec<StreamId> = argv
        .iter()
        .skip(5)
        .map_while(|raw| parse_strict_id(raw).ok())
        .collect();
    let opts = parse_claim_options(argv, 5 + ids.len(), now)?;
    let delivery_time = match opts.delivery_time {
        Some(t) if (0..=now).contains(&t) => t,
        _ => now,
    };
    let exists: Vec<bool> = ids.iter().map(|&id| stream.get(id).is_some()).collect();
    let Some(group) = stream.groups.get_mut(group_name) else {
        return Ok(Reply::Array(Vec::new()));
    };
    if opts.last_id > group.last_id {
        group.last_id = opts.last_id;
    }
    let (owner, created) = group.consumer_or_create(consumer, now);
    owner.seen_time = now;
    let mut claimed = Vec::new();
    for (id, exists) in ids.into_iter().zip(exists) {
        if !exists {
            // A pending entry whose stream entry is gone is dropped.
            group.acknowledge(id);
            continue;
        }
        match group.pending.get(&id) {
            None if opts.force => {
                // FORCE makes a pending entry for an entry nobody had.
                group.pending.insert(
                    id,
                    Pending {
                        consumer: consumer.to_vec(),
                        delivery_time: now,
                        delivery_count: 1,
                    },
                );
            }
            None => continue,
            Some(p) if min_idle != 0 && now.saturating_sub(p.delivery_time) < min_idle => continue,
            Some(_) => {}
        }
        claim_one(
            group,
            id,
            consumer,
            delivery_time,
            opts.retry_count,
            opts.just_id,
            now,
        );
        claimed.push(id);
    }
    let items = claimed
        .into_iter()
        .map(|id| claimed_reply(stream, id, opts.just_id))
        .collect();
    if created {
        consumer_created(ctx, key);
    }
    Ok(Reply::Array(items))
}

fn xautoclaim(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (key, group_name, consumer) = (arg(argv, 1), arg(argv, 2), arg(argv, 3));
    let min_idle = crate::number::parse_i64(arg(argv, 4))
        .ok_or_else(|| err("Invalid min-idle-time argument for XAUTOCLAIM"))?
        .max(0);
    let start = parse_bound(arg(argv, 5), false)?;
    let mut count: usize = 100;
    let mut just_id = false;
    let mut j = 6;
    while let Some(&opt) = argv.get(j) {
        match argv.get(j + 1) {
            Some(&value) if is_opt(opt, "COUNT") => {
                // Redis caps COUNT so that ten times it still fits.
                let max = i64::MAX / 16;
                count = match crate::number::parse_i64(value) {
                    Some(n) if (1..=max).contains(&n) => usize::try_from(n).unwrap_or(usize::MAX),
                    _ => return Err(err("COUNT must be > 0")),
                };
                j += 2;
            }
            _ if is_opt(opt, "JUSTID") => {
                just_id = true;
                j += 1;
            }
            _ => return Err(CmdError::Syntax),
        }
    }
    let now = ctx.now();
    let stream = stream_and_group(ctx, key, group_name)?;
    // Redis gives up after looking at ten times COUNT pending entries.
    let mut attempts = count.saturating_mul(10);
    let live: std::collections::BTreeSet<StreamId> = {
        let Some(group) = stream.groups.get(group_name) else {
            return Ok(Reply::Nil);
        };
        group
            .pending
            .range(start..)
            .take(attempts)
            .map(|(&id, _)| id)
            .filter(|&id| stream.get(id).is_some())
            .collect()
    };
    let Some(group) = stream.groups.get_mut(group_name) else {
        return Ok(Reply::Nil);
    };
    let (owner, created) = group.consumer_or_create(consumer, now);
    owner.seen_time = now;
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut from = Some(start);
    while let Some(position) = from {
        if attempts == 0 || count == 0 {
            break;
        }
        attempts -= 1;
        let Some((&id, p)) = group.pending.range(position..).next() else {
            from = None;
            break;
        };
        from = id.next();
        if !live.contains(&id) {
            group.acknowledge(id);
            deleted.push(id);
            count -= 1;
            continue;
        }
        if min_idle != 0 && now.saturating_sub(p.delivery_time) < min_idle {
            continue;
        }
        claim_one(group, id, consumer, now, None, just_id, now);
        claimed.push(id);
        count -= 1;
    }
    let cursor = from
        .and_then(|position| group.pending.range(position..).next().map(|(&id, _)| id))
        .unwrap_or(StreamId::ZERO);
    let items = claimed
        .into_iter()
        .map(|id| claimed_reply(stream, id, just_id))
        .collect();
    if created {
        consumer_created(ctx, key);
    }
    Ok(Reply::Array(vec![
        Reply::Bulk(cursor.to_bytes()),
        Reply::Array(items),
        Reply::Array(
            deleted
                .into_iter()
                .map(|id| Reply::Bulk(id.to_bytes()))
                .collect(),
        ),
    ]))
}
