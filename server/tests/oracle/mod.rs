//! What the redis-server oracle tests (`aof_oracle.rs`, `rdb_oracle.rs`)
//! share: the engine and a private redis-server 7.0 behind one `Conn`
//! trait, the dataset with every type and encoding, and every key's
//! observable facts, read with ordinary commands and compared.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redsim_engine::resp::{encode, parse_reply};
use redsim_engine::{ClientId, Config, Engine, Protocol, Reply};

/// Something that answers commands as RESP2 replies.
pub trait Conn {
    fn call(&mut self, args: &[&[u8]]) -> Reply;
}

pub struct EngineConn {
    pub engine: Engine,
    client: ClientId,
}

impl EngineConn {
    pub fn new() -> EngineConn {
        let mut engine = Engine::new(Config {
            now_ms: wall_ms(),
            ..Config::default()
        });
        let client = engine.connect();
        EngineConn { engine, client }
    }
}

impl Conn for EngineConn {
    fn call(&mut self, args: &[&[u8]]) -> Reply {
        let reply = self.engine.execute(self.client, args);
        // Through RESP2 bytes and back, so it compares with Redis's replies.
        let mut bytes = Vec::new();
        encode(&reply, Protocol::Resp2, &mut bytes);
        parse_reply(&bytes).expect("valid").expect("complete").0
    }
}

pub struct Redis {
    child: Child,
    pub dir: PathBuf,
    pub port: u16,
}

impl Redis {
    /// A private redis-server on a free port, without save points, in its
    /// own scratch `dir` (named after `name`, holding `files` before it
    /// starts), with `args` added to its command line.
    pub fn start(name: &str, args: &[&str], files: &[(&str, &[u8])]) -> Redis {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("redsim-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        for (file, bytes) in files {
            std::fs::write(dir.join(file), bytes).expect("write a file for redis-server");
        }
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(args)
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server not found: `cargo xtask test` installs it (apt redis-server)");
        let redis = Redis { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut c) = redis.try_connect() {
                // Loading: PING answers -LOADING until the file is in.
                if matches!(c.call(&[b"PING"]), Reply::Status(_)) {
                    return redis;
                }
            }
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn try_connect(&self) -> std::io::Result<RedisConn> {
        let stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(20)))?;
        Ok(RedisConn {
            stream,
            buf: Vec::new(),
        })
    }

    pub fn connect(&self) -> RedisConn {
        self.try_connect().expect("connect to redis-server")
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub struct RedisConn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn for RedisConn {
    fn call(&mut self, args: &[&[u8]]) -> Reply {
        let mut request = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            request.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            request.extend_from_slice(a);
            request.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&request).expect("send");
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            if let Some((reply, used)) = parse_reply(&self.buf).expect("valid reply") {
                self.buf.drain(..used);
                return reply;
            }
            let n = self.stream.read(&mut chunk).expect("read");
            assert!(n > 0, "redis-server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    listener.local_addr().expect("addr").port()
}

pub fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Runs a command given as words (binary-safe through `Vec<u8>`s).
pub fn run(conn: &mut dyn Conn, args: &[Vec<u8>]) -> Reply {
    let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    conn.call(&refs)
}

pub fn words(line: &str) -> Vec<Vec<u8>> {
    line.split_whitespace()
        .map(|w| w.as_bytes().to_vec())
        .collect()
}

/// The dataset: every type and encoding, in three databases. `own` (a
/// test's own keys) runs in database 0 after the shared keys; z:big's
/// scores end in `.{fraction}`.
pub fn dataset(fraction: &str, own: Vec<Vec<Vec<u8>>>) -> Vec<Vec<Vec<u8>>> {
    let far = wall_ms() + 86_400_000;
    let mut cmds: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut line = |s: &str| cmds.push(words(s));
    line("SET s:int 12345");
    line("SET s:neg -7");
    line("SET s:i64 9223372036854775807");
    line("SET s:lead 007");
    line("SET s:embstr hello");
    line("APPEND s:appended abc");
    line("SETRANGE s:ranged 3 xyz");
    line(&format!("SET s:ttl temporary PXAT {far}"));
    line("PFADD hll:sparse a b c d e f g");
    line("RPUSH l:small a b 1 2 -3 99999999999");
    line("SADD set:int 1 2 3 -5 100000 4000000000");
    line("SADD set:small apple banana 7");
    line("HSET h:small f1 v1 f2 2 f3 -3");
    line("ZADD z:small 1 a 2.5 b -3 c 0 d inf e -inf f 1e300 g 0.1 h");
    line("XADD st 1-1 a 1 b 2");
    line("XADD st 1-2 a 3 b 4");
    line("XADD st 2-0 c 5");
    line("XADD st 3-0 a 6 b 7");
    line("XDEL st 1-2");
    line("XGROUP CREATE st g1 0");
    line("XREADGROUP GROUP g1 alice COUNT 2 STREAMS st >");
    line("XREADGROUP GROUP g1 bob COUNT 1 STREAMS st >");
    line("XACK st g1 1-1");
    line("XGROUP CREATE st g2 $");
    line("XGROUP CREATECONSUMER st g2 carol");
    line("XADD st:empty 5-5 f v");
    line("XDEL st:empty 5-5");
    line(&format!("PEXPIREAT st {far}"));
    // Strings: binary, long.
    cmds.push(bytes(&[b"SET", b"s:binary", b"a\x00b\xffc\r\n"]));
    cmds.push(bytes(&[b"SET", b"s:huge", &vec![b'z'; 100_000]]));
    // A dense HyperLogLog.
    let mut pfadd = bytes(&[b"PFADD", b"hll:dense"]);
    pfadd.extend((0..3000).map(|i| format!("element-{i}").into_bytes()));
    cmds.push(pfadd);
    // A quicklist of several nodes, and one with a plain node.
    let mut rpush = bytes(&[b"RPUSH", b"l:big"]);
    rpush.extend((0..2000).map(|i| format!("item-{i}").into_bytes()));
    cmds.push(rpush);
    cmds.push(bytes(&[
        b"RPUSH",
        b"l:plain",
        b"head",
        &vec![b'p'; 10_000],
        b"tail",
    ]));
    // Sets: an intset grown past 512 members, a big set of strings.
    let mut sadd = bytes(&[b"SADD", b"set:intbig"]);
    sadd.extend((0..600).map(|i| (i * 3).to_string().into_bytes()));
    cmds.push(sadd);
    let mut sadd = bytes(&[b"SADD", b"set:big"]);
    sadd.extend((0..300).map(|i| format!("member-{i}").into_bytes()));
    cmds.push(sadd);
    // Hashes past either listpack limit.
    let mut hset = bytes(&[b"HSET", b"h:big"]);
    for i in 0..600 {
        hset.push(format!("field-{i}").into_bytes());
        hset.push(format!("value-{i}").into_bytes());
    }
    cmds.push(hset);
    cmds.push(bytes(&[b"HSET", b"h:long", b"f", &[b'v'; 100]]));
    // Sorted sets past either listpack limit.
    let mut zadd = bytes(&[b"ZADD", b"z:big"]);
    for i in 0..300 {
        zadd.push(format!("{}.{fraction}", i % 17).into_bytes());
        zadd.push(format!("m{i}").into_bytes());
    }
    cmds.push(zadd);
    cmds.push(bytes(&[b"ZADD", b"z:long", b"1", &[b'm'; 80]]));
    // A stream of several nodes (100 entries each) with a group.
    for i in 1..=250 {
        cmds.push(words(&format!("XADD st:big {i}-0 k {i} other x{i}")));
    }
    cmds.push(words("XADD st:big 251-0 different fields"));
    cmds.push(words("XDEL st:big 5-0 150-0"));
    cmds.push(words("XGROUP CREATE st:big grp 0 ENTRIESREAD 0"));
    cmds.push(words(
        "XREADGROUP GROUP grp dave COUNT 120 STREAMS st:big >",
    ));
    cmds.extend(own);
    // Other databases, one with a TTL'd hash.
    cmds.push(words("SELECT 1"));
    cmds.push(words("SET one 1"));
    cmds.push(words("HSET h:ttl a 1"));
    cmds.push(words(&format!("PEXPIREAT h:ttl {far}")));
    cmds.push(words("SELECT 3"));
    cmds.push(words("RPUSH three x y z"));
    cmds.push(words("SELECT 0"));
    cmds
}

/// A command from binary-safe parts.
pub fn bytes(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

pub fn apply(conn: &mut dyn Conn, cmds: &[Vec<Vec<u8>>]) {
    for cmd in cmds {
        let reply = run(conn, cmd);
        assert!(
            !matches!(reply, Reply::Error(_)),
            "{:?} failed: {reply:?}",
            String::from_utf8_lossy(&cmd.join(&b' '))
        );
    }
}

pub const DBS: [usize; 4] = [0, 1, 2, 3];

/// Picks named fields out of a RESP2 flat key/value array.
fn fields(reply: &Reply, names: &[&str]) -> Vec<Reply> {
    let Reply::Array(items) = reply else {
        return vec![reply.clone()];
    };
    let mut out = Vec::new();
    for pair in items.chunks(2) {
        if let [Reply::Bulk(name), value] = pair {
            if let Some(&wanted) = names.iter().find(|n| n.as_bytes() == name.as_slice()) {
                out.push(Reply::Bulk(wanted.as_bytes().to_vec()));
                out.push(value.clone());
            }
        }
    }
    out
}

/// The fields of XINFO STREAM FULL's groups and consumers that a test
/// compares (the stream's own fields are always compared).
pub struct StreamFields {
    pub group: &'static [&'static str],
    pub consumer: &'static [&'static str],
}

/// XINFO STREAM FULL reduced to the stream's fields and `wanted`.
fn stream_facts(reply: &Reply, wanted: &StreamFields) -> Vec<Reply> {
    let mut out = fields(
        reply,
        &[
            "length",
            "radix-tree-keys",
            "radix-tree-nodes",
            "last-generated-id",
            "max-deleted-entry-id",
            "entries-added",
            "recorded-first-entry-id",
            "entries",
        ],
    );
    let groups = fields(reply, &["groups"]);
    if let Some(Reply::Array(groups)) = groups.get(1) {
        for group in groups {
            out.extend(fields(group, wanted.group));
            let consumers = fields(group, &["consumers"]);
            if let Some(Reply::Array(consumers)) = consumers.get(1) {
                for consumer in consumers {
                    out.extend(fields(consumer, wanted.consumer));
                }
            }
        }
    }
    out
}

fn sorted(reply: Reply) -> Reply {
    match reply {
        Reply::Array(mut items) => {
            items.sort_by_key(|r| format!("{r:?}"));
            Reply::Array(items)
        }
        other => other,
    }
}

fn pairs_sorted(reply: Reply) -> Reply {
    match reply {
        Reply::Array(items) => {
            let mut pairs: Vec<Vec<Reply>> = items.chunks(2).map(<[Reply]>::to_vec).collect();
            pairs.sort_by_key(|p| format!("{p:?}"));
            Reply::Array(pairs.into_iter().flatten().collect())
        }
        other => other,
    }
}

/// Encodings that mean the same in 7.0 and the engine's 7.2 model: lists
/// are always quicklists in 7.0, small sets of strings hashtables, and a
/// string's embstr/raw depends on how it was made, not on its content.
fn normalized_encoding(kind: &str, encoding: Reply) -> Reply {
    let Reply::Bulk(e) = &encoding else {
        return encoding;
    };
    let e = String::from_utf8_lossy(e).into_owned();
    let e = match (kind, e.as_str()) {
        ("list", _) => "list".to_string(),
        ("set", "listpack") => "hashtable".to_string(),
        ("string", "raw" | "embstr") => "str".to_string(),
        _ => e,
    };
    Reply::Bulk(e.into_bytes())
}

pub type Facts = BTreeMap<(usize, Vec<u8>), Vec<Reply>>;

/// Everything observable about every key, read with ordinary commands;
/// of streams' groups and consumers, the fields in `streams`.
pub fn describe(conn: &mut dyn Conn, streams: &StreamFields) -> Facts {
    let mut facts = Facts::new();
    for db in DBS {
        run(conn, &words(&format!("SELECT {db}")));
        let Reply::Array(keys) = run(conn, &words("KEYS *")) else {
            panic!("KEYS failed");
        };
        for key in keys {
            let Reply::Bulk(key) = key else { continue };
            let k = key.as_slice();
            let kind = match conn.call(&[b"TYPE", k]) {
                Reply::Status(t) => t,
                other => panic!("TYPE: {other:?}"),
            };
            let mut f = vec![
                Reply::Status(kind.clone()),
                conn.call(&[b"PEXPIRETIME", k]),
                normalized_encoding(&kind, conn.call(&[b"OBJECT", b"ENCODING", k])),
            ];
            match kind.as_str() {
                "string" => {
                    // PFCOUNT first: it caches the count in the value.
                    if k.starts_with(b"hll") {
                        f.push(conn.call(&[b"PFCOUNT", k]));
                    }
                    f.push(conn.call(&[b"GET", k]));
                }
                "list" => f.push(conn.call(&[b"LRANGE", k, b"0", b"-1"])),
                "set" => f.push(sorted(conn.call(&[b"SMEMBERS", k]))),
                "zset" => f.push(conn.call(&[b"ZRANGE", k, b"0", b"-1", b"WITHSCORES"])),
                "hash" => f.push(pairs_sorted(conn.call(&[b"HGETALL", k]))),
                "stream" => {
                    f.push(conn.call(&[b"XRANGE", k, b"-", b"+"]));
                    let info = conn.call(&[b"XINFO", b"STREAM", k, b"FULL"]);
                    f.extend(stream_facts(&info, streams));
                }
                other => panic!("unexpected type {other}"),
            }
            facts.insert((db, key), f);
        }
    }
    run(conn, &words("SELECT 0"));
    facts
}

pub fn assert_same(expected: &Facts, actual: &Facts, what: &str) {
    let ek: Vec<_> = expected.keys().collect();
    let ak: Vec<_> = actual.keys().collect();
    assert_eq!(ek, ak, "{what}: different keys");
    let short = |r: Option<&Reply>| {
        let text = format!("{r:?}");
        text.chars().take(600).collect::<String>()
    };
    let mut diffs = Vec::new();
    for (key, e) in expected {
        let a = &actual[key];
        if let Some(i) = (0..e.len().max(a.len())).find(|&i| e.get(i) != a.get(i)) {
            diffs.push(format!(
                "key {:?} in db {}, fact {i}:\n  expected {}\n  actual   {}",
                String::from_utf8_lossy(&key.1),
                key.0,
                short(e.get(i)),
                short(a.get(i))
            ));
        }
    }
    assert!(diffs.is_empty(), "{what}:\n{}", diffs.join("\n"));
}
