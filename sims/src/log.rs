//! What a simulation did, in order, for the playground to show: every
//! Redis command with its reply, every query to the simulated database, and
//! the notable moments (a lock not acquired, a crash). It is a `Recent`
//! buffer: drained by its reader, newest entries kept.

use redsim_engine::Reply;

/// Entries kept between two reads; older ones are dropped (and counted).
pub const LOG_CAPACITY: usize = 20_000;

/// Arguments and bulk replies are cut to this many bytes in the log: a
/// cached value may be kilobytes of padding, which nobody reads.
pub const SHOWN_BYTES: usize = 48;

/// One thing a simulation did.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// Virtual time, ms since the simulation started.
    pub at_ms: u64,
    /// Who did it: a request (`req 17`), a worker, a limiter.
    pub actor: String,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A command the real engine ran, and its reply (long strings cut).
    Redis { argv: Vec<String>, reply: Reply },
    /// A query to the simulated primary database.
    Db(String),
    /// Something that is neither: a request waiting, a crash.
    Note(String),
}

/// `bytes` as text, cut to `SHOWN_BYTES` with a note of what was left out.
pub fn shown(bytes: &[u8]) -> String {
    match bytes.get(..SHOWN_BYTES) {
        Some(head) if bytes.len() > SHOWN_BYTES => format!(
            "{}... ({} bytes)",
            String::from_utf8_lossy(head),
            bytes.len()
        ),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// `reply` with long bulk strings cut as `shown` cuts them.
pub fn shown_reply(reply: &Reply) -> Reply {
    let all = |items: &[Reply]| items.iter().map(shown_reply).collect();
    match reply {
        Reply::Bulk(bytes) if bytes.len() > SHOWN_BYTES => Reply::Bulk(shown(bytes).into_bytes()),
        Reply::Array(items) => Reply::Array(all(items)),
        Reply::Set(items) => Reply::Set(all(items)),
        Reply::Push(items) => Reply::Push(all(items)),
        Reply::Frames(items) => Reply::Frames(all(items)),
        Reply::Map(pairs) => Reply::Map(
            pairs
                .iter()
                .map(|(k, v)| (shown_reply(k), shown_reply(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut() {
        assert_eq!(shown(b"GET"), "GET");
        let long = vec![b'x'; 100];
        assert_eq!(shown(&long), format!("{}... (100 bytes)", "x".repeat(48)));
        let reply = Reply::Array(vec![Reply::Bulk(long), Reply::Int(1)]);
        let Reply::Array(items) = shown_reply(&reply) else {
            panic!("not an array");
        };
        assert_eq!(items[0], Reply::Bulk(shown(&[b'x'; 100]).into_bytes()));
        assert_eq!(items[1], Reply::Int(1));
    }
}
