//! Streams under a controlled clock: automatic IDs, idle and inactive
//! times, delivery times, and the consumer-group bookkeeping that the
//! recorded conformance cases can only skip (they depend on Redis's clock).

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use support::Session;

const T0: i64 = 1_700_000_000_000;

#[test]
fn automatic_ids_follow_the_clock_and_never_go_back() {
    let mut s = Session::at(T0);
    assert_eq!(s.run("XADD s * a 1"), format!("\"{T0}-0\""));
    assert_eq!(s.run("XADD s * a 1"), format!("\"{T0}-1\""));
    s.sleep(5);
    assert_eq!(s.run("XADD s * a 1"), format!("\"{}-0\"", T0 + 5));
    // An explicit ID in the future holds automatic IDs at its time.
    let future = T0 + 1000;
    assert_eq!(
        s.run(&format!("XADD s {future}-7 a 1")),
        format!("\"{future}-7\"")
    );
    assert_eq!(s.run("XADD s * a 1"), format!("\"{future}-8\""));
    assert_eq!(
        s.run(&format!("XADD s {future}-* a 1")),
        format!("\"{future}-9\"")
    );
    assert_eq!(s.run("XLEN s"), "(integer) 6");
}

#[test]
fn pending_entries_age_with_the_clock() {
    let mut s = Session::at(T0);
    s.run("XADD s 1-0 a 1");
    s.run("XADD s 2-0 b 2");
    s.run("XGROUP CREATE s g 0");
    s.run("XREADGROUP GROUP g alice STREAMS s >");
    s.sleep(1500);
    assert_eq!(
        s.run("XPENDING s g - + 10"),
        "1) 1) \"1-0\"\n   2) \"alice\"\n   3) (integer) 1500\n   4) (integer) 1\n\
         2) 1) \"2-0\"\n   2) \"alice\"\n   3) (integer) 1500\n   4) (integer) 1"
    );
    assert_eq!(s.run("XPENDING s g IDLE 2000 - + 10"), "(empty array)");
    // Claiming resets the idle time and counts a delivery.
    assert_eq!(s.run("XCLAIM s g bob 1000 1-0 JUSTID"), "1) \"1-0\"");
    assert_eq!(
        s.run("XCLAIM s g bob 1000 2-0"),
        "1) 1) \"2-0\"\n   2) 1) \"b\"\n      2) \"2\""
    );
    s.sleep(200);
    assert_eq!(
        s.run("XPENDING s g - + 10"),
        "1) 1) \"1-0\"\n   2) \"bob\"\n   3) (integer) 200\n   4) (integer) 1\n\
         2) 1) \"2-0\"\n   2) \"bob\"\n   3) (integer) 200\n   4) (integer) 2"
    );
    // IDLE and TIME set the delivery time; a future TIME means now.
    s.run("XCLAIM s g bob 0 1-0 IDLE 5000 JUSTID");
    s.run(&format!(
        "XCLAIM s g bob 0 2-0 TIME {} JUSTID",
        T0 + 999_999
    ));
    let pending = s.run("XPENDING s g - + 10");
    assert!(pending.contains("3) (integer) 5000"), "{pending}");
    assert!(pending.contains("3) (integer) 0"), "{pending}");
}

#[test]
fn consumers_report_idle_and_inactive_times() {
    let mut s = Session::at(T0);
    s.run("XADD s 1-0 a 1");
    s.run("XGROUP CREATE s g 0");
    s.run("XGROUP CREATECONSUMER s g lurker");
    s.sleep(100);
    s.run("XREADGROUP GROUP g reader STREAMS s >");
    s.sleep(50);
    // A read that gets nothing counts as seen, not as active.
    s.run("XREADGROUP GROUP g reader STREAMS s >");
    s.sleep(25);
    assert_eq!(
        s.run("XINFO CONSUMERS s g"),
        "1) 1) \"name\"\n   2) \"lurker\"\n   3) \"pending\"\n   4) (integer) 0\n   5) \"idle\"\n   6) (integer) 175\n   7) \"inactive\"\n   8) (integer) -1\n\
         2) 1) \"name\"\n   2) \"reader\"\n   3) \"pending\"\n   4) (integer) 1\n   5) \"idle\"\n   6) (integer) 25\n   7) \"inactive\"\n   8) (integer) 75"
    );
    let full = s.run("XINFO STREAM s FULL");
    let reader = format!(
        "3) \"seen-time\"\n               4) (integer) {}\n               5) \"active-time\"\n               6) (integer) {}",
        T0 + 150,
        T0 + 100
    );
    assert!(full.contains(&reader), "{full}");
}

#[test]
fn autoclaim_walks_the_pending_list_with_a_cursor() {
    let mut s = Session::at(T0);
    for i in 1..=6 {
        s.run(&format!("XADD s {i}-0 f {i}"));
    }
    s.run("XGROUP CREATE s g 0");
    s.run("XREADGROUP GROUP g a STREAMS s >");
    s.sleep(1000);
    s.run("XREADGROUP GROUP g a STREAMS s 4");
    // Entries 5 and 6 were just re-delivered, so only 1-4 are idle enough.
    assert_eq!(
        s.run("XAUTOCLAIM s g b 500 0 COUNT 3 JUSTID"),
        "1) \"4-0\"\n2) 1) \"1-0\"\n   2) \"2-0\"\n   3) \"3-0\"\n3) (empty array)"
    );
    assert_eq!(
        s.run("XAUTOCLAIM s g b 500 4-0 JUSTID"),
        "1) \"0-0\"\n2) 1) \"4-0\"\n3) (empty array)"
    );
    assert_eq!(s.run("XPENDING s g"), "1) (integer) 6\n2) \"1-0\"\n3) \"6-0\"\n4) 1) 1) \"a\"\n      2) \"2\"\n   2) 1) \"b\"\n      2) \"4\"");
}
