//! SAVE, BGSAVE and LASTSAVE. The engine has no disk: a save makes an RDB
//! snapshot (`rdb::save`) that the host collects with
//! `Engine::take_snapshot` and stores where it likes. Saving is
//! synchronous, so a BGSAVE is finished by the time it answers.

use super::{Arg, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "save",
        arity: 1,
        flags: &["admin", "noscript", "no_async_loading", "no_multi"],
        acl: &["@admin", "@slow", "@dangerous"],
        group: "server",
        since: "1.0.0",
        complexity: "O(N) in the size of the dataset.",
        summary: "Writes a snapshot of the whole dataset in the foreground.",
        body: Body::Run(save),
        ..BASE
    },
    Spec {
        name: "bgsave",
        arity: -1,
        flags: &["admin", "noscript", "no_async_loading"],
        acl: &["@admin", "@slow", "@dangerous"],
        group: "server",
        since: "1.0.0",
        complexity: "O(N) in the size of the dataset (done in a child process in Redis).",
        summary: "Writes a snapshot of the whole dataset in the background.",
        history: &[(
            "3.2.2",
            "SCHEDULE waits for a running AOF rewrite instead of failing.",
        )],
        args: &[Arg::pure_token("schedule", "SCHEDULE")
            .since("3.2.2")
            .optional()],
        body: Body::Run(bgsave),
        ..BASE
    },
    Spec {
        name: "lastsave",
        arity: 1,
        flags: &["loading", "stale", "fast"],
        acl: &["@admin", "@fast", "@dangerous"],
        tips: &["nondeterministic_output"],
        group: "server",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "The unix time of the last successful snapshot.",
        body: Body::Run(lastsave),
        ..BASE
    },
];

fn save(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    crate::rdb::save(ctx.server);
    Ok(Reply::ok())
}

fn bgsave(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    match argv.get(1) {
        None => {}
        Some(opt) if opt.eq_ignore_ascii_case(b"schedule") && argv.len() == 2 => {}
        Some(_) => return Err(CmdError::Syntax),
    }
    crate::rdb::save(ctx.server);
    ctx.server.persistence.bgsaved = true;
    Ok(Reply::Status("Background saving started".to_string()))
}

fn lastsave(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::Int(ctx.server.persistence.last_save_s))
}
