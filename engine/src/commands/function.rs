//! FUNCTION, for a server with no function libraries: scripting (and so
//! FUNCTION LOAD and RESTORE of libraries) comes with the Lua engine, but
//! client test harnesses send FUNCTION FLUSH and LIST before every test, so
//! these answer exactly as Redis does when no library is loaded.

use super::{help_reply, is_opt, subcommand_syntax, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;
use crate::scripting::Kind;

pub const SPECS: &[Spec] = &[Spec {
    name: "function",
    arity: -2,
    acl: &["@slow"],
    group: "scripting",
    since: "7.0.0",
    complexity: "Depends on the subcommand.",
    summary: "Manages server-side function libraries.",
    body: Body::Container {
        subcommands: SUBCOMMANDS,
        bare: None,
    },
    ..BASE
}];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "list",
        arity: -2,
        flags: &["noscript"],
        acl: &["@slow", "@scripting"],
        tips: &["nondeterministic_output_order"],
        group: "scripting",
        since: "7.0.0",
        complexity: "O(N) for the N functions.",
        summary: "Lists the loaded function libraries, optionally only those matching a name, with their code.",
        args: &[Arg::new("library-name-pattern", ArgKind::String).token("LIBRARYNAME").optional(), Arg::pure_token("withcode", "WITHCODE").optional()],
        body: Body::Run(function_list),
        ..BASE
    },
    Spec {
        name: "flush",
        arity: -2,
        flags: &["write", "noscript"],
        acl: &["@write", "@slow", "@scripting"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        group: "scripting",
        since: "7.0.0",
        complexity: "O(N) for the N functions.",
        summary: "Deletes every function library.",
        args: &[Arg::one_of("async", &[Arg::pure_token("async", "ASYNC"), Arg::pure_token("sync", "SYNC")]).optional()],
        body: Body::Run(function_flush),
        ..BASE
    },
    Spec {
        name: "stats",
        arity: 2,
        flags: &["noscript", "allow_busy"],
        acl: &["@slow", "@scripting"],
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        group: "scripting",
        since: "7.0.0",
        complexity: "O(1)",
        summary: "Reports the running function, if any, and how many libraries and functions each engine holds.",
        body: Body::Run(function_stats),
        ..BASE
    },
    Spec {
        name: "delete",
        arity: 3,
        flags: &["write", "noscript"],
        acl: &["@write", "@slow", "@scripting"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        group: "scripting",
        since: "7.0.0",
        complexity: "O(1)",
        summary: "Deletes a function library by name.",
        args: &[Arg::new("library-name", ArgKind::String)],
        body: Body::Run(function_delete),
        ..BASE
    },
    Spec {
        name: "kill",
        arity: 2,
        flags: &["noscript", "allow_busy"],
        acl: &["@slow", "@scripting"],
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        group: "scripting",
        since: "7.0.0",
        complexity: "O(1)",
        summary: "Stops the function that is running, if it has not written anything.",
        body: Body::Run(function_kill),
        ..BASE
    },
    Spec {
        name: "dump",
        arity: 2,
        flags: &["noscript"],
        acl: &["@slow", "@scripting"],
        group: "scripting",
        since: "7.0.0",
        complexity: "O(N) for the N functions.",
        summary: "Serializes every function library into a payload for FUNCTION RESTORE.",
        body: Body::Run(function_dump),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@slow", "@scripting"],
        group: "scripting",
        since: "7.0.0",
        complexity: "O(1)",
        summary: "Lists the FUNCTION subcommands.",
        body: Body::Run(function_help),
        ..BASE
    },
];

/// The RDB version a FUNCTION DUMP payload carries (Redis 7.0's).
const RDB_VERSION: u16 = 10;

fn function_list(_ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut with_code = false;
    let mut library = false;
    let mut i = 2;
    while let Some(&opt) = argv.get(i) {
        if is_opt(opt, "WITHCODE") && !with_code {
            with_code = true;
            i += 1;
        } else if is_opt(opt, "LIBRARYNAME") && !library {
            if argv.get(i + 1).is_none() {
                return Err(CmdError::Other(
                    "ERR library name argument was not given".to_string(),
                ));
            }
            library = true;
            i += 2;
        } else {
            return Err(CmdError::Other(format!(
                "ERR Unknown argument {}",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    // No libraries are loaded, so every filter matches nothing.
    Ok(Reply::Array(Vec::new()))
}

fn function_flush(_ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    match argv {
        [_, _] => Ok(Reply::ok()),
        [_, _, mode] if is_opt(mode, "ASYNC") || is_opt(mode, "SYNC") => Ok(Reply::ok()),
        [_, _, _] => Err(CmdError::Other(
            "ERR FUNCTION FLUSH only supports SYNC|ASYNC option".to_string(),
        )),
        _ => Err(subcommand_syntax(argv)),
    }
}

fn function_stats(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    // Redis answers this about functions, not about a busy EVAL script.
    let scripting = &ctx.server.scripting;
    if let Some(busy) = scripting
        .busy_error()
        .filter(|_| scripting.busy_kind() == Some(Kind::Eval))
    {
        return Err(CmdError::Other(busy.to_string()));
    }
    let lua = Reply::Map(vec![
        (Reply::bulk(b"libraries_count"), Reply::Int(0)),
        (Reply::bulk(b"functions_count"), Reply::Int(0)),
    ]);
    Ok(Reply::Map(vec![
        (Reply::bulk(b"running_script"), Reply::Nil),
        (
            Reply::bulk(b"engines"),
            Reply::Map(vec![(Reply::bulk(b"LUA"), lua)]),
        ),
    ]))
}

/// No library exists, so none can be deleted.
fn function_delete(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Err(CmdError::Other("ERR Library not found".to_string()))
}

fn function_kill(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    crate::scripting::kill(ctx, Kind::Function)
}

/// A payload with no libraries: the RDB version and the CRC-64 of what
/// precedes it, both little-endian, as every DUMP payload ends.
fn function_dump(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut payload = RDB_VERSION.to_le_bytes().to_vec();
    let crc = crate::crc64::update(0, &payload);
    payload.extend_from_slice(&crc.to_le_bytes());
    Ok(Reply::Bulk(payload))
}

fn function_help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LIST [LIBRARYNAME <pattern>] [WITHCODE]",
        "    Lists the loaded libraries (none until scripting arrives).",
        "STATS",
        "    Reports the running function and the libraries per engine.",
        "DELETE <library-name>",
        "    Deletes a library.",
        "FLUSH [ASYNC|SYNC]",
        "    Deletes every library.",
        "KILL",
        "    Stops the running function.",
        "DUMP",
        "    Serializes the libraries for FUNCTION RESTORE.",
        "HELP",
        "    Prints this help.",
    ]))
}
