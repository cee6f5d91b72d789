//! Replies between the engine and scripts: a command's `Reply` as the
//! interpreter takes it (`HostReply`), and a script's result back.

use redsim_lua::vm::HostReply;

use crate::reply::Reply;

/// A command's reply for a script, in the protocol the script asked for: a
/// RESP2 script gets exactly what a RESP2 client would (the engine's own
/// downgrade, so doubles keep the digits the command chose), a RESP3 one
/// the RESP3 types.
pub(super) fn to_script(reply: Reply, resp3: bool) -> HostReply {
    let reply = if resp3 { reply } else { reply.into_resp2() };
    to_host(reply)
}

fn to_host(reply: Reply) -> HostReply {
    let all = |items: Vec<Reply>| items.into_iter().map(to_host).collect();
    match reply {
        Reply::Status(s) => HostReply::Status(s.into_bytes()),
        Reply::Error(s) => HostReply::Error(s.into_bytes()),
        Reply::Int(n) => HostReply::Int(n),
        Reply::Bulk(b) => HostReply::Bulk(b),
        Reply::Nil | Reply::NilArray => HostReply::Nil,
        Reply::Array(items) | Reply::Push(items) => HostReply::Array(all(items)),
        Reply::Map(pairs) => HostReply::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (to_host(k), to_host(v)))
                .collect(),
        ),
        Reply::Set(items) => HostReply::Set(all(items)),
        Reply::Double(x) => HostReply::Double(x),
        Reply::DoubleText(text) => HostReply::Double(text.parse().unwrap_or(f64::NAN)),
        Reply::Bool(b) => HostReply::Bool(b),
        Reply::BigNumber(digits) => HostReply::BigNumber(digits.into_bytes()),
        Reply::Verbatim(format, text) => HostReply::Verbatim(format.into_bytes(), text),
        // A command answers with one frame; of several (none happen for
        // the commands scripts may run), the last is its reply.
        Reply::Frames(frames) => frames.into_iter().last().map_or(HostReply::Nil, to_host),
    }
}

/// A script's result as the engine sends it.
pub(super) fn from_script(reply: HostReply) -> Reply {
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    let all = |items: Vec<HostReply>| items.into_iter().map(from_script).collect();
    match reply {
        HostReply::Nil => Reply::Nil,
        HostReply::Int(n) => Reply::Int(n),
        HostReply::Bulk(b) => Reply::Bulk(b),
        HostReply::Status(s) => Reply::Status(text(s)),
        HostReply::Error(s) => Reply::Error(text(s)),
        HostReply::Array(items) => Reply::Array(all(items)),
        HostReply::Map(pairs) => Reply::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (from_script(k), from_script(v)))
                .collect(),
        ),
        HostReply::Set(items) => Reply::Set(all(items)),
        HostReply::Double(x) => Reply::Double(x),
        HostReply::Bool(b) => Reply::Bool(b),
        HostReply::BigNumber(digits) => Reply::BigNumber(text(digits)),
        HostReply::Verbatim(format, body) => Reply::Verbatim(text(format), body),
    }
}
