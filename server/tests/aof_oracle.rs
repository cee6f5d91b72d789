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

mod oracle;

use std::process::Command;
use std::time::{Duration, Instant};

use oracle::{apply, assert_same, describe, wall_ms, words, Conn, EngineConn, Redis, StreamFields};
use redsim_engine::Reply;

/// Of streams' groups and consumers, what a stream of commands carries:
/// not a consumer's seen-time, which is when the commands ran.
const STREAMS: StreamFields = StreamFields {
    group: &[
        "name",
        "last-delivered-id",
        "entries-read",
        "lag",
        "pel-count",
        "pending",
    ],
    consumer: &["name", "pel-count", "pending"],
};

/// A redis-server for these tests; with `aof`, append-only persistence
/// without an RDB preamble.
fn start_redis(tag: &str, aof: bool) -> Redis {
    let appendonly = if aof { "yes" } else { "no" };
    let args = ["--appendonly", appendonly, "--aof-use-rdb-preamble", "no"];
    Redis::start(&format!("aof-oracle-{tag}"), &args, &[])
}

// AOF files, made and read by a redis-server started with `start_redis`.
impl Redis {
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

/// The shared dataset with z:big's scores ending in .1, and stream groups
/// only these tests have: one made with ENTRIESREAD -1, one on a stream
/// that XGROUP CREATE ... MKSTREAM made.
fn dataset() -> Vec<Vec<Vec<u8>>> {
    let own = vec![
        words("XGROUP CREATE st g3 0 ENTRIESREAD -1"),
        words("XGROUP CREATE st:mk grp $ MKSTREAM"),
    ];
    oracle::dataset("1", own)
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
    let expected = describe(&mut engine, &STREAMS);
    assert!(expected.len() > 30, "the dataset is all there");
    let stream = engine.engine.export_aof();

    let redis = start_redis("engine-to-redis", false);
    let summary = redis.pipe(&stream);
    let replies = command_count(&stream);
    assert!(
        summary.contains(&format!("errors: 0, replies: {replies}")),
        "redis-cli --pipe: {summary}"
    );
    let mut conn = redis.connect();
    assert_same(
        &expected,
        &describe(&mut conn, &STREAMS),
        "redis-server fed the engine's stream",
    );
}

#[test]
fn redis_rewrite_imports_into_the_engine_with_the_same_data() {
    let redis = start_redis("redis-to-engine", true);
    let mut conn = redis.connect();
    apply(&mut conn, &dataset());
    let expected = describe(&mut conn, &STREAMS);
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
        &describe(&mut engine, &STREAMS),
        "the engine importing redis-server's AOF",
    );

    // What the engine writes of it, piped into a fresh Redis, is the same.
    let again = engine.engine.export_aof();
    let redis2 = start_redis("redis-to-engine-back", false);
    assert!(redis2.pipe(&again).contains("errors: 0"));
    let mut conn2 = redis2.connect();
    assert_same(
        &expected,
        &describe(&mut conn2, &STREAMS),
        "redis-server fed it back",
    );
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
    let redis = start_redis("bytes", true);
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
