//! The server over real sockets: raw RESP (pipelining, RESP3, protocol
//! errors), the real `redis-cli` (installed by `cargo xtask test`), and the
//! binary's own command line.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Starts an in-process server on a free loopback port.
fn start() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    thread::spawn(move || redsim_server::serve(listener));
    port
}

/// Sends `request` and reads until `expected_len` bytes arrived (or EOF).
fn exchange(stream: &mut TcpStream, request: &[u8], expected_len: usize) -> Vec<u8> {
    stream.write_all(request).expect("write");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    while got.len() < expected_len {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(err) => panic!(
                "read failed after {:?}: {err}",
                String::from_utf8_lossy(&got)
            ),
        }
    }
    got
}

#[test]
fn pipelined_requests_answer_in_order() {
    let mut s = TcpStream::connect(("127.0.0.1", start())).expect("connect");
    let request = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\nGET nosuch\r\n";
    let expected = b"+OK\r\n$1\r\nv\r\n+PONG\r\n$-1\r\n";
    assert_eq!(exchange(&mut s, request, expected.len()), expected);
}

#[test]
fn requests_split_across_reads_are_joined() {
    let mut s = TcpStream::connect(("127.0.0.1", start())).expect("connect");
    s.write_all(b"*2\r\n$4\r\nECHO\r\n$5\r\nhel")
        .expect("write");
    thread::sleep(Duration::from_millis(50));
    assert_eq!(exchange(&mut s, b"lo\r\n", 11), b"$5\r\nhello\r\n");
}

#[test]
fn hello_3_switches_to_resp3() {
    let mut s = TcpStream::connect(("127.0.0.1", start())).expect("connect");
    let hello = b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
    assert_eq!(exchange(&mut s, b"HELLO 3\r\n", hello.len()), hello);
    assert_eq!(exchange(&mut s, b"GET nosuch\r\n", 3), b"_\r\n");
}

#[test]
fn protocol_errors_answer_then_close() {
    let mut s = TcpStream::connect(("127.0.0.1", start())).expect("connect");
    let reply = exchange(&mut s, b"*1\r\n$-3\r\n", 1000);
    assert_eq!(reply, b"-ERR Protocol error: invalid bulk length\r\n");
}

/// Runs the real redis-cli against `port` and returns what it printed.
fn redis_cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "--no-raw"])
        .args(args)
        .output()
        .expect("redis-cli not found: `cargo xtask test` installs redis-tools");
    assert!(output.status.success(), "redis-cli failed: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn redis_cli_talks_to_the_server() {
    let port = start();
    assert_eq!(redis_cli(port, &["PING"]), "PONG\n");
    assert_eq!(redis_cli(port, &["SET", "greeting", "hello"]), "OK\n");
    assert_eq!(redis_cli(port, &["GET", "greeting"]), "\"hello\"\n");
    assert_eq!(
        redis_cli(port, &["EXPIRE", "greeting", "100"]),
        "(integer) 1\n"
    );
    assert_eq!(redis_cli(port, &["TTL", "greeting"]), "(integer) 100\n");
    assert_eq!(redis_cli(port, &["GET", "nosuch"]), "(nil)\n");
    assert_eq!(
        redis_cli(port, &["FOO"]),
        "(error) ERR unknown command 'FOO', with args beginning with: \n"
    );
    assert_eq!(redis_cli(port, &["RPUSH", "l", "a", "b"]), "(integer) 2\n");
    assert_eq!(
        redis_cli(port, &["LRANGE", "l", "0", "-1"]),
        "1) \"a\"\n2) \"b\"\n"
    );
    // RESP3 through redis-cli -3: maps print with "=>".
    let hello = redis_cli(port, &["-3", "HELLO", "3"]);
    assert!(hello.starts_with("1# \"server\" => \"redis\"\n"), "{hello}");
}

/// Kills the child process when the test ends, pass or fail.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn binary_serves_on_the_port_it_is_given() {
    let port = {
        let probe = TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    let child = Command::new(env!("CARGO_BIN_EXE_redsim-server"))
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn redsim-server");
    let _reaper = Reaper(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Err(err) => panic!("server never listened: {err}"),
        }
    };
    assert_eq!(exchange(&mut stream, b"PING\r\n", 7), b"+PONG\r\n");
    let bad = Command::new(env!("CARGO_BIN_EXE_redsim-server"))
        .arg("--nope")
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("usage"));
}

/// Starts the binary on a free port with `args`, and waits until it listens.
fn spawn_binary(args: &[&str]) -> (Reaper, TcpStream) {
    let port = {
        let probe = TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    let child = Command::new(env!("CARGO_BIN_EXE_redsim-server"))
        .args(["--port", &port.to_string()])
        .args(args)
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn redsim-server");
    let reaper = Reaper(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => return (reaper, stream),
            Err(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Err(err) => panic!("server never listened: {err}"),
        }
    }
}

#[test]
fn save_writes_the_rdb_file_and_a_restart_loads_it() {
    let dir = std::env::temp_dir().join(format!("redsim-server-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let dir_arg = dir.to_string_lossy().into_owned();
    let args = ["--dir", dir_arg.as_str(), "--dbfilename", "saved.rdb"];
    {
        let (_server, mut stream) = spawn_binary(&args);
        exchange(&mut stream, &request(&[b"SET", b"k", b"v"]), 5);
        exchange(&mut stream, &request(&[b"RPUSH", b"l", b"a", b"b"]), 4);
        // The file is in place by the time SAVE answers.
        assert_eq!(exchange(&mut stream, b"SAVE\r\n", 5), b"+OK\r\n");
        let file = std::fs::read(dir.join("saved.rdb")).expect("dump written");
        assert!(file.starts_with(b"REDIS0010"), "an RDB file");
        assert!(!dir
            .join(format!("temp-{}.rdb", std::process::id()))
            .exists());
    }
    {
        let (_server, mut stream) = spawn_binary(&args);
        assert_eq!(exchange(&mut stream, b"GET k\r\n", 7), b"$1\r\nv\r\n");
        assert_eq!(exchange(&mut stream, b"LLEN l\r\n", 4), b":2\r\n");
    }
    // A file that is not an RDB stops the start, as it stops Redis's.
    std::fs::write(dir.join("saved.rdb"), b"not a dump").expect("write");
    let refused = Command::new(env!("CARGO_BIN_EXE_redsim-server"))
        .args(["--port", "0"])
        .args(args)
        .output()
        .expect("run");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("cannot load"),
        "{refused:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clients_share_the_keyspace_but_not_their_state() {
    let port = start();
    let mut writer = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut reader = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    assert_eq!(exchange(&mut writer, b"SET shared 42\r\n", 5), b"+OK\r\n");
    assert_eq!(exchange(&mut reader, b"GET shared\r\n", 8), b"$2\r\n42\r\n");
    // SELECT is per connection.
    assert_eq!(exchange(&mut writer, b"SELECT 1\r\n", 5), b"+OK\r\n");
    assert_eq!(exchange(&mut writer, b"GET shared\r\n", 5), b"$-1\r\n");
    assert_eq!(exchange(&mut reader, b"GET shared\r\n", 8), b"$2\r\n42\r\n");
    // Many clients at once, each pipelining its own writes.
    let workers: Vec<_> = (0..8)
        .map(|i| {
            thread::spawn(move || {
                let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                let batch: String = (0..100)
                    .map(|j| format!("RPUSH list:{i} {j}\r\n"))
                    .collect();
                let expected: String = (1..=100).map(|n| format!(":{n}\r\n")).collect();
                assert_eq!(
                    exchange(&mut s, batch.as_bytes(), expected.len()),
                    expected.as_bytes()
                );
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    assert_eq!(exchange(&mut reader, b"LLEN list:7\r\n", 6), b":100\r\n");
}

#[test]
fn messages_and_served_pops_reach_other_connections() {
    let port = start();
    let mut subscriber = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut waiter = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut other = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let confirm = b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n";
    assert_eq!(
        exchange(&mut subscriber, b"SUBSCRIBE news\r\n", confirm.len()),
        confirm
    );
    assert_eq!(exchange(&mut other, b"PUBLISH news hi\r\n", 4), b":1\r\n");
    let message = b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n";
    assert_eq!(exchange(&mut subscriber, b"", message.len()), message);
    // A blocked client's pipelined PING waits until BLPOP is served.
    waiter.write_all(b"BLPOP q 0\r\nPING\r\n").expect("write");
    thread::sleep(Duration::from_millis(100));
    assert_eq!(exchange(&mut other, b"RPUSH q v\r\n", 4), b":1\r\n");
    let served = b"*2\r\n$1\r\nq\r\n$1\r\nv\r\n+PONG\r\n";
    assert_eq!(exchange(&mut waiter, b"", served.len()), served);
    // QUIT answers, then the server closes the connection.
    assert_eq!(exchange(&mut other, b"QUIT\r\n", 1000), b"+OK\r\n");
}

#[test]
fn redis_benchmark_runs_its_default_tests() {
    let port = start();
    let output = Command::new("redis-benchmark")
        .args(["-p", &port.to_string(), "-n", "200", "-c", "5", "-q"])
        .output()
        .expect("redis-benchmark not found: `cargo xtask test` installs redis-tools");
    assert!(
        output.status.success(),
        "redis-benchmark failed: {output:?}"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    for test in [
        "PING_INLINE",
        "SET",
        "GET",
        "INCR",
        "LPUSH",
        "RPOP",
        "SADD",
        "HSET",
        "SPOP",
        "ZADD",
        "ZPOPMIN",
        "LRANGE_600",
        "MSET",
    ] {
        assert!(text.contains(test), "{test} missing from:\n{text}");
    }
    assert!(!text.to_lowercase().contains("error"), "{text}");
}

#[test]
fn redis_cli_modes_raw_scan_pipe_and_subscribe() {
    let port = start();
    for i in 0..25 {
        redis_cli(port, &["SET", &format!("scan:{i}"), "v"]);
    }
    redis_cli(port, &["RPUSH", "l", "a b", "c"]);
    // --raw prints bare values, one per line.
    let raw = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "--raw", "LRANGE", "l", "0", "-1"])
        .output()
        .expect("redis-cli");
    assert_eq!(String::from_utf8_lossy(&raw.stdout), "a b\nc\n");
    // --scan walks every key with the SCAN cursor.
    let scan = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "--scan", "--pattern", "scan:*"])
        .output()
        .expect("redis-cli");
    let mut keys: Vec<String> = String::from_utf8_lossy(&scan.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 25, "{keys:?}");
    // --pipe sends raw protocol in bulk and counts the replies.
    let mut pipe = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "--pipe"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("redis-cli");
    let commands: String = (0..500).map(|i| format!("SET pipe:{i} {i}\r\n")).collect();
    pipe.stdin
        .take()
        .expect("stdin")
        .write_all(commands.as_bytes())
        .expect("write");
    let out = pipe.wait_with_output().expect("redis-cli --pipe");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("errors: 0, replies: 500"), "{text}");
    assert_eq!(redis_cli(port, &["GET", "pipe:499"]), "\"499\"\n");
    // SUBSCRIBE prints each message as it arrives.
    let subscriber = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "SUBSCRIBE", "news"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("redis-cli");
    let mut subscriber = Reaper(subscriber);
    let deadline = Instant::now() + Duration::from_secs(5);
    while redis_cli(port, &["PUBLISH", "news", "hello"]) != "(integer) 1\n" {
        assert!(Instant::now() < deadline, "the subscriber never subscribed");
        thread::sleep(Duration::from_millis(20));
    }
    // Read what it prints until the message shows (or give up), then stop it.
    let mut stdout = subscriber.0.stdout.take().expect("stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut chunk = [0u8; 256];
        while let Ok(n) = stdout.read(&mut chunk) {
            if n == 0 || sender.send(chunk[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut printed = String::new();
    while !printed.contains("hello\n") {
        match receiver.recv_timeout(Duration::from_secs(5)) {
            Ok(bytes) => printed.push_str(&String::from_utf8_lossy(&bytes)),
            Err(_) => break,
        }
    }
    let _ = subscriber.0.kill();
    assert!(printed.contains("message\nnews\nhello\n"), "{printed}");
}

/// A RESP multibulk request.
fn request(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A pipeline many reads long (each read is 16 KB), sent while the
/// replies are read: every request is answered in order, including those
/// split across reads, and a protocol error at its end is answered after
/// them, then the connection closes.
#[test]
fn a_long_streamed_pipeline_is_answered_in_order() {
    let mut s = TcpStream::connect(("127.0.0.1", start())).expect("connect");
    let count = 20_000;
    let mut pipeline: Vec<u8> = (0..count)
        .flat_map(|_| request(&[b"INCR", b"counter"]))
        .collect();
    pipeline.extend_from_slice(b"*1\r\n$-3\r\n");
    let mut writer = s.try_clone().expect("clone");
    let sender = thread::spawn(move || writer.write_all(&pipeline));
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut got = Vec::new();
    s.read_to_end(&mut got)
        .expect("read until the server closes");
    let _ = sender.join();
    let mut expected: Vec<u8> = (1..=count)
        .flat_map(|n| format!(":{n}\r\n").into_bytes())
        .collect();
    expected.extend_from_slice(b"-ERR Protocol error: invalid bulk length\r\n");
    assert!(
        got == expected,
        "{} bytes, expected {}",
        got.len(),
        expected.len()
    );
}

/// One request many reads long (an RPUSH of 100,000 elements, about 1 MB)
/// runs once it has all arrived, and the request after it too.
#[test]
fn a_request_longer_than_many_reads_runs_whole() {
    let mut s = TcpStream::connect(("127.0.0.1", start())).expect("connect");
    let elements: Vec<Vec<u8>> = (0..100_000).map(|i| format!("e{i}").into_bytes()).collect();
    let mut args: Vec<&[u8]> = vec![b"RPUSH", b"list"];
    args.extend(elements.iter().map(Vec::as_slice));
    let mut stream = request(&args);
    stream.extend_from_slice(&request(&[b"LINDEX", b"list", b"-1"]));
    let mut writer = s.try_clone().expect("clone");
    let sender = thread::spawn(move || writer.write_all(&stream));
    let expected = b":100000\r\n$6\r\ne99999\r\n";
    assert_eq!(exchange(&mut s, b"", expected.len()), expected);
    sender.join().expect("sender").expect("sent");
}

#[test]
fn a_subscriber_that_does_not_read_is_cut_off_at_its_output_limit() {
    let port = start();
    let mut admin = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let limit = request(&[
        b"CONFIG",
        b"SET",
        b"client-output-buffer-limit",
        b"pubsub 1mb 256kb 60",
    ]);
    assert_eq!(exchange(&mut admin, &limit, 5), b"+OK\r\n");
    let mut subscriber = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let confirmation = b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n";
    assert_eq!(
        exchange(
            &mut subscriber,
            &request(&[b"SUBSCRIBE", b"news"]),
            confirmation.len()
        ),
        confirmation
    );
    // The subscriber reads nothing more while 16 MB are published to it.
    let message = vec![b'x'; 64 * 1024];
    let publish = request(&[b"PUBLISH", b"news", &message]);
    let mut receivers = Vec::new();
    for _ in 0..256 {
        receivers.push(exchange(&mut admin, &publish, 4));
        if receivers.last().map(Vec::as_slice) == Some(b":0\r\n") {
            break;
        }
    }
    assert_eq!(
        receivers.last().map(Vec::as_slice),
        Some(&b":0\r\n"[..]),
        "the subscriber was disconnected: no one receives the message any more"
    );
    let numsub = request(&[b"PUBSUB", b"NUMSUB", b"news"]);
    assert_eq!(
        exchange(&mut admin, &numsub, 18),
        b"*2\r\n$4\r\nnews\r\n:0\r\n"
    );
    // Its socket was shut: reading drains what the kernel held, then EOF,
    // far short of the 16 MB.
    subscriber
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut seen = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match subscriber.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen += n,
        }
    }
    assert!(seen < 16 << 20, "{seen} bytes");
}
