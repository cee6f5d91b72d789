//! The slow log: commands that took at least `slowlog-log-slower-than`
//! microseconds, newest first, at most `slowlog-max-len` of them. Durations
//! come from the host's monotonic microsecond timer (`Engine::set_timer`);
//! without one every command takes 0 µs.

use std::collections::VecDeque;

/// Arguments kept per entry, and bytes kept per argument (Redis's limits).
const MAX_ARGS: usize = 32;
const MAX_ARG_BYTES: usize = 128;

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: u64,
    /// Unix seconds when the command ran.
    pub time_s: i64,
    pub duration_us: u64,
    pub args: Vec<Vec<u8>>,
    pub client_addr: String,
    pub client_name: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct SlowLog {
    entries: VecDeque<Entry>,
    next_id: u64,
}

impl SlowLog {
    /// Records a command, trimming its arguments as Redis does and keeping
    /// at most `max_len` entries.
    pub fn push(&mut self, mut entry: Entry, argv: &[&[u8]], max_len: usize) {
        let shown = if argv.len() > MAX_ARGS {
            MAX_ARGS - 1
        } else {
            argv.len()
        };
        entry.args = argv
            .iter()
            .take(shown)
            .map(|arg| match arg.get(..MAX_ARG_BYTES) {
                Some(head) if arg.len() > MAX_ARG_BYTES => {
                    let mut kept = head.to_vec();
                    kept.extend_from_slice(
                        format!("... ({} more bytes)", arg.len() - MAX_ARG_BYTES).as_bytes(),
                    );
                    kept
                }
                _ => arg.to_vec(),
            })
            .collect();
        if argv.len() > MAX_ARGS {
            entry
                .args
                .push(format!("... ({} more arguments)", argv.len() - shown).into_bytes());
        }
        entry.id = self.next_id;
        self.next_id += 1;
        self.entries.push_front(entry);
        self.entries.truncate(max_len);
    }

    /// The newest `count` entries (all of them for `None`).
    pub fn newest(&self, count: Option<usize>) -> impl Iterator<Item = &Entry> {
        self.entries.iter().take(count.unwrap_or(usize::MAX))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }
}
