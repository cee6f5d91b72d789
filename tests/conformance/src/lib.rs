//! The conformance corpus: scripts of redis-cli lines in `cases/*.redis`,
//! and beside each a `.expected` file with the exact RESP bytes real Redis
//! answered, written by `cargo xtask record`. The replay test runs the same
//! lines against the engine and compares byte for byte.
//!
//! Script lines:
//! - `SET k v`: a command, quoted as in redis-cli; its reply is compared.
//! - `~ HELLO 3`: run, but the reply is not compared (it names a client id).
//! - `@docs COMMAND DOCS get`: compared with our own prose masked (summary,
//!   complexity, replaced_by and history notes are in our words, the rest is fact).
//! - `@sorted KEYS *`: compared with every array's elements sorted, for
//!   replies whose order Redis leaves unspecified.
//! - `@sleep 1100`: time passes (really when recording, virtually in replay).
//! - `@oracle 7.4`: record this script against Redis 7.4 (for features
//!   Redis 7.0 lacks, such as hash field TTLs) instead of Debian's 7.0.
//! - `# ...` and blank lines are comments.
//!
//! Each script runs on a fresh connection against an empty server.

use std::path::{Path, PathBuf};

use redsim_engine::line::split_args;
use redsim_engine::resp::parse_reply;
use redsim_engine::Reply;

/// How a command's reply is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Exact,
    /// Compared after `mask_prose`.
    Docs,
    /// Compared after `sort_arrays`: for replies whose order Redis leaves
    /// unspecified (KEYS, SCAN, SMEMBERS of a hashtable set).
    Sorted,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Command {
        line: String,
        argv: Vec<Vec<u8>>,
        check: Check,
    },
    Sleep(u64),
}

/// A parse failure with the file and line it comes from.
#[derive(Debug)]
pub struct CaseError(pub String);

impl std::fmt::Display for CaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads a script into steps.
pub fn parse_script(name: &str, text: &str) -> Result<Vec<Step>, CaseError> {
    let mut steps = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = || format!("{name}:{}", n + 1);
        if line.is_empty() || line.starts_with('#') || line.starts_with("@oracle ") {
            continue;
        }
        if let Some(ms) = line.strip_prefix("@sleep ") {
            let ms = ms
                .trim()
                .parse()
                .map_err(|_| CaseError(format!("{}: bad @sleep", at())))?;
            steps.push(Step::Sleep(ms));
            continue;
        }
        let (check, command) = if let Some(rest) = line.strip_prefix("~ ") {
            (Check::Skip, rest)
        } else if let Some(rest) = line.strip_prefix("@docs ") {
            (Check::Docs, rest)
        } else if let Some(rest) = line.strip_prefix("@sorted ") {
            (Check::Sorted, rest)
        } else if line.starts_with('@') {
            return Err(CaseError(format!("{}: unknown directive {line}", at())));
        } else {
            (Check::Exact, line)
        };
        let argv = split_args(command.as_bytes())
            .filter(|a| !a.is_empty())
            .ok_or_else(|| CaseError(format!("{}: cannot split {command:?}", at())))?;
        steps.push(Step::Command {
            line: command.to_string(),
            argv,
            check,
        });
    }
    Ok(steps)
}

/// The Redis version a script is recorded against (`@oracle`), 7.0 by default.
pub fn script_oracle(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("@oracle "))
        .map_or("7.0", str::trim)
}

/// The expected file: one `> command` line and one `< reply` line per command.
pub fn write_expected(steps: &[Step], replies: &[Vec<u8>]) -> String {
    let mut out =
        String::from("# Recorded from redis-server by `cargo xtask record`. Do not edit.\n");
    let mut replies = replies.iter();
    for step in steps {
        if let Step::Command { line, .. } = step {
            out.push_str(&format!("> {line}\n"));
            out.push_str(&format!(
                "< {}\n",
                escape(replies.next().map_or(&[][..], Vec::as_slice))
            ));
        }
    }
    out
}

/// Reads an expected file back into (command line, reply bytes) pairs.
pub fn read_expected(text: &str) -> Result<Vec<(String, Vec<u8>)>, CaseError> {
    let mut pairs = Vec::new();
    let mut pending: Option<String> = None;
    for line in text.lines() {
        if let Some(command) = line.strip_prefix("> ") {
            pending = Some(command.to_string());
        } else if let Some(reply) = line.strip_prefix("< ") {
            let command = pending
                .take()
                .ok_or_else(|| CaseError("reply without command".into()))?;
            pairs.push((command, unescape(reply)?));
        }
    }
    Ok(pairs)
}

/// Printable ASCII stays, `\` `\r` `\n` and other bytes are escaped.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

pub fn unescape(text: &str) -> Result<Vec<u8>, CaseError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'\\') => out.push(b'\\'),
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(b'x') => {
                let hex = text
                    .get(i + 2..i + 4)
                    .ok_or_else(|| CaseError("bad \\x".into()))?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| CaseError("bad \\x".into()))?);
                i += 2;
            }
            _ => return Err(CaseError(format!("bad escape in {text:?}"))),
        }
        i += 2;
    }
    Ok(out)
}

/// Blanks what COMMAND DOCS says in prose (summaries, complexity notes,
/// history notes), keeping every fact, in RESP2 and RESP3 shapes alike.
pub fn mask_prose(reply: Reply) -> Reply {
    match reply {
        Reply::Map(pairs) => Reply::Map(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let v = mask_field(&k, v);
                    (k, v)
                })
                .collect(),
        ),
        Reply::Array(items) => {
            // In RESP2 a map arrives as a flat array of key, value pairs.
            let mut out = Vec::with_capacity(items.len());
            let mut iter = items.into_iter().peekable();
            while let Some(item) = iter.next() {
                let is_prose_key = prose_key(&item);
                out.push(mask_prose(item));
                if is_prose_key {
                    if let Some(value) = iter.next() {
                        let key = out.last().cloned().unwrap_or(Reply::Nil);
                        out.push(mask_field(&key, value));
                    }
                }
            }
            Reply::Array(out)
        }
        Reply::Set(items) => Reply::Set(items.into_iter().map(mask_prose).collect()),
        other => other,
    }
}

/// Keys whose values are our own words rather than Redis's facts.
const PROSE_KEYS: &[&[u8]] = &[b"summary", b"complexity", b"replaced_by"];

fn prose_key(key: &Reply) -> bool {
    matches!(key, Reply::Bulk(k) if PROSE_KEYS.contains(&k.as_slice()) || k == b"history")
}

fn mask_field(key: &Reply, value: Reply) -> Reply {
    match key {
        Reply::Bulk(k) if PROSE_KEYS.contains(&k.as_slice()) => Reply::Bulk(Vec::new()),
        Reply::Bulk(k) if k == b"history" => match value {
            Reply::Set(entries) | Reply::Array(entries) => Reply::Array(
                entries
                    .into_iter()
                    .map(|entry| match entry {
                        Reply::Array(mut fields) => {
                            fields.truncate(1);
                            Reply::Array(fields)
                        }
                        other => other,
                    })
                    .collect(),
            ),
            other => other,
        },
        _ => mask_prose(value),
    }
}

/// Sorts the elements of every array (recursively) by their RESP bytes.
pub fn sort_arrays(reply: Reply) -> Reply {
    match reply {
        Reply::Array(items) | Reply::Set(items) => {
            let mut items: Vec<Reply> = items.into_iter().map(sort_arrays).collect();
            items.sort_by_cached_key(|item| {
                let mut bytes = Vec::new();
                redsim_engine::resp::encode(item, redsim_engine::Protocol::Resp3, &mut bytes);
                bytes
            });
            Reply::Array(items)
        }
        other => other,
    }
}

/// Parses one whole reply from bytes, for masking or sorting.
pub fn parse_whole(bytes: &[u8]) -> Option<Reply> {
    match parse_reply(bytes) {
        Ok(Some((reply, used))) if used == bytes.len() => Some(reply),
        _ => None,
    }
}

/// The corpus folder.
pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// Every script in the corpus, sorted by name.
pub fn scripts() -> std::io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(cases_dir())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "redis"))
        .collect();
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(unescape(&escape(&bytes)).unwrap(), bytes);
        assert_eq!(escape(b"+OK\r\n"), "+OK\\r\\n");
    }

    #[test]
    fn scripts_parse_directives() {
        let steps = parse_script(
            "t",
            "# c\n\nSET k \"a b\"\n~ HELLO 3\n@docs COMMAND DOCS get\n@sleep 5\n",
        )
        .unwrap();
        assert_eq!(steps.len(), 4);
        assert!(
            matches!(&steps[0], Step::Command { argv, check: Check::Exact, .. } if argv[2] == b"a b")
        );
        assert!(matches!(
            &steps[1],
            Step::Command {
                check: Check::Skip,
                ..
            }
        ));
        assert!(matches!(
            &steps[2],
            Step::Command {
                check: Check::Docs,
                ..
            }
        ));
        assert_eq!(steps[3], Step::Sleep(5));
        assert!(parse_script("t", "@bogus").is_err());
        assert!(parse_script("t", "SET \"unbalanced").is_err());
    }

    #[test]
    fn prose_is_masked_but_facts_stay() {
        let reply = Reply::Map(vec![(
            Reply::bulk(b"get"),
            Reply::Map(vec![
                (Reply::bulk(b"summary"), Reply::bulk(b"words")),
                (Reply::bulk(b"since"), Reply::bulk(b"1.0.0")),
                (
                    Reply::bulk(b"history"),
                    Reply::Set(vec![Reply::Array(vec![
                        Reply::bulk(b"2.0"),
                        Reply::bulk(b"note"),
                    ])]),
                ),
            ]),
        )]);
        let masked = mask_prose(reply.clone());
        assert_ne!(masked, reply);
        let flat = mask_prose(reply.into_resp2());
        assert_eq!(flat, masked.into_resp2());
    }
}
