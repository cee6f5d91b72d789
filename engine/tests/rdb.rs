//! RDB snapshots and DUMP/RESTORE inside the engine: every type and
//! encoding survives a round trip (snapshot → load, DUMP → RESTORE) with
//! its contents, encoding, TTL and idle time; damaged input of every kind
//! is refused with the dataset untouched. (Interchange with a real
//! redis-server is `server/tests/rdb_oracle.rs`.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use redsim_engine::rdb::LoadError;
use support::persist::{self, assert_same, facts, fresh, guarded, Observe, NOW};
use support::{line, Session};

/// The shared dataset with these tests' own s:raw, s:bin, z:small and
/// field TTLs.
fn populate(s: &mut Session) {
    let own = [
        "APPEND s:raw abc",
        "SET s:bin \"a\\x00b\\xffc\"",
        "ZADD z:small 1 a 2.5 b -inf c inf d 0.1 e",
        "HPEXPIRE h:fttl 50000 FIELDS 2 a b",
    ];
    persist::populate(s, &own, "5");
}

/// What these tests compare of each key beyond the basics: idle times too,
/// which a snapshot carries, but not consumers' active-time.
const OBSERVE: Observe = Observe {
    idle_time: true,
    hash_ttl_fields: &["a", "f1", "f2"],
    active_time: false,
};

#[test]
fn snapshot_round_trip_keeps_every_type_encoding_and_ttl() {
    let mut s = Session::at(NOW);
    populate(&mut s);
    s.sleep(3000); // idle times to carry over (under an LRU policy)
    s.run("CONFIG SET maxmemory-policy allkeys-lru");
    // Snapshot first: reading the facts touches every key.
    let snapshot = s.engine.snapshot();
    let before = facts(&mut s.engine, &OBSERVE);
    // Hash field TTLs need Redis 7.4's format.
    assert_eq!(&snapshot[..9], b"REDIS0012");

    let mut other = fresh();
    other.set_time(NOW + 3000);
    other
        .load_snapshot(&snapshot)
        .expect("loads its own snapshot");
    let c = other.connect();
    line(&mut other, c, "CONFIG SET maxmemory-policy allkeys-lru");
    assert_same(&before, &facts(&mut other, &OBSERVE));
    assert_eq!(other.dbsize(0), s.engine.dbsize(0));
    assert_eq!(other.dbsize(2), 1);
}

#[test]
fn without_field_ttls_the_file_is_version_10_and_byte_stable() {
    let mut s = Session::at(NOW);
    s.run("RPUSH l a b c");
    s.run("SET k v");
    let snapshot = s.engine.snapshot();
    assert_eq!(&snapshot[..9], b"REDIS0010");
    let mut other = fresh();
    other.load_snapshot(&snapshot).expect("loads");
    // The same data and clock write the same bytes.
    assert_eq!(other.snapshot(), snapshot);
}

#[test]
fn dump_restore_round_trips_every_key() {
    let mut s = Session::at(NOW);
    populate(&mut s);
    let before = facts(&mut s.engine, &OBSERVE);
    let mut other = fresh();
    let src = s.engine.connect();
    let dst = other.connect();
    for db in [0, 1, 2] {
        line(&mut s.engine, src, &format!("SELECT {db}"));
        line(&mut other, dst, &format!("SELECT {db}"));
        let keys = s.engine.execute(src, &["KEYS", "*"]);
        let redsim_engine::Reply::Array(keys) = keys else {
            panic!("KEYS");
        };
        for key in keys {
            let redsim_engine::Reply::Bulk(key) = key else {
                continue;
            };
            let redsim_engine::Reply::Bulk(payload) =
                s.engine.execute(src, &[b"DUMP".as_slice(), &key])
            else {
                panic!("DUMP");
            };
            let ttl = match s.engine.execute(src, &[b"PEXPIRETIME".as_slice(), &key]) {
                redsim_engine::Reply::Int(at) if at > 0 => at.to_string(),
                _ => "0".to_string(),
            };
            let reply = other.execute(
                dst,
                &[
                    b"RESTORE".as_slice(),
                    &key,
                    ttl.as_bytes(),
                    &payload,
                    b"ABSTTL",
                ],
            );
            assert_eq!(
                reply,
                redsim_engine::Reply::ok(),
                "{:?}",
                String::from_utf8_lossy(&key)
            );
        }
    }
    assert_same(&before, &facts(&mut other, &OBSERVE));
}

#[test]
fn restore_options_and_errors_follow_redis() {
    let mut s = Session::at(NOW);
    s.run("SET k 12345");
    let payload = s.run("DUMP k");
    // Redis 7.0's bytes for this value (the oracle test checks DUMP
    // against redis-server for many more).
    assert_eq!(
        payload,
        "\"\\x00\\xc190\\n\\x00\\x9d\\x94\\xea'\\x93\\xfc\\b\\xb9\""
    );
    s.run("HSET h f v");
    let hash = match s.reply("DUMP h") {
        redsim_engine::Reply::Bulk(b) => b,
        other => panic!("{other:?}"),
    };
    let mut run = |args: &[&[u8]]| {
        let reply = s.engine.execute(s.client, args);
        redsim_engine::reply::cli::format_as(reply, redsim_engine::Protocol::Resp2)
            .trim_end()
            .to_string()
    };
    assert_eq!(
        run(&[b"RESTORE", b"h", b"0", &hash]),
        "(error) BUSYKEY Target key name already exists."
    );
    assert_eq!(
        run(&[b"RESTORE", b"h2", b"-5", &hash]),
        "(error) ERR Invalid TTL value, must be >= 0"
    );
    assert_eq!(
        run(&[b"RESTORE", b"h2", b"x", &hash]),
        "(error) ERR value is not an integer or out of range"
    );
    let mut bad = hash.clone();
    bad[2] ^= 1;
    assert_eq!(
        run(&[b"RESTORE", b"h2", b"0", &bad]),
        "(error) ERR DUMP payload version or checksum are wrong"
    );
    assert_eq!(
        run(&[b"RESTORE", b"h2", b"0", b"tiny"]),
        "(error) ERR DUMP payload version or checksum are wrong"
    );
    // A valid footer around garbage: the value itself is bad.
    let mut garbage = vec![99u8, 1, 2, 3, 10, 0];
    let crc = redsim_engine::crc64::update(0, &garbage);
    garbage.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(
        run(&[b"RESTORE", b"h2", b"0", &garbage]),
        "(error) ERR Bad data format"
    );
    assert_eq!(
        run(&[b"RESTORE", b"h2", b"0", &hash, b"IDLETIME", b"-1"]),
        "(error) ERR Invalid IDLETIME value, must be >= 0"
    );
    assert_eq!(
        run(&[b"RESTORE", b"h2", b"0", &hash, b"FREQ", b"256"]),
        "(error) ERR Invalid FREQ value, must be >= 0 and <= 255"
    );
    assert_eq!(
        run(&[
            b"RESTORE",
            b"h2",
            b"0",
            &hash,
            b"IDLETIME",
            b"5",
            b"FREQ",
            b"5"
        ]),
        "(error) ERR syntax error"
    );
    assert_eq!(
        run(&[b"RESTORE", b"h2", b"0", &hash, b"IDLETIME", b"100"]),
        "OK"
    );
    assert_eq!(run(&[b"OBJECT", b"IDLETIME", b"h2"]), "(integer) 100");
    assert_eq!(run(&[b"RESTORE", b"h", b"0", &hash, b"REPLACE"]), "OK");
    assert_eq!(run(&[b"RESTORE", b"t", b"5000", &hash]), "OK");
    assert_eq!(run(&[b"PTTL", b"t"]), "(integer) 5000");
    let past = (NOW - 1).to_string();
    assert_eq!(
        run(&[b"RESTORE", b"gone", past.as_bytes(), &hash, b"ABSTTL"]),
        "OK"
    );
    assert_eq!(run(&[b"EXISTS", b"gone"]), "(integer) 0");
    // REPLACE with a TTL already past deletes the old key.
    assert_eq!(
        run(&[
            b"RESTORE",
            b"h",
            past.as_bytes(),
            &hash,
            b"ABSTTL",
            b"REPLACE"
        ]),
        "OK"
    );
    assert_eq!(run(&[b"EXISTS", b"h"]), "(integer) 0");
    assert_eq!(run(&[b"DUMP", b"nosuch"]), "(nil)");
}

#[test]
fn save_bgsave_lastsave_hand_the_snapshot_to_the_host() {
    let mut s = Session::at(NOW);
    assert_eq!(s.run("LASTSAVE"), format!("(integer) {}", NOW / 1000));
    assert_eq!(s.engine.take_snapshot(), None);
    s.run("SET k v");
    s.sleep(5000);
    assert_eq!(s.run("SAVE"), "OK");
    assert_eq!(s.run("LASTSAVE"), format!("(integer) {}", NOW / 1000 + 5));
    let saved = s.engine.take_snapshot().expect("SAVE left a snapshot");
    assert_eq!(saved, s.engine.snapshot());
    assert_eq!(s.engine.take_snapshot(), None, "taken once");
    assert_eq!(s.run("BGSAVE"), "Background saving started");
    assert!(s.engine.take_snapshot().is_some());
    assert_eq!(s.run("BGSAVE SCHEDULE"), "Background saving started");
    assert_eq!(s.run("BGSAVE now"), "(error) ERR syntax error");
}

#[test]
fn expired_keys_are_dropped_at_load() {
    let mut s = Session::at(NOW);
    s.run("SET short v PX 1000");
    s.run("SET long v PX 100000");
    let snapshot = s.engine.snapshot();
    let mut later = fresh();
    later.set_time(NOW + 5000);
    later.load_snapshot(&snapshot).expect("loads");
    assert_eq!(later.dbsize(0), 1);
}

/// A snapshot with a bit of everything, and a loaded engine to compare.
fn sample() -> (Vec<u8>, Vec<String>) {
    let mut s = Session::at(NOW);
    populate(&mut s);
    let snapshot = s.engine.snapshot();
    let mut e = fresh();
    e.load_snapshot(&snapshot).expect("valid");
    let facts = facts(&mut e, &OBSERVE);
    (snapshot, facts)
}

#[test]
fn every_truncation_is_refused_and_changes_nothing() {
    let (snapshot, _) = sample();
    let (mut e, before) = guarded(&OBSERVE);
    // Every cut of a small file, and a spread of cuts of the large one.
    let mut small = Session::at(NOW);
    small.run("HSET h a 1");
    small.run("SET s hello EX 100");
    small.run("XADD x 1-1 f v");
    let small = small.engine.snapshot();
    for cut in 0..small.len() {
        assert!(e.load_snapshot(&small[..cut]).is_err(), "cut at {cut}");
    }
    for cut in (0..snapshot.len()).step_by(7) {
        assert!(e.load_snapshot(&snapshot[..cut]).is_err(), "cut at {cut}");
    }
    assert_same(&before, &facts(&mut e, &OBSERVE));
}

#[test]
fn bit_flips_wrong_versions_and_noise_are_refused() {
    let (snapshot, _) = sample();
    let (mut e, before) = guarded(&OBSERVE);
    for i in (0..snapshot.len()).step_by(11) {
        let mut bad = snapshot.clone();
        bad[i] ^= 1 << (i % 8);
        assert!(e.load_snapshot(&bad).is_err(), "flip at {i}");
    }
    for version in ["0008", "0013", "0099", "abcd"] {
        let mut bad = snapshot.clone();
        bad[5..9].copy_from_slice(version.as_bytes());
        let err = e.load_snapshot(&bad).expect_err("refused");
        assert!(
            matches!(err, LoadError::Version(_) | LoadError::NotRdb),
            "{err}"
        );
    }
    let mut state = 0x1234_5678_9abc_def0u64;
    for len in [0usize, 1, 9, 18, 100, 5000] {
        let noise: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        assert!(e.load_snapshot(&noise).is_err());
        let mut with_header = b"REDIS0010".to_vec();
        with_header.extend_from_slice(&noise);
        assert!(e.load_snapshot(&with_header).is_err());
    }
    assert_same(&before, &facts(&mut e, &OBSERVE));
    let message = e
        .load_snapshot(b"REDIS0010")
        .expect_err("short")
        .to_string();
    assert!(message.contains("truncated"), "{message}");
}

/// Valid checksums around damaged content: the parser itself must refuse
/// (or accept) without panicking, and never change the data on refusal.
#[test]
fn damaged_content_with_a_valid_checksum_never_panics() {
    let (snapshot, _) = sample();
    let (mut e, before) = guarded(&OBSERVE);
    let body = &snapshot[..snapshot.len() - 8];
    let mut refused = 0;
    for i in (9..body.len() - 1).step_by(body.len() / 400) {
        let mut bad = body.to_vec();
        bad[i] = bad[i].wrapping_add(1 + (i % 200) as u8);
        let crc = redsim_engine::crc64::update(0, &bad);
        bad.extend_from_slice(&crc.to_le_bytes());
        if e.load_snapshot(&bad).is_err() {
            refused += 1;
            assert_eq!(e.dbsize(0), 2);
        } else {
            // Accepted (a changed value byte): restore the guard data.
            e = guarded(&OBSERVE).0;
        }
    }
    assert!(refused > 200, "most damage is caught ({refused})");
    assert_same(&before, &facts(&mut guarded(&OBSERVE).0, &OBSERVE));
}

#[test]
fn damaged_dump_payloads_never_panic() {
    let mut s = Session::at(NOW);
    populate(&mut s);
    let c = s.client;
    for key in [
        "h:small", "z:small", "st", "set:int", "l:small", "hll", "h:fttl", "l:plain",
    ] {
        let redsim_engine::Reply::Bulk(payload) = s.engine.execute(c, &["DUMP", key]) else {
            panic!("DUMP {key}");
        };
        let body_len = payload.len() - 10;
        for i in 0..body_len {
            let mut bad = payload[..body_len + 2].to_vec();
            bad[i] ^= 0x5a;
            let crc = redsim_engine::crc64::update(0, &bad);
            bad.extend_from_slice(&crc.to_le_bytes());
            let reply = s.engine.execute(
                c,
                &[b"RESTORE".as_slice(), b"target", b"0", &bad, b"REPLACE"],
            );
            assert!(
                reply == redsim_engine::Reply::ok()
                    || reply == redsim_engine::Reply::Error("ERR Bad data format".into()),
                "{key} byte {i}: {reply:?}"
            );
        }
        for cut in 0..payload.len() {
            let reply = s.engine.execute(
                c,
                &[b"RESTORE".as_slice(), b"target2", b"0", &payload[..cut]],
            );
            assert!(
                matches!(reply, redsim_engine::Reply::Error(_)),
                "{key} cut {cut}"
            );
        }
    }
}

#[test]
fn freq_and_idle_follow_the_policy_as_in_redis() {
    let mut s = Session::at(NOW);
    s.run("SET k v");
    let payload = match s.reply("DUMP k") {
        redsim_engine::Reply::Bulk(b) => b,
        other => panic!("{other:?}"),
    };
    let restore = |s: &mut Session, key: &str, opt: &str, n: &str| {
        let reply = s.engine.execute(
            s.client,
            &[
                b"RESTORE".as_slice(),
                key.as_bytes(),
                b"0",
                &payload,
                opt.as_bytes(),
                n.as_bytes(),
            ],
        );
        assert_eq!(reply, redsim_engine::Reply::ok());
    };
    // LRU (any non-LFU policy): IDLETIME counts, FREQ is ignored.
    restore(&mut s, "idle", "IDLETIME", "250");
    assert_eq!(s.run("OBJECT IDLETIME idle"), "(integer) 250");
    // LFU: FREQ counts; a snapshot carries each key's counter.
    s.run("CONFIG SET maxmemory-policy allkeys-lfu");
    restore(&mut s, "hot", "FREQ", "100");
    // The file says so: FREQ 100, then the string "hot" (type 0, length 3).
    let carries = |file: &[u8]| {
        file.windows(7)
            .any(|w| w == [249, 100, 0, 3, b'h', b'o', b't'])
    };
    let snapshot = s.engine.snapshot();
    assert!(carries(&snapshot));
    let mut other = fresh();
    let c = other.connect();
    line(&mut other, c, "CONFIG SET maxmemory-policy allkeys-lfu");
    other.load_snapshot(&snapshot).expect("loads");
    assert!(
        carries(&other.snapshot()),
        "the loaded key kept its counter"
    );
}
