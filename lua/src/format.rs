//! `string.format` as Lua 5.1.5 implements it on glibc/x86-64, independent
//! of the VM: the caller passes the arguments as [`Arg`]s and gets bytes or
//! a [`FormatError`] that renders as 5.1's message.
//!
//! 5.1 formats each item with C's `sprintf` into a fixed buffer, and some
//! of its quirks are visible from Lua and reproduced here: `%d` casts the
//! number to a C `long` (out of range gives `-9223372036854775808`), `%x`
//! and friends to `unsigned long`, `%c` to `int`; the item is then read
//! back as a C string, so `%c` of 0 adds nothing and `%s` stops at a NUL
//! (except a string of 100 bytes or more with no precision, which is copied
//! whole); flags take at most 5 characters, width and precision 2 digits.

use std::borrow::Cow;

use crate::number::{self, FloatStyle, Spec};

/// One argument after the format string, as the VM sees it. Numbers and
/// strings convert into each other as 5.1 does (`%d` accepts `"0x10"`, `%s`
/// accepts `1.5`); anything else is reported by its type name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg<'a> {
    Number(f64),
    Str(&'a [u8]),
    /// Any other value: its Lua type name (`"nil"`, `"table"`, ...).
    Other(&'static str),
}

/// Why `string.format` failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// A conversion has no argument left. `arg` is the 1-based position in
    /// the Lua call, so the first argument after the format is 2.
    NoValue { arg: usize },
    /// The argument has the wrong type: `expected` is `"number"` or
    /// `"string"`, `got` the type name (a non-numeric string is `"string"`).
    BadType {
        arg: usize,
        expected: &'static str,
        got: &'static str,
    },
    /// More than 5 flag characters.
    RepeatedFlags,
    /// A width or precision of 3 or more digits.
    TooLong,
    /// An unknown conversion character (0 when the format ends early).
    InvalidOption(u8),
    /// The output would pass the caller's size limit. Not a 5.1 message:
    /// the VM reports its out-of-memory error.
    OutputLimit,
}

impl FormatError {
    /// The 5.1 error message. `fname` is the name Lua's debug info gives
    /// the called function (`format` for `string.format(...)`, the local's
    /// name through an alias, `?` when unknown), used only by argument
    /// errors. For a method call (`("%d"):format(x)`) 5.1 counts arguments
    /// from the self, so the VM should pass the error with `arg - 1`.
    /// [`FormatError::OutputLimit`] has no 5.1 text; the VM raises "not
    /// enough memory" instead.
    pub fn message(&self, fname: &str) -> String {
        match *self {
            Self::NoValue { arg } => format!("bad argument #{arg} to '{fname}' (no value)"),
            Self::BadType { arg, expected, got } => {
                format!("bad argument #{arg} to '{fname}' ({expected} expected, got {got})")
            }
            Self::RepeatedFlags => "invalid format (repeated flags)".to_string(),
            Self::TooLong => "invalid format (width or precision too long)".to_string(),
            // 5.1 builds this with a "%c" that prints nothing for a NUL.
            Self::InvalidOption(0) => "invalid option '%' to 'format'".to_string(),
            Self::InvalidOption(c) => {
                format!("invalid option '%{}' to 'format'", char::from(c))
            }
            Self::OutputLimit => "output size limit exceeded".to_string(),
        }
    }
}

/// A string argument of this length or more, formatted by `%s` without a
/// precision, is copied as is (5.1 does not pass it through `sprintf`).
const LONG_STRING: usize = 100;
/// `sizeof("-+ #0")`: 5.1 rejects this many flag characters or more.
const MAX_FLAGS: usize = 6;

/// Formats `fmt` with `args` as `string.format(fmt, args...)` in Lua 5.1.
/// The result never grows past `limit` bytes ([`FormatError::OutputLimit`]
/// instead); work is linear in the size of `fmt` plus the output.
pub fn format(fmt: &[u8], args: &[Arg<'_>], limit: usize) -> Result<Vec<u8>, FormatError> {
    let mut out = Vec::new();
    let mut next_arg = 0;
    let mut i = 0;
    while let Some(&b) = fmt.get(i) {
        i += 1;
        if b != b'%' {
            push(&mut out, limit, &[b])?;
            continue;
        }
        if fmt.get(i) == Some(&b'%') {
            i += 1;
            push(&mut out, limit, b"%")?;
            continue;
        }
        // 5.1 checks that an argument exists before reading the item.
        let arg_no = next_arg + 2;
        let arg = *args
            .get(next_arg)
            .ok_or(FormatError::NoValue { arg: arg_no })?;
        next_arg += 1;
        let (spec, conv) = scan_spec(fmt, &mut i)?;
        let mut item = Vec::new();
        match conv {
            b'c' => {
                let byte = [c_int(number_arg(arg, arg_no)?) as u8];
                number::pad(&mut item, &spec, b"", &byte, false);
                // sprintf wrote a C string: everything from a NUL is lost.
                item.truncate(number::c_str(&item).len());
            }
            b'd' | b'i' => {
                let v = number::to_integer(number_arg(arg, arg_no)?);
                let digits = int_digits(&spec, v.unsigned_abs().to_string());
                write_int(&mut item, &spec, number::sign(v < 0, &spec), &digits);
            }
            b'u' => {
                let v = c_ulong(number_arg(arg, arg_no)?);
                write_int(&mut item, &spec, b"", &int_digits(&spec, v.to_string()));
            }
            b'o' => {
                let v = c_ulong(number_arg(arg, arg_no)?);
                let mut digits = int_digits(&spec, format!("{v:o}"));
                // '#' makes the first digit a 0 unless the precision did.
                if spec.alt && !digits.starts_with('0') {
                    digits.insert(0, '0');
                }
                write_int(&mut item, &spec, b"", &digits);
            }
            b'x' | b'X' => {
                let v = c_ulong(number_arg(arg, arg_no)?);
                let (digits, prefix): (String, &[u8]) = if conv == b'x' {
                    (format!("{v:x}"), b"0x")
                } else {
                    (format!("{v:X}"), b"0X")
                };
                let prefix = if spec.alt && v != 0 { prefix } else { b"" };
                write_int(&mut item, &spec, prefix, &int_digits(&spec, digits));
            }
            b'e' | b'E' | b'f' | b'g' | b'G' => {
                let style = match conv {
                    b'f' => FloatStyle::Fixed,
                    b'e' | b'E' => FloatStyle::Exponent,
                    _ => FloatStyle::General,
                };
                let x = number_arg(arg, arg_no)?;
                number::write_float(&mut item, x, style, conv.is_ascii_uppercase(), &spec);
            }
            b'q' => {
                // Flags, width and precision are ignored.
                let s = string_arg(arg, arg_no)?;
                write_quoted(&mut out, limit, &s)?;
            }
            b's' => {
                let s = string_arg(arg, arg_no)?;
                if spec.precision.is_none() && s.len() >= LONG_STRING {
                    push(&mut out, limit, &s)?;
                } else {
                    let s = number::c_str(&s);
                    let s = s.get(..spec.precision.unwrap_or(s.len())).unwrap_or(s);
                    number::pad(&mut item, &spec, b"", s, false);
                }
            }
            other => return Err(FormatError::InvalidOption(other)),
        }
        push(&mut out, limit, &item)?;
    }
    Ok(out)
}

/// Appends `bytes` unless that would pass `limit`.
fn push(out: &mut Vec<u8>, limit: usize, bytes: &[u8]) -> Result<(), FormatError> {
    if bytes.len() > limit.saturating_sub(out.len()) {
        return Err(FormatError::OutputLimit);
    }
    out.extend_from_slice(bytes);
    Ok(())
}

/// Reads the flags, width, precision and conversion character after a
/// `%`, leaving `*i` after the conversion character (0 stands for the end
/// of the format, as C would read the terminating NUL).
fn scan_spec(fmt: &[u8], i: &mut usize) -> Result<(Spec, u8), FormatError> {
    let at = |j: usize| fmt.get(j).copied().unwrap_or(0);
    let mut spec = Spec::default();
    let start = *i;
    loop {
        match at(*i) {
            b'-' => spec.left = true,
            b'+' => spec.plus = true,
            b' ' => spec.space = true,
            b'#' => spec.alt = true,
            b'0' => spec.zero = true,
            _ => break,
        }
        *i += 1;
    }
    if *i - start >= MAX_FLAGS {
        return Err(FormatError::RepeatedFlags);
    }
    let digits = |i: &mut usize| {
        let mut n = 0;
        for _ in 0..2 {
            if let Some(d) = char::from(at(*i)).to_digit(10) {
                n = n * 10 + d as usize;
                *i += 1;
            }
        }
        n
    };
    spec.width = digits(i);
    if at(*i) == b'.' {
        *i += 1;
        spec.precision = Some(digits(i));
    }
    if at(*i).is_ascii_digit() {
        return Err(FormatError::TooLong);
    }
    let conv = at(*i);
    *i += 1;
    Ok((spec, conv))
}

/// Applies an integer conversion's precision to its digits: a minimum digit
/// count, and no digit at all for a zero with precision 0.
fn int_digits(spec: &Spec, mut digits: String) -> String {
    if let Some(p) = spec.precision {
        if digits == "0" && p == 0 {
            digits.clear();
        }
        if digits.len() < p {
            digits.insert_str(0, &"0".repeat(p - digits.len()));
        }
    }
    digits
}

/// Writes an integer conversion; the `0` flag only applies without a
/// precision.
fn write_int(out: &mut Vec<u8>, spec: &Spec, prefix: &[u8], digits: &str) {
    number::pad(
        out,
        spec,
        prefix,
        digits.as_bytes(),
        spec.precision.is_none(),
    );
}

/// `luaL_checknumber` on argument `arg_no`.
fn number_arg(arg: Arg<'_>, arg_no: usize) -> Result<f64, FormatError> {
    let bad = |got| FormatError::BadType {
        arg: arg_no,
        expected: "number",
        got,
    };
    match arg {
        Arg::Number(x) => Ok(x),
        Arg::Str(s) => number::str_to_number(s).ok_or(bad("string")),
        Arg::Other(got) => Err(bad(got)),
    }
}

/// `luaL_checklstring` on argument `arg_no`: numbers print as `tostring`.
fn string_arg<'a>(arg: Arg<'a>, arg_no: usize) -> Result<Cow<'a, [u8]>, FormatError> {
    match arg {
        Arg::Str(s) => Ok(s.into()),
        Arg::Number(x) => {
            let mut s = Vec::new();
            number::write_number(&mut s, x);
            Ok(s.into())
        }
        Arg::Other(got) => Err(FormatError::BadType {
            arg: arg_no,
            expected: "string",
            got,
        }),
    }
}

/// `%q`: quotes, escaping `"`, `\` and newline with a backslash, `\r` as
/// `\r` and NUL as `\000`; every other byte is copied as is.
fn write_quoted(out: &mut Vec<u8>, limit: usize, s: &[u8]) -> Result<(), FormatError> {
    push(out, limit, b"\"")?;
    for &b in s {
        let piece: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\\n",
            b'\r' => b"\\r",
            0 => b"\\000",
            _ => std::slice::from_ref(&b),
        };
        push(out, limit, piece)?;
    }
    push(out, limit, b"\"")
}

/// C's `(int)x` on x86-64 (`cvttsd2si` to 32 bits): truncation, with
/// `i32::MIN` for NaN and out-of-range values.
fn c_int(x: f64) -> i32 {
    if x > -2_147_483_649.0 && x < 2_147_483_648.0 {
        x as i32
    } else {
        i32::MIN
    }
}

/// C's `(unsigned long)x` as gcc compiles it on x86-64: below 2^63 (and
/// for NaN) the signed conversion's bits, otherwise the signed conversion
/// of `x - 2^63` with the top bit flipped. So -1 gives 2^64-1, and 2^64,
/// 1e30 and inf give 0.
fn c_ulong(x: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if x >= TWO_63 {
        (number::to_integer(x - TWO_63) as u64) ^ (1 << 63)
    } else {
        number::to_integer(x) as u64
    }
}
