//! Sorted-set algebra and sampling (Redis 7.0): ZUNION, ZINTER, ZDIFF and
//! their STORE forms, ZINTERCARD, ZMPOP, ZRANDMEMBER and ZSCAN. Plain sets
//! take part in the algebra with every member scored 1.

use super::{
    arg, int_arg, int_reply, is_opt, one_key, parse_multi_pop, Arg, ArgKind, BeginSearch, Body,
    FindKeys, KeySpec, MultiPop, Spec, BASE,
};
use crate::db::Db;
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::number::parse_double;
use crate::reply::Reply;
use crate::types::{Set, Value, ZSet};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "zunion",
        arity: -3,
        flags: &["readonly", "movablekeys"],
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "sorted-set",
        since: "6.2.0",
        complexity: "O(N) + O(M log M): N members read, M in the result.",
        summary: "Returns the union of sorted sets (sets count with score 1), with WEIGHTS and AGGREGATE SUM, MIN or MAX.",
        args: &[Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 0).multiple(), Arg::new("weight", ArgKind::Integer).token("WEIGHTS").optional().multiple(), Arg::one_of("aggregate", &[Arg::pure_token("sum", "SUM"), Arg::pure_token("min", "MIN"), Arg::pure_token("max", "MAX")]).token("AGGREGATE").optional(), Arg::pure_token("withscores", "WITHSCORES").optional()],
        body: Body::Run(zunion),
        ..BASE
    },
    Spec {
        name: "zunionstore",
        arity: -4,
        flags: &["write", "denyoom", "movablekeys"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["OW", "update"]), KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "sorted-set",
        since: "2.0.0",
        complexity: "O(N) + O(M log M): N members read, M in the result.",
        summary: "Stores the union of sorted sets in a key, with WEIGHTS and AGGREGATE; answers its size.",
        args: &[Arg::key("destination", 0), Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 1).multiple(), Arg::new("weight", ArgKind::Integer).token("WEIGHTS").optional().multiple(), Arg::one_of("aggregate", &[Arg::pure_token("sum", "SUM"), Arg::pure_token("min", "MIN"), Arg::pure_token("max", "MAX")]).token("AGGREGATE").optional()],
        body: Body::Run(zunionstore),
        ..BASE
    },
    Spec {
        name: "zinter",
        arity: -3,
        flags: &["readonly", "movablekeys"],
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "sorted-set",
        since: "6.2.0",
        complexity: "O(N*K) + O(M log M): the smallest input's N members checked against K inputs.",
        summary: "Returns the intersection of sorted sets, with WEIGHTS and AGGREGATE SUM, MIN or MAX.",
        args: &[Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 0).multiple(), Arg::new("weight", ArgKind::Integer).token("WEIGHTS").optional().multiple(), Arg::one_of("aggregate", &[Arg::pure_token("sum", "SUM"), Arg::pure_token("min", "MIN"), Arg::pure_token("max", "MAX")]).token("AGGREGATE").optional(), Arg::pure_token("withscores", "WITHSCORES").optional()],
        body: Body::Run(zinter),
        ..BASE
    },
    Spec {
        name: "zinterstore",
        arity: -4,
        flags: &["write", "denyoom", "movablekeys"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["OW", "update"]), KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "sorted-set",
        since: "2.0.0",
        complexity: "O(N*K) + O(M log M): the smallest input's N members checked against K inputs.",
        summary: "Stores the intersection of sorted sets in a key, with WEIGHTS and AGGREGATE; answers its size.",
        args: &[Arg::key("destination", 0), Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 1).multiple(), Arg::new("weight", ArgKind::Integer).token("WEIGHTS").optional().multiple(), Arg::one_of("aggregate", &[Arg::pure_token("sum", "SUM"), Arg::pure_token("min", "MIN"), Arg::pure_token("max", "MAX")]).token("AGGREGATE").optional()],
        body: Body::Run(zinterstore),
        ..BASE
    },
    Spec {
        name: "zintercard",
        arity: -3,
        flags: &["readonly", "movablekeys"],
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "sorted-set",
        since: "7.0.0",
        complexity: "O(N*K): the smallest input's N members checked against K inputs.",
        summary: "Counts the members common to several sorted sets, stopping at an optional LIMIT.",
        args: &[Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 0).multiple(), Arg::new("limit", ArgKind::Integer).token("LIMIT").optional()],
        body: Body::Run(zintercard),
        ..BASE
    },
    Spec {
        name: "zdiff",
        arity: -3,
        flags: &["readonly", "movablekeys"],
        acl: &["@read", "@sortedset", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "sorted-set",
        since: "6.2.0",
        complexity: "O(L + (N-K) log N): L members read, N in the first input, K removed.",
        summary: "Returns the members of the first sorted set that are in none of the others.",
        args: &[Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 0).multiple(), Arg::pure_token("withscores", "WITHSCORES").optional()],
        body: Body::Run(zdiff),
        ..BASE
    },
    Spec {
        name: "zdiffstore",
        arity: -4,
        flags: &["write", "denyoom", "movablekeys"],
        keys: (1, 1, 1),
        acl: &["@write", "@sortedset", "@slow"],
        key_specs: &[one_key(None, &["OW", "update"]), KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "sorted-set",
        since: "6.2.0",
        complexity: "O(L + (N-K) log N): L members read, N in the first input, K removed.",
        summary: "Stores the difference of sorted sets in a key; answers its size.",
        args: &[Arg::key("destination", 0), Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 1).multiple()],
        body: Body::Run(zdiffstore),
        ..BASE
    },
    Spec {
        name: "zmpop",
        arity: -4,
        flags: &["write", "movablekeys"],
        acl: &["@write", "@sortedset", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RW", "access", "delete"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "sorted-set",
        since: "7.0.0",
        complexity: "O(K) + O(M log N): K keys tried, M members popped.",
        summary: "Pops the lowest or highest members from the first non-empty sorted set among several keys.",
        args: &[Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 0).multiple(), Arg::one_of("where", &[Arg::pure_token("min", "MIN"), Arg::pure_token("max", "MAX")]), Arg::new("count", ArgKind::Integer).token("COUNT").optional()],
        body: Body::Run(zmpop),
        ..BASE
    },
    Spec {
        name: "zrandmember",
        arity: -2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "6.2.0",
        complexity: "O(N) for N members returned.",
        summary: "Returns random members of a sorted set, distinct for a positive count, possibly repeated for a negative one, optionally with scores.",
        args: &[Arg::key("key", 0), Arg::block("options", &[Arg::new("count", ArgKind::Integer), Arg::pure_token("withscores", "WITHSCORES").optional()]).optional()],
        body: Body::Run(zrandmember),
        ..BASE
    },
    Spec {
        name: "zscan",
        arity: -3,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@sortedset", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "sorted-set",
        since: "2.8.0",
        complexity: "O(1) per call; O(N) to walk the whole sorted set.",
        summary: "Walks the members and scores of a sorted set with a cursor, optionally filtered by pattern.",
        args: super::scan::COLLECTION_SCAN_ARGS,
        body: Body::Run(zscan),
        ..BASE
    },
];

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    fn apply(self, target: f64, value: f64) -> f64 {
        match self {
            // +inf plus -inf is NaN; Redis takes 0 instead.
            Aggregate::Sum => {
                let sum = target + value;
                if sum.is_nan() {
                    0.0
                } else {
                    sum
                }
            }
            Aggregate::Min => {
                if value < target {
                    value
                } else {
                    target
                }
            }
            Aggregate::Max => {
                if value > target {
                    value
                } else {
                    target
                }
            }
        }
    }
}

/// One input as stored: a sorted set, a set (every member scored 1), or
/// nothing (a missing key reads as empty).
#[derive(Clone, Copy)]
enum Source<'a> {
    Sorted(&'a ZSet),
    Plain(&'a Set),
    Missing,
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self {
            Source::Sorted(z) => z.len(),
            Source::Plain(s) => s.len(),
            Source::Missing => 0,
        }
    }

    /// O(1) score lookup.
    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Source::Sorted(z) => z.score(member),
            Source::Plain(s) => s.contains(member).then_some(1.0),
            Source::Missing => None,
        }
    }

    /// Members with scores, in the input's own order.
    fn members(&self) -> Vec<(Vec<u8>, f64)> {
        match self {
            Source::Sorted(z) => z.entries(),
            Source::Plain(s) => s.iter().map(|m| (m.into_owned(), 1.0)).collect(),
            Source::Missing => Vec::new(),
        }
    }
}

struct Input<'a> {
    key: &'a [u8],
    source: Source<'a>,
    weight: f64,
}

/// What the caller of the shared algebra wants back.
#[derive(Clone, Copy, PartialEq)]
enum Output {
    Reply,
    Store,
    Cardinality,
}

/// Looks the input keys up as reading commands (expiry, statistics, the
/// type check: sets and sorted sets only), then lends them side by side.
fn read_inputs<'a>(
    db: &'a mut Db,
    now: i64,
    keys: &[&'a [u8]],
) -> Result<Vec<Input<'a>>, CmdError> {
    for key in keys {
        match db.read(key, now) {
            Some(Value::ZSet(_) | Value::Set(_)) | None => {}
            Some(_) => return Err(CmdError::WrongType),
        }
    }
    let db: &Db = db;
    Ok(keys
        .iter()
        .map(|&key| {
            let source = match db.value(key) {
                Some(Value::ZSet(z)) => Source::Sorted(z),
                Some(Value::Set(s)) => Source::Plain(s),
                _ => Source::Missing,
            };
            Input {
                key,
                source,
                weight: 1.0,
            }
        })
        .collect())
}

/// Redis's `zunionInterDiffGenericCommand`: numkeys, keys (type-checked),
/// then WEIGHTS / AGGREGATE / WITHSCORES / LIMIT as the command allows.
fn algebra(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    numkeys_at: usize,
    op: Op,
    output: Output,
    name: &str,
) -> Result<Reply, CmdError> {
    let numkeys = int_arg(arg(argv, numkeys_at))?;
    if numkeys < 1 {
        return Err(CmdError::Other(format!(
            "ERR at least 1 input key is needed for '{name}' command"
        )));
    }
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys > argv.len() - (numkeys_at + 1) {
        return Err(CmdError::Syntax);
    }
    let first_key = numkeys_at + 1;
    let keys = argv.get(first_key..first_key + numkeys).unwrap_or_default();
    let now = ctx.now();
    let proto = ctx.client.proto;
    let limits = ctx.server.limits;
    let mut inputs = read_inputs(ctx.db(), now, keys)?;
    let mut aggregate = Aggregate::Sum;
    let mut with_scores = false;
    let mut limit = 0usize;
    let mut j = first_key + numkeys;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let word = arg(argv, j);
        let algebra_options = op != Op::Diff && output != Output::Cardinality;
        if algebra_options && remaining > numkeys && is_opt(word, "WEIGHTS") {
            for (i, input) in inputs.iter_mut().enumerate() {
                input.weight = parse_double(arg(argv, j + 1 + i)).ok_or_else(|| {
                    CmdError::Other("ERR weight value is not a float".to_string())
                })?;
            }
            j += 1 + numkeys;
        } else if algebra_options && remaining >= 2 && is_opt(word, "AGGREGATE") {
            let kind = arg(argv, j + 1);
            aggregate = if is_opt(kind, "SUM") {
                Aggregate::Sum
            } else if is_opt(kind, "MIN") {
                Aggregate::Min
            } else if is_opt(kind, "MAX") {
                Aggregate::Max
            } else {
                return Err(CmdError::Syntax);
            };
            j += 2;
        } else if output == Output::Reply && is_opt(word, "WITHSCORES") {
            with_scores = true;
            j += 1;
        } else if output == Output::Cardinality && remaining >= 2 && is_opt(word, "LIMIT") {
            limit = match crate::number::parse_i64(arg(argv, j + 1)) {
                Some(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
                _ => return Err(CmdError::Other("ERR LIMIT can't be negative".to_string())),
            };
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let mut result = ZSet::new();
    let mut cardinality = 0usize;
    match op {
        Op::Inter => {
            inputs.sort_by_key(|i| i.source.len());
            if let Some((first, others)) = inputs.split_first() {
                for (member, score) in &first.source.members() {
                    let mut total = first.weight * score;
                    if total.is_nan() {
                        total = 0.0;
                    }
                    let mut everywhere = true;
                    for other in others {
                        let value = if other.key == first.key {
                            Some(*score)
                        } else {
                            other.source.score(member)
                        };
                        match value {
                            Some(v) => total = aggregate.apply(total, v * other.weight),
                            None => {
                                everywhere = false;
                                break;
                            }
                        }
                    }
                    if !everywhere {
                        continue;
                    }
                    cardinality += 1;
                    if output == Output::Cardinality {
                        if limit != 0 && cardinality >= limit {
                            break;
                        }
                    } else {
                        result.insert(member, total, &limits);
                    }
                }
            }
        }
        Op::Union => {
            let mut totals: Vec<(Vec<u8>, f64)> = Vec::new();
            let mut index: rustc_hash::FxHashMap<Vec<u8>, usize> = Default::default();
            for input in &inputs {
                for (member, score) in &input.source.members() {
                    let mut value = input.weight * score;
                    if value.is_nan() {
                        value = 0.0;
                    }
                    match index.get(member) {
                        Some(&i) => {
                            if let Some(slot) = totals.get_mut(i) {
                                slot.1 = aggregate.apply(slot.1, value);
                            }
                        }
                        None => {
                            index.insert(member.clone(), totals.len());
                            totals.push((member.clone(), value));
                        }
                    }
                }
            }
            for (member, score) in totals {
                result.insert(&member, score, &limits);
            }
        }
        Op::Diff => {
            if let Some((first, others)) = inputs.split_first() {
                for (member, score) in &first.source.members() {
                    if !others.iter().any(|o| o.source.score(member).is_some()) {
                        result.insert(member, *score, &limits);
                    }
                }
            }
        }
    }
    match output {
        Output::Cardinality => Ok(int_reply(cardinality)),
        Output::Store => {
            let size = result.len();
            // The command's name is its event: zunionstore, zinterstore...
            super::zset::store(ctx, arg(argv, 1), result, name);
            Ok(int_reply(size))
        }
        Output::Reply => {
            let items = result.entries();
            Ok(super::zset::scored(items, with_scores, proto))
        }
    }
}

fn zunion(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    algebra(ctx, argv, 1, Op::Union, Output::Reply, "zunion")
}

fn zunionstore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    algebra(ctx, argv, 2, Op::Union, Output::Store, "zunionstore")
}

fn zinter(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    algebra(ctx, argv, 1, Op::Inter, Output::Reply, "zinter")
}

fn zinterstore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    algebra(ctx, argv, 2, Op::Inter, Output::Store, "zinterstore")
}

fn zintercard(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    algebra(ctx, argv, 1, Op::Inter, Output::Cardinality, "zintercard")
}

fn zdiff(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    algebra(ctx, argv, 1, Op::Diff, Output::Reply, "zdiff")
}

fn zdiffstore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    algebra(ctx, argv, 2, Op::Diff, Output::Store, "zdiffstore")
}

fn zmpop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let MultiPop {
        keys,
        which: max,
        count: wanted,
    } = parse_multi_pop(argv, [("MIN", false), ("MAX", true)])?;
    let now = ctx.now();
    for &key in keys {
        let db = ctx.db();
        let zset = match db.get(key, now) {
            Some(Value::ZSet(z)) => z,
            Some(_) => return Err(CmdError::WrongType),
            None => continue,
        };
        let popped = zset
            .pop(max, wanted)
            .into_iter()
            .map(|(member, score)| Reply::Array(vec![Reply::Bulk(member), Reply::Double(score)]))
            .collect();
        super::removed::<ZSet>(ctx, class::ZSET, super::zset::pop_event(max), key);
        return Ok(Reply::Array(vec![Reply::bulk(key), Reply::Array(popped)]));
    }
    Ok(Reply::NilArray)
}

fn zrandmember(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let requested = match argv.get(2) {
        None => None,
        Some(raw) => {
            let n = int_arg(raw)?;
            if n == i64::MIN {
                return Err(CmdError::Other(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
                        .to_string(),
                ));
            }
            Some(n)
        }
    };
    let with_scores = match argv.get(3) {
        None => false,
        Some(word) if argv.len() == 4 && is_opt(word, "WITHSCORES") => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    if with_scores && requested.is_some_and(|n| !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&n)) {
        return Err(CmdError::Other("ERR value is out of range".to_string()));
    }
    let proto = ctx.client.proto;
    let now = ctx.now();
    let index = ctx.client.db;
    let server = &mut *ctx.server;
    let Some(db) = server.dbs.get_mut(index) else {
        return Ok(Reply::Nil);
    };
    let zset = match db.read(arg(argv, 1), now) {
        Some(Value::ZSet(z)) => z,
        Some(_) => return Err(CmdError::WrongType),
        None => {
            return Ok(if requested.is_some() {
                Reply::Array(Vec::new())
            } else {
                Reply::Nil
            })
        }
    };
    let rng = &mut server.rng;
    let Some(n) = requested else {
        return Ok(zset
            .at(rng.below(zset.len()))
            .map_or(Reply::Nil, |(m, _)| Reply::bulk(m)));
    };
    let picks = super::random_picks(rng, zset.len(), n)?;
    let items = picks
        .into_iter()
        .filter_map(|r| zset.at(r))
        .map(|(m, s)| (m.to_vec(), s))
        .collect();
    Ok(super::zset::scored(items, with_scores, proto))
}

/// ZSCAN: the whole sorted set in one reply, scores as Redis writes them.
fn zscan(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let cursor = super::scan::parse_cursor(arg(argv, 2))?;
    let now = ctx.now();
    let zset = match ctx.db().read(arg(argv, 1), now) {
        Some(Value::ZSet(z)) => z,
        Some(_) => return Err(CmdError::WrongType),
        None => return Ok(super::scan::scan_reply(0, Vec::new())),
    };
    let options = super::scan::parse_scan_options(argv, 3, super::scan::Extra::None)?;
    // A listpack comes whole in score order; a skiplist is paged.
    let (members, next) = if zset.is_paged() {
        let (positions, next) =
            super::scan::collection_positions(true, zset.len(), cursor, options.count);
        let page = positions
            .into_iter()
            .filter_map(|i| zset.get_index(i))
            .map(|(m, s)| (m.clone(), s))
            .collect();
        (page, next)
    } else {
        (zset.entries(), 0)
    };
    let matches = super::scan::pattern_filter(options.pattern);
    let mut items = Vec::new();
    for (member, score) in members {
        if matches(&member) {
            items.push(Reply::Bulk(member));
            items.push(Reply::Bulk(crate::number::format_g17(score).into_bytes()));
        }
    }
    Ok(super::scan::scan_reply(next, items))
}
