//! The engine as a JavaScript class, for the npm package (`npm/`). Kept
//! thin: the ergonomic API (clocks, error classes, clients) is the TS/JS
//! wrapper's job; this crate only converts arguments and replies.

use js_sys::{Array, BigInt, Map, Uint8Array};
use redsim_engine::reply::cli;
use redsim_engine::{Config, Engine, Reply, BROWSER_MAXMEMORY};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct WasmEngine {
    engine: Engine,
}

#[wasm_bindgen]
impl WasmEngine {
    /// A new engine whose clock reads `now_ms` and whose RNG starts at
    /// `seed`, with `maxmemory` at the browser-safe default.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: u32, now_ms: f64) -> WasmEngine {
        let mut engine = Engine::new(Config {
            seed: u64::from(seed),
            now_ms: ms(now_ms),
            ..Config::default()
        });
        // A valid constant; an error here would leave the default (0).
        let _ = engine.configure(&[("maxmemory", BROWSER_MAXMEMORY)]);
        WasmEngine { engine }
    }

    /// Connects a new client and returns its id.
    pub fn connect(&mut self) -> u32 {
        u32::try_from(self.engine.connect()).unwrap_or(u32::MAX)
    }

    pub fn disconnect(&mut self, client: u32) {
        self.engine.disconnect(u64::from(client));
    }

    /// Runs one command given as an array of strings or Uint8Arrays; returns
    /// the reply as JS values (errors as `Error` objects, not thrown).
    pub fn command(&mut self, client: u32, args: Array) -> JsValue {
        let argv: Vec<Vec<u8>> = args.iter().map(|arg| arg_bytes(&arg)).collect();
        if argv.is_empty() {
            return js_sys::Error::new("ERR empty command").into();
        }
        to_js(self.engine.execute(u64::from(client), &argv))
    }

    /// Runs a redis-cli line and returns what redis-cli would print, without
    /// the final newline (or "Invalid argument(s)" for unbalanced quotes).
    #[wasm_bindgen(js_name = execLine)]
    pub fn exec_line(&mut self, client: u32, line: &str) -> String {
        cli::run_line(&mut self.engine, u64::from(client), line)
    }

    /// Moves the clock and runs active expiry.
    pub fn tick(&mut self, now_ms: f64) {
        self.engine.tick(ms(now_ms));
    }

    /// Moves the clock only.
    #[wasm_bindgen(js_name = setTime)]
    pub fn set_time(&mut self, now_ms: f64) {
        self.engine.set_time(ms(now_ms));
    }

    pub fn now(&self) -> f64 {
        self.engine.now() as f64
    }
}

/// JS numbers to whole milliseconds; NaN and infinities become 0 or the bounds.
fn ms(value: f64) -> i64 {
    value as i64
}

fn arg_bytes(arg: &JsValue) -> Vec<u8> {
    if let Some(s) = arg.as_string() {
        return s.into_bytes();
    }
    if arg.is_instance_of::<Uint8Array>() {
        return Uint8Array::new(arg).to_vec();
    }
    // Numbers and anything else are sent as their string form, as clients do.
    arg.as_f64()
        .map(|n| n.to_string())
        .unwrap_or_default()
        .into_bytes()
}

/// The largest integer a JS number holds exactly.
const MAX_SAFE: i64 = (1 << 53) - 1;

fn to_js(reply: Reply) -> JsValue {
    match reply {
        Reply::Status(s) => s.into(),
        Reply::Error(e) => js_sys::Error::new(&e).into(),
        Reply::Int(n) if (-MAX_SAFE..=MAX_SAFE).contains(&n) => (n as f64).into(),
        Reply::Int(n) => BigInt::from(n).into(),
        Reply::Bulk(bytes) | Reply::Verbatim(_, bytes) => {
            String::from_utf8_lossy(&bytes).into_owned().into()
        }
        Reply::Nil | Reply::NilArray => JsValue::NULL,
        // Several frames (SUBSCRIBE to several channels) arrive as a list.
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) | Reply::Frames(items) => {
            items.into_iter().map(to_js).collect::<Array>().into()
        }
        Reply::Map(pairs) => {
            let map = Map::new();
            for (k, v) in pairs {
                map.set(&to_js(k), &to_js(v));
            }
            map.into()
        }
        Reply::Double(d) => d.into(),
        Reply::DoubleText(text) => text.parse::<f64>().map_or_else(|_| text.into(), Into::into),
        Reply::Bool(b) => b.into(),
        Reply::BigNumber(digits) => {
            BigInt::new(&JsValue::from_str(&digits)).map_or_else(|_| digits.into(), Into::into)
        }
    }
}
