//! List commands: LPUSH, RPUSH, LLEN, LRANGE. The rest of the list family
//! arrives with the collections work.

use std::collections::VecDeque;

use super::{int_arg, one_key, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;
use crate::types::Value;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "lpush",
        arity: -3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@fast"],
        key_specs: &[one_key(None, &["RW", "insert"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(1) per element pushed.",
        summary: "Pushes elements onto the head of a list, creating it if needed; answers the new length.",
        history: &[("2.4.0", "Several elements may be given.")],
        args: &[Arg::key("key", 0), Arg::new("element", ArgKind::String).multiple()],
        body: Body::Run(lpush),
        ..BASE
    },
    Spec {
        name: "rpush",
        arity: -3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@fast"],
        key_specs: &[one_key(None, &["RW", "insert"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(1) per element pushed.",
        summary: "Pushes elements onto the tail of a list, creating it if needed; answers the new length.",
        history: &[("2.4.0", "Several elements may be given.")],
        args: &[Arg::key("key", 0), Arg::new("element", ArgKind::String).multiple()],
        body: Body::Run(rpush),
        ..BASE
    },
    Spec {
        name: "llen",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@list", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Answers the number of elements in a list (0 for a missing key).",
        args: &[Arg::key("key", 0)],
        body: Body::Run(llen),
        ..BASE
    },
    Spec {
        name: "lrange",
        arity: 4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@list", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(S+N): S to reach the start offset, N elements returned.",
        summary: "Returns the elements between two indexes, inclusive; negative indexes count from the tail.",
        args: &[
            Arg::key("key", 0),
            Arg::new("start", ArgKind::Integer),
            Arg::new("stop", ArgKind::Integer),
        ],
        body: Body::Run(lrange),
        ..BASE
    },
];

#[derive(Clone, Copy)]
enum End {
    Head,
    Tail,
}

fn push(ctx: &mut Ctx<'_>, argv: &[&[u8]], end: End) -> Result<Reply, CmdError> {
    let key = argv.get(1).copied().unwrap_or_default();
    let elements = argv.get(2..).unwrap_or_default();
    let now = ctx.now();
    let db = ctx.db();
    let Some(Value::List(list)) = db.get_or_insert(key, now, || Value::List(VecDeque::new()))
    else {
        return Err(CmdError::WrongType);
    };
    for element in elements {
        match end {
            End::Head => list.push_front(element.to_vec()),
            End::Tail => list.push_back(element.to_vec()),
        }
    }
    Ok(Reply::Int(i64::try_from(list.len()).unwrap_or(i64::MAX)))
}

fn lpush(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    push(ctx, argv, End::Head)
}

fn rpush(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    push(ctx, argv, End::Tail)
}

fn llen(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = argv.get(1).copied().unwrap_or_default();
    let now = ctx.now();
    match ctx.db().read(key, now) {
        Some(Value::List(list)) => Ok(Reply::Int(i64::try_from(list.len()).unwrap_or(i64::MAX))),
        Some(_) => Err(CmdError::WrongType),
        None => Ok(Reply::Int(0)),
    }
}

fn lrange(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = argv.get(1).copied().unwrap_or_default();
    let start = int_arg(argv.get(2).copied().unwrap_or_default())?;
    let stop = int_arg(argv.get(3).copied().unwrap_or_default())?;
    let now = ctx.now();
    let list = match ctx.db().read(key, now) {
        Some(Value::List(list)) => list,
        Some(_) => return Err(CmdError::WrongType),
        None => return Ok(Reply::Array(Vec::new())),
    };
    let len = i64::try_from(list.len()).unwrap_or(i64::MAX);
    // Negative indexes count from the tail; the range is then clamped.
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let stop = if stop < 0 { len + stop } else { stop }.min(len - 1);
    if start > stop || start >= len {
        return Ok(Reply::Array(Vec::new()));
    }
    let (start, stop) = (
        usize::try_from(start).unwrap_or(0),
        usize::try_from(stop).unwrap_or(0),
    );
    Ok(Reply::Array(
        list.range(start..=stop).map(|e| Reply::bulk(e)).collect(),
    ))
}
