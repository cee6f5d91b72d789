//! What the last command asked of the selected key, for the visualizers to
//! show: the score range a ZRANGEBYSCORE-like command read (members in it
//! are highlighted), or the circle or box a GEOSEARCH-like command searched
//! (drawn on the map). Read from the command line as typed, so it shows
//! the question even when the answer is empty.

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
        _ => None,
    }
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
