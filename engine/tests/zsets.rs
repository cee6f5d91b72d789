//! Sorted-set behaviour newer than the Redis 7.0 oracle (ZRANK WITHSCORE,
//! from 7.2), and complexity-sensitive paths on large sets.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use support::Session;

#[test]
fn zrank_withscore() {
    let mut s = Session::new();
    s.run("ZADD z 1 a 2.5 b 3 c");
    assert_eq!(s.run("ZRANK z b WITHSCORE"), "1) (integer) 1\n2) \"2.5\"");
    assert_eq!(
        s.run("ZREVRANK z b withscore"),
        "1) (integer) 1\n2) \"2.5\""
    );
    assert_eq!(s.run("ZRANK z a"), "(integer) 0");
    assert_eq!(s.run("ZRANK z nosuch WITHSCORE"), "(nil)");
    assert_eq!(s.run("ZRANK nosuch a WITHSCORE"), "(nil)");
    assert_eq!(s.run("ZRANK z a WITHSCORES"), "(error) ERR syntax error");
    assert_eq!(
        s.run("ZRANK z a WITHSCORE extra"),
        "(error) ERR syntax error"
    );
    assert_eq!(
        s.run("ZRANK z"),
        "(error) ERR wrong number of arguments for 'zrank' command"
    );
    s.run("HELLO 3");
    assert_eq!(
        s.run("ZRANK z c WITHSCORE"),
        "1) (integer) 2\n2) (double) 3"
    );
    assert_eq!(s.run("ZRANK z nosuch WITHSCORE"), "(nil)");
}

#[test]
fn large_sorted_sets_rank_and_range_by_tree() {
    let mut s = Session::new();
    for i in 0..3000 {
        s.run(&format!("ZADD big {} m{i}", i % 100));
    }
    assert_eq!(s.run("ZCARD big"), "(integer) 3000");
    assert_eq!(s.run("OBJECT ENCODING big"), "\"skiplist\"");
    // Members with score 0 are m0, m100, ..., m2900 (30 of them), in byte order.
    assert_eq!(s.run("ZRANK big m0"), "(integer) 0");
    assert_eq!(s.run("ZRANK big m1"), "(integer) 30");
    assert_eq!(s.run("ZCOUNT big 10 (20"), "(integer) 300");
    assert_eq!(s.run("ZRANGE big 30 30"), "1) \"m1\"");
    assert_eq!(s.run("ZREMRANGEBYSCORE big -inf (50"), "(integer) 1500");
    // Score 50 is now the lowest; m50 sorts after m150, m250, m350, m450
    // and the twenty m1050..m2950 among its equals.
    assert_eq!(s.run("ZRANK big m50"), "(integer) 24");
}
