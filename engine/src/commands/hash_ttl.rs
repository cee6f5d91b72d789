//! Hash field expiration (Redis 7.4): HEXPIRE, HPEXPIRE, HEXPIREAT,
//! HPEXPIREAT (NX XX GT LT), HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME and
//! HPERSIST, each answering per field. Expired fields are removed lazily by
//! the keyspace (`db.rs`) and actively by the expiry cycle. Replies and
//! error texts were checked against a real redis-server 7.4.

use super::{
    arg, int_arg, is_opt, one_key, read, removed, write, Arg, ArgKind, Body, Handler, KeySpec,
    Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;
use crate::types::Hash;

const FIELDS: Arg = Arg::block(
    "fields",
    &[
        Arg::new("numfields", ArgKind::Integer),
        Arg::new("field", ArgKind::String).multiple(),
    ],
)
.token("FIELDS");

const CONDITION: Arg = Arg::one_of(
    "condition",
    &[
        Arg::pure_token("nx", "NX"),
        Arg::pure_token("xx", "XX"),
        Arg::pure_token("gt", "GT"),
        Arg::pure_token("lt", "LT"),
    ],
)
.optional();

const WRITE_KEY: &[KeySpec] = &[one_key(None, &["RW", "update"])];
const READ_KEY: &[KeySpec] = &[one_key(None, &["RO", "access"])];
const FIELDS_ONLY: &[Arg] = &[Arg::key("key", 0), FIELDS];

/// The arguments of a command that sets field TTLs, given its time argument.
macro_rules! setter_args {
    ($name:literal, $kind:ident) => {
        &[
            Arg::key("key", 0),
            Arg::new($name, ArgKind::$kind),
            CONDITION,
            FIELDS,
        ]
    };
}

/// A row for the commands that set field TTLs.
const fn setter(
    name: &'static str,
    args: &'static [Arg],
    summary: &'static str,
    handler: Handler,
) -> Spec {
    Spec {
        name,
        arity: -6,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@hash", "@fast"],
        key_specs: WRITE_KEY,
        group: "hash",
        since: "7.4.0",
        complexity: "O(N) for N fields.",
        summary,
        args,
        body: Body::Run(handler),
        ..BASE
    }
}

/// A row for the commands that read (or, for HPERSIST, clear) field TTLs.
const fn getter(name: &'static str, write: bool, summary: &'static str, handler: Handler) -> Spec {
    Spec {
        name,
        arity: -5,
        flags: if write {
            &["write", "fast"]
        } else {
            &["readonly", "fast"]
        },
        keys: (1, 1, 1),
        acl: if write {
            &["@write", "@hash", "@fast"]
        } else {
            &["@read", "@hash", "@fast"]
        },
        key_specs: if write { WRITE_KEY } else { READ_KEY },
        group: "hash",
        since: "7.4.0",
        complexity: "O(N) for N fields.",
        summary,
        args: FIELDS_ONLY,
        body: Body::Run(handler),
        ..BASE
    }
}

pub const SPECS: &[Spec] = &[
    setter(
        "hexpire",
        setter_args!("seconds", Integer),
        "Gives hash fields a time to live in seconds.",
        hexpire,
    ),
    setter(
        "hpexpire",
        setter_args!("milliseconds", Integer),
        "Gives hash fields a time to live in milliseconds.",
        hpexpire,
    ),
    setter(
        "hexpireat",
        setter_args!("unix-time-seconds", UnixTime),
        "Makes hash fields expire at a unix time in seconds.",
        hexpireat,
    ),
    setter(
        "hpexpireat",
        setter_args!("unix-time-milliseconds", UnixTime),
        "Makes hash fields expire at a unix time in milliseconds.",
        hpexpireat,
    ),
    getter(
        "httl",
        false,
        "Seconds each hash field has left to live.",
        httl,
    ),
    getter(
        "hpttl",
        false,
        "Milliseconds each hash field has left to live.",
        hpttl,
    ),
    getter(
        "hexpiretime",
        false,
        "The unix time in seconds at which each hash field expires.",
        hexpiretime,
    ),
    getter(
        "hpexpiretime",
        false,
        "The unix time in milliseconds at which each hash field expires.",
        hpexpiretime,
    ),
    getter(
        "hpersist",
        true,
        "Removes the time to live of hash fields.",
        hpersist,
    ),
];

/// The latest expiry time a hash field can have (Redis's 46-bit limit).
const MAX_FIELD_EXPIRE_MS: i64 = (1 << 46) - 1;

/// Per-field answers.
const NO_FIELD: i64 = -2;
const NO_TTL: i64 = -1;
const CONDITION_NOT_MET: i64 = 0;
const SET: i64 = 1;
const DELETED: i64 = 2;

/// Reads `FIELDS numfields field...` starting at `at`, with Redis 7.4's
/// error texts.
fn fields<'a, 'b>(
    argv: &'b [&'a [u8]],
    at: usize,
    count_error: &str,
) -> Result<&'b [&'a [u8]], CmdError> {
    if !is_opt(arg(argv, at), "FIELDS") {
        return Err(CmdError::Other(
            "ERR Mandatory argument FIELDS is missing or not at the right position".to_string(),
        ));
    }
    let count = match crate::number::parse_i64(arg(argv, at + 1)) {
        Some(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => return Err(CmdError::Other(format!("ERR {count_error}"))),
    };
    let listed = argv.get(at + 2..).unwrap_or_default();
    if count != listed.len() {
        return Err(CmdError::Other(
            "ERR The `numfields` parameter must match the number of arguments".to_string(),
        ));
    }
    Ok(listed)
}

#[derive(Clone, Copy, PartialEq)]
enum Condition {
    Always,
    Nx,
    Xx,
    Gt,
    Lt,
}

/// HEXPIRE and friends: `unit_ms` per unit of the time argument, counted
/// from now (`relative`) or from the epoch.
fn set_generic(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    name: &str,
    unit_ms: i64,
    relative: bool,
) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let exists = write::<Hash>(ctx, key)?.is_some();
    let amount = int_arg(arg(argv, 2))?;
    if amount < 0 {
        return Err(CmdError::Other(
            "ERR invalid expire time, must be >= 0".to_string(),
        ));
    }
    let invalid = || CmdError::InvalidExpireTime(name.to_string());
    if unit_ms == 1000 && amount > MAX_FIELD_EXPIRE_MS / 1000 {
        return Err(invalid());
    }
    let now = ctx.now();
    let base = if relative { now } else { 0 };
    let millis = amount * unit_ms;
    if millis > MAX_FIELD_EXPIRE_MS - base {
        return Err(invalid());
    }
    let at = millis + base;
    let word = arg(argv, 3);
    let condition = [
        ("NX", Condition::Nx),
        ("XX", Condition::Xx),
        ("GT", Condition::Gt),
        ("LT", Condition::Lt),
    ]
    .into_iter()
    .find(|(w, _)| is_opt(word, w))
    .map_or(Condition::Always, |(_, c)| c);
    let fields_at = if condition == Condition::Always { 3 } else { 4 };
    let listed = fields(
        argv,
        fields_at,
        "Parameter `numFields` should be greater than 0",
    )?;
    if !exists {
        return Ok(Reply::Array(
            listed.iter().map(|_| Reply::Int(NO_FIELD)).collect(),
        ));
    }
    let Some(hash) = write::<Hash>(ctx, key)? else {
        return Ok(Reply::Array(
            listed.iter().map(|_| Reply::Int(NO_FIELD)).collect(),
        ));
    };
    let mut answers = Vec::with_capacity(listed.len());
    for field in listed {
        if hash.get(field).is_none() {
            answers.push(Reply::Int(NO_FIELD));
            continue;
        }
        let current = hash.expire_at(field);
        let allowed = match (condition, current) {
            (Condition::Always, _) => true,
            (Condition::Nx, current) => current.is_none(),
            (Condition::Xx, current) => current.is_some(),
            (Condition::Gt, current) => current.is_some_and(|c| at > c),
            (Condition::Lt, current) => current.is_none_or(|c| at < c),
        };
        if !allowed {
            answers.push(Reply::Int(CONDITION_NOT_MET));
        } else if at <= now {
            hash.remove(field);
            answers.push(Reply::Int(DELETED));
        } else {
            hash.set_expire(field, at);
            answers.push(Reply::Int(SET));
        }
    }
    let count = |code: i64| answers.iter().filter(|a| **a == Reply::Int(code)).count();
    let (deleted, set) = (count(DELETED), count(SET));
    // A time already past deletes the fields, which Redis reports as HDEL.
    if deleted > 0 {
        removed::<Hash>(ctx, class::HASH, "hdel", key);
    }
    if set > 0 {
        ctx.db().track_field_ttls(key);
        ctx.modified(class::HASH, "hexpire", key);
    }
    Ok(Reply::Array(answers))
}

fn hexpire(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    set_generic(ctx, argv, "hexpire", 1000, true)
}

fn hpexpire(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    set_generic(ctx, argv, "hpexpire", 1, true)
}

fn hexpireat(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    set_generic(ctx, argv, "hexpireat", 1000, false)
}

fn hpexpireat(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    set_generic(ctx, argv, "hpexpireat", 1, false)
}

/// What HTTL and friends report for a field with a TTL.
#[derive(Clone, Copy)]
enum Report {
    /// Time left (seconds rounded up, or milliseconds).
    Remaining { millis: bool },
    /// The absolute expiry time (seconds rounded up, or milliseconds).
    Absolute { millis: bool },
}

fn get_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], report: Report) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let exists = read::<Hash>(ctx, key)?.is_some();
    let listed = fields(argv, 2, "Number of fields must be a positive integer")?;
    let now = ctx.now();
    let hash = if exists {
        read::<Hash>(ctx, key)?
    } else {
        None
    };
    let answers = listed
        .iter()
        .map(|field| {
            let Some(hash) = hash.as_ref().filter(|h| h.get(field).is_some()) else {
                return Reply::Int(NO_FIELD);
            };
            let Some(at) = hash.expire_at(field) else {
                return Reply::Int(NO_TTL);
            };
            let (ms, millis) = match report {
                Report::Remaining { millis } => ((at - now).max(0), millis),
                Report::Absolute { millis } => (at, millis),
            };
            Reply::Int(if millis { ms } else { (ms + 999) / 1000 })
        })
        .collect();
    Ok(Reply::Array(answers))
}

fn httl(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    get_generic(ctx, argv, Report::Remaining { millis: false })
}

fn hpttl(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    get_generic(ctx, argv, Report::Remaining { millis: true })
}

fn hexpiretime(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    get_generic(ctx, argv, Report::Absolute { millis: false })
}

fn hpexpiretime(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    get_generic(ctx, argv, Report::Absolute { millis: true })
}

fn hpersist(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let exists = write::<Hash>(ctx, key)?.is_some();
    let listed = fields(argv, 2, "Number of fields must be a positive integer")?;
    let Some(hash) = (if exists {
        write::<Hash>(ctx, key)?
    } else {
        None
    }) else {
        return Ok(Reply::Array(
            listed.iter().map(|_| Reply::Int(NO_FIELD)).collect(),
        ));
    };
    let answers: Vec<Reply> = listed
        .iter()
        .map(|field| {
            if hash.get(field).is_none() {
                Reply::Int(NO_FIELD)
            } else if hash.persist(field) {
                Reply::Int(SET)
            } else {
                Reply::Int(NO_TTL)
            }
        })
        .collect();
    if answers.contains(&Reply::Int(SET)) {
        ctx.modified(class::HASH, "hpersist", key);
    }
    Ok(Reply::Array(answers))
}
