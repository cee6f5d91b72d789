//! Server-wide commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME.

use super::{is_opt, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;

const FLUSH_MODE: Arg = Arg::one_of(
    "async",
    &[
        Arg::pure_token("async", "ASYNC").since("4.0.0"),
        Arg::pure_token("sync", "SYNC").since("6.2.0"),
    ],
)
.optional();

const FLUSH_HISTORY: &[(&str, &str)] = &[("4.0.0", "ASYNC arrived."), ("6.2.0", "SYNC arrived.")];

pub const SPECS: &[Spec] = &[
    Spec {
        name: "dbsize",
        arity: 1,
        flags: &["readonly", "fast"],
        acl: &["@keyspace", "@read", "@fast"],
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        group: "server",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Answers how many keys the selected database holds.",
        body: Body::Run(dbsize),
        ..BASE
    },
    Spec {
        name: "flushdb",
        arity: -1,
        flags: &["write"],
        acl: &["@keyspace", "@write", "@slow", "@dangerous"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        group: "server",
        since: "1.0.0",
        complexity: "O(N) for the N keys of the selected database.",
        summary: "Deletes every key of the selected database.",
        history: FLUSH_HISTORY,
        args: &[FLUSH_MODE],
        body: Body::Run(flushdb),
        ..BASE
    },
    Spec {
        name: "flushall",
        arity: -1,
        flags: &["write"],
        acl: &["@keyspace", "@write", "@slow", "@dangerous"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        group: "server",
        since: "1.0.0",
        complexity: "O(N) for the N keys of all databases.",
        summary: "Deletes every key of every database.",
        history: FLUSH_HISTORY,
        args: &[FLUSH_MODE],
        body: Body::Run(flushall),
        ..BASE
    },
    Spec {
        name: "swapdb",
        arity: 3,
        flags: &["write", "fast"],
        acl: &["@keyspace", "@write", "@fast", "@dangerous"],
        group: "server",
        since: "4.0.0",
        complexity: "O(N) for the clients watching or blocked on the two databases.",
        summary: "Exchanges the contents of two databases.",
        args: &[
            Arg::new("index1", ArgKind::Integer),
            Arg::new("index2", ArgKind::Integer),
        ],
        body: Body::Run(swapdb),
        ..BASE
    },
    Spec {
        name: "time",
        arity: 1,
        flags: &["loading", "stale", "fast"],
        acl: &["@fast"],
        tips: &["nondeterministic_output"],
        group: "server",
        since: "2.6.0",
        complexity: "O(1)",
        summary: "The server's clock: unix seconds and microseconds.",
        body: Body::Run(time),
        ..BASE
    },
];

fn dbsize(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::Int(
        i64::try_from(ctx.db().len()).unwrap_or(i64::MAX),
    ))
}

/// FLUSHDB/FLUSHALL accept one optional ASYNC or SYNC; both flush at once
/// here, since the engine has no background thread to hand the work to.
fn check_flush_mode(argv: &[&[u8]]) -> Result<(), CmdError> {
    match argv {
        [_] => Ok(()),
        [_, mode] if is_opt(mode, "ASYNC") || is_opt(mode, "SYNC") => Ok(()),
        _ => Err(CmdError::Syntax),
    }
}

fn flushdb(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    check_flush_mode(argv)?;
    let db = ctx.client.db;
    doom_watchers(ctx, db, None);
    ctx.db().clear();
    crate::tracking::invalidate_all(ctx.server, ctx.client);
    Ok(Reply::ok())
}

fn flushall(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    check_flush_mode(argv)?;
    for db in 0..ctx.server.dbs.len() {
        doom_watchers(ctx, db, None);
    }
    ctx.server.dbs.iter_mut().for_each(|db| db.clear());
    crate::tracking::invalidate_all(ctx.server, ctx.client);
    Ok(Reply::ok())
}

fn swapdb(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    // Both indexes are read as C ints, each with its own error text.
    let index = |raw: Option<&&[u8]>, which: &str| {
        raw.and_then(|r| crate::number::parse_i64(r))
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| CmdError::Other(format!("ERR invalid {which} DB index")))
    };
    let first = index(argv.get(1), "first")?;
    let second = index(argv.get(2), "second")?;
    let count = ctx.server.dbs.len();
    let valid = |i: i32| usize::try_from(i).ok().filter(|&i| i < count);
    let (Some(a), Some(b)) = (valid(first), valid(second)) else {
        return Err(CmdError::DbIndexOutOfRange);
    };
    doom_watchers(ctx, a, Some(b));
    doom_watchers(ctx, b, Some(a));
    ctx.server.dbs.swap(a, b);
    Ok(Reply::ok())
}

/// Before database `db` is emptied (or swapped with `replaced_with`),
/// fails the transactions watching a key that exists there (or will after
/// the swap), as Redis does. Neither emits keyspace events: Redis 7.0
/// publishes nothing per key for FLUSHDB, FLUSHALL or SWAPDB.
fn doom_watchers(ctx: &mut Ctx<'_>, db: usize, replaced_with: Option<usize>) {
    crate::multi::touch_db(ctx.server, Some(&mut *ctx.client), db, replaced_with);
}

fn time(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let seconds = now.div_euclid(1000);
    let micros = now.rem_euclid(1000) * 1000;
    Ok(Reply::Array(vec![
        Reply::Bulk(seconds.to_string().into_bytes()),
        Reply::Bulk(micros.to_string().into_bytes()),
    ]))
}
