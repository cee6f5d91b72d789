//! The value types a key can hold. Each type lives in its own file as its
//! commands land; `Value` is what the keyspace stores.

pub mod hash;
pub mod hll;
pub mod limits;
pub mod list;
pub mod set;
pub mod stream;
pub mod string;
pub mod zset;

pub use hash::Hash;
pub use limits::EncodingLimits;
pub use list::List;
pub use set::Set;
pub use stream::Stream;
pub use string::RString;
pub use zset::ZSet;

/// A stored value. The collections are boxed: inline, the largest made
/// every value (and so every key's slot, strings included) 136 bytes, which
/// for a million small strings was most of the memory they took.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(RString),
    List(Box<List>),
    Hash(Box<Hash>),
    Set(Box<Set>),
    ZSet(Box<ZSet>),
    Stream(Box<Stream>),
}

impl Value {
    /// The name TYPE reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// What OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::String(s) => s.encoding(),
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::Stream(_) => "stream",
        }
    }
}

/// Borrowing a stored value as one type: how each command family asks for
/// "its" type and gets WRONGTYPE for the others.
pub trait Typed: Sized {
    fn cast(value: &mut Value) -> Option<&mut Self>;

    /// Whether the value is an empty collection, which Redis never keeps.
    fn is_empty_collection(&self) -> bool {
        false
    }
}

macro_rules! typed {
    ($type:ty, $variant:ident) => {
        impl Typed for $type {
            fn cast(value: &mut Value) -> Option<&mut Self> {
                match value {
                    Value::$variant(inner) => Some(inner),
                    _ => None,
                }
            }
        }
    };
    ($type:ty, $variant:ident, collection) => {
        impl Typed for $type {
            fn cast(value: &mut Value) -> Option<&mut Self> {
                match value {
                    Value::$variant(inner) => Some(inner),
                    _ => None,
                }
            }

            fn is_empty_collection(&self) -> bool {
                self.is_empty()
            }
        }
    };
}

typed!(RString, String);
typed!(List, List, collection);
typed!(Hash, Hash, collection);
typed!(Set, Set, collection);
typed!(ZSet, ZSet, collection);
typed!(Stream, Stream);
