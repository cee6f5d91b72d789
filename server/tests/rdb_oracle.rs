//! RDB snapshots and DUMP payloads against a real redis-server 7.0 (the
//! oracle; `cargo xtask test` installs Debian's). Both directions:
//!
//! - a snapshot the engine writes is loaded by redis-server (`--dir`,
//!   `--dbfilename`), and every key's type, encoding, contents and expiry
//!   read back the same from both;
//! - a dump.rdb redis-server SAVEs is loaded by the engine, same check;
//! - DUMP payloads from redis-server RESTORE into the engine, and the
//!   engine's into redis-server.
//!
//! The dataset has every type and encoding: int/embstr/raw strings, binary
//! and LZF-sized strings, sparse and dense HyperLogLogs, listpack and
//! multi-node quicklist lists with a plain node, intset/small/hashtable
//! sets, listpack/hashtable hashes, listpack/skiplist sorted sets with
//! infinite scores, streams with several nodes, deletions, consumer groups,
//! pending entries and consumers, TTLs, and three databases.
//! A missing redis-server fails the test rather than skipping it.

mod oracle;

use oracle::{
    apply, assert_same, bytes, describe, run, words, Conn, EngineConn, Redis, StreamFields, DBS,
};
use redsim_engine::Reply;

/// Of streams' groups and consumers, what both Redis 7.0 and the engine
/// show after a load.
const STREAMS: StreamFields = StreamFields {
    group: &[
        "name",
        "last-delivered-id",
        "entries-read",
        "pel-count",
        "pending",
    ],
    consumer: &["name", "seen-time", "pel-count", "pending"],
};

/// A redis-server for these tests, its `dir` holding `rdb` as dump.rdb
/// when given.
fn start_redis(tag: &str, rdb: Option<&[u8]>) -> Redis {
    let args = ["--appendonly", "no", "--dbfilename", "dump.rdb"];
    let file = rdb.map(|bytes| ("dump.rdb", bytes));
    Redis::start(&format!("rdb-oracle-{tag}"), &args, file.as_slice())
}

/// The shared dataset with z:big's scores ending in .25, and strings only
/// these tests have: 16- and 32-bit integers, a compressible (LZF) and an
/// incompressible one.
fn dataset() -> Vec<Vec<Vec<u8>>> {
    let noise: Vec<u8> = (0..200u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let own = vec![
        words("SET s:i16 -30000"),
        words("SET s:i32 2000000000"),
        bytes(&[b"SET", b"s:lzf", "abcabcabc".repeat(20).as_bytes()]),
        bytes(&[b"SET", b"s:noise", &noise]),
    ];
    oracle::dataset("25", own)
}

fn save_redis(redis: &Redis) -> Vec<u8> {
    let mut conn = redis.connect();
    assert_eq!(conn.call(&[b"SAVE"]), Reply::Status("OK".into()));
    std::fs::read(redis.dir.join("dump.rdb")).expect("dump.rdb")
}

#[test]
fn engine_snapshot_loads_in_redis_with_the_same_data() {
    let mut engine = EngineConn::new();
    apply(&mut engine, &dataset());
    let expected = describe(&mut engine, &STREAMS);
    assert!(expected.len() > 30, "the dataset is all there");
    let snapshot = engine.engine.snapshot();
    assert_eq!(&snapshot[..9], b"REDIS0010");

    let redis = start_redis("engine-to-redis", Some(&snapshot));
    let mut conn = redis.connect();
    let loaded = describe(&mut conn, &STREAMS);
    assert_same(
        &expected,
        &loaded,
        "redis-server loading the engine's snapshot",
    );

    // Redis's own dump of the same data is the size reference.
    let theirs = save_redis(&redis);
    println!(
        "snapshot sizes for the same data: engine {} bytes, redis-server {} bytes",
        snapshot.len(),
        theirs.len()
    );
}

#[test]
fn redis_dump_rdb_loads_in_the_engine_with_the_same_data() {
    let redis = start_redis("redis-to-engine", None);
    let mut conn = redis.connect();
    apply(&mut conn, &dataset());
    let expected = describe(&mut conn, &STREAMS);
    let file = save_redis(&redis);

    let mut engine = EngineConn::new();
    engine.call(&[b"SET", b"replaced", b"by the load"]);
    engine
        .engine
        .load_snapshot(&file)
        .expect("the engine loads dump.rdb");
    let loaded = describe(&mut engine, &STREAMS);
    assert_same(
        &expected,
        &loaded,
        "the engine loading redis-server's dump.rdb",
    );

    // And back: the engine's snapshot of what it loaded is loaded by Redis.
    let again = engine.engine.snapshot();
    let redis2 = start_redis("redis-to-engine-back", Some(&again));
    let mut conn2 = redis2.connect();
    assert_same(
        &expected,
        &describe(&mut conn2, &STREAMS),
        "redis-server reloading",
    );
}

/// Every key of `from` DUMPed and RESTOREd (with its absolute expiry) into
/// `to`, which must then show the same facts.
fn transfer(from: &mut dyn Conn, to: &mut dyn Conn) {
    for db in DBS {
        let select = words(&format!("SELECT {db}"));
        run(from, &select);
        run(to, &select);
        let Reply::Array(keys) = from.call(&[b"KEYS", b"*"]) else {
            panic!("KEYS failed");
        };
        for key in keys {
            let Reply::Bulk(key) = key else { continue };
            let Reply::Bulk(payload) = from.call(&[b"DUMP", &key]) else {
                panic!("DUMP failed");
            };
            let ttl = match from.call(&[b"PEXPIRETIME", &key]) {
                Reply::Int(at) if at > 0 => at.to_string(),
                _ => "0".to_string(),
            };
            let reply = to.call(&[b"RESTORE", &key, ttl.as_bytes(), &payload, b"ABSTTL"]);
            assert_eq!(
                reply,
                Reply::Status("OK".into()),
                "RESTORE of {:?}",
                String::from_utf8_lossy(&key)
            );
        }
    }
    run(from, &words("SELECT 0"));
    run(to, &words("SELECT 0"));
}

#[test]
fn dump_payloads_travel_both_ways() {
    let redis = start_redis("dump-restore", None);
    let mut conn = redis.connect();
    apply(&mut conn, &dataset());
    let expected = describe(&mut conn, &STREAMS);

    // Redis -> engine.
    let mut engine = EngineConn::new();
    transfer(&mut conn, &mut engine);
    assert_same(
        &expected,
        &describe(&mut engine, &STREAMS),
        "RESTORE of Redis's DUMPs",
    );

    // Engine -> Redis, into emptied databases.
    assert_eq!(conn.call(&[b"FLUSHALL"]), Reply::Status("OK".into()));
    transfer(&mut engine, &mut conn);
    assert_same(
        &expected,
        &describe(&mut conn, &STREAMS),
        "Redis RESTOREing the engine's DUMPs",
    );

    // Small values serialize to exactly Redis's bytes.
    for key in [
        "s:int", "s:embstr", "s:neg", "l:small", "set:int", "h:small", "z:small",
    ] {
        let k = key.as_bytes();
        assert_eq!(
            engine.call(&[b"DUMP", k]),
            conn.call(&[b"DUMP", k]),
            "DUMP {key} byte for byte"
        );
    }

    // Redis's error texts for damaged payloads, on both sides.
    let Reply::Bulk(good) = conn.call(&[b"DUMP", b"h:small"]) else {
        panic!("DUMP");
    };
    let mut flipped = good.clone();
    flipped[3] ^= 0x10;
    let mut newer = good.clone();
    let n = newer.len();
    newer[n - 10] = 99;
    let cases: Vec<Vec<Vec<u8>>> = vec![
        vec![b"RESTORE".to_vec(), b"x".to_vec(), b"0".to_vec(), flipped],
        vec![b"RESTORE".to_vec(), b"x".to_vec(), b"0".to_vec(), newer],
        vec![
            b"RESTORE".to_vec(),
            b"x".to_vec(),
            b"0".to_vec(),
            b"short".to_vec(),
        ],
        vec![
            b"RESTORE".to_vec(),
            b"x".to_vec(),
            b"-1".to_vec(),
            good.clone(),
        ],
        vec![
            b"RESTORE".to_vec(),
            b"h:small".to_vec(),
            b"0".to_vec(),
            good.clone(),
        ],
        vec![
            b"RESTORE".to_vec(),
            b"x".to_vec(),
            b"0".to_vec(),
            good.clone(),
            b"FREQ".to_vec(),
            b"300".to_vec(),
        ],
        vec![
            b"RESTORE".to_vec(),
            b"x".to_vec(),
            b"0".to_vec(),
            good.clone(),
            b"IDLETIME".to_vec(),
            b"-1".to_vec(),
        ],
        vec![
            b"RESTORE".to_vec(),
            b"x".to_vec(),
            b"0".to_vec(),
            good,
            b"BOGUS".to_vec(),
        ],
    ];
    for case in cases {
        assert_eq!(
            run(&mut engine, &case),
            run(&mut conn, &case),
            "{:?}",
            String::from_utf8_lossy(&case[3])
        );
    }
}

#[test]
fn redis_refuses_nothing_the_engine_writes_for_an_empty_dataset() {
    let engine = EngineConn::new();
    let snapshot = engine.engine.snapshot();
    let redis = start_redis("empty", Some(&snapshot));
    let mut conn = redis.connect();
    assert_eq!(conn.call(&[b"DBSIZE"]), Reply::Int(0));
}
