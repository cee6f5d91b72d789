//! The base library Redis scripts see (`type`, `tostring`, `pcall`,
//! `pairs`…), written against the native convention of [`crate::vm`].
//! There is no `print`, `dofile`, `loadfile`, `os` or `io`, as in Redis.

use crate::heap;
use crate::number;
use crate::value::Value;
use crate::vm::{Ctx, Event, NativeFn, Ret, Throw, Vm};

type R = Result<Ret, Throw>;

/// Most values a call may return at once (5.1's `LUAI_MAXCSTACK`).
const MAX_RESULTS: i64 = 8000;

fn one(v: Value) -> R {
    Ok(Ret::Values(vec![v]))
}

/// Installs the base library into the globals.
pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    let g = vm.globals;
    vm.set_field(g, b"_G", Value::Table(g))?;
    let next = vm.register(next)?;
    vm.set_field(g, b"next", next)?;
    let pairs = vm.register_with(pairs, &[next])?;
    vm.set_field(g, b"pairs", pairs)?;
    let ipairs_iter = vm.register(ipairs_iter)?;
    let ipairs = vm.register_with(ipairs, &[ipairs_iter])?;
    vm.set_field(g, b"ipairs", ipairs)?;
    let version = Value::Str(vm.heap.intern(b"Lua 5.1")?);
    vm.set_field(g, b"_VERSION", version)?;
    let fns: [(&'static str, NativeFn); 18] = [
        ("collectgarbage", collectgarbage),
        ("type", type_),
        ("tostring", tostring),
        ("tonumber", tonumber),
        ("select", select),
        ("rawget", rawget),
        ("rawset", rawset),
        ("rawequal", rawequal),
        ("setmetatable", setmetatable),
        ("getmetatable", getmetatable),
        ("unpack", unpack),
        ("error", error),
        ("assert", assert),
        ("pcall", pcall),
        ("xpcall", xpcall),
        ("loadstring", loadstring),
        ("load", load),
        ("gcinfo", gcinfo),
    ];
    for (name, f) in fns {
        let v = vm.register(f)?;
        vm.set_field(g, name.as_bytes(), v)?;
    }
    Ok(())
}

fn type_(ctx: &mut Ctx, args: &[Value]) -> R {
    let v = ctx.check_any(args, 1)?;
    let s = ctx.string(v.type_name())?;
    one(s)
}

fn tostring(ctx: &mut Ctx, args: &[Value]) -> R {
    let v = ctx.check_any(args, 1)?;
    one(ctx.tostring_value(v)?)
}

fn tonumber(ctx: &mut Ctx, args: &[Value]) -> R {
    let base = ctx.opt_int(args, 2, 10)? as i32;
    if base == 10 {
        let v = ctx.check_any(args, 1)?;
        return one(ctx.vm.to_number(v).map_or(Value::Nil, Value::Num));
    }
    let s = ctx.check_str(args, 1)?;
    if !(2..=36).contains(&base) {
        return Err(ctx.arg_error(2, "base out of range"));
    }
    let n = number::str_to_number_base(ctx.heap().str(s)?, base as u32);
    one(n.map_or(Value::Nil, Value::Num))
}

fn next(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let k = args.get(1).copied().unwrap_or(Value::Nil);
    match ctx.heap().table(t)?.next(k) {
        Ok(Some((k, v))) => Ok(Ret::Values(vec![k, v])),
        Ok(None) => one(Value::Nil),
        // 5.1 raises this from inside `next`, so without a position.
        Err(e) => {
            let s = ctx.string(e.message())?;
            Err(Throw::Error(s))
        }
    }
}

fn pairs(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    Ok(Ret::Values(vec![
        ctx.upvalue(0),
        Value::Table(t),
        Value::Nil,
    ]))
}

fn ipairs(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    Ok(Ret::Values(vec![
        ctx.upvalue(0),
        Value::Table(t),
        Value::Num(0.0),
    ]))
}

fn ipairs_iter(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let i = ctx.check_int(args, 2)?.saturating_add(1);
    let v = ctx.heap().table(t)?.get_int(i);
    if v.is_nil() {
        return Ok(Ret::Values(Vec::new()));
    }
    Ok(Ret::Values(vec![Value::Num(i as f64), v]))
}

fn select(ctx: &mut Ctx, args: &[Value]) -> R {
    let n = args.len() as i64;
    if let Some(&Value::Str(s)) = args.first() {
        if ctx.heap().str(s)?.first() == Some(&b'#') {
            return one(Value::Num((n - 1) as f64));
        }
    }
    let mut i = i64::from(number::to_int(ctx.check_number(args, 1)?));
    if i < 0 {
        i += n;
    } else if i > n {
        i = n;
    }
    if i < 1 {
        return Err(ctx.arg_error(1, "index out of range"));
    }
    Ok(Ret::Values(args.get(i as usize..).unwrap_or(&[]).to_vec()))
}

fn rawget(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let k = ctx.check_any(args, 2)?;
    one(ctx.heap().table(t)?.get(k))
}

fn rawset(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let k = ctx.check_any(args, 2)?;
    let v = ctx.check_any(args, 3)?;
    ctx.heap().set(t, k, v).map_err(|e| unplaced(ctx, e))?;
    one(Value::Table(t))
}

fn rawequal(ctx: &mut Ctx, args: &[Value]) -> R {
    let a = ctx.check_any(args, 1)?;
    let b = ctx.check_any(args, 2)?;
    one(Value::Bool(a == b))
}

fn setmetatable(ctx: &mut Ctx, args: &[Value]) -> R {
    let mt = match args.get(1) {
        Some(Value::Nil) => None,
        Some(&Value::Table(m)) => Some(m),
        _ => {
            ctx.check_table(args, 1)?;
            return Err(ctx.arg_error(2, "nil or table expected"));
        }
    };
    let t = ctx.check_table(args, 1)?;
    if !ctx.metamethod(Value::Table(t), Event::Metatable)?.is_nil() {
        return Err(ctx.error("cannot change a protected metatable"));
    }
    ctx.heap()
        .set_metatable(t, mt)
        .map_err(|e| unplaced(ctx, e))?;
    one(Value::Table(t))
}

fn getmetatable(ctx: &mut Ctx, args: &[Value]) -> R {
    let v = ctx.check_any(args, 1)?;
    let Some(mt) = ctx.metatable(v) else {
        return one(Value::Nil);
    };
    let protected = ctx.metamethod(v, Event::Metatable)?;
    one(if protected.is_nil() {
        Value::Table(mt)
    } else {
        protected
    })
}

fn unpack(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = ctx.check_table(args, 1)?;
    let i = ctx.opt_int(args, 2, 1)?;
    let j = match args.get(2) {
        None | Some(Value::Nil) => ctx.heap().table(t)?.length() as i64,
        _ => ctx.check_int(args, 3)?,
    };
    if i > j {
        return Ok(Ret::Values(Vec::new()));
    }
    let n = j.saturating_sub(i).saturating_add(1);
    if n >= MAX_RESULTS {
        return Err(ctx.error("too many results to unpack"));
    }
    ctx.spend(n as u64)?;
    let tb = ctx.heap().table(t)?;
    Ok(Ret::Values((i..=j).map(|k| tb.get_int(k)).collect()))
}

fn error(ctx: &mut Ctx, args: &[Value]) -> R {
    let v = args.first().copied().unwrap_or(Value::Nil);
    let level = ctx.opt_int(args, 2, 1)?;
    // A number counts as a string here, and comes out as one.
    if matches!(v, Value::Str(_) | Value::Num(_)) && level > 0 {
        let mut msg = ctx.position(usize::try_from(level).unwrap_or(usize::MAX));
        let s = ctx.check_str(args, 1)?;
        msg.extend_from_slice(ctx.heap().str(s)?);
        return Err(Throw::Error(ctx.string(msg)?));
    }
    Err(Throw::Error(v))
}

fn assert(ctx: &mut Ctx, args: &[Value]) -> R {
    let v = ctx.check_any(args, 1)?;
    if v.truthy() {
        return Ok(Ret::Values(args.to_vec()));
    }
    let msg = match args.get(1) {
        None | Some(Value::Nil) => b"assertion failed!".to_vec(),
        Some(_) => {
            let s = ctx.check_str(args, 2)?;
            ctx.heap().str(s)?.to_vec()
        }
    };
    Err(ctx.error(msg))
}

fn pcall(ctx: &mut Ctx, args: &[Value]) -> R {
    let f = ctx.check_any(args, 1)?;
    Ok(Ret::Call {
        func: f,
        args: args.get(1..).unwrap_or(&[]).to_vec(),
        protected: true,
    })
}

/// `xpcall(f, handler)`: the handler runs after the stack has unwound
/// (5.1 runs it before, which only shows in tracebacks).
fn xpcall(ctx: &mut Ctx, args: &[Value]) -> R {
    let f = ctx.check_any(args, 1)?;
    let handler = ctx.check_any(args, 2)?;
    match ctx.call(f, &[]) {
        Ok(mut vs) => {
            vs.insert(0, Value::Bool(true));
            Ok(Ret::Values(vs))
        }
        Err(Throw::Error(e)) => {
            let mut vs = ctx.call(handler, &[e])?;
            vs.truncate(1);
            vs.resize(1, Value::Nil);
            vs.insert(0, Value::Bool(false));
            Ok(Ret::Values(vs))
        }
        Err(Throw::Heap(heap::Error::NoMemory)) => {
            let s = ctx.string("not enough memory")?;
            Ok(Ret::Values(vec![Value::Bool(false), s]))
        }
        Err(e) => Err(e),
    }
}

fn loadstring(ctx: &mut Ctx, args: &[Value]) -> R {
    let s = ctx.check_str(args, 1)?;
    let src = ctx.heap().str(s)?.to_vec();
    let name = match args.get(1) {
        None | Some(Value::Nil) => src.clone(),
        _ => {
            let n = ctx.check_str(args, 2)?;
            ctx.heap().str(n)?.to_vec()
        }
    };
    match ctx.load(&src, &name) {
        Ok(f) => one(f),
        Err(msg) => {
            let m = ctx.string(msg)?;
            Ok(Ret::Values(vec![Value::Nil, m]))
        }
    }
}

/// A heap error raised by a native as 5.1's C functions raise it: a
/// read-only table's error has no position ("not enough memory" never
/// has one).
fn unplaced(ctx: &mut Ctx, e: heap::Error) -> Throw {
    match ctx.string(e.message()) {
        Ok(msg) => Throw::Error(msg),
        Err(e) => e,
    }
}

/// `load(reader [, chunkname])`: compiles the pieces `reader` returns
/// until it returns nil or an empty string.
fn load(ctx: &mut Ctx, args: &[Value]) -> R {
    let reader = ctx.check_any(args, 1)?;
    if !matches!(reader, Value::Func(_) | Value::Native(_)) {
        return Err(ctx.type_error(args, 1, "function"));
    }
    let name = match args.get(1) {
        None | Some(Value::Nil) => b"=(load)".to_vec(),
        _ => {
            let n = ctx.check_str(args, 2)?;
            ctx.heap().str(n)?.to_vec()
        }
    };
    let mut src = Vec::new();
    loop {
        let piece = ctx
            .call(reader, &[])?
            .first()
            .copied()
            .unwrap_or(Value::Nil);
        match piece {
            Value::Nil => break,
            Value::Str(s) => {
                let heap = ctx.heap();
                let bytes = heap.str(s)?;
                if bytes.is_empty() {
                    break;
                }
                heap.check(src.len() + bytes.len())?;
                src.extend_from_slice(bytes);
            }
            _ => {
                let m = ctx.string("reader function must return a string")?;
                return Ok(Ret::Values(vec![Value::Nil, m]));
            }
        }
    }
    match ctx.load(&src, &name) {
        Ok(f) => one(f),
        Err(msg) => {
            let m = ctx.string(msg)?;
            Ok(Ret::Values(vec![Value::Nil, m]))
        }
    }
}

/// `gcinfo()`: the heap in use, in whole KB.
fn gcinfo(ctx: &mut Ctx, _args: &[Value]) -> R {
    one(Value::Num((ctx.heap().bytes_used() / 1024) as f64))
}

/// `collectgarbage(opt)`: "collect" (the default) and "step" collect at
/// the next instruction, "count" is the heap size in KB; "stop" and
/// "restart" are accepted and ignored, since the cap needs the collector.
fn collectgarbage(ctx: &mut Ctx, args: &[Value]) -> R {
    let opt = match args.first() {
        None | Some(Value::Nil) => b"collect".to_vec(),
        _ => {
            let s = ctx.check_str(args, 1)?;
            ctx.heap().str(s)?.to_vec()
        }
    };
    match opt.as_slice() {
        b"collect" => {
            ctx.request_collection();
            one(Value::Num(0.0))
        }
        // 5.1 answers whether the step finished a cycle; the collection
        // has not happened yet when this returns.
        b"step" => {
            ctx.request_collection();
            one(Value::Bool(false))
        }
        b"count" => one(Value::Num(ctx.heap().bytes_used() as f64 / 1024.0)),
        b"stop" | b"restart" | b"setpause" | b"setstepmul" => one(Value::Num(0.0)),
        _ => {
            let msg = format!("invalid option '{}'", String::from_utf8_lossy(&opt));
            Err(ctx.arg_error(1, &msg))
        }
    }
}
