//! DEL, EXISTS, TYPE and the TTL commands, with the clock under test control.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use support::Session;

#[test]
fn del_exists_type() {
    let mut s = Session::new();
    s.run("SET a 1");
    s.run("SET b 2");
    s.run("LPUSH l x");
    assert_eq!(s.run("EXISTS a a b nosuch"), "(integer) 3");
    assert_eq!(s.run("TYPE a"), "string");
    assert_eq!(s.run("TYPE l"), "list");
    assert_eq!(s.run("TYPE nosuch"), "none");
    assert_eq!(s.run("DEL a nosuch a l"), "(integer) 2");
    assert_eq!(s.run("EXISTS a l"), "(integer) 0");
    assert_eq!(s.run("DBSIZE"), "(integer) 1");
}

#[test]
fn ttl_lifecycle_with_controlled_clock() {
    let mut s = Session::at(1_000_000);
    s.run("SET k v");
    assert_eq!(s.run("TTL k"), "(integer) -1");
    assert_eq!(s.run("TTL nosuch"), "(integer) -2");
    assert_eq!(s.run("PTTL nosuch"), "(integer) -2");
    assert_eq!(s.run("EXPIRE k 100"), "(integer) 1");
    assert_eq!(s.run("TTL k"), "(integer) 100");
    s.sleep(1_400);
    assert_eq!(s.run("TTL k"), "(integer) 99", "98.6 s rounds to 99");
    assert_eq!(s.run("PTTL k"), "(integer) 98600");
    assert_eq!(s.run("PERSIST k"), "(integer) 1");
    assert_eq!(s.run("PERSIST k"), "(integer) 0");
    assert_eq!(s.run("TTL k"), "(integer) -1");
    assert_eq!(s.run("PEXPIRE k 50"), "(integer) 1");
    s.sleep(49);
    assert_eq!(s.run("GET k"), "\"v\"");
    s.sleep(1);
    for line in [
        "GET k",
        "TTL k",
        "TYPE k",
        "EXISTS k",
        "PERSIST k",
        "EXPIRE k 10",
        "DEL k",
    ] {
        let expected = match line {
            "GET k" => "(nil)",
            "TTL k" => "(integer) -2",
            "TYPE k" => "none",
            _ => "(integer) 0",
        };
        assert_eq!(s.run(line), expected, "{line} after expiry");
    }
}

#[test]
fn expire_conditions() {
    let mut s = Session::new();
    s.run("SET k v");
    assert_eq!(s.run("EXPIRE k 100 XX"), "(integer) 0");
    assert_eq!(
        s.run("EXPIRE k 100 GT"),
        "(integer) 0",
        "no TTL counts as infinite"
    );
    assert_eq!(s.run("EXPIRE k 100 LT"), "(integer) 1");
    assert_eq!(s.run("EXPIRE k 50 NX"), "(integer) 0");
    assert_eq!(s.run("EXPIRE k 200 LT"), "(integer) 0");
    assert_eq!(s.run("EXPIRE k 200 GT"), "(integer) 1");
    assert_eq!(s.run("EXPIRE k 150 xx lt"), "(integer) 1");
    assert_eq!(s.run("TTL k"), "(integer) 150");
    assert_eq!(s.run("EXPIRE nosuch 10"), "(integer) 0");
    assert_eq!(
        s.run("EXPIRE k 10 NX XX"),
        "(error) ERR NX and XX, GT or LT options at the same time are not compatible"
    );
    assert_eq!(
        s.run("EXPIRE k 10 GT LT"),
        "(error) ERR GT and LT options at the same time are not compatible"
    );
    assert_eq!(
        s.run("EXPIRE k abc FOO"),
        "(error) ERR Unsupported option FOO"
    );
    assert_eq!(
        s.run("EXPIRE k abc"),
        "(error) ERR value is not an integer or out of range"
    );
    assert_eq!(
        s.run("EXPIRE k 9223372036854775"),
        "(error) ERR invalid expire time in 'expire' command"
    );
    assert_eq!(
        s.run("PEXPIRE k 9223372036854775807"),
        "(error) ERR invalid expire time in 'pexpire' command"
    );
    assert_eq!(
        s.run("TTL k"),
        "(integer) 150",
        "refused EXPIREs change nothing"
    );
}

#[test]
fn expire_in_the_past_deletes_at_once() {
    let mut s = Session::new();
    s.run("SET k v");
    assert_eq!(s.run("EXPIRE k -1"), "(integer) 1");
    assert_eq!(s.run("DBSIZE"), "(integer) 0");
    s.run("SET k v");
    assert_eq!(s.run("PEXPIRE k 0"), "(integer) 1");
    assert_eq!(s.run("EXISTS k"), "(integer) 0");
}

#[test]
fn active_expiry_reclaims_unread_keys_in_tick() {
    let mut s = Session::at(0);
    for i in 0..200 {
        s.run(&format!("SET temp:{i} v PX 1000"));
    }
    s.run("SET keep v");
    assert_eq!(s.run("DBSIZE"), "(integer) 201");
    s.engine.tick(999);
    assert_eq!(s.run("DBSIZE"), "(integer) 201", "nothing is due yet");
    for ms in 1000..1200 {
        s.engine.tick(ms);
    }
    assert_eq!(
        s.run("DBSIZE"),
        "(integer) 1",
        "only the persistent key is left"
    );
}

#[test]
fn flush_and_select() {
    let mut s = Session::new();
    s.run("SET a 1");
    assert_eq!(s.run("SELECT 1"), "OK");
    assert_eq!(s.run("GET a"), "(nil)");
    s.run("SET b 2");
    assert_eq!(s.run("FLUSHDB"), "OK");
    assert_eq!(s.run("DBSIZE"), "(integer) 0");
    assert_eq!(s.run("SELECT 0"), "OK");
    assert_eq!(s.run("DBSIZE"), "(integer) 1");
    s.run("SELECT 15");
    s.run("SET c 3");
    assert_eq!(s.run("FLUSHALL SYNC"), "OK");
    s.run("SELECT 0");
    assert_eq!(s.run("DBSIZE"), "(integer) 0");
    assert_eq!(s.run("FLUSHDB ASYNC"), "OK");
    assert_eq!(s.run("FLUSHDB LATER"), "(error) ERR syntax error");
    assert_eq!(s.run("FLUSHALL ASYNC SYNC"), "(error) ERR syntax error");
    assert_eq!(s.run("SELECT 16"), "(error) ERR DB index is out of range");
    assert_eq!(s.run("SELECT -1"), "(error) ERR DB index is out of range");
    assert_eq!(
        s.run("SELECT 4294967296"),
        "(error) ERR value is out of range, value must between -2147483648 and 2147483647"
    );
    assert_eq!(
        s.run("SELECT 99999999999999999999"),
        "(error) ERR value is not an integer or out of range"
    );
    assert_eq!(
        s.run("SELECT one"),
        "(error) ERR value is not an integer or out of range"
    );
}
