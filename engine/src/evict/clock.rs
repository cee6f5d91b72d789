//! The 24 bits Redis keeps per object for eviction (`robj.lru`), in the
//! same two readings Redis gives them: under an LRU (or any non-LFU)
//! policy, the LRU clock at the last access (unix seconds modulo 2^24);
//! under an LFU policy, the last decrement time in minutes (16 bits) and a
//! logarithmic access counter (8 bits). Switching policy reinterprets the
//! bits, as in Redis, so OBJECT FREQ / IDLETIME settle only with new
//! accesses.

use crate::rng::Rng;

/// The LRU clock's range: 24 bits of seconds.
const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;
/// A new key's LFU counter, so it is not evicted before it is used again.
pub const LFU_INIT_VAL: u32 = 5;

/// How accesses are recorded, from `maxmemory-policy` and the LFU tuning.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Mode {
    #[default]
    Lru,
    Lfu {
        /// `lfu-log-factor`: how much harder each increment gets.
        log_factor: i64,
        /// `lfu-decay-time`: minutes per decrement of an idle key's counter.
        decay_minutes: i64,
    },
}

/// The LRU clock now.
pub fn lru_clock(now_ms: i64) -> u32 {
    (now_ms.div_euclid(1000) as u64 & u64::from(LRU_CLOCK_MAX)) as u32
}

/// Minutes now, in the 16 bits LFU data keeps.
fn lfu_minutes(now_ms: i64) -> u32 {
    (now_ms.div_euclid(60_000) as u64 & 0xffff) as u32
}

/// What a new key's bits start as.
pub fn initial(mode: Mode, now_ms: i64) -> u32 {
    match mode {
        Mode::Lru => lru_clock(now_ms),
        Mode::Lfu { .. } => (lfu_minutes(now_ms) << 8) | LFU_INIT_VAL,
    }
}

/// The bits after an access.
pub fn accessed(bits: u32, mode: Mode, now_ms: i64, rng: &mut Rng) -> u32 {
    match mode {
        Mode::Lru => lru_clock(now_ms),
        Mode::Lfu { log_factor, .. } => {
            let counter = log_increment(frequency(bits, mode, now_ms), log_factor, rng);
            (lfu_minutes(now_ms) << 8) | counter
        }
    }
}

/// Seconds since the last access, read as an LRU clock (it wraps after
/// 194 days, as Redis's does).
pub fn idle_seconds(bits: u32, now_ms: i64) -> i64 {
    let clock = lru_clock(now_ms);
    let elapsed = if clock >= bits {
        clock - bits
    } else {
        clock + LRU_CLOCK_MAX.saturating_sub(bits)
    };
    i64::from(elapsed)
}

/// The LRU clock `idle_s` seconds ago (RESTORE IDLETIME, a snapshot's
/// IDLE), wrapping back through the clock's range once as Redis does.
pub fn idle_since(idle_s: u64, now_ms: i64) -> u32 {
    let idle = i64::try_from(idle_s).unwrap_or(i64::MAX);
    let mut at = i64::from(lru_clock(now_ms)).saturating_sub(idle);
    if at < 0 {
        at = at.saturating_add(i64::from(LRU_CLOCK_MAX)).max(0);
    }
    u32::try_from(at).unwrap_or(0)
}

/// The LFU counter after the decay owed for the minutes since it was last
/// decremented (OBJECT FREQ; Redis's `LFUDecrAndReturn`).
pub fn frequency(bits: u32, mode: Mode, now_ms: i64) -> u32 {
    let Mode::Lfu { decay_minutes, .. } = mode else {
        return bits & 0xff;
    };
    let last = bits >> 8;
    let now = lfu_minutes(now_ms);
    let elapsed = if now >= last {
        now - last
    } else {
        0xffff - last + now
    };
    let periods = if decay_minutes > 0 {
        u64::from(elapsed) / decay_minutes as u64
    } else {
        0
    };
    let counter = bits & 0xff;
    counter.saturating_sub(u32::try_from(periods).unwrap_or(u32::MAX))
}

/// Increments the counter with probability 1 / ((counter - 5) * factor + 1),
/// so it grows about logarithmically with the number of accesses.
fn log_increment(counter: u32, log_factor: i64, rng: &mut Rng) -> u32 {
    if counter >= 255 {
        return 255;
    }
    let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if rng.unit() < p {
        counter + 1
    } else {
        counter
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const LFU: Mode = Mode::Lfu {
        log_factor: 10,
        decay_minutes: 1,
    };

    #[test]
    fn lru_idle_time_wraps_like_a_24_bit_clock() {
        let t = 1_700_000_000_000;
        let bits = initial(Mode::Lru, t);
        assert_eq!(idle_seconds(bits, t + 61_999), 61);
        // Accessed just before the clock wrapped, read just after.
        let before_wrap = i64::from(LRU_CLOCK_MAX) * 1000;
        let bits = lru_clock(before_wrap - 5_000);
        assert_eq!(idle_seconds(bits, before_wrap + 10_000), 15 - 1);
    }

    #[test]
    fn lfu_counter_grows_logarithmically_and_decays_per_minute() {
        let mut rng = Rng::new(7);
        let t = 1_700_000_000_000;
        let mut bits = initial(LFU, t);
        assert_eq!(frequency(bits, LFU, t), LFU_INIT_VAL);
        for _ in 0..100 {
            bits = accessed(bits, LFU, t, &mut rng);
        }
        let after_100 = frequency(bits, LFU, t);
        // Redis's table for factor 10: about 10 after 100 hits.
        assert!((8..=14).contains(&after_100), "{after_100}");
        for _ in 0..900 {
            bits = accessed(bits, LFU, t, &mut rng);
        }
        // And about 18 after 1000.
        let after_1k = frequency(bits, LFU, t);
        assert!((14..=23).contains(&after_1k), "{after_1k}");
        // Three idle minutes take three off with a decay time of 1.
        assert_eq!(frequency(bits, LFU, t + 3 * 60_000), after_1k - 3);
        let slow = Mode::Lfu {
            log_factor: 10,
            decay_minutes: 0,
        };
        assert_eq!(frequency(bits, slow, t + 3 * 60_000), after_1k);
    }
}
