//! `cargo xtask bench`: benchmarks, run in release mode outside CI.
//!
//! The download sizes against their budgets (`sizes.rs`; `cargo xtask
//! bench sizes` prints only those), then the peer comparisons on seeded
//! workloads (`peers.rs`: the engine in Node against ioredis-mock, natively,
//! and redsim-server against redis-server; `bench peers` prints only
//! those, `cargo xtask bench --smoke`
//! runs them once on tiny workloads for CI), then the scaling table the
//! collections work asks for. Each operation
//! is timed on structures of 10^3 to 10^6 elements, in-process (no
//! protocol), and reported as nanoseconds per operation plus the growth
//! from the smallest to the largest size, which shows whether the cost
//! follows Redis's documented complexity (flat for O(1) and O(log n)
//! operations, bounded for SINTER with a small set).

use std::process::Command;
use std::time::Instant;

use redsim_engine::{ClientId, Config, Engine};

use crate::tools::{self, run};

/// Sizes of the structure under test.
const SIZES: &[usize] = &[1_000, 10_000, 100_000, 1_000_000];
/// Operations timed at each size.
const OPS: usize = 20_000;
/// Keys in the snapshot benchmark.
const SNAPSHOT_KEYS: usize = 1_000_000;
/// A free port for the reference redis-server (not the oracles' ports).
const SNAPSHOT_REDIS_PORT: u16 = 6417;

pub fn run_bench(args: &[String]) -> Result<(), String> {
    match args {
        [] => in_release(&[]),
        [only] if only == "peers" => in_release(&["peers"]),
        [only] if only == "sizes" => {
            println!("{}", crate::sizes::size_report()?);
            Ok(())
        }
        // CI's check that every contender still runs: a debug build is
        // enough, nothing is timed against anything.
        [flag] if flag == "--smoke" => {
            println!("{}", crate::peers::report(true)?);
            Ok(())
        }
        [flag] if flag == "--in-release" => {
            println!("{}", crate::sizes::size_report()?);
            println!("{}", crate::peers::report(false)?);
            println!("{}", scaling_table(SIZES, OPS));
            println!("{}", snapshot_figures(SNAPSHOT_KEYS));
            Ok(())
        }
        [flag, only] if flag == "--in-release" && only == "peers" => {
            println!("{}", crate::peers::report(false)?);
            Ok(())
        }
        _ => Err("usage: cargo xtask bench [sizes | peers | --smoke]".to_string()),
    }
}

/// Re-runs this program optimised with `--in-release` and `args`: timings
/// of a debug build mean nothing.
fn in_release(args: &[&str]) -> Result<(), String> {
    run(Command::new("cargo")
        .args(["run", "--release", "--quiet", "--package", "xtask", "--"])
        .args(["bench", "--in-release"])
        .args(args)
        .current_dir(tools::root()))
}

struct Case {
    name: &'static str,
    /// Fills key `k` with `n` elements.
    setup: fn(&mut Engine, ClientId, usize),
    /// The i-th timed command against a structure of `n` elements.
    op: fn(usize, usize) -> Vec<String>,
}

fn exec(engine: &mut Engine, client: ClientId, parts: &[String]) {
    let _ = engine.execute(client, parts);
}

fn fill(engine: &mut Engine, client: ClientId, n: usize, make: impl Fn(usize) -> Vec<String>) {
    for i in 0..n {
        exec(engine, client, &make(i));
    }
}

fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

const CASES: &[Case] = &[
    Case {
        name: "ZADD",
        setup: |e, c, n| {
            fill(e, c, n, |i| {
                strings(&["ZADD", "k", &i.to_string(), &format!("m{i}")])
            })
        },
        op: |i, n| strings(&["ZADD", "k", &(n + i).to_string(), &format!("new{i}")]),
    },
    Case {
        name: "ZRANK",
        setup: |e, c, n| {
            fill(e, c, n, |i| {
                strings(&["ZADD", "k", &i.to_string(), &format!("m{i}")])
            })
        },
        op: |i, n| strings(&["ZRANK", "k", &format!("m{}", (i * 7919) % n)]),
    },
    Case {
        name: "ZRANGEBYSCORE (10)",
        setup: |e, c, n| {
            fill(e, c, n, |i| {
                strings(&["ZADD", "k", &i.to_string(), &format!("m{i}")])
            })
        },
        op: |i, n| {
            let start = (i * 7919) % n;
            strings(&[
                "ZRANGEBYSCORE",
                "k",
                &start.to_string(),
                &(start + 9).to_string(),
            ])
        },
    },
    Case {
        name: "LPUSH",
        setup: |e, c, n| fill(e, c, n, |i| strings(&["RPUSH", "k", &i.to_string()])),
        op: |i, _| strings(&["LPUSH", "k", &i.to_string()]),
    },
    Case {
        name: "LINDEX (middle)",
        setup: |e, c, n| fill(e, c, n, |i| strings(&["RPUSH", "k", &i.to_string()])),
        op: |_, n| strings(&["LINDEX", "k", &(n / 2).to_string()]),
    },
    Case {
        name: "SADD",
        setup: |e, c, n| fill(e, c, n, |i| strings(&["SADD", "k", &format!("m{i}")])),
        op: |i, _| strings(&["SADD", "k", &format!("new{i}")]),
    },
    Case {
        name: "SINTER (10 with N)",
        setup: |e, c, n| {
            fill(e, c, n, |i| strings(&["SADD", "k", &format!("m{i}")]));
            fill(e, c, 10, |i| {
                strings(&["SADD", "small", &format!("m{}", i * 3)])
            });
        },
        op: |_, _| strings(&["SINTER", "small", "k"]),
    },
    Case {
        name: "HSET",
        setup: |e, c, n| fill(e, c, n, |i| strings(&["HSET", "k", &format!("f{i}"), "v"])),
        op: |i, _| strings(&["HSET", "k", &format!("new{i}"), "v"]),
    },
];

/// Times every case at every size; a markdown table.
pub fn scaling_table(sizes: &[usize], ops: usize) -> String {
    let mut out = String::from("| operation |");
    for n in sizes {
        out.push_str(&format!(" n = {n} |"));
    }
    out.push_str(" growth |\n|---|");
    out.push_str(&"---|".repeat(sizes.len() + 1));
    out.push('\n');
    for case in CASES {
        let mut cells = Vec::new();
        for &n in sizes {
            let mut engine = Engine::new(Config::default());
            let client = engine.connect();
            (case.setup)(&mut engine, client, n);
            let commands: Vec<Vec<String>> = (0..ops).map(|i| (case.op)(i, n)).collect();
            let started = Instant::now();
            for command in &commands {
                exec(&mut engine, client, command);
            }
            cells.push(started.elapsed().as_nanos() as f64 / ops as f64);
        }
        out.push_str(&format!("| {} |", case.name));
        for ns in &cells {
            out.push_str(&format!(" {ns:.0} ns |"));
        }
        let growth =
            cells.last().copied().unwrap_or(0.0) / cells.first().copied().unwrap_or(1.0).max(1.0);
        out.push_str(&format!(" {growth:.1}x |\n"));
    }
    out
}

/// MSET commands storing `key:N` = `value:N` for N below `keys`, in
/// batches (the keys DEBUG POPULATE makes).
fn populate_batches(keys: usize) -> Vec<Vec<Vec<u8>>> {
    (0..keys)
        .step_by(1000)
        .map(|start| {
            let mut cmd = vec![b"MSET".to_vec()];
            for i in start..(start + 1000).min(keys) {
                cmd.push(format!("key:{i}").into_bytes());
                cmd.push(format!("value:{i}").into_bytes());
            }
            cmd
        })
        .collect()
}

/// Snapshot save and load times for `keys` small string keys, and the
/// file's size beside redis-server's dump.rdb of the same keys.
pub fn snapshot_figures(keys: usize) -> String {
    let mut engine = Engine::new(Config::default());
    let client = engine.connect();
    for cmd in populate_batches(keys) {
        let _ = engine.execute(client, &cmd);
    }
    let started = Instant::now();
    let snapshot = engine.snapshot();
    let save = started.elapsed();
    let mut fresh = Engine::new(Config::default());
    let started = Instant::now();
    let loaded = fresh.load_snapshot(&snapshot);
    let load = started.elapsed();
    let mut out = format!(
        "snapshot of {keys} keys: {} bytes, saved in {save:.2?}, loaded in {load:.2?} ({})\n",
        snapshot.len(),
        if loaded.is_ok() { "ok" } else { "FAILED" }
    );
    match redis_dump_size(keys) {
        Ok(size) => out.push_str(&format!(
            "redis-server dump.rdb of the same keys: {size} bytes\n"
        )),
        Err(err) => out.push_str(&format!("redis-server comparison skipped: {err}\n")),
    }
    out
}

fn redis_dump_size(keys: usize) -> Result<u64, String> {
    let server =
        crate::redis::RedisServer::start(SNAPSHOT_REDIS_PORT).map_err(|e| e.to_string())?;
    let mut conn = server.connect().map_err(|e| e.to_string())?;
    for cmd in populate_batches(keys) {
        conn.call(&cmd).map_err(|e| e.to_string())?;
    }
    conn.call(&[b"SAVE".to_vec()]).map_err(|e| e.to_string())?;
    let path = std::env::temp_dir()
        .join(format!("redsim-oracle-{SNAPSHOT_REDIS_PORT}"))
        .join("dump.rdb");
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    /// The harness itself works (tiny sizes; nothing is timed or asserted
    /// about speed).
    #[test]
    fn scaling_table_has_a_row_per_case() {
        let table = super::scaling_table(&[10, 100], 50);
        assert_eq!(table.lines().count(), 2 + super::CASES.len());
        assert!(table.contains("| ZRANK |"));
    }

    #[test]
    fn snapshot_figures_load_what_they_save() {
        let figures = super::snapshot_figures(2500);
        assert!(figures.contains("(ok)"), "{figures}");
    }
}
