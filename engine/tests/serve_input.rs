//! `Engine::serve_input`, the RESP reading both servers share: pipelined
//! requests run in order, a partial one waits, a blocked client's later
//! requests wait, and a protocol error is answered and ends the reading.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::resp::RequestLimits;
use redsim_engine::{Config, Engine, Served};

#[test]
fn runs_whole_requests_and_leaves_the_rest() {
    let mut e = Engine::new(Config::default());
    let c = e.connect();
    let limits = RequestLimits::default();
    let mut out = Vec::new();
    let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\n*2\r\n$3\r\nGET\r\n$1";
    let served = e.serve_input(c, input, &limits, &mut out);
    assert_eq!(out, b"+OK\r\n$1\r\nv\r\n");
    // The partial third request is left for more bytes.
    assert_eq!(
        served,
        Served {
            consumed: input.len() - b"*2\r\n$3\r\nGET\r\n$1".len(),
            protocol_error: false
        }
    );

    // A client that blocks stops there; what it pipelined waits.
    let mut out = Vec::new();
    let input = b"BLPOP q 0\r\nPING\r\n";
    let served = e.serve_input(c, input, &limits, &mut out);
    assert!(out.is_empty());
    assert_eq!(served.consumed, b"BLPOP q 0\r\n".len());
    assert!(e.is_blocked(c));

    // A protocol error is answered as Redis does, and reading ends.
    let other = e.connect();
    let mut out = Vec::new();
    let served = e.serve_input(other, b"PING\r\n*1\r\nX\r\nPING\r\n", &limits, &mut out);
    assert_eq!(
        out,
        b"+PONG\r\n-ERR Protocol error: expected '$', got 'X'\r\n"
    );
    assert!(served.protocol_error);
}
