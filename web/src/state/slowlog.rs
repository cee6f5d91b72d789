//! The slow-log view's rows: SLOWLOG GET's entries (id, time, duration,
//! command, client), read from the engine without running a command, so
//! looking does not itself show up in the log or the statistics.

use redsim_engine::reply::cli;
use redsim_engine::slowlog::Entry;

#[derive(Debug, Clone, PartialEq)]
pub struct SlowRow {
    pub id: u64,
    /// Unix seconds when the command ran.
    pub time_s: i64,
    pub duration_us: u64,
    /// The arguments as typed into redis-cli: quoted where they need it.
    pub command: String,
    /// The client's address, and its name if it has one.
    pub client: String,
}

impl SlowRow {
    pub fn from_entry(entry: &Entry) -> SlowRow {
        let command = entry
            .args
            .iter()
            .map(|arg| typed_form(arg))
            .collect::<Vec<_>>()
            .join(" ");
        let client = if entry.client_name.is_empty() {
            entry.client_addr.clone()
        } else {
            format!(
                "{} ({})",
                entry.client_addr,
                String::from_utf8_lossy(&entry.client_name)
            )
        };
        SlowRow {
            id: entry.id,
            time_s: entry.time_s,
            duration_us: entry.duration_us,
            command,
            client,
        }
    }
}

/// An argument as one would type it: bare if that reads back the same,
/// else in redis-cli's double quotes with escapes.
fn typed_form(arg: &[u8]) -> String {
    let bare = !arg.is_empty()
        && arg
            .iter()
            .all(|&b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\'));
    if bare {
        String::from_utf8_lossy(arg).into_owned()
    } else {
        let mut quoted = String::new();
        cli::quote_into(&mut quoted, arg);
        quoted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redsim_engine::reply::cli::run_line;
    use redsim_engine::{Config, Engine};

    #[test]
    fn rows_show_the_newest_first_with_typed_arguments() {
        let mut e = Engine::new(Config {
            now_ms: 1_700_000_000_000,
            ..Config::default()
        });
        e.set_config("slowlog-log-slower-than", "0").unwrap();
        let c = e.connect();
        run_line(&mut e, c, "CLIENT SETNAME alice");
        run_line(&mut e, c, "SET \"a key\" \"x\\ny\"");
        let rows: Vec<SlowRow> = e.slow_log().map(SlowRow::from_entry).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, 1);
        assert_eq!(rows[0].time_s, 1_700_000_000);
        assert_eq!(rows[0].command, "SET \"a key\" \"x\\ny\"");
        assert!(rows[0].client.ends_with(" (alice)"), "{}", rows[0].client);
        assert_eq!(rows[1].command, "CLIENT SETNAME alice");
        assert_eq!(typed_form(b""), "\"\"");
    }
}
