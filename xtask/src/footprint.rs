//! The memory and snapshot figures of `cargo xtask bench` (issue 11; `bench
//! memory` prints only these): what `big`'s keys cost to hold and to
//! persist, redsim against redis-server. Only `big`'s SETs are loaded
//! (`workloads::write_big_load`): its GETs add no data.
//!
//! - Memory: after the load, each server's resident set (`VmRSS` in
//!   `/proc/PID/status`) and its own account (`used_memory` in `INFO
//!   memory`); and the engine in Node through the npm package
//!   (`bench/node-replay.mjs`), whose wasm linear memory is its whole heap.
//! - Snapshots: `SAVE` timed over the protocol on both servers (each
//!   writes and syncs its dump.rdb before answering), then each restarted
//!   on its own dump.rdb and timed from the spawn until PING answers PONG
//!   (redis-server answers -LOADING meanwhile; redsim-server loads before
//!   it serves), and the files' sizes.
//!
//! Each run starts fresh servers (a server flushed and refilled keeps its
//! allocator's high-water mark); cells are medians with min–max, as in
//! `peers`, and the smoke run does it all once on `big`'s smoke scale.

use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

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
    out.push_str(&figures.save.row("save: `SAVE` over the protocol", ms));
    out.push_str(
        &figures
            .load
            .row("load: restart on the dump until PING answers PONG", ms),
    );
    out.push_str(&figures.file_bytes.row("file bytes: dump.rdb", bytes));
    out.push_str(
        "\nSAVE writes and syncs dump.rdb before it answers, on both servers. The load runs from \
         spawning the process on that file to the first PONG (starting a process is about 20 ms \
         of it, the smoke run's whole figure), and each restarted server is checked to hold \
         every key.\n\n",
    );
    Ok(out)
}

/// One run of every figure, each contender loaded from empty.
fn measure_run(redsim: &Path, load: &Files, figures: &mut Figures) -> Result<(), String> {
    let (redis, ours) = peers::start_pair(redsim, REDIS_PORT, REDSIM_PORT)?;
    let a = load_and_save(&ours, load)?;
    let b = load_and_save(&redis, load)?;
    let dump_of = |port: u16| {
        let path = RedisServer::scratch_dir(port).join("dump.rdb");
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let (our_dump, dump) = (dump_of(REDSIM_PORT)?, dump_of(REDIS_PORT)?);
    // Stopping a server removes its directory: the dump goes back in after.
    drop((redis, ours));
    let redis_load = restart(
        Command::new("redis-server"),
        REDIS_PORT,
        &dump,
        load.commands,
    )?;
    let our_load = restart(Command::new(redsim), REDSIM_PORT, &our_dump, load.commands)?;

    let node = peers::node_replay("redsim", &load.lines)?;
    let missing = || {
        format!(
            "node-replay printed no memory figures for {}",
            load.lines.display()
        )
    };
    let wasm_memory = node.wasm_memory.ok_or_else(missing)?;
    let node_used_memory = node.used_memory.ok_or_else(missing)?;

    figures.rss.push(a.rss, b.rss);
    figures.used_memory.push(a.used_memory, b.used_memory);
    figures.wasm_memory.push(wasm_memory, b.rss);
    figures
        .node_used_memory
        .push(node_used_memory, b.used_memory);
    figures.save.push(a.save_seconds, b.save_seconds);
    figures.load.push(our_load, redis_load);
    figures
        .file_bytes
        .push(our_dump.len() as f64, dump.len() as f64);
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

/// Starts a server (`command`, on `port`) on `dump`, a dump.rdb's bytes:
/// the seconds from the spawn until PING answers PONG, checked to have
/// loaded `keys` keys.
fn restart(command: Command, port: u16, dump: &[u8], keys: usize) -> Result<f64, String> {
    let dir = RedisServer::scratch_dir(port);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("dump.rdb"), dump).map_err(|e| format!("{}: {e}", dir.display()))?;
    let started = Instant::now();
    let server = RedisServer::start_binary(command, port)
        .map_err(|e| format!("restarting the server on port {port} on its dump: {e}"))?;
    let mut conn = server.connect().map_err(|e| format!("port {port}: {e}"))?;
    while call(&mut conn, port, &["PING"])? != b"+PONG\r\n" {
        if started.elapsed() > LOAD_DEADLINE {
            return Err(format!(
                "the server on port {port} is still loading after {LOAD_DEADLINE:?}"
            ));
        }
        thread::sleep(Duration::from_millis(1));
    }
    let seconds = started.elapsed().as_secs_f64();
    expect(
        &mut conn,
        port,
        &["DBSIZE"],
        format!(":{keys}\r\n").as_bytes(),
    )?;
    Ok(seconds)
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
