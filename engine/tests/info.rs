//! INFO: section selection and the counters the keyspace commands move.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::Reply;
use support::Session;

/// The value of `field` in INFO's text.
fn field(s: &mut Session, section: &str, name: &str) -> String {
    let reply = s.reply(&format!("INFO {section}"));
    let text = match reply {
        Reply::Verbatim(_, bytes) => String::from_utf8(bytes).unwrap(),
        other => panic!("INFO answers text: {other:?}"),
    };
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name}:")))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

#[test]
fn hits_misses_and_commands_processed() {
    let mut s = Session::new();
    s.run("SET a 1");
    s.run("GET a");
    s.run("GET a");
    s.run("GET nosuch");
    s.run("MGET a nosuch");
    s.run("EXISTS a nosuch");
    s.run("INCR a"); // a write: neither hit nor miss
    assert_eq!(field(&mut s, "stats", "keyspace_hits"), "4");
    assert_eq!(field(&mut s, "stats", "keyspace_misses"), "3");
    s.run("GET"); // rejected: not processed
    s.run("NOSUCH");
    // SET, GET x3, MGET, EXISTS, INCR and the two INFO calls before; an
    // INFO is counted once it has answered, as in Redis.
    assert_eq!(field(&mut s, "stats", "total_commands_processed"), "9");
}

#[test]
fn expired_keys_count_lazy_and_active_expiry() {
    let mut s = Session::at(0);
    s.run("SET lazy v PX 10");
    s.run("SET active v PX 10");
    s.sleep(20);
    s.run("GET lazy");
    assert_eq!(field(&mut s, "stats", "expired_keys"), "1");
    for ms in 20..200 {
        s.engine.tick(ms);
    }
    assert_eq!(field(&mut s, "stats", "expired_keys"), "2");
    s.run("FLUSHALL");
    assert_eq!(
        field(&mut s, "stats", "expired_keys"),
        "2",
        "FLUSHALL keeps the counters"
    );
}

#[test]
fn commandstats_and_errorstats() {
    let mut s = Session::new();
    s.run("SET k v");
    s.run("LPUSH k x"); // WRONGTYPE: a failed call
    s.run("GET"); // arity: a rejected call
    s.run("NOSUCH"); // unknown: only an error
    let text = s.run("INFO commandstats");
    assert!(
        text.contains(
            "cmdstat_set:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "cmdstat_lpush:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0"
        ),
        "{text}"
    );
    assert_eq!(field(&mut s, "errorstats", "errorstat_ERR"), "count=2");
    assert_eq!(
        field(&mut s, "errorstats", "errorstat_WRONGTYPE"),
        "count=1"
    );
    assert_eq!(field(&mut s, "stats", "total_error_replies"), "3");
}

#[test]
fn keyspace_and_section_selection() {
    let mut s = Session::at(1_000_000);
    s.run("SET a 1");
    s.run("SET b 2 EX 100");
    s.run("SELECT 3");
    s.run("SET c 3");
    // redis-cli prints INFO raw, not quoted.
    let text = s.run("INFO keyspace");
    assert_eq!(
        text,
        "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=100000\r\ndb3:keys=1,expires=0,avg_ttl=0\r"
    );
    assert_eq!(
        s.reply("INFO nosuch"),
        Reply::Verbatim("txt".into(), Vec::new())
    );
    let both = s.run("INFO CLUSTER keyspace");
    assert!(
        both.starts_with("# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n"),
        "{both}"
    );
    let default = s.run("INFO");
    assert!(
        default.contains("# Server")
            && default.contains("# Keyspace")
            && !default.contains("# Commandstats")
    );
    let all = s.run("INFO all");
    assert!(all.contains("# Commandstats") && all.contains("# Latencystats"));
    assert_eq!(field(&mut s, "clients", "connected_clients"), "1");
}
