//! Replays RESP requests through `Engine::serve_input` the way
//! redsim-server feeds it (16 KB reads, replies encoded into one buffer),
//! with no sockets: the engine's whole cost per command, for profilers.
//!
//! ```text
//! cargo build --release -p redsim-engine --example serve_replay
//! valgrind --tool=callgrind --toggle-collect=serve_replay::replay \
//!     target/release/examples/serve_replay target/bench/strings.resp
//! target/release/examples/serve_replay --repeat get 1000000
//! ```
//!
//! A file is replayed as is (`cargo xtask bench` writes the workloads'
//! `.resp` files under `target/bench/`). `--repeat` runs redis-benchmark's
//! request for one of its tests (`set`, `get`, `incr`, `lpush`, `hset`,
//! `zadd`) the given number of times, 16 to a read as `-P 16` sends them;
//! `get` finds its key set first, as after redis-benchmark's SET test.
//! Instructions per command (callgrind's total over the count, collected
//! in `replay` only) are what to compare between builds: times on a shared
//! machine swing too much.

use std::time::Instant;

use redsim_engine::resp::{self, RequestLimits};
use redsim_engine::{ClientId, Config, Engine};

/// What redsim-server reads at a time.
const READ_CHUNK: usize = 16 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = match args.as_slice() {
        [flag, test, count] if flag == "--repeat" => match (request(test), count.parse()) {
            (Some(one), Ok(count)) => one.repeat(count),
            _ => usage(),
        },
        [path] => match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("cannot read {path}: {err}");
                std::process::exit(1);
            }
        },
        _ => usage(),
    };
    let commands = count_requests(&input);
    let mut engine = Engine::new(Config::default());
    engine.set_timer(monotonic_us);
    let client = engine.connect();
    engine.execute(client, &["SET", "key:__rand_int__", "xxx"]);
    let started = Instant::now();
    replay(&mut engine, client, &input);
    let elapsed = started.elapsed();
    println!(
        "{commands} commands in {elapsed:?}: {:.0} ns each",
        elapsed.as_nanos() as f64 / commands.max(1) as f64
    );
}

/// How many whole requests `input` holds.
fn count_requests(input: &[u8]) -> usize {
    let limits = RequestLimits::default();
    let (mut at, mut count) = (0, 0);
    while let Ok(Some((_, used))) =
        resp::parse_request(input.get(at..).unwrap_or_default(), &limits)
    {
        at += used;
        count += 1;
    }
    count
}

/// Feeds `input` to the engine a read at a time, as the server does.
/// Never inlined, so that callgrind can count this alone
/// (`--toggle-collect=serve_replay::replay`), without the start-up and
/// the counting of requests.
#[inline(never)]
fn replay(engine: &mut Engine, client: ClientId, input: &[u8]) {
    let limits = RequestLimits::default();
    let mut pending = Vec::new();
    let mut output = Vec::new();
    for read in input.chunks(READ_CHUNK) {
        pending.extend_from_slice(read);
        let served = engine.serve_input(client, &pending, &limits, &mut output);
        pending.drain(..served.consumed.min(pending.len()));
        output.clear();
    }
}

/// A request like redis-benchmark's for `test`, in RESP.
fn request(test: &str) -> Option<Vec<u8>> {
    let argv: &[&str] = match test {
        "set" => &["SET", "key:__rand_int__", "xxx"],
        "get" => &["GET", "key:__rand_int__"],
        "incr" => &["INCR", "counter:__rand_int__"],
        "lpush" => &["LPUSH", "mylist", "xxx"],
        "hset" => &["HSET", "myhash", "element:__rand_int__", "xxx"],
        "zadd" => &["ZADD", "myzset", "0", "element:__rand_int__"],
        _ => return None,
    };
    let mut out = format!("*{}\r\n", argv.len()).into_bytes();
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
    }
    Some(out)
}

/// The server's command clock: microseconds on a monotonic clock.
fn monotonic_us() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(Instant::now).elapsed();
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

fn usage() -> ! {
    eprintln!("usage: serve_replay FILE.resp | serve_replay --repeat TEST COUNT");
    std::process::exit(2);
}
