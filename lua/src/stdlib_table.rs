//! The `table` and `math` libraries (5.1's, without `math.random`, which
//! must follow Redis's own generator).

use crate::heap;
use crate::number;
use crate::value::{TableRef, Value};
use crate::vm::{Ctx, NativeFn, Ret, Throw, Vm};

type R = Result<Ret, Throw>;

fn one(v: Value) -> R {
    Ok(Ret::Values(vec![v]))
}

fn none() -> R {
    Ok(Ret::Values(Vec::new()))
}

pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    let table: [(&'static str, NativeFn); 8] = [
        ("foreach", foreach),
        ("foreachi", foreachi),
        ("insert", insert),
        ("remove", remove),
        ("concat", concat),
        ("sort", sort),
        ("getn", getn),
        ("maxn", maxn),
    ];
    install(vm, b"table", &table)?;
    let math: [(&'static str, NativeFn); 26] = [
        ("cosh", |c, a| unary(c, a, f64::cosh)),
        ("sinh", |c, a| unary(c, a, f64::sinh)),
        ("tanh", |c, a| unary(c, a, f64::tanh)),
        ("atan2", |c, a| binary(c, a, f64::atan2)),
        ("ldexp", ldexp),
        ("frexp", frexp),
        ("floor", |c, a| unary(c, a, f64::floor)),
        ("ceil", |c, a| unary(c, a, f64::ceil)),
        ("abs", |c, a| unary(c, a, f64::abs)),
        ("sqrt", |c, a| unary(c, a, f64::sqrt)),
        ("exp", |c, a| unary(c, a, f64::exp)),
        ("log", |c, a| unary(c, a, f64::ln)),
        ("log10", |c, a| unary(c, a, f64::log10)),
        ("sin", |c, a| unary(c, a, f64::sin)),
        ("cos", |c, a| unary(c, a, f64::cos)),
        ("tan", |c, a| unary(c, a, f64::tan)),
        ("asin", |c, a| unary(c, a, f64::asin)),
        ("acos", |c, a| unary(c, a, f64::acos)),
        ("atan", |c, a| unary(c, a, f64::atan)),
        ("deg", |c, a| unary(c, a, f64::to_degrees)),
        ("rad", |c, a| unary(c, a, f64::to_radians)),
        ("pow", |c, a| binary(c, a, f64::powf)),
        ("fmod", |c, a| binary(c, a, |x, y| x % y)),
        ("modf", modf),
        ("max", |c, a| extreme(c, a, |x, best| x > best)),
        ("min", |c, a| extreme(c, a, |x, best| x < best)),
    ];
    let m = install(vm, b"math", &math)?;
    vm.set_field(m, b"pi", Value::Num(std::f64::consts::PI))?;
    vm.set_field(m, b"huge", Value::Num(f64::INFINITY))?;
    Ok(())
}

fn install(
    vm: &mut Vm,
    name: &[u8],
    fns: &[(&'static str, NativeFn)],
) -> Result<TableRef, heap::Error> {
    let t = vm.heap.new_table(0, fns.len())?;
    for &(n, f) in fns {
        let v = vm.register(f)?;
        vm.set_field(t, n.as_bytes(), v)?;
    }
    let g = vm.globals;
    vm.set_field(g, name, Value::Table(t))?;
    Ok(t)
}

fn unary(ctx: &mut Ctx, args: &[Value], f: fn(f64) -> f64) -> R {
    let x = ctx.check_number(args, 1)?;
    one(Value::Num(f(x)))
}

fn binary(ctx: &mut Ctx, args: &[Value], f: fn(f64, f64) -> f64) -> R {
    let x = ctx.check_number(args, 1)?;
    let y = ctx.check_number(args, 2)?;
    one(Value::Num(f(x, y)))
}

fn ldexp(ctx: &mut Ctx, args: &[Value]) -> R {
    let m = ctx.check_number(args, 1)?;
    let e = number::to_int(ctx.check_number(args, 2)?);
    // Two steps so that an exponent just past the double range still
    // scales a small mantissa as C's ldexp does.
    let half = e / 2;
    one(Value::Num(m * 2f64.powi(half) * 2f64.powi(e - half)))
}

/// `m, e` with `x = m * 2^e` and `0.5 <= |m| < 1` (C's frexp).
fn frexp(ctx: &mut Ctx, args: &[Value]) -> R {
    let x = ctx.check_number(args, 1)?;
    if x == 0.0 || !x.is_finite() {
        return Ok(Ret::Values(vec![Value::Num(x), Value::Num(0.0)]));
    }
    let (mut m, mut e) = (x, 0i32);
    // Subnormals: bring into the normal range first.
    if m.abs() < f64::MIN_POSITIVE {
        m *= 2f64.powi(64);
        e -= 64;
    }
    let bits = m.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1022;
    let mant = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    Ok(Ret::Values(vec![
        Value::Num(mant),
        Value::Num(f64::from(e + exp)),
    ]))
}

fn modf(ctx: &mut Ctx, args: &[Value]) -> R {
    let x = ctx.check_number(args, 1)?;
    let int = x.trunc();
    let frac = if x.is_infinite() { 0.0 } else { x - int };
    Ok(Ret::Values(vec![Value::Num(int), Value::Num(frac)]))
}

/// `math.max`/`math.min`: the first argument `better` than all others.
fn extreme(ctx: &mut Ctx, args: &[Value], better: fn(f64, f64) -> bool) -> R {
    let mut best = ctx.check_number(args, 1)?;
    for i in 2..=args.len() {
        let x = ctx.check_number(args, i)?;
        if better(x, best) {
            best = x;
        }
    }
    one(Value::Num(best))
}

fn len_of(ctx: &mut Ctx, t: TableRef) -> Result<i64, Throw> {
    Ok(ctx.heap().table(t)?.length() as i64)
}

/// A position argument as 5.1 reads it (a C `int`).
fn int_arg(ctx: &mut Ctx, args: &[Value], n: usize) -> Result<i64, Throw> {
    Ok(i64::from(number::to_int(ctx.check_number(args, n)?)))
}

fn insert(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let e = len_of(ctx, t)? + 1;
    let (pos, v) = match args.len() {
        2 => (e, args.get(1).copied().unwrap_or(Value::Nil)),
        3 => {
            let pos = int_arg(ctx, args, 2)?;
            // Past the end nothing moves; otherwise shift up from `pos`.
            ctx.spend(e.saturating_sub(pos).max(0) as u64)?;
            for i in (pos + 1..=e).rev() {
                let prev = ctx.heap().table(t)?.get_int(i - 1);
                ctx.heap().set_int(t, i, prev)?;
            }
            (pos, args.get(2).copied().unwrap_or(Value::Nil))
        }
        _ => return Err(ctx.error("wrong number of arguments to 'insert'")),
    };
    ctx.heap().set_int(t, pos, v)?;
    none()
}

fn remove(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let e = len_of(ctx, t)?;
    let pos = match args.get(1) {
        None | Some(Value::Nil) => e,
        _ => int_arg(ctx, args, 2)?,
    };
    if !(1..=e).contains(&pos) {
        return none();
    }
    let v = ctx.heap().table(t)?.get_int(pos);
    ctx.spend((e - pos) as u64)?;
    for i in pos..e {
        let next = ctx.heap().table(t)?.get_int(i + 1);
        ctx.heap().set_int(t, i, next)?;
    }
    ctx.heap().set_int(t, e, Value::Nil)?;
    one(v)
}

fn concat(ctx: &mut Ctx, args: &[Value]) -> R {
    let sep = match args.get(1) {
        None | Some(Value::Nil) => Vec::new(),
        _ => {
            let s = ctx.check_str(args, 2)?;
            ctx.heap().str(s)?.to_vec()
        }
    };
    let t = ctx.check_table(args, 1)?;
    let i = ctx.opt_int(args, 3, 1)?;
    let j = match args.get(3) {
        None | Some(Value::Nil) => len_of(ctx, t)?,
        _ => ctx.check_int(args, 4)?,
    };
    ctx.spend(j.saturating_sub(i).max(0) as u64)?;
    let mut out = Vec::new();
    let mut k = i;
    while k <= j {
        let piece = match ctx.heap().table(t)?.get_int(k) {
            Value::Str(s) => ctx.heap().str(s)?.to_vec(),
            Value::Num(x) => {
                let mut b = Vec::new();
                number::write_number(&mut b, x);
                b
            }
            other => {
                let ty = other.type_name();
                return Err(ctx.error(format!(
                    "invalid value ({ty}) at index {k} in table for 'concat'"
                )));
            }
        };
        ctx.heap().check(out.len() + piece.len() + sep.len())?;
        out.extend_from_slice(&piece);
        if k < j {
            out.extend_from_slice(&sep);
        }
        ctx.charge(1 + piece.len() as u64 / 64);
        k += 1;
    }
    one(Value::Str(ctx.heap().intern_vec(out)?))
}

/// `table.foreach(t, f)`: calls `f(k, v)` in `pairs` order until it
/// returns a non-nil value, which is returned.
fn foreach(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let f = function_arg(ctx, args)?;
    let mut k = Value::Nil;
    while let Some((key, v)) = ctx.heap().table(t)?.next(k)? {
        let r = ctx.call(f, &[key, v])?;
        if let Some(&r) = r.first().filter(|r| !r.is_nil()) {
            return one(r);
        }
        k = key;
    }
    none()
}

/// `table.foreachi(t, f)`: the same over `1..#t`.
fn foreachi(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let f = function_arg(ctx, args)?;
    let n = len_of(ctx, t)?;
    for i in 1..=n {
        let v = ctx.heap().table(t)?.get_int(i);
        let r = ctx.call(f, &[Value::Num(i as f64), v])?;
        if let Some(&r) = r.first().filter(|r| !r.is_nil()) {
            return one(r);
        }
    }
    none()
}

fn function_arg(ctx: &mut Ctx, args: &[Value]) -> Result<Value, Throw> {
    match args.get(1) {
        Some(&f @ (Value::Func(_) | Value::Native(_))) => Ok(f),
        _ => Err(ctx.type_error(args, 2, "function")),
    }
}

fn getn(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    one(Value::Num(len_of(ctx, t)? as f64))
}

fn maxn(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let mut max = 0.0f64;
    let mut k = Value::Nil;
    while let Some((key, _)) = ctx.heap().table(t)?.next(k)? {
        if let Value::Num(x) = key {
            max = max.max(x);
        }
        ctx.charge(1);
        k = key;
    }
    one(Value::Num(max))
}

/// `a < b` for `sort`: the comparator, or `<` with `__lt`.
fn less(ctx: &mut Ctx, cmp: Value, a: Value, b: Value) -> Result<bool, Throw> {
    if !cmp.is_nil() {
        return Ok(ctx.call(cmp, &[a, b])?.first().is_some_and(|v| v.truthy()));
    }
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Ok(x < y),
        (Value::Str(x), Value::Str(y)) => {
            let h = &ctx.vm.heap;
            Ok(h.str(x)? < h.str(y)?)
        }
        _ => {
            let h = ctx.metamethod(a, crate::vm::Event::Lt)?;
            if a.type_name() == b.type_name()
                && !h.is_nil()
                && h == ctx.metamethod(b, crate::vm::Event::Lt)?
            {
                return Ok(ctx.call(h, &[a, b])?.first().is_some_and(|v| v.truthy()));
            }
            let (ta, tb) = (a.type_name(), b.type_name());
            Err(ctx.error(if ta == tb {
                format!("attempt to compare two {ta} values")
            } else {
                format!("attempt to compare {ta} with {tb}")
            }))
        }
    }
}

/// The array being sorted, 1-based as in Lua: reads outside it give nil,
/// which is what an inconsistent comparator sees in 5.1.
struct Sorting {
    items: Vec<Value>,
    cmp: Value,
}

impl Sorting {
    fn get(&self, i: i64) -> Value {
        usize::try_from(i - 1)
            .ok()
            .and_then(|i| self.items.get(i).copied())
            .unwrap_or(Value::Nil)
    }

    fn swap(&mut self, i: i64, j: i64) {
        if let (Ok(i), Ok(j)) = (usize::try_from(i - 1), usize::try_from(j - 1)) {
            if i < self.items.len() && j < self.items.len() {
                self.items.swap(i, j);
            }
        }
    }

    /// `a[i] < a[j]`.
    fn lt(&self, ctx: &mut Ctx, a: Value, b: Value) -> Result<bool, Throw> {
        ctx.charge(1);
        less(ctx, self.cmp, a, b)
    }

    /// 5.1's quicksort (median of three, pivot parked at `u - 1`, the
    /// smaller part sorted first), so that elements the order function
    /// calls equal end up where 5.1 puts them.
    fn sort(&mut self, ctx: &mut Ctx, mut l: i64, mut u: i64) -> Result<(), Throw> {
        while l < u {
            if self.lt(ctx, self.get(u), self.get(l))? {
                self.swap(l, u);
            }
            if u - l == 1 {
                break;
            }
            let mut i = l + (u - l) / 2;
            if self.lt(ctx, self.get(i), self.get(l))? {
                self.swap(i, l);
            } else if self.lt(ctx, self.get(u), self.get(i))? {
                self.swap(i, u);
            }
            if u - l == 2 {
                break;
            }
            let pivot = self.get(i);
            self.swap(i, u - 1);
            i = l;
            let mut j = u - 1;
            loop {
                i += 1;
                while self.lt(ctx, self.get(i), pivot)? {
                    if i > u {
                        return Err(ctx.error("invalid order function for sorting"));
                    }
                    i += 1;
                }
                j -= 1;
                while self.lt(ctx, pivot, self.get(j))? {
                    if j < l {
                        return Err(ctx.error("invalid order function for sorting"));
                    }
                    j -= 1;
                }
                if j < i {
                    break;
                }
                self.swap(i, j);
            }
            self.swap(u - 1, i);
            let (lo, hi);
            if i - l < u - i {
                (lo, hi) = (l, i - 1);
                l = i + 1;
            } else {
                (lo, hi) = (i + 1, u);
                u = i - 1;
            }
            self.sort(ctx, lo, hi)?;
        }
        Ok(())
    }
}

/// `table.sort`, on a copy of the array part written back at the end.
fn sort(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let n = len_of(ctx, t)?;
    let cmp = match args.get(1) {
        None | Some(Value::Nil) => Value::Nil,
        Some(_) => function_arg(ctx, args)?,
    };
    let bytes = usize::try_from(n)
        .unwrap_or(0)
        .saturating_mul(std::mem::size_of::<Value>());
    ctx.heap().check(bytes)?;
    let mut items = Vec::new();
    for i in 1..=n {
        items.push(ctx.heap().table(t)?.get_int(i));
    }
    let mut s = Sorting { items, cmp };
    s.sort(ctx, 1, n)?;
    for (i, v) in s.items.into_iter().enumerate() {
        ctx.heap().set_int(t, i as i64 + 1, v)?;
    }
    none()
}
