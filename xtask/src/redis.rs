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
        let dir = std::env::temp_dir().join(format!("redsim-oracle-{port}"));
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

    pub fn connect(&self) -> io::Result<RespClient> {
        let stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(RespClient {
            stream,
            buf: Vec::new(),
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
}

impl RespClient {
    pub fn call(&mut self, argv: &[Vec<u8>]) -> io::Result<Vec<u8>> {
        let mut request = format!("*{}\r\n", argv.len()).into_bytes();
        for arg in argv {
            request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            request.extend_from_slice(arg);
            request.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&request)?;
        let mut chunk = [0u8; 65536];
        loop {
            match parse_reply(&self.buf) {
                Ok(Some((_, used))) => return Ok(self.buf.drain(..used).collect()),
                Ok(None) => {}
                Err(err) => {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, err.to_string()))
                }
            }
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "redis closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}
