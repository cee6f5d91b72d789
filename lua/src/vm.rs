//! The interpreter: a stackless loop over the [`compile`]d bytecode,
//! with an instruction budget that pauses it, a kill flag, and
//! the heap's memory cap surfacing as Lua's "not enough memory".
//!
//! # Running a script
//!
//! ```text
//! let mut vm = Vm::new(64 << 20)?;                 // base library installed
//! let f = vm.load(src, b"@user_script")?;          // compile (error: message)
//! vm.start(f, &[])?;
//! loop {
//!     match vm.run(&mut host, 100_000) {           // budget in instructions
//!         Outcome::Paused => { /* come back later: run again */ }
//!         Outcome::Done(values) => break,          // convert before next run
//!         Outcome::Error(value) => break,          // any Lua value
//!         Outcome::Killed => break,
//!     }
//! }
//! ```
//!
//! [`Vm::kill_handle`] gives a flag that, once set, makes the running
//! script fail with [`Outcome::Killed`] at its next instruction; no `pcall`
//! catches it. Returned values are handles into [`Vm::heap`], valid until
//! the next `run` (the only place the collector runs).
//!
//! # Stacklessness
//!
//! A Lua→Lua call pushes a frame and the loop carries on; `return f()`
//! replaces the frame. Metamethods that are Lua functions (`__index`,
//! `__newindex`, arithmetic, comparisons, `__call`) also run as frames,
//! whose kind says what to do with their result. `pcall` is a native
//! that returns [`Ret::Call`], so the protected function runs as a frame
//! too and can be paused. Only natives that call back into Lua through
//! [`Ctx::call`] (a comparator, `__tostring`) run a nested loop: at most
//! 64 deep ("C stack overflow"), never paused, and allowed to overdraw
//! the budget by [`Vm::set_nested_allowance`] (50 million instructions by
//! default) before the script is stopped as killed. Coroutines are run
//! the same way, nested inside `coroutine.resume`, each with its own stack
//! (kept in its heap thread) and frames.
//!
//! # Native functions
//!
//! A native is a [`NativeFn`]: `fn(&mut Ctx, &[Value]) -> Result<Ret,
//! Throw>`. Register it with [`Vm::register`], which gives the function
//! value. The [`Ctx`] lends the heap ([`Ctx::heap`]), the host
//! ([`Ctx::host`]), the native's upvalues, argument checks with 5.1's
//! messages ([`Ctx::check_table`], [`Ctx::arg_error`]…), errors with the
//! caller's position ([`Ctx::error`]), nested calls ([`Ctx::call`]) and
//! metering ([`Ctx::charge`], [`Ctx::spend`], [`Ctx::allowance`]). Heap
//! errors convert with `?`. The collector never runs while a native is
//! active, so the values it holds in Rust locals stay valid until it
//! returns; values kept across runs must be pinned ([`Vm::pin`]).

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::compile::{self, Arith, Cmp, Op, Proto, Reg};
use crate::heap::{self, Heap, Upval};
use crate::number;
use crate::parse;
use crate::value::{FuncRef, NativeRef, StrRef, TableRef, ThreadRef, UpvalRef, Value};

/// Lua frames at once (5.1's `LUAI_MAXCALLS`): past it, "stack overflow".
const MAX_FRAMES: usize = 20_000;
/// Nested native→Lua calls before "C stack overflow". 5.1 allows 200
/// (`LUAI_MAXCCALLS`), but each level here is a few Rust frames (about
/// 13 KB in a debug build), and a wasm stack is 1 MB: 64 keeps well
/// inside it while no reasonable script nests callbacks that deep.
const MAX_NESTED: u32 = 64;
/// `__index`/`__newindex` chain length (`MAXTAGLOOP`).
const MAX_TAG_LOOP: usize = 100;
/// Room above a frame's registers for a metamethod call's function and
/// arguments.
const META_ROOM: usize = 4;
/// Instructions a nested run (a comparator, `__tostring`) may use beyond
/// the slice before the script is stopped: such runs cannot pause, so this
/// bounds how long they can hold the thread.
const NESTED_ALLOWANCE: u64 = 50_000_000;
/// Stack slots kept between scripts; the rest is freed.
const KEPT_STACK: usize = 1024;
/// Stack slots at most, a backstop below the frame limit.
const MAX_STACK: usize = 4_000_000;

/// Why Lua code stopped with an error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Throw {
    /// `error(v)` or a runtime error (a string with its position).
    Error(Value),
    /// A heap failure, turned into its message where it is caught
    /// ("not enough memory" has no position, as in 5.1).
    Heap(heap::Error),
    /// The kill flag, or a nested call that overdrew the budget: not
    /// catchable.
    Kill,
    /// `coroutine.yield`: suspends the running coroutine (its values wait
    /// in the VM). Anywhere it cannot suspend, it becomes an error.
    Yield,
}

impl From<heap::Error> for Throw {
    fn from(e: heap::Error) -> Self {
        Throw::Heap(e)
    }
}

type R<T> = Result<T, Throw>;

/// A native's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Ret {
    /// Its results.
    Values(Vec<Value>),
    /// Call `func` with `args` in the native's place, its results being
    /// the native's (how `pcall` runs its function as a pausable frame).
    /// `protected` catches errors as `pcall` does: `false, err`, or
    /// `true` before the results.
    Call {
        func: Value,
        args: Vec<Value>,
        protected: bool,
    },
}

/// A native function.
pub type NativeFn = fn(&mut Ctx<'_>, &[Value]) -> R<Ret>;

/// A reply from the host to [`ScriptHost::call`], in RESP terms (also a
/// script's result, converted by `lib_redis::script_reply`).
#[derive(Debug, Clone, PartialEq)]
pub enum HostReply {
    Nil,
    Int(i64),
    Bulk(Vec<u8>),
    Status(Vec<u8>),
    Error(Vec<u8>),
    Array(Vec<HostReply>),
    /// RESP3 types (`redis.setresp(3)`); see `lib_redis` for how they
    /// reach scripts and how they fold to RESP2.
    Map(Vec<(HostReply, HostReply)>),
    Set(Vec<HostReply>),
    Double(f64),
    Bool(bool),
    BigNumber(Vec<u8>),
    /// A verbatim string: its three-letter format and its text.
    Verbatim(Vec<u8>, Vec<u8>),
}

/// What scripts can reach outside the VM. The VM keeps no reference to it:
/// it is lent to [`Vm::run`] for one slice and passed to natives through
/// [`Ctx::host`].
pub trait ScriptHost {
    /// Runs a command (`redis.call`), answering in the protocol the script
    /// asked for: RESP3 shapes if `resp3` (`redis.setresp(3)`), else
    /// RESP2's. Some commands shape their replies by protocol (ZRANGE
    /// WITHSCORES pairs) beyond what `lib_redis::fold_resp2` undoes.
    fn call(&mut self, argv: &[Vec<u8>], resp3: bool) -> HostReply;
    /// `redis.log(level, message)`.
    fn log(&mut self, level: i32, message: &[u8]);
}

/// A host with no commands, for tests and tools.
#[derive(Debug, Default)]
pub struct NoHost;

impl ScriptHost for NoHost {
    fn call(&mut self, _argv: &[Vec<u8>], _resp3: bool) -> HostReply {
        HostReply::Error(b"ERR no host".to_vec())
    }
    fn log(&mut self, _level: i32, _message: &[u8]) {}
}

/// How [`Vm::run`] ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The chunk returned these values.
    Done(Vec<Value>),
    /// The budget ran out; call `run` again to continue.
    Paused,
    /// An error no `pcall` caught: the error value.
    Error(Value),
    /// The kill flag stopped the script.
    Killed,
}

/// An operator's result as x86-64 gives it, where Redis runs: a NaN made
/// from non-NaN operands is the CPU's default NaN, which is negative (5.1
/// prints `-nan`); wasm's is positive.
fn x86_nan(r: f64, a: f64, b: f64) -> f64 {
    if r.is_nan() && !a.is_nan() && !b.is_nan() {
        -f64::NAN
    } else {
        r
    }
}

/// What a finished frame's results are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Stored from `ret` (a call, or an arithmetic/index metamethod).
    Normal,
    /// A protected call, `n` `pcall`s deep (`pcall(pcall, f)` gives 2):
    /// `n` leading `true`s.
    Pcall(u32),
    /// A comparison metamethod: its truth is stored, negated if set.
    Bool(bool),
    /// `__newindex`: results dropped.
    Discard,
    /// The first frame of [`Vm::run`], of [`Ctx::call`] or of a
    /// coroutine: results go to `Vm::nested_ret`.
    Nested,
}

impl Kind {
    /// Whether a Lua function called the frame's function (for `error`'s
    /// level counting).
    fn called_by_lua(self) -> bool {
        matches!(self, Kind::Normal | Kind::Bool(_) | Kind::Discard)
    }
}

#[derive(Debug)]
struct Frame {
    func: FuncRef,
    proto: Rc<Proto>,
    base: usize,
    pc: usize,
    nvarargs: usize,
    /// The lowest stack slot the call uses (its function's).
    func_slot: usize,
    ret: usize,
    want: Option<usize>,
    kind: Kind,
}

impl Frame {
    /// The source line of the frame's current instruction.
    fn line(&self) -> u32 {
        self.proto
            .lines
            .get(self.pc.saturating_sub(1))
            .copied()
            .unwrap_or(0)
    }
}

/// Where a coroutine is (`coroutine.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoStatus {
    Suspended,
    Running,
    /// It resumed another coroutine and waits for it.
    Normal,
    Dead,
}

/// A coroutine while it is not running. Its stack is its heap thread's,
/// so the collector sees it; coroutines run nested inside the `resume`
/// native (unpausable, like other callbacks).
struct Coroutine {
    status: CoStatus,
    frames: Vec<Frame>,
    open: Vec<(usize, UpvalRef)>,
    /// Stack growth reserved through [`Vm::ensure`] while it ran, given
    /// back when its thread is collected.
    stack_bytes: usize,
    /// Where the values of the next resume go: the call that yielded.
    /// `None` before the first resume.
    resume_to: Option<(Kind, usize, Option<usize>)>,
}

/// Metamethod names (pre-interned by the VM).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Index,
    NewIndex,
    Call,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Unm,
    Concat,
    Eq,
    Lt,
    Le,
    Len,
    ToString,
    Metatable,
}

const EVENT_NAMES: [&[u8]; 17] = [
    b"__index",
    b"__newindex",
    b"__call",
    b"__add",
    b"__sub",
    b"__mul",
    b"__div",
    b"__mod",
    b"__pow",
    b"__unm",
    b"__concat",
    b"__eq",
    b"__lt",
    b"__le",
    b"__len",
    b"__tostring",
    b"__metatable",
];

/// The interpreter state: heap, globals, stack and frames of the running
/// script.
pub struct Vm {
    pub heap: Heap<Proto>,
    pub globals: TableRef,
    /// The metatable of strings (`("x"):upper()`), set by the string
    /// library.
    pub string_meta: Option<TableRef>,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    /// Open upvalue cells by stack slot, ascending.
    open: Vec<(usize, UpvalRef)>,
    thread: ThreadRef,
    natives: Vec<NativeFn>,
    /// The end of the values left by the last multiple-result instruction.
    top: usize,
    /// The highest slot used by the natives running now.
    native_top: usize,
    budget: u64,
    overdraft: u64,
    nested_allowance: u64,
    /// The thread running now (`thread` is the main one).
    current: ThreadRef,
    /// Coroutines by thread; their stacks live in their heap threads.
    coroutines: HashMap<ThreadRef, Coroutine>,
    /// The nesting level the running coroutine runs at (0: none).
    co_depth: u32,
    /// Values passed to `coroutine.yield`, and where the values of the
    /// next resume go.
    yielded: Vec<Value>,
    yield_to: Option<(Kind, usize, Option<usize>)>,
    /// `collectgarbage()` asked for a collection at the next safe point.
    gc_requested: bool,
    kill: Rc<Cell<bool>>,
    nested: u32,
    /// Natives answering [`Ret::Call`] with another native, in a row.
    chain: u32,
    nested_ret: Vec<Value>,
    /// A chunk to call at the next `run`: its argument count.
    pending: Option<usize>,
    events: Vec<StrRef>,
    no_memory: StrRef,
    /// Values kept alive for the VM's lifetime (library tables).
    pinned: Vec<Value>,
    /// The line of the innermost Lua function an uncaught error (or the
    /// kill) left, which Redis reports as `on @user_script:<line>.`
    error_line: Option<u32>,
    /// What a `pcall` hands back for an error it caught, if not the error
    /// value itself: Redis's `pcall` gives the `err` string of an error
    /// table (`lib_redis` sets it). `xpcall` is left alone, as in Redis.
    pub caught_error: Option<fn(&mut Heap<Proto>, Value) -> Value>,
}

impl Vm {
    /// A VM whose heap holds at most `memory_limit` bytes, with the base,
    /// string, table, math and coroutine libraries and those Redis bundles
    /// (`bit`, `cjson`, `cmsgpack`, `struct`, Redis's `math.random`).
    pub fn new(memory_limit: usize) -> Result<Vm, heap::Error> {
        let mut heap = Heap::new(memory_limit);
        let globals = heap.new_table(0, 32)?;
        let thread = heap.new_thread()?;
        let mut events = Vec::with_capacity(EVENT_NAMES.len());
        for name in EVENT_NAMES {
            events.push(heap.intern(name)?);
        }
        let no_memory = heap.intern(heap::Error::NoMemory.message().as_bytes())?;
        let mut vm = Vm {
            heap,
            globals,
            string_meta: None,
            stack: Vec::new(),
            frames: Vec::new(),
            open: Vec::new(),
            thread,
            natives: Vec::new(),
            top: 0,
            native_top: 0,
            budget: 0,
            overdraft: 0,
            nested_allowance: NESTED_ALLOWANCE,
            gc_requested: false,
            current: thread,
            coroutines: HashMap::new(),
            co_depth: 0,
            yielded: Vec::new(),
            yield_to: None,
            kill: Rc::new(Cell::new(false)),
            nested: 0,
            chain: 0,
            nested_ret: Vec::new(),
            pending: None,
            events,
            no_memory,
            pinned: Vec::new(),
            error_line: None,
            caught_error: None,
        };
        crate::stdlib::open(&mut vm)?;
        crate::stdlib_string::open(&mut vm)?;
        crate::stdlib_table::open(&mut vm)?;
        crate::stdlib_coroutine::open(&mut vm)?;
        crate::lib_bit::open(&mut vm)?;
        crate::lib_cjson::open(&mut vm)?;
        crate::lib_cmsgpack::open(&mut vm)?;
        crate::lib_struct::open(&mut vm)?;
        crate::lib_random::open(&mut vm)?;
        crate::lib_redis::open(&mut vm)?;
        Ok(vm)
    }

    /// Makes a native function value. Like 5.1, error messages name it
    /// by how the caller refers to it (`'insert'` for `table.insert`).
    pub fn register(&mut self, f: NativeFn) -> Result<Value, heap::Error> {
        self.register_with(f, &[])
    }

    /// [`Vm::register`] with upvalues the native reads by [`Ctx::upvalue`].
    pub fn register_with(&mut self, f: NativeFn, upvals: &[Value]) -> Result<Value, heap::Error> {
        let id = u32::try_from(self.natives.len()).map_err(|_| heap::Error::NoMemory)?;
        self.natives.push(f);
        Ok(Value::Native(self.heap.new_native(id, upvals)?))
    }

    /// Keeps `v` alive across runs (a script function cached by SHA1, a
    /// library table not reachable from the globals) until [`Vm::unpin`].
    pub fn pin(&mut self, v: Value) -> Result<(), heap::Error> {
        self.heap.reserve(std::mem::size_of::<Value>())?;
        self.pinned.push(v);
        Ok(())
    }

    /// Undoes one [`Vm::pin`] of `v`.
    pub fn unpin(&mut self, v: Value) {
        if let Some(i) = self.pinned.iter().position(|&p| p == v) {
            self.pinned.swap_remove(i);
            self.heap.release(std::mem::size_of::<Value>());
        }
    }

    /// `t[name] = v` without metamethods.
    pub fn set_field(&mut self, t: TableRef, name: &[u8], v: Value) -> Result<(), heap::Error> {
        let k = self.heap.intern(name)?;
        self.heap.set(t, Value::Str(k), v)
    }

    /// Sets how many instructions past a slice's budget natives and the
    /// Lua code they call back may run (they cannot pause) before the
    /// script is stopped as killed. Default 50 million.
    pub fn set_nested_allowance(&mut self, n: u64) {
        self.nested_allowance = n;
    }

    /// The flag that kills the running script when set.
    pub fn kill_handle(&self) -> Rc<Cell<bool>> {
        self.kill.clone()
    }

    /// Compiles a chunk into a function value. The error is 5.1's message
    /// (`user_script:1: '=' expected near 'x'`).
    pub fn load(&mut self, source: &[u8], chunk_name: &[u8]) -> Result<Value, Vec<u8>> {
        self.load_nested(source, chunk_name, 0)
    }

    fn load_nested(
        &mut self,
        source: &[u8],
        chunk_name: &[u8],
        depth: u32,
    ) -> Result<Value, Vec<u8>> {
        let chunk = parse::parse_nested(source, chunk_name, depth).map_err(|e| e.into_message())?;
        let proto = compile::compile(&chunk, &mut self.heap).map_err(|e| match e {
            compile::CompileError::Heap(e) => e.message().as_bytes().to_vec(),
            compile::CompileError::Message(m) => m,
        })?;
        self.heap
            .new_func(proto, &[], self.globals)
            .map(Value::Func)
            .map_err(|e| e.message().as_bytes().to_vec())
    }

    /// Prepares `f(args)` for [`Vm::run`], abandoning any script in
    /// progress and clearing the kill flag.
    pub fn start(&mut self, f: Value, args: &[Value]) -> Result<(), heap::Error> {
        self.reset();
        self.kill.set(false);
        self.error_line = None;
        self.ensure(args.len() + 1)?;
        self.put(0, f);
        for (i, &a) in args.iter().enumerate() {
            self.put(i + 1, a);
        }
        self.pending = Some(args.len());
        Ok(())
    }

    /// Where the last run's uncaught error or kill happened: the current
    /// line of the innermost Lua function then (Redis's error handler looks
    /// past the native that raised it to the Lua code that called it).
    pub fn error_line(&self) -> Option<u32> {
        self.error_line
    }

    /// Records the innermost frame's line for [`Vm::error_line`], unless
    /// a deeper level already did for the same error.
    fn note_error_line(&mut self) {
        if self.error_line.is_none() {
            self.error_line = self.frames.last().map(Frame::line);
        }
    }

    /// Whether a script is started or paused.
    pub fn is_running(&self) -> bool {
        self.pending.is_some() || !self.frames.is_empty()
    }

    fn reset(&mut self) {
        self.close(0);
        self.frames.clear();
        self.pending = None;
        self.top = 0;
        self.native_top = 0;
        self.nested = 0;
        self.chain = 0;
        self.current = self.thread;
        self.co_depth = 0;
        self.yielded.clear();
        self.yield_to = None;
        // A deep script's stack should not keep counting against the next
        // script's memory.
        if self.stack.len() > KEPT_STACK {
            let extra = self.stack.len() - KEPT_STACK;
            self.stack.truncate(KEPT_STACK);
            self.stack.shrink_to_fit();
            self.heap.release(extra * std::mem::size_of::<Value>());
        }
    }

    /// Runs the started script for at most `budget` instructions.
    pub fn run(&mut self, host: &mut dyn ScriptHost, budget: u64) -> Outcome {
        self.budget = budget;
        self.overdraft = self.nested_allowance;
        let r = self.run_inner(host);
        match r {
            Ok(true) => {
                let values = std::mem::take(&mut self.nested_ret);
                self.reset();
                Outcome::Done(values)
            }
            Ok(false) => Outcome::Paused,
            Err(e) => {
                let out = match self.materialize(e) {
                    Some(v) => Outcome::Error(v),
                    None => Outcome::Killed,
                };
                self.reset();
                out
            }
        }
    }

    fn run_inner(&mut self, host: &mut dyn ScriptHost) -> R<bool> {
        if let Some(nargs) = self.pending.take() {
            self.nested_ret.clear();
            self.call_value(host, 0, nargs, 0, None, Kind::Nested, None, false)?;
        } else if self.frames.is_empty() {
            return Ok(true);
        }
        self.execute(host, 0)
    }

    // ---- stack ----

    fn get(&self, i: usize) -> Value {
        self.stack.get(i).copied().unwrap_or(Value::Nil)
    }

    fn put(&mut self, i: usize, v: Value) {
        if let Some(s) = self.stack.get_mut(i) {
            *s = v;
        }
    }

    /// Makes the stack at least `n` slots long, counting the memory.
    fn ensure(&mut self, n: usize) -> Result<(), heap::Error> {
        let len = self.stack.len();
        if n <= len {
            return Ok(());
        }
        if n > MAX_STACK {
            return Err(heap::Error::NoMemory);
        }
        // Doubling keeps growth amortised; near the cap, take just enough.
        let mut new_len = n.max(len.saturating_mul(2)).min(MAX_STACK);
        let mut bytes = (new_len - len) * std::mem::size_of::<Value>();
        if self.heap.reserve(bytes).is_err() {
            new_len = n;
            bytes = (new_len - len) * std::mem::size_of::<Value>();
            self.heap.reserve(bytes)?;
        }
        if self.stack.try_reserve_exact(new_len - len).is_err() {
            self.heap.release(bytes);
            return Err(heap::Error::NoMemory);
        }
        self.stack.resize(new_len, Value::Nil);
        Ok(())
    }

    /// Copies `n` slots from `src` to `dst` (the ranges may overlap).
    fn copy(&mut self, src: usize, n: usize, dst: usize) -> Result<(), heap::Error> {
        self.ensure(src.max(dst).saturating_add(n))?;
        self.stack.copy_within(src..src + n, dst);
        Ok(())
    }

    /// The first slot free for a metamethod or nested call.
    fn scratch(&self) -> usize {
        let frame_top = self
            .frames
            .last()
            .map_or(0, |f| f.base + usize::from(f.proto.max_stack));
        frame_top.max(self.native_top)
    }

    // ---- upvalues ----

    fn find_upval(&mut self, slot: usize) -> R<UpvalRef> {
        let pos = self.open.partition_point(|&(s, _)| s < slot);
        if let Some(&(s, u)) = self.open.get(pos) {
            if s == slot {
                return Ok(u);
            }
        }
        let u = self.heap.new_upval(Upval::Open {
            thread: self.current,
            slot: u32::try_from(slot).map_err(|_| heap::Error::NoMemory)?,
        })?;
        self.open.insert(pos, (slot, u));
        Ok(u)
    }

    fn close(&mut self, level: usize) {
        while let Some(&(slot, u)) = self.open.last() {
            if slot < level {
                break;
            }
            let v = self.get(slot);
            // A cell whose closures were all collected is already gone.
            if let Ok(cell) = self.heap.upval_mut(u) {
                *cell = Upval::Closed(v);
            }
            self.open.pop();
        }
    }

    /// An open cell of another thread points into that thread's saved
    /// stack (a suspended coroutine, or the resumer of the running one).
    fn upval_get(&self, u: UpvalRef) -> R<Value> {
        Ok(match *self.heap.upval(u)? {
            Upval::Open { thread, slot } if thread == self.current => self.get(slot as usize),
            Upval::Open { thread, slot } => self
                .heap
                .thread(thread)?
                .stack
                .get(slot as usize)
                .copied()
                .unwrap_or(Value::Nil),
            Upval::Closed(v) => v,
        })
    }

    fn upval_set(&mut self, u: UpvalRef, v: Value) -> R<()> {
        match *self.heap.upval(u)? {
            Upval::Open { thread, slot } if thread == self.current => self.put(slot as usize, v),
            Upval::Open { thread, slot } => {
                if let Some(s) = self.heap.thread_mut(thread)?.stack.get_mut(slot as usize) {
                    *s = v;
                }
            }
            Upval::Closed(_) => *self.heap.upval_mut(u)? = Upval::Closed(v),
        }
        Ok(())
    }

    // ---- errors ----

    /// `chunk:line:` of frame `i`'s current instruction.
    fn position(&self, i: usize) -> Vec<u8> {
        let Some(f) = self.frames.get(i) else {
            return Vec::new();
        };
        let mut out = f.proto.chunk.to_vec();
        out.extend_from_slice(format!(":{}: ", f.line()).as_bytes());
        out
    }

    /// A string error value, or "not enough memory" if it cannot be made.
    fn error_value(&mut self, msg: Vec<u8>) -> Value {
        match self.heap.intern_vec(msg) {
            Ok(s) => Value::Str(s),
            Err(_) => Value::Str(self.no_memory),
        }
    }

    /// An error raised where 5.1 is inside a C function: no position.
    fn plain_error(&mut self, msg: &[u8]) -> Throw {
        Throw::Error(self.error_value(msg.to_vec()))
    }

    /// A runtime error at the current instruction (`luaG_runerror`).
    fn rt_error(&mut self, msg: &[u8]) -> Throw {
        let mut out = match self.frames.len().checked_sub(1) {
            Some(i) => self.position(i),
            None => Vec::new(),
        };
        out.extend_from_slice(msg);
        Throw::Error(self.error_value(out))
    }

    /// The error value a throw stands for; `None` for a kill.
    fn materialize(&mut self, t: Throw) -> Option<Value> {
        match t {
            Throw::Error(v) => Some(v),
            Throw::Heap(heap::Error::NoMemory) => Some(Value::Str(self.no_memory)),
            Throw::Heap(e) => match self.rt_error(e.message().as_bytes()) {
                Throw::Error(v) => Some(v),
                _ => Some(Value::Str(self.no_memory)),
            },
            Throw::Kill => None,
            Throw::Yield => {
                self.yielded.clear();
                Some(
                    match self.plain_error(b"attempt to yield across metamethod/C-call boundary") {
                        Throw::Error(v) => v,
                        _ => Value::Str(self.no_memory),
                    },
                )
            }
        }
    }

    /// `local 'x' (a nil value)` or `a nil value`, naming register `reg`
    /// of the current instruction as the compiler recorded it.
    fn describe(&self, v: Value, reg: Option<Reg>) -> Vec<u8> {
        let ty = v.type_name();
        let hint = reg.and_then(|r| {
            let f = self.frames.last()?;
            f.proto.hint(f.pc.checked_sub(1)?, r)
        });
        match hint {
            Some(h) => {
                let mut out = format!("{} '", h.kind.word()).into_bytes();
                out.extend_from_slice(&h.name);
                out.extend_from_slice(format!("' (a {ty} value)").as_bytes());
                out
            }
            None => format!("a {ty} value").into_bytes(),
        }
    }

    fn op_error(&mut self, what: &str, v: Value, reg: Option<Reg>) -> Throw {
        let mut msg = format!("attempt to {what} ").into_bytes();
        msg.extend_from_slice(&self.describe(v, reg));
        self.rt_error(&msg)
    }

    fn order_error(&mut self, a: Value, b: Value) -> Throw {
        let (ta, tb) = (a.type_name(), b.type_name());
        let msg = if ta == tb {
            format!("attempt to compare two {ta} values")
        } else {
            format!("attempt to compare {ta} with {tb}")
        };
        self.rt_error(msg.as_bytes())
    }

    // ---- the loop ----

    /// Runs until the frame stack is back to `stop` frames (`Ok(true)`) or
    /// the budget is out (`Ok(false)`, top level only).
    fn execute(&mut self, host: &mut dyn ScriptHost, stop: usize) -> R<bool> {
        while self.frames.len() > stop {
            if self.kill.get() {
                self.note_error_line();
                self.unwind_all(stop);
                return Err(Throw::Kill);
            }
            if self.budget > 0 {
                self.budget -= 1;
            } else if self.nested == 0 {
                return Ok(false);
            } else if self.overdraft > 0 {
                self.overdraft -= 1;
            } else {
                self.note_error_line();
                self.unwind_all(stop);
                return Err(Throw::Kill);
            }
            if self.nested == 0 && (self.gc_requested || self.heap.should_collect()) {
                self.gc_requested = false;
                self.collect();
            }
            match self.step(host) {
                Ok(()) => {}
                // The coroutine's frames stay as they are, to be resumed.
                Err(Throw::Yield) if self.nested == self.co_depth && self.nested > 0 => {
                    return Err(Throw::Yield)
                }
                Err(e) => self.unwind(e, stop)?,
            }
        }
        Ok(true)
    }

    fn collect(&mut self) {
        let roots = self
            .stack
            .iter()
            .copied()
            .chain(self.frames.iter().map(|f| Value::Func(f.func)))
            .chain(self.nested_ret.iter().copied())
            .chain(self.pinned.iter().copied())
            .chain(self.events.iter().map(|&s| Value::Str(s)))
            .chain([
                Value::Table(self.globals),
                Value::Thread(self.thread),
                Value::Str(self.no_memory),
            ])
            .chain(self.string_meta.map(Value::Table));
        self.heap.collect(roots);
        // A cell whose closures all died is freed even while its variable
        // lives; forget it, so a new closure gets a new cell.
        let heap = &self.heap;
        self.open.retain(|&(_, u)| heap.upval(u).is_ok());
        let dead: Vec<ThreadRef> = self
            .coroutines
            .keys()
            .copied()
            .filter(|&t| self.heap.thread(t).is_err())
            .collect();
        for t in dead {
            if let Some(co) = self.coroutines.remove(&t) {
                self.heap.release(co.stack_bytes);
            }
        }
    }

    /// Pops the frames above `stop`, closing their upvalues.
    fn unwind_all(&mut self, stop: usize) {
        if let Some(f) = self.frames.get(stop) {
            let level = f.func_slot;
            self.close(level);
        }
        self.frames.truncate(stop);
    }

    /// Delivers an error to the innermost `pcall` frame above `stop`, or
    /// returns it.
    fn unwind(&mut self, e: Throw, stop: usize) -> R<()> {
        let Some(v) = self.materialize(e) else {
            self.note_error_line();
            self.unwind_all(stop);
            return Err(Throw::Kill);
        };
        let catch = self
            .frames
            .iter()
            .rposition(|f| matches!(f.kind, Kind::Pcall(_)))
            .filter(|&i| i >= stop);
        let Some(i) = catch else {
            self.note_error_line();
            self.unwind_all(stop);
            return Err(Throw::Error(v));
        };
        self.error_line = None;
        let (ret, want, depth) = match self.frames.get(i) {
            Some(f) => (f.ret, f.want, f.kind),
            None => return Err(Throw::Error(v)),
        };
        self.unwind_all(i);
        let depth = match depth {
            Kind::Pcall(n) => n,
            _ => 1,
        };
        self.deliver_caught(ret, want, depth, v)
    }

    /// `true, ..., true, false, v` (`depth - 1` trues) as a protected
    /// call's results.
    fn deliver_caught(&mut self, ret: usize, want: Option<usize>, depth: u32, v: Value) -> R<()> {
        let v = match self.caught_error {
            Some(convert) => convert(&mut self.heap, v),
            None => v,
        };
        let n = depth as usize + 1;
        let at = self.scratch().max(ret);
        self.ensure(at + n)?;
        for k in 0..n - 2 {
            self.put(at + k, Value::Bool(true));
        }
        self.put(at + n - 2, Value::Bool(false));
        self.put(at + n - 1, v);
        self.deliver(Kind::Normal, ret, want, at, n)
    }

    /// Moves `n` results from `src` to where `kind` wants them.
    fn deliver(
        &mut self,
        kind: Kind,
        ret: usize,
        want: Option<usize>,
        src: usize,
        n: usize,
    ) -> R<()> {
        match kind {
            Kind::Normal => {
                let count = want.unwrap_or(n);
                self.ensure(ret + count.max(n))?;
                let copy = n.min(count);
                self.copy(src, copy, ret)?;
                for i in copy..count {
                    self.put(ret + i, Value::Nil);
                }
                if want.is_none() {
                    self.top = ret + n;
                }
            }
            Kind::Pcall(depth) => {
                let lead = depth as usize;
                self.ensure(src + n + lead)?;
                self.copy(src, n, src + lead)?;
                for k in 0..lead {
                    self.put(src + k, Value::Bool(true));
                }
                return self.deliver(Kind::Normal, ret, want, src, n + lead);
            }
            Kind::Bool(negate) => {
                let v = if n > 0 { self.get(src) } else { Value::Nil };
                self.put(ret, Value::Bool(v.truthy() != negate));
            }
            Kind::Discard => {}
            Kind::Nested => {
                self.nested_ret.clear();
                self.nested_ret
                    .extend_from_slice(self.stack.get(src..src + n).unwrap_or(&[]));
            }
        }
        Ok(())
    }

    // ---- calls ----

    /// Calls the value at `fidx` with the `nargs` values above it. A Lua
    /// function gets a frame (the loop runs it); a native runs now.
    #[allow(clippy::too_many_arguments)]
    fn call_value(
        &mut self,
        host: &mut dyn ScriptHost,
        fidx: usize,
        mut nargs: usize,
        ret: usize,
        want: Option<usize>,
        kind: Kind,
        reg: Option<Reg>,
        from_lua: bool,
    ) -> R<()> {
        for _ in 0..MAX_TAG_LOOP {
            match self.get(fidx) {
                Value::Func(f) => return self.push_lua(f, fidx, nargs, ret, want, kind),
                Value::Native(n) => {
                    let r = self.call_native(host, n, fidx, nargs, ret, want, kind, reg, from_lua);
                    return match (r, kind) {
                        (Err(e), Kind::Pcall(depth)) => match self.materialize(e) {
                            Some(v) => self.deliver_caught(ret, want, depth, v),
                            None => Err(Throw::Kill),
                        },
                        (r, _) => r,
                    };
                }
                other => {
                    let h = self.metamethod(other, Event::Call)?;
                    if h.is_nil() {
                        // Called from a native (`pcall(nil)`), the error
                        // has no position.
                        let e = if from_lua {
                            self.op_error("call", other, reg)
                        } else {
                            let msg = format!("attempt to call a {} value", other.type_name());
                            self.plain_error(msg.as_bytes())
                        };
                        if let Kind::Pcall(depth) = kind {
                            if let Some(v) = self.materialize(e) {
                                return self.deliver_caught(ret, want, depth, v);
                            }
                        }
                        return Err(e);
                    }
                    self.ensure(fidx + nargs + 2)?;
                    self.copy(fidx, nargs + 1, fidx + 1)?;
                    self.put(fidx, h);
                    nargs += 1;
                }
            }
        }
        Err(self.rt_error(b"'__call' chain too long"))
    }

    fn push_lua(
        &mut self,
        f: FuncRef,
        fidx: usize,
        nargs: usize,
        ret: usize,
        want: Option<usize>,
        kind: Kind,
    ) -> R<()> {
        if self.frames.len() >= MAX_FRAMES {
            return Err(self.rt_error(b"stack overflow"));
        }
        let proto = self.heap.func(f)?.proto.clone();
        let np = usize::from(proto.num_params);
        let (base, nvarargs) = if proto.is_vararg {
            (fidx + 1 + nargs, nargs.saturating_sub(np))
        } else {
            (fidx + 1, 0)
        };
        let size = usize::from(proto.max_stack);
        self.ensure(base + size + META_ROOM)?;
        if proto.is_vararg {
            for i in 0..np {
                let v = if i < nargs {
                    self.get(fidx + 1 + i)
                } else {
                    Value::Nil
                };
                self.put(base + i, v);
            }
        }
        let first_free = if proto.is_vararg { np } else { nargs.min(np) };
        for i in first_free..size {
            self.put(base + i, Value::Nil);
        }
        if proto.needs_arg {
            let t = self.heap.new_table(nvarargs, 1)?;
            for i in 0..nvarargs {
                let v = self.get(base - nvarargs + i);
                self.heap.set_int(t, i as i64 + 1, v)?;
            }
            let n = self.heap.intern(b"n")?;
            self.heap
                .set(t, Value::Str(n), Value::Num(nvarargs as f64))?;
            self.put(base + np, Value::Table(t));
        }
        self.frames.push(Frame {
            func: f,
            proto,
            base,
            pc: 0,
            nvarargs,
            func_slot: fidx,
            ret,
            want,
            kind,
        });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn call_native(
        &mut self,
        host: &mut dyn ScriptHost,
        n: NativeRef,
        fidx: usize,
        nargs: usize,
        ret: usize,
        want: Option<usize>,
        kind: Kind,
        reg: Option<Reg>,
        from_lua: bool,
    ) -> R<()> {
        let id = self.heap.native(n)?.id as usize;
        let Some(&f) = self.natives.get(id) else {
            return Err(self.rt_error(b"invalid native function"));
        };
        let args: Vec<Value> = self
            .stack
            .get(fidx + 1..fidx + 1 + nargs)
            .unwrap_or(&[])
            .to_vec();
        let saved_top = self.native_top;
        self.native_top = self.native_top.max(fidx + 1 + nargs);
        let r = {
            let mut ctx = Ctx {
                vm: self,
                host,
                native: n,
                reg,
                from_lua,
            };
            f(&mut ctx, &args)
        };
        self.native_top = saved_top;
        if r == Err(Throw::Yield) {
            self.yield_to = Some((kind, ret, want));
        }
        match r? {
            Ret::Values(vs) => {
                self.ensure(fidx + vs.len())?;
                for (i, &v) in vs.iter().enumerate() {
                    self.put(fidx + i, v);
                }
                self.deliver(kind, ret, want, fidx, vs.len())
            }
            Ret::Call {
                func,
                args,
                protected,
            } => {
                let kind = match (protected, kind) {
                    (false, k) => k,
                    (true, Kind::Normal) => Kind::Pcall(1),
                    (true, Kind::Pcall(d)) => Kind::Pcall(d.saturating_add(1)),
                    (true, k) => {
                        // A protected call whose results feed a metamethod
                        // or a nested run: run it nested.
                        let vs = match self.call_nested(host, func, &args) {
                            Ok(mut vs) => {
                                vs.insert(0, Value::Bool(true));
                                vs
                            }
                            Err(e) => match self.materialize(e) {
                                Some(v) => vec![Value::Bool(false), v],
                                None => return Err(Throw::Kill),
                            },
                        };
                        self.ensure(fidx + vs.len())?;
                        for (i, &v) in vs.iter().enumerate() {
                            self.put(fidx + i, v);
                        }
                        return self.deliver(k, ret, want, fidx, vs.len());
                    }
                };
                self.ensure(fidx + 1 + args.len())?;
                self.put(fidx, func);
                for (i, &v) in args.iter().enumerate() {
                    self.put(fidx + 1 + i, v);
                }
                // `pcall(pcall, pcall, ...)` recurses here: bound it as
                // 5.1 bounds C calls.
                if self.chain >= MAX_NESTED {
                    return Err(self.plain_error(b"C stack overflow"));
                }
                self.chain += 1;
                let r = self.call_value(host, fidx, args.len(), ret, want, kind, None, false);
                self.chain -= 1;
                r
            }
        }
    }

    /// Calls `f(args)` to completion in a nested loop (for natives).
    fn call_nested(
        &mut self,
        host: &mut dyn ScriptHost,
        f: Value,
        args: &[Value],
    ) -> R<Vec<Value>> {
        if self.nested >= MAX_NESTED {
            return Err(self.plain_error(b"C stack overflow"));
        }
        let fidx = self.scratch();
        self.ensure(fidx + 1 + args.len() + META_ROOM)?;
        self.put(fidx, f);
        for (i, &a) in args.iter().enumerate() {
            self.put(fidx + 1 + i, a);
        }
        let stop = self.frames.len();
        let saved_top = self.native_top;
        self.native_top = fidx + 1 + args.len();
        self.nested += 1;
        self.nested_ret.clear();
        let r = self
            .call_value(
                host,
                fidx,
                args.len(),
                fidx,
                None,
                Kind::Nested,
                None,
                false,
            )
            .and_then(|()| self.execute(host, stop));
        self.nested -= 1;
        self.native_top = saved_top;
        if let Err(e) = r {
            self.unwind_all(stop);
            return Err(e);
        }
        Ok(std::mem::take(&mut self.nested_ret))
    }

    // ---- coroutines ----

    /// A new suspended coroutine that will call `f`.
    pub(crate) fn new_coroutine(&mut self, f: Value) -> R<ThreadRef> {
        let t = self.heap.new_thread()?;
        self.heap.reserve_stack(t, 1)?;
        self.heap.thread_mut(t)?.stack.push(f);
        self.coroutines.insert(
            t,
            Coroutine {
                status: CoStatus::Suspended,
                frames: Vec::new(),
                open: Vec::new(),
                stack_bytes: 0,
                resume_to: None,
            },
        );
        Ok(t)
    }

    pub(crate) fn co_status(&self, t: ThreadRef) -> CoStatus {
        if t == self.current {
            return CoStatus::Running;
        }
        self.coroutines
            .get(&t)
            .map_or(CoStatus::Normal, |c| c.status)
    }

    /// Runs coroutine `co` until it yields, returns or fails: `Ok(Ok(v))`
    /// with the yielded or returned values, `Ok(Err(e))` with its error.
    fn resume(
        &mut self,
        host: &mut dyn ScriptHost,
        co: ThreadRef,
        args: &[Value],
    ) -> R<Result<Vec<Value>, Value>> {
        let name = match self.co_status(co) {
            CoStatus::Suspended => None,
            CoStatus::Dead => Some("dead"),
            CoStatus::Running => Some("running"),
            CoStatus::Normal => Some("normal"),
        };
        if let Some(name) = name {
            let msg = format!("cannot resume {name} coroutine");
            return Ok(Err(self.error_value(msg.into_bytes())));
        }
        if self.nested >= MAX_NESTED {
            return Err(self.plain_error(b"C stack overflow"));
        }
        let Some(mut c) = self.coroutines.remove(&co) else {
            return Ok(Err(
                self.error_value(b"cannot resume normal coroutine".to_vec())
            ));
        };
        // Switch stacks: the resumer's is parked in its thread, where its
        // open upvalues can still reach it.
        let resumer = self.current;
        let co_stack = std::mem::take(&mut self.heap.thread_mut(co)?.stack);
        let own = std::mem::replace(&mut self.stack, co_stack);
        if let Ok(th) = self.heap.thread_mut(resumer) {
            th.stack = own;
        }
        let initial_len = self.stack.len();
        let frames = std::mem::replace(&mut self.frames, std::mem::take(&mut c.frames));
        let open = std::mem::replace(&mut self.open, std::mem::take(&mut c.open));
        let saved = (self.top, self.native_top, self.co_depth);
        if let Some(prev) = self.coroutines.get_mut(&resumer) {
            prev.status = CoStatus::Normal;
        }
        self.current = co;
        self.top = 0;
        self.native_top = 0;
        self.nested += 1;
        self.co_depth = self.nested;
        let r = self.resume_inner(host, c.resume_to.take(), args);
        let outcome = match r {
            Ok(()) => {
                c.status = CoStatus::Dead;
                Ok(Ok(std::mem::take(&mut self.nested_ret)))
            }
            Err(Throw::Yield) => {
                c.status = CoStatus::Suspended;
                c.resume_to = self.yield_to.take();
                Ok(Ok(std::mem::take(&mut self.yielded)))
            }
            Err(e) => {
                c.status = CoStatus::Dead;
                self.unwind_all(0);
                match self.materialize(e) {
                    Some(v) => Ok(Err(v)),
                    None => Err(Throw::Kill),
                }
            }
        };
        // Switch back.
        self.nested -= 1;
        (self.top, self.native_top, self.co_depth) = saved;
        c.frames = std::mem::replace(&mut self.frames, frames);
        c.open = std::mem::replace(&mut self.open, open);
        c.stack_bytes +=
            self.stack.len().saturating_sub(initial_len) * std::mem::size_of::<Value>();
        let own = match self.heap.thread_mut(resumer) {
            Ok(th) => std::mem::take(&mut th.stack),
            Err(_) => Vec::new(),
        };
        let co_stack = std::mem::replace(&mut self.stack, own);
        if let Ok(th) = self.heap.thread_mut(co) {
            th.stack = co_stack;
        }
        self.current = resumer;
        if let Some(prev) = self.coroutines.get_mut(&resumer) {
            prev.status = CoStatus::Running;
        }
        self.coroutines.insert(co, c);
        outcome
    }

    fn resume_inner(
        &mut self,
        host: &mut dyn ScriptHost,
        to: Option<(Kind, usize, Option<usize>)>,
        args: &[Value],
    ) -> R<()> {
        let n = args.len();
        match to {
            None => {
                // The function waits in slot 0.
                self.ensure(1 + n)?;
                for (i, &a) in args.iter().enumerate() {
                    self.put(1 + i, a);
                }
                self.nested_ret.clear();
                self.call_value(host, 0, n, 0, None, Kind::Nested, None, false)?;
            }
            Some((kind, ret, want)) => {
                let at = self.scratch();
                self.ensure(at + n)?;
                for (i, &a) in args.iter().enumerate() {
                    self.put(at + i, a);
                }
                self.nested_ret.clear();
                self.deliver(kind, ret, want, at, n)?;
            }
        }
        self.execute(host, 0).map(|_| ())
    }

    /// Calls metamethod `h` with `args`, its first result going to `dst`
    /// as `kind` says.
    fn call_meta(
        &mut self,
        host: &mut dyn ScriptHost,
        h: Value,
        args: &[Value],
        dst: usize,
        kind: Kind,
    ) -> R<()> {
        let fidx = self.scratch();
        self.ensure(fidx + 1 + args.len())?;
        self.put(fidx, h);
        for (i, &a) in args.iter().enumerate() {
            self.put(fidx + 1 + i, a);
        }
        let want = if kind == Kind::Discard {
            Some(0)
        } else {
            Some(1)
        };
        self.call_value(host, fidx, args.len(), dst, want, kind, None, true)
    }

    // ---- metatables ----

    pub(crate) fn metatable(&self, v: Value) -> Option<TableRef> {
        match v {
            Value::Table(t) => self.heap.table(t).ok()?.metatable(),
            Value::Str(_) => self.string_meta,
            _ => None,
        }
    }

    pub(crate) fn event(&self, e: Event) -> Value {
        self.events
            .get(e as usize)
            .map_or(Value::Nil, |&s| Value::Str(s))
    }

    pub(crate) fn metamethod(&self, v: Value, e: Event) -> R<Value> {
        match self.metatable(v) {
            Some(mt) => Ok(self.heap.table(mt)?.get(self.event(e))),
            None => Ok(Value::Nil),
        }
    }

    /// `obj[key]` into stack slot `dst`, through `__index`.
    fn index(
        &mut self,
        host: &mut dyn ScriptHost,
        obj: Value,
        key: Value,
        dst: usize,
        reg: Option<Reg>,
    ) -> R<()> {
        let mut o = obj;
        for i in 0..MAX_TAG_LOOP {
            let h = if let Value::Table(t) = o {
                let tb = self.heap.table(t)?;
                let v = tb.get(key);
                if !v.is_nil() {
                    self.put(dst, v);
                    return Ok(());
                }
                let h = match tb.metatable() {
                    Some(mt) => self.heap.table(mt)?.get(self.event(Event::Index)),
                    None => Value::Nil,
                };
                if h.is_nil() {
                    self.put(dst, Value::Nil);
                    return Ok(());
                }
                h
            } else {
                let h = self.metamethod(o, Event::Index)?;
                if h.is_nil() {
                    return Err(self.op_error("index", o, reg.filter(|_| i == 0)));
                }
                h
            };
            if matches!(h, Value::Func(_) | Value::Native(_)) {
                return self.call_meta(host, h, &[o, key], dst, Kind::Normal);
            }
            o = h;
        }
        Err(self.rt_error(b"loop in gettable"))
    }

    /// `obj[key] = val` through `__newindex`.
    fn set_index(
        &mut self,
        host: &mut dyn ScriptHost,
        obj: Value,
        key: Value,
        val: Value,
        reg: Option<Reg>,
    ) -> R<()> {
        let mut o = obj;
        for i in 0..MAX_TAG_LOOP {
            let h = if let Value::Table(t) = o {
                let tb = self.heap.table(t)?;
                let h = match tb.metatable() {
                    Some(mt) if tb.get(key).is_nil() => {
                        self.heap.table(mt)?.get(self.event(Event::NewIndex))
                    }
                    _ => Value::Nil,
                };
                if h.is_nil() {
                    self.heap.set(t, key, val)?;
                    return Ok(());
                }
                h
            } else {
                let h = self.metamethod(o, Event::NewIndex)?;
                if h.is_nil() {
                    return Err(self.op_error("index", o, reg.filter(|_| i == 0)));
                }
                h
            };
            if matches!(h, Value::Func(_) | Value::Native(_)) {
                let dst = self.scratch();
                return self.call_meta(host, h, &[o, key, val], dst, Kind::Discard);
            }
            o = h;
        }
        Err(self.rt_error(b"loop in settable"))
    }

    pub(crate) fn to_number(&self, v: Value) -> Option<f64> {
        match v {
            Value::Num(x) => Some(x),
            Value::Str(s) => number::str_to_number(self.heap.str(s).ok()?),
            _ => None,
        }
    }

    fn arith(
        &mut self,
        host: &mut dyn ScriptHost,
        op: Arith,
        dst: usize,
        (x, rb): (Value, Reg),
        (y, rc): (Value, Reg),
    ) -> R<()> {
        if let (Some(a), Some(b)) = (self.to_number(x), self.to_number(y)) {
            let r = match op {
                Arith::Add => a + b,
                Arith::Sub => a - b,
                Arith::Mul => a * b,
                Arith::Div => a / b,
                Arith::Mod => a - (a / b).floor() * b,
                Arith::Pow => a.powf(b),
            };
            self.put(dst, Value::Num(x86_nan(r, a, b)));
            return Ok(());
        }
        let ev = match op {
            Arith::Add => Event::Add,
            Arith::Sub => Event::Sub,
            Arith::Mul => Event::Mul,
            Arith::Div => Event::Div,
            Arith::Mod => Event::Mod,
            Arith::Pow => Event::Pow,
        };
        self.binary_meta(host, ev, dst, (x, rb), (y, rc), "perform arithmetic on")
    }

    /// A binary metamethod from either operand, or the error naming the
    /// operand at fault (the first that is not a number for arithmetic).
    fn binary_meta(
        &mut self,
        host: &mut dyn ScriptHost,
        ev: Event,
        dst: usize,
        (x, rb): (Value, Reg),
        (y, rc): (Value, Reg),
        what: &str,
    ) -> R<()> {
        let mut h = self.metamethod(x, ev)?;
        if h.is_nil() {
            h = self.metamethod(y, ev)?;
        }
        if h.is_nil() {
            let x_ok = match ev {
                Event::Concat => matches!(x, Value::Str(_) | Value::Num(_)),
                _ => self.to_number(x).is_some(),
            };
            let (bad, reg) = if x_ok { (y, rc) } else { (x, rb) };
            return Err(self.op_error(what, bad, Some(reg)));
        }
        self.call_meta(host, h, &[x, y], dst, Kind::Normal)
    }

    pub(crate) fn tostring_raw(&mut self, v: Value) -> R<Option<StrRef>> {
        Ok(match v {
            Value::Str(s) => Some(s),
            Value::Num(x) => Some(self.heap.intern_number(x)?),
            _ => None,
        })
    }

    fn concat(
        &mut self,
        host: &mut dyn ScriptHost,
        dst: usize,
        (x, rb): (Value, Reg),
        (y, rc): (Value, Reg),
    ) -> R<()> {
        if let (Value::Str(_) | Value::Num(_), Value::Str(_) | Value::Num(_)) = (x, y) {
            if let (Some(a), Some(b)) = (self.tostring_raw(x)?, self.tostring_raw(y)?) {
                let s = self.heap.concat(&[a, b])?;
                let len = self.heap.str(s)?.len() as u64;
                self.budget = self.budget.saturating_sub(len / 64);
                self.put(dst, Value::Str(s));
                return Ok(());
            }
        }
        self.binary_meta(host, Event::Concat, dst, (x, rb), (y, rc), "concatenate")
    }

    /// The `__eq` both operands share, per 5.1.
    fn eq_meta(&self, x: Value, y: Value) -> R<Value> {
        let (Some(m1), Some(m2)) = (self.metatable(x), self.metatable(y)) else {
            return Ok(Value::Nil);
        };
        let h1 = self.heap.table(m1)?.get(self.event(Event::Eq));
        if h1.is_nil() || m1 == m2 {
            return Ok(h1);
        }
        let h2 = self.heap.table(m2)?.get(self.event(Event::Eq));
        Ok(if h1 == h2 { h1 } else { Value::Nil })
    }

    fn order_meta(&self, x: Value, y: Value, ev: Event) -> R<Value> {
        let h1 = self.metamethod(x, ev)?;
        if h1.is_nil() {
            return Ok(h1);
        }
        let h2 = self.metamethod(y, ev)?;
        Ok(if h1 == h2 { h1 } else { Value::Nil })
    }

    fn compare(
        &mut self,
        host: &mut dyn ScriptHost,
        op: Cmp,
        dst: usize,
        x: Value,
        y: Value,
    ) -> R<()> {
        let raw = match (op, x, y) {
            (Cmp::Eq | Cmp::Ne, _, _) => {
                if x == y {
                    Some(true)
                } else if let (Value::Table(_), Value::Table(_)) = (x, y) {
                    let h = self.eq_meta(x, y)?;
                    if !h.is_nil() {
                        return self.call_meta(host, h, &[x, y], dst, Kind::Bool(op == Cmp::Ne));
                    }
                    Some(false)
                } else {
                    Some(false)
                }
            }
            (Cmp::Lt, Value::Num(a), Value::Num(b)) => Some(a < b),
            (Cmp::Le, Value::Num(a), Value::Num(b)) => Some(a <= b),
            (Cmp::Lt | Cmp::Le, Value::Str(a), Value::Str(b)) => {
                let ord = self.heap.str(a)?.cmp(self.heap.str(b)?);
                Some(if op == Cmp::Lt {
                    ord.is_lt()
                } else {
                    ord.is_le()
                })
            }
            _ => None,
        };
        if let Some(r) = raw {
            self.put(dst, Value::Bool(r != (op == Cmp::Ne)));
            return Ok(());
        }
        if x.type_name() == y.type_name() {
            let ev = if op == Cmp::Lt { Event::Lt } else { Event::Le };
            let h = self.order_meta(x, y, ev)?;
            if !h.is_nil() {
                return self.call_meta(host, h, &[x, y], dst, Kind::Bool(false));
            }
            if op == Cmp::Le {
                // `a <= b` as `not (b < a)`.
                let h = self.order_meta(y, x, Event::Lt)?;
                if !h.is_nil() {
                    return self.call_meta(host, h, &[y, x], dst, Kind::Bool(true));
                }
            }
        }
        Err(self.order_error(x, y))
    }

    /// Constant `i` of the running function.
    fn konst(&self, i: u32) -> Value {
        self.frames
            .last()
            .and_then(|f| f.proto.consts.get(i as usize).copied())
            .unwrap_or(Value::Nil)
    }

    /// Moves the running frame's pc by `off` (the compiler's offsets stay
    /// inside the function; a bad one ends at "bad program counter").
    fn jump(&mut self, off: i32) {
        if let Some(f) = self.frames.last_mut() {
            f.pc = f.pc.saturating_add_signed(off as isize);
        }
    }

    fn step(&mut self, host: &mut dyn ScriptHost) -> R<()> {
        let Some(f) = self.frames.last_mut() else {
            return Ok(());
        };
        let Some(op) = f.proto.code.get(f.pc).copied() else {
            return Err(self.rt_error(b"bad program counter"));
        };
        f.pc += 1;
        let (base, func, nvarargs) = (f.base, f.func, f.nvarargs);
        let r = |i: Reg| base + usize::from(i);
        match op {
            Op::Move(a, b) => self.put(r(a), self.get(r(b))),
            Op::LoadK(a, i) => {
                let v = self.konst(i);
                self.put(r(a), v);
            }
            Op::LoadNil(a, n) => {
                for i in 0..n {
                    self.put(r(a) + usize::from(i), Value::Nil);
                }
            }
            Op::LoadBool(a, b) => self.put(r(a), Value::Bool(b)),
            Op::GetUpval(a, u) => {
                let cell = self.heap.func(func)?.upvals.get(usize::from(u)).copied();
                let v = match cell {
                    Some(c) => self.upval_get(c)?,
                    None => Value::Nil,
                };
                self.put(r(a), v);
            }
            Op::SetUpval(a, u) => {
                let cell = self.heap.func(func)?.upvals.get(usize::from(u)).copied();
                if let Some(c) = cell {
                    let v = self.get(r(a));
                    self.upval_set(c, v)?;
                }
            }
            Op::GetGlobal(a, i) => {
                let key = self.konst(i);
                self.index(host, Value::Table(self.globals), key, r(a), None)?;
            }
            Op::SetGlobal(a, i) => {
                let key = self.konst(i);
                let v = self.get(r(a));
                self.set_index(host, Value::Table(self.globals), key, v, None)?;
            }
            Op::GetTable(a, b, c) => {
                let (o, key) = (self.get(r(b)), self.get(r(c)));
                self.index(host, o, key, r(a), Some(b))?;
            }
            Op::GetField(a, b, i) => {
                let key = self.konst(i);
                let o = self.get(r(b));
                self.index(host, o, key, r(a), Some(b))?;
            }
            Op::SetTable(a, b, c) => {
                let (o, key, v) = (self.get(r(a)), self.get(r(b)), self.get(r(c)));
                self.set_index(host, o, key, v, Some(a))?;
            }
            Op::SetField(a, i, c) => {
                let key = self.konst(i);
                let (o, v) = (self.get(r(a)), self.get(r(c)));
                self.set_index(host, o, key, v, Some(a))?;
            }
            Op::NewTable(a, na, nh) => {
                let t = self.heap.new_table(na as usize, nh as usize)?;
                self.put(r(a), Value::Table(t));
            }
            Op::SelfOp(a, b, i) => {
                let key = self.konst(i);
                let o = self.get(r(b));
                self.put(r(a) + 1, o);
                self.index(host, o, key, r(a), Some(b))?;
            }
            Op::Arith(op, a, b, c) => {
                let (x, y) = (self.get(r(b)), self.get(r(c)));
                if let (Value::Num(p), Value::Num(q), Arith::Add) = (x, y, op) {
                    self.put(r(a), Value::Num(x86_nan(p + q, p, q)));
                } else {
                    self.arith(host, op, r(a), (x, b), (y, c))?;
                }
            }
            Op::Unm(a, b) => {
                let x = self.get(r(b));
                match self.to_number(x) {
                    Some(n) => self.put(r(a), Value::Num(-n)),
                    None => {
                        let h = self.metamethod(x, Event::Unm)?;
                        if h.is_nil() {
                            return Err(self.op_error("perform arithmetic on", x, Some(b)));
                        }
                        self.call_meta(host, h, &[x, x], r(a), Kind::Normal)?;
                    }
                }
            }
            Op::Not(a, b) => {
                let v = self.get(r(b));
                self.put(r(a), Value::Bool(!v.truthy()));
            }
            Op::Len(a, b) => {
                let x = self.get(r(b));
                match x {
                    Value::Str(s) => {
                        let n = self.heap.str(s)?.len();
                        self.put(r(a), Value::Num(n as f64));
                    }
                    Value::Table(t) => {
                        let n = self.heap.table(t)?.length();
                        self.put(r(a), Value::Num(n as f64));
                    }
                    _ => {
                        let h = self.metamethod(x, Event::Len)?;
                        if h.is_nil() {
                            return Err(self.op_error("get length of", x, Some(b)));
                        }
                        self.call_meta(host, h, &[x, Value::Nil], r(a), Kind::Normal)?;
                    }
                }
            }
            Op::Concat(a, b, c) => {
                let (x, y) = (self.get(r(b)), self.get(r(c)));
                self.concat(host, r(a), (x, b), (y, c))?;
            }
            Op::Compare(op, a, b, c) => {
                let (x, y) = (self.get(r(b)), self.get(r(c)));
                self.compare(host, op, r(a), x, y)?;
            }
            Op::Jmp(off) => self.jump(off),
            Op::Test(a, when, off) => {
                if self.get(r(a)).truthy() == when {
                    self.jump(off);
                }
            }
            Op::Call(a, b, c) => {
                let fidx = r(a);
                let nargs = if b == 0 {
                    self.top.saturating_sub(fidx + 1)
                } else {
                    usize::from(b) - 1
                };
                let want = (c != 0).then(|| usize::from(c) - 1);
                self.call_value(host, fidx, nargs, fidx, want, Kind::Normal, Some(a), true)?;
            }
            Op::TailCall(a, b) => {
                let fidx = r(a);
                let nargs = if b == 0 {
                    self.top.saturating_sub(fidx + 1)
                } else {
                    usize::from(b) - 1
                };
                if let Value::Func(g) = self.get(fidx) {
                    let Some(cur) = self.frames.pop() else {
                        return Ok(());
                    };
                    self.close(cur.base);
                    let dst = cur.func_slot;
                    self.copy(fidx, nargs + 1, dst)?;
                    self.push_lua(g, dst, nargs, cur.ret, cur.want, cur.kind)?;
                } else {
                    self.call_value(host, fidx, nargs, fidx, None, Kind::Normal, Some(a), true)?;
                }
            }
            Op::Return(a, b) => {
                let src = r(a);
                let n = if b == 0 {
                    self.top.saturating_sub(src)
                } else {
                    usize::from(b) - 1
                };
                if let Some(fr) = self.frames.pop() {
                    self.close(fr.base);
                    self.deliver(fr.kind, fr.ret, fr.want, src, n)?;
                }
            }
            Op::ForPrep(a, off) => {
                let init = self.to_number(self.get(r(a)));
                let limit = self.to_number(self.get(r(a) + 1));
                let step = self.to_number(self.get(r(a) + 2));
                let (init, limit, step) = match (init, limit, step) {
                    (None, _, _) => {
                        return Err(self.rt_error(b"'for' initial value must be a number"))
                    }
                    (_, None, _) => return Err(self.rt_error(b"'for' limit must be a number")),
                    (_, _, None) => return Err(self.rt_error(b"'for' step must be a number")),
                    (Some(i), Some(l), Some(s)) => (i, l, s),
                };
                self.put(r(a), Value::Num(init - step));
                self.put(r(a) + 1, Value::Num(limit));
                self.put(r(a) + 2, Value::Num(step));
                self.jump(off);
            }
            Op::ForLoop(a, off) => {
                if let (Value::Num(i), Value::Num(l), Value::Num(s)) =
                    (self.get(r(a)), self.get(r(a) + 1), self.get(r(a) + 2))
                {
                    let i = i + s;
                    if (s > 0.0 && i <= l) || (s <= 0.0 && l <= i) {
                        self.put(r(a), Value::Num(i));
                        self.put(r(a) + 3, Value::Num(i));
                        self.jump(off);
                    }
                }
            }
            Op::TForCall(a, n) => {
                let cb = r(a) + 3;
                self.ensure(cb + 3)?;
                self.copy(r(a), 3, cb)?;
                self.call_value(
                    host,
                    cb,
                    2,
                    cb,
                    Some(usize::from(n)),
                    Kind::Normal,
                    None,
                    true,
                )?;
            }
            Op::TForLoop(a, off) => {
                let v = self.get(r(a) + 3);
                if !v.is_nil() {
                    self.put(r(a) + 2, v);
                    self.jump(off);
                }
            }
            Op::Closure(a, i) => {
                let p = self
                    .frames
                    .last()
                    .and_then(|f| f.proto.protos.get(i as usize).cloned());
                let Some(p) = p else {
                    return Err(self.rt_error(b"bad prototype"));
                };
                let mut cells = Vec::with_capacity(p.upvals.len());
                for src in &p.upvals {
                    let cell = match *src {
                        crate::ast::UpvalueSource::Local { slot, .. } => {
                            self.find_upval(base + usize::from(slot))?
                        }
                        crate::ast::UpvalueSource::Upvalue(j) => {
                            match self.heap.func(func)?.upvals.get(usize::from(j)) {
                                Some(&c) => c,
                                None => return Err(self.rt_error(b"bad upvalue")),
                            }
                        }
                    };
                    cells.push(cell);
                }
                let c = self.heap.new_func(p, &cells, self.globals)?;
                self.put(r(a), Value::Func(c));
            }
            Op::Close(a) => self.close(r(a)),
            Op::VarArg(a, b) => {
                let nv = nvarargs;
                let n = if b == 0 { nv } else { usize::from(b) - 1 };
                self.ensure(r(a) + n)?;
                for i in 0..n {
                    let v = if i < nv {
                        self.get(base - nv + i)
                    } else {
                        Value::Nil
                    };
                    self.put(r(a) + i, v);
                }
                if b == 0 {
                    self.top = r(a) + n;
                }
            }
            Op::SetList(a, b, start) => {
                let n = if b == 0 {
                    self.top.saturating_sub(r(a) + 1)
                } else {
                    usize::from(b) - 1
                };
                if let Value::Table(t) = self.get(r(a)) {
                    let first = start as usize;
                    let last = first.saturating_sub(1) + n;
                    if last > self.heap.table(t)?.array_size() {
                        self.heap.resize_array(t, last)?;
                    }
                    for i in (0..n).rev() {
                        let v = self.get(r(a) + 1 + i);
                        self.heap.set_int(t, (first + i) as i64, v)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// What a native sees of the VM while it runs.
pub struct Ctx<'a> {
    pub vm: &'a mut Vm,
    pub host: &'a mut dyn ScriptHost,
    native: NativeRef,
    /// The caller's register holding the function, for its name.
    reg: Option<Reg>,
    /// Called by a Lua function (errors then carry its position).
    from_lua: bool,
}

impl Ctx<'_> {
    pub fn heap(&mut self) -> &mut Heap<Proto> {
        &mut self.vm.heap
    }

    /// The native's own upvalue `i` (given at creation).
    pub fn upvalue(&self, i: usize) -> Value {
        self.vm
            .heap
            .native(self.native)
            .ok()
            .and_then(|n| n.upvals.get(i).copied())
            .unwrap_or(Value::Nil)
    }

    /// Sets the native's own upvalue `i` (iterator state).
    pub fn set_upvalue(&mut self, i: usize, v: Value) -> R<()> {
        if let Some(slot) = self.vm.heap.native_mut(self.native)?.upvals.get_mut(i) {
            *slot = v;
        }
        Ok(())
    }

    /// How much work a native may still do in one go: the rest of the
    /// slice plus the overdraft. Charge what was used with
    /// [`Ctx::charge`]; needing more should stop the script
    /// ([`Throw::Kill`]), since a native cannot pause.
    pub fn allowance(&self) -> u64 {
        self.vm.budget.saturating_add(self.vm.overdraft)
    }

    /// Asks for a full collection before the next instruction (natives
    /// cannot collect: the values they hold are not roots).
    pub fn request_collection(&mut self) {
        self.vm.gc_requested = true;
    }

    /// Charges `n` instructions of work about to be done, or stops the
    /// script ([`Throw::Kill`]) if that is more than [`Ctx::allowance`].
    pub fn spend(&mut self, n: u64) -> R<()> {
        if n > self.allowance() {
            return Err(Throw::Kill);
        }
        self.charge(n);
        Ok(())
    }

    /// Charges `n` instructions of work to the budget.
    pub fn charge(&mut self, n: u64) {
        let from_budget = n.min(self.vm.budget);
        self.vm.budget -= from_budget;
        self.vm.overdraft = self.vm.overdraft.saturating_sub(n - from_budget);
    }

    /// `chunk:line: ` of the Lua function `level` levels up (1 = the
    /// caller of this native), or nothing for a native level.
    pub fn position(&self, level: usize) -> Vec<u8> {
        self.frame_index(level)
            .map_or_else(Vec::new, |i| self.vm.position(i))
    }

    /// The chunk name (as positions show it, `user_script`) and current
    /// line of the Lua function `level` levels up, as [`Ctx::position`]
    /// finds it.
    pub fn location(&self, level: usize) -> Option<(&[u8], u32)> {
        let f = self.vm.frames.get(self.frame_index(level)?)?;
        Some((&f.proto.chunk, f.line()))
    }

    fn frame_index(&self, level: usize) -> Option<usize> {
        if level == 0 || !self.from_lua {
            return None;
        }
        let mut i = self.vm.frames.len().checked_sub(1)?;
        for _ in 1..level {
            match self.vm.frames.get(i) {
                Some(f) if f.kind.called_by_lua() && i > 0 => i -= 1,
                _ => return None,
            }
        }
        Some(i)
    }

    /// An error with the caller's position (`luaL_error`).
    pub fn error(&mut self, msg: impl AsRef<[u8]>) -> Throw {
        let mut out = self.position(1);
        out.extend_from_slice(msg.as_ref());
        Throw::Error(self.vm.error_value(out))
    }

    /// A string value.
    pub fn string(&mut self, s: impl AsRef<[u8]>) -> R<Value> {
        Ok(Value::Str(self.vm.heap.intern(s.as_ref())?))
    }

    /// The name 5.1 gives the running native at its call site, and
    /// whether it was called as a method.
    fn name(&self) -> (Vec<u8>, bool) {
        let hint = self.reg.filter(|_| self.from_lua).and_then(|r| {
            let f = self.vm.frames.last()?;
            f.proto.hint(f.pc.checked_sub(1)?, r)
        });
        match hint {
            Some(h) => (h.name.to_vec(), h.kind == compile::NameKind::Method),
            None => (b"?".to_vec(), false),
        }
    }

    /// `bad argument #n to 'name' (msg)` (`luaL_argerror`).
    pub fn arg_error(&mut self, n: usize, msg: &str) -> Throw {
        let (name, method) = self.name();
        let mut out = Vec::new();
        let n = if method { n.saturating_sub(1) } else { n };
        if method && n == 0 {
            out.extend_from_slice(b"calling '");
            out.extend_from_slice(&name);
            out.extend_from_slice(format!("' on bad self ({msg})").as_bytes());
        } else {
            out.extend_from_slice(format!("bad argument #{n} to '").as_bytes());
            out.extend_from_slice(&name);
            out.extend_from_slice(format!("' ({msg})").as_bytes());
        }
        self.error(out)
    }

    /// `X expected, got Y` for argument `n` (1-based).
    pub fn type_error(&mut self, args: &[Value], n: usize, expected: &str) -> Throw {
        let got = args
            .get(n.wrapping_sub(1))
            .map_or("no value", |v| v.type_name());
        self.arg_error(n, &format!("{expected} expected, got {got}"))
    }

    pub fn check_any(&mut self, args: &[Value], n: usize) -> R<Value> {
        match args.get(n.wrapping_sub(1)) {
            Some(&v) => Ok(v),
            None => Err(self.arg_error(n, "value expected")),
        }
    }

    pub fn check_table(&mut self, args: &[Value], n: usize) -> R<TableRef> {
        match args.get(n.wrapping_sub(1)) {
            Some(&Value::Table(t)) => Ok(t),
            _ => Err(self.type_error(args, n, "table")),
        }
    }

    pub fn check_number(&mut self, args: &[Value], n: usize) -> R<f64> {
        match args
            .get(n.wrapping_sub(1))
            .and_then(|&v| self.vm.to_number(v))
        {
            Some(x) => Ok(x),
            None => Err(self.type_error(args, n, "number")),
        }
    }

    /// `luaL_checkinteger`: the number truncated.
    pub fn check_int(&mut self, args: &[Value], n: usize) -> R<i64> {
        self.check_number(args, n).map(number::to_integer)
    }

    pub fn opt_int(&mut self, args: &[Value], n: usize, default: i64) -> R<i64> {
        match args.get(n.wrapping_sub(1)) {
            None | Some(Value::Nil) => Ok(default),
            _ => self.check_int(args, n),
        }
    }

    /// A string argument; numbers are converted, as `luaL_checklstring`.
    pub fn check_str(&mut self, args: &[Value], n: usize) -> R<StrRef> {
        match args.get(n.wrapping_sub(1)) {
            Some(&Value::Str(s)) => Ok(s),
            Some(&Value::Num(x)) => Ok(self.vm.heap.intern_number(x)?),
            _ => Err(self.type_error(args, n, "string")),
        }
    }

    /// Calls `f(args)` to completion (nested, unpausable, metered).
    pub fn call(&mut self, f: Value, args: &[Value]) -> R<Vec<Value>> {
        self.vm.call_nested(self.host, f, args)
    }

    /// `tostring(v)` as a string: `__tostring`'s answer must be a string
    /// or a number.
    pub fn tostring(&mut self, v: Value) -> R<StrRef> {
        match self.tostring_value(v)? {
            Value::Str(s) => Ok(s),
            Value::Num(x) => Ok(self.vm.heap.intern_number(x)?),
            _ => Err(self.error("'tostring' must return a string")),
        }
    }

    /// `tostring(v)` as the base library answers it: whatever
    /// `__tostring` returns, else the value's text.
    pub fn tostring_value(&mut self, v: Value) -> R<Value> {
        let h = self.vm.metamethod(v, Event::ToString)?;
        if !h.is_nil() {
            let r = self.call(h, &[v])?;
            return Ok(r.first().copied().unwrap_or(Value::Nil));
        }
        self.tostring_plain(v).map(Value::Str)
    }

    /// The text of `v` without metamethods.
    fn tostring_plain(&mut self, v: Value) -> R<StrRef> {
        if let Some(s) = self.vm.tostring_raw(v)? {
            return Ok(s);
        }
        let text = match v {
            Value::Nil => "nil".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Table(t) => format!("table: 0x{:08x}", t.index()),
            Value::Func(f) => format!("function: 0x{:08x}", f.index()),
            // Natives and closures live in different arenas: keep their
            // "addresses" apart.
            Value::Native(n) => format!("function: 0x{:08x}", n.index() | 0x8000_0000),
            Value::Thread(t) => format!("thread: 0x{:08x}", t.index()),
            // glibc's `%p` spells the null pointer (`cjson.null`) "(nil)".
            Value::LightUserdata(0) => "userdata: (nil)".to_string(),
            Value::LightUserdata(u) => format!("userdata: 0x{u:08x}"),
            Value::Str(_) | Value::Num(_) => String::new(),
        };
        Ok(self.vm.heap.intern(text.as_bytes())?)
    }

    /// Resumes coroutine `co` (see `coroutine.resume`).
    pub fn resume(&mut self, co: ThreadRef, args: &[Value]) -> R<Result<Vec<Value>, Value>> {
        self.vm.resume(self.host, co, args)
    }

    /// Suspends the running coroutine with `values` (the native returns
    /// the error this gives).
    pub fn yield_values(&mut self, values: &[Value]) -> Throw {
        // As in 5.1, a native between the yield and the coroutine's start
        // (the main chunk's caller, `pcall`, a callback) forbids it.
        let vm = &self.vm;
        let across =
            vm.nested != vm.co_depth || vm.frames.iter().any(|f| matches!(f.kind, Kind::Pcall(_)));
        if vm.current == vm.thread || across {
            return self
                .vm
                .plain_error(b"attempt to yield across metamethod/C-call boundary");
        }
        self.vm.yielded = values.to_vec();
        Throw::Yield
    }

    /// The running coroutine, or `None` on the main thread.
    pub fn running(&self) -> Option<ThreadRef> {
        (self.vm.current != self.vm.thread).then_some(self.vm.current)
    }

    pub fn new_coroutine(&mut self, f: Value) -> R<ThreadRef> {
        self.vm.new_coroutine(f)
    }

    pub fn co_status(&self, t: ThreadRef) -> CoStatus {
        self.vm.co_status(t)
    }

    /// Compiles `source` as `loadstring` does (one C call deep).
    pub fn load(&mut self, source: &[u8], chunk_name: &[u8]) -> Result<Value, Vec<u8>> {
        self.vm.load_nested(source, chunk_name, 1 + self.vm.nested)
    }

    pub fn metatable(&self, v: Value) -> Option<TableRef> {
        self.vm.metatable(v)
    }

    pub fn metamethod(&self, v: Value, e: Event) -> R<Value> {
        self.vm.metamethod(v, e)
    }
}
