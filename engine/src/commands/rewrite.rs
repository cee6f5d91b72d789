//! BGREWRITEAOF. The engine has no disk: the rewrite is the command stream
//! `aof::export` writes, held for the host to collect with
//! `Engine::take_aof_rewrite`. It is made at once, so it is finished by
//! the time the command answers; inside a transaction it is made when the
//! host collects it, as Redis schedules it for after the EXEC.

use super::{Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[Spec {
    name: "bgrewriteaof",
    arity: 1,
    flags: &["admin", "noscript", "no_async_loading"],
    acl: &["@admin", "@slow", "@dangerous"],
    group: "server",
    since: "1.0.0",
    complexity: "O(N) in the size of the dataset (done in a child process in Redis).",
    summary:
        "Rewrites the append-only file as the shortest command stream that rebuilds the dataset.",
    body: Body::Run(bgrewriteaof),
    ..BASE
}];

fn bgrewriteaof(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let text = if crate::aof::rewrite(ctx.server, ctx.client.in_exec) {
        "Background append only file rewriting scheduled"
    } else {
        "Background append only file rewriting started"
    };
    Ok(Reply::Status(text.to_string()))
}
