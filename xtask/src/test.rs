//! `cargo xtask test`: installs what the tests need, then runs every kind of
//! test and ends with one line, `N passed, N failed`. Exit status is non-zero
//! if anything failed.
//!
//! Each step is a command; counts come from the runners' own summaries
//! (`test result:` from cargo/wasm-bindgen, `# pass`/`# fail` from node).
//! A step that fails without reporting a failing test (a build or lint
//! failure) counts as one failure; a gate that passes counts as one pass.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::tools;

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failed_steps: Vec<String>,
}

/// Counts parsed from a runner's output.
#[derive(Default, Debug, PartialEq)]
struct Counts {
    passed: u64,
    failed: u64,
}

/// Reads `test result: ok. 3 passed; 1 failed; ...` and node's `# pass 3` / `# fail 1`.
fn parse_counts(line: &str, counts: &mut Counts) {
    let number_before = |word: &str| -> Option<u64> {
        let end = line.find(word)?;
        line[..end]
            .trim_end()
            .rsplit([' ', '.'])
            .next()?
            .parse()
            .ok()
    };
    if line.starts_with("test result:") {
        counts.passed += number_before(" passed").unwrap_or(0);
        counts.failed += number_before(" failed").unwrap_or(0);
    } else if let Some(n) = line.strip_prefix("# pass ") {
        counts.passed += n.trim().parse().unwrap_or(0);
    } else if let Some(n) = line.strip_prefix("# fail ") {
        counts.failed += n.trim().parse().unwrap_or(0);
    }
}

impl Tally {
    /// Runs one step, echoing its output, and adds its counts.
    fn step(&mut self, name: &str, mut cmd: Command) {
        println!("\n== {name}");
        let started = Instant::now();
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut counts = Counts::default();
        let success = match cmd.spawn() {
            Ok(mut child) => {
                if let Some(out) = child.stdout.take() {
                    for line in BufReader::new(out).lines().map_while(Result::ok) {
                        println!("{line}");
                        parse_counts(&line, &mut counts);
                    }
                }
                child.wait().is_ok_and(|s| s.success())
            }
            Err(err) => {
                println!("cannot start {cmd:?}: {err}");
                false
            }
        };
        let (passed, failed) = match (success, counts.passed + counts.failed) {
            // A gate (lint, build) with no tests of its own counts as one.
            (true, 0) => (1, 0),
            (true, _) => (counts.passed, counts.failed),
            (false, _) => (counts.passed, counts.failed.max(1)),
        };
        self.passed += passed;
        self.failed += failed;
        if failed > 0 || !success {
            self.failed_steps.push(name.to_string());
        }
        println!(
            "== {name}: {passed} passed, {failed} failed ({:.0?})",
            started.elapsed()
        );
    }
}

fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args(args).current_dir(tools::root());
    cmd
}

fn node_test(dir: &str) -> Command {
    let mut cmd = Command::new("node");
    cmd.args(["--test", "--test-reporter=tap"])
        .arg(dir)
        .current_dir(tools::root());
    cmd
}

/// Apt packages the tests use: (binary, package).
const APT: &[(&str, &str)] = &[
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
    ("redis-server", "redis-server"),
    ("redis-cli", "redis-tools"),
];

pub fn run() -> Result<(), String> {
    let started = Instant::now();
    tools::ensure_apt(APT)?;
    tools::ensure_web_build()?;
    crate::fuzz::ensure_cargo_fuzz()?;

    let mut tally = Tally::default();
    tally.step("format", cargo(&["fmt", "--all", "--check"]));
    tally.step(
        "clippy (native)",
        cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    );
    tally.step(
        "clippy (wasm32)",
        cargo(&[
            "clippy",
            "-p",
            "redsim-engine",
            "-p",
            "redsim-web",
            "-p",
            "redsim-bindings",
            "-p",
            "redsim-sims",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    );
    tally.step(
        "tests (native: engine, server, conformance, web state, xtask)",
        cargo(&["test", "--workspace"]),
    );
    // Of the sims crate's tests only `platforms.rs` is a wasm-bindgen test:
    // its digests prove a seed runs the same in the browser as natively.
    let mut wasm_tests = cargo(&[
        "test",
        "-p",
        "redsim-engine",
        "-p",
        "redsim-conformance",
        "-p",
        "redsim-sims",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    wasm_tests.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    );
    tally.step(
        "engine tests, the conformance replay and the sims' digests compiled to wasm32 (node)",
        wasm_tests,
    );
    tally.step(
        "node-redis against redsim-server (node:test)",
        node_test("tests/clients"),
    );
    match crate::npm::build() {
        Ok(()) => tally.step("npm package (node:test)", node_test("npm/test")),
        Err(err) => tally.record_failure("npm package build", &err),
    }
    // After the npm step, whose package it replays in Node; only that
    // every benchmark contender runs without error replies, nothing timed.
    tally.step(
        "bench smoke: every contender on tiny workloads",
        cargo(&["run", "--quiet", "-p", "xtask", "--", "bench", "--smoke"]),
    );
    for target in crate::fuzz::TARGETS {
        tally.step(
            &format!("fuzz smoke: {target} (20 s)"),
            crate::fuzz::command(target, 20),
        );
    }
    let mut build = tools::trunk();
    build.args(["build", "--release"]);
    tally.step("playground build (trunk --release)", build);
    // The big-keyspace benchmark's script on a few keys, nothing timed.
    let mut playground_keys = Command::new("node");
    playground_keys
        .args(["bench/playground-keys.mjs", "dist", "2000"])
        .current_dir(tools::root());
    tally.step(
        "bench smoke: the playground with many keys",
        playground_keys,
    );
    tally.step(
        "playground in Chromium (playwright)",
        node_test("tests/e2e"),
    );

    println!("\n== took {:.0?}", started.elapsed());
    if !tally.failed_steps.is_empty() {
        println!("failing steps: {}", tally.failed_steps.join(", "));
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed == 0 {
        Ok(())
    } else {
        Err(format!("{} failed", tally.failed))
    }
}

impl Tally {
    fn record_failure(&mut self, name: &str, err: &str) {
        println!("\n== {name}: failed: {err}");
        self.failed += 1;
        self.failed_steps.push(name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_counts, Counts};

    #[test]
    fn reads_cargo_and_node_summaries() {
        let mut c = Counts::default();
        parse_counts(
            "test result: ok. 19 passed; 0 failed; 0 ignored; 0 measured",
            &mut c,
        );
        parse_counts("test result: FAILED. 3 passed; 2 failed; 0 ignored", &mut c);
        parse_counts("# pass 4", &mut c);
        parse_counts("# fail 1", &mut c);
        parse_counts("ok 1 - something passed", &mut c);
        assert_eq!(
            c,
            Counts {
                passed: 26,
                failed: 3
            }
        );
    }
}
