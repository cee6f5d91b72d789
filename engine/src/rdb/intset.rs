//! Redis's intset blob: a sorted array of distinct integers, all stored at
//! the width the widest one needs (2, 4 or 8 bytes, little endian), after a
//! header of that width and the count (u32 LE each). Small all-integer
//! sets are written this way.

/// Encodes sorted, distinct integers.
pub fn encode(sorted: &[i64]) -> Vec<u8> {
    let width = sorted.iter().map(|&n| width_of(n)).max().unwrap_or(2);
    let count = u32::try_from(sorted.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(8 + width * sorted.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    for &n in sorted {
        out.extend_from_slice(&n.to_le_bytes()[..width]);
    }
    out
}

fn width_of(n: i64) -> usize {
    if i16::try_from(n).is_ok() {
        2
    } else if i32::try_from(n).is_ok() {
        4
    } else {
        8
    }
}

/// Decodes an intset, checking the header against the blob's size and
/// that the members are strictly ascending (sorted and distinct).
pub fn decode(blob: &[u8]) -> Result<Vec<i64>, &'static str> {
    let word = |at: usize| -> Option<u32> {
        let b = blob.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(width), Some(count)) = (word(0), word(4)) else {
        return Err("intset shorter than its header");
    };
    let width = match width {
        2 | 4 | 8 => width as usize,
        _ => return Err("intset has an unknown encoding"),
    };
    let count = count as usize;
    if count.checked_mul(width).and_then(|n| n.checked_add(8)) != Some(blob.len()) {
        return Err("intset size does not match its header");
    }
    let mut out = Vec::with_capacity(count);
    for chunk in blob.get(8..).unwrap_or_default().chunks_exact(width) {
        let n = match *chunk {
            [a, b] => i64::from(i16::from_le_bytes([a, b])),
            [a, b, c, d] => i64::from(i32::from_le_bytes([a, b, c, d])),
            [a, b, c, d, e, f, g, h] => i64::from_le_bytes([a, b, c, d, e, f, g, h]),
            _ => return Err("intset has an unknown encoding"),
        };
        if out.last().is_some_and(|&last| last >= n) {
            return Err("intset members are not sorted and distinct");
        }
        out.push(n);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn widths_and_round_trip() {
        assert_eq!(encode(&[1, 2]), [2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0]);
        for set in [vec![-5, 0, 7], vec![1, 70_000], vec![i64::MIN, 0, i64::MAX]] {
            assert_eq!(decode(&encode(&set)), Ok(set));
        }
        assert!(decode(&encode(&[1, 2])[..11]).is_err());
        assert!(decode(&[2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0]).is_err());
    }
}
