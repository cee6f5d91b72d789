//! Pub/sub and transactions across several clients of one engine.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::reply::cli;
use redsim_engine::{Config, Engine, Reply};
use support::{engine, line};

fn pending(engine: &mut Engine, client: u64) -> String {
    let frames = engine.take_output(client);
    let text = cli::format_as(Reply::Frames(frames), engine.protocol(client));
    text.trim_end_matches('\n').to_string()
}

#[test]
fn messages_reach_channel_and_pattern_subscribers_in_order() {
    let mut e = Engine::new(Config::default());
    let (sub, pubr) = (e.connect(), e.connect());
    assert_eq!(
        line(&mut e, sub, "SUBSCRIBE news sport"),
        "1) \"subscribe\"\n2) \"news\"\n3) (integer) 1\n1) \"subscribe\"\n2) \"sport\"\n3) (integer) 2"
    );
    assert_eq!(
        line(&mut e, sub, "PSUBSCRIBE n*"),
        "1) \"psubscribe\"\n2) \"n*\"\n3) (integer) 3"
    );
    assert_eq!(line(&mut e, pubr, "PUBLISH news hello"), "(integer) 2");
    assert_eq!(line(&mut e, pubr, "PUBLISH other x"), "(integer) 0");
    assert_eq!(e.clients_with_output(), vec![sub]);
    assert_eq!(
        pending(&mut e, sub),
        "1) \"message\"\n2) \"news\"\n3) \"hello\"\n1) \"pmessage\"\n2) \"n*\"\n3) \"news\"\n4) \"hello\""
    );
    // A RESP2 subscriber may only run the pub/sub commands.
    assert_eq!(
        line(&mut e, sub, "GET k"),
        "(error) ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    );
    assert_eq!(line(&mut e, sub, "PING"), "1) \"pong\"\n2) \"\"");
    assert_eq!(
        line(&mut e, pubr, "PUBSUB NUMSUB news nosuch"),
        "1) \"news\"\n2) (integer) 1\n3) \"nosuch\"\n4) (integer) 0"
    );
    assert_eq!(line(&mut e, pubr, "PUBSUB NUMPAT"), "(integer) 1");
    assert_eq!(
        line(&mut e, sub, "UNSUBSCRIBE"),
        "1) \"unsubscribe\"\n2) \"news\"\n3) (integer) 2\n1) \"unsubscribe\"\n2) \"sport\"\n3) (integer) 1"
    );
    assert_eq!(
        line(&mut e, sub, "PUNSUBSCRIBE"),
        "1) \"punsubscribe\"\n2) \"n*\"\n3) (integer) 0"
    );
    assert_eq!(line(&mut e, sub, "GET k"), "(nil)");
    // Gone clients are forgotten.
    line(&mut e, sub, "SUBSCRIBE news");
    e.disconnect(sub);
    assert_eq!(line(&mut e, pubr, "PUBLISH news again"), "(integer) 0");
}

#[test]
fn resp3_subscribers_get_pushes_and_keep_running_commands() {
    let mut e = Engine::new(Config::default());
    let (sub, pubr) = (e.connect(), e.connect());
    line(&mut e, sub, "HELLO 3");
    line(&mut e, sub, "SSUBSCRIBE shard");
    line(&mut e, sub, "SUBSCRIBE ch");
    assert_eq!(line(&mut e, sub, "SET k v"), "OK");
    line(&mut e, pubr, "SPUBLISH shard s1");
    line(&mut e, pubr, "PUBLISH ch c1");
    let frames = e.take_output(sub);
    assert_eq!(
        frames,
        vec![
            Reply::Push(vec![
                Reply::bulk(b"smessage"),
                Reply::bulk(b"shard"),
                Reply::bulk(b"s1")
            ]),
            Reply::Push(vec![
                Reply::bulk(b"message"),
                Reply::bulk(b"ch"),
                Reply::bulk(b"c1")
            ]),
        ]
    );
    // A message to itself arrives before the reply to PUBLISH.
    let reply = e.execute(sub, &["PUBLISH", "ch", "me"]);
    assert_eq!(
        reply,
        Reply::Frames(vec![
            Reply::Push(vec![
                Reply::bulk(b"message"),
                Reply::bulk(b"ch"),
                Reply::bulk(b"me")
            ]),
            Reply::Int(1),
        ])
    );
}

#[test]
fn exec_runs_the_queue_unless_a_watched_key_changed() {
    let mut e = Engine::new(Config::default());
    let (a, b) = (e.connect(), e.connect());
    assert_eq!(line(&mut e, a, "MULTI"), "OK");
    assert_eq!(line(&mut e, a, "INCR n"), "QUEUED");
    assert_eq!(line(&mut e, a, "SET n x"), "QUEUED");
    assert_eq!(line(&mut e, a, "INCR n"), "QUEUED");
    assert_eq!(
        line(&mut e, a, "EXEC"),
        "1) (integer) 1\n2) OK\n3) (error) ERR value is not an integer or out of range"
    );
    // A queueing error dooms the transaction.
    line(&mut e, a, "MULTI");
    assert_eq!(
        line(&mut e, a, "SET k"),
        "(error) ERR wrong number of arguments for 'set' command"
    );
    line(&mut e, a, "SET k v");
    assert_eq!(
        line(&mut e, a, "EXEC"),
        "(error) EXECABORT Transaction discarded because of previous errors."
    );
    assert_eq!(line(&mut e, a, "EXISTS k"), "(integer) 0");
    // WATCH: another client's write fails the EXEC; nothing runs.
    line(&mut e, b, "SET w 1");
    line(&mut e, a, "WATCH w");
    line(&mut e, b, "SET w 2");
    line(&mut e, a, "MULTI");
    line(&mut e, a, "SET w 3");
    assert_eq!(line(&mut e, a, "EXEC"), "(nil)");
    assert_eq!(line(&mut e, a, "GET w"), "\"2\"");
    // The WATCH is gone after EXEC: the next transaction runs.
    line(&mut e, a, "MULTI");
    line(&mut e, a, "SET w 3");
    assert_eq!(line(&mut e, a, "EXEC"), "1) OK");
    // A watched key that expires fails the EXEC too.
    line(&mut e, a, "SET t v PX 100");
    line(&mut e, a, "WATCH t");
    e.set_time(e.now() + 200);
    line(&mut e, a, "MULTI");
    line(&mut e, a, "PING");
    assert_eq!(line(&mut e, a, "EXEC"), "(nil)");
}

#[test]
fn shard_channels_patterns_and_introspection() {
    let mut e = Engine::new(Config::default());
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, a, "SSUBSCRIBE s1 s2");
    line(&mut e, a, "PSUBSCRIBE p* q*");
    assert_eq!(line(&mut e, b, "SPUBLISH s1 hi"), "(integer) 1");
    assert_eq!(line(&mut e, b, "PUBLISH s1 hi"), "(integer) 0");
    assert_eq!(
        line(&mut e, b, "PUBSUB SHARDCHANNELS"),
        "1) \"s1\"\n2) \"s2\""
    );
    assert_eq!(line(&mut e, b, "PUBSUB SHARDCHANNELS *2"), "1) \"s2\"");
    assert_eq!(
        line(&mut e, b, "PUBSUB SHARDNUMSUB s1 s3"),
        "1) \"s1\"\n2) (integer) 1\n3) \"s3\"\n4) (integer) 0"
    );
    assert_eq!(line(&mut e, b, "PUBSUB CHANNELS"), "(empty array)");
    assert_eq!(line(&mut e, b, "PUBSUB NUMPAT"), "(integer) 2");
    assert!(line(&mut e, b, "PUBSUB HELP").contains("PUBSUB <subcommand>"));
    assert_eq!(pending(&mut e, a), "1) \"smessage\"\n2) \"s1\"\n3) \"hi\"");
    assert_eq!(
        line(&mut e, a, "SUNSUBSCRIBE s1 nosuch"),
        "1) \"sunsubscribe\"\n2) \"s1\"\n3) (integer) 1\n1) \"sunsubscribe\"\n2) \"nosuch\"\n3) (integer) 1"
    );
    assert_eq!(
        line(&mut e, a, "PUNSUBSCRIBE q*"),
        "1) \"punsubscribe\"\n2) \"q*\"\n3) (integer) 1"
    );
    // RESET leaves subscribed mode and forgets the connection's state.
    line(&mut e, a, "SELECT 3");
    assert_eq!(line(&mut e, a, "RESET"), "RESET");
    assert_eq!(line(&mut e, b, "PUBSUB NUMPAT"), "(integer) 0");
    assert_eq!(line(&mut e, a, "SET k v"), "OK");
    assert_eq!(e.selected_db(a), 0);
    assert_eq!(line(&mut e, a, "QUIT"), "OK");
    assert!(e.should_close(a));
}

#[test]
fn discard_unwatch_and_nesting_errors() {
    let mut e = Engine::new(Config::default());
    let (a, b) = (e.connect(), e.connect());
    assert_eq!(
        line(&mut e, a, "DISCARD"),
        "(error) ERR DISCARD without MULTI"
    );
    assert_eq!(line(&mut e, a, "EXEC"), "(error) ERR EXEC without MULTI");
    line(&mut e, a, "WATCH k");
    assert_eq!(line(&mut e, a, "UNWATCH"), "OK");
    line(&mut e, b, "SET k changed");
    line(&mut e, a, "MULTI");
    assert_eq!(
        line(&mut e, a, "MULTI"),
        "(error) ERR MULTI calls can not be nested"
    );
    assert_eq!(
        line(&mut e, a, "WATCH k"),
        "(error) ERR WATCH inside MULTI is not allowed"
    );
    line(&mut e, a, "SET k mine");
    assert_eq!(line(&mut e, a, "DISCARD"), "OK");
    assert_eq!(line(&mut e, a, "GET k"), "\"changed\"");
    // FLUSHALL dooms a transaction watching a key that existed.
    line(&mut e, a, "WATCH k");
    line(&mut e, b, "FLUSHALL");
    line(&mut e, a, "MULTI");
    line(&mut e, a, "SET k x");
    assert_eq!(line(&mut e, a, "EXEC"), "(nil)");
}

#[test]
fn a_subscriber_whose_output_piles_up_is_closed_at_the_pubsub_limits() {
    let mut e = engine();
    let publisher = e.connect();
    let reader = e.connect();
    let idle = e.connect();
    // Counted is what overflows the 16 KB reply buffer, as in Redis.
    line(
        &mut e,
        publisher,
        "CONFIG SET client-output-buffer-limit \"pubsub 40000 20000 2\"",
    );
    line(&mut e, reader, "SUBSCRIBE news");
    line(&mut e, idle, "SUBSCRIBE news");
    let message = "x".repeat(5000);
    // About 40 KB: 24 KB over the buffer, past the soft limit but under the
    // hard one. The idle subscriber gets 2 seconds to catch up; the one
    // that reads is fine.
    for _ in 0..8 {
        line(&mut e, publisher, &format!("PUBLISH news {message}"));
        e.take_output(reader);
    }
    assert!(!e.should_close(idle));
    let now = e.now();
    e.tick(now + 1_000);
    assert!(!e.should_close(idle), "1 s over the soft limit");
    e.tick(now + 2_000);
    assert!(e.should_close(idle), "2 s over the soft limit");
    assert!(e.output_dropped(idle));
    assert!(e.take_output(idle).is_empty(), "its output was dropped");
    assert!(!e.should_close(reader));
    // The hard limit closes at once; a host's undelivered bytes count.
    let slow = e.connect();
    line(&mut e, slow, "SUBSCRIBE news");
    e.take_output(slow);
    e.set_backlogs(&[(slow, 16_384 + 38_000)]);
    assert!(!e.should_close(slow));
    line(&mut e, publisher, &format!("PUBLISH news {message}"));
    assert!(e.should_close(slow));
    // Normal clients are unlimited by default; small outputs never count.
    let plain = e.connect();
    e.set_backlogs(&[(plain, 1 << 30)]);
    assert!(!e.should_close(plain));
    line(
        &mut e,
        plain,
        "CONFIG SET client-output-buffer-limit \"normal 2 2 0\"",
    );
    assert_eq!(line(&mut e, plain, "PING"), "PONG");
    assert!(!e.should_close(publisher));
}
