//! SLOWLOG with a host timer the test controls, and MONITOR's stream.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::sync::atomic::{AtomicU64, Ordering};

use redsim_engine::{Config, Engine, Reply};
use support::line;

/// A clock that moves 2500 µs each time it is read: every command takes
/// 2500 µs.
static CLOCK: AtomicU64 = AtomicU64::new(0);
fn ticking_clock() -> u64 {
    CLOCK.fetch_add(2500, Ordering::Relaxed)
}

#[test]
fn slow_commands_are_logged_newest_first_with_trimmed_arguments() {
    let mut e = Engine::new(Config {
        now_ms: 1_700_000_000_000,
        ..Config::default()
    });
    e.set_timer(ticking_clock);
    let c = e.connect();
    line(&mut e, c, "CLIENT SETNAME tester");
    assert_eq!(
        line(&mut e, c, "SLOWLOG LEN"),
        "(integer) 0",
        "below 10 ms by default"
    );
    line(&mut e, c, "CONFIG SET slowlog-log-slower-than 2000");
    let long = "x".repeat(130);
    line(&mut e, c, &format!("SET k {long}"));
    let many: Vec<String> = (0..40).map(|i| i.to_string()).collect();
    line(&mut e, c, &format!("RPUSH l {}", many.join(" ")));
    let got = e.execute(c, &["SLOWLOG", "GET", "2"]);
    let Reply::Array(entries) = got else {
        panic!("SLOWLOG GET answers an array")
    };
    assert_eq!(entries.len(), 2);
    let Reply::Array(newest) = &entries[0] else {
        panic!("an entry is an array")
    };
    assert_eq!(newest[1], Reply::Int(1_700_000_000));
    assert_eq!(newest[2], Reply::Int(2500));
    let Reply::Array(args) = &newest[3] else {
        panic!("arguments")
    };
    assert_eq!(args.len(), 32);
    assert_eq!(args[31], Reply::bulk(b"... (11 more arguments)"));
    assert_eq!(newest[5], Reply::bulk(b"tester"));
    let Reply::Array(older) = &entries[1] else {
        panic!("an entry is an array")
    };
    let Reply::Array(args) = &older[3] else {
        panic!("arguments")
    };
    let mut trimmed = "x".repeat(128).into_bytes();
    trimmed.extend_from_slice(b"... (2 more bytes)");
    assert_eq!(args[2], Reply::Bulk(trimmed));
    // The ids count up; older entries drop past slowlog-max-len.
    line(&mut e, c, "CONFIG SET slowlog-max-len 3");
    line(&mut e, c, "PING");
    assert_eq!(line(&mut e, c, "SLOWLOG LEN"), "(integer) 3");
    assert_eq!(line(&mut e, c, "SLOWLOG RESET"), "OK");
    // The RESET itself took 2500 µs, so it is the one entry left.
    assert_eq!(line(&mut e, c, "SLOWLOG LEN"), "(integer) 1");
    assert_eq!(
        line(&mut e, c, "SLOWLOG GET -2"),
        "(error) ERR count should be greater than or equal to -1"
    );
    let info = line(&mut e, c, "INFO commandstats");
    assert!(
        info.contains("cmdstat_ping:calls=1,usec=2500,usec_per_call=2500.00"),
        "{info}"
    );
}

#[test]
fn monitor_streams_other_clients_commands() {
    let mut e = Engine::new(Config {
        now_ms: 1_700_000_000_123,
        ..Config::default()
    });
    let (watcher, worker) = (e.connect(), e.connect());
    assert_eq!(line(&mut e, watcher, "MONITOR"), "OK");
    line(&mut e, worker, "SET greeting \"hi there\"");
    line(&mut e, worker, "SELECT 2");
    line(&mut e, worker, "GET \"a\\x00b\"");
    let frames = e.take_output(watcher);
    let addr = format!("127.0.0.1:{}", 40_000 + worker);
    assert_eq!(
        frames,
        vec![
            Reply::Status(format!(
                "1700000000.123000 [0 {addr}] \"SET\" \"greeting\" \"hi there\""
            )),
            // As in Redis, the database shown is the one after the command.
            Reply::Status(format!("1700000000.123000 [2 {addr}] \"SELECT\" \"2\"")),
            Reply::Status(format!("1700000000.123000 [2 {addr}] \"GET\" \"a\\x00b\"")),
        ]
    );
    // Administrative commands are not shown; RESET stops the stream.
    line(&mut e, worker, "CONFIG GET maxmemory");
    assert!(e.take_output(watcher).is_empty());
    line(&mut e, watcher, "RESET");
    line(&mut e, worker, "PING");
    assert!(e.take_output(watcher).is_empty());
}

#[test]
fn monitors_are_followed_through_repeats_resets_and_disconnects() {
    let mut e = Engine::new(Config::default());
    let (first, second, worker) = (e.connect(), e.connect(), e.connect());
    // MONITOR twice is still one monitor; RESET of a non-monitor no-op.
    line(&mut e, first, "MONITOR");
    line(&mut e, first, "MONITOR");
    line(&mut e, second, "MONITOR");
    line(&mut e, worker, "RESET");
    line(&mut e, worker, "PING");
    assert_eq!(e.take_output(first).len(), 2, "RESET and PING");
    assert_eq!(e.take_output(second).len(), 2);
    // One leaves: the other still hears everything.
    e.disconnect(first);
    line(&mut e, worker, "PING");
    assert_eq!(e.take_output(second).len(), 1);
    line(&mut e, second, "RESET");
    line(&mut e, worker, "PING");
    assert!(e.take_output(second).is_empty());
    // A new monitor after all left is heard again.
    let third = e.connect();
    line(&mut e, third, "MONITOR");
    line(&mut e, worker, "PING");
    assert_eq!(e.take_output(third).len(), 1);
    assert_eq!(e.clients_with_output(), Vec::<u64>::new());
}

#[test]
fn a_host_reads_the_slow_log_and_sets_its_threshold_without_a_client() {
    let mut e = Engine::new(Config {
        now_ms: 1_700_000_000_000,
        ..Config::default()
    });
    e.set_timer(ticking_clock);
    assert_eq!(e.config_int("slowlog-log-slower-than"), 10_000);
    assert_eq!(
        e.set_config("slowlog-log-slower-than", "nope"),
        Err("ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument couldn't be parsed into an integer".to_string())
    );
    e.set_config("slowlog-log-slower-than", "0").unwrap();
    assert_eq!(e.config_int("slowlog-log-slower-than"), 0);
    let c = e.connect();
    line(&mut e, c, "SET k v");
    line(&mut e, c, "GET k");
    let seen: Vec<(u64, Vec<Vec<u8>>)> = e.slow_log().map(|s| (s.id, s.args.clone())).collect();
    assert_eq!(
        seen,
        [
            (1, vec![b"GET".to_vec(), b"k".to_vec()]),
            (0, vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()]),
        ]
    );
    // Reading it ran no command: SLOWLOG LEN is the first thing logged after.
    assert_eq!(line(&mut e, c, "SLOWLOG LEN"), "(integer) 2");
}
