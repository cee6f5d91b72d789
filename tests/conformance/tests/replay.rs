//! Replays every script of the corpus against the engine and compares what
//! each client received, byte for byte in RESP, with what real Redis sent.
//! (On wasm32, `wasm_replay.rs` does the same from the corpus built in.)

#![cfg(not(target_arch = "wasm32"))]

use std::time::{SystemTime, UNIX_EPOCH};

use redsim_conformance::{replay, scripts};

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
    let (mut compared, mut frames) = (0, 0);
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.display().to_string();
        let script = std::fs::read_to_string(path).expect("read script");
        let expected = std::fs::read_to_string(path.with_extension("expected"))
            .unwrap_or_else(|_| panic!("{name} has no recording: run `cargo xtask record`"));
        let outcome =
            replay(&name, &script, &expected, wall_clock_ms()).unwrap_or_else(|e| panic!("{e}"));
        compared += outcome.lines;
        frames += outcome.frames;
        failures.extend(outcome.failures);
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
