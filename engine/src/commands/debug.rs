//! DEBUG: the subcommands test suites and curious users reach for, on the
//! engine's own state: OBJECT (a key's encoding, serialized size and
//! eviction bits), SET-ACTIVE-EXPIRE, RELOAD (a snapshot round trip),
//! ERROR, POPULATE (many keys at once, to try a big keyspace). Like Redis 7, it is refused unless `enable-debug-command` allows
//! it (set at startup: the playground does).

use super::{arg, help_reply, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;
use crate::types::{RString, Value};

pub const SPECS: &[Spec] = &[Spec {
    name: "debug",
    arity: -2,
    flags: &["admin", "noscript", "loading", "stale"],
    acl: &["@admin", "@slow", "@dangerous"],
    group: "server",
    since: "1.0.0",
    complexity: "Depends on the subcommand.",
    summary: "Low-level tools for inspecting keys and steering the server in tests.",
    doc_flags: &["syscmd"],
    body: Body::Run(debug),
    ..BASE
}];

/// Whether the client may run DEBUG: `yes`, or `local` and it connected
/// over loopback (or is in-process).
fn allowed(ctx: &Ctx<'_>) -> bool {
    match ctx.server.params.text("enable-debug-command").as_str() {
        "yes" => true,
        "local" => {
            let addr = &ctx.client.peer.addr;
            addr.starts_with("127.")
                || addr.starts_with("::1")
                || addr.starts_with("[::1]")
                || addr.ends_with(":0")
        }
        _ => false,
    }
}

fn debug(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    if !allowed(ctx) {
        return Err(CmdError::Other(
            "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
                .to_string(),
        ));
    }
    let sub = String::from_utf8_lossy(arg(argv, 1)).to_ascii_lowercase();
    match (sub.as_str(), argv.len()) {
        ("help", 2) => Ok(help()),
        ("object", 3) => object(ctx, arg(argv, 2)),
        ("set-active-expire", 3) => {
            // Redis reads the flag with atoi: anything but a leading
            // non-zero number turns active expiry off.
            ctx.server.active_expire = leading_int(arg(argv, 2)) != 0;
            Ok(Reply::ok())
        }
        ("reload", 2) => reload(ctx),
        ("populate", 3..=5) => populate(ctx, argv),
        ("error", 3) => Err(CmdError::Other(
            String::from_utf8_lossy(arg(argv, 2)).into_owned(),
        )),
        _ => Err(CmdError::Other(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
            String::from_utf8_lossy(arg(argv, 1))
        ))),
    }
}

/// C's `atoi`: optional spaces and sign, then digits, stopping at the first
/// other character (0 when there are none).
fn leading_int(raw: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(raw);
    let trimmed = text.trim_start();
    let (sign, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits
        .get(..end)
        .and_then(|d| d.parse::<i64>().ok())
        .map_or(0, |n| sign * n)
}

/// What Redis shows for a key: where the value lives (a made-up but stable
/// address here), its references, encoding, the size of its RDB
/// serialization, its eviction bits and idle time, and for a quicklist its
/// nodes.
fn object(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let limits = ctx.server.limits;
    let compressed = ctx.server.params.int("list-compress-depth") != 0;
    let db = ctx.db();
    if db.peek_quietly(key, now).is_none() {
        return Err(CmdError::Other("ERR no such key".to_string()));
    }
    let (Some(value), Some(bits)) = (db.value(key), db.eviction_bits(key)) else {
        return Err(CmdError::Other("ERR no such key".to_string()));
    };
    let refcount = match value {
        Value::String(RString::Int(n)) if (0..10_000).contains(n) => i64::from(i32::MAX),
        _ => 1,
    };
    // The DUMP payload is the serialization plus a type byte and a
    // 10-byte footer.
    let serialized = crate::rdb::dump(value, &limits).len().saturating_sub(11);
    let idle = crate::evict::clock::idle_seconds(bits, now);
    let mut line = format!(
        "Value at:{:#x} refcount:{refcount} encoding:{} serializedlength:{serialized} lru:{bits} lru_seconds_idle:{idle}",
        fake_address(key),
        value.encoding()
    );
    if let Value::List(list) = value {
        if list.encoding() == "quicklist" {
            let nodes = list.node_count().max(1);
            let bytes: usize = list.node_bytes().map(|(b, _)| b).sum();
            line.push_str(&format!(
                " ql_nodes:{nodes} ql_avg_node:{:.2} ql_listpack_max:{} ql_compressed:{} ql_uncompressed_size:{bytes}",
                list.len() as f64 / nodes as f64,
                limits.list_max_listpack_size,
                i32::from(compressed)
            ));
        }
    }
    Ok(Reply::Status(line))
}

/// A heap-like address derived from the key, so it is stable per key.
fn fake_address(key: &[u8]) -> u64 {
    let hash = key.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    0x7f00_0000_0000 | (hash & 0xff_ffff_fff0)
}

/// Saves a snapshot and loads it back, as Redis's DEBUG RELOAD checks
/// that everything survives persistence. The save is a real one, as
/// Redis's rewrites dump.rdb: LASTSAVE is now, the change count restarts
/// and the host gets the snapshot; but rdb_saves does not count it.
fn reload(ctx: &mut Ctx<'_>) -> Result<Reply, CmdError> {
    let bytes = crate::rdb::write_dump(ctx.server);
    crate::rdb::load_snapshot(ctx.server, &bytes)
        .map_err(|err| CmdError::Other(format!("ERR Error trying to load the RDB dump: {err}")))?;
    Ok(Reply::ok())
}

/// How many keys POPULATE adds between looks at the memory it has used.
const POPULATE_STEP: u64 = 1024;
/// What POPULATE answers when it stops for lack of memory.
const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// DEBUG POPULATE count [prefix] [size]: keys `prefix:0` .. `prefix:N-1`
/// (prefix `key`) holding `value:N`, cut or padded with NUL bytes to `size`
/// when one is given; keys that exist are left alone. Redis's own takes no
/// account of `maxmemory`; here a tab has no swap to fall back on, so with
/// a limit set it stops once the limit is passed and answers as an OOM
/// refusal would (the keys added so far stay).
fn populate(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let positive = |raw: &[u8]| {
        crate::number::parse_i64(raw)
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| CmdError::Other("ERR value is out of range, must be positive".into()))
    };
    let count = positive(arg(argv, 2))?;
    let prefix = argv.get(3).copied().unwrap_or(b"key");
    let size = match argv.get(4) {
        Some(raw) => positive(raw)?,
        None => 0,
    };
    let size = usize::try_from(size)
        .ok()
        .filter(|&size| size <= ctx.server.params.proto_max_bulk_len())
        .ok_or_else(|| {
            CmdError::Other("ERR string exceeds maximum allowed size (proto-max-bulk-len)".into())
        })?;
    // Large values are weighed after each key, small ones every so often.
    let step = if size > 4096 { 1 } else { POPULATE_STEP };
    let limit = u64::try_from(ctx.server.hot.maxmemory).unwrap_or(0);
    let now = ctx.now();
    for j in 0..count {
        if j % step == 0 && j > 0 {
            // Keyspace events are published as it goes, so a million new
            // keys never wait in one queue.
            ctx.flush_key_events();
            if limit > 0 && ctx.server.memory_overview().used as u64 > limit {
                return Err(CmdError::Other(OOM.into()));
            }
        }
        let mut key = prefix.to_vec();
        key.extend_from_slice(format!(":{j}").as_bytes());
        if ctx.db().contains(&key, now) {
            continue;
        }
        let mut value = format!("value:{j}").into_bytes();
        if size > 0 {
            value
                .try_reserve_exact(size.saturating_sub(value.len()))
                .map_err(|_| CmdError::Other(OOM.into()))?;
            value.resize(size, 0);
        }
        ctx.signal_modified(&key);
        ctx.db()
            .insert(key, Value::String(RString::from_text(value)), None, now);
    }
    Ok(Reply::ok())
}

fn help() -> Reply {
    help_reply(&[
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ERROR <string>",
        "    Answers with <string> as an error, for testing clients' error handling.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Adds <count> string keys named <prefix>:<n> (prefix 'key') holding",
        "    'value:<n>', cut or padded with zero bytes to <size>; existing keys",
        "    are kept.",
        "OBJECT <key>",
        "    Shows how the key's value is stored: encoding, serialized length, LRU",
        "    or LFU bits, idle time, and a quicklist's nodes.",
        "RELOAD",
        "    Saves a snapshot and loads it back, replacing the dataset with what",
        "    survived the round trip.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    0 stops expiring keys in the background (keys still expire when",
        "    accessed); 1 turns it back on.",
        "HELP",
        "    Prints this help.",
    ])
}
