//! Seeded benchmark workloads (issue 11): `strings`, `mixed` and `big`,
//! one command per line, arguments separated by single spaces. Every
//! contender replays the same file, so the generator emits no argument
//! containing a space and nothing that should fail: values that INCR or
//! HINCRBY touch are always integers, each key family holds one type, and
//! EXPIRE uses long timeouts so no key expires during a replay (the
//! contenders would otherwise diverge with their speed).

use std::path::{Path, PathBuf};

/// SplitMix64: tiny, seedable and good enough to pick commands and keys;
/// the same seed gives the same file on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0; the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The seed every benchmark run uses.
pub const SEED: u64 = 11;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// SET/GET/INCR/EXPIRE/TTL/DEL over a fixed key space.
    Strings,
    /// Hashes, lists, sets, sorted sets, HyperLogLog and bitmaps.
    Mixed,
    /// Many small string keys loaded, then read back.
    Big,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Strings, Kind::Mixed, Kind::Big];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Strings => "strings",
            Kind::Mixed => "mixed",
            Kind::Big => "big",
        }
    }
}

/// The size of each workload: commands for `strings` and `mixed`, keys for
/// `big` (which has twice as many commands: one SET and one GET per key).
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub strings: usize,
    pub mixed: usize,
    pub big_keys: usize,
    /// Keys each family of `strings` and `mixed` spreads over.
    pub keys: u64,
}

/// Issue 11's sizes.
pub const FULL: Scale = Scale {
    strings: 200_000,
    mixed: 200_000,
    big_keys: 1_000_000,
    keys: 10_000,
};

/// CI's smoke run: every command kind appears, the whole run takes seconds.
pub const SMOKE: Scale = Scale {
    strings: 300,
    mixed: 300,
    big_keys: 150,
    keys: 50,
};

/// The workload's lines.
pub fn generate(kind: Kind, scale: Scale, seed: u64) -> Vec<String> {
    let mut rng = SplitMix(seed ^ kind as u64);
    match kind {
        Kind::Strings => (0..scale.strings)
            .map(|_| strings_command(&mut rng, scale.keys))
            .collect(),
        Kind::Mixed => (0..scale.mixed)
            .map(|_| mixed_command(&mut rng, scale.keys))
            .collect(),
        Kind::Big => {
            let n = scale.big_keys as u64;
            let load = big_load(scale.big_keys);
            // Reads in a scrambled order, so they do not walk the keys as
            // they were inserted (which would favour hash tables that keep
            // insertion order in memory).
            let read = (0..n).map(|_| format!("GET big:{}", rng.below(n)));
            load.chain(read).collect()
        }
    }
}

/// `big`'s first half: one SET per key, in key order.
fn big_load(keys: usize) -> impl Iterator<Item = String> {
    (0..keys).map(|i| format!("SET big:{i} value:{i}"))
}

fn strings_command(rng: &mut SplitMix, keys: u64) -> String {
    let key = format!("str:{}", rng.below(keys));
    match rng.below(100) {
        0..=29 => format!("SET {key} {}", rng.below(1_000_000)),
        30..=59 => format!("GET {key}"),
        60..=79 => format!("INCR {key}"),
        80..=87 => format!("EXPIRE {key} {}", 3600 + rng.below(3600)),
        88..=95 => format!("TTL {key}"),
        _ => format!("DEL {key}"),
    }
}

fn mixed_command(rng: &mut SplitMix, keys: u64) -> String {
    // Fewer keys per family than `strings` has, so structures grow past a
    // handful of elements.
    let family_keys = (keys / 10).max(1);
    let k = rng.below(family_keys);
    let member = rng.below(1000);
    let score = rng.below(10_000);
    match rng.below(20) {
        0 => format!("HSET hash:{k} f{} {}", rng.below(20), rng.below(1000)),
        1 => format!("HGET hash:{k} f{}", rng.below(20)),
        2 => format!("HINCRBY hash:{k} f{} {}", rng.below(20), rng.below(10)),
        3 => format!("HGETALL hash:{k}"),
        4 => format!("LPUSH list:{k} {member}"),
        5 => format!("RPUSH list:{k} {member}"),
        6 => format!("LPOP list:{k}"),
        7 => format!("LRANGE list:{k} 0 9"),
        8 => format!("SADD set:{k} m{member}"),
        9 => format!("SISMEMBER set:{k} m{member}"),
        10 => format!("SCARD set:{k}"),
        11 => format!("SINTER set:{k} set:{}", rng.below(family_keys)),
        12 => format!("ZADD zset:{k} {score} m{member}"),
        13 => format!("ZINCRBY zset:{k} {} m{member}", rng.below(100)),
        14 => format!("ZRANGE zset:{k} 0 9 WITHSCORES"),
        15 => format!("ZREVRANK zset:{k} m{member}"),
        16 => format!("ZRANGEBYSCORE zset:{k} {score} {}", score + 500),
        17 => format!("PFADD hll:{k} e{}", rng.below(100_000)),
        18 => match rng.below(2) {
            0 => format!("PFCOUNT hll:{k}"),
            _ => format!("BITCOUNT bits:{k}"),
        },
        _ => format!("SETBIT bits:{k} {} 1", rng.below(8192)),
    }
}

/// Where a workload's files go: `target/bench/` (`target/bench/smoke/`
/// for the smoke scale, so a smoke run never clobbers the full files).
pub fn dir(smoke: bool) -> PathBuf {
    let base = crate::tools::root().join("target/bench");
    if smoke {
        base.join("smoke")
    } else {
        base
    }
}

/// The files of one workload: its lines, and the same commands in RESP
/// for `redis-cli --pipe`.
pub struct Files {
    pub kind: Kind,
    pub lines: PathBuf,
    pub resp: PathBuf,
    pub commands: usize,
}

/// Writes every workload under `dir` (`NAME.txt`, `NAME.resp`).
pub fn write_all(dir: &Path, scale: Scale) -> Result<Vec<Files>, String> {
    Kind::ALL
        .into_iter()
        .map(|kind| write(dir, kind.name(), kind, &generate(kind, scale, SEED)))
        .collect()
}

/// `big` without its reads (`big-load.txt`, `big-load.resp`): what the
/// memory and snapshot figures load, since the GETs add no data.
pub fn write_big_load(dir: &Path, scale: Scale) -> Result<Files, String> {
    let lines: Vec<String> = big_load(scale.big_keys).collect();
    write(dir, "big-load", Kind::Big, &lines)
}

/// Writes `lines` as `dir/STEM.txt` and `dir/STEM.resp`.
fn write(dir: &Path, stem: &str, kind: Kind, lines: &[String]) -> Result<Files, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let files = Files {
        kind,
        lines: dir.join(format!("{stem}.txt")),
        resp: dir.join(format!("{stem}.resp")),
        commands: lines.len(),
    };
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&files.lines, text).map_err(|e| format!("{}: {e}", files.lines.display()))?;
    std::fs::write(&files.resp, to_resp(lines))
        .map_err(|e| format!("{}: {e}", files.resp.display()))?;
    Ok(files)
}

/// A line's arguments (the generator never puts a space inside one).
pub fn argv(line: &str) -> Vec<&str> {
    line.split(' ').filter(|a| !a.is_empty()).collect()
}

/// The lines as RESP multibulk requests.
pub fn to_resp(lines: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        let args = argv(line);
        out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for arg in args {
            out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
        }
    }
    out
}

/// Reads a workload file back into argument vectors.
pub fn read(path: &Path) -> Result<Vec<Vec<Vec<u8>>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| argv(l).into_iter().map(|a| a.as_bytes().to_vec()).collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_workload() {
        for kind in Kind::ALL {
            assert_eq!(generate(kind, SMOKE, 1), generate(kind, SMOKE, 1));
            assert_ne!(generate(kind, SMOKE, 1), generate(kind, SMOKE, 2));
        }
    }

    #[test]
    fn sizes_follow_the_scale() {
        assert_eq!(generate(Kind::Strings, SMOKE, SEED).len(), SMOKE.strings);
        assert_eq!(generate(Kind::Mixed, SMOKE, SEED).len(), SMOKE.mixed);
        assert_eq!(generate(Kind::Big, SMOKE, SEED).len(), 2 * SMOKE.big_keys);
    }

    #[test]
    fn the_big_load_is_bigs_first_half() {
        let load: Vec<String> = big_load(SMOKE.big_keys).collect();
        let big = generate(Kind::Big, SMOKE, SEED);
        assert_eq!(load, big[..SMOKE.big_keys]);
        assert!(big[SMOKE.big_keys..].iter().all(|l| l.starts_with("GET ")));
    }

    #[test]
    fn mixed_uses_every_command_the_issue_lists() {
        let lines = generate(Kind::Mixed, FULL, SEED);
        for name in [
            "HSET",
            "HGET",
            "HINCRBY",
            "HGETALL",
            "LPUSH",
            "RPUSH",
            "LPOP",
            "LRANGE",
            "SADD",
            "SISMEMBER",
            "SCARD",
            "SINTER",
            "ZADD",
            "ZINCRBY",
            "ZRANGE",
            "ZREVRANK",
            "ZRANGEBYSCORE",
            "PFADD",
            "PFCOUNT",
            "SETBIT",
            "BITCOUNT",
        ] {
            let prefix = format!("{name} ");
            assert!(lines.iter().any(|l| l.starts_with(&prefix)), "{name}");
        }
    }

    #[test]
    fn every_command_runs_without_error_in_the_engine() {
        use redsim_engine::{Config, Engine, Reply};
        let mut engine = Engine::new(Config::default());
        let client = engine.connect();
        for kind in Kind::ALL {
            for line in generate(kind, SMOKE, SEED) {
                let reply = engine.execute(client, &argv(&line));
                assert!(!matches!(reply, Reply::Error(_)), "{line}: {reply:?}");
            }
        }
    }

    #[test]
    fn resp_encodes_each_argument() {
        let resp = to_resp(&["SET k 10".to_string()]);
        assert_eq!(resp, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n10\r\n");
    }
}
