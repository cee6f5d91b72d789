//! The memory model as INFO memory and MEMORY report it: growth per key as
//! measured on Redis 7.0, MEMORY STATS' breakdown, DOCTOR's findings.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::{ClientId, Engine, Reply};
use support::{engine, line};

fn used_memory(e: &mut Engine, c: ClientId) -> i64 {
    let info = line(e, c, "INFO memory");
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1)
}

/// MEMORY STATS as name -> reply.
fn stats(e: &mut Engine, c: ClientId) -> Vec<(String, Reply)> {
    let Reply::Map(pairs) = e.execute(c, &["MEMORY", "STATS"]) else {
        panic!("MEMORY STATS is a map")
    };
    pairs
        .into_iter()
        .map(|(k, v)| match k {
            Reply::Bulk(name) => (String::from_utf8_lossy(&name).into_owned(), v),
            other => panic!("a field name, not {other:?}"),
        })
        .collect()
}

fn stat(stats: &[(String, Reply)], name: &str) -> Reply {
    stats
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn used_memory_grows_per_key_as_redis_7_does() {
    let mut e = engine();
    let c = e.connect();
    let empty = used_memory(&mut e, c);
    for i in 0..1000 {
        line(&mut e, c, &format!("SET key:{i} value:{i}"));
    }
    // Redis 7.0.15 on the same 1000 keys: 87392 bytes more (the keys'
    // MEMORY USAGE, jemalloc's rounding of each table entry, 1024 buckets).
    assert_eq!(used_memory(&mut e, c) - empty, 87_392);
    for i in 0..1000 {
        line(&mut e, c, &format!("EXPIRE key:{i} 1000"));
    }
    // The expires table: 1000 entries and 1024 buckets, 40192 in Redis.
    assert_eq!(used_memory(&mut e, c) - empty, 87_392 + 40_192);
    // Values that change size are counted again.
    line(
        &mut e,
        c,
        "APPEND key:0 0123456789012345678901234567890123456789",
    );
    assert!(used_memory(&mut e, c) - empty > 87_392 + 40_192);
    line(&mut e, c, "FLUSHALL");
    assert_eq!(used_memory(&mut e, c), empty);
    let info = line(&mut e, c, "INFO memory");
    assert!(info.contains("used_memory_peak:"), "{info}");
    let peak: i64 = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory_peak:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    assert!(peak >= empty + 87_392 + 40_192, "{peak}");
}

#[test]
fn collections_are_recounted_as_they_change() {
    let mut e = engine();
    let c = e.connect();
    line(&mut e, c, "HSET h f v");
    let small = line(&mut e, c, "MEMORY USAGE h");
    let before = used_memory(&mut e, c);
    for i in 0..600 {
        line(&mut e, c, &format!("HSET h field{i} value{i}"));
    }
    assert_eq!(line(&mut e, c, "OBJECT ENCODING h"), "\"hashtable\"");
    let grown = used_memory(&mut e, c);
    let usage: i64 = line(&mut e, c, "MEMORY USAGE h")
        .trim_start_matches("(integer) ")
        .parse()
        .unwrap_or(0);
    assert!(usage > 30_000, "{usage}");
    assert_eq!(
        grown - before,
        usage
            - small
                .trim_start_matches("(integer) ")
                .parse::<i64>()
                .unwrap_or(0)
    );
    line(&mut e, c, "DEL h");
    assert!(used_memory(&mut e, c) < before);
}

#[test]
fn memory_stats_break_the_total_down() {
    let mut e = engine();
    let c = e.connect();
    for i in 0..100 {
        line(&mut e, c, &format!("SET k{i} {i}"));
    }
    line(&mut e, c, "SELECT 3");
    line(&mut e, c, "SET other v EX 100");
    let s = stats(&mut e, c);
    let Reply::Int(total) = stat(&s, "total.allocated") else {
        panic!("an integer")
    };
    assert_eq!(total, used_memory(&mut e, c));
    assert_eq!(stat(&s, "keys.count"), Reply::Int(101));
    // Databases with keys, with Redis's overhead formula: entries plus
    // key objects plus buckets (128 for 100 keys).
    assert_eq!(
        stat(&s, "db.0"),
        Reply::Map(vec![
            (
                Reply::bulk(b"overhead.hashtable.main"),
                Reply::Int(100 * 40 + 128 * 8)
            ),
            (Reply::bulk(b"overhead.hashtable.expires"), Reply::Int(0)),
            (
                Reply::bulk(b"overhead.hashtable.slot-to-keys"),
                Reply::Int(0)
            ),
        ])
    );
    assert_eq!(
        stat(&s, "db.3"),
        Reply::Map(vec![
            (Reply::bulk(b"overhead.hashtable.main"), Reply::Int(40 + 32)),
            (
                Reply::bulk(b"overhead.hashtable.expires"),
                Reply::Int(24 + 32)
            ),
            (
                Reply::bulk(b"overhead.hashtable.slot-to-keys"),
                Reply::Int(0)
            ),
        ])
    );
    assert!(
        !s.iter().any(|(n, _)| n == "db.1"),
        "empty databases are left out"
    );
    let (Reply::Int(overhead), Reply::Int(dataset)) =
        (stat(&s, "overhead.total"), stat(&s, "dataset.bytes"))
    else {
        panic!("integers")
    };
    assert_eq!(overhead + dataset, total);
    assert!(matches!(stat(&s, "dataset.percentage"), Reply::Double(p) if p > 0.0 && p < 100.0));
    assert_eq!(
        line(&mut e, c, "MEMORY MALLOC-STATS"),
        "Stats not supported for the current allocator",
        "redis-cli prints it raw"
    );
    assert_eq!(line(&mut e, c, "MEMORY PURGE"), "OK");
}

#[test]
fn memory_doctor_speaks_up_near_the_limit() {
    let mut e = engine();
    let c = e.connect();
    let quiet = line(&mut e, c, "MEMORY DOCTOR");
    assert!(quiet.contains("too little for a diagnosis"), "{quiet}");
    let value = "x".repeat(10_000);
    for i in 0..600 {
        line(&mut e, c, &format!("SET big{i} {value}"));
    }
    let used = used_memory(&mut e, c);
    line(
        &mut e,
        c,
        &format!("CONFIG SET maxmemory {}", used + used / 20),
    );
    let report = line(&mut e, c, "MEMORY DOCTOR");
    assert!(report.contains("above 90% of maxmemory"), "{report}");
    assert!(report.contains("writes will soon be refused"), "{report}");
    line(&mut e, c, "CONFIG SET maxmemory 0");
    let calm = line(&mut e, c, "MEMORY DOCTOR");
    assert!(calm.contains("Nothing stands out"), "{calm}");
    let help = line(&mut e, c, "MEMORY HELP");
    assert!(help.contains("USAGE <key> [SAMPLES <count>]"), "{help}");
}

#[test]
fn reused_slots_are_counted_once() {
    // Keys changed in place, deleted and replaced in the same slot, with
    // nothing asking for memory in between, add up to a fresh engine's.
    let mut e = engine();
    let c = e.connect();
    for i in 0..50 {
        line(&mut e, c, &format!("RPUSH a{i} x y z"));
        line(&mut e, c, &format!("DEL a{i}"));
        line(&mut e, c, &format!("RPUSH b{i} one two"));
        line(&mut e, c, &format!("RPUSH b{i} three"));
    }
    let churned = used_memory(&mut e, c);
    let mut fresh = engine();
    let f = fresh.connect();
    for i in 0..50 {
        line(&mut fresh, f, &format!("RPUSH b{i} one two three"));
    }
    assert_eq!(churned, used_memory(&mut fresh, f));
}
