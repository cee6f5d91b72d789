//! What the persistence tests (`aof.rs`, `rdb.rs`) share: a fixed clock
//! and fresh engines on it, the bigger collections of their datasets, and
//! every key's observable facts, to compare before and after a round trip.

use redsim_engine::{Config, Engine};

use super::{line, Session};

/// When the persistence tests' engines start.
pub const NOW: i64 = 1_700_000_000_000;

/// An empty engine whose clock is at `NOW`.
pub fn fresh() -> Engine {
    Engine::new(Config {
        now_ms: NOW,
        ..Config::default()
    })
}

/// The small keys both datasets have, in databases 0 and 2.
const SHARED_LINES: [&str; 24] = [
    "SET s:int 12345",
    "SET s:big 9223372036854775807",
    "SET s:embstr hello",
    "SET s:empty \"\"",
    "SET s:ttl v PX 100000",
    "PFADD hll a b c d",
    "RPUSH l:small a b 1 -2 300000",
    "SADD set:int 5 -1 70000 9000000000",
    "SADD set:small x y 7",
    "HSET h:small f v g 2",
    "XADD st 1-1 a 1 b 2",
    "XADD st 1-2 a 3 b 4",
    "XADD st 2-1 other 5",
    "XDEL st 1-2",
    "XGROUP CREATE st g 0",
    "XREADGROUP GROUP g alice COUNT 1 STREAMS st >",
    "XREADGROUP GROUP g bob COUNT 1 STREAMS st >",
    "XGROUP CREATE st empty $",
    "XGROUP CREATECONSUMER st empty carol",
    "HSET h:fttl a 1 b 2 c 3",
    "SELECT 2",
    "SET other 1",
    "EXPIRE other 1000",
    "SELECT 0",
];

/// Builds a dataset of every type and encoding in several databases: the
/// shared small keys, then a test's `own` lines (starting and ending in
/// database 0), each of which must succeed, then the bigger collections
/// through generated commands: a multi-node quicklist and one with a
/// plain node, big sets of strings and of integers, hashes past either
/// listpack limit (one with field TTLs), a skiplist sorted set whose
/// scores end in `.{fraction}`, a stream of several nodes with a deletion,
/// and a dense HyperLogLog.
pub fn populate(s: &mut Session, own: &[&str], fraction: &str) {
    for l in SHARED_LINES.iter().chain(own) {
        let out = s.run(l);
        assert!(!out.starts_with("(error)"), "{l}: {out}");
    }
    let list: Vec<String> = (0..3000).map(|i| format!("element-{i}")).collect();
    s.run(&format!("RPUSH l:big {}", list.join(" ")));
    s.run(&format!("RPUSH l:plain head {} tail", "p".repeat(9000)));
    let members: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
    s.run(&format!("SADD set:big {}", members.join(" ")));
    let ints: Vec<String> = (0..700).map(|i| (i * 7).to_string()).collect();
    s.run(&format!("SADD set:intbig {}", ints.join(" ")));
    let pairs: Vec<String> = (0..600).map(|i| format!("f{i} v{i}")).collect();
    s.run(&format!("HSET h:big {}", pairs.join(" ")));
    s.run(&format!("HSET h:long f {}", "v".repeat(100)));
    s.run(&format!("HSET h:bigttl {}", pairs.join(" ")));
    s.run("HPEXPIRE h:bigttl 70000 FIELDS 2 f1 f2");
    let scored: Vec<String> = (0..300)
        .map(|i| format!("{}.{fraction} m{i}", i % 13))
        .collect();
    s.run(&format!("ZADD z:big {}", scored.join(" ")));
    for i in 1..=230 {
        s.run(&format!("XADD st:big {i}-0 k {i} v x"));
    }
    s.run("XDEL st:big 7-0");
    let elements: Vec<String> = (0..2000).map(|i| format!("e{i}")).collect();
    s.run(&format!("PFADD hll:dense {}", elements.join(" ")));
}

/// What `facts` reads of each key besides its type, encoding, expiry and
/// contents.
pub struct Observe {
    /// OBJECT IDLETIME (a snapshot carries it; an AOF does not).
    pub idle_time: bool,
    /// The hash fields whose TTLs are read, in any hash.
    pub hash_ttl_fields: &'static [&'static str],
    /// Stream consumers' active-time (Redis 7.0's RDB format, written by
    /// 7.2+, has none).
    pub active_time: bool,
}

/// Everything observable about every key, as redis-cli prints it.
pub fn facts(engine: &mut Engine, observe: &Observe) -> Vec<String> {
    let c = engine.connect();
    let mut out = Vec::new();
    for db in [0, 1, 2, 3] {
        line(engine, c, &format!("SELECT {db}"));
        let mut keys: Vec<String> = line(engine, c, "KEYS *")
            .lines()
            .filter_map(|l| {
                l.split_once(") ")
                    .map(|(_, k)| k.trim_matches('"').to_string())
            })
            .collect();
        keys.sort();
        for key in keys {
            let q = |cmd: &str| format!("{cmd} \"{key}\"");
            let kind = line(engine, c, &q("TYPE"));
            // embstr/raw tells how a string was made, not what it holds:
            // SET and loading make short ones embstr, in Redis too.
            let encoding = line(engine, c, &q("OBJECT ENCODING")).replace("raw", "embstr");
            let mut f = vec![
                format!("db{db} {key}"),
                kind.clone(),
                encoding,
                line(engine, c, &q("PEXPIRETIME")),
            ];
            if observe.idle_time {
                f.push(line(engine, c, &q("OBJECT IDLETIME")));
            }
            f.push(match kind.as_str() {
                "string" => line(engine, c, &q("GET")),
                "list" => line(engine, c, &format!("LRANGE \"{key}\" 0 -1")),
                "set" => {
                    let mut m: Vec<String> = line(engine, c, &q("SMEMBERS"))
                        .lines()
                        .map(|l| l.split_once(") ").map_or(l, |(_, v)| v).to_string())
                        .collect();
                    m.sort();
                    m.join(",")
                }
                "zset" => line(engine, c, &format!("ZRANGE \"{key}\" 0 -1 WITHSCORES")),
                "hash" => {
                    let all = line(engine, c, &q("HGETALL"));
                    let names = observe.hash_ttl_fields;
                    let ttls = format!(
                        "HPEXPIRETIME \"{key}\" FIELDS {} {}",
                        names.len(),
                        names.join(" ")
                    );
                    format!("{all}\n{}", line(engine, c, &ttls))
                }
                _ => {
                    let info = line(engine, c, &format!("XINFO STREAM \"{key}\" FULL"));
                    let mut skip = false;
                    let info: Vec<&str> = info
                        .lines()
                        .filter(|l| {
                            let keep = !skip;
                            skip = !observe.active_time && l.ends_with("\"active-time\"");
                            keep
                        })
                        .collect();
                    format!(
                        "{}\n{}",
                        line(engine, c, &format!("XRANGE \"{key}\" - +")),
                        info.join("\n")
                    )
                }
            });
            out.push(f.join("\n"));
        }
    }
    line(engine, c, "SELECT 0");
    engine.disconnect(c);
    out
}

/// Compares facts key by key, reporting only the first differing line of
/// each differing key.
pub fn assert_same(expected: &[String], actual: &[String]) {
    let mut diffs = Vec::new();
    for i in 0..expected.len().max(actual.len()) {
        let (e, a) = (expected.get(i), actual.get(i));
        if e == a {
            continue;
        }
        let el: Vec<&str> = e.map_or(vec![], |e| e.lines().collect());
        let al: Vec<&str> = a.map_or(vec![], |a| a.lines().collect());
        let at = (0..el.len().max(al.len()))
            .find(|&j| el.get(j) != al.get(j))
            .unwrap_or(0);
        diffs.push(format!(
            "{} / {}: line {at}: expected {:?}, got {:?}",
            el.first().unwrap_or(&"-"),
            al.first().unwrap_or(&"-"),
            el.get(at),
            al.get(at)
        ));
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// An engine holding a little data, and its facts.
pub fn guarded(observe: &Observe) -> (Engine, Vec<String>) {
    let mut e = fresh();
    let c = e.connect();
    line(&mut e, c, "SET guard untouched");
    line(&mut e, c, "RPUSH guard:list a b");
    let f = facts(&mut e, observe);
    (e, f)
}
