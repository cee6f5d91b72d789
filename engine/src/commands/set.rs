//! Set commands, with Redis 7.0's algorithms where they decide what is
//! observable: SINTER walks the smallest set, SUNION/SDIFF build their
//! result starting from an intset, SDIFF picks between Redis's two
//! algorithms (which can leave SDIFFSTORE's result in different encodings).

use super::{
    all_keys, arg, int_arg, int_reply, one_key, read, removed, typed, write, Arg, ArgKind,
    BeginSearch, Body, FindKeys, KeySpec, Spec, BASE,
};
use crate::db::Db;
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;
use crate::types::{EncodingLimits, Set, Value};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "sadd",
        arity: -3,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@set", "@fast"],
        key_specs: &[one_key(None, &["RW", "insert"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(1) per member added.",
        summary: "Adds members to a set, creating it if needed; answers how many were new.",
        history: &[("2.4.0", "Several members may be given.")],
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String).multiple()],
        body: Body::Run(sadd),
        ..BASE
    },
    Spec {
        name: "srem",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@set", "@fast"],
        key_specs: &[one_key(None, &["RW", "delete"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(N) for N members removed.",
        summary: "Removes members from a set; answers how many were there.",
        history: &[("2.4.0", "Several members may be given.")],
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String).multiple()],
        body: Body::Run(srem),
        ..BASE
    },
    Spec {
        name: "scard",
        arity: 2,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@set", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Answers the number of members of a set.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(scard),
        ..BASE
    },
    Spec {
        name: "sismember",
        arity: 3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@set", "@fast"],
        key_specs: &[one_key(None, &["RO"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Answers 1 if the member is in the set, else 0.",
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String)],
        body: Body::Run(sismember),
        ..BASE
    },
    Spec {
        name: "smismember",
        arity: -3,
        flags: &["readonly", "fast"],
        keys: (1, 1, 1),
        acl: &["@read", "@set", "@fast"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "set",
        since: "6.2.0",
        complexity: "O(N) for N members checked.",
        summary: "Answers, for each given member, 1 if it is in the set and 0 if not.",
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String).multiple()],
        body: Body::Run(smismember),
        ..BASE
    },
    Spec {
        name: "smove",
        arity: 4,
        flags: &["write", "fast"],
        keys: (1, 2, 1),
        acl: &["@write", "@set", "@fast"],
        key_specs: &[one_key(None, &["RW", "access", "delete"]), KeySpec { notes: None, flags: &["RW", "insert"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "set",
        since: "1.0.0",
        complexity: "O(1)",
        summary: "Moves a member from one set to another; answers 1 if it was moved.",
        args: &[Arg::key("source", 0), Arg::key("destination", 1), Arg::new("member", ArgKind::String)],
        body: Body::Run(smove),
        ..BASE
    },
    Spec {
        name: "smembers",
        arity: 2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@set", "@slow"],
        tips: &["nondeterministic_output_order"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(N) for a set of N members.",
        summary: "Returns every member of a set.",
        args: &[Arg::key("key", 0)],
        body: Body::Run(smembers),
        ..BASE
    },
    Spec {
        name: "sinter",
        arity: -2,
        flags: &["readonly"],
        keys: (1, -1, 1),
        acl: &["@read", "@set", "@slow"],
        tips: &["nondeterministic_output_order"],
        key_specs: &[all_keys(&["RO", "access"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(N*M): the smallest set's N members checked against M sets.",
        summary: "Returns the members common to all the given sets.",
        args: &[Arg::key("key", 0).multiple()],
        body: Body::Run(sinter),
        ..BASE
    },
    Spec {
        name: "sinterstore",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, -1, 1),
        acl: &["@write", "@set", "@slow"],
        key_specs: &[one_key(None, &["RW", "update"]), KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: -1, key_step: 1, limit: 0 } }],
        group: "set",
        since: "1.0.0",
        complexity: "O(N*M): the smallest set's N members checked against M sets.",
        summary: "Stores the intersection of sets in a key; answers its size.",
        args: &[Arg::key("destination", 0), Arg::key("key", 1).multiple()],
        body: Body::Run(sinterstore),
        ..BASE
    },
    Spec {
        name: "sintercard",
        arity: -3,
        flags: &["readonly", "movablekeys"],
        acl: &["@read", "@set", "@slow"],
        key_specs: &[KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynum_idx: 0, first_key: 1, key_step: 1 } }],
        group: "set",
        since: "7.0.0",
        complexity: "O(N*M): the smallest set's N members checked against M sets.",
        summary: "Counts the members common to all the given sets, stopping at an optional LIMIT.",
        args: &[Arg::new("numkeys", ArgKind::Integer), Arg::key("key", 0).multiple(), Arg::new("limit", ArgKind::Integer).token("LIMIT").optional()],
        body: Body::Run(sintercard),
        ..BASE
    },
    Spec {
        name: "sunion",
        arity: -2,
        flags: &["readonly"],
        keys: (1, -1, 1),
        acl: &["@read", "@set", "@slow"],
        tips: &["nondeterministic_output_order"],
        key_specs: &[all_keys(&["RO", "access"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(N) for the N members of all the sets read.",
        summary: "Returns the members present in any of the given sets.",
        args: &[Arg::key("key", 0).multiple()],
        body: Body::Run(sunion),
        ..BASE
    },
    Spec {
        name: "sunionstore",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, -1, 1),
        acl: &["@write", "@set", "@slow"],
        key_specs: &[one_key(None, &["OW", "update"]), KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: -1, key_step: 1, limit: 0 } }],
        group: "set",
        since: "1.0.0",
        complexity: "O(N) for the N members of all the sets read.",
        summary: "Stores the union of sets in a key; answers its size.",
        args: &[Arg::key("destination", 0), Arg::key("key", 1).multiple()],
        body: Body::Run(sunionstore),
        ..BASE
    },
    Spec {
        name: "sdiff",
        arity: -2,
        flags: &["readonly"],
        keys: (1, -1, 1),
        acl: &["@read", "@set", "@slow"],
        tips: &["nondeterministic_output_order"],
        key_specs: &[all_keys(&["RO", "access"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(N) for the N members of all the sets read.",
        summary: "Returns the members of the first set that are in none of the others.",
        args: &[Arg::key("key", 0).multiple()],
        body: Body::Run(sdiff),
        ..BASE
    },
    Spec {
        name: "sdiffstore",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, -1, 1),
        acl: &["@write", "@set", "@slow"],
        key_specs: &[one_key(None, &["OW", "update"]), KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: -1, key_step: 1, limit: 0 } }],
        group: "set",
        since: "1.0.0",
        complexity: "O(N) for the N members of all the sets read.",
        summary: "Stores the difference of sets in a key; answers its size.",
        args: &[Arg::key("destination", 0), Arg::key("key", 1).multiple()],
        body: Body::Run(sdiffstore),
        ..BASE
    },
    Spec {
        name: "spop",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        acl: &["@write", "@set", "@fast"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RW", "access", "delete"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(N) for N members popped.",
        summary: "Removes and returns random members of a set.",
        history: &[("3.2.0", "The count argument arrived.")],
        args: &[Arg::key("key", 0), Arg::new("count", ArgKind::Integer).since("3.2.0").optional()],
        body: Body::Run(spop),
        ..BASE
    },
    Spec {
        name: "srandmember",
        arity: -2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@set", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "set",
        since: "1.0.0",
        complexity: "O(N) for N members returned.",
        summary: "Returns random members of a set without removing them: distinct for a positive count, possibly repeated for a negative one.",
        history: &[("2.6.0", "The count argument arrived.")],
        args: &[Arg::key("key", 0), Arg::new("count", ArgKind::Integer).since("2.6.0").optional()],
        body: Body::Run(srandmember),
        ..BASE
    },
    Spec {
        name: "sscan",
        arity: -3,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@set", "@slow"],
        tips: &["nondeterministic_output"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "set",
        since: "2.8.0",
        complexity: "O(1) per call; O(N) to walk the whole set.",
        summary: "Walks the members of a set with a cursor, optionally filtered by pattern.",
        args: super::scan::COLLECTION_SCAN_ARGS,
        body: Body::Run(sscan),
        ..BASE
    },
];

fn members_reply(set: &Set) -> Vec<Reply> {
    set.iter().map(|m| Reply::Bulk(m.into_owned())).collect()
}

fn sadd(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let members = argv.get(2..).unwrap_or_default();
    let first = members.first().copied().unwrap_or_default();
    let now = ctx.now();
    let limits = ctx.server.limits;
    let key = arg(argv, 1);
    let Some(Value::Set(set)) = ctx.db().get_or_insert(key, now, || {
        Value::Set(Box::new(Set::create(Some(first), members.len(), &limits)))
    }) else {
        return Err(CmdError::WrongType);
    };
    let added = members.iter().filter(|m| set.add(m, &limits)).count();
    // Members already there change nothing: no event, and WATCH holds.
    if added > 0 {
        ctx.modified(class::SET, "sadd", key);
    }
    Ok(int_reply(added))
}

fn srem(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let Some(set) = write::<Set>(ctx, key)? else {
        return Ok(Reply::Int(0));
    };
    let gone = argv.iter().skip(2).filter(|m| set.remove(m)).count();
    if gone > 0 {
        removed::<Set>(ctx, class::SET, "srem", key);
    }
    Ok(int_reply(gone))
}

fn scard(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(int_reply(
        read::<Set>(ctx, arg(argv, 1))?.map_or(0, |s| s.len()),
    ))
}

fn sismember(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let found = read::<Set>(ctx, arg(argv, 1))?.is_some_and(|s| s.contains(arg(argv, 2)));
    Ok(Reply::Int(i64::from(found)))
}

fn smismember(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let set = read::<Set>(ctx, arg(argv, 1))?;
    let answers = argv
        .iter()
        .skip(2)
        .map(|m| Reply::Int(i64::from(set.as_ref().is_some_and(|s| s.contains(m)))))
        .collect();
    Ok(Reply::Array(answers))
}

fn smove(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (from, to, member) = (arg(argv, 1), arg(argv, 2), arg(argv, 3));
    let now = ctx.now();
    let limits = ctx.server.limits;
    let db = ctx.db();
    // Both keys are looked up (accessed) first; a missing source answers
    // 0 before either type is checked.
    let source = typed::<Set>(db.get(from, now)).map(|s| s.is_some());
    let dest = typed::<Set>(db.get(to, now)).map(|s| s.is_some());
    if matches!(source, Ok(false)) {
        return Ok(Reply::Int(0));
    }
    source?;
    let dest_exists = dest?;
    if from == to {
        let present = typed::<Set>(db.again(from))?.is_some_and(|s| s.contains(member));
        return Ok(Reply::Int(i64::from(present)));
    }
    let Some(source) = typed::<Set>(db.again(from))? else {
        return Ok(Reply::Int(0));
    };
    if !source.remove(member) {
        return Ok(Reply::Int(0));
    }
    // The source's events come before the destination is created.
    removed::<Set>(ctx, class::SET, "srem", from);
    let db = ctx.db();
    if !dest_exists {
        let fresh = Set::create(Some(member), 1, &limits);
        db.insert(to.to_vec(), Value::Set(Box::new(fresh)), None, now);
    }
    let added = typed::<Set>(db.again(to))?.is_some_and(|dest| dest.add(member, &limits));
    if added {
        ctx.modified(class::SET, "sadd", to);
    }
    Ok(Reply::Int(1))
}

/// Looks up every key as a reading command does (expiry, statistics, the
/// WRONGTYPE check in order), then lends out the sets side by side.
fn lookup_sets<'a>(ctx: &'a mut Ctx<'_>, keys: &[&[u8]]) -> Result<Vec<Option<&'a Set>>, CmdError> {
    let now = ctx.now();
    let db = ctx.db();
    for key in keys {
        typed::<Set>(db.read(key, now))?;
    }
    let db: &Db = db;
    Ok(keys
        .iter()
        .map(|key| match db.value(key) {
            Some(Value::Set(s)) => Some(&**s),
            _ => None,
        })
        .collect())
}

/// The intersection, walked from the smallest set: its members in that
/// set's order, up to `limit`.
fn intersection(sets: &[Option<&Set>], limit: usize) -> Vec<Vec<u8>> {
    let Some(mut present) = sets.iter().copied().collect::<Option<Vec<&Set>>>() else {
        return Vec::new();
    };
    present.sort_by_key(|s| s.len());
    let Some((smallest, others)) = present.split_first() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for member in smallest.iter() {
        if found.len() >= limit {
            break;
        }
        if others
            .iter()
            .all(|other| std::ptr::eq(*other, *smallest) || other.contains(&member))
        {
            found.push(member.into_owned());
        }
    }
    found
}

fn union(sets: &[Option<&Set>], limits: &EncodingLimits) -> Set {
    let mut result = Set::default();
    for set in sets.iter().flatten() {
        for member in set.iter() {
            result.add(&member, limits);
        }
    }
    result
}

/// SDIFF with Redis's choice of algorithm, since the choice shows in the
/// result's encoding: 1 adds only the survivors, 2 adds all of the first
/// set and then removes.
fn difference(keys: &[&[u8]], sets: &[Option<&Set>], limits: &EncodingLimits) -> Set {
    let mut result = Set::default();
    let Some(Some(first)) = sets.first() else {
        return result;
    };
    let same_key_again = keys
        .iter()
        .skip(1)
        .zip(sets.iter().skip(1))
        .any(|(k, s)| s.is_some() && Some(k) == keys.first());
    if same_key_again {
        return result;
    }
    let others: Vec<&Set> = sets.iter().skip(1).flatten().copied().collect();
    let present = 1 + others.len();
    let work_one = first.len().saturating_mul(present) / 2;
    let work_two = first.len() + others.iter().map(|s| s.len()).sum::<usize>();
    if work_one <= work_two {
        for member in first.iter() {
            if !others.iter().any(|o| o.contains(&member)) {
                result.add(&member, limits);
            }
        }
    } else {
        for member in first.iter() {
            result.add(&member, limits);
        }
        for other in &others {
            for member in other.iter() {
                result.remove(&member);
            }
        }
    }
    result
}

/// Stores a computed set at `dest` and announces it as `event`; an empty
/// result deletes `dest` instead (with `del`, if it was there).
fn store(ctx: &mut Ctx<'_>, dest: &[u8], result: Set, event: &str) -> Reply {
    let size = result.len();
    let now = ctx.now();
    let db = ctx.db();
    if size == 0 {
        if db.remove(dest) {
            ctx.deleted(dest);
        }
    } else {
        db.set(dest.to_vec(), Value::Set(Box::new(result)), false, now);
        ctx.modified(class::SET, event, dest);
    }
    int_reply(size)
}

fn smembers(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::Set(
        read::<Set>(ctx, arg(argv, 1))?
            .map(|s| members_reply(s))
            .unwrap_or_default(),
    ))
}

fn sinter(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let keys = argv.get(1..).unwrap_or_default();
    let sets = lookup_sets(ctx, keys)?;
    let found = intersection(&sets, usize::MAX);
    Ok(Reply::Set(found.into_iter().map(Reply::Bulk).collect()))
}

fn sinterstore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let keys = argv.get(2..).unwrap_or_default();
    let limits = ctx.server.limits;
    let sets = lookup_sets(ctx, keys)?;
    // Redis builds the stored result from an intset, whatever the inputs.
    let mut result = Set::default();
    for member in &intersection(&sets, usize::MAX) {
        result.add(member, &limits);
    }
    Ok(store(ctx, arg(argv, 1), result, "sinterstore"))
}

fn sintercard(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let numkeys = match crate::number::parse_i64(arg(argv, 1)) {
        Some(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => {
            return Err(CmdError::Other(
                "ERR numkeys should be greater than 0".to_string(),
            ))
        }
    };
    if numkeys > argv.len() - 2 {
        return Err(CmdError::Other(
            "ERR Number of keys can't be greater than number of args".to_string(),
        ));
    }
    let mut limit = 0usize;
    let mut j = 2 + numkeys;
    while let Some(&opt) = argv.get(j) {
        match argv.get(j + 1) {
            Some(&value) if super::is_opt(opt, "LIMIT") => {
                limit = match crate::number::parse_i64(value) {
                    Some(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
                    _ => return Err(CmdError::Other("ERR LIMIT can't be negative".to_string())),
                };
            }
            _ => return Err(CmdError::Syntax),
        }
        j += 2;
    }
    let sets = lookup_sets(ctx, argv.get(2..2 + numkeys).unwrap_or_default())?;
    Ok(int_reply(
        intersection(&sets, if limit == 0 { usize::MAX } else { limit }).len(),
    ))
}

fn sunion(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let limits = ctx.server.limits;
    let sets = lookup_sets(ctx, argv.get(1..).unwrap_or_default())?;
    Ok(Reply::Set(members_reply(&union(&sets, &limits))))
}

fn sunionstore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let limits = ctx.server.limits;
    let sets = lookup_sets(ctx, argv.get(2..).unwrap_or_default())?;
    let result = union(&sets, &limits);
    Ok(store(ctx, arg(argv, 1), result, "sunionstore"))
}

fn sdiff(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let keys = argv.get(1..).unwrap_or_default();
    let limits = ctx.server.limits;
    let sets = lookup_sets(ctx, keys)?;
    Ok(Reply::Set(members_reply(&difference(keys, &sets, &limits))))
}

fn sdiffstore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let keys = argv.get(2..).unwrap_or_default();
    let limits = ctx.server.limits;
    let sets = lookup_sets(ctx, keys)?;
    let result = difference(keys, &sets, &limits);
    Ok(store(ctx, arg(argv, 1), result, "sdiffstore"))
}

/// SPOP with a count rebuilds the set once the survivors times this are no
/// more than the popped (Redis's `SPOP_MOVE_STRATEGY_MUL`).
const SPOP_MOVE_STRATEGY_MUL: usize = 5;

/// A count argument that must not be negative (SPOP), with Redis's text.
fn positive_count(raw: &[u8]) -> Result<usize, CmdError> {
    match crate::number::parse_i64(raw) {
        Some(n) if n >= 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        _ => Err(CmdError::Other(
            "ERR value is out of range, must be positive".to_string(),
        )),
    }
}

fn spop(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let key = arg(argv, 1);
    let wanted = match argv.len() {
        2 => None,
        3 => Some(positive_count(arg(argv, 2))?),
        _ => return Err(CmdError::Syntax),
    };
    let now = ctx.now();
    let index = ctx.client.db;
    let server = &mut *ctx.server;
    let Some(db) = server.dbs.get_mut(index) else {
        return Ok(Reply::Nil);
    };
    let Some(set) = typed::<Set>(db.get(key, now))? else {
        return Ok(if wanted.is_some() {
            Reply::Set(Vec::new())
        } else {
            Reply::Nil
        });
    };
    let take_all = wanted.is_some_and(|n| n >= set.len());
    let reply = match wanted {
        None => {
            let i = server.rng.below(set.len());
            set.take_index(i).map_or(Reply::Nil, Reply::Bulk)
        }
        Some(0) => Reply::Set(Vec::new()),
        // Everything: answered in the set's order, as Redis's SUNION of one.
        Some(n) if n >= set.len() => Reply::Set(members_reply(set)),
        Some(n) => {
            let popped = (0..n)
                .filter_map(|_| {
                    let i = server.rng.below(set.len());
                    set.take_index(i)
                })
                .map(Reply::Bulk)
                .collect();
            // Redis pops one by one while the survivors outnumber a fifth
            // of the popped; otherwise it moves the survivors to a new set.
            if set.len().saturating_mul(SPOP_MOVE_STRATEGY_MUL) <= n {
                set.rebuild(&server.limits);
            }
            Reply::Set(popped)
        }
    };
    let emptied = take_all || set.is_empty();
    if emptied {
        db.remove(key);
    }
    // One event for however many members went; a count of 0 pops none.
    if wanted != Some(0) {
        ctx.modified(class::SET, "spop", key);
        if emptied {
            ctx.notify(class::GENERIC, "del", key);
        }
    }
    Ok(reply)
}

fn srandmember(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let requested = match argv.len() {
        2 => None,
        3 => {
            let n = int_arg(arg(argv, 2))?;
            if n == i64::MIN {
                return Err(CmdError::Other(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
                        .to_string(),
                ));
            }
            Some(n)
        }
        _ => return Err(CmdError::Syntax),
    };
    let now = ctx.now();
    let index = ctx.client.db;
    let server = &mut *ctx.server;
    let Some(db) = server.dbs.get_mut(index) else {
        return Ok(Reply::Nil);
    };
    let Some(set) = typed::<Set>(db.read(arg(argv, 1), now))? else {
        return Ok(if requested.is_some() {
            Reply::Array(Vec::new())
        } else {
            Reply::Nil
        });
    };
    let rng = &mut server.rng;
    let Some(n) = requested else {
        return Ok(set
            .get_index(rng.below(set.len()))
            .map_or(Reply::Nil, Reply::Bulk));
    };
    let picks = super::random_picks(rng, set.len(), n)?;
    Ok(Reply::Array(
        picks
            .into_iter()
            .filter_map(|i| set.get_index(i))
            .map(Reply::Bulk)
            .collect(),
    ))
}

/// SSCAN: compact sets come whole in one reply, as Redis answers them; a
/// hashtable set is paged (see `scan::collection_positions`).
fn sscan(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let cursor = super::scan::parse_cursor(arg(argv, 2))?;
    let Some(set) = read::<Set>(ctx, arg(argv, 1))? else {
        return Ok(super::scan::scan_reply(0, Vec::new()));
    };
    // Redis reads the options only once the key is found.
    let options = super::scan::parse_scan_options(argv, 3, super::scan::Extra::None)?;
    let (positions, next) =
        super::scan::collection_positions(set.is_paged(), set.len(), cursor, options.count);
    let matches = super::scan::pattern_filter(options.pattern);
    let items = positions
        .into_iter()
        .filter_map(|i| set.get_index(i))
        .filter(|m| matches(m))
        .map(Reply::Bulk)
        .collect();
    Ok(super::scan::scan_reply(next, items))
}
