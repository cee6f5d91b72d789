//! `struct`, Roberto Ierusalimschy's binary packing library as Redis
//! bundles it: `pack`, `unpack` and `size` over format strings of
//! `> < ! x b B h H l L T i I s f d c` with counts, using the sizes,
//! byte order and alignment rules of x86-64 Linux (where Redis's numbers
//! come from), including its integer conversions and messages.

use crate::heap;
use crate::number;
use crate::value::Value;
use crate::vm::{Ctx, NativeFn, Ret, Throw, Vm};

type R<T> = Result<T, Throw>;

/// Widest `i`/`I` integer, in bytes.
const MAX_INT_SIZE: usize = 32;
/// Default `!` alignment: the strictest C alignment (a double's).
const MAX_ALIGN: usize = 8;
/// Lua 5.1's limit on the slots a C function uses (`LUAI_MAXCSTACK`),
/// which bounds how many values `unpack` can return.
const MAX_C_STACK: usize = 8000;

pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    let fns: [(&str, NativeFn); 3] = [("pack", pack), ("unpack", unpack), ("size", size)];
    let t = vm.heap.new_table(0, fns.len())?;
    for (name, f) in fns {
        let v = vm.register(f)?;
        vm.set_field(t, name.as_bytes(), v)?;
    }
    let g = vm.globals;
    vm.set_field(g, b"struct", Value::Table(t))
}

/// A format string being read, with the byte order and alignment its
/// control options set.
struct Format {
    /// The text up to its first NUL (it is read as a C string).
    text: Vec<u8>,
    at: usize,
    little: bool,
    align: usize,
}

impl Format {
    fn new(ctx: &mut Ctx, args: &[Value]) -> R<Format> {
        let s = ctx.check_str(args, 1)?;
        let bytes = ctx.heap().str(s)?;
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        Ok(Format {
            text: bytes[..end].to_vec(),
            at: 0,
            little: true,
            align: 1,
        })
    }

    fn next_opt(&mut self) -> Option<u8> {
        let c = self.text.get(self.at).copied();
        self.at += usize::from(c.is_some());
        c
    }

    /// A count after an option, or `default` when none follows.
    fn number(&mut self, ctx: &mut Ctx, default: usize) -> R<usize> {
        let mut n: i32 = 0;
        let mut any = false;
        while let Some(&c) = self.text.get(self.at).filter(|c| c.is_ascii_digit()) {
            any = true;
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(i32::from(c - b'0')))
                .ok_or_else(|| ctx.error("integral size overflow"))?;
            self.at += 1;
        }
        Ok(if any { n as usize } else { default })
    }

    /// The size of option `opt` (reading its count); 0 for options that
    /// take no room or are not data.
    fn size(&mut self, ctx: &mut Ctx, opt: u8) -> R<usize> {
        Ok(match opt {
            b'b' | b'B' | b'x' => 1,
            b'h' | b'H' => 2,
            b'l' | b'L' | b'T' | b'd' => 8,
            b'f' => 4,
            b'c' => self.number(ctx, 1)?,
            b'i' | b'I' => {
                let n = self.number(ctx, 4)?;
                if n > MAX_INT_SIZE {
                    return Err(ctx.error(format!(
                        "integral size {n} is larger than limit of {MAX_INT_SIZE}"
                    )));
                }
                n
            }
            _ => 0,
        })
    }

    /// Padding that aligns an item of `size` bytes at offset `len`: to
    /// its own size, capped by the `!` alignment (the formula also
    /// serves the odd sizes `i3`, `i5`... as the C library computes it).
    fn padding(&self, len: usize, opt: u8, size: usize) -> usize {
        if size == 0 || opt == b'c' {
            return 0;
        }
        let size = size.min(self.align);
        let mask = size.wrapping_sub(1);
        size.wrapping_sub(len & mask) & mask
    }

    /// Byte order, alignment and spaces; anything else is an invalid
    /// option when `strict` (`size` ignores unknown options).
    fn control(&mut self, ctx: &mut Ctx, opt: u8, strict: bool) -> R<()> {
        match opt {
            b' ' => {}
            b'>' => self.little = false,
            b'<' => self.little = true,
            b'!' => {
                let a = self.number(ctx, MAX_ALIGN)?;
                if !a.is_power_of_two() {
                    return Err(ctx.error(format!("alignment {a} is not a power of 2")));
                }
                self.align = a;
            }
            _ if strict => {
                let msg = format!("invalid format option '{}'", char::from(opt));
                return Err(ctx.arg_error(1, &msg));
            }
            _ => {}
        }
        Ok(())
    }
}

/// The 64-bit pattern C's cast gives a number: through `long` when
/// negative, else the x86-64 conversion to `unsigned long` (NaN and values
/// of 2^64 or more wrap as that instruction sequence does).
fn to_bits(x: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if x < 0.0 {
        number::to_integer(x) as u64
    } else if x >= TWO63 {
        (number::to_integer(x - TWO63) as u64) ^ (1 << 63)
    } else {
        number::to_integer(x) as u64
    }
}

fn pack(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let mut f = Format::new(ctx, args)?;
    // The C function pushes a nil after its arguments, which is what the
    // first missing one is reported as.
    let mut padded = args.to_vec();
    padded.push(Value::Nil);
    let args = &padded[..];
    let mut out: Vec<u8> = Vec::new();
    let mut arg = 2;
    while let Some(opt) = f.next_opt() {
        let mut size = f.size(ctx, opt)?;
        let pad = f.padding(out.len(), opt, size);
        // Strings are checked below; integers take at most 32 bytes.
        ctx.heap().check(out.len() + pad + MAX_INT_SIZE)?;
        out.resize(out.len() + pad, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let mut v = to_bits(ctx.check_number(args, arg)?);
                arg += 1;
                let mut bytes = [0u8; MAX_INT_SIZE];
                // Past 8 bytes the value has been shifted out: zeros.
                for b in bytes.iter_mut().take(size) {
                    *b = v as u8;
                    v = v.checked_shr(8).unwrap_or(0);
                }
                let bytes = bytes.get(..size).unwrap_or(&[]);
                if f.little {
                    out.extend_from_slice(bytes);
                } else {
                    out.extend(bytes.iter().rev());
                }
            }
            b'x' => out.push(0),
            b'f' => {
                let x = ctx.check_number(args, arg)? as f32;
                arg += 1;
                out.extend_from_slice(&if f.little {
                    x.to_le_bytes()
                } else {
                    x.to_be_bytes()
                });
            }
            b'd' => {
                let x = ctx.check_number(args, arg)?;
                arg += 1;
                out.extend_from_slice(&if f.little {
                    x.to_le_bytes()
                } else {
                    x.to_be_bytes()
                });
            }
            b'c' | b's' => {
                let s = ctx.check_str(args, arg)?;
                arg += 1;
                let len = ctx.heap().str(s)?.len();
                if size == 0 {
                    size = len;
                }
                if len < size {
                    // The C library names the argument after this one.
                    return Err(ctx.arg_error(arg, "string too short"));
                }
                let heap = ctx.heap();
                heap.check(out.len().saturating_add(size + 1))?;
                out.extend_from_slice(heap.str(s)?.get(..size).unwrap_or(&[]));
                if opt == b's' {
                    out.push(0);
                }
            }
            _ => f.control(ctx, opt, true)?,
        }
    }
    ctx.charge((out.len() + f.text.len()) as u64);
    let s = ctx.heap().intern_vec(out)?;
    Ok(Ret::Values(vec![Value::Str(s)]))
}

/// An integer of `bytes` (at most the last 8 count), sign-extended from
/// bit `8 * len - 1` as the C code does, whose shift count wraps at 64.
fn integer(bytes: &[u8], little: bool, signed: bool) -> f64 {
    let fold = |l: u64, &b: &u8| (l << 8) | u64::from(b);
    let l = if little {
        bytes.iter().rev().fold(0, fold)
    } else {
        bytes.iter().fold(0, fold)
    };
    if !signed {
        return l as f64;
    }
    let shift = ((bytes.len() * 8) as u32).wrapping_sub(1) & 63;
    let mask = u64::MAX << shift;
    let l = if l & mask != 0 { l | mask } else { l };
    l as i64 as f64
}

fn unpack(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let mut f = Format::new(ctx, args)?;
    let s = ctx.check_str(args, 2)?;
    let data = ctx.heap().str(s)?.to_vec();
    let offset = ctx.opt_int(args, 3, 1)?;
    if offset == 0 {
        return Err(ctx.arg_error(3, "offset must be 1 or greater"));
    }
    ctx.charge((data.len() + f.text.len()) as u64);
    // A size_t in C: a negative offset is a huge position.
    let mut pos = (offset as u64).wrapping_sub(1);
    let mut out: Vec<Value> = Vec::new();
    while let Some(opt) = f.next_opt() {
        let mut size = f.size(ctx, opt)?;
        pos = pos.wrapping_add(f.padding(pos as usize, opt, size) as u64);
        let fits = |pos: u64, size: usize| {
            pos.checked_add(size as u64)
                .is_some_and(|end| end <= data.len() as u64)
        };
        if !fits(pos, size) {
            return Err(ctx.arg_error(2, "data string too short"));
        }
        if args.len() + out.len() + 2 > MAX_C_STACK {
            return Err(ctx.error("stack overflow (too many results)"));
        }
        let start = pos as usize;
        let item = |size: usize| data.get(start..start + size).unwrap_or(&[]);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let signed = opt.is_ascii_lowercase();
                out.push(Value::Num(integer(item(size), f.little, signed)));
            }
            b'x' => {}
            b'f' => {
                let b: [u8; 4] = item(4).try_into().unwrap_or_default();
                let x = if f.little {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                };
                out.push(Value::Num(f64::from(x)));
            }
            b'd' => {
                let b: [u8; 8] = item(8).try_into().unwrap_or_default();
                let x = if f.little {
                    f64::from_le_bytes(b)
                } else {
                    f64::from_be_bytes(b)
                };
                out.push(Value::Num(x));
            }
            b'c' => {
                if size == 0 {
                    // `c0` takes its length from the previous number.
                    let n = out.last().and_then(|&v| ctx.vm.to_number(v));
                    let Some(n) = n else {
                        return Err(ctx.error("format 'c0' needs a previous size"));
                    };
                    out.pop();
                    size = to_bits(n) as usize;
                    if !fits(pos, size) {
                        return Err(ctx.arg_error(2, "data string too short"));
                    }
                }
                let v = ctx.heap().intern(item(size))?;
                out.push(Value::Str(v));
            }
            b's' => {
                let rest = data.get(start..).unwrap_or(&[]);
                let Some(end) = rest.iter().position(|&b| b == 0) else {
                    return Err(ctx.error("unfinished string in data"));
                };
                let v = ctx.heap().intern(item(end))?;
                out.push(Value::Str(v));
                size = end + 1;
            }
            _ => f.control(ctx, opt, true)?,
        }
        pos = pos.wrapping_add(size as u64);
    }
    out.push(Value::Num(pos.wrapping_add(1) as i64 as f64));
    Ok(Ret::Values(out))
}

fn size(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let mut f = Format::new(ctx, args)?;
    let mut pos: usize = 0;
    while let Some(opt) = f.next_opt() {
        let size = f.size(ctx, opt)?;
        pos = pos.wrapping_add(f.padding(pos, opt, size));
        match opt {
            b's' => return Err(ctx.arg_error(1, "option 's' has no fixed size")),
            b'c' if size == 0 => return Err(ctx.arg_error(1, "option 'c0' has no fixed size")),
            _ => f.control(ctx, opt, false)?,
        }
        pos = pos.wrapping_add(size);
    }
    ctx.charge(f.text.len() as u64);
    Ok(Ret::Values(vec![Value::Num(pos as f64)]))
}
