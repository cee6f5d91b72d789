//! `ln` and `exp` built from `+ - * /` alone. The standard library's
//! versions call the platform's libm, and glibc (native tests) and musl's
//! port (wasm32) may differ in the last bit; a simulation must draw the
//! same numbers in the browser as in its native tests for one seed, and
//! IEEE basic operations are exactly rounded everywhere.

use std::f64::consts::{LN_2, SQRT_2};

/// ln 2 split as fdlibm splits it: the high part has its low bits zero, so
/// `k * LN2_HI` is exact and `exp`'s argument reduction loses nothing.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

const MANTISSA_BITS: u32 = 52;
const EXPONENT_BIAS: i64 = 1023;
const FRACTION_MASK: u64 = (1 << MANTISSA_BITS) - 1;

/// Natural logarithm; `-inf` for zero, negative or NaN input (the callers
/// pass positive numbers; this keeps the function total).
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return f64::INFINITY;
    }
    // Subnormals have no implicit leading bit: scale them into range first.
    let (x, shift) = if x < f64::MIN_POSITIVE {
        (x * 18_014_398_509_481_984.0, -54) // 2^54
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let mut exponent = ((bits >> MANTISSA_BITS) & 0x7ff) as i64 - EXPONENT_BIAS + shift;
    // m in [1, 2), then folded into [sqrt(1/2), sqrt(2)] so the series
    // below converges fast.
    let mut m = f64::from_bits((bits & FRACTION_MASK) | ((EXPONENT_BIAS as u64) << MANTISSA_BITS));
    if m > SQRT_2 {
        m /= 2.0;
        exponent += 1;
    }
    // ln(m) = 2 atanh(z) = 2 (z + z^3/3 + z^5/5 + ...), |z| <= 0.172.
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let mut term = z;
    let mut sum = 0.0;
    for k in 0..14 {
        sum += term / f64::from(2 * k + 1);
        term *= z2;
    }
    exponent as f64 * LN_2 + 2.0 * sum
}

/// `e^x`, saturating to `inf` and `0` outside the range of `f64`.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 709.78 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    // x = k ln 2 + r with |r| <= ln 2 / 2; e^r by its Taylor series.
    let k = (x / LN_2).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut sum = 1.0;
    let mut term = 1.0;
    for n in 1..20 {
        term *= r / f64::from(n);
        sum += term;
    }
    // k is within [-1075, 1024]: scale in two halves so each power of two
    // is a normal number.
    let k = k as i64;
    let half = k / 2;
    sum * pow2(half) * pow2(k - half)
}

/// `a^b` for positive `a`.
pub fn powf(a: f64, b: f64) -> f64 {
    exp(b * ln(a))
}

/// 2^k for k within the normal exponent range [-1022, 1023].
fn pow2(k: i64) -> f64 {
    let biased = (k + EXPONENT_BIAS).clamp(1, 2046) as u64;
    f64::from_bits(biased << MANTISSA_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        ((a - b) / b).abs() < 1e-14
    }

    #[test]
    fn matches_the_platform_within_rounding() {
        for &x in &[
            1e-310, 1e-5, 0.1, 0.5, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300,
        ] {
            assert!(
                close(ln(x), x.ln()) || (ln(x) - x.ln()).abs() < 1e-15,
                "ln {x}"
            );
        }
        for &x in &[-700.0, -20.0, -1.0, -1e-3, 0.0, 0.3, 1.0, 5.5, 100.0, 700.0] {
            assert!(close(exp(x), x.exp()), "exp {x}");
        }
        assert!(close(powf(10.0, -1.2), 10f64.powf(-1.2)));
    }

    #[test]
    fn is_total() {
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(-1.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::NAN), f64::NEG_INFINITY);
        assert_eq!(exp(1000.0), f64::INFINITY);
        assert_eq!(exp(-1000.0), 0.0);
        assert!(exp(f64::NAN).is_nan());
    }
}
