//! The stampede, made countable: each time the hottest key (`item:0`) is
//! missing from the cache under load, a *reload* starts at its first miss
//! and ends when a SET puts it back. During a reload every request that
//! missed is counted, and every database load of the key it started.
//! Without mitigation each miss is a load; with the lock, one load per
//! reload and the others wait. A load is counted in the reload where its
//! request missed, even if it starts after that reload ended.

/// The key whose reloads are followed.
pub const HOT_KEY: u32 = 0;

/// Reloads recorded at most (one needs a miss and a SET, so a run has far
/// fewer unless it is made to evict the hot key constantly).
pub const MAX_RELOADS: usize = 10_000;

/// One gap in the hot key's presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reload {
    /// The first miss.
    pub started_ms: u64,
    /// The SET that ended it (None while it lasts).
    pub ended_ms: Option<u64>,
    /// Requests whose GET missed during it.
    pub misses: u64,
    /// Database loads started by the requests that missed during it.
    pub db_loads: u64,
}

#[derive(Debug, Default)]
pub struct Reloads {
    list: Vec<Reload>,
    /// Whether the last reload is still open.
    open: bool,
}

impl Reloads {
    /// A request's first GET of the hot key missed at `at`: the reload
    /// it missed in, which its load will be counted in.
    pub fn missed(&mut self, at: u64) -> Option<usize> {
        if !self.open {
            if self.list.len() >= MAX_RELOADS {
                return None;
            }
            self.list.push(Reload {
                started_ms: at,
                ended_ms: None,
                misses: 0,
                db_loads: 0,
            });
            self.open = true;
        }
        let reload = self.list.last_mut()?;
        reload.misses += 1;
        Some(self.list.len() - 1)
    }

    /// A request that missed in reload `index` started a database load.
    pub fn loading(&mut self, index: usize) {
        if let Some(reload) = self.list.get_mut(index) {
            reload.db_loads += 1;
        }
    }

    /// The hot key was SET at `at`.
    pub fn filled(&mut self, at: u64) {
        if let Some(reload) = self.list.last_mut().filter(|_| self.open) {
            reload.ended_ms = Some(at);
        }
        self.open = false;
    }

    pub fn list(&self) -> &[Reload] {
        &self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reload_runs_from_the_first_miss_to_the_set() {
        let mut reloads = Reloads::default();
        reloads.loading(3); // no such reload: ignored
        assert_eq!(reloads.missed(10), Some(0));
        reloads.loading(0);
        assert_eq!(reloads.missed(12), Some(0));
        reloads.filled(50);
        // The second miss's load starts after the SET: still reload 0's.
        reloads.loading(0);
        assert_eq!(reloads.missed(90), Some(1));
        assert_eq!(
            reloads.list(),
            [
                Reload {
                    started_ms: 10,
                    ended_ms: Some(50),
                    misses: 2,
                    db_loads: 2
                },
                Reload {
                    started_ms: 90,
                    ended_ms: None,
                    misses: 1,
                    db_loads: 0
                }
            ]
        );
    }
}
