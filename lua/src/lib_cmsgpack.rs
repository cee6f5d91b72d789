//! `cmsgpack`, the lua_cmsgpack 0.4.0 library Redis bundles: MessagePack
//! `pack` / `unpack` / `unpack_one` / `unpack_limit` with its encoding
//! choices, nesting cut-off (tables 16 levels down pack as nil) and the
//! Lua stack limits its decoder runs into, reproduced by counting the
//! slots it would use, on an explicit stack.

use crate::heap;
use crate::value::{StrRef, TableRef, Value};
use crate::vm::{Ctx, NativeFn, Ret, Throw, Vm};

type R<T> = Result<T, Throw>;

/// Tables this deep pack as nil (lua_cmsgpack's guard against cycles).
const MAX_NESTING: usize = 16;
/// Slots a C function may use on the Lua 5.1 stack (`LUAI_MAXCSTACK`):
/// the decoder's limits are expressed in it.
const MAX_C_STACK: usize = 8000;

pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    let fns: [(&str, NativeFn); 4] = [
        ("pack", pack),
        ("unpack", unpack),
        ("unpack_one", unpack_one),
        ("unpack_limit", unpack_limit),
    ];
    let t = vm.heap.new_table(0, fns.len() + 4)?;
    for (name, f) in fns {
        let v = vm.register(f)?;
        vm.set_field(t, name.as_bytes(), v)?;
    }
    let info: [(&[u8], &[u8]); 4] = [
        (b"_NAME", b"cmsgpack"),
        (b"_VERSION", b"lua-cmsgpack 0.4.0"),
        (b"_COPYRIGHT", b"Copyright (C) 2012, Salvatore Sanfilippo"),
        (b"_DESCRIPTION", b"MessagePack C implementation for Lua"),
    ];
    for (name, text) in info {
        let v = Value::Str(vm.heap.intern(text)?);
        vm.set_field(t, name, v)?;
    }
    let g = vm.globals;
    vm.set_field(g, b"cmsgpack", Value::Table(t))
}

// ------------------------------------------------------------------ pack

fn pack(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    if args.is_empty() {
        return Err(ctx.arg_error(0, "MessagePack pack needs input."));
    }
    // lua_checkstack(nargs) on top of the nargs arguments.
    if args.len() * 2 > MAX_C_STACK {
        return Err(ctx.arg_error(0, "Too many arguments for MessagePack pack."));
    }
    let mut out = Vec::new();
    for &v in args {
        encode(ctx, &mut out, v, 0)?;
    }
    let s = ctx.heap().intern_vec(out)?;
    Ok(Ret::Values(vec![Value::Str(s)]))
}

/// Appends `v` at nesting `level`. Recursion is bounded by
/// [`MAX_NESTING`]; every value is charged and the buffer is kept within
/// the heap's cap, since shared subtables can make the output exponential.
fn encode(ctx: &mut Ctx, out: &mut Vec<u8>, v: Value, level: usize) -> R<()> {
    ctx.spend(1)?;
    ctx.heap().check(out.len())?;
    match v {
        Value::Str(s) => {
            let heap = ctx.heap();
            let bytes = heap.str(s)?;
            heap.check(out.len().saturating_add(bytes.len() + 5))?;
            let n = bytes.len();
            if n < 32 {
                out.push(0xa0 | n as u8);
            } else if n <= 0xff {
                out.extend_from_slice(&[0xd9, n as u8]);
            } else if n <= 0xffff {
                out.push(0xda);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            } else {
                out.push(0xdb);
                out.extend_from_slice(&(n as u32).to_be_bytes());
            }
            out.extend_from_slice(bytes);
        }
        Value::Bool(b) => out.push(if b { 0xc3 } else { 0xc2 }),
        Value::Num(x) => number(out, x),
        Value::Table(t) if level < MAX_NESTING => table(ctx, out, t, level)?,
        _ => out.push(0xc0),
    }
    Ok(())
}

fn number(out: &mut Vec<u8>, x: f64) {
    // An integer when C's `(int64_t)x == x`: out-of-range casts give
    // INT64_MIN, so 2^63 is not one but -2^63 is.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if x.fract() == 0.0 && (-LIMIT..LIMIT).contains(&x) {
        integer(out, x as i64);
    } else if f64::from(x as f32) == x {
        out.push(0xca);
        out.extend_from_slice(&(x as f32).to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&x.to_be_bytes());
    }
}

/// The shortest MessagePack integer form.
fn integer(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            out.push(n as u8);
        } else if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&n.to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2_147_483_648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// A container header: the fix form for up to 15 entries, else 16 or 32
/// bits after `marker` / `marker + 1`.
fn header(out: &mut Vec<u8>, fix: u8, marker: u8, n: usize) {
    if n <= 15 {
        out.push(fix | n as u8);
    } else if n <= 0xffff {
        out.push(marker);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(marker + 1);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

/// An array when the keys are exactly 1..n (so `{}` is an empty array),
/// else a map in `next` order.
fn table(ctx: &mut Ctx, out: &mut Vec<u8>, t: TableRef, level: usize) -> R<()> {
    let mut count: i64 = 0;
    let mut max: i64 = 0;
    let mut array = true;
    let mut key = Value::Nil;
    while let Some((k, _)) = ctx.heap().table(t)?.next(key)? {
        ctx.spend(1)?;
        key = k;
        count += 1;
        match k {
            // Keys that fit a C int and are positive.
            Value::Num(x) if x > 0.0 && x.fract() == 0.0 && x <= f64::from(i32::MAX) => {
                max = max.max(x as i64);
            }
            _ => array = false,
        }
    }
    if array && max == count {
        header(out, 0x90, 0xdc, count as usize);
        for i in 1..=count {
            let v = ctx.heap().table(t)?.get_int(i);
            encode(ctx, out, v, level + 1)?;
        }
    } else {
        header(out, 0x80, 0xde, count as usize);
        let mut key = Value::Nil;
        while let Some((k, v)) = ctx.heap().table(t)?.next(key)? {
            key = k;
            encode(ctx, out, k, level + 1)?;
            encode(ctx, out, v, level + 1)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- unpack

fn unpack(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let s = ctx.check_str(args, 1)?;
    // The extra arguments stay on the C stack, taking room from results.
    unpack_full(ctx, s, 0, 0, args.len())
}

fn unpack_one(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let offset = ctx.opt_int(args, 2, 0)?;
    let s = ctx.check_str(args, 1)?;
    unpack_full(ctx, s, 1, offset, 1)
}

fn unpack_limit(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let limit = ctx.check_int(args, 2)?;
    let offset = ctx.opt_int(args, 3, 0)?;
    let s = ctx.check_str(args, 1)?;
    unpack_full(ctx, s, limit, offset, 1)
}

/// Decodes values from `offset` (all of them when `limit` and `offset`
/// are both 0, else at most `limit`, preceded by the next offset or -1).
fn unpack_full(ctx: &mut Ctx, s: StrRef, limit: i64, offset: i64, base: usize) -> R<Ret> {
    let input = ctx.heap().str(s)?.to_vec();
    let len = input.len();
    // The messages print both numbers with C's %d (the low 32 bits), and
    // the first one names the input length as the limit.
    if offset < 0 || limit < 0 {
        return Err(ctx.error(format!(
            "Invalid request to unpack with offset of {} and limit of {}.",
            offset as i32, len as i32
        )));
    }
    if offset as u64 > len as u64 {
        return Err(ctx.error(format!(
            "Start offset {} greater than input length {}.",
            offset as i32, len as i32
        )));
    }
    // Decoding is linear in the input.
    ctx.charge(len as u64);
    let all = limit == 0 && offset == 0;
    let limit = if all { i64::MAX } else { limit };
    let mut d = Decoder {
        data: &input,
        pos: offset as usize,
        used: base,
    };
    let mut values = Vec::new();
    while d.pos < len && (values.len() as i64) < limit {
        match d.value(ctx)? {
            Ok(v) => values.push(v),
            Err(Bad::Eof) => return Err(ctx.error("Missing bytes in input.")),
            Err(Bad::Format) => return Err(ctx.error("Bad data format in input.")),
        }
        d.used += 1;
    }
    if !all {
        let next = if d.pos >= len { -1.0 } else { d.pos as f64 };
        values.insert(0, Value::Num(next));
    }
    Ok(Ret::Values(values))
}

/// Malformed input, reported once the top-level value is abandoned.
enum Bad {
    Eof,
    Format,
}

/// A container being filled.
enum Open {
    Array {
        t: TableRef,
        next: i64,
        left: u64,
    },
    /// `key` is set once the entry's key is decoded.
    Map {
        t: TableRef,
        left: u64,
        key: Option<Value>,
    },
}

struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
    /// Lua stack slots lua_cmsgpack would be using (the arguments, the
    /// values decoded so far, and per open container its table plus an
    /// index or key).
    used: usize,
}

impl Decoder<'_> {
    fn need(&self, n: usize) -> Result<(), Bad> {
        match self.data.len().checked_sub(self.pos) {
            Some(left) if left >= n => Ok(()),
            _ => Err(Bad::Eof),
        }
    }

    fn bytes<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut b = [0u8; N];
        if let Some(src) = self.data.get(self.pos + at..self.pos + at + N) {
            b.copy_from_slice(src);
        }
        b
    }

    fn overflow(&self, ctx: &mut Ctx, why: &str) -> Throw {
        ctx.error(format!("stack overflow ({why})"))
    }

    /// One top-level value; nesting is kept on an explicit stack. Slots
    /// are counted as lua_cmsgpack uses them: an open array holds its
    /// table and the index being filled, an open map its table, plus the
    /// key while its value is decoded.
    fn value(&mut self, ctx: &mut Ctx) -> R<Result<Value, Bad>> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            let mut v = match self.item(ctx)? {
                Err(bad) => return Ok(Err(bad)),
                Ok(Item::Value(v)) => v,
                Ok(Item::Open(open)) => {
                    let (t, left, slots) = open.state();
                    if left == 0 {
                        Value::Table(t)
                    } else {
                        self.used += slots;
                        stack.push(open);
                        continue;
                    }
                }
            };
            // Store it, closing every container it completes.
            while let Some(top) = stack.last_mut() {
                match top {
                    Open::Array { t, next, left } => {
                        ctx.heap().set_int(*t, *next, v)?;
                        *next += 1;
                        *left -= 1;
                    }
                    Open::Map { t, left, key } => match key.take() {
                        None => {
                            *key = Some(v);
                            self.used += 1;
                            break;
                        }
                        Some(k) => {
                            self.used -= 1;
                            // lua_settable from C: a bad key's error has
                            // no position.
                            if let Err(e) = ctx.heap().set(*t, k, v) {
                                return Err(match e {
                                    heap::Error::IndexNil | heap::Error::IndexNaN => {
                                        Throw::Error(ctx.string(e.message())?)
                                    }
                                    other => Throw::Heap(other),
                                });
                            }
                            *left -= 1;
                        }
                    },
                }
                let (t, left, slots) = top.state();
                if left > 0 {
                    break;
                }
                v = Value::Table(t);
                self.used -= slots;
                stack.pop();
            }
            if stack.is_empty() {
                return Ok(Ok(v));
            }
        }
    }

    fn item(&mut self, ctx: &mut Ctx) -> R<Result<Item, Bad>> {
        if let Err(bad) = self.need(1) {
            return Ok(Err(bad));
        }
        if self.used + 1 > MAX_C_STACK {
            return Err(self.overflow(
                ctx,
                "too many return values at once; use unpack_one or unpack_limit instead.",
            ));
        }
        let c = self.data.get(self.pos).copied().unwrap_or(0);
        let (size, v) = match c {
            0x00..=0x7f => (1, Value::Num(f64::from(c))),
            0xe0..=0xff => (1, Value::Num(f64::from(c as i8))),
            0xc0 => (1, Value::Nil),
            0xc2 => (1, Value::Bool(false)),
            0xc3 => (1, Value::Bool(true)),
            0xcc => (2, Value::Num(f64::from(self.bytes::<1>(1)[0]))),
            0xd0 => (2, Value::Num(f64::from(self.bytes::<1>(1)[0] as i8))),
            0xcd => (3, Value::Num(f64::from(u16::from_be_bytes(self.bytes(1))))),
            0xd1 => (3, Value::Num(f64::from(i16::from_be_bytes(self.bytes(1))))),
            0xce => (5, Value::Num(f64::from(u32::from_be_bytes(self.bytes(1))))),
            0xd2 => (5, Value::Num(f64::from(i32::from_be_bytes(self.bytes(1))))),
            // Redis's build pushes uint 64 as a signed lua_Integer.
            0xcf | 0xd3 => (9, Value::Num(i64::from_be_bytes(self.bytes(1)) as f64)),
            0xca => (5, Value::Num(f64::from(f32::from_be_bytes(self.bytes(1))))),
            0xcb => (9, Value::Num(f64::from_be_bytes(self.bytes(1)))),
            0xa0..=0xbf => return self.string(ctx, 1, usize::from(c & 0x1f)),
            0xd9 => return self.sized(ctx, 1),
            0xda => return self.sized(ctx, 2),
            0xdb => return self.sized(ctx, 4),
            0x90..=0x9f => return self.open(ctx, 1, u64::from(c & 0xf), false),
            0x80..=0x8f => return self.open(ctx, 1, u64::from(c & 0xf), true),
            0xdc | 0xde => {
                if let Err(bad) = self.need(3) {
                    return Ok(Err(bad));
                }
                let n = u64::from(u16::from_be_bytes(self.bytes(1)));
                return self.open(ctx, 3, n, c == 0xde);
            }
            0xdd | 0xdf => {
                if let Err(bad) = self.need(5) {
                    return Ok(Err(bad));
                }
                let n = u64::from(u32::from_be_bytes(self.bytes(1)));
                return self.open(ctx, 5, n, c == 0xdf);
            }
            _ => return Ok(Err(Bad::Format)),
        };
        if let Err(bad) = self.need(size) {
            return Ok(Err(bad));
        }
        self.pos += size;
        Ok(Ok(Item::Value(v)))
    }

    /// A string whose length follows in `width` bytes.
    fn sized(&mut self, ctx: &mut Ctx, width: usize) -> R<Result<Item, Bad>> {
        if let Err(bad) = self.need(1 + width) {
            return Ok(Err(bad));
        }
        let mut n = 0usize;
        for i in 0..width {
            n = (n << 8) | usize::from(self.bytes::<1>(1 + i)[0]);
        }
        self.string(ctx, 1 + width, n)
    }

    fn string(&mut self, ctx: &mut Ctx, header: usize, n: usize) -> R<Result<Item, Bad>> {
        let total = header.saturating_add(n);
        if let Err(bad) = self.need(total) {
            return Ok(Err(bad));
        }
        let text = self
            .data
            .get(self.pos + header..self.pos + total)
            .unwrap_or(&[]);
        let s = ctx.heap().intern(text)?;
        self.pos += total;
        Ok(Ok(Item::Value(Value::Str(s))))
    }

    /// A new table for a container of `n` entries after a `header`.
    fn open(&mut self, ctx: &mut Ctx, header: usize, n: u64, map: bool) -> R<Result<Item, Bad>> {
        self.pos += header;
        let t = ctx.heap().new_table(0, 0)?;
        // Arrays check room for their index slot (the table takes one).
        if !map && self.used + 2 > MAX_C_STACK {
            return Err(self.overflow(ctx, "in function mp_decode_to_lua_array"));
        }
        let open = if map {
            Open::Map {
                t,
                left: n,
                key: None,
            }
        } else {
            Open::Array {
                t,
                next: 1,
                left: n,
            }
        };
        Ok(Ok(Item::Open(open)))
    }
}

enum Item {
    Value(Value),
    Open(Open),
}

impl Open {
    /// The table, entries still to read, and stack slots held while open.
    fn state(&self) -> (TableRef, u64, usize) {
        match *self {
            Open::Array { t, left, .. } => (t, left, 2),
            Open::Map { t, left, .. } => (t, left, 1),
        }
    }
}
