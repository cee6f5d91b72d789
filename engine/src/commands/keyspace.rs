//! Generic key commands: DEL, EXISTS, TYPE, and the TTL family (EXPIRE,
//! PEXPIRE, TTL, PTTL, PERSIST).

use super::{all_keys, int_arg, is_opt, one_key, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;

const EXPIRE_CONDITION: Arg = Arg::one_of(
    "condition",
    &[
        Arg::pure_token("nx", "NX"),
        Arg::pure_token("xx", "XX"),
        Arg::pure_token("gt", "GT"),
        Arg::pure_token("lt", "LT"),
    ],
)
.since("7.0.0")
.optional();

pub const SPECS: &[Spec] = &[
    Spec {
        name: "del",
        arity: -2,
        flags: &["write"],
        keys: (1, -1, 1),
        acl: &["@keyspace", "@write", "@slow"],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[all_keys(&["RM", "delete"])],
        group: "generic",
        since: "1.0.0",
        complexity: "O(N) for N keys, plus O(M) for each collection of M elements removed.",
        summary: "Deletes keys; answers how many existed.",
        args: &[Arg::key("key", 0).multiple()],
        body: Body::Run(del),
        ..BASE
    },
    Spec {
        name: "exists",
        arity: -2,
        flags: &["readonly", "fast"],
        keys: (1, -1, 1),
        acl: &["@keyspace", "@read", "@fast"],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[all_keys(&["RO"])],
        group: "generic",
        since: "1.0.0",
        complexity: "O(N) for N keys.",
        summary: "Counts how many of the given keys exist; a key named twice counts twice.",
        history: &[("3.0.3", "Several keys may be given.")],
        args: &[Arg::key("key", 0).multiple()],
        body: Body::Run(exists),
        ..BASE
    },
    Spec {
        name: "type",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@read", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "generic",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Names the type of value at a key, or none.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(type_of),
        ..BASE
    },
    Spec {
        name: "expire",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@write", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "generic",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Gives a key a time to live in seconds, optionally only under a condition.",
        history: &[("7.0.0", "NX, XX, GT and LT arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::new("seconds", ArgKind::Integer),
            EXPIRE_CONDITION,
        ],
        body: Body::Run(expire),
        ..BASE
    },
    Spec {
        name: "pexpire",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@write", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "generic",
        since: "2.6.0",
        complexity: "O(1)",
        summary: "Gives a key a time to live in milliseconds, optionally only under a condition.",
        history: &[("7.0.0", "NX, XX, GT and LT arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::new("milliseconds", ArgKind::Integer),
            EXPIRE_CONDITION,
        ],
        body: Body::Run(pexpire),
        ..BASE
    },
    Spec {
        name: "ttl",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@read", "@fast"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "generic",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Seconds a key has left to live; -1 if it never expires, -2 if it is missing.",
        history: &[("2.8.0", "A missing key answers -2.")],
        args: &[Arg::key("key", 0)],
        body: Body::Run(ttl),
        ..BASE
    },
    Spec {
        name: "pttl",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@read", "@fast"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "generic",
        since: "2.6.0",
        complexity: "O(1)",
        summary:
            "Milliseconds a key has left to live; -1 if it never expires, -2 if it is missing.",
        history: &[("2.8.0", "A missing key answers -2.")],
        args: &[Arg::key("key", 0)],
        body: Body::Run(pttl),
        ..BASE
    },
    Spec {
        name: "persist",
        arity: 2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@write", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "generic",
        since: "2.2.0",
        complexity: "O(1)",
        summary: "Removes a key's time to live so it is kept forever.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(persist),
        ..BASE
    },
];

fn keys_of<'a>(argv: &[&'a [u8]]) -> &'a [u8] {
    argv.get(1).copied().unwrap_or_default()
}

fn del(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let db = ctx.db();
    let mut removed = 0;
    for key in argv.iter().skip(1) {
        // An expired key counts as already gone.
        if !db.expire_if_due(key, now) && db.remove(key) {
            removed += 1;
        }
    }
    Ok(Reply::Int(removed))
}

fn exists(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let db = ctx.db();
    let count = argv
        .iter()
        .skip(1)
        .filter(|key| db.contains(key, now))
        .count();
    Ok(Reply::Int(i64::try_from(count).unwrap_or(i64::MAX)))
}

fn type_of(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let name = ctx
        .db()
        .peek(keys_of(argv), now)
        .map_or("none", |v| v.type_name());
    Ok(Reply::Status(name.to_string()))
}

/// EXPIRE's NX/XX/GT/LT, read before the time as Redis does.
#[derive(Default)]
struct ExpireCondition {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn parse_expire_condition(opts: &[&[u8]]) -> Result<ExpireCondition, CmdError> {
    let mut cond = ExpireCondition::default();
    for &opt in opts {
        if is_opt(opt, "NX") {
            cond.nx = true;
        } else if is_opt(opt, "XX") {
            cond.xx = true;
        } else if is_opt(opt, "GT") {
            cond.gt = true;
        } else if is_opt(opt, "LT") {
            cond.lt = true;
        } else {
            return Err(CmdError::Other(format!(
                "ERR Unsupported option {}",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    if cond.nx && (cond.xx || cond.gt || cond.lt) {
        return Err(CmdError::Other(
            "ERR NX and XX, GT or LT options at the same time are not compatible".to_string(),
        ));
    }
    if cond.gt && cond.lt {
        return Err(CmdError::Other(
            "ERR GT and LT options at the same time are not compatible".to_string(),
        ));
    }
    Ok(cond)
}

impl ExpireCondition {
    /// Whether the new time may replace `current` (None: the key has no TTL,
    /// which counts as an infinite one).
    fn allows(&self, current: Option<i64>, new_at: i64) -> bool {
        match current {
            None => !(self.xx || self.gt),
            Some(current) => {
                !(self.nx || (self.gt && new_at <= current) || (self.lt && new_at >= current))
            }
        }
    }
}

fn expire(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    expire_generic(ctx, argv, "expire", 1000)
}

fn pexpire(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    expire_generic(ctx, argv, "pexpire", 1)
}

/// EXPIRE and PEXPIRE: a relative time in units of `unit_ms`. A time already
/// past deletes the key, as Redis does.
fn expire_generic(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    name: &str,
    unit_ms: i64,
) -> Result<Reply, CmdError> {
    let key = keys_of(argv);
    let cond = parse_expire_condition(argv.get(3..).unwrap_or_default())?;
    let amount = int_arg(argv.get(2).copied().unwrap_or_default())?;
    let now = ctx.now();
    let at = amount
        .checked_mul(unit_ms)
        .and_then(|ms| ms.checked_add(now))
        .ok_or_else(|| CmdError::InvalidExpireTime(name.to_string()))?;
    let db = ctx.db();
    if !db.contains(key, now) {
        return Ok(Reply::Int(0));
    }
    if !cond.allows(db.expire_at(key), at) {
        return Ok(Reply::Int(0));
    }
    if at <= now {
        db.remove(key);
    } else {
        db.set_expire(key, at);
    }
    Ok(Reply::Int(1))
}

/// Milliseconds left for a key: None if missing, Some(None) if persistent.
fn remaining_ms(ctx: &mut Ctx<'_>, key: &[u8]) -> Option<Option<i64>> {
    let now = ctx.now();
    let db = ctx.db();
    if !db.contains(key, now) {
        return None;
    }
    Some(db.expire_at(key).map(|at| (at - now).max(0)))
}

fn ttl(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::Int(match remaining_ms(ctx, keys_of(argv)) {
        None => -2,
        Some(None) => -1,
        // Redis rounds to the nearest second.
        Some(Some(ms)) => (ms + 500) / 1000,
    }))
}

fn pttl(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::Int(match remaining_ms(ctx, keys_of(argv)) {
        None => -2,
        Some(None) => -1,
        Some(Some(ms)) => ms,
    }))
}

fn persist(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = keys_of(argv);
    let now = ctx.now();
    let db = ctx.db();
    let removed = db.contains(key, now) && db.persist(key);
    Ok(Reply::Int(i64::from(removed)))
}
