//! Blocking commands across clients: waiting, being served first come
//! first served, timing out by the host's clock, MULTI, CLIENT UNBLOCK.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::Reply;
use support::{engine, line, received};

#[test]
fn blpop_waits_and_clients_are_served_in_arrival_order() {
    let mut e = engine();
    let (a, b, c) = (e.connect(), e.connect(), e.connect());
    assert_eq!(e.execute(a, &["BLPOP", "q", "0"]), Reply::Frames(vec![]));
    assert!(e.is_blocked(a));
    assert_eq!(line(&mut e, a, "PING"), "(error) ERR client is blocked");
    e.execute(b, &["BRPOP", "other", "q", "0"]);
    assert_eq!(line(&mut e, c, "RPUSH q x"), "(integer) 1");
    assert_eq!(received(&mut e, a), "1) \"q\"\n2) \"x\"");
    assert!(e.is_blocked(b));
    assert_eq!(line(&mut e, c, "LPUSH q y z"), "(integer) 2");
    assert_eq!(received(&mut e, b), "1) \"q\"\n2) \"y\"");
    assert_eq!(line(&mut e, c, "LRANGE q 0 -1"), "1) \"z\"");
    // Data already there is served at once.
    assert_eq!(line(&mut e, a, "BLPOP q 0"), "1) \"q\"\n2) \"z\"");
}

#[test]
fn timeouts_follow_the_host_clock() {
    let mut e = engine();
    let a = e.connect();
    e.execute(a, &["BLPOP", "q", "1.5"]);
    e.tick(1_001_000);
    assert!(e.is_blocked(a));
    e.tick(1_001_500);
    assert!(!e.is_blocked(a));
    assert_eq!(received(&mut e, a), "(nil)");
    e.execute(a, &["BLMOVE", "q", "d", "LEFT", "RIGHT", "0.1"]);
    e.tick(1_001_600);
    assert_eq!(e.take_output(a), vec![Reply::Nil]);
    assert_eq!(
        line(&mut e, a, "BLPOP q -1"),
        "(error) ERR timeout is negative"
    );
    assert_eq!(
        line(&mut e, a, "BLPOP q x"),
        "(error) ERR timeout is not a float or out of range"
    );
}

#[test]
fn pushes_inside_multi_serve_after_exec_and_multi_never_blocks() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    e.execute(a, &["BRPOPLPUSH", "src", "dst", "0"]);
    line(&mut e, b, "MULTI");
    line(&mut e, b, "RPUSH src 1 2");
    line(&mut e, b, "LPOP src");
    assert!(e.is_blocked(a), "nothing runs before EXEC");
    assert_eq!(line(&mut e, b, "EXEC"), "1) (integer) 2\n2) \"1\"");
    assert_eq!(received(&mut e, a), "\"2\"");
    assert_eq!(line(&mut e, b, "LRANGE dst 0 -1"), "1) \"2\"");
    // A blocking command inside EXEC answers as a timeout.
    line(&mut e, b, "MULTI");
    line(&mut e, b, "BLPOP nothing 0");
    line(&mut e, b, "BZPOPMIN nothing 0");
    assert_eq!(line(&mut e, b, "EXEC"), "1) (nil)\n2) (nil)");
}

#[test]
fn sorted_sets_multi_pops_and_moves_wake_chains() {
    let mut e = engine();
    let (a, b, c) = (e.connect(), e.connect(), e.connect());
    e.execute(a, &["BZPOPMAX", "z", "0"]);
    e.execute(b, &["BLMPOP", "0", "2", "l1", "l2", "RIGHT", "COUNT", "2"]);
    line(&mut e, c, "ZADD z 1 a 2 b");
    assert_eq!(received(&mut e, a), "1) \"z\"\n2) \"b\"\n3) \"2\"");
    // BLMOVE into l2 wakes the BLMPOP waiting on it.
    e.execute(a, &["BLMOVE", "src", "l2", "LEFT", "LEFT", "0"]);
    line(&mut e, c, "RPUSH src v");
    assert_eq!(received(&mut e, a), "\"v\"");
    assert_eq!(received(&mut e, b), "1) \"l2\"\n2) 1) \"v\"");
    e.execute(a, &["BZMPOP", "0", "1", "z", "MIN"]);
    assert_eq!(received(&mut e, a), "");
    assert_eq!(line(&mut e, c, "ZCARD z"), "(integer) 0");
}

#[test]
fn xread_block_waits_for_entries_newer_than_at_block_time() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, b, "XADD s 1-1 f old");
    e.execute(a, &["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]);
    line(&mut e, b, "XADD s 2-1 f new");
    assert_eq!(
        received(&mut e, a),
        "1) 1) \"s\"\n   2) 1) 1) \"2-1\"\n         2) 1) \"f\"\n            2) \"new\""
    );
    line(&mut e, b, "XGROUP CREATE s g $");
    e.execute(
        a,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "BLOCK",
            "100",
            "STREAMS",
            "s",
            ">",
        ],
    );
    e.tick(1_000_200);
    assert_eq!(received(&mut e, a), "(nil)");
}
