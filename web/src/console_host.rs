//! What the console needs from the browser besides the page: localStorage
//! for the command history (one history for all panes, as redis-cli keeps
//! `~/.rediscli_history`), and `performance.now()` to time commands for
//! SLOWLOG. Without storage (private mode, full) the history lives on in
//! memory for the visit.

use wasm_bindgen::prelude::*;

use crate::state::playground::Playground;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = localStorage, js_name = getItem)]
    fn get_item(key: &str) -> Result<Option<String>, JsValue>;
    #[wasm_bindgen(catch, js_namespace = localStorage, js_name = setItem)]
    fn set_item(key: &str, value: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

const HISTORY_KEY: &str = "redsim:history";

/// Loads the saved history into the playground and gives its engine the
/// page's microsecond clock.
pub fn attach(playground: &mut Playground) {
    if let Ok(Some(text)) = get_item(HISTORY_KEY) {
        playground.load_history(&text);
    }
    playground.set_timer(micros);
}

/// Saves the history (after a line ran).
pub fn save_history(playground: &Playground) {
    // Unavailable storage only means the history is not kept.
    let _ = set_item(HISTORY_KEY, &playground.history.to_text());
}

fn micros() -> u64 {
    (performance_now() * 1000.0) as u64
}
