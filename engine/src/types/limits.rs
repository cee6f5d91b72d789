//! The thresholds at which Redis converts a small, compact encoding to a
//! general one (and the size of a stream's nodes). They are configuration
//! (`CONFIG SET hash-max-listpack-entries ...`), so every conversion reads them from here rather than a constant;
//! a new value applies to the next conversion decision, as in Redis.

/// Redis's `*-max-*` encoding parameters, with Redis 7.2+'s defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingLimits {
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub set_max_listpack_entries: usize,
    pub set_max_listpack_value: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    /// Positive: entries per list node; -1..-5: node size of 4..64 KB.
    pub list_max_listpack_size: i64,
    /// Largest sparse HyperLogLog, header included, before it turns dense.
    pub hll_sparse_max_bytes: usize,
    /// Stream nodes: bytes (0: no limit) and entries (0: no limit).
    pub stream_node_max_bytes: usize,
    pub stream_node_max_entries: u64,
}

impl Default for EncodingLimits {
    fn default() -> Self {
        EncodingLimits {
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            set_max_listpack_entries: 128,
            set_max_listpack_value: 64,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            hll_sparse_max_bytes: 3000,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
        }
    }
}
