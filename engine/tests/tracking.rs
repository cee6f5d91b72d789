//! Client-side caching (CLIENT TRACKING) across clients: default mode,
//! redirection to a RESP2 subscriber, BCAST prefixes, OPTIN/OPTOUT,
//! NOLOOP, flushes and expiry, with the frames Redis 7.0 sends.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::Reply;
use support::{engine, line};

fn keys(keys: &[&str]) -> Reply {
    Reply::Array(keys.iter().map(|k| Reply::bulk(k.as_bytes())).collect())
}

/// The RESP3 push a tracking client gets (`None`: everything, a flush).
fn invalidate(which: Option<&[&str]>) -> Reply {
    Reply::Push(vec![
        Reply::bulk(b"invalidate"),
        which.map_or(Reply::Nil, keys),
    ])
}

/// The pub/sub message a RESP2 redirect client gets.
fn message(which: Option<&[&str]>) -> Reply {
    Reply::Push(vec![
        Reply::bulk(b"message"),
        Reply::bulk(b"__redis__:invalidate"),
        which.map_or(Reply::Nil, keys),
    ])
}

#[test]
fn default_mode_invalidates_keys_read_once() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, a, "HELLO 3");
    assert_eq!(line(&mut e, a, "CLIENT TRACKING on"), "OK");
    line(&mut e, a, "GET k");
    // A change the client makes itself comes after its reply.
    assert_eq!(
        e.execute(a, &["SET", "k", "v"]),
        Reply::Frames(vec![Reply::ok(), invalidate(Some(&["k"]))])
    );
    line(&mut e, a, "MGET k other");
    line(&mut e, b, "SET k w");
    assert_eq!(e.take_output(a), vec![invalidate(Some(&["k"]))]);
    // Forgotten once invalidated, until read again.
    line(&mut e, b, "SET k x");
    assert_eq!(e.take_output(a), vec![]);
    line(&mut e, b, "SET other y");
    assert_eq!(e.take_output(a), vec![invalidate(Some(&["other"]))]);
    // Writes are not reads: SET does not make a key tracked.
    line(&mut e, a, "SET fresh 1");
    line(&mut e, b, "SET fresh 2");
    assert_eq!(e.take_output(a), vec![]);
    // Inside a transaction, invalidations follow EXEC's reply.
    line(&mut e, a, "MULTI");
    line(&mut e, a, "GET k");
    line(&mut e, a, "SET k 1");
    assert_eq!(
        e.execute(a, &["EXEC"]),
        Reply::Frames(vec![
            Reply::Array(vec![Reply::bulk(b"x"), Reply::ok()]),
            invalidate(Some(&["k"])),
        ])
    );
    // A flush invalidates everything, for every tracking client.
    assert_eq!(
        e.execute(a, &["FLUSHALL"]),
        Reply::Frames(vec![Reply::ok(), invalidate(None)])
    );
    line(&mut e, a, "CLIENT TRACKING off");
    line(&mut e, a, "GET k");
    line(&mut e, b, "SET k 3");
    assert_eq!(e.take_output(a), vec![]);
}

#[test]
fn redirect_to_a_resp2_subscriber_and_noloop() {
    let mut e = engine();
    let (r, a, b) = (e.connect(), e.connect(), e.connect());
    line(&mut e, r, "SUBSCRIBE __redis__:invalidate");
    assert_eq!(line(&mut e, a, "CLIENT TRACKING on REDIRECT 1"), "OK");
    assert_eq!(line(&mut e, a, "CLIENT GETREDIR"), "(integer) 1");
    line(&mut e, a, "MGET k1 k2");
    line(&mut e, b, "MSET k1 x k2 y");
    assert_eq!(
        e.take_output(r),
        vec![message(Some(&["k1"])), message(Some(&["k2"]))]
    );
    assert_eq!(e.take_output(a), vec![]);
    // NOLOOP: the client's own change is not reported (but still forgets
    // the key).
    line(&mut e, a, "CLIENT TRACKING on REDIRECT 1 NOLOOP");
    line(&mut e, a, "GET k1");
    line(&mut e, a, "SET k1 v");
    line(&mut e, b, "SET k1 u");
    assert_eq!(e.take_output(r), vec![]);
    line(&mut e, a, "GET k1");
    line(&mut e, b, "FLUSHDB");
    assert_eq!(e.take_output(r), vec![message(None)]);
    // SWAPDB invalidates nothing, as in Redis 7.0.
    line(&mut e, a, "GET k1");
    line(&mut e, b, "SWAPDB 0 1");
    assert_eq!(e.take_output(r), vec![]);
    line(&mut e, b, "SET k1 q");
    assert_eq!(e.take_output(r), vec![message(Some(&["k1"]))]);
    // A key read in one database is invalidated by a change in another:
    // tracking knows key names only.
    line(&mut e, a, "GET shared");
    line(&mut e, b, "SELECT 5");
    line(&mut e, b, "SET shared 1");
    assert_eq!(e.take_output(r), vec![message(Some(&["shared"]))]);
    let text = line(&mut e, a, "CLIENT TRACKINGINFO");
    assert_eq!(
        text,
        "1) \"flags\"\n2) 1) \"on\"\n   2) \"noloop\"\n3) \"redirect\"\n4) (integer) 1\n5) \"prefixes\"\n6) (empty array)"
    );
}

#[test]
fn broken_redirect_is_reported_to_resp3_trackers() {
    let mut e = engine();
    let (a, r, b) = (e.connect(), e.connect(), e.connect());
    line(&mut e, a, "HELLO 3");
    line(&mut e, a, "CLIENT TRACKING on REDIRECT 2");
    line(&mut e, a, "GET k");
    e.disconnect(r);
    line(&mut e, b, "SET k 1");
    let broken = Reply::Push(vec![Reply::bulk(b"tracking-redir-broken"), Reply::Int(2)]);
    assert_eq!(e.take_output(a), vec![broken.clone()]);
    let info = line(&mut e, a, "CLIENT TRACKINGINFO");
    assert!(info.contains("\"broken_redirect\""), "{info}");
    let list = line(&mut e, b, "CLIENT LIST ID 1");
    assert!(
        list.contains(" flags=tR ") && list.contains(" redir=2 "),
        "{list}"
    );
    // Every invalidation says it again.
    line(&mut e, a, "GET k");
    line(&mut e, b, "SET k 2");
    assert_eq!(e.take_output(a), vec![broken]);
    // Turning tracking on again clears the state.
    line(&mut e, a, "CLIENT TRACKING on");
    assert_eq!(line(&mut e, a, "CLIENT GETREDIR"), "(integer) 0");
}

#[test]
fn bcast_sends_changed_keys_per_prefix_after_each_command() {
    let mut e = engine();
    let (a, b, c) = (e.connect(), e.connect(), e.connect());
    line(&mut e, a, "HELLO 3");
    line(&mut e, b, "HELLO 3");
    line(
        &mut e,
        a,
        "CLIENT TRACKING on BCAST PREFIX user: PREFIX obj NOLOOP",
    );
    line(&mut e, b, "CLIENT TRACKING on BCAST");
    line(&mut e, c, "MSET user:2 a user:1 b objx c other d");
    // One message per prefix, keys sorted.
    assert_eq!(
        e.take_output(a),
        vec![
            invalidate(Some(&["objx"])),
            invalidate(Some(&["user:1", "user:2"])),
        ]
    );
    assert_eq!(
        e.take_output(b),
        vec![invalidate(Some(&["objx", "other", "user:1", "user:2"]))]
    );
    // NOLOOP spares a client its own changes.
    assert_eq!(
        e.execute(a, &["MSET", "user:8", "x", "obj1", "y"]),
        Reply::ok()
    );
    assert_eq!(
        e.take_output(b),
        vec![invalidate(Some(&["obj1", "user:8"]))]
    );
    // A BCAST client's own change reaches it after its reply.
    assert_eq!(
        e.execute(b, &["SET", "user:5", "1"]),
        Reply::Frames(vec![Reply::ok(), invalidate(Some(&["user:5"]))])
    );
    assert_eq!(e.take_output(a), vec![invalidate(Some(&["user:5"]))]);
    // Expiry is a change too, reported after the tick that expires the key.
    line(&mut e, c, "SET k v PX 100");
    assert_eq!(e.take_output(b), vec![invalidate(Some(&["k"]))]);
    e.tick(1_000_200);
    assert_eq!(e.take_output(b), vec![invalidate(Some(&["k"]))]);
    let info = line(&mut e, a, "CLIENT TRACKINGINFO");
    assert_eq!(
        info,
        "1# \"flags\" => 1~ \"on\"\n   2~ \"bcast\"\n   3~ \"noloop\"\n2# \"redirect\" => (integer) 0\n3# \"prefixes\" => 1) \"obj\"\n   2) \"user:\""
    );
    // Turning tracking off leaves the prefixes.
    line(&mut e, a, "CLIENT TRACKING off");
    line(&mut e, c, "SET user:1 z");
    assert_eq!(e.take_output(a), vec![]);
}

#[test]
fn optin_and_optout_follow_client_caching() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, a, "HELLO 3");
    line(&mut e, a, "CLIENT TRACKING on OPTIN");
    line(&mut e, a, "GET k");
    line(&mut e, a, "CLIENT CACHING yes");
    line(&mut e, a, "GET o1");
    line(&mut e, a, "GET o2");
    line(&mut e, b, "MSET k 1 o1 1 o2 1");
    assert_eq!(e.take_output(a), vec![invalidate(Some(&["o1"]))]);
    // The choice survives other CLIENT subcommands and a whole MULTI.
    line(&mut e, a, "CLIENT CACHING yes");
    line(&mut e, a, "CLIENT ID");
    line(&mut e, a, "MULTI");
    line(&mut e, a, "GET o1");
    line(&mut e, a, "GET o2");
    line(&mut e, a, "EXEC");
    line(&mut e, a, "GET k");
    line(&mut e, b, "MSET k 2 o1 2 o2 2");
    assert_eq!(
        e.take_output(a),
        vec![invalidate(Some(&["o1"])), invalidate(Some(&["o2"]))]
    );
    line(&mut e, a, "CLIENT TRACKING off");
    line(&mut e, a, "CLIENT TRACKING on OPTOUT");
    line(&mut e, a, "CLIENT CACHING no");
    line(&mut e, a, "GET k");
    line(&mut e, a, "GET o1");
    line(&mut e, b, "MSET k 3 o1 3");
    assert_eq!(e.take_output(a), vec![invalidate(Some(&["o1"]))]);
    assert_eq!(
        line(&mut e, a, "CLIENT CACHING yes"),
        "(error) ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
    );
}

#[test]
fn resp2_trackers_without_redirect_get_nothing_and_reset_stops_tracking() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, a, "CLIENT TRACKING on");
    line(&mut e, a, "GET k");
    line(&mut e, b, "SET k 1");
    assert_eq!(e.take_output(a), vec![]);
    line(&mut e, a, "HELLO 3");
    line(&mut e, a, "GET k");
    line(&mut e, a, "RESET");
    line(&mut e, a, "HELLO 3");
    line(&mut e, b, "SET k 2");
    assert_eq!(e.take_output(a), vec![]);
    assert_eq!(line(&mut e, a, "CLIENT GETREDIR"), "(integer) -1");
}

#[test]
fn overlapping_prefixes_answer_as_redis_does() {
    let mut e = engine();
    let a = e.connect();
    assert_eq!(
        line(&mut e, a, "CLIENT TRACKING on BCAST PREFIX a PREFIX ab"),
        "(error) ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap."
    );
    assert_eq!(
        line(&mut e, a, "CLIENT TRACKINGINFO").lines().nth(1),
        Some("2) 1) \"off\"")
    );
    // An overlap past the first prefix is reported, and tracking is turned
    // on anyway: Redis answers twice.
    assert_eq!(
        e.execute(a, &["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b", "PREFIX", "bc"]),
        Reply::Frames(vec![
            Reply::Error("ERR Prefix 'b' overlaps with another provided prefix 'bc'. Prefixes for a single client must not overlap.".to_string()),
            Reply::ok(),
        ])
    );
    assert_eq!(
        line(&mut e, a, "CLIENT TRACKING on BCAST PREFIX ax"),
        "(error) ERR Prefix 'ax' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap."
    );
}
