//! Byte strings that hold short contents inside themselves instead of in an
//! allocation of their own: the keyspace's keys. Most keys are a few bytes
//! (`user:1042`), and natively a `Vec` for one costs 24 bytes plus a 32-byte
//! allocation; inline they cost the 24 alone.

use std::fmt;

/// The most bytes held inline: what fits beside the length and the variant
/// tag in the space of the boxed variant and a word (22 natively, 10 in
/// wasm32).
const INLINE: usize = std::mem::size_of::<Box<[u8]>>() + std::mem::size_of::<usize>() - 2;

#[derive(Clone, PartialEq, Eq)]
pub enum InlineBytes {
    Inline { len: u8, bytes: [u8; INLINE] },
    Boxed(Box<[u8]>),
}

impl InlineBytes {
    /// Takes `data`'s bytes: inline if they fit, else its buffer, trimmed.
    pub fn from_vec(data: Vec<u8>) -> InlineBytes {
        let mut bytes = [0u8; INLINE];
        match bytes.get_mut(..data.len()) {
            Some(inline) => {
                inline.copy_from_slice(&data);
                InlineBytes::Inline {
                    len: data.len() as u8,
                    bytes,
                }
            }
            None => InlineBytes::Boxed(data.into_boxed_slice()),
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        match self {
            InlineBytes::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or(bytes),
            InlineBytes::Boxed(data) => data,
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        self.as_slice().to_vec()
    }
}

impl fmt::Debug for InlineBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::{InlineBytes, INLINE};

    #[test]
    fn short_contents_stay_inline_and_all_read_back_whole() {
        assert_eq!(
            std::mem::size_of::<InlineBytes>(),
            std::mem::size_of::<Box<[u8]>>() + std::mem::size_of::<usize>()
        );
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 1000] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let bytes = InlineBytes::from_vec(data.clone());
            assert_eq!(bytes.as_slice(), data.as_slice());
            assert_eq!(bytes.to_vec(), data);
            assert_eq!(matches!(bytes, InlineBytes::Inline { .. }), len <= INLINE);
            assert_eq!(bytes.clone(), bytes);
        }
        assert_ne!(
            InlineBytes::from_vec(b"ab".to_vec()),
            InlineBytes::from_vec(b"abc".to_vec())
        );
    }
}
