//! Keyspace notifications and WATCH signals that the conformance corpus
//! cannot pin down against a live Redis because they depend on when the
//! expiry sweep runs: lazy expiry, keys already expired when WATCHed, and
//! the order of events a command and its lookups produce.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::{Config, Engine, Reply};

/// An engine with notifications `flags`, a writer and a subscriber to
/// every keyevent channel.
fn setup(flags: &str) -> (Engine, u64, u64) {
    let mut engine = Engine::new(Config {
        now_ms: 1_000_000,
        ..Config::default()
    });
    let writer = engine.connect();
    let listener = engine.connect();
    run(
        &mut engine,
        writer,
        &["CONFIG", "SET", "notify-keyspace-events", flags],
    );
    run(&mut engine, listener, &["PSUBSCRIBE", "__keyevent@*__:*"]);
    (engine, writer, listener)
}

fn run(engine: &mut Engine, client: u64, argv: &[&str]) -> Reply {
    engine.execute(client, argv)
}

/// The events the listener received since last asked: `db:event key`.
fn events(engine: &mut Engine, listener: u64) -> Vec<String> {
    engine
        .take_output(listener)
        .into_iter()
        .filter_map(|frame| match frame {
            Reply::Array(parts) | Reply::Push(parts) => match parts.as_slice() {
                [_, _, Reply::Bulk(channel), Reply::Bulk(key)] => {
                    let channel = String::from_utf8_lossy(channel);
                    let (db, event) = channel.strip_prefix("__keyevent@")?.split_once("__:")?;
                    Some(format!("{db}:{event} {}", String::from_utf8_lossy(key)))
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn lazy_expiry_reports_expired_before_what_the_command_does() {
    let (mut e, w, l) = setup("KEAn");
    run(&mut e, w, &["SET", "k", "v", "PX", "100"]);
    assert_eq!(events(&mut e, l), ["0:new k", "0:set k", "0:expire k"]);
    // No sweep runs: the SET finds the key expired, reclaims it, and makes
    // a new one.
    e.set_time(1_000_200);
    run(&mut e, w, &["SET", "k", "again"]);
    assert_eq!(events(&mut e, l), ["0:expired k", "0:new k", "0:set k"]);
    e.set_time(1_000_400);
    run(&mut e, w, &["PEXPIRE", "k", "1"]);
    e.set_time(1_000_500);
    assert_eq!(run(&mut e, w, &["GET", "k"]), Reply::Nil);
    assert_eq!(events(&mut e, l), ["0:expire k", "0:expired k"]);
}

#[test]
fn the_expiry_sweep_reports_each_database_in_turn() {
    let (mut e, w, l) = setup("Ex");
    run(&mut e, w, &["SET", "a", "v", "PX", "10"]);
    run(&mut e, w, &["SELECT", "3"]);
    run(&mut e, w, &["SET", "b", "v", "PX", "10"]);
    e.tick(1_000_100);
    assert_eq!(events(&mut e, l), ["0:expired a", "3:expired b"]);
    assert_eq!(e.dbsize(0) + e.dbsize(3), 0);
}

#[test]
fn hash_fields_reclaimed_report_hexpired_and_the_emptied_hash_del() {
    let (mut e, w, l) = setup("Egh");
    run(&mut e, w, &["HSET", "h", "a", "1", "b", "2"]);
    run(&mut e, w, &["HPEXPIRE", "h", "10", "FIELDS", "1", "a"]);
    e.set_time(1_000_100);
    assert_eq!(run(&mut e, w, &["HLEN", "h"]), Reply::Int(1));
    run(&mut e, w, &["HPEXPIRE", "h", "10", "FIELDS", "1", "b"]);
    e.tick(1_000_200);
    assert_eq!(
        events(&mut e, l),
        [
            "0:hset h",
            "0:hexpire h",
            "0:hexpired h",
            "0:hexpire h",
            "0:hexpired h",
            "0:del h"
        ]
    );
}

#[test]
fn new_keys_and_misses_are_reported_only_while_asked_for() {
    // The databases skip these two events while no notification wants
    // them; switching them on, also across a snapshot load, brings them
    // back from the next command.
    let (mut e, w, l) = setup("Eg$");
    run(&mut e, w, &["GET", "a"]);
    run(&mut e, w, &["SET", "a", "1"]);
    assert_eq!(events(&mut e, l), ["0:set a"]);
    run(
        &mut e,
        w,
        &["CONFIG", "SET", "notify-keyspace-events", "Enm$"],
    );
    let snapshot = e.snapshot();
    assert!(e.load_snapshot(&snapshot).is_ok());
    run(&mut e, w, &["GET", "b"]);
    run(&mut e, w, &["SET", "b", "1"]);
    run(&mut e, w, &["FLUSHALL"]);
    run(&mut e, w, &["SET", "c", "1"]);
    assert_eq!(
        events(&mut e, l),
        ["0:keymiss b", "0:new b", "0:set b", "0:new c", "0:set c"]
    );
    run(
        &mut e,
        w,
        &["CONFIG", "SET", "notify-keyspace-events", "E$"],
    );
    run(&mut e, w, &["GET", "d"]);
    run(&mut e, w, &["SET", "d", "1"]);
    assert_eq!(events(&mut e, l), ["0:set d"]);
}

#[test]
fn misses_are_reported_except_by_object() {
    let (mut e, w, l) = setup("Em");
    run(&mut e, w, &["GET", "nosuch"]);
    run(&mut e, w, &["OBJECT", "ENCODING", "nosuch"]);
    run(&mut e, w, &["SET", "nosuch", "v"]);
    run(&mut e, w, &["EXISTS", "gone", "nosuch"]);
    assert_eq!(events(&mut e, l), ["0:keymiss nosuch", "0:keymiss gone"]);
}

#[test]
fn move_reports_in_both_databases_in_redis_order() {
    let (mut e, w, l) = setup("Egn");
    run(&mut e, w, &["SET", "k", "v"]);
    run(&mut e, w, &["MOVE", "k", "5"]);
    assert_eq!(
        events(&mut e, l),
        ["0:new k", "5:new k", "0:move_from k", "5:move_to k"]
    );
}

/// WATCH, a write or wait by `act`, then MULTI/GET/EXEC: whether EXEC ran.
fn exec_runs(e: &mut Engine, w: u64, key: &str, act: impl FnOnce(&mut Engine)) -> bool {
    run(e, w, &["WATCH", key]);
    act(e);
    run(e, w, &["MULTI"]);
    run(e, w, &["GET", key]);
    run(e, w, &["EXEC"]) != Reply::NilArray
}

#[test]
fn expiry_dooms_a_watch_unless_the_key_had_expired_when_watched() {
    let (mut e, w, _) = setup("");
    let other = e.connect();
    // Expiring while watched is a change, lazily or by the sweep.
    run(&mut e, w, &["SET", "k", "v", "PX", "100"]);
    assert!(!exec_runs(&mut e, w, "k", |e| {
        e.set_time(1_000_200);
        run(e, other, &["EXISTS", "k"]);
    }));
    run(&mut e, w, &["SET", "k", "v", "PX", "100"]);
    assert!(!exec_runs(&mut e, w, "k", |e| e.tick(1_000_400)));
    // A key already expired (not yet reclaimed) when WATCHed: reclaiming
    // it changes nothing...
    run(&mut e, w, &["SET", "k", "v", "PX", "100"]);
    e.set_time(1_000_600);
    assert!(exec_runs(&mut e, w, "k", |e| {
        run(e, other, &["EXISTS", "k"]);
    }));
    // ...but writing it afterwards does.
    run(&mut e, w, &["SET", "k", "v", "PX", "100"]);
    e.set_time(1_000_800);
    assert!(!exec_runs(&mut e, w, "k", |e| {
        run(e, other, &["EXISTS", "k"]);
        run(e, other, &["SET", "k", "new"]);
    }));
}

#[test]
fn a_watch_is_of_the_key_in_its_own_database() {
    let mut e = Engine::new(Config::default());
    let (a, b, writer) = (e.connect(), e.connect(), e.connect());
    for (client, db) in [(a, "0"), (b, "1"), (writer, "1")] {
        run(&mut e, client, &["SELECT", db]);
    }
    run(&mut e, a, &["WATCH", "k"]);
    run(&mut e, b, &["WATCH", "k"]);
    // The same name in database 1 dooms b's transaction, not a's.
    run(&mut e, writer, &["SET", "k", "v"]);
    for client in [a, b] {
        run(&mut e, client, &["MULTI"]);
        run(&mut e, client, &["PING"]);
    }
    assert_eq!(
        run(&mut e, a, &["EXEC"]),
        Reply::Array(vec![Reply::Status("PONG".into())])
    );
    assert_eq!(run(&mut e, b, &["EXEC"]), Reply::NilArray);
    // EXEC forgot both WATCHes: a later write dooms nothing.
    run(&mut e, a, &["MULTI"]);
    run(&mut e, writer, &["SELECT", "0"]);
    run(&mut e, writer, &["SET", "k", "w"]);
    assert_eq!(run(&mut e, a, &["EXEC"]), Reply::Array(vec![]));
}
