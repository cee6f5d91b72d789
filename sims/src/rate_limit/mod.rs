//! Rate limiting four ways, side by side on the same request stream:
//! fixed window (INCR + EXPIRE), sliding window log (a sorted set in
//! MULTI/EXEC), sliding window counter (two weighted fixed windows) and
//! token bucket (a hash updated by one Lua script). Each limiter has its own
//! connection and keys, so the key browser shows what each creates.
//!
//! - `stream`: the requests; `limiter`: what the limiters share; one
//!   module per limiter; `model`: feeding them and recording decisions.

mod fixed_window;
mod limiter;
mod model;
mod sliding_counter;
mod sliding_log;
mod stream;
mod token_bucket;

pub use limiter::LimiterKind;
pub use model::{
    most_within, simulate, Counts, Decision, RateLimitSim, RateParams, MAX_DURATION_MS, MAX_LIMIT,
};
pub use stream::{Stream, MAX_REQUESTS};
