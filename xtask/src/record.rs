//! `cargo xtask record [SCRIPT...]`: runs conformance scripts against a real
//! redis-server and writes the `.expected` files the replay test compares
//! with. Re-run it whenever a script changes or grows.

use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use redsim_conformance::{parse_script, scripts, write_expected, Step};

use crate::redis::RedisServer;
use crate::tools;

/// The oracle's private port.
const ORACLE_PORT: u16 = 6391;

pub fn run(only: &[String]) -> Result<(), String> {
    tools::ensure_apt(&[("redis-server", "redis-server")])?;
    let server = RedisServer::start(ORACLE_PORT).map_err(|e| format!("redis-server: {e}"))?;
    let mut paths: Vec<PathBuf> = scripts().map_err(|e| e.to_string())?;
    if !only.is_empty() {
        paths.retain(|p| {
            only.iter()
                .any(|name| p.to_string_lossy().contains(name.as_str()))
        });
    }
    let mut total = 0;
    for path in &paths {
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
        total += replies.len();
        std::fs::write(
            path.with_extension("expected"),
            write_expected(&steps, &replies),
        )
        .map_err(|e| format!("{name}: {e}"))?;
        println!("recorded {name} ({} replies)", replies.len());
    }
    println!("recorded {total} replies from {} scripts", paths.len());
    Ok(())
}
