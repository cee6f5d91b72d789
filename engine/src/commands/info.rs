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
use crate::config::{names, render_percentile};
use crate::engine::{Ctx, Server};
use crate::error::CmdError;
use crate::pubsub::Kind;
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
    let connected = ctx.connected_clients();
    let me_blocked = ctx.client.blocked.is_some();
    let me_tracking = ctx.client.tracking.is_some();
    let memory = (section == "memory").then(|| ctx.server.memory_overview());
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
    let uptime = (now - server.started_ms).max(0) / 1000;
    match section {
        "server" => {
            field("redis_version", &super::connection::REDIS_VERSION);
            field("redis_git_sha1", &"00000000");
            field("redis_git_dirty", &0);
            field("redis_build_id", &BUILD_ID);
            field("redis_mode", &"standalone");
            field("os", &HOST_OS);
            field("arch_bits", &usize::BITS);
            // The host drives the clock and the I/O, so these name it.
            field("monotonic_clock", &"host");
            field("multiplexing_api", &"host");
            field("atomicvar_api", &"none");
            field("gcc_version", &"0.0.0");
            field("process_id", &0);
            field("process_supervised", &"no");
            field("run_id", &run_id(server.started_ms));
            field("tcp_port", &server.params.int("port"));
            field("server_time_usec", &now.saturating_mul(1000));
            field("uptime_in_seconds", &uptime);
            field("uptime_in_days", &(uptime / 86_400));
            // With few clients Redis runs at the configured rate, even
            // under `dynamic-hz`.
            let hz = server.params.int(names::HZ);
            field("hz", &hz);
            field("configured_hz", &hz);
            field("lru_clock", &((now / 1000) & ((1 << 24) - 1)));
            field("executable", &"");
            field("config_file", &"");
            field("io_threads_active", &0);
        }
        "clients" => {
            let others = server.clients.values();
            let blocked =
                others.clone().filter(|c| c.blocked.is_some()).count() + usize::from(me_blocked);
            let timed = others
                .filter(|c| c.blocked.as_ref().is_some_and(|b| b.deadline.is_some()))
                .count();
            field("connected_clients", &connected);
            field("cluster_connections", &0);
            field("maxclients", &server.params.int(names::MAXCLIENTS));
            field("client_recent_max_input_buffer", &0);
            field("client_recent_max_output_buffer", &0);
            field("blocked_clients", &blocked);
            let tracking = server
                .clients
                .values()
                .filter(|c| c.tracking.is_some())
                .count()
                + usize::from(me_tracking);
            field("tracking_clients", &tracking);
            field("clients_in_timeout_table", &timed);
        }
        "memory" => {
            let m = memory.unwrap_or_else(|| crate::memory::overview(&mut []));
            let used = m.used as u64;
            let peak = server.memory_peak.max(m.used) as u64;
            let startup = crate::memory::STARTUP as u64;
            let rss = crate::memory::resident(m.used) as u64;
            field("used_memory", &used);
            field("used_memory_human", &bytes_to_human(used));
            field("used_memory_rss", &rss);
            field("used_memory_rss_human", &bytes_to_human(rss));
            field("used_memory_peak", &peak);
            field("used_memory_peak_human", &bytes_to_human(peak));
            field(
                "used_memory_peak_perc",
                &format!("{:.2}%", used as f64 * 100.0 / peak as f64),
            );
            field("used_memory_overhead", &m.overhead);
            field("used_memory_startup", &startup);
            field("used_memory_dataset", &m.dataset());
            let net = used.saturating_sub(startup);
            let dataset_perc = if net == 0 {
                0.0
            } else {
                m.dataset() as f64 * 100.0 / net as f64
            };
            field("used_memory_dataset_perc", &format!("{dataset_perc:.2}%"));
            field("allocator_allocated", &used);
            field("allocator_active", &rss);
            field("allocator_resident", &rss);
            field("total_system_memory", &0);
            field("total_system_memory_human", &"0B");
            let s = scripts(server);
            for name in ["used_memory_lua", "used_memory_vm_eval"] {
                field(name, &s.eval_vm);
            }
            field("used_memory_lua_human", &bytes_to_human(s.eval_vm));
            field("used_memory_scripts_eval", &s.cached_bytes);
            field("number_of_cached_scripts", &s.cached);
            field("number_of_functions", &s.functions);
            field("number_of_libraries", &s.libraries);
            field("used_memory_vm_functions", &s.functions_vm);
            let vm_total = s.eval_vm + s.functions_vm;
            field("used_memory_vm_total", &vm_total);
            field("used_memory_vm_total_human", &bytes_to_human(vm_total));
            field("used_memory_functions", &s.library_bytes);
            let scripts_total = s.cached_bytes + s.library_bytes;
            field("used_memory_scripts", &scripts_total);
            field("used_memory_scripts_human", &bytes_to_human(scripts_total));
            // An unsigned count in 64 bits, which Redis prints signed
            // here and unsigned in the human form.
            let maxmemory = server.params.int(names::MAXMEMORY);
            field("maxmemory", &maxmemory);
            field("maxmemory_human", &bytes_to_human(maxmemory as u64));
            field(
                "maxmemory_policy",
                &server.params.text(names::MAXMEMORY_POLICY),
            );
            // Fragmentation in the model: only the allocator's pages, the
            // used bytes rounded up to whole pages.
            let frag_bytes = rss - used;
            let frag_ratio = format!("{:.2}", rss as f64 / used as f64);
            field("allocator_frag_ratio", &frag_ratio);
            field("allocator_frag_bytes", &frag_bytes);
            for name in ["allocator_rss", "rss_overhead"] {
                field(&format!("{name}_ratio"), &"1.00");
                field(&format!("{name}_bytes"), &0);
            }
            field("mem_fragmentation_ratio", &frag_ratio);
            field("mem_fragmentation_bytes", &frag_bytes);
            for name in [
                "mem_not_counted_for_evict",
                "mem_replication_backlog",
                "mem_total_replication_buffers",
                "mem_clients_slaves",
                "mem_clients_normal",
                "mem_cluster_links",
                "mem_aof_buffer",
            ] {
                field(name, &0);
            }
            field("mem_allocator", &"rust");
            field("active_defrag_running", &0);
            field("lazyfree_pending_objects", &0);
            field("lazyfreed_objects", &0);
        }
        "persistence" => {
            for name in [
                "loading",
                "async_loading",
                "current_cow_peak",
                "current_cow_size",
                "current_cow_size_age",
            ] {
                field(name, &0);
            }
            field("current_fork_perc", &"0.00");
            let p = &server.persistence;
            field("current_save_keys_processed", &0);
            field("current_save_keys_total", &0);
            field("rdb_changes_since_last_save", &p.changes);
            field("rdb_bgsave_in_progress", &0);
            field("rdb_last_save_time", &p.last_save_s);
            field("rdb_last_bgsave_status", &"ok");
            // Saves are instant here: a background save took 0 seconds.
            field("rdb_last_bgsave_time_sec", &if p.bgsaved { 0 } else { -1 });
            field("rdb_current_bgsave_time_sec", &-1);
            field("rdb_saves", &p.saves);
            field("rdb_last_cow_size", &0);
            field("rdb_last_load_keys_expired", &p.last_load_keys_expired);
            field("rdb_last_load_keys_loaded", &p.last_load_keys_loaded);
            field("aof_enabled", &0);
            field("aof_rewrite_in_progress", &0);
            let aof = &server.aof;
            field("aof_rewrite_scheduled", &u8::from(aof.scheduled));
            // Rewrites are instant here: the last one took 0 seconds.
            field(
                "aof_last_rewrite_time_sec",
                &if aof.rewrites > 0 { 0 } else { -1 },
            );
            field("aof_current_rewrite_time_sec", &-1);
            field("aof_last_bgrewrite_status", &"ok");
            field("aof_rewrites", &aof.rewrites);
            field("aof_rewrites_consecutive_failures", &0);
            field("aof_last_write_status", &"ok");
            for name in [
                "aof_last_cow_size",
                "module_fork_in_progress",
                "module_fork_last_cow_size",
            ] {
                field(name, &0);
            }
        }
        "stats" => {
            let stats = &server.stats;
            field(
                "total_connections_received",
                &stats.total_connections_received,
            );
            field("total_commands_processed", &stats.total_commands_processed);
            field("instantaneous_ops_per_sec", &0);
            for name in [
                "total_net_input_bytes",
                "total_net_output_bytes",
                "total_net_repl_input_bytes",
                "total_net_repl_output_bytes",
            ] {
                field(name, &0);
            }
            for name in [
                "instantaneous_input_kbps",
                "instantaneous_output_kbps",
                "instantaneous_input_repl_kbps",
                "instantaneous_output_repl_kbps",
            ] {
                field(name, &"0.00");
            }
            for name in [
                "rejected_connections",
                "sync_full",
                "sync_partial_ok",
                "sync_partial_err",
            ] {
                field(name, &0);
            }
            field("expired_keys", &db_totals.2);
            field("expired_stale_perc", &"0.00");
            field("expired_time_cap_reached_count", &0);
            field("expire_cycle_cpu_milliseconds", &0);
            field("evicted_keys", &server.stats.evicted_keys);
            field("evicted_clients", &0);
            field("total_eviction_exceeded_time", &0);
            field("current_eviction_exceeded_time", &0);
            field("keyspace_hits", &db_totals.0);
            field("keyspace_misses", &db_totals.1);
            field("pubsub_channels", &server.pubsub.active(Kind::Channel));
            field("pubsub_patterns", &server.pubsub.pattern_count());
            field("pubsubshard_channels", &server.pubsub.active(Kind::Shard));
            for name in [
                "latest_fork_usec",
                "total_forks",
                "migrate_cached_sockets",
                "slave_expires_tracked_keys",
                "active_defrag_hits",
                "active_defrag_misses",
                "active_defrag_key_hits",
                "active_defrag_key_misses",
                "total_active_defrag_time",
                "current_active_defrag_time",
                "tracking_total_keys",
                "tracking_total_items",
                "tracking_total_prefixes",
                "unexpected_error_replies",
            ] {
                field(name, &0);
            }
            field("total_error_replies", &stats.total_error_replies);
            field("dump_payload_sanitizations", &0);
            field("total_reads_processed", &stats.total_commands_processed);
            field("total_writes_processed", &stats.total_commands_processed);
            for name in [
                "io_threaded_reads_processed",
                "io_threaded_writes_processed",
                "reply_buffer_shrinks",
                "reply_buffer_expands",
            ] {
                field(name, &0);
            }
        }
        "replication" => {
            field("role", &"master");
            field("connected_slaves", &0);
            field("master_failover_state", &"no-failover");
            field("master_replid", &run_id(server.started_ms.wrapping_add(1)));
            field("master_replid2", &"0".repeat(40));
            field("master_repl_offset", &0);
            field("second_repl_offset", &-1);
            field("repl_backlog_active", &0);
            field("repl_backlog_size", &1_048_576);
            field("repl_backlog_first_byte_offset", &0);
            field("repl_backlog_histlen", &0);
        }
        "cpu" => {
            for name in [
                "used_cpu_sys",
                "used_cpu_user",
                "used_cpu_sys_children",
                "used_cpu_user_children",
                "used_cpu_sys_main_thread",
                "used_cpu_user_main_thread",
            ] {
                field(name, &"0.000000");
            }
        }
        "commandstats" => {
            for ((parent, sub), c) in &server.stats.commands {
                let name = match sub {
                    Some(sub) => format!("{parent}|{sub}"),
                    None => parent.to_string(),
                };
                let _ = write!(
                    out,
                    "cmdstat_{name}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}\r\n",
                    c.calls,
                    c.usec,
                    if c.calls == 0 { 0.0 } else { c.usec as f64 / c.calls as f64 },
                    c.rejected_calls,
                    c.failed_calls
                );
            }
        }
        "latencystats" => {
            let percentiles = server.params.percentiles();
            let tracked = server.stats.commands.iter();
            for ((parent, sub), histogram) in
                tracked.filter_map(|(name, c)| Some((name, c.latency.as_ref()?)))
            {
                let _ = write!(out, "latency_percentiles_usec_{parent}");
                if let Some(sub) = sub {
                    let _ = write!(out, "|{sub}");
                }
                out.push(':');
                for (i, &p) in percentiles.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "," };
                    let us = histogram.value_at_percentile(p) as f64 / 1000.0;
                    let _ = write!(out, "{sep}p{}={us:.3}", render_percentile(p));
                }
                out.push_str("\r\n");
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
        // modules: nothing to report.
        _ => {}
    }
}

const BUILD_ID: &str = "52656473696d0001";
/// The platform the engine runs on, as `os` reports it.
const HOST_OS: &str = if cfg!(target_arch = "wasm32") {
    "wasm32"
} else {
    std::env::consts::OS
};

/// A 40-hex-digit run ID, stable for the engine's lifetime.
fn run_id(seed: i64) -> String {
    let mut state = seed as u64 ^ 0x9e37_79b9_7f4a_7c15;
    (0..5)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            format!("{:08x}", (state >> 32) as u32)
        })
        .collect()
}

/// A byte count as Redis's INFO writes it: bytes below 1K, then two
/// decimals of K, M, G, T or P (1024-based), and bytes again beyond.
/// INFO memory's scripting figures.
struct ScriptFigures {
    /// Each interpreter's heap: Redis's empty Lua state until one exists.
    eval_vm: u64,
    functions_vm: u64,
    cached: u64,
    cached_bytes: u64,
    functions: u64,
    libraries: u64,
    /// The libraries' code.
    library_bytes: u64,
}

/// What a Lua state holds before any script, in Redis 7.0.
const EMPTY_LUA_VM: u64 = 32768;

fn scripts(server: &Server) -> ScriptFigures {
    #[cfg(feature = "scripting")]
    {
        let s = &server.scripting;
        let vm = |bytes: usize| match bytes {
            0 => EMPTY_LUA_VM,
            n => n as u64,
        };
        let f = &s.functions;
        ScriptFigures {
            eval_vm: vm(s.lua_bytes()),
            functions_vm: vm(f.lua_bytes()),
            cached: s.cached_scripts() as u64,
            cached_bytes: s.scripts_bytes() as u64,
            functions: f.function_count() as u64,
            libraries: f.libraries().count() as u64,
            library_bytes: f.libraries().map(|l| l.code.len() as u64).sum(),
        }
    }
    #[cfg(not(feature = "scripting"))]
    {
        let _ = server;
        ScriptFigures {
            eval_vm: EMPTY_LUA_VM,
            functions_vm: EMPTY_LUA_VM,
            cached: 0,
            cached_bytes: 0,
            functions: 0,
            libraries: 0,
            library_bytes: 0,
        }
    }
}

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
