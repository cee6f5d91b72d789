//! What a host sees of keys from outside (the playground's key browser and
//! visualizers): summaries, contents and the change feed, none of which
//! counts as an access or shows in the statistics.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::changes::Change;
use redsim_engine::inspect::Contents;
use support::{engine, line};

#[test]
fn summaries_and_contents_do_not_touch_the_keys() {
    let mut e = engine();
    let c = e.connect();
    line(&mut e, c, "SET s hello EX 100");
    line(&mut e, c, "RPUSH l a b c");
    line(&mut e, c, "HSET h f v g w");
    line(&mut e, c, "ZADD z 2 two 1 one 3 three");
    line(&mut e, c, "XADD x 1-1 a 1");
    line(&mut e, c, "XGROUP CREATE x g 0");
    line(&mut e, c, "XREADGROUP GROUP g alice STREAMS x >");
    line(&mut e, c, "CONFIG RESETSTAT");
    e.set_time(e.now() + 10_000);

    let s = e.key_summary(0, b"s").expect("exists");
    assert_eq!(
        (s.kind, s.encoding, s.len, s.ttl_ms),
        ("string", "embstr", 5, Some(90_000))
    );
    assert_eq!(
        s.memory.to_string(),
        line(&mut e, c, "MEMORY USAGE s").trim_start_matches("(integer) ")
    );
    assert_eq!(
        e.key_contents(0, b"l", 2),
        Some(Contents::List(vec![b"a".to_vec(), b"b".to_vec()]))
    );
    assert_eq!(
        e.key_contents(0, b"z", 10),
        Some(Contents::ZSet(vec![
            (b"one".to_vec(), 1.0),
            (b"two".to_vec(), 2.0),
            (b"three".to_vec(), 3.0)
        ]))
    );
    let Some(Contents::Stream(x)) = e.key_contents(0, b"x", 10) else {
        panic!("a stream")
    };
    assert_eq!(
        x.entries,
        [("1-1".to_string(), vec![(b"a".to_vec(), b"1".to_vec())])]
    );
    assert_eq!(
        x.groups[0].pending,
        [("1-1".to_string(), b"alice".to_vec(), 1)]
    );
    assert_eq!(e.key_summary(0, b"nosuch"), None);
    // Nothing counted, nothing touched.
    let stats = line(&mut e, c, "INFO stats");
    assert!(stats.contains("keyspace_hits:0"), "{stats}");
    assert!(stats.contains("keyspace_misses:0"), "{stats}");
    assert_eq!(line(&mut e, c, "OBJECT IDLETIME l"), "(integer) 10");
    // A key past its TTL is absent before expiry reclaims it.
    e.set_time(e.now() + 200_000);
    assert_eq!(e.key_summary(0, b"s"), None);
}

#[test]
fn the_change_feed_names_changed_keys_and_flushed_databases() {
    let mut e = engine();
    let c = e.connect();
    line(&mut e, c, "SET before-watching 1");
    assert!(e.take_changes().is_empty(), "off until asked for");
    e.watch_changes();
    line(&mut e, c, "SET a 1");
    line(&mut e, c, "GET a");
    line(&mut e, c, "RPUSH l x");
    line(&mut e, c, "SET t 1 PX 10");
    assert_eq!(
        e.take_changes(),
        [
            Change::Key {
                db: 0,
                key: b"a".to_vec()
            },
            Change::Key {
                db: 0,
                key: b"l".to_vec()
            },
            Change::Key {
                db: 0,
                key: b"t".to_vec()
            },
        ]
    );
    // Expiry is a change too.
    let now = e.now();
    e.tick(now + 1_000);
    assert_eq!(
        e.take_changes(),
        [Change::Key {
            db: 0,
            key: b"t".to_vec()
        }]
    );
    line(&mut e, c, "SELECT 3");
    line(&mut e, c, "SET b 2");
    line(&mut e, c, "FLUSHDB");
    assert_eq!(e.take_changes(), [Change::Db(3)]);
    let (keys, cursor) = e.scan_keys(0, 0, 100);
    let mut keys: Vec<String> = keys
        .iter()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    keys.sort();
    assert_eq!(
        (keys, cursor),
        (
            vec!["a".to_string(), "before-watching".into(), "l".into()],
            0
        )
    );
}

#[test]
fn server_stats_agree_with_info_and_count_nothing() {
    let mut e = engine();
    let c = e.connect();
    let _other = e.connect();
    line(&mut e, c, "CONFIG SET maxmemory 10mb");
    line(&mut e, c, "SET a 1");
    line(&mut e, c, "GET a");
    line(&mut e, c, "GET nosuch");
    line(&mut e, c, "SET t 1 PX 10");
    let now = e.now();
    e.tick(now + 1_000);
    let before = e.server_stats();
    let again = e.server_stats();
    assert_eq!(before, again, "reading the figures changes none of them");
    let info = line(&mut e, c, "INFO");
    let field = |name: &str| -> String {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(before.used_memory.to_string(), field("used_memory"));
    assert_eq!(before.maxmemory, 10 * 1024 * 1024);
    assert_eq!(before.maxmemory.to_string(), field("maxmemory"));
    assert_eq!(
        (
            before.keyspace_hits,
            before.keyspace_misses,
            before.expired_keys
        ),
        (1, 1, 1)
    );
    assert_eq!((before.keys, before.evicted_keys), (1, 0));
    assert_eq!(
        before.connected_clients.to_string(),
        field("connected_clients")
    );
    // INFO counts itself only once it has answered, as Redis does.
    assert_eq!(
        before.total_commands_processed.to_string(),
        field("total_commands_processed")
    );
}
