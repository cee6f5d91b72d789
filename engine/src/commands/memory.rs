//! MEMORY: USAGE and STATS over the memory model (`crate::memory`), a
//! DOCTOR that reads it, and the allocator subcommands (MALLOC-STATS,
//! PURGE), which have no allocator of Redis's to talk to.

use super::{arg, help_reply, Arg, ArgKind, BeginSearch, Body, FindKeys, KeySpec, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::memory::{self, Overview};
use crate::number::parse_i64;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[Spec {
    name: "memory",
    arity: -2,
    acl: &["@slow"],
    group: "server",
    since: "4.0.0",
    complexity: "Depends on the subcommand.",
    summary: "Reports how much memory keys and the server take, as the memory model computes it.",
    body: Body::Container {
        subcommands: SUBCOMMANDS,
        bare: None,
    },
    ..BASE
}];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "doctor",
        arity: 2,
        acl: &["@slow"],
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        group: "server",
        since: "4.0.0",
        complexity: "O(1)",
        summary: "Reads the memory figures and points out anything worth attention, in plain words.",
        body: Body::Run(doctor),
        ..BASE
    },
    Spec {
        name: "malloc-stats",
        arity: 2,
        acl: &["@slow"],
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        group: "server",
        since: "4.0.0",
        complexity: "Grows with the memory allocated; O(1) here.",
        summary: "Returns the memory allocator's own statistics, where it has any.",
        body: Body::Run(malloc_stats),
        ..BASE
    },
    Spec {
        name: "purge",
        arity: 2,
        acl: &["@slow"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        group: "server",
        since: "4.0.0",
        complexity: "Grows with the memory allocated; O(1) here.",
        summary: "Asks the allocator to give unused pages back to the system.",
        body: Body::Run(purge),
        ..BASE
    },
    Spec {
        name: "stats",
        arity: 2,
        acl: &["@slow"],
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        group: "server",
        since: "4.0.0",
        complexity: "O(1)",
        summary: "Breaks the server's memory down: overheads, dataset, per-database tables, fragmentation.",
        body: Body::Run(stats),
        ..BASE
    },
    Spec {
        name: "usage",
        arity: -3,
        flags: &["readonly"],
        keys: (2, 2, 1),
        acl: &["@read", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RO"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "server",
        since: "4.0.0",
        complexity: "O(N) for the N sampled elements.",
        summary: "Estimates the bytes a key and its value take.",
        args: &[Arg::key("key", 0), Arg::new("count", ArgKind::Integer).token("SAMPLES").optional()],
        body: Body::Run(usage),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@slow"],
        group: "server",
        since: "4.0.0",
        complexity: "O(1)",
        summary: "Lists the MEMORY subcommands.",
        body: Body::Run(help),
        ..BASE
    },
];

/// MEMORY USAGE key [SAMPLES count]: the options are checked before the
/// key is looked up; the lookup is the keyspace's own, without expiring.
fn usage(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut samples = memory::DEFAULT_SAMPLES;
    let mut rest = argv.get(3..).unwrap_or_default().iter();
    while let Some(option) = rest.next() {
        if !option.eq_ignore_ascii_case(b"samples") {
            return Err(CmdError::Syntax);
        }
        let raw = rest.next().ok_or(CmdError::Syntax)?;
        let n = parse_i64(raw).ok_or(CmdError::NotInteger)?;
        samples = match usize::try_from(n) {
            Ok(0) => 0,
            Ok(n) => n,
            Err(_) => return Err(CmdError::Syntax),
        };
    }
    let key = arg(argv, 2);
    let db = ctx.db();
    Ok(match db.value(key) {
        Some(value) => {
            Reply::Int(i64::try_from(memory::key_usage(key, value, samples)).unwrap_or(i64::MAX))
        }
        None => Reply::Nil,
    })
}

fn int(n: usize) -> Reply {
    Reply::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn field(name: &str, value: Reply) -> (Reply, Reply) {
    (Reply::bulk(name.as_bytes()), value)
}

/// Percent of `part` in `whole`, 0 when there is no whole.
fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

fn stats(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let m = ctx.server.memory_overview();
    let peak = ctx.server.memory_peak;
    let resident = memory::resident(m.used);
    let net = m.used.saturating_sub(memory::STARTUP);
    let mut pairs = vec![
        field("peak.allocated", int(peak)),
        field("total.allocated", int(m.used)),
        field("startup.allocated", int(memory::STARTUP)),
        field("replication.backlog", int(0)),
        field("clients.slaves", int(0)),
        field("clients.normal", int(0)),
        field("cluster.links", int(0)),
        field("aof.buffer", int(0)),
        field("lua.caches", int(0)),
        field("functions.caches", int(memory::FUNCTIONS)),
    ];
    for db in &m.dbs {
        pairs.push(field(
            &format!("db.{}", db.index),
            Reply::Map(vec![
                field("overhead.hashtable.main", int(db.main)),
                field("overhead.hashtable.expires", int(db.expires)),
                field("overhead.hashtable.slot-to-keys", int(0)),
            ]),
        ));
    }
    let per_key = net.checked_div(m.keys).unwrap_or(0);
    let fragmentation = resident as f64 / m.used.max(1) as f64;
    pairs.extend([
        field("overhead.total", int(m.overhead)),
        field("keys.count", int(m.keys)),
        field("keys.bytes-per-key", int(per_key)),
        field("dataset.bytes", int(m.dataset())),
        field(
            "dataset.percentage",
            Reply::Double(percent(m.dataset(), net)),
        ),
        field("peak.percentage", Reply::Double(percent(m.used, peak))),
        field("allocator.allocated", int(m.used)),
        field("allocator.active", int(resident)),
        field("allocator.resident", int(resident)),
        field(
            "allocator-fragmentation.ratio",
            Reply::Double(fragmentation),
        ),
        field("allocator-fragmentation.bytes", int(resident - m.used)),
        field("allocator-rss.ratio", Reply::Double(1.0)),
        field("allocator-rss.bytes", int(0)),
        field("rss-overhead.ratio", Reply::Double(1.0)),
        field("rss-overhead.bytes", int(0)),
        field("fragmentation", Reply::Double(fragmentation)),
        field("fragmentation.bytes", int(resident - m.used)),
    ]);
    Ok(Reply::Map(pairs))
}

/// Below this much memory there is nothing to diagnose (Redis's limit).
const DOCTOR_MINIMUM: usize = 5 * 1024 * 1024;

/// MEMORY DOCTOR's report: what in the figures deserves attention.
fn report(m: &Overview, peak: usize, maxmemory: i64, policy: &str) -> String {
    if m.used < DOCTOR_MINIMUM {
        return format!(
            "This server holds very little data ({} keys in {} bytes), too little for a \
             diagnosis to mean anything. Add data and ask again.\n",
            m.keys, m.used
        );
    }
    let mut findings = Vec::new();
    if peak > m.used.saturating_mul(3) / 2 {
        findings.push(format!(
            "Memory use once peaked at {peak} bytes, more than 150% of the {} used now: a \
             large delete or expiry. The figures are fine; the peak only tells the history.",
            m.used
        ));
    }
    if let Ok(limit) = usize::try_from(maxmemory) {
        if limit > 0 && m.used > limit / 10 * 9 {
            findings.push(format!(
                "Memory use is above 90% of maxmemory ({limit} bytes). With the \
                 '{policy}' policy, {}",
                if policy == "noeviction" {
                    "writes will soon be refused with an OOM error."
                } else {
                    "keys will soon be evicted to make room."
                }
            ));
        }
    }
    if m.keys > 0 && m.dataset() / m.keys < 64 {
        findings.push(
            "Keys are small on average, so per-key overhead (the key itself, its table entry) \
             is a large share of memory. Grouping small values into hashes stores them more \
             compactly."
                .to_string(),
        );
    }
    if findings.is_empty() {
        return "Nothing stands out in the memory figures.\n".to_string();
    }
    let mut text = String::from("What the memory figures show:\n\n");
    for finding in findings {
        text.push_str(&format!(" * {finding}\n\n"));
    }
    text
}

fn doctor(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let m = ctx.server.memory_overview();
    let params = &ctx.server.params;
    let text = report(
        &m,
        ctx.server.memory_peak,
        params.int("maxmemory"),
        &params.text("maxmemory-policy"),
    );
    Ok(Reply::Verbatim("txt".to_string(), text.into_bytes()))
}

/// What Redis answers when built with an allocator other than jemalloc.
fn malloc_stats(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::bulk(
        b"Stats not supported for the current allocator",
    ))
}

fn purge(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::ok())
}

fn help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Reads the memory figures and points out what deserves attention.",
        "MALLOC-STATS",
        "    The allocator's own statistics (none here).",
        "PURGE",
        "    Asks the allocator to return unused pages (nothing to do here).",
        "STATS",
        "    The server's memory broken down: overheads, dataset, tables, fragmentation.",
        "USAGE <key> [SAMPLES <count>]",
        "    Bytes the key and its value take. Large collections are estimated from",
        "    <count> sampled elements (5 by default, 0 for all).",
        "HELP",
        "    Prints this help.",
    ]))
}
