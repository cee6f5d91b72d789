//! What the four limiters share: their names and key prefixes, and the
//! one question each answers for a request.

use crate::host::Host;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LimiterKind {
    FixedWindow,
    SlidingLog,
    SlidingCounter,
    TokenBucket,
}

impl LimiterKind {
    pub const ALL: [LimiterKind; 4] = [
        LimiterKind::FixedWindow,
        LimiterKind::SlidingLog,
        LimiterKind::SlidingCounter,
        LimiterKind::TokenBucket,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LimiterKind::FixedWindow => "fixed window",
            LimiterKind::SlidingLog => "sliding log",
            LimiterKind::SlidingCounter => "sliding counter",
            LimiterKind::TokenBucket => "token bucket",
        }
    }

    /// Every key the limiter creates starts with this (one user's keys).
    pub fn key_prefix(self) -> &'static str {
        match self {
            LimiterKind::FixedWindow => "ratelimit:fixed:user1:",
            LimiterKind::SlidingLog => "ratelimit:log:user1",
            LimiterKind::SlidingCounter => "ratelimit:counter:user1:",
            LimiterKind::TokenBucket => "ratelimit:bucket:user1",
        }
    }
}

/// A rate limiter backed by the engine.
pub trait Limiter {
    /// Whether the request arriving now (virtual `at`) is allowed; runs the
    /// limiter's commands on `host`, logged under `actor`.
    fn decide(&mut self, host: &mut Host, at: u64, actor: &str) -> bool;
}
