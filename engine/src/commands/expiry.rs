//! Time to live: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX XX GT LT),
//! TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST.

use super::{arg, int_arg, is_opt, one_key, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
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
        name: "expireat",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@write", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "generic",
        since: "1.2.0",
        complexity: "O(1)",
        summary: "Makes a key expire at a unix time in seconds, optionally only under a condition.",
        history: &[("7.0.0", "NX, XX, GT and LT arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::new("unix-time-seconds", ArgKind::UnixTime),
            Arg::one_of(
                "condition",
                &[
                    Arg::pure_token("nx", "NX"),
                    Arg::pure_token("xx", "XX"),
                    Arg::pure_token("gt", "GT"),
                    Arg::pure_token("lt", "LT"),
                ],
            )
            .since("7.0.0")
            .optional(),
        ],
        body: Body::Run(expireat),
        ..BASE
    },
    Spec {
        name: "pexpireat",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@write", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "generic",
        since: "2.6.0",
        complexity: "O(1)",
        summary:
            "Makes a key expire at a unix time in milliseconds, optionally only under a condition.",
        history: &[("7.0.0", "NX, XX, GT and LT arrived.")],
        args: &[
            Arg::key("key", 0),
            Arg::new("unix-time-milliseconds", ArgKind::UnixTime),
            Arg::one_of(
                "condition",
                &[
                    Arg::pure_token("nx", "NX"),
                    Arg::pure_token("xx", "XX"),
                    Arg::pure_token("gt", "GT"),
                    Arg::pure_token("lt", "LT"),
                ],
            )
            .since("7.0.0")
            .optional(),
        ],
        body: Body::Run(pexpireat),
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
        name: "expiretime",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@read", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "generic",
        since: "7.0.0",
        complexity: "O(1)",
        summary: "The unix time in seconds at which a key expires; -1 if never, -2 if missing.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(expiretime),
        ..BASE
    },
    Spec {
        name: "pexpiretime",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@read", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "generic",
        since: "7.0.0",
        complexity: "O(1)",
        summary:
            "The unix time in milliseconds at which a key expires; -1 if never, -2 if missing.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(pexpiretime),
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

/// Where an EXPIRE-family time is counted from.
#[derive(Clone, Copy)]
enum Base {
    Now,
    Epoch,
}

fn expire(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    expire_generic(ctx, argv, "expire", 1000, Base::Now)
}

fn pexpire(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    expire_generic(ctx, argv, "pexpire", 1, Base::Now)
}

fn expireat(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    expire_generic(ctx, argv, "expireat", 1000, Base::Epoch)
}

fn pexpireat(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    expire_generic(ctx, argv, "pexpireat", 1, Base::Epoch)
}

/// The EXPIRE family: a time in units of `unit_ms`, relative to now or to
/// the epoch. A time already past deletes the key, as Redis does.
fn expire_generic(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    name: &str,
    unit_ms: i64,
    base: Base,
) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let cond = parse_expire_condition(argv.get(3..).unwrap_or_default())?;
    let amount = int_arg(argv.get(2).copied().unwrap_or_default())?;
    let now = ctx.now();
    let base_ms = match base {
        Base::Now => now,
        Base::Epoch => 0,
    };
    let at = amount
        .checked_mul(unit_ms)
        .and_then(|ms| ms.checked_add(base_ms))
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
        ctx.deleted(key);
    } else {
        db.set_expire(key, at);
        ctx.modified(class::GENERIC, "expire", key);
    }
    Ok(Reply::Int(1))
}

/// What the TTL family reports.
#[derive(Clone, Copy)]
enum TtlForm {
    /// Time left, in seconds (rounded) or milliseconds.
    Remaining { millis: bool },
    /// The absolute expiry time, in seconds (rounded) or milliseconds.
    Absolute { millis: bool },
}

fn ttl_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], form: TtlForm) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let now = ctx.now();
    let db = ctx.db();
    if db.peek(key, now).is_none() {
        return Ok(Reply::Int(-2));
    }
    let Some(at) = db.expire_at(key) else {
        return Ok(Reply::Int(-1));
    };
    let (ms, millis) = match form {
        TtlForm::Remaining { millis } => ((at - now).max(0), millis),
        TtlForm::Absolute { millis } => (at.max(0), millis),
    };
    // Seconds are rounded to the nearest, as Redis does.
    Ok(Reply::Int(if millis { ms } else { (ms + 500) / 1000 }))
}

fn ttl(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ttl_generic(ctx, argv, TtlForm::Remaining { millis: false })
}

fn pttl(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ttl_generic(ctx, argv, TtlForm::Remaining { millis: true })
}

fn expiretime(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ttl_generic(ctx, argv, TtlForm::Absolute { millis: false })
}

fn pexpiretime(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ttl_generic(ctx, argv, TtlForm::Absolute { millis: true })
}

fn persist(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let now = ctx.now();
    let db = ctx.db();
    let removed = db.contains(key, now) && db.persist(key);
    if removed {
        ctx.modified(class::GENERIC, "persist", key);
    }
    Ok(Reply::Int(i64::from(removed)))
}
