//! What the console needs from the browser besides the page and storage:
//! `performance.now()`, which times commands for SLOWLOG and LATENCY.

use wasm_bindgen::prelude::*;

use crate::state::session::Session;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Gives a console session's engine the page's microsecond clock.
pub fn attach(session: &mut Session) {
    session.set_timer(micros);
}

fn micros() -> u64 {
    (performance_now() * 1000.0) as u64
}
