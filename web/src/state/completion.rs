//! Tab completion as redis-cli's (linenoise's): the whole line is matched
//! against command names and `CONTAINER SUBCOMMAND` names (after `help `,
//! against `@group` names too); Tab shows the first match, each further
//! Tab the next, and after the last the line as typed, then round again.
//! Escape brings the typed line back; any other key keeps what is shown.

use redsim_engine::commands::Table;

use super::help;

/// The completions of `line`, in redis-cli's order.
pub fn candidates(table: &Table, line: &str) -> Vec<String> {
    let (kept, typed, groups) = match line.get(..5) {
        Some(head) if head.eq_ignore_ascii_case("help ") => {
            let rest = line[5..].trim_start();
            (&line[..line.len() - rest.len()], rest, true)
        }
        _ => ("", line, false),
    };
    let starts = |name: &str| {
        name.get(..typed.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(typed))
    };
    let mut names: Vec<String> = Vec::new();
    if groups {
        names.extend(help::groups(table));
    }
    names.extend(help::topics(table).into_iter().map(|t| t.full));
    names
        .into_iter()
        .filter(|name| starts(name))
        .map(|name| format!("{kept}{name}"))
        .collect()
}

/// Repeated Tab presses over one set of completions.
#[derive(Debug, Clone, PartialEq)]
pub struct TabCycle {
    typed: String,
    candidates: Vec<String>,
    /// `candidates.len()` stands for the line as typed.
    at: usize,
}

impl TabCycle {
    /// The first Tab: None when nothing completes the line.
    pub fn start(table: &Table, typed: &str) -> Option<TabCycle> {
        let candidates = candidates(table, typed);
        (!candidates.is_empty()).then(|| TabCycle {
            typed: typed.to_string(),
            candidates,
            at: 0,
        })
    }

    /// The next Tab.
    pub fn advance(&mut self) {
        self.at = (self.at + 1) % (self.candidates.len() + 1);
    }

    /// What the line shows now.
    pub fn shown(&self) -> &str {
        self.candidates.get(self.at).unwrap_or(&self.typed)
    }

    /// The line as typed before Tab (Escape).
    pub fn typed(&self) -> &str {
        &self.typed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_commands_and_subcommands_in_sorted_order() {
        let table = Table::new();
        let got = candidates(&table, "cli");
        assert_eq!(got.first().map(String::as_str), Some("CLIENT"));
        assert!(got.contains(&"CLIENT LIST".to_string()));
        assert!(got.iter().all(|c| c.starts_with("CLIENT")));
        assert_eq!(candidates(&table, "client li"), ["CLIENT LIST"]);
        assert_eq!(candidates(&table, "xinfo s"), ["XINFO STREAM"]);
        assert!(candidates(&table, "SET k").is_empty());
        assert_eq!(candidates(&table, "hget")[..2], ["HGET", "HGETALL"]);
    }

    #[test]
    fn after_help_groups_come_first_and_the_prefix_stays() {
        let table = Table::new();
        assert_eq!(candidates(&table, "help @ha"), ["help @hash"]);
        let all = candidates(&table, "HELP  ");
        assert!(all[0].starts_with("HELP  @"), "{all:?}");
        assert_eq!(candidates(&table, "help zadd"), ["help ZADD"]);
        assert!(!candidates(&table, "@ha").contains(&"@hash".to_string()));
    }

    #[test]
    fn tab_cycles_through_matches_then_back_to_the_typed_line() {
        let table = Table::new();
        let mut tab = TabCycle::start(&table, "hget").expect("matches");
        assert_eq!(tab.shown(), "HGET");
        tab.advance();
        assert_eq!(tab.shown(), "HGETALL");
        tab.advance();
        assert_eq!(tab.shown(), "hget", "after the last match, the typed line");
        tab.advance();
        assert_eq!(tab.shown(), "HGET");
        assert_eq!(tab.typed(), "hget");
        assert_eq!(TabCycle::start(&table, "nosuch"), None);
    }
}
