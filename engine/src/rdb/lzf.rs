//! LZF, the byte-oriented LZ77 variant Redis compresses long strings with
//! in RDB files and DUMP payloads.
//!
//! The stream is a sequence of chunks, each starting with a control byte:
//! below 32 it is a literal run of `ctrl + 1` bytes; otherwise the top three
//! bits are a match length (7 means "add the next byte"), and the low five
//! bits with the next byte an offset back into the output. Any valid stream
//! decompresses the same everywhere, so the compressor only has to be
//! correct, not identical to liblzf's; it uses the same window (8 KB) and
//! match limit (264 bytes), so sizes come out close to Redis's.

/// The farthest back a match may point.
const MAX_OFF: usize = 1 << 13;
/// The longest match one back reference can express.
const MAX_REF: usize = (1 << 8) + (1 << 3);
/// The longest literal run one control byte can announce.
const MAX_LIT: usize = 1 << 5;
/// Bits of the hash table of match candidates (Redis builds liblzf with 16).
const HASH_LOG: u32 = 16;

/// The hash slot of the three bytes whose value is in `h` (liblzf's
/// "IDX", on a rolling 32-bit value).
fn slot(h: u32) -> usize {
    ((h >> (24 - HASH_LOG)).wrapping_sub(h.wrapping_mul(5)) & ((1 << HASH_LOG) - 1)) as usize
}

/// Compresses `input` into at most `max_out` bytes, or `None` if it does
/// not fit (Redis offers `len - 4`: compression must save 4 bytes).
///
/// The search follows liblzf's "very fast" mode step for step (rolling
/// hash of the next three bytes, one candidate per slot, two positions at
/// the end of each match re-hashed, the same output-space checks), so the
/// output is normally byte for byte what Redis writes.
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    let len = input.len();
    if len == 0 {
        return None;
    }
    let at = |i: usize| u32::from(input.get(i).copied().unwrap_or(0));
    // Offsets of the last position seen per slot; 0 never matches, since
    // liblzf refuses a reference at the very first byte.
    let mut table = vec![0usize; 1 << HASH_LOG];
    let mut out: Vec<u8> = Vec::with_capacity(max_out.min(len) + 1);
    let mut lit = 0usize;
    out.push(0); // the first literal run's control byte
    let mut ip = 0usize;
    let mut hval = (at(0) << 8) | at(1);
    while ip + 2 < len {
        hval = (hval << 8) | at(ip + 2);
        let h = slot(hval);
        let r = table.get(h).copied().unwrap_or(0);
        if let Some(s) = table.get_mut(h) {
            *s = ip;
        }
        let is_match =
            r > 0 && r < ip && ip - r - 1 < MAX_OFF && input.get(r..r + 3) == input.get(ip..ip + 3);
        if !is_match {
            if out.len() >= max_out {
                return None;
            }
            lit += 1;
            out.push(*input.get(ip)?);
            ip += 1;
            if lit == MAX_LIT {
                let ctrl = out.len() - lit - 1;
                *out.get_mut(ctrl)? = (lit - 1) as u8;
                lit = 0;
                out.push(0);
            }
            continue;
        }
        let off = ip - r - 1;
        let max_len = (len - ip - 2).min(MAX_REF);
        // liblzf's exact space checks before a reference.
        if out.len() + 4 >= max_out && out.len() - usize::from(lit == 0) + 4 >= max_out {
            return None;
        }
        let ctrl = out.len() - lit - 1;
        *out.get_mut(ctrl)? = lit.wrapping_sub(1) as u8;
        if lit == 0 {
            out.pop();
        }
        // Count matching bytes (three are known), as liblzf's loop does,
        // including its unrolled first sixteen steps.
        let mut mlen = 2usize;
        let same = |k: usize| input.get(r + k).is_some() && input.get(r + k) == input.get(ip + k);
        let mut done = false;
        if max_len > 16 {
            for _ in 0..16 {
                mlen += 1;
                if !same(mlen) {
                    done = true;
                    break;
                }
            }
        }
        if !done {
            loop {
                mlen += 1;
                if !(mlen < max_len && same(mlen)) {
                    break;
                }
            }
        }
        let l = mlen - 2;
        if l < 7 {
            out.push(((off >> 8) + (l << 5)) as u8);
        } else {
            out.push(((off >> 8) + (7 << 5)) as u8);
            out.push((l - 7) as u8);
        }
        out.push((off & 0xff) as u8);
        lit = 0;
        out.push(0);
        ip += mlen;
        if ip + 2 >= len {
            break;
        }
        // Re-hash the match's last two positions.
        ip -= 2;
        hval = (at(ip) << 8) | at(ip + 1);
        for _ in 0..2 {
            hval = (hval << 8) | at(ip + 2);
            if let Some(s) = table.get_mut(slot(hval)) {
                *s = ip;
            }
            ip += 1;
        }
    }
    if out.len() + 3 > max_out {
        return None;
    }
    while ip < len {
        lit += 1;
        out.push(*input.get(ip)?);
        ip += 1;
        if lit == MAX_LIT {
            let ctrl = out.len() - lit - 1;
            *out.get_mut(ctrl)? = (lit - 1) as u8;
            lit = 0;
            out.push(0);
        }
    }
    let ctrl = out.len() - lit - 1;
    *out.get_mut(ctrl)? = lit.wrapping_sub(1) as u8;
    if lit == 0 {
        out.pop();
    }
    (out.len() <= max_out).then_some(out)
}

/// Decompresses `input`, which must produce exactly `expected` bytes.
/// The output grows only as data is really produced (at most 88 bytes per
/// input byte), so a lying length field cannot force a huge allocation.
pub fn decompress(input: &[u8], expected: usize) -> Option<Vec<u8>> {
    // Each input byte yields at most 88 output bytes (a 3-byte reference
    // copies up to 264): a larger claim is corrupt.
    if expected > input.len().saturating_mul(88) {
        return None;
    }
    let mut out: Vec<u8> = Vec::with_capacity(expected.min(input.len().saturating_mul(4)));
    let mut ip = 0usize;
    while ip < input.len() {
        let ctrl = usize::from(*input.get(ip)?);
        ip += 1;
        if ctrl < MAX_LIT {
            let run = input.get(ip..ip + ctrl + 1)?;
            if out.len() + run.len() > expected {
                return None;
            }
            out.extend_from_slice(run);
            ip += ctrl + 1;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(ip)?);
                ip += 1;
            }
            let low = usize::from(*input.get(ip)?);
            ip += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            let start = out.len().checked_sub(back)?;
            len += 2;
            if out.len() + len > expected {
                return None;
            }
            // Byte by byte: a reference may overlap what it produces.
            for i in start..start + len {
                let b = *out.get(i)?;
                out.push(b);
            }
        }
    }
    (out.len() == expected).then_some(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn round_trips_and_compresses_repetition() {
        let inputs: Vec<Vec<u8>> = vec![
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec(),
            b"hello world hello world hello world hello world!".to_vec(),
            (0..5000u32).map(|i| (i % 251) as u8).collect(),
            (0..3000u32).map(|i| (i * 7 % 13) as u8).collect(),
            vec![0u8; 100_000],
        ];
        for input in inputs {
            let packed = compress(&input, input.len()).expect("compressible");
            assert!(packed.len() < input.len());
            assert_eq!(decompress(&packed, input.len()), Some(input));
        }
    }

    #[test]
    fn incompressible_input_is_refused() {
        let noise: Vec<u8> = (0..64u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(compress(&noise, noise.len() - 4), None);
    }

    #[test]
    fn decodes_a_redis_stream() {
        // LZF of "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" as Redis's
        // liblzf writes it: one literal, then a reference of 45 bytes.
        let stream = [0x00, b'a', 0xe0, 0x24, 0x00];
        assert_eq!(decompress(&stream, 40), None);
        let out = decompress(&stream, 46).expect("valid");
        assert_eq!(out, vec![b'a'; 46]);
    }

    #[test]
    fn corrupt_streams_are_refused() {
        assert_eq!(decompress(&[0x05, b'a'], 6), None);
        assert_eq!(decompress(&[0x20, 0x05], 3), None);
        assert_eq!(decompress(&[0x00, b'a'], 1_000_000), None);
    }
}
