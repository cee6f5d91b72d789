//! `redsim-server`: the engine behind a TCP socket, speaking RESP2 and RESP3
//! so redis-cli, redis-benchmark and client libraries can use it.
//!
//! The engine sits behind one mutex (commands are atomic, as in Redis's
//! single thread) together with a sender per connection. Each connection
//! has a reader thread, which parses requests and runs them, and a writer
//! thread, which sends whatever the hub queues for it. After every batch of
//! commands and every tick, the hub moves each client's waiting frames
//! (replies, pub/sub messages, replies to blocking commands served later)
//! to that client's writer, so a PUBLISH here reaches a subscriber there.
//! A cron thread calls `tick` ten times a second, like Redis's `hz 10`.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redsim_engine::client::Peer;
use redsim_engine::resp::{encode, parse_request, ProtocolError, RequestLimits};
use redsim_engine::{ClientId, Config, Engine, Reply};

/// Largest unparsed input kept for one client before it is disconnected
/// (Redis's client-query-buffer-limit default, 1 GB).
const MAX_QUERY_BUFFER: usize = 1024 * 1024 * 1024;
const READ_CHUNK: usize = 16 * 1024;
/// How often a reader whose client is blocked looks at its buffered input
/// again (the client may have been served meanwhile).
const BLOCKED_POLL: Duration = Duration::from_millis(20);

/// Wall-clock unix time in milliseconds: the engine's clock in this host.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// What a connection's writer thread is told.
enum Out {
    Bytes(Vec<u8>),
    /// Send what came before, then close (QUIT, CLIENT KILL, protocol error).
    Close,
}

/// One connection's way out: its writer thread's queue, the bytes queued
/// and not yet written, and the socket itself, to cut it off at once.
struct Writer {
    sender: Sender<Out>,
    queued: Arc<AtomicUsize>,
    socket: TcpStream,
}

impl Writer {
    fn send(&self, bytes: Vec<u8>) {
        self.queued.fetch_add(bytes.len(), Ordering::Relaxed);
        // A writer that is gone belongs to a closing connection.
        let _ = self.sender.send(Out::Bytes(bytes));
    }

    fn close(&self) {
        let _ = self.sender.send(Out::Close);
    }
}

/// The engine and where each client's output goes.
struct Hub {
    engine: Engine,
    writers: HashMap<ClientId, Writer>,
}

impl Hub {
    /// Hands every client's waiting frames to its writer, and closes the
    /// connections the engine wants closed: after what was queued for
    /// them, or at once for a client over its output buffer limit (what
    /// it did not read is dropped, as Redis drops it).
    fn flush(&mut self) {
        let backlogs: Vec<(ClientId, usize)> = self
            .writers
            .iter()
            .map(|(&id, writer)| (id, writer.queued.load(Ordering::Relaxed)))
            .collect();
        self.engine.set_backlogs(&backlogs);
        for id in self.engine.clients_with_output() {
            let frames = self.engine.take_output(id);
            let proto = self.engine.protocol(id);
            let mut bytes = Vec::new();
            for frame in frames {
                encode(&frame, proto, &mut bytes);
            }
            if let Some(writer) = self.writers.get(&id) {
                writer.send(bytes);
            }
        }
        for (&id, writer) in &self.writers {
            if self.engine.output_dropped(id) {
                let _ = writer.socket.shutdown(Shutdown::Both);
            } else if self.engine.should_close(id) {
                writer.close();
            }
        }
    }
}

type Shared = Arc<Mutex<Hub>>;

fn lock(hub: &Shared) -> MutexGuard<'_, Hub> {
    // A connection thread that panicked must not take the data with it.
    hub.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An engine on the host's clocks, with `settings` (parameter name and
/// value pairs) applied as startup configuration.
pub fn engine(settings: &[(String, String)]) -> Result<Engine, String> {
    let mut engine = Engine::new(Config {
        now_ms: now_ms(),
        seed: seed(),
        ..Config::default()
    });
    engine.set_timer(monotonic_us);
    let pairs: Vec<(&str, &str)> = settings
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    engine.configure(&pairs)?;
    Ok(engine)
}

/// Serves `listener` forever with a default engine.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    let engine = engine(&[]).map_err(io::Error::other)?;
    serve_engine(listener, engine)
}

/// Serves `listener` forever with `engine`.
pub fn serve_engine(listener: TcpListener, engine: Engine) -> io::Result<()> {
    let hub: Shared = Arc::new(Mutex::new(Hub {
        engine,
        writers: HashMap::new(),
    }));
    let cron = Arc::clone(&hub);
    thread::spawn(move || loop {
        thread::sleep(Duration::from_millis(100));
        let mut hub = lock(&cron);
        hub.engine.tick(now_ms());
        hub.flush();
    });
    for stream in listener.incoming() {
        let stream = stream?;
        let hub = Arc::clone(&hub);
        thread::spawn(move || {
            // A client that goes away mid-reply is not the server's problem.
            let _ = handle(stream, &hub);
        });
    }
    Ok(())
}

/// Microseconds on a monotonic clock, for command durations (SLOWLOG).
fn monotonic_us() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let elapsed = START.get_or_init(Instant::now).elapsed();
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

/// A seed that differs between runs, as Redis's random choices do.
fn seed() -> u64 {
    u64::try_from(now_ms()).unwrap_or(0) ^ u64::from(std::process::id()).rotate_left(32)
}

fn handle(mut stream: TcpStream, hub: &Shared) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let writer_stream = stream.try_clone()?;
    let (sender, receiver) = mpsc::channel();
    let queued = Arc::new(AtomicUsize::new(0));
    let written = Arc::clone(&queued);
    let peer = Peer {
        addr: stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        laddr: stream
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        fd: socket_fd(&stream),
    };
    let client = {
        let mut hub = lock(hub);
        let id = hub.engine.connect_from(peer);
        hub.writers.insert(
            id,
            Writer {
                sender,
                queued,
                socket: stream.try_clone()?,
            },
        );
        id
    };
    let writer = thread::spawn(move || write_loop(writer_stream, receiver, &written));
    let result = serve_client(&mut stream, hub, client);
    {
        let mut hub = lock(hub);
        hub.engine.disconnect(client);
        hub.writers.remove(&client);
    }
    let _ = writer.join();
    result
}

/// The socket's file descriptor, which CLIENT LIST reports as `fd`.
#[cfg(unix)]
fn socket_fd(stream: &TcpStream) -> i64 {
    use std::os::fd::AsRawFd;
    i64::from(stream.as_raw_fd())
}

#[cfg(not(unix))]
fn socket_fd(_stream: &TcpStream) -> i64 {
    -1
}

/// Sends what the hub queues until told to close or the connection ends.
fn write_loop(mut stream: TcpStream, receiver: Receiver<Out>, queued: &AtomicUsize) {
    while let Ok(out) = receiver.recv() {
        match out {
            Out::Bytes(bytes) => {
                if stream.write_all(&bytes).is_err() {
                    break;
                }
                queued.fetch_sub(bytes.len(), Ordering::Relaxed);
            }
            Out::Close => break,
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

fn serve_client(stream: &mut TcpStream, hub: &Shared, client: ClientId) -> io::Result<()> {
    let limits = RequestLimits::default();
    let mut input: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; READ_CHUNK];
    stream.set_read_timeout(Some(BLOCKED_POLL))?;
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => input.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if input.is_empty() {
                    continue;
                }
            }
            Err(err) => return Err(err),
        }
        let (consumed, failure, closing) = run_requests(&input, hub, client, &limits);
        input.drain(..consumed);
        if let Some(err) = failure {
            // Redis answers a protocol error, then closes the connection.
            let mut hub = lock(hub);
            let mut bytes = Vec::new();
            encode(
                &Reply::Error(format!("ERR {err}")),
                hub.engine.protocol(client),
                &mut bytes,
            );
            if let Some(writer) = hub.writers.get(&client) {
                writer.send(bytes);
                writer.close();
            }
            hub.writers.remove(&client);
            return Ok(());
        }
        if closing || input.len() > MAX_QUERY_BUFFER {
            return Ok(());
        }
    }
}

/// Runs every complete request at the start of `input` (stopping while the
/// client is blocked: the rest waits, as Redis leaves it in the query
/// buffer), then flushes everyone's output. Returns the bytes consumed,
/// any protocol error, and whether the connection is to be closed.
fn run_requests(
    input: &[u8],
    hub: &Shared,
    client: ClientId,
    limits: &RequestLimits,
) -> (usize, Option<ProtocolError>, bool) {
    let mut consumed = 0;
    let mut failure = None;
    let mut hub = lock(hub);
    hub.engine.set_time(now_ms());
    let mut own = Vec::new();
    while !hub.engine.is_blocked(client) && !hub.engine.should_close(client) {
        match parse_request(input.get(consumed..).unwrap_or_default(), limits) {
            Ok(Some((argv, used))) => {
                consumed += used;
                if argv.is_empty() {
                    continue;
                }
                let reply = hub.engine.execute(client, &argv);
                encode(&reply, hub.engine.protocol(client), &mut own);
            }
            Ok(None) => break,
            Err(err) => {
                failure = Some(err);
                break;
            }
        }
    }
    if !own.is_empty() {
        if let Some(writer) = hub.writers.get(&client) {
            writer.send(own);
        }
    }
    hub.flush();
    let closing = hub.engine.should_close(client);
    (consumed, failure, closing)
}

#[cfg(test)]
mod tests {
    use super::engine;

    fn setting(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn startup_options_set_parameters_including_immutable_ones() {
        let mut e = engine(&[
            setting("maxmemory", "10mb"),
            setting("enable-debug-command", "yes"),
        ])
        .unwrap_or_else(|err| panic!("{err}"));
        let c = e.connect();
        let line = |e: &mut redsim_engine::Engine, text: &str| {
            redsim_engine::reply::cli::run_line(e, c, text)
        };
        assert_eq!(
            line(&mut e, "CONFIG GET maxmemory"),
            "1) \"maxmemory\"\n2) \"10485760\""
        );
        assert_eq!(
            line(&mut e, "CONFIG GET enable-debug-command"),
            "1) \"enable-debug-command\"\n2) \"yes\""
        );
        // At run time the same parameter stays immutable.
        assert!(line(&mut e, "CONFIG SET enable-debug-command no")
            .contains("can't set immutable config"));
        let bad = engine(&[setting("maxmemory", "lots")]).err();
        assert_eq!(
            bad.as_deref(),
            Some("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")
        );
    }
}
