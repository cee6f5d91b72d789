//! A command's argument grammar as redis-cli shows it: the syntax line of
//! `HELP` (`key value [NX|XX] [GET] ...`, built from the table's `Arg`
//! trees as redis-cli builds it from COMMAND DOCS) and the dimmed hint after
//! the cursor, where the words already typed consume the grammar's leading
//! positions: required arguments in order, the optional ones in any order,
//! repeated ones as often as they come. A word still being typed (no space
//! after it yet) consumes nothing, and a word that fits nowhere ends the
//! hint, as in redis-cli.

use redsim_engine::commands::{Arg, ArgKind, Spec, Table};

/// How far the typed words got into one argument (and its sub-arguments).
#[derive(Default, Clone)]
struct Mark {
    /// Words this argument consumed.
    words: usize,
    token: bool,
    name: bool,
    /// Nothing of it is left to hint.
    done: bool,
    subs: Vec<Mark>,
}

fn marks(args: &[Arg]) -> Vec<Mark> {
    args.iter()
        .map(|arg| Mark {
            subs: marks(arg.args),
            ..Mark::default()
        })
        .collect()
}

/// The syntax line of a command or subcommand (HELP's second column).
pub fn params(spec: &Spec) -> String {
    show_args(spec.args, &marks(spec.args), " ")
}

/// The hint redis-cli shows after `input`, with its leading space when
/// the input does not end in one; `None` when no command is recognised.
pub fn hint(table: &Table, input: &str) -> Option<String> {
    let words = words(input)?;
    let ends_in_space = input.ends_with(|c: char| c.is_ascii_whitespace());
    let complete = if ends_in_space {
        words.len()
    } else {
        words.len().checked_sub(1)?
    };
    let (name_len, spec) = command_at(table, &words[..complete])?;
    let rest = &words[name_len..complete];
    let mut state = marks(spec.args);
    let used = if rest.is_empty() {
        0
    } else {
        match_args(rest, spec.args, &mut state)
    };
    let text = if used == rest.len() {
        show_args(spec.args, &state, " ")
    } else {
        String::new()
    };
    Some(if ends_in_space {
        text
    } else {
        format!(" {text}")
    })
}

/// A typed line split into words with redis-cli's quoting rules; `None`
/// when its quotes do not balance.
pub fn words(line: &str) -> Option<Vec<String>> {
    let words = redsim_engine::line::split_args(line.as_bytes())?;
    Some(
        words
            .iter()
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect(),
    )
}

/// The longest command the words start with: a subcommand after its
/// container, else the command; with the number of words its name takes.
pub fn command_at(table: &Table, words: &[String]) -> Option<(usize, &'static Spec)> {
    let spec = table.get(words.first()?.as_bytes())?;
    let sub = words
        .get(1)
        .and_then(|name| Table::find_in(spec.subcommands(), name.as_bytes()));
    Some(match sub {
        Some(sub) => (2, sub),
        None => (1, spec),
    })
}

fn match_args(words: &[String], args: &[Arg], state: &mut [Mark]) -> usize {
    let (mut word, mut at) = (0, 0);
    while word < words.len() && at < args.len() {
        let used = if args[at].optional {
            // A run of optional arguments may come in any order.
            let end = at + args[at..].iter().take_while(|a| a.optional).count();
            let used = match_optionals(&words[word..], &args[at..end], &mut state[at..end]);
            at = end;
            used
        } else {
            let used = match_arg(&words[word..], &args[at], &mut state[at]);
            if used == 0 {
                return 0;
            }
            at += 1;
            used
        };
        word += used;
    }
    word
}

/// Matches words against any of a run of optional arguments, each once;
/// an argument is complete once a later word starts another.
fn match_optionals(words: &[String], args: &[Arg], state: &mut [Mark]) -> usize {
    let (mut word, mut last) = (0, None);
    while word < words.len() {
        let found = (0..args.len()).find_map(|i| {
            if state[i].words > 0 {
                return None;
            }
            let used = match_arg(&words[word..], &args[i], &mut state[i]);
            (used > 0).then_some((i, used))
        });
        let Some((i, used)) = found else { break };
        if let Some(previous) = last.replace(i) {
            let previous: &mut Mark = &mut state[previous];
            previous.done = true;
        }
        word += used;
    }
    word
}

/// One argument, as many times as it may repeat.
fn match_arg(words: &[String], arg: &Arg, mark: &mut Mark) -> usize {
    let once = match_once(words, arg, mark);
    if !arg.multiple {
        return once;
    }
    let mut used = once;
    while mark.done && used < words.len() {
        *mark = marks(std::slice::from_ref(arg)).remove(0);
        if arg.token.is_some() && !arg.multiple_token {
            // The token comes once, before the first repetition.
            used += match_value(&words[used..], arg, mark);
            mark.token = mark.words > 0;
        } else {
            used += match_once(&words[used..], arg, mark);
        }
    }
    // More repetitions may follow.
    mark.done = false;
    used
}

/// One occurrence: its token, then its value.
fn match_once(words: &[String], arg: &Arg, mark: &mut Mark) -> usize {
    let mut rest = words;
    if let Some(token) = arg.token {
        if !rest.first().is_some_and(|w| w.eq_ignore_ascii_case(token)) {
            return 0;
        }
        mark.token = true;
        mark.words = 1;
        if arg.kind == ArgKind::PureToken {
            mark.done = true;
            return 1;
        }
        if rest.len() == 1 {
            return 1;
        }
        rest = &rest[1..];
    }
    if match_value(rest, arg, mark) == 0 {
        return 0;
    }
    mark.words
}

/// The part after the token: a value of the argument's type, or its
/// sub-arguments.
fn match_value(words: &[String], arg: &Arg, mark: &mut Mark) -> usize {
    let Some(word) = words.first() else {
        return mark.words;
    };
    match arg.kind {
        ArgKind::Block => {
            mark.words += match_args(words, arg.args, &mut mark.subs);
            mark.done = mark.subs.iter().all(|s| s.done);
        }
        ArgKind::OneOf => {
            for (sub, sub_mark) in arg.args.iter().zip(mark.subs.iter_mut()) {
                if match_arg(words, sub, sub_mark) > 0 {
                    mark.words += sub_mark.words;
                    mark.done = sub_mark.done;
                    break;
                }
            }
        }
        ArgKind::Integer | ArgKind::UnixTime | ArgKind::Double => {
            let fits = if arg.kind == ArgKind::Double {
                scans_double(word)
            } else {
                scans_integer(word)
            };
            if fits {
                mark.words += 1;
                mark.name = true;
                mark.done = true;
            } else {
                mark.words = 0;
                mark.name = false;
            }
        }
        _ => {
            mark.words += 1;
            mark.name = true;
            mark.done = true;
        }
    }
    mark.words
}

/// Whether C's `sscanf("%lld")` reads a number at the start of the word.
fn scans_integer(word: &str) -> bool {
    let word = word.trim_start();
    let digits = word.strip_prefix(['+', '-']).unwrap_or(word);
    digits.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether C's `sscanf("%lf")` reads a number at the start of the word.
fn scans_double(word: &str) -> bool {
    let word = word.trim_start();
    let unsigned = word.strip_prefix(['+', '-']).unwrap_or(word);
    let lower = unsigned.to_ascii_lowercase();
    unsigned.starts_with(|c: char| c.is_ascii_digit())
        || (unsigned.starts_with('.') && unsigned[1..].starts_with(|c: char| c.is_ascii_digit()))
        || lower.starts_with("inf")
        || lower.starts_with("nan")
}

/// The hint for a list of arguments: what is left of each, an optional
/// one being typed first, the other optional ones of its run only while
/// the required argument after them has not been reached.
fn show_args(args: &[Arg], state: &[Mark], separator: &str) -> String {
    let mut parts = Vec::new();
    let mut at = 0;
    while at < args.len() {
        if !args[at].optional {
            parts.push(show_arg(&args[at], &state[at]));
            at += 1;
            continue;
        }
        let end = at + args[at..].iter().take_while(|a| a.optional).count();
        let started = (at..end).find(|&i| state[i].words > 0 && !state[i].done);
        if let Some(i) = started {
            parts.push(show_arg(&args[i], &state[i]));
        }
        if end == args.len() || state[end].words == 0 {
            for i in (at..end).filter(|&i| Some(i) != started) {
                parts.push(show_arg(&args[i], &state[i]));
            }
        }
        at = end;
    }
    parts.retain(|p| !p.is_empty());
    parts.join(separator)
}

/// What is left of one argument: `[...]` around an optional one not yet
/// started, its token, its value or sub-arguments, then `[... ...]` for
/// the repetitions a multiple one allows.
fn show_arg(arg: &Arg, mark: &Mark) -> String {
    if mark.done {
        return String::new();
    }
    let bracket = arg.optional && mark.words == 0;
    let mut out = String::new();
    if let Some(token) = arg.token.filter(|_| !mark.token) {
        out.push_str(token);
        if arg.kind != ArgKind::PureToken {
            out.push(' ');
        }
    }
    match arg.kind {
        ArgKind::OneOf if mark.words == 0 => out.push_str(&show_args(arg.args, &mark.subs, "|")),
        ArgKind::OneOf => {
            for (sub, sub_mark) in arg.args.iter().zip(&mark.subs) {
                if sub_mark.words > 0 {
                    out.push_str(&show_arg(sub, sub_mark));
                }
            }
        }
        ArgKind::Block => out.push_str(&show_args(arg.args, &mark.subs, " ")),
        ArgKind::PureToken => {}
        _ if !mark.name => out.push_str(arg.name),
        _ => {}
    }
    if arg.multiple {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('[');
        if arg.multiple_token {
            out.push_str(arg.token.unwrap_or_default());
            if arg.kind != ArgKind::PureToken {
                out.push(' ');
            }
        }
        let fresh = marks(arg.args);
        match arg.kind {
            ArgKind::OneOf => out.push_str(&show_args(arg.args, &fresh, "|")),
            ArgKind::Block => out.push_str(&show_args(arg.args, &fresh, " ")),
            ArgKind::PureToken => {}
            _ => out.push_str(arg.name),
        }
        out.push_str(" ...]");
    }
    if bracket {
        format!("[{out}]")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// redis-cli's own hint cases (its test suite for hints, Redis 7.2+):
    /// typed input, then the hint it shows after a trailing space or the
    /// word being typed.
    const CASES: &[(&str, &str)] = &[
        ("GET ", "key"),
        ("GET abc ", ""),
        ("DECRBY xyz 2 ", ""),
        ("DECRBY xyz ", "decrement"),
        ("DECRBY ", "key decrement"),
        ("LPOP key ", "[count]"),
        ("LPOP key 3 ", ""),
        ("XRANGE ", "key start end [COUNT count]"),
        ("XRANGE k 4 2 ", "[COUNT count]"),
        ("XRANGE k 4 2 COU", " [COUNT count]"),
        ("XRANGE k 4 2 COUNT ", "count"),
        // Redis 7.0's grammar: GET is optional (7.2 made it required).
        ("BITFIELD_RO k ", "[GET encoding offset [GET encoding offset ...]]"),
        ("BITFIELD_RO k GET ", "encoding offset [GET encoding offset ...]"),
        ("BITFIELD_RO k GET xyz 12 ", "[GET encoding offset ...]"),
        (
            "BITFIELD_RO k GET enc1 12 GET enc2 ",
            "offset [GET encoding offset ...]",
        ),
        ("CONFIG SET param ", "value [parameter value ...]"),
        ("CONFIG SET param val parm2 val2 ", "[parameter value ...]"),
        ("ZRANDMEMBER k ", "[count [WITHSCORES]]"),
        ("ZRANDMEMBER k 3 ", "[WITHSCORES]"),
        ("ZRANDMEMBER k 3 WITHSCORES ", ""),
        ("ZRANDMEMBER k cnt ", ""),
        ("MGET ", "key [key ...]"),
        ("MGET k k ", "[key ...]"),
        ("SCAN 2 MATCH ", "pattern [COUNT count] [TYPE type]"),
        ("SCAN 2 COUNT ", "count [MATCH pattern] [TYPE type]"),
        ("BLMOVE src dst LEFT ", "LEFT|RIGHT timeout"),
        (
            "ZRANGE k 1 2 ",
            "[BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
        ),
        (
            "ZRANGE k 1 2 bylex rev ",
            "[LIMIT offset count] [WITHSCORES]",
        ),
        (
            "ZRANGE k 1 2 limit 2 4 ",
            "[BYSCORE|BYLEX] [REV] [WITHSCORES]",
        ),
        ("ZRANGE k 1 2 bylex rev limit 2 4 WITHSCORES ", ""),
        (
            "SET key value ",
            "[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
        ),
        ("SET key value EX ", "seconds [NX|XX] [GET]"),
        ("SET key value PXAT ", "unix-time-milliseconds [NX|XX] [GET]"),
        ("SET key value KEEPTTL ", "[NX|XX] [GET]"),
        (
            "SET key value XX ",
            "[GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
        ),
        ("SET key value FOOBAR ", ""),
        (
            "GEORADIUS key 1 2 3 M COUNT ",
            "count [ANY] [WITHCOORD] [WITHDIST] [WITHHASH] [ASC|DESC] [STORE key] [STOREDIST key]",
        ),
        ("GEORADIUS key 1 X ", ""),
        (
            "GEORADIUS key 1 2 3 M COUNT 12 ASC ",
            "[WITHCOORD] [WITHDIST] [WITHHASH] [STORE key] [STOREDIST key]",
        ),
        (
            "ZADD key ",
            "[NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]",
        ),
        ("ZADD key CH LT ", "[NX|XX] [INCR] score member [score member ...]"),
        ("ZADD key 0 ", "member [score member ...]"),
    ];

    #[test]
    fn hints_follow_redis_cli() {
        let table = Table::new();
        for (input, expected) in CASES {
            assert_eq!(
                hint(&table, input).as_deref(),
                Some(*expected),
                "hint for {input:?}"
            );
        }
    }

    #[test]
    fn a_word_being_typed_consumes_nothing_and_unknown_commands_have_no_hint() {
        let table = Table::new();
        assert_eq!(
            hint(&table, "set k").as_deref(),
            Some(" key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]")
        );
        assert_eq!(hint(&table, "GE"), None, "the command is still being typed");
        assert_eq!(hint(&table, "NOSUCH "), None);
        assert_eq!(hint(&table, ""), None);
        assert_eq!(hint(&table, "GET \"open"), None, "unbalanced quotes");
        assert_eq!(
            hint(&table, "client list ").as_deref(),
            Some("[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]")
        );
        assert_eq!(hint(&table, "CLIENT ").as_deref(), Some(""), "a container");
    }

    #[test]
    fn params_are_help_syntax_lines() {
        let table = Table::new();
        let spec = |name: &str| table.get(name.as_bytes()).expect("in the table");
        assert_eq!(
            params(spec("set")),
            "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"
        );
        assert_eq!(params(spec("hdel")), "key field [field ...]");
        assert_eq!(params(spec("dbsize")), "");
    }
}
