//! Replies to JavaScript values and arguments from them. Kept apart from
//! the class so the conversion rules (what becomes a BigInt, a Map, bytes)
//! read in one place.

use js_sys::{Array, BigInt, Map, Object, Reflect, Uint8Array};
use redsim_engine::Reply;
use wasm_bindgen::{JsCast, JsValue};

/// The largest integer a JS number holds exactly.
const MAX_SAFE: i64 = (1 << 53) - 1;

/// An argument's bytes: strings as UTF-8, Uint8Arrays as they are, numbers
/// and bigints in their decimal form, as client libraries send them.
pub fn arg_bytes(arg: &JsValue) -> Vec<u8> {
    if let Some(s) = arg.as_string() {
        return s.into_bytes();
    }
    if arg.is_instance_of::<Uint8Array>() {
        return Uint8Array::new(arg).to_vec();
    }
    if arg.is_bigint() {
        return String::from(BigInt::from(arg.clone()).to_string(10).unwrap_or_default())
            .into_bytes();
    }
    arg.as_f64()
        .map(|n| n.to_string())
        .unwrap_or_default()
        .into_bytes()
}

/// One frame a client received. A push (a pub/sub message, a subscribe
/// confirmation, an invalidation) becomes `{ push: [...] }`, so the wrapper
/// can tell it from a reply whatever the protocol. `buffers` gives bulk
/// strings as Uint8Array instead of (lossily decoded) strings.
pub fn frame(reply: Reply, buffers: bool) -> JsValue {
    match reply {
        Reply::Push(items) => {
            let push = Object::new();
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(&push, &"push".into(), &list(items, buffers));
            push.into()
        }
        other => value(other, buffers),
    }
}

/// Every frame of a reply (`Reply::Frames` holds several or none).
pub fn frames(reply: Reply, buffers: bool) -> Array {
    match reply {
        Reply::Frames(items) => items.into_iter().map(|f| frame(f, buffers)).collect(),
        one => std::iter::once(frame(one, buffers)).collect(),
    }
}

fn list(items: Vec<Reply>, buffers: bool) -> JsValue {
    items
        .into_iter()
        .map(|item| value(item, buffers))
        .collect::<Array>()
        .into()
}

fn value(reply: Reply, buffers: bool) -> JsValue {
    match reply {
        Reply::Status(s) => s.into(),
        Reply::Error(e) => js_sys::Error::new(&e).into(),
        Reply::Int(n) if (-MAX_SAFE..=MAX_SAFE).contains(&n) => (n as f64).into(),
        Reply::Int(n) => BigInt::from(n).into(),
        Reply::Bulk(bytes) | Reply::Verbatim(_, bytes) if buffers => {
            Uint8Array::from(bytes.as_slice()).into()
        }
        Reply::Bulk(bytes) | Reply::Verbatim(_, bytes) => {
            String::from_utf8_lossy(&bytes).into_owned().into()
        }
        Reply::Nil | Reply::NilArray => JsValue::NULL,
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) | Reply::Frames(items) => {
            list(items, buffers)
        }
        Reply::Map(pairs) => {
            let map = Map::new();
            for (k, v) in pairs {
                // Keys stay strings: a Map compares Uint8Array keys by
                // identity, so byte keys could never be looked up.
                map.set(&value(k, false), &value(v, buffers));
            }
            map.into()
        }
        Reply::Double(d) => d.into(),
        Reply::DoubleText(text) => text.parse::<f64>().map_or_else(|_| text.into(), Into::into),
        Reply::Bool(b) => b.into(),
        Reply::BigNumber(digits) => {
            BigInt::new(&JsValue::from_str(&digits)).map_or_else(|_| digits.into(), Into::into)
        }
    }
}
