//! Redis's geohash. A position becomes two 26-bit cell numbers (latitude
//! and longitude, each the fraction of its range times 2^26) interleaved bit
//! by bit into one 52-bit integer, latitude on the even bits: that integer
//! is the sorted-set score, so nearby places sort near each other. Coarser
//! cells ("steps" of fewer bits) serve the area search, and GEOHASH re-encodes
//! on the standard -90..90 latitude range to print the usual base32 text.
//!
//! Every floating-point step is done in the order Redis does it in C
//! doubles, so decoded coordinates match Redis bit for bit.

/// Longitude and latitude limits Redis accepts (the Web Mercator square).
pub const LON_MIN: f64 = -180.0;
pub const LON_MAX: f64 = 180.0;
pub const LAT_MIN: f64 = -85.051_128_78;
pub const LAT_MAX: f64 = 85.051_128_78;

/// Bits per coordinate of a stored position.
pub const STEP_MAX: u8 = 26;

/// An interval of one coordinate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub min: f64,
    pub max: f64,
}

/// The coordinate ranges positions are hashed on: Redis's own for scores...
pub const SCORE_LON: Span = Span {
    min: LON_MIN,
    max: LON_MAX,
};
pub const SCORE_LAT: Span = Span {
    min: LAT_MIN,
    max: LAT_MAX,
};
/// ...and the standard latitude range the GEOHASH text is computed on.
pub const STANDARD_LAT: Span = Span {
    min: -90.0,
    max: 90.0,
};

/// A cell: `step` bits per coordinate, interleaved in the low `2 * step`
/// bits. `Cell::NONE` (no bits, step 0) marks a neighbour left out of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub bits: u64,
    pub step: u8,
}

impl Cell {
    pub const NONE: Cell = Cell { bits: 0, step: 0 };

    pub fn is_none(self) -> bool {
        self == Cell::NONE
    }

    /// The cell's bits shifted up to score precision (52 bits).
    pub fn to_score_bits(self) -> u64 {
        let shift = 52u32.saturating_sub(2 * u32::from(self.step));
        self.bits.checked_shl(shift).unwrap_or(0)
    }

    /// The scores a cell covers: from `min` (inclusive) to `max` (exclusive).
    pub fn score_bounds(self) -> (u64, u64) {
        let next = Cell {
            bits: self.bits.wrapping_add(1),
            step: self.step,
        };
        (self.to_score_bits(), next.to_score_bits())
    }
}

/// The rectangle a cell covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub lon: Span,
    pub lat: Span,
}

/// Moves the low 32 bits of `v` to the even bit positions.
fn spread(v: u32) -> u64 {
    (0..32).fold(0, |out, i| out | ((u64::from(v) >> i) & 1) << (2 * i))
}

/// The even bits of `v`, packed into 32 bits (the inverse of `spread`).
fn gather(v: u64) -> u32 {
    (0..32).fold(0, |out, i| out | (((v >> (2 * i)) & 1) as u32) << i)
}

/// The cell of `step` bits per coordinate holding (lon, lat). Callers have
/// checked the coordinates lie within both the ranges and Redis's limits.
/// A coordinate exactly at a range's maximum yields the cell number 2^step,
/// one past the last, as in Redis.
pub fn encode(lon_span: Span, lat_span: Span, lon: f64, lat: f64, step: u8) -> Cell {
    let cells = (1u64 << step.min(32)) as f64;
    let lat_offset = (lat - lat_span.min) / (lat_span.max - lat_span.min) * cells;
    let lon_offset = (lon - lon_span.min) / (lon_span.max - lon_span.min) * cells;
    // C converts the offsets to 32-bit unsigned integers by truncation.
    Cell {
        bits: spread(lat_offset as u32) | spread(lon_offset as u32) << 1,
        step,
    }
}

/// The score cell of a position (Redis's limits, 26 bits per coordinate).
pub fn encode_score(lon: f64, lat: f64) -> Cell {
    encode(SCORE_LON, SCORE_LAT, lon, lat, STEP_MAX)
}

/// The rectangle `cell` covers on the given ranges.
pub fn decode(lon_span: Span, lat_span: Span, cell: Cell) -> Area {
    let lat_cell = gather(cell.bits);
    let lon_cell = gather(cell.bits >> 1);
    let cells = (1u64 << cell.step.min(32)) as f64;
    let lat_scale = lat_span.max - lat_span.min;
    let lon_scale = lon_span.max - lon_span.min;
    // The cell numbers are 32-bit in C: `+ 1` wraps on a bogus all-ones score.
    let edge = |span: Span, scale: f64, n: u32| span.min + (f64::from(n) / cells) * scale;
    Area {
        lat: Span {
            min: edge(lat_span, lat_scale, lat_cell),
            max: edge(lat_span, lat_scale, lat_cell.wrapping_add(1)),
        },
        lon: Span {
            min: edge(lon_span, lon_scale, lon_cell),
            max: edge(lon_span, lon_scale, lon_cell.wrapping_add(1)),
        },
    }
}

/// The centre of an area, pulled back inside Redis's limits (a score that
/// was not made by GEOADD can decode to anywhere).
pub fn centre(area: Area) -> (f64, f64) {
    let lon = ((area.lon.min + area.lon.max) / 2.0).clamp(LON_MIN, LON_MAX);
    let lat = ((area.lat.min + area.lat.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// A sorted-set score read as 52 hash bits the way Redis's C cast reads a
/// double as `uint64_t` on x86-64: truncation toward zero below 2^63 (a
/// negative score wraps around), otherwise the value minus 2^63 with the top
/// bit set; anything a 64-bit signed conversion cannot hold reads as 2^63
/// there, so infinities and huge scores land on fixed bit patterns.
pub fn score_to_bits(score: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    // The x86-64 signed conversion: out of range (or NaN) gives i64::MIN.
    let signed = |x: f64| {
        if x.is_nan() || !(-TWO_63..TWO_63).contains(&x) {
            i64::MIN
        } else {
            x as i64
        }
    };
    if score < TWO_63 {
        signed(score) as u64
    } else {
        (signed(score - TWO_63) as u64) ^ (1 << 63)
    }
}

/// The position a score stands for (the centre of its 26-bit cell).
pub fn score_to_lon_lat(score: f64) -> (f64, f64) {
    let cell = Cell {
        bits: score_to_bits(score),
        step: STEP_MAX,
    };
    centre(decode(SCORE_LON, SCORE_LAT, cell))
}

/// The score GEOADD stores for a position.
pub fn lon_lat_to_score(lon: f64, lat: f64) -> u64 {
    encode_score(lon, lat).to_score_bits()
}

/// Adds `delta` (+1 or -1) to the number whose bits sit at the positions
/// `mask` selects within the cell's `2 * step` bits, wrapping around, and
/// leaves the other coordinate alone. Filling the gaps between those
/// positions with ones lets the carry (or borrow) jump over them.
fn shift(cell: Cell, mask: u64, delta: i8) -> Cell {
    let width = 64 - 2 * u32::from(cell.step.min(32));
    let within = |m: u64| m.checked_shr(width).unwrap_or(0);
    let own = cell.bits & mask;
    let other = cell.bits & !mask;
    let gaps = within(!mask);
    let one = gaps.wrapping_add(1);
    let moved = if delta > 0 {
        own.wrapping_add(one)
    } else {
        (own | gaps).wrapping_sub(one)
    };
    Cell {
        bits: (moved & within(mask)) | other,
        step: cell.step,
    }
}

const LON_BITS: u64 = 0xaaaa_aaaa_aaaa_aaaa;
const LAT_BITS: u64 = 0x5555_5555_5555_5555;

fn east_west(cell: Cell, delta: i8) -> Cell {
    shift(cell, LON_BITS, delta)
}

fn north_south(cell: Cell, delta: i8) -> Cell {
    shift(cell, LAT_BITS, delta)
}

/// A cell and its eight neighbours, in the order Redis searches them:
/// the cell itself, north, south, east, west, north-east, north-west,
/// south-east, south-west.
pub fn with_neighbours(cell: Cell) -> [Cell; 9] {
    [
        cell,
        north_south(cell, 1),
        north_south(cell, -1),
        east_west(cell, 1),
        east_west(cell, -1),
        north_south(east_west(cell, 1), 1),
        north_south(east_west(cell, -1), 1),
        north_south(east_west(cell, 1), -1),
        north_south(east_west(cell, -1), -1),
    ]
}

/// The 11-character base32 text GEOHASH prints for a position: its 52-bit
/// hash on the standard latitude range, 5 bits a character from the top,
/// and a last character that always reads `0` (there are no bits left).
pub fn geohash_text(lon: f64, lat: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let bits = encode(SCORE_LON, STANDARD_LAT, lon, lat, STEP_MAX).bits;
    let mut text = [b'0'; 11];
    for (i, ch) in text.iter_mut().take(10).enumerate() {
        let index = (bits >> (47 - 5 * i)) & 0x1f;
        *ch = ALPHABET.get(index as usize).copied().unwrap_or(b'0');
    }
    text
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn spreading_and_gathering_are_inverse() {
        for v in [0u32, 1, 2, 0x3ff_ffff, 0x400_0000, u32::MAX, 0x1234_5678] {
            assert_eq!(gather(spread(v)), v);
            assert_eq!(spread(v) & LON_BITS, 0);
        }
        assert_eq!(spread(0b1011), 0b100_0101);
    }

    #[test]
    fn scores_match_redis() {
        // GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
        assert_eq!(
            lon_lat_to_score(13.361389, 38.115556),
            3_479_099_956_230_698
        );
        assert_eq!(
            lon_lat_to_score(15.087269, 37.502669),
            3_479_447_370_796_909
        );
        // At the maximum both cell numbers overflow into bits 52 and 53.
        assert_eq!(lon_lat_to_score(180.0, LAT_MAX), 13_510_798_882_111_488);
        assert_eq!(lon_lat_to_score(-180.0, LAT_MIN), 0);
    }

    #[test]
    fn decoding_returns_the_cell_centre() {
        let (lon, lat) = score_to_lon_lat(3_479_099_956_230_698.0);
        assert_eq!(lon, 13.361_389_338_970_184);
        assert_eq!(lat, 38.115_556_395_496_3);
        // Round trips stay within half a cell (360 / 2^27 degrees of longitude).
        for (lon, lat) in [
            (0.0, 0.0),
            (-122.4194, 37.7749),
            (179.9999, -85.0),
            (-0.5, 85.05),
        ] {
            let (x, y) = score_to_lon_lat(lon_lat_to_score(lon, lat) as f64);
            assert!((x - lon).abs() <= 360.0 / f64::from(1u32 << 27));
            assert!((y - lat).abs() <= 171.0 / f64::from(1u32 << 27));
        }
    }

    #[test]
    fn odd_scores_decode_like_redis() {
        // GEOPOS on plain sorted sets (values seen on Redis 7.0).
        assert_eq!(score_to_bits(-1.0), u64::MAX);
        assert_eq!(score_to_bits(-0.5), 0);
        assert_eq!(score_to_bits(f64::NEG_INFINITY), 1 << 63);
        assert_eq!(score_to_bits(f64::INFINITY), 0);
        assert_eq!(score_to_bits(2e19), 0);
        assert_eq!(score_to_bits(1.8e19), 18_000_000_000_000_000_000);
        assert_eq!(score_to_lon_lat(-1.0), (LON_MAX, LAT_MAX));
        assert_eq!(score_to_lon_lat(f64::NEG_INFINITY).0, LON_MAX);
    }

    #[test]
    fn neighbours_step_one_cell_and_wrap() {
        let cell = encode(SCORE_LON, SCORE_LAT, 10.0, 20.0, 10);
        let area = decode(SCORE_LON, SCORE_LAT, cell);
        let [_, n, s, e, w, ne, nw, se, sw] = with_neighbours(cell);
        let a = |c: Cell| decode(SCORE_LON, SCORE_LAT, c);
        assert_eq!(a(n).lat.min, area.lat.max);
        assert_eq!(a(s).lat.max, area.lat.min);
        assert_eq!(a(e).lon.min, area.lon.max);
        assert_eq!(a(w).lon.max, area.lon.min);
        assert_eq!(a(n).lon, area.lon);
        assert_eq!((a(ne).lon, a(ne).lat), (a(e).lon, a(n).lat));
        assert_eq!((a(nw).lon, a(nw).lat), (a(w).lon, a(n).lat));
        assert_eq!((a(se).lon, a(se).lat), (a(e).lon, a(s).lat));
        assert_eq!((a(sw).lon, a(sw).lat), (a(w).lon, a(s).lat));
        // The easternmost cell's east neighbour is the westernmost one.
        let edge = encode(SCORE_LON, SCORE_LAT, 179.9, 0.0, 4);
        let east = with_neighbours(edge)[3];
        assert_eq!(decode(SCORE_LON, SCORE_LAT, east).lon.min, LON_MIN);
    }

    #[test]
    fn geohash_text_matches_redis() {
        let (lon, lat) = score_to_lon_lat(3_479_099_956_230_698.0);
        assert_eq!(&geohash_text(lon, lat), b"sqc8b49rny0");
        let (lon, lat) = score_to_lon_lat(0.0);
        assert_eq!(&geohash_text(lon, lat), b"00bh0hbj200");
    }

    #[test]
    fn cell_score_bounds() {
        let cell = Cell { bits: 3, step: 1 };
        assert_eq!(cell.score_bounds(), (3 << 50, 1 << 52));
        assert!(Cell::NONE.is_none() && !Cell { bits: 0, step: 1 }.is_none());
    }
}
