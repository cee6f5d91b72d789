//! Project automation. `cargo xtask <task>`:
//! - `serve [--port N]`: install what is missing, build the playground, serve it.
//! - `test`: install what the tests need, run every kind of test, print a summary.
//! - `record [SCRIPT...]`: re-record conformance replies from a real redis-server.
//! - `spec NAME...`: draft command-table rows (facts only) from a real redis-server.
//! - `fuzz [TARGET...] [--seconds N]`: fuzz the parsers, the executor and the RDB loader (default 600 s each).
//! - `bench [sizes | peers | memory | playground | --smoke]`: download sizes against budgets, then benchmarks in release mode
//!   (`peers`: only the comparisons with real Redis and ioredis-mock;
//!   `memory`: only the memory and snapshot figures of `big` against redis-server;
//!   `--smoke`: every peer contender and those figures once on tiny workloads, as CI runs it).
//! - `npm`: build the npm package (npm/pkg/) and install its tests' dependencies.
//! - `widget`: trunk's post-build hook: the docs widget's wasm into its dist.

mod bench;
mod footprint;
mod fuzz;
mod npm;
mod npm_client;
mod npm_command_args;
mod peers;
mod playground_keys;
mod record;
mod redis;
mod serve;
mod sizes;
mod spec;
mod test;
mod tools;
mod widget;
mod workloads;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask serve [--port N] | test | record [SCRIPT...] | spec NAME... | fuzz [TARGET...] [--seconds N] | bench [sizes | peers | memory | playground | --smoke] | npm | widget";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((task, rest)) if task == "serve" => serve::run_serve(rest),
        Some((task, [])) if task == "test" => test::run(),
        Some((task, rest)) if task == "record" => record::run(rest),
        Some((task, rest)) if task == "spec" => spec::run(rest),
        Some((task, rest)) if task == "fuzz" => fuzz::run_fuzz(rest),
        Some((task, rest)) if task == "bench" => bench::run_bench(rest),
        Some((task, [])) if task == "npm" => npm::build(),
        Some((task, [])) if task == "widget" => widget::run_widget(),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}
