//! Lua 5.1's number conversions, independent of the VM.
//!
//! Real Lua does these through the C library, and Redis runs it on glibc on
//! x86-64, so that is the behaviour reproduced here: `tostring` of a number
//! is C's `%.14g` ([`write_number`]), string-to-number is `luaO_str2d` on
//! top of glibc's `strtod` ([`str_to_number`]), `tonumber(s, base)` is
//! `strtoul` ([`str_to_number_base`]), C's `%e`/`%f`/`%g` for any precision
//! ([`write_float`]), and the casts from `double` to integers that the
//! library performs ([`to_integer`], [`to_int`]).

/// The printf flags, width and precision of one conversion. `string.format`
/// fills it from the format text; [`write_number`] uses `%.14g`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spec {
    /// `-`: pad on the right.
    pub left: bool,
    /// `+`: always print a sign on signed conversions.
    pub plus: bool,
    /// ` `: print a space where a `+` would go.
    pub space: bool,
    /// `#`: the "alternate form" (keep the point and zeros, `0x` prefix...).
    pub alt: bool,
    /// `0`: pad with zeros after the sign (ignored with `-`, for inf/nan,
    /// and for integers that have a precision).
    pub zero: bool,
    /// Minimum field width.
    pub width: usize,
    /// `.N`; `None` when the format has no `.` at all.
    pub precision: Option<usize>,
}

/// The three floating-point conversions of C's printf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatStyle {
    /// `%f`
    Fixed,
    /// `%e` / `%E`
    Exponent,
    /// `%g` / `%G`
    General,
}

/// Appends `x` as `tostring(x)` shows it in Lua 5.1: C's `%.14g`, so
/// `1e+15`, `0.1`, `-0`, `inf`, `-inf`, `nan` and `-nan` (the sign of a NaN
/// is printed, as glibc does; `0/0` on x86-64 is a negative NaN).
pub fn write_number(out: &mut Vec<u8>, x: f64) {
    // Integers below 10^14 print all their digits under %.14g. They are
    // the common case (keys, counters) and need no float formatting; -0
    // must keep its sign, so it takes the general path.
    if x.fract() == 0.0 && x.abs() < 1e14 && !(x == 0.0 && x.is_sign_negative()) {
        out.extend_from_slice((x as i64).to_string().as_bytes());
        return;
    }
    let spec = Spec {
        precision: Some(14),
        ..Spec::default()
    };
    write_float(out, x, FloatStyle::General, false, &spec);
}

/// `tostring(x)` as a `String` (always ASCII); see [`write_number`].
pub fn number_to_string(x: f64) -> String {
    let mut out = Vec::new();
    write_number(&mut out, x);
    out.into_iter().map(char::from).collect()
}

/// Appends `x` formatted as glibc's printf does for `%f`, `%e` or `%g`
/// (`upper` gives `%E`/`%G` and `INF`/`NAN`) with the flags, width and
/// precision in `spec`. Digits are exact for any precision: Rust's float
/// formatting with an explicit precision is exactly rounded, ties to even,
/// like glibc in the default rounding mode. Allocates about
/// `precision + width + 330` bytes at most.
pub fn write_float(out: &mut Vec<u8>, x: f64, style: FloatStyle, upper: bool, spec: &Spec) {
    // The sign bit decides, so -0 and -nan print their '-'.
    let sign = sign(x.is_sign_negative(), spec);
    if !x.is_finite() {
        let body: &[u8] = match (x.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        pad(out, spec, sign, body, false);
        return;
    }
    let a = x.abs();
    let mut body = match style {
        FloatStyle::Fixed => fixed(a, spec.precision.unwrap_or(6), spec.alt),
        FloatStyle::Exponent => exponent(a, spec.precision.unwrap_or(6), spec.alt),
        FloatStyle::General => general(a, spec.precision.unwrap_or(6), spec.alt),
    };
    if upper {
        body.make_ascii_uppercase();
    }
    pad(out, spec, sign, body.as_bytes(), true);
}

/// The sign a signed conversion prints: `-`, or what the `+` and ` `
/// flags ask for.
pub(crate) fn sign(negative: bool, spec: &Spec) -> &'static [u8] {
    if negative {
        b"-"
    } else if spec.plus {
        b"+"
    } else if spec.space {
        b" "
    } else {
        b""
    }
}

/// Writes `prefix` (a sign, `0x`...) and `body` into a field of
/// `spec.width`: spaces on the left, spaces on the right (`-`), or zeros
/// between prefix and body (`0`, when the conversion allows it).
pub(crate) fn pad(out: &mut Vec<u8>, spec: &Spec, prefix: &[u8], body: &[u8], zero_ok: bool) {
    let fill = spec.width.saturating_sub(prefix.len() + body.len());
    if spec.left {
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.resize(out.len() + fill, b' ');
    } else if spec.zero && zero_ok {
        out.extend_from_slice(prefix);
        out.resize(out.len() + fill, b'0');
        out.extend_from_slice(body);
    } else {
        out.resize(out.len() + fill, b' ');
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
    }
}

/// `%.Nf` of a non-negative finite value.
fn fixed(a: f64, precision: usize, alt: bool) -> String {
    let mut s = format!("{a:.precision$}");
    if alt && precision == 0 {
        s.push('.');
    }
    s
}

/// Splits Rust's `{:.Ne}` output (`1.25e-7`) into mantissa and exponent.
fn rust_exponent(a: f64, precision: usize) -> (String, i32) {
    let s = format!("{a:.precision$e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => (mantissa.to_string(), exp.parse().unwrap_or(0)),
        None => (s, 0),
    }
}

/// C's exponent suffix: `e`, a sign, and at least two digits.
fn push_c_exponent(s: &mut String, exp: i32) {
    s.push('e');
    s.push(if exp < 0 { '-' } else { '+' });
    let digits = exp.unsigned_abs().to_string();
    if digits.len() < 2 {
        s.push('0');
    }
    s.push_str(&digits);
}

/// `%.Ne` of a non-negative finite value.
fn exponent(a: f64, precision: usize, alt: bool) -> String {
    let (mut s, exp) = rust_exponent(a, precision);
    if alt && precision == 0 {
        s.push('.');
    }
    push_c_exponent(&mut s, exp);
    s
}

/// `%.Ng` of a non-negative finite value: C picks `%e` when the exponent
/// (after rounding to N significant digits) is below -4 or at least N, and
/// `%f` otherwise, then drops trailing zeros unless `#` is given.
fn general(a: f64, precision: usize, alt: bool) -> String {
    let p = precision.max(1);
    let (mantissa, exp) = rust_exponent(a, p - 1);
    // glibc picks the style from the exponent before rounding. A value in
    // the fixed range that rounds up to 10^p moves to exponent style but
    // keeps only the digits the fixed layout had after the point (none),
    // visible with '#': "%#g" of 999999.5 is "1.e+06", not "1.00000e+06".
    // Doubles have at most 18 nines before a power of ten, so 40 digits
    // show the exponent before rounding.
    if alt && i64::from(exp) == p as i64 && rust_exponent(a, 39).1 == exp - 1 {
        let mut s = String::from("1.");
        push_c_exponent(&mut s, exp);
        return s;
    }
    let use_fixed = exp >= -4 && i64::from(exp) < p as i64;
    let (mut digits, suffix) = if use_fixed {
        let decimals = (p as i64 - 1 - i64::from(exp)).max(0) as usize;
        (format!("{a:.decimals$}"), None)
    } else {
        (mantissa, Some(exp))
    };
    if alt {
        if !digits.contains('.') {
            digits.push('.');
        }
    } else if digits.contains('.') {
        let kept = digits.trim_end_matches('0').trim_end_matches('.').len();
        digits.truncate(kept);
    }
    if let Some(exp) = suffix {
        push_c_exponent(&mut digits, exp);
    }
    digits
}

/// C's `isspace` in the C locale (note: includes `\v`, which Rust's
/// `is_ascii_whitespace` does not).
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The part of `s` that C sees: Lua hands the C library NUL-terminated
/// strings, so conversions stop at the first NUL (`tonumber("10\0x")` is 10).
pub fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(n) => s.get(..n).unwrap_or(s),
        None => s,
    }
}

fn skip_space(s: &[u8], mut i: usize) -> usize {
    while s.get(i).is_some_and(|&b| is_c_space(b)) {
        i += 1;
    }
    i
}

/// Converts a string the way Lua 5.1 does for `tonumber(s)`, for string
/// arithmetic (`"10"+1`) and wherever the library expects a number
/// (`luaO_str2d`): optional whitespace, then anything glibc's `strtod`
/// accepts (`1e5`, `.5`, `5.`, `0x1F`, `0x1p4`, `inf`, `infinity`, `nan`,
/// `nan(...)`, with an optional sign), then optional whitespace. Only the
/// text before the first NUL counts. `None` where Lua gives `nil`.
pub fn str_to_number(s: &[u8]) -> Option<f64> {
    // 5.1 retries a strtod failure that stopped at an 'x' with strtoul, but
    // glibc's strtod already reads hex, so that retry never accepts more.
    let s = c_str(s);
    let (x, end) = strtod(s)?;
    let rest = s.get(end..).unwrap_or(&[]);
    rest.iter().all(|&b| is_c_space(b)).then_some(x)
}

/// `tonumber(s, base)` for a base other than 10, after the caller has
/// checked `2 <= base <= 36` (else Lua raises "bad argument #2 to
/// 'tonumber' (base out of range)"; the base is converted with [`to_int`]).
/// Base 10 takes the [`str_to_number`] path in Lua, not this one.
///
/// This is `strtoul` then a cast to `double`: whitespace and a sign may
/// lead, base 16 takes an optional `0x`, a negative value wraps modulo
/// 2^64 (`tonumber("-1", 2)` is 1.844674407371e+19), an overflow gives
/// 2^64-1, and only whitespace may follow.
pub fn str_to_number_base(s: &[u8], base: u32) -> Option<f64> {
    let s = c_str(s);
    let (n, end) = strtoul(s, base)?;
    let rest = s.get(end..).unwrap_or(&[]);
    rest.iter().all(|&b| is_c_space(b)).then_some(n as f64)
}

/// Lua's `lua_Integer` cast of a number (`luaL_checkinteger`,
/// `luaL_optinteger`: string positions, `string.rep` counts...). On x86-64
/// it is the truncating `cvttsd2si`, which gives `i64::MIN` for NaN and for
/// anything out of range (Rust's `as` would saturate instead).
pub fn to_integer(x: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if (-LIMIT..LIMIT).contains(&x) {
        x as i64
    } else {
        i64::MIN
    }
}

/// Lua 5.1's `luaL_checkint`/`luaL_optint` (`tonumber`'s base, `gsub`'s
/// count...): the `lua_Integer` of [`to_integer`] narrowed to C `int`,
/// which keeps the low 32 bits (`2^32 + 2` becomes 2).
pub fn to_int(x: f64) -> i32 {
    to_integer(x) as i32
}

/// An optional sign at `i`, as strtod and strtoul read one: whether it is
/// `-`, and where the digits start.
fn read_sign(s: &[u8], i: usize) -> (bool, usize) {
    match s.get(i) {
        Some(b'-') => (true, i + 1),
        Some(b'+') => (false, i + 1),
        _ => (false, i),
    }
}

/// glibc's `strtod` on a C string: the value and the index just past what
/// it read, or `None` when nothing converts.
pub fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let (negative, i) = read_sign(s, skip_space(s, 0));
    let (magnitude, end) = special(s, i)
        .or_else(|| hex_float(s, i))
        .or_else(|| decimal(s, i))?;
    Some((if negative { -magnitude } else { magnitude }, end))
}

fn starts_with_ignore_case(s: &[u8], at: usize, word: &[u8]) -> bool {
    s.get(at..at + word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
}

/// `inf`, `infinity`, `nan` and `nan(chars)`, in any case.
fn special(s: &[u8], i: usize) -> Option<(f64, usize)> {
    if starts_with_ignore_case(s, i, b"infinity") {
        return Some((f64::INFINITY, i + 8));
    }
    if starts_with_ignore_case(s, i, b"inf") {
        return Some((f64::INFINITY, i + 3));
    }
    if !starts_with_ignore_case(s, i, b"nan") {
        return None;
    }
    let mut end = i + 3;
    if s.get(end) == Some(&b'(') {
        let mut j = end + 1;
        while s
            .get(j)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            j += 1;
        }
        // Without the closing parenthesis only "nan" itself is read.
        if s.get(j) == Some(&b')') {
            end = j + 1;
        }
    }
    Some((f64::NAN, end))
}

/// A decimal number: digits with an optional point (at least one digit in
/// all), then an exponent if it has digits. Rust's parser is correctly
/// rounded, like glibc's.
fn decimal(s: &[u8], start: usize) -> Option<(f64, usize)> {
    let digits_from = |mut i: usize| {
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let int_end = digits_from(start);
    let mut end = int_end;
    let mut has_digits = int_end > start;
    if s.get(end) == Some(&b'.') {
        let frac_end = digits_from(end + 1);
        has_digits |= frac_end > end + 1;
        end = frac_end;
    }
    if !has_digits {
        return None;
    }
    if matches!(s.get(end), Some(b'e' | b'E')) {
        let mut j = end + 1;
        if matches!(s.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_end = digits_from(j);
        if exp_end > j {
            end = exp_end;
        }
    }
    let text = std::str::from_utf8(s.get(start..end)?).ok()?;
    Some((text.parse().ok()?, end))
}

fn hex_digit(b: u8) -> Option<u64> {
    char::from(b).to_digit(16).map(u64::from)
}

/// A C99 hex float: `0x`, hex digits with an optional point (at least one
/// digit), then `p` and a decimal exponent if that has digits. Rounded to
/// nearest, ties to even, including into the subnormal range.
fn hex_float(s: &[u8], start: usize) -> Option<(f64, usize)> {
    if s.get(start) != Some(&b'0') || !matches!(s.get(start + 1), Some(b'x' | b'X')) {
        return None;
    }
    let mut i = start + 2;
    let mut mantissa: u64 = 0;
    let mut exp: i64 = 0;
    let mut sticky = false;
    let mut any = false;
    let mut after_point = false;
    loop {
        match s.get(i) {
            Some(b'.') if !after_point => after_point = true,
            Some(&b) => match hex_digit(b) {
                Some(d) => {
                    any = true;
                    if mantissa >> 60 == 0 {
                        mantissa = mantissa << 4 | d;
                        if after_point {
                            exp -= 4;
                        }
                    } else {
                        // No room left: the digit only matters for rounding.
                        sticky |= d != 0;
                        if !after_point {
                            exp += 4;
                        }
                    }
                }
                None => break,
            },
            None => break,
        }
        i += 1;
    }
    if !any {
        // "0x" with no digits: strtod reads just the "0".
        return None;
    }
    if matches!(s.get(i), Some(b'p' | b'P')) {
        let mut j = i + 1;
        let negative = match s.get(j) {
            Some(b'-') => {
                j += 1;
                true
            }
            Some(b'+') => {
                j += 1;
                false
            }
            _ => false,
        };
        let digits_start = j;
        let mut e: i64 = 0;
        while let Some(d) = s.get(j).and_then(|&b| char::from(b).to_digit(10)) {
            // Far beyond any double's range; saturating keeps it there.
            e = (e * 10 + i64::from(d)).min(1 << 40);
            j += 1;
        }
        if j > digits_start {
            exp += if negative { -e } else { e };
            i = j;
        }
    }
    Some((round_binary(mantissa, exp, sticky), i))
}

/// The double nearest to `mantissa * 2^exp` (plus a little more when
/// `sticky`), ties to even; overflow gives infinity.
fn round_binary(mantissa: u64, exp: i64, sticky: bool) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let lz = i64::from(mantissa.leading_zeros());
    let m = mantissa << lz;
    let e = exp - lz;
    // m has its top bit at 2^63, so the value is 1.x * 2^(e + 63). Keep 53
    // bits, or fewer when the value is subnormal (ulp fixed at 2^-1074).
    let ulp_exp = (e + 63 - 52).max(-1074);
    let shift = ulp_exp - e;
    if shift > 64 {
        // Below half the smallest subnormal.
        return 0.0;
    }
    let (q, rest) = if shift == 64 {
        (0, m)
    } else {
        (m >> shift, m & ((1u64 << shift) - 1))
    };
    let half = 1u64 << (shift - 1);
    let round_up = rest > half || (rest == half && (sticky || q & 1 == 1));
    let q = q + u64::from(round_up);
    // q * 2^ulp_exp: for a normal q in [2^52, 2^53] this bit pattern is
    // exponent and mantissa together (a carry to 2^53 moves into the
    // exponent by itself); for subnormals ulp_exp is -1074 and q is the
    // pattern.
    let biased = ulp_exp + 1074;
    if biased >= 2046 {
        return f64::INFINITY;
    }
    let bits = ((biased as u64) << 52).saturating_add(q);
    if bits >= f64::INFINITY.to_bits() {
        f64::INFINITY
    } else {
        f64::from_bits(bits)
    }
}

/// glibc's `strtoul(s, &end, base)` for `2 <= base <= 36`: the value and
/// where it stopped, or `None` when no digit was read.
fn strtoul(s: &[u8], base: u32) -> Option<(u64, usize)> {
    let digit = |b: u8| char::from(b).to_digit(36).filter(|&d| d < base);
    let (negative, mut i) = read_sign(s, skip_space(s, 0));
    // The "0x" prefix is only skipped when a hex digit follows; otherwise
    // the '0' is the number and the 'x' where it stops.
    if base == 16
        && s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).and_then(|&b| digit(b)).is_some()
    {
        i += 2;
    }
    let start = i;
    let mut value: u64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&b| digit(b)) {
        match value
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    let value = if overflow {
        u64::MAX
    } else if negative {
        value.wrapping_neg()
    } else {
        value
    };
    Some((value, i))
}
