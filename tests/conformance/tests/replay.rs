//! Replays every script of the corpus against the engine and compares each
//! reply, byte for byte in RESP, with what real Redis answered.

use std::time::{SystemTime, UNIX_EPOCH};

use redsim_conformance::{
    escape, mask_prose, parse_script, parse_whole, read_expected, scripts, sort_arrays, Check, Step,
};
use redsim_engine::resp::encode;
use redsim_engine::{Config, Engine};

fn wall_clock_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[test]
fn engine_matches_recorded_redis_replies() {
    let paths = scripts().expect("read the cases folder");
    assert!(!paths.is_empty(), "the corpus is empty");
    let mut compared = 0;
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

        // Like the recorder: a fresh server and connection per script.
        let mut engine = Engine::new(Config {
            now_ms: wall_clock_ms(),
            ..Config::default()
        });
        let client = engine.connect();
        for step in steps {
            let (line, argv, check) = match step {
                Step::Sleep(ms) => {
                    let now = engine.now() + i64::try_from(ms).unwrap_or(0);
                    engine.tick(now);
                    continue;
                }
                Step::Command { line, argv, check } => (line, argv, check),
            };
            let Some((recorded_line, want)) = expected.next() else {
                panic!("{name}: recording is shorter than the script; run `cargo xtask record`");
            };
            assert_eq!(
                line, recorded_line,
                "{name}: recording is stale; run `cargo xtask record`"
            );
            let mut got = Vec::new();
            encode(
                &engine.execute(client, &argv),
                engine.protocol(client),
                &mut got,
            );
            let same = match check {
                Check::Skip => continue,
                Check::Exact => got == want,
                Check::Docs => {
                    let mask = |b: &[u8]| parse_whole(b).map(mask_prose);
                    mask(&got).is_some() && mask(&got) == mask(&want)
                }
                Check::Sorted => {
                    let sorted = |b: &[u8]| parse_whole(b).map(sort_arrays);
                    sorted(&got).is_some() && sorted(&got) == sorted(&want)
                }
            };
            compared += 1;
            if !same {
                failures.push(format!(
                    "{name}: {line}\n   redis: {}\n  redsim: {}",
                    escape(&want),
                    escape(&got)
                ));
            }
        }
        assert!(
            expected.next().is_none(),
            "{name}: recording is longer than the script"
        );
    }
    println!(
        "conformance: {compared} replies compared, {} differ",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} replies differ from Redis:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
