//! The arena that owns every garbage-collected object (strings, tables,
//! closures, natives, upvalue cells, threads), its memory accounting, and
//! its mark & sweep collector.
//!
//! - **Handles.** Each kind of object lives in its own arena of slots; a
//!   [`Value`] holds a slot index plus the slot's generation, so a handle
//!   that outlived its object is reported ([`Error::StaleHandle`]) rather
//!   than aliasing whatever reused the slot.
//! - **Strings** are immutable byte strings, all interned (one object per
//!   content), so string equality and table-key comparison are handle
//!   comparisons. The intern table uses its own full-content hash; the
//!   Lua 5.1 hash that tables use is cached in the handle.
//! - **Accounting.** Everything that allocates on behalf of a script first
//!   asks the heap to reserve it; past the cap the request fails with
//!   [`Error::NoMemory`] ("not enough memory") and nothing is allocated, so
//!   `s = s .. s` stops cleanly instead of aborting a wasm instance. Vectors
//!   are grown with `try_reserve` so even a refused system allocation is
//!   that same error.
//! - **Collection** runs only when the VM calls [`Heap::collect`] at a safe
//!   point (between instructions, once [`Heap::should_collect`] says the
//!   allocation debt is due), with every value it holds outside the heap as
//!   a root. Marking uses an explicit gray stack, so a chain of a million
//!   tables does not touch the Rust stack's depth.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use crate::number;
use crate::table::Table;
use crate::value::{
    lua_hash, FuncRef, NativeRef, Ref, StrRef, TableRef, ThreadRef, UpvalRef, Value,
};

/// Why a heap or table operation failed. [`Error::message`] is the text
/// Lua 5.1 (or Redis, for read-only tables) raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The memory cap would be exceeded, or the system refused memory.
    NoMemory,
    /// `t[nil] = v`.
    IndexNil,
    /// `t[0/0] = v`.
    IndexNaN,
    /// `next(t, k)` with a `k` that is not in `t`.
    InvalidNextKey,
    /// A write to a table marked read-only.
    ReadOnly,
    /// A hash part beyond 2^26 nodes.
    TableOverflow,
    /// A handle to an object that was collected: a VM bug (a value held
    /// outside the roots during [`Heap::collect`]).
    StaleHandle,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::NoMemory => "not enough memory",
            Error::IndexNil => "table index is nil",
            Error::IndexNaN => "table index is NaN",
            Error::InvalidNextKey => "invalid key to 'next'",
            Error::ReadOnly => "Attempt to modify a readonly table",
            Error::TableOverflow => "table overflow",
            Error::StaleHandle => "invalid object handle",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

/// The bytes in use and the cap. Lives beside the arenas so table code can
/// charge it while the heap lends out the table.
#[derive(Debug)]
pub(crate) struct Memory {
    used: usize,
    limit: usize,
}

impl Memory {
    /// Counts `bytes` as in use, or fails without counting them if that
    /// would pass the cap. Call before allocating.
    pub(crate) fn reserve(&mut self, bytes: usize) -> Result<(), Error> {
        match self.used.checked_add(bytes) {
            Some(total) if total <= self.limit => {
                self.used = total;
                Ok(())
            }
            _ => Err(Error::NoMemory),
        }
    }

    pub(crate) fn release(&mut self, bytes: usize) {
        self.used = self.used.saturating_sub(bytes);
    }

    fn check(&self, bytes: usize) -> Result<(), Error> {
        match self.used.checked_add(bytes) {
            Some(total) if total <= self.limit => Ok(()),
            _ => Err(Error::NoMemory),
        }
    }
}

/// Implemented by the VM's function prototype type so the collector can
/// reach the values a prototype keeps alive (its constants, and those of
/// the prototypes nested in it, since their closures may not exist yet).
/// Prototypes are immutable and acyclic, so closures share them through an
/// `Rc` and they are freed with their last closure; their own memory is
/// the compiler's to bound (source size), not counted here.
pub trait Trace {
    /// Calls `mark` on every value the prototype references.
    fn trace(&self, mark: &mut dyn FnMut(Value));
}

/// For a heap that holds no Lua closures (tests, tools).
impl Trace for () {
    fn trace(&self, _mark: &mut dyn FnMut(Value)) {}
}

/// An interned string.
#[derive(Debug)]
struct LuaStr {
    bytes: Box<[u8]>,
    /// `lua_hash(bytes)`, copied into every handle.
    hash: u32,
    /// The intern table's hash of the whole content.
    full_hash: u64,
    /// Next string in the same intern bucket.
    chain: u32,
}

/// A Lua closure: a prototype shared with the other closures made from
/// it, its upvalue cells, and its environment table (`getfenv`/`setfenv`).
#[derive(Debug)]
pub struct LuaFunction<P> {
    pub proto: Rc<P>,
    pub upvals: Box<[UpvalRef]>,
    pub env: TableRef,
}

/// A Rust function value: `id` says which builtin (an index into the VM's
/// registry of natives), `upvals` are values it was created with.
#[derive(Debug)]
pub struct Native {
    pub id: u32,
    pub upvals: Box<[Value]>,
}

/// An upvalue cell, shared by the closures that captured the variable.
/// While the variable's frame is live the cell points into that thread's
/// stack; when the frame ends the VM closes it over the value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Upval {
    Open { thread: ThreadRef, slot: u32 },
    Closed(Value),
}

/// A coroutine's state. A placeholder for the VM to extend: whatever it
/// adds that holds values must be added to the tracing in
/// `Objects::propagate`, and growth must be charged as `stack`'s is.
#[derive(Debug, Default)]
pub struct Thread {
    /// The value stack. Grow it through [`Heap::reserve_stack`] so that the
    /// memory is counted; pushing within the reserved capacity is free.
    pub stack: Vec<Value>,
    /// Bytes counted for `stack`'s capacity.
    charged: usize,
}

/// What an object costs in the accounting beyond its slot.
trait Footprint {
    fn bytes(&self) -> usize;
}

impl Footprint for LuaStr {
    fn bytes(&self) -> usize {
        self.bytes.len()
    }
}

impl Footprint for Table {
    fn bytes(&self) -> usize {
        self.charged()
    }
}

impl<P> Footprint for LuaFunction<P> {
    fn bytes(&self) -> usize {
        std::mem::size_of_val(&*self.upvals)
    }
}

impl Footprint for Native {
    fn bytes(&self) -> usize {
        std::mem::size_of_val(&*self.upvals)
    }
}

impl Footprint for Upval {
    fn bytes(&self) -> usize {
        0
    }
}

impl Footprint for Thread {
    fn bytes(&self) -> usize {
        self.charged
    }
}

const NONE: u32 = u32::MAX;

struct Slot<T> {
    gen: u32,
    /// A `Cell` so marking can run while the object graph is borrowed
    /// shared (tracing a table reads it while marking its children).
    mark: Cell<bool>,
    /// Next free slot while this one is free.
    next_free: u32,
    obj: Option<T>,
}

/// The slots of one kind of object, with a free list threaded through them.
/// Slots are never given back (a freed one is reused), so their memory is
/// counted when the vector grows and stays counted.
struct Arena<T> {
    slots: Vec<Slot<T>>,
    free: u32,
    live: usize,
}

impl<T: Footprint> Arena<T> {
    fn new() -> Self {
        Arena {
            slots: Vec::new(),
            free: NONE,
            live: 0,
        }
    }

    /// Makes sure [`Arena::insert`] will not need to allocate.
    fn make_room(&mut self, mem: &mut Memory) -> Result<(), Error> {
        if self.free != NONE || self.slots.len() < self.slots.capacity() {
            return Ok(());
        }
        let len = self.slots.len();
        let extra = len.max(8);
        if len.saturating_add(extra) >= NONE as usize {
            return Err(Error::NoMemory);
        }
        let bytes = extra.saturating_mul(std::mem::size_of::<Slot<T>>());
        mem.reserve(bytes)?;
        if self.slots.try_reserve_exact(extra).is_err() {
            mem.release(bytes);
            return Err(Error::NoMemory);
        }
        Ok(())
    }

    /// Stores `obj`; call [`Arena::make_room`] first.
    fn insert(&mut self, obj: T) -> Result<(u32, u32), Error> {
        self.live += 1;
        if let Some(slot) = self.slots.get_mut(self.free as usize) {
            let index = self.free;
            self.free = slot.next_free;
            slot.obj = Some(obj);
            return Ok((index, slot.gen));
        }
        if self.slots.len() == self.slots.capacity() {
            // make_room was not called: refuse rather than grow uncounted.
            self.live -= 1;
            return Err(Error::NoMemory);
        }
        let index = self.slots.len() as u32;
        self.slots.push(Slot {
            gen: 0,
            mark: Cell::new(false),
            next_free: NONE,
            obj: Some(obj),
        });
        Ok((index, 0))
    }

    fn slot(&self, index: u32, gen: u32) -> Option<&Slot<T>> {
        self.slots.get(index as usize).filter(|s| s.gen == gen)
    }

    fn get(&self, index: u32, gen: u32) -> Result<&T, Error> {
        self.slot(index, gen)
            .and_then(|s| s.obj.as_ref())
            .ok_or(Error::StaleHandle)
    }

    fn get_mut(&mut self, index: u32, gen: u32) -> Result<&mut T, Error> {
        self.slots
            .get_mut(index as usize)
            .filter(|s| s.gen == gen)
            .and_then(|s| s.obj.as_mut())
            .ok_or(Error::StaleHandle)
    }

    /// The live object in slot `index`, for the collector's gray stack
    /// (whose entries were validated when they were marked).
    fn at(&self, index: u32) -> Option<&T> {
        self.slots.get(index as usize).and_then(|s| s.obj.as_ref())
    }

    /// Marks the object; true if it was not marked yet.
    fn mark(&self, index: u32, gen: u32) -> bool {
        match self.slot(index, gen) {
            Some(slot) if slot.obj.is_some() && !slot.mark.get() => {
                slot.mark.set(true);
                true
            }
            _ => false,
        }
    }

    /// Frees the unmarked objects and unmarks the rest.
    fn sweep(&mut self, mem: &mut Memory) {
        for (index, slot) in self.slots.iter_mut().enumerate() {
            if slot.mark.replace(false) {
                continue;
            }
            if let Some(obj) = slot.obj.take() {
                mem.release(obj.bytes());
                slot.gen = slot.gen.wrapping_add(1);
                slot.next_free = self.free;
                self.free = index as u32;
                self.live -= 1;
            }
        }
    }
}

/// A collector work item: a marked object whose references are not yet
/// marked. Strings have none, so they never enter the stack.
#[derive(Clone, Copy)]
enum Gray {
    Table(u32),
    Func(u32),
    Native(u32),
    Upval(u32),
    Thread(u32),
}

/// All the arenas plus the intern table (buckets of string slot indices,
/// chained through `LuaStr::chain`).
struct Objects<P> {
    strings: Arena<LuaStr>,
    buckets: Vec<u32>,
    tables: Arena<Table>,
    funcs: Arena<LuaFunction<P>>,
    natives: Arena<Native>,
    upvals: Arena<Upval>,
    threads: Arena<Thread>,
}

impl<P: Trace> Objects<P> {
    fn mark_value(&self, gray: &mut Vec<Gray>, v: Value) {
        match v {
            Value::Str(s) => {
                self.strings.mark(s.index, s.gen);
            }
            Value::Table(t) => {
                if self.tables.mark(t.index, t.gen) {
                    gray.push(Gray::Table(t.index));
                }
            }
            Value::Func(f) => {
                if self.funcs.mark(f.index, f.gen) {
                    gray.push(Gray::Func(f.index));
                }
            }
            Value::Native(n) => {
                if self.natives.mark(n.index, n.gen) {
                    gray.push(Gray::Native(n.index));
                }
            }
            Value::Thread(t) => {
                if self.threads.mark(t.index, t.gen) {
                    gray.push(Gray::Thread(t.index));
                }
            }
            Value::Nil | Value::Bool(_) | Value::Num(_) | Value::LightUserdata(_) => {}
        }
    }

    fn mark_upval(&self, gray: &mut Vec<Gray>, u: UpvalRef) {
        if self.upvals.mark(u.index, u.gen) {
            gray.push(Gray::Upval(u.index));
        }
    }

    /// Marks everything reachable from the gray stack, iteratively.
    fn propagate(&self, gray: &mut Vec<Gray>) {
        while let Some(item) = gray.pop() {
            match item {
                Gray::Table(i) => {
                    if let Some(t) = self.tables.at(i) {
                        t.trace(|v| self.mark_value(gray, v));
                    }
                }
                Gray::Func(i) => {
                    if let Some(f) = self.funcs.at(i) {
                        f.proto.trace(&mut |v| self.mark_value(gray, v));
                        for &u in f.upvals.iter() {
                            self.mark_upval(gray, u);
                        }
                        self.mark_value(gray, Value::Table(f.env));
                    }
                }
                Gray::Native(i) => {
                    if let Some(n) = self.natives.at(i) {
                        for &v in n.upvals.iter() {
                            self.mark_value(gray, v);
                        }
                    }
                }
                Gray::Upval(i) => match self.upvals.at(i) {
                    Some(&Upval::Open { thread, .. }) => {
                        self.mark_value(gray, Value::Thread(thread));
                    }
                    Some(&Upval::Closed(v)) => self.mark_value(gray, v),
                    None => {}
                },
                Gray::Thread(i) => {
                    if let Some(t) = self.threads.at(i) {
                        for &v in &t.stack {
                            self.mark_value(gray, v);
                        }
                    }
                }
            }
        }
    }

    fn sweep(&mut self, mem: &mut Memory) {
        self.strings.sweep(mem);
        self.tables.sweep(mem);
        self.funcs.sweep(mem);
        self.natives.sweep(mem);
        self.upvals.sweep(mem);
        self.threads.sweep(mem);
        self.rebuild_buckets();
    }

    /// Relinks every live string into the buckets (after a sweep or when the
    /// bucket vector was resized).
    fn rebuild_buckets(&mut self) {
        let mask = self.buckets.len().wrapping_sub(1);
        self.buckets.iter_mut().for_each(|b| *b = NONE);
        for (index, slot) in self.strings.slots.iter_mut().enumerate() {
            if let Some(s) = slot.obj.as_mut() {
                if let Some(head) = self.buckets.get_mut(s.full_hash as usize & mask) {
                    s.chain = *head;
                    *head = index as u32;
                }
            }
        }
    }

    /// The interned string with these bytes, if any.
    fn find_string(&self, bytes: &[u8], full_hash: u64) -> Option<StrRef> {
        let mask = self.buckets.len().checked_sub(1)?;
        let mut index = *self.buckets.get(full_hash as usize & mask)?;
        while let Some(slot) = self.strings.slots.get(index as usize) {
            let s = slot.obj.as_ref()?;
            if s.full_hash == full_hash && *s.bytes == *bytes {
                return Some(StrRef {
                    index,
                    gen: slot.gen,
                    hash: s.hash,
                });
            }
            index = s.chain;
        }
        None
    }
}

/// The intern table's hash: every byte counts (unlike `luaS_hash`, which
/// samples long strings and would let a script pile equal-length strings
/// into one bucket).
fn full_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word.iter_mut().zip(chunk).for_each(|(w, &b)| *w = b);
        h = (h ^ u64::from_le_bytes(word))
            .wrapping_mul(K)
            .rotate_left(31);
    }
    // Final avalanche (the MurmurHash3 finaliser) so the low bits that pick
    // the bucket depend on all of them.
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// The least allocation between two collections, so small heaps do not
/// collect constantly.
const MIN_GC_STEP: usize = 256 * 1024;

/// The garbage-collected heap. `P` is the VM's function prototype type.
pub struct Heap<P> {
    objs: Objects<P>,
    mem: Memory,
    gray: Vec<Gray>,
    /// `should_collect` turns true once `mem.used` reaches this.
    threshold: usize,
}

impl<P: Trace> Heap<P> {
    /// An empty heap that refuses to hold more than `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Heap {
            objs: Objects {
                strings: Arena::new(),
                buckets: Vec::new(),
                tables: Arena::new(),
                funcs: Arena::new(),
                natives: Arena::new(),
                upvals: Arena::new(),
                threads: Arena::new(),
            },
            mem: Memory { used: 0, limit },
            gray: Vec::new(),
            threshold: MIN_GC_STEP,
        }
    }

    // ---- accounting ----

    /// Approximate bytes held by objects and arena slots.
    pub fn bytes_used(&self) -> usize {
        self.mem.used
    }

    pub fn limit(&self) -> usize {
        self.mem.limit
    }

    /// Changes the cap; lowering it below [`Heap::bytes_used`] only makes
    /// further reservations fail.
    pub fn set_limit(&mut self, limit: usize) {
        self.mem.limit = limit;
    }

    /// Counts `bytes` as in use before the VM allocates something it owns
    /// itself (frames, buffers that live past one call). Fails, counting
    /// nothing, past the cap. Pair with [`Heap::release`].
    pub fn reserve(&mut self, bytes: usize) -> Result<(), Error> {
        self.mem.reserve(bytes)
    }

    /// Gives back bytes counted with [`Heap::reserve`].
    pub fn release(&mut self, bytes: usize) {
        self.mem.release(bytes);
    }

    /// Whether `bytes` more would fit, without counting them: for a
    /// temporary buffer that is about to become a string (`string.rep`,
    /// `table.concat`, `string.format` check before growing theirs, then
    /// hand it to [`Heap::intern_vec`]).
    pub fn check(&self, bytes: usize) -> Result<(), Error> {
        self.mem.check(bytes)
    }

    /// Live objects of every kind, for tests and statistics.
    pub fn object_count(&self) -> usize {
        let o = &self.objs;
        o.strings.live
            + o.tables.live
            + o.funcs.live
            + o.natives.live
            + o.upvals.live
            + o.threads.live
    }

    // ---- collection ----

    /// True once enough has been allocated since the last collection that
    /// the VM should call [`Heap::collect`] at its next safe point.
    pub fn should_collect(&self) -> bool {
        self.mem.used >= self.threshold
    }

    /// A full mark & sweep. `roots` must yield every value the VM holds
    /// outside heap objects: the main thread (or its stack values), the
    /// globals and registry tables, cached script functions, the string
    /// metatable, values in Rust locals of the instruction being run, and
    /// the constants of a compiled prototype not yet wrapped in a closure.
    /// Any object not reachable from them is freed, and its handles go
    /// stale. The gray stack (one entry per object at most) is reused
    /// between collections and not counted.
    pub fn collect<I: IntoIterator<Item = Value>>(&mut self, roots: I) {
        for v in roots {
            self.objs.mark_value(&mut self.gray, v);
        }
        self.objs.propagate(&mut self.gray);
        self.objs.sweep(&mut self.mem);
        // Collect again after the heap has grown by as much as it holds
        // now (5.1's default pause of 200%), but sooner when that would
        // pass the cap: garbage should not be what makes a script fail.
        let used = self.mem.used;
        let headroom = self.mem.limit.saturating_sub(used);
        let step = used.min(headroom / 2).max(MIN_GC_STEP);
        self.threshold = used.saturating_add(step);
    }

    // ---- strings ----

    /// The string with these bytes, made if it does not exist yet.
    pub fn intern(&mut self, bytes: &[u8]) -> Result<StrRef, Error> {
        let h = full_hash(bytes);
        if let Some(s) = self.objs.find_string(bytes, h) {
            return Ok(s);
        }
        self.check(bytes.len())?;
        let mut owned = Vec::new();
        owned
            .try_reserve_exact(bytes.len())
            .map_err(|_| Error::NoMemory)?;
        owned.extend_from_slice(bytes);
        self.insert_string(owned, h)
    }

    /// Like [`Heap::intern`], taking a buffer the caller built (after
    /// [`Heap::check`]ing its size); it becomes the string without a copy.
    pub fn intern_vec(&mut self, bytes: Vec<u8>) -> Result<StrRef, Error> {
        let h = full_hash(&bytes);
        if let Some(s) = self.objs.find_string(&bytes, h) {
            return Ok(s);
        }
        self.insert_string(bytes, h)
    }

    /// `tostring(x)` of a number as a string object (`%.14g`).
    pub fn intern_number(&mut self, x: f64) -> Result<StrRef, Error> {
        let mut out = Vec::new();
        number::write_number(&mut out, x);
        self.intern_vec(out)
    }

    /// The concatenation of `parts` (what `..` makes once the VM has turned
    /// numbers into strings). The total size is checked before anything is
    /// allocated.
    pub fn concat(&mut self, parts: &[StrRef]) -> Result<StrRef, Error> {
        let mut total = 0usize;
        for &p in parts {
            total = total
                .checked_add(self.str(p)?.len())
                .ok_or(Error::NoMemory)?;
        }
        self.check(total)?;
        let mut out = Vec::new();
        out.try_reserve_exact(total).map_err(|_| Error::NoMemory)?;
        for &p in parts {
            out.extend_from_slice(self.str(p)?);
        }
        self.intern_vec(out)
    }

    fn insert_string(&mut self, bytes: Vec<u8>, full_hash: u64) -> Result<StrRef, Error> {
        self.grow_buckets()?;
        self.objs.strings.make_room(&mut self.mem)?;
        self.mem.reserve(bytes.len())?;
        let hash = lua_hash(&bytes);
        let mask = self.objs.buckets.len().wrapping_sub(1);
        let bucket = full_hash as usize & mask;
        let chain = self.objs.buckets.get(bucket).copied().unwrap_or(NONE);
        let obj = LuaStr {
            bytes: bytes.into_boxed_slice(),
            hash,
            full_hash,
            chain,
        };
        let len = obj.bytes.len();
        let (index, gen) = self.objs.strings.insert(obj).inspect_err(|_| {
            self.mem.release(len);
        })?;
        if let Some(head) = self.objs.buckets.get_mut(bucket) {
            *head = index;
        }
        Ok(StrRef { index, gen, hash })
    }

    /// Doubles the intern table when it holds as many strings as buckets.
    fn grow_buckets(&mut self) -> Result<(), Error> {
        let len = self.objs.buckets.len();
        if self.objs.strings.live < len {
            return Ok(());
        }
        let new_len = (len * 2).max(64);
        let bytes = (new_len - len) * std::mem::size_of::<u32>();
        self.mem.reserve(bytes)?;
        if self.objs.buckets.try_reserve_exact(new_len - len).is_err() {
            self.mem.release(bytes);
            return Err(Error::NoMemory);
        }
        self.objs.buckets.resize(new_len, NONE);
        self.objs.rebuild_buckets();
        Ok(())
    }

    /// The bytes of a string.
    pub fn str(&self, s: StrRef) -> Result<&[u8], Error> {
        self.objs.strings.get(s.index, s.gen).map(|s| &*s.bytes)
    }

    // ---- tables ----

    /// A table with room for `narray` array slots and `nhash` hash nodes
    /// (rounded up to a power of two), like `lua_createtable`. A
    /// constructor `{...}` passes its item counts rounded as 5.1's
    /// `OP_NEWTABLE` encodes them: see [`crate::table::ctor_size`].
    pub fn new_table(&mut self, narray: usize, nhash: usize) -> Result<TableRef, Error> {
        self.objs.tables.make_room(&mut self.mem)?;
        let t = Table::new(narray, nhash, &mut self.mem)?;
        let charged = t.charged();
        let (index, gen) = self.objs.tables.insert(t).inspect_err(|_| {
            self.mem.release(charged);
        })?;
        Ok(Ref::new(index, gen))
    }

    /// Read access to a table: `get`, `get_int`, `length`, `next`,
    /// `metatable`, `is_readonly`.
    pub fn table(&self, t: TableRef) -> Result<&Table, Error> {
        self.objs.tables.get(t.index, t.gen)
    }

    /// `rawset(t, key, val)`, with 5.1's side effects on the layout: an
    /// absent key gets a node even when `val` is nil (which is also how the
    /// VM should leave the table before calling `__newindex`), and a full
    /// hash part is rebuilt with the array part resized. Errors: nil or
    /// NaN key, read-only table, memory.
    pub fn set(&mut self, t: TableRef, key: Value, val: Value) -> Result<(), Error> {
        self.objs
            .tables
            .get_mut(t.index, t.gen)?
            .set(key, val, &mut self.mem)
    }

    /// `rawseti(t, i, val)`.
    pub fn set_int(&mut self, t: TableRef, i: i64, val: Value) -> Result<(), Error> {
        self.set(t, Value::Num(i as f64), val)
    }

    /// Grows the array part to `n` slots if it is smaller, as `OP_SETLIST`
    /// does before storing a constructor's items from a multiple-result call.
    pub fn resize_array(&mut self, t: TableRef, n: usize) -> Result<(), Error> {
        self.objs
            .tables
            .get_mut(t.index, t.gen)?
            .grow_array(n, &mut self.mem)
    }

    /// `setmetatable(t, meta)` (no `__metatable` check: that is the
    /// library's). Refused on a read-only table, as Redis does.
    pub fn set_metatable(&mut self, t: TableRef, meta: Option<TableRef>) -> Result<(), Error> {
        self.objs
            .tables
            .get_mut(t.index, t.gen)?
            .set_metatable(meta)
    }

    /// Marks a table read-only (or writable again): every write through
    /// [`Heap::set`], [`Heap::resize_array`] and [`Heap::set_metatable`]
    /// then fails with [`Error::ReadOnly`].
    pub fn set_readonly(&mut self, t: TableRef, readonly: bool) -> Result<(), Error> {
        self.objs.tables.get_mut(t.index, t.gen)?.readonly = readonly;
        Ok(())
    }

    // ---- functions, upvalues, threads ----

    /// A Lua closure over `proto` with the given upvalue cells.
    pub fn new_func(
        &mut self,
        proto: Rc<P>,
        upvals: &[UpvalRef],
        env: TableRef,
    ) -> Result<FuncRef, Error> {
        self.objs.funcs.make_room(&mut self.mem)?;
        let upvals = self.boxed(upvals)?;
        let f = LuaFunction { proto, upvals, env };
        let bytes = f.bytes();
        let (index, gen) = self.objs.funcs.insert(f).inspect_err(|_| {
            self.mem.release(bytes);
        })?;
        Ok(Ref::new(index, gen))
    }

    pub fn func(&self, f: FuncRef) -> Result<&LuaFunction<P>, Error> {
        self.objs.funcs.get(f.index, f.gen)
    }

    /// For `setfenv` and storing into upvalue slots; sizes cannot change.
    pub fn func_mut(&mut self, f: FuncRef) -> Result<&mut LuaFunction<P>, Error> {
        self.objs.funcs.get_mut(f.index, f.gen)
    }

    /// A native function value for builtin `id`, with upvalues.
    pub fn new_native(&mut self, id: u32, upvals: &[Value]) -> Result<NativeRef, Error> {
        self.objs.natives.make_room(&mut self.mem)?;
        let upvals = self.boxed(upvals)?;
        let n = Native { id, upvals };
        let bytes = n.bytes();
        let (index, gen) = self.objs.natives.insert(n).inspect_err(|_| {
            self.mem.release(bytes);
        })?;
        Ok(Ref::new(index, gen))
    }

    pub fn native(&self, n: NativeRef) -> Result<&Native, Error> {
        self.objs.natives.get(n.index, n.gen)
    }

    pub fn native_mut(&mut self, n: NativeRef) -> Result<&mut Native, Error> {
        self.objs.natives.get_mut(n.index, n.gen)
    }

    pub fn new_upval(&mut self, u: Upval) -> Result<UpvalRef, Error> {
        self.objs.upvals.make_room(&mut self.mem)?;
        let (index, gen) = self.objs.upvals.insert(u)?;
        Ok(Ref::new(index, gen))
    }

    pub fn upval(&self, u: UpvalRef) -> Result<&Upval, Error> {
        self.objs.upvals.get(u.index, u.gen)
    }

    /// To write through a closed cell, or to close an open one.
    pub fn upval_mut(&mut self, u: UpvalRef) -> Result<&mut Upval, Error> {
        self.objs.upvals.get_mut(u.index, u.gen)
    }

    /// A thread with an empty stack.
    pub fn new_thread(&mut self) -> Result<ThreadRef, Error> {
        self.objs.threads.make_room(&mut self.mem)?;
        let (index, gen) = self.objs.threads.insert(Thread::default())?;
        Ok(Ref::new(index, gen))
    }

    pub fn thread(&self, t: ThreadRef) -> Result<&Thread, Error> {
        self.objs.threads.get(t.index, t.gen)
    }

    pub fn thread_mut(&mut self, t: ThreadRef) -> Result<&mut Thread, Error> {
        self.objs.threads.get_mut(t.index, t.gen)
    }

    /// Ensures room for `additional` more values on the thread's stack,
    /// counting the growth (at least doubling, to keep it amortised).
    pub fn reserve_stack(&mut self, t: ThreadRef, additional: usize) -> Result<(), Error> {
        let th = self.objs.threads.get_mut(t.index, t.gen)?;
        let cap = th.stack.capacity();
        let needed = th
            .stack
            .len()
            .checked_add(additional)
            .ok_or(Error::NoMemory)?;
        if needed <= cap {
            return Ok(());
        }
        let new_cap = needed.max(cap.saturating_mul(2));
        let bytes = (new_cap - cap)
            .checked_mul(std::mem::size_of::<Value>())
            .ok_or(Error::NoMemory)?;
        self.mem.reserve(bytes)?;
        if th
            .stack
            .try_reserve_exact(new_cap - th.stack.len())
            .is_err()
        {
            self.mem.release(bytes);
            return Err(Error::NoMemory);
        }
        th.charged += bytes;
        Ok(())
    }

    /// Copies `items` into a counted boxed slice.
    fn boxed<T: Copy>(&mut self, items: &[T]) -> Result<Box<[T]>, Error> {
        let bytes = std::mem::size_of_val(items);
        self.mem.reserve(bytes)?;
        let mut v = Vec::new();
        if v.try_reserve_exact(items.len()).is_err() {
            self.mem.release(bytes);
            return Err(Error::NoMemory);
        }
        v.extend_from_slice(items);
        Ok(v.into_boxed_slice())
    }
}
