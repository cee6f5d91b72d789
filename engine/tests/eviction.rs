//! maxmemory and the eight eviction policies, OOM refusals, and the LRU and
//! LFU data OBJECT IDLETIME and FREQ read.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::{ClientId, Config, Engine};
use support::{info_field, line, received};

const START_MS: i64 = 1_700_000_000_000;

fn at_start() -> Engine {
    Engine::new(Config {
        now_ms: START_MS,
        ..Config::default()
    })
}

fn used_memory(e: &mut Engine, c: ClientId) -> i64 {
    info_int(e, c, "memory", "used_memory")
}

fn info_int(e: &mut Engine, c: ClientId, section: &str, name: &str) -> i64 {
    info_field(e, c, section, name).parse().unwrap_or(-1)
}

fn exists(e: &mut Engine, c: ClientId, key: &str) -> bool {
    line(e, c, &format!("EXISTS {key}")) == "(integer) 1"
}

/// Sets maxmemory to what is used now plus `room` bytes.
fn limit_to_current_plus(e: &mut Engine, c: ClientId, room: i64) {
    let used = used_memory(e, c);
    line(e, c, &format!("CONFIG SET maxmemory {}", used + room));
}

const OOM: &str = "(error) OOM command not allowed when used memory > 'maxmemory'.";

#[test]
fn noeviction_refuses_denyoom_commands_and_lets_the_rest_run() {
    let mut e = at_start();
    let c = e.connect();
    for i in 0..100 {
        line(&mut e, c, &format!("SET k{i} {i}"));
    }
    limit_to_current_plus(&mut e, c, 1000);
    // Under the limit, writes still succeed until it is crossed.
    let mut refused_at = None;
    for i in 100..200 {
        if line(&mut e, c, &format!("SET k{i} {i}")) == OOM {
            refused_at = Some(i);
            break;
        }
    }
    let refused_at = refused_at.expect("some SET was refused");
    assert!(refused_at > 100, "the room was used first");
    assert_eq!(line(&mut e, c, "GET k1"), "\"1\"", "reads run");
    assert_eq!(line(&mut e, c, "LPUSH l x"), OOM);
    assert_eq!(line(&mut e, c, "INCR k1"), OOM);
    // Inside MULTI every command but EXEC/DISCARD is refused and the
    // transaction is doomed.
    line(&mut e, c, "MULTI");
    assert_eq!(line(&mut e, c, "GET k1"), OOM);
    assert_eq!(
        line(&mut e, c, "EXEC"),
        "(error) EXECABORT Transaction discarded because of previous errors."
    );
    // Deleting is not refused, and frees room for writes again.
    for i in 0..20 {
        line(&mut e, c, &format!("DEL k{i}"));
    }
    assert_eq!(line(&mut e, c, "SET again 1"), "OK");
    assert_eq!(info_int(&mut e, c, "stats", "evicted_keys"), 0);
    // Lifting the limit lets everything through.
    line(&mut e, c, "CONFIG SET maxmemory 0");
    assert_eq!(line(&mut e, c, "LPUSH l x"), "(integer) 1");
}

#[test]
fn exec_of_a_queued_write_is_refused_when_memory_filled_meanwhile() {
    let mut e = at_start();
    let c = e.connect();
    let other = e.connect();
    line(&mut e, c, "MULTI");
    assert_eq!(line(&mut e, c, "SET queued 1"), "QUEUED");
    line(&mut e, other, "SET filler x");
    line(&mut e, other, "CONFIG SET maxmemory 1");
    // As Redis 7.0: EXEC is refused and the transaction discarded.
    assert_eq!(
        line(&mut e, c, "EXEC"),
        "(error) EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'."
    );
    assert_eq!(line(&mut e, c, "MULTI"), "OK", "no longer in MULTI");
    assert_eq!(
        line(&mut e, c, "GET filler"),
        OOM,
        "even reads, inside MULTI"
    );
    assert_eq!(line(&mut e, c, "DISCARD"), "OK");
    // A transaction of reads queued before memory ran out still runs.
    line(&mut e, other, "CONFIG SET maxmemory 0");
    line(&mut e, c, "MULTI");
    line(&mut e, c, "GET filler");
    line(&mut e, other, "CONFIG SET maxmemory 1");
    assert_eq!(line(&mut e, c, "EXEC"), "1) \"x\"");
    assert_eq!(line(&mut e, c, "DEL filler"), "(integer) 1");
    let stats = line(&mut e, c, "INFO commandstats");
    assert!(
        stats.contains("cmdstat_exec:calls=1,") && stats.contains("rejected_calls=1,"),
        "{stats}"
    );
}

#[test]
fn allkeys_lru_evicts_the_least_recently_used() {
    let mut e = at_start();
    let c = e.connect();
    let watcher = e.connect();
    line(&mut e, c, "CONFIG SET maxmemory-policy allkeys-lru");
    line(&mut e, c, "CONFIG SET maxmemory-samples 10");
    line(&mut e, c, "CONFIG SET notify-keyspace-events Ee");
    line(&mut e, watcher, "SUBSCRIBE __keyevent@0__:evicted");
    for i in 0..500 {
        line(&mut e, c, &format!("SET old{i} {i}"));
    }
    // An hour later, half the keys are read again.
    e.set_time(START_MS + 3_600_000);
    for i in (0..500).step_by(2) {
        line(&mut e, c, &format!("GET old{i}"));
    }
    assert_eq!(line(&mut e, c, "OBJECT IDLETIME old0"), "(integer) 0");
    assert_eq!(line(&mut e, c, "OBJECT IDLETIME old1"), "(integer) 3600");
    limit_to_current_plus(&mut e, c, 0);
    for i in 0..200 {
        assert_eq!(line(&mut e, c, &format!("SET new{i} {i}")), "OK");
    }
    let evicted = info_int(&mut e, c, "stats", "evicted_keys");
    assert!(evicted >= 190, "{evicted}");
    assert!(used_memory(&mut e, c) <= info_int(&mut e, c, "memory", "maxmemory"));
    let recent_gone = (0..500)
        .step_by(2)
        .filter(|i| !exists(&mut e, c, &format!("old{i}")))
        .count();
    let idle_gone = (1..500)
        .step_by(2)
        .filter(|i| !exists(&mut e, c, &format!("old{i}")))
        .count();
    // With 10 samples and the pool, nearly every eviction hits an idle key.
    assert!(
        recent_gone * 20 < idle_gone,
        "recent {recent_gone}, idle {idle_gone}"
    );
    let messages = received(&mut e, watcher);
    assert_eq!(messages.matches("\"evicted\"").count(), 0);
    assert_eq!(
        messages.matches("__keyevent@0__:evicted").count(),
        usize::try_from(evicted).unwrap_or(0),
        "one message per evicted key"
    );
}

#[test]
fn allkeys_lfu_keeps_the_frequently_used_and_freq_reports_the_counter() {
    let mut e = at_start();
    let c = e.connect();
    assert!(line(&mut e, c, "SET x 1") == "OK");
    assert_eq!(
        line(&mut e, c, "OBJECT FREQ x"),
        "(error) ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
    );
    line(&mut e, c, "CONFIG SET maxmemory-policy allkeys-lfu");
    assert_eq!(
        line(&mut e, c, "OBJECT IDLETIME x"),
        "(error) ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
    );
    for i in 0..300 {
        line(&mut e, c, &format!("SET k{i} {i}"));
    }
    assert_eq!(
        line(&mut e, c, "OBJECT FREQ k0"),
        "(integer) 5",
        "new keys start at 5"
    );
    for _ in 0..50 {
        for i in 0..100 {
            line(&mut e, c, &format!("GET k{i}"));
        }
    }
    let freq: i64 = line(&mut e, c, "OBJECT FREQ k0")
        .trim_start_matches("(integer) ")
        .parse()
        .unwrap_or(0);
    assert!((7..=12).contains(&freq), "{freq}");
    // A counter decays one step per lfu-decay-time minutes unused.
    e.set_time(START_MS + 3 * 60_000);
    assert_eq!(
        line(&mut e, c, "OBJECT FREQ k0"),
        format!("(integer) {}", freq - 3)
    );
    limit_to_current_plus(&mut e, c, 0);
    for i in 0..100 {
        line(&mut e, c, &format!("SET fresh{i} {i}"));
    }
    let hot_gone = (0..100)
        .filter(|i| !exists(&mut e, c, &format!("k{i}")))
        .count();
    let cold_gone = (100..300)
        .filter(|i| !exists(&mut e, c, &format!("k{i}")))
        .count();
    assert!(
        cold_gone > 50 && hot_gone * 10 < cold_gone,
        "hot {hot_gone}, cold {cold_gone}"
    );
}

#[test]
fn an_overwritten_value_keeps_the_lfu_counter_and_a_moved_key_takes_it_along() {
    let mut e = at_start();
    let c = e.connect();
    for setting in [
        "maxmemory-policy allkeys-lfu",
        "lfu-log-factor 0",
        "lfu-decay-time 0",
    ] {
        line(&mut e, c, &format!("CONFIG SET {setting}"));
    }
    let freq = |e: &mut Engine, key: &str| line(e, c, &format!("OBJECT FREQ {key}"));
    line(&mut e, c, "SET k v");
    for _ in 0..3 {
        line(&mut e, c, "GET k");
    }
    assert_eq!(freq(&mut e, "k"), "(integer) 8");
    // Redis 7.0 (setKey, dbSetValue): the lookup counts, the counter stays.
    line(&mut e, c, "SET k w");
    assert_eq!(freq(&mut e, "k"), "(integer) 9");
    line(&mut e, c, "SET k x NX");
    line(&mut e, c, "MSET k y");
    assert_eq!(freq(&mut e, "k"), "(integer) 11");
    line(&mut e, c, "RENAME k r");
    assert_eq!(freq(&mut e, "r"), "(integer) 12");
    line(&mut e, c, "SADD s a");
    line(&mut e, c, "SUNIONSTORE r s");
    assert_eq!(freq(&mut e, "r"), "(integer) 13");
}

#[test]
fn an_overwritten_value_starts_its_lru_clock_now() {
    let mut e = at_start();
    let c = e.connect();
    line(&mut e, c, "CONFIG SET maxmemory-policy allkeys-lru");
    line(&mut e, c, "SET k v");
    line(&mut e, c, "SET j v");
    e.set_time(START_MS + 10_000);
    assert_eq!(line(&mut e, c, "OBJECT IDLETIME k"), "(integer) 10");
    line(&mut e, c, "SET k w");
    line(&mut e, c, "SET j w NX");
    assert_eq!(line(&mut e, c, "OBJECT IDLETIME k"), "(integer) 0");
    assert_eq!(line(&mut e, c, "OBJECT IDLETIME j"), "(integer) 0");
}

#[test]
fn volatile_ttl_evicts_the_soonest_to_expire_and_never_persistent_keys() {
    let mut e = at_start();
    let c = e.connect();
    line(&mut e, c, "CONFIG SET maxmemory-policy volatile-ttl");
    for i in 0..100 {
        line(&mut e, c, &format!("SET keep{i} {i}"));
    }
    for i in 0..100 {
        line(&mut e, c, &format!("SET soon{i} {i} EX {}", 100 + i));
        line(&mut e, c, &format!("SET late{i} {i} EX {}", 10_000 + i));
    }
    limit_to_current_plus(&mut e, c, 0);
    for i in 0..60 {
        assert_eq!(line(&mut e, c, &format!("SET new{i} {i}")), "OK");
    }
    let soon_gone = (0..100)
        .filter(|i| !exists(&mut e, c, &format!("soon{i}")))
        .count();
    let late_gone = (0..100)
        .filter(|i| !exists(&mut e, c, &format!("late{i}")))
        .count();
    assert!(
        soon_gone >= 30 && late_gone * 5 < soon_gone,
        "soon {soon_gone}, late {late_gone}"
    );
    assert!((0..100).all(|i| exists(&mut e, c, &format!("keep{i}"))));
    // With no key left that has a TTL, nothing can go: OOM.
    line(&mut e, c, "FLUSHALL");
    for i in 0..50 {
        line(&mut e, c, &format!("SET p{i} {i}"));
    }
    limit_to_current_plus(&mut e, c, 0);
    // Memory is checked before a command: at the limit one more write
    // runs and takes it over; the next is refused.
    assert_eq!(line(&mut e, c, "SET one-more 1"), "OK");
    assert_eq!(line(&mut e, c, "SET two-more 1"), OOM);
    assert_eq!(line(&mut e, c, "DBSIZE"), "(integer) 51");
}

#[test]
fn random_and_volatile_policies_respect_their_key_sets() {
    for (policy, persistent_may_go) in [
        ("allkeys-random", true),
        ("volatile-random", false),
        ("volatile-lru", false),
        ("volatile-lfu", false),
    ] {
        let mut e = at_start();
        let c = e.connect();
        line(&mut e, c, &format!("CONFIG SET maxmemory-policy {policy}"));
        for i in 0..200 {
            line(&mut e, c, &format!("SET p{i} {i}"));
            line(&mut e, c, &format!("SET v{i} {i} EX 1000"));
        }
        limit_to_current_plus(&mut e, c, 0);
        for i in 0..100 {
            assert_eq!(line(&mut e, c, &format!("SET n{i} {i}")), "OK", "{policy}");
        }
        let persistent_gone = (0..200)
            .filter(|i| !exists(&mut e, c, &format!("p{i}")))
            .count();
        let volatile_gone = (0..200)
            .filter(|i| !exists(&mut e, c, &format!("v{i}")))
            .count();
        assert!(volatile_gone > 20, "{policy}: {volatile_gone}");
        assert_eq!(
            persistent_gone > 0,
            persistent_may_go,
            "{policy}: {persistent_gone}"
        );
        assert!(used_memory(&mut e, c) <= info_int(&mut e, c, "memory", "maxmemory"));
    }
}
