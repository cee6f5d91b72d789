//! Bitmaps: strings seen as arrays of bits, most significant bit of each
//! byte first. SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP, each following
//! Redis's range and error rules. BITFIELD lives in `bitfield.rs`.

use super::{
    arg, int_arg, is_opt, one_key, Arg, ArgKind, BeginSearch, Body, FindKeys, KeySpec, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;
use crate::types::{RString, Value};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "setbit",
        arity: 4,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@write", "@bitmap", "@slow"],
        key_specs: &[one_key(None, &["RW", "access", "update"])],
        group: "bitmap",
        since: "2.2.0",
        complexity: "O(1)",
        summary: "Sets or clears one bit of a string, growing it with zero bytes; answers the old bit.",
        args: &[Arg::key("key", 0), Arg::new("offset", ArgKind::Integer), Arg::new("value", ArgKind::Integer)],
        body: Body::Run(setbit),
        ..BASE
    },
    Spec {
        name: "getbit",
        arity: 3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@bitmap", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "bitmap",
        since: "2.2.0",
        complexity: "O(1)",
        summary: "Answers one bit of a string (0 past the end or for a missing key).",
        args: &[Arg::key("key", 0), Arg::new("offset", ArgKind::Integer)],
        body: Body::Run(getbit),
        ..BASE
    },
    Spec {
        name: "bitcount",
        arity: -2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@bitmap", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "bitmap",
        since: "2.6.0",
        complexity: "O(N) for the N bytes counted.",
        summary: "Counts the set bits of a string, optionally within a byte or bit range.",
        history: &[("7.0.0", "BYTE and BIT units for the range arrived.")],
        args: &[Arg::key("key", 0), Arg::block("index", &[Arg::new("start", ArgKind::Integer), Arg::new("end", ArgKind::Integer), Arg::one_of("index_unit", &[Arg::pure_token("byte", "BYTE"), Arg::pure_token("bit", "BIT")]).since("7.0.0").optional()]).optional()],
        body: Body::Run(bitcount),
        ..BASE
    },
    Spec {
        name: "bitpos",
        arity: -3,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@bitmap", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "bitmap",
        since: "2.8.7",
        complexity: "O(N) for the N bytes searched.",
        summary: "Finds the first bit set to 1 or 0, optionally within a byte or bit range.",
        history: &[("7.0.0", "BYTE and BIT units for the range arrived.")],
        args: &[Arg::key("key", 0), Arg::new("bit", ArgKind::Integer), Arg::block("index", &[Arg::new("start", ArgKind::Integer), Arg::block("end_index", &[Arg::new("end", ArgKind::Integer), Arg::one_of("index_unit", &[Arg::pure_token("byte", "BYTE"), Arg::pure_token("bit", "BIT")]).since("7.0.0").optional()]).optional()]).optional()],
        body: Body::Run(bitpos),
        ..BASE
    },
    Spec {
        name: "bitop",
        arity: -4,
        flags: &["write", "denyoom"],
        keys: (2, -1, 1),
        acl: &["@write", "@bitmap", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }, KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(3), find: FindKeys::Range { last_key: -1, key_step: 1, limit: 0 } }],
        group: "bitmap",
        since: "2.6.0",
        complexity: "O(N) for the longest input of N bytes.",
        summary: "Combines strings bit by bit (AND, OR, XOR, NOT) and stores the result; answers its length.",
        args: &[Arg::new("operation", ArgKind::String), Arg::key("destkey", 0), Arg::key("key", 1).multiple()],
        body: Body::Run(bitop),
        ..BASE
    },
];

/// A bit offset as Redis reads it. With `hash_bits`, `#N` means N fields of
/// that many bits (BITFIELD). Offsets whose byte is past
/// `proto-max-bulk-len` are refused.
pub(crate) fn bit_offset(
    ctx: &Ctx<'_>,
    raw: &[u8],
    hash_bits: Option<u32>,
) -> Result<u64, CmdError> {
    let err = || CmdError::Other("ERR bit offset is not an integer or out of range".to_string());
    let (digits, multiplier) = match (raw.split_first(), hash_bits) {
        (Some((b'#', rest)), Some(bits)) => (rest, i64::from(bits)),
        _ => (raw, 1),
    };
    let offset = crate::number::parse_i64(digits).ok_or_else(err)?;
    let offset = offset.checked_mul(multiplier).ok_or_else(err)?;
    let offset = u64::try_from(offset).map_err(|_| err())?;
    let max = u64::try_from(ctx.server.config.proto_max_bulk_len).unwrap_or(u64::MAX);
    if offset >> 3 >= max {
        return Err(err());
    }
    Ok(offset)
}

/// The string at `key` for reading bits: None if missing.
pub(crate) fn read_bits(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Vec<u8>>, CmdError> {
    let now = ctx.now();
    match ctx.db().read(key, now) {
        Some(Value::String(s)) => Ok(Some(s.as_bytes().into_owned())),
        Some(_) => Err(CmdError::WrongType),
        None => Ok(None),
    }
}

/// Runs `edit` on the string at `key`, grown with zero bytes to at least
/// `min_len` (created if missing) and left `raw`, as Redis's
/// `lookupStringForBitCommand` prepares it; also whether it had to grow
/// (a new key grows from nothing).
pub(crate) fn edit_bits<R>(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    min_len: usize,
    edit: impl FnOnce(&mut Vec<u8>) -> R,
) -> Result<(R, bool), CmdError> {
    let now = ctx.now();
    let make = || {
        Value::String(RString::Bytes {
            data: Vec::new(),
            raw: true,
        })
    };
    let Some(Value::String(s)) = ctx.db().get_or_insert(key, now, make) else {
        return Err(CmdError::WrongType);
    };
    Ok(s.modify(|bytes| {
        let grown = bytes.len() < min_len;
        if grown {
            bytes.resize(min_len, 0);
        }
        (edit(bytes), grown)
    }))
}

fn byte_index(offset: u64) -> usize {
    usize::try_from(offset >> 3).unwrap_or(usize::MAX)
}

fn setbit(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let offset = bit_offset(ctx, arg(argv, 2), None)?;
    let bit_err = || CmdError::Other("ERR bit is not an integer or out of range".to_string());
    let on = match crate::number::parse_i64(arg(argv, 3)) {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(bit_err()),
    };
    let byte = byte_index(offset);
    let mask = 1u8 << (7 - (offset & 7));
    let (old, grown) = edit_bits(ctx, arg(argv, 1), byte.saturating_add(1), |bytes| {
        let Some(b) = bytes.get_mut(byte) else {
            return false;
        };
        let old = *b & mask != 0;
        if on {
            *b |= mask;
        } else {
            *b &= !mask;
        }
        old
    })?;
    // Setting a bit to the value it has changes nothing Redis reports.
    if grown || old != on {
        ctx.modified(class::STRING, "setbit", arg(argv, 1));
    }
    Ok(Reply::Int(i64::from(old)))
}

fn getbit(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let offset = bit_offset(ctx, arg(argv, 2), None)?;
    let bytes = read_bits(ctx, arg(argv, 1))?.unwrap_or_default();
    let bit = bytes
        .get(byte_index(offset))
        .is_some_and(|b| b & (1 << (7 - (offset & 7))) != 0);
    Ok(Reply::Int(i64::from(bit)))
}

/// A resolved range over a string: whole bytes `start..=end`, and for BIT
/// units the bits of the edge bytes that fall outside (as masks).
struct Range {
    start: usize,
    end: usize,
    first_outside: u8,
    last_outside: u8,
}

/// Redis's range arithmetic shared by BITCOUNT and BITPOS: negative
/// indexes from the end, clamping, and bit-unit edges. None: empty range.
fn resolve_range(len: usize, start: i64, end: i64, bits: bool) -> Option<Range> {
    let total = i64::try_from(len).unwrap_or(i64::MAX) * if bits { 8 } else { 1 };
    let start = if start < 0 {
        (total + start).max(0)
    } else {
        start
    };
    let end = if end < 0 { (total + end).max(0) } else { end }.min(total - 1);
    if start > end {
        return None;
    }
    let (start_u, end_u) = (u64::try_from(start).ok()?, u64::try_from(end).ok()?);
    let range = if bits {
        Range {
            start: usize::try_from(start_u >> 3).ok()?,
            end: usize::try_from(end_u >> 3).ok()?,
            first_outside: !((1u16 << (8 - (start_u & 7))) - 1) as u8,
            last_outside: ((1u16 << (7 - (end_u & 7))) - 1) as u8,
        }
    } else {
        Range {
            start: usize::try_from(start_u).ok()?,
            end: usize::try_from(end_u).ok()?,
            first_outside: 0,
            last_outside: 0,
        }
    };
    Some(range)
}

/// BYTE or BIT, the unit of a BITCOUNT/BITPOS range.
fn unit_is_bit(raw: &[u8]) -> Result<bool, CmdError> {
    if is_opt(raw, "BIT") {
        Ok(true)
    } else if is_opt(raw, "BYTE") {
        Ok(false)
    } else {
        Err(CmdError::Syntax)
    }
}

fn bitcount(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    // A missing key counts 0 before the arguments are even read, as in Redis.
    let Some(bytes) = read_bits(ctx, arg(argv, 1))? else {
        return Ok(Reply::Int(0));
    };
    let range = match argv.len() {
        2 => resolve_range(bytes.len(), 0, -1, false),
        4 | 5 => {
            let start = int_arg(arg(argv, 2))?;
            let end = int_arg(arg(argv, 3))?;
            let bits = if argv.len() == 5 {
                unit_is_bit(arg(argv, 4))?
            } else {
                false
            };
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Int(0));
            }
            resolve_range(bytes.len(), start, end, bits)
        }
        _ => return Err(CmdError::Syntax),
    };
    let Some(r) = range else {
        return Ok(Reply::Int(0));
    };
    let slice = bytes.get(r.start..=r.end).unwrap_or_default();
    let mut count = count_ones(slice);
    // Bits of the edge bytes outside a BIT range were counted; take them off.
    count -= u64::from((bytes.get(r.start).copied().unwrap_or(0) & r.first_outside).count_ones());
    count -= u64::from((bytes.get(r.end).copied().unwrap_or(0) & r.last_outside).count_ones());
    Ok(Reply::Int(i64::try_from(count).unwrap_or(i64::MAX)))
}

/// How many bits of `bytes` are set, counted a 64-bit word at a time (a
/// byte at a time is several times slower where the CPU has no popcount
/// instruction, and counting words is what Redis does too).
fn count_ones(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    let whole: u64 = words
        .by_ref()
        .map(|word| {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            u64::from(u64::from_ne_bytes(w).count_ones())
        })
        .sum();
    let tail: u64 = words
        .remainder()
        .iter()
        .map(|b| u64::from(b.count_ones()))
        .sum();
    whole + tail
}

/// Position of the first `bit` in `bytes`, Redis's `redisBitpos`: for a 1
/// that is not there, -1; for a 0 that is not there, the bit just past the end.
fn first_bit(bytes: &[u8], bit: bool) -> i64 {
    for (i, &b) in bytes.iter().enumerate() {
        let b = if bit { b } else { !b };
        if b != 0 {
            return i64::try_from(i * 8 + b.leading_zeros() as usize).unwrap_or(i64::MAX);
        }
    }
    if bit {
        -1
    } else {
        i64::try_from(bytes.len() * 8).unwrap_or(i64::MAX)
    }
}

fn bitpos(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let bit = match int_arg(arg(argv, 2))? {
        0 => false,
        1 => true,
        _ => {
            return Err(CmdError::Other(
                "ERR The bit argument must be 1 or 0.".to_string(),
            ))
        }
    };
    // A missing key is an endless run of zeros.
    let Some(bytes) = read_bits(ctx, arg(argv, 1))? else {
        return Ok(Reply::Int(if bit { -1 } else { 0 }));
    };
    let (range, end_given) = match argv.len() {
        3 => (resolve_range(bytes.len(), 0, -1, false), false),
        4..=6 => {
            let start = int_arg(arg(argv, 3))?;
            let bits = if argv.len() == 6 {
                unit_is_bit(arg(argv, 5))?
            } else {
                false
            };
            let end = if argv.len() >= 5 {
                Some(int_arg(arg(argv, 4))?)
            } else {
                None
            };
            (
                resolve_range(bytes.len(), start, end.unwrap_or(-1), bits),
                end.is_some(),
            )
        }
        _ => return Err(CmdError::Syntax),
    };
    let Some(r) = range else {
        return Ok(Reply::Int(-1));
    };
    // Force the edge bits outside a BIT range to the value not searched for.
    let mut window = bytes.get(r.start..=r.end).unwrap_or_default().to_vec();
    let n = window.len();
    if let Some(first) = window.first_mut() {
        *first = if bit {
            *first & !r.first_outside
        } else {
            *first | r.first_outside
        };
    }
    if let Some(last) = window.last_mut() {
        *last = if bit {
            *last & !r.last_outside
        } else {
            *last | r.last_outside
        };
    }
    let pos = first_bit(&window, bit);
    // With an explicit end, the bits past it are not zeros to be found.
    if end_given && !bit && pos == i64::try_from(n * 8).unwrap_or(i64::MAX) {
        return Ok(Reply::Int(-1));
    }
    if pos == -1 {
        return Ok(Reply::Int(-1));
    }
    Ok(Reply::Int(
        pos + i64::try_from(r.start * 8).unwrap_or(i64::MAX),
    ))
}

#[derive(Clone, Copy)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

fn bitop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let name = arg(argv, 1);
    let op = [
        ("AND", BitOp::And),
        ("OR", BitOp::Or),
        ("XOR", BitOp::Xor),
        ("NOT", BitOp::Not),
    ]
    .into_iter()
    .find(|(word, _)| is_opt(name, word))
    .map(|(_, op)| op)
    .ok_or(CmdError::Syntax)?;
    let sources = argv.get(3..).unwrap_or_default();
    if matches!(op, BitOp::Not) && sources.len() != 1 {
        return Err(CmdError::Other(
            "ERR BITOP NOT must be called with a single source key.".to_string(),
        ));
    }
    let mut inputs = Vec::with_capacity(sources.len());
    for key in sources {
        inputs.push(read_bits(ctx, key)?.unwrap_or_default());
    }
    let len = inputs.iter().map(Vec::len).max().unwrap_or(0);
    let dest = arg(argv, 2);
    if len == 0 {
        if ctx.db().remove(dest) {
            ctx.deleted(dest);
        }
        return Ok(Reply::Int(0));
    }
    let byte = |input: &Vec<u8>, i: usize| input.get(i).copied().unwrap_or(0);
    let result: Vec<u8> = (0..len)
        .map(|i| {
            let mut rest = inputs.iter();
            let first = rest.next().map_or(0, |input| byte(input, i));
            match op {
                BitOp::Not => !first,
                BitOp::And => rest.fold(first, |acc, input| acc & byte(input, i)),
                BitOp::Or => rest.fold(first, |acc, input| acc | byte(input, i)),
                BitOp::Xor => rest.fold(first, |acc, input| acc ^ byte(input, i)),
            }
        })
        .collect();
    let now = ctx.now();
    ctx.db().set(
        dest.to_vec(),
        Value::String(RString::Bytes {
            data: result,
            raw: true,
        }),
        false,
        now,
    );
    ctx.modified(class::STRING, "set", dest);
    Ok(Reply::Int(i64::try_from(len).unwrap_or(i64::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn bits_are_counted_across_words_and_the_tail() {
        let bytes: Vec<u8> = (0u8..=40).map(|b| b.wrapping_mul(37)).collect();
        for len in 0..bytes.len() {
            let slice = &bytes[..len];
            let by_bit: u64 = slice
                .iter()
                .map(|&b| (0..8).filter(|i| b & (1 << i) != 0).count() as u64)
                .sum();
            assert_eq!(count_ones(slice), by_bit, "{len} bytes");
        }
    }
}
