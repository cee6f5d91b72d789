//! The list commands present so far: LPUSH, RPUSH, LLEN, LRANGE.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use support::Session;

#[test]
fn push_and_range() {
    let mut s = Session::new();
    assert_eq!(s.run("RPUSH l b c"), "(integer) 2");
    assert_eq!(s.run("LPUSH l a z"), "(integer) 4");
    assert_eq!(s.run("LLEN l"), "(integer) 4");
    assert_eq!(
        s.run("LRANGE l 0 -1"),
        "1) \"z\"\n2) \"a\"\n3) \"b\"\n4) \"c\""
    );
    assert_eq!(s.run("LRANGE l -2 100"), "1) \"b\"\n2) \"c\"");
    assert_eq!(s.run("LRANGE l -100 0"), "1) \"z\"");
    assert_eq!(s.run("LRANGE l 3 1"), "(empty array)");
    assert_eq!(s.run("LRANGE l 9 10"), "(empty array)");
    assert_eq!(s.run("LRANGE nosuch 0 -1"), "(empty array)");
    assert_eq!(s.run("LLEN nosuch"), "(integer) 0");
    assert_eq!(
        s.run("LRANGE l a 1"),
        "(error) ERR value is not an integer or out of range"
    );
}

#[test]
fn wrong_type_is_refused_and_nothing_changes() {
    let mut s = Session::new();
    s.run("SET str v");
    let wrongtype = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
    assert_eq!(s.run("LPUSH str x"), wrongtype);
    assert_eq!(s.run("RPUSH str x"), wrongtype);
    assert_eq!(s.run("LLEN str"), wrongtype);
    assert_eq!(s.run("LRANGE str 0 -1"), wrongtype);
    assert_eq!(s.run("GET str"), "\"v\"");
}
