//! Share links: a command script carried in the URL fragment as
//! `#run=` + base64url (no padding) of its raw DEFLATE, so it never
//! reaches a server and stays short. Opening one replays the script into a
//! fresh engine (never the visitor's saved data).

use std::fmt;

/// The fragment's prefix.
pub const PREFIX: &str = "run=";

/// Largest script a link may unpack to: a damaged or hostile link cannot
/// make the tab inflate without end.
const MAX_SCRIPT: usize = 1 << 20;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[derive(Debug, Clone, PartialEq)]
pub enum ShareError {
    NotBase64,
    NotDeflate,
    TooLarge,
    NotText,
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShareError::NotBase64 => "the link is damaged (not base64url)",
            ShareError::NotDeflate => "the link is damaged (does not decompress)",
            ShareError::TooLarge => "the script in the link is larger than 1 MB",
            ShareError::NotText => "the script in the link is not UTF-8 text",
        })
    }
}

/// The fragment (without `#`) for `script`.
pub fn encode(script: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(script.as_bytes(), 9);
    format!("{PREFIX}{}", base64url(&packed))
}

/// The fragment for `script` as DEFLATE's stored (uncompressed) blocks,
/// which any inflater reads (`decode` included) and which need no
/// compressor: the docs widget links with this, so its budgeted download
/// carries no deflate code. Its scripts are a few lines, and the link comes
/// out about a third longer than the text.
pub fn encode_stored(script: &str) -> String {
    let bytes = script.as_bytes();
    let mut packed = Vec::with_capacity(bytes.len() + 5 * (bytes.len() / 0xffff + 1));
    let mut chunks = bytes.chunks(0xffff).peekable();
    if chunks.peek().is_none() {
        // One empty final block.
        packed.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        // BFINAL on the last block, BTYPE 00 (stored); the header's other
        // bits pad to the byte, then LEN and its complement, little-endian.
        packed.push(u8::from(chunks.peek().is_none()));
        let len = u16::try_from(chunk.len()).unwrap_or(u16::MAX);
        packed.extend_from_slice(&len.to_le_bytes());
        packed.extend_from_slice(&(!len).to_le_bytes());
        packed.extend_from_slice(chunk);
    }
    format!("{PREFIX}{}", base64url(&packed))
}

/// The script a fragment (without `#`) carries; None if it is no share
/// fragment at all.
pub fn decode(fragment: &str) -> Option<Result<String, ShareError>> {
    let data = fragment.strip_prefix(PREFIX)?;
    Some(unpack(data))
}

fn unpack(data: &str) -> Result<String, ShareError> {
    let packed = from_base64url(data).ok_or(ShareError::NotBase64)?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SCRIPT).map_err(
        |e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLarge,
            _ => ShareError::NotDeflate,
        },
    )?;
    String::from_utf8(bytes).map_err(|_| ShareError::NotText)
}

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn from_base64url(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(plain.as_bytes()), coded);
            assert_eq!(from_base64url(coded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(from_base64url("Zm9vYg=="), Some(b"foob".to_vec()));
        assert_eq!(from_base64url("Zm9vY"), None);
        assert_eq!(from_base64url("Zm+v"), None, "not the url alphabet");
    }

    #[test]
    fn stored_blocks_decode_like_compressed_ones() {
        let long = "ZADD board 1 ada\n".repeat(5000);
        for script in ["", "SET k v\nGET k\n", long.as_str()] {
            let fragment = encode_stored(script);
            assert!(fragment.starts_with(PREFIX));
            assert_eq!(decode(&fragment), Some(Ok(script.to_string())));
        }
        assert!(long.len() > 0xffff, "more than one block");
        assert_eq!(
            encode_stored("PING"),
            format!(
                "{PREFIX}{}",
                base64url(&[1, 4, 0, 0xfb, 0xff, b'P', b'I', b'N', b'G'])
            )
        );
    }

    #[test]
    fn scripts_round_trip_and_repetition_compresses() {
        let script = "SET greeting \"hello world\"\nGET greeting\nHSET user:1 name Ada ünïcode\n";
        let fragment = encode(script);
        assert!(fragment.starts_with(PREFIX));
        assert_eq!(decode(&fragment), Some(Ok(script.to_string())));
        let long = "RPUSH queue job\n".repeat(500);
        assert!(encode(&long).len() < 100, "{}", encode(&long).len());
        assert_eq!(decode(&encode(&long)), Some(Ok(long)));
    }

    #[test]
    fn damaged_links_are_refused_and_other_fragments_ignored() {
        assert_eq!(decode("top"), None);
        assert_eq!(decode("run=%%%"), Some(Err(ShareError::NotBase64)));
        assert_eq!(decode("run=Zm9vYmFy"), Some(Err(ShareError::NotDeflate)));
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b'a'; MAX_SCRIPT + 1], 9);
        assert_eq!(
            decode(&format!("{PREFIX}{}", base64url(&bomb))),
            Some(Err(ShareError::TooLarge))
        );
        let binary = miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe], 9);
        assert_eq!(
            decode(&format!("{PREFIX}{}", base64url(&binary))),
            Some(Err(ShareError::NotText))
        );
    }
}
