//! Seeded random input against everything that parses or dispatches: the
//! engine must answer (possibly with an error), never panic. A cheap,
//! always-on complement to coverage-guided fuzzing.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::line::split_args;
use redsim_engine::resp::{parse_reply, parse_request, RequestLimits};
use redsim_engine::rng::Rng;
use redsim_engine::{Config, Engine, Reply};

/// Bytes biased towards RESP's own alphabet so the parsers go deep.
fn random_resp(rng: &mut Rng) -> Vec<u8> {
    const ALPHABET: &[u8] = b"*$+-:_,#(!=%~>|\r\n0123456789-abc \"'\\x";
    let len = rng.below(64);
    (0..len)
        .map(|_| {
            if rng.below(4) == 0 {
                rng.next_u64() as u8
            } else {
                ALPHABET[rng.below(ALPHABET.len())]
            }
        })
        .collect()
}

#[test]
fn parsers_never_panic_on_random_bytes() {
    let mut rng = Rng::new(7);
    let limits = RequestLimits { max_bulk_len: 1024 };
    for _ in 0..20_000 {
        let bytes = random_resp(&mut rng);
        let _ = parse_request(&bytes, &limits);
        let _ = parse_reply(&bytes);
        let _ = split_args(&bytes);
    }
}

/// Words the commands know, so random argument vectors reach deep paths.
const WORDS: &[&str] = &[
    "SET",
    "GET",
    "DEL",
    "EXISTS",
    "EXPIRE",
    "PEXPIRE",
    "TTL",
    "PTTL",
    "PERSIST",
    "TYPE",
    "DBSIZE",
    "FLUSHDB",
    "FLUSHALL",
    "SELECT",
    "PING",
    "ECHO",
    "HELLO",
    "COMMAND",
    "LPUSH",
    "RPUSH",
    "LLEN",
    "LRANGE",
    "INFO",
    "DOCS",
    "COUNT",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "NX",
    "XX",
    "GT",
    "LT",
    "GET",
    "KEEPTTL",
    "AUTH",
    "SETNAME",
    "ASYNC",
    "SYNC",
    "k",
    "l",
    "0",
    "1",
    "-1",
    "2",
    "3",
    "16",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "",
];

#[test]
fn random_commands_get_answers_not_panics() {
    let mut rng = Rng::new(11);
    let mut engine = Engine::new(Config::default());
    let client = engine.connect();
    for step in 0..50_000i64 {
        let argc = 1 + rng.below(6);
        let argv: Vec<Vec<u8>> = (0..argc)
            .map(|_| match rng.below(8) {
                0 => random_resp(&mut rng),
                _ => WORDS[rng.below(WORDS.len())].as_bytes().to_vec(),
            })
            .collect();
        let _ = engine.execute(client, &argv);
        if step % 100 == 0 {
            engine.tick(step * 10);
        }
    }
    // The engine still works after all that.
    let reply = engine.execute(client, &["PING"]);
    assert_eq!(reply, redsim_engine::Reply::Status("PONG".into()));
}

#[test]
fn huge_negative_random_counts_are_refused_not_allocated() {
    let mut engine = Engine::new(Config::default());
    let c = engine.connect();
    engine.execute(c, &["SADD", "s", "a"]);
    engine.execute(c, &["HSET", "h", "f", "v"]);
    engine.execute(c, &["ZADD", "z", "1", "m"]);
    for command in [
        &["SRANDMEMBER", "s", "-9223372036854775807"][..],
        &["HRANDFIELD", "h", "-9223372036854775807"],
        &["ZRANDMEMBER", "z", "-9223372036854775807"],
    ] {
        let reply = engine.execute(c, command);
        assert_eq!(
            reply,
            redsim_engine::Reply::Error("ERR value is out of range".into()),
            "{command:?}"
        );
    }
    // Reasonable repeats still work.
    let Reply::Array(items) = engine.execute(c, &["SRANDMEMBER", "s", "-5"]) else {
        panic!("array")
    };
    assert_eq!(items.len(), 5);
}
