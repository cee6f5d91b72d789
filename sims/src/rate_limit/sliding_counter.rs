//! Sliding window counter: fixed-window counters, but the previous
//! window's count is weighted by how much of it the sliding window still
//! covers. `MGET` both counters; admit if
//! `previous * (1 - elapsed/window) + current + 1 <= limit` (in whole
//! numbers: see below), then `INCR` the current one, with a TTL of two
//! windows since it is read as the previous one next. An approximation:
//! it smooths the boundary burst without storing every request.

use super::limiter::{Limiter, LimiterKind};
use crate::host::{expire_command, unix_ms, Conn, Host};
use redsim_engine::Reply;

pub struct SlidingCounter {
    pub conn: Conn,
    pub limit: u64,
    pub window_ms: u64,
}

impl Limiter for SlidingCounter {
    fn decide(&mut self, host: &mut Host, at: u64, actor: &str) -> bool {
        let prefix = LimiterKind::SlidingCounter.key_prefix();
        let window = unix_ms(at) / self.window_ms;
        let elapsed = unix_ms(at) % self.window_ms;
        let current = format!("{prefix}{window}");
        let previous = format!("{prefix}{}", window.saturating_sub(1));
        let counts = match host.run(self.conn, actor, &["MGET", &current, &previous]) {
            Reply::Array(replies) => replies.iter().map(count).collect::<Vec<_>>(),
            _ => return false,
        };
        let (Some(&current_count), Some(&previous_count)) = (counts.first(), counts.get(1)) else {
            return false;
        };
        // In whole milliseconds, to stay exact: the estimate times the
        // window length against the limit times the window length.
        let w = self.window_ms;
        let estimate = previous_count
            .saturating_mul(w - elapsed)
            .saturating_add((current_count + 1).saturating_mul(w));
        if estimate > self.limit.saturating_mul(w) {
            return false;
        }
        if host.run(self.conn, actor, &["INCR", &current]) == Reply::Int(1) {
            let [name, key, ttl] = expire_command(&current, 2 * w);
            host.run(self.conn, actor, &[&name, &key, &ttl]);
        }
        true
    }
}

/// A counter MGET returned (absent: 0).
fn count(reply: &Reply) -> u64 {
    match reply {
        Reply::Bulk(bytes) => std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        _ => 0,
    }
}
