//! CONFIG: reading and changing runtime parameters (GET, SET), zeroing the
//! statistics INFO reports (RESETSTAT), REWRITE (there is no configuration
//! file, so it fails as Redis does without one) and HELP. The parameters
//! themselves live in `crate::config`; this file is the command surface and
//! keeps the server state that mirrors a parameter in step after a SET.

use super::{Arg, ArgKind, Body, Spec, BASE};
use crate::db::DbStats;
use crate::engine::{Ctx, Server};
use crate::error::CmdError;
use crate::reply::Reply;
use crate::stats::Stats;

const ADMIN_FLAGS: &[&str] = &["admin", "noscript", "loading", "stale"];
const ADMIN_ACL: &[&str] = &["@admin", "@slow", "@dangerous"];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "get",
        arity: -3,
        flags: ADMIN_FLAGS,
        acl: ADMIN_ACL,
        group: "server",
        since: "2.0.0",
        complexity: "O(N) for the N parameters matched.",
        summary: "Reports the parameters whose names match glob-style patterns, with their values.",
        history: &[("7.0.0", "Several patterns may be given at once.")],
        args: &[Arg::block("parameter", &[Arg::new("parameter", ArgKind::String)]).multiple()],
        body: Body::Run(get),
        ..BASE
    },
    Spec {
        name: "set",
        arity: -4,
        flags: ADMIN_FLAGS,
        acl: ADMIN_ACL,
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        group: "server",
        since: "2.0.0",
        complexity: "O(N) for the N parameters given.",
        summary: "Changes parameters at run time; either every one changes or none does.",
        history: &[("7.0.0", "Several parameters may be set at once.")],
        args: &[Arg::block(
            "parameter_value",
            &[
                Arg::new("parameter", ArgKind::String),
                Arg::new("value", ArgKind::String),
            ],
        )
        .multiple()],
        body: Body::Run(set),
        ..BASE
    },
    Spec {
        name: "resetstat",
        arity: 2,
        flags: ADMIN_FLAGS,
        acl: ADMIN_ACL,
        group: "server",
        since: "2.0.0",
        complexity: "O(1)",
        summary: "Zeroes the counters INFO reports.",
        body: Body::Run(resetstat),
        ..BASE
    },
    Spec {
        name: "rewrite",
        arity: 2,
        flags: ADMIN_FLAGS,
        acl: ADMIN_ACL,
        group: "server",
        since: "2.8.0",
        complexity: "O(1)",
        summary:
            "Saves the running parameters into the configuration file the server started with.",
        body: Body::Run(rewrite),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@slow"],
        group: "server",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Explains the CONFIG subcommands.",
        body: Body::Run(help),
        ..BASE
    },
];

pub const SPECS: &[Spec] = &[Spec {
    name: "config",
    arity: -2,
    acl: &["@slow"],
    group: "server",
    since: "2.0.0",
    complexity: "Depends on the subcommand.",
    summary: "Reads and changes the server's runtime parameters.",
    body: Body::Container {
        subcommands: SUBCOMMANDS,
        bare: None,
    },
    ..BASE
}];

fn get(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let patterns = argv.get(2..).unwrap_or_default();
    Ok(Reply::Map(
        ctx.server
            .params
            .get(patterns)
            .into_iter()
            .map(|(name, value)| (Reply::Bulk(name), Reply::Bulk(value)))
            .collect(),
    ))
}

fn set(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ctx.server.params.set(argv.get(2..).unwrap_or_default())?;
    mirror(ctx.server);
    Ok(Reply::ok())
}

/// Copies the parameters other engine state depends on to where that
/// state reads them cheaply.
pub(crate) fn mirror(server: &mut Server) {
    server.limits = server.params.encoding_limits();
    server.hot = server.params.hot();
    let access = crate::evict::access_mode(&server.params);
    for db in &mut server.dbs {
        db.set_access_mode(access);
    }
    server.set_notify_flags(server.params.keyspace_events());
    server.config.proto_max_bulk_len = server.params.proto_max_bulk_len();
}

/// Everything INFO counts goes back to zero: commands, connections, errors
/// (by kind and per command), and each database's hits, misses and
/// expired keys. This command itself is then counted, as in Redis.
fn resetstat(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ctx.server.stats = Stats::default();
    for db in &mut ctx.server.dbs {
        db.stats = DbStats::default();
    }
    Ok(Reply::ok())
}

fn rewrite(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Err(CmdError::Other(
        "ERR The server is running without a config file".to_string(),
    ))
}

fn help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let lines = [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern> [<pattern> ...]",
        "    Every parameter whose name matches a glob-style pattern, with its value.",
        "SET <parameter> <value> [<parameter> <value> ...]",
        "    Changes parameters; if one value is refused, none changes.",
        "RESETSTAT",
        "    Zeroes the counters INFO reports.",
        "REWRITE",
        "    Saves the parameters to the configuration file (this server has none).",
        "HELP",
        "    Prints this help.",
    ];
    Ok(Reply::Array(
        lines.iter().map(|l| Reply::Status(l.to_string())).collect(),
    ))
}
