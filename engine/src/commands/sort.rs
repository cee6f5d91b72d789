//! SORT and SORT_RO: sort the elements of a list, set or sorted set,
//! numerically or ALPHA, ASC or DESC, BY the values of
//! other keys, LIMIT, GET other keys (`#` = the element, `key->field` reads
//! a hash field), and STORE the result as a list.

use std::cmp::Ordering;

use super::{
    int_arg, is_opt, one_key, Arg, ArgKind, BeginSearch, Body, FindKeys, KeySpec, Spec, BASE,
};
use crate::db::Db;
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::notify::class;
use crate::reply::Reply;
use crate::types::{List, Value};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "sort",
        arity: -2,
        flags: &["write", "denyoom", "movablekeys"],
        keys: (1, 1, 1),
        acl: &["@write", "@set", "@sortedset", "@list", "@slow", "@dangerous"],
        key_specs: &[one_key(None, &["RO", "access"]), KeySpec { notes: Some("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"), flags: &["RO", "access"], begin: BeginSearch::Unknown, find: FindKeys::Unknown }, KeySpec { notes: Some("For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"), flags: &["OW", "update"], begin: BeginSearch::Unknown, find: FindKeys::Unknown }],
        group: "generic",
        since: "1.0.0",
        complexity: "O(N + M log M) for N elements of which M are returned sorted.",
        summary: "Sorts a list, set or sorted set, possibly by external keys, and returns or stores the result.",
        args: &[Arg::key("key", 0), Arg::new("pattern", ArgKind::Pattern).key_spec(1).token("BY").optional(), Arg::block("offset_count", &[Arg::new("offset", ArgKind::Integer), Arg::new("count", ArgKind::Integer)]).token("LIMIT").optional(), Arg::new("pattern", ArgKind::Pattern).key_spec(1).token("GET").optional().multiple().multiple_token(), Arg::one_of("order", &[Arg::pure_token("asc", "ASC"), Arg::pure_token("desc", "DESC")]).optional(), Arg::pure_token("sorting", "ALPHA").optional(), Arg::key("destination", 2).token("STORE").optional()],
        body: Body::Run(sort),
        ..BASE
    },
    Spec {
        name: "sort_ro",
        arity: -2,
        flags: &["readonly", "movablekeys"],
        keys: (1, 1, 1),
        acl: &["@read", "@set", "@sortedset", "@list", "@slow", "@dangerous"],
        key_specs: &[one_key(None, &["RO", "access"]), KeySpec { notes: Some("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"), flags: &["RO", "access"], begin: BeginSearch::Unknown, find: FindKeys::Unknown }],
        group: "generic",
        since: "7.0.0",
        complexity: "O(N + M log M) for N elements of which M are returned sorted.",
        summary: "SORT without STORE, safe for read-only replicas and scripts.",
        args: &[Arg::key("key", 0), Arg::new("pattern", ArgKind::Pattern).key_spec(1).token("BY").optional(), Arg::block("offset_count", &[Arg::new("offset", ArgKind::Integer), Arg::new("count", ArgKind::Integer)]).token("LIMIT").optional(), Arg::new("pattern", ArgKind::Pattern).key_spec(1).token("GET").optional().multiple().multiple_token(), Arg::one_of("order", &[Arg::pure_token("asc", "ASC"), Arg::pure_token("desc", "DESC")]).optional(), Arg::pure_token("sorting", "ALPHA").optional()],
        body: Body::Run(sort_ro),
        ..BASE
    },
];

struct SortOptions<'a> {
    desc: bool,
    alpha: bool,
    limit: Option<(i64, i64)>,
    by: Option<&'a [u8]>,
    gets: Vec<&'a [u8]>,
    store: Option<&'a [u8]>,
}

fn parse_options<'a>(argv: &[&'a [u8]], read_only: bool) -> Result<SortOptions<'a>, CmdError> {
    let mut opts = SortOptions {
        desc: false,
        alpha: false,
        limit: None,
        by: None,
        gets: Vec::new(),
        store: None,
    };
    let mut j = 2;
    while let Some(&word) = argv.get(j) {
        let left = argv.len() - j - 1;
        let next = argv.get(j + 1).copied().unwrap_or_default();
        if is_opt(word, "ASC") {
            opts.desc = false;
        } else if is_opt(word, "DESC") {
            opts.desc = true;
        } else if is_opt(word, "ALPHA") {
            opts.alpha = true;
        } else if is_opt(word, "LIMIT") && left >= 2 {
            let offset = int_arg(next)?;
            let count = int_arg(argv.get(j + 2).copied().unwrap_or_default())?;
            opts.limit = Some((offset, count));
            j += 2;
        } else if !read_only && is_opt(word, "STORE") && left >= 1 {
            opts.store = Some(next);
            j += 1;
        } else if is_opt(word, "BY") && left >= 1 {
            opts.by = Some(next);
            j += 1;
        } else if is_opt(word, "GET") && left >= 1 {
            opts.gets.push(next);
            j += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    Ok(opts)
}

/// Redis's `lookupKeyByPattern`: `#` is the element itself; otherwise the
/// first `*` is replaced by the element, and `->field` after it reads a
/// hash field. Only strings (or hash fields) are found; anything else is nil.
fn lookup_by_pattern(db: &mut Db, now: i64, pattern: &[u8], element: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" {
        return Some(element.to_vec());
    }
    let star = pattern.iter().position(|&b| b == b'*')?;
    let after = &pattern[star + 1..];
    let arrow = after
        .windows(2)
        .position(|w| w == b"->")
        .filter(|&at| at + 2 < after.len());
    let (suffix, field) = match arrow {
        Some(at) => (&after[..at], Some(&after[at + 2..])),
        None => (after, None),
    };
    let mut key = Vec::with_capacity(pattern.len() + element.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(element);
    key.extend_from_slice(suffix);
    match (db.read(&key, now)?, field) {
        (Value::String(s), None) => Some(s.as_bytes().into_owned()),
        (Value::Hash(h), Some(field)) => h.get(field).cloned(),
        _ => None,
    }
}

/// A score as SORT reads it with C's `strtod`: the whole argument must be a
/// number; NaN and out-of-range values are refused.
fn parse_score(raw: &[u8]) -> Option<f64> {
    let (value, erange) = crate::number::strtod(raw)?;
    (!value.is_nan() && !erange).then_some(value)
}

struct Item {
    element: Vec<u8>,
    score: f64,
    by_value: Option<Vec<u8>>,
}

fn sort(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    sort_generic(ctx, argv, false)
}

fn sort_ro(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    sort_generic(ctx, argv, true)
}

fn sort_generic(ctx: &mut Ctx<'_>, argv: &[&[u8]], read_only: bool) -> Result<Reply, CmdError> {
    let opts = parse_options(argv, read_only)?;
    let key = argv.get(1).copied().unwrap_or_default();
    let now = ctx.now();
    let (elements, is_set): (Vec<Vec<u8>>, bool) = match ctx.db().read(key, now) {
        Some(Value::List(list)) => (list.iter().cloned().collect(), false),
        Some(Value::Set(set)) => (set.iter().map(|m| m.into_owned()).collect(), true),
        // A sorted set gives its members in score order, like a list.
        Some(Value::ZSet(zset)) => (zset.entries().into_iter().map(|(m, _)| m).collect(), false),
        Some(_) => return Err(CmdError::WrongType),
        None => (Vec::new(), false),
    };
    let mut opts = opts;
    // A BY pattern without `*` means "do not sort"; but a set has no order
    // of its own, so when the result is stored Redis sorts it ALPHA.
    let mut dont_sort = opts.by.is_some_and(|p| !p.contains(&b'*'));
    if dont_sort && is_set && opts.store.is_some() {
        dont_sort = false;
        opts.alpha = true;
        opts.by = None;
    }
    let len = i64::try_from(elements.len()).unwrap_or(i64::MAX);
    let (offset, count) = opts.limit.unwrap_or((0, -1));
    let mut start = offset.max(0);
    let mut end = if count < 0 {
        len - 1
    } else {
        start.saturating_add(count) - 1
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    end = end.min(len - 1);

    let limits = ctx.server.limits;
    let db = ctx.db();
    let mut items: Vec<Item> = elements
        .into_iter()
        .map(|element| Item {
            element,
            score: 0.0,
            by_value: None,
        })
        .collect();
    if dont_sort {
        // Lists keep their order (reversed for DESC).
        if opts.desc && !is_set {
            items.reverse();
        }
    } else {
        let mut conversion_error = false;
        for item in &mut items {
            let by_value = match opts.by {
                Some(pattern) => match lookup_by_pattern(db, now, pattern, &item.element) {
                    Some(v) => Some(v),
                    None => continue,
                },
                None => None,
            };
            if opts.alpha {
                item.by_value = by_value;
            } else {
                let source = by_value.as_deref().unwrap_or(&item.element);
                match parse_score(source) {
                    Some(score) => item.score = score,
                    None => conversion_error = true,
                }
            }
        }
        if conversion_error {
            return Err(CmdError::Other(
                "ERR One or more scores can't be converted into double".to_string(),
            ));
        }
        let by = opts.by.is_some();
        items.sort_by(|a, b| {
            let order = if !opts.alpha {
                a.score
                    .partial_cmp(&b.score)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| a.element.cmp(&b.element))
            } else if by {
                // Elements whose BY key is missing sort first.
                match (&a.by_value, &b.by_value) {
                    (Some(x), Some(y)) => x.cmp(y),
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                }
            } else {
                a.element.cmp(&b.element)
            };
            if opts.desc {
                order.reverse()
            } else {
                order
            }
        });
    }
    let window: Vec<&Item> = if end >= start && start >= 0 {
        let (s, e) = (
            usize::try_from(start).unwrap_or(0),
            usize::try_from(end).unwrap_or(0),
        );
        items
            .get(s..=e)
            .map(|w| w.iter().collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut output: Vec<Option<Vec<u8>>> = Vec::new();
    for item in window {
        if opts.gets.is_empty() {
            output.push(Some(item.element.clone()));
        }
        for pattern in &opts.gets {
            output.push(lookup_by_pattern(db, now, pattern, &item.element));
        }
    }
    let Some(dest) = opts.store else {
        return Ok(Reply::Array(
            output
                .into_iter()
                .map(|v| v.map_or(Reply::Nil, Reply::Bulk))
                .collect(),
        ));
    };
    let stored = output.len();
    if stored == 0 {
        if db.remove(dest) {
            ctx.deleted(dest);
        }
    } else {
        let elements = output.into_iter().map(Option::unwrap_or_default).collect();
        let list = List::from_elements(elements, &limits);
        db.set(dest.to_vec(), Value::List(Box::new(list)), false, now);
        ctx.modified(class::LIST, "sortstore", dest);
    }
    Ok(Reply::Int(i64::try_from(stored).unwrap_or(i64::MAX)))
}
