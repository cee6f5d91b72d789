//! PING, ECHO, HELLO, and the errors dispatch gives before any handler runs.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::resp::{encode, Protocol};
use redsim_engine::Reply;
use support::Session;

#[test]
fn ping_and_echo() {
    let mut s = Session::new();
    assert_eq!(s.run("PING"), "PONG");
    assert_eq!(s.run("ping \"hi there\""), "\"hi there\"");
    assert_eq!(
        s.run("PING a b"),
        "(error) ERR wrong number of arguments for 'ping' command"
    );
    assert_eq!(s.run("ECHO \"\\x00\\xff\""), "\"\\x00\\xff\"");
    assert_eq!(
        s.run("ECHO"),
        "(error) ERR wrong number of arguments for 'echo' command"
    );
}

#[test]
fn unknown_commands_quote_their_arguments() {
    let mut s = Session::new();
    assert_eq!(
        s.run("FOO"),
        "(error) ERR unknown command 'FOO', with args beginning with: "
    );
    assert_eq!(
        s.run("foo a \"b c\""),
        "(error) ERR unknown command 'foo', with args beginning with: 'a' 'b c' "
    );
    let long = "x".repeat(200);
    let reply = s.run(&format!("nope {long} more"));
    assert_eq!(
        reply,
        format!(
            "(error) ERR unknown command 'nope', with args beginning with: '{}' ",
            "x".repeat(128)
        )
    );
    assert_eq!(
        s.run("nope \"a\\r\\nb\""),
        "(error) ERR unknown command 'nope', with args beginning with: 'a  b' ",
        "CR/LF never break the error line"
    );
}

#[test]
fn arity_is_checked_from_the_table() {
    let mut s = Session::new();
    assert_eq!(
        s.run("GET"),
        "(error) ERR wrong number of arguments for 'get' command"
    );
    assert_eq!(
        s.run("GET a b"),
        "(error) ERR wrong number of arguments for 'get' command"
    );
    assert_eq!(
        s.run("SET k"),
        "(error) ERR wrong number of arguments for 'set' command"
    );
    assert_eq!(s.run("gEt k"), "(nil)", "names are case-insensitive");
}

#[test]
fn hello_switches_protocol_and_describes_server() {
    let mut s = Session::new();
    let reply = s.reply("HELLO 3 SETNAME web");
    let Reply::Map(fields) = &reply else {
        panic!("HELLO must answer a map: {reply:?}")
    };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == Reply::bulk(name.as_bytes()))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("server"), Some(Reply::bulk(b"redis")));
    assert_eq!(get("proto"), Some(Reply::Int(3)));
    assert_eq!(get("id"), Some(Reply::Int(1)));
    assert_eq!(s.engine.protocol(s.client), Protocol::Resp3);
    // A RESP3 client gets RESP3 nulls; RESP2 the null bulk.
    let mut bytes = Vec::new();
    encode(
        &s.reply("GET nosuch"),
        s.engine.protocol(s.client),
        &mut bytes,
    );
    assert_eq!(bytes, b"_\r\n");
    s.run("HELLO 2");
    assert_eq!(s.engine.protocol(s.client), Protocol::Resp2);
    assert_eq!(
        s.run("HELLO 4"),
        "(error) NOPROTO unsupported protocol version"
    );
    assert_eq!(
        s.run("HELLO x"),
        "(error) ERR Protocol version is not an integer or out of range"
    );
    assert_eq!(
        s.run("HELLO 3 FOO"),
        "(error) ERR Syntax error in HELLO option 'FOO'"
    );
    assert_eq!(
        s.run("HELLO 3 AUTH default"),
        "(error) ERR Syntax error in HELLO option 'AUTH'"
    );
    assert_eq!(
        s.run("HELLO 3 AUTH bob pw"),
        "(error) WRONGPASS invalid username-password pair or user is disabled."
    );
    assert_eq!(
        s.engine.protocol(s.client),
        Protocol::Resp2,
        "failed HELLO keeps RESP2"
    );
    assert_eq!(
        s.run("HELLO 3 SETNAME \"a b\""),
        "(error) ERR Client names cannot contain spaces, newlines or special characters."
    );
    assert!(s
        .run("HELLO 3 AUTH default anything")
        .contains("\"proto\" => (integer) 3"));
}

#[test]
fn lines_that_do_not_split_are_reported() {
    let mut s = Session::new();
    assert_eq!(
        s.engine.execute_line(s.client, "SET k \"oops"),
        Err(redsim_engine::LineError::InvalidArguments)
    );
    assert_eq!(
        s.engine.execute_line(s.client, "   "),
        Err(redsim_engine::LineError::Empty)
    );
}
