//! COMMAND, COMMAND COUNT/INFO/DOCS: shapes and the table they describe.
//! Byte-exact agreement with Redis is checked by the conformance corpus.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::Reply;
use support::Session;

#[test]
fn count_matches_the_table_and_the_full_listing() {
    let mut s = Session::new();
    let count = s.engine.commands().len();
    assert_eq!(
        s.reply("COMMAND COUNT"),
        Reply::Int(i64::try_from(count).unwrap())
    );
    let Reply::Array(all) = s.reply("COMMAND") else {
        panic!("COMMAND lists an array")
    };
    assert_eq!(all.len(), count);
    let Reply::Array(info_all) = s.reply("COMMAND INFO") else {
        panic!("array")
    };
    assert_eq!(info_all.len(), count);
}

#[test]
fn info_describes_get_and_nil_for_unknown() {
    let mut s = Session::new();
    let text = s.run("COMMAND INFO get nosuch");
    assert!(
        text.starts_with(
            "1)  1) \"get\"\n    2) (integer) 2\n    3) 1) readonly\n       2) fast\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("2) (nil)"), "{text}");
    let sub = s.run("COMMAND INFO command|count");
    assert!(sub.contains("\"command|count\""), "{sub}");
}

#[test]
fn docs_describe_arguments_and_subcommands() {
    let mut s = Session::new();
    s.run("HELLO 3");
    let text = s.run("COMMAND DOCS set");
    assert!(text.contains("\"name\" => \"expiration\""), "{text}");
    assert!(text.contains("\"token\" => \"PXAT\""), "{text}");
    let text = s.run("COMMAND DOCS command");
    assert!(text.contains("\"command|docs\" =>"), "{text}");
    assert_eq!(s.run("COMMAND DOCS nosuch"), "(empty hash)");
}

#[test]
fn container_errors() {
    let mut s = Session::new();
    assert_eq!(
        s.run("COMMAND FOO"),
        "(error) ERR unknown subcommand 'FOO'. Try COMMAND HELP."
    );
    assert_eq!(
        s.run("command count extra"),
        "(error) ERR wrong number of arguments for 'command|count' command"
    );
}
