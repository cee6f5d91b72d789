//! The playground's clock: the wall clock by default, which the user can
//! pause, resume and move forward, so TTLs and expiry can be watched
//! without waiting. The engine only ever sees `now`.

#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    /// Added to the wall clock: what fast-forwarding accumulated.
    offset_ms: i64,
    /// While paused, the time shown and given to the engine.
    frozen_at: Option<i64>,
}

impl Clock {
    pub fn new() -> Clock {
        Clock {
            offset_ms: 0,
            frozen_at: None,
        }
    }

    /// The playground's time for a wall-clock reading.
    pub fn now(&self, wall_ms: i64) -> i64 {
        self.frozen_at.unwrap_or(wall_ms + self.offset_ms)
    }

    pub fn is_paused(&self) -> bool {
        self.frozen_at.is_some()
    }

    /// Stops time where it is now.
    pub fn pause(&mut self, wall_ms: i64) {
        if self.frozen_at.is_none() {
            self.frozen_at = Some(self.now(wall_ms));
        }
    }

    /// Lets time run again from where it stopped.
    pub fn resume(&mut self, wall_ms: i64) {
        if let Some(at) = self.frozen_at.take() {
            self.offset_ms = at - wall_ms;
        }
    }

    /// Jumps ahead by `ms`, paused or not.
    pub fn advance(&mut self, ms: i64) {
        match self.frozen_at.as_mut() {
            Some(at) => *at += ms,
            None => self.offset_ms += ms,
        }
    }

    /// How far ahead of the wall clock the playground is.
    pub fn ahead_ms(&self, wall_ms: i64) -> i64 {
        self.now(wall_ms) - wall_ms
    }
}

/// The longest jump accepted at once: a year.
const MAX_JUMP_MS: i64 = 365 * 86_400_000;

/// A duration typed for a custom jump: a number of seconds (`90`), or
/// numbers with units run together (`500ms`, `90s`, `5m`, `2h`, `1d`,
/// `1h30m`). None when it is not one, is zero, or exceeds a year.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim().to_ascii_lowercase();
    if let Ok(seconds) = text.parse::<i64>() {
        return seconds
            .checked_mul(1000)
            .filter(|ms| (1..=MAX_JUMP_MS).contains(ms));
    }
    let mut rest = text.as_str();
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (number, after) = rest.split_at(digits);
        let letters = after.len()
            - after
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        let (unit, after) = after.split_at(letters);
        let scale = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        let part = number.parse::<i64>().ok()?.checked_mul(scale)?;
        total = total.checked_add(part)?;
        rest = after.trim_start();
    }
    Some(total).filter(|ms| (1..=MAX_JUMP_MS).contains(ms))
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_duration, Clock};

    #[test]
    fn custom_jumps_are_read_with_units() {
        assert_eq!(parse_duration("90"), Some(90_000));
        assert_eq!(parse_duration(" 90s "), Some(90_000));
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("5m"), Some(300_000));
        assert_eq!(parse_duration("5min"), Some(300_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("1h 30m"), Some(5_400_000));
        assert_eq!(parse_duration("2D"), Some(172_800_000));
        for bad in [
            "",
            "0",
            "-5",
            "5x",
            "m",
            "1.5h",
            "366d",
            "99999999999999999999",
            "9223372036854775807d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn pause_resume_and_advance() {
        let mut c = Clock::new();
        assert_eq!(c.now(1_000), 1_000);
        c.advance(10_000);
        assert_eq!(c.now(1_500), 11_500);
        c.pause(2_000);
        assert!(c.is_paused());
        assert_eq!(c.now(9_000), 12_000, "frozen");
        c.advance(60_000);
        assert_eq!(c.now(9_000), 72_000);
        c.resume(10_000);
        assert_eq!(c.now(10_000), 72_000, "resumes where it stopped");
        assert_eq!(c.now(10_250), 72_250);
        assert_eq!(c.ahead_ms(10_250), 62_000);
    }
}
