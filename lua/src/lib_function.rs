//! The environment of Redis 7.0's function libraries (FUNCTION LOAD,
//! FCALL). A library's code runs once at load time, where its globals
//! reach only a `redis` table of `register_function`, `log` and the
//! version fields; the functions it registers run later with the full
//! environment EVAL scripts have. As in Redis, the library's `_G` is an
//! empty read-only table whose metatable's `__index` is switched between
//! the two.

use crate::compile::Proto;
use crate::heap::{self, Heap};
use crate::lib_redis::{protect_globals, raise};
use crate::value::{TableRef, Value};
use crate::vm::{Ctx, Ret, Throw, Vm};

type R<T> = Result<T, Throw>;

/// The flags a function may declare (Redis's script flags).
const FLAGS: [&[u8]; 5] = [
    b"no-writes",
    b"allow-oom",
    b"allow-stale",
    b"no-cluster",
    b"allow-cross-slot-keys",
];

/// Fields of the load-time `redis` table, copied from the full one.
const LOAD_TIME_FIELDS: [&[u8]; 7] = [
    b"log",
    b"LOG_DEBUG",
    b"LOG_VERBOSE",
    b"LOG_NOTICE",
    b"LOG_WARNING",
    b"REDIS_VERSION",
    b"REDIS_VERSION_NUM",
];

/// A function `register_function` registered during a load.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub name: Vec<u8>,
    pub callback: Value,
    pub description: Option<Vec<u8>>,
    /// Flag names, each one of Redis's.
    pub flags: Vec<Vec<u8>>,
}

/// The tables that make a VM a function engine.
#[derive(Debug, Clone, Copy)]
pub struct Environment {
    /// The libraries' `_G` metatable, whose `__index` is switched.
    meta: TableRef,
    /// What globals hold while a library loads.
    load_time: TableRef,
    /// The full environment (the VM's own globals, protected).
    run_time: TableRef,
    /// Slot 1: the list `register_function` appends to, during a load.
    collector: TableRef,
}

/// Makes `vm` (fresh from `Vm::new`) a function engine: the globals are
/// protected as for EVAL, and chunks loaded from now on see them through
/// an empty `_G`.
pub fn open(vm: &mut Vm) -> Result<Environment, heap::Error> {
    protect_globals(vm)?;
    let run_time = vm.globals;
    let collector = vm.heap.new_table(1, 0)?;
    let register = vm.register_with(register_function, &[Value::Table(collector)])?;
    // The load-time `redis` table and globals, protected like the rest.
    let redis = vm.heap.new_table(0, LOAD_TIME_FIELDS.len() + 1)?;
    vm.set_field(redis, b"register_function", register)?;
    let full_redis = get(&mut vm.heap, run_time, b"redis")?;
    if let Value::Table(full) = full_redis {
        for name in LOAD_TIME_FIELDS {
            let v = get(&mut vm.heap, full, name)?;
            vm.set_field(redis, name, v)?;
        }
    }
    let load_time = vm.heap.new_table(0, 1)?;
    vm.set_field(load_time, b"redis", Value::Table(redis))?;
    let error_meta = vm.heap.table(run_time)?.metatable();
    for t in [redis, load_time] {
        vm.heap.set_metatable(t, error_meta)?;
        vm.heap.set_readonly(t, true)?;
    }
    let meta = vm.heap.new_table(0, 1)?;
    vm.set_field(meta, b"__index", Value::Table(run_time))?;
    vm.heap.set_readonly(meta, true)?;
    let globals = vm.heap.new_table(0, 0)?;
    vm.heap.set_metatable(globals, Some(meta))?;
    vm.heap.set_readonly(globals, true)?;
    for t in [collector, load_time, run_time, globals] {
        vm.pin(Value::Table(t))?;
    }
    vm.globals = globals;
    Ok(Environment {
        meta,
        load_time,
        run_time,
        collector,
    })
}

fn get(heap: &mut Heap<Proto>, t: TableRef, name: &[u8]) -> Result<Value, heap::Error> {
    let k = heap.intern(name)?;
    Ok(heap.table(t)?.get(Value::Str(k)))
}

impl Environment {
    /// Before running a library's code: its globals become the load-time
    /// ones, and `register_function` starts collecting.
    pub fn begin_load(&self, vm: &mut Vm) -> Result<(), heap::Error> {
        self.point_globals_at(vm, self.load_time)?;
        let list = vm.heap.new_table(4, 0)?;
        vm.heap.set_int(self.collector, 1, Value::Table(list))
    }

    /// After the code ran (or failed): the full globals again, and what
    /// it registered, in order. The callbacks are not yet pinned.
    pub fn end_load(&self, vm: &mut Vm) -> Result<Vec<Registered>, heap::Error> {
        self.point_globals_at(vm, self.run_time)?;
        let list = vm.heap.table(self.collector)?.get_int(1);
        vm.heap.set_int(self.collector, 1, Value::Nil)?;
        let Value::Table(list) = list else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for i in 1.. {
            let Value::Table(entry) = vm.heap.table(list)?.get_int(i) else {
                break;
            };
            out.push(read_entry(&mut vm.heap, entry)?);
        }
        Ok(out)
    }

    fn point_globals_at(&self, vm: &mut Vm, t: TableRef) -> Result<(), heap::Error> {
        vm.heap.set_readonly(self.meta, false)?;
        let set = vm.set_field(self.meta, b"__index", Value::Table(t));
        vm.heap.set_readonly(self.meta, true)?;
        set
    }
}

/// An entry `register_function` stored: `{name, callback, description,
/// flags}` in slots 1 to 4.
fn read_entry(heap: &mut Heap<Proto>, entry: TableRef) -> Result<Registered, heap::Error> {
    let t = heap.table(entry)?;
    let (name, callback, description, flags) =
        (t.get_int(1), t.get_int(2), t.get_int(3), t.get_int(4));
    let text = |heap: &Heap<Proto>, v: Value| match v {
        Value::Str(s) => heap.str(s).ok().map(<[u8]>::to_vec),
        _ => None,
    };
    let mut flag_names = Vec::new();
    if let Value::Table(f) = flags {
        for i in 1.. {
            let v = heap.table(f)?.get_int(i);
            match text(heap, v) {
                Some(name) => flag_names.push(name),
                None => break,
            }
        }
    }
    Ok(Registered {
        name: text(heap, name).unwrap_or_default(),
        callback,
        description: text(heap, description),
        flags: flag_names,
    })
}

/// Letters, digits and underscores, at least one: Redis's rule for
/// library and function names.
pub fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `redis.register_function(name, callback)` or
/// `redis.register_function{function_name=, callback=, description=,
/// flags=}`, with Redis 7.0's checks and texts.
fn register_function(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    let Value::Table(collector) = ctx.upvalue(0) else {
        return Err(raise(
            ctx,
            b"ERR redis.register_function can only be called on FUNCTION LOAD command",
        ));
    };
    let Value::Table(list) = ctx.heap().table(collector)?.get_int(1) else {
        return Err(raise(
            ctx,
            b"ERR redis.register_function can only be called on FUNCTION LOAD command",
        ));
    };
    let (name, callback, description, flags) = match args {
        [named] => named_args(ctx, *named)?,
        [name, callback] => {
            let name = string_arg(ctx, *name).ok_or_else(|| {
                raise(
                    ctx,
                    b"ERR first argument to redis.register_function must be a string",
                )
            })?;
            if !is_function(*callback) {
                return Err(raise(
                    ctx,
                    b"ERR second argument to redis.register_function must be a function",
                ));
            }
            (name, *callback, Value::Nil, Value::Nil)
        }
        _ => {
            return Err(raise(
                ctx,
                b"ERR wrong number of arguments to redis.register_function",
            ))
        }
    };
    let name_bytes = match name {
        Value::Str(s) => ctx.heap().str(s)?.to_vec(),
        _ => Vec::new(),
    };
    if !valid_name(&name_bytes) {
        return Err(raise(ctx, b"ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"));
    }
    // Names are compared without case, as FCALL finds them.
    let len = ctx.heap().table(list)?.length();
    for i in 1..=len {
        let Value::Table(entry) = ctx.heap().table(list)?.get_int(i as i64) else {
            continue;
        };
        if let Value::Str(other) = ctx.heap().table(entry)?.get_int(1) {
            if ctx.heap().str(other)?.eq_ignore_ascii_case(&name_bytes) {
                return Err(raise(ctx, b"ERR Function already exists in the library"));
            }
        }
    }
    let entry = ctx.heap().new_table(4, 0)?;
    for (i, v) in [(1, name), (2, callback), (3, description), (4, flags)] {
        ctx.heap().set_int(entry, i, v)?;
    }
    ctx.heap()
        .set_int(list, len as i64 + 1, Value::Table(entry))?;
    Ok(Ret::Values(Vec::new()))
}

fn is_function(v: Value) -> bool {
    matches!(v, Value::Func(_) | Value::Native(_))
}

/// A string argument (numbers convert, as `lua_tostring` does).
fn string_arg(ctx: &mut Ctx, v: Value) -> Option<Value> {
    match v {
        Value::Str(_) => Some(v),
        Value::Num(_) => ctx.tostring_value(v).ok(),
        _ => None,
    }
}

/// The named form's table, read in its `pairs` order as Redis reads it
/// (so which error comes first follows the table).
fn named_args(ctx: &mut Ctx, table: Value) -> R<(Value, Value, Value, Value)> {
    let Value::Table(t) = table else {
        return Err(raise(ctx, b"ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."));
    };
    let (mut name, mut callback, mut description, mut flags) =
        (Value::Nil, Value::Nil, Value::Nil, Value::Nil);
    let mut key = Value::Nil;
    while let Some((k, v)) = ctx.heap().table(t)?.next(key)? {
        key = k;
        let k = match k {
            Value::Str(s) => ctx.heap().str(s)?.to_ascii_lowercase(),
            Value::Num(_) => Vec::new(),
            _ => {
                return Err(raise(
                    ctx,
                    b"ERR named argument key given to redis.register_function is not a string",
                ))
            }
        };
        match k.as_slice() {
            b"function_name" => {
                name = string_arg(ctx, v).ok_or_else(|| raise(ctx, b"ERR function_name argument given to redis.register_function must be a string"))?;
            }
            b"description" => {
                description = string_arg(ctx, v).ok_or_else(|| raise(ctx, b"ERR description argument given to redis.register_function must be a string"))?;
            }
            b"callback" => {
                if !is_function(v) {
                    return Err(raise(ctx, b"ERR callback argument given to redis.register_function must be a function"));
                }
                callback = v;
            }
            b"flags" => {
                let Value::Table(list) = v else {
                    return Err(raise(ctx, b"ERR flags argument to redis.register_function must be a table representing function flags"));
                };
                if !known_flags(ctx.heap(), list)? {
                    return Err(raise(ctx, b"ERR unknown flag given"));
                }
                flags = v;
            }
            _ => {
                return Err(raise(
                    ctx,
                    b"ERR unknown argument given to redis.register_function",
                ))
            }
        }
    }
    if name.is_nil() {
        return Err(raise(
            ctx,
            b"ERR redis.register_function must get a function name argument",
        ));
    }
    if callback.is_nil() {
        return Err(raise(
            ctx,
            b"ERR redis.register_function must get a callback argument",
        ));
    }
    Ok((name, callback, description, flags))
}

/// Whether every value in a flags table is one of Redis's flag names.
fn known_flags(heap: &mut Heap<Proto>, list: TableRef) -> Result<bool, heap::Error> {
    let mut key = Value::Nil;
    while let Some((k, v)) = heap.table(list)?.next(key)? {
        key = k;
        let Value::Str(s) = v else {
            return Ok(false);
        };
        if !FLAGS.contains(&heap.str(s)?) {
            return Ok(false);
        }
    }
    Ok(true)
}
