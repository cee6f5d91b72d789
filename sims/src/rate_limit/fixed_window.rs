//! Fixed window, as the guides show it: one counter per aligned window,
//! `INCR`, and `EXPIRE` when the INCR created it. Simple and cheap, but
//! a burst at the end of one window and another at the start of the next
//! are both admitted: up to twice the limit within one window's length.

use super::limiter::{Limiter, LimiterKind};
use crate::host::{expire_command, unix_ms, Conn, Host};
use redsim_engine::Reply;

pub struct FixedWindow {
    pub conn: Conn,
    pub limit: u64,
    pub window_ms: u64,
}

impl Limiter for FixedWindow {
    fn decide(&mut self, host: &mut Host, at: u64, actor: &str) -> bool {
        // Windows are aligned on the unix clock, as `ratelimit:...:<minute>`
        // keys are.
        let window = unix_ms(at) / self.window_ms;
        let key = format!("{}{window}", LimiterKind::FixedWindow.key_prefix());
        let count = match host.run(self.conn, actor, &["INCR", &key]) {
            Reply::Int(n) => n,
            // No count, no admission: a limiter fails closed.
            _ => return false,
        };
        if count == 1 {
            let [name, key, ttl] = expire_command(&key, self.window_ms);
            host.run(self.conn, actor, &[&name, &key, &ttl]);
        }
        u64::try_from(count).is_ok_and(|n| n <= self.limit)
    }
}
