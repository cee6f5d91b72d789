//! Generic key commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME,
//! RENAMENX, COPY, MOVE, RANDOMKEY.

use super::{
    all_keys, arg, int_arg, int_reply, is_opt, one_key, Arg, ArgKind, BeginSearch, Body, FindKeys,
    KeySpec, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;

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
        name: "unlink",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, -1, 1),
        acl: &["@keyspace", "@write", "@fast"],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[all_keys(&["RM", "delete"])],
        group: "generic",
        since: "4.0.0",
        complexity: "O(1) per key; large values are freed afterwards.",
        summary: "Deletes keys like DEL; answers how many existed.",
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
        name: "touch",
        arity: -2,
        flags: &["readonly", "fast"],
        keys: (1, -1, 1),
        acl: &["@keyspace", "@read", "@fast"],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[all_keys(&["RO"])],
        group: "generic",
        since: "3.2.1",
        complexity: "O(N) for N keys.",
        summary: "Marks keys as just accessed; answers how many exist.",
        args: &[Arg::key("key", 0).multiple()],
        body: Body::Run(touch),
        ..BASE
    },
    Spec {
        name: "rename",
        arity: 3,
        flags: &["write"],
        keys: (1, 2, 1),
        acl: &["@keyspace", "@write", "@slow"],
        key_specs: &[
            one_key(None, &["RW", "access", "delete"]),
            KeySpec {
                notes: None,
                flags: &["OW", "update"],
                begin: BeginSearch::Index(2),
                find: FindKeys::Range {
                    last_key: 0,
                    key_step: 1,
                    limit: 0,
                },
            },
        ],
        group: "generic",
        since: "1.0.0",
        complexity: "O(1), plus deleting a value that was at the new name.",
        summary: "Gives a key a new name, replacing any key already there.",
        args: &[Arg::key("key", 0), Arg::key("newkey", 1)],
        body: Body::Run(rename),
        ..BASE
    },
    Spec {
        name: "renamenx",
        arity: 3,
        flags: &["write", "fast"],
        keys: (1, 2, 1),
        acl: &["@keyspace", "@write", "@fast"],
        key_specs: &[
            one_key(None, &["RW", "access", "delete"]),
            KeySpec {
                notes: None,
                flags: &["OW", "insert"],
                begin: BeginSearch::Index(2),
                find: FindKeys::Range {
                    last_key: 0,
                    key_step: 1,
                    limit: 0,
                },
            },
        ],
        group: "generic",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Gives a key a new name only if that name is free; answers 1 or 0.",
        history: &[(
            "3.2.0",
            "Renaming a key to itself answers 0 instead of an error.",
        )],
        args: &[Arg::key("key", 0), Arg::key("newkey", 1)],
        body: Body::Run(renamenx),
        ..BASE
    },
    Spec {
        name: "copy",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, 2, 1),
        acl: &["@keyspace", "@write", "@slow"],
        key_specs: &[
            one_key(None, &["RO", "access"]),
            KeySpec {
                notes: None,
                flags: &["OW", "update"],
                begin: BeginSearch::Index(2),
                find: FindKeys::Range {
                    last_key: 0,
                    key_step: 1,
                    limit: 0,
                },
            },
        ],
        group: "generic",
        since: "6.2.0",
        complexity: "O(N) for a collection of N elements; O(1) for a string.",
        summary: "Copies a key's value (and TTL) to another key, optionally in another database.",
        args: &[
            Arg::key("source", 0),
            Arg::key("destination", 1),
            Arg::new("destination-db", ArgKind::Integer)
                .token("DB")
                .optional(),
            Arg::pure_token("replace", "REPLACE").optional(),
        ],
        body: Body::Run(copy),
        ..BASE
    },
    Spec {
        name: "move",
        arity: 3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@write", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "generic",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Moves a key to another database, unless the target already has it.",
        args: &[Arg::key("key", 0), Arg::new("db", ArgKind::Integer)],
        body: Body::Run(move_key),
        ..BASE
    },
    Spec {
        name: "randomkey",
        arity: 1,
        flags: &["readonly"],
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        group: "generic",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Returns a random key of the database, or nil if it is empty.",
        body: Body::Run(randomkey),
        ..BASE
    },
];

fn same_object() -> CmdError {
    CmdError::Other("ERR source and destination objects are the same".to_string())
}

fn del(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let mut removed = 0;
    for &key in argv.iter().skip(1) {
        // An expired key counts as already gone.
        let db = ctx.db();
        if !db.expire_if_due(key, now) && db.remove(key) {
            removed += 1;
            ctx.deleted(key);
        }
    }
    Ok(int_reply(removed))
}

fn exists(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let db = ctx.db();
    Ok(int_reply(
        argv.iter()
            .skip(1)
            .filter(|key| db.peek(key, now).is_some())
            .count(),
    ))
}

fn touch(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let db = ctx.db();
    Ok(int_reply(
        argv.iter().skip(1).filter(|key| db.touch(key, now)).count(),
    ))
}

fn type_of(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let name = ctx
        .db()
        .peek(arg(argv, 1), now)
        .map_or("none", |v| v.type_name());
    Ok(Reply::Status(name.to_string()))
}

/// RENAME and RENAMENX: the value, its TTL and its eviction bits (Redis
/// moves the object, LRU/LFU field and all) go to the new name.
fn rename_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], nx: bool) -> Result<Reply, CmdError> {
    let (from, to) = (arg(argv, 1), arg(argv, 2));
    let now = ctx.now();
    let db = ctx.db();
    if !db.contains(from, now) {
        return Err(CmdError::Other("ERR no such key".to_string()));
    }
    let done = if nx { Reply::Int(1) } else { Reply::ok() };
    if from == to {
        return Ok(if nx { Reply::Int(0) } else { done });
    }
    if db.contains(to, now) {
        if nx {
            return Ok(Reply::Int(0));
        }
        db.remove(to);
    }
    if let Some(moving) = db.detach(from) {
        db.attach(to.to_vec(), moving, now);
    }
    ctx.modified(class::GENERIC, "rename_from", from);
    ctx.modified(class::GENERIC, "rename_to", to);
    Ok(done)
}

fn rename(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    rename_generic(ctx, argv, false)
}

fn renamenx(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    rename_generic(ctx, argv, true)
}

/// A database index argument, with Redis's errors for each way it can fail.
fn db_index(ctx: &Ctx<'_>, raw: &[u8]) -> Result<usize, CmdError> {
    let index = int_arg(raw)?;
    usize::try_from(index)
        .ok()
        .filter(|&i| i < ctx.server.dbs.len())
        .ok_or(CmdError::DbIndexOutOfRange)
}

fn copy(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (from, to) = (arg(argv, 1), arg(argv, 2));
    let mut target = ctx.client.db;
    let mut replace = false;
    let mut i = 3;
    while let Some(&opt) = argv.get(i) {
        if is_opt(opt, "REPLACE") {
            replace = true;
        } else if let (true, Some(&index)) = (is_opt(opt, "DB"), argv.get(i + 1)) {
            target = db_index(ctx, index)?;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if target == ctx.client.db && from == to {
        return Err(same_object());
    }
    let now = ctx.now();
    let Some(value) = ctx.db().read(from, now).cloned() else {
        return Ok(Reply::Int(0));
    };
    let expire_at = ctx.db().expire_at(from);
    let Some(dest) = ctx.server.dbs.get_mut(target) else {
        return Err(CmdError::DbIndexOutOfRange);
    };
    if dest.contains(to, now) {
        if !replace {
            return Ok(Reply::Int(0));
        }
        dest.remove(to);
    }
    dest.insert(to.to_vec(), value, expire_at, now);
    ctx.modified_in(target, class::GENERIC, "copy_to", to);
    Ok(Reply::Int(1))
}

fn move_key(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let index = int_arg(arg(argv, 2))?;
    let index = i32::try_from(index).map_err(|_| super::int_range_error())?;
    let target = usize::try_from(index)
        .ok()
        .filter(|&i| i < ctx.server.dbs.len())
        .ok_or(CmdError::DbIndexOutOfRange)?;
    if target == ctx.client.db {
        return Err(same_object());
    }
    let now = ctx.now();
    if !ctx.db().contains(key, now) {
        return Ok(Reply::Int(0));
    }
    if ctx
        .server
        .dbs
        .get_mut(target)
        .is_some_and(|dest| dest.contains(key, now))
    {
        return Ok(Reply::Int(0));
    }
    let Some(moving) = ctx.db().detach(key) else {
        return Ok(Reply::Int(0));
    };
    if let Some(dest) = ctx.server.dbs.get_mut(target) {
        dest.attach(key.to_vec(), moving, now);
    }
    ctx.modified(class::GENERIC, "move_from", key);
    ctx.modified_in(target, class::GENERIC, "move_to", key);
    Ok(Reply::Int(1))
}

fn randomkey(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let index = ctx.client.db;
    let server = &mut *ctx.server;
    let Some(db) = server.dbs.get_mut(index) else {
        return Ok(Reply::Nil);
    };
    // Expired keys met on the way are reclaimed and another is drawn, as
    // Redis does; each draw removes one, so this ends.
    while let Some(key) = db.random_key(&mut server.rng) {
        if !db.expire_if_due(&key, now) {
            return Ok(Reply::Bulk(key));
        }
    }
    Ok(Reply::Nil)
}
