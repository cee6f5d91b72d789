//! CONFIG as the rest of the engine feels it: encoding limits, the bulk
//! length limit, the host's values, INFO after SET and RESETSTAT, HELP, and
//! the Redis 7.2 set listpack parameters the 7.0 oracle cannot record.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::{Config, Engine, Reply};
use support::Session;

#[test]
fn set_listpack_limits_are_parameters() {
    let mut s = Session::new();
    assert_eq!(
        s.run("CONFIG GET set-max-listpack-entries"),
        "1) \"set-max-listpack-entries\"\n2) \"128\""
    );
    assert_eq!(
        s.run("CONFIG SET set-max-listpack-value 1kb"),
        "(error) ERR CONFIG SET failed (possibly related to argument 'set-max-listpack-value') - argument couldn't be parsed into an integer"
    );
    assert_eq!(
        s.run("CONFIG SET set-max-listpack-entries -1"),
        "(error) ERR CONFIG SET failed (possibly related to argument 'set-max-listpack-entries') - argument must be between 0 and 9223372036854775807 inclusive"
    );
    assert_eq!(s.run("CONFIG SET set-max-listpack-entries 2"), "OK");
    s.run("SADD small a b");
    assert_eq!(s.run("OBJECT ENCODING small"), "\"listpack\"");
    s.run("SADD big a b c");
    assert_eq!(s.run("OBJECT ENCODING big"), "\"hashtable\"");
    assert_eq!(
        s.run("CONFIG SET set-max-listpack-entries 128 set-max-listpack-value 3"),
        "OK"
    );
    s.run("SADD long abcd");
    assert_eq!(s.run("OBJECT ENCODING long"), "\"hashtable\"");
    assert_eq!(s.run("CONFIG SET set-max-intset-entries 2"), "OK");
    s.run("SADD ints 1 2 3");
    assert_eq!(s.run("OBJECT ENCODING ints"), "\"listpack\"");
}

#[test]
fn list_node_size_is_a_parameter() {
    let mut s = Session::new();
    s.run("RPUSH before a b c");
    assert_eq!(s.run("OBJECT ENCODING before"), "\"listpack\"");
    assert_eq!(s.run("CONFIG SET list-max-ziplist-size 2"), "OK");
    assert_eq!(
        s.run("CONFIG GET list-max-listpack-size"),
        "1) \"list-max-listpack-size\"\n2) \"2\""
    );
    s.run("RPUSH after a b c");
    assert_eq!(s.run("OBJECT ENCODING after"), "\"quicklist\"");
}

#[test]
fn a_refused_set_changes_no_limit() {
    let mut s = Session::new();
    assert_eq!(
        s.run("CONFIG SET hash-max-listpack-entries 1 zset-max-listpack-entries x"),
        "(error) ERR CONFIG SET failed (possibly related to argument 'zset-max-listpack-entries') - argument couldn't be parsed into an integer"
    );
    s.run("HSET h a 1 b 2");
    assert_eq!(s.run("OBJECT ENCODING h"), "\"listpack\"");
}

#[test]
fn proto_max_bulk_len_bounds_strings() {
    let mut s = Session::new();
    assert_eq!(s.run("CONFIG SET proto-max-bulk-len 1mb"), "OK");
    assert_eq!(
        s.run("SETRANGE k 1048576 x"),
        "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    );
    assert_eq!(s.run("SETRANGE k 1048575 x"), "(integer) 1048576");
    assert_eq!(s.run("CONFIG SET proto-max-bulk-len 2mb"), "OK");
    assert_eq!(s.run("SETRANGE k 1048576 x"), "(integer) 1048577");
}

#[test]
fn the_host_chooses_databases_and_bulk_length() {
    let mut engine = Engine::new(Config {
        databases: 4,
        proto_max_bulk_len: 1 << 16,
        ..Config::default()
    });
    let client = engine.connect();
    let reply = engine.execute(
        client,
        &["CONFIG", "GET", "databases", "proto-max-bulk-len"],
    );
    assert_eq!(
        reply,
        Reply::Map(vec![
            (Reply::bulk(b"databases"), Reply::bulk(b"4")),
            (Reply::bulk(b"proto-max-bulk-len"), Reply::bulk(b"65536")),
        ])
    );
}

#[test]
fn info_reports_what_config_set() {
    let mut s = Session::new();
    assert_eq!(s.info_field("memory", "maxmemory_human"), "0B");
    s.run("CONFIG SET maxmemory 1152 maxmemory-policy allkeys-lru maxclients 50 hz 1000");
    assert_eq!(s.info_field("memory", "maxmemory"), "1152");
    assert_eq!(s.info_field("memory", "maxmemory_human"), "1.12K");
    assert_eq!(s.info_field("memory", "maxmemory_policy"), "allkeys-lru");
    assert_eq!(s.info_field("clients", "maxclients"), "50");
    assert_eq!(s.info_field("server", "hz"), "500");
    assert_eq!(s.info_field("server", "configured_hz"), "500");
    s.run("CONFIG SET maxmemory 18446744073709551615");
    assert_eq!(s.info_field("memory", "maxmemory"), "-1");
    assert_eq!(
        s.info_field("memory", "maxmemory_human"),
        "18446744073709551615B"
    );
}

#[test]
fn resetstat_zeroes_what_info_counts() {
    let mut s = Session::at(0);
    s.run("SET a 1");
    s.run("SET gone 1 PX 5");
    s.sleep(10);
    s.run("GET a");
    s.run("GET gone");
    s.run("NOSUCH");
    s.run("LPUSH a x");
    s.engine.connect();
    assert_eq!(s.info_field("stats", "expired_keys"), "1");
    assert_eq!(s.run("CONFIG RESETSTAT"), "OK");
    // The RESETSTAT itself, counted once it has answered (as is each INFO).
    assert_eq!(s.info_field("stats", "total_commands_processed"), "1");
    for (name, value) in [
        ("total_connections_received", "0"),
        ("expired_keys", "0"),
        ("keyspace_hits", "0"),
        ("keyspace_misses", "0"),
        ("total_error_replies", "0"),
    ] {
        assert_eq!(s.info_field("stats", name), value, "{name}");
    }
    let commands = s.run("INFO commandstats");
    assert!(
        commands.contains("cmdstat_config|resetstat:calls=1,"),
        "{commands}"
    );
    assert!(!commands.contains("cmdstat_set:"), "{commands}");
    assert!(!s.run("INFO errorstats").contains("errorstat_"));
    assert_eq!(s.run("GET a"), "\"1\"", "the data stays");
}

#[test]
fn help_and_rewrite() {
    let mut s = Session::new();
    let help = match s.reply("CONFIG HELP") {
        Reply::Array(lines) => lines,
        other => panic!("HELP answers lines: {other:?}"),
    };
    assert_eq!(help.len(), 11);
    assert!(help.iter().all(|l| matches!(l, Reply::Status(_))));
    assert_eq!(
        help.first(),
        Some(&Reply::Status(
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:".into()
        ))
    );
    assert_eq!(
        s.run("CONFIG REWRITE"),
        "(error) ERR The server is running without a config file"
    );
    assert_eq!(
        s.run("config nosuch"),
        "(error) ERR unknown subcommand 'nosuch'. Try CONFIG HELP."
    );
}

#[test]
fn resp3_answers_a_map() {
    let mut s = Session::new();
    s.run("HELLO 3");
    assert_eq!(
        s.run("CONFIG GET maxmemory-policy"),
        "1# \"maxmemory-policy\" => \"noeviction\""
    );
    assert_eq!(s.run("CONFIG GET nosuch"), "(empty hash)");
}
