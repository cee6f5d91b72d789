//! The CLIENT command family across clients (LIST/INFO lines, KILL, PAUSE,
//! UNBLOCK, REPLY, NO-TOUCH, SETINFO), and AUTH with `requirepass`, as
//! Redis 7.0 (7.2 for NO-TOUCH and SETINFO) answers them.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::{Engine, Peer, Reply};
use support::{engine, line, received};

/// The value of `field` in a CLIENT LIST line.
fn field<'a>(line: &'a str, field: &str) -> &'a str {
    line.split(' ')
        .find_map(|pair| pair.strip_prefix(field)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {field} in {line}"))
}

/// CLIENT INFO of `client`, as the bulk text.
fn info(engine: &mut Engine, client: u64) -> String {
    match engine.execute(client, &["CLIENT", "INFO"]) {
        Reply::Verbatim(_, text) | Reply::Bulk(text) => String::from_utf8(text).unwrap(),
        other => panic!("CLIENT INFO answered {other:?}"),
    }
}

#[test]
fn list_lines_have_redis_fields_in_order() {
    let mut e = engine();
    let a = e.connect();
    let b = e.connect_from(Peer {
        addr: "10.0.0.7:51234".into(),
        laddr: "10.0.0.1:6379".into(),
        fd: 9,
    });
    e.set_time(3_500_000);
    let text = info(&mut e, a);
    assert_eq!(
        text,
        "id=1 addr=127.0.0.1:40001 laddr=127.0.0.1:6379 fd=8 name= age=2500 idle=0 flags=N db=0 \
         sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 \
         rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 events=r cmd=client|info user=default \
         redir=-1 resp=2 lib-name= lib-ver=\n"
    );
    line(&mut e, b, "CLIENT SETNAME worker");
    line(&mut e, b, "SELECT 3");
    let listed = line(&mut e, a, "CLIENT LIST");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2);
    let other = lines[1];
    assert_eq!(field(other, "addr"), "10.0.0.7:51234");
    assert_eq!(field(other, "laddr"), "10.0.0.1:6379");
    assert_eq!(field(other, "fd"), "9");
    assert_eq!(field(other, "name"), "worker");
    assert_eq!(field(other, "db"), "3");
    assert_eq!(field(other, "cmd"), "select");
    // An idle client's buffers, as Redis reports them.
    assert_eq!(field(other, "qbuf"), "0");
    assert_eq!(field(other, "rbs"), "1024");
    assert_eq!(field(other, "tot-mem"), "22272");
    // RESP3 clients get a verbatim string.
    line(&mut e, a, "HELLO 3");
    assert!(matches!(e.execute(a, &["CLIENT", "INFO"]), Reply::Verbatim(f, _) if f == "txt"));
}

#[test]
fn list_filters_by_type_and_id() {
    let mut e = engine();
    let (a, b, c) = (e.connect(), e.connect(), e.connect());
    line(&mut e, b, "SUBSCRIBE news");
    let ids = |e: &mut Engine, text: &str| -> Vec<String> {
        line(e, a, text)
            .lines()
            .map(|l| field(l, "id").to_string())
            .collect()
    };
    assert_eq!(ids(&mut e, "CLIENT LIST TYPE pubsub"), ["2"]);
    assert_eq!(ids(&mut e, "CLIENT LIST TYPE Normal"), ["1", "3"]);
    assert!(ids(&mut e, "CLIENT LIST TYPE replica").is_empty());
    // Ids in the order asked, repeats included; unknown ones skipped.
    assert_eq!(ids(&mut e, "CLIENT LIST ID 3 1 3 99 -1"), ["3", "1", "3"]);
    // (redis-cli prints CLIENT LIST raw, errors included.)
    assert_eq!(
        line(&mut e, a, "CLIENT LIST ID 1 x"),
        "ERR Invalid client ID"
    );
    assert_eq!(
        line(&mut e, a, "CLIENT LIST TYPE foo"),
        "ERR Unknown client type 'foo'"
    );
    assert_eq!(line(&mut e, a, "CLIENT LIST ID"), "ERR syntax error");
    assert_eq!(
        line(&mut e, a, "CLIENT LIST TYPE normal ID 1"),
        "ERR syntax error"
    );
    let _ = c;
}

#[test]
fn flags_and_counters_follow_client_state() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, b, "PSUBSCRIBE p*");
    assert_eq!(field(&line(&mut e, a, "CLIENT LIST ID 2"), "flags"), "P");
    line(&mut e, b, "PUNSUBSCRIBE");
    line(&mut e, b, "CLIENT NO-EVICT on");
    line(&mut e, b, "CLIENT NO-TOUCH on");
    line(&mut e, b, "WATCH k");
    line(&mut e, a, "SET k 1");
    line(&mut e, b, "MULTI");
    line(&mut e, b, "GET k");
    let text = line(&mut e, a, "CLIENT LIST ID 2");
    // MULTI, a doomed WATCH, no-evict, no-touch; a doomed transaction
    // queues nothing more, as in Redis, but the command still shows.
    assert_eq!(field(&text, "flags"), "xdeT");
    assert_eq!(field(&text, "multi"), "0");
    assert_eq!(field(&text, "cmd"), "get");
    line(&mut e, b, "DISCARD");
    line(&mut e, b, "MULTI");
    line(&mut e, b, "SET a b");
    line(&mut e, b, "GET a");
    let text = line(&mut e, a, "CLIENT LIST ID 2");
    assert_eq!(field(&text, "multi"), "2");
    // SET a b and GET a: their bytes plus a pointer per argument.
    assert_eq!(field(&text, "multi-mem"), "49");
    assert_eq!(field(&text, "tot-mem"), "22369");
    line(&mut e, b, "DISCARD");
    // An unknown command leaves cmd=NULL; a refused known one names itself.
    line(&mut e, b, "NOSUCH");
    assert_eq!(field(&line(&mut e, a, "CLIENT LIST ID 2"), "cmd"), "NULL");
    line(&mut e, b, "GET");
    assert_eq!(field(&line(&mut e, a, "CLIENT LIST ID 2"), "cmd"), "get");
    // A blocked client keeps its arguments.
    e.execute(b, &["BLPOP", "q", "0"]);
    let text = line(&mut e, a, "CLIENT LIST ID 2");
    assert_eq!(field(&text, "flags"), "beT");
    assert_eq!(field(&text, "argv-mem"), "7");
}

#[test]
fn names_and_library_attributes() {
    let mut e = engine();
    let a = e.connect();
    assert_eq!(line(&mut e, a, "CLIENT GETNAME"), "(nil)");
    assert_eq!(line(&mut e, a, "CLIENT SETNAME conn-1"), "OK");
    assert_eq!(line(&mut e, a, "CLIENT GETNAME"), "\"conn-1\"");
    assert_eq!(
        line(&mut e, a, "CLIENT SETNAME \"a b\""),
        "(error) ERR Client names cannot contain spaces, newlines or special characters."
    );
    assert_eq!(line(&mut e, a, "CLIENT SETNAME \"\""), "OK");
    assert_eq!(line(&mut e, a, "CLIENT GETNAME"), "(nil)");
    assert_eq!(line(&mut e, a, "CLIENT ID"), "(integer) 1");
    assert_eq!(line(&mut e, a, "CLIENT SETINFO lib-name redis-py(x)"), "OK");
    assert_eq!(line(&mut e, a, "CLIENT SETINFO LIB-VER 5.0"), "OK");
    assert_eq!(
        line(&mut e, a, "CLIENT SETINFO LIB-NAME \"a b\""),
        "(error) ERR LIB-NAME cannot contain spaces, newlines or special characters."
    );
    assert_eq!(
        line(&mut e, a, "CLIENT SETINFO foo x"),
        "(error) ERR Unrecognized option 'foo'"
    );
    let text = info(&mut e, a);
    assert!(
        text.ends_with("lib-name=redis-py(x) lib-ver=5.0\n"),
        "{text}"
    );
    // HELLO applies SETNAME as it reads it, even if a later option fails.
    assert_eq!(
        line(&mut e, a, "HELLO 3 SETNAME early BAD"),
        "(error) ERR Syntax error in HELLO option 'BAD'"
    );
    assert_eq!(line(&mut e, a, "CLIENT GETNAME"), "\"early\"");
    assert_eq!(e.protocol(a), redsim_engine::Protocol::Resp2);
}

#[test]
fn kill_closes_other_clients_at_once_and_itself_after_replying() {
    let mut e = engine();
    let (a, b, c, d) = (e.connect(), e.connect(), e.connect(), e.connect());
    line(&mut e, c, "SUBSCRIBE ch");
    assert_eq!(line(&mut e, a, "CLIENT KILL ID 2"), "(integer) 1");
    assert!(e.should_close(b));
    assert_eq!(line(&mut e, a, "PUBLISH ch x"), "(integer) 1");
    assert_eq!(line(&mut e, a, "CLIENT KILL TYPE pubsub"), "(integer) 1");
    assert_eq!(line(&mut e, a, "PUBLISH ch x"), "(integer) 0");
    // The old form names an address; nobody there is an error.
    assert_eq!(line(&mut e, a, "CLIENT KILL 127.0.0.1:40004"), "OK");
    assert!(e.should_close(d));
    assert_eq!(
        line(&mut e, a, "CLIENT KILL 127.0.0.1:40004"),
        "(error) ERR No such client"
    );
    // SKIPME yes (the default) spares the caller.
    assert_eq!(line(&mut e, a, "CLIENT KILL USER default"), "(integer) 0");
    assert!(!e.should_close(a));
    assert_eq!(
        line(&mut e, a, "CLIENT KILL USER default SKIPME no"),
        "(integer) 1"
    );
    assert!(e.should_close(a));
    let mut e = engine();
    let a = e.connect();
    for (cmd, error) in [
        ("CLIENT KILL ID x", "ERR client-id should be greater than 0"),
        ("CLIENT KILL ID 0", "ERR client-id should be greater than 0"),
        ("CLIENT KILL TYPE foo", "ERR Unknown client type 'foo'"),
        ("CLIENT KILL USER bob", "ERR No such user 'bob'"),
        ("CLIENT KILL SKIPME maybe", "ERR syntax error"),
        ("CLIENT KILL MAXAGE 5", "ERR syntax error"),
        ("CLIENT KILL ID 1 SKIPME", "ERR syntax error"),
        ("CLIENT KILL ADDR", "ERR No such client"),
    ] {
        assert_eq!(line(&mut e, a, cmd), format!("(error) {error}"), "{cmd}");
    }
}

#[test]
fn reply_off_and_skip_silence_replies_but_not_pushes() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    assert_eq!(
        e.execute(a, &["CLIENT", "REPLY", "SKIP"]),
        Reply::Frames(vec![])
    );
    assert_eq!(e.execute(a, &["PING"]), Reply::Frames(vec![]));
    assert_eq!(line(&mut e, a, "PING"), "PONG");
    assert_eq!(
        e.execute(a, &["CLIENT", "REPLY", "OFF"]),
        Reply::Frames(vec![])
    );
    // Subscription confirmations are pushes, which replies being off
    // does not stop, as in Redis.
    assert_eq!(
        line(&mut e, a, "SUBSCRIBE ch"),
        "1) \"subscribe\"\n2) \"ch\"\n3) (integer) 1"
    );
    line(&mut e, b, "PUBLISH ch hi");
    assert_eq!(received(&mut e, a), "1) \"message\"\n2) \"ch\"\n3) \"hi\"");
    line(&mut e, a, "UNSUBSCRIBE");
    // SKIP while replies are off leaves them off.
    assert_eq!(
        e.execute(a, &["CLIENT", "REPLY", "SKIP"]),
        Reply::Frames(vec![])
    );
    assert_eq!(e.execute(a, &["PING"]), Reply::Frames(vec![]));
    assert_eq!(line(&mut e, a, "CLIENT REPLY ON"), "OK");
    assert_eq!(
        line(&mut e, a, "CLIENT REPLY maybe"),
        "(error) ERR syntax error"
    );
}

#[test]
fn unblock_answers_as_timeout_or_error() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    e.execute(b, &["BLPOP", "q", "0"]);
    assert_eq!(line(&mut e, a, "CLIENT UNBLOCK 2"), "(integer) 1");
    assert_eq!(received(&mut e, b), "(nil)");
    assert_eq!(line(&mut e, a, "CLIENT UNBLOCK 2"), "(integer) 0");
    e.execute(b, &["BZPOPMIN", "z", "0"]);
    assert_eq!(line(&mut e, a, "CLIENT UNBLOCK 2 ERROR"), "(integer) 1");
    assert_eq!(
        received(&mut e, b),
        "(error) UNBLOCKED client unblocked via CLIENT UNBLOCK"
    );
    assert_eq!(
        line(&mut e, a, "CLIENT UNBLOCK x FOO"),
        "(error) ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
    );
    assert_eq!(
        line(&mut e, a, "CLIENT UNBLOCK x"),
        "(error) ERR value is not an integer or out of range"
    );
    assert_eq!(
        line(&mut e, a, "client unblock 1 timeout x"),
        "(error) ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP."
    );
}

#[test]
fn pause_write_holds_writes_until_it_ends() {
    let mut e = engine();
    let (a, b, c) = (e.connect(), e.connect(), e.connect());
    assert_eq!(line(&mut e, a, "CLIENT PAUSE 1500 WRITE"), "OK");
    // Reads run; writes (and PUBLISH, which may replicate) wait, the
    // pausing client's own included.
    assert_eq!(line(&mut e, b, "GET k"), "(nil)");
    assert_eq!(e.execute(b, &["SET", "k", "1"]), Reply::Frames(vec![]));
    assert!(e.is_blocked(b));
    assert_eq!(e.execute(a, &["PUBLISH", "ch", "x"]), Reply::Frames(vec![]));
    // A held client shows as blocked, with its command's arguments.
    let text = line(&mut e, c, "CLIENT LIST ID 2");
    assert_eq!(field(&text, "flags"), "b");
    assert_eq!(field(&text, "cmd"), "set");
    assert_eq!(field(&text, "argv-mem"), "5");
    // CLIENT UNBLOCK cannot release it.
    assert_eq!(line(&mut e, c, "CLIENT UNBLOCK 2"), "(integer) 0");
    // A transaction: the write is held while queueing; EXEC of reads runs.
    line(&mut e, c, "MULTI");
    line(&mut e, c, "GET k");
    assert_eq!(line(&mut e, c, "EXEC"), "1) (nil)");
    e.tick(1_001_000);
    assert!(e.is_blocked(b));
    e.tick(1_001_500);
    assert!(!e.is_blocked(b));
    assert_eq!(received(&mut e, b), "OK");
    assert_eq!(received(&mut e, a), "(integer) 0");
    assert_eq!(line(&mut e, c, "GET k"), "\"1\"");
}

#[test]
fn pause_all_holds_everything_until_unpause_or_timeout() {
    let mut e = engine();
    let (a, b, c) = (e.connect(), e.connect(), e.connect());
    line(&mut e, a, "CLIENT PAUSE 800 ALL");
    assert_eq!(e.execute(a, &["PING"]), Reply::Frames(vec![]));
    // Even CLIENT UNPAUSE waits: only the clock ends an ALL pause.
    assert_eq!(e.execute(b, &["CLIENT", "UNPAUSE"]), Reply::Frames(vec![]));
    assert_eq!(e.execute(c, &["CLIENT", "ID"]), Reply::Frames(vec![]));
    e.tick(1_000_800);
    assert_eq!(received(&mut e, a), "PONG");
    assert_eq!(received(&mut e, b), "OK");
    assert_eq!(received(&mut e, c), "(integer) 3");
    // A WRITE pause is lifted by UNPAUSE from a reader; the held write runs
    // right after it.
    line(&mut e, a, "CLIENT PAUSE 10000 WRITE");
    e.execute(b, &["INCR", "n"]);
    assert_eq!(line(&mut e, c, "CLIENT UNPAUSE"), "OK");
    assert_eq!(received(&mut e, b), "(integer) 1");
    // Overlapping pauses keep the wider kind and the later end.
    line(&mut e, a, "CLIENT PAUSE 300 WRITE");
    line(&mut e, a, "CLIENT PAUSE 100 ALL");
    e.tick(1_000_900);
    assert_eq!(e.execute(b, &["PING"]), Reply::Frames(vec![]));
    e.tick(1_001_100);
    assert_eq!(received(&mut e, b), "PONG");
    // A zero or overflowing timeout pauses nothing.
    line(&mut e, a, "CLIENT PAUSE 0 ALL");
    assert_eq!(line(&mut e, b, "PING"), "PONG");
    line(&mut e, a, "CLIENT PAUSE 9223372036854775807 ALL");
    assert_eq!(line(&mut e, b, "PING"), "PONG");
    for (cmd, error) in [
        (
            "CLIENT PAUSE x",
            "ERR timeout is not an integer or out of range",
        ),
        ("CLIENT PAUSE -1", "ERR timeout is negative"),
        (
            "CLIENT PAUSE x foo",
            "ERR CLIENT PAUSE mode must be WRITE or ALL",
        ),
        (
            "client pause 10 write x",
            "ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.",
        ),
    ] {
        assert_eq!(line(&mut e, a, cmd), format!("(error) {error}"), "{cmd}");
    }
}

#[test]
fn paused_expiry_waits_for_the_pause() {
    let mut e = engine();
    let a = e.connect();
    line(&mut e, a, "SET k v PX 100");
    line(&mut e, a, "CLIENT PAUSE 500 WRITE");
    e.tick(1_000_300);
    assert_eq!(e.dbsize(0), 1, "active expiry waits while paused");
    e.tick(1_000_600);
    assert_eq!(e.dbsize(0), 0);
}

#[test]
fn no_touch_clients_leave_access_times_alone_except_touch() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    line(&mut e, a, "SET k v");
    line(&mut e, b, "CLIENT NO-TOUCH on");
    e.set_time(1_010_000);
    line(&mut e, b, "GET k");
    assert_eq!(line(&mut e, a, "OBJECT IDLETIME k"), "(integer) 10");
    line(&mut e, b, "TOUCH k");
    assert_eq!(line(&mut e, a, "OBJECT IDLETIME k"), "(integer) 0");
    e.set_time(1_015_000);
    line(&mut e, b, "CLIENT NO-TOUCH off");
    line(&mut e, b, "GET k");
    assert_eq!(line(&mut e, a, "OBJECT IDLETIME k"), "(integer) 0");
    assert_eq!(
        line(&mut e, b, "CLIENT NO-TOUCH maybe"),
        "(error) ERR syntax error"
    );
}

#[test]
fn requirepass_needs_auth_before_other_commands() {
    let mut e = engine();
    let a = e.connect();
    assert_eq!(
        line(&mut e, a, "AUTH x"),
        "(error) ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
    );
    assert_eq!(line(&mut e, a, "AUTH default anything"), "OK");
    assert_eq!(line(&mut e, a, "CONFIG SET requirepass s3cret"), "OK");
    // Clients connected before keep working; new ones must log in.
    assert_eq!(line(&mut e, a, "PING"), "PONG");
    let b = e.connect();
    assert_eq!(
        line(&mut e, b, "PING"),
        "(error) NOAUTH Authentication required."
    );
    assert_eq!(
        line(&mut e, b, "CLIENT ID"),
        "(error) NOAUTH Authentication required."
    );
    // Unknown commands and wrong arity are reported first.
    assert_eq!(
        line(&mut e, b, "NOSUCH"),
        "(error) ERR unknown command 'NOSUCH', with args beginning with: "
    );
    assert_eq!(
        line(&mut e, b, "HELLO 3"),
        "(error) NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
    );
    let wrong = "(error) WRONGPASS invalid username-password pair or user is disabled.";
    assert_eq!(line(&mut e, b, "AUTH nope"), wrong);
    assert_eq!(line(&mut e, b, "AUTH bob s3cret"), wrong);
    assert_eq!(line(&mut e, b, "AUTH a b c"), "(error) ERR syntax error");
    assert_eq!(line(&mut e, b, "AUTH s3cret"), "OK");
    assert_eq!(line(&mut e, b, "PING"), "PONG");
    // RESET logs out.
    assert_eq!(line(&mut e, b, "RESET"), "RESET");
    assert_eq!(
        line(&mut e, b, "PING"),
        "(error) NOAUTH Authentication required."
    );
    // HELLO can log in and switch protocol at once.
    assert_eq!(line(&mut e, b, "HELLO 3 AUTH default nope"), wrong);
    line(&mut e, b, "HELLO 3 AUTH default s3cret SETNAME svc");
    assert_eq!(e.protocol(b), redsim_engine::Protocol::Resp3);
    assert_eq!(line(&mut e, b, "CLIENT GETNAME"), "\"svc\"");
    // Clearing the password lets everyone in again.
    line(&mut e, a, "CONFIG SET requirepass \"\"");
    let c = e.connect();
    assert_eq!(line(&mut e, c, "PING"), "PONG");
}

#[test]
fn help_lists_every_subcommand() {
    let mut e = engine();
    let a = e.connect();
    let help = line(&mut e, a, "CLIENT HELP");
    for sub in [
        "CACHING",
        "GETREDIR",
        "GETNAME",
        "ID",
        "INFO",
        "KILL",
        "LIST",
        "NO-EVICT",
        "NO-TOUCH",
        "PAUSE",
        "REPLY",
        "SETINFO",
        "SETNAME",
        "TRACKING",
        "TRACKINGINFO",
        "UNBLOCK",
        "UNPAUSE",
        "HELP",
    ] {
        assert!(
            help.contains(&format!(") {sub}")),
            "{sub} missing from {help}"
        );
    }
    assert_eq!(
        line(&mut e, a, "CLIENT FOO"),
        "(error) ERR unknown subcommand 'FOO'. Try CLIENT HELP."
    );
}

#[test]
fn idle_clients_are_closed_after_the_configured_timeout() {
    let mut e = redsim_engine::Engine::new(redsim_engine::Config {
        now_ms: 1_000_000,
        ..redsim_engine::Config::default()
    });
    let (idle, busy, listener) = (e.connect(), e.connect(), e.connect());
    e.execute(busy, &["CONFIG", "SET", "timeout", "2"]);
    e.execute(listener, &["SUBSCRIBE", "ch"]);
    e.tick(1_002_500);
    assert!(
        !e.should_close(idle),
        "idle for 2.5 s: not more than 2 whole seconds"
    );
    e.execute(busy, &["PING"]);
    e.tick(1_003_100);
    assert!(e.should_close(idle));
    assert!(!e.should_close(busy));
    assert!(!e.should_close(listener), "subscribers wait by design");
}
