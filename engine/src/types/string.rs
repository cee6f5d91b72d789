//! Redis strings and their three encodings, decided by Redis's own rules
//! (`tryObjectEncoding`): a canonical integer of at most 20 characters is
//! stored as `int`; other values of at most 44 bytes as `embstr`; longer
//! values, and any value modified in place (APPEND, SETRANGE, SETBIT), as
//! `raw`.

use std::borrow::Cow;

use crate::number::parse_i64;

/// Longest value Redis stores as `embstr`.
const EMBSTR_LIMIT: usize = 44;
/// Longest text Redis tries to read as an integer.
const INT_TEXT_LIMIT: usize = 20;
/// Longest value kept inside the `RString` itself: as many bytes as fit
/// beside the length and the tag without making the type (and so every
/// key's slot) larger than its `Vec`-holding variant: 30 bytes natively,
/// 14 in wasm32. Most keys' values are this short, and each saves an
/// allocation (32 bytes or more natively).
const SHORT_LIMIT: usize = std::mem::size_of::<Vec<u8>>() + std::mem::size_of::<usize>() - 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RString {
    Int(i64),
    /// An `embstr` of at most `SHORT_LIMIT` bytes, stored inline.
    Short {
        len: u8,
        bytes: [u8; SHORT_LIMIT],
    },
    /// Bytes; `raw` once modified in place or when longer than 44 bytes.
    Bytes {
        data: Vec<u8>,
        raw: bool,
    },
}

impl RString {
    /// A value as SET stores its argument.
    pub fn from_arg(bytes: &[u8]) -> RString {
        if bytes.len() <= INT_TEXT_LIMIT {
            if let Some(n) = parse_i64(bytes) {
                return RString::Int(n);
            }
        }
        RString::short(bytes).unwrap_or_else(|| RString::Bytes {
            data: bytes.to_vec(),
            raw: bytes.len() > EMBSTR_LIMIT,
        })
    }

    /// A value computed as text (INCRBYFLOAT's result), never an integer.
    pub fn from_text(data: Vec<u8>) -> RString {
        RString::short(&data).unwrap_or_else(|| {
            let raw = data.len() > EMBSTR_LIMIT;
            RString::Bytes { data, raw }
        })
    }

    /// `bytes` inline, if short enough.
    fn short(bytes: &[u8]) -> Option<RString> {
        let mut inline = [0u8; SHORT_LIMIT];
        inline.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(RString::Short {
            len: bytes.len() as u8,
            bytes: inline,
        })
    }

    pub fn as_bytes(&self) -> Cow<'_, [u8]> {
        match self {
            RString::Int(n) => Cow::Owned(n.to_string().into_bytes()),
            RString::Short { len, bytes } => {
                Cow::Borrowed(bytes.get(..usize::from(*len)).unwrap_or(bytes))
            }
            RString::Bytes { data, .. } => Cow::Borrowed(data),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            RString::Int(n) => n.to_string().len(),
            RString::Short { len, .. } => usize::from(*len),
            RString::Bytes { data, .. } => data.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs `edit` on the bytes and leaves the value `raw`, as Redis unshares
    /// a value before APPEND, SETRANGE or SETBIT modify it in place.
    pub fn modify<R>(&mut self, edit: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let mut data = match std::mem::replace(self, RString::Int(0)) {
            RString::Int(n) => n.to_string().into_bytes(),
            short @ RString::Short { .. } => short.as_bytes().into_owned(),
            RString::Bytes { data, .. } => data,
        };
        let result = edit(&mut data);
        *self = RString::Bytes { data, raw: true };
        result
    }

    /// The integer value, if the string is one in Redis's strict syntax.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            RString::Int(n) => Some(*n),
            RString::Short { .. } => parse_i64(&self.as_bytes()),
            RString::Bytes { data, .. } => parse_i64(data),
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            RString::Int(_) => "int",
            RString::Bytes { raw: true, .. } => "raw",
            RString::Short { .. } | RString::Bytes { raw: false, .. } => "embstr",
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::RString;

    #[test]
    fn encodings_follow_redis_rules() {
        assert_eq!(RString::from_arg(b"12345").encoding(), "int");
        assert_eq!(RString::from_arg(b"-9223372036854775808").encoding(), "int");
        assert_eq!(RString::from_arg(b"012").encoding(), "embstr");
        assert_eq!(
            RString::from_arg(b"9223372036854775808").encoding(),
            "embstr"
        );
        assert_eq!(RString::from_arg(&[b'a'; 44]).encoding(), "embstr");
        assert_eq!(RString::from_arg(&[b'a'; 45]).encoding(), "raw");
        let mut s = RString::from_arg(b"7");
        s.modify(|bytes| bytes.push(b'8'));
        assert_eq!(s.encoding(), "raw");
        assert_eq!(s.as_bytes().as_ref(), b"78");
        assert_eq!(s.as_i64(), Some(78));
    }

    #[test]
    fn short_values_live_inline_and_read_back_whole() {
        // Inline costs no size: a value is as large as with a Vec alone.
        assert_eq!(
            std::mem::size_of::<RString>(),
            std::mem::size_of::<Vec<u8>>() + std::mem::size_of::<usize>()
        );
        let limit = super::SHORT_LIMIT;
        for len in [0, 1, limit - 1, limit, limit + 1, 44, 45] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            for s in [RString::from_arg(&text), RString::from_text(text.clone())] {
                assert_eq!(s.as_bytes().as_ref(), text.as_slice());
                assert_eq!(s.len(), len);
                let expected = if len > 44 { "raw" } else { "embstr" };
                assert_eq!(s.encoding(), expected, "{len} bytes");
                assert_eq!(
                    matches!(s, RString::Short { .. }),
                    len <= super::SHORT_LIMIT
                );
            }
        }
        assert_eq!(RString::from_text(b"-12".to_vec()).as_i64(), Some(-12));
        let mut s = RString::from_arg(b"short");
        s.modify(|bytes| bytes.extend_from_slice(b" and longer"));
        assert_eq!(s.as_bytes().as_ref(), b"short and longer");
        assert_eq!(s.encoding(), "raw");
    }
}
