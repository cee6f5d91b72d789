//! EVAL scripts: EVAL, EVALSHA and their read-only forms, and SCRIPT
//! LOAD / EXISTS / FLUSH / KILL. Running a script is `crate::scripting`'s.

use super::{help_reply, Arg, ArgKind, BeginSearch, Body, FindKeys, KeySpec, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::number::parse_i64;
use crate::reply::Reply;
use crate::scripting::{Kind, Start};

/// A script's keys: `numkeys` (argument 2) of them from argument 3.
const fn keynum(notes: Option<&'static str>, flags: &'static [&'static str]) -> KeySpec {
    KeySpec {
        notes,
        flags,
        begin: BeginSearch::Index(2),
        find: FindKeys::Keynum {
            keynum_idx: 0,
            first_key: 1,
            key_step: 1,
        },
    }
}

const RW_NOTE: Option<&str> =
    Some("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE");
const RO_NOTE: Option<&str> =
    Some("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS");
const RW: &[&str] = &["RW", "access", "update"];
const RO: &[&str] = &["RO", "access"];

/// EVAL's and FCALL's key spec: Redis cannot tell how a script uses its keys.
pub(super) const SCRIPT_KEYS: &[KeySpec] = &[keynum(RW_NOTE, RW)];
pub(super) const SCRIPT_RO_KEYS: &[KeySpec] = &[keynum(RO_NOTE, RO)];
/// EVALSHA's: the same, without the note.
const EVALSHA_KEYS: &[KeySpec] = &[keynum(None, RW)];
const EVALSHA_RO_KEYS: &[KeySpec] = &[keynum(None, RO)];

const EVAL_ARGS: &[Arg] = &[
    Arg::new("script", ArgKind::String),
    Arg::new("numkeys", ArgKind::Integer),
    Arg::key("key", 0).optional().multiple(),
    Arg::new("arg", ArgKind::String).optional().multiple(),
];

const EVALSHA_ARGS: &[Arg] = &[
    Arg::new("sha1", ArgKind::String),
    Arg::new("numkeys", ArgKind::Integer),
    Arg::key("key", 0).optional().multiple(),
    Arg::new("arg", ArgKind::String).optional().multiple(),
];

pub(super) const SCRIPT_FLAGS: &[&str] = &[
    "noscript",
    "stale",
    "skip_monitor",
    "no_mandatory_keys",
    "movablekeys",
];
pub(super) const SCRIPT_RO_FLAGS: &[&str] = &[
    "readonly",
    "noscript",
    "stale",
    "skip_monitor",
    "no_mandatory_keys",
    "movablekeys",
];

pub const SPECS: &[Spec] = &[
    Spec {
        name: "eval",
        arity: -3,
        flags: SCRIPT_FLAGS,
        acl: &["@slow", "@scripting"],
        key_specs: SCRIPT_KEYS,
        group: "scripting",
        since: "2.6.0",
        complexity: "Whatever the script does.",
        summary: "Runs a Lua script on the server, atomically, with the keys and arguments given.",
        args: EVAL_ARGS,
        body: Body::Run(eval),
        ..BASE
    },
    Spec {
        name: "evalsha",
        arity: -3,
        flags: SCRIPT_FLAGS,
        acl: &["@slow", "@scripting"],
        key_specs: EVALSHA_KEYS,
        group: "scripting",
        since: "2.6.0",
        complexity: "Whatever the script does.",
        summary: "Runs a script from the script cache, named by its SHA-1 digest.",
        args: EVALSHA_ARGS,
        body: Body::Run(evalsha),
        ..BASE
    },
    Spec {
        name: "eval_ro",
        arity: -3,
        flags: SCRIPT_RO_FLAGS,
        acl: &["@slow", "@scripting"],
        key_specs: SCRIPT_RO_KEYS,
        group: "scripting",
        since: "7.0.0",
        complexity: "Whatever the script does.",
        summary: "Runs a Lua script that may only read.",
        args: EVAL_ARGS,
        body: Body::Run(eval_ro),
        ..BASE
    },
    Spec {
        name: "evalsha_ro",
        arity: -3,
        flags: SCRIPT_RO_FLAGS,
        acl: &["@slow", "@scripting"],
        key_specs: EVALSHA_RO_KEYS,
        group: "scripting",
        since: "7.0.0",
        complexity: "Whatever the script does.",
        summary: "Runs a cached script, by SHA-1 digest, that may only read.",
        args: EVALSHA_ARGS,
        body: Body::Run(evalsha_ro),
        ..BASE
    },
    Spec {
        name: "script",
        arity: -2,
        acl: &["@slow"],
        group: "scripting",
        since: "2.6.0",
        complexity: "Depends on the subcommand.",
        summary: "Manages the cache of EVAL scripts.",
        body: Body::Container {
            subcommands: SCRIPT_SUBCOMMANDS,
            bare: None,
        },
        ..BASE
    },
];

const SCRIPT_SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "load",
        arity: 3,
        flags: &["noscript", "stale"],
        acl: &["@slow", "@scripting"],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        group: "scripting",
        since: "2.6.0",
        complexity: "O(N) in the script's length.",
        summary: "Compiles a script into the cache without running it; answers its SHA-1.",
        args: &[Arg::new("script", ArgKind::String)],
        body: Body::Run(script_load),
        ..BASE
    },
    Spec {
        name: "exists",
        arity: -3,
        flags: &["noscript"],
        acl: &["@slow", "@scripting"],
        tips: &[
            "request_policy:all_shards",
            "response_policy:agg_logical_and",
        ],
        group: "scripting",
        since: "2.6.0",
        complexity: "O(N) for the N digests.",
        summary: "Tells, for each SHA-1 digest, whether that script is cached.",
        args: &[Arg::new("sha1", ArgKind::String).multiple()],
        body: Body::Run(script_exists),
        ..BASE
    },
    Spec {
        name: "flush",
        arity: -2,
        flags: &["noscript"],
        acl: &["@slow", "@scripting"],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        group: "scripting",
        since: "2.6.0",
        complexity: "O(N) for the N cached scripts.",
        summary: "Empties the script cache.",
        history: &[("6.2.0", "ASYNC and SYNC choose how the cache is freed.")],
        args: &[Arg::one_of(
            "async",
            &[
                Arg::pure_token("async", "ASYNC"),
                Arg::pure_token("sync", "SYNC"),
            ],
        )
        .since("6.2.0")
        .optional()],
        body: Body::Run(script_flush),
        ..BASE
    },
    Spec {
        name: "kill",
        arity: 2,
        flags: &["noscript", "allow_busy"],
        acl: &["@slow", "@scripting"],
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        group: "scripting",
        since: "2.6.0",
        complexity: "O(1)",
        summary: "Stops the running EVAL script, if it has not written anything.",
        body: Body::Run(script_kill),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@slow", "@scripting"],
        group: "scripting",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Lists the SCRIPT subcommands.",
        body: Body::Run(script_help),
        ..BASE
    },
];

fn err(text: &str) -> CmdError {
    CmdError::Other(text.to_string())
}

fn eval(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    eval_generic(ctx, argv, false, false)
}

fn evalsha(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    eval_generic(ctx, argv, true, false)
}

fn eval_ro(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    eval_generic(ctx, argv, false, true)
}

fn evalsha_ro(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    eval_generic(ctx, argv, true, true)
}

/// `EVAL script numkeys key... arg...` and its three siblings, checked in
/// Redis's order: numkeys, then the script (NOSCRIPT, compile errors).
fn eval_generic(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    by_sha: bool,
    read_only: bool,
) -> Result<Reply, CmdError> {
    // Redis shows EVAL in MONITOR itself, before the script's commands.
    crate::engine::feed_monitors(ctx, argv);
    let script = argv.get(1).copied().unwrap_or_default();
    if by_sha && script.len() != 40 {
        return Err(err("NOSCRIPT No matching script. Please use EVAL."));
    }
    let (keys, args) = split_keys(argv)?;
    let scripting = &mut ctx.server.scripting;
    let sha = if by_sha {
        if !scripting.has_script(script) {
            return Err(err("NOSCRIPT No matching script. Please use EVAL."));
        }
        String::from_utf8_lossy(script).to_ascii_lowercase()
    } else {
        scripting.load(script)?
    };
    let (func, flags) = scripting
        .script(&sha)
        .ok_or_else(|| err("NOSCRIPT No matching script. Please use EVAL."))?;
    let start = Start {
        kind: Kind::Eval,
        name: sha,
        flags,
        read_only_command: read_only,
        keys,
        args,
        command: Vec::new(),
    };
    crate::scripting::run(ctx, func, start)
}

/// A script's keys and its other arguments.
type KeysAndArgs = (Vec<Vec<u8>>, Vec<Vec<u8>>);

/// The keys and arguments after `numkeys` (argument 2), with Redis's
/// errors for a count that does not fit.
pub(crate) fn split_keys(argv: &[&[u8]]) -> Result<KeysAndArgs, CmdError> {
    let numkeys =
        parse_i64(argv.get(2).copied().unwrap_or_default()).ok_or(CmdError::NotInteger)?;
    let rest = argv.get(3..).unwrap_or_default();
    let Ok(numkeys) = usize::try_from(numkeys) else {
        return Err(err("ERR Number of keys can't be negative"));
    };
    if numkeys > rest.len() {
        return Err(err(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    let (keys, args) = rest.split_at(numkeys);
    let owned = |items: &[&[u8]]| items.iter().map(|a| a.to_vec()).collect();
    Ok((owned(keys), owned(args)))
}

fn script_load(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let body = argv.get(2).copied().unwrap_or_default();
    let sha = ctx.server.scripting.load(body)?;
    Ok(Reply::Bulk(sha.into_bytes()))
}

fn script_exists(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let scripting = &ctx.server.scripting;
    Ok(Reply::Array(
        argv.iter()
            .skip(2)
            .map(|sha| Reply::Int(i64::from(scripting.has_script(sha))))
            .collect(),
    ))
}

fn script_flush(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    match argv {
        [_, _] => {}
        [_, _, mode]
            if mode.eq_ignore_ascii_case(b"sync") || mode.eq_ignore_ascii_case(b"async") => {}
        _ => return Err(err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")),
    }
    ctx.server.scripting.flush();
    Ok(Reply::ok())
}

fn script_kill(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    crate::scripting::kill(ctx, Kind::Eval)
}

fn script_help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "EXISTS <sha1> [<sha1> ...]",
        "    For each digest, 1 if that script is in the cache, else 0.",
        "FLUSH [ASYNC|SYNC]",
        "    Empties the script cache.",
        "KILL",
        "    Stops the running script, if it has not written yet.",
        "LOAD <script>",
        "    Puts a script in the cache and answers its SHA-1 digest.",
        "HELP",
        "    Prints this help.",
    ]))
}
