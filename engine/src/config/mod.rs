//! Runtime parameters, as CONFIG GET and CONFIG SET see them: every
//! parameter Redis 7.0 has (`table`), the shape each value takes and how
//! CONFIG GET prints it (`value`), and how CONFIG SET reads a new one
//! (`parse`). Parameters the engine has no use for (persistence,
//! replication, TLS, ...) are validated, stored and reported back all the
//! same; the ones it does use are mirrored into the server by the CONFIG
//! command after every successful SET.

mod parse;
mod table;
mod value;

use crate::error::CmdError;
use crate::glob;
use crate::types::EncodingLimits;

pub use parse::memtoull;
use parse::{c_str, parse};
pub use table::names;
use table::{Apply, ParamDef, HIDDEN, IMMUTABLE, PARAMS, PROTECTED};
pub(crate) use value::render_percentile;
pub use value::BufferLimit;

/// The parameters the dispatcher reads on every command, kept on `Server`
/// as plain values (refreshed after every CONFIG SET) so a command does
/// not look each one up by name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HotParams {
    pub maxmemory: i64,
    pub latency_tracking: bool,
    pub latency_monitor_threshold: i64,
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: i64,
    /// `client-output-buffer-limit`: normal, replica, pub/sub.
    pub buffer_limits: [BufferLimit; 3],
}
use value::Value;

/// The current value of every parameter, in table order.
#[derive(Debug, Clone)]
pub struct Params {
    values: Vec<Value>,
}

/// One name CONFIG knows: a parameter by its own name or by its alias.
/// Redis registers the two as separate entries, so they are reported (and
/// told apart as duplicates) separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    index: usize,
    alias: bool,
}

impl Entry {
    fn def(self) -> &'static ParamDef {
        // Entries are only made from positions in PARAMS.
        &PARAMS[self.index]
    }

    fn name(self) -> &'static str {
        let def = self.def();
        match (self.alias, def.alias) {
            (true, Some(alias)) => alias,
            _ => def.name,
        }
    }

    /// A dense key for "already seen" sets.
    fn key(self) -> usize {
        self.index * 2 + usize::from(self.alias)
    }
}

/// Every name, each parameter's own name before its alias, in table order.
fn entries() -> impl Iterator<Item = Entry> {
    PARAMS.iter().enumerate().flat_map(|(index, def)| {
        let alias = def.alias.map(|_| Entry { index, alias: true });
        std::iter::once(Entry {
            index,
            alias: false,
        })
        .chain(alias)
    })
}

/// The entry called `name`, in any letter case.
fn lookup(name: &[u8]) -> Option<Entry> {
    entries().find(|e| name.eq_ignore_ascii_case(e.name().as_bytes()))
}

/// Marks `entry` seen; true the first time only.
fn first_sight(seen: &mut [bool], entry: Entry) -> bool {
    match seen.get_mut(entry.key()) {
        Some(slot) if !*slot => {
            *slot = true;
            true
        }
        _ => false,
    }
}

/// Client bytes inside an error line: cut at NUL as C prints them, with CR
/// and LF turned into spaces as Redis does to keep the reply one line.
fn quoted(bytes: &[u8]) -> String {
    let text: Vec<u8> = c_str(bytes)
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect();
    String::from_utf8_lossy(&text).into_owned()
}

fn failed(name: &str, why: &str) -> CmdError {
    CmdError::Other(format!(
        "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
    ))
}

const TLS_UNAVAILABLE: &str = "Unable to update TLS configuration. Check server logs.";

impl Params {
    /// Every parameter at its default, with the two the host chooses.
    pub fn new(databases: usize, proto_max_bulk_len: usize) -> Params {
        let mut params = Params {
            values: PARAMS.iter().map(Value::default_for).collect(),
        };
        let databases = i64::try_from(databases).unwrap_or(i64::MAX);
        params.put_int(names::DATABASES, databases.min(i64::from(i32::MAX)));
        params.put_int(
            names::PROTO_MAX_BULK_LEN,
            i64::try_from(proto_max_bulk_len).unwrap_or(i64::MAX),
        );
        params
    }

    /// CONFIG GET: the names matching any pattern (a Redis glob, any
    /// letter case) or equal to a plain name, each once, with its value.
    /// A plain name is reported as spelled; hidden parameters answer only
    /// to their plain name. Redis answers in hash order; this is table order.
    pub fn get(&self, patterns: &[&[u8]]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut seen = vec![false; PARAMS.len() * 2];
        let mut found: Vec<(Vec<u8>, Entry)> = Vec::new();
        for &raw in patterns {
            // Redis tests for glob characters (and matches) on the C string.
            let pattern = c_str(raw);
            if !pattern.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
                if let Some(entry) = lookup(raw).filter(|e| first_sight(&mut seen, *e)) {
                    found.push((raw.to_vec(), entry));
                }
                continue;
            }
            for entry in entries() {
                if !entry.def().has(HIDDEN)
                    && glob::matches_nocase(pattern, entry.name().as_bytes())
                    && first_sight(&mut seen, entry)
                {
                    found.push((entry.name().as_bytes().to_vec(), entry));
                }
            }
        }
        found
            .into_iter()
            .map(|(name, entry)| {
                let value = self
                    .values
                    .get(entry.index)
                    .map(|v| v.render(entry.def()))
                    .unwrap_or_default();
                (name, value)
            })
            .collect()
    }

    /// CONFIG SET with `name value ...` pairs, all or nothing: every name is
    /// checked, then every value is read in order, then what the new values
    /// trigger is checked; any failure leaves every parameter as it was.
    /// Errors carry Redis's exact texts.
    pub fn set(&mut self, args: &[&[u8]]) -> Result<(), CmdError> {
        self.set_checked(args, false)
    }

    /// SET as a configuration file or command-line options do it before
    /// the server starts: immutable and protected parameters may be set
    /// too.
    pub fn set_at_startup(&mut self, args: &[&[u8]]) -> Result<(), CmdError> {
        self.set_checked(args, true)
    }

    fn set_checked(&mut self, args: &[&[u8]], startup: bool) -> Result<(), CmdError> {
        if args.len() % 2 != 0 {
            return Err(CmdError::Syntax);
        }
        let mut seen = vec![false; PARAMS.len() * 2];
        let mut targets: Vec<(Entry, &[u8])> = Vec::new();
        for pair in args.chunks_exact(2) {
            let (name, raw) = (pair[0], pair[1]);
            let Some(entry) = lookup(name) else {
                return Err(CmdError::Other(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                    quoted(name)
                )));
            };
            let def = entry.def();
            if def.has(IMMUTABLE) && !startup {
                return Err(failed(&quoted(name), "can't set immutable config"));
            }
            if def.has(PROTECTED) && !startup {
                return Err(failed(&quoted(name), "can't set protected config"));
            }
            // A parameter and its alias are different entries, so setting
            // both is not a duplicate: the later one wins, as in Redis.
            if !first_sight(&mut seen, entry) {
                return Err(failed(&quoted(name), "duplicate parameter"));
            }
            targets.push((entry, raw));
        }

        let mut next = self.values.clone();
        let mut triggered: Vec<(Apply, &'static str)> = Vec::new();
        for &(entry, raw) in &targets {
            let Some(slot) = next.get_mut(entry.index) else {
                continue;
            };
            let value = parse(entry.def(), raw, slot).map_err(|why| failed(entry.name(), &why))?;
            let apply = entry.def().apply;
            // Redis runs each follow-up once, named after the first
            // parameter that asked for it, and only for actual changes.
            if value != *slot
                && apply != Apply::Nothing
                && !triggered.iter().any(|(a, _)| *a == apply)
            {
                triggered.push((apply, entry.name()));
            }
            *slot = value;
        }

        for (apply, name) in triggered {
            match apply {
                Apply::TlsPort => return Err(failed(name, TLS_UNAVAILABLE)),
                Apply::Tls => {
                    let wanted = value_of(&next, names::TLS_PORT).and_then(Value::int) != Some(0)
                        || value_of(&next, names::TLS_CLUSTER).is_some_and(Value::is_yes)
                        || value_of(&next, names::TLS_REPLICATION).is_some_and(Value::is_yes);
                    if wanted {
                        return Err(failed(name, TLS_UNAVAILABLE));
                    }
                }
                Apply::Hz => {
                    if let Some(Value::Int(hz)) = value_mut(&mut next, names::HZ) {
                        *hz = (*hz).clamp(1, 500);
                    }
                }
                Apply::Nothing => {}
            }
        }
        self.values = next;
        Ok(())
    }

    /// A numeric parameter's value (0 for a name that is not one).
    pub fn int(&self, name: &str) -> i64 {
        value_of(&self.values, name)
            .and_then(Value::int)
            .unwrap_or(0)
    }

    /// Whether a yes/no parameter is on.
    pub fn is_yes(&self, name: &str) -> bool {
        value_of(&self.values, name).is_some_and(Value::is_yes)
    }

    /// The parameters every command reads, copied out once per change.
    pub fn hot(&self) -> HotParams {
        HotParams {
            maxmemory: self.int("maxmemory"),
            latency_tracking: self.is_yes("latency-tracking"),
            latency_monitor_threshold: self.int("latency-monitor-threshold"),
            slowlog_log_slower_than: self.int("slowlog-log-slower-than"),
            slowlog_max_len: self.int("slowlog-max-len"),
            buffer_limits: self.buffer_limits(),
        }
    }

    /// `client-output-buffer-limit` for the normal, replica and pub/sub
    /// classes, in that order.
    pub fn buffer_limits(&self) -> [BufferLimit; 3] {
        match value_of(&self.values, "client-output-buffer-limit") {
            Some(Value::BufferLimits(limits)) => *limits,
            _ => [BufferLimit::default(); 3],
        }
    }

    /// `save`: (seconds, changes) points, any of which makes a snapshot due.
    pub fn save_points(&self) -> &[(i64, i32)] {
        match value_of(&self.values, "save") {
            Some(Value::Save(points)) => points,
            _ => &[],
        }
    }

    /// `latency-tracking-info-percentiles`, as numbers.
    pub fn percentiles(&self) -> &[f64] {
        match value_of(&self.values, "latency-tracking-info-percentiles") {
            Some(Value::Percentiles(values)) => values,
            _ => &[],
        }
    }

    /// A parameter's value as CONFIG GET prints it.
    pub fn text(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.bytes(name)).into_owned()
    }

    /// A parameter's value as CONFIG GET sends it, byte for byte.
    fn bytes(&self, name: &str) -> Vec<u8> {
        let index = index_of(name);
        index
            .and_then(|i| Some(self.values.get(i)?.render(PARAMS.get(i)?)))
            .unwrap_or_default()
    }

    /// The default user's password (`requirepass`, binary-safe); empty
    /// when there is none.
    pub fn requirepass(&self) -> Vec<u8> {
        self.bytes("requirepass")
    }

    /// Whether `requirepass` is set (clients must AUTH first).
    pub fn requires_password(&self) -> bool {
        !self.requirepass().is_empty()
    }

    /// `notify-keyspace-events` as class bits (`notify::class`).
    pub fn keyspace_events(&self) -> u32 {
        match value_of(&self.values, "notify-keyspace-events") {
            Some(Value::Events(flags)) => *flags,
            _ => 0,
        }
    }

    /// The encoding thresholds the `*-max-*` parameters set (a threshold
    /// not named here keeps its default).
    pub fn encoding_limits(&self) -> EncodingLimits {
        let mut limits = EncodingLimits::default();
        self.write_limits(&mut limits);
        limits
    }

    fn write_limits(&self, limits: &mut EncodingLimits) {
        let size = |name| usize::try_from(self.int(name)).unwrap_or(usize::MAX);
        limits.hash_max_listpack_entries = size(names::HASH_MAX_LISTPACK_ENTRIES);
        limits.hash_max_listpack_value = size(names::HASH_MAX_LISTPACK_VALUE);
        limits.set_max_intset_entries = size(names::SET_MAX_INTSET_ENTRIES);
        limits.set_max_listpack_entries = size(names::SET_MAX_LISTPACK_ENTRIES);
        limits.set_max_listpack_value = size(names::SET_MAX_LISTPACK_VALUE);
        limits.zset_max_listpack_entries = size(names::ZSET_MAX_LISTPACK_ENTRIES);
        limits.zset_max_listpack_value = size(names::ZSET_MAX_LISTPACK_VALUE);
        limits.list_max_listpack_size = self.int(names::LIST_MAX_LISTPACK_SIZE);
        limits.hll_sparse_max_bytes = size(names::HLL_SPARSE_MAX_BYTES);
        limits.stream_node_max_bytes = size(names::STREAM_NODE_MAX_BYTES);
        limits.stream_node_max_entries =
            u64::try_from(self.int(names::STREAM_NODE_MAX_ENTRIES)).unwrap_or(0);
    }

    /// `proto-max-bulk-len` as a length (saturating where usize is narrower).
    pub fn proto_max_bulk_len(&self) -> usize {
        usize::try_from(self.int(names::PROTO_MAX_BULK_LEN)).unwrap_or(usize::MAX)
    }

    fn put_int(&mut self, name: &str, n: i64) {
        if let Some(Value::Int(slot)) = value_mut(&mut self.values, name) {
            *slot = n;
        }
    }
}

/// A parameter's position in `PARAMS`, by name: a hash lookup, since the
/// engine reads some parameters on every command.
fn index_of(name: &str) -> Option<usize> {
    static INDEX: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, usize>> =
        std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| {
            PARAMS
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name, i))
                .collect()
        })
        .get(name)
        .copied()
}

fn value_of<'a>(values: &'a [Value], name: &str) -> Option<&'a Value> {
    values.get(index_of(name)?)
}

fn value_mut<'a>(values: &'a mut [Value], name: &str) -> Option<&'a mut Value> {
    values.get_mut(index_of(name)?)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn params() -> Params {
        Params::new(16, 512 << 20)
    }

    fn get(p: &Params, patterns: &[&str]) -> Vec<(String, String)> {
        let patterns: Vec<&[u8]> = patterns.iter().map(|s| s.as_bytes()).collect();
        p.get(&patterns)
            .into_iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect()
    }

    fn set(p: &mut Params, args: &[&str]) -> Result<(), String> {
        let args: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        p.set(&args).map_err(|e| e.to_string())
    }

    fn one(p: &Params, name: &str) -> String {
        p.text(name)
    }

    #[test]
    fn star_lists_every_visible_name_once() {
        let p = params();
        let all = get(&p, &["*", "*", "maxmemory"]);
        // 178 parameters of 7.0.15 plus 2 of 7.2, 19 aliases, 5 hidden.
        assert_eq!(all.len(), 180 + 19 - 5);
        assert!(all.iter().any(|(k, _)| k == "slaveof"));
        assert!(all.iter().any(|(k, _)| k == "replicaof"));
        assert!(!all.iter().any(|(k, _)| k == "use-exit-on-panic"));
        assert_eq!(get(&p, &["use-exit-on-panic"]).len(), 1);
        assert!(get(&p, &["use-exit*"]).is_empty());
    }

    #[test]
    fn plain_names_keep_their_spelling_and_dedupe() {
        let p = params();
        assert_eq!(
            get(&p, &["MAXMEMORY", "maxmemory", "max*"])
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("maxmemory"))
                .collect::<Vec<_>>(),
            vec![&("MAXMEMORY".to_string(), "0".to_string())]
        );
        let hash = get(&p, &["hash-max-ziplist-entries", "hash*"]);
        assert_eq!(hash.len(), 4, "a parameter and its alias are both listed");
        assert!(get(&p, &["maxmemory\0x"]).is_empty());
        assert_eq!(get(&p, &["maxmem*\0x"]).len(), 5);
        assert!(get(&p, &["nosuch"]).is_empty());
    }

    #[test]
    fn set_is_all_or_nothing() {
        let mut p = params();
        assert_eq!(
            set(&mut p, &["maxmemory", "1mb", "timeout", "x"]),
            Err("ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer".into())
        );
        assert_eq!(one(&p, "maxmemory"), "0");
        assert_eq!(set(&mut p, &["maxmemory", "1mb", "timeout", "5"]), Ok(()));
        assert_eq!(
            (one(&p, "maxmemory").as_str(), p.int("timeout")),
            ("1048576", 5)
        );
    }

    #[test]
    fn name_errors_come_first_and_in_order() {
        let mut p = params();
        assert_eq!(
            set(&mut p, &["foo", "bar", "daemonize", "no"]),
            Err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'".into())
        );
        assert_eq!(
            set(&mut p, &["DAEMONIZE", "no", "foo", "bar"]),
            Err("ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable config".into())
        );
        assert_eq!(
            set(&mut p, &["dir", "/tmp"]),
            Err("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config".into())
        );
        assert_eq!(
            set(&mut p, &["maxmemory", "1", "MAXMEMORY", "2"]),
            Err("ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter".into())
        );
        assert_eq!(
            set(&mut p, &["MAXMEMORY", "x"]),
            Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value".into()),
            "value errors name the parameter as Redis spells it"
        );
        assert_eq!(set(&mut p, &["maxmemory"]), Err("ERR syntax error".into()));
        assert_eq!(
            set(&mut p, &["bad\r\nname", "1"]),
            Err("ERR Unknown option or number of arguments for CONFIG SET - 'bad  name'".into())
        );
    }

    #[test]
    fn aliases_share_the_value_and_the_later_wins() {
        let mut p = params();
        assert_eq!(
            set(
                &mut p,
                &[
                    "hash-max-ziplist-entries",
                    "100",
                    "hash-max-listpack-entries",
                    "200"
                ]
            ),
            Ok(())
        );
        assert_eq!(get(&p, &["hash-max-ziplist-entries"])[0].1, "200");
        assert_eq!(p.encoding_limits().hash_max_listpack_entries, 200);
        assert_eq!(
            set(&mut p, &["slave-read-only", "x"]),
            Err("ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'".into())
        );
    }

    #[test]
    fn tls_cannot_be_switched_on() {
        let mut p = params();
        let tls = |name: &str| {
            format!("ERR CONFIG SET failed (possibly related to argument '{name}') - Unable to update TLS configuration. Check server logs.")
        };
        assert_eq!(
            set(&mut p, &["tls-replication", "yes"]),
            Err(tls("tls-replication"))
        );
        assert_eq!(set(&mut p, &["tls-port", "7000"]), Err(tls("tls-port")));
        assert_eq!(
            set(&mut p, &["tls-port", "0"]),
            Ok(()),
            "no change, no follow-up"
        );
        assert_eq!(set(&mut p, &["tls-ciphers", "foo"]), Ok(()));
        assert_eq!(
            set(&mut p, &["tls-ciphers", "bar", "tls-cluster", "yes"]),
            Err(tls("tls-ciphers"))
        );
        assert_eq!(one(&p, "tls-ciphers"), "foo");
        assert_eq!(
            set(
                &mut p,
                &["maxmemory", "5", "tls-cluster", "yes", "tls-port", "7000"]
            ),
            Err(tls("tls-cluster"))
        );
        assert_eq!(
            set(&mut p, &["tls-cluster", "yes", "maxmemory", "x"]),
            Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value".into())
        );
    }

    #[test]
    fn hz_is_clamped() {
        let mut p = params();
        assert_eq!(set(&mut p, &["hz", "0"]), Ok(()));
        assert_eq!(p.int("hz"), 1);
        assert_eq!(set(&mut p, &["hz", "1000"]), Ok(()));
        assert_eq!(p.int("hz"), 500);
    }

    #[test]
    fn host_values_and_limits() {
        let p = Params::new(4, 1 << 16);
        assert_eq!(one(&p, "databases"), "4");
        assert_eq!(p.proto_max_bulk_len(), 1 << 16);
        assert_eq!(p.encoding_limits(), EncodingLimits::default());
        assert_eq!(
            Params::new(usize::MAX, usize::MAX).int("databases"),
            2147483647
        );
    }

    #[test]
    fn immutable_and_host_defaults() {
        let p = params();
        for (name, value) in [
            ("daemonize", "no"),
            ("port", "6379"),
            ("bind", "127.0.0.1"),
            ("save", ""),
            ("unixsocketperm", "0"),
            ("slaveof", ""),
            ("dir", "/var/lib/redis"),
        ] {
            assert_eq!(get(&p, &[name])[0].1, value, "{name}");
        }
    }
}
