//! The `string` library, wrapping [`crate::format`] and [`crate::pattern`],
//! and the strings' metatable that makes `("x"):upper()` work.
//!
//! Pattern matching cannot pause inside a native, so each match is given
//! what is left of the slice plus the overdraft ([`Ctx::allowance`]); a
//! match that needs more stops the script as a kill does.

use crate::format::{self, Arg, FormatError};
use crate::heap::{self, Error};
use crate::number;
use crate::pattern::{self, Capture, Gsub, Match, PatternError};
use crate::value::{StrRef, Value};
use crate::vm::{Ctx, NativeFn, Ret, Throw, Vm};

type R = Result<Ret, Throw>;

fn one(v: Value) -> R {
    Ok(Ret::Values(vec![v]))
}

/// Installs `string` and the string metatable.
pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    let lib = vm.heap.new_table(0, 16)?;
    let iter = vm.register(gmatch_iter)?;
    let gmatch = vm.register_with(gmatch, &[iter])?;
    vm.set_field(lib, b"gmatch", gmatch)?;
    let fns: [(&'static str, NativeFn); 12] = [
        ("len", len),
        ("sub", sub),
        ("upper", upper),
        ("lower", lower),
        ("rep", rep),
        ("byte", byte),
        ("char", char),
        ("reverse", reverse),
        ("format", format),
        ("find", find),
        ("match", match_),
        ("gsub", gsub),
    ];
    for (name, f) in fns {
        let v = vm.register(f)?;
        vm.set_field(lib, name.as_bytes(), v)?;
    }
    let g = vm.globals;
    vm.set_field(g, b"string", Value::Table(lib))?;
    let meta = vm.heap.new_table(0, 1)?;
    vm.set_field(meta, b"__index", Value::Table(lib))?;
    vm.string_meta = Some(meta);
    Ok(())
}

/// The string argument's bytes, copied (the heap is needed while they are
/// used).
fn bytes(ctx: &mut Ctx, args: &[Value], n: usize) -> Result<Vec<u8>, Throw> {
    let s = ctx.check_str(args, n)?;
    Ok(ctx.heap().str(s)?.to_vec())
}

fn new_str(ctx: &mut Ctx, b: Vec<u8>) -> Result<Value, Throw> {
    ctx.heap().check(b.len())?;
    ctx.charge(b.len() as u64 / 64);
    Ok(Value::Str(ctx.heap().intern_vec(b)?))
}

/// 5.1's `posrelat`: a negative position counts from the end.
fn posrelat(pos: i64, len: usize) -> i64 {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    if pos < 0 {
        (pos.saturating_add(len).saturating_add(1)).max(0)
    } else {
        pos
    }
}

fn len(ctx: &mut Ctx, args: &[Value]) -> R {
    let s = ctx.check_str(args, 1)?;
    one(Value::Num(ctx.heap().str(s)?.len() as f64))
}

fn sub(ctx: &mut Ctx, args: &[Value]) -> R {
    let s = bytes(ctx, args, 1)?;
    let start = posrelat(ctx.check_int(args, 2)?, s.len()).max(1);
    let end = posrelat(ctx.opt_int(args, 3, -1)?, s.len()).min(s.len() as i64);
    let out = if start <= end {
        s.get(start as usize - 1..end as usize)
            .unwrap_or(&[])
            .to_vec()
    } else {
        Vec::new()
    };
    one(new_str(ctx, out)?)
}

fn upper(ctx: &mut Ctx, args: &[Value]) -> R {
    let s = bytes(ctx, args, 1)?;
    one(new_str(ctx, s.to_ascii_uppercase())?)
}

fn lower(ctx: &mut Ctx, args: &[Value]) -> R {
    let s = bytes(ctx, args, 1)?;
    one(new_str(ctx, s.to_ascii_lowercase())?)
}

fn reverse(ctx: &mut Ctx, args: &[Value]) -> R {
    let mut s = bytes(ctx, args, 1)?;
    s.reverse();
    one(new_str(ctx, s)?)
}

fn rep(ctx: &mut Ctx, args: &[Value]) -> R {
    let s = bytes(ctx, args, 1)?;
    // 5.1 reads the count as a C int.
    let n = number::to_int(ctx.check_number(args, 2)?);
    let n = usize::try_from(n).unwrap_or(0);
    let total = s.len().checked_mul(n).ok_or(Error::NoMemory)?;
    ctx.heap().check(total)?;
    let mut out = Vec::new();
    out.try_reserve_exact(total).map_err(|_| Error::NoMemory)?;
    for _ in 0..n {
        out.extend_from_slice(&s);
    }
    one(new_str(ctx, out)?)
}

fn byte(ctx: &mut Ctx, args: &[Value]) -> R {
    let s = bytes(ctx, args, 1)?;
    let i = posrelat(ctx.opt_int(args, 2, 1)?, s.len()).max(1);
    let j = posrelat(ctx.opt_int(args, 3, i)?, s.len()).min(s.len() as i64);
    if i > j {
        return Ok(Ret::Values(Vec::new()));
    }
    let out = s
        .get(i as usize - 1..j as usize)
        .unwrap_or(&[])
        .iter()
        .map(|&b| Value::Num(f64::from(b)))
        .collect();
    Ok(Ret::Values(out))
}

fn char(ctx: &mut Ctx, args: &[Value]) -> R {
    let mut out = Vec::with_capacity(args.len());
    for i in 1..=args.len() {
        let c = ctx.check_int(args, i)?;
        match u8::try_from(c) {
            Ok(b) => out.push(b),
            Err(_) => return Err(ctx.arg_error(i, "invalid value")),
        }
    }
    one(new_str(ctx, out)?)
}

fn format(ctx: &mut Ctx, args: &[Value]) -> R {
    let fmt = bytes(ctx, args, 1)?;
    let mut texts: Vec<Option<Vec<u8>>> = Vec::with_capacity(args.len());
    for &a in args.iter().skip(1) {
        texts.push(match a {
            Value::Str(s) => Some(ctx.heap().str(s)?.to_vec()),
            _ => None,
        });
    }
    let fargs: Vec<Arg> = args
        .iter()
        .skip(1)
        .zip(&texts)
        .map(|(&v, t)| match (v, t) {
            (Value::Num(x), _) => Arg::Number(x),
            (_, Some(t)) => Arg::Str(t),
            (v, None) => Arg::Other(v.type_name()),
        })
        .collect();
    let limit = ctx.heap().limit().saturating_sub(ctx.heap().bytes_used());
    match format::format(&fmt, &fargs, limit) {
        Ok(out) => one(new_str(ctx, out)?),
        Err(FormatError::OutputLimit) => Err(Error::NoMemory.into()),
        Err(FormatError::NoValue { arg }) => Err(ctx.arg_error(arg, "no value")),
        Err(FormatError::BadType { arg, expected, got }) => {
            Err(ctx.arg_error(arg, &format!("{expected} expected, got {got}")))
        }
        Err(e) => Err(ctx.error(e.message("format"))),
    }
}

/// A pattern error as Lua raises it.
fn pattern_error(ctx: &mut Ctx, e: PatternError) -> Throw {
    match e {
        PatternError::StepLimit => Throw::Kill,
        PatternError::OutputLimit => Error::NoMemory.into(),
        e => ctx.error(e.message()),
    }
}

/// Runs a matcher with the slice's allowance, charging what it used.
fn metered<T>(
    ctx: &mut Ctx,
    f: impl FnOnce(&mut u64) -> Result<T, PatternError>,
) -> Result<T, Throw> {
    let allowance = ctx.allowance();
    let mut budget = allowance;
    let r = f(&mut budget);
    ctx.charge(allowance.saturating_sub(budget));
    r.map_err(|e| pattern_error(ctx, e))
}

fn capture_value(ctx: &mut Ctx, s: &[u8], m: &Match, i: usize) -> Result<Value, Throw> {
    match m.capture(i) {
        Ok(Capture::Span { start, end }) => new_str(ctx, pattern::span(s, start..end).to_vec()),
        Ok(Capture::Position(at)) => Ok(Value::Num(at as f64 + 1.0)),
        Err(e) => Err(pattern_error(ctx, e)),
    }
}

fn captures(ctx: &mut Ctx, s: &[u8], m: &Match, whole: bool) -> Result<Vec<Value>, Throw> {
    let n = if whole { m.value_count() } else { m.level() };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(capture_value(ctx, s, m, i)?);
    }
    Ok(out)
}

fn find_aux(ctx: &mut Ctx, args: &[Value], find: bool) -> R {
    let s = bytes(ctx, args, 1)?;
    let p = bytes(ctx, args, 2)?;
    let start = pattern::start_offset(ctx.opt_int(args, 3, 1)?, s.len());
    let plain = find && args.get(3).is_some_and(|v| v.truthy());
    let found = metered(ctx, |budget| {
        if find {
            pattern::find(&s, &p, start, plain, budget)
        } else {
            pattern::match_str(&s, &p, start, budget)
        }
    })?;
    let Some(m) = found else {
        return one(Value::Nil);
    };
    if find {
        let mut out = vec![Value::Num(m.start as f64 + 1.0), Value::Num(m.end as f64)];
        out.extend(captures(ctx, &s, &m, false)?);
        Ok(Ret::Values(out))
    } else {
        Ok(Ret::Values(captures(ctx, &s, &m, true)?))
    }
}

fn find(ctx: &mut Ctx, args: &[Value]) -> R {
    find_aux(ctx, args, true)
}

fn match_(ctx: &mut Ctx, args: &[Value]) -> R {
    find_aux(ctx, args, false)
}

fn gmatch(ctx: &mut Ctx, args: &[Value]) -> R {
    let s = ctx.check_str(args, 1)?;
    let p = ctx.check_str(args, 2)?;
    // Upvalue 0 is the iterator native, registered once: each call makes
    // a new function value of it with its own state.
    let Value::Native(iter) = ctx.upvalue(0) else {
        return one(Value::Nil);
    };
    let id = ctx.heap().native(iter)?.id;
    let f = ctx
        .heap()
        .new_native(id, &[Value::Str(s), Value::Str(p), Value::Num(0.0)])?;
    one(Value::Native(f))
}

/// The iterator of `gmatch`: its upvalues are the subject, the pattern
/// and the offset to search from.
fn gmatch_iter(ctx: &mut Ctx, _args: &[Value]) -> R {
    let (Value::Str(s), Value::Str(p), Value::Num(pos)) =
        (ctx.upvalue(0), ctx.upvalue(1), ctx.upvalue(2))
    else {
        return one(Value::Nil);
    };
    let (s, p): (Vec<u8>, Vec<u8>) = (ctx.heap().str(s)?.to_vec(), ctx.heap().str(p)?.to_vec());
    let pos = pos as usize;
    if pos > s.len() {
        return one(Value::Nil);
    }
    // gmatch has no anchor: a leading '^' is searched for literally.
    let found = metered(ctx, |budget| {
        let mut g = pattern::Gmatch::new(&p);
        g.skip_to(pos);
        g.next(&s, &p, budget)
    })?;
    let Some(m) = found else {
        ctx.set_upvalue(2, Value::Num((s.len() + 1) as f64))?;
        return one(Value::Nil);
    };
    let next = if m.end == m.start { m.end + 1 } else { m.end };
    ctx.set_upvalue(2, Value::Num(next as f64))?;
    Ok(Ret::Values(captures(ctx, &s, &m, true)?))
}

fn gsub(ctx: &mut Ctx, args: &[Value]) -> R {
    let s = bytes(ctx, args, 1)?;
    let p = bytes(ctx, args, 2)?;
    let repl = args.get(2).copied().unwrap_or(Value::Nil);
    if !matches!(
        repl,
        Value::Num(_) | Value::Str(_) | Value::Table(_) | Value::Func(_) | Value::Native(_)
    ) {
        return Err(ctx.arg_error(3, "string/function/table expected"));
    }
    let repl_text: Option<Vec<u8>> = match repl {
        Value::Num(_) | Value::Str(_) => {
            let r = ctx.check_str(args, 3)?;
            Some(ctx.heap().str(r)?.to_vec())
        }
        _ => None,
    };
    let max = match args.get(3) {
        None | Some(Value::Nil) => None,
        _ => Some(i64::from(number::to_int(ctx.check_number(args, 4)?))),
    };
    let limit = ctx.heap().limit().saturating_sub(ctx.heap().bytes_used());
    let mut g = Gsub::new(&p, max);
    let mut out = Vec::new();
    while let Some(m) = metered(ctx, |budget| g.next(&s, &p, &mut out, limit, budget))? {
        let whole = pattern::span(&s, m.start..m.end);
        if let Some(t) = &repl_text {
            if let Err(e) = pattern::expand(t, &s, &m, &mut out, limit) {
                return Err(pattern_error(ctx, e));
            }
            continue;
        }
        let v = match repl {
            Value::Table(t) => {
                let key = capture_value(ctx, &s, &m, 0)?;
                ctx.heap().table(t)?.get(key)
            }
            _ => {
                let caps = captures(ctx, &s, &m, true)?;
                ctx.call(repl, &caps)?
                    .first()
                    .copied()
                    .unwrap_or(Value::Nil)
            }
        };
        let piece: Vec<u8> = match v {
            Value::Nil | Value::Bool(false) => whole.to_vec(),
            Value::Str(r) => ctx.heap().str(r)?.to_vec(),
            Value::Num(x) => {
                let r: StrRef = ctx.heap().intern_number(x)?;
                ctx.heap().str(r)?.to_vec()
            }
            other => {
                return Err(ctx.error(format!(
                    "invalid replacement value (a {})",
                    other.type_name()
                )))
            }
        };
        if piece.len() > limit.saturating_sub(out.len()) {
            return Err(Error::NoMemory.into());
        }
        out.extend_from_slice(&piece);
    }
    let count = g.count();
    Ok(Ret::Values(vec![
        new_str(ctx, out)?,
        Value::Num(count as f64),
    ]))
}
