//! What the last command asked of the selected key, for the visualizers to
//! show: the score range a ZRANGEBYSCORE-like command read (members in it
//! are highlighted), the circle or box a GEOSEARCH-like command searched
//! (drawn on the map), the set operation of the key with one other set
//! (its Venn region lit), or the bit range a BITCOUNT/BITPOS read. Read
//! from the command line as typed, so it shows the question even when the
//! answer is empty.

use std::ops::RangeInclusive;

use redsim_engine::line::split_args;
use redsim_engine::number::parse_double;

/// One end of a score range: the value and whether it is excluded (`(`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub exclusive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// Members scored within `min..max`.
    Scores { min: Bound, max: Bound },
    /// A search around a centre: a circle (radius in metres) or a box
    /// (width and height in metres).
    Area { center: Center, shape: Shape },
    /// SINTER/SUNION/SDIFF (or their STORE and CARD forms) over these
    /// source keys, in order.
    Sets { op: SetOp, keys: Vec<Vec<u8>> },
    /// BITCOUNT/BITPOS over `start..=end`, counted in bytes or bits, from
    /// the end when negative (Redis's indexes).
    Bits { start: i64, end: i64, in_bits: bool },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SetOp {
    Inter,
    Union,
    Diff,
}

/// Which of a two-set Venn diagram's regions an answer is made of.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Regions {
    pub only_a: bool,
    pub both: bool,
    pub only_b: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Center {
    At {
        lon: f64,
        lat: f64,
    },
    /// FROMMEMBER / GEORADIUSBYMEMBER: the member's position, found by the
    /// view among the set's points.
    Member(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Radius(f64),
    Box { width: f64, height: f64 },
}

impl Bound {
    /// Redis's score-range syntax: `-inf`, `+inf`, `(1.5`, `2`.
    fn parse(raw: &[u8]) -> Option<Bound> {
        let (exclusive, number) = match raw.split_first() {
            Some((b'(', rest)) => (true, rest),
            _ => (false, raw),
        };
        Some(Bound {
            value: parse_double(number)?,
            exclusive,
        })
    }
}

impl Query {
    /// Whether `score` lies in a score range (false for other queries).
    pub fn includes(&self, score: f64) -> bool {
        let Query::Scores { min, max } = self else {
            return false;
        };
        let above = if min.exclusive {
            score > min.value
        } else {
            score >= min.value
        };
        let below = if max.exclusive {
            score < max.value
        } else {
            score <= max.value
        };
        above && below
    }
}

impl Query {
    /// The other set of a two-set operation on `key`, for the Venn view.
    pub fn partner(&self, key: &[u8]) -> Option<Vec<u8>> {
        let Query::Sets { keys, .. } = self else {
            return None;
        };
        match keys.as_slice() {
            [x, y] if x == key && y != key => Some(y.clone()),
            [x, y] if y == key && x != key => Some(x.clone()),
            _ => None,
        }
    }

    /// The regions of the Venn diagram of `a` (the selected set) and `b`
    /// that this operation's answer is made of.
    pub fn regions(&self, a: &[u8], b: &[u8]) -> Option<Regions> {
        let Query::Sets { op, keys } = self else {
            return None;
        };
        let [first, second] = keys.as_slice() else {
            return None;
        };
        let a_first = first == a && second == b;
        let b_first = first == b && second == a;
        if !(a_first || b_first) {
            return None;
        }
        Some(match op {
            SetOp::Inter => Regions {
                both: true,
                ..Regions::default()
            },
            SetOp::Union => Regions {
                only_a: true,
                both: true,
                only_b: true,
            },
            SetOp::Diff => Regions {
                only_a: a_first,
                both: false,
                only_b: !a_first,
            },
        })
    }

    /// The bits a BITCOUNT/BITPOS range covers in a string of `len` bytes,
    /// resolved as Redis resolves it; None when empty or not a bit range.
    pub fn bit_range(&self, len: usize) -> Option<RangeInclusive<usize>> {
        let Query::Bits {
            start,
            end,
            in_bits,
        } = *self
        else {
            return None;
        };
        let total = i64::try_from(len)
            .ok()?
            .checked_mul(if in_bits { 8 } else { 1 })?;
        let from_end = |i: i64| if i < 0 { (total + i).max(0) } else { i };
        let (start, end) = (from_end(start), from_end(end).min(total - 1));
        if start > end {
            return None;
        }
        let scale = if in_bits { 1 } else { 8 };
        let first = usize::try_from(start).ok()?.checked_mul(scale)?;
        let last = usize::try_from(end).ok()?.checked_mul(scale)? + (scale - 1);
        Some(first..=last)
    }
}

/// Metres in one unit of GEO commands' distances.
fn unit_metres(unit: &[u8]) -> Option<f64> {
    match unit.to_ascii_lowercase().as_slice() {
        b"m" => Some(1.0),
        b"km" => Some(1000.0),
        b"mi" => Some(1609.34),
        b"ft" => Some(0.3048),
        _ => None,
    }
}

fn number(args: &[Vec<u8>], i: usize) -> Option<f64> {
    parse_double(args.get(i)?)
}

fn upper(args: &[Vec<u8>], i: usize) -> Vec<u8> {
    args.get(i)
        .map(|a| a.to_ascii_uppercase())
        .unwrap_or_default()
}

/// The query in `line` if it reads `key`; None for other commands or keys.
pub fn of_line(line: &str, key: &[u8]) -> Option<Query> {
    let args = split_args(line.as_bytes())?;
    if let Some(query) = set_operation(&args) {
        let Query::Sets { keys, .. } = &query else {
            return None;
        };
        return keys.iter().any(|k| k == key).then_some(query);
    }
    if args.get(1).map(Vec::as_slice) != Some(key) {
        return None;
    }
    let scores = |lo: usize, hi: usize| {
        Some(Query::Scores {
            min: Bound::parse(args.get(lo)?)?,
            max: Bound::parse(args.get(hi)?)?,
        })
    };
    match upper(&args, 0).as_slice() {
        b"ZRANGEBYSCORE" | b"ZCOUNT" | b"ZREMRANGEBYSCORE" => scores(2, 3),
        b"ZREVRANGEBYSCORE" => scores(3, 2),
        b"ZRANGE" | b"ZRANGESTORE" => {
            let words: Vec<Vec<u8>> = args.iter().map(|a| a.to_ascii_uppercase()).collect();
            if !words.iter().any(|w| w == b"BYSCORE") {
                return None;
            }
            if words.iter().any(|w| w == b"REV") {
                scores(3, 2)
            } else {
                scores(2, 3)
            }
        }
        b"GEORADIUS" | b"GEORADIUS_RO" => Some(Query::Area {
            center: Center::At {
                lon: number(&args, 2)?,
                lat: number(&args, 3)?,
            },
            shape: Shape::Radius(number(&args, 4)? * unit_metres(args.get(5)?)?),
        }),
        b"GEORADIUSBYMEMBER" | b"GEORADIUSBYMEMBER_RO" => Some(Query::Area {
            center: Center::Member(args.get(2)?.clone()),
            shape: Shape::Radius(number(&args, 3)? * unit_metres(args.get(4)?)?),
        }),
        b"GEOSEARCH" => geosearch(&args, 2),
        b"BITCOUNT" => bits(&args, 2, false),
        b"BITPOS" => bits(&args, 3, true),
        _ => None,
    }
}

/// A set operation's kind and source keys, or None for other commands.
fn set_operation(args: &[Vec<u8>]) -> Option<Query> {
    let name = upper(args, 0);
    let (op, sources) = match name.as_slice() {
        b"SINTER" => (SetOp::Inter, args.get(1..)?),
        b"SUNION" => (SetOp::Union, args.get(1..)?),
        b"SDIFF" => (SetOp::Diff, args.get(1..)?),
        b"SINTERSTORE" => (SetOp::Inter, args.get(2..)?),
        b"SUNIONSTORE" => (SetOp::Union, args.get(2..)?),
        b"SDIFFSTORE" => (SetOp::Diff, args.get(2..)?),
        b"SINTERCARD" => {
            let count = std::str::from_utf8(args.get(1)?)
                .ok()?
                .parse::<usize>()
                .ok()?;
            (SetOp::Inter, args.get(2..2usize.checked_add(count)?)?)
        }
        _ => return None,
    };
    Some(Query::Sets {
        op,
        keys: sources.to_vec(),
    })
}

/// BITCOUNT's `start end [BYTE|BIT]`, or BITPOS's `[start [end [BYTE|BIT]]]`
/// (`optional_end`: BITPOS's end defaults to the last byte).
fn bits(args: &[Vec<u8>], from: usize, optional_end: bool) -> Option<Query> {
    let index = |i: usize| std::str::from_utf8(args.get(i)?).ok()?.parse::<i64>().ok();
    let start = index(from)?;
    let end = match index(from + 1) {
        Some(end) => end,
        None if optional_end && args.len() == from + 1 => -1,
        None => return None,
    };
    let in_bits = upper(args, from + 2) == b"BIT";
    Some(Query::Bits {
        start,
        end,
        in_bits,
    })
}

/// GEOSEARCH's FROMMEMBER/FROMLONLAT and BYRADIUS/BYBOX, in any order.
fn geosearch(args: &[Vec<u8>], from: usize) -> Option<Query> {
    let mut center = None;
    let mut shape = None;
    let mut i = from;
    while i < args.len() {
        match upper(args, i).as_slice() {
            b"FROMMEMBER" => {
                center = Some(Center::Member(args.get(i + 1)?.clone()));
                i += 2;
            }
            b"FROMLONLAT" => {
                center = Some(Center::At {
                    lon: number(args, i + 1)?,
                    lat: number(args, i + 2)?,
                });
                i += 3;
            }
            b"BYRADIUS" => {
                shape = Some(Shape::Radius(
                    number(args, i + 1)? * unit_metres(args.get(i + 2)?)?,
                ));
                i += 3;
            }
            b"BYBOX" => {
                let unit = unit_metres(args.get(i + 3)?)?;
                shape = Some(Shape::Box {
                    width: number(args, i + 1)? * unit,
                    height: number(args, i + 2)? * unit,
                });
                i += 4;
            }
            _ => i += 1,
        }
    }
    Some(Query::Area {
        center: center?,
        shape: shape?,
    })
}

/// Metres per degree of latitude (and of longitude at the equator), for
/// drawing a search on an equirectangular map.
pub const METRES_PER_DEGREE: f64 = 111_320.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_ranges_from_every_form() {
        let q = of_line("ZRANGEBYSCORE z (1 5", b"z").expect("a range");
        assert!(!q.includes(1.0) && q.includes(1.5) && q.includes(5.0) && !q.includes(5.1));
        let q = of_line("zrevrangebyscore z +inf (2", b"z").expect("a range");
        assert!(!q.includes(2.0) && q.includes(1e300));
        let q = of_line("ZRANGE z -inf 3 BYSCORE LIMIT 0 2", b"z").expect("a range");
        assert!(q.includes(-1e9) && q.includes(3.0) && !q.includes(3.5));
        let q = of_line("ZRANGE z 10 (4 BYSCORE REV", b"z").expect("a range");
        assert!(q.includes(10.0) && !q.includes(4.0));
        assert_eq!(of_line("ZRANGE z 0 -1", b"z"), None, "by rank, not score");
        assert_eq!(of_line("ZCOUNT other 0 1", b"z"), None, "another key");
        assert_eq!(of_line("ZCOUNT z x 1", b"z"), None, "not a range");
    }

    #[test]
    fn set_operations_light_their_regions() {
        let q = of_line("SINTER a b", b"a").expect("an operation");
        assert_eq!(q.partner(b"a"), Some(b"b".to_vec()));
        let both = Regions {
            both: true,
            ..Regions::default()
        };
        assert_eq!(q.regions(b"a", b"b"), Some(both));
        let q = of_line("sdiff b a", b"a").expect("an operation");
        assert_eq!(q.partner(b"a"), Some(b"b".to_vec()));
        let only_b = Regions {
            only_b: true,
            ..Regions::default()
        };
        assert_eq!(q.regions(b"a", b"b"), Some(only_b), "b minus a");
        let q = of_line("SUNIONSTORE dest a c", b"a").expect("an operation");
        assert_eq!(q.partner(b"a"), Some(b"c".to_vec()));
        assert_eq!(q.regions(b"a", b"b"), None, "not the compared set");
        let q = of_line("SINTERCARD 2 x a LIMIT 5", b"a").expect("an operation");
        assert_eq!(q.partner(b"a"), Some(b"x".to_vec()));
        assert_eq!(
            of_line("SINTER a b c", b"a").and_then(|q| q.partner(b"a")),
            None,
            "three sets"
        );
        assert_eq!(of_line("SINTER b c", b"a"), None, "without the key");
        assert_eq!(of_line("SINTERCARD 9 a b", b"a"), None, "too few keys");
        assert_eq!(
            of_line("SUNIONSTORE a b c", b"a"),
            None,
            "a is the destination"
        );
    }

    #[test]
    fn bit_ranges_resolve_as_redis_does() {
        let range = |line: &str, len: usize| of_line(line, b"k").and_then(|q| q.bit_range(len));
        assert_eq!(range("BITCOUNT k 1 1", 3), Some(8..=15));
        assert_eq!(range("BITCOUNT k 0 -1", 3), Some(0..=23));
        assert_eq!(range("BITCOUNT k -2 99", 3), Some(8..=23));
        assert_eq!(range("BITCOUNT k 5 30 BIT", 3), Some(5..=23));
        assert_eq!(range("BITCOUNT k -3 -1 bit", 3), Some(21..=23));
        assert_eq!(range("BITCOUNT k 2 1", 3), None, "empty");
        assert_eq!(range("BITCOUNT k 0", 3), None, "start without end");
        assert_eq!(
            range("BITPOS k 1 1", 3),
            Some(8..=23),
            "end defaults to the last byte"
        );
        assert_eq!(range("BITPOS k 0 0 9 BIT", 3), Some(0..=9));
        assert_eq!(range("BITPOS k 1", 3), None, "no range given");
        assert_eq!(range("BITCOUNT k 0 -1", 0), None, "empty string");
    }

    #[test]
    fn geo_searches_give_their_centre_and_shape() {
        assert_eq!(
            of_line("GEOSEARCH g FROMLONLAT 13.4 52.5 BYRADIUS 10 km ASC", b"g"),
            Some(Query::Area {
                center: Center::At {
                    lon: 13.4,
                    lat: 52.5
                },
                shape: Shape::Radius(10_000.0)
            })
        );
        assert_eq!(
            of_line("GEOSEARCH g BYBOX 2 1 km FROMMEMBER berlin", b"g"),
            Some(Query::Area {
                center: Center::Member(b"berlin".to_vec()),
                shape: Shape::Box {
                    width: 2_000.0,
                    height: 1_000.0
                }
            })
        );
        assert_eq!(
            of_line("GEORADIUSBYMEMBER g paris 5 mi", b"g"),
            Some(Query::Area {
                center: Center::Member(b"paris".to_vec()),
                shape: Shape::Radius(5.0 * 1609.34)
            })
        );
        assert!(matches!(
            of_line("GEORADIUS g 2.35 48.85 200 m WITHDIST", b"g"),
            Some(Query::Area { shape: Shape::Radius(r), .. }) if r == 200.0
        ));
        assert_eq!(
            of_line("GEOSEARCH g FROMLONLAT 1 2", b"g"),
            None,
            "no shape"
        );
        assert_eq!(
            of_line("GEOSEARCH g BYRADIUS 1 parsecs FROMMEMBER a", b"g"),
            None
        );
    }
}
