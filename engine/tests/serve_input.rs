//! `Engine::serve_input`, the RESP reading both servers share: pipelined
//! requests run in order, a partial one waits, a blocked client's later
//! requests wait, and a protocol error is answered and ends the reading.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::resp::RequestLimits;
use redsim_engine::{Config, Engine, Reply, Served};

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

/// Runs `setup` (client index, command line) through `execute_line`,
/// then `pipeline` for client 0: in one `serve_input` call if `batched`,
/// else through `execute`, as the reference, until the client blocks or
/// closes. Every client's output in RESP, what client 0 was sent first.
fn scenario(setup: &[(usize, &str)], pipeline: &[&str], batched: bool) -> Vec<String> {
    let mut e = Engine::new(Config::default());
    let clients: Vec<u64> = (0..3).map(|_| e.connect()).collect();
    let mut outputs = vec![Vec::new(); clients.len()];
    let collect = |e: &mut Engine, outputs: &mut Vec<Vec<u8>>| {
        for (id, out) in clients.iter().zip(outputs.iter_mut()) {
            for frame in e.take_output(*id) {
                redsim_engine::resp::encode(&frame, e.protocol(*id), out);
            }
        }
    };
    for &(who, line) in setup {
        let id = clients[who];
        let reply = e.execute_line(id, line).expect("a command line");
        assert!(!matches!(reply, Reply::Error(_)), "{line}: {reply:?}");
        redsim_engine::resp::encode(&reply, e.protocol(id), &mut outputs[who]);
        collect(&mut e, &mut outputs);
    }
    let me = clients[0];
    if batched {
        let input: String = pipeline.iter().map(|l| format!("{l}\r\n")).collect();
        e.serve_input(
            me,
            input.as_bytes(),
            &RequestLimits::default(),
            &mut outputs[0],
        );
    } else {
        for line in pipeline {
            if e.is_blocked(me) || e.should_close(me) {
                break;
            }
            let reply = e.execute_line(me, line).expect("a command line");
            if !e.output_dropped(me) {
                redsim_engine::resp::encode(&reply, e.protocol(me), &mut outputs[0]);
            }
        }
    }
    collect(&mut e, &mut outputs);
    outputs
        .iter()
        .map(|o| String::from_utf8_lossy(o).into_owned())
        .collect()
}

/// Command lines other clients (by index) run first, then client 0's
/// pipeline.
type Case<'a> = (&'a [(usize, &'a str)], &'a [&'a str]);

#[test]
fn a_pipeline_answers_as_its_requests_sent_one_by_one() {
    // Each case has work after a command that reaches other clients or
    // the one running (served BLPOPs, pub/sub, BCAST invalidations, a
    // pause, an output limit), which `serve_input` must do between the
    // commands of a batch as `execute` does after each.
    let cases: &[Case] = &[
        (
            &[(1, "BLPOP q 0"), (2, "BLPOP q 0")],
            &["LPUSH q a", "LPUSH q b c", "LLEN q", "PING"],
        ),
        (
            &[(1, "SUBSCRIBE ch"), (0, "HELLO 3"), (0, "SUBSCRIBE ch")],
            &["PUBLISH ch one", "PING", "PUBLISH ch two"],
        ),
        (
            &[(0, "HELLO 3"), (0, "CLIENT TRACKING ON BCAST PREFIX k")],
            &["SET k1 a", "SET k2 b", "GET k1", "SET other c"],
        ),
        (
            &[(0, "HELLO 3"), (0, "CLIENT TRACKING ON"), (1, "SET k v")],
            &["GET k", "SET k w", "GET k"],
        ),
        (
            &[(2, "CLIENT PAUSE 100000 WRITE")],
            &["GET k", "SET k v", "PING"],
        ),
        (
            &[(
                0,
                "CONFIG SET client-output-buffer-limit \"normal 20000 0 0\"",
            )],
            &[
                "SET big xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "APPEND big x",
                "GET big",
                "SETRANGE big 40000 x",
                "GET big",
                "PING",
            ],
        ),
        (
            &[(1, "WATCH k"), (1, "MULTI"), (1, "SET k from-1")],
            &["SET k from-0", "PING"],
        ),
    ];
    for (setup, pipeline) in cases {
        let one_by_one = scenario(setup, pipeline, false);
        let batched = scenario(setup, pipeline, true);
        assert!(one_by_one.iter().any(|o| !o.is_empty()), "{pipeline:?}");
        assert_eq!(batched, one_by_one, "{pipeline:?}");
    }
}

/// A request as clients send it: an array of bulk strings.
fn multibulk(args: &[&[u8]]) -> Vec<u8> {
    let request = Reply::Array(args.iter().map(|a| Reply::Bulk(a.to_vec())).collect());
    let mut out = Vec::new();
    redsim_engine::resp::encode(&request, redsim_engine::resp::Protocol::Resp2, &mut out);
    out
}

/// Bytes arriving a few at a time, the unconsumed ones kept and the next
/// appended (as both servers feed `serve_input`), are answered as the
/// same bytes all at once, wherever the reads cut the requests: a request
/// read partly is taken up where its reading stopped.
#[test]
fn requests_cut_anywhere_across_reads_answer_as_whole() {
    let elements: Vec<Vec<u8>> = (0..300).map(|i| format!("e{i}").into_bytes()).collect();
    let mut rpush: Vec<&[u8]> = vec![b"RPUSH", b"l"];
    rpush.extend(elements.iter().map(Vec::as_slice));
    let mut stream = multibulk(&rpush);
    stream.extend_from_slice(&multibulk(&[b"SET", b"k", b""]));
    stream.extend_from_slice(b"PING\r\n");
    stream.extend_from_slice(&multibulk(&[b"LRANGE", b"l", b"-3", b"-1"]));
    stream.extend_from_slice(&multibulk(&[b"STRLEN", b"k"]));
    let limits = RequestLimits::default();
    let answer = |piece: usize| {
        let mut e = Engine::new(Config::default());
        let c = e.connect();
        let (mut input, mut out) = (Vec::new(), Vec::new());
        for read in stream.chunks(piece) {
            input.extend_from_slice(read);
            let served = e.serve_input(c, &input, &limits, &mut out);
            assert!(!served.protocol_error);
            input.drain(..served.consumed);
        }
        assert!(input.is_empty(), "{} bytes left over", input.len());
        out
    };
    let whole = answer(stream.len());
    assert_eq!(
        whole,
        b":300\r\n+OK\r\n+PONG\r\n*3\r\n$4\r\ne297\r\n$4\r\ne298\r\n$4\r\ne299\r\n:0\r\n"
    );
    for piece in [1, 2, 3, 7, 16, 100, 1000] {
        assert_eq!(answer(piece), whole, "reads of {piece} bytes");
    }
}
