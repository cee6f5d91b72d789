//! DUMP and RESTORE: one key's value as a Redis DUMP payload (the RDB
//! encoding of the value, the RDB version and a CRC-64), interchangeable
//! with Redis 7.0's, and back. The format lives in `rdb/`.

use super::{arg, int_arg, one_key, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::rdb::RestoreError;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "dump",
        arity: 2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "generic",
        since: "2.6.0",
        complexity: "O(1) to find the key, then O(N) to encode a value of N elements (O(M) bytes for a string).",
        summary: "Serializes a key's value in Redis's RDB format, for RESTORE here or on another server.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(dump),
        ..BASE
    },
    Spec {
        name: "restore",
        arity: -4,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@keyspace", "@write", "@slow", "@dangerous"],
        key_specs: &[one_key(None, &["OW", "update"])],
        group: "generic",
        since: "2.6.0",
        complexity: "O(1) to create the key, then O(N) to decode a value of N elements; sorted sets pay O(log N) per member.",
        summary: "Creates a key from a DUMP payload, optionally with a TTL and access statistics.",
        history: &[
            ("3.0.0", "REPLACE overwrites an existing key."),
            ("5.0.0", "ABSTTL reads the TTL as a unix time in milliseconds."),
            ("5.0.0", "IDLETIME and FREQ set the key's access statistics."),
        ],
        args: &[
            Arg::key("key", 0),
            Arg::new("ttl", ArgKind::Integer),
            Arg::new("serialized-value", ArgKind::String),
            Arg::pure_token("replace", "REPLACE").since("3.0.0").optional(),
            Arg::pure_token("absttl", "ABSTTL").since("5.0.0").optional(),
            Arg::new("seconds", ArgKind::Integer)
                .token("IDLETIME")
                .since("5.0.0")
                .optional(),
            Arg::new("frequency", ArgKind::Integer)
                .token("FREQ")
                .since("5.0.0")
                .optional(),
        ],
        body: Body::Run(restore),
        ..BASE
    },
];

fn dump(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let now = ctx.now();
    let limits = ctx.server.limits;
    Ok(match ctx.db().read(arg(argv, 1), now) {
        Some(value) => Reply::Bulk(crate::rdb::dump(value, &limits)),
        None => Reply::Nil,
    })
}

fn other(text: &str) -> CmdError {
    CmdError::Other(text.to_string())
}

/// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], with
/// Redis's checks in Redis's order: options, an existing key, the TTL,
/// the payload's footer, then the value.
fn restore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (Option<i64>, Option<i64>) = (None, None);
    let mut i = 4;
    while let Some(&opt) = argv.get(i) {
        let has_value = argv.len() > i + 1;
        if opt.eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else if opt.eq_ignore_ascii_case(b"absttl") {
            absttl = true;
        } else if opt.eq_ignore_ascii_case(b"idletime") && has_value && freq.is_none() {
            let seconds = int_arg(arg(argv, i + 1))?;
            if seconds < 0 {
                return Err(other("ERR Invalid IDLETIME value, must be >= 0"));
            }
            idle = Some(seconds);
            i += 1;
        } else if opt.eq_ignore_ascii_case(b"freq") && has_value && idle.is_none() {
            let f = int_arg(arg(argv, i + 1))?;
            if !(0..=255).contains(&f) {
                return Err(other("ERR Invalid FREQ value, must be >= 0 and <= 255"));
            }
            freq = Some(f);
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    let now = ctx.now();
    if !replace && ctx.db().contains(key, now) {
        return Err(other("BUSYKEY Target key name already exists."));
    }
    let ttl = int_arg(arg(argv, 2))?;
    if ttl < 0 {
        return Err(other("ERR Invalid TTL value, must be >= 0"));
    }
    let limits = ctx.server.limits;
    let value = match crate::rdb::restore(arg(argv, 3), &limits, now) {
        Ok(value) => value,
        Err(RestoreError::VersionOrChecksum) => {
            return Err(other("ERR DUMP payload version or checksum are wrong"))
        }
        Err(RestoreError::BadFormat) => return Err(other("ERR Bad data format")),
    };
    let deleted = replace && ctx.db().remove(key);
    let expire_at = match ttl {
        0 => None,
        t if absttl => Some(t),
        t => Some(t.saturating_add(now)),
    };
    if expire_at.is_some_and(|at| at <= now) {
        // Already expired: nothing is created; a replaced key is gone.
        if deleted {
            ctx.deleted(key);
        }
        return Ok(Reply::ok());
    }
    let mode = crate::evict::access_mode(&ctx.server.params);
    ctx.db().insert(key.to_vec(), value, expire_at, now);
    // IDLETIME or FREQ, whichever the policy keeps (Redis ignores the other).
    let idle = idle.and_then(|s| u64::try_from(s).ok());
    let freq = freq.and_then(|f| u8::try_from(f).ok());
    crate::rdb::set_access(ctx.db(), key, mode, idle, freq, now);
    ctx.modified(class::GENERIC, "restore", key);
    Ok(Reply::ok())
}
