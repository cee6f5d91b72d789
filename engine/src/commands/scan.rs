//! Walking the keyspace: KEYS (everything matching a glob, at once) and
//! SCAN (a cursor over stable slots, see `db`), with MATCH, COUNT and TYPE.

use super::{int_arg, is_opt, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::glob;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "keys",
        arity: 2,
        flags: &["readonly"],
        acl: &["@keyspace", "@read", "@slow", "@dangerous"],
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        group: "generic",
        since: "1.0.0",
        complexity: "O(N) for the N keys of the database.",
        summary: "Lists the keys matching a glob pattern (blocks on big databases; prefer SCAN).",
        args: &[Arg::new("pattern", ArgKind::Pattern)],
        body: Body::Run(keys),
        ..BASE
    },
    Spec {
        name: "scan",
        arity: -2,
        flags: &["readonly"],
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["nondeterministic_output", "request_policy:special"],
        group: "generic",
        since: "2.8.0",
        complexity: "O(1) per call; O(N) to walk the whole database.",
        summary: "Walks the keyspace a few keys at a time with a cursor, optionally filtered by pattern and type.",
        history: &[("6.0.0", "The TYPE filter arrived.")],
        args: &[Arg::new("cursor", ArgKind::Integer), Arg::new("pattern", ArgKind::Pattern).token("MATCH").optional(), Arg::new("count", ArgKind::Integer).token("COUNT").optional(), Arg::new("type", ArgKind::String).token("TYPE").since("6.0.0").optional()],
        body: Body::Run(scan),
        ..BASE
    },
];

/// Redis skips matching altogether for the pattern `*` (so `*` also lists
/// the empty key, which `stringmatchlen` itself would not match).
pub(crate) fn pattern_filter(pattern: Option<&[u8]>) -> impl Fn(&[u8]) -> bool + '_ {
    move |key| match pattern {
        None | Some(b"*") => true,
        Some(p) => glob::matches(p, key),
    }
}

fn keys(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let matches = pattern_filter(argv.get(1).copied());
    let now = ctx.now();
    let db = ctx.db();
    // Expired keys are hidden, not reclaimed, as Redis's KEYS does.
    let found = db
        .keys()
        .into_iter()
        .filter(|key| matches(key) && db.expire_at(key).is_none_or(|at| at > now))
        .map(Reply::Bulk)
        .collect();
    Ok(Reply::Array(found))
}

/// A cursor as Redis reads it: C's `strtoul`, so `+5`, `007`, `-1` (which
/// wraps) and the empty string (0) are accepted; blanks and junk are not.
pub(crate) fn parse_cursor(raw: &[u8]) -> Result<u64, CmdError> {
    let invalid = || CmdError::Other("ERR invalid cursor".to_string());
    let (negative, digits) = match raw.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, raw),
    };
    if raw.is_empty() {
        return Ok(0);
    }
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let value = digits
        .iter()
        .try_fold(0u64, |acc, &d| {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .ok_or_else(invalid)?;
    Ok(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// The argument grammar SSCAN and ZSCAN share: key, cursor, MATCH, COUNT.
pub(crate) const COLLECTION_SCAN_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("cursor", ArgKind::Integer),
    Arg::new("pattern", ArgKind::Pattern)
        .token("MATCH")
        .optional(),
    Arg::new("count", ArgKind::Integer)
        .token("COUNT")
        .optional(),
];

/// SCAN's options after the cursor, shared with HSCAN/SSCAN/ZSCAN (which
/// have no TYPE): COUNT (at least 1), MATCH, TYPE.
pub(crate) struct ScanOptions<'a> {
    pub count: usize,
    pub pattern: Option<&'a [u8]>,
    pub type_name: Option<&'a [u8]>,
    /// HSCAN's NOVALUES (Redis 7.4): field names only.
    pub no_values: bool,
}

/// Which options beyond COUNT and MATCH a scan command takes.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Extra {
    None,
    Type,
    NoValues,
}

pub(crate) fn parse_scan_options<'a>(
    argv: &[&'a [u8]],
    from: usize,
    extra: Extra,
) -> Result<ScanOptions<'a>, CmdError> {
    let mut opts = ScanOptions {
        count: 10,
        pattern: None,
        type_name: None,
        no_values: false,
    };
    let mut i = from;
    while let Some(&opt) = argv.get(i) {
        if extra == Extra::NoValues && is_opt(opt, "NOVALUES") {
            opts.no_values = true;
            i += 1;
            continue;
        }
        match argv.get(i + 1).copied() {
            Some(v) if is_opt(opt, "COUNT") => {
                let count = int_arg(v)?;
                if count < 1 {
                    return Err(CmdError::Syntax);
                }
                opts.count = usize::try_from(count).unwrap_or(usize::MAX);
            }
            Some(v) if is_opt(opt, "MATCH") => opts.pattern = Some(v),
            Some(v) if extra == Extra::Type && is_opt(opt, "TYPE") => opts.type_name = Some(v),
            _ => return Err(CmdError::Syntax),
        }
        i += 2;
    }
    Ok(opts)
}

/// The positions HSCAN/SSCAN/ZSCAN visit in one call, and the next cursor.
///
/// A compact encoding is answered whole (cursor 0), as Redis does. A paged
/// one (hashtable, skiplist) keeps its members in an index set whose
/// removal moves the last member into the gap; walking positions downward
/// from the top keeps SCAN's guarantee under that: a member moved by a
/// removal only ever moves down, into the part still to visit (or to be
/// visited twice, which SCAN allows), and new members land above the
/// cursor. The cursor is the position below which the walk continues.
pub(crate) fn collection_positions(
    paged: bool,
    len: usize,
    cursor: u64,
    count: usize,
) -> (Vec<usize>, u64) {
    if !paged {
        return ((0..len).collect(), 0);
    }
    let top = match usize::try_from(cursor) {
        Ok(0) => len,
        Ok(c) => c.min(len),
        Err(_) => len,
    };
    let bottom = top.saturating_sub(count);
    let next = u64::try_from(bottom).unwrap_or(0);
    ((bottom..top).rev().collect(), next)
}

/// A SCAN-family reply: the next cursor and the items found.
pub(crate) fn scan_reply(next: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(next.to_string().into_bytes()),
        Reply::Array(items),
    ])
}

fn scan(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let cursor = parse_cursor(argv.get(1).copied().unwrap_or_default())?;
    let ScanOptions {
        count,
        pattern,
        type_name,
        ..
    } = parse_scan_options(argv, 2, Extra::Type)?;
    let now = ctx.now();
    let db = ctx.db();
    let (found, next) = db.scan(cursor, count);
    let matches = pattern_filter(pattern);
    let mut keys = Vec::with_capacity(found.len());
    for key in found {
        if !matches(&key) {
            continue;
        }
        if let Some(wanted) = type_name {
            let actual = db.peek(&key, now).map_or("none", |v| v.type_name());
            if !wanted.eq_ignore_ascii_case(actual.as_bytes()) {
                continue;
            }
        }
        if db.expire_if_due(&key, now) {
            continue;
        }
        keys.push(Reply::Bulk(key));
    }
    Ok(scan_reply(next, keys))
}
