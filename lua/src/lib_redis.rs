//! The `redis` table Redis 7.0 gives scripts (`call`, `pcall`,
//! `error_reply`, `setresp`, `log`, ...) and the conversions between Lua
//! values and replies both ways, with Redis 7.0's rules and error texts.
//!
//! # For the engine
//!
//! - Before each script: [`reset`] (the RESP version goes back to 2).
//! - [`ScriptHost::call`](crate::vm::ScriptHost::call) answers in the
//!   protocol the script asked for: RESP3 shapes (maps, sets, doubles...)
//!   under `redis.setresp(3)`, else what a RESP2 client gets (a host that
//!   only has RESP3 shapes can use [`fold_resp2`]). Errors are `HostReply::Error` with Redis's script texts, e.g.
//!   `ERR Unknown Redis command called from script`, `ERR Wrong number of
//!   args calling Redis command from script`, and for commands scripts
//!   may not run (blocking, `noscript`...) `ERR This Redis command is not
//!   allowed from script`. `redis.call` raises them, `redis.pcall`
//!   returns them as `{err = ...}`.
//! - A script's first result: [`script_reply`] with [`resp3`]; the reply
//!   is RESP3-shaped, and [`fold_resp2`] gives what a RESP2 client gets
//!   ([`double_text`] writes doubles for either protocol).
//! - An uncaught error value: [`error_message`] gives the error line,
//!   to which the engine appends ` script: <sha>, on @user_script:<n>.`

use crate::compile::Proto;
use crate::heap::{self, Heap};
use crate::number::{self, FloatStyle, Spec};
use crate::sha1;
use crate::value::{TableRef, Value};
use crate::vm::{Ctx, HostReply, NativeFn, Ret, Throw, Vm};

type R<T> = Result<T, Throw>;

/// Nesting of a converted reply before "reached lua stack limit". Redis
/// goes as deep as Lua's C stack allows; this bound keeps the recursion
/// well inside a 1 MB wasm stack even in a debug build.
const MAX_DEPTH: usize = 200;

/// `REDIS_VERSION` and `REDIS_VERSION_NUM` of the release mimicked.
const VERSION: &str = "7.0.15";
const VERSION_NUM: f64 = 0x0007_000f as f64;

/// `redis.REPL_*` bits: AOF and replicas.
const REPL_AOF: i64 = 1;
const REPL_REPLICA: i64 = 2;

const FNS: [(&str, NativeFn); 11] = [
    ("call", |c, a| command(c, a, true)),
    ("pcall", |c, a| command(c, a, false)),
    ("setresp", setresp),
    ("error_reply", |c, a| reply_table(c, a, b"err")),
    ("status_reply", |c, a| reply_table(c, a, b"ok")),
    ("sha1hex", sha1hex),
    ("log", log),
    ("set_repl", set_repl),
    ("replicate_commands", |_, _| {
        Ok(Ret::Values(vec![Value::Bool(true)]))
    }),
    ("breakpoint", |_, _| {
        Ok(Ret::Values(vec![Value::Bool(false)]))
    }),
    ("debug", |_, _| Ok(Ret::Values(Vec::new()))),
];

const CONSTANTS: [(&str, f64); 9] = [
    ("LOG_DEBUG", 0.0),
    ("LOG_VERBOSE", 1.0),
    ("LOG_NOTICE", 2.0),
    ("LOG_WARNING", 3.0),
    ("REPL_NONE", 0.0),
    ("REPL_AOF", REPL_AOF as f64),
    ("REPL_SLAVE", REPL_REPLICA as f64),
    ("REPL_REPLICA", REPL_REPLICA as f64),
    ("REPL_ALL", (REPL_AOF | REPL_REPLICA) as f64),
];

/// Installs the global `redis` table.
pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    // Slot 1 holds the script's RESP version; every function shares it.
    let state = vm.heap.new_table(1, 0)?;
    vm.heap.set_int(state, 1, Value::Num(2.0))?;
    let t = vm.heap.new_table(0, FNS.len() + CONSTANTS.len() + 2)?;
    for (name, f) in FNS {
        let v = vm.register_with(f, &[Value::Table(state)])?;
        vm.set_field(t, name.as_bytes(), v)?;
    }
    for (name, x) in CONSTANTS {
        vm.set_field(t, name.as_bytes(), Value::Num(x))?;
    }
    let v = Value::Str(vm.heap.intern(VERSION.as_bytes())?);
    vm.set_field(t, b"REDIS_VERSION", v)?;
    vm.set_field(t, b"REDIS_VERSION_NUM", Value::Num(VERSION_NUM))?;
    // Read-only as in Redis 7.0, which also keeps the shared state where
    // `reset`/`resp3` find it.
    vm.heap.set_readonly(t, true)?;
    vm.caught_error = Some(err_field);
    let g = vm.globals;
    vm.set_field(g, b"redis", Value::Table(t))?;
    let handler = vm.register(error_handler)?;
    vm.set_field(g, b"__redis__err__handler", handler)
}

/// `__redis__err__handler(err)`, the message handler Redis runs scripts
/// under, as a global scripts can see and call: an error as a table
/// (`{err = "ERR " .. tostring(err)}` unless it is one) with the `source`
/// and `line` of the Lua code that called it. (The engine does the same
/// for uncaught errors through `Vm::error_line`.)
fn error_handler(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let err = args.first().copied().unwrap_or(Value::Nil);
    let t = match err {
        Value::Table(t) => t,
        other => {
            let text = ctx.tostring(other)?;
            let mut msg = b"ERR ".to_vec();
            msg.extend_from_slice(ctx.heap().str(text)?);
            let Value::Table(t) = tagged(ctx.heap(), b"err", &msg)? else {
                return Ok(Ret::Values(vec![err]));
            };
            t
        }
    };
    if let Some((chunk, line)) = ctx.location(1) {
        let source = [&b"@"[..], chunk].concat();
        let source = Value::Str(ctx.heap().intern(&source)?);
        let (k_source, k_line) = (ctx.heap().intern(b"source")?, ctx.heap().intern(b"line")?);
        ctx.heap().set(t, Value::Str(k_source), source)?;
        ctx.heap()
            .set(t, Value::Str(k_line), Value::Num(f64::from(line)))?;
    }
    Ok(Ret::Values(vec![Value::Table(t)]))
}

/// What Redis 7.0's `pcall` hands back for a caught error: the `err`
/// field of an error table (`redis.call`'s errors, `error(redis.error_reply
/// ("x"))`; whatever its type), any other value as it is.
fn err_field(heap: &mut Heap<Proto>, error: Value) -> Value {
    let Value::Table(t) = error else {
        return error;
    };
    match field(heap, t, b"err") {
        Ok(Value::Nil) | Err(_) => error,
        Ok(err) => err,
    }
}

/// The shared state table, found through `redis.setresp`'s upvalue. A
/// function library's globals hold `redis` behind their `__index` table
/// (`lib_function`), which is looked at too.
fn state_of(vm: &mut Vm) -> Option<TableRef> {
    let mut redis = field(&mut vm.heap, vm.globals, b"redis").ok()?;
    if redis.is_nil() {
        let meta = vm.heap.table(vm.globals).ok()?.metatable()?;
        let Value::Table(behind) = field(&mut vm.heap, meta, b"__index").ok()? else {
            return None;
        };
        redis = field(&mut vm.heap, behind, b"redis").ok()?;
    }
    let Value::Table(redis) = redis else {
        return None;
    };
    let Ok(Value::Native(n)) = field(&mut vm.heap, redis, b"setresp") else {
        return None;
    };
    match vm.heap.native(n).ok()?.upvals.first() {
        Some(&Value::Table(s)) => Some(s),
        _ => None,
    }
}

/// Redis 7.0's globals protection, once the libraries are loaded: every
/// table reachable from the globals (the globals themselves, `string`,
/// `redis`, ...) becomes read-only ("Attempt to modify a readonly table"),
/// and reading a global that does not exist is an error instead of nil.
pub fn protect_globals(vm: &mut Vm) -> Result<(), heap::Error> {
    let guard = vm.register(nonexistent_global)?;
    let meta = vm.heap.new_table(0, 1)?;
    vm.set_field(meta, b"__index", guard)?;
    let g = vm.globals;
    vm.heap.set_metatable(g, Some(meta))?;
    let mut pending = vec![g, meta];
    let mut seen = Vec::new();
    while let Some(t) = pending.pop() {
        if seen.contains(&t) {
            continue;
        }
        seen.push(t);
        let mut key = Value::Nil;
        while let Some((k, v)) = vm.heap.table(t)?.next(key)? {
            key = k;
            if let Value::Table(inner) = v {
                pending.push(inner);
            }
        }
        vm.heap.set_readonly(t, true)?;
    }
    Ok(())
}

/// The protected globals' `__index`: Redis's error for a missing global.
fn nonexistent_global(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let name = match args.get(1) {
        Some(&Value::Str(s)) => ctx.heap().str(s)?.to_vec(),
        Some(&Value::Num(x)) => number::number_to_string(x).into_bytes(),
        _ => {
            return Err(
                ctx.error("Second argument to luaProtectedTableError must be a string or number")
            )
        }
    };
    let mut msg = b"Script attempted to access nonexistent global variable '".to_vec();
    msg.extend_from_slice(&name);
    msg.push(b'\'');
    Err(ctx.error(msg))
}

/// Sets the globals `KEYS` and `ARGV` of an EVAL script (arrays of its
/// keys and arguments), through the globals' protection as Redis does.
pub fn set_keys_and_argv(vm: &mut Vm, keys: &[&[u8]], argv: &[&[u8]]) -> Result<(), heap::Error> {
    let keys = string_array(vm, keys)?;
    let argv = string_array(vm, argv)?;
    let g = vm.globals;
    vm.heap.set_readonly(g, false)?;
    let set = vm
        .set_field(g, b"KEYS", keys)
        .and_then(|()| vm.set_field(g, b"ARGV", argv));
    vm.heap.set_readonly(g, true)?;
    set
}

/// A Lua array of strings (a function's `keys` and `args` under FCALL).
pub fn string_array(vm: &mut Vm, items: &[&[u8]]) -> Result<Value, heap::Error> {
    let t = vm.heap.new_table(items.len(), 0)?;
    for (i, item) in (1..).zip(items) {
        let s = vm.heap.intern(item)?;
        vm.heap.set_int(t, i, Value::Str(s))?;
    }
    Ok(Value::Table(t))
}

/// Puts the RESP version back to 2, as Redis does before each script.
pub fn reset(vm: &mut Vm) -> Result<(), heap::Error> {
    match state_of(vm) {
        Some(s) => vm.heap.set_int(s, 1, Value::Num(2.0)),
        None => Ok(()),
    }
}

/// Whether the running (or last) script called `redis.setresp(3)`: the
/// engine passes it to [`script_reply`].
pub fn resp3(vm: &mut Vm) -> bool {
    state_of(vm)
        .and_then(|s| vm.heap.table(s).ok().map(|t| t.get_int(1)))
        .is_some_and(|v| v == Value::Num(3.0))
}

fn field(heap: &mut Heap<Proto>, t: TableRef, name: &[u8]) -> Result<Value, heap::Error> {
    let k = heap.intern(name)?;
    Ok(heap.table(t)?.get(Value::Str(k)))
}

/// Raises `{err = msg}`, as Redis raises its library errors (so an
/// uncaught one replies `-msg` without a position).
pub(crate) fn raise(ctx: &mut Ctx, msg: &[u8]) -> Throw {
    match tagged(ctx.heap(), b"err", msg) {
        Ok(t) => Throw::Error(t),
        Err(e) => Throw::Heap(e),
    }
}

/// A command's error as Redis 7.0 hands it to a script: `{err = text,
/// ignore_error_stats_update = true}`, the flag saying the server counted
/// the error when the command failed, so a script that raises or returns
/// it does not count it again ([`counted_error`]).
fn command_error(heap: &mut Heap<Proto>, text: &[u8]) -> Result<Value, heap::Error> {
    let t = tagged(heap, b"err", text)?;
    if let Value::Table(t) = t {
        let k = heap.intern(IGNORE_STATS)?;
        heap.set(t, Value::Str(k), Value::Bool(true))?;
    }
    Ok(t)
}

/// The field Redis 7.0 marks a command's error table with.
const IGNORE_STATS: &[u8] = b"ignore_error_stats_update";

/// Whether an error value (raised, or returned as a script's result) is
/// a command's error the server already counted in its error statistics.
pub fn counted_error(heap: &mut Heap<Proto>, v: Value) -> bool {
    let Value::Table(t) = v else {
        return false;
    };
    field(heap, t, IGNORE_STATS).is_ok_and(|f| f == Value::Bool(true))
}

/// `{[key] = text}`: error and status tables.
fn tagged(heap: &mut Heap<Proto>, key: &[u8], text: &[u8]) -> Result<Value, heap::Error> {
    let t = heap.new_table(0, 1)?;
    let k = heap.intern(key)?;
    let v = heap.intern(text)?;
    heap.set(t, Value::Str(k), Value::Str(v))?;
    Ok(Value::Table(t))
}

fn script_resp3(ctx: &mut Ctx) -> R<bool> {
    let Value::Table(s) = ctx.upvalue(0) else {
        return Ok(false);
    };
    Ok(ctx.heap().table(s)?.get_int(1) == Value::Num(3.0))
}

/// `redis.call` (`raise`) and `redis.pcall`.
fn command(ctx: &mut Ctx, args: &[Value], raise_errors: bool) -> R<Ret> {
    if args.is_empty() {
        return Err(raise(
            ctx,
            b"ERR Please specify at least one argument for this redis lib call",
        ));
    }
    let mut argv = Vec::with_capacity(args.len());
    for &a in args {
        let s = match a {
            Value::Str(s) => s,
            // Redis formats number arguments itself, with `%.17g`.
            Value::Num(x) => ctx.heap().intern_vec(double_text(x))?,
            _ => {
                return Err(raise(
                    ctx,
                    b"ERR Lua redis lib command arguments must be strings or integers",
                ))
            }
        };
        argv.push(ctx.heap().str(s)?.to_vec());
    }
    let resp3 = script_resp3(ctx)?;
    let reply = match ctx.host.call(&argv, resp3) {
        HostReply::Error(msg) if raise_errors => {
            return Err(match command_error(ctx.heap(), &error_line(&msg)) {
                Ok(t) => Throw::Error(t),
                Err(e) => Throw::Heap(e),
            })
        }
        HostReply::Error(msg) => HostReply::Error(error_line(&msg)),
        reply => reply,
    };
    let v = to_lua(ctx.heap(), &reply, resp3, 0)?;
    Ok(Ret::Values(vec![v]))
}

/// An error reply's text as Redis 7.0 gives it to scripts: without a
/// leading `-`, the first word is its code, or `ERR` is put in front when
/// there is no space (an empty message becomes `ERR `).
fn error_line(msg: &[u8]) -> Vec<u8> {
    let msg = msg.strip_prefix(b"-").unwrap_or(msg);
    match msg.iter().position(|&b| b == b' ') {
        Some(_) => msg.to_vec(),
        None => [&b"ERR "[..], msg].concat(),
    }
}

/// A reply as Redis 7.0 hands it to Lua.
fn to_lua(heap: &mut Heap<Proto>, r: &HostReply, resp3: bool, depth: usize) -> R<Value> {
    if depth > MAX_DEPTH {
        return Ok(Value::Bool(false));
    }
    let one = |heap: &mut Heap<Proto>, key: &[u8], v: Value| -> R<Value> {
        let t = heap.new_table(0, 1)?;
        let k = heap.intern(key)?;
        heap.set(t, Value::Str(k), v)?;
        Ok(Value::Table(t))
    };
    Ok(match r {
        HostReply::Nil if resp3 => Value::Nil,
        HostReply::Nil => Value::Bool(false),
        HostReply::Int(n) => Value::Num(*n as f64),
        HostReply::Bulk(b) => Value::Str(heap.intern(b)?),
        HostReply::Status(s) => tagged(heap, b"ok", s)?,
        HostReply::Error(s) => command_error(heap, s)?,
        HostReply::Bool(b) => Value::Bool(*b),
        HostReply::Double(x) => one(heap, b"double", Value::Num(*x))?,
        HostReply::BigNumber(s) => {
            let v = Value::Str(heap.intern(s)?);
            one(heap, b"big_number", v)?
        }
        HostReply::Verbatim(format, text) => {
            let t = heap.new_table(0, 2)?;
            for (k, v) in [(&b"format"[..], format), (b"string", text)] {
                let k = heap.intern(k)?;
                let v = heap.intern(v)?;
                heap.set(t, Value::Str(k), Value::Str(v))?;
            }
            one(heap, b"verbatim_string", Value::Table(t))?
        }
        HostReply::Array(items) => {
            let t = heap.new_table(items.len(), 0)?;
            for (i, item) in (1..).zip(items) {
                let v = to_lua(heap, item, resp3, depth + 1)?;
                heap.set_int(t, i, v)?;
            }
            Value::Table(t)
        }
        HostReply::Set(items) => {
            let t = heap.new_table(0, items.len())?;
            for item in items {
                let k = to_lua(heap, item, resp3, depth + 1)?;
                set_key(heap, t, k, Value::Bool(true))?;
            }
            one(heap, b"set", Value::Table(t))?
        }
        HostReply::Map(pairs) => {
            let t = heap.new_table(0, pairs.len())?;
            for (k, v) in pairs {
                let k = to_lua(heap, k, resp3, depth + 1)?;
                let v = to_lua(heap, v, resp3, depth + 1)?;
                set_key(heap, t, k, v)?;
            }
            one(heap, b"map", Value::Table(t))?
        }
    })
}

/// Stores a converted key; nil and NaN keys (impossible in Lua) are
/// dropped.
fn set_key(heap: &mut Heap<Proto>, t: TableRef, k: Value, v: Value) -> R<()> {
    match k {
        Value::Nil => Ok(()),
        Value::Num(x) if x.is_nan() => Ok(()),
        k => Ok(heap.set(t, k, v)?),
    }
}

/// A RESP3 reply as a RESP2 client (or a RESP2 script) receives it: maps
/// flatten to arrays, sets become arrays, doubles and big numbers bulk
/// strings (doubles as `%.17g`), booleans 1 / 0, verbatim strings their text.
pub fn fold_resp2(r: HostReply) -> HostReply {
    match r {
        HostReply::Array(items) => HostReply::Array(items.into_iter().map(fold_resp2).collect()),
        HostReply::Set(items) => HostReply::Array(items.into_iter().map(fold_resp2).collect()),
        HostReply::Map(pairs) => HostReply::Array(
            pairs
                .into_iter()
                .flat_map(|(k, v)| [fold_resp2(k), fold_resp2(v)])
                .collect(),
        ),
        HostReply::Double(x) => HostReply::Bulk(double_text(x)),
        HostReply::Bool(b) => HostReply::Int(i64::from(b)),
        HostReply::BigNumber(s) => HostReply::Bulk(s),
        HostReply::Verbatim(_, text) => HostReply::Bulk(text),
        other => other,
    }
}

/// A double as Redis writes it (`%.17g`, `inf`, `-inf`, `nan`).
pub fn double_text(x: f64) -> Vec<u8> {
    let mut out = Vec::new();
    let spec = Spec {
        precision: Some(17),
        ..Spec::default()
    };
    number::write_float(&mut out, x, FloatStyle::General, false, &spec);
    out
}

/// A script's result (its first return value) as Redis 7.0 replies it;
/// `resp3` is [`resp3`] after the run (it changes what booleans become).
/// Tables nested past [`MAX_DEPTH`] become an error element, as in Redis.
pub fn script_reply(heap: &mut Heap<Proto>, v: Value, resp3: bool) -> HostReply {
    to_reply(heap, v, resp3, 0).unwrap_or_else(|e| HostReply::Error(heap_error(e)))
}

fn heap_error(e: heap::Error) -> Vec<u8> {
    format!("ERR {}", e.message()).into_bytes()
}

fn to_reply(
    heap: &mut Heap<Proto>,
    v: Value,
    resp3: bool,
    depth: usize,
) -> Result<HostReply, heap::Error> {
    Ok(match v {
        Value::Str(s) => HostReply::Bulk(heap.str(s)?.to_vec()),
        Value::Num(x) => HostReply::Int(number::to_integer(x)),
        Value::Bool(b) if resp3 => HostReply::Bool(b),
        Value::Bool(true) => HostReply::Int(1),
        Value::Table(_) if depth >= MAX_DEPTH => {
            HostReply::Error(b"ERR reached lua stack limit".to_vec())
        }
        Value::Table(t) => table_reply(heap, t, resp3, depth)?,
        _ => HostReply::Nil,
    })
}

/// A table: the first of `err`, `ok`, `double`, `big_number`, `map`,
/// `set`, `verbatim_string` with the right type decides; else an array
/// up to the first nil.
fn table_reply(
    heap: &mut Heap<Proto>,
    t: TableRef,
    resp3: bool,
    depth: usize,
) -> Result<HostReply, heap::Error> {
    let str_field = |heap: &mut Heap<Proto>, name: &[u8]| -> Result<Option<Vec<u8>>, heap::Error> {
        match field(heap, t, name)? {
            Value::Str(s) => Ok(Some(heap.str(s)?.to_vec())),
            _ => Ok(None),
        }
    };
    if let Some(e) = str_field(heap, b"err")? {
        return Ok(HostReply::Error(e));
    }
    if let Some(s) = str_field(heap, b"ok")? {
        return Ok(HostReply::Status(s));
    }
    if let Value::Num(x) = field(heap, t, b"double")? {
        return Ok(HostReply::Double(x));
    }
    if let Some(s) = str_field(heap, b"big_number")? {
        return Ok(HostReply::BigNumber(s));
    }
    if let Value::Table(m) = field(heap, t, b"map")? {
        let mut pairs = Vec::new();
        let mut key = Value::Nil;
        while let Some((k, v)) = heap.table(m)?.next(key)? {
            key = k;
            let k = to_reply(heap, k, resp3, depth + 1)?;
            let v = to_reply(heap, v, resp3, depth + 1)?;
            pairs.push((k, v));
        }
        return Ok(HostReply::Map(pairs));
    }
    if let Value::Table(s) = field(heap, t, b"set")? {
        let mut items = Vec::new();
        let mut key = Value::Nil;
        while let Some((k, _)) = heap.table(s)?.next(key)? {
            key = k;
            items.push(to_reply(heap, k, resp3, depth + 1)?);
        }
        return Ok(HostReply::Set(items));
    }
    if let Value::Table(vs) = field(heap, t, b"verbatim_string")? {
        let format = field(heap, vs, b"format")?;
        let text = field(heap, vs, b"string")?;
        if let (Value::Str(f), Value::Str(s)) = (format, text) {
            return Ok(HostReply::Verbatim(
                heap.str(f)?.to_vec(),
                heap.str(s)?.to_vec(),
            ));
        }
    }
    let mut items = Vec::new();
    for i in 1.. {
        let v = heap.table(t)?.get_int(i);
        if v.is_nil() {
            break;
        }
        items.push(to_reply(heap, v, resp3, depth + 1)?);
    }
    Ok(HostReply::Array(items))
}

/// The error line (without `-`) for a script that raised `v`: an error
/// table's `err` (a string or number) as is, anything else `ERR` and its
/// text (`nil`, `true`... for values without one).
pub fn error_message(heap: &mut Heap<Proto>, v: Value) -> Vec<u8> {
    let text = |heap: &Heap<Proto>, v: Value| -> Option<Vec<u8>> {
        match v {
            Value::Str(s) => heap.str(s).ok().map(<[u8]>::to_vec),
            Value::Num(x) => Some(number::number_to_string(x).into_bytes()),
            _ => None,
        }
    };
    if let Value::Table(t) = v {
        if let Some(e) = field(heap, t, b"err").ok().and_then(|e| text(heap, e)) {
            return e;
        }
    }
    let shown = match v {
        Value::Nil => Some(b"nil".to_vec()),
        Value::Bool(b) => Some(b.to_string().into_bytes()),
        _ => text(heap, v),
    };
    let mut out = b"ERR ".to_vec();
    out.extend_from_slice(&shown.unwrap_or_else(|| b"unknown error".to_vec()));
    out
}

/// `redis.setresp(n)`.
fn setresp(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    if args.len() != 1 {
        return Err(raise(ctx, b"ERR redis.setresp() requires one argument."));
    }
    let n = f64::from(number::to_int(lua_tonumber(ctx, args[0])?));
    if n != 2.0 && n != 3.0 {
        return Err(raise(ctx, b"ERR RESP version must be 2 or 3."));
    }
    if let Value::Table(s) = ctx.upvalue(0) {
        ctx.heap().set_int(s, 1, Value::Num(n))?;
    }
    Ok(Ret::Values(Vec::new()))
}

/// C's `lua_tonumber`: a number, a numeric string, else 0.
fn lua_tonumber(ctx: &mut Ctx, v: Value) -> R<f64> {
    Ok(match v {
        Value::Num(x) => x,
        Value::Str(s) => number::str_to_number(ctx.heap().str(s)?).unwrap_or(0.0),
        _ => 0.0,
    })
}

/// `redis.error_reply(msg)` / `redis.status_reply(msg)`: `{err = msg}` /
/// `{ok = msg}` (an error message gets a code, as [`error_line`]);
/// anything but one string argument gives back an error table
/// (returned, not raised).
fn reply_table(ctx: &mut Ctx, args: &[Value], key: &[u8]) -> R<Ret> {
    let v = match args {
        [Value::Str(s)] => {
            let s = ctx.heap().str(*s)?;
            let s = if key == b"err" {
                error_line(s)
            } else {
                s.to_vec()
            };
            tagged(ctx.heap(), key, &s)?
        }
        _ => tagged(ctx.heap(), b"err", b"ERR wrong number or type of arguments")?,
    };
    Ok(Ret::Values(vec![v]))
}

/// `redis.sha1hex(s)`.
fn sha1hex(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let data = match args {
        [Value::Str(s)] => ctx.heap().str(*s)?.to_vec(),
        [Value::Num(x)] => number::number_to_string(*x).into_bytes(),
        [_] => Vec::new(),
        _ => return Err(raise(ctx, b"ERR wrong number of arguments")),
    };
    let v = ctx.string(sha1::hex(&data))?;
    Ok(Ret::Values(vec![v]))
}

/// `redis.log(level, ...)`: the arguments joined with spaces.
fn log(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let [level, rest @ ..] = args else {
        return Err(raise(
            ctx,
            b"ERR redis.log() requires two arguments or more.",
        ));
    };
    if rest.is_empty() {
        return Err(raise(
            ctx,
            b"ERR redis.log() requires two arguments or more.",
        ));
    }
    // `lua_isnumber`: numeric strings count.
    let level = match *level {
        Value::Num(x) => Some(x),
        Value::Str(s) => number::str_to_number(ctx.heap().str(s)?),
        _ => None,
    };
    let Some(level) = level else {
        return Err(raise(
            ctx,
            b"ERR First argument must be a number (log level).",
        ));
    };
    let level = number::to_int(level);
    if !(0..=3).contains(&level) {
        return Err(raise(ctx, b"ERR Invalid debug level."));
    }
    let mut msg = Vec::new();
    for (i, &v) in rest.iter().enumerate() {
        if i > 0 {
            msg.push(b' ');
        }
        match v {
            Value::Str(s) => msg.extend_from_slice(ctx.heap().str(s)?),
            Value::Num(x) => number::write_number(&mut msg, x),
            _ => {}
        }
    }
    ctx.host.log(level, &msg);
    Ok(Ret::Values(Vec::new()))
}

/// `redis.set_repl(flags)`: validated only; effects replication is the
/// engine's.
fn set_repl(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let [flags] = args else {
        return Err(raise(ctx, b"ERR redis.set_repl() requires two arguments."));
    };
    let flags = number::to_integer(lua_tonumber(ctx, *flags)?);
    if flags & !(REPL_AOF | REPL_REPLICA) != 0 {
        return Err(raise(
            ctx,
            b"ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
        ));
    }
    Ok(Ret::Values(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_folding() {
        let r = HostReply::Map(vec![(
            HostReply::Bulk(b"a".to_vec()),
            HostReply::Set(vec![HostReply::Double(0.1), HostReply::Bool(false)]),
        )]);
        assert_eq!(
            fold_resp2(r),
            HostReply::Array(vec![
                HostReply::Bulk(b"a".to_vec()),
                HostReply::Array(vec![
                    HostReply::Bulk(b"0.10000000000000001".to_vec()),
                    HostReply::Int(0)
                ]),
            ])
        );
    }
}
