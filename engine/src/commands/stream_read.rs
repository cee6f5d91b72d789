//! Reading streams: XREAD (entries after given IDs) and XREADGROUP (new
//! entries for a consumer group, recorded as pending, or a consumer's own
//! pending history). With BLOCK, a read that finds nothing blocks the
//! client until an entry arrives (see `crate::blocking`).

use super::stream::{entry_reply, invalid_id, parse_strict_id};
use super::{arg, int_arg, is_opt, Arg, ArgKind, BeginSearch, Body, FindKeys, KeySpec, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::types::stream::{Pending, StreamId};
use crate::types::Value;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "xread",
        arity: -4,
        flags: &["readonly", "blocking", "movablekeys"],
        acl: &["@read", "@stream", "@slow", "@blocking"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Keyword { keyword: "STREAMS", start_from: 1 }, find: FindKeys::Range { last_key: -1, key_step: 1, limit: 2 } }],
        group: "stream",
        since: "5.0.0",
        complexity: "O(log N + M) per stream for the M entries returned.",
        summary: "Reads entries newer than given IDs from one or more streams, optionally waiting for them.",
        args: &[Arg::new("count", ArgKind::Integer).token("COUNT").optional(), Arg::new("milliseconds", ArgKind::Integer).token("BLOCK").optional(), Arg::block("streams", &[Arg::key("key", 0).multiple(), Arg::new("id", ArgKind::String).multiple()]).token("STREAMS")],
        body: Body::Run(xread),
        ..BASE
    },
    Spec {
        name: "xreadgroup",
        arity: -7,
        flags: &["write", "blocking", "movablekeys"],
        acl: &["@write", "@stream", "@slow", "@blocking"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Keyword { keyword: "STREAMS", start_from: 4 }, find: FindKeys::Range { last_key: -1, key_step: 1, limit: 2 } }],
        group: "stream",
        since: "5.0.0",
        complexity: "O(log N + M) per stream for the M entries returned; O(M) for history.",
        summary: "Reads entries for a consumer of a group: new ones with `>` (recording them as pending), or its own pending history.",
        args: &[Arg::block("group_consumer", &[Arg::new("group", ArgKind::String), Arg::new("consumer", ArgKind::String)]).token("GROUP"), Arg::new("count", ArgKind::Integer).token("COUNT").optional(), Arg::new("milliseconds", ArgKind::Integer).token("BLOCK").optional(), Arg::pure_token("noack", "NOACK").optional(), Arg::block("streams", &[Arg::key("key", 0).multiple(), Arg::new("id", ArgKind::String).multiple()]).token("STREAMS")],
        body: Body::Run(xreadgroup),
        ..BASE
    },
];

/// What one STREAMS entry asks for.
#[derive(Clone, Copy)]
enum Wanted {
    /// Entries with IDs above this one.
    After(StreamId),
    /// XREADGROUP's `>`: entries the group has not seen yet.
    New,
}

/// The parsed options of XREAD / XREADGROUP.
struct ReadArgs<'a> {
    count: usize,
    /// BLOCK's timeout in ms (0: forever).
    block: Option<i64>,
    group: Option<(&'a [u8], &'a [u8])>,
    noack: bool,
    keys: &'a [&'a [u8]],
    ids: &'a [&'a [u8]],
}

fn parse_read_args<'a>(argv: &'a [&'a [u8]], group_mode: bool) -> Result<ReadArgs<'a>, CmdError> {
    let name = if group_mode { "xreadgroup" } else { "xread" };
    let mut args = ReadArgs {
        count: 0,
        block: None,
        group: None,
        noack: false,
        keys: &[],
        ids: &[],
    };
    let mut streams_at = None;
    let mut i = 1;
    while let Some(&opt) = argv.get(i) {
        let more = argv.len() - 1 - i;
        if is_opt(opt, "BLOCK") && more > 0 {
            let ms = int_arg(arg(argv, i + 1)).map_err(|_| {
                CmdError::Other("ERR timeout is not an integer or out of range".to_string())
            })?;
            if ms < 0 {
                return Err(CmdError::Other("ERR timeout is negative".to_string()));
            }
            args.block = Some(ms);
            i += 2;
        } else if is_opt(opt, "COUNT") && more > 0 {
            args.count = usize::try_from(int_arg(arg(argv, i + 1))?.max(0)).unwrap_or(usize::MAX);
            i += 2;
        } else if is_opt(opt, "STREAMS") && more > 0 {
            let rest = argv.get(i + 1..).unwrap_or_default();
            if rest.len() % 2 != 0 {
                let symbol = if group_mode { '>' } else { '$' };
                return Err(CmdError::Other(format!(
                    "ERR Unbalanced '{name}' list of streams: for each stream key an ID or '{symbol}' must be specified."
                )));
            }
            streams_at = Some(i + 1);
            break;
        } else if is_opt(opt, "GROUP") && more >= 2 {
            if !group_mode {
                return Err(CmdError::Other(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
                        .to_string(),
                ));
            }
            args.group = Some((arg(argv, i + 1), arg(argv, i + 2)));
            i += 3;
        } else if is_opt(opt, "NOACK") {
            if !group_mode {
                return Err(CmdError::Other(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
                        .to_string(),
                ));
            }
            args.noack = true;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let Some(at) = streams_at else {
        return Err(CmdError::Syntax);
    };
    if group_mode && args.group.is_none() {
        return Err(CmdError::Other(
            "ERR Missing GROUP option for XREADGROUP".to_string(),
        ));
    }
    let rest = argv.get(at..).unwrap_or_default();
    let (keys, ids) = rest.split_at(rest.len() / 2);
    args.keys = keys;
    args.ids = ids;
    Ok(args)
}

/// Resolves each STREAMS ID (`$`, `+`, `>`, or an ID), checking types and
/// groups in Redis's order.
fn resolve_ids(ctx: &mut Ctx<'_>, args: &ReadArgs<'_>) -> Result<Vec<Wanted>, CmdError> {
    let now = ctx.now();
    let mut wanted = Vec::with_capacity(args.keys.len());
    for (&key, &raw) in args.keys.iter().zip(args.ids) {
        let stream = match ctx.db().read(key, now) {
            Some(Value::Stream(s)) => Some(s),
            Some(_) => return Err(CmdError::WrongType),
            None => None,
        };
        if let Some((group, _)) = args.group {
            if !stream
                .as_ref()
                .is_some_and(|s| s.groups.contains_key(group))
            {
                return Err(CmdError::Other(format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    String::from_utf8_lossy(key),
                    String::from_utf8_lossy(group)
                )));
            }
        }
        let last_id = stream.as_ref().map_or(StreamId::ZERO, |s| s.last_id);
        let entry = match raw {
            b"$" | b"+" if args.group.is_some() => {
                return Err(CmdError::Other(format!(
                    "ERR The {} ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The {} ID would just return an empty result set.",
                    String::from_utf8_lossy(raw),
                    String::from_utf8_lossy(raw)
                )));
            }
            b"$" => Wanted::After(last_id),
            // The last ID itself: everything after the one before it.
            b"+" => Wanted::After(last_id.prev().unwrap_or(StreamId::ZERO)),
            b">" if args.group.is_none() => {
                return Err(CmdError::Other(
                    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
                        .to_string(),
                ));
            }
            b">" => Wanted::New,
            _ => Wanted::After(parse_strict_id(raw).map_err(|_| invalid_id())?),
        };
        wanted.push(entry);
    }
    Ok(wanted)
}

fn read_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], group_mode: bool) -> Result<Reply, CmdError> {
    let args = parse_read_args(argv, group_mode)?;
    if args.block.is_some() && ctx.client.runs_scripts {
        // Where no command blocks, Redis refuses BLOCK outright rather
        // than answer as if it timed out.
        return Err(CmdError::Other(format!(
            "ERR {} command is not allowed with BLOCK option from scripts",
            String::from_utf8_lossy(argv.first().copied().unwrap_or_default())
        )));
    }
    let wanted = resolve_ids(ctx, &args)?;
    let resolved = wanted.clone();
    let now = ctx.now();
    let limit = if args.count == 0 {
        usize::MAX
    } else {
        args.count
    };
    let mut served: Vec<(Reply, Reply)> = Vec::new();
    for (&key, want) in args.keys.iter().zip(wanted) {
        if let Some((group, consumer)) = args.group {
            // The consumer is made before anything is read, found or not.
            let made = match ctx.db().get(key, now) {
                Some(Value::Stream(s)) => s
                    .groups
                    .get_mut(group)
                    .is_some_and(|g| g.consumer_or_create(consumer, now).1),
                _ => false,
            };
            if made {
                super::stream_group::consumer_created(ctx, key);
            }
        }
        let Some(Value::Stream(stream)) = ctx.db().read(key, now) else {
            continue;
        };
        let entries = match (args.group, want) {
            (None, Wanted::After(after)) => {
                let newer = stream.last_entry().is_some_and(|(&last, _)| last > after);
                let Some(start) = after.next().filter(|_| newer) else {
                    continue;
                };
                stream
                    .range(start, StreamId::MAX)
                    .take(limit)
                    .map(|(&id, f)| entry_reply(id, f))
                    .collect()
            }
            (Some((group, consumer)), Wanted::After(after)) => {
                // A consumer's own pending history, deleted entries as nil.
                let Some(g) = stream.groups.get_mut(group) else {
                    continue;
                };
                g.consumer_or_create(consumer, now).0.seen_time = now;
                let ids: Vec<StreamId> = match after.next() {
                    Some(start) => g
                        .consumers
                        .get(consumer)
                        .map(|c| c.pending.range(start..).take(limit).copied().collect())
                        .unwrap_or_default(),
                    None => Vec::new(),
                };
                let mut items = Vec::with_capacity(ids.len());
                for id in ids {
                    match stream.get(id) {
                        Some(fields) => {
                            items.push(entry_reply(id, fields));
                            if let Some(p) = stream
                                .groups
                                .get_mut(group)
                                .and_then(|g| g.pending.get_mut(&id))
                            {
                                p.delivery_time = now;
                                p.delivery_count += 1;
                            }
                        }
                        None => items.push(Reply::Array(vec![
                            Reply::Bulk(id.to_bytes()),
                            Reply::NilArray,
                        ])),
                    }
                }
                items
            }
            (Some((group, consumer)), Wanted::New) => {
                let Some(g) = stream.groups.get_mut(group) else {
                    continue;
                };
                g.consumer_or_create(consumer, now).0.seen_time = now;
                let after = g.last_id;
                let newer = stream.last_entry().is_some_and(|(&last, _)| last > after);
                let Some(start) = after.next().filter(|_| newer) else {
                    continue;
                };
                let batch: Vec<(StreamId, Vec<Vec<u8>>)> = stream
                    .range(start, StreamId::MAX)
                    .take(limit)
                    .map(|(&id, f)| (id, f.clone()))
                    .collect();
                let mut items = Vec::with_capacity(batch.len());
                for (id, fields) in batch {
                    stream.advance_group(group, id);
                    if !args.noack {
                        deliver(stream.groups.get_mut(group), id, consumer, now);
                    }
                    items.push(entry_reply(id, &fields));
                }
                items
            }
            (None, Wanted::New) => continue,
        };
        served.push((Reply::bulk(key), Reply::Array(entries)));
    }
    if served.is_empty() {
        return Ok(match args.block {
            Some(timeout) if ctx.can_block() => {
                let retry = retry_argv(argv, &args, &resolved);
                ctx.block(args.keys, timeout, retry, Reply::NilArray);
                Reply::Frames(Vec::new())
            }
            _ => Reply::NilArray,
        });
    }
    Ok(match ctx.client.proto {
        Protocol::Resp3 => Reply::Map(served),
        Protocol::Resp2 => Reply::Array(
            served
                .into_iter()
                .map(|(k, v)| Reply::Array(vec![k, v]))
                .collect(),
        ),
    })
}

/// Records entry `id` as delivered to `consumer`: a new pending entry, or
/// one taken over from whoever had it (the group's last ID may have been
/// moved back).
fn deliver(
    group: Option<&mut crate::types::stream::Group>,
    id: StreamId,
    consumer: &[u8],
    now: i64,
) {
    let Some(group) = group else {
        return;
    };
    let previous = group.pending.insert(
        id,
        Pending {
            consumer: consumer.to_vec(),
            delivery_time: now,
            delivery_count: 1,
        },
    );
    if let Some(previous) = previous.filter(|p| p.consumer != consumer) {
        if let Some(old) = group.consumers.get_mut(&previous.consumer) {
            old.pending.remove(&id);
        }
    }
    if let Some(c) = group.consumers.get_mut(consumer) {
        c.pending.insert(id);
        c.active_time = Some(now);
    }
}

/// The command to retry when a blocked read wakes: the same, with `$`
/// and `+` replaced by the IDs they meant when the client blocked.
fn retry_argv(argv: &[&[u8]], args: &ReadArgs<'_>, wanted: &[Wanted]) -> Vec<Vec<u8>> {
    let ids_from = argv.len() - args.ids.len();
    argv.iter()
        .enumerate()
        .map(
            |(i, raw)| match i.checked_sub(ids_from).and_then(|j| wanted.get(j)) {
                Some(Wanted::After(id)) if matches!(*raw, b"$" | b"+") => id.to_bytes(),
                _ => raw.to_vec(),
            },
        )
        .collect()
}

fn xread(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    read_generic(ctx, argv, false)
}

fn xreadgroup(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    read_generic(ctx, argv, true)
}
