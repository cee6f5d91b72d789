//! The peer comparisons of `cargo xtask bench` (issue 11): every contender
//! replays the same seeded workloads (`workloads.rs`) in one run, and each
//! figure is reported beside the peer measured in that run, because
//! absolute numbers swing 2× on shared machines.
//!
//! - the engine in Node through the npm package's direct API, one command
//!   at a time, against ioredis-mock in the same kind of process
//!   (`bench/node-replay.mjs`, one fresh process per measurement);
//! - the engine natively in-process, no protocol: the ceiling;
//! - `redsim-server` against `redis-server`: `redis-benchmark -P 16` and
//!   `redis-cli --pipe` replaying each workload as RESP, with the CPU time
//!   each server spent per request (from `/proc`), which shows their
//!   difference even where the client, not the server, sets the pace.
//!
//! Each cell is the median of several runs with min–max; contenders are
//! interleaved within a run so drift on the machine hits both. Any error
//! reply fails the bench: a workload one side rejects measures nothing.
//! The smoke mode (`--smoke`, in `cargo xtask test`) runs everything once on
//! tiny workloads with a debug build, checking only that each contender
//! ran and replied without errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use redsim_engine::{Config, Engine, Reply};

use crate::redis::RedisServer;
use crate::tools::{self, run};
use crate::workloads::{self, Files, Scale};

/// Loopback ports for the two servers (the oracles use 6390–6399, the
/// memory and snapshot figures 6420–6421).
const REDIS_PORT: u16 = 6418;
const REDSIM_PORT: u16 = 6419;

/// redis-benchmark's tests, as the issue lists them.
const BENCHMARK_TESTS: &str = "set,get,incr,lpush,hset,zadd";

/// How big and how often.
pub struct Plan {
    pub smoke: bool,
    pub scale: Scale,
    pub runs: usize,
    /// Requests per redis-benchmark test.
    requests: usize,
}

const FULL: Plan = Plan {
    smoke: false,
    scale: workloads::FULL,
    runs: 3,
    requests: 500_000,
};

const SMOKE: Plan = Plan {
    smoke: true,
    scale: workloads::SMOKE,
    runs: 1,
    requests: 200,
};

/// Apt packages the server comparison needs: (binary, package).
const APT: &[(&str, &str)] = &[
    ("redis-server", "redis-server"),
    ("redis-cli", "redis-tools"),
];

/// What every section comparing contenders starts from: the plan, and
/// `redsim-server`'s binary.
pub struct Setup {
    pub plan: Plan,
    pub server: PathBuf,
}

/// Installs and builds what is missing, once for all the sections that
/// use it (these comparisons, and `footprint`'s). The full bench builds
/// the npm package (timing a stale one would mislead); the smoke run,
/// which follows the npm step of `cargo xtask test`, builds it only when
/// it is missing.
pub fn prepare(smoke: bool) -> Result<Setup, String> {
    let plan = if smoke { SMOKE } else { FULL };
    tools::ensure_apt(APT)?;
    tools::ensure_node_tools()?;
    let packaged = tools::root().join("npm/pkg/node/redsim_bindings_bg.wasm");
    if !smoke || !packaged.exists() {
        // What `npm::build` runs but does not install.
        tools::ensure_wasm_target()?;
        tools::ensure_wasm_bindgen()?;
        crate::npm::build()?;
    }
    let server = build_server(plan.smoke)?;
    Ok(Setup { plan, server })
}

/// Runs every contender on every workload; the markdown report.
pub fn report(setup: &Setup) -> Result<String, String> {
    let plan = &setup.plan;
    let files = workloads::write_all(&workloads::dir(plan.smoke), plan.scale)?;

    let mut out = format!(
        "Workloads (seed {}): {}; {} run(s) each, median (min–max).\n\n",
        workloads::SEED,
        files
            .iter()
            .map(|f| format!("{} {} commands", f.kind.name(), f.commands))
            .collect::<Vec<_>>()
            .join(", "),
        plan.runs
    );
    out.push_str(&node_section(plan, &files)?);
    out.push_str(&native_section(plan, &files)?);
    out.push_str(&server_sections(plan, &files, &setup.server)?);
    Ok(out)
}

/// `redsim-server`, built in release for timing and in debug for the smoke
/// run (which `cargo test` has usually built already).
fn build_server(smoke: bool) -> Result<PathBuf, String> {
    let mut cargo = Command::new("cargo");
    cargo
        .args(["build", "--quiet", "-p", "redsim-server"])
        .current_dir(tools::root());
    if !smoke {
        cargo.arg("--release");
    }
    run(&mut cargo)?;
    let profile = if smoke { "debug" } else { "release" };
    Ok(tools::root()
        .join("target")
        .join(profile)
        .join("redsim-server"))
}

/// Several runs of one figure (operations per second unless said).
#[derive(Default)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    fn median(&self) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
    }

    /// `1.23M (1.20M–1.31M)`.
    fn cell(&self) -> String {
        self.cell_as(rate)
    }

    /// The median and the range, each shown by `show` (figures other than
    /// rates: bytes, durations); only the median when the range would
    /// show the same figure twice.
    pub fn cell_as(&self, show: fn(f64) -> String) -> String {
        let min = self.0.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self.0.iter().copied().fold(0.0, f64::max);
        let (low, high) = (show(min), show(max));
        if low == high {
            high
        } else {
            format!("{} ({low}–{high})", show(self.median()))
        }
    }
}

fn rate(ops: f64) -> String {
    if ops >= 1e6 {
        format!("{:.2}M", ops / 1e6)
    } else if ops >= 1e4 {
        format!("{:.0}k", ops / 1e3)
    } else {
        format!("{ops:.0}")
    }
}

/// Our median over theirs.
pub fn ratio(ours: &Samples, theirs: &Samples) -> String {
    format!(
        "{:.2}×",
        ours.median() / theirs.median().max(f64::MIN_POSITIVE)
    )
}

/// The median over the runs of our figure over theirs in the same run
/// (samples at the same index were taken one right after the other).
pub fn paired_ratio(ours: &Samples, theirs: &Samples) -> String {
    let ratios = ours
        .0
        .iter()
        .zip(&theirs.0)
        .map(|(a, b)| a / b.max(f64::MIN_POSITIVE))
        .collect();
    format!("{:.2}×", Samples(ratios).median())
}

/// What `bench/node-replay.mjs` prints.
pub struct NodeRun {
    ops: f64,
    unsupported: u64,
    /// redsim only: the engine's INFO `used_memory` after the replay.
    pub used_memory: Option<f64>,
    /// redsim only: the size of the engine's wasm linear memory after the
    /// replay (`memory.buffer.byteLength`).
    pub wasm_memory: Option<f64>,
}

/// Replays the workload `file` in a fresh Node process; fails on any error
/// reply.
pub fn node_replay(contender: &str, file: &Path) -> Result<NodeRun, String> {
    let out = Command::new("node")
        .arg(tools::root().join("bench/node-replay.mjs"))
        .arg(contender)
        .arg(file)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("node: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("node-replay {contender} failed: {text}"));
    }
    let field = |name: &str| json_field(&text, name);
    let errors = field("errors").unwrap_or_default();
    if errors != "0" {
        return Err(format!(
            "{contender} replying to {}: {errors} errors, the first {}",
            file.display(),
            field("firstError").unwrap_or_default()
        ));
    }
    Ok(NodeRun {
        ops: field("opsPerSec")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("node-replay printed no opsPerSec: {text}"))?,
        unsupported: field("unsupported")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        used_memory: field("usedMemory").and_then(|v| v.parse().ok()),
        wasm_memory: field("wasmMemory").and_then(|v| v.parse().ok()),
    })
}

/// A top-level field of a flat JSON object, as its raw text (strings
/// unquoted). The replay script prints one such line; no JSON crate needed.
pub fn json_field(text: &str, name: &str) -> Option<String> {
    let start = text.find(&format!("\"{name}\":"))? + name.len() + 3;
    let rest = &text[start..];
    let value = if let Some(quoted) = rest.strip_prefix('"') {
        &quoted[..quoted.find('"')?]
    } else {
        &rest[..rest.find([',', '}'])?]
    };
    Some(value.to_string())
}

fn node_section(plan: &Plan, files: &[Files]) -> Result<String, String> {
    let mut out = String::from(
        "### The engine in Node (npm package, direct API) vs ioredis-mock, one command at a time\n\n\
         The batched column replays the same commands through `db.pipeline`, 1,000 per call \
         (its ratio is against the same ioredis-mock figure).\n\n\
         | workload | redsim `db.command` ops/s | ioredis-mock ops/s | ratio | redsim `db.pipeline` ops/s | ratio |\n|---|---:|---:|---:|---:|---:|\n",
    );
    let mut notes = Vec::new();
    for f in files {
        let (mut ours, mut theirs) = (Samples::default(), Samples::default());
        let mut batched = Samples::default();
        let mut unsupported = 0;
        for _ in 0..plan.runs {
            ours.0.push(node_replay("redsim", &f.lines)?.ops);
            batched
                .0
                .push(node_replay("redsim-pipeline", &f.lines)?.ops);
            let mock = node_replay("ioredis-mock", &f.lines)?;
            theirs.0.push(mock.ops);
            unsupported = mock.unsupported;
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            f.kind.name(),
            ours.cell(),
            theirs.cell(),
            ratio(&ours, &theirs),
            batched.cell(),
            ratio(&batched, &theirs)
        ));
        if unsupported > 0 {
            notes.push(format!(
                "ioredis-mock rejected {unsupported} of {}'s {} commands as unsupported (PFADD, PFCOUNT); they count as replayed.",
                f.kind.name(),
                f.commands
            ));
        }
    }
    out.push('\n');
    for note in notes {
        out.push_str(&format!("{note}\n"));
    }
    out.push('\n');
    Ok(out)
}

/// Replays a workload through a fresh `Engine`: ops/s.
fn native_replay(f: &Files) -> Result<f64, String> {
    let commands = workloads::read(&f.lines)?;
    let mut engine = Engine::new(Config::default());
    let client = engine.connect();
    let started = Instant::now();
    let mut first_error = None;
    for argv in &commands {
        if let Reply::Error(err) = engine.execute(client, argv) {
            first_error.get_or_insert(err);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    match first_error {
        Some(err) => Err(format!(
            "the engine replying to {}: {err}",
            f.lines.display()
        )),
        None => Ok(commands.len() as f64 / seconds.max(f64::MIN_POSITIVE)),
    }
}

fn native_section(plan: &Plan, files: &[Files]) -> Result<String, String> {
    let mut out = String::from(
        "### The engine natively in-process (no protocol): the ceiling\n\n\
         | workload | ops/s |\n|---|---:|\n",
    );
    for f in files {
        let mut samples = Samples::default();
        for _ in 0..plan.runs {
            samples.0.push(native_replay(f)?);
        }
        out.push_str(&format!("| {} | {} |\n", f.kind.name(), samples.cell()));
    }
    out.push('\n');
    Ok(out)
}

/// `redis-benchmark -P 16 --csv -t test` against one port: requests/s.
fn redis_benchmark(port: u16, test: &str, requests: usize) -> Result<f64, String> {
    let out = Command::new("redis-benchmark")
        .args(["-p", &port.to_string(), "-P", "16", "-t", test])
        .args(["-n", &requests.to_string(), "--csv"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("redis-benchmark: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("redis-benchmark -p {port} failed: {text}"));
    }
    // "test","rps","avg_latency_ms",... then the test's row.
    text.lines()
        .nth(1)
        .and_then(|line| line.split(',').nth(1))
        .and_then(|rps| rps.trim_matches('"').parse().ok())
        .ok_or_else(|| format!("redis-benchmark -p {port} -t {test} printed: {text}"))
}

/// Empties a server, then times `redis-cli --pipe` sending `resp`; ops/s.
pub fn pipe_replay(server: &RedisServer, f: &Files) -> Result<f64, String> {
    let name = |e: std::io::Error| format!("port {}: {e}", server.port);
    server
        .connect()
        .and_then(|mut c| c.call(&[b"FLUSHALL".to_vec()]))
        .map_err(name)?;
    let input = std::fs::File::open(&f.resp).map_err(|e| format!("{}: {e}", f.resp.display()))?;
    let started = Instant::now();
    let out = Command::new("redis-cli")
        .args(["-p", &server.port.to_string(), "--pipe"])
        .stdin(input)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("redis-cli: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    // The summary line: "errors: 0, replies: 200000".
    let clean = format!("errors: 0, replies: {}", f.commands);
    if !out.status.success() || !text.contains(&clean) {
        return Err(format!(
            "redis-cli --pipe of {} to port {}: {text}",
            f.kind.name(),
            server.port
        ));
    }
    Ok(f.commands as f64 / seconds.max(f64::MIN_POSITIVE))
}

/// A fresh redis-server on `redis_port` and redsim-server (the binary at
/// `redsim`) on `redsim_port`, each in a scratch directory of its own.
pub fn start_pair(
    redsim: &Path,
    redis_port: u16,
    redsim_port: u16,
) -> Result<(RedisServer, RedisServer), String> {
    let started = |r: std::io::Result<RedisServer>, what: &str| {
        r.map_err(|e| format!("starting {what}: {e}"))
    };
    let redis = started(RedisServer::start(redis_port), "redis-server")?;
    let ours = started(
        RedisServer::start_binary(Command::new(redsim), redsim_port),
        "redsim-server",
    )?;
    Ok((redis, ours))
}

/// A server's CPU time so far, user and system, in seconds: fields 14 and
/// 15 of `/proc/PID/stat`, in the kernel's USER_HZ ticks (100 a second).
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    cpu_of_stat(&stat).ok_or_else(|| format!("{path}: no CPU times in {stat:?}"))
}

/// `cpu_seconds` from the text of a stat file. The command name (field 2)
/// is in parentheses and may hold spaces or parentheses itself, so fields
/// are counted after its last `)`.
fn cpu_of_stat(stat: &str) -> Option<f64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// One comparison row's figures: each server's rates and CPU per request.
#[derive(Default)]
struct Row {
    ours: Samples,
    theirs: Samples,
    our_cpu: Samples,
    their_cpu: Samples,
}

impl Row {
    /// One run of `work` (a rate in operations per second over
    /// `operations`) against our server, then right after against
    /// redis-server: each one's rate, and its CPU time per operation in
    /// microseconds.
    fn measure(
        &mut self,
        (ours, redis): (&RedisServer, &RedisServer),
        operations: usize,
        work: impl Fn(&RedisServer) -> Result<f64, String>,
    ) -> Result<(), String> {
        for (server, rates, cpu) in [
            (ours, &mut self.ours, &mut self.our_cpu),
            (redis, &mut self.theirs, &mut self.their_cpu),
        ] {
            let before = cpu_seconds(server.pid())?;
            rates.0.push(work(server)?);
            let spent = cpu_seconds(server.pid())? - before;
            cpu.0.push(spent * 1e6 / operations.max(1) as f64);
        }
        Ok(())
    }

    /// `| name | ours | theirs | ratio | paired | CPU ours | CPU theirs | CPU paired |`:
    /// the CPU ratio is redis-server's over ours, so above 1 is less CPU.
    fn line(&self, name: &str) -> String {
        let micros = |us: f64| format!("{us:.2} µs");
        format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} |\n",
            self.ours.cell(),
            self.theirs.cell(),
            ratio(&self.ours, &self.theirs),
            paired_ratio(&self.ours, &self.theirs),
            self.our_cpu.cell_as(micros),
            self.their_cpu.cell_as(micros),
            paired_ratio(&self.their_cpu, &self.our_cpu),
        )
    }
}

/// The table head for `Row::line`: `first` names the rows, `unit` the rates.
fn row_header(first: &str, unit: &str) -> String {
    format!(
        "| {first} | redsim-server {unit} | redis-server {unit} | ratio of medians | paired ratio | \
         redsim-server CPU per request | redis-server CPU per request | CPU, redis ÷ redsim (paired) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n"
    )
}

fn server_sections(plan: &Plan, files: &[Files], redsim: &Path) -> Result<String, String> {
    let (redis, ours) = start_pair(redsim, REDIS_PORT, REDSIM_PORT)?;

    let tests: Vec<&str> = BENCHMARK_TESTS.split(',').collect();
    let mut rows: Vec<Row> = tests.iter().map(|_| Row::default()).collect();
    // Each test runs against one server right after the other, so that a
    // pair of runs shares the machine's moment (see `paired_ratio`).
    for _ in 0..plan.runs {
        for (test, row) in tests.iter().zip(rows.iter_mut()) {
            row.measure((&ours, &redis), plan.requests, |server| {
                redis_benchmark(server.port, test, plan.requests)
            })?;
        }
    }
    let mut out = format!(
        "### redsim-server vs redis-server: `redis-benchmark -P 16 -n {}`\n\n\
         The paired ratio is the median of each run's redsim figure over the \
         redis-server figure taken right after it; the machine's speed \
         changes less within a pair than across the runs. The CPU columns are \
         each server's user and system time over the requests (from \
         `/proc/PID/stat`, in 10 ms ticks); their ratio is redis-server's \
         over redsim-server's, so above 1.00× redsim-server spent less.\n\n{}",
        plan.requests,
        row_header("test", "req/s")
    );
    for (test, row) in tests.iter().zip(&rows) {
        out.push_str(&row.line(&test.to_ascii_uppercase()));
    }

    out.push_str(&format!(
        "\n### redsim-server vs redis-server: `redis-cli --pipe` replaying each workload\n\n{}",
        row_header("workload", "ops/s")
    ));
    for f in files {
        let mut row = Row::default();
        for _ in 0..plan.runs {
            row.measure((&ours, &redis), f.commands, |server| pipe_replay(server, f))?;
        }
        out.push_str(&row.line(f.kind.name()));
    }
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_replay_scripts_json() {
        let line = r#"{"contender":"redsim","commands":300,"seconds":0.01,"opsPerSec":30000,"errors":0,"unsupported":2,"firstError":null}"#;
        assert_eq!(json_field(line, "opsPerSec").as_deref(), Some("30000"));
        assert_eq!(json_field(line, "contender").as_deref(), Some("redsim"));
        assert_eq!(json_field(line, "firstError").as_deref(), Some("null"));
        assert_eq!(json_field(line, "missing"), None);
    }

    /// Fields are counted after the command name's last `)`, which may
    /// hold spaces and parentheses of its own.
    #[test]
    fn cpu_time_from_proc_stat() {
        let stat = "4242 (redis-server *:6) x) S 1 4242 4242 0 -1 4194560 \
                    900 0 0 0 250 37 0 0 20 0 5 0 123 456 789";
        assert_eq!(cpu_of_stat(stat), Some(2.87));
        assert_eq!(cpu_of_stat("4242 (short) S 1"), None);
        let own = cpu_seconds(std::process::id()).expect("this process's stat");
        assert!(own >= 0.0);
    }

    #[test]
    fn median_and_range() {
        let s = Samples(vec![3e6, 1e5, 2e6]);
        assert_eq!(s.median(), 2e6);
        assert_eq!(s.cell(), "2.00M (100k–3.00M)");
        assert_eq!(ratio(&s, &Samples(vec![1e6])), "2.00×");
        // Runs at 1.5×, 0.5× and 2.0× of theirs: the paired ratio is the
        // middle one, where the medians' ratio is 2.00×.
        let theirs = Samples(vec![2e6, 2e5, 1e6]);
        assert_eq!(paired_ratio(&s, &theirs), "1.50×");
        assert_eq!(ratio(&s, &theirs), "2.00×");
        assert_eq!(Samples::default().median(), 0.0);
        assert_eq!(Samples(vec![50_100.0, 49_900.0]).cell(), "50k");
    }
}
