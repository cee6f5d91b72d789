//! The runtime's data layer (`value`, `heap`, `table`) against Lua 5.1.5,
//! plus the collector and the memory cap.
//!
//! `cases/runtime/*.cases` describe tables as small operation sequences
//! (constructors, assignments, `#`, `pairs`, `next`, `table.insert` /
//! `table.remove`; the format is documented in `record_runtime.sh`), and
//! `*.expected` hold what lua5.1 answered, recorded by that script. This
//! file runs the same operations on our tables through the heap, the way
//! the VM will (a constructor presized as `OP_NEWTABLE` does and filled as
//! `OP_SETLIST` does; the two library functions by their raw reads and
//! writes), so `#` and `pairs` order must come out identical. It needs no
//! Lua installed.

use std::fs;
use std::path::Path;
use std::rc::Rc;

use redsim_lua::heap::{Error, Heap, Trace, Upval};
use redsim_lua::number::{self, FloatStyle, Spec};
use redsim_lua::table::{ctor_size, fb_to_size, size_to_fb};
use redsim_lua::value::{lua_hash, TableRef, Value};

type H = Heap<()>;

const BIG: usize = 1 << 30;

// ---- the case language ----

fn token(heap: &mut H, tok: &str) -> Value {
    match tok {
        "nil" => Value::Nil,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "nan" => Value::Num(f64::NAN),
        _ => match tok.strip_prefix('\'') {
            Some(s) => Value::Str(heap.intern(s.as_bytes()).unwrap()),
            None => Value::Num(
                number::str_to_number(tok.as_bytes()).unwrap_or_else(|| panic!("bad token {tok}")),
            ),
        },
    }
}

/// A value as the recorder writes it (numbers as `%.17g`).
fn enc(heap: &H, v: Value) -> String {
    match v {
        Value::Num(x) => {
            let mut out = Vec::new();
            let spec = Spec {
                precision: Some(17),
                ..Spec::default()
            };
            number::write_float(&mut out, x, FloatStyle::General, false, &spec);
            String::from_utf8(out).unwrap()
        }
        Value::Str(s) => format!("'{}", String::from_utf8_lossy(heap.str(s).unwrap())),
        Value::Bool(b) => b.to_string(),
        Value::Nil => "nil".to_string(),
        other => other.type_name().to_string(),
    }
}

/// A table constructor as 5.1 compiles it: `OP_NEWTABLE` presized from the
/// item counts, record fields stored as they come, list items stored by
/// `OP_SETLIST` in batches of 50 (last to first), the batch being flushed
/// when the field after its 50th item starts.
fn construct(heap: &mut H, items: &[&str]) -> TableRef {
    let list = items.iter().filter(|i| !i.contains('=')).count();
    let t = heap
        .new_table(ctor_size(list), ctor_size(items.len() - list))
        .unwrap();
    let mut pending: Vec<Value> = Vec::new();
    let mut stored = 0usize;
    let mut flush = |heap: &mut H, pending: &mut Vec<Value>| {
        let last = stored + pending.len();
        if last > heap.table(t).unwrap().array_size() {
            heap.resize_array(t, last).unwrap();
        }
        for (i, &v) in pending.iter().enumerate().rev() {
            heap.set_int(t, (stored + i + 1) as i64, v).unwrap();
        }
        stored = last;
        pending.clear();
    };
    for item in items {
        if pending.len() == 50 {
            flush(heap, &mut pending);
        }
        match item.split_once('=') {
            Some((k, v)) => {
                let (k, v) = (token(heap, k), token(heap, v));
                heap.set(t, k, v).unwrap();
            }
            None => {
                let v = token(heap, item);
                pending.push(v);
            }
        }
    }
    if !pending.is_empty() {
        flush(heap, &mut pending);
    }
    t
}

fn length(heap: &H, t: TableRef) -> i64 {
    heap.table(t).unwrap().length() as i64
}

fn get_int(heap: &H, t: TableRef, i: i64) -> Value {
    heap.table(t).unwrap().get_int(i)
}

/// `table.insert(t, [pos,] v)` by its raw operations.
fn insert(heap: &mut H, t: TableRef, pos: Option<i64>, v: Value) {
    let mut e = length(heap, t) + 1;
    let pos = match pos {
        None => e,
        Some(pos) => {
            e = e.max(pos);
            for i in (pos + 1..=e).rev() {
                let moved = get_int(heap, t, i - 1);
                heap.set_int(t, i, moved).unwrap();
            }
            pos
        }
    };
    heap.set_int(t, pos, v).unwrap();
}

/// `table.remove(t [, pos])` by its raw operations.
fn remove(heap: &mut H, t: TableRef, pos: Option<i64>) -> Value {
    let e = length(heap, t);
    let pos = pos.unwrap_or(e);
    if !(1 <= pos && pos <= e) {
        return Value::Nil;
    }
    let removed = get_int(heap, t, pos);
    for i in pos..e {
        let moved = get_int(heap, t, i + 1);
        heap.set_int(t, i, moved).unwrap();
    }
    heap.set_int(t, e, Value::Nil).unwrap();
    removed
}

/// `for k, v in pairs(t) do visit(k, v) end`, through `next`.
fn traverse(heap: &mut H, t: TableRef, mut visit: impl FnMut(&mut H, Value, Value)) {
    let mut key = Value::Nil;
    while let Some((k, v)) = heap.table(t).unwrap().next(key).unwrap() {
        visit(heap, k, v);
        key = k;
    }
}

fn run_case(body: &str) -> String {
    let mut heap = H::new(BIG);
    let mut t = heap.new_table(0, 0).unwrap();
    let mut out = Vec::new();
    for op in body.split(';') {
        let w: Vec<&str> = op.split_whitespace().collect();
        let arg = |i: usize| {
            *w.get(i)
                .unwrap_or_else(|| panic!("missing operand in {op:?}"))
        };
        let int = |i: usize| arg(i).parse::<i64>().unwrap();
        match arg(0) {
            "new" => t = heap.new_table(0, 0).unwrap(),
            "ctor" => t = construct(&mut heap, &w[1..]),
            "set" => {
                let (k, v) = (token(&mut heap, arg(1)), token(&mut heap, arg(2)));
                if let Err(e) = heap.set(t, k, v) {
                    out.push(format!("set !{}", e.message()));
                }
            }
            "get" => {
                let k = token(&mut heap, arg(1));
                let v = heap.table(t).unwrap().get(k);
                out.push(format!("get {}", enc(&heap, v)));
            }
            "len" => out.push(format!("len {}", length(&heap, t))),
            "pairs" => {
                let mut seen = Vec::new();
                traverse(&mut heap, t, |h, k, v| {
                    seen.push(format!("{}={}", enc(h, k), enc(h, v)))
                });
                out.push(format!("pairs {}", seen.join(" ")));
            }
            "next" => {
                let k = token(&mut heap, arg(1));
                out.push(match heap.table(t).unwrap().next(k) {
                    Err(e) => format!("next !{}", e.message()),
                    Ok(None) => "next end".to_string(),
                    Ok(Some((k, v))) => format!("next {}={}", enc(&heap, k), enc(&heap, v)),
                });
            }
            "append" => {
                let v = token(&mut heap, arg(1));
                let n = length(&heap, t);
                heap.set_int(t, n + 1, v).unwrap();
            }
            "insert" => {
                let v = token(&mut heap, arg(1));
                insert(&mut heap, t, None, v);
            }
            "insertat" => {
                let v = token(&mut heap, arg(2));
                insert(&mut heap, t, Some(int(1)), v);
            }
            "remove" => {
                let v = remove(&mut heap, t, None);
                out.push(format!("remove {}", enc(&heap, v)));
            }
            "removeat" => {
                let v = remove(&mut heap, t, Some(int(1)));
                out.push(format!("remove {}", enc(&heap, v)));
            }
            "fill" => {
                for i in int(1)..=int(2) {
                    heap.set_int(t, i, Value::Num(i as f64)).unwrap();
                }
            }
            "fillrev" => {
                for i in (int(1)..=int(2)).rev() {
                    heap.set_int(t, i, Value::Num(i as f64)).unwrap();
                }
            }
            cmd @ ("clear" | "touch") => {
                let new = if cmd == "clear" {
                    Value::Nil
                } else {
                    Value::Bool(true)
                };
                let mut seen = Vec::new();
                traverse(&mut heap, t, |h, k, _| {
                    seen.push(enc(h, k));
                    h.set(t, k, new).unwrap();
                });
                out.push(format!("{cmd} {}", seen.join(" ")));
            }
            other => panic!("unknown op {other:?}"),
        }
    }
    out.join(" ; ")
}

fn case_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// Runs one `.cases` file against its `.expected`; returns the case count.
fn check_file(name: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/runtime");
    let cases = fs::read_to_string(dir.join(format!("{name}.cases"))).unwrap();
    let expected = fs::read_to_string(dir.join(format!("{name}.expected"))).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut want_lines = expected.lines();
    for line in case_lines(&cases) {
        count += 1;
        let (case, body) = line.split_once(':').unwrap();
        let want = want_lines
            .next()
            .unwrap_or_else(|| panic!("{name}: no expected line for {case}"));
        let got = format!("{case}: {}", run_case(body));
        if got != want {
            failures.push(format!("{line}\n  lua5.1: {want}\n  ours:   {got}"));
        }
    }
    assert!(want_lines.next().is_none(), "{name}: extra expected lines");
    assert!(
        failures.is_empty(),
        "{name}: {} of {count} cases differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    count
}

#[test]
fn hand_written_cases_match_lua51() {
    assert!(check_file("tables") >= 50);
}

#[test]
fn random_cases_match_lua51() {
    assert!(check_file("random") >= 700);
}

// ---- values, strings, sizes ----

#[test]
fn value_is_16_bytes_and_copy() {
    assert_eq!(std::mem::size_of::<Value>(), 16);
    let v = Value::Num(1.0);
    let w = v;
    assert_eq!(v, w);
}

#[test]
fn raw_equality() {
    let mut heap = H::new(BIG);
    assert_ne!(Value::Num(f64::NAN), Value::Num(f64::NAN));
    assert_eq!(Value::Num(0.0), Value::Num(-0.0));
    assert_ne!(Value::Num(1.0), Value::Bool(true));
    let a = heap.intern(b"hello").unwrap();
    let b = heap.intern_vec(b"hello".to_vec()).unwrap();
    assert_eq!(Value::Str(a), Value::Str(b));
    let one = heap.intern_number(1.0).unwrap();
    assert_eq!(heap.str(one).unwrap(), b"1");
    assert_ne!(Value::Str(one), Value::Num(1.0));
    let t1 = heap.new_table(0, 0).unwrap();
    let t2 = heap.new_table(0, 0).unwrap();
    assert_eq!(Value::Table(t1), Value::Table(t1));
    assert_ne!(Value::Table(t1), Value::Table(t2));
    assert!(!Value::Nil.truthy() && !Value::Bool(false).truthy() && Value::Num(0.0).truthy());
    assert_eq!(Value::LightUserdata(0).type_name(), "userdata");
}

#[test]
fn strings_intern_and_concat() {
    let mut heap = H::new(BIG);
    let parts: Vec<_> = ["ab", "", "cd", "e"]
        .iter()
        .map(|s| heap.intern(s.as_bytes()).unwrap())
        .collect();
    let joined = heap.concat(&parts).unwrap();
    assert_eq!(heap.str(joined).unwrap(), b"abcde");
    assert_eq!(joined, heap.intern(b"abcde").unwrap());
    assert_eq!(joined.hash(), lua_hash(b"abcde"));
    // Many strings: the intern table grows and still finds every one.
    let refs: Vec<_> = (0..5000)
        .map(|i| heap.intern(format!("k{i}").as_bytes()).unwrap())
        .collect();
    for (i, r) in refs.iter().enumerate() {
        assert_eq!(*r, heap.intern(format!("k{i}").as_bytes()).unwrap());
    }
    // Strings that the 5.1 hash cannot tell apart are still distinct.
    let long_a = [b'a'; 100];
    let mut long_b = long_a;
    long_b[1] = b'b';
    assert_eq!(lua_hash(&long_a), lua_hash(&long_b));
    let (a, b) = (heap.intern(&long_a).unwrap(), heap.intern(&long_b).unwrap());
    assert_ne!(a, b);
    assert_eq!(heap.str(b).unwrap(), &long_b[..]);
}

#[test]
fn lua_hash_matches_luas_hash() {
    // Values of 5.1's `luaS_hash`, by its definition: seed = length, then
    // h ^= (h << 5) + (h >> 2) + byte from the end, with a step of len/32+1.
    fn reference(s: &[u8]) -> u32 {
        let mut h = s.len() as u32;
        let step = (s.len() >> 5) + 1;
        let mut l1 = s.len();
        while l1 >= step {
            h ^= (h << 5)
                .wrapping_add(h >> 2)
                .wrapping_add(u32::from(s[l1 - 1]));
            l1 -= step;
        }
        h
    }
    for len in 0..300 {
        let s: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
        assert_eq!(lua_hash(&s), reference(&s), "len {len}");
    }
}

#[test]
fn constructor_sizes_round_like_op_newtable() {
    assert_eq!(ctor_size(0), 0);
    assert_eq!(ctor_size(4), 4);
    assert_eq!(ctor_size(15), 15);
    assert_eq!(ctor_size(17), 18);
    assert_eq!(ctor_size(50), 52);
    for n in 0..100_000usize {
        let size = ctor_size(n);
        assert!(size >= n && size <= n + n / 8 + 1, "{n} -> {size}");
    }
    assert_eq!(fb_to_size(size_to_fb(u32::MAX)), 1usize << 32);
}

// ---- tables through the heap ----

#[test]
fn keys_of_every_kind() {
    let mut heap = H::new(BIG);
    let t = heap.new_table(0, 0).unwrap();
    let other = heap.new_table(0, 0).unwrap();
    let f = heap.new_native(7, &[]).unwrap();
    let th = heap.new_thread().unwrap();
    let s = Value::Str(heap.intern(b"1").unwrap());
    let keys = [
        Value::Num(1.0),
        s,
        Value::Bool(true),
        Value::Bool(false),
        Value::Table(other),
        Value::Native(f),
        Value::Thread(th),
        Value::LightUserdata(0),
        Value::Num(-7.5),
        Value::Num(f64::INFINITY),
    ];
    for (i, &k) in keys.iter().enumerate() {
        heap.set(t, k, Value::Num(i as f64)).unwrap();
    }
    let table = heap.table(t).unwrap();
    for (i, &k) in keys.iter().enumerate() {
        assert_eq!(table.get(k), Value::Num(i as f64));
    }
    assert_eq!(table.get_int(1), Value::Num(0.0));
    assert_eq!(table.get(Value::Nil), Value::Nil);
    assert_eq!(table.get(Value::Num(f64::NAN)), Value::Nil);
    assert_eq!(heap.set(t, Value::Nil, Value::Nil), Err(Error::IndexNil));
    assert_eq!(
        heap.set(t, Value::Num(f64::NAN), Value::Num(1.0)),
        Err(Error::IndexNaN)
    );
    assert_eq!(Error::InvalidNextKey.message(), "invalid key to 'next'");
}

#[test]
fn metatables_and_readonly() {
    let mut heap = H::new(BIG);
    let t = heap.new_table(0, 0).unwrap();
    let meta = heap.new_table(0, 0).unwrap();
    heap.set_metatable(t, Some(meta)).unwrap();
    assert_eq!(heap.table(t).unwrap().metatable(), Some(meta));
    let k = Value::Str(heap.intern(b"k").unwrap());
    heap.set(t, k, Value::Num(1.0)).unwrap();
    heap.set_readonly(t, true).unwrap();
    assert!(heap.table(t).unwrap().is_readonly());
    assert_eq!(heap.set(t, k, Value::Num(2.0)), Err(Error::ReadOnly));
    assert_eq!(heap.set(t, k, Value::Nil), Err(Error::ReadOnly));
    assert_eq!(heap.set_int(t, 1, Value::Nil), Err(Error::ReadOnly));
    assert_eq!(heap.set_metatable(t, None), Err(Error::ReadOnly));
    assert_eq!(heap.resize_array(t, 10), Err(Error::ReadOnly));
    assert_eq!(
        Error::ReadOnly.message(),
        "Attempt to modify a readonly table"
    );
    assert_eq!(heap.table(t).unwrap().get(k), Value::Num(1.0));
    heap.set_readonly(t, false).unwrap();
    heap.set(t, k, Value::Num(2.0)).unwrap();
    // The metatable keeps its table alive.
    heap.collect([Value::Table(t)]);
    assert!(heap.table(meta).is_ok());
}

/// A small deterministic generator for the randomised tests.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Random writes against a plain list of entries: lookups agree, `next`
/// visits every entry exactly once, and `#` is a border.
#[test]
fn random_operations_agree_with_a_model() {
    let mut rng = Rng(7);
    for round in 0..300 {
        let mut heap = H::new(BIG);
        let t = heap
            .new_table(rng.below(6) as usize, rng.below(6) as usize)
            .unwrap();
        let mut pool: Vec<Value> = Vec::new();
        for i in 0..40 {
            pool.push(Value::Num(i as f64 - 5.0));
            pool.push(Value::Num(i as f64 * 0.37));
            pool.push(Value::Str(heap.intern(format!("s{i}").as_bytes()).unwrap()));
        }
        pool.push(Value::Bool(true));
        pool.push(Value::Bool(false));
        pool.push(Value::Table(t));
        pool.push(Value::Num(1e100));
        pool.push(Value::Num(-0.0));
        pool.push(Value::Num(f64::NAN));
        pool.push(Value::Nil);
        let mut model: Vec<(Value, Value)> = Vec::new();
        for step in 0..(50 + round) {
            let k = pool[rng.below(pool.len() as u64) as usize];
            let v = if rng.below(3) == 0 {
                Value::Nil
            } else {
                Value::Num(step as f64)
            };
            match rng.below(10) {
                0 => heap.resize_array(t, rng.below(64) as usize).unwrap(),
                1 => match heap.table(t).unwrap().next(k) {
                    Ok(_) | Err(Error::InvalidNextKey) => {}
                    Err(e) => panic!("next: {e}"),
                },
                _ => {}
            }
            match k {
                Value::Nil => {
                    assert_eq!(heap.set(t, k, v), Err(Error::IndexNil));
                    continue;
                }
                Value::Num(n) if n.is_nan() => {
                    assert_eq!(heap.set(t, k, v), Err(Error::IndexNaN));
                    continue;
                }
                _ => heap.set(t, k, v).unwrap(),
            }
            match model.iter_mut().find(|(mk, _)| *mk == k) {
                Some(entry) => entry.1 = v,
                None => model.push((k, v)),
            }
        }
        let table = heap.table(t).unwrap();
        for &(k, v) in &model {
            assert_eq!(table.get(k), v);
        }
        assert_eq!(table.get(Value::Nil), Value::Nil);
        let mut seen = 0;
        let mut key = Value::Nil;
        while let Some((k, v)) = table.next(key).unwrap() {
            assert!(model
                .iter()
                .any(|&(mk, mv)| mk == k && mv == v && !v.is_nil()));
            seen += 1;
            key = k;
        }
        assert_eq!(seen, model.iter().filter(|(_, v)| !v.is_nil()).count());
        let n = table.length() as i64;
        assert!(n == 0 || !table.get_int(n).is_nil());
        assert!(table.get_int(n + 1).is_nil());
    }
}

// ---- the collector ----

/// A prototype whose constants the collector must keep.
struct Proto(Vec<Value>);

impl Trace for Proto {
    fn trace(&self, mark: &mut dyn FnMut(Value)) {
        self.0.iter().for_each(|&v| mark(v));
    }
}

/// Builds garbage of every kind, all cyclic, reachable from nothing.
fn make_garbage(heap: &mut Heap<Proto>, n: usize) {
    let env = heap.new_table(0, 0).unwrap();
    for i in 0..n {
        let a = heap.new_table(0, 0).unwrap();
        let b = heap.new_table(4, 4).unwrap();
        let name = Value::Str(heap.intern(format!("garbage{i}").as_bytes()).unwrap());
        heap.set(a, name, Value::Table(b)).unwrap();
        heap.set(b, Value::Num(1.0), Value::Table(a)).unwrap();
        heap.set_metatable(a, Some(b)).unwrap();
        heap.set_metatable(b, Some(a)).unwrap();
        let cell = heap.new_upval(Upval::Closed(Value::Table(a))).unwrap();
        let f = heap
            .new_func(Rc::new(Proto(vec![name])), &[cell], env)
            .unwrap();
        heap.set(a, Value::Func(f), Value::Bool(true)).unwrap();
        let native = heap
            .new_native(1, &[Value::Func(f), Value::Table(b)])
            .unwrap();
        heap.set(b, Value::Native(native), Value::Native(native))
            .unwrap();
        let th = heap.new_thread().unwrap();
        heap.reserve_stack(th, 3).unwrap();
        heap.thread_mut(th).unwrap().stack.extend([
            Value::Table(a),
            Value::Func(f),
            Value::Native(native),
        ]);
        let open = heap
            .new_upval(Upval::Open {
                thread: th,
                slot: 0,
            })
            .unwrap();
        let g = heap
            .new_func(Rc::new(Proto(Vec::new())), &[open], env)
            .unwrap();
        heap.set(b, Value::Thread(th), Value::Func(g)).unwrap();
        let s = heap
            .intern(format!("long {i} {}", "x".repeat(i % 200)).as_bytes())
            .unwrap();
        heap.set(env, Value::Num(i as f64 + 0.5), Value::Str(s))
            .unwrap();
    }
}

#[test]
fn unreachable_cycles_are_freed_and_bytes_return_to_baseline() {
    let mut heap: Heap<Proto> = Heap::new(BIG);
    let keep = heap.new_table(0, 0).unwrap();
    // The first round grows the arenas and the intern table, which are
    // kept for reuse; after that, a round of garbage costs nothing.
    make_garbage(&mut heap, 2000);
    heap.collect([Value::Table(keep)]);
    let (bytes, objects) = (heap.bytes_used(), heap.object_count());
    assert_eq!(objects, 1);
    for _ in 0..3 {
        make_garbage(&mut heap, 2000);
        assert!(heap.bytes_used() > bytes + 100_000);
        heap.collect([Value::Table(keep)]);
        assert_eq!(heap.bytes_used(), bytes);
        assert_eq!(heap.object_count(), objects);
    }
    assert!(heap.table(keep).is_ok());
}

#[test]
fn reachable_objects_survive() {
    let mut heap: Heap<Proto> = Heap::new(BIG);
    let root = heap.new_table(0, 0).unwrap();
    let env = heap.new_table(0, 0).unwrap();
    let konst = heap.intern(b"a constant").unwrap();
    let held = heap.new_table(0, 0).unwrap();
    let cell = heap.new_upval(Upval::Closed(Value::Table(held))).unwrap();
    let f = heap
        .new_func(Rc::new(Proto(vec![Value::Str(konst)])), &[cell], env)
        .unwrap();
    let th = heap.new_thread().unwrap();
    let on_stack = heap.intern(b"on the stack").unwrap();
    heap.reserve_stack(th, 1).unwrap();
    heap.thread_mut(th)
        .unwrap()
        .stack
        .push(Value::Str(on_stack));
    let open = heap
        .new_upval(Upval::Open {
            thread: th,
            slot: 0,
        })
        .unwrap();
    let g = heap
        .new_func(Rc::new(Proto(Vec::new())), &[open], env)
        .unwrap();
    let nat_val = heap.intern(b"native upvalue").unwrap();
    let native = heap.new_native(3, &[Value::Str(nat_val)]).unwrap();
    heap.set_int(root, 1, Value::Func(f)).unwrap();
    heap.set_int(root, 2, Value::Func(g)).unwrap();
    heap.set_int(root, 3, Value::Native(native)).unwrap();
    let doomed = heap.intern(b"doomed").unwrap();
    heap.set_int(root, 4, Value::Str(doomed)).unwrap();
    heap.set_int(root, 4, Value::Nil).unwrap();
    heap.collect([Value::Table(root)]);
    assert_eq!(heap.str(konst).unwrap(), b"a constant");
    assert!(heap.table(held).is_ok() && heap.table(env).is_ok());
    assert_eq!(heap.str(on_stack).unwrap(), b"on the stack");
    assert_eq!(heap.str(nat_val).unwrap(), b"native upvalue");
    assert_eq!(heap.native(native).unwrap().id, 3);
    assert_eq!(
        heap.upval(cell).unwrap(),
        &Upval::Closed(Value::Table(held))
    );
    assert_eq!(heap.str(doomed), Err(Error::StaleHandle));
    // A dead handle never matches its reincarnation.
    let again = heap.intern(b"doomed").unwrap();
    assert_ne!(again, doomed);
    assert_eq!(heap.table(root).unwrap().get_int(1), Value::Func(f));
}

#[test]
fn keys_of_cleared_entries_are_not_kept_alive() {
    let mut heap = H::new(BIG);
    let t = heap.new_table(0, 0).unwrap();
    let k = heap.intern(b"transient key").unwrap();
    heap.set(t, Value::Str(k), Value::Num(1.0)).unwrap();
    heap.set(t, Value::Str(k), Value::Nil).unwrap();
    heap.collect([Value::Table(t)]);
    assert_eq!(heap.str(k), Err(Error::StaleHandle));
    // The node still holds the dead handle; the same text is a new string
    // that finds its way in, and traversal never sees the dead one.
    let k2 = Value::Str(heap.intern(b"transient key").unwrap());
    assert_eq!(heap.table(t).unwrap().get(k2), Value::Nil);
    heap.set(t, k2, Value::Num(2.0)).unwrap();
    assert_eq!(heap.table(t).unwrap().get(k2), Value::Num(2.0));
    assert_eq!(
        heap.table(t).unwrap().next(Value::Nil),
        Ok(Some((k2, Value::Num(2.0))))
    );
    assert_eq!(heap.table(t).unwrap().next(k2), Ok(None));
}

#[test]
fn stale_handles_are_errors() {
    let mut heap = H::new(BIG);
    let t = heap.new_table(0, 0).unwrap();
    let th = heap.new_thread().unwrap();
    heap.collect([]);
    assert_eq!(heap.table(t).err(), Some(Error::StaleHandle));
    assert_eq!(
        heap.set(t, Value::Num(1.0), Value::Nil),
        Err(Error::StaleHandle)
    );
    assert_eq!(heap.reserve_stack(th, 1), Err(Error::StaleHandle));
    // The slot is reused by the next table, under a new generation.
    let t2 = heap.new_table(0, 0).unwrap();
    assert_eq!(t2.index(), t.index());
    assert_ne!(t2, t);
    assert_eq!(heap.table(t).err(), Some(Error::StaleHandle));
}

#[test]
fn a_million_table_chain_collects_without_recursion() {
    let mut heap = H::new(BIG);
    let next = Value::Str(heap.intern(b"next").unwrap());
    let mut head = heap.new_table(0, 0).unwrap();
    for _ in 0..1_000_000 {
        let t = heap.new_table(0, 1).unwrap();
        heap.set(t, next, Value::Table(head)).unwrap();
        head = t;
    }
    let count = heap.object_count();
    heap.collect([Value::Table(head), next]);
    assert_eq!(heap.object_count(), count);
    // The tail is still reachable through the whole chain.
    let mut t = head;
    let mut depth = 0;
    while let Value::Table(n) = heap.table(t).unwrap().get(next) {
        t = n;
        depth += 1;
    }
    assert_eq!(depth, 1_000_000);
    heap.collect([]);
    assert_eq!(heap.object_count(), 0);
}

#[test]
fn a_deep_mixed_chain_collects_without_recursion() {
    // table -> native -> closure -> upvalue -> thread -> table ...
    let mut heap: Heap<Proto> = Heap::new(BIG);
    let env = heap.new_table(0, 0).unwrap();
    let mut link = Value::Table(env);
    for _ in 0..100_000 {
        let th = heap.new_thread().unwrap();
        heap.reserve_stack(th, 1).unwrap();
        heap.thread_mut(th).unwrap().stack.push(link);
        let cell = heap
            .new_upval(Upval::Open {
                thread: th,
                slot: 0,
            })
            .unwrap();
        let f = heap.new_func(Rc::new(Proto(vec![])), &[cell], env).unwrap();
        let n = heap.new_native(0, &[Value::Func(f)]).unwrap();
        let t = heap.new_table(1, 0).unwrap();
        heap.set_int(t, 1, Value::Native(n)).unwrap();
        link = Value::Table(t);
    }
    let count = heap.object_count();
    heap.collect([link]);
    assert_eq!(heap.object_count(), count);
    heap.collect([]);
    assert_eq!(heap.object_count(), 0);
}

#[test]
fn should_collect_after_enough_allocation() {
    let mut heap = H::new(BIG);
    assert!(!heap.should_collect());
    let t = heap.new_table(0, 0).unwrap();
    let mut i = 0;
    while !heap.should_collect() {
        let s = heap
            .intern(format!("string number {i}").as_bytes())
            .unwrap();
        heap.set_int(t, 1, Value::Str(s)).unwrap();
        i += 1;
    }
    heap.collect([Value::Table(t)]);
    assert!(!heap.should_collect());
}

// ---- the memory cap ----

#[test]
fn doubling_a_string_stops_at_the_cap() {
    let limit = 1 << 20;
    let mut heap = H::new(limit);
    let mut s = heap.intern(b"x").unwrap();
    loop {
        let before = heap.bytes_used();
        match heap.concat(&[s, s]) {
            Ok(next) => s = next,
            Err(e) => {
                assert_eq!(e, Error::NoMemory);
                assert_eq!(e.message(), "not enough memory");
                assert_eq!(heap.bytes_used(), before);
                break;
            }
        }
    }
    let len = heap.str(s).unwrap().len();
    assert!(len >= limit / 8 && len <= limit / 2, "{len}");
    assert!(heap.bytes_used() <= limit);
    // Collecting the intermediate strings makes room again.
    heap.collect([Value::Str(s)]);
    assert!(heap.bytes_used() < len + 64 * 1024);
    assert!(heap.check(limit).is_err());
    assert!(heap.intern(&vec![b'y'; limit]).is_err());
}

#[test]
fn a_growing_table_stops_at_the_cap_and_stays_usable() {
    let limit = 4 << 20;
    let mut heap = H::new(limit);
    let t = heap.new_table(0, 0).unwrap();
    let mut n = 0i64;
    let err = loop {
        match heap.set_int(t, n + 1, Value::Num(n as f64)) {
            Ok(()) => n += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(err, Error::NoMemory);
    assert!(heap.bytes_used() <= limit);
    assert!(n > 10_000);
    let table = heap.table(t).unwrap();
    assert_eq!(table.length() as i64, n);
    assert_eq!(table.get_int(n), Value::Num((n - 1) as f64));
    assert_eq!(table.get_int(n + 1), Value::Nil);
    // Same with string keys in the hash part.
    let h = heap.new_table(0, 0);
    if let Ok(h) = h {
        let mut i = 0;
        let err = loop {
            let k = match heap.intern(format!("key{i}").as_bytes()) {
                Ok(k) => k,
                Err(e) => break e,
            };
            match heap.set(h, Value::Str(k), Value::Num(1.0)) {
                Ok(()) => i += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(err, Error::NoMemory);
        assert!(heap.bytes_used() <= limit);
    }
    // Dropping everything gives the memory back.
    heap.collect([]);
    assert!(heap.bytes_used() < limit / 2);
    let t = heap.new_table(0, 0).unwrap();
    heap.set_int(t, 1, Value::Bool(true)).unwrap();
}

#[test]
fn every_allocation_is_refused_past_the_cap() {
    let mut heap: Heap<Proto> = Heap::new(0);
    assert_eq!(heap.new_table(0, 0), Err(Error::NoMemory));
    assert_eq!(heap.intern(b"x"), Err(Error::NoMemory));
    assert_eq!(heap.new_thread(), Err(Error::NoMemory));
    assert_eq!(
        heap.new_upval(Upval::Closed(Value::Nil)),
        Err(Error::NoMemory)
    );
    assert_eq!(heap.new_native(0, &[]), Err(Error::NoMemory));
    assert_eq!(heap.bytes_used(), 0);
    assert_eq!(heap.reserve(1), Err(Error::NoMemory));
    // A cap that fits the slots but not a big table.
    heap.set_limit(64 * 1024);
    let t = heap.new_table(0, 0).unwrap();
    assert_eq!(heap.new_table(1 << 20, 0), Err(Error::NoMemory));
    assert_eq!(heap.resize_array(t, 1 << 20), Err(Error::NoMemory));
    let th = heap.new_thread().unwrap();
    assert_eq!(heap.reserve_stack(th, 1 << 20), Err(Error::NoMemory));
    assert_eq!(heap.reserve_stack(th, usize::MAX), Err(Error::NoMemory));
    heap.reserve(100).unwrap();
    heap.release(100);
    assert!(heap.bytes_used() <= 64 * 1024);
}
