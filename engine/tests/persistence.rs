//! The `save` policy and INFO persistence: changes since the last save,
//! snapshots made when a save point is reached, and what INFO reports.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::{ClientId, Engine};
use support::{engine, line};

fn persistence(e: &mut Engine, c: ClientId, name: &str) -> String {
    let info = line(e, c, "INFO persistence");
    let prefix = format!("{name}:");
    info.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn a_save_point_makes_a_snapshot_for_the_host_once_reached() {
    let mut e = engine();
    let c = e.connect();
    let start_s = e.now() / 1000;
    assert_eq!(
        persistence(&mut e, c, "rdb_last_save_time"),
        start_s.to_string()
    );
    assert_eq!(persistence(&mut e, c, "rdb_last_bgsave_time_sec"), "-1");
    line(&mut e, c, "CONFIG SET save \"60 3 10 100\"");
    line(&mut e, c, "SET a 1");
    line(&mut e, c, "SET b 2");
    line(&mut e, c, "GET a");
    assert_eq!(persistence(&mut e, c, "rdb_changes_since_last_save"), "2");
    // 61 s later, but only 2 of the 3 changes: not yet.
    let now = e.now();
    e.tick(now + 61_000);
    assert!(e.take_snapshot().is_none());
    line(&mut e, c, "DEL a");
    e.tick(now + 62_000);
    let snapshot = e.take_snapshot().expect("the save point was reached");
    assert!(snapshot.starts_with(b"REDIS0010"));
    assert!(e.take_snapshot().is_none(), "taken once");
    assert_eq!(persistence(&mut e, c, "rdb_changes_since_last_save"), "0");
    assert_eq!(persistence(&mut e, c, "rdb_saves"), "1");
    assert_eq!(persistence(&mut e, c, "rdb_last_bgsave_time_sec"), "0");
    assert_eq!(
        persistence(&mut e, c, "rdb_last_save_time"),
        ((now + 62_000) / 1000).to_string()
    );
    // The snapshot holds the data: a fresh engine loads it.
    let mut other = engine();
    other.load_snapshot(&snapshot).expect("loads");
    let o = other.connect();
    assert_eq!(line(&mut other, o, "GET b"), "\"2\"");
    assert_eq!(line(&mut other, o, "EXISTS a"), "(integer) 0");
    // No changes since: no further snapshot, however long it waits.
    e.tick(now + 600_000);
    assert!(e.take_snapshot().is_none());
    // SAVE resets the count too, and LASTSAVE follows.
    line(&mut e, c, "SET c 3");
    assert_eq!(line(&mut e, c, "SAVE"), "OK");
    assert_eq!(persistence(&mut e, c, "rdb_changes_since_last_save"), "0");
    assert_eq!(persistence(&mut e, c, "rdb_saves"), "2");
    assert_eq!(
        line(&mut e, c, "LASTSAVE"),
        format!("(integer) {}", (now + 600_000) / 1000)
    );
}

#[test]
fn without_save_points_nothing_is_saved_on_its_own() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(line(&mut e, c, "CONFIG GET save"), "1) \"save\"\n2) \"\"");
    for i in 0..100 {
        line(&mut e, c, &format!("SET k{i} v"));
    }
    let now = e.now();
    e.tick(now + 3_600_000);
    assert!(e.take_snapshot().is_none());
    assert_eq!(persistence(&mut e, c, "rdb_changes_since_last_save"), "100");
}

#[test]
fn bgrewriteaof_is_counted_in_info_persistence() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(persistence(&mut e, c, "aof_rewrites"), "0");
    assert_eq!(persistence(&mut e, c, "aof_last_rewrite_time_sec"), "-1");
    line(&mut e, c, "SET k v");
    assert_eq!(
        line(&mut e, c, "BGREWRITEAOF"),
        "Background append only file rewriting started"
    );
    assert_eq!(persistence(&mut e, c, "aof_rewrites"), "1");
    assert_eq!(persistence(&mut e, c, "aof_last_rewrite_time_sec"), "0");
    line(&mut e, c, "MULTI");
    line(&mut e, c, "BGREWRITEAOF");
    line(&mut e, c, "EXEC");
    assert_eq!(persistence(&mut e, c, "aof_rewrite_scheduled"), "1");
    assert!(e.take_aof_rewrite().is_some());
    assert_eq!(persistence(&mut e, c, "aof_rewrite_scheduled"), "0");
    assert_eq!(persistence(&mut e, c, "aof_rewrites"), "2");
}
