//! Counters on strings: INCR, DECR, INCRBY, DECRBY (64-bit integers that
//! refuse to overflow) and INCRBYFLOAT (Redis's long double arithmetic and
//! text, see `long_double`). The key's time to live is kept.

use super::{arg, int_arg, one_key, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::long_double::LongDouble;
use crate::notify::class;
use crate::reply::Reply;
use crate::types::{RString, Value};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "incr",
        arity: 2,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "string",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Adds one to the integer at a key (0 if missing); answers the result.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(incr),
        ..BASE
    },
    Spec {
        name: "decr",
        arity: 2,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "string",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Subtracts one from the integer at a key (0 if missing); answers the result.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(decr),
        ..BASE
    },
    Spec {
        name: "incrby",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "string",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Adds an integer to the integer at a key (0 if missing); answers the result.",
        args: &[Arg::key("key", 0), Arg::new("increment", ArgKind::Integer)],
        body: Body::Run(incrby),
        ..BASE
    },
    Spec {
        name: "decrby",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "string",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Subtracts an integer from the integer at a key (0 if missing); answers the result.",
        args: &[Arg::key("key", 0), Arg::new("decrement", ArgKind::Integer)],
        body: Body::Run(decrby),
        ..BASE
    },
    Spec {
        name: "incrbyfloat",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "string",
        since: "2.6.0",
        complexity: "O(1)",
        summary: "Adds a decimal number to the number at a key (0 if missing), with long double precision; answers the result.",
        args: &[Arg::key("key", 0), Arg::new("increment", ArgKind::Double)],
        body: Body::Run(incrbyfloat),
        ..BASE
    },
];

/// Adds `delta` to the integer at `key` (0 if missing), keeping its TTL.
fn add(ctx: &mut Ctx<'_>, key: &[u8], delta: i64) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let db = ctx.db();
    let current = match db.get(key, now) {
        Some(Value::String(s)) => s.as_i64().ok_or(CmdError::NotInteger)?,
        Some(_) => return Err(CmdError::WrongType),
        None => 0,
    };
    let value = current
        .checked_add(delta)
        .ok_or_else(|| CmdError::Other("ERR increment or decrement would overflow".to_string()))?;
    db.replace(key, Value::String(RString::Int(value)), true, now);
    // INCR, DECR, INCRBY and DECRBY all report `incrby`, as in Redis.
    ctx.modified(class::STRING, "incrby", key);
    Ok(Reply::Int(value))
}

fn incr(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    add(ctx, arg(argv, 1), 1)
}

fn decr(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    add(ctx, arg(argv, 1), -1)
}

fn incrby(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let delta = int_arg(argv.get(2).copied().unwrap_or_default())?;
    add(ctx, arg(argv, 1), delta)
}

fn decrby(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let delta = int_arg(argv.get(2).copied().unwrap_or_default())?;
    let delta = delta
        .checked_neg()
        .ok_or_else(|| CmdError::Other("ERR decrement would overflow".to_string()))?;
    add(ctx, arg(argv, 1), delta)
}

fn incrbyfloat(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let not_float = || CmdError::Other("ERR value is not a valid float".to_string());
    let now = ctx.now();
    let db = ctx.db();
    let current = match db.get(key, now) {
        Some(Value::String(s)) => LongDouble::parse(&s.as_bytes()).ok_or_else(not_float)?,
        Some(_) => return Err(CmdError::WrongType),
        None => LongDouble::Finite {
            neg: false,
            mant: 0,
            exp: 0,
        },
    };
    let delta =
        LongDouble::parse(argv.get(2).copied().unwrap_or_default()).ok_or_else(not_float)?;
    let sum = current + delta;
    if !sum.is_finite() {
        return Err(CmdError::Other(
            "ERR increment would produce NaN or Infinity".to_string(),
        ));
    }
    let text = sum.to_human_string().into_bytes();
    db.replace(
        key,
        Value::String(RString::from_text(text.clone())),
        true,
        now,
    );
    ctx.modified(class::STRING, "incrbyfloat", key);
    Ok(Reply::Bulk(text))
}
