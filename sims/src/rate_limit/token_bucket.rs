//! Token bucket: a hash holding the tokens left and when it was last
//! refilled. Read it under `WATCH` (`HMGET`), refill for the time passed,
//! take a token if there is one, and write both back in `MULTI/EXEC`: if
//! another client changed the hash in between, EXEC fails and the request
//! is refused rather than double-spending a token. A burst may use the
//! whole bucket at once; after that, requests are admitted at the refill
//! rate.
//!
//! Tokens are counted in millionths, and the rate in thousandths of a
//! token per second (millionths per ms), so refilling is exact integer
//! arithmetic: admitted requests in any interval never exceed the burst
//! plus the rate times its length, to the last token. The hash shows them
//! as decimals (`tokens 4.500000`).

use super::limiter::{Limiter, LimiterKind};
use crate::host::{unix_ms, Conn, Host};
use redsim_engine::Reply;

/// Millionths in a token.
const MICRO: u64 = 1_000_000;

pub struct TokenBucket {
    pub conn: Conn,
    /// Refill rate in millionths of a token per ms.
    pub rate_micro_per_ms: u64,
    /// Capacity in tokens.
    pub burst: u64,
}

impl Limiter for TokenBucket {
    fn decide(&mut self, host: &mut Host, at: u64, actor: &str) -> bool {
        let key = LimiterKind::TokenBucket.key_prefix();
        let capacity = self.burst.saturating_mul(MICRO);
        let now = unix_ms(at);
        host.run(self.conn, actor, &["WATCH", key]);
        let stored = host.run(self.conn, actor, &["HMGET", key, "tokens", "refilled_ms"]);
        let tokens = match parse_state(&stored) {
            Some((tokens, refilled_ms)) => {
                let elapsed = now.saturating_sub(refilled_ms);
                tokens
                    .saturating_add(elapsed.saturating_mul(self.rate_micro_per_ms))
                    .min(capacity)
            }
            // A new bucket starts full.
            None => capacity,
        };
        let has_token = tokens >= MICRO;
        let left = if has_token { tokens - MICRO } else { tokens };
        // Gone once it would have refilled completely: a full bucket is
        // what a missing key means.
        let ttl_ms = (capacity - left)
            .div_ceil(self.rate_micro_per_ms.max(1))
            .max(1)
            .to_string();
        let now = now.to_string();
        host.run(self.conn, actor, &["MULTI"]);
        let tokens = format_tokens(left);
        host.run(
            self.conn,
            actor,
            &["HSET", key, "tokens", &tokens, "refilled_ms", &now],
        );
        host.run(self.conn, actor, &["PEXPIRE", key, &ttl_ms]);
        let committed = matches!(host.run(self.conn, actor, &["EXEC"]), Reply::Array(_));
        committed && has_token
    }
}

/// Tokens and refill time from HMGET's reply; None for a new bucket.
fn parse_state(reply: &Reply) -> Option<(u64, u64)> {
    let Reply::Array(fields) = reply else {
        return None;
    };
    let text = |i: usize| match fields.get(i) {
        Some(Reply::Bulk(bytes)) => std::str::from_utf8(bytes).ok(),
        _ => None,
    };
    Some((parse_tokens(text(0)?)?, text(1)?.parse().ok()?))
}

/// Millionths of a token as a decimal with six places.
fn format_tokens(micro: u64) -> String {
    format!("{}.{:06}", micro / MICRO, micro % MICRO)
}

/// `format_tokens`'s text back to millionths.
fn parse_tokens(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.')?;
    if fraction.len() != 6 {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    whole
        .checked_mul(MICRO)?
        .checked_add(fraction.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_as_decimals() {
        assert_eq!(format_tokens(4_500_000), "4.500000");
        assert_eq!(format_tokens(7), "0.000007");
        assert_eq!(parse_tokens("4.500000"), Some(4_500_000));
        assert_eq!(parse_tokens("0.000007"), Some(7));
        assert_eq!(parse_tokens("4.5"), None);
        assert_eq!(parse_tokens("x.000000"), None);
    }
}
