//! Token bucket: a hash holding the tokens left and when it was last
//! refilled, updated by one Lua script, as rate limiters are usually
//! written: it refills for the time passed, takes a token if there is one
//! and writes both back, atomically, so no other client can come between
//! the read and the write and no retry is needed. The script is loaded
//! once (`SCRIPT LOAD`) and called by digest (`EVALSHA`), as client
//! libraries do. A burst may use the whole bucket at once; after that,
//! requests are admitted at the refill rate.
//!
//! Tokens are counted in millionths, and the rate in thousandths of a
//! token per second (millionths per ms), so refilling is exact arithmetic
//! (Lua's numbers are doubles, exact for these integers): admitted
//! requests in any interval never exceed the burst plus the rate times its
//! length, to the last token. The hash shows them as decimals
//! (`tokens 4.500000`). It needs an engine built with scripting, as the
//! playground's is.

use super::limiter::{Limiter, LimiterKind};
use crate::host::{unix_ms, Conn, Host};
use redsim_engine::Reply;

/// Millionths in a token.
const MICRO: u64 = 1_000_000;

/// KEYS[1] the bucket; ARGV: capacity and refill rate in millionths (per
/// ms), the time now in ms. Answers 1 if a token was taken, else 0. The
/// bucket expires once it would have refilled completely: a full bucket
/// is what a missing key means.
const SCRIPT: &str = "\
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local micro = 1000000
local tokens = capacity
local state = redis.call('HMGET', KEYS[1], 'tokens', 'refilled_ms')
if state[1] and state[2] then
  local whole, part = string.match(state[1], '^(%d+)%.(%d%d%d%d%d%d)$')
  if whole then
    local elapsed = math.max(0, now - tonumber(state[2]))
    tokens = math.min(capacity, whole * micro + part + elapsed * rate)
  end
end
local taken = 0
if tokens >= micro then
  tokens = tokens - micro
  taken = 1
end
local need, ttl = capacity - tokens, 0
while ttl * rate < need do ttl = ttl + math.max(1, math.floor((need - ttl * rate) / rate)) end
redis.call('HSET', KEYS[1], 'tokens', string.format('%d.%06d', math.floor(tokens / micro), tokens % micro), 'refilled_ms', now)
redis.call('PEXPIRE', KEYS[1], math.max(1, ttl))
return taken
";

pub struct TokenBucket {
    pub conn: Conn,
    /// Refill rate in millionths of a token per ms.
    pub rate_micro_per_ms: u64,
    /// Capacity in tokens.
    pub burst: u64,
    /// The script's digest, once SCRIPT LOAD gave it.
    pub sha: Option<String>,
}

impl Limiter for TokenBucket {
    fn decide(&mut self, host: &mut Host, at: u64, actor: &str) -> bool {
        let key = LimiterKind::TokenBucket.key_prefix();
        let sha = match &self.sha {
            Some(sha) => sha.clone(),
            None => match host.run(self.conn, actor, &["SCRIPT", "LOAD", SCRIPT]) {
                Reply::Bulk(sha) => {
                    let sha = String::from_utf8_lossy(&sha).into_owned();
                    self.sha = Some(sha.clone());
                    sha
                }
                // No scripting in this engine: nothing is admitted.
                _ => return false,
            },
        };
        let capacity = self.burst.saturating_mul(MICRO).to_string();
        let rate = self.rate_micro_per_ms.max(1).to_string();
        let now = unix_ms(at).to_string();
        let argv = ["EVALSHA", &sha, "1", key, &capacity, &rate, &now];
        host.run(self.conn, actor, &argv) == Reply::Int(1)
    }
}
