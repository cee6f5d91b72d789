//! `bit`, the LuaBitOp 1.0.2 library Redis bundles: 32-bit operations on
//! Lua numbers, with its conversion rule and messages.

use crate::heap;
use crate::value::Value;
use crate::vm::{Ctx, NativeFn, Ret, Throw, Vm};

type R = Result<Ret, Throw>;

pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    let fns: [(&str, NativeFn); 12] = [
        ("tobit", |c, a| unary(c, a, |x| x)),
        ("bnot", |c, a| unary(c, a, |x| !x)),
        ("bswap", |c, a| unary(c, a, u32::swap_bytes)),
        ("tohex", tohex),
        ("band", |c, a| fold(c, a, |x, y| x & y)),
        ("bor", |c, a| fold(c, a, |x, y| x | y)),
        ("bxor", |c, a| fold(c, a, |x, y| x ^ y)),
        ("lshift", |c, a| shift(c, a, |x, n| x << n)),
        ("rshift", |c, a| shift(c, a, |x, n| x >> n)),
        ("arshift", |c, a| {
            shift(c, a, |x, n| ((x as i32) >> n) as u32)
        }),
        ("rol", |c, a| shift(c, a, u32::rotate_left)),
        ("ror", |c, a| shift(c, a, u32::rotate_right)),
    ];
    let t = vm.heap.new_table(0, fns.len())?;
    for (name, f) in fns {
        let v = vm.register(f)?;
        vm.set_field(t, name.as_bytes(), v)?;
    }
    let g = vm.globals;
    vm.set_field(g, b"bit", Value::Table(t))
}

/// The low 32 bits of `x` rounded to an integer, as LuaBitOp computes them:
/// adding 2^52 + 2^51 moves the rounded integer (ties to even) into the
/// low mantissa bits, whatever the magnitude; NaN and infinities give 0.
pub fn to_bits(x: f64) -> u32 {
    (x + 6_755_399_441_055_744.0).to_bits() as u32
}

/// Argument `n` as 32 bits. Like LuaBitOp, a zero result from something
/// that is not a number (nor a numeric string) is a type error.
fn arg(ctx: &mut Ctx, args: &[Value], n: usize) -> Result<u32, Throw> {
    let v = args.get(n - 1).copied().unwrap_or(Value::Nil);
    match ctx.vm.to_number(v) {
        Some(x) => Ok(to_bits(x)),
        None => Err(ctx.type_error(args, n, "number")),
    }
}

fn result(b: u32) -> R {
    Ok(Ret::Values(vec![Value::Num(f64::from(b as i32))]))
}

fn unary(ctx: &mut Ctx, args: &[Value], op: fn(u32) -> u32) -> R {
    let x = arg(ctx, args, 1)?;
    result(op(x))
}

/// `band`/`bor`/`bxor`: the first argument is required, and the others
/// are converted from the last one down (which decides the error).
fn fold(ctx: &mut Ctx, args: &[Value], op: fn(u32, u32) -> u32) -> R {
    let mut acc = arg(ctx, args, 1)?;
    for n in (2..=args.len()).rev() {
        acc = op(acc, arg(ctx, args, n)?);
    }
    result(acc)
}

/// Shifts and rotations take the count modulo 32.
fn shift(ctx: &mut Ctx, args: &[Value], op: fn(u32, u32) -> u32) -> R {
    let x = arg(ctx, args, 1)?;
    let n = arg(ctx, args, 2)? & 31;
    result(op(x, n))
}

/// `tohex(x [, n])`: the low `|n|` hex digits (at most 8, default 8),
/// upper case when `n` is negative.
fn tohex(ctx: &mut Ctx, args: &[Value]) -> R {
    let x = arg(ctx, args, 1)?;
    let n = if args.len() < 2 {
        8
    } else {
        arg(ctx, args, 2)? as i32
    };
    let digits: &[u8; 16] = if n < 0 {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let n = n.unsigned_abs().min(8);
    let text: Vec<u8> = (0..n)
        .rev()
        .map(|i| digits[((x >> (4 * i)) & 15) as usize])
        .collect();
    let s = ctx.string(text)?;
    Ok(Ret::Values(vec![s]))
}
