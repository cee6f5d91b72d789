//! Stream commands that work on entries: XADD, XLEN, XRANGE, XREVRANGE,
//! XDEL, XTRIM, XSETID, plus the ID parsing and entry replies every stream
//! command shares. Reading (XREAD/XREADGROUP), consumer groups and XINFO
//! live in their own files.

use super::{arg, int_arg, is_opt, one_key, write, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::number::parse_i64;
use crate::reply::Reply;
use crate::types::stream::{NodeLimits, Stream, StreamId, Trim};
use crate::types::Value;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "xadd",
        arity: -5,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@stream", "@fast"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(
            Some("UPDATE instead of INSERT because of the optional trimming feature"),
            &["RW", "update"],
        )],
        group: "stream",
        since: "5.0.0",
        complexity: "O(1) to add; trimming costs O(N) in the entries removed.",
        summary:
            "Appends an entry to a stream, creating it unless NOMKSTREAM, and optionally trims it.",
        history: &[
            ("6.2.0", "NOMKSTREAM, MINID trimming and LIMIT arrived."),
            (
                "7.0.0",
                "Explicit IDs may leave the sequence to the server as `<ms>-*`.",
            ),
        ],
        args: &[
            Arg::key("key", 0),
            Arg::pure_token("nomkstream", "NOMKSTREAM")
                .since("6.2.0")
                .optional(),
            Arg::block(
                "trim",
                &[
                    Arg::one_of(
                        "strategy",
                        &[
                            Arg::pure_token("maxlen", "MAXLEN"),
                            Arg::pure_token("minid", "MINID").since("6.2.0"),
                        ],
                    ),
                    Arg::one_of(
                        "operator",
                        &[
                            Arg::pure_token("equal", "="),
                            Arg::pure_token("approximately", "~"),
                        ],
                    )
                    .optional(),
                    Arg::new("threshold", ArgKind::String),
                    Arg::new("count", ArgKind::Integer)
                        .token("LIMIT")
                        .since("6.2.0")
                        .optional(),
                ],
            )
            .optional(),
            Arg::one_of(
                "id_or_auto",
                &[
                    Arg::pure_token("auto_id", "*"),
                    Arg::new("id", ArgKind::String),
                ],
            ),
            Arg::block(
                "field_value",
                &[
                    Arg::new("field", ArgKind::String),
                    Arg::new("value", ArgKind::String),
                ],
            )
            .multiple(),
        ],
        body: Body::Run(xadd),
        ..BASE
    },
    Spec {
        name: "xlen",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@stream", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "stream",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Counts the entries of a stream.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(xlen),
        ..BASE
    },
    Spec {
        name: "xrange",
        arity: -4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@stream", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "stream",
        since: "5.0.0",
        complexity: "O(log N + M) for the M entries returned.",
        summary: "Lists a stream's entries between two IDs, oldest first.",
        history: &[("6.2.0", "Exclusive ranges with a `(` prefix arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::new("start", ArgKind::String),
            Arg::new("end", ArgKind::String),
            Arg::new("count", ArgKind::Integer)
                .token("COUNT")
                .optional(),
        ],
        body: Body::Run(xrange),
        ..BASE
    },
    Spec {
        name: "xrevrange",
        arity: -4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@stream", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "stream",
        since: "5.0.0",
        complexity: "O(log N + M) for the M entries returned.",
        summary: "Lists a stream's entries between two IDs, newest first.",
        history: &[("6.2.0", "Exclusive ranges with a `(` prefix arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::new("end", ArgKind::String),
            Arg::new("start", ArgKind::String),
            Arg::new("count", ArgKind::Integer)
                .token("COUNT")
                .optional(),
        ],
        body: Body::Run(xrevrange),
        ..BASE
    },
    Spec {
        name: "xdel",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@stream", "@fast"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "stream",
        since: "5.0.0",
        complexity: "O(log N) per ID.",
        summary: "Deletes entries from a stream by ID and counts those that existed.",
        args: &[
            Arg::key("key", 0),
            Arg::new("id", ArgKind::String).multiple(),
        ],
        body: Body::Run(xdel),
        ..BASE
    },
    Spec {
        name: "xtrim",
        arity: -4,
        flags: &["write"],
        keys: (1, 1, 1),
        acl: &["@write", "@stream", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "stream",
        since: "5.0.0",
        complexity: "O(N) in the entries removed.",
        summary: "Shortens a stream to a length or drops entries below an ID.",
        history: &[("6.2.0", "MINID trimming and LIMIT arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::block(
                "trim",
                &[
                    Arg::one_of(
                        "strategy",
                        &[
                            Arg::pure_token("maxlen", "MAXLEN"),
                            Arg::pure_token("minid", "MINID").since("6.2.0"),
                        ],
                    ),
                    Arg::one_of(
                        "operator",
                        &[
                            Arg::pure_token("equal", "="),
                            Arg::pure_token("approximately", "~"),
                        ],
                    )
                    .optional(),
                    Arg::new("threshold", ArgKind::String),
                    Arg::new("count", ArgKind::Integer)
                        .token("LIMIT")
                        .since("6.2.0")
                        .optional(),
                ],
            ),
        ],
        body: Body::Run(xtrim),
        ..BASE
    },
    Spec {
        name: "xsetid",
        arity: -3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@stream", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "stream",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Sets a stream's last ID, and its added-entries and deleted-ID counters.",
        history: &[("7.0.0", "ENTRIESADDED and MAXDELETEDID arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::new("last-id", ArgKind::String),
            Arg::new("entries_added", ArgKind::Integer)
                .token("ENTRIESADDED")
                .since("7.0.0")
                .optional(),
            Arg::new("max_deleted_entry_id", ArgKind::String)
                .token("MAXDELETEDID")
                .since("7.0.0")
                .optional(),
        ],
        body: Body::Run(xsetid),
        ..BASE
    },
];

pub(crate) fn invalid_id() -> CmdError {
    CmdError::Other("ERR Invalid stream ID specified as stream command argument".to_string())
}

/// C's `strtoull` as Redis's `string2ull` falls back to it: blanks, a sign
/// (a minus wraps), digits to the end, no overflow. Plain integers that
/// `string2ll` takes are tried first and must not be negative.
fn parse_u64(raw: &[u8]) -> Option<u64> {
    if let Some(n) = parse_i64(raw) {
        return u64::try_from(n).ok();
    }
    let start = raw
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let rest = raw.get(start..)?;
    let (negative, digits) = match rest.split_first() {
        Some((b'-', d)) => (true, d),
        Some((b'+', d)) => (false, d),
        _ => (false, rest),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: u64 = 0;
    for d in digits {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// What an ID argument said, before it becomes an ID.
pub(crate) struct ParsedId {
    pub id: StreamId,
    /// False for the `<ms>-*` form (XADD picks the sequence).
    pub seq_given: bool,
}

/// An ID as Redis reads one: `-` and `+` (unless `strict`), `<ms>` (the
/// sequence is `missing_seq`), `<ms>-<seq>`, and with `allow_auto_seq`
/// `<ms>-*`.
pub(crate) fn parse_id_with(
    raw: &[u8],
    missing_seq: u64,
    strict: bool,
    allow_auto_seq: bool,
) -> Result<ParsedId, CmdError> {
    let given = |id| ParsedId {
        id,
        seq_given: true,
    };
    if raw.len() > 127 {
        return Err(invalid_id());
    }
    match raw {
        b"-" if !strict => return Ok(given(StreamId::ZERO)),
        b"+" if !strict => return Ok(given(StreamId::MAX)),
        b"-" | b"+" => return Err(invalid_id()),
        _ => {}
    }
    let (ms_part, seq_part) = match raw.iter().position(|&b| b == b'-') {
        Some(dash) => (raw.get(..dash).unwrap_or_default(), raw.get(dash + 1..)),
        None => (raw, None),
    };
    let ms = parse_u64(ms_part).ok_or_else(invalid_id)?;
    match seq_part {
        None => Ok(given(StreamId::new(ms, missing_seq))),
        Some(b"*") if allow_auto_seq => Ok(ParsedId {
            id: StreamId::new(ms, 0),
            seq_given: false,
        }),
        Some(seq) => Ok(given(StreamId::new(
            ms,
            parse_u64(seq).ok_or_else(invalid_id)?,
        ))),
    }
}

/// An exact ID (no `-`/`+`), as XADD, XGROUP CREATE, XACK, XCLAIM take.
pub(crate) fn parse_strict_id(raw: &[u8]) -> Result<StreamId, CmdError> {
    parse_id_with(raw, 0, true, false).map(|p| p.id)
}

/// A range bound: `-`, `+`, an ID, or `(ID` for an exclusive bound (made
/// inclusive here by stepping it; `end` steps down).
pub(crate) fn parse_bound(raw: &[u8], end: bool) -> Result<StreamId, CmdError> {
    let missing_seq = if end { u64::MAX } else { 0 };
    match raw.split_first() {
        Some((b'(', rest)) if raw.len() > 1 => {
            // After `(` only a real ID will do, not `-` or `+`.
            let id = parse_id_with(rest, missing_seq, true, false)?.id;
            let stepped = if end { id.prev() } else { id.next() };
            stepped.ok_or_else(|| {
                CmdError::Other(format!(
                    "ERR invalid {} ID for the interval",
                    if end { "end" } else { "start" }
                ))
            })
        }
        _ => Ok(parse_id_with(raw, missing_seq, false, false)?.id),
    }
}

/// `[id, [field, value, ...]]`, the shape of an entry in every reply.
pub(crate) fn entry_reply(id: StreamId, fields: &[Vec<u8>]) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(id.to_bytes()),
        Reply::Array(fields.iter().map(|f| Reply::bulk(f)).collect()),
    ])
}

/// The node sizes the configuration asks for.
pub(crate) fn node_limits(ctx: &Ctx<'_>) -> NodeLimits {
    NodeLimits {
        max_bytes: ctx.server.limits.stream_node_max_bytes,
        max_entries: ctx.server.limits.stream_node_max_entries,
    }
}

/// XADD's and XTRIM's options, parsed in Redis's order.
struct TrimArgs {
    trim: Option<Trim>,
    approx: bool,
    limit: u64,
    no_mkstream: bool,
    /// XADD only: where the ID argument is, and what it said.
    id_at: usize,
    id: Option<ParsedId>,
}

fn trim_error(text: &str) -> CmdError {
    CmdError::Other(format!("ERR {text}"))
}

fn parse_trim_args(ctx: &Ctx<'_>, argv: &[&[u8]], xadd: bool) -> Result<TrimArgs, CmdError> {
    let mut args = TrimArgs {
        trim: None,
        approx: false,
        limit: 0,
        no_mkstream: false,
        id_at: argv.len(),
        id: None,
    };
    let mut limit_given = false;
    let mut i = 2;
    while let Some(&opt) = argv.get(i) {
        let more = argv.len() - 1 - i;
        if xadd && opt == b"*" {
            args.id_at = i;
            break;
        }
        let maxlen = is_opt(opt, "MAXLEN");
        if (maxlen || is_opt(opt, "MINID")) && more > 0 {
            if args.trim.is_some() {
                return Err(trim_error(
                    "syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            args.approx = false;
            match argv.get(i + 1) {
                Some(&b"~") if more >= 2 => {
                    args.approx = true;
                    i += 1;
                }
                Some(&b"=") if more >= 2 => i += 1,
                _ => {}
            }
            let threshold = arg(argv, i + 1);
            args.trim = Some(if maxlen {
                let n = int_arg(threshold)?;
                let n = u64::try_from(n)
                    .map_err(|_| trim_error("The MAXLEN argument must be >= 0."))?;
                Trim::MaxLen(n)
            } else {
                Trim::MinId(parse_strict_id(threshold)?)
            });
            i += 2;
        } else if is_opt(opt, "LIMIT") && more > 0 {
            let n = int_arg(arg(argv, i + 1))?;
            args.limit =
                u64::try_from(n).map_err(|_| trim_error("The LIMIT argument must be >= 0."))?;
            limit_given = true;
            i += 2;
        } else if xadd && is_opt(opt, "NOMKSTREAM") {
            args.no_mkstream = true;
            i += 1;
        } else if xadd {
            args.id = Some(parse_id_with(opt, 0, true, true)?);
            args.id_at = i;
            break;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    if args.limit > 0 && args.trim.is_none() {
        return Err(trim_error(
            "syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && args.trim.is_none() {
        return Err(trim_error(
            "syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    if limit_given {
        if !args.approx {
            return Err(trim_error(
                "syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if args.approx {
        // Approximate trimming does at most this much work by default.
        let per_node = ctx.server.limits.stream_node_max_entries;
        args.limit = match per_node.saturating_mul(100) {
            0 => 10_000,
            n => n.min(10_000),
        };
    }
    Ok(args)
}

fn xadd(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let args = parse_trim_args(ctx, argv, true)?;
    let fields = argv.get(args.id_at + 1..).unwrap_or_default();
    if fields.len() < 2 || fields.len() % 2 == 1 {
        return Err(CmdError::WrongArity("xadd".to_string()));
    }
    if let Some(ParsedId {
        id: StreamId::ZERO,
        seq_given: true,
    }) = args.id
    {
        return Err(trim_error(
            "The ID specified in XADD must be greater than 0-0",
        ));
    }
    let key = arg(argv, 1);
    let now = ctx.now();
    let limits = node_limits(ctx);
    let db = ctx.db();
    match db.get(key, now) {
        Some(Value::Stream(_)) => {}
        Some(_) => return Err(CmdError::WrongType),
        None if args.no_mkstream => return Ok(Reply::Nil),
        None => db.insert(key.to_vec(), Value::Stream(Box::default()), None, now),
    }
    let Some(Value::Stream(stream)) = db.again(key) else {
        return Ok(Reply::Nil);
    };
    if stream.last_id == StreamId::MAX {
        return Err(trim_error(
            "The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let too_small = || {
        trim_error("The ID specified in XADD is equal or smaller than the target stream top item")
    };
    let id = match &args.id {
        None => stream
            .next_auto_id(u64::try_from(now).unwrap_or(0))
            .ok_or_else(too_small)?,
        Some(ParsedId {
            id,
            seq_given: false,
        }) if id.ms == stream.last_id.ms => stream.last_id.next().ok_or_else(too_small)?,
        Some(parsed) => parsed.id,
    };
    if id <= stream.last_id {
        return Err(too_small());
    }
    stream.append(id, fields.iter().map(|f| f.to_vec()).collect(), limits);
    let trimmed = args
        .trim
        .is_some_and(|trim| stream.trim(trim, args.approx, args.limit) > 0);
    ctx.modified(class::STREAM, "xadd", key);
    if trimmed {
        ctx.notify(class::STREAM, "xtrim", key);
    }
    Ok(Reply::Bulk(id.to_bytes()))
}

fn xtrim(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let args = parse_trim_args(ctx, argv, false)?;
    let key = arg(argv, 1);
    let Some(stream) = write::<Stream>(ctx, key)? else {
        return Ok(Reply::Int(0));
    };
    let removed = args
        .trim
        .map_or(0, |trim| stream.trim(trim, args.approx, args.limit));
    if removed > 0 {
        ctx.modified(class::STREAM, "xtrim", key);
    }
    Ok(Reply::Int(i64::try_from(removed).unwrap_or(i64::MAX)))
}

fn xlen(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(super::int_reply(
        super::read::<Stream>(ctx, arg(argv, 1))?.map_or(0, |s| s.len()),
    ))
}

/// XRANGE and XREVRANGE: bounds (exclusive with `(`), then COUNT.
fn range_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], rev: bool) -> Result<Reply, CmdError> {
    let (start_arg, end_arg) = if rev {
        (arg(argv, 3), arg(argv, 2))
    } else {
        (arg(argv, 2), arg(argv, 3))
    };
    let start = parse_bound(start_arg, false)?;
    let end = parse_bound(end_arg, true)?;
    let mut count: Option<usize> = None;
    let mut j = 4;
    while let Some(&opt) = argv.get(j) {
        match argv.get(j + 1) {
            Some(&value) if is_opt(opt, "COUNT") => {
                count = Some(usize::try_from(int_arg(value)?.max(0)).unwrap_or(usize::MAX));
                j += 2;
            }
            _ => return Err(CmdError::Syntax),
        }
    }
    let Some(stream) = super::read::<Stream>(ctx, arg(argv, 1))? else {
        return Ok(Reply::Array(Vec::new()));
    };
    if count == Some(0) {
        return Ok(Reply::NilArray);
    }
    let limit = count.unwrap_or(usize::MAX);
    let entries = stream.range(start, end);
    let items: Vec<Reply> = if rev {
        entries
            .rev()
            .take(limit)
            .map(|(&id, f)| entry_reply(id, f))
            .collect()
    } else {
        entries
            .take(limit)
            .map(|(&id, f)| entry_reply(id, f))
            .collect()
    };
    Ok(Reply::Array(items))
}

fn xrange(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    range_generic(ctx, argv, false)
}

fn xrevrange(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    range_generic(ctx, argv, true)
}

fn xdel(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    // Every ID is checked before anything is deleted.
    let ids = argv
        .iter()
        .skip(2)
        .map(|raw| parse_strict_id(raw))
        .collect::<Result<Vec<_>, _>>()?;
    let key = arg(argv, 1);
    let Some(stream) = write::<Stream>(ctx, key)? else {
        return Ok(Reply::Int(0));
    };
    // An emptied stream stays: streams are not deleted with their last entry.
    let deleted = ids.into_iter().filter(|&id| stream.delete(id)).count();
    if deleted > 0 {
        ctx.modified(class::STREAM, "xdel", key);
    }
    Ok(super::int_reply(deleted))
}

fn xsetid(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let id = parse_strict_id(arg(argv, 2))?;
    let mut entries_added: Option<u64> = None;
    let mut max_deleted: Option<StreamId> = None;
    let mut i = 3;
    while let Some(&opt) = argv.get(i) {
        match argv.get(i + 1) {
            Some(&value) if is_opt(opt, "ENTRIESADDED") => {
                let n = int_arg(value)?;
                entries_added = Some(
                    u64::try_from(n).map_err(|_| trim_error("entries_added must be positive"))?,
                );
            }
            Some(&value) if is_opt(opt, "MAXDELETEDID") => {
                let m = parse_strict_id(value)?;
                if id < m {
                    return Err(trim_error(
                        "The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                    ));
                }
                max_deleted = Some(m);
            }
            _ => return Err(CmdError::Syntax),
        }
        i += 2;
    }
    let Some(stream) = write::<Stream>(ctx, arg(argv, 1))? else {
        return Err(trim_error("no such key"));
    };
    if id < stream.max_deleted_id {
        return Err(trim_error(
            "The ID specified in XSETID is smaller than current max_deleted_entry_id",
        ));
    }
    if let Some((&top, _)) = stream.last_entry() {
        if id < top {
            return Err(trim_error(
                "The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added.is_some_and(|n| (stream.len() as u64) > n) {
            return Err(trim_error(
                "The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    stream.set_last_id(id, entries_added, max_deleted.filter(|m| !m.is_zero()));
    ctx.modified(class::STREAM, "xsetid", arg(argv, 1));
    Ok(Reply::ok())
}
