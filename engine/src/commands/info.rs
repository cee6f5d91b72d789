//! INFO: the server's state as `field:value` lines in `# Section` blocks,
//! in Redis 7.0's section order, selected the way Redis selects them
//! (`default`, `all`, `everything`, or section names in any case).
//!
//! Fields carry what the engine really tracks (commands, hits and misses,
//! expired keys, clients, keyspace, per-command and per-error counts).
//! Fields about things an in-process engine does not have (sockets, forks,
//! CPU time, replication peers) report an idle single server.

use std::fmt::Write;

use super::{Arg, ArgKind, Body, Spec, BASE};
use crate::config::names;
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[Spec {
    name: "info",
    arity: -1,
    flags: &["loading", "stale"],
    acl: &["@slow", "@dangerous"],
    tips: &[
        "nondeterministic_output",
        "request_policy:all_shards",
        "response_policy:special",
    ],
    group: "server",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Reports the server's state and counters, by section.",
    history: &[("7.0.0", "Several sections may be asked for at once.")],
    args: &[Arg::new("section", ArgKind::String).optional().multiple()],
    body: Body::Run(info),
    ..BASE
}];

/// Every section, in the order Redis prints them.
const SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
];

/// What a bare INFO (or `default`) prints.
const DEFAULT: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
];

fn selected(argv: &[&[u8]]) -> Vec<&'static str> {
    if argv.len() < 2 {
        return DEFAULT.to_vec();
    }
    let wanted: Vec<String> = argv
        .iter()
        .skip(1)
        .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
        .collect();
    SECTIONS
        .iter()
        .copied()
        .filter(|section| {
            wanted.iter().any(|w| {
                w == section
                    || w == "all"
                    || w == "everything"
                    || (w == "default" && DEFAULT.contains(section))
            })
        })
        .collect()
}

fn info(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut text = String::new();
    for (i, section) in selected(argv).into_iter().enumerate() {
        if i > 0 {
            text.push_str("\r\n");
        }
        write_section(ctx, section, &mut text);
    }
    Ok(Reply::Verbatim("txt".to_string(), text.into_bytes()))
}

/// Title case of a section name, as in Redis's headers (`# Stats`).
fn title(section: &str) -> String {
    match section {
        "cpu" => "CPU".to_string(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
    }
}

fn write_section(ctx: &mut Ctx<'_>, section: &str, out: &mut String) {
    let _ = write!(out, "# {}\r\n", title(section));
    let server = &*ctx.server;
    let now = server.now_ms;
    let mut field = |name: &str, value: &dyn std::fmt::Display| {
        let _ = write!(out, "{name}:{value}\r\n");
    };
    let db_totals = server.dbs.iter().fold((0u64, 0u64, 0u64), |acc, db| {
        (
            acc.0 + db.stats.hits,
            acc.1 + db.stats.misses,
            acc.2 + db.stats.expired,
        )
    });
    match section {
        "server" => {
            let uptime = (now - server.started_ms).max(0) / 1000;
            field("redis_version", &super::connection::REDIS_VERSION);
            field("redis_mode", &"standalone");
            field("arch_bits", &usize::BITS);
            field("server_time_usec", &now.saturating_mul(1000));
            field("uptime_in_seconds", &uptime);
            field("uptime_in_days", &(uptime / 86_400));
            // With few clients Redis runs at the configured rate, even
            // under `dynamic-hz`.
            let hz = server.params.int(names::HZ);
            field("hz", &hz);
            field("configured_hz", &hz);
            field("lru_clock", &((now / 1000) & ((1 << 24) - 1)));
        }
        "clients" => {
            field("connected_clients", &ctx.connected_clients());
            field("maxclients", &server.params.int(names::MAXCLIENTS));
            field("blocked_clients", &0);
        }
        "memory" => {
            // An unsigned count in 64 bits, which Redis prints signed
            // here and unsigned in the human form.
            let maxmemory = server.params.int(names::MAXMEMORY);
            field("maxmemory", &maxmemory);
            field("maxmemory_human", &bytes_to_human(maxmemory as u64));
            field(
                "maxmemory_policy",
                &server.params.text(names::MAXMEMORY_POLICY),
            );
        }
        "persistence" => {
            field("loading", &0);
            field("rdb_bgsave_in_progress", &0);
            field("aof_enabled", &0);
        }
        "stats" => {
            let stats = &server.stats;
            field(
                "total_connections_received",
                &stats.total_connections_received,
            );
            field("total_commands_processed", &stats.total_commands_processed);
            field("expired_keys", &db_totals.2);
            field("evicted_keys", &0);
            field("keyspace_hits", &db_totals.0);
            field("keyspace_misses", &db_totals.1);
            field("pubsub_channels", &0);
            field("pubsub_patterns", &0);
            field("total_error_replies", &stats.total_error_replies);
        }
        "replication" => {
            field("role", &"master");
            field("connected_slaves", &0);
            field("master_repl_offset", &0);
        }
        "cpu" => {
            field("used_cpu_sys", &"0.000000");
            field("used_cpu_user", &"0.000000");
        }
        "commandstats" => {
            for ((parent, sub), c) in &server.stats.commands {
                let name = match sub {
                    Some(sub) => format!("{parent}|{sub}"),
                    None => parent.to_string(),
                };
                let _ = write!(
                    out,
                    "cmdstat_{name}:calls={},usec=0,usec_per_call=0.00,rejected_calls={},failed_calls={}\r\n",
                    c.calls, c.rejected_calls, c.failed_calls
                );
            }
        }
        "errorstats" => {
            for (kind, count) in &server.stats.errors {
                let _ = write!(out, "errorstat_{kind}:count={count}\r\n");
            }
        }
        "cluster" => field("cluster_enabled", &0),
        "keyspace" => {
            for (i, db) in server.dbs.iter().enumerate() {
                if db.is_empty() {
                    continue;
                }
                let _ = write!(
                    out,
                    "db{i}:keys={},expires={},avg_ttl={}\r\n",
                    db.len(),
                    db.volatile_len(),
                    db.average_ttl(now)
                );
            }
        }
        // modules and latencystats: nothing to report.
        _ => {}
    }
}

/// A byte count as Redis's INFO writes it: bytes below 1K, then two
/// decimals of K, M, G, T or P (1024-based), and bytes again beyond.
fn bytes_to_human(n: u64) -> String {
    const UNITS: [(u32, char); 5] = [(1, 'K'), (2, 'M'), (3, 'G'), (4, 'T'), (5, 'P')];
    if n < 1024 {
        return format!("{n}B");
    }
    for (power, unit) in UNITS {
        if n < 1u64 << (10 * (power + 1)) {
            let scaled = n as f64 / (1u64 << (10 * power)) as f64;
            return format!("{scaled:.2}{unit}");
        }
    }
    format!("{n}B")
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::bytes_to_human;

    #[test]
    fn human_sizes_as_redis_prints_them() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(
            bytes_to_human(1152),
            "1.12K",
            "ties round to even, as printf"
        );
        assert_eq!(bytes_to_human(1 << 30), "1.00G");
        assert_eq!(bytes_to_human(u64::MAX), "18446744073709551615B");
    }
}
