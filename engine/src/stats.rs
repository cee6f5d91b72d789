//! Server-wide counters that INFO reports: commands processed, per-command
//! calls and failures, error replies by kind, connections. Per-database
//! counters (keyspace hits, misses, expired keys) live in `db::DbStats`.

use crate::sorted_map::SortedMap;

use crate::latency::Histogram;

/// Redis stops tracking new error kinds after this many (errorstats).
const MAX_ERROR_KINDS: usize = 128;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CommandStats {
    pub calls: u64,
    /// Microseconds spent running it (0 without a host timer).
    pub usec: u64,
    /// Refused before running (arity and other checks).
    pub rejected_calls: u64,
    /// Ran and answered an error.
    pub failed_calls: u64,
    /// Its durations (INFO latencystats, LATENCY HISTOGRAM), once one was
    /// recorded while `latency-tracking` was on.
    pub latency: Option<Histogram>,
}

#[derive(Debug, Default)]
pub struct Stats {
    pub total_commands_processed: u64,
    pub total_connections_received: u64,
    pub total_error_replies: u64,
    /// Keys removed to stay under maxmemory.
    pub evicted_keys: u64,
    /// By command and subcommand name, both from the table (so counting a
    /// call allocates nothing).
    pub commands: SortedMap<(&'static str, Option<&'static str>), CommandStats>,
    /// By error kind: the first word of the error text (`ERR`, `WRONGTYPE`).
    pub errors: SortedMap<String, u64>,
    /// The next error reply repeats one already counted: a script's
    /// command error that the script raised or returned (Redis's
    /// `ignore_error_stats_update`). `record_error` skips it once.
    pub next_error_counted: bool,
    /// Positions in `commands` where `command` last found counters, by
    /// the command names' addresses.
    command_hints: [usize; COMMAND_HINTS],
}

/// How many command positions `Stats::command` remembers.
const COMMAND_HINTS: usize = 32;

impl Stats {
    /// Counts an error reply by its kind.
    pub fn record_error(&mut self, text: &str) {
        if std::mem::take(&mut self.next_error_counted) {
            return;
        }
        self.total_error_replies += 1;
        let kind = text.split(' ').next().unwrap_or_default();
        if let Some(count) = self.errors.get_mut(kind) {
            *count += 1;
        } else if self.errors.len() < MAX_ERROR_KINDS {
            self.errors.insert(kind.to_string(), 1);
        }
    }

    /// The counters of the command `name` (and subcommand `sub`), both
    /// from the table.
    pub fn command(&mut self, name: &'static str, sub: Option<&'static str>) -> &mut CommandStats {
        // Where this command's entry was last found is remembered by the
        // names' addresses (they are the table's own), and checked by
        // address too: no search and no string comparison when it still
        // holds. An entry inserted since moves the ones after it, and
        // two commands may share a hint; then the search runs.
        let address = name.as_ptr() as usize ^ sub.map_or(0, |s| s.as_ptr() as usize);
        // In range: reduced modulo the array's length.
        let hint = &mut self.command_hints[(address >> 3) % COMMAND_HINTS];
        let is_this = |&(n, s): &(&str, Option<&str>)| {
            std::ptr::eq(n, name)
                && match (s, sub) {
                    (Some(a), Some(b)) => std::ptr::eq(a, b),
                    (None, None) => true,
                    _ => false,
                }
        };
        self.commands
            .get_or_insert_hinted(hint, is_this, (name, sub), CommandStats::default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn each_command_counts_apart_however_calls_interleave() {
        let mut stats = Stats::default();
        // `config|get` lands before `set` and `zadd` after: positions
        // shift under the remembered one.
        for (name, sub) in [
            ("set", None),
            ("set", None),
            ("config", Some("get")),
            ("set", None),
            ("zadd", None),
            ("config", Some("set")),
            ("config", Some("get")),
            ("set", None),
        ] {
            stats.command(name, sub).calls += 1;
        }
        let calls: Vec<_> = stats.commands.iter().map(|(&k, c)| (k, c.calls)).collect();
        assert_eq!(
            calls,
            [
                (("config", Some("get")), 2),
                (("config", Some("set")), 1),
                (("set", None), 4),
                (("zadd", None), 1),
            ]
        );
    }
}
