//! `cargo xtask fuzz [TARGET...] [--seconds N]`: coverage-guided fuzzing of
//! the RESP parsers (`resp`), the command executor (`executor`) and the
//! RDB loader with RESTORE (`rdb`), and Lua scripts through EVAL
//! (`script`) with
//! cargo-fuzz and libFuzzer. `cargo xtask test` runs each target briefly;
//! long runs happen outside CI.
//!
//! The toolchain here is stable, so nightly-only flags are unlocked with
//! RUSTC_BOOTSTRAP and no sanitizer is used (`-s none`): the engine is safe
//! Rust, and what fuzzing hunts for is panics, hangs and runaway memory,
//! which libFuzzer's -timeout and -rss_limit_mb catch.

use std::process::Command;

use crate::tools::{self, run};

pub const TARGETS: &[&str] = &["resp", "executor", "rdb", "script"];
const CARGO_FUZZ_VERSION: &str = "0.13.2";

pub fn ensure_cargo_fuzz() -> Result<(), String> {
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(CARGO_FUZZ_VERSION));
    if installed {
        return Ok(());
    }
    run(Command::new("cargo").args([
        "install",
        "--locked",
        "cargo-fuzz",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))
}

/// The command that fuzzes `target` for `seconds`.
pub fn command(target: &str, seconds: u64) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(tools::root().join("fuzz"))
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", "run", "-s", "none", target, "--"])
        .arg(format!("-max_total_time={seconds}"))
        .args([
            "-rss_limit_mb=2048",
            "-timeout=10",
            "-verbosity=0",
            "-print_final_stats=1",
        ]);
    cmd
}

pub fn run_fuzz(args: &[String]) -> Result<(), String> {
    let mut seconds = 600;
    let mut targets = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--seconds" {
            seconds = iter
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or("--seconds takes a number")?;
        } else if TARGETS.contains(&arg.as_str()) {
            targets.push(arg.clone());
        } else {
            return Err(format!(
                "usage: cargo xtask fuzz [{}] [--seconds N]",
                TARGETS.join("|")
            ));
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    ensure_cargo_fuzz()?;
    for target in targets {
        run(&mut command(&target, seconds))?;
    }
    Ok(())
}
