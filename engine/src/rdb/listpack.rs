//! Redis's listpack, byte for byte: the blob that small hashes, sorted
//! sets, sets (7.2+), list nodes and stream nodes are written as.
//!
//! Layout: total bytes (u32 LE), entry count (u16 LE, 65535 when it does
//! not fit), the entries, and a 0xFF terminator. Each entry is an encoding
//! byte (small integers live in it), its data, and a "back length" (the
//! size of encoding + data, 7 bits per byte, readable right to left, so
//! Redis can walk a listpack backwards). A string that reads as a canonical
//! 64-bit integer is stored as an integer, exactly as Redis's `lpAppend`
//! decides, so the bytes match what Redis writes for the same elements.
//!
//! The decoder checks every length against the blob before touching it and
//! checks each entry's back length, so a damaged blob is an error, never a
//! panic or an out-of-bounds read.

use crate::number::parse_i64;

const HEADER: usize = 6;
const TERMINATOR: u8 = 0xff;

/// An element as a listpack stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Int(i64),
    Str(Vec<u8>),
}

impl Entry {
    /// The element's bytes as Redis returns them (integers in decimal).
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Entry::Int(n) => n.to_string().into_bytes(),
            Entry::Str(s) => s,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Entry::Int(n) => Some(*n),
            Entry::Str(s) => parse_i64(s),
        }
    }
}

/// Builds a listpack entry by entry.
#[derive(Debug, Clone)]
pub struct Writer {
    buf: Vec<u8>,
    count: usize,
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

impl Writer {
    pub fn new() -> Writer {
        Writer {
            buf: vec![0; HEADER],
            count: 0,
        }
    }

    /// Appends an element, as an integer when it reads as one.
    pub fn push(&mut self, element: &[u8]) {
        match parse_i64(element) {
            Some(n) if element.len() <= 20 => self.push_int(n),
            _ => self.push_str(element),
        }
    }

    pub fn push_int(&mut self, n: i64) {
        let start = self.buf.len();
        match n {
            0..=127 => self.buf.push(n as u8),
            -4096..=4095 => {
                let v = (n as u16) & 0x1fff;
                self.buf.push(0xc0 | (v >> 8) as u8);
                self.buf.push((v & 0xff) as u8);
            }
            -32768..=32767 => {
                self.buf.push(0xf1);
                self.buf.extend_from_slice(&(n as i16).to_le_bytes());
            }
            -8_388_608..=8_388_607 => {
                self.buf.push(0xf2);
                self.buf.extend_from_slice(&(n as i32).to_le_bytes()[..3]);
            }
            -2_147_483_648..=2_147_483_647 => {
                self.buf.push(0xf3);
                self.buf.extend_from_slice(&(n as i32).to_le_bytes());
            }
            _ => {
                self.buf.push(0xf4);
                self.buf.extend_from_slice(&n.to_le_bytes());
            }
        }
        self.finish_entry(start);
    }

    fn push_str(&mut self, s: &[u8]) {
        let start = self.buf.len();
        let len = s.len();
        if len < 64 {
            self.buf.push(0x80 | len as u8);
        } else if len < 4096 {
            self.buf.push(0xe0 | (len >> 8) as u8);
            self.buf.push((len & 0xff) as u8);
        } else {
            self.buf.push(0xf0);
            self.buf
                .extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
        }
        self.buf.extend_from_slice(s);
        self.finish_entry(start);
    }

    fn finish_entry(&mut self, start: usize) {
        let l = self.buf.len() - start;
        push_backlen(&mut self.buf, l);
        self.count += 1;
    }

    /// The finished blob.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(TERMINATOR);
        let total = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        let count = u16::try_from(self.count).unwrap_or(u16::MAX);
        if let Some(head) = self.buf.get_mut(..HEADER) {
            head[..4].copy_from_slice(&total.to_le_bytes());
            head[4..].copy_from_slice(&count.to_le_bytes());
        }
        self.buf
    }
}

/// Appends the back length of an entry of `l` bytes.
fn push_backlen(buf: &mut Vec<u8>, l: usize) {
    if l <= 127 {
        buf.push(l as u8);
    } else if l < 16_383 {
        buf.push((l >> 7) as u8);
        buf.push((l & 127) as u8 | 128);
    } else if l < 2_097_151 {
        buf.push((l >> 14) as u8);
        buf.push(((l >> 7) & 127) as u8 | 128);
        buf.push((l & 127) as u8 | 128);
    } else if l < 268_435_455 {
        buf.push((l >> 21) as u8);
        buf.push(((l >> 14) & 127) as u8 | 128);
        buf.push(((l >> 7) & 127) as u8 | 128);
        buf.push((l & 127) as u8 | 128);
    } else {
        buf.push((l >> 28) as u8);
        buf.push(((l >> 21) & 127) as u8 | 128);
        buf.push(((l >> 14) & 127) as u8 | 128);
        buf.push(((l >> 7) & 127) as u8 | 128);
        buf.push((l & 127) as u8 | 128);
    }
}

fn backlen_size(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16_382 => 2,
        16_383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// Builds a listpack of `elements`.
pub fn encode<'a>(elements: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut w = Writer::new();
    for e in elements {
        w.push(e);
    }
    w.finish()
}

/// Why a blob is not a valid listpack.
pub type Error = &'static str;

fn sign_extend(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

fn le(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// Decodes every entry of a listpack, checking its structure: the header's
/// size, each entry inside the blob with a matching back length, the
/// terminator last, and the header's count when it is exact.
pub fn decode(blob: &[u8]) -> Result<Vec<Entry>, Error> {
    let (Some(size), Some(count)) = (blob.get(0..4), blob.get(4..6)) else {
        return Err("listpack shorter than its header");
    };
    if le(size) != blob.len() as u64 {
        return Err("listpack size does not match its header");
    }
    let count = le(count) as usize;
    let mut entries = Vec::with_capacity(count.min(blob.len()));
    let mut p = HEADER;
    loop {
        let Some(&first) = blob.get(p) else {
            return Err("listpack without terminator");
        };
        if first == TERMINATOR {
            if p + 1 != blob.len() {
                return Err("listpack terminator before its end");
            }
            break;
        }
        let (entry, used) = decode_entry(blob, p)?;
        let back = blob
            .get(p + used..p + used + backlen_size(used))
            .ok_or("listpack entry runs past the end")?;
        let mut expect = Vec::with_capacity(5);
        push_backlen(&mut expect, used);
        if back != expect.as_slice() {
            return Err("listpack entry back length is wrong");
        }
        p += used + back.len();
        entries.push(entry);
    }
    if count != usize::from(u16::MAX) && count != entries.len() {
        return Err("listpack count does not match its entries");
    }
    Ok(entries)
}

/// The entry at `p` and the size of its encoding and data.
fn decode_entry(blob: &[u8], p: usize) -> Result<(Entry, usize), Error> {
    let short = "listpack entry runs past the end";
    let first = *blob.get(p).ok_or(short)?;
    let data = |from: usize, len: usize| blob.get(p + from..p + from + len).ok_or(short);
    Ok(match first {
        0x00..=0x7f => (Entry::Int(i64::from(first)), 1),
        0x80..=0xbf => {
            let len = usize::from(first & 0x3f);
            (Entry::Str(data(1, len)?.to_vec()), 1 + len)
        }
        0xc0..=0xdf => {
            let v = (u64::from(first & 0x1f) << 8) | u64::from(*data(1, 1)?.first().ok_or(short)?);
            (Entry::Int(sign_extend(v, 13)), 2)
        }
        0xe0..=0xef => {
            let len =
                (usize::from(first & 0x0f) << 8) | usize::from(*data(1, 1)?.first().ok_or(short)?);
            (Entry::Str(data(2, len)?.to_vec()), 2 + len)
        }
        0xf0 => {
            let len = usize::try_from(le(data(1, 4)?)).map_err(|_| short)?;
            (Entry::Str(data(5, len)?.to_vec()), 5 + len)
        }
        0xf1 => (Entry::Int(sign_extend(le(data(1, 2)?), 16)), 3),
        0xf2 => (Entry::Int(sign_extend(le(data(1, 3)?), 24)), 4),
        0xf3 => (Entry::Int(sign_extend(le(data(1, 4)?), 32)), 5),
        0xf4 => (Entry::Int(le(data(1, 8)?) as i64), 9),
        _ => return Err("listpack entry has an unknown encoding"),
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::types::list::entry_size;

    #[test]
    fn matches_redis_bytes_for_small_elements() {
        // RPUSH l a 1 then DUMP's listpack in Redis 7.2: 6-byte header,
        // "a" as a 6-bit string, 1 as a 7-bit integer, terminator.
        let lp = encode([b"a".as_slice(), b"1"]);
        assert_eq!(lp, [0x0c, 0, 0, 0, 2, 0, 0x81, b'a', 2, 0x01, 1, 0xff]);
    }

    #[test]
    fn round_trips_every_encoding_and_sizes_match_the_model() {
        let long = vec![b'x'; 5000];
        let mid = vec![b'y'; 300];
        let elements: Vec<Vec<u8>> = vec![
            b"0".to_vec(),
            b"127".to_vec(),
            b"128".to_vec(),
            b"-4096".to_vec(),
            b"4095".to_vec(),
            b"-32768".to_vec(),
            b"32767".to_vec(),
            b"8388607".to_vec(),
            b"-8388608".to_vec(),
            b"2147483647".to_vec(),
            b"-2147483648".to_vec(),
            b"9223372036854775807".to_vec(),
            b"-9223372036854775808".to_vec(),
            b"007".to_vec(),
            b"".to_vec(),
            b"hello".to_vec(),
            mid,
            long,
        ];
        let lp = encode(elements.iter().map(Vec::as_slice));
        let expected_size: usize = 7 + elements.iter().map(|e| entry_size(e)).sum::<usize>();
        assert_eq!(lp.len(), expected_size);
        let back: Vec<Vec<u8>> = decode(&lp)
            .expect("valid")
            .into_iter()
            .map(Entry::into_bytes)
            .collect();
        assert_eq!(back, elements);
    }

    #[test]
    fn damage_is_an_error() {
        let lp = encode([b"abc".as_slice(), b"12345", b"z"]);
        for cut in 0..lp.len() {
            assert!(decode(&lp[..cut]).is_err());
        }
        for i in 0..lp.len() {
            for bit in 0..8 {
                let mut bad = lp.clone();
                bad[i] ^= 1 << bit;
                // Either refused or still a listpack (never a panic).
                let _ = decode(&bad);
            }
        }
    }
}
