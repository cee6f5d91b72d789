//! `cjson`, the lua_cjson 2.1.0 library Redis bundles: JSON encoding and
//! decoding with its output format (`%.14g` numbers, `\/` escapes, empty
//! tables as `{}`), array detection, configuration functions and error
//! messages. Both directions keep their nesting on an explicit stack, so
//! the depth limits (1000 by default, up to `INT_MAX` if a script raises
//! them) cost heap, never Rust stack.

use crate::compile::Proto;
use crate::heap::{self, Heap};
use crate::number::{self, FloatStyle, Spec};
use crate::value::{StrRef, TableRef, Value};
use crate::vm::{Ctx, NativeFn, Ret, Throw, Vm};

type R<T> = Result<T, Throw>;

/// `cjson.null`: the light userdata holding a NULL pointer.
pub const NULL: Value = Value::LightUserdata(0);

/// Slots of the configuration table every cjson function holds as its
/// upvalue (settings persist in the VM, as in Redis's single Lua state).
#[derive(Clone, Copy)]
enum Cfg {
    SparseConvert = 1,
    SparseRatio,
    SparseSafe,
    EncodeMaxDepth,
    DecodeMaxDepth,
    Precision,
    /// 0 off (error), 1 on (`inf`/`nan`), 2 `null`.
    EncodeInvalid,
    DecodeInvalid,
    KeepBuffer,
}

const DEFAULTS: [(Cfg, f64); 9] = [
    (Cfg::SparseConvert, 0.0),
    (Cfg::SparseRatio, 2.0),
    (Cfg::SparseSafe, 10.0),
    (Cfg::EncodeMaxDepth, 1000.0),
    (Cfg::DecodeMaxDepth, 1000.0),
    (Cfg::Precision, 14.0),
    (Cfg::EncodeInvalid, 0.0),
    (Cfg::DecodeInvalid, 1.0),
    (Cfg::KeepBuffer, 1.0),
];

/// The module's functions, registered once; every module table (the
/// global and each `cjson.new()`) holds its own natives with these ids and
/// its own configuration.
const FNS: [(&str, NativeFn); 10] = [
    ("encode", encode),
    ("decode", decode),
    ("encode_sparse_array", encode_sparse_array),
    ("encode_max_depth", |c, a| {
        int_option(c, a, Cfg::EncodeMaxDepth, 1, i32::MAX)
    }),
    ("decode_max_depth", |c, a| {
        int_option(c, a, Cfg::DecodeMaxDepth, 1, i32::MAX)
    }),
    ("encode_number_precision", |c, a| {
        int_option(c, a, Cfg::Precision, 1, 14)
    }),
    ("encode_keep_buffer", |c, a| {
        bool_option(c, a, Cfg::KeepBuffer)
    }),
    ("encode_invalid_numbers", encode_invalid_numbers),
    ("decode_invalid_numbers", |c, a| {
        bool_option(c, a, Cfg::DecodeInvalid)
    }),
    ("new", new),
];

pub fn open(vm: &mut Vm) -> Result<(), heap::Error> {
    // The registered natives by name, kept out of reach of scripts.
    let proto = vm.heap.new_table(0, FNS.len())?;
    for (name, f) in FNS {
        let v = vm.register(f)?;
        vm.set_field(proto, name.as_bytes(), v)?;
    }
    let t = module(&mut vm.heap, proto)?;
    let g = vm.globals;
    vm.set_field(g, b"cjson", Value::Table(t))
}

/// A module table with a fresh configuration: the functions (upvalues:
/// the configuration, then `proto` for `new`), `null`, `_NAME`, `_VERSION`.
fn module(heap: &mut Heap<Proto>, proto: TableRef) -> Result<TableRef, heap::Error> {
    let cfg = heap.new_table(DEFAULTS.len(), 0)?;
    for (slot, v) in DEFAULTS {
        heap.set_int(cfg, slot as i64, Value::Num(v))?;
    }
    let t = heap.new_table(0, FNS.len() + 3)?;
    let upvals = [Value::Table(cfg), Value::Table(proto)];
    for (name, _) in FNS {
        let key = Value::Str(heap.intern(name.as_bytes())?);
        let Value::Native(n) = heap.table(proto)?.get(key) else {
            return Err(heap::Error::StaleHandle);
        };
        let id = heap.native(n)?.id;
        let f = heap.new_native(id, &upvals)?;
        heap.set(t, key, Value::Native(f))?;
    }
    let fields = [
        (&b"null"[..], NULL),
        (b"_NAME", Value::Str(heap.intern(b"cjson")?)),
        (b"_VERSION", Value::Str(heap.intern(b"2.1.0")?)),
    ];
    for (name, v) in fields {
        let key = Value::Str(heap.intern(name)?);
        heap.set(t, key, v)?;
    }
    Ok(t)
}

/// `cjson.new()`: another module whose settings are independent.
fn new(ctx: &mut Ctx, _args: &[Value]) -> R<Ret> {
    let Value::Table(proto) = ctx.upvalue(1) else {
        return Err(ctx.error("cjson: missing module"));
    };
    let t = module(ctx.heap(), proto)?;
    Ok(Ret::Values(vec![Value::Table(t)]))
}

fn config(ctx: &mut Ctx) -> R<(TableRef, [i64; 10])> {
    let Value::Table(t) = ctx.upvalue(0) else {
        return Err(ctx.error("cjson: missing configuration"));
    };
    let mut values = [0i64; 10];
    let table = ctx.heap().table(t)?;
    for (i, v) in values.iter_mut().enumerate() {
        if let Value::Num(x) = table.get_int(i as i64) {
            *v = x as i64;
        }
    }
    Ok((t, values))
}

fn get(values: &[i64; 10], slot: Cfg) -> i64 {
    values.get(slot as usize).copied().unwrap_or(0)
}

fn set(ctx: &mut Ctx, t: TableRef, slot: Cfg, v: i64) -> R<()> {
    Ok(ctx.heap().set_int(t, slot as i64, Value::Num(v as f64))?)
}

/// lua_cjson's check that a configuration function got at most `n`
/// arguments.
fn max_args(ctx: &mut Ctx, args: &[Value], n: usize) -> R<()> {
    if args.len() > n {
        return Err(ctx.arg_error(n + 1, "found too many arguments"));
    }
    Ok(())
}

/// Sets an integer setting from argument `n` when given (the range error
/// always names argument 1, as lua_cjson does); answers the setting.
fn set_int_arg(ctx: &mut Ctx, args: &[Value], n: usize, slot: Cfg, lo: i32, hi: i32) -> R<i64> {
    let (t, values) = config(ctx)?;
    if args.get(n - 1).is_some_and(|v| !v.is_nil()) {
        // luaL_checkinteger, then stored in a C int.
        let v = i64::from(ctx.check_int(args, n)? as i32);
        if v < i64::from(lo) || v > i64::from(hi) {
            let msg = format!("expected integer between {lo} and {hi}");
            return Err(ctx.arg_error(1, &msg));
        }
        set(ctx, t, slot, v)?;
        return Ok(v);
    }
    Ok(get(&values, slot))
}

/// Sets an option from argument `n` when given: a boolean, or one of
/// `names` by index; answers the setting as a boolean when it is 0 or 1,
/// else by name.
fn set_enum_arg(ctx: &mut Ctx, args: &[Value], n: usize, slot: Cfg, names: &[&str]) -> R<Value> {
    let (t, values) = config(ctx)?;
    let mut setting = get(&values, slot);
    match args.get(n - 1).copied() {
        None | Some(Value::Nil) => {}
        Some(Value::Bool(b)) => setting = i64::from(b),
        Some(_) => {
            let s = ctx.check_str(args, n)?;
            let given = ctx.heap().str(s)?.to_vec();
            match names.iter().position(|o| o.as_bytes() == given) {
                Some(i) => setting = i as i64,
                None => {
                    let msg = format!("invalid option '{}'", String::from_utf8_lossy(&given));
                    return Err(ctx.arg_error(n, &msg));
                }
            }
        }
    }
    set(ctx, t, slot, setting)?;
    Ok(match setting {
        0 | 1 => Value::Bool(setting == 1),
        _ => {
            let name = names.get(setting as usize).copied().unwrap_or("");
            ctx.string(name)?
        }
    })
}

const ON_OFF: [&str; 2] = ["off", "on"];

fn int_option(ctx: &mut Ctx, args: &[Value], slot: Cfg, lo: i32, hi: i32) -> R<Ret> {
    max_args(ctx, args, 1)?;
    let v = set_int_arg(ctx, args, 1, slot, lo, hi)?;
    Ok(Ret::Values(vec![Value::Num(v as f64)]))
}

fn bool_option(ctx: &mut Ctx, args: &[Value], slot: Cfg) -> R<Ret> {
    max_args(ctx, args, 1)?;
    let v = set_enum_arg(ctx, args, 1, slot, &ON_OFF)?;
    Ok(Ret::Values(vec![v]))
}

fn encode_invalid_numbers(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    max_args(ctx, args, 1)?;
    let v = set_enum_arg(ctx, args, 1, Cfg::EncodeInvalid, &["off", "on", "null"])?;
    Ok(Ret::Values(vec![v]))
}

/// `encode_sparse_array([convert [, ratio [, safe]]])`.
fn encode_sparse_array(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    max_args(ctx, args, 3)?;
    let convert = set_enum_arg(ctx, args, 1, Cfg::SparseConvert, &ON_OFF)?;
    let ratio = set_int_arg(ctx, args, 2, Cfg::SparseRatio, 0, i32::MAX)?;
    let safe = set_int_arg(ctx, args, 3, Cfg::SparseSafe, 0, i32::MAX)?;
    Ok(Ret::Values(vec![
        convert,
        Value::Num(ratio as f64),
        Value::Num(safe as f64),
    ]))
}

// ---------------------------------------------------------------- encode

/// A table being written: an array by index, or an object by `next` key.
enum Open {
    Array { t: TableRef, next: i64, len: i64 },
    Object { t: TableRef, key: Value },
}

struct Encoder {
    out: Vec<u8>,
    stack: Vec<Open>,
    precision: usize,
    invalid: i64,
    max_depth: i64,
    sparse_convert: bool,
    sparse_ratio: i64,
    sparse_safe: i64,
}

/// Why encoding stopped: a message for `luaL_error`, or a heap failure.
enum Fail {
    Msg(String),
    Heap(heap::Error),
}

impl From<heap::Error> for Fail {
    fn from(e: heap::Error) -> Self {
        Fail::Heap(e)
    }
}

fn cannot(v: Value, why: &str) -> Fail {
    Fail::Msg(format!("Cannot serialise {}: {why}", v.type_name()))
}

fn encode(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    if args.len() != 1 {
        return Err(ctx.arg_error(1, "expected 1 argument"));
    }
    let (_, cfg) = config(ctx)?;
    let mut enc = Encoder {
        out: Vec::new(),
        stack: Vec::new(),
        precision: get(&cfg, Cfg::Precision).clamp(1, 14) as usize,
        invalid: get(&cfg, Cfg::EncodeInvalid),
        max_depth: get(&cfg, Cfg::EncodeMaxDepth),
        sparse_convert: get(&cfg, Cfg::SparseConvert) != 0,
        sparse_ratio: get(&cfg, Cfg::SparseRatio),
        sparse_safe: get(&cfg, Cfg::SparseSafe),
    };
    let result = enc.run(ctx, args.first().copied().unwrap_or(Value::Nil));
    // One unit per output byte and per table entry visited (counted as
    // they are written), whether or not it finished.
    ctx.charge(enc.out.len() as u64);
    match result {
        Ok(()) => {
            let s = ctx.heap().intern_vec(enc.out)?;
            Ok(Ret::Values(vec![Value::Str(s)]))
        }
        Err(Fail::Msg(m)) => Err(ctx.error(m)),
        Err(Fail::Heap(e)) => Err(Throw::Heap(e)),
    }
}

impl Encoder {
    fn run(&mut self, ctx: &mut Ctx, v: Value) -> Result<(), Fail> {
        self.value(ctx, v)?;
        while let Some(top) = self.stack.last_mut() {
            ctx.charge(1);
            // The buffer becomes a string: keep it within the heap's cap
            // (the stack of open tables is bounded by the depth limit).
            ctx.heap().check(self.out.len())?;
            match top {
                Open::Array { t, next, len } => {
                    if *next > *len {
                        self.out.push(b']');
                        self.stack.pop();
                        continue;
                    }
                    let (t, i) = (*t, *next);
                    *next += 1;
                    if i > 1 {
                        self.out.push(b',');
                    }
                    let v = ctx.heap().table(t)?.get_int(i);
                    self.value(ctx, v)?;
                }
                Open::Object { t, key } => {
                    let first = key.is_nil();
                    let t = *t;
                    let Some((k, v)) = ctx.heap().table(t)?.next(*key)? else {
                        self.out.push(b'}');
                        self.stack.pop();
                        continue;
                    };
                    *key = k;
                    if !first {
                        self.out.push(b',');
                    }
                    match k {
                        Value::Num(x) => {
                            self.out.push(b'"');
                            self.number(x)?;
                            self.out.extend_from_slice(b"\":");
                        }
                        Value::Str(s) => {
                            self.string(ctx.heap().str(s)?);
                            self.out.push(b':');
                        }
                        _ => return Err(cannot(k, "table key must be a number or string")),
                    }
                    self.value(ctx, v)?;
                }
            }
        }
        Ok(())
    }

    /// Writes a scalar, or opens a table (pushed for [`Encoder::run`]).
    fn value(&mut self, ctx: &mut Ctx, v: Value) -> Result<(), Fail> {
        match v {
            Value::Nil | NULL => self.out.extend_from_slice(b"null"),
            Value::Bool(true) => self.out.extend_from_slice(b"true"),
            Value::Bool(false) => self.out.extend_from_slice(b"false"),
            Value::Num(x) => self.number(x)?,
            Value::Str(s) => {
                let heap = ctx.heap();
                let bytes = heap.str(s)?;
                // Escaping at most sextuples the text.
                heap.check(self.out.len().saturating_add(bytes.len().saturating_mul(6)))?;
                self.string(bytes);
            }
            Value::Table(t) => {
                let depth = self.stack.len() as i64 + 1;
                if depth > self.max_depth {
                    return Err(Fail::Msg(format!(
                        "Cannot serialise, excessive nesting ({depth})"
                    )));
                }
                // A script may raise the limit: count the open tables
                // against the heap's cap.
                ctx.heap()
                    .check(self.stack.len() * std::mem::size_of::<Open>())?;
                match self.array_length(ctx, t)? {
                    Some(len) if len > 0 => {
                        self.out.push(b'[');
                        self.stack.push(Open::Array { t, next: 1, len });
                    }
                    _ => {
                        self.out.push(b'{');
                        self.stack.push(Open::Object { t, key: Value::Nil });
                    }
                }
            }
            _ => return Err(cannot(v, "type not supported")),
        }
        Ok(())
    }

    /// lua_cjson's array test: `Some(max)` when every key is a positive
    /// integer (max is what C's `int` assignment keeps: out-of-range keys
    /// give `INT_MIN`, which makes the table an object), `None` for an
    /// object; a too sparse array is an error unless converting.
    fn array_length(&self, ctx: &mut Ctx, t: TableRef) -> Result<Option<i64>, Fail> {
        let mut max: i32 = 0;
        let mut items: i64 = 0;
        let mut key = Value::Nil;
        while let Some((k, _)) = ctx.heap().table(t)?.next(key)? {
            ctx.charge(1);
            key = k;
            match k {
                Value::Num(x) if x.floor() == x && x >= 1.0 => {
                    if x > f64::from(max) {
                        max = if x < 2_147_483_648.0 {
                            x as i32
                        } else {
                            i32::MIN
                        };
                    }
                    items += 1;
                }
                _ => return Ok(None),
            }
        }
        let max = i64::from(max);
        if self.sparse_ratio > 0 && max > items * self.sparse_ratio && max > self.sparse_safe {
            if !self.sparse_convert {
                return Err(cannot(Value::Table(t), "excessively sparse array"));
            }
            return Ok(None);
        }
        Ok(Some(max))
    }

    fn number(&mut self, x: f64) -> Result<(), Fail> {
        if !x.is_finite() {
            match self.invalid {
                0 => return Err(cannot(Value::Num(x), "must not be NaN or Inf")),
                // Spelled out: printf would give "-nan" for some NaNs.
                1 if x.is_nan() => {
                    self.out.extend_from_slice(b"nan");
                    return Ok(());
                }
                1 => {}
                _ => {
                    self.out.extend_from_slice(b"null");
                    return Ok(());
                }
            }
        }
        let spec = Spec {
            precision: Some(self.precision),
            ..Spec::default()
        };
        number::write_float(&mut self.out, x, FloatStyle::General, false, &spec);
        Ok(())
    }

    fn string(&mut self, s: &[u8]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.out.push(b'"');
        for &b in s {
            match b {
                b'"' => self.out.extend_from_slice(b"\\\""),
                b'\\' => self.out.extend_from_slice(b"\\\\"),
                b'/' => self.out.extend_from_slice(b"\\/"),
                b'\n' => self.out.extend_from_slice(b"\\n"),
                b'\r' => self.out.extend_from_slice(b"\\r"),
                b'\t' => self.out.extend_from_slice(b"\\t"),
                0x08 => self.out.extend_from_slice(b"\\b"),
                0x0c => self.out.extend_from_slice(b"\\f"),
                0..=0x1f | 0x7f => {
                    self.out.extend_from_slice(b"\\u00");
                    self.out.push(HEX[usize::from(b >> 4)]);
                    self.out.push(HEX[usize::from(b & 15)]);
                }
                _ => self.out.push(b),
            }
        }
        self.out.push(b'"');
    }
}

// ---------------------------------------------------------------- decode

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tok {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str,
    Num(f64),
    Bool(bool),
    Null,
    Colon,
    Comma,
    End,
    /// A token that could not be read, with lua_cjson's description.
    Error(&'static str),
}

impl Tok {
    /// How lua_cjson names the token in "Expected X but found Y".
    fn name(self) -> &'static str {
        match self {
            Tok::ObjBegin => "T_OBJ_BEGIN",
            Tok::ObjEnd => "T_OBJ_END",
            Tok::ArrBegin => "T_ARR_BEGIN",
            Tok::ArrEnd => "T_ARR_END",
            Tok::Str => "T_STRING",
            Tok::Num(_) => "T_NUMBER",
            Tok::Bool(_) => "T_BOOLEAN",
            Tok::Null => "T_NULL",
            Tok::Colon => "T_COLON",
            Tok::Comma => "T_COMMA",
            Tok::End => "T_END",
            Tok::Error(what) => what,
        }
    }
}

/// A table being filled: an array's next index, or an object's key.
enum Fill {
    Array(TableRef, i64),
    Object(TableRef, StrRef),
}

struct Decoder<'s> {
    /// The input up to its first NUL: lua_cjson reads a C string.
    data: &'s [u8],
    pos: usize,
    /// Where the current token starts (for messages).
    at: usize,
    /// The current string token's text.
    text: Vec<u8>,
    invalid_numbers: bool,
    max_depth: i64,
}

fn decode(ctx: &mut Ctx, args: &[Value]) -> R<Ret> {
    if args.len() != 1 {
        return Err(ctx.arg_error(1, "expected 1 argument"));
    }
    let s = ctx.check_str(args, 1)?;
    let (_, cfg) = config(ctx)?;
    let input = ctx.heap().str(s)?.to_vec();
    // Parsing is linear in the input.
    ctx.charge(input.len() as u64);
    if input.get(..2).is_some_and(|head| head.contains(&0)) {
        return Err(ctx.error("JSON parser does not support UTF-16 or UTF-32"));
    }
    let end = input.iter().position(|&b| b == 0).unwrap_or(input.len());
    let mut d = Decoder {
        data: &input[..end],
        pos: 0,
        at: 0,
        text: Vec::new(),
        invalid_numbers: get(&cfg, Cfg::DecodeInvalid) != 0,
        max_depth: get(&cfg, Cfg::DecodeMaxDepth),
    };
    match d.run(ctx) {
        Ok(v) => Ok(Ret::Values(vec![v])),
        Err(Fail::Msg(m)) => Err(ctx.error(m)),
        Err(Fail::Heap(e)) => Err(Throw::Heap(e)),
    }
}

impl Decoder<'_> {
    fn byte(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn expected(&self, what: &str, tok: Tok) -> Fail {
        Fail::Msg(format!(
            "Expected {what} but found {} at character {}",
            tok.name(),
            self.at + 1
        ))
    }

    fn run(&mut self, ctx: &mut Ctx) -> Result<Value, Fail> {
        let mut stack: Vec<Fill> = Vec::new();
        let mut tok = self.next();
        loop {
            let mut v = match tok {
                Tok::Str => Value::Str(ctx.heap().intern(&self.text)?),
                Tok::Num(x) => Value::Num(x),
                Tok::Bool(b) => Value::Bool(b),
                Tok::Null => NULL,
                Tok::ObjBegin | Tok::ArrBegin => {
                    let object = tok == Tok::ObjBegin;
                    let depth = stack.len() as i64 + 1;
                    if depth > self.max_depth {
                        return Err(Fail::Msg(format!(
                            "Found too many nested data structures ({depth}) at character {}",
                            self.pos
                        )));
                    }
                    ctx.heap()
                        .check(stack.len() * std::mem::size_of::<Fill>())?;
                    let t = ctx.heap().new_table(0, 0)?;
                    tok = self.next();
                    if object && tok != Tok::ObjEnd {
                        let key = self.key(ctx, tok)?;
                        stack.push(Fill::Object(t, key));
                        tok = self.next();
                        continue;
                    }
                    if !object && tok != Tok::ArrEnd {
                        stack.push(Fill::Array(t, 1));
                        continue;
                    }
                    Value::Table(t)
                }
                other => return Err(self.expected("value", other)),
            };
            // A value is complete: store it, closing every table it ends.
            loop {
                match stack.last_mut() {
                    None => {
                        let tok = self.next();
                        if tok != Tok::End {
                            return Err(self.expected("the end", tok));
                        }
                        return Ok(v);
                    }
                    Some(Fill::Array(t, i)) => {
                        let (t, n) = (*t, *i);
                        *i += 1;
                        ctx.heap().set_int(t, n, v)?;
                        tok = self.next();
                        if tok == Tok::ArrEnd {
                            stack.pop();
                            v = Value::Table(t);
                            continue;
                        }
                        if tok != Tok::Comma {
                            return Err(self.expected("comma or array end", tok));
                        }
                        tok = self.next();
                        break;
                    }
                    Some(Fill::Object(t, key)) => {
                        let t = *t;
                        ctx.heap().set(t, Value::Str(*key), v)?;
                        tok = self.next();
                        if tok == Tok::ObjEnd {
                            stack.pop();
                            v = Value::Table(t);
                            continue;
                        }
                        if tok != Tok::Comma {
                            return Err(self.expected("comma or object end", tok));
                        }
                        tok = self.next();
                        let k = self.key(ctx, tok)?;
                        if let Some(Fill::Object(_, key)) = stack.last_mut() {
                            *key = k;
                        }
                        tok = self.next();
                        break;
                    }
                }
            }
        }
    }

    /// An object key: the string token `tok`, then a colon.
    fn key(&mut self, ctx: &mut Ctx, tok: Tok) -> Result<StrRef, Fail> {
        if tok != Tok::Str {
            return Err(self.expected("object key string", tok));
        }
        let key = ctx.heap().intern(&self.text)?;
        let tok = self.next();
        if tok != Tok::Colon {
            return Err(self.expected("colon", tok));
        }
        Ok(key)
    }

    /// Reads the next token; [`Decoder::at`] is where it starts, or where
    /// reading it failed.
    fn next(&mut self) -> Tok {
        while matches!(self.byte(self.pos), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        self.at = self.pos;
        let c = self.byte(self.pos);
        let single = match c {
            0 => return Tok::End,
            b'{' => Tok::ObjBegin,
            b'}' => Tok::ObjEnd,
            b'[' => Tok::ArrBegin,
            b']' => Tok::ArrEnd,
            b':' => Tok::Colon,
            b',' => Tok::Comma,
            b'"' => return self.string(),
            b'-' | b'0'..=b'9' => {
                if !self.invalid_numbers && self.invalid_number() {
                    return Tok::Error("invalid number");
                }
                return self.number();
            }
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'+' => {
                let rest = self.data.get(self.pos..).unwrap_or(&[]);
                for (word, tok) in [
                    (&b"true"[..], Tok::Bool(true)),
                    (b"false", Tok::Bool(false)),
                    (b"null", Tok::Null),
                ] {
                    if rest.starts_with(word) {
                        self.pos += word.len();
                        return tok;
                    }
                }
                if self.invalid_numbers && self.invalid_number() {
                    return self.number();
                }
                return Tok::Error("invalid token");
            }
            _ => return Tok::Error("invalid token"),
        };
        self.pos += 1;
        single
    }

    /// What JSON forbids but strtod reads: a leading `+`, hex, leading
    /// zeros, `inf` and `nan`.
    fn invalid_number(&self) -> bool {
        let mut p = self.pos;
        match self.byte(p) {
            b'+' => return true,
            b'-' => p += 1,
            _ => {}
        }
        let c = self.byte(p);
        if c == b'0' {
            let c2 = self.byte(p + 1);
            return c2 | 0x20 == b'x' || c2.is_ascii_digit();
        }
        if c <= b'9' {
            return false;
        }
        let rest = self.data.get(p..p + 3).unwrap_or(&[]);
        rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"nan")
    }

    fn number(&mut self) -> Tok {
        match number::strtod(self.data.get(self.pos..).unwrap_or(&[])) {
            Some((x, used)) if used > 0 => {
                self.pos += used;
                Tok::Num(x)
            }
            _ => Tok::Error("invalid number"),
        }
    }

    /// A string token (its text in [`Decoder::text`]); errors leave
    /// [`Decoder::at`] where reading stopped.
    fn string(&mut self) -> Tok {
        self.text.clear();
        self.pos += 1;
        loop {
            let c = self.byte(self.pos);
            match c {
                b'"' => break,
                0 => {
                    self.at = self.pos;
                    return Tok::Error("unexpected end of string");
                }
                b'\\' => {
                    let out = match self.byte(self.pos + 1) {
                        b'u' => {
                            if self.unicode_escape() {
                                continue;
                            }
                            self.at = self.pos;
                            return Tok::Error("invalid unicode escape code");
                        }
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        _ => {
                            self.at = self.pos;
                            return Tok::Error("invalid escape code");
                        }
                    };
                    self.text.push(out);
                    self.pos += 2;
                }
                _ => {
                    self.text.push(c);
                    self.pos += 1;
                }
            }
        }
        self.pos += 1;
        Tok::Str
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.data.get(at..at + 4)?;
        digits
            .iter()
            .try_fold(0u32, |acc, &d| Some(acc * 16 + char::from(d).to_digit(16)?))
    }

    /// `\uXXXX` (a surrogate pair takes two) as UTF-8; false if invalid.
    fn unicode_escape(&mut self) -> bool {
        let Some(mut cp) = self.hex4(self.pos + 2) else {
            return false;
        };
        let mut len = 6;
        if cp & 0xf800 == 0xd800 {
            // Only a high surrogate followed by an escaped low one.
            if cp & 0x400 != 0
                || self.byte(self.pos + 6) != b'\\'
                || self.byte(self.pos + 7) != b'u'
            {
                return false;
            }
            match self.hex4(self.pos + 8) {
                Some(low) if low & 0xfc00 == 0xdc00 => {
                    cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
                    len = 12;
                }
                _ => return false,
            }
        }
        let Some(c) = char::from_u32(cp) else {
            return false;
        };
        let mut buf = [0u8; 4];
        self.text
            .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        self.pos += len;
        true
    }
}
