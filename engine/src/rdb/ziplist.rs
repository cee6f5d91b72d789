//! Redis's ziplist, the compact blob before listpacks (RDB files from Redis
//! 6.2 and older hold lists, hashes and sorted sets in it). Only read:
//! Redis 7 converts ziplists to listpacks when it loads them, and so do we.
//!
//! Layout: total bytes (u32 LE), offset of the last entry (u32 LE), count
//! (u16 LE), entries, 0xFF. Each entry: the previous entry's length (1 byte,
//! or 0xFE and 4 bytes), an encoding (string lengths in 6, 14 or 32 bits,
//! or one of six integer widths, or a 4-bit immediate), then the data.

use super::listpack::Entry;

/// Decodes every entry, checking each against the blob and against the
/// previous entry's recorded length.
pub fn decode(blob: &[u8]) -> Result<Vec<Entry>, &'static str> {
    let short = "ziplist entry runs past the end";
    let u32_at = |at: usize| -> Option<usize> {
        let b = blob.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let (Some(total), Some(count)) = (u32_at(0), blob.get(8..10)) else {
        return Err("ziplist shorter than its header");
    };
    if total != blob.len() {
        return Err("ziplist size does not match its header");
    }
    let count = usize::from(u16::from_le_bytes([count[0], count[1]]));
    let mut entries = Vec::with_capacity(count.min(blob.len()));
    let mut p = 10;
    let mut prev_len = 0usize;
    loop {
        let &first = blob.get(p).ok_or("ziplist without terminator")?;
        if first == 0xff {
            if p + 1 != blob.len() {
                return Err("ziplist terminator before its end");
            }
            break;
        }
        let start = p;
        let recorded = if first < 0xfe {
            p += 1;
            usize::from(first)
        } else if first == 0xfe {
            let n = u32_at(p + 1).ok_or(short)?;
            p += 5;
            n
        } else {
            return Err("ziplist entry has a bad previous length");
        };
        if recorded != prev_len {
            return Err("ziplist previous length is wrong");
        }
        let enc = *blob.get(p).ok_or(short)?;
        let data = |from: usize, len: usize| blob.get(from..from + len).ok_or(short);
        let int = |from: usize, len: usize, bits: u32| -> Result<i64, &'static str> {
            let bytes = data(from, len)?;
            let v = bytes
                .iter()
                .rev()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            let shift = 64 - bits;
            Ok(((v << shift) as i64) >> shift)
        };
        let (entry, end) = match enc >> 6 {
            0 => {
                let len = usize::from(enc & 0x3f);
                (Entry::Str(data(p + 1, len)?.to_vec()), p + 1 + len)
            }
            1 => {
                let low = *data(p + 1, 1)?.first().ok_or(short)?;
                let len = (usize::from(enc & 0x3f) << 8) | usize::from(low);
                (Entry::Str(data(p + 2, len)?.to_vec()), p + 2 + len)
            }
            2 => {
                let b = data(p + 1, 4)?;
                let len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
                (Entry::Str(data(p + 5, len)?.to_vec()), p + 5 + len)
            }
            _ => match enc {
                0xc0 => (Entry::Int(int(p + 1, 2, 16)?), p + 3),
                0xd0 => (Entry::Int(int(p + 1, 4, 32)?), p + 5),
                0xe0 => (Entry::Int(int(p + 1, 8, 64)?), p + 9),
                0xf0 => (Entry::Int(int(p + 1, 3, 24)?), p + 4),
                0xfe => (Entry::Int(int(p + 1, 1, 8)?), p + 2),
                0xf1..=0xfd => (Entry::Int(i64::from(enc & 0x0f) - 1), p + 1),
                _ => return Err("ziplist entry has an unknown encoding"),
            },
        };
        prev_len = end - start;
        p = end;
        entries.push(entry);
    }
    if count != usize::from(u16::MAX) && count != entries.len() {
        return Err("ziplist count does not match its entries");
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn reads_strings_and_integers() {
        // A ziplist of "a", 5 (immediate), 300 (int16), written by hand.
        let mut zl = vec![0u8; 10];
        zl.extend_from_slice(&[0x00, 0x01, b'a']);
        zl.extend_from_slice(&[0x03, 0xf6]);
        zl.extend_from_slice(&[0x02, 0xc0, 0x2c, 0x01]);
        zl.push(0xff);
        let total = zl.len() as u32;
        zl[0..4].copy_from_slice(&total.to_le_bytes());
        zl[4..8].copy_from_slice(&15u32.to_le_bytes());
        zl[8..10].copy_from_slice(&3u16.to_le_bytes());
        assert_eq!(
            decode(&zl),
            Ok(vec![
                Entry::Str(b"a".to_vec()),
                Entry::Int(5),
                Entry::Int(300)
            ])
        );
        for cut in 0..zl.len() {
            assert!(decode(&zl[..cut]).is_err());
        }
    }
}
