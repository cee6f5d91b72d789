//! Server-wide keyspace commands: DBSIZE, FLUSHDB, FLUSHALL.

use super::{is_opt, Arg, Body, Spec, BASE};
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
    ctx.db().clear();
    Ok(Reply::ok())
}

fn flushall(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    check_flush_mode(argv)?;
    ctx.server.dbs.iter_mut().for_each(|db| db.clear());
    Ok(Reply::ok())
}
