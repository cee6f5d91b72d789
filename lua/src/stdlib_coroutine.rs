//! The `coroutine` library. A coroutine runs nested inside the native
//! that resumes it (see [`crate::vm`]): it cannot be paused by the budget
//! while it runs, and is metered like other callbacks.

use crate::heap;
use crate::value::{ThreadRef, Value};
use crate::vm::{CoStatus, Ctx, NativeFn, Ret, Throw, Vm};

type R = Result<Ret, Throw>;

pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    let t = vm.heap.new_table(0, 8)?;
    let call = vm.register(wrap_call)?;
    let wrap = vm.register_with(wrap, &[call])?;
    vm.set_field(t, b"wrap", wrap)?;
    let fns: [(&'static str, NativeFn); 5] = [
        ("create", create),
        ("resume", resume),
        ("yield", yield_),
        ("status", status),
        ("running", running),
    ];
    for (name, f) in fns {
        let v = vm.register(f)?;
        vm.set_field(t, name.as_bytes(), v)?;
    }
    let g = vm.globals;
    vm.set_field(g, b"coroutine", Value::Table(t))
}

fn check_co(ctx: &mut Ctx, args: &[Value]) -> Result<ThreadRef, Throw> {
    match args.first() {
        Some(&Value::Thread(t)) => Ok(t),
        _ => Err(ctx.arg_error(1, "coroutine expected")),
    }
}

fn create_co(ctx: &mut Ctx, args: &[Value]) -> Result<ThreadRef, Throw> {
    match args.first() {
        Some(&f @ Value::Func(_)) => ctx.new_coroutine(f),
        _ => Err(ctx.arg_error(1, "Lua function expected")),
    }
}

fn create(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = create_co(ctx, args)?;
    Ok(Ret::Values(vec![Value::Thread(t)]))
}

fn resume(ctx: &mut Ctx, args: &[Value]) -> R {
    let co = check_co(ctx, args)?;
    Ok(Ret::Values(
        match ctx.resume(co, args.get(1..).unwrap_or(&[]))? {
            Ok(mut vs) => {
                vs.insert(0, Value::Bool(true));
                vs
            }
            Err(e) => vec![Value::Bool(false), e],
        },
    ))
}

fn yield_(ctx: &mut Ctx, args: &[Value]) -> R {
    Err(ctx.yield_values(args))
}

fn status(ctx: &mut Ctx, args: &[Value]) -> R {
    let co = check_co(ctx, args)?;
    let s = match ctx.co_status(co) {
        CoStatus::Suspended => "suspended",
        CoStatus::Running => "running",
        CoStatus::Normal => "normal",
        CoStatus::Dead => "dead",
    };
    Ok(Ret::Values(vec![ctx.string(s)?]))
}

fn running(ctx: &mut Ctx, _args: &[Value]) -> R {
    let v = ctx.running().map_or(Value::Nil, Value::Thread);
    Ok(Ret::Values(vec![v]))
}

fn wrap(ctx: &mut Ctx, args: &[Value]) -> R {
    let t = create_co(ctx, args)?;
    // Upvalue 0 is `wrap_call`, registered once; each wrapper is a new
    // value of it holding its coroutine.
    let Value::Native(call) = ctx.upvalue(0) else {
        return Ok(Ret::Values(vec![Value::Nil]));
    };
    let id = ctx.heap().native(call)?.id;
    let f = ctx.heap().new_native(id, &[Value::Thread(t)])?;
    Ok(Ret::Values(vec![Value::Native(f)]))
}

/// A function made by `wrap`: resumes its coroutine, raising its errors
/// (a string one gets the caller's position, as 5.1 adds it).
fn wrap_call(ctx: &mut Ctx, args: &[Value]) -> R {
    let Value::Thread(co) = ctx.upvalue(0) else {
        return Ok(Ret::Values(Vec::new()));
    };
    match ctx.resume(co, args)? {
        Ok(vs) => Ok(Ret::Values(vs)),
        Err(e @ (Value::Str(_) | Value::Num(_))) => {
            let s = ctx.tostring(e)?;
            let msg = ctx.heap().str(s)?.to_vec();
            Err(ctx.error(msg))
        }
        Err(e) => Err(Throw::Error(e)),
    }
}
