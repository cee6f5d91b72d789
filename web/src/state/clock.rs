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

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

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
