//! AOF command streams against a real redis-server 7.0 (the oracle;
//! `cargo xtask test` installs Debian's). Both directions:
//!
//! - the stream the engine exports, piped into redis-server with
//!   `redis-cli --pipe`, gives every key the same type, encoding, contents
//!   and expiry as in the engine (streams: XINFO STREAM FULL as well);
//! - the AOF redis-server writes on BGREWRITEAOF (`--appendonly yes
//!   --aof-use-rdb-preamble no`: its base and incremental files, in the
//!   manifest's order) imports into the engine with the same result;
//! - for data whose order does not depend on Redis's hash tables (one key
//!   per database, listpack and intset encodings), the engine writes back
//!   exactly the bytes of Redis's rewrite.
//!
//! The dataset has every type and encoding: int/embstr/raw strings, binary
//! strings, sparse and dense HyperLogLogs, listpack and multi-node
//! quicklist lists with a plain node, intset/small/hashtable sets,
//! listpack/hashtable hashes, listpack/skiplist sorted sets with infinite
//! scores, streams with deletions, consumer groups, pending entries and
//! consumers, empty streams, TTLs, and three databases. A missing
//! redis-server or redis-cli fails the test rather than skipping it.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redsim_engine::resp::{encode, parse_reply};
use redsim_engine::{ClientId, Config, Engine, Protocol, Reply};

/// Something that answers commands as RESP2 replies.
trait Conn {
    fn call(&mut self, args: &[&[u8]]) -> Reply;
}

struct EngineConn {
    engine: Engine,
    client: ClientId,
}

impl EngineConn {
    fn new() -> EngineConn {
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

struct Redis {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Redis {
    /// A private redis-server on a free port with its own `dir`; with
    /// `aof`, append-only persistence without an RDB preamble.
    fn start(tag: &str, aof: bool) -> Redis {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("redsim-aof-oracle-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let appendonly = if aof { "yes" } else { "no" };
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", appendonly])
            .args(["--aof-use-rdb-preamble", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server not found: `cargo xtask test` installs it (apt redis-server)");
        let redis = Redis { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut c) = redis.try_connect() {
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

    fn connect(&self) -> RedisConn {
        self.try_connect().expect("connect to redis-server")
    }

    /// Feeds a command stream to `redis-cli --pipe`; its summary line.
    fn pipe(&self, stream: &[u8]) -> String {
        let path = self.dir.join("pipe.aof");
        std::fs::write(&path, stream).expect("write the stream");
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "--pipe"])
            .stdin(std::fs::File::open(&path).expect("open the stream"))
            .output()
            .expect("redis-cli not found (apt redis-tools)");
        assert!(out.status.success(), "redis-cli --pipe failed: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// BGREWRITEAOF, waited for; then the AOF's files in the manifest's
    /// order (base first, then the incremental ones), concatenated.
    fn rewrite(&self) -> (Vec<u8>, Vec<u8>) {
        let mut conn = self.connect();
        let reply = conn.call(&[b"BGREWRITEAOF"]);
        assert!(
            matches!(&reply, Reply::Status(s) if s.starts_with("Background append only file rewriting")),
            "{reply:?}"
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let Reply::Bulk(info) = conn.call(&[b"INFO", b"persistence"]) else {
                panic!("INFO failed");
            };
            let info = String::from_utf8_lossy(&info).into_owned();
            if info.contains("aof_rewrite_in_progress:0")
                && info.contains("aof_rewrite_scheduled:0")
                && info.contains("aof_last_bgrewrite_status:ok")
                && info.contains("aof_rewrites:1")
            {
                break;
            }
            assert!(Instant::now() < deadline, "the rewrite did not finish");
            std::thread::sleep(Duration::from_millis(20));
        }
        let dir = self.dir.join("appendonlydir");
        let manifest =
            std::fs::read_to_string(dir.join("appendonly.aof.manifest")).expect("manifest");
        let mut base = Vec::new();
        let mut incr = Vec::new();
        for line in manifest.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let [_, name, _, _, _, kind] = words.as_slice() else {
                panic!("manifest line {line:?}");
            };
            let bytes = std::fs::read(dir.join(name)).expect("AOF file");
            match *kind {
                "b" => {
                    assert!(name.ends_with(".base.aof"), "no RDB preamble: {name}");
                    base.extend(bytes);
                }
                "i" => incr.extend(bytes),
                _ => {}
            }
        }
        (base, incr)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct RedisConn {
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

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn run(conn: &mut dyn Conn, args: &[Vec<u8>]) -> Reply {
    let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    conn.call(&refs)
}

fn words(line: &str) -> Vec<Vec<u8>> {
    line.split_whitespace()
        .map(|w| w.as_bytes().to_vec())
        .collect()
}

/// The dataset: every type and encoding, in three databases.
fn dataset() -> Vec<Vec<Vec<u8>>> {
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
    line("XGROUP CREATE st g3 0 ENTRIESREAD -1");
    line("XADD st:empty 5-5 f v");
    line("XDEL st:empty 5-5");
    line("XGROUP CREATE st:mk grp $ MKSTREAM");
    line(&format!("PEXPIREAT st {far}"));
    let bytes = |parts: &[&[u8]]| parts.iter().map(|p| p.to_vec()).collect::<Vec<_>>();
    cmds.push(bytes(&[b"SET", b"s:binary", b"a\x00b\xffc\r\n"]));
    cmds.push(bytes(&[b"SET", b"s:huge", &vec![b'z'; 100_000]]));
    let mut pfadd = bytes(&[b"PFADD", b"hll:dense"]);
    pfadd.extend((0..3000).map(|i| format!("element-{i}").into_bytes()));
    cmds.push(pfadd);
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
    let mut sadd = bytes(&[b"SADD", b"set:intbig"]);
    sadd.extend((0..600).map(|i| (i * 3).to_string().into_bytes()));
    cmds.push(sadd);
    let mut sadd = bytes(&[b"SADD", b"set:big"]);
    sadd.extend((0..300).map(|i| format!("member-{i}").into_bytes()));
    cmds.push(sadd);
    let mut hset = bytes(&[b"HSET", b"h:big"]);
    for i in 0..600 {
        hset.push(format!("field-{i}").into_bytes());
        hset.push(format!("value-{i}").into_bytes());
    }
    cmds.push(hset);
    cmds.push(bytes(&[b"HSET", b"h:long", b"f", &[b'v'; 100]]));
    let mut zadd = bytes(&[b"ZADD", b"z:big"]);
    for i in 0..300 {
        zadd.push(format!("{}.1", i % 17).into_bytes());
        zadd.push(format!("m{i}").into_bytes());
    }
    cmds.push(zadd);
    cmds.push(bytes(&[b"ZADD", b"z:long", b"1", &[b'm'; 80]]));
    for i in 1..=250 {
        cmds.push(words(&format!("XADD st:big {i}-0 k {i} other x{i}")));
    }
    cmds.push(words("XADD st:big 251-0 different fields"));
    cmds.push(words("XDEL st:big 5-0 150-0"));
    cmds.push(words("XGROUP CREATE st:big grp 0 ENTRIESREAD 0"));
    cmds.push(words(
        "XREADGROUP GROUP grp dave COUNT 120 STREAMS st:big >",
    ));
    cmds.push(words("SELECT 1"));
    cmds.push(words("SET one 1"));
    cmds.push(words("HSET h:ttl a 1"));
    cmds.push(words(&format!("PEXPIREAT h:ttl {far}")));
    cmds.push(words("SELECT 3"));
    cmds.push(words("RPUSH three x y z"));
    cmds.push(words("SELECT 0"));
    cmds
}

fn apply(conn: &mut dyn Conn, cmds: &[Vec<Vec<u8>>]) {
    for cmd in cmds {
        let reply = run(conn, cmd);
        assert!(
            !matches!(reply, Reply::Error(_)),
            "{:?} failed: {reply:?}",
            String::from_utf8_lossy(&cmd.join(&b' '))
        );
    }
}

const DBS: [usize; 4] = [0, 1, 2, 3];

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

/// XINFO STREAM FULL reduced to what a stream of commands carries: not a
/// consumer's seen-time, which is when the commands ran.
fn stream_facts(reply: &Reply) -> Vec<Reply> {
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
            out.extend(fields(
                group,
                &[
                    "name",
                    "last-delivered-id",
                    "entries-read",
                    "lag",
                    "pel-count",
                    "pending",
                ],
            ));
            let consumers = fields(group, &["consumers"]);
            if let Some(Reply::Array(consumers)) = consumers.get(1) {
                for consumer in consumers {
                    out.extend(fields(consumer, &["name", "pel-count", "pending"]));
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

type Facts = BTreeMap<(usize, Vec<u8>), Vec<Reply>>;

/// Everything observable about every key, read with ordinary commands.
fn describe(conn: &mut dyn Conn) -> Facts {
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
                    f.extend(stream_facts(&conn.call(&[b"XINFO", b"STREAM", k, b"FULL"])));
                }
                other => panic!("unexpected type {other}"),
            }
            facts.insert((db, key), f);
        }
    }
    run(conn, &words("SELECT 0"));
    facts
}

fn assert_same(expected: &Facts, actual: &Facts, what: &str) {
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

/// How many commands a stream holds (each starts with `*` at a command
/// boundary; the engine's parser finds them).
fn command_count(stream: &[u8]) -> usize {
    let limits = redsim_engine::resp::RequestLimits::default();
    let mut pos = 0;
    let mut n = 0;
    while let Ok(Some((_, used))) = redsim_engine::resp::parse_request(&stream[pos..], &limits) {
        pos += used;
        n += 1;
    }
    assert_eq!(pos, stream.len(), "the whole stream parses");
    n
}

#[test]
fn engine_stream_piped_into_redis_gives_the_same_data() {
    let mut engine = EngineConn::new();
    apply(&mut engine, &dataset());
    let expected = describe(&mut engine);
    assert!(expected.len() > 30, "the dataset is all there");
    let stream = engine.engine.export_aof();

    let redis = Redis::start("engine-to-redis", false);
    let summary = redis.pipe(&stream);
    let replies = command_count(&stream);
    assert!(
        summary.contains(&format!("errors: 0, replies: {replies}")),
        "redis-cli --pipe: {summary}"
    );
    let mut conn = redis.connect();
    assert_same(
        &expected,
        &describe(&mut conn),
        "redis-server fed the engine's stream",
    );
}

#[test]
fn redis_rewrite_imports_into_the_engine_with_the_same_data() {
    let redis = Redis::start("redis-to-engine", true);
    let mut conn = redis.connect();
    apply(&mut conn, &dataset());
    let expected = describe(&mut conn);
    let (base, incr) = redis.rewrite();
    assert!(
        base.starts_with(b"*2\r\n$6\r\nSELECT\r\n"),
        "a command stream"
    );

    let mut engine = EngineConn::new();
    engine.call(&[b"SET", b"replaced", b"by the import"]);
    let mut stream = base.clone();
    stream.extend_from_slice(&incr);
    let summary = engine.engine.import_aof(&stream).expect("imports");
    assert_eq!(summary.failed, 0, "{:?}", summary.errors);
    assert_eq!(summary.keys, expected.len());
    assert_same(
        &expected,
        &describe(&mut engine),
        "the engine importing redis-server's AOF",
    );

    // What the engine writes of it, piped into a fresh Redis, is the same.
    let again = engine.engine.export_aof();
    let redis2 = Redis::start("redis-to-engine-back", false);
    assert!(redis2.pipe(&again).contains("errors: 0"));
    let mut conn2 = redis2.connect();
    assert_same(&expected, &describe(&mut conn2), "redis-server fed it back");
}

#[test]
fn order_independent_data_is_written_byte_for_byte_as_redis_rewrites_it() {
    // One key per database, in encodings Redis walks in a fixed order.
    let far = wall_ms() + 86_400_000;
    let list: Vec<String> = (0..150).map(|i| format!("e{i}")).collect();
    let ints: Vec<String> = (0..100).map(|i| (i * 37 % 101 - 50).to_string()).collect();
    let per_db: Vec<Vec<String>> = vec![
        vec!["SET s:int 12345".into()],
        vec![format!("SET s:str hello PXAT {far}")],
        vec![format!("RPUSH l:big {}", list.join(" "))],
        vec![format!("SADD set:int {}", ints.join(" "))],
        vec!["HSET h:small f1 v1 f2 2 f3 -3".into()],
        vec![
            "ZADD z:small 1.1 a 2.5 b -3 c 0 d inf e -inf f 1e300 g 0.1 h -0 i 123456789 j".into(),
        ],
        vec![
            "XADD st 1-1 a 1 b 2".into(),
            "XADD st 1-2 a 3 b 4".into(),
            "XADD st 2-0 c 5".into(),
            "XADD st 3-0 a 6 b 7".into(),
            "XDEL st 1-2".into(),
            "XGROUP CREATE st g1 0".into(),
            "XREADGROUP GROUP g1 bob COUNT 2 STREAMS st >".into(),
            "XREADGROUP GROUP g1 alice COUNT 1 STREAMS st >".into(),
            "XCLAIM st g1 alice 0 1-1".into(),
            "XGROUP CREATE st g0 $".into(),
            "XGROUP CREATECONSUMER st g0 carol".into(),
            "XGROUP CREATE st g3 0 ENTRIESREAD -1".into(),
            format!("PEXPIREAT st {far}"),
        ],
        vec!["XADD st:empty 5-5 f v".into(), "XDEL st:empty 5-5".into()],
        vec!["XGROUP CREATE st:mk grp $ MKSTREAM".into()],
    ];
    let mut script: Vec<Vec<Vec<u8>>> = Vec::new();
    for (db, cmds) in per_db.iter().enumerate() {
        script.push(words(&format!("SELECT {db}")));
        script.extend(cmds.iter().map(|c| words(c)));
    }
    script.push(words("SELECT 0"));
    let redis = Redis::start("bytes", true);
    let mut conn = redis.connect();
    apply(&mut conn, &script);
    let (base, _) = redis.rewrite();

    let mut engine = EngineConn::new();
    let summary = engine.engine.import_aof(&base).expect("imports");
    assert_eq!(summary.failed, 0, "{:?}", summary.errors);
    let ours = engine.engine.export_aof();
    if ours != base {
        let show = |b: &[u8]| String::from_utf8_lossy(b).replace("\r\n", " ");
        let at = ours
            .iter()
            .zip(&base)
            .position(|(a, b)| a != b)
            .unwrap_or(ours.len().min(base.len()));
        let from = at.saturating_sub(120);
        panic!(
            "differs at byte {at}:\n  redis  {}\n  engine {}",
            show(&base[from..(at + 120).min(base.len())]),
            show(&ours[from..(at + 120).min(ours.len())])
        );
    }
}
