//! Hash commands: fields and values under one key. Field-level TTLs (Redis
//! 7.4's HEXPIRE family) come later; everything here is Redis 7.0.

use super::{
    arg, int_arg, int_reply, is_opt, one_key, read, removed, write, Arg, ArgKind, Body, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::long_double::LongDouble;
use crate::notify::class;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::types::{Hash, Value};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "hset",
        arity: -4,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(1) per field set.",
        summary: "Sets hash fields, creating the hash if needed; answers how many fields are new.",
        history: &[("4.0.0", "Several field-value pairs may be given.")],
        args: &[Arg::key("key", 0), Arg::block("field_value", &[Arg::new("field", ArgKind::String), Arg::new("value", ArgKind::String)]).multiple()],
        body: Body::Run(hset),
        ..BASE
    },
    Spec {
        name: "hsetnx",
        arity: 4,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RW", "insert"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(1)",
        summary: "Sets a hash field only if it does not exist; answers 1 or 0.",
        args: &[Arg::key("key", 0), Arg::new("field", ArgKind::String), Arg::new("value", ArgKind::String)],
        body: Body::Run(hsetnx),
        ..BASE
    },
    Spec {
        name: "hmset",
        arity: -4,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(N) for N fields set.",
        summary: "Sets several hash fields; the old form of HSET, answering OK.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("4.0.0"),
        replaced_by: Some("HSET with several field-value pairs"),
        args: &[Arg::key("key", 0), Arg::block("field_value", &[Arg::new("field", ArgKind::String), Arg::new("value", ArgKind::String)]).multiple()],
        body: Body::Run(hmset),
        ..BASE
    },
    Spec {
        name: "hget",
        arity: 3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(1)",
        summary: "Returns the value of a hash field, or nil.",
        args: &[Arg::key("key", 0), Arg::new("field", ArgKind::String)],
        body: Body::Run(hget),
        ..BASE
    },
    Spec {
        name: "hmget",
        arity: -3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(N) for N fields.",
        summary: "Returns the values of several hash fields, nil where a field is missing.",
        args: &[Arg::key("key", 0), Arg::new("field", ArgKind::String).multiple()],
        body: Body::Run(hmget),
        ..BASE
    },
    Spec {
        name: "hdel",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(N) for N fields removed.",
        summary: "Removes fields from a hash; answers how many existed.",
        history: &[("2.4.0", "Several fields may be given.")],
        args: &[Arg::key("key", 0), Arg::new("field", ArgKind::String).multiple()],
        body: Body::Run(hdel),
        ..BASE
    },
    Spec {
        name: "hlen",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(1)",
        summary: "Answers the number of fields in a hash.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(hlen),
        ..BASE
    },
    Spec {
        name: "hstrlen",
        arity: 3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "hash",
        since: "3.2.0",
        complexity: "O(1)",
        summary: "Answers the length of a hash field's value (0 if missing).",
        args: &[Arg::key("key", 0), Arg::new("field", ArgKind::String)],
        body: Body::Run(hstrlen),
        ..BASE
    },
    Spec {
        name: "hexists",
        arity: 3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(1)",
        summary: "Answers 1 if a hash has the field, else 0.",
        args: &[Arg::key("key", 0), Arg::new("field", ArgKind::String)],
        body: Body::Run(hexists),
        ..BASE
    },
    Spec {
        name: "hgetall",
        arity: 2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@slow"],
        tips: &["nondeterministic_output_order"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(N) for a hash of N fields.",
        summary: "Returns every field and value of a hash.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(hgetall),
        ..BASE
    },
    Spec {
        name: "hkeys",
        arity: 2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@slow"],
        tips: &["nondeterministic_output_order"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(N) for a hash of N fields.",
        summary: "Returns every field name of a hash.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(hkeys),
        ..BASE
    },
    Spec {
        name: "hvals",
        arity: 2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@slow"],
        tips: &["nondeterministic_output_order"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(N) for a hash of N fields.",
        summary: "Returns every value of a hash.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(hvals),
        ..BASE
    },
    Spec {
        name: "hincrby",
        arity: 4,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "hash",
        since: "2.0.0",
        complexity: "O(1)",
        summary: "Adds an integer to the integer in a hash field (0 if missing); answers the result.",
        args: &[Arg::key("key", 0), Arg::new("field", ArgKind::String), Arg::new("increment", ArgKind::Integer)],
        body: Body::Run(hincrby),
        ..BASE
    },
    Spec {
        name: "hincrbyfloat",
        arity: 4,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@hash", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "hash",
        since: "2.6.0",
        complexity: "O(1)",
        summary: "Adds a decimal number to the number in a hash field (0 if missing), with long double precision.",
        args: &[Arg::key("key", 0), Arg::new("field", ArgKind::String), Arg::new("increment", ArgKind::Double)],
        body: Body::Run(hincrbyfloat),
        ..BASE
    },
    Spec {
        name: "hrandfield",
        arity: -2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "hash",
        since: "6.2.0",
        complexity: "O(N) for N fields returned.",
        summary: "Returns random fields of a hash, distinct for a positive count, possibly repeated for a negative one, optionally with values.",
        args: &[Arg::key("key", 0), Arg::block("options", &[Arg::new("count", ArgKind::Integer), Arg::pure_token("withvalues", "WITHVALUES").optional()]).optional()],
        body: Body::Run(hrandfield),
        ..BASE
    },
    Spec {
        name: "hscan",
        arity: -3,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@hash", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "hash",
        since: "2.8.0",
        complexity: "O(1) per call; O(N) to walk the whole hash.",
        summary: "Walks the fields (and values, unless NOVALUES) of a hash with a cursor, optionally filtered by pattern.",
        history: &[("7.4.0", "The NOVALUES option arrived.")],
        args: &[Arg::key("key", 0), Arg::new("cursor", ArgKind::Integer), Arg::new("pattern", ArgKind::Pattern).token("MATCH").optional(), Arg::new("count", ArgKind::Integer).token("COUNT").optional(), Arg::pure_token("novalues", "NOVALUES").optional()],
        body: Body::Run(hscan),
        ..BASE
    },
];

/// The hash at `key`, created empty if missing (Redis's
/// `hashTypeLookupWriteOrCreate`); the caller must leave it non-empty.
fn hash_or_create<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Result<&'a mut Hash, CmdError> {
    let now = ctx.now();
    match ctx
        .db()
        .get_or_insert(key, now, || Value::Hash(Box::default()))
    {
        Some(Value::Hash(h)) => Ok(h),
        _ => Err(CmdError::WrongType),
    }
}

fn hset_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], name: &str) -> Result<usize, CmdError> {
    let pairs = argv.get(2..).unwrap_or_default();
    if pairs.len() % 2 == 1 {
        return Err(CmdError::WrongArity(name.to_string()));
    }
    let limits = ctx.server.limits;
    let key = arg(argv, 1);
    let hash = hash_or_create(ctx, key)?;
    let added = pairs
        .chunks_exact(2)
        .filter(|pair| hash.set(pair[0], pair[1].to_vec(), &limits))
        .count();
    // Reported even when every field kept its value.
    ctx.modified(class::HASH, "hset", key);
    Ok(added)
}

fn hset(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    hset_generic(ctx, argv, "hset").map(int_reply)
}

fn hmset(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    hset_generic(ctx, argv, "hmset").map(|_| Reply::ok())
}

fn hsetnx(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (field, value) = (arg(argv, 2), arg(argv, 3));
    let limits = ctx.server.limits;
    let key = arg(argv, 1);
    let hash = hash_or_create(ctx, key)?;
    if hash.get(field).is_some() {
        return Ok(Reply::Int(0));
    }
    hash.set(field, value.to_vec(), &limits);
    ctx.modified(class::HASH, "hset", key);
    Ok(Reply::Int(1))
}

fn hget(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let value = read::<Hash>(ctx, arg(argv, 1))?.and_then(|h| h.get(arg(argv, 2)).cloned());
    Ok(value.map_or(Reply::Nil, Reply::Bulk))
}

fn hmget(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let hash = read::<Hash>(ctx, arg(argv, 1))?;
    let fields = argv.get(2..).unwrap_or_default();
    Ok(Reply::Array(
        fields
            .iter()
            .map(|f| {
                hash.as_ref()
                    .and_then(|h| h.get(f))
                    .map_or(Reply::Nil, |v| Reply::bulk(v))
            })
            .collect(),
    ))
}

fn hdel(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let Some(hash) = write::<Hash>(ctx, key)? else {
        return Ok(Reply::Int(0));
    };
    let gone = argv.iter().skip(2).filter(|f| hash.remove(f)).count();
    if gone > 0 {
        removed::<Hash>(ctx, class::HASH, "hdel", key);
    }
    Ok(int_reply(gone))
}

fn hlen(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(int_reply(
        read::<Hash>(ctx, arg(argv, 1))?.map_or(0, |h| h.len()),
    ))
}

fn hstrlen(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let len = read::<Hash>(ctx, arg(argv, 1))?
        .and_then(|h| h.get(arg(argv, 2)).map(Vec::len))
        .unwrap_or(0);
    Ok(int_reply(len))
}

fn hexists(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let found = read::<Hash>(ctx, arg(argv, 1))?.is_some_and(|h| h.get(arg(argv, 2)).is_some());
    Ok(Reply::Int(i64::from(found)))
}

/// Which parts of each entry HGETALL, HKEYS and HVALS return.
#[derive(Clone, Copy)]
enum Parts {
    Both,
    Fields,
    Values,
}

fn dump(ctx: &mut Ctx<'_>, argv: &[&[u8]], parts: Parts) -> Result<Reply, CmdError> {
    let Some(hash) = read::<Hash>(ctx, arg(argv, 1))? else {
        return Ok(match parts {
            Parts::Both => Reply::Map(Vec::new()),
            _ => Reply::Array(Vec::new()),
        });
    };
    let entries = hash.iter();
    Ok(match parts {
        Parts::Both => Reply::Map(
            entries
                .map(|(f, v)| (Reply::bulk(f), Reply::bulk(v)))
                .collect(),
        ),
        Parts::Fields => Reply::Array(entries.map(|(f, _)| Reply::bulk(f)).collect()),
        Parts::Values => Reply::Array(entries.map(|(_, v)| Reply::bulk(v)).collect()),
    })
}

fn hgetall(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    dump(ctx, argv, Parts::Both)
}

fn hkeys(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    dump(ctx, argv, Parts::Fields)
}

fn hvals(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    dump(ctx, argv, Parts::Values)
}

fn hincrby(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let delta = int_arg(arg(argv, 3))?;
    let (key, field) = (arg(argv, 1), arg(argv, 2));
    let limits = ctx.server.limits;
    let hash = hash_or_create(ctx, key)?;
    let current = match hash.get(field) {
        Some(v) => crate::number::parse_i64(v)
            .ok_or_else(|| CmdError::Other("ERR hash value is not an integer".to_string()))?,
        None => 0,
    };
    let value = current
        .checked_add(delta)
        .ok_or_else(|| CmdError::Other("ERR increment or decrement would overflow".to_string()))?;
    hash.set_keep_ttl(field, value.to_string().into_bytes(), &limits);
    ctx.modified(class::HASH, "hincrby", key);
    Ok(Reply::Int(value))
}

fn hincrbyfloat(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let delta = LongDouble::parse(arg(argv, 3))
        .ok_or_else(|| CmdError::Other("ERR value is not a valid float".to_string()))?;
    if !delta.is_finite() {
        return Err(CmdError::Other("ERR value is NaN or Infinity".to_string()));
    }
    let (key, field) = (arg(argv, 1), arg(argv, 2));
    let limits = ctx.server.limits;
    let hash = hash_or_create(ctx, key)?;
    let current = match hash.get(field) {
        Some(v) => LongDouble::parse(v)
            .ok_or_else(|| CmdError::Other("ERR hash value is not a float".to_string()))?,
        None => LongDouble::ZERO,
    };
    let sum = current + delta;
    if !sum.is_finite() {
        return Err(CmdError::Other(
            "ERR increment would produce NaN or Infinity".to_string(),
        ));
    }
    let text = sum.to_human_string().into_bytes();
    hash.set_keep_ttl(field, text.clone(), &limits);
    ctx.modified(class::HASH, "hincrbyfloat", key);
    Ok(Reply::Bulk(text))
}

fn hrandfield(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let requested = match argv.get(2) {
        None => None,
        Some(raw) => {
            let n = int_arg(raw)?;
            if n == i64::MIN {
                return Err(CmdError::Other(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
                        .to_string(),
                ));
            }
            Some(n)
        }
    };
    let with_values = match argv.get(3) {
        None => false,
        Some(word) if argv.len() == 4 && is_opt(word, "WITHVALUES") => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    if with_values && requested.is_some_and(|n| !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&n)) {
        return Err(CmdError::Other("ERR value is out of range".to_string()));
    }
    let resp3 = ctx.client.proto == Protocol::Resp3;
    let now = ctx.now();
    let index = ctx.client.db;
    let server = &mut *ctx.server;
    let Some(db) = server.dbs.get_mut(index) else {
        return Ok(Reply::Nil);
    };
    let hash = match db.read(arg(argv, 1), now) {
        Some(Value::Hash(h)) => h,
        Some(_) => return Err(CmdError::WrongType),
        None => {
            return Ok(if requested.is_some() {
                Reply::Array(Vec::new())
            } else {
                Reply::Nil
            })
        }
    };
    let rng = &mut server.rng;
    let Some(n) = requested else {
        let i = rng.below(hash.len());
        return Ok(hash
            .get_index(i)
            .map_or(Reply::Nil, |(f, _)| Reply::bulk(f)));
    };
    let picks = super::random_picks(rng, hash.len(), n)?;
    let mut out = Vec::with_capacity(picks.len() * if with_values { 2 } else { 1 });
    for i in picks {
        let Some((field, value)) = hash.get_index(i) else {
            continue;
        };
        match (with_values, resp3) {
            (true, true) => out.push(Reply::Array(vec![Reply::bulk(field), Reply::bulk(value)])),
            (true, false) => out.extend([Reply::bulk(field), Reply::bulk(value)]),
            (false, _) => out.push(Reply::bulk(field)),
        }
    }
    Ok(Reply::Array(out))
}

/// HSCAN: a listpack hash comes whole, as in Redis; a hashtable is paged
/// (see `scan::collection_positions`).
fn hscan(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    // Redis reads the cursor, then the key, then the options.
    let cursor = super::scan::parse_cursor(arg(argv, 2))?;
    let Some(hash) = read::<Hash>(ctx, arg(argv, 1))? else {
        return Ok(super::scan::scan_reply(0, Vec::new()));
    };
    let opts = super::scan::parse_scan_options(argv, 3, super::scan::Extra::NoValues)?;
    let matches = super::scan::pattern_filter(opts.pattern);
    let mut items = Vec::new();
    let mut visit = |field: &Vec<u8>, value: &Vec<u8>| {
        if matches(field) {
            items.push(Reply::bulk(field));
            if !opts.no_values {
                items.push(Reply::bulk(value));
            }
        }
    };
    let next = if hash.is_paged() {
        let (positions, next) =
            super::scan::collection_positions(true, hash.len(), cursor, opts.count);
        for (field, value) in positions.into_iter().filter_map(|i| hash.get_index(i)) {
            visit(field, value);
        }
        next
    } else {
        // A listpack's own order, which puts fields with a TTL first.
        for (field, value) in hash.iter() {
            visit(field, value);
        }
        0
    };
    Ok(super::scan::scan_reply(next, items))
}
