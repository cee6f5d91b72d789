//! SET and GET, every option and error path.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use support::Session;

#[test]
fn set_and_get() {
    let mut s = Session::new();
    assert_eq!(s.run("GET nosuch"), "(nil)");
    assert_eq!(s.run("SET greeting hello"), "OK");
    assert_eq!(s.run("GET greeting"), "\"hello\"");
    assert_eq!(s.run("SET greeting \"two words\\n\""), "OK");
    assert_eq!(s.run("GET greeting"), "\"two words\\n\"");
    assert_eq!(s.run("set Empty \"\""), "OK");
    assert_eq!(s.run("get Empty"), "\"\"");
}

#[test]
fn nx_xx_and_get_conditions() {
    let mut s = Session::new();
    assert_eq!(s.run("SET k v XX"), "(nil)");
    assert_eq!(s.run("GET k"), "(nil)");
    assert_eq!(s.run("SET k v NX"), "OK");
    assert_eq!(s.run("SET k w NX"), "(nil)");
    assert_eq!(s.run("SET k w NX GET"), "\"v\"");
    assert_eq!(s.run("SET k w XX GET"), "\"v\"");
    assert_eq!(s.run("GET k"), "\"w\"");
    assert_eq!(s.run("SET new x GET"), "(nil)");
    assert_eq!(s.run("SET k v NX XX"), "(error) ERR syntax error");
    assert_eq!(s.run("SET k v nx nx"), "(nil)");
}

#[test]
fn expiry_options_set_absolute_times() {
    let mut s = Session::at(1_000_000);
    assert_eq!(s.run("SET k v EX 10"), "OK");
    assert_eq!(s.run("PTTL k"), "(integer) 10000");
    assert_eq!(s.run("SET k v PX 1500"), "OK");
    assert_eq!(s.run("PTTL k"), "(integer) 1500");
    assert_eq!(s.run("SET k v EXAT 1010"), "OK");
    assert_eq!(s.run("PTTL k"), "(integer) 10000");
    assert_eq!(s.run("SET k v PXAT 1000500"), "OK");
    assert_eq!(s.run("PTTL k"), "(integer) 500");
    assert_eq!(s.run("SET k v2 KEEPTTL"), "OK");
    assert_eq!(s.run("PTTL k"), "(integer) 500");
    assert_eq!(s.run("SET k v3"), "OK");
    assert_eq!(s.run("PTTL k"), "(integer) -1");
    assert_eq!(s.run("SET k v EX 5 EX 7"), "OK");
    assert_eq!(s.run("TTL k"), "(integer) 7");
}

#[test]
fn expiry_option_errors() {
    let mut s = Session::new();
    for bad in [
        "EX 0",
        "EX -1",
        "PX 0",
        "EXAT 0",
        "PX 9223372036854775807",
        "EX 9223372036854776",
    ] {
        assert_eq!(
            s.run(&format!("SET k v {bad}")),
            "(error) ERR invalid expire time in 'set' command",
            "{bad}"
        );
    }
    assert_eq!(
        s.run("SET k v EX abc"),
        "(error) ERR value is not an integer or out of range"
    );
    assert_eq!(
        s.run("SET k v EX 1.5"),
        "(error) ERR value is not an integer or out of range"
    );
    for bad in [
        "EX",
        "EX 1 PX 1",
        "KEEPTTL EX 1",
        "EX 1 KEEPTTL",
        "FOO",
        "NX XX",
    ] {
        assert_eq!(
            s.run(&format!("SET k v {bad}")),
            "(error) ERR syntax error",
            "{bad}"
        );
    }
    assert_eq!(
        s.run("EXISTS k"),
        "(integer) 0",
        "a refused SET stores nothing"
    );
}

#[test]
fn set_with_past_absolute_time_leaves_nothing_visible() {
    let mut s = Session::at(10_000);
    assert_eq!(s.run("SET k v PXAT 5000"), "OK");
    assert_eq!(s.run("GET k"), "(nil)");
    assert_eq!(s.run("EXISTS k"), "(integer) 0");
}

#[test]
fn get_on_wrong_type_and_set_get_on_wrong_type() {
    let mut s = Session::new();
    assert_eq!(s.run("RPUSH l a"), "(integer) 1");
    let wrongtype = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
    assert_eq!(s.run("GET l"), wrongtype);
    assert_eq!(s.run("SET l v GET"), wrongtype);
    assert_eq!(
        s.run("LLEN l"),
        "(integer) 1",
        "the list survives the refused SET GET"
    );
    assert_eq!(s.run("SET l v"), "OK", "plain SET overwrites any type");
    assert_eq!(s.run("TYPE l"), "string");
}
