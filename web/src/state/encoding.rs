//! Where a value's encoding converts: OBJECT ENCODING now, the one it turns
//! into next and the rule, with the thresholds read from the configuration
//! in force (`hash-max-listpack-entries` and the others), so a CONFIG SET
//! shows at once.

use redsim_engine::types::EncodingLimits;

/// Strings up to this many bytes are `embstr` (Redis's
/// OBJ_ENCODING_EMBSTR_SIZE_LIMIT, not configurable).
const EMBSTR_LIMIT: usize = 44;

#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// OBJECT ENCODING (a HyperLogLog's own sparse/dense).
    pub encoding: &'static str,
    /// The rule, e.g. "listpack → hashtable at 513 fields or a value over 64 bytes".
    pub rule: String,
    /// Elements now and the count it converts past, when a count decides.
    pub progress: Option<(usize, usize)>,
}

/// The conversion ahead of a value of `kind` in `encoding` holding `len`
/// elements (bytes for a string); `hll` is a sketch's encoding and size.
pub fn conversion(
    kind: &str,
    encoding: &'static str,
    len: usize,
    limits: &EncodingLimits,
    hll: Option<(&'static str, usize)>,
) -> Conversion {
    let l = limits;
    let (rule, progress) = match (kind, encoding, hll) {
        (_, _, Some(("sparse", bytes))) => (
            format!(
                "sparse → dense past {} bytes (hll-sparse-max-bytes) or a register over 32",
                l.hll_sparse_max_bytes
            ),
            Some((bytes, l.hll_sparse_max_bytes)),
        ),
        (_, _, Some(_)) => ("dense: 16384 six-bit registers, 12 KB".to_string(), None),
        ("string", "int", _) => (
            "int while it is a 64-bit integer; embstr or raw otherwise".to_string(),
            None,
        ),
        ("string", "embstr", _) => (
            format!("embstr → raw past {EMBSTR_LIMIT} bytes or when edited in place (APPEND, SETRANGE, SETBIT)"),
            Some((len, EMBSTR_LIMIT)),
        ),
        ("list", "listpack", _) => match usize::try_from(l.list_max_listpack_size) {
            Ok(entries) => (
                format!("listpack → quicklist past {entries} entries"),
                Some((len, entries)),
            ),
            Err(_) => (
                format!(
                    "listpack → quicklist past {} KB (list-max-listpack-size {})",
                    4 << (l.list_max_listpack_size.unsigned_abs().clamp(1, 5) - 1),
                    l.list_max_listpack_size
                ),
                None,
            ),
        },
        ("list", "quicklist", _) => (
            "quicklist → listpack once it fits in one node of half the size limit".to_string(),
            None,
        ),
        ("hash", "listpack" | "listpackex", _) => (
            format!(
                "{encoding} → hashtable at {} fields or a value over {} bytes",
                l.hash_max_listpack_entries + 1,
                l.hash_max_listpack_value
            ),
            Some((len, l.hash_max_listpack_entries)),
        ),
        ("set", "intset", _) => (
            format!(
                "intset → listpack at a non-integer member (up to {} members), \
                 → hashtable at {} members",
                l.set_max_listpack_entries,
                l.set_max_intset_entries + 1
            ),
            Some((len, l.set_max_intset_entries)),
        ),
        ("set", "listpack", _) => (
            format!(
                "listpack → hashtable at {} members or a member over {} bytes",
                l.set_max_listpack_entries + 1,
                l.set_max_listpack_value
            ),
            Some((len, l.set_max_listpack_entries)),
        ),
        ("zset", "listpack", _) => (
            format!(
                "listpack → skiplist at {} members or a member over {} bytes",
                l.zset_max_listpack_entries + 1,
                l.zset_max_listpack_value
            ),
            Some((len, l.zset_max_listpack_entries)),
        ),
        ("stream", _, _) => (
            format!(
                "a radix tree of listpack nodes of up to {} entries or {} bytes each",
                l.stream_node_max_entries, l.stream_node_max_bytes
            ),
            None,
        ),
        _ => (
            format!("{encoding}: the general encoding; it does not convert back"),
            None,
        ),
    };
    Conversion {
        encoding: hll.map_or(encoding, |(name, _)| name),
        rule,
        progress,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redsim_engine::reply::cli;
    use redsim_engine::{Config, Engine};

    fn of(e: &Engine, key: &[u8]) -> Conversion {
        let s = e.key_summary(0, key).expect("exists");
        conversion(s.kind, s.encoding, s.len, &e.encoding_limits(), None)
    }

    #[test]
    fn a_hash_converts_at_entry_129_after_config_set() {
        let mut e = Engine::new(Config::default());
        let c = e.connect();
        assert_eq!(
            cli::run_line(&mut e, c, "CONFIG SET hash-max-listpack-entries 128"),
            "OK"
        );
        let fields: String = (0..128).map(|i| format!(" f{i} v")).collect();
        cli::run_line(&mut e, c, &format!("HSET h{fields}"));
        let before = of(&e, b"h");
        assert_eq!(before.encoding, "listpack");
        assert_eq!(
            before.rule,
            "listpack → hashtable at 129 fields or a value over 64 bytes"
        );
        assert_eq!(before.progress, Some((128, 128)));
        cli::run_line(&mut e, c, "HSET h f128 v");
        let after = of(&e, b"h");
        assert_eq!(after.encoding, "hashtable");
        assert_eq!(after.progress, None);
    }

    #[test]
    fn every_type_names_its_next_encoding() {
        let mut e = Engine::new(Config::default());
        let c = e.connect();
        for line in [
            "SET n 12",
            "SET s hello",
            "RPUSH l a",
            "SADD i 1",
            "SADD m a",
            "ZADD z 1 a",
            "XADD x 1-1 a 1",
        ] {
            cli::run_line(&mut e, c, line);
        }
        let rule = |key: &[u8]| of(&e, key).rule;
        assert!(rule(b"n").starts_with("int while"));
        assert!(rule(b"s").starts_with("embstr → raw past 44 bytes"));
        assert_eq!(
            rule(b"l"),
            "listpack → quicklist past 8 KB (list-max-listpack-size -2)"
        );
        assert!(rule(b"i").ends_with("→ hashtable at 513 members"));
        assert!(rule(b"m").starts_with("listpack → hashtable at 129 members"));
        assert!(rule(b"z").starts_with("listpack → skiplist at 129 members"));
        assert!(rule(b"x").contains("100 entries or 4096 bytes"));
        let sketch = conversion(
            "string",
            "raw",
            90,
            &e.encoding_limits(),
            Some(("sparse", 90)),
        );
        assert_eq!(sketch.encoding, "sparse");
        assert_eq!(sketch.progress, Some((90, 3000)));
    }
}
