//! SLOWLOG (GET, LEN, RESET, HELP) over `crate::slowlog`, and MONITOR,
//! which turns the connection into a stream of every command run (fed by
//! the dispatcher, see `feed_monitors`).

use super::{help_reply, int_reply, subcommand_syntax, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "slowlog",
        arity: -2,
        acl: &["@slow"],
        group: "server",
        since: "2.2.12",
        complexity: "Depends on the subcommand.",
        summary: "Reads and clears the log of commands that ran longer than a threshold.",
        body: Body::Container {
            subcommands: SUBCOMMANDS,
            bare: None,
        },
        ..BASE
    },
    Spec {
        name: "monitor",
        arity: 1,
        flags: &["admin", "noscript", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        group: "server",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Streams every command the server runs to this connection, as it runs them.",
        body: Body::Run(monitor),
        ..BASE
    },
];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "get",
        arity: -2,
        flags: &["admin", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        tips: &["request_policy:all_nodes", "nondeterministic_output"],
        group: "server",
        since: "2.2.12",
        complexity: "O(N) for the N entries returned.",
        summary: "Returns the newest slow-log entries.",
        history: &[("4.0.0", "Entries show the client's address and name.")],
        args: &[Arg::new("count", ArgKind::Integer).optional()],
        body: Body::Run(slowlog_get),
        ..BASE
    },
    Spec {
        name: "len",
        arity: 2,
        flags: &["admin", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        tips: &[
            "request_policy:all_nodes",
            "response_policy:agg_sum",
            "nondeterministic_output",
        ],
        group: "server",
        since: "2.2.12",
        complexity: "O(1)",
        summary: "Counts the slow-log entries.",
        body: Body::Run(slowlog_len),
        ..BASE
    },
    Spec {
        name: "reset",
        arity: 2,
        flags: &["admin", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        group: "server",
        since: "2.2.12",
        complexity: "O(N) for the N entries.",
        summary: "Empties the slow log.",
        body: Body::Run(slowlog_reset),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@slow"],
        group: "server",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Lists the SLOWLOG subcommands.",
        body: Body::Run(slowlog_help),
        ..BASE
    },
];

fn slowlog_get(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let count = match argv {
        [_, _] => Some(10),
        [_, _, raw] => match crate::number::parse_i64(raw) {
            Some(-1) => None,
            Some(n) if n >= 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            _ => {
                return Err(CmdError::Other(
                    "ERR count should be greater than or equal to -1".to_string(),
                ))
            }
        },
        _ => return Err(subcommand_syntax(argv)),
    };
    let entries = ctx
        .server
        .slowlog
        .newest(count)
        .map(|e| {
            Reply::Array(vec![
                Reply::Int(i64::try_from(e.id).unwrap_or(i64::MAX)),
                Reply::Int(e.time_s),
                Reply::Int(i64::try_from(e.duration_us).unwrap_or(i64::MAX)),
                Reply::Array(e.args.iter().map(|a| Reply::bulk(a)).collect()),
                Reply::bulk(e.client_addr.as_bytes()),
                Reply::bulk(&e.client_name),
            ])
        })
        .collect();
    Ok(Reply::Array(entries))
}

fn slowlog_len(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(int_reply(ctx.server.slowlog.len()))
}

fn slowlog_reset(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ctx.server.slowlog.reset();
    Ok(Reply::ok())
}

fn slowlog_help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Returns the newest <count> entries (10 by default, -1 for all). Each has",
        "    an id, a unix time, a duration in microseconds, the arguments, and the",
        "    client's address and name.",
        "LEN",
        "    Counts the entries.",
        "RESET",
        "    Empties the log.",
        "HELP",
        "    Prints this help.",
    ]))
}

fn monitor(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    if !ctx.client.monitor {
        ctx.client.monitor = true;
        ctx.server.monitors += 1;
    }
    Ok(Reply::ok())
}

/// The line a MONITOR connection receives for a command: the time with
/// microseconds, the database and client address, and each argument
/// quoted as Redis's `sdscatrepr` does.
pub(crate) fn monitor_line(now_ms: i64, db: usize, addr: &str, argv: &[&[u8]]) -> Reply {
    let mut line = format!(
        "{}.{:06} [{db} {addr}]",
        now_ms.div_euclid(1000),
        now_ms.rem_euclid(1000) * 1000
    );
    for arg in argv {
        line.push(' ');
        crate::reply::cli::quote_into(&mut line, arg);
    }
    Reply::Status(line)
}
