//! Lua values as the VM moves them around: a 16-byte `Copy` enum whose
//! garbage-collected variants are handles into the [`Heap`](crate::heap::Heap)
//! arenas (slot index plus generation), so no value owns memory and a stale
//! handle is detected instead of reading a reused slot.
//!
//! Equality (`==`, derived) is Lua's raw equality: numbers by value (so
//! `NaN ~= NaN` and `0 == -0`), strings by handle, which is by content
//! because the heap interns every string, other objects by identity.

use std::marker::PhantomData;

/// A handle to a heap object of kind `K` (one of the marker types below):
/// the object's slot in its arena and the slot's generation when the object
/// was made. Handles of freed objects no longer match their slot, and the
/// heap answers [`Error::StaleHandle`](crate::heap::Error::StaleHandle).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Ref<K> {
    pub(crate) index: u32,
    pub(crate) gen: u32,
    kind: PhantomData<K>,
}

// Written out because derive would require `K: Clone`/`K: Copy` of the
// uninhabited marker types, which is pointless.
impl<K> Clone for Ref<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Ref<K> {}

impl<K> Ref<K> {
    pub(crate) fn new(index: u32, gen: u32) -> Self {
        Ref {
            index,
            gen,
            kind: PhantomData,
        }
    }

    /// The arena slot: unique among live objects of this kind, so it can
    /// stand in for the address 5.1 prints (`table: 0x...`).
    pub fn index(self) -> u32 {
        self.index
    }
}

/// Marker for [`TableRef`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum TableKind {}
/// Marker for [`FuncRef`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum FuncKind {}
/// Marker for [`NativeRef`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum NativeKind {}
/// Marker for [`ThreadRef`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum ThreadKind {}
/// Marker for [`UpvalRef`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum UpvalKind {}

/// A table ([`Table`](crate::table::Table)).
pub type TableRef = Ref<TableKind>;
/// A Lua closure ([`LuaFunction`](crate::heap::LuaFunction)).
pub type FuncRef = Ref<FuncKind>;
/// A Rust function value ([`Native`](crate::heap::Native)).
pub type NativeRef = Ref<NativeKind>;
/// A coroutine ([`Thread`](crate::heap::Thread)).
pub type ThreadRef = Ref<ThreadKind>;
/// An upvalue cell ([`Upval`](crate::heap::Upval)); not a first-class value.
pub type UpvalRef = Ref<UpvalKind>;

/// A handle to an interned string. It carries the string's Lua 5.1 hash so
/// tables can place string keys without reaching into the heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StrRef {
    pub(crate) index: u32,
    pub(crate) gen: u32,
    pub(crate) hash: u32,
}

impl StrRef {
    /// The arena slot, as for [`Ref::index`].
    pub fn index(self) -> u32 {
        self.index
    }

    /// `luaS_hash` of the string's bytes ([`lua_hash`]).
    pub fn hash(self) -> u32 {
        self.hash
    }
}

/// A Lua value. 16 bytes, `Copy`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Num(f64),
    Str(StrRef),
    Table(TableRef),
    /// A Lua closure.
    Func(FuncRef),
    /// A function implemented in Rust.
    Native(NativeRef),
    Thread(ThreadRef),
    /// An opaque non-collected value of type `userdata`, compared and hashed
    /// by its number, like 5.1's light userdata (`cjson.null` is the one
    /// holding 0, as Redis pushes a NULL pointer).
    LightUserdata(u32),
}

// The layout the VM's registers and tables rely on, on every target.
const _: () = assert!(std::mem::size_of::<Value>() == 16);

impl Value {
    /// What `type(v)` answers.
    pub fn type_name(self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "boolean",
            Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::Table(_) => "table",
            Value::Func(_) | Value::Native(_) => "function",
            Value::Thread(_) => "thread",
            Value::LightUserdata(_) => "userdata",
        }
    }

    pub fn is_nil(self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Lua truth: everything but `nil` and `false`.
    pub fn truthy(self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }
}

/// Lua 5.1's string hash (`luaS_hash`): seeded with the length, it mixes in
/// at most about 32 bytes, taken from the end backwards with a step of
/// `len / 32 + 1`. Tables place string keys with it, so matching it is what
/// makes `pairs` visit string keys in 5.1's order.
pub fn lua_hash(s: &[u8]) -> u32 {
    let len = s.len();
    let step = (len >> 5) + 1;
    // 5.1 seeds with the length cast to `unsigned int`.
    let seed = len as u32;
    s.iter()
        .rev()
        .step_by(step)
        .take(len / step)
        .fold(seed, |h, &b| {
            h ^ (h << 5).wrapping_add(h >> 2).wrapping_add(u32::from(b))
        })
}

/// The `i32` a number key stands for when it is integral and fits, which
/// is when 5.1 looks it up as an integer (array part first); `-0` is 0.
pub(crate) fn int_key(n: f64) -> Option<i32> {
    // Comparing with the bounds first keeps `as` away from its saturating
    // cases; NaN and infinities fail the range test.
    if (-2_147_483_648.0..=2_147_483_647.0).contains(&n) && n.fract() == 0.0 {
        Some(n as i32)
    } else {
        None
    }
}
