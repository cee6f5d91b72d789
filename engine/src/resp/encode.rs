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
        Reply::Int(n) => line(out, b':', n.to_string().as_bytes()),
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
                line(out, b'%', pairs.len().to_string().as_bytes());
            } else {
                line(out, b'*', (pairs.len() * 2).to_string().as_bytes());
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

fn bulk(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
    line(out, tag, bytes.len().to_string().as_bytes());
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
}

fn aggregate(out: &mut Vec<u8>, tag: u8, items: &[Reply], proto: Protocol) {
    line(out, tag, items.len().to_string().as_bytes());
    for item in items {
        encode(item, proto, out);
    }
}
