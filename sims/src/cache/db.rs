//! The simulated primary database (what the cache sits in front of), and
//! the truth about writes that staleness is measured against.
//!
//! Each key holds a version number; a value's bytes are derived from it.
//! A query takes a latency drawn from the configured distribution. The database reads and writes at the moment its reply comes
//! back, which is when the application acts on it.
//!
//! Separately, every write the application acknowledged is recorded (when
//! it was acknowledged, per key and version): for write-behind that is
//! before the database has it. A value of version `v` read at time `r` is
//! stale if version `v + 1` was acknowledged before `r`, by `r` minus that
//! acknowledgement.

use crate::dist::Latency;
use redsim_engine::rng::Rng;

pub struct PrimaryDb {
    /// The version each key holds.
    stored: Vec<u64>,
    /// Per key, when each version from 1 on was acknowledged (index
    /// `v - 1`); the key's newest version is the length.
    acked: Vec<Vec<u64>>,
    latency: Latency,
    rng: Rng,
    writes_applied: u64,
}

impl PrimaryDb {
    /// `keys` keys, all at version 0.
    pub fn new(keys: usize, latency: Latency, seed: u64) -> PrimaryDb {
        PrimaryDb {
            stored: vec![0; keys],
            acked: vec![Vec::new(); keys],
            latency,
            rng: Rng::new(seed),
            writes_applied: 0,
        }
    }

    /// How long the next query takes.
    pub fn query(&mut self) -> u64 {
        self.latency.sample(&mut self.rng)
    }

    /// The version `key` holds.
    pub fn read(&self, key: u32) -> u64 {
        self.stored.get(key as usize).copied().unwrap_or(0)
    }

    /// A write the database performs and acknowledges at `at`: the key's
    /// new version.
    pub fn commit(&mut self, key: u32, at: u64) -> u64 {
        let version = self.acknowledge(key, at);
        self.store(key, version);
        version
    }

    /// A write the application acknowledged at `at` before the database
    /// has it (write-behind): its version.
    pub fn acknowledge(&mut self, key: u32, at: u64) -> u64 {
        match self.acked.get_mut(key as usize) {
            Some(times) => {
                times.push(at);
                times.len() as u64
            }
            None => 0,
        }
    }

    /// Writes an acknowledged version into the database (write-behind's
    /// flush).
    pub fn store(&mut self, key: u32, version: u64) {
        if let Some(stored) = self.stored.get_mut(key as usize) {
            *stored = version;
            self.writes_applied += 1;
        }
    }

    /// How stale version `version` of `key` is when read at `at`: None if
    /// it was still the newest acknowledged then.
    pub fn staleness(&self, key: u32, version: u64, at: u64) -> Option<u64> {
        let superseded_at = *self.acked.get(key as usize)?.get(version as usize)?;
        (superseded_at <= at).then(|| at - superseded_at)
    }

    /// Writes the database has applied.
    pub fn writes_applied(&self) -> u64 {
        self.writes_applied
    }
}

/// A cached value of `version`, padded to `bytes` so memory use is real.
pub fn value(version: u64, bytes: u64) -> String {
    let mut text = format!("v{version}:");
    let pad = (bytes as usize).saturating_sub(text.len());
    text.extend(std::iter::repeat_n('.', pad));
    text
}

/// The version a cached value holds.
pub fn version_of(value: &[u8]) -> Option<u64> {
    let digits = value.strip_prefix(b"v")?;
    let end = digits.iter().position(|&b| b == b':')?;
    std::str::from_utf8(digits.get(..end)?).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_staleness() {
        let latency = Latency::Uniform {
            min_ms: 5,
            max_ms: 5,
        };
        let mut db = PrimaryDb::new(2, latency, 1);
        assert_eq!(db.query(), 5);
        assert_eq!(db.commit(1, 100), 1);
        assert_eq!(db.read(1), 1);
        // Version 0 was superseded at 100.
        assert_eq!(db.staleness(1, 0, 99), None);
        assert_eq!(db.staleness(1, 0, 130), Some(30));
        assert_eq!(db.staleness(1, 1, 130), None);
        // Write-behind: acknowledged, not yet stored.
        assert_eq!(db.acknowledge(0, 50), 1);
        assert_eq!(db.read(0), 0);
        assert_eq!(db.staleness(0, 0, 60), Some(10));
        db.store(0, 1);
        assert_eq!(db.read(0), 1);
        assert_eq!(db.writes_applied(), 2);
        // Keys out of range are ignored rather than a panic.
        assert_eq!(db.read(9), 0);
        assert_eq!(db.staleness(9, 0, 1), None);
    }

    #[test]
    fn values_carry_their_version() {
        let v = value(42, 100);
        assert_eq!(v.len(), 100);
        assert_eq!(version_of(v.as_bytes()), Some(42));
        assert_eq!(value(7, 1), "v7:");
        assert_eq!(version_of(b"garbage"), None);
        assert_eq!(version_of(b"vx:"), None);
    }
}
