//! Arbitrary bytes into the RDB loader and RESTORE. The first byte picks
//! how far the input gets: as-is (the checksum stops most of it), wrapped
//! as a file with a valid header and CRC so the parser sees it, or as a
//! DUMP payload with a valid footer. Whatever loads must write back out
//! and load again; whatever is refused must leave the data untouched.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redsim_engine::{crc64, Config, Engine, Reply};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut engine = Engine::new(Config {
        now_ms: 1_700_000_000_000,
        ..Config::default()
    });
    let client = engine.connect();
    engine.execute(client, &["SET", "guard", "1"]);
    match mode % 3 {
        0 => check_load(&mut engine, rest),
        1 => {
            // A file body after the header; the version comes from the mode.
            let version = 9 + u32::from(mode / 3 % 4);
            let mut file = format!("REDIS{version:04}").into_bytes();
            file.extend_from_slice(rest);
            let crc = crc64::update(0, &file);
            file.extend_from_slice(&crc.to_le_bytes());
            check_load(&mut engine, &file);
        }
        _ => {
            let mut payload = rest.to_vec();
            payload.extend_from_slice(&[10 + mode / 3 % 3, 0]);
            let crc = crc64::update(0, &payload);
            payload.extend_from_slice(&crc.to_le_bytes());
            let reply = engine.execute(client, &[b"RESTORE".as_slice(), b"k", b"0", &payload]);
            if reply == Reply::ok() {
                // What RESTORE accepted DUMPs and RESTOREs again.
                let Reply::Bulk(again) = engine.execute(client, &["DUMP", "k"]) else {
                    panic!("DUMP of a restored key failed");
                };
                let reply = engine.execute(client, &[b"RESTORE".as_slice(), b"k2", b"0", &again]);
                assert_eq!(reply, Reply::ok(), "a DUMP of ours was refused");
            } else {
                assert_eq!(engine.dbsize(0), 1);
            }
        }
    }
});

fn check_load(engine: &mut Engine, file: &[u8]) {
    match engine.load_snapshot(file) {
        Ok(()) => {
            let again = engine.snapshot();
            let mut other = Engine::new(Config {
                now_ms: 1_700_000_000_000,
                ..Config::default()
            });
            other
                .load_snapshot(&again)
                .expect("a snapshot of loaded data loads again");
        }
        Err(_) => assert_eq!(engine.dbsize(0), 1, "a refused file changed the data"),
    }
}
