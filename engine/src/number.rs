//! Number text exactly as Redis reads and writes it: `string2ll`'s strict
//! integer syntax and the `%.17g` format of doubles.

/// Parses a 64-bit integer the way Redis's `string2ll` does: optional `-`,
/// no `+`, no spaces, no leading zeros, no overflow. `None` on anything else.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    match s {
        [] => None,
        [b'0'] => Some(0),
        [b'-', digits @ ..] => parse_magnitude(digits).and_then(|m| {
            // The magnitude of i64::MIN does not fit in i64, so negate in i128.
            i64::try_from(-i128::from(m)).ok()
        }),
        digits => parse_magnitude(digits).and_then(|m| i64::try_from(m).ok()),
    }
}

/// Digits with a leading 1-9, as an unsigned magnitude (fits u64 or fails).
fn parse_magnitude(digits: &[u8]) -> Option<u64> {
    let (first, rest) = digits.split_first()?;
    if !(b'1'..=b'9').contains(first) {
        return None;
    }
    let mut value = u64::from(first - b'0');
    for &d in rest {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(value)
}

/// Formats a double like C's `printf("%.17g")`, which Redis 7.0 uses for
/// double replies. Infinities are `inf`/`-inf` as Redis writes them.
pub fn format_g17(d: f64) -> String {
    if d.is_nan() {
        return "nan".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // An integral value below 10^17 prints as the integer it is (sorted
    // set scores mostly are), without the exact formatter's bignum work.
    if d.fract() == 0.0 && d.abs() < 1e17 {
        if d == 0.0 && d.is_sign_negative() {
            return "-0".to_string();
        }
        return (d as i64).to_string();
    }
    const PRECISION: i32 = 17;
    // `{:.16e}` rounds to 17 significant digits exactly as glibc does.
    let sci = format!("{:.16e}", d);
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..PRECISION).contains(&exp) {
        let mantissa = trim_fraction_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = usize::try_from(PRECISION - 1 - exp).unwrap_or(0);
        trim_fraction_zeros(&format!("{:.*}", decimals, d)).to_string()
    }
}

/// `%g` drops trailing zeros of the fraction, and the point if nothing is left.
fn trim_fraction_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn integers_follow_string2ll() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-1"), Some(-1));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"1.0",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"99999999999999999999999",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn doubles_format_like_printf_g17() {
        assert_eq!(format_g17(1.5), "1.5");
        assert_eq!(format_g17(0.1), "0.10000000000000001");
        assert_eq!(format_g17(3.0), "3");
        assert_eq!(format_g17(-0.0), "-0");
        assert_eq!(format_g17(1e20), "1e+20");
        assert_eq!(format_g17(1.5e-5), "1.5e-05");
        assert_eq!(format_g17(1.0 / 3.0), "0.33333333333333331");
        assert_eq!(format_g17(123456789012345680.0), "1.2345678901234568e+17");
        // Integral values take the short path; they print as %.17g does.
        let mut x: f64 = 1.0;
        while x < 1e17 {
            for d in [x, -x, x + 1.0, x * 3.0 - 1.0] {
                if d.abs() < 1e17 {
                    assert_eq!(format_g17(d), format!("{d:.0}"), "{d}");
                }
            }
            x *= 7.0;
        }
        assert_eq!(format_g17(1e17), "1e+17");
        assert_eq!(format_g17(99999999999999984.0), "99999999999999984");
        assert_eq!(format_g17(0.0001), "0.0001");
        assert_eq!(format_g17(f64::INFINITY), "inf");
        assert_eq!(format_g17(f64::NEG_INFINITY), "-inf");
    }
}

/// C's `strtod` over a whole argument: leading blanks skipped, decimal and
/// hexadecimal forms, `inf`/`infinity`/`nan` in any case. `None` when
/// characters are left over (an empty argument reads as 0, as in C). The
/// flag says whether C would set ERANGE (overflow, or a result below the
/// normal range).
pub fn strtod(raw: &[u8]) -> Option<(f64, bool)> {
    if raw.is_empty() {
        return Some((0.0, false));
    }
    let start = raw
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))?;
    let text = std::str::from_utf8(&raw[start..]).ok()?;
    let unsigned = text.trim_start_matches(['+', '-']);
    if text.len() - unsigned.len() > 1 {
        return None;
    }
    let negative = text.starts_with('-');
    let lower = unsigned.to_ascii_lowercase();
    let value = match lower.as_str() {
        "inf" | "infinity" => {
            return Some((
                if negative {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                },
                false,
            ))
        }
        "nan" => return Some((f64::NAN, false)),
        hex if hex.starts_with("0x") => {
            let ld = crate::long_double::LongDouble::parse(text.as_bytes())?;
            ld.to_f64()
        }
        // Rust's parser would also take words C does not at this point.
        decimal
            if decimal
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-')) =>
        {
            text.parse::<f64>().ok()?
        }
        _ => return None,
    };
    let mantissa = lower.split('e').next().unwrap_or_default();
    let nonzero_digits = mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b));
    let erange = value.is_infinite() || (nonzero_digits && (value == 0.0 || value.is_subnormal()));
    Some((value, erange))
}

/// A double argument as Redis's `getDoubleFromObject` reads it: no leading
/// blank, nothing left over, no NaN, no overflow or underflow to zero.
pub fn parse_double(raw: &[u8]) -> Option<f64> {
    if raw
        .first()
        .is_none_or(|b| b.is_ascii_whitespace() || *b == 0x0b)
    {
        return None;
    }
    let (value, erange) = strtod(raw)?;
    let out_of_range = erange && (value.is_infinite() || value == 0.0);
    (!value.is_nan() && !out_of_range).then_some(value)
}

#[cfg(test)]
mod strtod_tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::{parse_double, strtod};

    #[test]
    fn strtod_forms() {
        assert_eq!(strtod(b""), Some((0.0, false)));
        assert_eq!(strtod(b"  1.5"), Some((1.5, false)));
        assert_eq!(strtod(b"   "), None);
        assert_eq!(strtod(b"1.5 "), None);
        assert_eq!(strtod(b"-inf"), Some((f64::NEG_INFINITY, false)));
        assert_eq!(strtod(b"0x10"), Some((16.0, false)));
        assert_eq!(strtod(b"1e400"), Some((f64::INFINITY, true)));
        assert_eq!(strtod(b"1e-400"), Some((0.0, true)));
        assert!(strtod(b"nan").is_some_and(|(v, _)| v.is_nan()));
        assert_eq!(strtod(b"abc"), None);
        assert_eq!(strtod(b"--1"), None);
    }

    #[test]
    fn doubles_as_redis_reads_arguments() {
        assert_eq!(parse_double(b"1.5"), Some(1.5));
        assert_eq!(parse_double(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_double(b""), None);
        assert_eq!(parse_double(b" 1"), None);
        assert_eq!(parse_double(b"nan"), None);
        assert_eq!(parse_double(b"1e400"), None);
        assert_eq!(parse_double(b"1e-400"), None);
    }
}
