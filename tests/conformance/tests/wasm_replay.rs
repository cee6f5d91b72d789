//! The whole corpus replayed by the engine compiled to wasm32 (run in Node
//! by `cargo xtask test`): the browser build must send Redis's bytes too,
//! floating-point maths (GEO distances, INCRBYFLOAT) included.

#![cfg(target_arch = "wasm32")]

use redsim_conformance::replay;
use wasm_bindgen_test::wasm_bindgen_test;

include!(concat!(env!("OUT_DIR"), "/corpus.rs"));

#[wasm_bindgen_test]
fn wasm_engine_matches_recorded_redis_replies() {
    let now_ms = js_sys::Date::now() as i64;
    let (mut compared, mut failures) = (0, Vec::new());
    for (name, script, expected) in CORPUS {
        let outcome = replay(name, script, expected, now_ms).unwrap_or_else(|e| panic!("{e}"));
        compared += outcome.lines;
        failures.extend(outcome.failures);
    }
    assert!(compared > 0, "the corpus is empty");
    assert!(
        failures.is_empty(),
        "{} of {compared} replies differ from Redis on wasm32:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
