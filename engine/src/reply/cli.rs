//! Renders a reply the way `redis-cli` prints it on a terminal (its
//! `cliFormatReplyTTY`), so the playground console is byte for byte what a
//! Redis user already knows.

use super::Reply;
use crate::engine::{ClientId, Engine};
use crate::number::format_g17;
use crate::resp::Protocol;

/// Runs a typed line for `client` and returns what redis-cli would print,
/// without the final newline: the reply, "Invalid argument(s)" for quotes
/// that do not balance, nothing for a blank line.
pub fn run_line(engine: &mut Engine, client: ClientId, line: &str) -> String {
    let Some(args) = crate::line::split_args(line.as_bytes()) else {
        return "Invalid argument(s)".to_string();
    };
    if args.is_empty() {
        return String::new();
    }
    let reply = match (engine.execute(client, &args), engine.protocol(client)) {
        (reply, Protocol::Resp2) => reply.into_resp2(),
        (reply, Protocol::Resp3) => reply,
    };
    let mut text = if prints_raw(&args) {
        format_raw(&reply)
    } else {
        format(&reply)
    };
    text.truncate(text.trim_end_matches('\n').len());
    text
}

/// Commands whose replies redis-cli prints raw rather than quoted, because
/// they are text meant for people (INFO, CLIENT LIST, ...).
fn prints_raw(args: &[Vec<u8>]) -> bool {
    let is = |i: usize, word: &str| {
        args.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
    };
    let argc = args.len();
    is(0, "info")
        || is(0, "lolwut")
        || (argc >= 2 && is(0, "debug") && is(1, "htstats"))
        || (argc >= 2 && is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (argc == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (argc >= 2 && is(0, "client") && (is(1, "list") || is(1, "info")))
        || (argc == 3 && is(0, "latency") && is(1, "graph"))
        || (argc == 2 && is(0, "latency") && is(1, "doctor"))
}

/// redis-cli's raw rendering (`cliFormatReplyRaw`): text as is, aggregates
/// one element per line, nil as nothing.
pub fn format_raw(reply: &Reply) -> String {
    match reply {
        Reply::Nil | Reply::NilArray => String::new(),
        Reply::Error(text) => format!("{text}\n"),
        Reply::Status(text) => text.clone(),
        Reply::Bulk(bytes) | Reply::Verbatim(_, bytes) => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        Reply::Bool(b) => if *b { "(true)" } else { "(false)" }.to_string(),
        Reply::Int(n) => n.to_string(),
        Reply::Double(d) => format_g17(*d),
        Reply::DoubleText(text) | Reply::BigNumber(text) => text.clone(),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) | Reply::Frames(items) => {
            items.iter().map(format_raw).collect::<Vec<_>>().join("\n")
        }
        Reply::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| format!("{} {}", format_raw(k), format_raw(v)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// What redis-cli prints when a client speaking `proto` receives `reply`:
/// a RESP2 client sees sets and maps as plain arrays, for instance.
pub fn format_as(reply: Reply, proto: Protocol) -> String {
    match proto {
        Protocol::Resp2 => format(&reply.into_resp2()),
        Protocol::Resp3 => format(&reply),
    }
}

/// The text redis-cli prints for `reply`, ending in a newline.
pub fn format(reply: &Reply) -> String {
    let mut out = String::new();
    write_reply(&mut out, reply, "");
    out
}

fn write_reply(out: &mut String, reply: &Reply, prefix: &str) {
    match reply {
        Reply::Status(text) => out.push_str(text),
        Reply::Error(text) => {
            out.push_str("(error) ");
            out.push_str(text);
        }
        Reply::Int(n) => {
            out.push_str("(integer) ");
            out.push_str(&n.to_string());
        }
        Reply::Bulk(bytes) => quote_into(out, bytes),
        Reply::Verbatim(_, text) => out.push_str(&String::from_utf8_lossy(text)),
        Reply::Nil | Reply::NilArray => out.push_str("(nil)"),
        Reply::Double(d) => {
            out.push_str("(double) ");
            out.push_str(&format_g17(*d));
        }
        Reply::DoubleText(text) => {
            out.push_str("(double) ");
            out.push_str(text);
        }
        Reply::Bool(b) => out.push_str(if *b { "(true)" } else { "(false)" }),
        Reply::BigNumber(digits) => {
            out.push_str("(big number) ");
            out.push_str(digits);
        }
        // redis-cli prints each reply it reads in turn.
        Reply::Frames(frames) => {
            for frame in frames {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                write_reply(out, frame, prefix);
            }
        }
        Reply::Array(items) => write_aggregate(
            out,
            items.iter().map(Entry::One),
            ')',
            "(empty array)",
            prefix,
        ),
        Reply::Set(items) => write_aggregate(
            out,
            items.iter().map(Entry::One),
            '~',
            "(empty set)",
            prefix,
        ),
        Reply::Push(items) => write_aggregate(
            out,
            items.iter().map(Entry::One),
            ')',
            "(empty push)",
            prefix,
        ),
        Reply::Map(pairs) => write_aggregate(
            out,
            pairs.iter().map(|(k, v)| Entry::Pair(k, v)),
            '#',
            "(empty hash)",
            prefix,
        ),
    }
    // Every element ends in a newline; nested aggregates already wrote theirs.
    if !out.ends_with('\n') {
        out.push('\n');
    }
}

enum Entry<'a> {
    One(&'a Reply),
    Pair(&'a Reply, &'a Reply),
}

/// Numbered lines `1) ...`, indices right-aligned to the widest one, nested
/// aggregates indented under their index as redis-cli does.
fn write_aggregate<'a>(
    out: &mut String,
    entries: impl ExactSizeIterator<Item = Entry<'a>>,
    separator: char,
    empty: &str,
    prefix: &str,
) {
    let count = entries.len();
    if count == 0 {
        out.push_str(empty);
        return;
    }
    let width = count.to_string().len();
    let child_prefix = format!("{prefix}{}", " ".repeat(width + 2));
    for (i, entry) in entries.enumerate() {
        // The first index follows whatever the parent already printed.
        if i > 0 {
            out.push_str(prefix);
        }
        out.push_str(&format!("{:>width$}{separator} ", i + 1));
        match entry {
            Entry::One(item) => write_reply(out, item, &child_prefix),
            Entry::Pair(key, value) => {
                write_reply(out, key, &child_prefix);
                out.pop();
                out.push_str(" => ");
                write_reply(out, value, &child_prefix);
            }
        }
    }
}

/// Quotes bytes like Redis's `sdscatrepr`: printable ASCII as is, the usual
/// escapes, and `\xNN` for everything else.
pub fn quote_into(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn bulk(s: &str) -> Reply {
        Reply::Bulk(s.as_bytes().to_vec())
    }

    #[test]
    fn scalars() {
        assert_eq!(format(&Reply::ok()), "OK\n");
        assert_eq!(format(&Reply::Int(-3)), "(integer) -3\n");
        assert_eq!(format(&Reply::Nil), "(nil)\n");
        assert_eq!(
            format(&bulk("a\"b\n\x01é")),
            "\"a\\\"b\\n\\x01\\xc3\\xa9\"\n"
        );
        assert_eq!(format(&Reply::Error("ERR x".into())), "(error) ERR x\n");
        assert_eq!(format(&Reply::Double(1.5)), "(double) 1.5\n");
        assert_eq!(format(&Reply::Bool(true)), "(true)\n");
        assert_eq!(format(&Reply::Array(vec![])), "(empty array)\n");
    }

    #[test]
    fn nested_arrays_align_like_redis_cli() {
        let items: Vec<Reply> = (1..=10).map(|i| bulk(&i.to_string())).collect();
        let mut nested = items.clone();
        nested[1] = Reply::Array(vec![
            Reply::Int(1),
            Reply::Array(vec![bulk("x"), bulk("y")]),
        ]);
        let text = format(&Reply::Array(nested));
        let expected = concat!(
            " 1) \"1\"\n",
            " 2) 1) (integer) 1\n",
            "    2) 1) \"x\"\n",
            "       2) \"y\"\n",
            " 3) \"3\"\n",
            " 4) \"4\"\n",
            " 5) \"5\"\n",
            " 6) \"6\"\n",
            " 7) \"7\"\n",
            " 8) \"8\"\n",
            " 9) \"9\"\n",
            "10) \"10\"\n",
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn maps_use_hash_numbering_and_arrows() {
        let reply = Reply::Map(vec![
            (bulk("server"), bulk("redis")),
            (bulk("modules"), Reply::Array(vec![])),
        ]);
        assert_eq!(
            format(&reply),
            "1# \"server\" => \"redis\"\n2# \"modules\" => (empty array)\n"
        );
    }
}
