//! Property tests: random operation sequences against simple models, and
//! SCAN's guarantee under concurrent change. Native only (proptest).

#![cfg(not(target_arch = "wasm32"))]

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use redsim_engine::{Config, Engine, Reply};

fn run(engine: &mut Engine, client: u64, argv: &[Vec<u8>]) -> Reply {
    engine.execute(client, argv)
}

fn args(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

#[derive(Debug, Clone)]
enum StringOp {
    Set(u8, Vec<u8>),
    Append(u8, Vec<u8>),
    SetRange(u8, u8, Vec<u8>),
    GetRange(u8, i8, i8),
    IncrBy(u8, i16),
    Del(u8),
    Strlen(u8),
}

fn string_op() -> impl Strategy<Value = StringOp> {
    let key = 0u8..4;
    let bytes = proptest::collection::vec(any::<u8>(), 0..8);
    prop_oneof![
        (key.clone(), bytes.clone()).prop_map(|(k, v)| StringOp::Set(k, v)),
        (key.clone(), bytes.clone()).prop_map(|(k, v)| StringOp::Append(k, v)),
        (key.clone(), 0u8..16, bytes).prop_map(|(k, o, v)| StringOp::SetRange(k, o, v)),
        (key.clone(), any::<i8>(), any::<i8>()).prop_map(|(k, a, b)| StringOp::GetRange(k, a, b)),
        (key.clone(), any::<i16>()).prop_map(|(k, d)| StringOp::IncrBy(k, d)),
        key.clone().prop_map(StringOp::Del),
        key.prop_map(StringOp::Strlen),
    ]
}

/// GETRANGE on a byte string, by Redis's rules, as the model computes it.
fn model_getrange(value: &[u8], start: i64, end: i64) -> Vec<u8> {
    let len = value.len() as i64;
    if start < 0 && end < 0 && start > end {
        return Vec::new();
    }
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let end = if end < 0 { (len + end).max(0) } else { end }.min(len - 1);
    if start > end || len == 0 {
        return Vec::new();
    }
    value[start as usize..=end as usize].to_vec()
}

proptest! {
    #[test]
    fn string_commands_agree_with_a_byte_map(ops in proptest::collection::vec(string_op(), 1..60)) {
        let mut engine = Engine::new(Config::default());
        let c = engine.connect();
        let mut model: HashMap<u8, Vec<u8>> = HashMap::new();
        for op in ops {
            match op {
                StringOp::Set(k, v) => {
                    run(&mut engine, c, &args(&[b"SET", &[k], &v]));
                    model.insert(k, v);
                }
                StringOp::Append(k, v) => {
                    let reply = run(&mut engine, c, &args(&[b"APPEND", &[k], &v]));
                    let entry = model.entry(k).or_default();
                    entry.extend_from_slice(&v);
                    prop_assert_eq!(reply, Reply::Int(entry.len() as i64));
                }
                StringOp::SetRange(k, offset, v) => {
                    let reply = run(&mut engine, c, &args(&[b"SETRANGE", &[k], offset.to_string().as_bytes(), &v]));
                    let expected_len = match (model.get_mut(&k), v.is_empty()) {
                        (None, true) => 0,
                        (Some(cur), true) => cur.len(),
                        (cur, false) => {
                            let cur = match cur { Some(c) => c, None => model.entry(k).or_default() };
                            let end = offset as usize + v.len();
                            if cur.len() < end { cur.resize(end, 0); }
                            cur[offset as usize..end].copy_from_slice(&v);
                            cur.len()
                        }
                    };
                    prop_assert_eq!(reply, Reply::Int(expected_len as i64));
                }
                StringOp::GetRange(k, a, b) => {
                    let reply = run(&mut engine, c, &args(&[b"GETRANGE", &[k], a.to_string().as_bytes(), b.to_string().as_bytes()]));
                    let expected = model.get(&k).map(|v| model_getrange(v, a.into(), b.into())).unwrap_or_default();
                    prop_assert_eq!(reply, Reply::Bulk(expected));
                }
                StringOp::IncrBy(k, d) => {
                    let reply = run(&mut engine, c, &args(&[b"INCRBY", &[k], d.to_string().as_bytes()]));
                    let current = model.get(&k).map(|v| redsim_engine::number::parse_i64(v));
                    match current {
                        Some(None) => prop_assert!(reply.is_error()),
                        Some(Some(n)) => match n.checked_add(d.into()) {
                            Some(sum) => {
                                prop_assert_eq!(reply, Reply::Int(sum));
                                model.insert(k, sum.to_string().into_bytes());
                            }
                            None => prop_assert!(reply.is_error()),
                        },
                        None => {
                            prop_assert_eq!(reply, Reply::Int(d.into()));
                            model.insert(k, d.to_string().into_bytes());
                        }
                    }
                }
                StringOp::Del(k) => {
                    let reply = run(&mut engine, c, &args(&[b"DEL", &[k]]));
                    prop_assert_eq!(reply, Reply::Int(i64::from(model.remove(&k).is_some())));
                }
                StringOp::Strlen(k) => {
                    let reply = run(&mut engine, c, &args(&[b"STRLEN", &[k]]));
                    prop_assert_eq!(reply, Reply::Int(model.get(&k).map_or(0, |v| v.len() as i64)));
                }
            }
        }
        for (k, v) in &model {
            prop_assert_eq!(run(&mut engine, c, &args(&[b"GET", &[*k]])), Reply::Bulk(v.clone()));
        }
    }

    /// Redis's SCAN guarantee: a key present from the start to the end of a
    /// full iteration is returned at least once, whatever is added or
    /// deleted in between.
    #[test]
    fn scan_returns_every_key_present_throughout(
        initial in 1usize..300,
        count in 1usize..20,
        churn in proptest::collection::vec((any::<bool>(), 0usize..600), 0..400),
        seed in any::<u64>(),
    ) {
        let mut engine = Engine::new(Config { seed, ..Config::default() });
        let c = engine.connect();
        for i in 0..initial {
            run(&mut engine, c, &args(&[b"SET", format!("k{i}").as_bytes(), b"v"]));
        }
        let mut deleted = HashSet::new();
        let mut seen = HashSet::new();
        let mut cursor = b"0".to_vec();
        let mut churn = churn.into_iter();
        loop {
            let reply = run(&mut engine, c, &args(&[b"SCAN", &cursor, b"COUNT", count.to_string().as_bytes()]));
            let Reply::Array(parts) = reply else { panic!("SCAN answers an array") };
            let (Some(Reply::Bulk(next)), Some(Reply::Array(keys))) = (parts.first(), parts.get(1)) else {
                panic!("SCAN answers [cursor, keys]")
            };
            for key in keys {
                if let Reply::Bulk(k) = key { seen.insert(k.clone()); }
            }
            cursor = next.clone();
            // Change the keyspace between calls.
            for (add, i) in churn.by_ref().take(5) {
                let key = format!("k{i}");
                if add {
                    run(&mut engine, c, &args(&[b"SET", key.as_bytes(), b"v"]));
                } else {
                    run(&mut engine, c, &args(&[b"DEL", key.as_bytes()]));
                    deleted.insert(key.into_bytes());
                }
            }
            if cursor == b"0" { break; }
        }
        for i in 0..initial {
            let key = format!("k{i}").into_bytes();
            if !deleted.contains(&key) {
                prop_assert!(seen.contains(&key), "k{} was present throughout but never returned", i);
            }
        }
    }
}

/// How each collection type is filled, changed and scanned in the SCAN
/// guarantee test below.
struct ScanFamily {
    add: &'static [u8],
    remove: &'static [u8],
    scan: &'static [u8],
    /// Whether replies alternate member and value (HSCAN, ZSCAN).
    pairs: bool,
}

const SCAN_FAMILIES: [ScanFamily; 3] = [
    ScanFamily {
        add: b"SADD",
        remove: b"SREM",
        scan: b"SSCAN",
        pairs: false,
    },
    ScanFamily {
        add: b"HSET",
        remove: b"HDEL",
        scan: b"HSCAN",
        pairs: true,
    },
    ScanFamily {
        add: b"ZADD",
        remove: b"ZREM",
        scan: b"ZSCAN",
        pairs: true,
    },
];

/// The arguments that add `member` with a value (or score) of `n`.
fn add_args(family: &ScanFamily, key: &[u8], member: &[u8], n: usize) -> Vec<Vec<u8>> {
    let n = n.to_string();
    match family.add {
        b"SADD" => args(&[family.add, key, member]),
        b"HSET" => args(&[family.add, key, member, n.as_bytes()]),
        _ => args(&[family.add, key, n.as_bytes(), member]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// SCAN's guarantee for HSCAN/SSCAN/ZSCAN over hashtable and skiplist
    /// encodings, which page: a member present throughout is returned,
    /// whatever is added, updated or removed between calls.
    #[test]
    fn collection_scans_return_every_member_present_throughout(
        family in 0usize..3,
        initial in 600usize..900,
        count in 1usize..40,
        churn in proptest::collection::vec((0u8..3, 0usize..1200), 0..600),
    ) {
        let family = &SCAN_FAMILIES[family];
        let mut engine = Engine::new(Config::default());
        let c = engine.connect();
        for i in 0..initial {
            run(&mut engine, c, &add_args(family, b"coll", format!("m{i}").as_bytes(), i));
        }
        let mut removed = HashSet::new();
        let mut seen = HashSet::new();
        let mut cursor = b"0".to_vec();
        let mut churn = churn.into_iter();
        loop {
            let reply = run(&mut engine, c, &args(&[family.scan, b"coll", &cursor, b"COUNT", count.to_string().as_bytes()]));
            let Reply::Array(parts) = reply else { panic!("a scan answers an array") };
            let (Some(Reply::Bulk(next)), Some(Reply::Array(items))) = (parts.first(), parts.get(1)) else {
                panic!("a scan answers [cursor, items]")
            };
            let step = if family.pairs { 2 } else { 1 };
            for item in items.iter().step_by(step) {
                if let Reply::Bulk(m) = item { seen.insert(m.clone()); }
            }
            cursor = next.clone();
            for (op, i) in churn.by_ref().take(8) {
                let member = format!("m{i}");
                match op {
                    0 => {
                        run(&mut engine, c, &args(&[family.remove, b"coll", member.as_bytes()]));
                        removed.insert(member.into_bytes());
                    }
                    // Adds a new member or updates an existing one's value.
                    _ => { run(&mut engine, c, &add_args(family, b"coll", member.as_bytes(), i + 7)); }
                }
            }
            if cursor == b"0" { break; }
        }
        for i in 0..initial {
            let member = format!("m{i}").into_bytes();
            if !removed.contains(&member) {
                prop_assert!(seen.contains(&member), "m{} was present throughout but never returned", i);
            }
        }
    }
}

#[derive(Debug, Clone)]
enum BitOp {
    Set(u16, bool),
    Get(u16),
    Count(Option<(i16, i16, bool)>),
    Pos(bool, Option<(i16, i16, bool)>),
}

fn bit_op() -> impl Strategy<Value = BitOp> {
    let range = proptest::option::of((any::<i16>(), any::<i16>(), any::<bool>()));
    prop_oneof![
        (0u16..300, any::<bool>()).prop_map(|(o, v)| BitOp::Set(o, v)),
        (0u16..400).prop_map(BitOp::Get),
        range.clone().prop_map(BitOp::Count),
        (any::<bool>(), range).prop_map(|(b, r)| BitOp::Pos(b, r)),
    ]
}

/// A range over `len` units clamped by Redis's rules; None when empty.
fn model_range(len: i64, start: i64, end: i64) -> Option<(i64, i64)> {
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let end = if end < 0 { (len + end).max(0) } else { end }.min(len - 1);
    (start <= end).then_some((start, end))
}

proptest! {
    #[test]
    fn bit_commands_agree_with_a_bit_vector(ops in proptest::collection::vec(bit_op(), 1..80)) {
        let mut engine = Engine::new(Config::default());
        let c = engine.connect();
        let mut bits: Vec<bool> = Vec::new();
        for op in ops {
            match op {
                BitOp::Set(offset, value) => {
                    let reply = run(&mut engine, c, &args(&[b"SETBIT", b"b", offset.to_string().as_bytes(), if value { b"1" } else { b"0" }]));
                    let i = usize::from(offset);
                    let old = bits.get(i).copied().unwrap_or(false);
                    if bits.len() <= i {
                        // Strings grow by whole bytes.
                        bits.resize((i / 8 + 1) * 8, false);
                    }
                    bits[i] = value;
                    prop_assert_eq!(reply, Reply::Int(i64::from(old)));
                }
                BitOp::Get(offset) => {
                    let reply = run(&mut engine, c, &args(&[b"GETBIT", b"b", offset.to_string().as_bytes()]));
                    prop_assert_eq!(reply, Reply::Int(i64::from(bits.get(usize::from(offset)).copied().unwrap_or(false))));
                }
                BitOp::Count(range) => {
                    let mut argv = args(&[b"BITCOUNT", b"b"]);
                    let bit_len = bits.len() as i64;
                    let window = match range {
                        None => model_range(bit_len, 0, -1),
                        Some((s, e, unit_bit)) => {
                            argv.extend(args(&[s.to_string().as_bytes(), e.to_string().as_bytes(), if unit_bit { b"BIT" } else { b"BYTE" }]));
                            let (s, e) = (i64::from(s), i64::from(e));
                            if s < 0 && e < 0 && s > e {
                                None
                            } else if unit_bit {
                                model_range(bit_len, s, e)
                            } else {
                                model_range(bit_len / 8, s, e).map(|(a, b)| (a * 8, b * 8 + 7))
                            }
                        }
                    };
                    let expected = window.map_or(0, |(a, b)| bits[a as usize..=b as usize].iter().filter(|&&x| x).count());
                    let reply = run(&mut engine, c, &argv);
                    if bits.is_empty() {
                        prop_assert_eq!(reply, Reply::Int(0));
                    } else {
                        prop_assert_eq!(reply, Reply::Int(expected as i64));
                    }
                }
                BitOp::Pos(bit, range) => {
                    let mut argv = args(&[b"BITPOS", b"b", if bit { b"1" } else { b"0" }]);
                    let bit_len = bits.len() as i64;
                    let (window, end_given) = match range {
                        None => (model_range(bit_len, 0, -1), false),
                        Some((s, e, unit_bit)) => {
                            argv.extend(args(&[s.to_string().as_bytes(), e.to_string().as_bytes(), if unit_bit { b"BIT" } else { b"BYTE" }]));
                            let (s, e) = (i64::from(s), i64::from(e));
                            let w = if unit_bit {
                                model_range(bit_len, s, e)
                            } else {
                                model_range(bit_len / 8, s, e).map(|(a, b)| (a * 8, b * 8 + 7))
                            };
                            (w, true)
                        }
                    };
                    let reply = run(&mut engine, c, &argv);
                    let expected = if bits.is_empty() {
                        if bit { -1 } else { 0 }
                    } else {
                        match window {
                            None => -1,
                            Some((a, b)) => match (a..=b).find(|&i| bits[i as usize] == bit) {
                                Some(i) => i,
                                // No zero inside: without an explicit end, the first bit past the range.
                                None if !bit && !end_given => b + 1,
                                None => -1,
                            },
                        }
                    };
                    prop_assert_eq!(reply, Reply::Int(expected));
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
enum CollectionOp {
    LPush(u8),
    RPush(u8),
    LPop,
    RPop,
    LRem(i8, u8),
    LTrim(i8, i8),
    HSet(u8, u8),
    HDel(u8),
    HIncrBy(u8, i8),
    SAdd(u8),
    SRem(u8),
}

fn collection_op() -> impl Strategy<Value = CollectionOp> {
    // Small alphabets so operations collide often.
    let v = 0u8..6;
    prop_oneof![
        v.clone().prop_map(CollectionOp::LPush),
        v.clone().prop_map(CollectionOp::RPush),
        Just(CollectionOp::LPop),
        Just(CollectionOp::RPop),
        (-3i8..3, v.clone()).prop_map(|(c, e)| CollectionOp::LRem(c, e)),
        (-6i8..6, -6i8..6).prop_map(|(a, b)| CollectionOp::LTrim(a, b)),
        (v.clone(), v.clone()).prop_map(|(f, x)| CollectionOp::HSet(f, x)),
        v.clone().prop_map(CollectionOp::HDel),
        (v.clone(), any::<i8>()).prop_map(|(f, d)| CollectionOp::HIncrBy(f, d)),
        // Values past 3 are words, so sets leave the intset encoding.
        v.clone().prop_map(CollectionOp::SAdd),
        v.prop_map(CollectionOp::SRem),
    ]
}

fn member(n: u8) -> Vec<u8> {
    if n < 3 {
        n.to_string().into_bytes()
    } else {
        format!("m{n}").into_bytes()
    }
}

proptest! {
    /// Lists, hashes and sets against VecDeque, an ordered map and a set;
    /// emptied collections must vanish, as in Redis.
    #[test]
    fn collections_agree_with_std_models(ops in proptest::collection::vec(collection_op(), 1..120)) {
        use std::collections::{BTreeMap, BTreeSet, VecDeque};
        let mut engine = Engine::new(Config::default());
        let c = engine.connect();
        let mut list: VecDeque<Vec<u8>> = VecDeque::new();
        let mut hash: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let mut set: BTreeSet<Vec<u8>> = BTreeSet::new();
        for op in ops {
            match op {
                CollectionOp::LPush(e) => { run(&mut engine, c, &args(&[b"LPUSH", b"l", &member(e)])); list.push_front(member(e)); }
                CollectionOp::RPush(e) => { run(&mut engine, c, &args(&[b"RPUSH", b"l", &member(e)])); list.push_back(member(e)); }
                CollectionOp::LPop => {
                    let reply = run(&mut engine, c, &args(&[b"LPOP", b"l"]));
                    prop_assert_eq!(reply, list.pop_front().map_or(Reply::Nil, Reply::Bulk));
                }
                CollectionOp::RPop => {
                    let reply = run(&mut engine, c, &args(&[b"RPOP", b"l"]));
                    prop_assert_eq!(reply, list.pop_back().map_or(Reply::Nil, Reply::Bulk));
                }
                CollectionOp::LRem(count, e) => {
                    let target = member(e);
                    let reply = run(&mut engine, c, &args(&[b"LREM", b"l", count.to_string().as_bytes(), &target]));
                    let limit = if count == 0 { usize::MAX } else { count.unsigned_abs() as usize };
                    let mut removed = 0;
                    if count >= 0 {
                        let mut kept = VecDeque::new();
                        for x in list.drain(..) {
                            if x == target && removed < limit { removed += 1; } else { kept.push_back(x); }
                        }
                        list = kept;
                    } else {
                        let mut kept = VecDeque::new();
                        for x in list.drain(..).rev() {
                            if x == target && removed < limit { removed += 1; } else { kept.push_front(x); }
                        }
                        list = kept;
                    }
                    prop_assert_eq!(reply, Reply::Int(removed as i64));
                }
                CollectionOp::LTrim(a, b) => {
                    run(&mut engine, c, &args(&[b"LTRIM", b"l", a.to_string().as_bytes(), b.to_string().as_bytes()]));
                    let len = list.len() as i64;
                    let start = if a < 0 { len + i64::from(a) } else { i64::from(a) }.max(0);
                    let end = if b < 0 { len + i64::from(b) } else { i64::from(b) };
                    if start > end || start >= len {
                        list.clear();
                    } else {
                        let end = end.min(len - 1);
                        list = list.iter().skip(start as usize).take((end - start + 1) as usize).cloned().collect();
                    }
                }
                CollectionOp::HSet(f, x) => {
                    let reply = run(&mut engine, c, &args(&[b"HSET", b"h", &member(f), &member(x)]));
                    prop_assert_eq!(reply, Reply::Int(i64::from(hash.insert(member(f), member(x)).is_none())));
                }
                CollectionOp::HDel(f) => {
                    let reply = run(&mut engine, c, &args(&[b"HDEL", b"h", &member(f)]));
                    prop_assert_eq!(reply, Reply::Int(i64::from(hash.remove(&member(f)).is_some())));
                }
                CollectionOp::HIncrBy(f, d) => {
                    let reply = run(&mut engine, c, &args(&[b"HINCRBY", b"h", &member(f), d.to_string().as_bytes()]));
                    match hash.get(&member(f)).map(|v| redsim_engine::number::parse_i64(v)) {
                        Some(None) => prop_assert!(reply.is_error()),
                        current => {
                            let sum = current.flatten().unwrap_or(0) + i64::from(d);
                            prop_assert_eq!(reply, Reply::Int(sum));
                            hash.insert(member(f), sum.to_string().into_bytes());
                        }
                    }
                }
                CollectionOp::SAdd(e) => {
                    let reply = run(&mut engine, c, &args(&[b"SADD", b"s", &member(e)]));
                    prop_assert_eq!(reply, Reply::Int(i64::from(set.insert(member(e)))));
                }
                CollectionOp::SRem(e) => {
                    let reply = run(&mut engine, c, &args(&[b"SREM", b"s", &member(e)]));
                    prop_assert_eq!(reply, Reply::Int(i64::from(set.remove(&member(e)))));
                }
            }
            // Whole-value checks after every step.
            let lrange = run(&mut engine, c, &args(&[b"LRANGE", b"l", b"0", b"-1"]));
            prop_assert_eq!(lrange, Reply::Array(list.iter().cloned().map(Reply::Bulk).collect()));
            let mut fields = match run(&mut engine, c, &args(&[b"HGETALL", b"h"])) {
                Reply::Map(pairs) => pairs,
                other => panic!("HGETALL answers a map: {other:?}"),
            };
            fields.sort_by_key(|(field, _)| match field { Reply::Bulk(b) => b.clone(), _ => Vec::new() });
            let expected: Vec<(Reply, Reply)> = hash.iter().map(|(f, v)| (Reply::Bulk(f.clone()), Reply::Bulk(v.clone()))).collect();
            prop_assert_eq!(fields, expected);
            let members = match run(&mut engine, c, &args(&[b"SMEMBERS", b"s"])) {
                Reply::Set(items) => items.into_iter().map(|m| match m { Reply::Bulk(b) => b, _ => Vec::new() }).collect::<BTreeSet<_>>(),
                other => panic!("SMEMBERS answers a set: {other:?}"),
            };
            prop_assert_eq!(&members, &set);
            let exists = run(&mut engine, c, &args(&[b"EXISTS", b"l", b"h", b"s"]));
            let expected = i64::from(!list.is_empty()) + i64::from(!hash.is_empty()) + i64::from(!set.is_empty());
            prop_assert_eq!(exists, Reply::Int(expected), "empty collections are deleted");
        }
    }
}

#[derive(Debug, Clone)]
enum ZOp {
    Add(u8, i8),
    IncrBy(u8, i8),
    Rem(u8),
    PopMin,
    RemRangeByScore(i8, i8),
}

fn zop() -> impl Strategy<Value = ZOp> {
    let m = 0u8..12;
    prop_oneof![
        (m.clone(), any::<i8>()).prop_map(|(m, s)| ZOp::Add(m, s)),
        (m.clone(), any::<i8>()).prop_map(|(m, s)| ZOp::IncrBy(m, s)),
        m.prop_map(ZOp::Rem),
        Just(ZOp::PopMin),
        (any::<i8>(), any::<i8>()).prop_map(|(a, b)| ZOp::RemRangeByScore(a, b)),
    ]
}

proptest! {
    /// Sorted sets against a map of member -> score: after every step the
    /// full ascending range, every rank and ZCOUNT agree with the model.
    #[test]
    fn sorted_sets_agree_with_a_score_map(ops in proptest::collection::vec(zop(), 1..100)) {
        use std::collections::BTreeMap;
        let mut engine = Engine::new(Config::default());
        let c = engine.connect();
        let mut model: BTreeMap<Vec<u8>, f64> = BTreeMap::new();
        let name = |m: u8| format!("m{m}").into_bytes();
        for op in ops {
            match op {
                ZOp::Add(m, s) => {
                    run(&mut engine, c, &args(&[b"ZADD", b"z", s.to_string().as_bytes(), &name(m)]));
                    model.insert(name(m), f64::from(s));
                }
                ZOp::IncrBy(m, s) => {
                    run(&mut engine, c, &args(&[b"ZINCRBY", b"z", s.to_string().as_bytes(), &name(m)]));
                    *model.entry(name(m)).or_insert(0.0) += f64::from(s);
                }
                ZOp::Rem(m) => {
                    let reply = run(&mut engine, c, &args(&[b"ZREM", b"z", &name(m)]));
                    prop_assert_eq!(reply, Reply::Int(i64::from(model.remove(&name(m)).is_some())));
                }
                ZOp::PopMin => {
                    run(&mut engine, c, &args(&[b"ZPOPMIN", b"z"]));
                    let lowest = model.iter().min_by(|a, b| a.1.total_cmp(b.1).then_with(|| a.0.cmp(b.0))).map(|(m, _)| m.clone());
                    if let Some(m) = lowest { model.remove(&m); }
                }
                ZOp::RemRangeByScore(a, b) => {
                    run(&mut engine, c, &args(&[b"ZREMRANGEBYSCORE", b"z", a.to_string().as_bytes(), b.to_string().as_bytes()]));
                    model.retain(|_, s| !(*s >= f64::from(a) && *s <= f64::from(b)));
                }
            }
            let mut expected: Vec<(Vec<u8>, f64)> = model.iter().map(|(m, s)| (m.clone(), *s)).collect();
            expected.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            let flat: Vec<Reply> = expected
                .iter()
                .flat_map(|(m, s)| [Reply::Bulk(m.clone()), Reply::Double(*s)])
                .collect();
            let range = run(&mut engine, c, &args(&[b"ZRANGE", b"z", b"0", b"-1", b"WITHSCORES"]));
            prop_assert_eq!(range, Reply::Array(flat));
            for (rank, (m, _)) in expected.iter().enumerate() {
                prop_assert_eq!(run(&mut engine, c, &args(&[b"ZRANK", b"z", m])), Reply::Int(rank as i64));
            }
            let in_range = expected.iter().filter(|(_, s)| (-10.0..=10.0).contains(s)).count();
            prop_assert_eq!(run(&mut engine, c, &args(&[b"ZCOUNT", b"z", b"-10", b"10"])), Reply::Int(in_range as i64));
            prop_assert_eq!(run(&mut engine, c, &args(&[b"EXISTS", b"z"])), Reply::Int(i64::from(!model.is_empty())));
        }
    }
}
