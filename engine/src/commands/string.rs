//! String commands: SET (every Redis 7.0 option) and GET.

use super::{int_arg, is_opt, one_key, Arg, ArgKind, Body, Spec, BASE};
use crate::db::Value;
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "set",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@slow"],
        key_specs: &[one_key(
            Some("RW and ACCESS due to the optional `GET` argument"),
            &["RW", "access", "update", "variable_flags"],
        )],
        group: "string",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Stores a string under a key, with optional expiry and conditions.",
        history: &[
            ("2.6.12", "EX, PX, NX and XX arrived."),
            ("6.0.0", "KEEPTTL arrived."),
            ("6.2.0", "GET, EXAT and PXAT arrived."),
            ("7.0.0", "NX may be combined with GET."),
        ],
        args: &[
            Arg::key("key", 0),
            Arg::new("value", ArgKind::String),
            Arg::one_of(
                "condition",
                &[Arg::pure_token("nx", "NX"), Arg::pure_token("xx", "XX")],
            )
            .since("2.6.12")
            .optional(),
            Arg::pure_token("get", "GET").since("6.2.0").optional(),
            Arg::one_of(
                "expiration",
                &[
                    Arg::new("seconds", ArgKind::Integer)
                        .token("EX")
                        .since("2.6.12"),
                    Arg::new("milliseconds", ArgKind::Integer)
                        .token("PX")
                        .since("2.6.12"),
                    Arg::new("unix-time-seconds", ArgKind::UnixTime)
                        .token("EXAT")
                        .since("6.2.0"),
                    Arg::new("unix-time-milliseconds", ArgKind::UnixTime)
                        .token("PXAT")
                        .since("6.2.0"),
                    Arg::pure_token("keepttl", "KEEPTTL").since("6.0.0"),
                ],
            )
            .optional(),
        ],
        body: Body::Run(set),
        ..BASE
    },
    Spec {
        name: "get",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@string", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "string",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Returns the string stored at a key, or nil if there is none.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(get),
        ..BASE
    },
];

/// How SET's expiry argument is to be read.
#[derive(Clone, Copy, PartialEq)]
enum ExpiryUnit {
    RelativeSeconds,
    RelativeMillis,
    AbsoluteSeconds,
    AbsoluteMillis,
}

#[derive(Default)]
struct SetOptions<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    expiry: Option<(ExpiryUnit, &'a [u8])>,
}

/// Reads SET's options with Redis's rules: conflicting options are a syntax
/// error, repeating a compatible one is allowed and the last value wins.
fn parse_set_options<'a>(args: &[&'a [u8]]) -> Result<SetOptions<'a>, CmdError> {
    let mut opts = SetOptions::default();
    let mut i = 0;
    while let Some(&opt) = args.get(i) {
        let next = args.get(i + 1).copied();
        let unit = if is_opt(opt, "EX") {
            Some(ExpiryUnit::RelativeSeconds)
        } else if is_opt(opt, "PX") {
            Some(ExpiryUnit::RelativeMillis)
        } else if is_opt(opt, "EXAT") {
            Some(ExpiryUnit::AbsoluteSeconds)
        } else if is_opt(opt, "PXAT") {
            Some(ExpiryUnit::AbsoluteMillis)
        } else {
            None
        };
        match (unit, next) {
            (Some(unit), Some(value))
                if !opts.keep_ttl && opts.expiry.is_none_or(|(u, _)| u == unit) =>
            {
                opts.expiry = Some((unit, value));
                i += 1;
            }
            (Some(_), _) => return Err(CmdError::Syntax),
            (None, _) if is_opt(opt, "NX") && !opts.xx => opts.nx = true,
            (None, _) if is_opt(opt, "XX") && !opts.nx => opts.xx = true,
            (None, _) if is_opt(opt, "GET") => opts.get = true,
            (None, _) if is_opt(opt, "KEEPTTL") && opts.expiry.is_none() => opts.keep_ttl = true,
            (None, _) => return Err(CmdError::Syntax),
        }
        i += 1;
    }
    Ok(opts)
}

/// Turns SET's expiry argument into an absolute unix time in milliseconds.
fn absolute_expiry(unit: ExpiryUnit, value: &[u8], now: i64) -> Result<i64, CmdError> {
    let invalid = || CmdError::InvalidExpireTime("set".to_string());
    let amount = int_arg(value)?;
    if amount <= 0 {
        return Err(invalid());
    }
    let millis = match unit {
        ExpiryUnit::RelativeSeconds | ExpiryUnit::AbsoluteSeconds => {
            amount.checked_mul(1000).ok_or_else(invalid)?
        }
        ExpiryUnit::RelativeMillis | ExpiryUnit::AbsoluteMillis => amount,
    };
    match unit {
        ExpiryUnit::RelativeSeconds | ExpiryUnit::RelativeMillis => millis
            .checked_add(now)
            .filter(|&at| at > 0)
            .ok_or_else(invalid),
        ExpiryUnit::AbsoluteSeconds | ExpiryUnit::AbsoluteMillis => Ok(millis),
    }
}

fn set(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (key, value) = match argv {
        [_, key, value, ..] => (*key, *value),
        _ => return Err(CmdError::WrongArity("set".to_string())),
    };
    let opts = parse_set_options(argv.get(3..).unwrap_or_default())?;
    let now = ctx.now();
    let expire_at = match opts.expiry {
        Some((unit, amount)) => Some(absolute_expiry(unit, amount, now)?),
        None => None,
    };
    let db = ctx.db();
    let old = match db.get(key, now) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) if opts.get => return Err(CmdError::WrongType),
        Some(_) => None,
        None => None,
    };
    let exists = db.contains(key, now);
    if (opts.nx && exists) || (opts.xx && !exists) {
        return Ok(if opts.get {
            old.map_or(Reply::Nil, Reply::Bulk)
        } else {
            Reply::Nil
        });
    }
    db.set(key.to_vec(), Value::String(value.to_vec()), opts.keep_ttl);
    if let Some(at) = expire_at {
        db.set_expire(key, at);
    }
    Ok(if opts.get {
        old.map_or(Reply::Nil, Reply::Bulk)
    } else {
        Reply::ok()
    })
}

fn get(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = argv.get(1).copied().unwrap_or_default();
    let now = ctx.now();
    match ctx.db().get(key, now) {
        Some(Value::String(s)) => Ok(Reply::bulk(s)),
        Some(_) => Err(CmdError::WrongType),
        None => Ok(Reply::Nil),
    }
}
