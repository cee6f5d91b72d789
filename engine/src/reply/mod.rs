//! The value a command answers with. One enum covers every RESP3 type; the
//! RESP encoder (`crate::resp`) downgrades it for RESP2 clients exactly as
//! Redis does, and `cli` renders it the way redis-cli prints it.

pub mod cli;

/// A reply, as produced by a command or parsed off the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+OK`: a status line, printed without quotes.
    Status(String),
    /// `-ERR ...`: the full error text, without the leading `-`.
    Error(String),
    Int(i64),
    Bulk(Vec<u8>),
    /// The null bulk string: `$-1` in RESP2, `_` in RESP3.
    Nil,
    /// The null array: `*-1` in RESP2, `_` in RESP3.
    NilArray,
    Array(Vec<Reply>),
    /// RESP3 map; a flat array of key, value, key, value in RESP2.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 set; an array in RESP2.
    Set(Vec<Reply>),
    /// RESP3 double; a bulk string in RESP2.
    Double(f64),
    /// A RESP3 double whose digits the command formatted itself (GEOPOS
    /// prints coordinates as `%.17Lf` with trailing zeros cut, not as
    /// `%.17g`); a bulk string of the same text in RESP2.
    DoubleText(String),
    /// RESP3 boolean; the integer 1 or 0 in RESP2.
    Bool(bool),
    /// RESP3 big number, kept as its decimal text; a bulk string in RESP2.
    BigNumber(String),
    /// RESP3 verbatim string: a three-letter format (`txt`, `mkd`) and the text.
    Verbatim(String, Vec<u8>),
    /// RESP3 out-of-band push (pub/sub messages); an array in RESP2.
    Push(Vec<Reply>),
    /// Several replies sent one after another (SUBSCRIBE to several
    /// channels, or a reply preceded by pushes), or none (a command that
    /// blocked, a reply switched off). Only ever at the top level.
    Frames(Vec<Reply>),
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::Status("OK".to_string())
    }

    pub fn bulk(bytes: &[u8]) -> Reply {
        Reply::Bulk(bytes.to_vec())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The frames this reply is sent as: itself, or a `Frames` unpacked.
    pub fn into_frames(self) -> Vec<Reply> {
        match self {
            Reply::Frames(frames) => frames,
            other => vec![other],
        }
    }

    /// The reply as a RESP2 client receives it: RESP3-only types become the
    /// RESP2 types the encoder sends for them.
    pub fn into_resp2(self) -> Reply {
        let all = |items: Vec<Reply>| items.into_iter().map(Reply::into_resp2).collect();
        match self {
            Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
                Reply::Array(all(items))
            }
            Reply::Frames(frames) => Reply::Frames(all(frames)),
            Reply::Map(pairs) => Reply::Array(
                pairs
                    .into_iter()
                    .flat_map(|(k, v)| [k.into_resp2(), v.into_resp2()])
                    .collect(),
            ),
            Reply::Double(d) => Reply::Bulk(crate::number::format_g17(d).into_bytes()),
            Reply::DoubleText(text) => Reply::Bulk(text.into_bytes()),
            Reply::Bool(b) => Reply::Int(i64::from(b)),
            Reply::BigNumber(digits) => Reply::Bulk(digits.into_bytes()),
            Reply::Verbatim(_, text) => Reply::Bulk(text),
            other => other,
        }
    }
}

impl From<crate::CmdError> for Reply {
    fn from(err: crate::CmdError) -> Reply {
        Reply::Error(err.to_string())
    }
}
