//! Hash field TTLs on a controlled clock: lazy and active expiry, and TTLs
//! travelling with the value. (Replies are checked against Redis 7.4 in
//! the conformance corpus.)

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use support::Session;

#[test]
fn expired_fields_vanish_from_every_read() {
    let mut s = Session::at(1_000_000);
    s.run("HSET h a 1 b 2");
    assert_eq!(s.run("HPEXPIRE h 500 FIELDS 1 a"), "1) (integer) 1");
    assert_eq!(
        s.run("HPTTL h FIELDS 2 a b"),
        "1) (integer) 500\n2) (integer) -1"
    );
    s.sleep(499);
    assert_eq!(s.run("HGET h a"), "\"1\"");
    s.sleep(1);
    assert_eq!(s.run("HGET h a"), "(nil)");
    assert_eq!(s.run("HLEN h"), "(integer) 1");
    assert_eq!(s.run("HKEYS h"), "1) \"b\"");
    assert_eq!(s.run("HEXPIRE h 1 FIELDS 1 b"), "1) (integer) 1");
    s.sleep(1000);
    assert_eq!(
        s.run("EXISTS h"),
        "(integer) 0",
        "the last field took the key with it"
    );
    assert_eq!(s.run("TYPE h"), "none");
}

#[test]
fn active_expiry_reclaims_fields_nobody_reads() {
    let mut s = Session::at(0);
    for i in 0..50 {
        s.run(&format!("HSET h{i} f v keep v"));
        s.run(&format!("HPEXPIRE h{i} 100 FIELDS 1 f"));
    }
    s.run("HSET lonely f v");
    s.run("HPEXPIRE lonely 100 FIELDS 1 f");
    s.run("RENAME lonely moved");
    for ms in 100..400 {
        s.engine.tick(ms);
    }
    assert_eq!(
        s.engine.dbsize(0),
        50,
        "the renamed hash's only field expired and the key went"
    );
    // Every hash lost its field without being read.
    let encoded = s.run("OBJECT ENCODING h7");
    assert_eq!(encoded, "\"listpackex\"");
    assert_eq!(s.run("HLEN h7"), "(integer) 1");
}

#[test]
fn incr_keeps_a_field_ttl_and_hset_drops_it() {
    let mut s = Session::at(0);
    s.run("HSET h n 1 m 1");
    s.run("HEXPIRE h 100 FIELDS 2 n m");
    s.run("HINCRBY h n 5");
    s.run("HSET h m 2");
    assert_eq!(
        s.run("HTTL h FIELDS 2 n m"),
        "1) (integer) 100\n2) (integer) -1"
    );
    s.run("COPY h h2");
    assert_eq!(s.run("HTTL h2 FIELDS 1 n"), "1) (integer) 100");
}
