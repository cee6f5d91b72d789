//! Transactions and connection state: MULTI, EXEC, DISCARD, WATCH,
//! UNWATCH, and RESET and QUIT. Queueing happens in the dispatcher
//! (`engine::process`); EXEC runs the queue through the same dispatch.

use super::{all_keys, Arg, Body, Spec, BASE};
use crate::client::{ReplyMode, Transaction};
use crate::engine::{dispatch, Ctx};
use crate::error::CmdError;
use crate::reply::Reply;
use crate::resp::Protocol;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "multi",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "allow_busy"],
        acl: &["@fast", "@transaction"],
        group: "transactions",
        since: "1.2.0",
        complexity: "O(1)",
        summary: "Starts a transaction: the following commands are queued until EXEC.",
        body: Body::Run(multi),
        ..BASE
    },
    Spec {
        name: "exec",
        arity: 1,
        flags: &["noscript", "loading", "stale", "skip_slowlog"],
        acl: &["@slow", "@transaction"],
        group: "transactions",
        since: "1.2.0",
        complexity: "The cost of the queued commands.",
        summary: "Runs the queued transaction, unless a WATCHed key changed.",
        body: Body::Run(exec),
        ..BASE
    },
    Spec {
        name: "discard",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "allow_busy"],
        acl: &["@fast", "@transaction"],
        group: "transactions",
        since: "2.0.0",
        complexity: "O(N) for the N queued commands.",
        summary: "Drops the queued transaction and every WATCH.",
        body: Body::Run(discard),
        ..BASE
    },
    Spec {
        name: "watch",
        arity: -2,
        flags: &["noscript", "loading", "stale", "fast", "allow_busy"],
        keys: (1, -1, 1),
        acl: &["@fast", "@transaction"],
        key_specs: &[all_keys(&["RO"])],
        group: "transactions",
        since: "2.2.0",
        complexity: "O(1) per key.",
        summary: "Makes the next EXEC fail if any of these keys changes first.",
        args: &[Arg::key("key", 0).multiple()],
        body: Body::Run(watch),
        ..BASE
    },
    Spec {
        name: "unwatch",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "allow_busy"],
        acl: &["@fast", "@transaction"],
        group: "transactions",
        since: "2.2.0",
        complexity: "O(1)",
        summary: "Forgets every WATCHed key.",
        body: Body::Run(unwatch),
        ..BASE
    },
    Spec {
        name: "reset",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
        acl: &["@fast", "@connection"],
        group: "connection",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Returns the connection to its initial state: no transaction, subscriptions, name or selected database.",
        body: Body::Run(reset),
        ..BASE
    },
    Spec {
        name: "quit",
        arity: -1,
        flags: &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
        acl: &["@fast", "@connection"],
        group: "connection",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Asks the server to close the connection once it has replied.",
        body: Body::Run(quit),
        ..BASE
    },
];

fn err(text: &str) -> CmdError {
    CmdError::Other(text.to_string())
}

fn multi(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    if ctx.client.multi.is_some() {
        return Err(err("ERR MULTI calls can not be nested"));
    }
    ctx.client.multi = Some(Transaction::default());
    Ok(Reply::ok())
}

/// Whether a WATCHed key has changed or expired since it was watched.
fn watch_failed(ctx: &mut Ctx<'_>) -> bool {
    if ctx.client.dirty_cas {
        return true;
    }
    let now = ctx.now();
    let dbs = &ctx.server.dbs;
    ctx.client.watched.iter().any(|w| {
        !w.expired_at_watch
            && dbs
                .get(w.db)
                .and_then(|db| db.expire_at(&w.key))
                .is_some_and(|at| at <= now)
    })
}

fn exec(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let Some(tx) = ctx.client.multi.take() else {
        return Err(err("ERR EXEC without MULTI"));
    };
    let failed = watch_failed(ctx);
    crate::multi::unwatch_all(ctx.server, ctx.client);
    if tx.aborted {
        return Err(err(
            "EXECABORT Transaction discarded because of previous errors.",
        ));
    }
    if failed {
        return Ok(Reply::NilArray);
    }
    let mut replies = Vec::with_capacity(tx.queue.len());
    // Blocking commands in the queue answer as if they timed out.
    ctx.client.in_exec = true;
    for queued in &tx.queue {
        let argv: Vec<&[u8]> = queued.iter().map(Vec::as_slice).collect();
        let reply = dispatch(ctx, &argv).unwrap_or_else(Reply::from);
        if let Reply::Error(text) = &reply {
            ctx.server.stats.record_error(text);
        }
        replies.extend(reply.into_frames());
    }
    ctx.client.in_exec = false;
    Ok(Reply::Array(replies))
}

fn discard(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    if ctx.client.multi.take().is_none() {
        return Err(err("ERR DISCARD without MULTI"));
    }
    crate::multi::unwatch_all(ctx.server, ctx.client);
    Ok(Reply::ok())
}

fn watch(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    if ctx.client.multi.is_some() {
        return Err(err("ERR WATCH inside MULTI is not allowed"));
    }
    let now = ctx.now();
    for &key in argv.iter().skip(1) {
        let db = ctx.client.db;
        let expired = ctx
            .server
            .dbs
            .get(db)
            .and_then(|d| d.expire_at(key))
            .is_some_and(|at| at <= now);
        crate::multi::watch(ctx.server, ctx.client, key, expired);
    }
    Ok(Reply::ok())
}

fn unwatch(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    crate::multi::unwatch_all(ctx.server, ctx.client);
    Ok(Reply::ok())
}

fn reset(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ctx.client.multi = None;
    crate::multi::unwatch_all(ctx.server, ctx.client);
    crate::pubsub::unsubscribe_all(ctx.server, ctx.client);
    crate::tracking::disable(ctx.server, ctx.client);
    ctx.client.db = 0;
    ctx.client.proto = Protocol::Resp2;
    ctx.client.name.clear();
    ctx.client.reply_mode = ReplyMode::On;
    ctx.client.no_evict = false;
    ctx.client.no_touch = false;
    if ctx.client.monitor {
        ctx.client.monitor = false;
        ctx.server.monitors = ctx.server.monitors.saturating_sub(1);
    }
    ctx.client.authenticated = !ctx.server.params.requires_password();
    Ok(Reply::Status("RESET".to_string()))
}

fn quit(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ctx.client.closing = true;
    Ok(Reply::ok())
}
