//! Sorted-set commands (Redis 7.0): adding and scoring, ranks, counts, the
//! ZRANGE family by rank, score and lexicographic range, ZRANGESTORE, pops
//! and range removals. Scores print as Redis prints doubles (`%.17g`).
//! The set algebra, ZMPOP, ZRANDMEMBER and ZSCAN are in `zset_algebra.rs`.

use super::{
    arg, int_arg, int_reply, is_opt, one_key, read, removed, typed, write, Arg, ArgKind,
    BeginSearch, Body, FindKeys, KeySpec, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::number::{parse_double, strtod};
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::types::{Value, ZSet};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "zadd",
        arity: -4,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "sorted-set",
        since: "1.2.0",
        complexity: "O(log N) per member added or updated.",
        summary: "Adds members with scores to a sorted set or updates their scores, with conditions (NX XX GT LT), CH counting and INCR.",
        history: &[("2.4.0", "Several members may be given."), ("3.0.2", "XX, NX, CH and INCR arrived."), ("6.2.0", "GT and LT arrived.")],
        args: &[Arg::key("key", 0), Arg::one_of("condition", &[Arg::pure_token("nx", "NX"), Arg::pure_token("xx", "XX")]).since("3.0.2").optional(), Arg::one_of("comparison", &[Arg::pure_token("gt", "GT"), Arg::pure_token("lt", "LT")]).since("6.2.0").optional(), Arg::pure_token("change", "CH").since("3.0.2").optional(), Arg::pure_token("increment", "INCR").since("3.0.2").optional(), Arg::block("score_member", &[Arg::new("score", ArgKind::Double), Arg::new("member", ArgKind::String)]).multiple()],
        body: Body::Run(zadd),
        ..BASE
    },
    Spec {
        name: "zincrby",
        arity: 4,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "sorted-set",
        since: "1.2.0",
        complexity: "O(log N)",
        summary: "Adds to a member's score (0 if it is new); answers the new score.",
        args: &[Arg::key("key", 0), Arg::new("increment", ArgKind::Integer), Arg::new("member", ArgKind::String)],
        body: Body::Run(zincrby),
        ..BASE
    },
    Spec {
        name: "zcard",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "sorted-set",
        since: "1.2.0",
        complexity: "O(1)",
        summary: "Answers the number of members of a sorted set.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(zcard),
        ..BASE
    },
    Spec {
        name: "zscore",
        arity: 3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "1.2.0",
        complexity: "O(1)",
        summary: "Returns the score of a member, or nil.",
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String)],
        body: Body::Run(zscore),
        ..BASE
    },
    Spec {
        name: "zmscore",
        arity: -3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "6.2.0",
        complexity: "O(N) for N members.",
        summary: "Returns the scores of several members, nil where a member is missing.",
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String).multiple()],
        body: Body::Run(zmscore),
        ..BASE
    },
    Spec {
        name: "zrem",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "sorted-set",
        since: "1.2.0",
        complexity: "O(M log N) for M members removed.",
        summary: "Removes members from a sorted set; answers how many were there.",
        history: &[("2.4.0", "Several members may be given.")],
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String).multiple()],
        body: Body::Run(zrem),
        ..BASE
    },
    Spec {
        name: "zrank",
        arity: -3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "2.0.0",
        complexity: "O(log N)",
        summary: "Answers a member's 0-based rank by ascending score, or nil.",
        history: &[("7.2.0", "The WITHSCORE option arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::new("member", ArgKind::String),
            Arg::pure_token("withscore", "WITHSCORE").optional(),
        ],
        body: Body::Run(zrank),
        ..BASE
    },
    Spec {
        name: "zrevrank",
        arity: -3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "2.0.0",
        complexity: "O(log N)",
        summary: "Answers a member's 0-based rank by descending score, or nil.",
        history: &[("7.2.0", "The WITHSCORE option arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::new("member", ArgKind::String),
            Arg::pure_token("withscore", "WITHSCORE").optional(),
        ],
        body: Body::Run(zrevrank),
        ..BASE
    },
    Spec {
        name: "zcount",
        arity: 4,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "2.0.0",
        complexity: "O(log N)",
        summary: "Counts the members whose score lies within a range.",
        args: &[Arg::key("key", 0), Arg::new("min", ArgKind::Double), Arg::new("max", ArgKind::Double)],
        body: Body::Run(zcount),
        ..BASE
    },
    Spec {
        name: "zlexcount",
        arity: 4,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "2.8.9",
        complexity: "O(log N)",
        summary: "Counts the members within a lexicographic range (for members of equal score).",
        args: &[Arg::key("key", 0), Arg::new("min", ArgKind::String), Arg::new("max", ArgKind::String)],
        body: Body::Run(zlexcount),
        ..BASE
    },
    Spec {
        name: "zrange",
        arity: -4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "1.2.0",
        complexity: "O(log N + M) for M members returned.",
        summary: "Returns members by rank, score range or lexicographic range, forwards or reversed, optionally with scores and LIMIT.",
        history: &[("6.2.0", "REV, BYSCORE, BYLEX and LIMIT arrived.")],
        args: &[Arg::key("key", 0), Arg::new("start", ArgKind::String), Arg::new("stop", ArgKind::String), Arg::one_of("sortby", &[Arg::pure_token("byscore", "BYSCORE"), Arg::pure_token("bylex", "BYLEX")]).since("6.2.0").optional(), Arg::pure_token("rev", "REV").since("6.2.0").optional(), Arg::block("offset_count", &[Arg::new("offset", ArgKind::Integer), Arg::new("count", ArgKind::Integer)]).token("LIMIT").since("6.2.0").optional(), Arg::pure_token("withscores", "WITHSCORES").optional()],
        body: Body::Run(zrange),
        ..BASE
    },
    Spec {
        name: "zrevrange",
        arity: -4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "1.2.0",
        complexity: "O(log N + M) for M members returned.",
        summary: "Returns members by rank, highest score first.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("ZRANGE with REV"),
        args: &[Arg::key("key", 0), Arg::new("start", ArgKind::Integer), Arg::new("stop", ArgKind::Integer), Arg::pure_token("withscores", "WITHSCORES").optional()],
        body: Body::Run(zrevrange),
        ..BASE
    },
    Spec {
        name: "zrangebyscore",
        arity: -4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "1.0.5",
        complexity: "O(log N + M) for M members returned.",
        summary: "Returns the members within a score range, ascending.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("ZRANGE with BYSCORE"),
        history: &[("2.0.0", "WITHSCORES arrived.")],
        args: &[Arg::key("key", 0), Arg::new("min", ArgKind::Double), Arg::new("max", ArgKind::Double), Arg::pure_token("withscores", "WITHSCORES").since("2.0.0").optional(), Arg::block("offset_count", &[Arg::new("offset", ArgKind::Integer), Arg::new("count", ArgKind::Integer)]).token("LIMIT").optional()],
        body: Body::Run(zrangebyscore),
        ..BASE
    },
    Spec {
        name: "zrevrangebyscore",
        arity: -4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "2.2.0",
        complexity: "O(log N + M) for M members returned.",
        summary: "Returns the members within a score range, descending.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("ZRANGE with BYSCORE and REV"),
        history: &[("2.1.6", "Exclusive bounds for min and max arrived.")],
        args: &[Arg::key("key", 0), Arg::new("max", ArgKind::Double), Arg::new("min", ArgKind::Double), Arg::pure_token("withscores", "WITHSCORES").optional(), Arg::block("offset_count", &[Arg::new("offset", ArgKind::Integer), Arg::new("count", ArgKind::Integer)]).token("LIMIT").optional()],
        body: Body::Run(zrevrangebyscore),
        ..BASE
    },
    Spec {
        name: "zrangebylex",
        arity: -4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "2.8.9",
        complexity: "O(log N + M) for M members returned.",
        summary: "Returns the members within a lexicographic range, ascending.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("ZRANGE with BYLEX"),
        args: &[Arg::key("key", 0), Arg::new("min", ArgKind::String), Arg::new("max", ArgKind::String), Arg::block("offset_count", &[Arg::new("offset", ArgKind::Integer), Arg::new("count", ArgKind::Integer)]).token("LIMIT").optional()],
        body: Body::Run(zrangebylex),
        ..BASE
    },
    Spec {
        name: "zrevrangebylex",
        arity: -4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "2.8.9",
        complexity: "O(log N + M) for M members returned.",
        summary: "Returns the members within a lexicographic range, descending.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("ZRANGE with BYLEX and REV"),
        args: &[Arg::key("key", 0), Arg::new("max", ArgKind::String), Arg::new("min", ArgKind::String), Arg::block("offset_count", &[Arg::new("offset", ArgKind::Integer), Arg::new("count", ArgKind::Integer)]).token("LIMIT").optional()],
        body: Body::Run(zrevrangebylex),
        ..BASE
    },
    Spec {
        name: "zrangestore",
        arity: -5,
        flags: &["write", "denyoom"],
        keys: (1, 2, 1),
        acl: &["@write", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["OW", "update"]), KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "6.2.0",
        complexity: "O(log N + M) for M members stored.",
        summary: "Stores a range of a sorted set (by rank, score or lex) in another key; answers its size.",
        args: &[Arg::key("dst", 0), Arg::key("src", 1), Arg::new("min", ArgKind::String), Arg::new("max", ArgKind::String), Arg::one_of("sortby", &[Arg::pure_token("byscore", "BYSCORE"), Arg::pure_token("bylex", "BYLEX")]).optional(), Arg::pure_token("rev", "REV").optional(), Arg::block("offset_count", &[Arg::new("offset", ArgKind::Integer), Arg::new("count", ArgKind::Integer)]).token("LIMIT").optional()],
        body: Body::Run(zrangestore),
        ..BASE
    },
    Spec {
        name: "zpopmin",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "delete"])],
        group: "sorted-set",
        since: "5.0.0",
        complexity: "O(M log N) for M members popped.",
        summary: "Removes and returns the members with the lowest scores.",
        args: &[Arg::key("key", 0), Arg::new("count", ArgKind::Integer).optional()],
        body: Body::Run(zpopmin),
        ..BASE
    },
    Spec {
        name: "zpopmax",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "delete"])],
        group: "sorted-set",
        since: "5.0.0",
        complexity: "O(M log N) for M members popped.",
        summary: "Removes and returns the members with the highest scores.",
        args: &[Arg::key("key", 0), Arg::new("count", ArgKind::Integer).optional()],
        body: Body::Run(zpopmax),
        ..BASE
    },
    Spec {
        name: "zremrangebyrank",
        arity: 4,
        flags: &["write"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "sorted-set",
        since: "2.0.0",
        complexity: "O(log N + M) for M members removed.",
        summary: "Removes the members within a rank range; answers how many.",
        args: &[Arg::key("key", 0), Arg::new("start", ArgKind::Integer), Arg::new("stop", ArgKind::Integer)],
        body: Body::Run(zremrangebyrank),
        ..BASE
    },
    Spec {
        name: "zremrangebyscore",
        arity: 4,
        flags: &["write"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "sorted-set",
        since: "1.2.0",
        complexity: "O(log N + M) for M members removed.",
        summary: "Removes the members within a score range; answers how many.",
        args: &[Arg::key("key", 0), Arg::new("min", ArgKind::Double), Arg::new("max", ArgKind::Double)],
        body: Body::Run(zremrangebyscore),
        ..BASE
    },
    Spec {
        name: "zremrangebylex",
        arity: 4,
        flags: &["write"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "sorted-set",
        since: "2.8.9",
        complexity: "O(log N + M) for M members removed.",
        summary: "Removes the members within a lexicographic range; answers how many.",
        args: &[Arg::key("key", 0), Arg::new("min", ArgKind::String), Arg::new("max", ArgKind::String)],
        body: Body::Run(zremrangebylex),
        ..BASE
    },
];

fn not_float() -> CmdError {
    CmdError::Other("ERR value is not a valid float".to_string())
}

/// Members with scores as Redis sends them: RESP3 nests each pair,
/// RESP2 flattens them.
pub(crate) fn scored(items: Vec<(Vec<u8>, f64)>, with_scores: bool, proto: Protocol) -> Reply {
    let mut out = Vec::with_capacity(items.len() * if with_scores { 2 } else { 1 });
    for (member, score) in items {
        match (with_scores, proto) {
            (false, _) => out.push(Reply::Bulk(member)),
            (true, Protocol::Resp3) => out.push(Reply::Array(vec![
                Reply::Bulk(member),
                Reply::Double(score),
            ])),
            (true, Protocol::Resp2) => out.extend([Reply::Bulk(member), Reply::Double(score)]),
        }
    }
    Reply::Array(out)
}

#[derive(Default)]
struct ZaddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

/// ZADD and ZINCRBY.
fn zadd_generic(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    mut flags: ZaddFlags,
) -> Result<Reply, CmdError> {
    let mut at = 2;
    while let Some(&opt) = argv.get(at) {
        match () {
            _ if is_opt(opt, "NX") => flags.nx = true,
            _ if is_opt(opt, "XX") => flags.xx = true,
            _ if is_opt(opt, "CH") => flags.ch = true,
            _ if is_opt(opt, "INCR") => flags.incr = true,
            _ if is_opt(opt, "GT") => flags.gt = true,
            _ if is_opt(opt, "LT") => flags.lt = true,
            _ => break,
        }
        at += 1;
    }
    let pairs = argv.get(at..).unwrap_or_default();
    if pairs.is_empty() || pairs.len() % 2 == 1 {
        return Err(CmdError::Syntax);
    }
    if flags.nx && flags.xx {
        return Err(CmdError::Other(
            "ERR XX and NX options at the same time are not compatible".to_string(),
        ));
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return Err(CmdError::Other(
            "ERR GT, LT, and/or NX options at the same time are not compatible".to_string(),
        ));
    }
    if flags.incr && pairs.len() > 2 {
        return Err(CmdError::Other(
            "ERR INCR option supports a single increment-element pair".to_string(),
        ));
    }
    let scores: Vec<f64> = pairs
        .chunks_exact(2)
        .map(|p| parse_double(p[0]).ok_or_else(not_float))
        .collect::<Result<_, _>>()?;
    let key = arg(argv, 1);
    let now = ctx.now();
    let limits = ctx.server.limits;
    let db = ctx.db();
    let exists = typed::<ZSet>(db.get(key, now))?.is_some();
    if !exists {
        if flags.xx {
            return Ok(if flags.incr {
                Reply::Nil
            } else {
                Reply::Int(0)
            });
        }
        // Redis sizes the new set from the number of pairs and the first member.
        let first_len = pairs.get(1).map_or(0, |m| m.len());
        let zset = ZSet::with_hint(pairs.len() / 2, first_len, &limits);
        db.insert(key.to_vec(), Value::ZSet(Box::new(zset)), None, now);
    }
    let Some(zset) = typed::<ZSet>(db.again(key))? else {
        return Ok(Reply::Int(0));
    };
    let (mut added, mut updated, mut processed) = (0usize, 0usize, 0usize);
    let mut last_score = 0.0;
    for (pair, &score) in pairs.chunks_exact(2).zip(&scores) {
        let member = pair[1];
        match zset.score(member) {
            Some(current) => {
                if flags.nx {
                    continue;
                }
                let new = if flags.incr { current + score } else { score };
                if new.is_nan() {
                    return Err(CmdError::Other(
                        "ERR resulting score is not a number (NaN)".to_string(),
                    ));
                }
                if (flags.lt && new >= current) || (flags.gt && new <= current) {
                    continue;
                }
                processed += 1;
                last_score = new;
                if new != current {
                    zset.insert(member, new, &limits);
                    updated += 1;
                }
            }
            None if flags.xx => {}
            None => {
                zset.insert(member, score, &limits);
                added += 1;
                processed += 1;
                last_score = score;
            }
        }
    }
    if added + updated > 0 {
        ctx.modified(class::ZSET, if flags.incr { "zincr" } else { "zadd" }, key);
    }
    Ok(if flags.incr {
        if processed > 0 {
            Reply::Double(last_score)
        } else {
            Reply::Nil
        }
    } else {
        int_reply(if flags.ch { added + updated } else { added })
    })
}

fn zadd(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    zadd_generic(ctx, argv, ZaddFlags::default())
}

fn zincrby(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    // ZINCRBY key increment member is ZADD key INCR increment member.
    let rewritten = [arg(argv, 0), arg(argv, 1), arg(argv, 2), arg(argv, 3)];
    zadd_generic(
        ctx,
        &rewritten,
        ZaddFlags {
            incr: true,
            ..ZaddFlags::default()
        },
    )
}

fn zcard(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(int_reply(
        read::<ZSet>(ctx, arg(argv, 1))?.map_or(0, |z| z.len()),
    ))
}

fn zscore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let score = read::<ZSet>(ctx, arg(argv, 1))?.and_then(|z| z.score(arg(argv, 2)));
    Ok(score.map_or(Reply::Nil, Reply::Double))
}

fn zmscore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let zset = read::<ZSet>(ctx, arg(argv, 1))?;
    Ok(Reply::Array(
        argv.iter()
            .skip(2)
            .map(|m| {
                zset.as_ref()
                    .and_then(|z| z.score(m))
                    .map_or(Reply::Nil, Reply::Double)
            })
            .collect(),
    ))
}

fn zrem(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let Some(zset) = write::<ZSet>(ctx, key)? else {
        return Ok(Reply::Int(0));
    };
    let gone = argv
        .iter()
        .skip(2)
        .filter(|m| zset.remove(m).is_some())
        .count();
    if gone > 0 {
        removed::<ZSet>(ctx, class::ZSET, "zrem", key);
    }
    Ok(int_reply(gone))
}

/// ZRANK/ZREVRANK, with Redis 7.2's WITHSCORE: [rank, score], and a null
/// array rather than a null string when nothing is found.
fn rank_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], reverse: bool) -> Result<Reply, CmdError> {
    let with_score = match argv.get(3) {
        None => false,
        Some(word) if argv.len() == 4 && is_opt(word, "WITHSCORE") => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    let missing = if with_score {
        Reply::NilArray
    } else {
        Reply::Nil
    };
    let Some(zset) = read::<ZSet>(ctx, arg(argv, 1))? else {
        return Ok(missing);
    };
    let member = arg(argv, 2);
    let (Some(rank), Some(score)) = (zset.rank(member), zset.score(member)) else {
        return Ok(missing);
    };
    let rank = int_reply(if reverse { zset.len() - 1 - rank } else { rank });
    Ok(if with_score {
        Reply::Array(vec![rank, Reply::Double(score)])
    } else {
        rank
    })
}

fn zrank(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    rank_generic(ctx, argv, false)
}

fn zrevrank(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    rank_generic(ctx, argv, true)
}

/// A score bound: the value and whether it is exclusive (`(`).
#[derive(Clone, Copy)]
struct ScoreBound {
    value: f64,
    exclusive: bool,
}

/// Redis's `zslParseRange`: `(` for exclusive, C `strtod` for the rest.
fn parse_score_bound(raw: &[u8]) -> Result<ScoreBound, CmdError> {
    let err = || CmdError::Other("ERR min or max is not a float".to_string());
    let (exclusive, text) = match raw.split_first() {
        Some((b'(', rest)) => (true, rest),
        _ => (false, raw),
    };
    let (value, _) = strtod(text).ok_or_else(err)?;
    if value.is_nan() {
        return Err(err());
    }
    Ok(ScoreBound { value, exclusive })
}

/// A lexicographic bound: `-`, `+`, `[member` or `(member`.
#[derive(Clone)]
enum LexBound {
    Min,
    Max,
    Inclusive(Vec<u8>),
    Exclusive(Vec<u8>),
}

fn parse_lex_bound(raw: &[u8]) -> Result<LexBound, CmdError> {
    match raw.split_first() {
        Some((b'+', [])) => Ok(LexBound::Max),
        Some((b'-', [])) => Ok(LexBound::Min),
        Some((b'[', rest)) => Ok(LexBound::Inclusive(rest.to_vec())),
        Some((b'(', rest)) => Ok(LexBound::Exclusive(rest.to_vec())),
        _ => Err(CmdError::Other(
            "ERR min or max not valid string range item".to_string(),
        )),
    }
}

/// A range over a sorted set, resolved to ranks `start..end`.
enum Range {
    Score(ScoreBound, ScoreBound),
    Lex(LexBound, LexBound),
}

impl Range {
    fn ranks(&self, zset: &ZSet) -> (usize, usize) {
        let (start, end) = match self {
            Range::Score(min, max) => (
                zset.count_before(|s, _| {
                    if min.exclusive {
                        s <= min.value
                    } else {
                        s < min.value
                    }
                }),
                zset.count_before(|s, _| {
                    if max.exclusive {
                        s < max.value
                    } else {
                        s <= max.value
                    }
                }),
            ),
            Range::Lex(min, max) => (
                zset.count_before(|_, m| match min {
                    LexBound::Min => false,
                    LexBound::Max => true,
                    LexBound::Inclusive(b) => m < b.as_slice(),
                    LexBound::Exclusive(b) => m <= b.as_slice(),
                }),
                zset.count_before(|_, m| match max {
                    LexBound::Min => false,
                    LexBound::Max => true,
                    LexBound::Inclusive(b) => m <= b.as_slice(),
                    LexBound::Exclusive(b) => m < b.as_slice(),
                }),
            ),
        };
        (start, end.max(start))
    }
}

fn zcount(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let range = Range::Score(
        parse_score_bound(arg(argv, 2))?,
        parse_score_bound(arg(argv, 3))?,
    );
    let n = read::<ZSet>(ctx, arg(argv, 1))?.map_or(0, |z| {
        let (a, b) = range.ranks(z);
        b - a
    });
    Ok(int_reply(n))
}

fn zlexcount(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let range = Range::Lex(
        parse_lex_bound(arg(argv, 2))?,
        parse_lex_bound(arg(argv, 3))?,
    );
    let n = read::<ZSet>(ctx, arg(argv, 1))?.map_or(0, |z| {
        let (a, b) = range.ranks(z);
        b - a
    });
    Ok(int_reply(n))
}

/// How a ZRANGE-family command was called.
#[derive(Clone, Copy, PartialEq)]
enum By {
    Auto,
    Rank,
    Score,
    Lex,
}

struct RangeRequest {
    by: By,
    reverse: Option<bool>,
    with_scores: bool,
    limit: Option<(i64, i64)>,
}

/// The members a ZRANGE-family command selected, and whether the client
/// asked for their scores.
struct Selected {
    items: Vec<(Vec<u8>, f64)>,
    with_scores: bool,
}

/// Redis's `zrangeGenericCommand`: reads the options after `src min max`,
/// then the range, then the key.
fn zrange_generic(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    first: usize,
    mut req: RangeRequest,
    store: bool,
) -> Result<Selected, CmdError> {
    let mut j = first + 3;
    while let Some(&opt) = argv.get(j) {
        let left = argv.len() - j - 1;
        if !store && is_opt(opt, "WITHSCORES") {
            req.with_scores = true;
        } else if is_opt(opt, "LIMIT") && left >= 2 {
            req.limit = Some((int_arg(arg(argv, j + 1))?, int_arg(arg(argv, j + 2))?));
            j += 2;
        } else if req.reverse.is_none() && is_opt(opt, "REV") {
            req.reverse = Some(true);
        } else if req.by == By::Auto && is_opt(opt, "BYLEX") {
            req.by = By::Lex;
        } else if req.by == By::Auto && is_opt(opt, "BYSCORE") {
            req.by = By::Score;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let reverse = req.reverse.unwrap_or(false);
    let by = if req.by == By::Auto { By::Rank } else { req.by };
    if req.limit.is_some() && by == By::Rank {
        return Err(CmdError::Other(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
                .to_string(),
        ));
    }
    if req.with_scores && by == By::Lex {
        return Err(CmdError::Other(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX".to_string(),
        ));
    }
    // Reversed score and lex ranges are written max first.
    let (lo, hi) = if reverse && by != By::Rank {
        (first + 2, first + 1)
    } else {
        (first + 1, first + 2)
    };
    enum Selection {
        Ranks(i64, i64),
        Range(Range),
    }
    let selection = match by {
        By::Score => Selection::Range(Range::Score(
            parse_score_bound(arg(argv, lo))?,
            parse_score_bound(arg(argv, hi))?,
        )),
        By::Lex => Selection::Range(Range::Lex(
            parse_lex_bound(arg(argv, lo))?,
            parse_lex_bound(arg(argv, hi))?,
        )),
        _ => Selection::Ranks(int_arg(arg(argv, lo))?, int_arg(arg(argv, hi))?),
    };
    let with_scores = req.with_scores;
    let Some(zset) = read::<ZSet>(ctx, arg(argv, first))? else {
        return Ok(Selected {
            items: Vec::new(),
            with_scores,
        });
    };
    let len = zset.len();
    let ranks: Vec<usize> = match selection {
        Selection::Ranks(start, end) => {
            let n = i64::try_from(len).unwrap_or(i64::MAX);
            let start = if start < 0 { n + start } else { start }.max(0);
            let end = if end < 0 { n + end } else { end };
            if start > end || start >= n {
                Vec::new()
            } else {
                let end = end.min(n - 1);
                let (s, e) = (
                    usize::try_from(start).unwrap_or(0),
                    usize::try_from(end).unwrap_or(0),
                );
                if reverse {
                    (s..=e).map(|r| len - 1 - r).collect()
                } else {
                    (s..=e).collect()
                }
            }
        }
        Selection::Range(range) => {
            let (a, b) = range.ranks(zset);
            let ordered: Box<dyn Iterator<Item = usize>> = if reverse {
                Box::new((a..b).rev())
            } else {
                Box::new(a..b)
            };
            match req.limit {
                // A negative offset selects nothing; a negative count means all.
                Some((offset, _)) if offset < 0 => Vec::new(),
                Some((offset, limit)) => {
                    let taken = usize::try_from(limit).unwrap_or(usize::MAX);
                    ordered
                        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                        .take(taken)
                        .collect()
                }
                None => ordered.collect(),
            }
        }
    };
    let items = ranks
        .into_iter()
        .filter_map(|r| zset.at(r))
        .map(|(m, s)| (m.to_vec(), s))
        .collect();
    Ok(Selected { items, with_scores })
}

fn range_reply(ctx: &mut Ctx<'_>, argv: &[&[u8]], req: RangeRequest) -> Result<Reply, CmdError> {
    let proto = ctx.client.proto;
    let selected = zrange_generic(ctx, argv, 1, req, false)?;
    Ok(scored(selected.items, selected.with_scores, proto))
}

fn request(by: By, reverse: Option<bool>) -> RangeRequest {
    RangeRequest {
        by,
        reverse,
        with_scores: false,
        limit: None,
    }
}

fn zrange(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    range_reply(ctx, argv, request(By::Auto, None))
}

fn zrevrange(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    range_reply(ctx, argv, request(By::Rank, Some(true)))
}

fn zrangebyscore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    range_reply(ctx, argv, request(By::Score, Some(false)))
}

fn zrevrangebyscore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    range_reply(ctx, argv, request(By::Score, Some(true)))
}

fn zrangebylex(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    range_reply(ctx, argv, request(By::Lex, Some(false)))
}

fn zrevrangebylex(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    range_reply(ctx, argv, request(By::Lex, Some(true)))
}

fn zrangestore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let items = zrange_generic(ctx, argv, 2, request(By::Auto, None), true)?.items;
    let dest = arg(argv, 1);
    let size = items.len();
    let limits = ctx.server.limits;
    let mut zset = ZSet::new();
    for (member, score) in &items {
        zset.insert(member, *score, &limits);
    }
    store(ctx, dest, zset, "zrangestore");
    Ok(int_reply(size))
}

fn pop_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], max: bool) -> Result<Reply, CmdError> {
    let wanted = match argv.len() {
        2 => None,
        3 => match crate::number::parse_i64(arg(argv, 2)) {
            Some(n) if n >= 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            _ => {
                return Err(CmdError::Other(
                    "ERR value is out of range, must be positive".to_string(),
                ))
            }
        },
        _ => return Err(CmdError::Syntax),
    };
    let nested = ctx.client.proto == Protocol::Resp3 && wanted.is_some();
    let key = arg(argv, 1);
    let Some(zset) = write::<ZSet>(ctx, key)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let popped = zset.pop(max, wanted.unwrap_or(1));
    if !popped.is_empty() {
        removed::<ZSet>(ctx, class::ZSET, pop_event(max), key);
    }
    let mut out = Vec::new();
    for (member, score) in popped {
        if nested {
            out.push(Reply::Array(vec![
                Reply::Bulk(member),
                Reply::Double(score),
            ]));
        } else {
            out.extend([Reply::Bulk(member), Reply::Double(score)]);
        }
    }
    Ok(Reply::Array(out))
}

fn zpopmin(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    pop_generic(ctx, argv, false)
}

fn zpopmax(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    pop_generic(ctx, argv, true)
}

/// The keyspace event of ZPOPMIN/ZPOPMAX (and the pops built on them).
pub(crate) fn pop_event(max: bool) -> &'static str {
    if max {
        "zpopmax"
    } else {
        "zpopmin"
    }
}

/// Stores a computed sorted set at `dest` and announces it as `event`; an
/// empty result deletes `dest` instead (with `del`, if it was there).
pub(crate) fn store(ctx: &mut Ctx<'_>, dest: &[u8], zset: ZSet, event: &str) {
    let now = ctx.now();
    let db = ctx.db();
    if zset.is_empty() {
        if db.remove(dest) {
            ctx.deleted(dest);
        }
    } else {
        db.set(dest.to_vec(), Value::ZSet(Box::new(zset)), false, now);
        ctx.modified(class::ZSET, event, dest);
    }
}

/// ZREMRANGEBY*: the range is read first, then the key; `event` names
/// the command.
fn remove_ranks(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    event: &str,
    select: impl FnOnce(&ZSet) -> (usize, usize),
) -> Result<Reply, CmdError> {
    let Some(zset) = write::<ZSet>(ctx, key)? else {
        return Ok(Reply::Int(0));
    };
    let (a, b) = select(zset);
    let doomed: Vec<Vec<u8>> = zset.range(a, b).map(|(m, _)| m.to_vec()).collect();
    for member in &doomed {
        zset.remove(member);
    }
    if !doomed.is_empty() {
        removed::<ZSet>(ctx, class::ZSET, event, key);
    }
    Ok(int_reply(doomed.len()))
}

fn zremrangebyrank(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let start = int_arg(arg(argv, 2))?;
    let end = int_arg(arg(argv, 3))?;
    remove_ranks(ctx, arg(argv, 1), "zremrangebyrank", |z| {
        let n = i64::try_from(z.len()).unwrap_or(i64::MAX);
        let start = if start < 0 { n + start } else { start }.max(0);
        let end = if end < 0 { n + end } else { end };
        if start > end || start >= n {
            (0, 0)
        } else {
            (
                usize::try_from(start).unwrap_or(0),
                usize::try_from(end.min(n - 1) + 1).unwrap_or(0),
            )
        }
    })
}

fn zremrangebyscore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let range = Range::Score(
        parse_score_bound(arg(argv, 2))?,
        parse_score_bound(arg(argv, 3))?,
    );
    remove_ranks(ctx, arg(argv, 1), "zremrangebyscore", |z| range.ranks(z))
}

fn zremrangebylex(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let range = Range::Lex(
        parse_lex_bound(arg(argv, 2))?,
        parse_lex_bound(arg(argv, 3))?,
    );
    remove_ranks(ctx, arg(argv, 1), "zremrangebylex", |z| range.ranks(z))
}
