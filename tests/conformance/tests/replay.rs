//! Replays every script of the corpus against the engine and compares what
//! each client received, byte for byte in RESP, with what real Redis sent.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use redsim_conformance::{parse_script, read_expected, scripts, Record, Step, DEFAULT_CLIENT};
use redsim_engine::resp::encode;
use redsim_engine::{ClientId, Config, Engine, Reply};

fn wall_clock_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Each frame in RESP as `client` (whose protocol may have changed) reads it.
fn encoded(engine: &Engine, client: ClientId, frames: Vec<Reply>) -> Vec<Vec<u8>> {
    frames
        .into_iter()
        .map(|frame| {
            let mut bytes = Vec::new();
            encode(&frame, engine.protocol(client), &mut bytes);
            bytes
        })
        .collect()
}

#[test]
fn engine_matches_recorded_redis_replies() {
    let paths = scripts().expect("read the cases folder");
    assert!(!paths.is_empty(), "the corpus is empty");
    let (mut compared, mut frames) = (0, 0);
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.display().to_string();
        let script = std::fs::read_to_string(path).expect("read script");
        let steps = parse_script(&name, &script).unwrap_or_else(|e| panic!("{e}"));
        let expected_path = path.with_extension("expected");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{name} has no recording: run `cargo xtask record`"));
        let expected = read_expected(&expected).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut expected = expected.into_iter();

        // Like the recorder: a fresh server per script, and a connection
        // per client name, opened when the name is first used.
        let mut engine = Engine::new(Config {
            now_ms: wall_clock_ms(),
            ..Config::default()
        });
        let mut clients: BTreeMap<String, ClientId> = BTreeMap::new();
        for step in steps {
            let (client, line, argv, check) = match step {
                Step::Sleep(ms) => {
                    let now = engine.now() + i64::try_from(ms).unwrap_or(0);
                    engine.tick(now);
                    continue;
                }
                Step::Command {
                    client,
                    line,
                    argv,
                    check,
                } => (client, line, argv, check),
            };
            let Some(want) = expected.next() else {
                panic!("{name}: recording is shorter than the script; run `cargo xtask record`");
            };
            assert_eq!(
                (&client, &line),
                (&want.client, &want.line),
                "{name}: recording is stale; run `cargo xtask record`"
            );
            let id = *clients
                .entry(client.clone())
                .or_insert_with(|| engine.connect());
            let reply = engine.execute(id, &argv);
            let own = encoded(&engine, id, reply.into_frames());
            let mut others = Vec::new();
            for (other, &other_id) in &clients {
                if *other != client {
                    let output = engine.take_output(other_id);
                    for frame in encoded(&engine, other_id, output) {
                        others.push((other.clone(), frame));
                    }
                }
            }
            // As the recorder does, a connection the server closed (QUIT)
            // is opened anew if its name is used again.
            clients.retain(|_, &mut id| {
                let open = !engine.should_close(id);
                if !open {
                    engine.disconnect(id);
                }
                open
            });
            let got = Record {
                client,
                line,
                own,
                others,
            };
            compared += 1;
            frames += want.own.len() + want.others.len();
            if !want.matches(&got, check) {
                let tag = if got.client == DEFAULT_CLIENT {
                    String::new()
                } else {
                    format!("[{}] ", got.client)
                };
                failures.push(format!(
                    "{name}: {tag}{}\n   redis: {}\n  redsim: {}",
                    got.line,
                    want.describe(),
                    got.describe()
                ));
            }
        }
        assert!(
            expected.next().is_none(),
            "{name}: recording is longer than the script"
        );
    }
    println!(
        "conformance: {compared} lines ({frames} frames) compared, {} differ",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} replies differ from Redis:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
