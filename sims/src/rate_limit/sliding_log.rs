//! Sliding window log: a sorted set of the admitted requests' times. In one
//! MULTI/EXEC: drop the entries that left the window (`ZREMRANGEBYSCORE`),
//! add this request (`ZADD`), count (`ZCARD`), refresh the TTL. Over the
//! limit, the request takes its entry back (`ZREM`), so only admitted
//! requests stay in the log and no window of the log's length ever holds
//! more than the limit. Exact, at the cost of one member per request.

use super::limiter::{Limiter, LimiterKind};
use crate::host::{unix_ms, Conn, Host};
use redsim_engine::Reply;

pub struct SlidingLog {
    pub conn: Conn,
    pub limit: u64,
    pub window_ms: u64,
    /// Makes members unique when requests share a millisecond.
    pub next_member: u64,
}

impl Limiter for SlidingLog {
    fn decide(&mut self, host: &mut Host, at: u64, actor: &str) -> bool {
        let key = LimiterKind::SlidingLog.key_prefix();
        // Scores are unix ms, as an application would store them.
        let now = unix_ms(at);
        let left_window = now.saturating_sub(self.window_ms).to_string();
        let member = format!("{now}-{}", self.next_member);
        self.next_member += 1;
        let now = now.to_string();
        let window = self.window_ms.to_string();
        host.run(self.conn, actor, &["MULTI"]);
        host.run(
            self.conn,
            actor,
            &["ZREMRANGEBYSCORE", key, "-inf", &left_window],
        );
        host.run(self.conn, actor, &["ZADD", key, &now, &member]);
        host.run(self.conn, actor, &["ZCARD", key]);
        host.run(self.conn, actor, &["PEXPIRE", key, &window]);
        let count = match host.run(self.conn, actor, &["EXEC"]) {
            Reply::Array(replies) => match replies.get(2) {
                Some(Reply::Int(n)) => u64::try_from(*n).ok(),
                _ => None,
            },
            _ => None,
        };
        let allowed = count.is_some_and(|n| n <= self.limit);
        if !allowed {
            host.run(self.conn, actor, &["ZREM", key, &member]);
        }
        allowed
    }
}
