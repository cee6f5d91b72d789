//! AOF export and import inside the engine: every type and encoding comes
//! back from `export_aof` → `import_aof` with its contents, encoding and
//! TTL; BGREWRITEAOF hands the same stream to the host; import runs
//! SELECT and MULTI/EXEC, reports failing commands, and refuses damaged
//! streams with the dataset untouched. (Interchange with a real
//! redis-server is `server/tests/aof_oracle.rs`.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

use redsim_engine::aof::{AofError, ITEMS_PER_CMD};
use redsim_engine::resp::{parse_request, RequestLimits};
use support::persist::{self, assert_same, facts, fresh, guarded, Observe, NOW};
use support::{line, Session};

/// The shared dataset with these tests' own keys and values: besides
/// their own s:raw, s:bin, z:small and field TTLs, stream groups made with
/// ENTRIESREAD -1 and by MKSTREAM, a database 1, a TTL'd list, and a group
/// with pending entries on the big stream.
fn populate(s: &mut Session) {
    let own = [
        "SET s:neg -42",
        "SET s:raw abc",
        "APPEND s:raw def",
        "SET s:bin \"a\\x00b\\xffc\\r\\n\"",
        "ZADD z:small 1 a 2.5 b -inf c inf d 0.1 e -0 f 1e300 g",
        "XGROUP CREATE st unread 0 ENTRIESREAD -1",
        "XADD st:gone 5-5 f v",
        "XDEL st:gone 5-5",
        "XGROUP CREATE st:new g $ MKSTREAM",
        "HPEXPIRE h:fttl 50000 FIELDS 1 a",
        "HPEXPIRE h:fttl 60000 FIELDS 1 b",
        "SELECT 1",
        "SET one 1",
        "SELECT 2",
        "RPUSH l:ttl x",
        "PEXPIREAT l:ttl 1700000500000",
        "SELECT 0",
    ];
    persist::populate(s, &own, "3");
    s.run("XGROUP CREATE st:big grp 0");
    s.run("XREADGROUP GROUP grp dave COUNT 70 STREAMS st:big >");
    s.run("XREADGROUP GROUP grp erin COUNT 3 STREAMS st:big >");
    s.run("XACK st:big grp 2-0");
}

/// What these tests compare of each key beyond the basics: not idle
/// times, which an AOF does not carry.
const OBSERVE: Observe = Observe {
    idle_time: false,
    hash_ttl_fields: &["a", "b", "f1", "f2"],
    active_time: true,
};

/// The commands of a stream, as argument vectors.
fn commands(stream: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let limits = RequestLimits::default();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        let (argv, used) = parse_request(&stream[pos..], &limits)
            .expect("valid")
            .expect("complete");
        out.push(argv.into_iter().map(|arg| arg.into_owned()).collect());
        pos += used;
    }
    out
}

fn text(args: &[Vec<u8>]) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    words.join(" ")
}

#[test]
fn round_trip_keeps_every_type_encoding_and_ttl() {
    let mut s = Session::at(NOW);
    populate(&mut s);
    let stream = s.engine.export_aof();
    let before = facts(&mut s.engine, &OBSERVE);
    assert!(before.len() > 30, "the dataset is all there");
    // Every type in every encoding is in the dataset (second and third
    // fact lines; raw strings read as embstr, see `facts`).
    let kinds: Vec<String> = before
        .iter()
        .map(|f| f.lines().skip(1).take(2).collect::<Vec<_>>().join(" "))
        .collect();
    for kind in [
        "string \"int\"",
        "string \"embstr\"",
        "list \"listpack\"",
        "list \"quicklist\"",
        "set \"intset\"",
        "set \"listpack\"",
        "set \"hashtable\"",
        "hash \"listpack\"",
        "hash \"listpackex\"",
        "hash \"hashtable\"",
        "zset \"listpack\"",
        "zset \"skiplist\"",
        "stream \"stream\"",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "no {kind} in {kinds:?}");
    }
    assert_eq!(s.run("OBJECT ENCODING s:raw"), "\"raw\"");

    let mut other = fresh();
    let c = other.connect();
    line(&mut other, c, "SET replaced x");
    let summary = other.import_aof(&stream).expect("imports");
    assert_eq!(summary.failed, 0, "{:?}", summary.errors);
    assert_eq!(summary.commands, commands(&stream).len());
    assert_eq!(summary.keys, before.len());
    assert_same(&before, &facts(&mut other, &OBSERVE));

    // Writing the imported data again gives the same stream.
    assert_eq!(other.export_aof(), stream);
}

#[test]
fn the_stream_has_redis_rewrite_commands() {
    let mut s = Session::at(NOW);
    populate(&mut s);
    let cmds = commands(&s.engine.export_aof());
    let all: Vec<String> = cmds.iter().map(|c| text(c)).collect();
    let has = |t: &str| all.iter().any(|c| c == t);
    // One SELECT per non-empty database, first.
    let selects: Vec<&String> = all.iter().filter(|c| c.starts_with("SELECT")).collect();
    assert_eq!(selects, ["SELECT 0", "SELECT 1", "SELECT 2"]);
    assert_eq!(all[0], "SELECT 0");
    assert!(has("SET s:int 12345"));
    assert!(has("PEXPIREAT s:ttl 1700000100000"));
    assert!(has("PEXPIREAT l:ttl 1700000500000"));
    assert!(has("RPUSH l:small a b 1 -2 300000"));
    assert!(has("SADD set:int -1 5 70000 9000000000"));
    assert!(has(
        "ZADD z:small -inf c 0 f 0.10000000000000001 e 1 a 2.5 b 1.0000000000000001e+300 g inf d"
    ));
    assert!(has("HMSET h:small f v g 2"));
    // A hash with field TTLs: a field at a time, as Redis 7.4 writes it.
    assert!(has("HMSET h:fttl a 1"));
    assert!(has("HPEXPIREAT h:fttl 1700000050000 FIELDS 1 a"));
    assert!(has("HPEXPIREAT h:fttl 1700000060000 FIELDS 1 b"));
    assert!(has("HMSET h:fttl c 3"));
    // Streams: entries, XSETID, groups in name order, consumers.
    assert!(has("XADD st 1-1 a 1 b 2"));
    assert!(has("XSETID st 2-1 ENTRIESADDED 3 MAXDELETEDID 1-2"));
    assert!(has("XGROUP CREATE st empty 2-1 ENTRIESREAD -1"));
    assert!(has("XGROUP CREATECONSUMER st empty carol"));
    assert!(has("XGROUP CREATE st g 2-1 ENTRIESREAD 3"));
    assert!(has(&format!(
        "XCLAIM st g alice 0 1-1 TIME {NOW} RETRYCOUNT 1 JUSTID FORCE"
    )));
    assert!(has("XGROUP CREATE st unread 0-0 ENTRIESREAD -1"));
    assert!(has("XADD st:gone MAXLEN 0 0-1 x y"));
    assert!(has("XSETID st:gone 5-5 ENTRIESADDED 1 MAXDELETEDID 5-5"));
    assert!(has("XADD st:new MAXLEN 0 0-1 x y"));
    assert!(has("XSETID st:new 0-0 ENTRIESADDED 0 MAXDELETEDID 0-0"));
    assert!(has("XGROUP CREATE st:new g 0-0 ENTRIESREAD -1"));
    // Variadic commands carry at most 64 items.
    for cmd in &cmds {
        let items = cmd.len() - 2;
        match cmd[0].as_slice() {
            b"RPUSH" | b"SADD" => assert!(items <= ITEMS_PER_CMD),
            b"ZADD" | b"HMSET" => assert!(items <= 2 * ITEMS_PER_CMD),
            _ => {}
        }
    }
    let rpushes = cmds.iter().filter(|c| c[1] == b"l:big").count();
    assert_eq!(rpushes, 3000usize.div_ceil(ITEMS_PER_CMD));
    let hmsets = cmds.iter().filter(|c| c[1] == b"h:bigttl").count();
    assert_eq!(hmsets, 600 + 2, "a HMSET per field and two HPEXPIREATs");
}

#[test]
fn bgrewriteaof_hands_the_stream_to_the_host() {
    let mut s = Session::at(NOW);
    assert_eq!(s.engine.take_aof_rewrite(), None);
    s.run("SET a 1");
    assert_eq!(
        s.run("BGREWRITEAOF"),
        "Background append only file rewriting started"
    );
    let expected = s.engine.export_aof();
    assert_eq!(s.engine.take_aof_rewrite(), Some(expected.clone()));
    assert_eq!(s.engine.take_aof_rewrite(), None, "taken once");
    assert_eq!(
        s.run("BGREWRITEAOF x"),
        "(error) ERR wrong number of arguments for 'bgrewriteaof' command"
    );

    // Inside a transaction it is scheduled: made after the EXEC, so it
    // holds the transaction's writes.
    s.run("MULTI");
    s.run("BGREWRITEAOF");
    s.run("SET b 2");
    assert_eq!(
        s.run("EXEC"),
        "1) Background append only file rewriting scheduled\n2) OK"
    );
    let stream = s.engine.take_aof_rewrite().expect("made");
    let mut other = fresh();
    other.import_aof(&stream).expect("imports");
    assert_eq!(other.dbsize(0), 2);
}

#[test]
fn import_runs_select_and_transactions_and_reports_failures() {
    let stream = b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n\
        *1\r\n$5\r\nMULTI\r\n\
        *3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n\
        *3\r\n$5\r\nLPUSH\r\n$1\r\na\r\n$1\r\nx\r\n\
        *2\r\n$4\r\nINCR\r\n$1\r\na\r\n\
        *1\r\n$4\r\nEXEC\r\n\
        #TS:1700000000\r\n\
        *2\r\n$4\r\nINCR\r\n$5\r\nnokey\r\n\
        *2\r\n$5\r\nBLPOP\r\n$5\r\nempty\r\n\
        *2\r\n$4\r\nINCR\r\n$5\r\nnokey\r\n";
    let mut e = fresh();
    let summary = e.import_aof(stream).expect("imports");
    // SELECT, MULTI, 3 queued, EXEC, INCR, BLPOP (wrong arity), INCR.
    assert_eq!(summary.commands, 9);
    assert_eq!(summary.failed, 2, "{:?}", summary.errors);
    assert_eq!(summary.errors[0].command, "LPUSH");
    assert!(summary.errors[0].error.starts_with("WRONGTYPE"));
    assert_eq!(summary.errors[1].command, "BLPOP");
    assert_eq!(summary.keys, 2);
    let c = e.connect();
    line(&mut e, c, "SELECT 3");
    assert_eq!(line(&mut e, c, "GET a"), "\"2\"");
    assert_eq!(line(&mut e, c, "GET nokey"), "\"2\"");

    // A command that would block is abandoned; the import goes on in the
    // same database.
    let blocking = b"*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n\
        *3\r\n$5\r\nBLPOP\r\n$5\r\nempty\r\n$1\r\n0\r\n\
        *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    let summary = e.import_aof(blocking).expect("imports");
    assert_eq!(summary.failed, 1);
    assert!(summary.errors[0].error.contains("blocked"));
    assert_eq!((e.dbsize(1), e.dbsize(3)), (1, 0));
}

#[test]
fn import_keeps_live_clients_state_sound() {
    let mut e = fresh();
    let watcher = e.connect();
    let blocked = e.connect();
    line(&mut e, watcher, "SET w old");
    line(&mut e, watcher, "WATCH w");
    line(&mut e, watcher, "MULTI");
    line(&mut e, watcher, "GET w");
    e.execute_line(blocked, "BLPOP queue 0").expect("runs");
    assert!(e.is_blocked(blocked));
    let stream = b"*3\r\n$5\r\nRPUSH\r\n$5\r\nqueue\r\n$4\r\njob1\r\n";
    e.import_aof(stream).expect("imports");
    // The dataset was replaced: the WATCH fails, the blocked client is
    // served from the new data.
    assert_eq!(line(&mut e, watcher, "EXEC"), "(nil)");
    assert!(!e.is_blocked(blocked));
    assert_eq!(e.dbsize(0), 0, "the job was popped");
}

#[test]
fn truncated_and_malformed_streams_change_nothing() {
    let mut s = Session::at(NOW);
    s.run("HSET h a 1");
    s.run("SET s hello EX 100");
    s.run("XADD x 1-1 f v");
    s.run("XGROUP CREATE x g 0");
    let stream = s.engine.export_aof();
    let boundaries: Vec<usize> = {
        let limits = RequestLimits::default();
        let mut at = vec![0];
        let mut pos = 0;
        while let Ok(Some((_, used))) = parse_request(&stream[pos..], &limits) {
            pos += used;
            at.push(pos);
        }
        at
    };
    let (mut e, before) = guarded(&OBSERVE);
    for cut in 0..stream.len() {
        let result = e.import_aof(&stream[..cut]);
        if boundaries.contains(&cut) {
            // Between commands a cut is just a shorter stream (there is no
            // end marker, in Redis either).
            assert!(result.is_ok(), "cut at {cut}");
            e = guarded(&OBSERVE).0;
        } else {
            let start = boundaries.iter().rev().find(|&&b| b < cut).copied();
            assert_eq!(
                result,
                Err(AofError::Truncated {
                    offset: start.unwrap_or(0)
                }),
                "cut at {cut}"
            );
        }
    }
    assert_same(&before, &facts(&mut e, &OBSERVE));

    let set = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    let cases: Vec<(String, AofError)> = vec![
        (
            format!("{set}SET a b\r\n"),
            AofError::Format {
                offset: set.len(),
                reason: "expected '*' (a multibulk command)".into(),
            },
        ),
        (
            format!("{set}*1\r\n$7\r\nNOTACMD\r\n"),
            AofError::UnknownCommand {
                offset: set.len(),
                name: "NOTACMD".into(),
            },
        ),
        (
            "*0\r\n".into(),
            AofError::Format {
                offset: 0,
                reason: "a command without arguments".into(),
            },
        ),
        (
            "*1\r\n+3\r\nSET\r\n".into(),
            AofError::Format {
                offset: 0,
                reason: "Protocol error: expected '$', got '+'".into(),
            },
        ),
        (
            "*x\r\n".into(),
            AofError::Format {
                offset: 0,
                reason: "Protocol error: invalid multibulk length".into(),
            },
        ),
        (
            "*1\r\n$-5\r\nSET\r\n".into(),
            AofError::Format {
                offset: 0,
                reason: "Protocol error: invalid bulk length".into(),
            },
        ),
        (
            format!("{set}*1\r\n$5\r\nMULTI\r\n{set}"),
            AofError::UnfinishedMulti { offset: set.len() },
        ),
        ("REDIS0010\u{fa}".into(), AofError::RdbPreamble),
        (
            "\r\n".into(),
            AofError::Format {
                offset: 0,
                reason: "expected '*' (a multibulk command)".into(),
            },
        ),
    ];
    for (stream, expected) in cases {
        assert_eq!(e.import_aof(stream.as_bytes()), Err(expected), "{stream:?}");
    }
    assert_same(&before, &facts(&mut e, &OBSERVE));
    // Errors read as sentences.
    let err = e.import_aof(b"*1\r\n$3\r\nSE").unwrap_err();
    assert_eq!(
        err.to_string(),
        "AOF is truncated: the command at byte 0 is cut off"
    );
}

/// A small xorshift generator, so the noise is the same on every run.
fn noise(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn random_damage_never_panics() {
    let mut s = Session::at(NOW);
    populate(&mut s);
    let stream = s.engine.export_aof();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut e = fresh();
    for round in 0..300 {
        let mut bad = stream.clone();
        match round % 3 {
            0 => {
                for _ in 0..1 + noise(&mut seed) % 8 {
                    let at = (noise(&mut seed) % bad.len() as u64) as usize;
                    bad[at] ^= 1 << (noise(&mut seed) % 8);
                }
            }
            1 => {
                let at = (noise(&mut seed) % bad.len() as u64) as usize;
                let len = (noise(&mut seed) % 64) as usize;
                bad.drain(at..(at + len).min(bad.len()));
            }
            _ => {
                bad = (0..1 + noise(&mut seed) % 400)
                    .map(|_| match noise(&mut seed) % 6 {
                        0 => b'*',
                        1 => b'$',
                        2 => b'\r',
                        3 => b'\n',
                        4 => b'0' + (noise(&mut seed) % 10) as u8,
                        _ => noise(&mut seed) as u8,
                    })
                    .collect();
            }
        }
        let _ = e.import_aof(&bad);
    }
}

#[test]
fn a_pending_entry_whose_message_was_deleted_is_dropped_as_in_redis_7_0() {
    // Redis 7.0's XCLAIM ... FORCE does not create a pending entry for a
    // deleted message, so a rewrite loses it; so does ours.
    let mut s = Session::at(NOW);
    s.run("XADD st 1-1 a 1");
    s.run("XADD st 2-1 b 2");
    s.run("XGROUP CREATE st g 0");
    s.run("XREADGROUP GROUP g c COUNT 2 STREAMS st >");
    s.run("XDEL st 1-1");
    assert_eq!(
        s.run("XPENDING st g").lines().next(),
        Some("1) (integer) 2")
    );
    let mut other = fresh();
    other.import_aof(&s.engine.export_aof()).expect("imports");
    let c = other.connect();
    let pending = line(&mut other, c, "XPENDING st g - + 10");
    assert_eq!(
        pending,
        "1) 1) \"2-1\"\n   2) \"c\"\n   3) (integer) 0\n   4) (integer) 1"
    );
}

#[test]
fn hash_field_ttls_are_written_as_redis_7_4_rewrites_them() {
    // The stream Redis 7.4.1's BGREWRITEAOF wrote for these commands
    // (recorded by hand from the 7.4 oracle): a field at a time, TTL'd
    // fields first, equal TTLs newest first.
    let mut s = Session::at(NOW);
    s.run("HSET h a 1 b 2 c 3 d 4");
    s.run("HPEXPIREAT h 4102444800000 FIELDS 1 b");
    s.run("HPEXPIREAT h 4102444900000 FIELDS 1 d");
    s.run("HSET h2 x 1 y 2");
    s.run("HPEXPIREAT h2 4102444800000 FIELDS 2 x y");
    let redis = "*2 $6 SELECT $1 0 \
        *4 $5 HMSET $1 h $1 b $1 2 \
        *6 $10 HPEXPIREAT $1 h $13 4102444800000 $6 FIELDS $1 1 $1 b \
        *4 $5 HMSET $1 h $1 d $1 4 \
        *6 $10 HPEXPIREAT $1 h $13 4102444900000 $6 FIELDS $1 1 $1 d \
        *4 $5 HMSET $1 h $1 a $1 1 \
        *4 $5 HMSET $1 h $1 c $1 3 \
        *4 $5 HMSET $2 h2 $1 y $1 2 \
        *6 $10 HPEXPIREAT $2 h2 $13 4102444800000 $6 FIELDS $1 1 $1 y \
        *4 $5 HMSET $2 h2 $1 x $1 1 \
        *6 $10 HPEXPIREAT $2 h2 $13 4102444800000 $6 FIELDS $1 1 $1 x ";
    let ours = String::from_utf8(s.engine.export_aof()).expect("text");
    assert_eq!(ours.replace("\r\n", " "), redis);
}
