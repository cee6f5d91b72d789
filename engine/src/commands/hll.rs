//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, and the debugging pair
//! PFDEBUG and PFSELFTEST. Sketches are ordinary string values in Redis's
//! byte layout (`types::hll`); like Redis, every command that may rewrite a
//! sketch (PFCOUNT stores its cache in it) first makes the string `raw`.

use super::{
    arg, is_opt, one_key, read, Arg, ArgKind, BeginSearch, Body, FindKeys, KeySpec, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;
use crate::types::hll::{self, Encoding, HllError, Registers};
use crate::types::{RString, Value};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "pfadd",
        arity: -2,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@hyperloglog", "@fast"],
        key_specs: &[one_key(None, &["RW", "insert"])],
        group: "hyperloglog",
        since: "2.8.9",
        complexity: "O(1) per element added.",
        summary: "Feeds elements to the HyperLogLog at a key (creating it); answers 1 if its estimate may have changed.",
        args: &[Arg::key("key", 0), Arg::new("element", ArgKind::String).optional().multiple()],
        body: Body::Run(pfadd),
        ..BASE
    },
    Spec {
        name: "pfcount",
        arity: -2,
        flags: &["readonly"],
        keys: (1, -1, 1),
        acl: &["@read", "@hyperloglog", "@slow"],
        key_specs: &[KeySpec { notes: Some("RW because it may change the internal representation of the key, and propagate to replicas"), flags: &["RW", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: -1, key_step: 1, limit: 0 } }],
        group: "hyperloglog",
        since: "2.8.9",
        complexity: "O(1) for one key whose estimate is cached; O(N) over the keys otherwise, with a large constant per key.",
        summary: "Estimates how many distinct elements one HyperLogLog, or the union of several, has seen.",
        args: &[Arg::key("key", 0).multiple()],
        body: Body::Run(pfcount),
        ..BASE
    },
    Spec {
        name: "pfmerge",
        arity: -2,
        flags: &["write", "denyoom"],
        keys: (1, -1, 1),
        acl: &["@write", "@hyperloglog", "@slow"],
        key_specs: &[one_key(None, &["RW", "access", "insert"]), KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: -1, key_step: 1, limit: 0 } }],
        group: "hyperloglog",
        since: "2.8.9",
        complexity: "O(N) for N sketches, each costing a pass over its registers.",
        summary: "Folds HyperLogLogs into a destination one, which then estimates their union.",
        args: &[Arg::key("destkey", 0), Arg::key("sourcekey", 1).multiple()],
        body: Body::Run(pfmerge),
        ..BASE
    },
    Spec {
        name: "pfdebug",
        arity: 3,
        flags: &["write", "denyoom", "admin"],
        keys: (2, 2, 1),
        acl: &["@write", "@hyperloglog", "@admin", "@slow", "@dangerous"],
        key_specs: &[KeySpec { notes: None, flags: &["RW", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "hyperloglog",
        since: "2.8.9",
        complexity: "O(N) in the size of the sketch.",
        summary: "Inspects a HyperLogLog's insides: GETREG, DECODE, ENCODING or TODENSE.",
        doc_flags: &["syscmd"],
        args: &[Arg::new("subcommand", ArgKind::String), Arg::key("key", 0)],
        body: Body::Run(pfdebug),
        ..BASE
    },
    Spec {
        name: "pfselftest",
        arity: 1,
        flags: &["admin"],
        acl: &["@hyperloglog", "@admin", "@slow", "@dangerous"],
        group: "hyperloglog",
        since: "2.8.9",
        complexity: "Fixed work: a few hundred thousand hashed elements.",
        summary: "Checks the HyperLogLog code against its own invariants and answers OK.",
        doc_flags: &["syscmd"],
        body: Body::Run(pfselftest),
        ..BASE
    },
];

fn hll_error(e: HllError) -> CmdError {
    CmdError::Other(
        match e {
            HllError::NotHll => "WRONGTYPE Key is not a valid HyperLogLog string value.",
            HllError::Corrupt => "INVALIDOBJ Corrupted HLL object detected",
        }
        .to_string(),
    )
}

/// Redis's check that a string holds a sketch, with its encoding.
fn checked(s: &RString) -> Result<Encoding, CmdError> {
    hll::check(&s.as_bytes()).map_err(hll_error)
}

/// A sketch as PFADD and PFMERGE create it: an edited-in-place (`raw`) string.
fn fresh() -> Value {
    Value::String(RString::Bytes {
        data: hll::empty(),
        raw: true,
    })
}

fn pfadd(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let sparse_max = ctx.server.limits.hll_sparse_max_bytes;
    let now = ctx.now();
    let mut created = false;
    let value = ctx.db().get_or_insert(arg(argv, 1), now, || {
        created = true;
        fresh()
    });
    let Some(Value::String(s)) = value else {
        return Err(CmdError::WrongType);
    };
    if !created {
        checked(s)?;
    }
    let elements = argv.get(2..).unwrap_or_default();
    let changed = s.modify(|bytes| {
        let mut changed = created;
        for element in elements {
            // On a damaged sketch Redis stops here, keeping the registers
            // already raised, without marking the cache stale.
            changed |= hll::add(bytes, element, sparse_max).map_err(hll_error)?;
        }
        if changed {
            hll::invalidate(bytes);
        }
        Ok(changed)
    })?;
    if changed {
        ctx.modified(class::STRING, "pfadd", arg(argv, 1));
    }
    Ok(Reply::Int(i64::from(changed)))
}

/// Redis replies with the estimate's 64 bits read as a signed integer.
fn count_reply(n: u64) -> Reply {
    Reply::Int(i64::from_ne_bytes(n.to_ne_bytes()))
}

fn pfcount(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let keys = argv.get(1..).unwrap_or_default();
    if keys.len() > 1 {
        // The union goes into scratch registers; no key's cache is touched.
        let mut union = Registers::default();
        for key in keys {
            if let Some(s) = read::<RString>(ctx, key)? {
                checked(s)?;
                union.merge(&s.as_bytes()).map_err(hll_error)?;
            }
        }
        return Ok(count_reply(union.estimate()));
    }
    let key = arg(argv, 1);
    let Some(s) = read::<RString>(ctx, key)? else {
        return Ok(Reply::Int(0));
    };
    checked(s)?;
    let (n, stored) = s.modify(|bytes| match hll::cached_count(bytes) {
        Some(n) => Ok((n, false)),
        None => {
            let n = hll::count(bytes).map_err(hll_error)?;
            hll::store_count(bytes, n);
            Ok((n, true))
        }
    })?;
    // Storing the count changed the value: a WATCH on the key sees it.
    if stored {
        ctx.signal_modified(key);
    }
    Ok(count_reply(n))
}

fn pfmerge(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut union = Registers::default();
    let mut any_dense = false;
    // The destination is read as a source too.
    for key in argv.iter().skip(1) {
        if let Some(s) = read::<RString>(ctx, key)? {
            any_dense |= checked(s)? == Encoding::Dense;
            union.merge(&s.as_bytes()).map_err(hll_error)?;
        }
    }
    let sparse_max = ctx.server.limits.hll_sparse_max_bytes;
    let now = ctx.now();
    let dest = arg(argv, 1);
    let Some(Value::String(s)) = ctx.db().get_or_insert(dest, now, fresh) else {
        return Err(CmdError::WrongType);
    };
    s.modify(|bytes| {
        // With a dense input the result will be dense anyway; converting
        // first spares the sparse edits (and decides the bytes, as in Redis).
        if any_dense {
            hll::to_dense(bytes).map_err(hll_error)?;
        }
        union.raise(bytes, sparse_max).map_err(hll_error)
    })?;
    // Redis reports a merge as a "pfadd" event.
    ctx.modified(class::STRING, "pfadd", dest);
    Ok(Reply::ok())
}

fn pfdebug(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let sub = arg(argv, 1);
    let now = ctx.now();
    let Some(value) = ctx.db().get(arg(argv, 2), now) else {
        return Err(CmdError::Other(
            "ERR The specified key does not exist".to_string(),
        ));
    };
    let Value::String(s) = value else {
        return Err(CmdError::WrongType);
    };
    let encoding = checked(s)?;
    s.modify(|bytes| {
        if is_opt(sub, "GETREG") {
            hll::to_dense(bytes).map_err(hll_error)?;
            let registers = hll::dense_registers(bytes);
            Ok(Reply::Array(
                registers
                    .into_iter()
                    .map(|r| Reply::Int(r.into()))
                    .collect(),
            ))
        } else if is_opt(sub, "DECODE") {
            if encoding != Encoding::Sparse {
                return Err(CmdError::Other(
                    "ERR HLL encoding is not sparse".to_string(),
                ));
            }
            Ok(Reply::Bulk(hll::decode(bytes).into_bytes()))
        } else if is_opt(sub, "ENCODING") {
            Ok(Reply::Status(encoding.name().to_string()))
        } else if is_opt(sub, "TODENSE") {
            let converted = hll::to_dense(bytes).map_err(hll_error)?;
            Ok(Reply::Int(i64::from(converted)))
        } else {
            Err(CmdError::Other(format!(
                "ERR Unknown PFDEBUG subcommand '{}'",
                error_text(sub)
            )))
        }
    })
}

/// Client bytes inside an error line as Redis prints them there: up to the
/// first NUL (a C string), CR and LF turned into spaces.
fn error_text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let text: Vec<u8> = bytes
        .get(..end)
        .unwrap_or_default()
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect();
    String::from_utf8_lossy(&text).into_owned()
}

fn pfselftest(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    hll::self_test()
        .map(|()| Reply::ok())
        .map_err(|why| CmdError::Other(format!("TESTFAILED {why}")))
}
