//! `math.random` and `math.randomseed` as Redis replaces them: on its
//! `rand.c` generator (the 48-bit linear congruential one of `lrand48`),
//! so seeded sequences match Redis. Redis 7.0 keeps the generator's state
//! from script to script (it does not reseed before each one), starting
//! from `lrand48`'s default state; so does this VM.

use crate::heap;
use crate::number;
use crate::value::{TableRef, Value};
use crate::vm::{Ctx, Ret, Throw, Vm};

type R<T> = Result<T, Throw>;

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const INCREMENT: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;
/// `lrand48`'s state before any seeding.
const INITIAL: u64 = 0x1234_ABCD_330E;
/// `REDIS_LRAND48_MAX`.
const MAX: u64 = i32::MAX as u64;

/// Replaces `math.random` / `math.randomseed` (the `math` table must be
/// installed already).
pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    // The state lives in a table both functions hold (48 bits are exact
    // in a number), so it persists in the VM across scripts.
    let state = vm.heap.new_table(1, 0)?;
    vm.heap.set_int(state, 1, Value::Num(INITIAL as f64))?;
    let key = vm.heap.intern(b"math")?;
    let Value::Table(math) = vm.heap.table(vm.globals)?.get(Value::Str(key)) else {
        return Err(heap::Error::StaleHandle);
    };
    let random = vm.register_with(random, &[Value::Table(state)])?;
    vm.set_field(math, b"random", random)?;
    let seed = vm.register_with(randomseed, &[Value::Table(state)])?;
    vm.set_field(math, b"randomseed", seed)
}

fn state(ctx: &mut Ctx) -> R<(TableRef, u64)> {
    let Value::Table(t) = ctx.upvalue(0) else {
        return Err(ctx.error("math.random: missing state"));
    };
    let x = match ctx.heap().table(t)?.get_int(1) {
        Value::Num(x) => x as u64,
        _ => INITIAL,
    };
    Ok((t, x))
}

fn store(ctx: &mut Ctx, t: TableRef, x: u64) -> R<()> {
    Ok(ctx.heap().set_int(t, 1, Value::Num(x as f64))?)
}

fn random(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let (t, x) = state(ctx)?;
    let x = x.wrapping_mul(MULTIPLIER).wrapping_add(INCREMENT) & MASK;
    store(ctx, t, x)?;
    // The top 31 bits, as `lrand48` returns them, scaled below 1.
    let r = ((x >> 17) % MAX) as f64 / MAX as f64;
    let v = match args.len() {
        0 => r,
        1 => {
            let u = number::to_int(ctx.check_number(args, 1)?);
            if u < 1 {
                return Err(ctx.arg_error(1, "interval is empty"));
            }
            (r * f64::from(u)).floor() + 1.0
        }
        2 => {
            let l = number::to_int(ctx.check_number(args, 1)?);
            let u = number::to_int(ctx.check_number(args, 2)?);
            if l > u {
                return Err(ctx.arg_error(2, "interval is empty"));
            }
            // C computes the width in int arithmetic.
            let width = u.wrapping_sub(l).wrapping_add(1);
            (r * f64::from(width)).floor() + f64::from(l)
        }
        _ => return Err(ctx.error("wrong number of arguments")),
    };
    Ok(Ret::Values(vec![Value::Num(v)]))
}

fn randomseed(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let seed = number::to_int(ctx.check_number(args, 1)?);
    let (t, _) = state(ctx)?;
    store(ctx, t, (u64::from(seed as u32) << 16) | 0x330E)?;
    Ok(Ret::Values(Vec::new()))
}
