//! DEBUG: refused unless enable-debug-command allows it; OBJECT's report
//! (values as Redis 7.0 prints them for the same keys), SET-ACTIVE-EXPIRE,
//! RELOAD, ERROR and POPULATE.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::Engine;
use support::{engine, info_field, line};

fn with_debug(setting: &str) -> Engine {
    let mut e = engine();
    e.configure(&[("enable-debug-command", setting)])
        .unwrap_or_else(|err| panic!("{err}"));
    e
}

/// DEBUG OBJECT without the parts that vary (address, LRU bits).
fn object(e: &mut Engine, c: redsim_engine::ClientId, key: &str) -> String {
    let text = line(e, c, &format!("DEBUG OBJECT {key}"));
    text.split(' ')
        .filter(|part| !part.starts_with("at:") && !part.starts_with("lru:"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn refused_by_default_and_allowed_locally_or_when_enabled() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(
        line(&mut e, c, "DEBUG HELP"),
        "(error) ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
    );
    for setting in ["local", "yes"] {
        let mut e = with_debug(setting);
        let c = e.connect();
        assert!(line(&mut e, c, "DEBUG HELP").starts_with(" 1) DEBUG <subcommand>"));
    }
    let mut e = with_debug("local");
    let remote = e.connect_from(redsim_engine::Peer {
        addr: "10.0.0.7:5000".to_string(),
        laddr: "10.0.0.1:6379".to_string(),
        fd: 9,
    });
    assert!(
        line(&mut e, remote, "DEBUG HELP").starts_with("(error) ERR DEBUG command not allowed.")
    );
}

#[test]
fn object_reports_what_redis_reports_for_the_same_keys() {
    let mut e = with_debug("yes");
    let c = e.connect();
    line(&mut e, c, "SET foo bar");
    line(&mut e, c, "SET n 123");
    line(&mut e, c, "SET big 12345678901");
    line(&mut e, c, &format!("SET long {}", "x".repeat(100)));
    let numbers: Vec<String> = (1..=1000).map(|i| i.to_string()).collect();
    line(&mut e, c, &format!("RPUSH l {}", numbers.join(" ")));
    line(&mut e, c, "HSET h a 1 b 2");
    line(&mut e, c, "SADD s 1 2 3");
    line(&mut e, c, "XADD x 1-1 a b");
    // Redis 7.0.15's serialized lengths for these keys.
    for (key, expected) in [
        (
            "foo",
            "Value refcount:1 encoding:embstr serializedlength:4 lru_seconds_idle:0",
        ),
        (
            "n",
            "Value refcount:2147483647 encoding:int serializedlength:2 lru_seconds_idle:0",
        ),
        (
            "big",
            "Value refcount:1 encoding:int serializedlength:12 lru_seconds_idle:0",
        ),
        (
            "long",
            "Value refcount:1 encoding:raw serializedlength:13 lru_seconds_idle:0",
        ),
        (
            "l",
            "Value refcount:1 encoding:listpack serializedlength:2884 lru_seconds_idle:0",
        ),
        (
            "h",
            "Value refcount:1 encoding:listpack serializedlength:18 lru_seconds_idle:0",
        ),
        (
            "s",
            "Value refcount:1 encoding:intset serializedlength:15 lru_seconds_idle:0",
        ),
        (
            "x",
            "Value refcount:1 encoding:stream serializedlength:57 lru_seconds_idle:0",
        ),
    ] {
        assert_eq!(object(&mut e, c, key), expected, "{key}");
    }
    // A quicklist adds its nodes.
    let wide: Vec<String> = (0..2000).map(|i| format!("element-{i:06}")).collect();
    line(&mut e, c, &format!("RPUSH q {}", wide.join(" ")));
    assert_eq!(
        object(&mut e, c, "q"),
        "Value refcount:1 encoding:quicklist serializedlength:10113 lru_seconds_idle:0 ql_nodes:4 ql_avg_node:500.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:32028",
        "as Redis 7.0 reports it"
    );
    e.set_time(e.now() + 5_000);
    assert!(object(&mut e, c, "foo").ends_with("lru_seconds_idle:5"));
    assert_eq!(
        line(&mut e, c, "DEBUG OBJECT nosuch"),
        "(error) ERR no such key"
    );
    assert_eq!(
        line(&mut e, c, "DEBUG ERROR \"MYERR custom\""),
        "(error) MYERR custom"
    );
    assert_eq!(
        line(&mut e, c, "DEBUG OBJECT"),
        "(error) ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP."
    );
    assert_eq!(
        line(&mut e, c, "DEBUG JMAP"),
        "(error) ERR unknown subcommand or wrong number of arguments for 'JMAP'. Try DEBUG HELP."
    );
}

#[test]
fn set_active_expire_stops_background_expiry_and_reload_round_trips() {
    let mut e = with_debug("yes");
    let c = e.connect();
    assert_eq!(line(&mut e, c, "DEBUG SET-ACTIVE-EXPIRE 0"), "OK");
    for i in 0..50 {
        line(&mut e, c, &format!("SET k{i} v PX 100"));
    }
    let later = e.now() + 10_000;
    e.tick(later);
    assert_eq!(
        line(&mut e, c, "DBSIZE"),
        "(integer) 50",
        "no background expiry"
    );
    assert_eq!(
        line(&mut e, c, "GET k0"),
        "(nil)",
        "lazy expiry still works"
    );
    line(&mut e, c, "DEBUG SET-ACTIVE-EXPIRE 1");
    e.tick(later + 100);
    assert_eq!(line(&mut e, c, "DBSIZE"), "(integer) 0");
    line(&mut e, c, "SET keep 1 EX 1000");
    line(&mut e, c, "HSET h f v");
    line(&mut e, c, "SELECT 2");
    line(&mut e, c, "RPUSH l a b");
    assert_eq!(line(&mut e, c, "DEBUG RELOAD"), "OK");
    assert_eq!(line(&mut e, c, "LRANGE l 0 -1"), "1) \"a\"\n2) \"b\"");
    line(&mut e, c, "SELECT 0");
    assert_eq!(line(&mut e, c, "TTL keep"), "(integer) 1000");
    assert_eq!(line(&mut e, c, "HGET h f"), "\"v\"");
}

#[test]
fn reload_saves_then_loads_as_redis_counts_them() {
    let mut e = with_debug("yes");
    let c = e.connect();
    let started = line(&mut e, c, "LASTSAVE");
    line(&mut e, c, "DEBUG SET-ACTIVE-EXPIRE 0");
    line(&mut e, c, "SET a 1");
    line(&mut e, c, "SET b 2 EX 1000");
    line(&mut e, c, "SET gone x PX 50");
    line(&mut e, c, "SELECT 3");
    line(&mut e, c, "SET gone2 y PX 50");
    let later = e.now() + 3_500;
    e.tick(later);
    assert_ne!(
        info_field(&mut e, c, "persistence", "rdb_changes_since_last_save"),
        "0"
    );
    assert_eq!(line(&mut e, c, "DEBUG RELOAD"), "OK");
    let now_s = later.div_euclid(1000);
    assert_ne!(started, format!("(integer) {now_s}"));
    assert_eq!(line(&mut e, c, "LASTSAVE"), format!("(integer) {now_s}"));
    for (name, value) in [
        ("rdb_changes_since_last_save", "0".to_string()),
        ("rdb_last_save_time", now_s.to_string()),
        // Redis 7.0 counts only SAVE and BGSAVE in rdb_saves.
        ("rdb_saves", "0".to_string()),
        ("rdb_last_load_keys_loaded", "2".to_string()),
        ("rdb_last_load_keys_expired", "2".to_string()),
    ] {
        assert_eq!(info_field(&mut e, c, "persistence", name), value, "{name}");
    }
    // Dropped at load, not expired: expired_keys does not count them.
    assert_eq!(info_field(&mut e, c, "stats", "expired_keys"), "0");
    assert!(e.take_snapshot().is_some(), "the save reaches the host");
    line(&mut e, c, "SET c 3");
    assert_eq!(
        info_field(&mut e, c, "persistence", "rdb_changes_since_last_save"),
        "1"
    );
    // A load the host makes counts the same way.
    let snapshot = e.snapshot();
    e.load_snapshot(&snapshot)
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        info_field(&mut e, c, "persistence", "rdb_last_load_keys_loaded"),
        "3"
    );
    assert_eq!(
        info_field(&mut e, c, "persistence", "rdb_last_load_keys_expired"),
        "0"
    );
}

#[test]
fn populate_stops_at_maxmemory_keeping_what_it_added() {
    let mut e = with_debug("yes");
    let c = e.connect();
    line(&mut e, c, "CONFIG SET maxmemory 2mb");
    assert_eq!(
        line(&mut e, c, "DEBUG POPULATE 1000000"),
        "(error) OOM command not allowed when used memory > 'maxmemory'."
    );
    let keys: usize = line(&mut e, c, "DBSIZE")
        .trim_start_matches("(integer) ")
        .parse()
        .unwrap_or(0);
    assert!(keys > 1000 && keys < 100_000, "{keys} keys");
    let used: usize = info_field(&mut e, c, "memory", "used_memory")
        .parse()
        .unwrap_or(usize::MAX);
    assert!(used < 3 * 1024 * 1024, "stopped near the limit: {used}");
    // A value past proto-max-bulk-len is refused before anything is made.
    assert_eq!(
        line(&mut e, c, "DEBUG POPULATE 1 huge 600000000"),
        "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    );
    assert_eq!(line(&mut e, c, "EXISTS huge:0"), "(integer) 0");
    // Without a limit it makes every key.
    line(&mut e, c, "CONFIG SET maxmemory 0");
    line(&mut e, c, "FLUSHALL");
    assert_eq!(line(&mut e, c, "DEBUG POPULATE 5000"), "OK");
    assert_eq!(line(&mut e, c, "DBSIZE"), "(integer) 5000");
}
