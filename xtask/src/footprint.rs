//! The memory and snapshot figures of `cargo xtask bench` (issue 11; `bench
//! memory` prints only these): what `big`'s keys cost to hold and to
//! persist, redsim against redis-server. Only `big`'s SETs are loaded
//! (`workloads::write_big_load`): its GETs add no data.
//!
//! - Memory: after the load, each server's resident set (`VmRSS` in
//!   `/proc/PID/status`) and its own account (`used_memory` in `INFO
//!   memory`); and the engine in Node through the npm package
//!   (`bench/node-replay.mjs`), whose wasm linear memory is its whole heap.
//! - Snapshots: `SAVE` timed over the protocol on both servers, then
//!   redis-server restarted on its dump.rdb and timed until PING answers
//!   PONG instead of -LOADING. redsim-server hands SAVE's snapshot to no
//!   file and loads none at startup, so redsim's load is the engine's
//!   `load_snapshot` in process, and its file size that of the engine's
//!   snapshot of the same keys.
//!
//! Each run starts fresh servers (a server flushed and refilled keeps its
//! allocator's high-water mark); cells are medians with min–max, as in
//! `peers`, and the smoke run does it all once on `big`'s smoke scale.

use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use redsim_engine::{Config, Engine, Reply};

use crate::peers::{self, ratio, Samples, Setup};
use crate::redis::{RedisServer, RespClient};
use crate::workloads::{self, Files};

/// Loopback ports of this section's servers (`peers` uses 6418–6419).
const REDIS_PORT: u16 = 6420;
const REDSIM_PORT: u16 = 6421;

/// How long a restarted redis-server may take to load its dump.
const LOAD_DEADLINE: Duration = Duration::from_secs(120);

/// One figure for redsim and for redis-server over the runs: a table row.
#[derive(Default)]
struct Pair {
    ours: Samples,
    theirs: Samples,
}

impl Pair {
    fn push(&mut self, ours: f64, theirs: f64) {
        self.ours.0.push(ours);
        self.theirs.0.push(theirs);
    }

    /// `| measure | redsim | redis-server | redsim ÷ redis |`.
    fn row(&self, measure: &str, show: fn(f64) -> String) -> String {
        format!(
            "| {measure} | {} | {} | {} |\n",
            self.ours.cell_as(show),
            self.theirs.cell_as(show),
            ratio(&self.ours, &self.theirs)
        )
    }
}

/// Every row of both tables.
#[derive(Default)]
struct Figures {
    rss: Pair,
    used_memory: Pair,
    /// The engine in Node's wasm memory against redis-server's RSS.
    wasm_memory: Pair,
    /// The engine in Node's `used_memory` against redis-server's.
    node_used_memory: Pair,
    save: Pair,
    load: Pair,
    file_bytes: Pair,
}

/// Loads `big` into each contender, once per run; the markdown sections.
pub fn report(setup: &Setup) -> Result<String, String> {
    let plan = &setup.plan;
    let load = workloads::write_big_load(&workloads::dir(plan.smoke), plan.scale)?;
    let mut figures = Figures::default();
    for _ in 0..plan.runs {
        measure_run(&setup.server, &load, &mut figures)?;
    }
    let keys = load.commands;
    let mb = |bytes: f64| format!("{:.1} MB", bytes / 1e6);
    let ms = |seconds: f64| format!("{:.1} ms", seconds * 1e3);
    let bytes = |bytes: f64| format!("{bytes:.0}");
    let header = "| measure | redsim | redis-server | redsim ÷ redis |\n|---|---:|---:|---:|\n";
    let mut out = format!(
        "### Memory after loading `big` ({keys} SETs with `redis-cli --pipe`, or `db.command` in Node)\n\n{header}"
    );
    out.push_str(&figures.rss.row("redsim-server RSS (`VmRSS`)", mb));
    out.push_str(
        &figures
            .used_memory
            .row("redsim-server `used_memory` (`INFO memory`)", mb),
    );
    out.push_str(&figures.wasm_memory.row(
        "engine in Node: wasm `memory.buffer.byteLength`, vs redis-server RSS",
        mb,
    ));
    out.push_str(
        &figures
            .node_used_memory
            .row("engine in Node: `used_memory`, vs redis-server's", mb),
    );
    out.push_str(
        "\nredsim's `used_memory` is the engine's estimate of what Redis would count \
         (`engine/src/memory.rs`), not what its allocator holds; RSS is what the process holds. \
         The wasm memory is read after the replay through wasm-bindgen's `initSync`, which returns \
         the instance `npm/node.mjs` made; it only grows, so it is the peak.\n\n",
    );
    out.push_str(&format!("### Snapshots of `big` ({keys} keys)\n\n{header}"));
    out.push_str(&figures.save.row(
        "save: `SAVE` over the protocol (redsim-server: in memory, no file)",
        ms,
    ));
    out.push_str(&figures.load.row(
        "load: redsim engine in process (`load_snapshot`) vs redis-server restart until PONG",
        ms,
    ));
    out.push_str(&figures.file_bytes.row(
        "file bytes: the engine's snapshot vs redis-server's dump.rdb",
        bytes,
    ));
    out.push_str(
        "\nredsim-server cannot write its snapshot to a file nor load one at startup: its SAVE \
         serialises the dataset and keeps the bytes for a host that never collects them, so its \
         load is timed in process (no process start, no file read), and its file size is that of \
         the engine's snapshot of the same keys. redis-server's SAVE writes and fsyncs dump.rdb; \
         its load runs from spawning the process to the first PONG (PING answers -LOADING until \
         the dump is in; starting the process is about 20 ms of it, the smoke run's whole figure), \
         and the restarted server is checked to hold every key.\n\n",
    );
    Ok(out)
}

/// One run of every figure, each contender loaded from empty.
fn measure_run(redsim: &Path, load: &Files, figures: &mut Figures) -> Result<(), String> {
    let started = |r: std::io::Result<RedisServer>, what: &str| {
        r.map_err(|e| format!("starting {what}: {e}"))
    };
    let redis = started(RedisServer::start(REDIS_PORT), "redis-server")?;
    let ours = started(
        RedisServer::start_binary(Command::new(redsim), REDSIM_PORT),
        "redsim-server",
    )?;
    let a = load_and_save(&ours, load)?;
    let b = load_and_save(&redis, load)?;
    let dump_path = RedisServer::scratch_dir(REDIS_PORT).join("dump.rdb");
    let dump = std::fs::read(&dump_path).map_err(|e| format!("{}: {e}", dump_path.display()))?;
    // Stopping a server removes its directory: the dump goes back in after.
    drop((redis, ours));
    let redis_load = restart_redis(&dump, load.commands)?;

    let node = peers::node_replay("redsim", &load.lines)?;
    let missing = || {
        format!(
            "node-replay printed no memory figures for {}",
            load.lines.display()
        )
    };
    let wasm_memory = node.wasm_memory.ok_or_else(missing)?;
    let node_used_memory = node.used_memory.ok_or_else(missing)?;

    let (engine, _) = peers::native_replay(load)?;
    let snapshot = engine.snapshot();
    drop(engine);
    let engine_load = load_in_process(&snapshot, load.commands)?;

    figures.rss.push(a.rss, b.rss);
    figures.used_memory.push(a.used_memory, b.used_memory);
    figures.wasm_memory.push(wasm_memory, b.rss);
    figures
        .node_used_memory
        .push(node_used_memory, b.used_memory);
    figures.save.push(a.save_seconds, b.save_seconds);
    figures.load.push(engine_load, redis_load);
    figures
        .file_bytes
        .push(snapshot.len() as f64, dump.len() as f64);
    Ok(())
}

/// What one server's figures are after the load.
struct Loaded {
    rss: f64,
    used_memory: f64,
    save_seconds: f64,
}

/// Loads `load` into `server`, reads its memory, then times a `SAVE`.
fn load_and_save(server: &RedisServer, load: &Files) -> Result<Loaded, String> {
    peers::pipe_replay(server, load)?;
    let port = server.port;
    let mut conn = server.connect().map_err(|e| format!("port {port}: {e}"))?;
    let info = call(&mut conn, port, &["INFO", "memory"])?;
    let used_memory = info_field(&String::from_utf8_lossy(&info), "used_memory")
        .ok_or_else(|| format!("port {port}: no used_memory in INFO memory"))?;
    let status_path = format!("/proc/{}/status", server.pid());
    let status =
        std::fs::read_to_string(&status_path).map_err(|e| format!("{status_path}: {e}"))?;
    let rss = vm_rss(&status).ok_or_else(|| format!("{status_path}: no VmRSS"))?;
    let started = Instant::now();
    expect(&mut conn, port, &["SAVE"], b"+OK\r\n")?;
    Ok(Loaded {
        rss,
        used_memory,
        save_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Starts redis-server on `dump` (its dump.rdb's bytes): the seconds from
/// the spawn until PING answers PONG, checked to have loaded `keys` keys.
fn restart_redis(dump: &[u8], keys: usize) -> Result<f64, String> {
    let dir = RedisServer::scratch_dir(REDIS_PORT);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("dump.rdb"), dump).map_err(|e| format!("{}: {e}", dir.display()))?;
    let started = Instant::now();
    let server = RedisServer::start(REDIS_PORT)
        .map_err(|e| format!("restarting redis-server on its dump: {e}"))?;
    let mut conn = server
        .connect()
        .map_err(|e| format!("port {REDIS_PORT}: {e}"))?;
    while call(&mut conn, REDIS_PORT, &["PING"])? != b"+PONG\r\n" {
        if started.elapsed() > LOAD_DEADLINE {
            return Err(format!(
                "redis-server still loading after {LOAD_DEADLINE:?}"
            ));
        }
        thread::sleep(Duration::from_millis(1));
    }
    let seconds = started.elapsed().as_secs_f64();
    expect(
        &mut conn,
        REDIS_PORT,
        &["DBSIZE"],
        format!(":{keys}\r\n").as_bytes(),
    )?;
    Ok(seconds)
}

/// Seconds the engine takes to load `snapshot` into a fresh instance,
/// checked to have loaded `keys` keys.
fn load_in_process(snapshot: &[u8], keys: usize) -> Result<f64, String> {
    let mut engine = Engine::new(Config::default());
    let started = Instant::now();
    engine
        .load_snapshot(snapshot)
        .map_err(|e| format!("the engine loading its own snapshot: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let client = engine.connect();
    match engine.execute(client, &["DBSIZE"]) {
        Reply::Int(n) if usize::try_from(n) == Ok(keys) => Ok(seconds),
        other => Err(format!(
            "the engine's snapshot loaded {other:?} keys, not {keys}"
        )),
    }
}

/// One command's raw reply.
fn call(conn: &mut RespClient, port: u16, argv: &[&str]) -> Result<Vec<u8>, String> {
    let bytes: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
    conn.call(&bytes)
        .map_err(|e| format!("port {port}, {}: {e}", argv.join(" ")))
}

/// One command, failing unless it replies exactly `want`.
fn expect(conn: &mut RespClient, port: u16, argv: &[&str], want: &[u8]) -> Result<(), String> {
    let reply = call(conn, port, argv)?;
    if reply == want {
        Ok(())
    } else {
        Err(format!(
            "port {port}, {}: {}",
            argv.join(" "),
            String::from_utf8_lossy(&reply).trim_end()
        ))
    }
}

/// A numeric `name:value` line of an INFO reply.
fn info_field(info: &str, name: &str) -> Option<f64> {
    info.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|value| value.trim().parse().ok())
}

/// The resident set in bytes, from `/proc/PID/status` (`VmRSS: N kB`).
fn vm_rss(status: &str) -> Option<f64> {
    let kb = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?;
    let kb: f64 = kb.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kb * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_info_fields_and_vm_rss() {
        let info = "$80\r\n# Memory\r\nused_memory:1234\r\nused_memory_human:1.21K\r\n";
        assert_eq!(info_field(info, "used_memory"), Some(1234.0));
        assert_eq!(info_field(info, "used_memory_rss"), None);
        let status = "Name:\tredis-server\nVmHWM:\t  9000 kB\nVmRSS:\t    8200 kB\n";
        assert_eq!(vm_rss(status), Some(8200.0 * 1024.0));
    }
}
