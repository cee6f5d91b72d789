//! The CLIENT container: a connection's own settings (ID, SETNAME,
//! GETNAME, SETINFO, REPLY, NO-EVICT, NO-TOUCH), control over other
//! clients (UNBLOCK, PAUSE, UNPAUSE), client-side caching (TRACKING,
//! CACHING, GETREDIR, TRACKINGINFO) and HELP. LIST, INFO and KILL, which
//! describe and select clients, live in `client_list.rs`.
//!
//! Redis 7.0's subcommands, plus NO-TOUCH and SETINFO from Redis 7.2.

use super::client_list::{info, kill, list};
use super::{help_reply, int_arg, is_opt, subcommand_syntax, Arg, ArgKind, Body, Spec, BASE};
use crate::client::{Client, ReplyMode};
use crate::engine::{error_text, Ctx};
use crate::error::CmdError;
use crate::pause;
use crate::reply::Reply;
use crate::tracking::{self, Options};

/// Rows every CLIENT subcommand that only touches its own connection shares.
const OWN: &[&str] = &["noscript", "loading", "stale"];
const OWN_ACL: &[&str] = &["@slow", "@connection"];
/// Rows of the subcommands that act on other clients.
const ADMIN: &[&str] = &["admin", "noscript", "loading", "stale"];
const ADMIN_ACL: &[&str] = &["@admin", "@slow", "@dangerous", "@connection"];

const ON_OFF: &[Arg] = &[Arg::pure_token("on", "ON"), Arg::pure_token("off", "OFF")];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "caching",
        arity: 3,
        flags: OWN,
        acl: OWN_ACL,
        group: "connection",
        since: "6.0.0",
        complexity: "O(1)",
        summary: "In OPTIN or OPTOUT tracking mode, says whether the keys the next command reads may be cached.",
        args: &[Arg::one_of(
            "mode",
            &[Arg::pure_token("yes", "YES"), Arg::pure_token("no", "NO")],
        )],
        body: Body::Run(caching),
        ..BASE
    },
    Spec {
        name: "getname",
        arity: 2,
        flags: OWN,
        acl: OWN_ACL,
        group: "connection",
        since: "2.6.9",
        complexity: "O(1)",
        summary: "Returns this connection's name, or nil if it has none.",
        body: Body::Run(getname),
        ..BASE
    },
    Spec {
        name: "getredir",
        arity: 2,
        flags: OWN,
        acl: OWN_ACL,
        group: "connection",
        since: "6.0.0",
        complexity: "O(1)",
        summary: "Returns the id of the client that receives this one's invalidation messages (0: itself, -1: tracking is off).",
        body: Body::Run(getredir),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: OWN_ACL,
        group: "connection",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Explains the CLIENT subcommands.",
        body: Body::Run(help),
        ..BASE
    },
    Spec {
        name: "id",
        arity: 2,
        flags: OWN,
        acl: OWN_ACL,
        group: "connection",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Returns this connection's unique id.",
        body: Body::Run(id),
        ..BASE
    },
    Spec {
        name: "info",
        arity: 2,
        flags: OWN,
        acl: OWN_ACL,
        tips: &["nondeterministic_output"],
        group: "connection",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Describes this connection in the format of a CLIENT LIST line.",
        body: Body::Run(info),
        ..BASE
    },
    Spec {
        name: "kill",
        arity: -3,
        flags: ADMIN,
        acl: ADMIN_ACL,
        group: "connection",
        since: "2.4.0",
        complexity: "O(N) in the number of connected clients.",
        summary: "Closes the connections chosen by address, or by a combination of id, type, user and addresses.",
        history: &[
            ("2.8.12", "Filters given as option-value pairs."),
            ("2.8.12", "The ID filter."),
            ("3.2.0", "TYPE accepts master."),
            ("5.0.0", "TYPE accepts replica; slave stays as its old name."),
            ("6.2.0", "The LADDR filter."),
        ],
        args: &[Arg::one_of(
            "filter",
            &[
                Arg::new("ip:port", ArgKind::String).deprecated_since("2.8.12"),
                Arg::one_of(
                    "new-format",
                    &[
                        Arg::new("client-id", ArgKind::Integer)
                            .token("ID")
                            .since("2.8.12")
                            .optional(),
                        Arg::one_of(
                            "normal_master_slave_pubsub",
                            &[
                                Arg::pure_token("normal", "NORMAL"),
                                Arg::pure_token("master", "MASTER").since("3.2.0"),
                                Arg::pure_token("slave", "SLAVE"),
                                Arg::pure_token("replica", "REPLICA").since("5.0.0"),
                                Arg::pure_token("pubsub", "PUBSUB"),
                            ],
                        )
                        .token("TYPE")
                        .since("2.8.12")
                        .optional(),
                        Arg::new("username", ArgKind::String).token("USER").optional(),
                        Arg::new("ip:port", ArgKind::String).token("ADDR").optional(),
                        Arg::new("ip:port", ArgKind::String)
                            .token("LADDR")
                            .since("6.2.0")
                            .optional(),
                        Arg::new("yes/no", ArgKind::String).token("SKIPME").optional(),
                    ],
                )
                .multiple(),
            ],
        )],
        body: Body::Run(kill),
        ..BASE
    },
    Spec {
        name: "list",
        arity: -2,
        flags: ADMIN,
        acl: ADMIN_ACL,
        tips: &["nondeterministic_output"],
        group: "connection",
        since: "2.4.0",
        complexity: "O(N) in the number of connected clients.",
        summary: "Describes the connected clients, one line each, optionally only those of a type or with given ids.",
        history: &[
            ("2.8.12", "The id field."),
            ("5.0.0", "The TYPE filter."),
            ("6.0.0", "The user field."),
            ("6.2.0", "The argv-mem, tot-mem, laddr and redir fields, and the ID filter."),
            ("7.0.0", "The resp, multi-mem, rbs and rbp fields."),
            ("7.0.3", "The ssub field."),
        ],
        args: &[
            Arg::one_of(
                "normal_master_replica_pubsub",
                &[
                    Arg::pure_token("normal", "NORMAL"),
                    Arg::pure_token("master", "MASTER"),
                    Arg::pure_token("replica", "REPLICA"),
                    Arg::pure_token("pubsub", "PUBSUB"),
                ],
            )
            .token("TYPE")
            .since("5.0.0")
            .optional(),
            Arg::block("id", &[Arg::new("client-id", ArgKind::Integer).multiple()])
                .token("ID")
                .since("6.2.0")
                .optional(),
        ],
        body: Body::Run(list),
        ..BASE
    },
    Spec {
        name: "no-evict",
        arity: 3,
        flags: ADMIN,
        acl: ADMIN_ACL,
        group: "connection",
        since: "7.0.0",
        complexity: "O(1)",
        summary: "Exempts this connection from client eviction, or makes it eligible again.",
        args: &[Arg::one_of("enabled", ON_OFF)],
        body: Body::Run(no_evict),
        ..BASE
    },
    Spec {
        name: "no-touch",
        arity: 3,
        flags: OWN,
        acl: OWN_ACL,
        group: "connection",
        since: "7.2.0",
        complexity: "O(1)",
        summary: "When on, this connection's commands leave keys' last-access times alone (TOUCH still updates them).",
        args: &[Arg::one_of("enabled", ON_OFF)],
        body: Body::Run(no_touch),
        ..BASE
    },
    Spec {
        name: "pause",
        arity: -3,
        flags: ADMIN,
        acl: ADMIN_ACL,
        group: "connection",
        since: "2.9.50",
        complexity: "O(1)",
        summary: "Holds every client's commands, or only those that write, for a number of milliseconds.",
        history: &[("6.2.0", "WRITE and ALL modes; ALL is the default.")],
        args: &[
            Arg::new("timeout", ArgKind::Integer),
            Arg::one_of(
                "mode",
                &[Arg::pure_token("write", "WRITE"), Arg::pure_token("all", "ALL")],
            )
            .since("6.2.0")
            .optional(),
        ],
        body: Body::Run(pause_cmd),
        ..BASE
    },
    Spec {
        name: "reply",
        arity: 3,
        flags: OWN,
        acl: OWN_ACL,
        group: "connection",
        since: "3.2.0",
        complexity: "O(1)",
        summary: "Turns the server's replies to this connection on or off, or drops the next one.",
        args: &[Arg::one_of(
            "on_off_skip",
            &[
                Arg::pure_token("on", "ON"),
                Arg::pure_token("off", "OFF"),
                Arg::pure_token("skip", "SKIP"),
            ],
        )],
        body: Body::Run(reply),
        ..BASE
    },
    Spec {
        name: "setinfo",
        arity: 4,
        flags: OWN,
        acl: OWN_ACL,
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        group: "connection",
        since: "7.2.0",
        complexity: "O(1)",
        summary: "Records the name or version of the client library this connection uses.",
        args: &[Arg::one_of(
            "attr",
            &[
                Arg::new("libname", ArgKind::String).token("LIB-NAME"),
                Arg::new("libver", ArgKind::String).token("LIB-VER"),
            ],
        )],
        body: Body::Run(setinfo),
        ..BASE
    },
    Spec {
        name: "setname",
        arity: 3,
        flags: OWN,
        acl: OWN_ACL,
        group: "connection",
        since: "2.6.9",
        complexity: "O(1)",
        summary: "Names this connection (an empty name removes it).",
        args: &[Arg::new("connection-name", ArgKind::String)],
        body: Body::Run(setname),
        ..BASE
    },
    Spec {
        name: "tracking",
        arity: -3,
        flags: OWN,
        acl: OWN_ACL,
        group: "connection",
        since: "6.0.0",
        complexity: "O(1), or O(N) in the number of prefixes given.",
        summary: "Turns client-side caching support on or off: the server then reports changes to keys this connection may have cached.",
        args: &[
            Arg::one_of("status", ON_OFF),
            Arg::new("client-id", ArgKind::Integer)
                .token("REDIRECT")
                .optional(),
            Arg::new("prefix", ArgKind::String)
                .token("PREFIX")
                .optional()
                .multiple()
                .multiple_token(),
            Arg::pure_token("bcast", "BCAST").optional(),
            Arg::pure_token("optin", "OPTIN").optional(),
            Arg::pure_token("optout", "OPTOUT").optional(),
            Arg::pure_token("noloop", "NOLOOP").optional(),
        ],
        body: Body::Run(tracking_cmd),
        ..BASE
    },
    Spec {
        name: "trackinginfo",
        arity: 2,
        flags: OWN,
        acl: OWN_ACL,
        group: "connection",
        since: "6.2.0",
        complexity: "O(1)",
        summary: "Describes this connection's tracking: its modes, redirect client and prefixes.",
        body: Body::Run(trackinginfo),
        ..BASE
    },
    Spec {
        name: "unblock",
        arity: -3,
        flags: ADMIN,
        acl: ADMIN_ACL,
        group: "connection",
        since: "5.0.0",
        complexity: "O(log N) in the number of clients blocked on the same keys.",
        summary: "Ends another client's blocking command now, as a timeout or with an error.",
        args: &[
            Arg::new("client-id", ArgKind::Integer),
            Arg::one_of(
                "timeout_error",
                &[
                    Arg::pure_token("timeout", "TIMEOUT"),
                    Arg::pure_token("error", "ERROR"),
                ],
            )
            .optional(),
        ],
        body: Body::Run(unblock),
        ..BASE
    },
    Spec {
        name: "unpause",
        arity: 2,
        flags: ADMIN,
        acl: ADMIN_ACL,
        group: "connection",
        since: "6.2.0",
        complexity: "O(N) in the number of clients whose commands were held.",
        summary: "Ends a CLIENT PAUSE early; held commands run.",
        body: Body::Run(unpause),
        ..BASE
    },
];

pub const SPECS: &[Spec] = &[Spec {
    name: "client",
    arity: -2,
    acl: &["@slow"],
    group: "connection",
    since: "2.4.0",
    complexity: "Depends on the subcommand.",
    summary: "Inspects and controls client connections.",
    body: Body::Container {
        subcommands: SUBCOMMANDS,
        bare: None,
    },
    ..BASE
}];

fn err(text: &str) -> CmdError {
    CmdError::Other(text.to_string())
}

/// ON or OFF, as NO-EVICT and NO-TOUCH take it.
fn on_off(word: &[u8]) -> Result<bool, CmdError> {
    if is_opt(word, "ON") {
        Ok(true)
    } else if is_opt(word, "OFF") {
        Ok(false)
    } else {
        Err(CmdError::Syntax)
    }
}

/// Whether `value` may be a client name or library attribute: printable
/// ASCII without spaces, as Redis requires.
fn is_printable_word(value: &[u8]) -> bool {
    value.iter().all(|b| (b'!'..=b'~').contains(b))
}

/// Names a client (CLIENT SETNAME, HELLO SETNAME); an empty name removes it.
pub(crate) fn set_name(client: &mut Client, name: &[u8]) -> Result<(), CmdError> {
    if !is_printable_word(name) {
        return Err(err(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    client.name = name.to_vec();
    Ok(())
}

fn id(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::Int(i64::try_from(ctx.client.id).unwrap_or(i64::MAX)))
}

fn getname(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(if ctx.client.name.is_empty() {
        Reply::Nil
    } else {
        Reply::Bulk(ctx.client.name.clone())
    })
}

fn setname(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    set_name(ctx.client, argv.get(2).copied().unwrap_or_default())?;
    Ok(Reply::ok())
}

fn setinfo(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (Some(&attr), Some(&value)) = (argv.get(2), argv.get(3)) else {
        return Err(CmdError::Syntax);
    };
    let slot = if is_opt(attr, "LIB-NAME") {
        &mut ctx.client.lib_name
    } else if is_opt(attr, "LIB-VER") {
        &mut ctx.client.lib_ver
    } else {
        return Err(CmdError::Other(format!(
            "ERR Unrecognized option '{}'",
            error_text(attr, 128)
        )));
    };
    if !is_printable_word(value) {
        return Err(CmdError::Other(format!(
            "ERR {} cannot contain spaces, newlines or special characters.",
            error_text(attr, 128)
        )));
    }
    *slot = value.to_vec();
    Ok(Reply::ok())
}

/// OFF and SKIP send no reply at all (the engine drops what would follow);
/// SKIP while replies are off changes nothing.
fn reply(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mode = argv.get(2).copied().unwrap_or_default();
    if is_opt(mode, "ON") {
        ctx.client.reply_mode = ReplyMode::On;
        Ok(Reply::ok())
    } else if is_opt(mode, "OFF") {
        ctx.client.reply_mode = ReplyMode::Off;
        Ok(Reply::Frames(Vec::new()))
    } else if is_opt(mode, "SKIP") {
        if ctx.client.reply_mode != ReplyMode::Off {
            ctx.client.reply_mode = ReplyMode::SkipNext;
        }
        Ok(Reply::Frames(Vec::new()))
    } else {
        Err(CmdError::Syntax)
    }
}

fn no_evict(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ctx.client.no_evict = on_off(argv.get(2).copied().unwrap_or_default())?;
    Ok(Reply::ok())
}

fn no_touch(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    ctx.client.no_touch = on_off(argv.get(2).copied().unwrap_or_default())?;
    Ok(Reply::ok())
}

/// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if the client was waiting in a
/// blocking command and now is not. A client held by CLIENT PAUSE is not
/// released (Redis 7.0 crashes on it; 7.2 answers 0 too).
fn unblock(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let error = match argv {
        [_, _, _] => false,
        [_, _, _, reason] if is_opt(reason, "TIMEOUT") => false,
        [_, _, _, reason] if is_opt(reason, "ERROR") => true,
        [_, _, _, _] => return Err(err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
        _ => return Err(subcommand_syntax(argv)),
    };
    let target = int_arg(argv.get(2).copied().unwrap_or_default())?;
    let released = u64::try_from(target).is_ok_and(|target| {
        let text = error.then_some("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        crate::blocking::release(ctx.server, target, text)
    });
    Ok(Reply::Int(i64::from(released)))
}

/// CLIENT PAUSE timeout [WRITE|ALL]; the mode is checked before the timeout.
fn pause_cmd(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let kind = match argv {
        [_, _, _] => pause::Kind::All,
        [_, _, _, mode] if is_opt(mode, "WRITE") => pause::Kind::Write,
        [_, _, _, mode] if is_opt(mode, "ALL") => pause::Kind::All,
        [_, _, _, _] => return Err(err("ERR CLIENT PAUSE mode must be WRITE or ALL")),
        _ => return Err(subcommand_syntax(argv)),
    };
    let timeout = crate::number::parse_i64(argv.get(2).copied().unwrap_or_default())
        .ok_or_else(|| err("ERR timeout is not an integer or out of range"))?;
    if timeout < 0 {
        return Err(err("ERR timeout is negative"));
    }
    pause::start(ctx.server, kind, timeout);
    Ok(Reply::ok())
}

fn unpause(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    pause::end(ctx.server);
    Ok(Reply::ok())
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p]... [BCAST] [OPTIN]
/// [OPTOUT] [NOLOOP], with Redis's checks in Redis's order: options are
/// read (and the redirect client looked up) first, then their mix is
/// checked against each other and against the tracking already on.
fn tracking_cmd(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut options = Options::default();
    let mut i = 3;
    while let Some(&option) = argv.get(i) {
        let value = argv.get(i + 1).copied();
        match value {
            Some(value) if is_opt(option, "REDIRECT") => {
                i += 1;
                if options.redirect != 0 {
                    return Err(err(
                        "ERR A client can only redirect to a single other client",
                    ));
                }
                let target = int_arg(value)?;
                match u64::try_from(target) {
                    Ok(id) if id == ctx.client.id || ctx.server.clients.contains_key(&id) => {
                        options.redirect = id;
                    }
                    _ => return Err(err("ERR The client ID you want redirect to does not exist")),
                }
            }
            Some(value) if is_opt(option, "PREFIX") => {
                i += 1;
                options.prefixes.push(value.to_vec());
            }
            _ if is_opt(option, "BCAST") => options.bcast = true,
            _ if is_opt(option, "OPTIN") => options.optin = true,
            _ if is_opt(option, "OPTOUT") => options.optout = true,
            _ if is_opt(option, "NOLOOP") => options.noloop = true,
            _ => return Err(CmdError::Syntax),
        }
        i += 1;
    }
    let status = argv.get(2).copied().unwrap_or_default();
    if is_opt(status, "OFF") {
        tracking::disable(ctx.server, ctx.client);
        return Ok(Reply::ok());
    }
    if !is_opt(status, "ON") {
        return Err(CmdError::Syntax);
    }
    check_modes(ctx.client, &options)?;
    let overlap = if options.bcast {
        prefix_overlap(ctx.client, &options.prefixes)
    } else {
        None
    };
    match overlap {
        None => {
            tracking::enable(ctx.server, ctx.client, options);
            Ok(Reply::ok())
        }
        // Redis checks the new prefixes among themselves in a way that
        // reports an overlap found past the first prefix and then turns
        // tracking on anyway, answering twice (the error, then OK);
        // Redis 7.0 through 7.4 do this, so clients see it here too.
        Some(Overlap { text, enable: true }) => {
            tracking::enable(ctx.server, ctx.client, options);
            Ok(Reply::Frames(vec![Reply::Error(text), Reply::ok()]))
        }
        Some(Overlap {
            text,
            enable: false,
        }) => Err(CmdError::Other(text)),
    }
}

/// The checks on a CLIENT TRACKING ON's modes, in Redis's order.
fn check_modes(client: &Client, options: &Options) -> Result<(), CmdError> {
    if !options.bcast && !options.prefixes.is_empty() {
        return Err(err("ERR PREFIX option requires BCAST mode to be enabled"));
    }
    let current = client.tracking.as_ref();
    if current.is_some_and(|t| t.bcast != options.bcast) {
        return Err(err("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."));
    }
    if options.bcast && (options.optin || options.optout) {
        return Err(err("ERR OPTIN and OPTOUT are not compatible with BCAST"));
    }
    if options.optin && options.optout {
        return Err(err("ERR You can't specify both OPTIN mode and OPTOUT mode"));
    }
    if current.is_some_and(|t| (options.optin && t.optout) || (options.optout && t.optin)) {
        return Err(err("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."));
    }
    Ok(())
}

/// A prefix overlap CLIENT TRACKING reports, and whether tracking is
/// turned on regardless (see `tracking_cmd`).
struct Overlap {
    text: String,
    enable: bool,
}

/// Two prefixes overlap when one starts the other: a key could match both.
fn overlaps(a: &[u8], b: &[u8]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Redis's prefix checks: each new prefix against the client's current
/// ones, then against the new prefixes after it.
fn prefix_overlap(client: &Client, prefixes: &[Vec<u8>]) -> Option<Overlap> {
    let current = client.tracking.as_ref().map(|t| &t.prefixes);
    for (i, prefix) in prefixes.iter().enumerate() {
        let existing = current.and_then(|set| set.iter().find(|p| overlaps(p, prefix)));
        if let Some(existing) = existing {
            return Some(Overlap {
                text: format!(
                    "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single client must not overlap.",
                    error_text(prefix, usize::MAX),
                    error_text(existing, usize::MAX)
                ),
                enable: false,
            });
        }
        let later = prefixes.iter().skip(i + 1).find(|p| overlaps(prefix, p));
        if let Some(later) = later {
            return Some(Overlap {
                text: format!(
                    "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single client must not overlap.",
                    error_text(prefix, usize::MAX),
                    error_text(later, usize::MAX)
                ),
                enable: i > 0,
            });
        }
    }
    None
}

fn caching(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let Some(state) = ctx.client.tracking.as_mut().filter(|t| t.optin || t.optout) else {
        return Err(err("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"));
    };
    let choice = argv.get(2).copied().unwrap_or_default();
    if is_opt(choice, "YES") {
        if !state.optin {
            return Err(err(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            ));
        }
    } else if is_opt(choice, "NO") {
        if !state.optout {
            return Err(err(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            ));
        }
    } else {
        return Err(CmdError::Syntax);
    }
    state.caching = true;
    Ok(Reply::ok())
}

fn getredir(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::Int(ctx.client.tracking.as_ref().map_or(-1, |t| {
        i64::try_from(t.redirect).unwrap_or(i64::MAX)
    })))
}

fn trackinginfo(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let state = ctx.client.tracking.as_ref();
    let flags: Vec<&str> = match state {
        None => vec!["off"],
        Some(t) => [
            (true, "on"),
            (t.bcast, "bcast"),
            (t.optin, "optin"),
            (t.optin && t.caching, "caching-yes"),
            (t.optout, "optout"),
            (t.optout && t.caching, "caching-no"),
            (t.noloop, "noloop"),
            (t.broken_redirect, "broken_redirect"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| name)
        .collect(),
    };
    let redirect = state.map_or(-1, |t| i64::try_from(t.redirect).unwrap_or(i64::MAX));
    let prefixes = state
        .map(|t| t.prefixes.iter().map(|p| Reply::bulk(p)).collect())
        .unwrap_or_default();
    Ok(Reply::Map(vec![
        (
            Reply::bulk(b"flags"),
            Reply::Set(
                flags
                    .into_iter()
                    .map(|f| Reply::bulk(f.as_bytes()))
                    .collect(),
            ),
        ),
        (Reply::bulk(b"redirect"), Reply::Int(redirect)),
        (Reply::bulk(b"prefixes"), Reply::Array(prefixes)),
    ]))
}

fn help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    In OPTIN/OPTOUT tracking, whether the next command's keys may be cached.",
        "GETREDIR",
        "    The id invalidation messages are redirected to (0: none, -1: tracking off).",
        "GETNAME",
        "    This connection's name.",
        "ID",
        "    This connection's id.",
        "INFO",
        "    This connection, described as a CLIENT LIST line.",
        "KILL <ip:port>",
        "    Closes the connection from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Closes every connection matching all the filters:",
        "    * ID <client-id>",
        "      The connection with this id.",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Connections from this address.",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Connections to this local address.",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Connections of this type.",
        "    * USER <username>",
        "      Connections authenticated as this user.",
        "    * SKIPME (YES|NO)",
        "      Whether to spare this connection (default: yes).",
        "LIST [options ...]",
        "    One line per connection. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Only connections of this type.",
        "    * ID <client-id> [<client-id> ...]",
        "      Only the connections with these ids.",
        "NO-EVICT (ON|OFF)",
        "    Exempts this connection from client eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Leaves keys' last-access times alone for this connection's commands.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Holds all commands, or the writing ones, for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Turns replies to this connection on or off, or drops the next one.",
        "SETINFO <option> <value>",
        "    Records the client library: LIB-NAME <name> or LIB-VER <version>.",
        "SETNAME <name>",
        "    Names this connection.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Client-side caching: report changes to keys this connection may cache.",
        "TRACKINGINFO",
        "    This connection's tracking modes, redirect and prefixes.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Ends a client's blocking command, as a timeout or with an error.",
        "UNPAUSE",
        "    Ends a CLIENT PAUSE now.",
        "HELP",
        "    Prints this help.",
    ]))
}
