//! The blocking list and sorted-set pops: BLPOP, BRPOP, BLMOVE,
//! BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP. Each tries its
//! non-blocking twin on the first key with data; with none, it blocks the
//! client (see `crate::blocking`), or inside EXEC answers as a timeout.

use super::{arg, is_opt, one_key, Arg, ArgKind, BeginSearch, Body, FindKeys, KeySpec, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::long_double::LongDouble;
use crate::reply::Reply;
use crate::types::Value;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "blpop",
        arity: -3,
        flags: &["write", "noscript", "blocking"],
        keys: (1, -2, 1),
        acl: &["@write", "@list", "@slow", "@blocking"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RW", "access", "delete"],
            begin: BeginSearch::Index(1),
            find: FindKeys::Range {
                last_key: -2,
                key_step: 1,
                limit: 0,
            },
        }],
        group: "list",
        since: "2.0.0",
        complexity: "O(N) for the N keys.",
        summary:
            "Pops the first element of the first non-empty list, waiting for one if all are empty.",
        history: &[("6.0.0", "The timeout may be fractional.")],
        args: &[
            Arg::key("key", 0).multiple(),
            Arg::new("timeout", ArgKind::Double),
        ],
        body: Body::Run(blpop),
        ..BASE
    },
    Spec {
        name: "brpop",
        arity: -3,
        flags: &["write", "noscript", "blocking"],
        keys: (1, -2, 1),
        acl: &["@write", "@list", "@slow", "@blocking"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RW", "access", "delete"],
            begin: BeginSearch::Index(1),
            find: FindKeys::Range {
                last_key: -2,
                key_step: 1,
                limit: 0,
            },
        }],
        group: "list",
        since: "2.0.0",
        complexity: "O(N) for the N keys.",
        summary:
            "Pops the last element of the first non-empty list, waiting for one if all are empty.",
        history: &[("6.0.0", "The timeout may be fractional.")],
        args: &[
            Arg::key("key", 0).multiple(),
            Arg::new("timeout", ArgKind::Double),
        ],
        body: Body::Run(brpop),
        ..BASE
    },
    Spec {
        name: "blmove",
        arity: 6,
        flags: &["write", "denyoom", "noscript", "blocking"],
        keys: (1, 2, 1),
        acl: &["@write", "@list", "@slow", "@blocking"],
        key_specs: &[
            one_key(None, &["RW", "access", "delete"]),
            KeySpec {
                notes: None,
                flags: &["RW", "insert"],
                begin: BeginSearch::Index(2),
                find: FindKeys::Range {
                    last_key: 0,
                    key_step: 1,
                    limit: 0,
                },
            },
        ],
        group: "list",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Moves an element between lists like LMOVE, waiting for the source to have one.",
        args: &[
            Arg::key("source", 0),
            Arg::key("destination", 1),
            Arg::one_of(
                "wherefrom",
                &[
                    Arg::pure_token("left", "LEFT"),
                    Arg::pure_token("right", "RIGHT"),
                ],
            ),
            Arg::one_of(
                "whereto",
                &[
                    Arg::pure_token("left", "LEFT"),
                    Arg::pure_token("right", "RIGHT"),
                ],
            ),
            Arg::new("timeout", ArgKind::Double),
        ],
        body: Body::Run(blmove),
        ..BASE
    },
    Spec {
        name: "brpoplpush",
        arity: 4,
        flags: &["write", "denyoom", "noscript", "blocking"],
        keys: (1, 2, 1),
        acl: &["@write", "@list", "@slow", "@blocking"],
        key_specs: &[
            one_key(None, &["RW", "access", "delete"]),
            KeySpec {
                notes: None,
                flags: &["RW", "insert"],
                begin: BeginSearch::Index(2),
                find: FindKeys::Range {
                    last_key: 0,
                    key_step: 1,
                    limit: 0,
                },
            },
        ],
        group: "list",
        since: "2.2.0",
        complexity: "O(1)",
        summary: "Moves the last element of a list to the head of another, waiting for one.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`BLMOVE source destination RIGHT LEFT timeout`"),
        history: &[("6.0.0", "The timeout may be fractional.")],
        args: &[
            Arg::key("source", 0),
            Arg::key("destination", 1),
            Arg::new("timeout", ArgKind::Double),
        ],
        body: Body::Run(brpoplpush),
        ..BASE
    },
    Spec {
        name: "blmpop",
        arity: -5,
        flags: &["write", "blocking", "movablekeys"],
        acl: &["@write", "@list", "@slow", "@blocking"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RW", "access", "delete"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Keynum {
                keynum_idx: 0,
                first_key: 1,
                key_step: 1,
            },
        }],
        group: "list",
        since: "7.0.0",
        complexity: "O(N+M) for N keys and M popped elements.",
        summary:
            "Pops elements from the first non-empty list like LMPOP, waiting if all are empty.",
        args: &[
            Arg::new("timeout", ArgKind::Double),
            Arg::new("numkeys", ArgKind::Integer),
            Arg::key("key", 0).multiple(),
            Arg::one_of(
                "where",
                &[
                    Arg::pure_token("left", "LEFT"),
                    Arg::pure_token("right", "RIGHT"),
                ],
            ),
            Arg::new("count", ArgKind::Integer)
                .token("COUNT")
                .optional(),
        ],
        body: Body::Run(blmpop),
        ..BASE
    },
    Spec {
        name: "bzpopmin",
        arity: -3,
        flags: &["write", "noscript", "blocking", "fast"],
        keys: (1, -2, 1),
        acl: &["@write", "@sortedset", "@fast", "@blocking"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RW", "access", "delete"],
            begin: BeginSearch::Index(1),
            find: FindKeys::Range {
                last_key: -2,
                key_step: 1,
                limit: 0,
            },
        }],
        group: "sorted-set",
        since: "5.0.0",
        complexity: "O(log N) for N members.",
        summary:
            "Pops the lowest-scored member of the first non-empty sorted set, waiting for one.",
        history: &[("6.0.0", "The timeout may be fractional.")],
        args: &[
            Arg::key("key", 0).multiple(),
            Arg::new("timeout", ArgKind::Double),
        ],
        body: Body::Run(bzpopmin),
        ..BASE
    },
    Spec {
        name: "bzpopmax",
        arity: -3,
        flags: &["write", "noscript", "blocking", "fast"],
        keys: (1, -2, 1),
        acl: &["@write", "@sortedset", "@fast", "@blocking"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RW", "access", "delete"],
            begin: BeginSearch::Index(1),
            find: FindKeys::Range {
                last_key: -2,
                key_step: 1,
                limit: 0,
            },
        }],
        group: "sorted-set",
        since: "5.0.0",
        complexity: "O(log N) for N members.",
        summary:
            "Pops the highest-scored member of the first non-empty sorted set, waiting for one.",
        history: &[("6.0.0", "The timeout may be fractional.")],
        args: &[
            Arg::key("key", 0).multiple(),
            Arg::new("timeout", ArgKind::Double),
        ],
        body: Body::Run(bzpopmax),
        ..BASE
    },
    Spec {
        name: "bzmpop",
        arity: -5,
        flags: &["write", "blocking", "movablekeys"],
        acl: &["@write", "@sortedset", "@slow", "@blocking"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RW", "access", "delete"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Keynum {
                keynum_idx: 0,
                first_key: 1,
                key_step: 1,
            },
        }],
        group: "sorted-set",
        since: "7.0.0",
        complexity: "O(K + M log N) for K keys and M popped members.",
        summary:
            "Pops members from the first non-empty sorted set like ZMPOP, waiting if all are empty.",
        args: &[
            Arg::new("timeout", ArgKind::Double),
            Arg::new("numkeys", ArgKind::Integer),
            Arg::key("key", 0).multiple(),
            Arg::one_of(
                "where",
                &[Arg::pure_token("min", "MIN"), Arg::pure_token("max", "MAX")],
            ),
            Arg::new("count", ArgKind::Integer)
                .token("COUNT")
                .optional(),
        ],
        body: Body::Run(bzmpop),
        ..BASE
    },
];

/// A timeout in seconds as Redis reads one (a long double), in ms; 0 waits
/// forever. Huge values wrap negative in C's conversion, as here.
pub(crate) fn parse_timeout_seconds(raw: &[u8]) -> Result<i64, CmdError> {
    let seconds = LongDouble::parse(raw)
        .filter(|v| !v.to_f64().is_nan())
        .ok_or_else(|| CmdError::Other("ERR timeout is not a float or out of range".to_string()))?;
    let ms = seconds.to_f64() * 1000.0;
    // C's (long long) conversion gives LLONG_MIN for anything out of range.
    let ms = if ms.is_finite() && ms.abs() < i64::MAX as f64 {
        ms.trunc() as i64
    } else {
        i64::MIN
    };
    if ms < 0 {
        return Err(CmdError::Other("ERR timeout is negative".to_string()));
    }
    Ok(ms)
}

/// The type a blocking command waits for.
#[derive(Clone, Copy, PartialEq)]
enum Wants {
    List,
    ZSet,
}

/// The first of `keys` holding a non-empty value of the wanted type;
/// WRONGTYPE for a key of another type met on the way.
fn first_with_data<'k>(
    ctx: &mut Ctx<'_>,
    keys: &[&'k [u8]],
    wants: Wants,
) -> Result<Option<&'k [u8]>, CmdError> {
    let now = ctx.now();
    for &key in keys {
        match (ctx.db().get(key, now), wants) {
            (None, _) => continue,
            (Some(Value::List(l)), Wants::List) if !l.is_empty() => return Ok(Some(key)),
            (Some(Value::ZSet(z)), Wants::ZSet) if !z.is_empty() => return Ok(Some(key)),
            (Some(Value::List(_)), Wants::List) | (Some(Value::ZSet(_)), Wants::ZSet) => continue,
            (Some(_), _) => return Err(CmdError::WrongType),
        }
    }
    Ok(None)
}

/// Runs another command's handler directly (no statistics, no checks):
/// a blocking command that finds data does exactly what its twin does.
fn run_twin(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let name = argv.first().copied().unwrap_or_default();
    match ctx.table.get(name).map(|spec| &spec.body) {
        Some(Body::Run(handler)) => handler(ctx, argv),
        _ => Err(CmdError::Other("ERR unknown command".to_string())),
    }
}

/// No data anywhere: block, or inside EXEC reply as a timeout would.
fn wait_or_time_out(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    keys: &[&[u8]],
    timeout_ms: i64,
    timeout_reply: Reply,
) -> Reply {
    if !ctx.can_block() {
        return timeout_reply;
    }
    let retry = argv.iter().map(|a| a.to_vec()).collect();
    ctx.block(keys, timeout_ms, retry, timeout_reply);
    Reply::Frames(Vec::new())
}

/// BLPOP/BRPOP and BZPOPMIN/BZPOPMAX: keys then a timeout; the reply
/// names the key the element came from.
fn pop_first(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    wants: Wants,
    twin: &[u8],
) -> Result<Reply, CmdError> {
    let (timeout_arg, keys) = match argv.split_last() {
        Some((t, rest)) => (*t, rest.get(1..).unwrap_or_default()),
        None => return Err(CmdError::Syntax),
    };
    let timeout = parse_timeout_seconds(timeout_arg)?;
    let Some(key) = first_with_data(ctx, keys, wants)? else {
        return Ok(wait_or_time_out(ctx, argv, keys, timeout, Reply::NilArray));
    };
    let popped = run_twin(ctx, &[twin, key])?;
    let mut items = vec![Reply::bulk(key)];
    match popped {
        Reply::Array(parts) => items.extend(parts),
        other => items.push(other),
    }
    Ok(Reply::Array(items))
}

fn blpop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    pop_first(ctx, argv, Wants::List, b"lpop")
}

fn brpop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    pop_first(ctx, argv, Wants::List, b"rpop")
}

fn bzpopmin(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    pop_first(ctx, argv, Wants::ZSet, b"zpopmin")
}

fn bzpopmax(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    pop_first(ctx, argv, Wants::ZSet, b"zpopmax")
}

/// BLMOVE and BRPOPLPUSH: LMOVE once the source has an element.
fn move_blocking(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    lmove_argv: &[&[u8]],
    timeout_arg: &[u8],
) -> Result<Reply, CmdError> {
    let timeout = parse_timeout_seconds(timeout_arg)?;
    let source = arg(argv, 1);
    if first_with_data(ctx, &[source], Wants::List)?.is_none() {
        // The destination's type is checked before waiting, as in Redis.
        let now = ctx.now();
        if matches!(ctx.db().get(arg(argv, 2), now), Some(v) if !matches!(v, Value::List(_))) {
            return Err(CmdError::WrongType);
        }
        return Ok(wait_or_time_out(ctx, argv, &[source], timeout, Reply::Nil));
    }
    run_twin(ctx, lmove_argv)
}

fn blmove(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    for side in [arg(argv, 3), arg(argv, 4)] {
        if !is_opt(side, "LEFT") && !is_opt(side, "RIGHT") {
            return Err(CmdError::Syntax);
        }
    }
    let lmove = [
        b"lmove".as_slice(),
        arg(argv, 1),
        arg(argv, 2),
        arg(argv, 3),
        arg(argv, 4),
    ];
    move_blocking(ctx, argv, &lmove, arg(argv, 5))
}

fn brpoplpush(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let lmove = [
        b"lmove".as_slice(),
        arg(argv, 1),
        arg(argv, 2),
        b"RIGHT",
        b"LEFT",
    ];
    move_blocking(ctx, argv, &lmove, arg(argv, 3))
}

/// BLMPOP/BZMPOP: `timeout numkeys key... WHERE [COUNT n]`, the
/// non-blocking form with a timeout in front.
fn multi_pop(ctx: &mut Ctx<'_>, argv: &[&[u8]], twin: &[u8]) -> Result<Reply, CmdError> {
    let timeout = parse_timeout_seconds(arg(argv, 1))?;
    let mut twin_argv: Vec<&[u8]> = vec![twin];
    twin_argv.extend(argv.iter().skip(2));
    // The twin validates everything and answers nil when all are empty.
    let reply = run_twin(ctx, &twin_argv)?;
    if reply != Reply::NilArray {
        return Ok(reply);
    }
    let numkeys = crate::number::parse_i64(arg(argv, 2))
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let keys = argv.get(3..3 + numkeys).unwrap_or_default();
    Ok(wait_or_time_out(ctx, argv, keys, timeout, Reply::NilArray))
}

fn blmpop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    multi_pop(ctx, argv, b"lmpop")
}

fn bzmpop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    multi_pop(ctx, argv, b"zmpop")
}
