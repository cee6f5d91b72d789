//! Connection commands: PING, ECHO, SELECT, HELLO and AUTH. The only user
//! is `default`, whose password is `requirepass` (none: any password
//! does, as for Redis's `nopass` user); a client that connects while one
//! is set must AUTH (or HELLO ... AUTH) before other commands
//! (`engine::process` answers NOAUTH).

use super::client_cmd::set_name;
use super::{int_arg, is_opt, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;
use crate::resp::Protocol;

/// The Redis version we answer as: the one whose behaviour we reproduce.
pub const REDIS_VERSION: &str = "7.0.15";

pub const SPECS: &[Spec] = &[
    Spec {
        name: "ping",
        arity: -1,
        flags: &["fast"],
        acl: &["@fast", "@connection"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        group: "connection",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Checks the connection: answers PONG, or echoes the message given.",
        args: &[Arg::new("message", ArgKind::String).optional()],
        body: Body::Run(ping),
        ..BASE
    },
    Spec {
        name: "echo",
        arity: 2,
        flags: &["loading", "stale", "fast"],
        acl: &["@fast", "@connection"],
        group: "connection",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Returns the message it was given.",
        args: &[Arg::new("message", ArgKind::String)],
        body: Body::Run(echo),
        ..BASE
    },
    Spec {
        name: "select",
        arity: 2,
        flags: &["loading", "stale", "fast"],
        acl: &["@fast", "@connection"],
        group: "connection",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Switches this connection to another numbered database.",
        args: &[Arg::new("index", ArgKind::Integer)],
        body: Body::Run(select),
        ..BASE
    },
    Spec {
        name: "hello",
        arity: -1,
        flags: &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
        acl: &["@fast", "@connection"],
        group: "connection",
        since: "6.0.0",
        complexity: "O(1)",
        summary: "Picks the protocol version (RESP2 or RESP3), optionally authenticates and names the connection, and describes the server.",
        history: &[("6.2.0", "The protocol version became optional; without it HELLO only reports.")],
        args: &[Arg::block(
            "arguments",
            &[
                Arg::new("protover", ArgKind::Integer),
                Arg::block(
                    "username_password",
                    &[Arg::new("username", ArgKind::String), Arg::new("password", ArgKind::String)],
                )
                .token("AUTH")
                .optional(),
                Arg::new("clientname", ArgKind::String).token("SETNAME").optional(),
            ],
        )
        .optional()],
        body: Body::Run(hello),
        ..BASE
    },
    Spec {
        name: "auth",
        arity: -2,
        flags: &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
        acl: &["@fast", "@connection"],
        group: "connection",
        since: "1.0.0",
        complexity: "O(N) in the number of the user's passwords.",
        summary: "Logs the connection in as a user (the default user when none is named).",
        history: &[("6.0.0", "The username, for ACL users.")],
        args: &[
            Arg::new("username", ArgKind::String).since("6.0.0").optional(),
            Arg::new("password", ArgKind::String),
        ],
        body: Body::Run(auth),
        ..BASE
    },
];

fn ping(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    // A RESP2 subscriber gets its pong as a pub/sub-style pair.
    let subscribed = ctx.client.in_subscribed_mode();
    match argv {
        [_] if subscribed => Ok(Reply::Array(vec![Reply::bulk(b"pong"), Reply::bulk(b"")])),
        [_, message] if subscribed => Ok(Reply::Array(vec![
            Reply::bulk(b"pong"),
            Reply::bulk(message),
        ])),
        [_] => Ok(Reply::Status("PONG".to_string())),
        [_, message] => Ok(Reply::bulk(message)),
        // PING's arity is open-ended in the table but it takes one message at most.
        _ => Err(CmdError::WrongArity("ping".to_string())),
    }
}

fn echo(_ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::bulk(argv.get(1).copied().unwrap_or_default()))
}

fn select(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let index = int_arg(argv.get(1).copied().unwrap_or_default())?;
    // Redis reads the index as a C int, with its own error beyond that range.
    let index = i32::try_from(index).map_err(|_| super::int_range_error())?;
    match usize::try_from(index) {
        Ok(i) if i < ctx.server.dbs.len() => {
            ctx.client.db = i;
            Ok(Reply::ok())
        }
        _ => Err(CmdError::DbIndexOutOfRange),
    }
}

/// HELLO [protover [AUTH user pass] [SETNAME name]]. As in Redis, AUTH
/// and SETNAME take effect as they are read, so a later bad option does
/// not undo them; the protocol changes only once everything passed and
/// the client is authenticated.
fn hello(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut rest = argv.get(1..).unwrap_or_default();
    let mut proto = None;
    if let Some((&first, tail)) = rest.split_first() {
        let version = super::int_arg(first).map_err(|_| {
            CmdError::Other("ERR Protocol version is not an integer or out of range".to_string())
        })?;
        proto = match version {
            2 => Some(Protocol::Resp2),
            3 => Some(Protocol::Resp3),
            _ => {
                return Err(CmdError::Other(
                    "NOPROTO unsupported protocol version".to_string(),
                ))
            }
        };
        rest = tail;
    }
    while let Some((&opt, tail)) = rest.split_first() {
        match tail {
            [user, password, more @ ..] if is_opt(opt, "AUTH") => {
                authenticate(ctx, user, password)?;
                rest = more;
            }
            [client_name, more @ ..] if is_opt(opt, "SETNAME") => {
                set_name(ctx.client, client_name)?;
                rest = more;
            }
            _ => {
                return Err(CmdError::Other(format!(
                    "ERR Syntax error in HELLO option '{}'",
                    String::from_utf8_lossy(opt)
                )))
            }
        }
    }
    if !ctx.client.authenticated {
        return Err(CmdError::Other(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time".to_string(),
        ));
    }
    if let Some(proto) = proto {
        ctx.client.proto = proto;
    }
    let proto_number = match ctx.client.proto {
        Protocol::Resp2 => 2,
        Protocol::Resp3 => 3,
    };
    let id = i64::try_from(ctx.client.id).unwrap_or(i64::MAX);
    Ok(Reply::Map(vec![
        (Reply::bulk(b"server"), Reply::bulk(b"redis")),
        (
            Reply::bulk(b"version"),
            Reply::bulk(REDIS_VERSION.as_bytes()),
        ),
        (Reply::bulk(b"proto"), Reply::Int(proto_number)),
        (Reply::bulk(b"id"), Reply::Int(id)),
        (Reply::bulk(b"mode"), Reply::bulk(b"standalone")),
        (Reply::bulk(b"role"), Reply::bulk(b"master")),
        (Reply::bulk(b"modules"), Reply::Array(Vec::new())),
    ]))
}

/// AUTH password (as `default`, which needs a password configured) or
/// AUTH username password.
fn auth(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    match argv {
        [_, password] => {
            if !ctx.server.params.requires_password() {
                return Err(CmdError::Other(
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?".to_string(),
                ));
            }
            authenticate(ctx, b"default", password)?;
        }
        [_, user, password] => authenticate(ctx, user, password)?,
        _ => return Err(CmdError::Syntax),
    }
    Ok(Reply::ok())
}

/// Logs the client in as `user` if the password is right. A failure
/// leaves an earlier login in place.
fn authenticate(ctx: &mut Ctx<'_>, user: &[u8], password: &[u8]) -> Result<(), CmdError> {
    let required = ctx.server.params.requirepass();
    if user == b"default" && (required.is_empty() || required == password) {
        ctx.client.authenticated = true;
        Ok(())
    } else {
        Err(CmdError::Other(
            "WRONGPASS invalid username-password pair or user is disabled.".to_string(),
        ))
    }
}
