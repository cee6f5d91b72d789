//! List commands (the blocking ones come with the clients work): pushes and
//! pops at both ends, indexed reads and writes, LINSERT, LPOS, LREM, LTRIM,
//! LMOVE/RPOPLPUSH and LMPOP. A list that becomes empty is deleted at once.

use super::{
    again, arg, int_arg, int_reply, is_opt, one_key, parse_multi_pop, read, removed, write, Arg,
    ArgKind, BeginSearch, Body, FindKeys, KeySpec, MultiPop, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;
use crate::types::list::{End, List};
use crate::types::{EncodingLimits, Value};

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
        name: "lpushx",
        arity: -3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@fast"],
        key_specs: &[one_key(None, &["RW", "insert"])],
        group: "list",
        since: "2.2.0",
        complexity: "O(1) per element pushed.",
        summary: "Pushes elements onto the head of a list only if the list exists.",
        history: &[("4.0.0", "Several elements may be given.")],
        args: &[Arg::key("key", 0), Arg::new("element", ArgKind::String).multiple()],
        body: Body::Run(lpushx),
        ..BASE
    },
    Spec {
        name: "rpushx",
        arity: -3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@fast"],
        key_specs: &[one_key(None, &["RW", "insert"])],
        group: "list",
        since: "2.2.0",
        complexity: "O(1) per element pushed.",
        summary: "Pushes elements onto the tail of a list only if the list exists.",
        history: &[("4.0.0", "Several elements may be given.")],
        args: &[Arg::key("key", 0), Arg::new("element", ArgKind::String).multiple()],
        body: Body::Run(rpushx),
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
    Spec {
        name: "lindex",
        arity: 3,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@list", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(N) to walk to the index; O(1) for the first or last element.",
        summary: "Returns the element at an index of a list; negative indexes count from the tail.",
        args: &[Arg::key("key", 0), Arg::new("index", ArgKind::Integer)],
        body: Body::Run(lindex),
        ..BASE
    },
    Spec {
        name: "lset",
        arity: 4,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@slow"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(N) to walk to the index; O(1) at either end.",
        summary: "Replaces the element at an index of a list.",
        args: &[Arg::key("key", 0), Arg::new("index", ArgKind::Integer), Arg::new("element", ArgKind::String)],
        body: Body::Run(lset),
        ..BASE
    },
    Spec {
        name: "linsert",
        arity: 5,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@slow"],
        key_specs: &[one_key(None, &["RW", "insert"])],
        group: "list",
        since: "2.2.0",
        complexity: "O(N) to find the pivot.",
        summary: "Inserts an element before or after the first occurrence of a pivot; answers the new length, or -1 without the pivot.",
        args: &[Arg::key("key", 0), Arg::one_of("where", &[Arg::pure_token("before", "BEFORE"), Arg::pure_token("after", "AFTER")]), Arg::new("pivot", ArgKind::String), Arg::new("element", ArgKind::String)],
        body: Body::Run(linsert),
        ..BASE
    },
    Spec {
        name: "lpop",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "delete"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(N) for N elements popped.",
        summary: "Removes and returns the first element, or the first COUNT elements, of a list.",
        history: &[("6.2.0", "The COUNT argument arrived.")],
        args: &[Arg::key("key", 0), Arg::new("count", ArgKind::Integer).since("6.2.0").optional()],
        body: Body::Run(lpop),
        ..BASE
    },
    Spec {
        name: "rpop",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "delete"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(N) for N elements popped.",
        summary: "Removes and returns the last element, or the last COUNT elements, of a list.",
        history: &[("6.2.0", "The COUNT argument arrived.")],
        args: &[Arg::key("key", 0), Arg::new("count", ArgKind::Integer).since("6.2.0").optional()],
        body: Body::Run(rpop),
        ..BASE
    },
    Spec {
        name: "lpos",
        arity: -3,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@list", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "list",
        since: "6.0.6",
        complexity: "O(N) for the N elements scanned.",
        summary: "Finds the index of an element in a list: the first match, the RANK-th, or COUNT of them.",
        args: &[Arg::key("key", 0), Arg::new("element", ArgKind::String), Arg::new("rank", ArgKind::Integer).token("RANK").optional(), Arg::new("num-matches", ArgKind::Integer).token("COUNT").optional(), Arg::new("len", ArgKind::Integer).token("MAXLEN").optional()],
        body: Body::Run(lpos),
        ..BASE
    },
    Spec {
        name: "lrem",
        arity: 4,
        flags: &["write"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@slow"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(N+M): N elements scanned, M removed.",
        summary: "Removes occurrences of an element: COUNT from the head, from the tail if negative, all if 0.",
        args: &[Arg::key("key", 0), Arg::new("count", ArgKind::Integer), Arg::new("element", ArgKind::String)],
        body: Body::Run(lrem),
        ..BASE
    },
    Spec {
        name: "ltrim",
        arity: 4,
        flags: &["write"],
        keys: (1, 1, 1),
        acl: &["@write", "@list", "@slow"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "list",
        since: "1.0.0",
        complexity: "O(N) for N elements removed.",
        summary: "Keeps only the elements between two indexes of a list.",
        args: &[Arg::key("key", 0), Arg::new("start", ArgKind::Integer), Arg::new("stop", ArgKind::Integer)],
        body: Body::Run(ltrim),
        ..BASE
    },
    Spec {
        name: "lmove",
        arity: 5,
        flags: &["write", "denyoom"],
        keys: (1, 2, 1),
        acl: &["@write", "@list", "@slow"],
        key_specs: &[one_key(None, &["RW", "access", "delete"]), KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "list",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Pops an element from one end of a list and pushes it onto an end of another (or the same) list.",
        args: &[Arg::key("source", 0), Arg::key("destination", 1), Arg::one_of("wherefrom", &[Arg::pure_token("left", "LEFT"), Arg::pure_token("right", "RIGHT")]), Arg::one_of("whereto", &[Arg::pure_token("left", "LEFT"), Arg::pure_token("right", "RIGHT")])],
        body: Body::Run(lmove),
        ..BASE
    },
    Spec {
        name: "rpoplpush",
        arity: 3,
        flags: &["write", "denyoom"],
        keys: (1, 2, 1),
        acl: &["@write", "@list", "@slow"],
        key_specs: &[one_key(None, &["RW", "access", "delete"]), KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "list",
        since: "1.2.0",
        complexity: "O(1)",
        summary: "Pops the last element of a list and pushes it onto the head of another; the old form of LMOVE RIGHT LEFT.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("LMOVE with RIGHT and LEFT"),
        args: &[Arg::key("source", 0), Arg::key("destination", 1)],
        body: Body::Run(rpoplpush),
        ..BASE
    },
    Spec {
        name: "lmpop",
        arity: -4,
        flags: &["write", "movablekeys"],
        acl: &["@write", "@list", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "list",
        since: "7.0.0",
        complexity: "O(N+M): N keys tried, M elements popped.",
        summary: "Pops up to COUNT elements from one end of the first non-empty list among several keys.",
        args: &[Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 0).multiple(), Arg::one_of("where", &[Arg::pure_token("left", "LEFT"), Arg::pure_token("right", "RIGHT")]), Arg::new("count", ArgKind::Integer).token("COUNT").optional()],
        body: Body::Run(lmpop),
        ..BASE
    },
];

/// A list index from the head (negative from the tail), if it is in range.
fn resolve_index(len: usize, index: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let index = if index < 0 { len + index } else { index };
    usize::try_from(index)
        .ok()
        .filter(|&i| i64::try_from(i).is_ok_and(|i| i < len))
}

impl End {
    /// LEFT or RIGHT, with Redis's syntax error for anything else.
    fn parse(raw: &[u8]) -> Result<End, CmdError> {
        if is_opt(raw, "LEFT") {
            Ok(End::Head)
        } else if is_opt(raw, "RIGHT") {
            Ok(End::Tail)
        } else {
            Err(CmdError::Syntax)
        }
    }

    /// The keyspace event of a push at this end.
    fn push_event(self) -> &'static str {
        match self {
            End::Head => "lpush",
            End::Tail => "rpush",
        }
    }

    /// The keyspace event of a pop at this end.
    fn pop_event(self) -> &'static str {
        match self {
            End::Head => "lpop",
            End::Tail => "rpop",
        }
    }
}

/// Pops up to `n` elements, then lets the list shrink its encoding.
fn pop_many(list: &mut List, end: End, n: usize, limits: &EncodingLimits) -> Vec<Reply> {
    let popped = (0..n)
        .filter_map(|_| list.pop(end))
        .map(Reply::Bulk)
        .collect();
    list.after_removal(limits);
    popped
}

fn push(ctx: &mut Ctx<'_>, argv: &[&[u8]], end: End) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let now = ctx.now();
    let limits = ctx.server.limits;
    let Some(Value::List(list)) = ctx
        .db()
        .get_or_insert(key, now, || Value::List(Box::default()))
    else {
        return Err(CmdError::WrongType);
    };
    list.push_all(end, argv.get(2..).unwrap_or_default(), &limits);
    let len = list.len();
    ctx.modified(class::LIST, end.push_event(), key);
    Ok(int_reply(len))
}

fn lpush(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    push(ctx, argv, End::Head)
}

fn rpush(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    push(ctx, argv, End::Tail)
}

/// LPUSHX/RPUSHX: push only onto an existing list.
fn push_existing(ctx: &mut Ctx<'_>, argv: &[&[u8]], end: End) -> Result<Reply, CmdError> {
    let limits = ctx.server.limits;
    let key = arg(argv, 1);
    let Some(list) = write::<List>(ctx, key)? else {
        return Ok(Reply::Int(0));
    };
    list.push_all(end, argv.get(2..).unwrap_or_default(), &limits);
    let len = list.len();
    ctx.modified(class::LIST, end.push_event(), key);
    Ok(int_reply(len))
}

fn lpushx(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    push_existing(ctx, argv, End::Head)
}

fn rpushx(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    push_existing(ctx, argv, End::Tail)
}

fn llen(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(int_reply(
        read::<List>(ctx, arg(argv, 1))?.map_or(0, |l| l.len()),
    ))
}

fn lrange(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let start = int_arg(arg(argv, 2))?;
    let stop = int_arg(arg(argv, 3))?;
    let Some(list) = read::<List>(ctx, arg(argv, 1))? else {
        return Ok(Reply::Array(Vec::new()));
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

fn lindex(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let index = int_arg(arg(argv, 2))?;
    let Some(list) = read::<List>(ctx, arg(argv, 1))? else {
        return Ok(Reply::Nil);
    };
    Ok(resolve_index(list.len(), index)
        .and_then(|i| list.get(i))
        .map_or(Reply::Nil, |e| Reply::bulk(e)))
}

fn lset(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let index = int_arg(arg(argv, 2))?;
    let limits = ctx.server.limits;
    let Some(list) = write::<List>(ctx, arg(argv, 1))? else {
        return Err(CmdError::Other("ERR no such key".to_string()));
    };
    let replaced = resolve_index(list.len(), index)
        .is_some_and(|i| list.set(i, arg(argv, 3).to_vec(), &limits));
    if !replaced {
        return Err(CmdError::Other("ERR index out of range".to_string()));
    }
    ctx.modified(class::LIST, "lset", arg(argv, 1));
    Ok(Reply::ok())
}

fn linsert(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let after = if is_opt(arg(argv, 2), "AFTER") {
        true
    } else if is_opt(arg(argv, 2), "BEFORE") {
        false
    } else {
        return Err(CmdError::Syntax);
    };
    let (pivot, element) = (arg(argv, 3), arg(argv, 4));
    let limits = ctx.server.limits;
    let Some(list) = write::<List>(ctx, arg(argv, 1))? else {
        return Ok(Reply::Int(0));
    };
    // Redis converts before it looks for the pivot, found or not.
    list.prepare_growth(element.len(), 1, &limits);
    let Some(at) = list.iter().position(|e| e.as_slice() == pivot) else {
        return Ok(Reply::Int(-1));
    };
    list.insert(at, after, element.to_vec(), &limits);
    let len = list.len();
    ctx.modified(class::LIST, "linsert", arg(argv, 1));
    Ok(int_reply(len))
}

/// An optional non-negative count with Redis's error text for both a bad
/// number and a negative one.
fn positive(raw: &[u8], message: &str) -> Result<i64, CmdError> {
    match crate::number::parse_i64(raw) {
        Some(n) if n >= 0 => Ok(n),
        _ => Err(CmdError::Other(format!("ERR {message}"))),
    }
}

fn pop(ctx: &mut Ctx<'_>, argv: &[&[u8]], end: End) -> Result<Reply, CmdError> {
    let name = if end == End::Head { "lpop" } else { "rpop" };
    let count = match argv.len() {
        2 => None,
        3 => Some(positive(
            arg(argv, 2),
            "value is out of range, must be positive",
        )?),
        _ => return Err(CmdError::WrongArity(name.to_string())),
    };
    let key = arg(argv, 1);
    let limits = ctx.server.limits;
    let Some(list) = write::<List>(ctx, key)? else {
        return Ok(if count.is_some() {
            Reply::NilArray
        } else {
            Reply::Nil
        });
    };
    let reply = match count {
        None => pop_many(list, end, 1, &limits).pop().unwrap_or(Reply::Nil),
        // A count of 0 pops nothing, and Redis says nothing of it.
        Some(0) => return Ok(Reply::Array(Vec::new())),
        Some(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX).min(list.len());
            Reply::Array(pop_many(list, end, n, &limits))
        }
    };
    removed::<List>(ctx, class::LIST, end.pop_event(), key);
    Ok(reply)
}

fn lpop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    pop(ctx, argv, End::Head)
}

fn rpop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    pop(ctx, argv, End::Tail)
}

fn lpos(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let element = arg(argv, 2);
    let mut rank: i64 = 1;
    let mut count: Option<i64> = None;
    let mut max_len: i64 = 0;
    let mut j = 3;
    while let Some(&opt) = argv.get(j) {
        let Some(&value) = argv.get(j + 1) else {
            return Err(CmdError::Syntax);
        };
        if is_opt(opt, "RANK") {
            rank = int_arg(value)?;
            if rank == 0 {
                return Err(CmdError::Other(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
                        .to_string(),
                ));
            }
        } else if is_opt(opt, "COUNT") {
            count = Some(positive(value, "COUNT can't be negative")?);
        } else if is_opt(opt, "MAXLEN") {
            max_len = positive(value, "MAXLEN can't be negative")?;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 2;
    }
    let Some(list) = read::<List>(ctx, arg(argv, 1))? else {
        return Ok(if count.is_some() {
            Reply::Array(Vec::new())
        } else {
            Reply::Nil
        });
    };
    let from_tail = rank < 0;
    // Redis negates the rank in a C long, so the most negative rank stays
    // negative and every match qualifies: it acts as -1.
    let skip = if rank == i64::MIN {
        0
    } else {
        usize::try_from(rank.unsigned_abs() - 1).unwrap_or(usize::MAX)
    };
    let limit = usize::try_from(max_len)
        .ok()
        .filter(|&m| m > 0)
        .unwrap_or(usize::MAX);
    let scan: Box<dyn Iterator<Item = (usize, &Vec<u8>)>> = if from_tail {
        Box::new(list.iter().enumerate().rev())
    } else {
        Box::new(list.iter().enumerate())
    };
    let mut positions = scan
        .take(limit)
        .filter(|(_, e)| e.as_slice() == element)
        .map(|(i, _)| i)
        .skip(skip);
    match count {
        None => Ok(positions.next().map_or(Reply::Nil, int_reply)),
        Some(0) => Ok(Reply::Array(positions.map(int_reply).collect())),
        Some(n) => Ok(Reply::Array(
            positions
                .take(usize::try_from(n).unwrap_or(usize::MAX))
                .map(int_reply)
                .collect(),
        )),
    }
}

fn lrem(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let count = int_arg(arg(argv, 2))?;
    let (key, element) = (arg(argv, 1), arg(argv, 3));
    let limits = ctx.server.limits;
    let Some(list) = write::<List>(ctx, key)? else {
        return Ok(Reply::Int(0));
    };
    let limit = if count == 0 {
        usize::MAX
    } else {
        usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX)
    };
    let mut gone = 0;
    if count >= 0 {
        let mut i = 0;
        while i < list.len() && gone < limit {
            if list.get(i).is_some_and(|e| e.as_slice() == element) {
                list.remove(i);
                gone += 1;
            } else {
                i += 1;
            }
        }
    } else {
        let mut i = list.len();
        while i > 0 && gone < limit {
            i -= 1;
            if list.get(i).is_some_and(|e| e.as_slice() == element) {
                list.remove(i);
                gone += 1;
            }
        }
    }
    list.after_removal(&limits);
    if gone > 0 {
        removed::<List>(ctx, class::LIST, "lrem", key);
    }
    Ok(int_reply(gone))
}

fn ltrim(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let start = int_arg(arg(argv, 2))?;
    let end = int_arg(arg(argv, 3))?;
    let key = arg(argv, 1);
    let limits = ctx.server.limits;
    let Some(list) = write::<List>(ctx, key)? else {
        return Ok(Reply::ok());
    };
    let len = i64::try_from(list.len()).unwrap_or(i64::MAX);
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end };
    if start > end || start >= len {
        *list = List::default();
    } else {
        let end = usize::try_from(end.min(len - 1)).unwrap_or(0);
        list.trim(usize::try_from(start).unwrap_or(0), end);
        list.after_removal(&limits);
    }
    // Redis reports a trim even when it removed nothing.
    removed::<List>(ctx, class::LIST, "ltrim", key);
    Ok(Reply::ok())
}

/// LMOVE and RPOPLPUSH: pop from `from` at one end, push onto `to` at one end.
fn move_element(
    ctx: &mut Ctx<'_>,
    from: &[u8],
    to: &[u8],
    pop_end: End,
    push_end: End,
) -> Result<Reply, CmdError> {
    let Some(source) = write::<List>(ctx, from)? else {
        return Ok(Reply::Nil);
    };
    if source.is_empty() {
        return Ok(Reply::Nil);
    }
    // The destination's type is checked before anything moves.
    let dest_exists = write::<List>(ctx, to)?.is_some();
    let Some(element) = again::<List>(ctx, from)?.and_then(|l| l.pop(pop_end)) else {
        return Ok(Reply::Nil);
    };
    let now = ctx.now();
    let limits = ctx.server.limits;
    if !dest_exists {
        ctx.db()
            .insert(to.to_vec(), Value::List(Box::default()), None, now);
    }
    if let Some(dest) = again::<List>(ctx, to)? {
        // A popped integer comes back as an integer object, which Redis's
        // growth check does not count.
        let counted = if crate::number::parse_i64(&element).is_some() {
            0
        } else {
            element.len()
        };
        dest.prepare_growth(counted, 1, &limits);
        dest.push(push_end, element.clone(), &limits);
    }
    if let Some(source) = again::<List>(ctx, from)? {
        source.after_removal(&limits);
    }
    // Redis announces the push before the pop.
    ctx.modified(class::LIST, push_end.push_event(), to);
    removed::<List>(ctx, class::LIST, pop_end.pop_event(), from);
    Ok(Reply::Bulk(element))
}

fn lmove(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let pop_end = End::parse(arg(argv, 3))?;
    let push_end = End::parse(arg(argv, 4))?;
    move_element(ctx, arg(argv, 1), arg(argv, 2), pop_end, push_end)
}

fn rpoplpush(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    move_element(ctx, arg(argv, 1), arg(argv, 2), End::Tail, End::Head)
}

fn lmpop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let MultiPop {
        keys,
        which: end,
        count,
    } = parse_multi_pop(argv, [("LEFT", End::Head), ("RIGHT", End::Tail)])?;
    let limits = ctx.server.limits;
    for &key in keys {
        let Some(list) = write::<List>(ctx, key)? else {
            continue;
        };
        if list.is_empty() {
            continue;
        }
        let n = count.min(list.len());
        let popped = pop_many(list, end, n, &limits);
        removed::<List>(ctx, class::LIST, end.pop_event(), key);
        return Ok(Reply::Array(vec![Reply::bulk(key), Reply::Array(popped)]));
    }
    Ok(Reply::NilArray)
}
