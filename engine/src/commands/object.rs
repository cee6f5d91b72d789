//! OBJECT: how a key's value is stored (ENCODING, REFCOUNT) and how it is
//! used (IDLETIME, FREQ), the facts the playground's visualizers teach.

use super::{arg, Arg, BeginSearch, Body, FindKeys, KeySpec, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;
use crate::types::{RString, Value};

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "encoding",
        arity: 3,
        flags: &["readonly"],
        keys: (2, 2, 1),
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RO"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Range {
                last_key: 0,
                key_step: 1,
                limit: 0,
            },
        }],
        group: "generic",
        since: "2.2.3",
        complexity: "O(1)",
        summary: "Names the internal representation of a key's value.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(encoding),
        ..BASE
    },
    Spec {
        name: "freq",
        arity: 3,
        flags: &["readonly"],
        keys: (2, 2, 1),
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RO"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Range {
                last_key: 0,
                key_step: 1,
                limit: 0,
            },
        }],
        group: "generic",
        since: "4.0.0",
        complexity: "O(1)",
        summary: "The logarithmic access counter of a key, under an LFU eviction policy.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(freq),
        ..BASE
    },
    Spec {
        name: "idletime",
        arity: 3,
        flags: &["readonly"],
        keys: (2, 2, 1),
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RO"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Range {
                last_key: 0,
                key_step: 1,
                limit: 0,
            },
        }],
        group: "generic",
        since: "2.2.3",
        complexity: "O(1)",
        summary: "Seconds since a key was last read or written.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(idletime),
        ..BASE
    },
    Spec {
        name: "refcount",
        arity: 3,
        flags: &["readonly"],
        keys: (2, 2, 1),
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec {
            notes: None,
            flags: &["RO"],
            begin: BeginSearch::Index(2),
            find: FindKeys::Range {
                last_key: 0,
                key_step: 1,
                limit: 0,
            },
        }],
        group: "generic",
        since: "2.2.3",
        complexity: "O(1)",
        summary: "How many references the key's value has (shared integers report a huge count).",
        args: &[Arg::key("key", 0)],
        body: Body::Run(refcount),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@keyspace", "@slow"],
        group: "generic",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Explains the OBJECT subcommands.",
        body: Body::Run(help),
        ..BASE
    },
];

pub const SPECS: &[Spec] = &[Spec {
    name: "object",
    arity: -2,
    acl: &["@slow"],
    group: "generic",
    since: "2.2.3",
    complexity: "Depends on the subcommand.",
    summary: "Inspects how a key's value is stored.",
    body: Body::Container {
        subcommands: SUBCOMMANDS,
        bare: None,
    },
    ..BASE
}];

/// Redis shares the integers 0..10000 between keys (when no maxmemory
/// policy forbids it), which OBJECT REFCOUNT reports as INT_MAX.
const SHARED_INTEGERS: i64 = 10_000;
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

fn encoding(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    Ok(match ctx.db().peek_quietly(arg(argv, 2), now) {
        Some(value) => Reply::bulk(value.encoding().as_bytes()),
        None => Reply::Nil,
    })
}

fn refcount(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    Ok(match ctx.db().peek_quietly(arg(argv, 2), now) {
        Some(Value::String(RString::Int(n))) if (0..SHARED_INTEGERS).contains(n) => {
            Reply::Int(SHARED_REFCOUNT)
        }
        Some(_) => Reply::Int(1),
        None => Reply::Nil,
    })
}

/// Idle time is only tracked when the policy is not an LFU one.
fn idletime(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 2);
    let now = ctx.now();
    let lfu = crate::evict::is_lfu(&ctx.server.params);
    let db = ctx.db();
    if db.peek_quietly(key, now).is_none() {
        return Ok(Reply::Nil);
    }
    if lfu {
        return Err(CmdError::Other(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
                .to_string(),
        ));
    }
    Ok(db.idle_seconds(key, now).map_or(Reply::Nil, Reply::Int))
}

/// The access counter is only tracked under an LFU maxmemory policy.
fn freq(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 2);
    let now = ctx.now();
    let lfu = crate::evict::is_lfu(&ctx.server.params);
    let db = ctx.db();
    if db.peek_quietly(key, now).is_none() {
        return Ok(Reply::Nil);
    }
    if !lfu {
        return Err(CmdError::Other(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
                .to_string(),
        ));
    }
    Ok(db
        .frequency(key, now)
        .map_or(Reply::Nil, |f| Reply::Int(i64::from(f))))
}

fn help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let lines = [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    The internal representation of the key's value (int, embstr, raw, listpack, ...).",
        "FREQ <key>",
        "    The key's logarithmic access counter; needs an LFU maxmemory policy.",
        "IDLETIME <key>",
        "    Seconds since the key was last read or written.",
        "REFCOUNT <key>",
        "    How many references the value has; shared small integers report INT_MAX.",
        "HELP",
        "    Prints this help.",
    ];
    Ok(Reply::Array(
        lines.iter().map(|l| Reply::Status(l.to_string())).collect(),
    ))
}
