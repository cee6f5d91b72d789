//! Arbitrary text as a Lua script through EVAL (the parser, compiler and
//! runtime of redsim-lua, and the engine's side of scripting): no input may
//! panic, hang past its budgets, or allocate without bound. A script that
//! runs on past busy-reply-threshold is killed, or, if it wrote and cannot
//! be, given a bounded number of ticks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redsim_engine::{Config, Engine};

fuzz_target!(|data: &[u8]| {
    let mut engine = Engine::new(Config::default());
    if engine
        .configure(&[("busy-reply-threshold", "5"), ("maxmemory", "64mb")])
        .is_err()
    {
        return;
    }
    let (caller, other) = (engine.connect(), engine.connect());
    let args: [&[u8]; 6] = [b"EVAL", data, b"2", b"k1", b"k2", b"arg"];
    engine.execute(caller, &args);
    if engine.is_blocked(caller) {
        engine.execute(other, &["SCRIPT", "KILL"]);
    }
    let mut now = 0;
    while engine.is_blocked(caller) && now < 20 {
        now += 1;
        engine.tick(now * 100);
    }
});
