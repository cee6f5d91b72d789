//! `redsim-server`: the engine behind a TCP socket, speaking RESP2 and RESP3
//! so redis-cli, redis-benchmark and client libraries can use it.
//!
//! One thread runs everything, as Redis's event loop does: it waits on
//! every socket at once (epoll through `mio`), reads what arrived, runs the
//! complete requests, and writes the replies back. The engine needs no lock
//! and a reply no hand-off to another thread: an earlier design with a
//! reader and a writer thread per connection around a mutex spent about a
//! quarter of its time passing work between threads.
//!
//! After each client's batch of requests the frames the engine queued for
//! any client (pub/sub messages, replies to blocking commands served later)
//! join that client's output, so a PUBLISH here reaches a subscriber there
//! in order. Every 100 ms the loop calls `tick`, like Redis's `hz 10`.
//!
//! Persistence is Redis's RDB file: `dir`/`dbfilename` is loaded at
//! startup if it exists, and each snapshot the engine makes (SAVE, BGSAVE,
//! the `save` policy) is written there, through a temporary file renamed
//! into place, before the client that asked is answered.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mio::net::{TcpListener as Listener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use redsim_engine::client::Peer;
use redsim_engine::resp::{encode, RequestLimits};
use redsim_engine::{ClientId, Config, Engine};

/// Largest unparsed input kept for one client before it is disconnected
/// (Redis's client-query-buffer-limit default, 1 GB).
const MAX_QUERY_BUFFER: usize = 1024 * 1024 * 1024;
const READ_CHUNK: usize = 16 * 1024;
/// Redis's `hz 10`: the cron (active expiry, blocking timeouts) period.
const TICK: Duration = Duration::from_millis(100);
/// How many chunks one client may read in a pass of the event loop before
/// the others have their turn. Redis reads one 16 KB chunk per pass; four
/// run a streamed pipeline (`redis-cli --pipe`) 15-20% faster here, with
/// fewer, larger batches and writes, and keep another client's wait to
/// about 64 KB of requests.
const READS_PER_PASS: usize = 4;
/// The listening socket's token; clients use their id as theirs.
const LISTENER: Token = Token(usize::MAX);

/// Wall-clock unix time in milliseconds: the engine's clock in this host.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// An engine on the host's clocks, with `settings` (parameter name and
/// value pairs) applied as startup configuration, holding the RDB file at
/// `dir`/`dbfilename` if there is one. `dir` is the working directory
/// unless set, as for a redis-server started without a configuration file.
pub fn engine(settings: &[(String, String)]) -> Result<Engine, String> {
    let mut engine = Engine::new(Config {
        now_ms: now_ms(),
        seed: seed(),
        ..Config::default()
    });
    engine.set_timer(monotonic_us);
    let cwd = std::env::current_dir()
        .map(|dir| dir.to_string_lossy().into_owned())
        .unwrap_or_else(|_| ".".to_string());
    engine.configure(&[("dir", cwd.as_str())])?;
    let pairs: Vec<(&str, &str)> = settings
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    engine.configure(&pairs)?;
    let path = dump_path(&engine);
    match std::fs::read(&path) {
        Ok(bytes) => engine
            .load_snapshot(&bytes)
            .map_err(|err| format!("cannot load {}: {err}", path.display()))?,
        Err(err) if err.kind() == ErrorKind::NotFound => {}
        Err(err) => return Err(format!("cannot read {}: {err}", path.display())),
    }
    Ok(engine)
}

/// Where the RDB file lives: `dir`/`dbfilename`, as CONFIG sets them.
fn dump_path(engine: &Engine) -> PathBuf {
    PathBuf::from(engine.config_text("dir")).join(engine.config_text("dbfilename"))
}

/// Writes a snapshot the engine made to its file, as Redis does: into a
/// temporary file in the same directory, synced, then renamed over the
/// old one, so a crash midway leaves the previous file whole.
fn write_dump(engine: &Engine, bytes: &[u8]) -> io::Result<()> {
    let path = dump_path(engine);
    let temp = path.with_file_name(format!("temp-{}.rdb", std::process::id()));
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temp, &path)
}

/// Serves `listener` forever with a default engine.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    let engine = engine(&[]).map_err(io::Error::other)?;
    serve_engine(listener, engine)
}

/// Serves `listener` forever with `engine`.
pub fn serve_engine(listener: TcpListener, engine: Engine) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut listener = Listener::from_std(listener);
    let poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut server = Server {
        poll,
        listener,
        engine,
        conns: HashMap::new(),
        parked: Vec::new(),
        resized: Vec::new(),
        limits: RequestLimits::default(),
        chunk: Box::new([0; READ_CHUNK]),
        unread: Vec::new(),
    };
    server.run()
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

/// One client connection.
struct Conn {
    stream: TcpStream,
    /// Bytes read and not yet parsed: a partial request, or requests that
    /// wait while the client is blocked (Redis's query buffer).
    input: Vec<u8>,
    /// Encoded frames not yet written to the socket.
    output: Vec<u8>,
    /// What the engine was last told of `output` (`set_backlogs`).
    reported: usize,
    /// Close once `output` is written: QUIT, a protocol error, the peer
    /// done sending.
    closing: bool,
    /// In `Server::unread`: the last read filled the chunk.
    unread: bool,
}

struct Server {
    poll: Poll,
    listener: Listener,
    engine: Engine,
    conns: HashMap<ClientId, Conn>,
    /// Clients that stopped running their input because they blocked;
    /// they go on once served.
    parked: Vec<ClientId>,
    /// Clients whose output may have changed length since `deliver` last
    /// reported it: only these are looked at, not every connection after
    /// every batch of requests.
    resized: Vec<ClientId>,
    limits: RequestLimits,
    /// Where each read lands before joining a client's input: one buffer
    /// for all, zeroed once rather than 16 KB per read.
    chunk: Box<[u8; READ_CHUNK]>,
    /// Clients whose last read filled the chunk (or whose peer is done
    /// sending, `true`), so their socket may hold more; readiness is
    /// edge-triggered, so no new event will say so. Each reads a few
    /// chunks per pass of the loop (`READS_PER_PASS`), as Redis reads one:
    /// a client streaming megabytes (`redis-cli --pipe`) gets replies as
    /// it sends, and the others are not kept waiting until it stops.
    unread: Vec<(ClientId, bool)>,
}

impl Server {
    fn run(&mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        let mut next_tick = Instant::now() + TICK;
        loop {
            let wait = if self.unread.is_empty() {
                next_tick.saturating_duration_since(Instant::now())
            } else {
                Duration::ZERO
            };
            match self.poll.poll(&mut events, Some(wait)) {
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                other => other?,
            }
            for event in events.iter() {
                if event.token() == LISTENER {
                    self.accept()?;
                } else {
                    let id = event.token().0 as ClientId;
                    let closed = event.is_read_closed() || event.is_error();
                    if event.is_readable() || closed {
                        self.read(id, closed);
                    }
                    self.write(id);
                }
            }
            for (id, closed) in std::mem::take(&mut self.unread) {
                let Some(conn) = self.conns.get_mut(&id) else {
                    continue;
                };
                conn.unread = false;
                self.read(id, closed);
                self.write(id);
            }
            if Instant::now() >= next_tick {
                self.engine.tick(now_ms());
                next_tick = Instant::now() + TICK;
                self.persist();
                self.deliver();
            }
            self.resume_parked();
            self.write_all();
        }
    }

    fn accept(&mut self) -> io::Result<()> {
        loop {
            let (mut stream, addr) = match self.listener.accept() {
                Ok(accepted) => accepted,
                Err(err) if err.kind() == ErrorKind::WouldBlock => return Ok(()),
                // A connection reset before it was accepted, or out of
                // descriptors for now: the next one may do.
                Err(_) => return Ok(()),
            };
            let _ = stream.set_nodelay(true);
            let peer = Peer {
                addr: addr.to_string(),
                laddr: stream
                    .local_addr()
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                fd: socket_fd(&stream),
            };
            let id = self.engine.connect_from(peer);
            let registered = self.poll.registry().register(
                &mut stream,
                Token(id as usize),
                Interest::READABLE | Interest::WRITABLE,
            );
            if registered.is_err() {
                self.engine.disconnect(id);
                continue;
            }
            self.conns.insert(
                id,
                Conn {
                    stream,
                    input: Vec::new(),
                    output: Vec::new(),
                    reported: 0,
                    closing: false,
                    unread: false,
                },
            );
        }
    }

    /// Reads up to `READS_PER_PASS` chunks and runs the complete requests;
    /// if the last read filled its chunk, the client goes on `unread` for
    /// more in the loop's next pass. `closed`: the event said the peer is
    /// done sending, so the reading goes on to the end of the stream.
    fn read(&mut self, id: ClientId, closed: bool) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        if conn.closing {
            // What follows QUIT or a protocol error is never read.
            return;
        }
        let chunk = &mut self.chunk[..];
        let mut reads = 0;
        let more = loop {
            match conn.stream.read(chunk) {
                Ok(0) => {
                    conn.closing = true;
                    break false;
                }
                Ok(n) => {
                    conn.input
                        .extend_from_slice(chunk.get(..n).unwrap_or_default());
                    reads += 1;
                    // A read that did not fill the chunk emptied the
                    // socket, and bytes (or the peer's close) arriving
                    // later raise a new event: reading again only to hear
                    // "would block" cost a second system call per batch,
                    // where Redis makes one.
                    if n < chunk.len() && !closed {
                        break false;
                    }
                    if reads == READS_PER_PASS {
                        break true;
                    }
                }
                Err(err) if err.kind() == ErrorKind::WouldBlock => break false,
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.close(id);
                    return;
                }
            }
        };
        if conn.input.len() > MAX_QUERY_BUFFER {
            self.close(id);
            return;
        }
        if more && !conn.unread {
            conn.unread = true;
            self.unread.push((id, closed));
        }
        self.run_requests(id);
    }

    /// Runs every complete request at the start of the client's input
    /// while it is neither blocked nor closing; a protocol error is
    /// answered as Redis answers it, then the connection closes. Then
    /// everyone's waiting frames join their outputs.
    fn run_requests(&mut self, id: ClientId) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let engine = &mut self.engine;
        engine.set_time(now_ms());
        let served = engine.serve_input(id, &conn.input, &self.limits, &mut conn.output);
        if served.protocol_error {
            // What follows a protocol error is never read.
            conn.closing = true;
            conn.input.clear();
        } else {
            conn.input.drain(..served.consumed.min(conn.input.len()));
        }
        if !conn.input.is_empty() && engine.is_blocked(id) {
            self.parked.push(id);
        }
        self.resized.push(id);
        self.persist();
        self.deliver();
    }

    /// Writes the snapshot a SAVE, BGSAVE or the `save` policy made, if
    /// any; the replies saying it is saved are not written yet.
    fn persist(&mut self) {
        if let Some(bytes) = self.engine.take_snapshot() {
            if let Err(err) = write_dump(&self.engine, &bytes) {
                // Redis logs a failed save and goes on serving.
                eprintln!("cannot write {}: {err}", dump_path(&self.engine).display());
            }
        }
    }

    /// Moves the frames the engine queued for each client into its output,
    /// after telling the engine how much output each still holds so that
    /// `client-output-buffer-limit` counts it.
    fn deliver(&mut self) {
        let mut resized = std::mem::take(&mut self.resized);
        resized.sort_unstable();
        resized.dedup();
        let backlogs: Vec<(ClientId, usize)> = resized
            .drain(..)
            .filter_map(|id| {
                let conn = self.conns.get_mut(&id)?;
                let length = conn.output.len();
                (length != conn.reported).then(|| {
                    conn.reported = length;
                    (id, length)
                })
            })
            .collect();
        // Keeps the allocation.
        self.resized = resized;
        if !backlogs.is_empty() {
            self.engine.set_backlogs(&backlogs);
        }
        for id in self.engine.clients_with_output() {
            let frames = self.engine.take_output(id);
            let proto = self.engine.protocol(id);
            if let Some(conn) = self.conns.get_mut(&id) {
                for frame in frames {
                    encode(&frame, proto, &mut conn.output);
                }
                self.resized.push(id);
            }
        }
    }

    /// Clients served since they blocked go on with what they sent.
    fn resume_parked(&mut self) {
        if self.parked.is_empty() {
            return;
        }
        let parked = std::mem::take(&mut self.parked);
        for id in parked {
            if self.engine.is_blocked(id) {
                self.parked.push(id);
            } else {
                self.run_requests(id);
            }
        }
    }

    /// Writes every client's waiting output, and closes the connections
    /// that are done.
    fn write_all(&mut self) {
        let ids: Vec<ClientId> = self
            .conns
            .iter()
            .filter(|(&id, conn)| {
                !conn.output.is_empty() || conn.closing || self.engine.should_close(id)
            })
            .map(|(&id, _)| id)
            .collect();
        for id in ids {
            self.write(id);
        }
    }

    /// Writes what the socket takes of the client's output; closes the
    /// connection once a closing client's output is out, or at once for a
    /// client over its output buffer limit (what it did not read is
    /// dropped, as Redis drops it).
    fn write(&mut self, id: ClientId) {
        if self.engine.output_dropped(id) {
            self.close(id);
            return;
        }
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let mut written = 0;
        while written < conn.output.len() {
            match conn
                .stream
                .write(conn.output.get(written..).unwrap_or_default())
            {
                Ok(0) => break,
                Ok(n) => written += n,
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(err) if err.kind() == ErrorKind::WouldBlock => break,
                Err(_) => {
                    self.close(id);
                    return;
                }
            }
        }
        conn.output.drain(..written);
        if written > 0 {
            self.resized.push(id);
        }
        let done = conn.closing || self.engine.should_close(id);
        if done && conn.output.is_empty() {
            self.close(id);
        }
    }

    fn close(&mut self, id: ClientId) {
        if let Some(mut conn) = self.conns.remove(&id) {
            let _ = self.poll.registry().deregister(&mut conn.stream);
            let _ = conn.stream.shutdown(Shutdown::Both);
        }
        self.engine.disconnect(id);
        self.parked.retain(|&parked| parked != id);
    }
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
