//! Reply -> RESP bytes. RESP2 clients get RESP3 types downgraded the way
//! Redis downgrades them (maps flatten, doubles become bulk strings, ...).

use super::Protocol;
use crate::number::format_g17;
use crate::reply::Reply;

/// Appends the RESP encoding of `reply` to `out`.
pub fn encode(reply: &Reply, proto: Protocol, out: &mut Vec<u8>) {
    let resp3 = proto == Protocol::Resp3;
    match reply {
        Reply::Status(s) => line(out, b'+', s.as_bytes()),
        Reply::Error(s) => line(out, b'-', s.as_bytes()),
        Reply::Int(n) => number_line(out, b':', *n),
        Reply::Bulk(bytes) => bulk(out, b'$', bytes),
        Reply::Nil if resp3 => out.extend_from_slice(b"_\r\n"),
        Reply::Nil => out.extend_from_slice(b"$-1\r\n"),
        Reply::NilArray if resp3 => out.extend_from_slice(b"_\r\n"),
        Reply::NilArray => out.extend_from_slice(b"*-1\r\n"),
        Reply::Array(items) => aggregate(out, b'*', items, proto),
        Reply::Set(items) => aggregate(out, if resp3 { b'~' } else { b'*' }, items, proto),
        Reply::Push(items) => aggregate(out, if resp3 { b'>' } else { b'*' }, items, proto),
        Reply::Map(pairs) => {
            if resp3 {
                length_line(out, b'%', pairs.len());
            } else {
                length_line(out, b'*', pairs.len().saturating_mul(2));
            }
            for (key, value) in pairs {
                encode(key, proto, out);
                encode(value, proto, out);
            }
        }
        Reply::Double(d) if resp3 => line(out, b',', format_g17(*d).as_bytes()),
        Reply::Double(d) => bulk(out, b'$', format_g17(*d).as_bytes()),
        Reply::DoubleText(text) if resp3 => line(out, b',', text.as_bytes()),
        Reply::DoubleText(text) => bulk(out, b'$', text.as_bytes()),
        Reply::Bool(b) if resp3 => out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Reply::Bool(b) => line(out, b':', if *b { b"1" } else { b"0" }),
        Reply::BigNumber(digits) if resp3 => line(out, b'(', digits.as_bytes()),
        Reply::BigNumber(digits) => bulk(out, b'$', digits.as_bytes()),
        Reply::Verbatim(format, text) if resp3 => {
            let mut body = Vec::with_capacity(format.len() + 1 + text.len());
            body.extend_from_slice(format.as_bytes());
            body.push(b':');
            body.extend_from_slice(text);
            bulk(out, b'=', &body);
        }
        Reply::Verbatim(_, text) => bulk(out, b'$', text),
        Reply::Frames(frames) => {
            for frame in frames {
                encode(frame, proto, out);
            }
        }
    }
}

fn line(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(tag);
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
}

/// A line holding the decimal `n`, written straight into `out`: every bulk
/// string and aggregate has one, and formatting it through a `String`
/// cost an allocation per reply.
fn number_line(out: &mut Vec<u8>, tag: u8, n: i64) {
    // The tag, a sign, up to 20 digits (u64::MAX has 20) and CRLF, built
    // backwards on the stack and copied once.
    let mut line = [0u8; 24];
    let mut start = line.len() - 2;
    line[start..].copy_from_slice(b"\r\n");
    let mut rest = n.unsigned_abs();
    loop {
        start -= 1;
        line[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        start -= 1;
        line[start] = b'-';
    }
    start -= 1;
    line[start] = tag;
    out.extend_from_slice(&line[start..]);
}

fn length_line(out: &mut Vec<u8>, tag: u8, len: usize) {
    number_line(out, tag, i64::try_from(len).unwrap_or(i64::MAX));
}

fn bulk(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
    length_line(out, tag, bytes.len());
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
}

fn aggregate(out: &mut Vec<u8>, tag: u8, items: &[Reply], proto: Protocol) {
    length_line(out, tag, items.len());
    for item in items {
        encode(item, proto, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_lengths_are_written_in_decimal() {
        for n in [0, 7, -1, 10, -10, 1234567890, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            encode(&Reply::Int(n), Protocol::Resp2, &mut out);
            assert_eq!(out, format!(":{n}\r\n").into_bytes());
        }
        let mut out = Vec::new();
        encode(&Reply::Bulk(vec![b'x'; 12]), Protocol::Resp2, &mut out);
        assert_eq!(out, b"$12\r\nxxxxxxxxxxxx\r\n");
        let mut out = Vec::new();
        encode(&Reply::Bulk(Vec::new()), Protocol::Resp2, &mut out);
        assert_eq!(out, b"$0\r\n\r\n");
    }
}
