//! `cargo xtask record [SCRIPT...]`: runs conformance scripts against a real
//! redis-server and writes the `.expected` files the replay test compares
//! with. Re-run it whenever a script changes or grows. Scripts marked
//! `@oracle 7.4` go to Redis 7.4 (see `tools::redis_74`), the others to
//! Debian's 7.0; a script with `@startup` parameters gets a server of its
//! own started with them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use redsim_conformance::{
    parse_script, script_oracle, script_startup, scripts, write_expected, Record, Step,
};

use crate::redis::{RedisServer, RespClient};
use crate::tools;

/// The oracles' private ports.
const ORACLE_PORT: u16 = 6391;
const ORACLE_74_PORT: u16 = 6394;

pub fn run(only: &[String]) -> Result<(), String> {
    let mut paths: Vec<PathBuf> = scripts().map_err(|e| e.to_string())?;
    if !only.is_empty() {
        paths.retain(|p| {
            only.iter()
                .any(|name| p.to_string_lossy().contains(name.as_str()))
        });
    }
    let mut total = 0;
    for version in ["7.0", "7.4"] {
        let mine: Vec<(&PathBuf, Vec<(String, String)>)> = paths
            .iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(p).ok()?;
                (script_oracle(&text) == version).then(|| (p, script_startup(&text)))
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        if version == "7.0" {
            tools::ensure_apt(&[("redis-server", "redis-server")])?;
        }
        // Scripts with startup parameters get a server of their own,
        // started with them; the others share one.
        let start = |startup: &[(String, String)]| -> Result<RedisServer, String> {
            let (mut command, port) = match version {
                "7.0" => (Command::new("redis-server"), ORACLE_PORT),
                _ => (tools::redis_74()?, ORACLE_74_PORT),
            };
            for (name, value) in startup {
                command.arg(format!("--{name}")).arg(value);
            }
            RedisServer::start_binary(command, port)
                .map_err(|e| format!("redis-server {version}: {e}"))
        };
        let (shared, own): (Vec<_>, Vec<_>) = mine
            .into_iter()
            .partition(|(_, startup)| startup.is_empty());
        if !shared.is_empty() {
            let server = start(&[])?;
            for (path, _) in shared {
                total += record_script(&server, path)?;
            }
        }
        for (path, startup) in own {
            total += record_script(&start(&startup)?, path)?;
        }
    }
    println!("recorded {total} lines");
    Ok(())
}

/// How long every connection must stay silent before a line's frames are
/// taken as complete. Redis writes a command's reply and the messages it
/// published to other clients in the same event-loop pass, so a short
/// quiet period suffices; a long one would add up and change what
/// time-sensitive scripts (keys with short TTLs) see.
const QUIET: Duration = Duration::from_millis(15);
/// How long to wait for the line's own client to receive anything at all;
/// past it the line is recorded as sending nothing back (CLIENT REPLY OFF,
/// a client that blocks).
const FIRST_FRAME: Duration = Duration::from_secs(1);

fn record_script(server: &RedisServer, path: &PathBuf) -> Result<usize, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let steps = parse_script(&name, &text).map_err(|e| e.to_string())?;
    let mut admin = server.connect().map_err(|e| e.to_string())?;
    // Every script starts from an empty server with notifications off, as
    // the replay starts from a fresh engine.
    for command in [
        &["FLUSHALL"][..],
        &["CONFIG", "SET", "notify-keyspace-events", ""],
    ] {
        let argv: Vec<Vec<u8>> = command.iter().map(|a| a.as_bytes().to_vec()).collect();
        admin.call(&argv).map_err(|e| e.to_string())?;
    }
    // One connection per client name, opened when first used.
    let mut clients: BTreeMap<String, RespClient> = BTreeMap::new();
    let mut records = Vec::new();
    for step in &steps {
        match step {
            // What arrives meanwhile is read after the next line.
            Step::Sleep(ms) => thread::sleep(Duration::from_millis(*ms)),
            Step::Command {
                client, argv, line, ..
            } => {
                let at = |e: std::io::Error| format!("{name}: {line}: {e}");
                if !clients.contains_key(client) {
                    clients.insert(client.clone(), server.connect().map_err(at)?);
                }
                if let Some(connection) = clients.get_mut(client) {
                    connection.send(argv).map_err(at)?;
                }
                let mut received = collect(&mut clients, client).map_err(at)?;
                // A closed connection is opened anew if its name is used again.
                clients.retain(|_, connection| !connection.closed);
                records.push(Record {
                    client: client.clone(),
                    line: line.clone(),
                    own: received.remove(client).unwrap_or_default(),
                    others: received
                        .into_iter()
                        .flat_map(|(other, frames)| {
                            frames.into_iter().map(move |f| (other.clone(), f))
                        })
                        .collect(),
                });
            }
        }
    }
    std::fs::write(path.with_extension("expected"), write_expected(&records))
        .map_err(|e| format!("{name}: {e}"))?;
    println!("recorded {name} ({} lines)", records.len());
    Ok(records.len())
}

/// Reads from every connection until `line_client` has received something
/// (or `FIRST_FRAME` passed) and then nothing new arrived for `QUIET`:
/// each client's frames, in arrival order.
fn collect(
    clients: &mut BTreeMap<String, RespClient>,
    line_client: &str,
) -> std::io::Result<BTreeMap<String, Vec<Vec<u8>>>> {
    let start = Instant::now();
    let mut last_arrival = start;
    let mut received: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    loop {
        for (name, connection) in clients.iter_mut() {
            let (frames, arrived) = connection.poll()?;
            if arrived {
                last_arrival = Instant::now();
            }
            if !frames.is_empty() {
                received.entry(name.clone()).or_default().extend(frames);
            }
        }
        let answered = received.contains_key(line_client) || start.elapsed() >= FIRST_FRAME;
        if answered && last_arrival.elapsed() >= QUIET {
            return Ok(received);
        }
        thread::sleep(Duration::from_millis(1));
    }
}
