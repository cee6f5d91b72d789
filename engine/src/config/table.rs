//! The parameter table: every runtime parameter Redis 7.0.15 has, with its
//! alias, the way its value is read and checked, its default, and whether
//! CONFIG SET may change it.
//!
//! Names, aliases, bounds, enum words and defaults are Redis's facts (its
//! `config.c` table, checked against a running 7.0.15). The rows follow the
//! order of Redis's own table, grouped by type, with the few parameters
//! 7.0.15 added late (`shutdown-on-sig*`, `propagation-error-behavior`,
//! `replica-ignore-disk-write-errors`, `socket-mark-id`) where they belong.

/// How a numeric parameter's text is read and printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A strict integer (`string2ll`).
    Plain,
    /// Bytes with an optional unit (`1k`, `5mb`, `2gb`), printed as a byte count.
    Memory,
    /// Bytes, or a percentage (`10%`) kept as a negative number.
    MemoryOrPercent,
    /// Printed in octal (`unixsocketperm`, immutable, so never read).
    Octal,
}

/// Extra checks a text parameter's value must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextCheck {
    None,
    /// Letters, digits, `-` and `.`, shorter than 256 bytes.
    Hostname,
    /// A `{variable}` template that expands to something non-blank.
    ProcTitle,
}

/// What a parameter holds and how CONFIG SET reads it.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `yes` or `no`. `refuse_yes` is the error for a `yes` this server
    /// cannot honour (active defragmentation needs Redis's own jemalloc).
    Bool {
        default: bool,
        refuse_yes: Option<&'static str>,
    },
    /// A 64-bit number within `min..=max`. Bounds are wide enough to hold
    /// `ULLONG_MAX`; a parameter whose maximum is above `i64::MAX` is
    /// unsigned and its value compares as one.
    Int {
        min: i128,
        max: i128,
        default: i64,
        form: Form,
    },
    /// One word of a list (any letter case); several words may share a value.
    Enum {
        words: &'static [(&'static str, u32)],
        default: u32,
    },
    /// Space-separated words of a list, or-ed together as bit flags; the
    /// last field names two flags that may not be combined and the error.
    Flags {
        words: &'static [(&'static str, u32)],
        default: u32,
        exclusive: (u32, u32, &'static str),
    },
    /// Text. Redis keeps most texts as C strings, cut at the first NUL;
    /// `binary` ones (passwords) keep every byte.
    Text {
        default: &'static str,
        binary: bool,
        check: TextCheck,
    },
    /// `save`: pairs of seconds and changes.
    Save,
    /// `client-output-buffer-limit`: class, hard, soft, seconds quadruples.
    OutputBufferLimits,
    /// `oom-score-adj-values`: exactly three numbers in -2000..=2000.
    OomScoreAdjValues,
    /// `notify-keyspace-events`: event class letters.
    KeyspaceEvents,
    /// `bind`: up to 16 addresses.
    Addresses,
    /// `latency-tracking-info-percentiles`: numbers in 0..=100.
    Percentiles,
}

/// CONFIG SET refuses the parameter: Redis fixes it at startup.
pub const IMMUTABLE: u8 = 1;
/// CONFIG SET refuses the parameter unless `enable-protected-configs`
/// allows it, and that one is immutable and `no`.
pub const PROTECTED: u8 = 2;
/// Left out of pattern matches; CONFIG GET finds it only by its exact name.
pub const HIDDEN: u8 = 4;

/// What happens after a successful CONFIG SET changed the parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    Nothing,
    /// Redis reconfigures TLS, which needs certificate files; an emulator
    /// has none, so TLS can never be switched on.
    Tls,
    /// Redis listens on the new TLS port, which also needs TLS configured.
    TlsPort,
    /// Redis accepts any `hz` but clamps it to 1..=500.
    Hz,
}

/// One parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamDef {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u8,
    pub kind: Kind,
    pub apply: Apply,
}

impl ParamDef {
    const fn new(name: &'static str, kind: Kind) -> ParamDef {
        ParamDef {
            name,
            alias: None,
            flags: 0,
            kind,
            apply: Apply::Nothing,
        }
    }

    const fn alias(self, alias: &'static str) -> ParamDef {
        ParamDef {
            alias: Some(alias),
            ..self
        }
    }

    const fn flagged(self, flag: u8) -> ParamDef {
        ParamDef {
            flags: self.flags | flag,
            ..self
        }
    }

    const fn immutable(self) -> ParamDef {
        self.flagged(IMMUTABLE)
    }

    const fn hidden(self) -> ParamDef {
        self.flagged(HIDDEN)
    }

    const fn then(self, apply: Apply) -> ParamDef {
        ParamDef { apply, ..self }
    }

    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

const fn yes_no(name: &'static str, default: bool) -> ParamDef {
    ParamDef::new(
        name,
        Kind::Bool {
            default,
            refuse_yes: None,
        },
    )
}

const fn int(name: &'static str, min: i128, max: i128, default: i64) -> ParamDef {
    numeric(name, min, max, default, Form::Plain)
}

const fn memory(name: &'static str, min: i128, max: i128, default: i64) -> ParamDef {
    numeric(name, min, max, default, Form::Memory)
}

const fn numeric(name: &'static str, min: i128, max: i128, default: i64, form: Form) -> ParamDef {
    ParamDef::new(
        name,
        Kind::Int {
            min,
            max,
            default,
            form,
        },
    )
}

const fn one_of(
    name: &'static str,
    words: &'static [(&'static str, u32)],
    default: u32,
) -> ParamDef {
    ParamDef::new(name, Kind::Enum { words, default })
}

const fn text(name: &'static str, default: &'static str) -> ParamDef {
    ParamDef::new(
        name,
        Kind::Text {
            default,
            binary: false,
            check: TextCheck::None,
        },
    )
}

const fn checked_text(name: &'static str, default: &'static str, check: TextCheck) -> ParamDef {
    ParamDef::new(
        name,
        Kind::Text {
            default,
            binary: false,
            check,
        },
    )
}

const fn secret(name: &'static str) -> ParamDef {
    ParamDef::new(
        name,
        Kind::Text {
            default: "",
            binary: true,
            check: TextCheck::None,
        },
    )
}

const INT_MAX: i128 = i32::MAX as i128;
const INT_MIN: i128 = i32::MIN as i128;
const UINT_MAX: i128 = u32::MAX as i128;
const LONG_MAX: i128 = i64::MAX as i128;
const ULLONG_MAX: i128 = u64::MAX as i128;
const KB: i64 = 1024;
const MB: i64 = 1024 * 1024;

/// The host a Redis process describes; an emulator has none, so these
/// defaults are fixed. The port is Redis's (and `redsim-server`'s) default.
pub const DEFAULT_PORT: i64 = 6379;
/// `redsim-server` listens on loopback only by default, so that is what
/// `bind` reports (Redis's own default is `* -::*`).
pub const DEFAULT_BIND: &str = "127.0.0.1";
/// Redis reports its working directory; there is no file system here, so
/// the directory Debian's packaged Redis runs in stands for it.
pub const DEFAULT_DIR: &str = "/var/lib/redis";

const MAXMEMORY_POLICIES: &[(&str, u32)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
const SYSLOG_FACILITIES: &[(&str, u32)] = &[
    ("user", 0),
    ("local0", 1),
    ("local1", 2),
    ("local2", 3),
    ("local3", 4),
    ("local4", 5),
    ("local5", 6),
    ("local6", 7),
    ("local7", 8),
];
const LOG_LEVELS: &[(&str, u32)] = &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
const SUPERVISED: &[(&str, u32)] = &[("upstart", 0), ("systemd", 1), ("auto", 2), ("no", 3)];
const FSYNC: &[(&str, u32)] = &[("everysec", 0), ("always", 1), ("no", 2)];
const DISKLESS_LOAD: &[(&str, u32)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
const TLS_AUTH: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("optional", 2)];
/// `yes` is the old spelling of `relative`; CONFIG GET answers the first word.
const OOM_SCORE_ADJ: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
const PUBSUB_DEFAULT: &[(&str, u32)] = &[("allchannels", 1), ("resetchannels", 0)];
const SANITIZE: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
const PROTECTED_ACTION: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("local", 2)];
const ENDPOINT_TYPE: &[(&str, u32)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
const PROPAGATION_ERROR: &[(&str, u32)] = &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
const SHUTDOWN_SAVE: u32 = 1;
const SHUTDOWN_NOSAVE: u32 = 2;
const SHUTDOWN: &[(&str, u32)] = &[
    ("default", 0),
    ("save", SHUTDOWN_SAVE),
    ("nosave", SHUTDOWN_NOSAVE),
    ("now", 4),
    ("force", 8),
];

const fn shutdown_flags(name: &'static str) -> ParamDef {
    ParamDef::new(
        name,
        Kind::Flags {
            words: SHUTDOWN,
            default: 0,
            exclusive: (
                SHUTDOWN_SAVE,
                SHUTDOWN_NOSAVE,
                "shutdown options SAVE and NOSAVE can't be used simultaneously",
            ),
        },
    )
}

/// Every parameter. `databases` and `proto-max-bulk-len` take the host's
/// `Config` values when the engine starts.
pub const PARAMS: &[ParamDef] = &[
    // yes/no
    yes_no("rdbchecksum", true).immutable(),
    // Redis's default; an emulator never forks into the background.
    yes_no("daemonize", false).immutable(),
    yes_no("io-threads-do-reads", false).immutable(),
    yes_no("always-show-logo", false).immutable(),
    yes_no("protected-mode", true),
    yes_no("rdbcompression", true),
    yes_no("rdb-del-sync-files", false),
    yes_no("activerehashing", true),
    yes_no("stop-writes-on-bgsave-error", true),
    yes_no("set-proc-title", true).immutable(),
    yes_no("dynamic-hz", true),
    yes_no("lazyfree-lazy-eviction", false),
    yes_no("lazyfree-lazy-expire", false),
    yes_no("lazyfree-lazy-server-del", false),
    yes_no("lazyfree-lazy-user-del", false),
    yes_no("lazyfree-lazy-user-flush", false),
    yes_no("repl-disable-tcp-nodelay", false),
    yes_no("repl-diskless-sync", true),
    yes_no("aof-rewrite-incremental-fsync", true),
    yes_no("no-appendfsync-on-rewrite", false),
    yes_no("cluster-require-full-coverage", true),
    yes_no("rdb-save-incremental-fsync", true),
    yes_no("aof-load-truncated", true),
    yes_no("aof-use-rdb-preamble", true),
    yes_no("aof-timestamp-enabled", false),
    yes_no("cluster-replica-no-failover", false).alias("cluster-slave-no-failover"),
    yes_no("replica-lazy-flush", false).alias("slave-lazy-flush"),
    yes_no("replica-serve-stale-data", true).alias("slave-serve-stale-data"),
    yes_no("replica-read-only", true).alias("slave-read-only"),
    yes_no("replica-ignore-maxmemory", true).alias("slave-ignore-maxmemory"),
    yes_no("jemalloc-bg-thread", true),
    ParamDef::new(
        "activedefrag",
        Kind::Bool {
            default: false,
            refuse_yes: Some(
                "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution",
            ),
        },
    ),
    yes_no("syslog-enabled", false).immutable(),
    yes_no("cluster-enabled", false).immutable(),
    yes_no("appendonly", false),
    yes_no("cluster-allow-reads-when-down", false),
    yes_no("cluster-allow-pubsubshard-when-down", true),
    yes_no("crash-log-enabled", true),
    yes_no("crash-memcheck-enabled", true),
    yes_no("use-exit-on-panic", false).hidden(),
    yes_no("disable-thp", true).immutable(),
    yes_no("cluster-allow-replica-migration", true),
    yes_no("replica-announced", true),
    yes_no("latency-tracking", true),
    yes_no("aof-disable-auto-gc", false),
    yes_no("replica-ignore-disk-write-errors", false),
    // text
    text("aclfile", "").immutable(),
    text("unixsocket", "").immutable(),
    // Redis writes no pid file unless daemonized or told to.
    text("pidfile", "").immutable(),
    text("replica-announce-ip", "").alias("slave-announce-ip"),
    text("masteruser", ""),
    text("cluster-announce-ip", ""),
    text("cluster-config-file", "nodes.conf").immutable(),
    checked_text("cluster-announce-hostname", "", TextCheck::Hostname),
    text("syslog-ident", "redis").immutable(),
    text("dbfilename", "dump.rdb").flagged(PROTECTED),
    text("appendfilename", "appendonly.aof").immutable(),
    text("appenddirname", "appendonlydir").immutable(),
    text("server_cpulist", "").immutable(),
    text("bio_cpulist", "").immutable(),
    text("aof_rewrite_cpulist", "").immutable(),
    text("bgsave_cpulist", "").immutable(),
    text("ignore-warnings", ""),
    checked_text(
        "proc-title-template",
        "{title} {listen-addr} {server-mode}",
        TextCheck::ProcTitle,
    ),
    text("bind-source-addr", ""),
    // Redis logs to standard output by default.
    text("logfile", "").immutable(),
    secret("masterauth"),
    secret("requirepass"),
    // enums
    one_of("supervised", SUPERVISED, 3).immutable(),
    one_of("syslog-facility", SYSLOG_FACILITIES, 1).immutable(),
    one_of("repl-diskless-load", DISKLESS_LOAD, 0),
    one_of("loglevel", LOG_LEVELS, 2),
    one_of("maxmemory-policy", MAXMEMORY_POLICIES, 7),
    one_of("appendfsync", FSYNC, 0),
    one_of("oom-score-adj", OOM_SCORE_ADJ, 0),
    one_of("acl-pubsub-default", PUBSUB_DEFAULT, 0),
    one_of("sanitize-dump-payload", SANITIZE, 0),
    one_of("enable-protected-configs", PROTECTED_ACTION, 0).immutable(),
    one_of("enable-debug-command", PROTECTED_ACTION, 0).immutable(),
    one_of("enable-module-command", PROTECTED_ACTION, 0).immutable(),
    one_of("cluster-preferred-endpoint-type", ENDPOINT_TYPE, 0),
    one_of("propagation-error-behavior", PROPAGATION_ERROR, 0),
    shutdown_flags("shutdown-on-sigint"),
    shutdown_flags("shutdown-on-sigterm"),
    // C ints
    int("databases", 1, INT_MAX, 16).immutable(),
    int("port", 0, 65535, DEFAULT_PORT),
    int("io-threads", 1, 128, 1).immutable(),
    int("auto-aof-rewrite-percentage", 0, INT_MAX, 100),
    int("cluster-replica-validity-factor", 0, INT_MAX, 10).alias("cluster-slave-validity-factor"),
    int("list-max-listpack-size", INT_MIN, INT_MAX, -2).alias("list-max-ziplist-size"),
    int("tcp-keepalive", 0, INT_MAX, 300),
    int("cluster-migration-barrier", 0, INT_MAX, 1),
    int("active-defrag-cycle-min", 1, 99, 1),
    int("active-defrag-cycle-max", 1, 99, 25),
    int("active-defrag-threshold-lower", 0, 1000, 10),
    int("active-defrag-threshold-upper", 0, 1000, 100),
    int("lfu-log-factor", 0, INT_MAX, 10),
    int("lfu-decay-time", 0, INT_MAX, 1),
    int("replica-priority", 0, INT_MAX, 100).alias("slave-priority"),
    int("repl-diskless-sync-delay", 0, INT_MAX, 5),
    int("maxmemory-samples", 1, INT_MAX, 5),
    int("maxmemory-eviction-tenacity", 0, 100, 10),
    int("timeout", 0, INT_MAX, 0),
    int("replica-announce-port", 0, 65535, 0).alias("slave-announce-port"),
    int("tcp-backlog", 0, INT_MAX, 511).immutable(),
    int("cluster-port", 0, 65535, 0).immutable(),
    int("cluster-announce-bus-port", 0, 65535, 0),
    int("cluster-announce-port", 0, 65535, 0),
    int("cluster-announce-tls-port", 0, 65535, 0),
    int("repl-timeout", 1, INT_MAX, 60),
    int("repl-ping-replica-period", 1, INT_MAX, 10).alias("repl-ping-slave-period"),
    int("list-compress-depth", 0, INT_MAX, 0),
    int("rdb-key-save-delay", INT_MIN, INT_MAX, 0).hidden(),
    int("key-load-delay", INT_MIN, INT_MAX, 0).hidden(),
    int("active-expire-effort", 1, 10, 1),
    int("hz", 0, INT_MAX, 10).then(Apply::Hz),
    int("min-replicas-to-write", 0, INT_MAX, 0).alias("min-slaves-to-write"),
    int("min-replicas-max-lag", 0, INT_MAX, 10).alias("min-slaves-max-lag"),
    int("watchdog-period", 0, INT_MAX, 0).hidden(),
    int("shutdown-timeout", 0, INT_MAX, 10),
    int("repl-diskless-sync-max-replicas", 0, INT_MAX, 0),
    // C unsigned ints
    int("maxclients", 1, UINT_MAX, 10000),
    numeric("unixsocketperm", 0, 0o777, 0, Form::Octal).immutable(),
    int("socket-mark-id", 0, UINT_MAX, 0).immutable(),
    // C longs and long longs
    int("active-defrag-max-scan-fields", 1, LONG_MAX, 1000),
    int("slowlog-max-len", 0, LONG_MAX, 128),
    int("acllog-max-len", 0, LONG_MAX, 128),
    int("busy-reply-threshold", 0, LONG_MAX, 5000).alias("lua-time-limit"),
    int("cluster-node-timeout", 0, LONG_MAX, 15000),
    int("slowlog-log-slower-than", -1, LONG_MAX, 10000),
    int("latency-monitor-threshold", 0, LONG_MAX, 0),
    memory("proto-max-bulk-len", MB as i128, LONG_MAX, 512 * MB),
    int("stream-node-max-entries", 0, LONG_MAX, 100),
    memory("repl-backlog-size", 1, LONG_MAX, MB),
    // C unsigned long longs
    memory("maxmemory", 0, ULLONG_MAX, 0),
    memory("cluster-link-sendbuf-limit", 0, ULLONG_MAX, 0),
    // C size_t
    int("hash-max-listpack-entries", 0, LONG_MAX, 512).alias("hash-max-ziplist-entries"),
    int("set-max-intset-entries", 0, LONG_MAX, 512),
    // Redis 7.2's: the engine encodes small sets as listpacks, as 7.2 does.
    int("set-max-listpack-entries", 0, LONG_MAX, 128),
    int("set-max-listpack-value", 0, LONG_MAX, 64),
    int("zset-max-listpack-entries", 0, LONG_MAX, 128).alias("zset-max-ziplist-entries"),
    memory("active-defrag-ignore-bytes", 1, LONG_MAX, 100 * MB),
    memory("hash-max-listpack-value", 0, LONG_MAX, 64).alias("hash-max-ziplist-value"),
    memory("stream-node-max-bytes", 0, LONG_MAX, 4 * KB),
    memory("zset-max-listpack-value", 0, LONG_MAX, 64).alias("zset-max-ziplist-value"),
    memory("hll-sparse-max-bytes", 0, LONG_MAX, 3000),
    int("tracking-table-max-keys", 0, LONG_MAX, 1_000_000),
    memory("client-query-buffer-limit", MB as i128, LONG_MAX, 1024 * MB),
    numeric("maxmemory-clients", -100, LONG_MAX, 0, Form::MemoryOrPercent),
    // time_t and off_t
    int("repl-backlog-ttl", 0, LONG_MAX, 3600),
    memory("auto-aof-rewrite-min-size", 0, LONG_MAX, 64 * MB),
    int("loading-process-events-interval-bytes", 1024, INT_MAX, 2 * MB).hidden(),
    // TLS (Debian builds Redis with it)
    int("tls-port", 0, 65535, 0).then(Apply::TlsPort),
    int("tls-session-cache-size", 0, INT_MAX, 20 * KB).then(Apply::Tls),
    int("tls-session-cache-timeout", 0, INT_MAX, 300).then(Apply::Tls),
    yes_no("tls-cluster", false).then(Apply::Tls),
    yes_no("tls-replication", false).then(Apply::Tls),
    one_of("tls-auth-clients", TLS_AUTH, 1),
    yes_no("tls-prefer-server-ciphers", false).then(Apply::Tls),
    yes_no("tls-session-caching", true).then(Apply::Tls),
    text("tls-cert-file", "").then(Apply::Tls),
    text("tls-key-file", "").then(Apply::Tls),
    text("tls-key-file-pass", "").then(Apply::Tls),
    text("tls-client-cert-file", "").then(Apply::Tls),
    text("tls-client-key-file", "").then(Apply::Tls),
    text("tls-client-key-file-pass", "").then(Apply::Tls),
    text("tls-dh-params-file", "").then(Apply::Tls),
    text("tls-ca-cert-file", "").then(Apply::Tls),
    text("tls-ca-cert-dir", "").then(Apply::Tls),
    text("tls-protocols", "").then(Apply::Tls),
    text("tls-ciphers", "").then(Apply::Tls),
    text("tls-ciphersuites", "").then(Apply::Tls),
    // special
    text("dir", DEFAULT_DIR).flagged(PROTECTED),
    // Redis's default is `3600 1 300 100 60 10000`; this engine starts
    // with no save points, like the oracle started with `--save ""`, so a
    // host (redsim-server, the playground) writes snapshots only when SAVE,
    // BGSAVE or a configured point asks.
    ParamDef::new("save", Kind::Save),
    ParamDef::new("client-output-buffer-limit", Kind::OutputBufferLimits),
    ParamDef::new("oom-score-adj-values", Kind::OomScoreAdjValues),
    ParamDef::new("notify-keyspace-events", Kind::KeyspaceEvents),
    ParamDef::new("bind", Kind::Addresses),
    // A master of no one; immutable, so its text form is all that matters.
    text("replicaof", "").alias("slaveof").immutable(),
    ParamDef::new("latency-tracking-info-percentiles", Kind::Percentiles),
];

/// The parameters CONFIG SET changes that other engine state mirrors.
pub mod names {
    pub const DATABASES: &str = "databases";
    pub const PROTO_MAX_BULK_LEN: &str = "proto-max-bulk-len";
    pub const HZ: &str = "hz";
    pub const MAXCLIENTS: &str = "maxclients";
    pub const MAXMEMORY: &str = "maxmemory";
    pub const MAXMEMORY_POLICY: &str = "maxmemory-policy";
    pub const HASH_MAX_LISTPACK_ENTRIES: &str = "hash-max-listpack-entries";
    pub const HASH_MAX_LISTPACK_VALUE: &str = "hash-max-listpack-value";
    pub const SET_MAX_INTSET_ENTRIES: &str = "set-max-intset-entries";
    pub const SET_MAX_LISTPACK_ENTRIES: &str = "set-max-listpack-entries";
    pub const SET_MAX_LISTPACK_VALUE: &str = "set-max-listpack-value";
    pub const ZSET_MAX_LISTPACK_ENTRIES: &str = "zset-max-listpack-entries";
    pub const ZSET_MAX_LISTPACK_VALUE: &str = "zset-max-listpack-value";
    pub const LIST_MAX_LISTPACK_SIZE: &str = "list-max-listpack-size";
    pub const HLL_SPARSE_MAX_BYTES: &str = "hll-sparse-max-bytes";
    pub const STREAM_NODE_MAX_BYTES: &str = "stream-node-max-bytes";
    pub const STREAM_NODE_MAX_ENTRIES: &str = "stream-node-max-entries";
    pub const TLS_PORT: &str = "tls-port";
    pub const TLS_CLUSTER: &str = "tls-cluster";
    pub const TLS_REPLICATION: &str = "tls-replication";
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn names_and_aliases_are_unique_lowercase() {
        let mut all: Vec<&str> = PARAMS
            .iter()
            .flat_map(|p| std::iter::once(p.name).chain(p.alias))
            .collect();
        assert!(all.iter().all(|n| *n == n.to_ascii_lowercase()));
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count, "a name appears twice");
        // Redis 7.0.15 has 178 parameters (19 with an alias); the engine
        // adds Redis 7.2's two set listpack limits.
        assert_eq!(PARAMS.len(), 180);
        assert_eq!(PARAMS.iter().filter(|p| p.alias.is_some()).count(), 19);
    }

    #[test]
    fn defaults_sit_within_bounds() {
        for p in PARAMS {
            if let Kind::Int {
                min, max, default, ..
            } = p.kind
            {
                assert!((min..=max).contains(&i128::from(default)), "{}", p.name);
            }
            if let Kind::Enum { words, default } = p.kind {
                assert!(words.iter().any(|(_, v)| *v == default), "{}", p.name);
            }
        }
    }

    #[test]
    fn mirrored_names_exist() {
        use names::*;
        for name in [
            DATABASES,
            PROTO_MAX_BULK_LEN,
            HZ,
            MAXCLIENTS,
            MAXMEMORY,
            MAXMEMORY_POLICY,
            HASH_MAX_LISTPACK_ENTRIES,
            HASH_MAX_LISTPACK_VALUE,
            SET_MAX_INTSET_ENTRIES,
            SET_MAX_LISTPACK_ENTRIES,
            SET_MAX_LISTPACK_VALUE,
            ZSET_MAX_LISTPACK_ENTRIES,
            ZSET_MAX_LISTPACK_VALUE,
            LIST_MAX_LISTPACK_SIZE,
            TLS_PORT,
            TLS_CLUSTER,
            TLS_REPLICATION,
        ] {
            assert!(PARAMS.iter().any(|p| p.name == name), "{name}");
        }
    }
}
