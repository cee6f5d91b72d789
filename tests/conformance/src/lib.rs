//! The conformance corpus: scripts of redis-cli lines in `cases/*.redis`,
//! and beside each a `.expected` file with the exact RESP bytes real Redis
//! sent, written by `cargo xtask record`. The replay test runs the same
//! lines against the engine and compares byte for byte.
//!
//! Script lines:
//! - `SET k v`: a command, quoted as in redis-cli; its reply is compared.
//! - `[b] PUBLISH ch hi`: the same, sent by client `b`. Each name is its own
//!   connection, opened when first used; unnamed lines belong to client `a`.
//! - `~ HELLO 3`: run, but the line's own frames are not compared (they
//!   name a client id); what other clients receive still is.
//! - `@docs COMMAND DOCS get`: compared with our own prose masked (summary,
//!   complexity, replaced_by and history notes are in our words, the rest is fact).
//! - `@sorted KEYS *`: compared with every array's elements sorted, and each
//!   client's frames sorted, for what Redis sends in an unspecified order
//!   (KEYS, SMEMBERS of a hashtable set, keys expired in one sweep).
//! - `@libm ZRANGE d 0 -1 WITHSCORES`: compared exactly natively, skipped
//!   on wasm32, where sin/cos/asin may differ from glibc's in the last
//!   digit (full-precision GEO distances).
//! - `@fields rdb_saves,loading INFO persistence`: only the named
//!   `name:value` lines of the INFO text are compared, for sections that
//!   also hold times and sizes.
//! - `@changed LASTSAVE`: the reply is not compared with Redis's (a time);
//!   it must differ from what the same client got for the same line the
//!   last time, as Redis's did, and be the same kind of frame.
//! - `@sleep 1100`: time passes (really when recording, virtually in replay).
//! - `@oracle 7.4`: record this script against Redis 7.4 (for features
//!   Redis 7.0 lacks, such as hash field TTLs) instead of Debian's 7.0.
//! - `@startup enable-debug-command yes`: a parameter only a config file
//!   sets: the recorder starts a server of this script's own with it, the
//!   replay gives it to `Engine::configure`.
//! - `# ...` and blank lines are comments.
//!
//! Directives come first, then the client: `~ [b] HELLO 3`.
//!
//! Each script runs against an empty server. After each line every frame
//! any client received is recorded: the line's own client's frames (its
//! replies, and pushes that reached it first) and, separately, each other
//! client's (pub/sub messages, keyspace events). Frames that arrive during
//! an `@sleep` (keys expiring) are recorded with the next line.
//!
//! In a `.expected` file a line reads `> [b] PUBLISH ch hi` (no tag for
//! client `a`), followed by one `< frame` per frame of its own client and
//! one `< [name] frame` per frame another client received, grouped by
//! client name and in arrival order within a client. A single-client
//! script therefore reads as plain `> command` / `< reply` pairs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use redsim_engine::line::split_args;
use redsim_engine::resp::{encode, parse_reply};
use redsim_engine::{ClientId, Config, Engine, Reply};

/// The client of lines that name none.
pub const DEFAULT_CLIENT: &str = "a";

/// How a command's reply is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Exact,
    /// Compared after `mask_prose`.
    Docs,
    /// Compared after `sort_arrays`, each client's frames sorted too: for
    /// replies whose order Redis leaves unspecified (KEYS, SCAN, SMEMBERS
    /// of a hashtable set, several keys expiring in one sweep).
    Sorted,
    /// The line's own frames are not compared.
    Skip,
    /// Exact natively; not compared on wasm32, whose sin/cos/asin (musl's,
    /// in Rust's std) may round the last digit differently from glibc's,
    /// which Redis uses: for full-precision distances (STOREDIST scores).
    Libm,
    /// Only these `name:value` lines of an INFO reply are compared.
    Fields(Vec<String>),
    /// Compared by `replay` with the line's previous answer, not with the
    /// recording: it must have changed, as Redis's did (a time).
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Command {
        /// Which connection sends the line.
        client: String,
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

/// What one script line produced: the frames its own client received and
/// those every other client received meanwhile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub client: String,
    pub line: String,
    /// The line's client's frames, in arrival order.
    pub own: Vec<Vec<u8>>,
    /// Other clients' frames: grouped by client name (sorted), in arrival
    /// order within each client.
    pub others: Vec<(String, Vec<u8>)>,
}

impl Record {
    /// Whether `got` (the engine's) matches `self` (Redis's) under `check`.
    /// For `Changed` only other clients' frames are compared here.
    pub fn matches(&self, got: &Record, check: &Check) -> bool {
        let own = match check {
            Check::Skip | Check::Changed => true,
            Check::Libm if cfg!(target_arch = "wasm32") => true,
            Check::Exact | Check::Libm => self.own == got.own,
            Check::Docs => same_after(&self.own, &got.own, mask_prose, false),
            Check::Sorted => same_after(&self.own, &got.own, sort_arrays, true),
            Check::Fields(names) => {
                self.own.len() == got.own.len()
                    && self.own.iter().zip(&got.own).all(|(want, have)| {
                        let want = info_fields(want, names);
                        want.is_some() && want == info_fields(have, names)
                    })
            }
        };
        let others = if *check == Check::Sorted {
            let split = |r: &Record| -> Vec<(String, Vec<Vec<u8>>)> {
                let mut by_client: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
                for (name, frame) in &r.others {
                    match by_client.last_mut() {
                        Some((last, frames)) if last == name => frames.push(frame.clone()),
                        _ => by_client.push((name.clone(), vec![frame.clone()])),
                    }
                }
                by_client
            };
            let (want, have) = (split(self), split(got));
            want.len() == have.len()
                && want
                    .iter()
                    .zip(&have)
                    .all(|((wn, wf), (hn, hf))| wn == hn && same_after(wf, hf, sort_arrays, true))
        } else {
            self.others == got.others
        };
        own && others
    }

    /// Every frame as escaped text, for failure messages.
    pub fn describe(&self) -> String {
        let own = self.own.iter().map(|f| escape(f));
        let others = self
            .others
            .iter()
            .map(|(name, f)| format!("[{name}] {}", escape(f)));
        let all: Vec<String> = own.chain(others).collect();
        if all.is_empty() {
            "(nothing)".to_string()
        } else {
            all.join("\n     ")
        }
    }
}

/// Whether two frame lists agree once each frame is parsed and normalized
/// by `normal` (and the lists sorted, with `sort`). A frame that does not
/// parse as one whole reply never matches.
fn same_after(want: &[Vec<u8>], got: &[Vec<u8>], normal: fn(Reply) -> Reply, sort: bool) -> bool {
    let norm = |frames: &[Vec<u8>]| -> Option<Vec<Vec<u8>>> {
        let mut out = frames
            .iter()
            .map(|f| {
                let mut bytes = Vec::new();
                let reply = normal(parse_whole(f)?);
                redsim_engine::resp::encode(&reply, redsim_engine::Protocol::Resp3, &mut bytes);
                Some(bytes)
            })
            .collect::<Option<Vec<_>>>()?;
        if sort {
            out.sort();
        }
        Some(out)
    };
    match (norm(want), norm(got)) {
        (Some(w), Some(g)) => w == g,
        _ => false,
    }
}

/// The values of `names` in an INFO reply's text, in that order; None if
/// the frame is not text or lacks one of them.
fn info_fields(frame: &[u8], names: &[String]) -> Option<Vec<String>> {
    let text = match parse_whole(frame)? {
        Reply::Bulk(bytes) | Reply::Verbatim(_, bytes) => String::from_utf8(bytes).ok()?,
        _ => return None,
    };
    names
        .iter()
        .map(|name| {
            text.lines().find_map(|line| {
                let (field, value) = line.split_once(':')?;
                (field == name).then(|| value.trim_end().to_string())
            })
        })
        .collect()
}

/// Whether a `Changed` line passes: Redis's answer and ours each differ
/// from the same line's previous one (`before`: Redis's record, ours), and
/// they are the same kinds of frame.
fn changed(before: Option<&(Record, Record)>, want: &Record, got: &Record) -> bool {
    let kinds = |frames: &[Vec<u8>]| -> Vec<Option<u8>> {
        frames.iter().map(|f| f.first().copied()).collect()
    };
    before.is_some_and(|(redis_before, ours_before)| {
        want.own != redis_before.own
            && got.own != ours_before.own
            && kinds(&want.own) == kinds(&got.own)
    })
}

/// Reads a script into steps.
pub fn parse_script(name: &str, text: &str) -> Result<Vec<Step>, CaseError> {
    let mut steps = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = || format!("{name}:{}", n + 1);
        if line.is_empty()
            || line.starts_with('#')
            || line.starts_with("@oracle ")
            || line.starts_with("@startup ")
        {
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
        let (check, rest) = if let Some(rest) = line.strip_prefix("~ ") {
            (Check::Skip, rest)
        } else if let Some(rest) = line.strip_prefix("@docs ") {
            (Check::Docs, rest)
        } else if let Some(rest) = line.strip_prefix("@sorted ") {
            (Check::Sorted, rest)
        } else if let Some(rest) = line.strip_prefix("@libm ") {
            (Check::Libm, rest)
        } else if let Some(rest) = line.strip_prefix("@changed ") {
            (Check::Changed, rest)
        } else if let Some(rest) = line.strip_prefix("@fields ") {
            let (names, rest) = rest
                .trim_start()
                .split_once(' ')
                .ok_or_else(|| CaseError(format!("{}: @fields without a command", at())))?;
            let names = names.split(',').map(str::to_string).collect();
            (Check::Fields(names), rest)
        } else if line.starts_with('@') {
            return Err(CaseError(format!("{}: unknown directive {line}", at())));
        } else {
            (Check::Exact, line)
        };
        let (client, command) = split_client(rest)
            .ok_or_else(|| CaseError(format!("{}: bad client name in {rest:?}", at())))?;
        let argv = split_args(command.as_bytes())
            .filter(|a| !a.is_empty())
            .ok_or_else(|| CaseError(format!("{}: cannot split {command:?}", at())))?;
        steps.push(Step::Command {
            client: client.to_string(),
            line: command.to_string(),
            argv,
            check,
        });
    }
    Ok(steps)
}

/// Splits a leading `[name] ` client tag off a line: the client (`a` when
/// there is no tag) and the command. None for a malformed tag.
fn split_client(line: &str) -> Option<(&str, &str)> {
    let Some(tagged) = line.strip_prefix('[') else {
        return Some((DEFAULT_CLIENT, line));
    };
    let (name, command) = tagged.split_once(']')?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then(|| (name, command.trim_start()))
}

/// The Redis version a script is recorded against (`@oracle`), 7.0 by default.
pub fn script_oracle(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("@oracle "))
        .map_or("7.0", str::trim)
}

/// The parameters a script sets at startup (`@startup NAME VALUE`), in
/// order: what the recorder passes to redis-server as `--NAME VALUE`.
pub fn script_startup(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("@startup "))
        .map(|setting| {
            let (name, value) = setting.trim().split_once(' ').unwrap_or((setting, ""));
            (name.trim().to_string(), value.trim().to_string())
        })
        .collect()
}

/// The expected file: per line, `> [client] command`, then its client's
/// frames (`< frame`) and other clients' (`< [name] frame`).
pub fn write_expected(records: &[Record]) -> String {
    let mut out =
        String::from("# Recorded from redis-server by `cargo xtask record`. Do not edit.\n");
    for record in records {
        out.push_str(&format!("> {}{}\n", tag(&record.client), record.line));
        for frame in &record.own {
            out.push_str(&format!("< {}\n", escape(frame)));
        }
        for (name, frame) in &record.others {
            out.push_str(&format!("< [{name}] {}\n", escape(frame)));
        }
    }
    out
}

/// `[name] ` for a named client, nothing for the default one.
fn tag(client: &str) -> String {
    if client == DEFAULT_CLIENT {
        String::new()
    } else {
        format!("[{client}] ")
    }
}

/// Reads an expected file back into records.
pub fn read_expected(text: &str) -> Result<Vec<Record>, CaseError> {
    let mut records: Vec<Record> = Vec::new();
    for line in text.lines() {
        if let Some(command) = line.strip_prefix("> ") {
            let (client, command) = split_client(command)
                .ok_or_else(|| CaseError(format!("bad client in {line:?}")))?;
            records.push(Record {
                client: client.to_string(),
                line: command.to_string(),
                ..Record::default()
            });
        } else if let Some(frame) = line.strip_prefix("< ") {
            let record = records
                .last_mut()
                .ok_or_else(|| CaseError("reply without command".into()))?;
            // A frame's escaped text never starts with `[` followed by a
            // name and `] `: RESP frames start with a type byte.
            match frame.strip_prefix('[').and_then(|t| t.split_once("] ")) {
                Some((name, other)) => record.others.push((name.to_string(), unescape(other)?)),
                None => record.own.push(unescape(frame)?),
            }
        }
    }
    Ok(records)
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
            matches!(&steps[0], Step::Command { argv, check: Check::Exact, client, .. } if argv[2] == b"a b" && client == "a")
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
        assert!(parse_script("t", "[] PING").is_err());
        let named = parse_script("t", "~ [sub] PSUBSCRIBE * \n[b]PING").unwrap();
        assert!(
            matches!(&named[0], Step::Command { client, line, check: Check::Skip, .. }
            if client == "sub" && line == "PSUBSCRIBE *")
        );
        assert!(
            matches!(&named[1], Step::Command { client, line, .. } if client == "b" && line == "PING")
        );
        assert!(parse_script("t", "SET \"unbalanced").is_err());
    }

    #[test]
    fn expected_files_round_trip_with_several_clients() {
        let records = vec![
            Record {
                client: "a".into(),
                line: "SET k v".into(),
                own: vec![b"+OK\r\n".to_vec()],
                others: vec![("sub".into(), b"*3\r\n$1\r\nx\r\n".to_vec())],
            },
            Record {
                client: "b".into(),
                line: "CLIENT REPLY OFF".into(),
                ..Record::default()
            },
        ];
        let text = write_expected(&records);
        assert!(text.contains("> SET k v\n< +OK\\r\\n\n< [sub] *3"));
        assert!(text.contains("> [b] CLIENT REPLY OFF\n"));
        assert_eq!(read_expected(&text).unwrap(), records);
    }

    #[test]
    fn sorted_check_ignores_the_order_of_each_clients_frames() {
        let frame = |s: &str| format!("*1\r\n${}\r\n{s}\r\n", s.len()).into_bytes();
        let record = |first: &str, second: &str| Record {
            others: vec![("s".into(), frame(first)), ("s".into(), frame(second))],
            ..Record::default()
        };
        let (want, got) = (record("x", "y"), record("y", "x"));
        assert!(!want.matches(&got, &Check::Exact));
        assert!(want.matches(&got, &Check::Sorted));
        assert!(want.matches(&got, &Check::Skip) == want.matches(&got, &Check::Exact));
    }

    #[test]
    fn fields_changed_and_startup_directives() {
        let script = "@startup enable-debug-command yes\n@fields a,b INFO x\n@changed LASTSAVE\n";
        assert_eq!(
            script_startup(script),
            vec![("enable-debug-command".to_string(), "yes".to_string())]
        );
        let steps = parse_script("t", script).unwrap();
        assert!(
            matches!(&steps[0], Step::Command { line, check: Check::Fields(names), .. }
            if line == "INFO x" && names == &["a", "b"])
        );
        assert!(
            matches!(&steps[1], Step::Command { line, check: Check::Changed, .. }
            if line == "LASTSAVE")
        );
        assert!(parse_script("t", "@fields a,b").is_err());

        let info = |text: &str| Record {
            own: vec![format!("${}\r\n{text}\r\n", text.len()).into_bytes()],
            ..Record::default()
        };
        let fields = Check::Fields(vec!["a".into(), "b".into()]);
        let want = info("# S\r\na:1\r\nb:2\r\ntime:5");
        assert!(want.matches(&info("# S\r\ntime:9\r\nb:2\r\na:1"), &fields));
        assert!(!want.matches(&info("# S\r\na:1\r\nb:3"), &fields));
        assert!(!want.matches(&info("# S\r\na:1"), &fields), "b is missing");

        let int = |n: i64| Record {
            own: vec![format!(":{n}\r\n").into_bytes()],
            ..Record::default()
        };
        let before = (int(10), int(20));
        assert!(changed(Some(&before), &int(11), &int(21)));
        assert!(
            !changed(Some(&before), &int(10), &int(21)),
            "Redis's did not change"
        );
        assert!(
            !changed(Some(&before), &int(11), &int(20)),
            "ours did not change"
        );
        assert!(
            !changed(None, &int(11), &int(21)),
            "nothing to compare with"
        );
        assert!(
            !changed(Some(&before), &int(11), &info("x")),
            "another kind of frame"
        );
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

/// Each frame in RESP as `client` (whose protocol may have changed) reads it.
fn encoded(engine: &Engine, client: ClientId, frames: Vec<Reply>) -> Vec<Vec<u8>> {
    frames
        .into_iter()
        .map(|frame| {
            let mut bytes = Vec::new();
            encode(&frame, engine.protocol(client), &mut bytes);
            bytes
        })
        .collect()
}

/// What replaying one script found: lines and frames compared, and a
/// description of each line whose replies differ from the recording.
#[derive(Debug, Default)]
pub struct ReplayOutcome {
    pub lines: usize,
    pub frames: usize,
    pub failures: Vec<String>,
}

/// Replays a script against a fresh engine whose clock starts at `now_ms`
/// and compares what each client receives with the recording. A script
/// or recording that cannot be read, or a stale recording, is an `Err`.
pub fn replay(
    name: &str,
    script: &str,
    expected: &str,
    now_ms: i64,
) -> Result<ReplayOutcome, String> {
    let steps = parse_script(name, script).map_err(|e| e.to_string())?;
    let expected = read_expected(expected).map_err(|e| format!("{name}: {e}"))?;
    let mut expected = expected.into_iter();
    let mut outcome = ReplayOutcome::default();
    let failures = &mut outcome.failures;
    let (mut compared, mut frames) = (0, 0);
    // Like the recorder: a fresh server per script, and a connection
    // per client name, opened when the name is first used.
    let mut engine = Engine::new(Config {
        now_ms,
        ..Config::default()
    });
    let startup = script_startup(script);
    let settings: Vec<(&str, &str)> = startup
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    engine
        .configure(&settings)
        .map_err(|e| format!("{name}: @startup: {e}"))?;
    let mut clients: BTreeMap<String, ClientId> = BTreeMap::new();
    // Each (client, line)'s last answers, Redis's and ours, for `@changed`.
    let mut answers: BTreeMap<(String, String), (Record, Record)> = BTreeMap::new();
    for step in steps {
        let (client, line, argv, check) = match step {
            Step::Sleep(ms) => {
                let now = engine.now() + i64::try_from(ms).unwrap_or(0);
                engine.tick(now);
                continue;
            }
            Step::Command {
                client,
                line,
                argv,
                check,
            } => (client, line, argv, check),
        };
        let Some(want) = expected.next() else {
            return Err(format!(
                "{name}: recording is shorter than the script; run `cargo xtask record`"
            ));
        };
        if (&client, &line) != (&want.client, &want.line) {
            return Err(format!(
                "{name}: recording is stale; run `cargo xtask record`"
            ));
        }
        let id = *clients
            .entry(client.clone())
            .or_insert_with(|| engine.connect());
        let reply = engine.execute(id, &argv);
        let own = encoded(&engine, id, reply.into_frames());
        let mut others = Vec::new();
        for (other, &other_id) in &clients {
            if *other != client {
                let output = engine.take_output(other_id);
                for frame in encoded(&engine, other_id, output) {
                    others.push((other.clone(), frame));
                }
            }
        }
        // As the recorder does, a connection the server closed (QUIT)
        // is opened anew if its name is used again.
        clients.retain(|_, &mut id| {
            let open = !engine.should_close(id);
            if !open {
                engine.disconnect(id);
            }
            open
        });
        let got = Record {
            client,
            line,
            own,
            others,
        };
        compared += 1;
        frames += want.own.len() + want.others.len();
        let previous = answers.insert(
            (got.client.clone(), got.line.clone()),
            (want.clone(), got.clone()),
        );
        let own_changed = check != Check::Changed || changed(previous.as_ref(), &want, &got);
        if !own_changed || !want.matches(&got, &check) {
            let tag = if got.client == DEFAULT_CLIENT {
                String::new()
            } else {
                format!("[{}] ", got.client)
            };
            failures.push(format!(
                "{name}: {tag}{}\n   redis: {}\n  redsim: {}",
                got.line,
                want.describe(),
                got.describe()
            ));
        }
    }
    if expected.next().is_some() {
        return Err(format!("{name}: recording is longer than the script"));
    }
    outcome.lines = compared;
    outcome.frames = frames;
    Ok(outcome)
}
