//! INFO: section selection and the counters the keyspace commands move.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::Reply;
use support::{engine, line, Session};

#[test]
fn hits_misses_and_commands_processed() {
    let mut s = Session::new();
    s.run("SET a 1");
    s.run("GET a");
    s.run("GET a");
    s.run("GET nosuch");
    s.run("MGET a nosuch");
    s.run("EXISTS a nosuch");
    s.run("INCR a"); // a write: neither hit nor miss
    assert_eq!(s.info_field("stats", "keyspace_hits"), "4");
    assert_eq!(s.info_field("stats", "keyspace_misses"), "3");
    s.run("GET"); // rejected: not processed
    s.run("NOSUCH");
    // SET, GET x3, MGET, EXISTS, INCR and the two INFO calls before; an
    // INFO is counted once it has answered, as in Redis.
    assert_eq!(s.info_field("stats", "total_commands_processed"), "9");
}

#[test]
fn expired_keys_count_lazy_and_active_expiry() {
    let mut s = Session::at(0);
    s.run("SET lazy v PX 10");
    s.run("SET active v PX 10");
    s.sleep(20);
    s.run("GET lazy");
    assert_eq!(s.info_field("stats", "expired_keys"), "1");
    for ms in 20..200 {
        s.engine.tick(ms);
    }
    assert_eq!(s.info_field("stats", "expired_keys"), "2");
    s.run("FLUSHALL");
    assert_eq!(
        s.info_field("stats", "expired_keys"),
        "2",
        "FLUSHALL keeps the counters"
    );
}

#[test]
fn commandstats_and_errorstats() {
    let mut s = Session::new();
    s.run("SET k v");
    s.run("LPUSH k x"); // WRONGTYPE: a failed call
    s.run("GET"); // arity: a rejected call
    s.run("NOSUCH"); // unknown: only an error
    let text = s.run("INFO commandstats");
    assert!(
        text.contains(
            "cmdstat_set:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "cmdstat_lpush:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0"
        ),
        "{text}"
    );
    assert_eq!(s.info_field("errorstats", "errorstat_ERR"), "count=2");
    assert_eq!(s.info_field("errorstats", "errorstat_WRONGTYPE"), "count=1");
    assert_eq!(s.info_field("stats", "total_error_replies"), "3");
}

#[test]
fn keyspace_and_section_selection() {
    let mut s = Session::at(1_000_000);
    s.run("SET a 1");
    s.run("SET b 2 EX 100");
    s.run("SELECT 3");
    s.run("SET c 3");
    // redis-cli prints INFO raw, not quoted.
    let text = s.run("INFO keyspace");
    assert_eq!(
        text,
        "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=100000\r\ndb3:keys=1,expires=0,avg_ttl=0\r"
    );
    assert_eq!(
        s.reply("INFO nosuch"),
        Reply::Verbatim("txt".into(), Vec::new())
    );
    let both = s.run("INFO CLUSTER keyspace");
    assert!(
        both.starts_with("# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n"),
        "{both}"
    );
    let default = s.run("INFO");
    assert!(
        default.contains("# Server")
            && default.contains("# Keyspace")
            && !default.contains("# Commandstats")
    );
    let all = s.run("INFO all");
    assert!(all.contains("# Commandstats") && all.contains("# Latencystats"));
    assert_eq!(s.info_field("clients", "connected_clients"), "1");
}

/// Every line INFO EVERYTHING prints on an idle Redis 7.0.15 (section
/// headers and field names; per-command and per-database lines left out),
/// in order.
const REDIS_70_FIELDS: &[&str] = &[
    "# Server",
    "redis_version",
    "redis_git_sha1",
    "redis_git_dirty",
    "redis_build_id",
    "redis_mode",
    "os",
    "arch_bits",
    "monotonic_clock",
    "multiplexing_api",
    "atomicvar_api",
    "gcc_version",
    "process_id",
    "process_supervised",
    "run_id",
    "tcp_port",
    "server_time_usec",
    "uptime_in_seconds",
    "uptime_in_days",
    "hz",
    "configured_hz",
    "lru_clock",
    "executable",
    "config_file",
    "io_threads_active",
    "# Clients",
    "connected_clients",
    "cluster_connections",
    "maxclients",
    "client_recent_max_input_buffer",
    "client_recent_max_output_buffer",
    "blocked_clients",
    "tracking_clients",
    "clients_in_timeout_table",
    "# Memory",
    "used_memory",
    "used_memory_human",
    "used_memory_rss",
    "used_memory_rss_human",
    "used_memory_peak",
    "used_memory_peak_human",
    "used_memory_peak_perc",
    "used_memory_overhead",
    "used_memory_startup",
    "used_memory_dataset",
    "used_memory_dataset_perc",
    "allocator_allocated",
    "allocator_active",
    "allocator_resident",
    "total_system_memory",
    "total_system_memory_human",
    "used_memory_lua",
    "used_memory_vm_eval",
    "used_memory_lua_human",
    "used_memory_scripts_eval",
    "number_of_cached_scripts",
    "number_of_functions",
    "number_of_libraries",
    "used_memory_vm_functions",
    "used_memory_vm_total",
    "used_memory_vm_total_human",
    "used_memory_functions",
    "used_memory_scripts",
    "used_memory_scripts_human",
    "maxmemory",
    "maxmemory_human",
    "maxmemory_policy",
    "allocator_frag_ratio",
    "allocator_frag_bytes",
    "allocator_rss_ratio",
    "allocator_rss_bytes",
    "rss_overhead_ratio",
    "rss_overhead_bytes",
    "mem_fragmentation_ratio",
    "mem_fragmentation_bytes",
    "mem_not_counted_for_evict",
    "mem_replication_backlog",
    "mem_total_replication_buffers",
    "mem_clients_slaves",
    "mem_clients_normal",
    "mem_cluster_links",
    "mem_aof_buffer",
    "mem_allocator",
    "active_defrag_running",
    "lazyfree_pending_objects",
    "lazyfreed_objects",
    "# Persistence",
    "loading",
    "async_loading",
    "current_cow_peak",
    "current_cow_size",
    "current_cow_size_age",
    "current_fork_perc",
    "current_save_keys_processed",
    "current_save_keys_total",
    "rdb_changes_since_last_save",
    "rdb_bgsave_in_progress",
    "rdb_last_save_time",
    "rdb_last_bgsave_status",
    "rdb_last_bgsave_time_sec",
    "rdb_current_bgsave_time_sec",
    "rdb_saves",
    "rdb_last_cow_size",
    "rdb_last_load_keys_expired",
    "rdb_last_load_keys_loaded",
    "aof_enabled",
    "aof_rewrite_in_progress",
    "aof_rewrite_scheduled",
    "aof_last_rewrite_time_sec",
    "aof_current_rewrite_time_sec",
    "aof_last_bgrewrite_status",
    "aof_rewrites",
    "aof_rewrites_consecutive_failures",
    "aof_last_write_status",
    "aof_last_cow_size",
    "module_fork_in_progress",
    "module_fork_last_cow_size",
    "# Stats",
    "total_connections_received",
    "total_commands_processed",
    "instantaneous_ops_per_sec",
    "total_net_input_bytes",
    "total_net_output_bytes",
    "total_net_repl_input_bytes",
    "total_net_repl_output_bytes",
    "instantaneous_input_kbps",
    "instantaneous_output_kbps",
    "instantaneous_input_repl_kbps",
    "instantaneous_output_repl_kbps",
    "rejected_connections",
    "sync_full",
    "sync_partial_ok",
    "sync_partial_err",
    "expired_keys",
    "expired_stale_perc",
    "expired_time_cap_reached_count",
    "expire_cycle_cpu_milliseconds",
    "evicted_keys",
    "evicted_clients",
    "total_eviction_exceeded_time",
    "current_eviction_exceeded_time",
    "keyspace_hits",
    "keyspace_misses",
    "pubsub_channels",
    "pubsub_patterns",
    "pubsubshard_channels",
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
    "total_error_replies",
    "dump_payload_sanitizations",
    "total_reads_processed",
    "total_writes_processed",
    "io_threaded_reads_processed",
    "io_threaded_writes_processed",
    "reply_buffer_shrinks",
    "reply_buffer_expands",
    "# Replication",
    "role",
    "connected_slaves",
    "master_failover_state",
    "master_replid",
    "master_replid2",
    "master_repl_offset",
    "second_repl_offset",
    "repl_backlog_active",
    "repl_backlog_size",
    "repl_backlog_first_byte_offset",
    "repl_backlog_histlen",
    "# CPU",
    "used_cpu_sys",
    "used_cpu_user",
    "used_cpu_sys_children",
    "used_cpu_user_children",
    "used_cpu_sys_main_thread",
    "used_cpu_user_main_thread",
    "# Modules",
    "# Commandstats",
    "# Errorstats",
    "# Latencystats",
    "# Cluster",
    "cluster_enabled",
    "# Keyspace",
];

#[test]
fn info_everything_has_redis_70s_fields_in_order() {
    let mut s = Session::new();
    let Reply::Verbatim(_, text) = s.reply("INFO EVERYTHING") else {
        panic!("INFO answers text")
    };
    let text = String::from_utf8_lossy(&text).into_owned();
    let names: Vec<&str> = text
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .filter(|l| !l.starts_with("cmdstat_") && !l.starts_with("errorstat_"))
        .filter(|l| !(l.starts_with("db") && l.contains(":keys=")))
        .map(|l| l.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(names, REDIS_70_FIELDS, "{text}");
}

#[test]
fn commands_refused_before_running_count_as_rejected() {
    // As Redis 7.0 counts them: NOAUTH and the subscribed-mode refusal.
    let mut e = engine();
    let admin = e.connect();
    line(&mut e, admin, "CONFIG SET requirepass pw");
    let c = e.connect();
    assert_eq!(
        line(&mut e, c, "GET x"),
        "(error) NOAUTH Authentication required."
    );
    line(&mut e, c, "AUTH pw");
    line(&mut e, c, "SUBSCRIBE ch");
    assert!(line(&mut e, c, "GET x").starts_with("(error) ERR Can't execute 'get'"));
    line(&mut e, admin, "AUTH pw");
    let stats = line(&mut e, admin, "INFO commandstats");
    assert!(
        stats.contains(
            "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=2,failed_calls=0"
        ),
        "{stats}"
    );
}
