//! Replies in the compact tagged form `npm/exchange.mjs` decodes: a u32
//! frame count, then each frame as a tag byte and its payload (lengths and
//! counts u32 LE, integers i64 LE, doubles f64 LE). The wrapper turns it
//! into JS values: strings or bytes, numbers or BigInts, Maps, errors.
//!
//! RESP2 clients' replies were already reduced to RESP2 types, so RESP3's
//! set, verbatim string and null array need no tags of their own.

use redsim_engine::Reply;

const NIL: u8 = 0;
const STATUS: u8 = 1;
const ERROR: u8 = 2;
const INT: u8 = 3;
const BULK: u8 = 4;
const ARRAY: u8 = 5;
const MAP: u8 = 6;
const DOUBLE: u8 = 7;
const BOOL: u8 = 8;
const BIG_NUMBER: u8 = 9;
const PUSH: u8 = 10;
const DOUBLE_TEXT: u8 = 11;

/// Every frame of a reply (`Reply::Frames` holds several or none).
pub fn frames(reply: &Reply, out: &mut Vec<u8>) {
    match reply {
        Reply::Frames(items) => {
            count(items.len(), out);
            items.iter().for_each(|item| value(item, out));
        }
        one => {
            count(1, out);
            value(one, out);
        }
    }
}

fn value(reply: &Reply, out: &mut Vec<u8>) {
    match reply {
        Reply::Nil | Reply::NilArray => out.push(NIL),
        Reply::Status(text) => bytes(STATUS, text.as_bytes(), out),
        Reply::Error(text) => bytes(ERROR, text.as_bytes(), out),
        Reply::Int(n) => {
            out.push(INT);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Reply::Bulk(data) | Reply::Verbatim(_, data) => bytes(BULK, data, out),
        Reply::Array(items) | Reply::Set(items) | Reply::Frames(items) => list(ARRAY, items, out),
        Reply::Push(items) => list(PUSH, items, out),
        Reply::Map(pairs) => {
            out.push(MAP);
            count(pairs.len(), out);
            for (key, item) in pairs {
                value(key, out);
                value(item, out);
            }
        }
        Reply::Double(d) => {
            out.push(DOUBLE);
            out.extend_from_slice(&d.to_le_bytes());
        }
        Reply::DoubleText(text) => bytes(DOUBLE_TEXT, text.as_bytes(), out),
        Reply::Bool(b) => out.extend_from_slice(&[BOOL, u8::from(*b)]),
        Reply::BigNumber(digits) => bytes(BIG_NUMBER, digits.as_bytes(), out),
    }
}

fn list(tag: u8, items: &[Reply], out: &mut Vec<u8>) {
    out.push(tag);
    count(items.len(), out);
    items.iter().for_each(|item| value(item, out));
}

fn bytes(tag: u8, data: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    count(data.len(), out);
    out.extend_from_slice(data);
}

/// Lengths and counts: a reply in a 4 GB address space cannot exceed u32.
pub fn count(n: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}
