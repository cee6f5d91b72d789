//! `redsim-server`: the engine behind a TCP socket, speaking RESP2 and RESP3
//! so redis-cli, redis-benchmark and client libraries can use it.
//!
//! One thread per connection; the engine sits behind a mutex (commands are
//! atomic, as in Redis's single thread) and a cron thread calls `tick` ten
//! times a second, like Redis's `hz 10`. Each connection reads what has
//! arrived, runs every complete request in it (pipelining), and writes all
//! replies back in one write.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redsim_engine::resp::{encode, parse_request, ProtocolError, RequestLimits};
use redsim_engine::{Config, Engine, Reply};

/// Largest unparsed input kept for one client before it is disconnected
/// (Redis's client-query-buffer-limit default, 1 GB).
const MAX_QUERY_BUFFER: usize = 1024 * 1024 * 1024;
const READ_CHUNK: usize = 16 * 1024;

/// Wall-clock unix time in milliseconds: the engine's clock in this host.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

type Shared = Arc<Mutex<Engine>>;

fn lock(engine: &Shared) -> MutexGuard<'_, Engine> {
    // A connection thread that panicked must not take the data with it.
    engine.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Serves `listener` forever.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    let engine: Shared = Arc::new(Mutex::new(Engine::new(Config {
        now_ms: now_ms(),
        seed: seed(),
        ..Config::default()
    })));
    let cron = Arc::clone(&engine);
    thread::spawn(move || loop {
        thread::sleep(Duration::from_millis(100));
        lock(&cron).tick(now_ms());
    });
    for stream in listener.incoming() {
        let stream = stream?;
        let engine = Arc::clone(&engine);
        thread::spawn(move || {
            // A client that goes away mid-reply is not the server's problem.
            let _ = handle(stream, &engine);
        });
    }
    Ok(())
}

/// A seed that differs between runs, as Redis's random choices do.
fn seed() -> u64 {
    u64::try_from(now_ms()).unwrap_or(0) ^ u64::from(std::process::id()).rotate_left(32)
}

fn handle(mut stream: TcpStream, engine: &Shared) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let client = lock(engine).connect();
    let result = serve_client(&mut stream, engine, client);
    lock(engine).disconnect(client);
    result
}

fn serve_client(stream: &mut TcpStream, engine: &Shared, client: u64) -> io::Result<()> {
    let limits = RequestLimits::default();
    let mut input: Vec<u8> = Vec::new();
    let mut output: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        input.extend_from_slice(&chunk[..n]);
        let (consumed, failure) = run_requests(&input, engine, client, &limits, &mut output);
        input.drain(..consumed);
        if let Some(err) = failure {
            // Redis answers a protocol error, then closes the connection.
            encode(
                &Reply::Error(format!("ERR {err}")),
                Default::default(),
                &mut output,
            );
            stream.write_all(&output)?;
            return Ok(());
        }
        if !output.is_empty() {
            stream.write_all(&output)?;
            output.clear();
        }
        if input.len() > MAX_QUERY_BUFFER {
            return Ok(());
        }
    }
}

/// Runs every complete request at the start of `input`, appending replies to
/// `output`. Returns how many bytes were consumed and any protocol error.
fn run_requests(
    input: &[u8],
    engine: &Shared,
    client: u64,
    limits: &RequestLimits,
    output: &mut Vec<u8>,
) -> (usize, Option<ProtocolError>) {
    let mut consumed = 0;
    let mut engine = lock(engine);
    engine.set_time(now_ms());
    loop {
        match parse_request(&input[consumed..], limits) {
            Ok(Some((argv, used))) => {
                consumed += used;
                if argv.is_empty() {
                    continue;
                }
                let reply = engine.execute(client, &argv);
                encode(&reply, engine.protocol(client), output);
            }
            Ok(None) => return (consumed, None),
            Err(err) => return (consumed, Some(err)),
        }
    }
}
