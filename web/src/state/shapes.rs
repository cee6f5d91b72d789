//! What a value looks like drawn: a string's bits, a HyperLogLog's
//! registers, a geo set's positions, two sets' Venn regions. Redis stores
//! bitmaps, HyperLogLogs and geo sets as plain strings and sorted sets;
//! these read them back the way the commands that made them do.

use std::ops::RangeInclusive;

use redsim_engine::geo::hash::score_to_lon_lat;
use redsim_engine::types::hll;

/// Bytes of a string drawn as bits at most (4096 bits).
pub const BITS_LIMIT: usize = 512;

/// A string's bits, most significant first in each byte, as SETBIT numbers
/// them (up to `BITS_LIMIT` bytes).
pub fn bits(bytes: &[u8]) -> impl Iterator<Item = bool> + '_ {
    bytes
        .iter()
        .take(BITS_LIMIT)
        .flat_map(|b| (0..8).rev().map(move |i| b >> i & 1 == 1))
}

/// How many bits are set in `range` (bit offsets, as SETBIT numbers them),
/// over the whole string, not only the drawn part: BITCOUNT's answer.
pub fn count_bits(bytes: &[u8], range: &RangeInclusive<usize>) -> usize {
    let (first, last) = (*range.start(), *range.end());
    (first / 8..=(last / 8).min(bytes.len()))
        .filter_map(|i| Some((i, *bytes.get(i)?)))
        .map(|(i, byte)| {
            // Keep only the bits of this byte inside the range.
            let from = first.saturating_sub(i * 8).min(8);
            let to = last.saturating_add(1).saturating_sub(i * 8).min(8);
            let mask = (0xffu16 >> from) & !(0xffu16 >> to);
            (u16::from(byte) & mask).count_ones() as usize
        })
        .sum()
}

/// Whether a string reads better as bits than as text: it is not UTF-8
/// text (SETBIT and BITOP make such strings).
pub fn looks_like_bitmap(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(text) => text
            .chars()
            .any(|c| c.is_control() && !"\t\n\r".contains(c)),
        Err(_) => true,
    }
}

/// A HyperLogLog's registers, as PFCOUNT reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct Hll {
    /// The encoding the sketch is stored in: "sparse" or "dense".
    pub encoding: &'static str,
    /// How many registers hold each value (0..=63).
    pub histogram: Vec<u32>,
    /// PFCOUNT's estimate.
    pub estimate: u64,
    /// The string's length in bytes.
    pub bytes: usize,
}

/// The sketch a string holds, if it is one (and not damaged).
pub fn hll(bytes: &[u8]) -> Option<Hll> {
    let encoding = hll::check(bytes).ok()?.name();
    let estimate = hll::count(bytes).ok()?;
    // A sparse sketch is read through a dense copy, as PFDEBUG GETREG does.
    let mut dense = bytes.to_vec();
    hll::to_dense(&mut dense).ok()?;
    let mut histogram = vec![0u32; 64];
    for register in hll::dense_registers(&dense) {
        if let Some(count) = histogram.get_mut(usize::from(register)) {
            *count += 1;
        }
    }
    Some(Hll {
        encoding,
        histogram,
        estimate,
        bytes: bytes.len(),
    })
}

/// Scores GEOADD can have made: 52-bit integers. Below 2^44 a position
/// would lie in the map's south-west corner cell of 22.5° × 10.6° (lon
/// −180…−157.5, lat −85…−74.4: Antarctica), while Unix times in milliseconds
/// (about 1.7e12 today, below 2^44 until the year 2527) are the usual
/// scores of a sliding-window log: such sets are taken for plain scores.
pub fn is_geo_score(score: f64) -> bool {
    const LOW: f64 = (1u64 << 44) as f64;
    const HIGH: f64 = (1u64 << 52) as f64;
    score.fract() == 0.0 && (LOW..HIGH).contains(&score)
}

/// Each member's longitude and latitude, if every score is a geohash.
pub fn geo_points(members: &[(Vec<u8>, f64)]) -> Option<Vec<(Vec<u8>, f64, f64)>> {
    if members.is_empty() || !members.iter().all(|(_, s)| is_geo_score(*s)) {
        return None;
    }
    Some(
        members
            .iter()
            .map(|(m, score)| {
                let (lon, lat) = score_to_lon_lat(*score);
                (m.clone(), lon, lat)
            })
            .collect(),
    )
}

/// Two sets' regions: SDIFF a b, SINTER a b, SDIFF b a (SUNION is all three).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Venn {
    pub only_a: Vec<Vec<u8>>,
    pub both: Vec<Vec<u8>>,
    pub only_b: Vec<Vec<u8>>,
}

pub fn venn(a: &[Vec<u8>], b: &[Vec<u8>]) -> Venn {
    let in_b: std::collections::HashSet<&Vec<u8>> = b.iter().collect();
    let in_a: std::collections::HashSet<&Vec<u8>> = a.iter().collect();
    let (both, only_a) = a.iter().cloned().partition(|m| in_b.contains(m));
    Venn {
        only_a,
        both,
        only_b: b.iter().filter(|m| !in_a.contains(m)).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redsim_engine::reply::cli;
    use redsim_engine::{Config, Engine};

    #[test]
    fn bits_are_numbered_as_setbit_numbers_them() {
        let bits: Vec<bool> = bits(b"\x81").collect();
        assert_eq!(bits, [true, false, false, false, false, false, false, true]);
        assert!(looks_like_bitmap(b"\x00\x10"));
        assert!(looks_like_bitmap(b"\xff"));
        assert!(!looks_like_bitmap("héllo\tworld".as_bytes()));
    }

    #[test]
    fn bits_are_counted_in_a_range_as_bitcount_counts_them() {
        let mut e = Engine::new(Config::default());
        let c = e.connect();
        cli::run_line(&mut e, c, "SET s foobar");
        for (args, range) in [
            ("1 1", 8..=15),
            ("0 -1", 0..=47),
            ("5 30 BIT", 5..=30),
            ("7 7 BIT", 7..=7),
            ("9 44 BIT", 9..=44),
        ] {
            let reply = cli::run_line(&mut e, c, &format!("BITCOUNT s {args}"));
            assert_eq!(
                reply,
                format!("(integer) {}", count_bits(b"foobar", &range)),
                "{args}"
            );
        }
        assert_eq!(count_bits(b"\xff", &(0..=100)), 8, "past the end");
        assert_eq!(count_bits(b"\xff", &(3..=usize::MAX)), 5);
    }

    #[test]
    fn hll_registers_and_estimate_match_pfcount() {
        let mut e = Engine::new(Config::default());
        let c = e.connect();
        cli::run_line(&mut e, c, "PFADD h a b c d e f g");
        let Some(redsim_engine::inspect::Contents::String(bytes)) = e.key_contents(0, b"h", 1)
        else {
            panic!("a string")
        };
        let sketch = hll(&bytes).expect("a sketch");
        assert_eq!(sketch.encoding, "sparse");
        assert_eq!(sketch.estimate, 7);
        assert_eq!(sketch.histogram.iter().sum::<u32>(), 16384);
        assert_eq!(16384 - sketch.histogram[0], 7, "seven registers set");
        assert_eq!(hll(b"not a sketch"), None);
    }

    #[test]
    fn millisecond_timestamps_are_not_taken_for_positions() {
        let log = [
            (b"req-1".to_vec(), 1_704_067_200_957.0),
            (b"req-2".to_vec(), 1_800_000_000_000.0),
        ];
        assert_eq!(geo_points(&log), None);
    }

    #[test]
    fn geo_sets_give_back_their_positions() {
        let mut e = Engine::new(Config::default());
        let c = e.connect();
        cli::run_line(
            &mut e,
            c,
            "GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
        );
        let Some(redsim_engine::inspect::Contents::ZSet(members)) = e.key_contents(0, b"g", 10)
        else {
            panic!("a sorted set")
        };
        let points = geo_points(&members).expect("geo");
        let (_, lon, lat) = points.iter().find(|p| p.0 == b"Palermo").expect("Palermo");
        assert!((lon - 13.361389).abs() < 1e-5 && (lat - 38.115556).abs() < 1e-5);
        assert_eq!(
            geo_points(&[(b"alice".to_vec(), 120.0)]),
            None,
            "a leaderboard"
        );
    }

    #[test]
    fn venn_regions_are_sdiff_sinter_sdiff() {
        let set = |s: &str| {
            s.split(' ')
                .map(|m| m.as_bytes().to_vec())
                .collect::<Vec<_>>()
        };
        let v = venn(&set("1 2 3"), &set("3 4"));
        assert_eq!(
            (v.only_a, v.both, v.only_b),
            (set("1 2"), set("3"), set("4"))
        );
    }
}
