//! `cargo xtask bench`: benchmarks, run in release mode outside CI.
//!
//! The download sizes against their budgets (`sizes.rs`; `cargo xtask
//! bench sizes` prints only those), then the peer comparisons on seeded
//! workloads (`peers.rs`: the engine in Node against ioredis-mock, natively,
//! and redsim-server against redis-server; `bench peers` prints only
//! those), then the scaling table the collections work asks for, then the
//! memory and snapshot figures of `big` against redis-server
//! (`footprint.rs`; `bench memory` prints only those). `cargo xtask bench
//! --smoke` runs the peer and footprint sections once on tiny workloads for
//! CI.
//!
//! In the scaling table, each operation is timed on structures of 10^3 to
//! 10^6 elements, in-process (no protocol), and reported as nanoseconds
//! per operation plus the growth from the smallest to the largest size,
//! which shows whether the cost follows Redis's documented complexity
//! (flat for O(1) and O(log n) operations, bounded for SINTER with a
//! small set).

use std::process::Command;
use std::time::Instant;

use redsim_engine::{ClientId, Config, Engine};

use crate::footprint;
use crate::peers::{self, prepare};
use crate::playground_keys;
use crate::tools::{self, run};

/// Sizes of the structure under test.
const SIZES: &[usize] = &[1_000, 10_000, 100_000, 1_000_000];
/// Operations timed at each size.
const OPS: usize = 20_000;

pub fn run_bench(args: &[String]) -> Result<(), String> {
    match args {
        [] => in_release(&[]),
        [only] if only == "peers" || only == "memory" => in_release(&[only.as_str()]),
        [only] if only == "sizes" => {
            println!("{}", crate::sizes::size_report()?);
            Ok(())
        }
        [only] if only == "playground" => {
            println!("{}", crate::sizes::size_report()?);
            let dist = tools::root().join("target/bench-dist");
            println!("{}", playground_keys::report(&dist, playground_keys::KEYS)?);
            Ok(())
        }
        // CI's check that every contender still runs: a debug build is
        // enough, nothing is timed against anything.
        [flag] if flag == "--smoke" => {
            let setup = prepare(true)?;
            println!("{}", peers::report(&setup)?);
            println!("{}", footprint::report(&setup)?);
            Ok(())
        }
        [flag] if flag == "--in-release" => {
            println!("{}", crate::sizes::size_report()?);
            // The playground size_report just built.
            let dist = tools::root().join("target/bench-dist");
            println!("{}", playground_keys::report(&dist, playground_keys::KEYS)?);
            let setup = prepare(false)?;
            println!("{}", peers::report(&setup)?);
            println!("{}", scaling_table(SIZES, OPS));
            println!("{}", footprint::report(&setup)?);
            Ok(())
        }
        [flag, only] if flag == "--in-release" && only == "peers" => {
            println!("{}", peers::report(&prepare(false)?)?);
            Ok(())
        }
        [flag, only] if flag == "--in-release" && only == "memory" => {
            println!("{}", footprint::report(&prepare(false)?)?);
            Ok(())
        }
        _ => Err(
            "usage: cargo xtask bench [sizes | peers | memory | playground | --smoke]".to_string(),
        ),
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
}
