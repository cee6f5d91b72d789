//! redis-cli's own HELP, answered by the console without asking the
//! server: `HELP <command>` (every command or subcommand whose name starts
//! with the words given), `HELP @<group>`, and bare `HELP` (an intro in our
//! words). The layout is redis-cli's (bold name and dimmed syntax there,
//! plain text here); summaries are the command table's.

use redsim_engine::commands::{Spec, Table};

use super::grammar;

/// One help topic: a command or `CONTAINER SUBCOMMAND`, in capitals.
pub struct Topic {
    pub words: Vec<String>,
    pub full: String,
    pub spec: &'static Spec,
}

/// Every command and subcommand, sorted by full name as redis-cli sorts
/// its help entries.
pub fn topics(table: &Table) -> Vec<Topic> {
    let mut topics = Vec::new();
    for spec in table.iter() {
        let name = spec.name.to_ascii_uppercase();
        for sub in spec.subcommands() {
            let sub_name = sub.name.to_ascii_uppercase();
            topics.push(Topic {
                full: format!("{name} {sub_name}"),
                words: vec![name.clone(), sub_name],
                spec: sub,
            });
        }
        topics.push(Topic {
            full: name.clone(),
            words: vec![name],
            spec,
        });
    }
    topics.sort_by(|a, b| a.full.cmp(&b.full));
    topics
}

/// The command groups, as `@group`, sorted.
pub fn groups(table: &Table) -> Vec<String> {
    let mut groups: Vec<String> = table.iter().map(|s| format!("@{}", s.group)).collect();
    groups.sort();
    groups.dedup();
    groups
}

/// What the console prints for a typed line if it is redis-cli's HELP
/// (or `?`), without the final newline; `None` for anything else.
pub fn answer(table: &Table, line: &str) -> Option<String> {
    let words = grammar::words(line)?;
    let (first, asked) = words.split_first()?;
    if !first.eq_ignore_ascii_case("help") && first != "?" {
        return None;
    }
    if asked.is_empty() {
        return Some(INTRO.to_string());
    }
    let mut out = String::new();
    let group = asked[0].strip_prefix('@');
    for topic in topics(table) {
        let shown = match group {
            Some(group) => topic.spec.group.eq_ignore_ascii_case(group),
            None => {
                asked.len() <= topic.words.len()
                    && asked
                        .iter()
                        .zip(&topic.words)
                        .all(|(a, w)| a.eq_ignore_ascii_case(w))
            }
        };
        if shown {
            describe(&mut out, &topic, group.is_none());
        }
    }
    out.push('\n');
    out.truncate(out.trim_end_matches('\n').len());
    Some(out)
}

/// One topic as redis-cli prints it: a blank line, the syntax, summary and
/// since; the group too unless a group is being listed. Between summary
/// and since, the complexity, which redis-cli leaves out and the
/// playground shows because knowing it is half of using a command well.
fn describe(out: &mut String, topic: &Topic, with_group: bool) {
    let spec = topic.spec;
    out.push_str(&format!(
        "\n  {} {}\n  summary: {}\n  complexity: {}\n  since: {}\n",
        topic.full,
        grammar::params(spec),
        spec.summary,
        spec.complexity,
        spec.since
    ));
    if with_group {
        out.push_str(&format!("  group: {}\n", spec.group));
    }
}

/// Bare HELP: what redis-cli's intro says, in our words and for this
/// console's keys.
const INTRO: &str = "\
redsim console, speaking as redis-cli 7.0.15 would
For help on Redis commands, type:
      \"help @<group>\" to list the commands of <group> (e.g. help @string)
      \"help <command>\" for help on <command>
      \"help <tab>\" to cycle through the help topics

Keys: Tab completes command names (again for the next one), Up and Down
walk the history, Ctrl-R searches it, Ctrl-L clears this pane.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_for_a_command_has_redis_cli_layout() {
        let table = Table::new();
        let set = table.get(b"set").expect("SET");
        assert_eq!(
            answer(&table, "help set").as_deref(),
            Some(
                format!(
                    "\n  SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]\n  summary: {}\n  complexity: {}\n  since: 1.0.0\n  group: string",
                    set.summary,
                    set.complexity
                )
                .as_str()
            )
        );
        assert_eq!(answer(&table, "? GET"), answer(&table, "HELP get"));
        assert_eq!(answer(&table, "help nosuch").as_deref(), Some(""));
        assert_eq!(answer(&table, "GET help"), None);
        assert_eq!(
            answer(&table, "help \"open"),
            None,
            "left to the usual error"
        );
        assert!(answer(&table, "HELP").is_some_and(|text| text.contains("\"help @<group>\"")));
    }

    #[test]
    fn help_on_a_container_lists_it_and_its_subcommands() {
        let table = Table::new();
        let text = answer(&table, "help client").unwrap_or_default();
        assert!(text.starts_with("\n  CLIENT \n"), "{text}");
        assert!(text.contains(
            "\n  CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]\n"
        ));
        let one = answer(&table, "help client list").unwrap_or_default();
        assert_eq!(one.matches("\n\n").count(), 0);
        assert!(one.ends_with("  group: connection"));
    }

    #[test]
    fn help_on_a_group_lists_its_commands_sorted_without_the_group_line() {
        let table = Table::new();
        let text = answer(&table, "help @hash").unwrap_or_default();
        let names: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  H"))
            .map(|l| l.split(' ').nth(2).unwrap_or_default())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert!(
            names.starts_with(&["HDEL", "HEXISTS", "HEXPIRE"]),
            "{names:?}"
        );
        assert!(text.starts_with("\n  HDEL key field [field ...]\n  summary: "));
        assert!(!text.contains("group:"));
        assert_eq!(answer(&table, "help @nosuch").as_deref(), Some(""));
        assert!(groups(&table).contains(&"@sorted-set".to_string()));
    }
}
