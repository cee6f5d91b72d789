//! Scripts across clients and time, which the recorded conformance cases
//! (one line at a time) cannot show: the busy state past
//! busy-reply-threshold, SCRIPT KILL, a script's effects on other
//! clients (WATCH, pub/sub, blocked clients), and MULTI around EVAL.

#![cfg(feature = "scripting")]

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::Reply;
use support::{engine, line, received};

const LOOP: &str = "local i = 0 while true do i = i + 1 end";

#[test]
fn a_runaway_script_makes_the_server_busy_until_script_kill() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, b, "CONFIG SET busy-reply-threshold 10");
    assert_eq!(e.execute(a, &["EVAL", LOOP, "0"]), Reply::Frames(vec![]));
    assert!(e.is_blocked(a));
    assert_eq!(
        line(&mut e, b, "GET k"),
        "(error) BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
    );
    assert_eq!(
        line(&mut e, b, "FUNCTION KILL"),
        "(error) BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
    );
    // Ticks run it on; it is still busy.
    e.tick(1_000_100);
    assert!(e.is_blocked(a));
    assert_eq!(line(&mut e, b, "SCRIPT KILL"), "OK");
    assert!(!e.is_blocked(a));
    let reply = received(&mut e, a);
    assert!(
        reply.starts_with("(error) ERR Script killed by user with SCRIPT KILL... script: "),
        "{reply}"
    );
    assert!(reply.ends_with(", on @user_script:1."), "{reply}");
    assert_eq!(
        line(&mut e, b, "SCRIPT KILL"),
        "(error) NOTBUSY No scripts in execution right now."
    );
    assert_eq!(line(&mut e, a, "PING"), "PONG");
}

#[test]
fn a_script_that_wrote_cannot_be_killed_and_finishes_by_ticks() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, b, "CONFIG SET busy-reply-threshold 10");
    // Long enough to pass the threshold by the instruction clock, then done.
    let script =
        "redis.call('set', 'w', 1) local i = 0 while i < 3000000 do i = i + 1 end return i";
    assert_eq!(e.execute(a, &["EVAL", script, "0"]), Reply::Frames(vec![]));
    assert!(line(&mut e, b, "SCRIPT KILL")
        .starts_with("(error) UNKILLABLE Sorry the script already executed write commands"));
    let mut now = 1_000_000;
    while e.is_blocked(a) {
        now += 100;
        e.tick(now);
    }
    assert_eq!(received(&mut e, a), "(integer) 3000000");
    assert_eq!(line(&mut e, b, "GET w"), "\"1\"");
}

#[test]
fn a_busy_clients_pipelined_commands_wait_for_its_reply() {
    let mut e = engine();
    let a = e.connect();
    e.configure(&[("busy-reply-threshold", "5")]).unwrap();
    let script = "local i = 0 while i < 2000000 do i = i + 1 end return 'done'";
    let mut input = Vec::new();
    for args in [vec!["EVAL", script, "0"], vec!["PING"]] {
        input.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for arg in args {
            input.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
        }
    }
    let limits = redsim_engine::resp::RequestLimits::default();
    let mut out = Vec::new();
    let served = e.serve_input(a, &input, &limits, &mut out);
    assert!(out.is_empty());
    assert!(
        served.consumed < input.len(),
        "PING waits behind the script"
    );
    let mut now = 1_000_000;
    while e.is_blocked(a) {
        now += 100;
        e.tick(now);
    }
    assert_eq!(e.take_output(a), vec![Reply::Bulk(b"done".to_vec())]);
    let rest = &input[served.consumed..];
    e.serve_input(a, rest, &limits, &mut out);
    assert_eq!(out, b"+PONG\r\n");
}

#[test]
fn inside_multi_a_runaway_script_is_stopped_rather_than_paused() {
    let mut e = engine();
    let a = e.connect();
    line(&mut e, a, "CONFIG SET busy-reply-threshold 5");
    line(&mut e, a, "MULTI");
    assert_eq!(
        e.execute(a, &["EVAL", LOOP, "0"]),
        Reply::Status("QUEUED".to_string())
    );
    let reply = line(&mut e, a, "EXEC");
    assert!(
        reply.contains("ERR Script killed: it ran past busy-reply-threshold inside MULTI"),
        "{reply}"
    );
    assert_eq!(line(&mut e, a, "PING"), "PONG");
}

#[test]
fn a_script_touches_its_callers_watched_keys_and_reaches_its_subscriptions() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, a, "WATCH k");
    line(&mut e, a, "EVAL \"return redis.call('set', 'k', 'v')\" 0");
    line(&mut e, a, "MULTI");
    line(&mut e, a, "GET k");
    assert_eq!(line(&mut e, a, "EXEC"), "(nil)");
    // A RESP3 caller subscribed to a channel gets what its script publishes.
    line(&mut e, a, "HELLO 3");
    line(&mut e, a, "SUBSCRIBE ch");
    let reply = e.execute(
        a,
        &["EVAL", "return redis.call('publish', 'ch', 'hi')", "0"],
    );
    let Reply::Frames(frames) = reply else {
        panic!("a push and the reply: {reply:?}");
    };
    assert_eq!(frames.last(), Some(&Reply::Int(1)));
    assert!(matches!(frames.first(), Some(Reply::Push(_))));
    // Clients blocked on a key the script pushed to are served after it.
    e.execute(b, &["BLPOP", "q", "0"]);
    line(
        &mut e,
        a,
        "EVAL \"redis.call('rpush', 'q', 'x') return redis.call('llen', 'q')\" 0",
    );
    assert_eq!(received(&mut e, b), "1) \"q\"\n2) \"x\"");
}

#[test]
fn scripts_are_atomic_and_shared_by_digest() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    let sha = line(
        &mut e,
        a,
        "SCRIPT LOAD \"return redis.call('incr', KEYS[1])\"",
    );
    let sha = sha.trim_matches('"').to_string();
    assert_eq!(
        line(&mut e, b, &format!("EVALSHA {sha} 1 n")),
        "(integer) 1"
    );
    assert_eq!(
        line(&mut e, a, &format!("EVALSHA {sha} 1 n")),
        "(integer) 2"
    );
    line(&mut e, b, "SCRIPT FLUSH");
    assert!(line(&mut e, a, &format!("EVALSHA {sha} 1 n")).starts_with("(error) NOSCRIPT"));
}

#[test]
fn monitor_shows_the_script_then_its_commands() {
    let mut e = engine();
    let (a, m) = (e.connect(), e.connect());
    line(&mut e, m, "MONITOR");
    line(&mut e, a, "EVAL \"return redis.call('set', 'k', 'v')\" 0");
    let shown = received(&mut e, m);
    let eval_at = shown.find("\"EVAL\"").expect("EVAL shown");
    let set_at = shown
        .find("[0 lua] \"set\" \"k\" \"v\"")
        .expect("set shown as lua's");
    assert!(eval_at < set_at, "{shown}");
}

#[test]
fn a_runaway_function_is_reported_by_function_stats_and_stopped_by_function_kill() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, b, "CONFIG SET busy-reply-threshold 10");
    let library =
        format!("#!lua name=spin\nredis.register_function('spin', function() {LOOP} end)");
    assert_eq!(
        line(&mut e, b, &format!("FUNCTION LOAD \"{library}\"")),
        "\"spin\""
    );
    assert_eq!(
        e.execute(a, &["FCALL", "spin", "0", "arg"]),
        Reply::Frames(vec![])
    );
    assert_eq!(
        line(&mut e, b, "GET k"),
        "(error) BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
    );
    assert_eq!(
        line(&mut e, b, "SCRIPT KILL"),
        "(error) BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
    );
    let stats = line(&mut e, b, "FUNCTION STATS");
    assert!(stats.starts_with("1) \"running_script\"\n2) 1) \"name\"\n   2) \"spin\"\n   3) \"command\"\n   4) 1) \"FCALL\"\n      2) \"spin\"\n      3) \"0\"\n      4) \"arg\"\n   5) \"duration_ms\""), "{stats}");
    assert_eq!(line(&mut e, b, "FUNCTION KILL"), "OK");
    let reply = received(&mut e, a);
    assert!(
        reply.starts_with("(error) ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2."),
        "{reply}"
    );
    assert_eq!(
        line(&mut e, b, "FUNCTION STATS").lines().nth(1),
        Some("2) (nil)")
    );
}

#[test]
fn functions_survive_a_snapshot_and_eval_scripts_do_not() {
    let mut e = engine();
    let a = e.connect();
    line(&mut e, a, "FUNCTION LOAD \"#!lua name=kept\nredis.register_function('kept', function() return 'still here' end)\"");
    line(&mut e, a, "SCRIPT LOAD \"return 1\"");
    line(&mut e, a, "SET k v");
    let snapshot = e.snapshot();
    let mut restored = engine();
    restored.load_snapshot(&snapshot).unwrap();
    let b = restored.connect();
    assert_eq!(line(&mut restored, b, "FCALL kept 0"), "\"still here\"");
    assert_eq!(line(&mut restored, b, "GET k"), "\"v\"");
    assert_eq!(
        line(
            &mut restored,
            b,
            "SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
        ),
        "1) (integer) 0"
    );
}
