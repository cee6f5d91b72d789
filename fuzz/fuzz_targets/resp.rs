//! Arbitrary bytes into every parser that reads client or server input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redsim_engine::line::split_args;
use redsim_engine::resp::{parse_reply, parse_request, RequestLimits};

fuzz_target!(|data: &[u8]| {
    let limits = RequestLimits {
        max_bulk_len: 1 << 20,
    };
    let mut rest = data;
    // Parse a pipeline the way the server does, request after request.
    while let Ok(Some((_, used))) = parse_request(rest, &limits) {
        if used == 0 {
            break;
        }
        rest = &rest[used..];
    }
    let _ = parse_reply(data);
    let _ = split_args(data);
});
