//! BITFIELD and BITFIELD_RO: signed and unsigned integers of 1 to 64 bits
//! (unsigned up to 63) at any bit offset, with GET, SET, INCRBY and the
//! WRAP / SAT / FAIL overflow rules, all exactly as Redis computes them.

use super::bitmap::{bit_offset, edit_bits, read_bits};
use super::{int_arg, is_opt, one_key, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "bitfield",
        arity: -2,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@write", "@bitmap", "@slow"],
        key_specs: &[one_key(Some("This command allows both access and modification of the key"), &["RW", "access", "update", "variable_flags"])],
        group: "bitmap",
        since: "3.2.0",
        complexity: "O(1) per operation.",
        summary: "Reads, writes and increments integers of any width up to 64 bits at arbitrary bit offsets, with a choice of overflow behaviour.",
        args: &[Arg::key("key", 0), Arg::one_of("operation", &[Arg::block("encoding_offset", &[Arg::new("encoding", ArgKind::String), Arg::new("offset", ArgKind::Integer)]).token("GET"), Arg::block("write", &[Arg::one_of("wrap_sat_fail", &[Arg::pure_token("wrap", "WRAP"), Arg::pure_token("sat", "SAT"), Arg::pure_token("fail", "FAIL")]).token("OVERFLOW").optional(), Arg::one_of("write_operation", &[Arg::block("encoding_offset_value", &[Arg::new("encoding", ArgKind::String), Arg::new("offset", ArgKind::Integer), Arg::new("value", ArgKind::Integer)]).token("SET"), Arg::block("encoding_offset_increment", &[Arg::new("encoding", ArgKind::String), Arg::new("offset", ArgKind::Integer), Arg::new("increment", ArgKind::Integer)]).token("INCRBY")])])]).optional().multiple()],
        body: Body::Run(bitfield),
        ..BASE
    },
    Spec {
        name: "bitfield_ro",
        arity: -2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@bitmap", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "bitmap",
        since: "6.0.0",
        complexity: "O(1) per operation.",
        summary: "BITFIELD restricted to GET, safe for read-only replicas and scripts.",
        args: &[Arg::key("key", 0), Arg::block("encoding_offset", &[Arg::new("encoding", ArgKind::String), Arg::new("offset", ArgKind::Integer)]).token("GET").optional().multiple().multiple_token()],
        body: Body::Run(bitfield_ro),
        ..BASE
    },
];

#[derive(Clone, Copy, PartialEq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq)]
enum OpKind {
    Get,
    Set,
    IncrBy,
}

#[derive(Clone, Copy)]
struct Field {
    signed: bool,
    bits: u32,
}

struct Op {
    kind: OpKind,
    field: Field,
    offset: u64,
    value: i64,
    overflow: Overflow,
}

fn type_error() -> CmdError {
    CmdError::Other(
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
            .to_string(),
    )
}

/// `i1`..`i64` or `u1`..`u63`, lowercase only, as Redis accepts them.
fn parse_field(raw: &[u8]) -> Result<Field, CmdError> {
    let (signed, digits) = match raw.split_first() {
        Some((b'i', rest)) => (true, rest),
        Some((b'u', rest)) => (false, rest),
        _ => return Err(type_error()),
    };
    // C reads the width up to the first NUL.
    let digits = digits.split(|&b| b == 0).next().unwrap_or_default();
    let bits = crate::number::parse_i64(digits).ok_or_else(type_error)?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return Err(type_error());
    }
    Ok(Field {
        signed,
        bits: u32::try_from(bits).map_err(|_| type_error())?,
    })
}

fn parse_ops(ctx: &Ctx<'_>, argv: &[&[u8]]) -> Result<Vec<Op>, CmdError> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while let Some(&word) = argv.get(j) {
        let remaining = argv.len() - j - 1;
        let kind = if is_opt(word, "GET") && remaining >= 2 {
            OpKind::Get
        } else if is_opt(word, "SET") && remaining >= 3 {
            OpKind::Set
        } else if is_opt(word, "INCRBY") && remaining >= 3 {
            OpKind::IncrBy
        } else if is_opt(word, "OVERFLOW") && remaining >= 1 {
            let name = argv.get(j + 1).copied().unwrap_or_default();
            overflow = [
                ("WRAP", Overflow::Wrap),
                ("SAT", Overflow::Sat),
                ("FAIL", Overflow::Fail),
            ]
            .into_iter()
            .find(|(w, _)| is_opt(name, w))
            .map(|(_, o)| o)
            .ok_or_else(|| CmdError::Other("ERR Invalid OVERFLOW type specified".to_string()))?;
            j += 2;
            continue;
        } else {
            return Err(CmdError::Syntax);
        };
        let field = parse_field(argv.get(j + 1).copied().unwrap_or_default())?;
        let offset = bit_offset(
            ctx,
            argv.get(j + 2).copied().unwrap_or_default(),
            Some(field.bits),
        )?;
        let value = if kind == OpKind::Get {
            0
        } else {
            int_arg(argv.get(j + 3).copied().unwrap_or_default())?
        };
        ops.push(Op {
            kind,
            field,
            offset,
            value,
            overflow,
        });
        j += if kind == OpKind::Get { 3 } else { 4 };
    }
    Ok(ops)
}

fn bitfield(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    run(ctx, argv, false)
}

fn bitfield_ro(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    run(ctx, argv, true)
}

fn run(ctx: &mut Ctx<'_>, argv: &[&[u8]], read_only: bool) -> Result<Reply, CmdError> {
    let ops = parse_ops(ctx, argv)?;
    let key = argv.get(1).copied().unwrap_or_default();
    let writes = ops.iter().filter(|op| op.kind != OpKind::Get);
    let highest_bit = writes
        .map(|op| op.offset + u64::from(op.field.bits) - 1)
        .max();
    let Some(highest_bit) = highest_bit else {
        // Only reads: a missing key reads as zeros.
        let bytes = read_bits(ctx, key)?.unwrap_or_default();
        return Ok(Reply::Array(
            ops.iter()
                .map(|op| Reply::Int(get_field(&bytes, op.offset, op.field)))
                .collect(),
        ));
    };
    if read_only {
        return Err(CmdError::Other(
            "ERR BITFIELD_RO only supports the GET subcommand".to_string(),
        ));
    }
    let min_len = usize::try_from(highest_bit >> 3)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let (replies, _) = edit_bits(ctx, key, min_len, |bytes| {
        ops.iter()
            .map(|op| apply(bytes, op))
            .collect::<Vec<Reply>>()
    })?;
    // Writes refused by OVERFLOW FAIL (a nil reply) change nothing.
    let changed = ops
        .iter()
        .zip(&replies)
        .any(|(op, reply)| op.kind != OpKind::Get && *reply != Reply::Nil);
    if changed {
        ctx.modified(class::STRING, "setbit", key);
    }
    Ok(Reply::Array(replies))
}

fn apply(bytes: &mut [u8], op: &Op) -> Reply {
    if op.kind == OpKind::Get {
        return Reply::Int(get_field(bytes, op.offset, op.field));
    }
    let old = get_field(bytes, op.offset, op.field);
    let (new, overflowed, reply) = if op.field.signed {
        let (base, incr) = if op.kind == OpKind::IncrBy {
            (old, op.value)
        } else {
            (op.value, 0)
        };
        let (value, overflowed) = signed_overflow(base, incr, op.field.bits, op.overflow);
        (
            value,
            overflowed,
            if op.kind == OpKind::IncrBy {
                value
            } else {
                old
            },
        )
    } else {
        // Unsigned arithmetic happens on the 64-bit two's complement image.
        let (base, incr) = if op.kind == OpKind::IncrBy {
            (old as u64, op.value)
        } else {
            (op.value as u64, 0)
        };
        let (value, overflowed) = unsigned_overflow(base, incr, op.field.bits, op.overflow);
        (
            value as i64,
            overflowed,
            if op.kind == OpKind::IncrBy {
                value as i64
            } else {
                old
            },
        )
    };
    if overflowed && op.overflow == Overflow::Fail {
        return Reply::Nil;
    }
    set_field(bytes, op.offset, op.field.bits, new as u64);
    Reply::Int(reply)
}

/// Reads a field; bits past the end of `bytes` are zeros.
fn get_field(bytes: &[u8], offset: u64, field: Field) -> i64 {
    let mut value: u64 = 0;
    for i in 0..u64::from(field.bits) {
        let bit = offset + i;
        let byte = bytes
            .get(usize::try_from(bit >> 3).unwrap_or(usize::MAX))
            .copied()
            .unwrap_or(0);
        value = (value << 1) | u64::from((byte >> (7 - (bit & 7))) & 1);
    }
    if field.signed && field.bits < 64 && value & (1 << (field.bits - 1)) != 0 {
        value |= u64::MAX << field.bits;
    }
    value as i64
}

fn set_field(bytes: &mut [u8], offset: u64, bits: u32, value: u64) {
    for i in 0..u64::from(bits) {
        let bit = offset + i;
        let on = (value >> (u64::from(bits) - 1 - i)) & 1 == 1;
        if let Some(byte) = bytes.get_mut(usize::try_from(bit >> 3).unwrap_or(usize::MAX)) {
            let mask = 1u8 << (7 - (bit & 7));
            if on {
                *byte |= mask;
            } else {
                *byte &= !mask;
            }
        }
    }
}

/// Redis's `checkUnsignedBitfieldOverflow`: the value to store and whether
/// the operation overflowed.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, mode: Overflow) -> (u64, bool) {
    let max: u64 = if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    };
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let wrap = || value.wrapping_add(incr as u64) & !(u64::MAX << bits);
    if value > max || (incr > 0 && incr > max_incr) {
        match mode {
            Overflow::Wrap => (wrap(), true),
            Overflow::Sat => (max, true),
            Overflow::Fail => (value, true),
        }
    } else if incr < 0 && incr < min_incr {
        match mode {
            Overflow::Wrap => (wrap(), true),
            Overflow::Sat => (0, true),
            Overflow::Fail => (value, true),
        }
    } else {
        (value.wrapping_add(incr as u64), false)
    }
}

/// Redis's `checkSignedBitfieldOverflow`.
fn signed_overflow(value: i64, incr: i64, bits: u32, mode: Overflow) -> (i64, bool) {
    let max: i64 = if bits == 64 {
        i64::MAX
    } else {
        (1 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrap = || {
        let sum = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if sum & (1 << (bits - 1)) != 0 {
                (sum | mask) as i64
            } else {
                (sum & !mask) as i64
            }
        } else {
            sum as i64
        }
    };
    let wide = bits != 64;
    if value > max || (wide && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        match mode {
            Overflow::Wrap => (wrap(), true),
            Overflow::Sat => (max, true),
            Overflow::Fail => (value, true),
        }
    } else if value < min || (wide && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr)
    {
        match mode {
            Overflow::Wrap => (wrap(), true),
            Overflow::Sat => (min, true),
            Overflow::Fail => (value, true),
        }
    } else {
        (value.wrapping_add(incr), false)
    }
}
