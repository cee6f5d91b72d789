//! LCS: the longest common subsequence of two strings, by the classic
//! dynamic-programming table, walked back the way Redis walks it so that
//! among several longest subsequences the same one is reported.

use super::{int_arg, is_opt, Arg, ArgKind, BeginSearch, Body, FindKeys, KeySpec, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;
use crate::types::Value;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "lcs",
        arity: -3,
        flags: &["readonly"],
        keys: (1, 2, 1),
        acl: &["@read", "@string", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Range { last_key: 1, key_step: 1, limit: 0 } }],
        group: "string",
        since: "7.0.0",
        complexity: "O(N*M) for strings of N and M bytes.",
        summary: "Finds the longest common subsequence of two strings: the text, its length, or the matching ranges.",
        args: &[Arg::key("key1", 0), Arg::key("key2", 0), Arg::pure_token("len", "LEN").optional(), Arg::pure_token("idx", "IDX").optional(), Arg::new("len", ArgKind::Integer).token("MINMATCHLEN").optional(), Arg::pure_token("withmatchlen", "WITHMATCHLEN").optional()],
        body: Body::Run(lcs),
        ..BASE
    },
];

struct LcsOptions {
    len: bool,
    idx: bool,
    min_match_len: u64,
    with_match_len: bool,
}

fn parse_options(args: &[&[u8]]) -> Result<LcsOptions, CmdError> {
    let mut opts = LcsOptions {
        len: false,
        idx: false,
        min_match_len: 0,
        with_match_len: false,
    };
    let mut i = 0;
    while let Some(&opt) = args.get(i) {
        if is_opt(opt, "IDX") {
            opts.idx = true;
        } else if is_opt(opt, "LEN") {
            opts.len = true;
        } else if is_opt(opt, "WITHMATCHLEN") {
            opts.with_match_len = true;
        } else if let (true, Some(&value)) = (is_opt(opt, "MINMATCHLEN"), args.get(i + 1)) {
            opts.min_match_len = u64::try_from(int_arg(value)?).unwrap_or(0);
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if opts.idx && opts.len {
        return Err(CmdError::Other(
            "ERR If you want both the length and indexes, please just use IDX.".to_string(),
        ));
    }
    Ok(opts)
}

/// The string at a key for LCS: missing keys are empty, other types refused.
fn operand(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Vec<u8>, CmdError> {
    let now = ctx.now();
    match ctx.db().read(key, now) {
        Some(Value::String(s)) => Ok(s.as_bytes().into_owned()),
        Some(_) => Err(CmdError::Other(
            "ERR The specified keys must contain string values".to_string(),
        )),
        None => Ok(Vec::new()),
    }
}

fn lcs(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let a = operand(ctx, argv.get(1).copied().unwrap_or_default());
    let b = operand(ctx, argv.get(2).copied().unwrap_or_default());
    let (a, b) = (a?, b?);
    let opts = parse_options(argv.get(3..).unwrap_or_default())?;
    if a.len() >= u32::MAX as usize - 1 || b.len() >= u32::MAX as usize - 1 {
        return Err(CmdError::Other("ERR String too long for LCS".to_string()));
    }
    let width = b.len() + 1;
    let cells = (a.len() + 1).saturating_mul(width);
    if cells.saturating_mul(4) > ctx.server.config.proto_max_bulk_len {
        return Err(CmdError::Other(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
                .to_string(),
        ));
    }
    let mut table: Vec<u32> = Vec::new();
    if table.try_reserve_exact(cells).is_err() {
        return Err(CmdError::Other(
            "ERR Insufficient memory, failed allocating transient memory for LCS".to_string(),
        ));
    }
    table.resize(cells, 0);
    let at = |i: usize, j: usize| i * width + j;
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            table[at(i, j)] = if a[i - 1] == b[j - 1] {
                table[at(i - 1, j - 1)] + 1
            } else {
                table[at(i - 1, j)].max(table[at(i, j - 1)])
            };
        }
    }
    let total = table[at(a.len(), b.len())];
    if opts.len && !opts.idx {
        return Ok(Reply::Int(i64::from(total)));
    }

    // Walk back from the end, collecting the subsequence and, for IDX, the
    // ranges of contiguous matches (reported from the end, as Redis does).
    let mut result = vec![0u8; total as usize];
    let mut remaining = total as usize;
    let mut matches = Vec::new();
    let unset = a.len();
    let (mut a_start, mut a_end, mut b_start, mut b_end) = (unset, 0, 0, 0);
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            result[remaining - 1] = a[i - 1];
            if a_start == unset {
                (a_start, a_end, b_start, b_end) = (i - 1, i - 1, j - 1, j - 1);
            } else if a_start == i && b_start == j {
                // Contiguous with the current range: extend it backwards.
                a_start -= 1;
                b_start -= 1;
            } else {
                emit = true;
            }
            if a_start == 0 || b_start == 0 {
                emit = true;
            }
            remaining -= 1;
            i -= 1;
            j -= 1;
        } else {
            if table[at(i - 1, j)] > table[at(i, j - 1)] {
                i -= 1;
            } else {
                j -= 1;
            }
            if a_start != unset {
                emit = true;
            }
        }
        if emit {
            let match_len = (a_end - a_start + 1) as u64;
            if opts.min_match_len == 0 || match_len >= opts.min_match_len {
                let mut entry = vec![
                    Reply::Array(vec![Reply::Int(a_start as i64), Reply::Int(a_end as i64)]),
                    Reply::Array(vec![Reply::Int(b_start as i64), Reply::Int(b_end as i64)]),
                ];
                if opts.with_match_len {
                    entry.push(Reply::Int(match_len as i64));
                }
                matches.push(Reply::Array(entry));
            }
            a_start = unset;
        }
    }
    if opts.idx {
        return Ok(Reply::Map(vec![
            (Reply::bulk(b"matches"), Reply::Array(matches)),
            (Reply::bulk(b"len"), Reply::Int(i64::from(total))),
        ]));
    }
    Ok(Reply::Bulk(result))
}
