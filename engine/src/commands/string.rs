//! String commands: SET and its older forms (SETNX, SETEX, PSETEX, GETSET,
//! MSET, MSETNX), reads (GET, MGET, GETRANGE/SUBSTR, STRLEN, GETDEL, GETEX),
//! and in-place edits (APPEND, SETRANGE).

use super::{
    again, all_keys, arg, int_arg, is_opt, one_key, read, write, Arg, ArgKind, BeginSearch, Body,
    FindKeys, KeySpec, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;
use crate::types::{RString, Value};

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
    Spec {
        name: "append",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(None, &["RW", "insert"])],
        group: "string",
        since: "2.0.0",
        complexity: "O(1) amortized per call: the value grows in place.",
        summary: "Appends to the string at a key (creating it); answers the new length.",
        args: &[Arg::key("key", 0), Arg::new("value", ArgKind::String)],
        body: Body::Run(append),
        ..BASE
    },
    Spec {
        name: "getdel",
        arity: 2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "delete"])],
        group: "string",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Returns the string at a key and deletes the key.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(getdel),
        ..BASE
    },
    Spec {
        name: "getex",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(Some("RW and UPDATE because it changes the TTL"), &["RW", "access", "update"])],
        group: "string",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Returns the string at a key and sets or clears its time to live.",
        args: &[Arg::key("key", 0), Arg::one_of("expiration", &[Arg::new("seconds", ArgKind::Integer).token("EX"), Arg::new("milliseconds", ArgKind::Integer).token("PX"), Arg::new("unix-time-seconds", ArgKind::UnixTime).token("EXAT"), Arg::new("unix-time-milliseconds", ArgKind::UnixTime).token("PXAT"), Arg::pure_token("persist", "PERSIST")]).optional()],
        body: Body::Run(getex),
        ..BASE
    },
    Spec {
        name: "getrange",
        arity: 4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@string", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "string",
        since: "2.4.0",
        complexity: "O(N) for the N bytes returned.",
        summary: "Returns the bytes between two offsets, inclusive; negative offsets count from the end.",
        args: &[Arg::key("key", 0), Arg::new("start", ArgKind::Integer), Arg::new("end", ArgKind::Integer)],
        body: Body::Run(getrange),
        ..BASE
    },
    Spec {
        name: "getset",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "string",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Stores a new string and returns the old one.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("SET with the GET option"),
        args: &[Arg::key("key", 0), Arg::new("value", ArgKind::String)],
        body: Body::Run(getset),
        ..BASE
    },
    Spec {
        name: "mget",
        arity: -2,
        flags: &["readonly", "fast"],
        keys: (1, -1, 1),
        acl: &["@read", "@string", "@fast"],
        tips: &["request_policy:multi_shard"],
        key_specs: &[all_keys(&["RO", "access"])],
        group: "string",
        since: "1.0.0",
        complexity: "O(N) for N keys.",
        summary: "Returns the strings at several keys, nil for missing or non-string keys.",
        args: &[Arg::key("key", 0).multiple()],
        body: Body::Run(mget),
        ..BASE
    },
    Spec {
        name: "mset",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, -1, 2),
        acl: &["@write", "@string", "@slow"],
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        key_specs: &[KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: -1, key_step: 2, limit: 0 } }],
        group: "string",
        since: "1.0.1",
        complexity: "O(N) for N keys.",
        summary: "Stores several strings at once.",
        args: &[Arg::block("key_value", &[Arg::key("key", 0), Arg::new("value", ArgKind::String)]).multiple()],
        body: Body::Run(mset),
        ..BASE
    },
    Spec {
        name: "msetnx",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, -1, 2),
        acl: &["@write", "@string", "@slow"],
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        key_specs: &[KeySpec { notes: None, flags: &["OW", "insert"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: -1, key_step: 2, limit: 0 } }],
        group: "string",
        since: "1.0.1",
        complexity: "O(N) for N keys.",
        summary: "Stores several strings only if none of the keys exists; answers 1 or 0.",
        args: &[Arg::block("key_value", &[Arg::key("key", 0), Arg::new("value", ArgKind::String)]).multiple()],
        body: Body::Run(msetnx),
        ..BASE
    },
    Spec {
        name: "psetex",
        arity: 4,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@slow"],
        key_specs: &[one_key(None, &["OW", "update"])],
        group: "string",
        since: "2.6.0",
        complexity: "O(1)",
        summary: "Stores a string with a time to live in milliseconds.",
        args: &[Arg::key("key", 0), Arg::new("milliseconds", ArgKind::Integer), Arg::new("value", ArgKind::String)],
        body: Body::Run(psetex),
        ..BASE
    },
    Spec {
        name: "setex",
        arity: 4,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@slow"],
        key_specs: &[one_key(None, &["OW", "update"])],
        group: "string",
        since: "2.0.0",
        complexity: "O(1)",
        summary: "Stores a string with a time to live in seconds.",
        args: &[Arg::key("key", 0), Arg::new("seconds", ArgKind::Integer), Arg::new("value", ArgKind::String)],
        body: Body::Run(setex),
        ..BASE
    },
    Spec {
        name: "setnx",
        arity: 3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@fast"],
        key_specs: &[one_key(None, &["OW", "insert"])],
        group: "string",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Stores a string only if the key does not exist; answers 1 or 0.",
        args: &[Arg::key("key", 0), Arg::new("value", ArgKind::String)],
        body: Body::Run(setnx),
        ..BASE
    },
    Spec {
        name: "setrange",
        arity: 4,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@write", "@string", "@slow"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "string",
        since: "2.2.0",
        complexity: "O(1) plus the cost of copying the new bytes; growing pads with zero bytes.",
        summary: "Overwrites part of a string from an offset, padding with zero bytes; answers the new length.",
        args: &[Arg::key("key", 0), Arg::new("offset", ArgKind::Integer), Arg::new("value", ArgKind::String)],
        body: Body::Run(setrange),
        ..BASE
    },
    Spec {
        name: "strlen",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@string", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "string",
        since: "2.2.0",
        complexity: "O(1)",
        summary: "Answers the length in bytes of the string at a key.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(strlen),
        ..BASE
    },
    Spec {
        name: "substr",
        arity: 4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@string", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "string",
        since: "1.0.0",
        complexity: "O(N) for the N bytes returned.",
        summary: "Returns the bytes between two offsets; the old name of GETRANGE.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("2.0.0"),
        replaced_by: Some("GETRANGE"),
        args: &[Arg::key("key", 0), Arg::new("start", ArgKind::Integer), Arg::new("end", ArgKind::Integer)],
        body: Body::Run(getrange),
        ..BASE
    },
];

/// The error for values past `proto-max-bulk-len`.
fn too_big() -> CmdError {
    CmdError::Other("ERR string exceeds maximum allowed size (proto-max-bulk-len)".to_string())
}

fn bulk_of(s: Option<&mut RString>) -> Reply {
    s.map_or(Reply::Nil, |s| Reply::Bulk(s.as_bytes().into_owned()))
}

/// How an expiry argument is to be read.
#[derive(Clone, Copy, PartialEq)]
enum ExpiryUnit {
    RelativeSeconds,
    RelativeMillis,
    AbsoluteSeconds,
    AbsoluteMillis,
}

impl ExpiryUnit {
    fn from_keyword(word: &[u8]) -> Option<ExpiryUnit> {
        [
            ("EX", Self::RelativeSeconds),
            ("PX", Self::RelativeMillis),
            ("EXAT", Self::AbsoluteSeconds),
            ("PXAT", Self::AbsoluteMillis),
        ]
        .into_iter()
        .find(|(name, _)| is_opt(word, name))
        .map(|(_, unit)| unit)
    }

    fn is_absolute(self) -> bool {
        matches!(self, Self::AbsoluteSeconds | Self::AbsoluteMillis)
    }
}

/// Which command's option set is being read.
#[derive(Clone, Copy, PartialEq)]
enum OptionsOf {
    Set,
    GetEx,
}

#[derive(Default)]
struct StringOptions<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expiry: Option<(ExpiryUnit, &'a [u8])>,
}

/// Reads SET's or GETEX's options with Redis's rules: conflicting options
/// are a syntax error; repeating a compatible one is allowed, the last wins.
fn parse_options<'a>(args: &[&'a [u8]], of: OptionsOf) -> Result<StringOptions<'a>, CmdError> {
    let mut opts = StringOptions::default();
    let set = of == OptionsOf::Set;
    let mut i = 0;
    while let Some(&opt) = args.get(i) {
        match (ExpiryUnit::from_keyword(opt), args.get(i + 1)) {
            (Some(unit), Some(&value))
                if !opts.keep_ttl
                    && !opts.persist
                    && opts.expiry.is_none_or(|(u, _)| u == unit) =>
            {
                opts.expiry = Some((unit, value));
                i += 1;
            }
            (Some(_), _) => return Err(CmdError::Syntax),
            (None, _) if set && is_opt(opt, "NX") && !opts.xx => opts.nx = true,
            (None, _) if set && is_opt(opt, "XX") && !opts.nx => opts.xx = true,
            (None, _) if set && is_opt(opt, "GET") => opts.get = true,
            (None, _) if set && is_opt(opt, "KEEPTTL") && opts.expiry.is_none() => {
                opts.keep_ttl = true
            }
            (None, _) if !set && is_opt(opt, "PERSIST") && opts.expiry.is_none() => {
                opts.persist = true
            }
            (None, _) => return Err(CmdError::Syntax),
        }
        i += 1;
    }
    Ok(opts)
}

/// Turns an expiry argument into an absolute unix time in milliseconds,
/// with Redis's errors naming `command`.
fn absolute_expiry(
    unit: ExpiryUnit,
    value: &[u8],
    now: i64,
    command: &str,
) -> Result<i64, CmdError> {
    let invalid = || CmdError::InvalidExpireTime(command.to_string());
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
    if unit.is_absolute() {
        Ok(millis)
    } else {
        millis
            .checked_add(now)
            .filter(|&at| at > 0)
            .ok_or_else(invalid)
    }
}

/// What a SET-like command does once its arguments are read.
struct SetRequest<'a> {
    key: &'a [u8],
    value: &'a [u8],
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    expire_at: Option<i64>,
}

/// Redis's `setGenericCommand`. Returns the previous value when `get` is
/// asked, and whether the write happened.
fn set_generic(ctx: &mut Ctx<'_>, req: SetRequest<'_>) -> Result<(Option<Reply>, bool), CmdError> {
    let old = if req.get {
        Some(bulk_of(read::<RString>(ctx, req.key)?))
    } else {
        None
    };
    let now = ctx.now();
    let db = ctx.db();
    let exists = db.contains(req.key, now);
    if (req.nx && exists) || (req.xx && !exists) {
        return Ok((old, false));
    }
    db.replace(
        req.key,
        Value::String(RString::from_arg(req.value)),
        req.keep_ttl,
        now,
    );
    if let Some(at) = req.expire_at {
        db.set_expire(req.key, at);
    }
    ctx.modified(class::STRING, "set", req.key);
    if req.expire_at.is_some() {
        ctx.notify(class::GENERIC, "expire", req.key);
    }
    Ok((old, true))
}

fn set(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let opts = parse_options(argv.get(3..).unwrap_or_default(), OptionsOf::Set)?;
    let now = ctx.now();
    let expire_at = match opts.expiry {
        Some((unit, amount)) => Some(absolute_expiry(unit, amount, now, "set")?),
        None => None,
    };
    let req = SetRequest {
        key: arg(argv, 1),
        value: arg(argv, 2),
        nx: opts.nx,
        xx: opts.xx,
        get: opts.get,
        keep_ttl: opts.keep_ttl,
        expire_at,
    };
    let (old, written) = set_generic(ctx, req)?;
    Ok(match old {
        Some(old) => old,
        None if written => Reply::ok(),
        None => Reply::Nil,
    })
}

/// A plain overwrite with optional expiry: SETEX, PSETEX, SETNX, GETSET.
fn plain_set<'a>(key: &'a [u8], value: &'a [u8]) -> SetRequest<'a> {
    SetRequest {
        key,
        value,
        nx: false,
        xx: false,
        get: false,
        keep_ttl: false,
        expire_at: None,
    }
}

fn setex_generic(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    unit: ExpiryUnit,
    command: &str,
) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let at = absolute_expiry(unit, arg(argv, 2), now, command)?;
    set_generic(
        ctx,
        SetRequest {
            expire_at: Some(at),
            ..plain_set(arg(argv, 1), arg(argv, 3))
        },
    )?;
    Ok(Reply::ok())
}

fn setex(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    setex_generic(ctx, argv, ExpiryUnit::RelativeSeconds, "setex")
}

fn psetex(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    setex_generic(ctx, argv, ExpiryUnit::RelativeMillis, "psetex")
}

fn setnx(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (_, written) = set_generic(
        ctx,
        SetRequest {
            nx: true,
            ..plain_set(arg(argv, 1), arg(argv, 2))
        },
    )?;
    Ok(Reply::Int(i64::from(written)))
}

fn getset(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (old, _) = set_generic(
        ctx,
        SetRequest {
            get: true,
            ..plain_set(arg(argv, 1), arg(argv, 2))
        },
    )?;
    Ok(old.unwrap_or(Reply::Nil))
}

fn get(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(bulk_of(read::<RString>(ctx, arg(argv, 1))?))
}

fn getdel(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let reply = bulk_of(read::<RString>(ctx, key)?);
    if ctx.db().remove(key) {
        ctx.deleted(key);
    }
    Ok(reply)
}

fn getex(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let opts = parse_options(argv.get(2..).unwrap_or_default(), OptionsOf::GetEx)?;
    // Redis checks the key and its type before the expiry's value.
    let Some(value) = read::<RString>(ctx, key)? else {
        return Ok(Reply::Nil);
    };
    let reply = Reply::Bulk(value.as_bytes().into_owned());
    let now = ctx.now();
    let expiry = match opts.expiry {
        Some((unit, amount)) => Some((unit, absolute_expiry(unit, amount, now, "getex")?)),
        None => None,
    };
    let db = ctx.db();
    match expiry {
        // An absolute time already past deletes the key, as Redis does.
        Some((unit, at)) if unit.is_absolute() && at <= now => {
            db.remove(key);
            ctx.deleted(key);
        }
        Some((_, at)) => {
            db.set_expire(key, at);
            ctx.modified(class::GENERIC, "expire", key);
        }
        None if opts.persist && db.persist(key) => {
            ctx.modified(class::GENERIC, "persist", key);
        }
        None => {}
    }
    Ok(reply)
}

fn mget(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let db = ctx.db();
    let values = argv
        .iter()
        .skip(1)
        .map(|key| match db.read(key, now) {
            Some(Value::String(s)) => Reply::Bulk(s.as_bytes().into_owned()),
            _ => Reply::Nil,
        })
        .collect();
    Ok(Reply::Array(values))
}

/// The key/value pairs of MSET and MSETNX, or the arity error when odd.
fn pairs<'a, 'b>(argv: &'b [&'a [u8]], command: &str) -> Result<&'b [&'a [u8]], CmdError> {
    let pairs = argv.get(1..).unwrap_or_default();
    if pairs.len() % 2 == 1 {
        return Err(CmdError::WrongArity(command.to_string()));
    }
    Ok(pairs)
}

fn mset(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    store_pairs(ctx, pairs(argv, "mset")?);
    Ok(Reply::ok())
}

/// MSET's and MSETNX's writes: each key set and announced in turn.
fn store_pairs(ctx: &mut Ctx<'_>, pairs: &[&[u8]]) {
    let now = ctx.now();
    for pair in pairs.chunks_exact(2) {
        let (key, value) = (pair[0], pair[1]);
        ctx.db().set(
            key.to_vec(),
            Value::String(RString::from_arg(value)),
            false,
            now,
        );
        ctx.modified(class::STRING, "set", key);
    }
}

fn msetnx(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let pairs = pairs(argv, "msetnx")?;
    let now = ctx.now();
    let db = ctx.db();
    if pairs.chunks_exact(2).any(|pair| db.contains(pair[0], now)) {
        return Ok(Reply::Int(0));
    }
    store_pairs(ctx, pairs);
    Ok(Reply::Int(1))
}

fn strlen(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let len = read::<RString>(ctx, arg(argv, 1))?.map_or(0, |s| s.len());
    Ok(Reply::Int(i64::try_from(len).unwrap_or(i64::MAX)))
}

fn getrange(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let start = int_arg(arg(argv, 2))?;
    let end = int_arg(arg(argv, 3))?;
    let Some(value) = read::<RString>(ctx, arg(argv, 1))? else {
        return Ok(Reply::Bulk(Vec::new()));
    };
    let bytes = value.as_bytes();
    let len = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    // Redis's order of adjustments, including its quirks for negative ranges.
    if start < 0 && end < 0 && start > end {
        return Ok(Reply::Bulk(Vec::new()));
    }
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let end = if end < 0 { (len + end).max(0) } else { end }.min(len - 1);
    if start > end || len == 0 {
        return Ok(Reply::Bulk(Vec::new()));
    }
    let range = usize::try_from(start).unwrap_or(0)..=usize::try_from(end).unwrap_or(0);
    Ok(Reply::Bulk(bytes.get(range).unwrap_or_default().to_vec()))
}

fn append(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (key, tail) = (arg(argv, 1), arg(argv, 2));
    let max = ctx.server.config.proto_max_bulk_len;
    let len = match write::<RString>(ctx, key)? {
        Some(value) => {
            if value.len().saturating_add(tail.len()) > max {
                return Err(too_big());
            }
            value.modify(|bytes| {
                bytes.extend_from_slice(tail);
                bytes.len()
            })
        }
        None => {
            let now = ctx.now();
            ctx.db()
                .replace(key, Value::String(RString::from_arg(tail)), false, now);
            tail.len()
        }
    };
    ctx.modified(class::STRING, "append", key);
    Ok(Reply::Int(i64::try_from(len).unwrap_or(i64::MAX)))
}

fn setrange(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (key, patch) = (arg(argv, 1), arg(argv, 3));
    let offset = int_arg(arg(argv, 2))?;
    let offset = usize::try_from(offset)
        .map_err(|_| CmdError::Other("ERR offset is out of range".to_string()))?;
    let max = ctx.server.config.proto_max_bulk_len;
    // Redis checks the type, then answers an empty patch with the current
    // length, then checks the size, and only then writes.
    let current = write::<RString>(ctx, key)?.map(|v| v.len());
    if patch.is_empty() {
        return Ok(Reply::Int(
            i64::try_from(current.unwrap_or(0)).unwrap_or(i64::MAX),
        ));
    }
    let end = offset
        .checked_add(patch.len())
        .filter(|&n| n <= max)
        .ok_or_else(too_big)?;
    let patch_in = |bytes: &mut Vec<u8>| {
        if bytes.len() < end {
            bytes.resize(end, 0);
        }
        bytes[offset..end].copy_from_slice(patch);
        bytes.len()
    };
    let len = match again::<RString>(ctx, key)? {
        Some(value) => value.modify(patch_in),
        None => {
            let mut bytes = Vec::new();
            let len = patch_in(&mut bytes);
            let now = ctx.now();
            ctx.db().replace(
                key,
                Value::String(RString::Bytes {
                    data: bytes,
                    raw: true,
                }),
                false,
                now,
            );
            len
        }
    };
    ctx.modified(class::STRING, "setrange", key);
    Ok(Reply::Int(i64::try_from(len).unwrap_or(i64::MAX)))
}
