//! Property tests for streams: random operation sequences against a model
//! of entries (a BTreeMap) and of one consumer group's pending entries
//! (ID -> consumer). They check ID ordering, exact and approximate
//! trimming, and that every delivered, unacknowledged entry is pending for
//! exactly one consumer. Native only (proptest).

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use proptest::prelude::*;
use redsim_engine::{Config, Engine, Reply};

type Id = (u64, u64);

fn run(engine: &mut Engine, client: u64, line: &str) -> Reply {
    engine
        .execute_line(client, line)
        .unwrap_or_else(|e| panic!("{line}: {e:?}"))
}

fn parse_id(reply: &Reply) -> Id {
    let Reply::Bulk(bytes) = reply else {
        panic!("an ID is a bulk string, got {reply:?}")
    };
    let text = String::from_utf8_lossy(bytes);
    let (ms, seq) = text.split_once('-').expect("ms-seq");
    (ms.parse().expect("ms"), seq.parse().expect("seq"))
}

fn fmt(id: Id) -> String {
    format!("{}-{}", id.0, id.1)
}

/// The IDs of an XRANGE-shaped reply.
fn ids_of(reply: &Reply) -> Vec<Id> {
    match reply {
        Reply::Array(entries) => entries
            .iter()
            .map(|e| match e {
                Reply::Array(parts) => parse_id(&parts[0]),
                other => panic!("an entry is an array, got {other:?}"),
            })
            .collect(),
        Reply::NilArray => Vec::new(),
        other => panic!("unexpected {other:?}"),
    }
}

#[derive(Debug, Clone)]
enum Op {
    AddAuto {
        advance_ms: u8,
    },
    AddExplicit {
        ms_step: u8,
        seq: u8,
    },
    Del(u8),
    TrimMaxLen {
        max: u8,
        approx: bool,
    },
    TrimMinId(u8),
    Read {
        consumer: u8,
        count: u8,
        noack: bool,
    },
    Ack(u8),
    Claim {
        consumer: u8,
        pick: u8,
    },
    DelConsumer(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u8>().prop_map(|advance_ms| Op::AddAuto { advance_ms: advance_ms % 3 }),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(ms_step, seq)| Op::AddExplicit { ms_step: ms_step % 4, seq: seq % 5 }),
        2 => any::<u8>().prop_map(Op::Del),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(max, approx)| Op::TrimMaxLen { max: max % 40, approx }),
        1 => any::<u8>().prop_map(Op::TrimMinId),
        3 => (0u8..3, 0u8..6, any::<bool>()).prop_map(|(consumer, count, noack)| Op::Read { consumer, count, noack }),
        2 => any::<u8>().prop_map(Op::Ack),
        2 => (0u8..3, any::<u8>()).prop_map(|(consumer, pick)| Op::Claim { consumer, pick }),
        1 => (0u8..3).prop_map(Op::DelConsumer),
    ]
}

/// Picks an ID of `items` by a random byte (or a missing one if empty).
fn pick<'a>(mut items: impl Iterator<Item = &'a Id> + Clone, n: u8) -> Id {
    let len = items.clone().count();
    if len == 0 {
        return (1, 0);
    }
    items.nth(usize::from(n) % len).copied().unwrap_or((1, 0))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn streams_agree_with_a_model(
        ops in proptest::collection::vec(op(), 1..150),
        node_entries in 2u64..8,
    ) {
        let mut engine = Engine::new(Config { now_ms: 1000, ..Config::default() });
        let c = engine.connect();
        // Small nodes make approximate trimming and node bookkeeping matter.
        run(&mut engine, c, &format!("CONFIG SET stream-node-max-entries {node_entries}"));
        run(&mut engine, c, "XGROUP CREATE s g $ MKSTREAM");
        let mut now = 1000i64;
        let mut entries: BTreeMap<Id, ()> = BTreeMap::new();
        let mut last: Id = (0, 0);
        let mut delivered: Id = (0, 0);
        let mut pending: BTreeMap<Id, u8> = BTreeMap::new();
        for op in ops {
            match op {
                Op::AddAuto { advance_ms } => {
                    now += i64::from(advance_ms);
                    engine.set_time(now);
                    let id = parse_id(&run(&mut engine, c, "XADD s * f v"));
                    prop_assert!(id > last, "{:?} after {:?}", id, last);
                    let expected = if now as u64 > last.0 { (now as u64, 0) } else { (last.0, last.1 + 1) };
                    prop_assert_eq!(id, expected);
                    entries.insert(id, ());
                    last = id;
                }
                Op::AddExplicit { ms_step, seq } => {
                    let id = (last.0 + u64::from(ms_step), u64::from(seq));
                    let reply = run(&mut engine, c, &format!("XADD s {} f v", fmt(id)));
                    if id > last {
                        prop_assert_eq!(parse_id(&reply), id);
                        entries.insert(id, ());
                        last = id;
                    } else {
                        prop_assert!(matches!(reply, Reply::Error(_)), "{:?}", reply);
                    }
                }
                Op::Del(n) => {
                    let id = pick(entries.keys(), n);
                    let existed = entries.remove(&id).is_some();
                    prop_assert_eq!(run(&mut engine, c, &format!("XDEL s {}", fmt(id))), Reply::Int(i64::from(existed)));
                }
                Op::TrimMaxLen { max, approx } => {
                    let before: Vec<Id> = entries.keys().copied().collect();
                    let reply = run(&mut engine, c, &format!("XTRIM s MAXLEN {} {max}", if approx { "~" } else { "=" }));
                    let Reply::Int(removed) = reply else { panic!("XTRIM answers an integer") };
                    let removed = usize::try_from(removed).unwrap_or(0);
                    let keep = before.len().saturating_sub(usize::from(max));
                    if approx {
                        prop_assert!(removed <= keep, "approximate trimming removed {} of {} extra", removed, keep);
                    } else {
                        prop_assert_eq!(removed, keep);
                    }
                    // Trimming always removes the oldest entries.
                    for id in before.iter().take(removed) {
                        entries.remove(id);
                    }
                }
                Op::TrimMinId(n) => {
                    let threshold = pick(entries.keys(), n);
                    let expected = entries.range(..threshold).count();
                    prop_assert_eq!(run(&mut engine, c, &format!("XTRIM s MINID {}", fmt(threshold))), Reply::Int(expected as i64));
                    entries.retain(|id, _| *id >= threshold);
                }
                Op::Read { consumer, count, noack } => {
                    let line = format!(
                        "XREADGROUP GROUP g c{consumer} COUNT {count} {}STREAMS s >",
                        if noack { "NOACK " } else { "" }
                    );
                    let reply = run(&mut engine, c, &line);
                    let limit = if count == 0 { usize::MAX } else { usize::from(count) };
                    let expected: Vec<Id> = entries.range((delivered.0, delivered.1 + 1)..).map(|(id, _)| *id).take(limit).collect();
                    let got = match &reply {
                        Reply::NilArray => Vec::new(),
                        Reply::Array(streams) => match &streams[0] {
                            Reply::Array(pair) => ids_of(&pair[1]),
                            other => panic!("unexpected {other:?}"),
                        },
                        other => panic!("unexpected {other:?}"),
                    };
                    prop_assert_eq!(&got, &expected);
                    if let Some(&newest) = got.last() {
                        delivered = newest;
                    }
                    if !noack {
                        for id in got {
                            pending.insert(id, consumer);
                        }
                    }
                }
                Op::Ack(n) => {
                    let id = pick(pending.keys(), n);
                    let was = pending.remove(&id).is_some();
                    prop_assert_eq!(run(&mut engine, c, &format!("XACK s g {}", fmt(id))), Reply::Int(i64::from(was)));
                }
                Op::Claim { consumer, pick: n } => {
                    let id = pick(pending.keys(), n);
                    let reply = run(&mut engine, c, &format!("XCLAIM s g c{consumer} 0 {} JUSTID", fmt(id)));
                    let claimed = pending.contains_key(&id) && entries.contains_key(&id);
                    if claimed {
                        pending.insert(id, consumer);
                    } else {
                        // A pending entry whose stream entry is gone is dropped.
                        pending.remove(&id);
                    }
                    let expected = if claimed { vec![Reply::Bulk(fmt(id).into_bytes())] } else { Vec::new() };
                    prop_assert_eq!(reply, Reply::Array(expected));
                }
                Op::DelConsumer(consumer) => {
                    let owned = pending.values().filter(|&&owner| owner == consumer).count();
                    pending.retain(|_, owner| *owner != consumer);
                    prop_assert_eq!(run(&mut engine, c, &format!("XGROUP DELCONSUMER s g c{consumer}")), Reply::Int(owned as i64));
                }
            }
            // The stream matches the model, in strictly increasing order.
            let ids = ids_of(&run(&mut engine, c, "XRANGE s - +"));
            prop_assert!(ids.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(&ids, &entries.keys().copied().collect::<Vec<_>>());
            prop_assert_eq!(run(&mut engine, c, "XLEN s"), Reply::Int(entries.len() as i64));
            // Each pending entry belongs to exactly the consumer the model says.
            let listed = run(&mut engine, c, "XPENDING s g - + 100000");
            let Reply::Array(rows) = listed else { panic!("XPENDING answers an array") };
            let mut seen: BTreeMap<Id, u8> = BTreeMap::new();
            for row in rows {
                let Reply::Array(fields) = row else { panic!("a pending row is an array") };
                let Reply::Bulk(name) = &fields[1] else { panic!("a consumer name") };
                let owner = name.get(1).map(|d| d - b'0').unwrap_or(u8::MAX);
                prop_assert!(seen.insert(parse_id(&fields[0]), owner).is_none(), "an ID listed twice");
            }
            prop_assert_eq!(&seen, &pending);
            for consumer in 0u8..3 {
                let own = ids_of_pending(&run(&mut engine, c, &format!("XPENDING s g - + 100000 c{consumer}")));
                let expected: Vec<Id> = pending.iter().filter(|(_, &o)| o == consumer).map(|(id, _)| *id).collect();
                prop_assert_eq!(own, expected);
            }
        }
    }
}

/// The IDs of an extended XPENDING reply.
fn ids_of_pending(reply: &Reply) -> Vec<Id> {
    let Reply::Array(rows) = reply else {
        panic!("XPENDING answers an array")
    };
    rows.iter()
        .map(|row| match row {
            Reply::Array(fields) => parse_id(&fields[0]),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}
