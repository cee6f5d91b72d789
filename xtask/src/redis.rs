//! A private, throwaway `redis-server` on a loopback port (the oracle), and
//! a minimal RESP client to talk to it.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use redsim_engine::resp::parse_reply;

/// A running redis-server, stopped when dropped.
pub struct RedisServer {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// Starts Debian's redis-server with no persistence in a scratch directory.
    pub fn start(port: u16) -> io::Result<RedisServer> {
        RedisServer::start_binary(Command::new("redis-server"), port)
    }

    /// Starts the given redis-server command the same way.
    pub fn start_binary(mut command: Command, port: u16) -> io::Result<RedisServer> {
        let dir = RedisServer::scratch_dir(port);
        std::fs::create_dir_all(&dir)?;
        let child = command
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()?;
        let server = RedisServer { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            thread::sleep(Duration::from_millis(20));
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "redis-server did not start",
        ))
    }

    /// The `--dir` of the server on `port`, removed when it stops: a file
    /// put there first (a dump.rdb) is what the next server on that port
    /// starts from.
    pub fn scratch_dir(port: u16) -> PathBuf {
        std::env::temp_dir().join(format!("redsim-oracle-{port}"))
    }

    /// The server's process id, to read its memory from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn connect(&self) -> io::Result<RespClient> {
        let stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(RespClient {
            stream,
            buf: Vec::new(),
            closed: false,
        })
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sends commands as RESP multibulk and returns each reply's raw bytes.
pub struct RespClient {
    stream: TcpStream,
    buf: Vec<u8>,
    /// The server closed the connection (QUIT, CLIENT KILL).
    pub closed: bool,
}

impl RespClient {
    /// Sends one command and waits for exactly one reply.
    pub fn call(&mut self, argv: &[Vec<u8>]) -> io::Result<Vec<u8>> {
        self.send(argv)?;
        let mut chunk = [0u8; 65536];
        loop {
            if let Some(frame) = self.next_frame()? {
                return Ok(frame);
            }
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "redis closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Sends one command without waiting for anything.
    pub fn send(&mut self, argv: &[Vec<u8>]) -> io::Result<()> {
        let mut request = format!("*{}\r\n", argv.len()).into_bytes();
        for arg in argv {
            request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            request.extend_from_slice(arg);
            request.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&request)
    }

    /// Every complete frame that has arrived, without waiting; and whether
    /// any bytes arrived at all (a large frame may still be incomplete).
    /// Once the server has closed the connection, `closed` is set.
    pub fn poll(&mut self) -> io::Result<(Vec<Vec<u8>>, bool)> {
        self.stream.set_nonblocking(true)?;
        let mut chunk = [0u8; 65536];
        let mut arrived = false;
        let read = loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    self.closed = true;
                    break Ok(());
                }
                Ok(n) => {
                    arrived = true;
                    self.buf.extend_from_slice(&chunk[..n]);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.stream.set_nonblocking(false)?;
        read?;
        let mut frames = Vec::new();
        while let Some(frame) = self.next_frame()? {
            frames.push(frame);
        }
        Ok((frames, arrived))
    }

    /// The first complete frame in the buffer, taken out of it.
    fn next_frame(&mut self) -> io::Result<Option<Vec<u8>>> {
        match parse_reply(&self.buf) {
            Ok(Some((_, used))) => Ok(Some(self.buf.drain(..used).collect())),
            Ok(None) => Ok(None),
            Err(err) => Err(io::Error::new(io::ErrorKind::InvalidData, err.to_string())),
        }
    }
}
