//! `cargo xtask record [SCRIPT...]`: runs conformance scripts against a real
//! redis-server and writes the `.expected` files the replay test compares
//! with. Re-run it whenever a script changes or grows. Scripts marked
//! `@oracle 7.4` go to Redis 7.4 (see `tools::redis_74`), the others to
//! Debian's 7.0.

use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use redsim_conformance::{parse_script, script_oracle, scripts, write_expected, Step};

use crate::redis::RedisServer;
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
        let mine: Vec<&PathBuf> = paths
            .iter()
            .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| script_oracle(&t) == version))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let server = match version {
            "7.0" => {
                tools::ensure_apt(&[("redis-server", "redis-server")])?;
                RedisServer::start(ORACLE_PORT)
            }
            _ => RedisServer::start_binary(tools::redis_74()?, ORACLE_74_PORT),
        }
        .map_err(|e| format!("redis-server {version}: {e}"))?;
        for path in mine {
            total += record_script(&server, path)?;
        }
    }
    println!("recorded {total} replies");
    Ok(())
}

fn record_script(server: &RedisServer, path: &PathBuf) -> Result<usize, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let steps = parse_script(&name, &text).map_err(|e| e.to_string())?;
    let mut admin = server.connect().map_err(|e| e.to_string())?;
    admin
        .call(&[b"FLUSHALL".to_vec()])
        .map_err(|e| e.to_string())?;
    let mut client = server.connect().map_err(|e| e.to_string())?;
    let mut replies = Vec::new();
    for step in &steps {
        match step {
            Step::Sleep(ms) => thread::sleep(Duration::from_millis(*ms)),
            Step::Command { argv, line, .. } => {
                let reply = client
                    .call(argv)
                    .map_err(|e| format!("{name}: {line}: {e}"))?;
                replies.push(reply);
            }
        }
    }
    std::fs::write(
        path.with_extension("expected"),
        write_expected(&steps, &replies),
    )
    .map_err(|e| format!("{name}: {e}"))?;
    println!("recorded {name} ({} replies)", replies.len());
    Ok(replies.len())
}
