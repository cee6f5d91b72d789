//! Function libraries: FUNCTION LOAD / LIST / DELETE / FLUSH / DUMP /
//! RESTORE / STATS / KILL, and FCALL / FCALL_RO to call what they
//! registered. The libraries live in `crate::scripting::functions`.

use super::scripting::{SCRIPT_FLAGS, SCRIPT_KEYS, SCRIPT_RO_FLAGS, SCRIPT_RO_KEYS};
use super::{help_reply, is_opt, subcommand_syntax, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;
use crate::scripting::{Kind, RestorePolicy, Start};

const FCALL_ARGS: &[Arg] = &[
    Arg::new("function", ArgKind::String),
    Arg::new("numkeys", ArgKind::Integer),
    Arg::key("key", 0).optional().multiple(),
    Arg::new("arg", ArgKind::String).optional().multiple(),
];

pub const SPECS: &[Spec] = &[
    Spec {
        name: "fcall",
        arity: -3,
        flags: SCRIPT_FLAGS,
        acl: &["@slow", "@scripting"],
        key_specs: SCRIPT_KEYS,
        group: "scripting",
        since: "7.0.0",
        complexity: "Whatever the function does.",
        summary: "Calls a function of a loaded library with keys and arguments.",
        args: FCALL_ARGS,
        body: Body::Run(fcall),
        ..BASE
    },
    Spec {
        name: "fcall_ro",
        arity: -3,
        flags: SCRIPT_RO_FLAGS,
        acl: &["@slow", "@scripting"],
        key_specs: SCRIPT_RO_KEYS,
        group: "scripting",
        since: "7.0.0",
        complexity: "Whatever the function does.",
        summary: "Calls a function that may only read.",
        args: FCALL_ARGS,
        body: Body::Run(fcall_ro),
        ..BASE
    },
    Spec {
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
    },
];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "load",
        arity: -3,
        flags: &["write", "denyoom", "noscript"],
        acl: &["@write", "@slow", "@scripting"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        group: "scripting",
        since: "7.0.0",
        complexity: "O(1), compiling aside.",
        summary: "Loads a library of functions from its code; REPLACE lets it take the place of one of the same name.",
        args: &[Arg::pure_token("replace", "REPLACE").optional(), Arg::new("function-code", ArgKind::String)],
        body: Body::Run(function_load),
        ..BASE
    },
    Spec {
        name: "restore",
        arity: -3,
        flags: &["write", "denyoom", "noscript"],
        acl: &["@write", "@slow", "@scripting"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        group: "scripting",
        since: "7.0.0",
        complexity: "O(N) for the N functions in the payload.",
        summary: "Loads the libraries of a FUNCTION DUMP payload, beside, over or instead of those loaded.",
        args: &[
            Arg::new("serialized-value", ArgKind::String),
            Arg::one_of("policy", &[Arg::pure_token("flush", "FLUSH"), Arg::pure_token("append", "APPEND"), Arg::pure_token("replace", "REPLACE")]).optional(),
        ],
        body: Body::Run(function_restore),
        ..BASE
    },
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

fn err(text: &str) -> CmdError {
    CmdError::Other(text.to_string())
}

fn fcall(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    fcall_generic(ctx, argv, false)
}

fn fcall_ro(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    fcall_generic(ctx, argv, true)
}

/// `FCALL function numkeys key... arg...`, checked in Redis's order: the
/// function, then numkeys.
fn fcall_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], read_only: bool) -> Result<Reply, CmdError> {
    // Redis shows FCALL in MONITOR itself, before the function's commands.
    crate::engine::feed_monitors(ctx, argv);
    let name = argv.get(1).copied().unwrap_or_default();
    let (func, name, flags) = ctx
        .server
        .scripting
        .functions
        .find(name)
        .ok_or_else(|| err("ERR Function not found"))?;
    let (keys, args) = super::scripting::split_keys(argv).map_err(|e| match e {
        CmdError::NotInteger => err("ERR Bad number of keys provided"),
        other => other,
    })?;
    let start = Start {
        kind: Kind::Function,
        name,
        flags,
        read_only_command: read_only,
        keys,
        args,
        command: argv.iter().map(|a| a.to_vec()).collect(),
    };
    crate::scripting::run(ctx, func, start)
}

fn function_load(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut replace = false;
    let mut at = 2;
    while at + 1 < argv.len() {
        let opt = argv.get(at).copied().unwrap_or_default();
        at += 1;
        if !is_opt(opt, "REPLACE") {
            return Err(CmdError::Other(format!(
                "ERR Unknown option given: {}",
                String::from_utf8_lossy(opt)
            )));
        }
        replace = true;
    }
    let Some(&code) = argv.get(at) else {
        return Err(err("ERR Function code is missing"));
    };
    let name = ctx.server.scripting.functions.load(code, replace)?;
    ctx.server.persistence.changes += 1;
    Ok(Reply::Bulk(name.into_bytes()))
}

fn function_restore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    if argv.len() > 4 {
        return Err(subcommand_syntax(argv));
    }
    let policy =
        match argv.get(3) {
            None => RestorePolicy::Append,
            Some(p) if is_opt(p, "APPEND") => RestorePolicy::Append,
            Some(p) if is_opt(p, "REPLACE") => RestorePolicy::Replace,
            Some(p) if is_opt(p, "FLUSH") => RestorePolicy::Flush,
            Some(_) => return Err(err(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            )),
        };
    let payload = argv.get(2).copied().unwrap_or_default();
    let codes = crate::rdb::restore_functions(payload).map_err(CmdError::Other)?;
    ctx.server.scripting.functions.restore(codes, policy)?;
    ctx.server.persistence.changes += 1;
    Ok(Reply::ok())
}

fn function_list(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut with_code = false;
    let mut pattern = None;
    let mut i = 2;
    while let Some(&opt) = argv.get(i) {
        if is_opt(opt, "WITHCODE") && !with_code {
            with_code = true;
            i += 1;
        } else if is_opt(opt, "LIBRARYNAME") && pattern.is_none() {
            let Some(&p) = argv.get(i + 1) else {
                return Err(err("ERR library name argument was not given"));
            };
            pattern = Some(p);
            i += 2;
        } else {
            return Err(CmdError::Other(format!(
                "ERR Unknown argument {}",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    let libraries = ctx
        .server
        .scripting
        .functions
        .libraries()
        .filter(|l| pattern.is_none_or(|p| crate::glob::matches_nocase(p, l.name.as_bytes())))
        .map(|l| {
            let functions = l
                .functions
                .iter()
                .map(|f| {
                    Reply::Map(vec![
                        (Reply::bulk(b"name"), Reply::bulk(f.name.as_bytes())),
                        (
                            Reply::bulk(b"description"),
                            f.description.as_deref().map_or(Reply::Nil, Reply::bulk),
                        ),
                        (
                            Reply::bulk(b"flags"),
                            Reply::Set(
                                f.flags
                                    .names()
                                    .into_iter()
                                    .map(|n| Reply::Status(n.to_string()))
                                    .collect(),
                            ),
                        ),
                    ])
                })
                .collect();
            let mut fields = vec![
                (Reply::bulk(b"library_name"), Reply::bulk(l.name.as_bytes())),
                (Reply::bulk(b"engine"), Reply::bulk(b"LUA")),
                (Reply::bulk(b"functions"), Reply::Array(functions)),
            ];
            if with_code {
                fields.push((Reply::bulk(b"library_code"), Reply::bulk(&l.code)));
            }
            Reply::Map(fields)
        })
        .collect();
    Ok(Reply::Array(libraries))
}

fn function_flush(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    match argv {
        [_, _] => {}
        [_, _, mode] if is_opt(mode, "ASYNC") || is_opt(mode, "SYNC") => {}
        [_, _, _] => return Err(err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")),
        _ => return Err(subcommand_syntax(argv)),
    }
    ctx.server.scripting.functions.flush();
    ctx.server.persistence.changes += 1;
    Ok(Reply::ok())
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
    let running = match scripting.busy_function(ctx.server.timer) {
        None => Reply::Nil,
        Some((name, command, duration_ms)) => Reply::Map(vec![
            (Reply::bulk(b"name"), Reply::Bulk(name.into_bytes())),
            (
                Reply::bulk(b"command"),
                Reply::Array(command.into_iter().map(Reply::Bulk).collect()),
            ),
            (
                Reply::bulk(b"duration_ms"),
                Reply::Int(i64::try_from(duration_ms).unwrap_or(i64::MAX)),
            ),
        ]),
    };
    let functions = &scripting.functions;
    let count = |n: usize| Reply::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let lua = Reply::Map(vec![
        (
            Reply::bulk(b"libraries_count"),
            count(functions.libraries().count()),
        ),
        (
            Reply::bulk(b"functions_count"),
            count(functions.function_count()),
        ),
    ]);
    Ok(Reply::Map(vec![
        (Reply::bulk(b"running_script"), running),
        (
            Reply::bulk(b"engines"),
            Reply::Map(vec![(Reply::bulk(b"LUA"), lua)]),
        ),
    ]))
}

fn function_delete(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let name = argv.get(2).copied().unwrap_or_default();
    ctx.server.scripting.functions.delete(name)?;
    ctx.server.persistence.changes += 1;
    Ok(Reply::ok())
}

fn function_kill(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    crate::scripting::kill(ctx, Kind::Function)
}

/// Every library's code, as FUNCTION RESTORE and RDB files read them.
fn function_dump(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let functions = &ctx.server.scripting.functions;
    let codes = functions.libraries().map(|l| l.code.as_slice());
    Ok(Reply::Bulk(crate::rdb::dump_functions(codes)))
}

fn function_help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <library-code>",
        "    Loads a library from code starting `#!lua name=<name>`.",
        "DELETE <library-name>",
        "    Deletes a library.",
        "LIST [LIBRARYNAME <pattern>] [WITHCODE]",
        "    Lists the loaded libraries: name, engine, functions, and with",
        "    WITHCODE their code; LIBRARYNAME keeps the names matching a pattern.",
        "STATS",
        "    Reports the running function (nil when none) and the libraries",
        "    and functions each engine holds.",
        "KILL",
        "    Stops the running function, if it has not written yet.",
        "FLUSH [ASYNC|SYNC]",
        "    Deletes every library.",
        "DUMP",
        "    Serializes the libraries for FUNCTION RESTORE.",
        "RESTORE <payload> [FLUSH|APPEND|REPLACE]",
        "    Loads the libraries of a DUMP payload: APPEND (the default) fails",
        "    when a library exists, REPLACE takes its place, FLUSH deletes every",
        "    loaded library first.",
        "HELP",
        "    Prints this help.",
    ]))
}
