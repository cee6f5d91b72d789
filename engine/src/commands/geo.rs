//! Geospatial commands (Redis 7.0): GEOADD, GEODIST, GEOHASH, GEOPOS, and the
//! searches GEOSEARCH, GEOSEARCHSTORE and the older GEORADIUS family. A
//! geospatial index is an ordinary sorted set whose scores are 52-bit
//! geohashes (`crate::geo::hash`), so ZRANGE and friends work on it and the
//! readers work on any sorted set. Searches scan the score ranges of nine
//! cells around the shape (`crate::geo::area`), keep the members inside it,
//! and reply in Redis's order: the scan order, or sorted by distance the
//! way Redis's sorts order it (`crate::geo::sort`).

use std::cmp::Ordering;

use super::{
    arg, int_arg, int_reply, is_opt, one_key, read, Arg, ArgKind, BeginSearch, Body, FindKeys,
    KeySpec, Spec, BASE,
};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::geo::area::{self, Extent, Shape};
use crate::geo::{hash, sort};
use crate::long_double::LongDouble;
use crate::number::parse_double;
use crate::reply::Reply;
use crate::types::ZSet;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "geoadd",
        arity: -5,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        acl: &["@write", "@geo", "@slow"],
        key_specs: &[one_key(None, &["RW", "update"])],
        group: "geo",
        since: "3.2.0",
        complexity: "O(log N) per position added, N being the size of the set.",
        summary: "Adds positions (longitude, latitude, member) to a geospatial index, a sorted set scored by geohash; NX, XX and CH as in ZADD.",
        history: &[("6.2.0", "NX, XX and CH arrived.")],
        args: &[Arg::key("key", 0), Arg::one_of("condition", &[Arg::pure_token("nx", "NX"), Arg::pure_token("xx", "XX")]).since("6.2.0").optional(), Arg::pure_token("change", "CH").since("6.2.0").optional(), Arg::block("longitude_latitude_member", &[Arg::new("longitude", ArgKind::Double), Arg::new("latitude", ArgKind::Double), Arg::new("member", ArgKind::String)]).multiple()],
        body: Body::Run(geoadd),
        ..BASE
    },
    Spec {
        name: "geodist",
        arity: -4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@geo", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "geo",
        since: "3.2.0",
        complexity: "O(1)",
        summary: "Answers the distance between two members of a geospatial index, in metres, kilometres, feet or miles.",
        args: &[Arg::key("key", 0), Arg::new("member1", ArgKind::String), Arg::new("member2", ArgKind::String), Arg::one_of("unit", &[Arg::pure_token("m", "M"), Arg::pure_token("km", "KM"), Arg::pure_token("ft", "FT"), Arg::pure_token("mi", "MI")]).optional()],
        body: Body::Run(geodist),
        ..BASE
    },
    Spec {
        name: "geohash",
        arity: -2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@geo", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "geo",
        since: "3.2.0",
        complexity: "O(1) per member.",
        summary: "Answers the 11-character standard geohash text of members of a geospatial index.",
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String).multiple()],
        body: Body::Run(geohash),
        ..BASE
    },
    Spec {
        name: "geopos",
        arity: -2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@geo", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "geo",
        since: "3.2.0",
        complexity: "O(1) per member.",
        summary: "Answers the longitude and latitude of members of a geospatial index (or of any sorted set, its scores read as geohashes).",
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String).multiple()],
        body: Body::Run(geopos),
        ..BASE
    },
    Spec {
        name: "geosearch",
        arity: -7,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@geo", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "geo",
        since: "6.2.0",
        complexity: "O(N + log M): N members in the cells around the searched area, M members in the index.",
        summary: "Finds the members of a geospatial index within a circle or a box around a member or a position, optionally sorted, counted, and with distances, coordinates and hashes.",
        history: &[("7.0.0", "Units may be written in capitals.")],
        args: &[Arg::key("key", 0), Arg::one_of("from", &[Arg::new("member", ArgKind::String).token("FROMMEMBER"), Arg::block("longitude_latitude", &[Arg::new("longitude", ArgKind::Double), Arg::new("latitude", ArgKind::Double)]).token("FROMLONLAT")]), Arg::one_of("by", &[Arg::block("circle", &[Arg::new("radius", ArgKind::Double).token("BYRADIUS"), Arg::one_of("unit", &[Arg::pure_token("m", "M"), Arg::pure_token("km", "KM"), Arg::pure_token("ft", "FT"), Arg::pure_token("mi", "MI")])]), Arg::block("box", &[Arg::new("width", ArgKind::Double).token("BYBOX"), Arg::new("height", ArgKind::Double), Arg::one_of("unit", &[Arg::pure_token("m", "M"), Arg::pure_token("km", "KM"), Arg::pure_token("ft", "FT"), Arg::pure_token("mi", "MI")])])]), Arg::one_of("order", &[Arg::pure_token("asc", "ASC"), Arg::pure_token("desc", "DESC")]).optional(), Arg::block("count", &[Arg::new("count", ArgKind::Integer).token("COUNT"), Arg::pure_token("any", "ANY").optional()]).optional(), Arg::pure_token("withcoord", "WITHCOORD").optional(), Arg::pure_token("withdist", "WITHDIST").optional(), Arg::pure_token("withhash", "WITHHASH").optional()],
        body: Body::Run(geosearch),
        ..BASE
    },
    Spec {
        name: "geosearchstore",
        arity: -8,
        flags: &["write", "denyoom"],
        keys: (1, 2, 1),
        acl: &["@write", "@geo", "@slow"],
        key_specs: &[one_key(None, &["OW", "update"]), KeySpec { notes: None, flags: &["RO", "access"], begin: BeginSearch::Index(2), find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "geo",
        since: "6.2.0",
        complexity: "O(N + log M): N members in the cells around the searched area, M members in the index.",
        summary: "Runs a GEOSEARCH and stores the members found in a sorted set, scored by geohash or (STOREDIST) by distance; answers how many.",
        history: &[("7.0.0", "Units may be written in capitals.")],
        args: &[Arg::key("destination", 0), Arg::key("source", 1), Arg::one_of("from", &[Arg::new("member", ArgKind::String).token("FROMMEMBER"), Arg::block("longitude_latitude", &[Arg::new("longitude", ArgKind::Double), Arg::new("latitude", ArgKind::Double)]).token("FROMLONLAT")]), Arg::one_of("by", &[Arg::block("circle", &[Arg::new("radius", ArgKind::Double).token("BYRADIUS"), Arg::one_of("unit", &[Arg::pure_token("m", "M"), Arg::pure_token("km", "KM"), Arg::pure_token("ft", "FT"), Arg::pure_token("mi", "MI")])]), Arg::block("box", &[Arg::new("width", ArgKind::Double).token("BYBOX"), Arg::new("height", ArgKind::Double), Arg::one_of("unit", &[Arg::pure_token("m", "M"), Arg::pure_token("km", "KM"), Arg::pure_token("ft", "FT"), Arg::pure_token("mi", "MI")])])]), Arg::one_of("order", &[Arg::pure_token("asc", "ASC"), Arg::pure_token("desc", "DESC")]).optional(), Arg::block("count", &[Arg::new("count", ArgKind::Integer).token("COUNT"), Arg::pure_token("any", "ANY").optional()]).optional(), Arg::pure_token("storedist", "STOREDIST").optional()],
        body: Body::Run(geosearchstore),
        ..BASE
    },
    Spec {
        name: "georadius",
        arity: -6,
        flags: &["write", "denyoom", "movablekeys"],
        keys: (1, 1, 1),
        acl: &["@write", "@geo", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"]), KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Keyword { keyword: "STORE", start_from: 6 }, find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }, KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Keyword { keyword: "STOREDIST", start_from: 6 }, find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.0",
        complexity: "O(N + log M): N members in the cells around the circle, M members in the index.",
        summary: "Finds the members of a geospatial index within a radius of a position; can store the result (STORE, STOREDIST).",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("GEOSEARCH with BYRADIUS, or GEOSEARCHSTORE to store"),
        history: &[("6.2.0", "COUNT took the ANY modifier."), ("7.0.0", "Units may be written in capitals.")],
        args: &[Arg::key("key", 0), Arg::new("longitude", ArgKind::Double), Arg::new("latitude", ArgKind::Double), Arg::new("radius", ArgKind::Double), Arg::one_of("unit", &[Arg::pure_token("m", "M"), Arg::pure_token("km", "KM"), Arg::pure_token("ft", "FT"), Arg::pure_token("mi", "MI")]), Arg::pure_token("withcoord", "WITHCOORD").optional(), Arg::pure_token("withdist", "WITHDIST").optional(), Arg::pure_token("withhash", "WITHHASH").optional(), Arg::block("count", &[Arg::new("count", ArgKind::Integer).token("COUNT"), Arg::pure_token("any", "ANY").since("6.2.0").optional()]).optional(), Arg::one_of("order", &[Arg::pure_token("asc", "ASC"), Arg::pure_token("desc", "DESC")]).optional(), Arg::key("key", 1).token("STORE").optional(), Arg::key("key", 2).token("STOREDIST").optional()],
        body: Body::Run(georadius),
        ..BASE
    },
    Spec {
        name: "georadius_ro",
        arity: -6,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@geo", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "geo",
        since: "3.2.10",
        complexity: "O(N + log M): N members in the cells around the circle, M members in the index.",
        summary: "The read-only GEORADIUS: the same search, without STORE options.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("GEOSEARCH with BYRADIUS"),
        history: &[("6.2.0", "COUNT took the ANY modifier.")],
        args: &[Arg::key("key", 0), Arg::new("longitude", ArgKind::Double), Arg::new("latitude", ArgKind::Double), Arg::new("radius", ArgKind::Double), Arg::one_of("unit", &[Arg::pure_token("m", "M"), Arg::pure_token("km", "KM"), Arg::pure_token("ft", "FT"), Arg::pure_token("mi", "MI")]), Arg::pure_token("withcoord", "WITHCOORD").optional(), Arg::pure_token("withdist", "WITHDIST").optional(), Arg::pure_token("withhash", "WITHHASH").optional(), Arg::block("count", &[Arg::new("count", ArgKind::Integer).token("COUNT"), Arg::pure_token("any", "ANY").since("6.2.0").optional()]).optional(), Arg::one_of("order", &[Arg::pure_token("asc", "ASC"), Arg::pure_token("desc", "DESC")]).optional()],
        body: Body::Run(georadius_ro),
        ..BASE
    },
    Spec {
        name: "georadiusbymember",
        arity: -5,
        flags: &["write", "denyoom", "movablekeys"],
        keys: (1, 1, 1),
        acl: &["@write", "@geo", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"]), KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Keyword { keyword: "STORE", start_from: 5 }, find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }, KeySpec { notes: None, flags: &["OW", "update"], begin: BeginSearch::Keyword { keyword: "STOREDIST", start_from: 5 }, find: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.0",
        complexity: "O(N + log M): N members in the cells around the circle, M members in the index.",
        summary: "Finds the members of a geospatial index within a radius of one of its members; can store the result (STORE, STOREDIST).",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("GEOSEARCH with FROMMEMBER and BYRADIUS, or GEOSEARCHSTORE to store"),
        history: &[("7.0.0", "Units may be written in capitals.")],
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String), Arg::new("radius", ArgKind::Double), Arg::one_of("unit", &[Arg::pure_token("m", "M"), Arg::pure_token("km", "KM"), Arg::pure_token("ft", "FT"), Arg::pure_token("mi", "MI")]), Arg::pure_token("withcoord", "WITHCOORD").optional(), Arg::pure_token("withdist", "WITHDIST").optional(), Arg::pure_token("withhash", "WITHHASH").optional(), Arg::block("count", &[Arg::new("count", ArgKind::Integer).token("COUNT"), Arg::pure_token("any", "ANY").optional()]).optional(), Arg::one_of("order", &[Arg::pure_token("asc", "ASC"), Arg::pure_token("desc", "DESC")]).optional(), Arg::key("key", 1).token("STORE").optional(), Arg::key("key", 2).token("STOREDIST").optional()],
        body: Body::Run(georadiusbymember),
        ..BASE
    },
    Spec {
        name: "georadiusbymember_ro",
        arity: -5,
        flags: &["readonly"],
        keys: (1, 1, 1),
        acl: &["@read", "@geo", "@slow"],
        key_specs: &[one_key(None, &["RO", "access"])],
        group: "geo",
        since: "3.2.10",
        complexity: "O(N + log M): N members in the cells around the circle, M members in the index.",
        summary: "The read-only GEORADIUSBYMEMBER: the same search, without STORE options.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("GEOSEARCH with FROMMEMBER and BYRADIUS"),
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String), Arg::new("radius", ArgKind::Double), Arg::one_of("unit", &[Arg::pure_token("m", "M"), Arg::pure_token("km", "KM"), Arg::pure_token("ft", "FT"), Arg::pure_token("mi", "MI")]), Arg::pure_token("withcoord", "WITHCOORD").optional(), Arg::pure_token("withdist", "WITHDIST").optional(), Arg::pure_token("withhash", "WITHHASH").optional(), Arg::block("count", &[Arg::new("count", ArgKind::Integer).token("COUNT"), Arg::pure_token("any", "ANY").optional()]).optional(), Arg::one_of("order", &[Arg::pure_token("asc", "ASC"), Arg::pure_token("desc", "DESC")]).optional()],
        body: Body::Run(georadiusbymember_ro),
        ..BASE
    },
];

fn err(text: &str) -> CmdError {
    CmdError::Other(text.to_string())
}

fn not_float() -> CmdError {
    err("ERR value is not a valid float")
}

/// A distance unit's size in metres.
fn unit(word: &[u8]) -> Result<f64, CmdError> {
    [("m", 1.0), ("km", 1000.0), ("ft", 0.3048), ("mi", 1609.34)]
        .iter()
        .find(|(name, _)| is_opt(word, name))
        .map(|&(_, metres)| metres)
        .ok_or_else(|| err("ERR unsupported unit provided. please use M, KM, FT, MI"))
}

/// A longitude and latitude at `argv[at..at + 2]`, within Redis's limits.
fn lon_lat(argv: &[&[u8]], at: usize) -> Result<(f64, f64), CmdError> {
    let lon = parse_double(arg(argv, at)).ok_or_else(not_float)?;
    let lat = parse_double(arg(argv, at + 1)).ok_or_else(not_float)?;
    if !(hash::LON_MIN..=hash::LON_MAX).contains(&lon)
        || !(hash::LAT_MIN..=hash::LAT_MAX).contains(&lat)
    {
        // Redis prints the pair with C's `%f`.
        return Err(CmdError::Other(format!(
            "ERR invalid longitude,latitude pair {lon:.6},{lat:.6}"
        )));
    }
    Ok((lon, lat))
}

/// A length at `argv[at]`; Redis's error names `what` when it is no number.
fn length(argv: &[&[u8]], at: usize, what: &str) -> Result<f64, CmdError> {
    parse_double(arg(argv, at)).ok_or_else(|| CmdError::Other(format!("ERR need numeric {what}")))
}

/// `radius unit` at `argv[at..]`: the extent and the unit's metres.
fn radius(argv: &[&[u8]], at: usize) -> Result<(Extent, f64), CmdError> {
    let r = length(argv, at, "radius")?;
    if r < 0.0 {
        return Err(err("ERR radius cannot be negative"));
    }
    Ok((Extent::Radius(r), unit(arg(argv, at + 1))?))
}

/// `width height unit` at `argv[at..]`.
fn box_extent(argv: &[&[u8]], at: usize) -> Result<(Extent, f64), CmdError> {
    let width = length(argv, at, "width")?;
    let height = length(argv, at + 1, "height")?;
    if height < 0.0 || width < 0.0 {
        return Err(err("ERR height or width cannot be negative"));
    }
    Ok((Extent::Box { width, height }, unit(arg(argv, at + 2))?))
}

/// Where a member of the index is, or Redis's error when it is not there.
fn member_position(zset: &ZSet, member: &[u8]) -> Result<(f64, f64), CmdError> {
    zset.score(member)
        .map(hash::score_to_lon_lat)
        .ok_or_else(|| err("ERR could not decode requested zset member"))
}

/// A coordinate as Redis sends it: `%.17Lf` of the double, trailing zeros
/// cut (a bulk string in RESP2, a double in RESP3).
fn coordinate(value: f64) -> Reply {
    let bits = value.to_bits();
    let exponent = i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let fraction = bits & ((1 << 52) - 1);
    // A double is exactly an 80-bit value with the same mantissa.
    let (mant, exp) = if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, exponent - 1075)
    };
    let exact = LongDouble::Finite {
        neg: bits >> 63 == 1,
        mant,
        exp,
    };
    Reply::DoubleText(exact.to_human_string())
}

/// A distance as Redis sends it: C's `%.4f` in a bulk string.
fn distance_reply(d: f64) -> Reply {
    let text = if d.is_nan() {
        // glibc prints the NaN's sign bit.
        if d.is_sign_negative() { "-nan" } else { "nan" }.to_string()
    } else {
        format!("{d:.4}")
    };
    Reply::Bulk(text.into_bytes())
}

fn geoadd(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let (mut nx, mut xx) = (false, false);
    let mut first = 2;
    while let Some(&word) = argv.get(first) {
        if is_opt(word, "NX") {
            nx = true;
        } else if is_opt(word, "XX") {
            xx = true;
        } else if !is_opt(word, "CH") {
            break;
        }
        first += 1;
    }
    let triples = argv.get(first..).unwrap_or_default();
    if triples.len() % 3 != 0 || (nx && xx) {
        return Err(CmdError::Syntax);
    }
    let mut scores = Vec::with_capacity(triples.len() / 3);
    for i in (first..argv.len()).step_by(3) {
        let (lon, lat) = lon_lat(argv, i)?;
        scores.push(hash::lon_lat_to_score(lon, lat).to_string());
    }
    // Redis rewrites GEOADD into ZADD (options kept, each position turned
    // into its score) and runs ZADD; so do we.
    let mut zadd_argv: Vec<&[u8]> = Vec::with_capacity(first + scores.len() * 2);
    zadd_argv.push(b"zadd");
    zadd_argv.extend(argv.iter().take(first).skip(1));
    for (score, triple) in scores.iter().zip(triples.chunks_exact(3)) {
        zadd_argv.push(score.as_bytes());
        zadd_argv.push(triple.get(2).copied().unwrap_or_default());
    }
    match ctx.table.get(b"zadd").map(|spec| spec.body) {
        Some(Body::Run(zadd)) => zadd(ctx, &zadd_argv),
        _ => Err(err("ERR unknown command 'zadd'")),
    }
}

fn geodist(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let to_metres = match argv.len() {
        4 => 1.0,
        5 => unit(arg(argv, 4))?,
        _ => return Err(CmdError::Syntax),
    };
    let Some(zset) = read::<ZSet>(ctx, arg(argv, 1))? else {
        return Ok(Reply::Nil);
    };
    let (Some(a), Some(b)) = (zset.score(arg(argv, 2)), zset.score(arg(argv, 3))) else {
        return Ok(Reply::Nil);
    };
    let (a, b) = (hash::score_to_lon_lat(a), hash::score_to_lon_lat(b));
    Ok(distance_reply(
        area::distance(a.0, a.1, b.0, b.1) / to_metres,
    ))
}

/// GEOHASH and GEOPOS: one entry per member, `missing` where it is absent.
fn per_member(
    ctx: &mut Ctx<'_>,
    argv: &[&[u8]],
    missing: Reply,
    entry: impl Fn(f64, f64) -> Reply,
) -> Result<Reply, CmdError> {
    let zset = read::<ZSet>(ctx, arg(argv, 1))?;
    let members = argv.get(2..).unwrap_or_default();
    Ok(Reply::Array(
        members
            .iter()
            .map(|m| match zset.as_ref().and_then(|z| z.score(m)) {
                Some(score) => {
                    let (lon, lat) = hash::score_to_lon_lat(score);
                    entry(lon, lat)
                }
                None => missing.clone(),
            })
            .collect(),
    ))
}

fn geohash(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    per_member(ctx, argv, Reply::Nil, |lon, lat| {
        Reply::Bulk(hash::geohash_text(lon, lat).to_vec())
    })
}

fn geopos(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    per_member(ctx, argv, Reply::NilArray, |lon, lat| {
        Reply::Array(vec![coordinate(lon), coordinate(lat)])
    })
}

/// Where a search command finds its centre and extent.
#[derive(Clone, Copy, PartialEq)]
enum Origin {
    /// GEORADIUS: `longitude latitude radius unit` after the key.
    Position,
    /// GEORADIUSBYMEMBER: `member radius unit` after the key.
    Member,
    /// GEOSEARCH: FROMMEMBER / FROMLONLAT and BYRADIUS / BYBOX options.
    Options,
}

/// What distinguishes the six search commands.
#[derive(Clone, Copy)]
struct Variant {
    origin: Origin,
    /// GEORADIUS and GEORADIUSBYMEMBER take STORE and STOREDIST.
    store_options: bool,
    /// GEOSEARCHSTORE: the destination comes first, the source second.
    store_first: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Order {
    Asc,
    Desc,
}

/// A parsed search. `centre` and `extent` stay unset when the source key is
/// missing and they would come from one of its members: Redis still parses
/// the rest, to know which empty reply to give.
struct Query<'a> {
    centre: Option<(f64, f64)>,
    extent: Option<(Extent, f64)>,
    with_dist: bool,
    with_hash: bool,
    with_coord: bool,
    order: Option<Order>,
    /// 0: no limit.
    count: usize,
    any: bool,
    /// Destination key and whether to store distances rather than hashes.
    store: Option<(&'a [u8], bool)>,
}

/// Redis's `georadiusGeneric` argument handling, in its order (which decides
/// which error a bad command gets).
fn parse_query<'a>(
    argv: &[&'a [u8]],
    variant: Variant,
    zset: Option<&ZSet>,
) -> Result<Query<'a>, CmdError> {
    let mut query = Query {
        centre: None,
        extent: None,
        with_dist: false,
        with_hash: false,
        with_coord: false,
        order: None,
        count: 0,
        any: false,
        store: None,
    };
    let mut at = match variant.origin {
        Origin::Position => {
            query.centre = Some(lon_lat(argv, 2)?);
            query.extent = Some(radius(argv, 4)?);
            6
        }
        Origin::Member => {
            if let Some(zset) = zset {
                query.centre = Some(member_position(zset, arg(argv, 2))?);
                query.extent = Some(radius(argv, 3)?);
            }
            5
        }
        Origin::Options if variant.store_first => {
            query.store = Some((arg(argv, 1), false));
            3
        }
        Origin::Options => 2,
    };
    let searching = variant.origin == Origin::Options;
    let (mut from_member, mut from_lon_lat, mut by_radius, mut by_box) =
        (false, false, false, false);
    while let Some(&word) = argv.get(at) {
        // How many arguments follow this one.
        let after = argv.len() - at - 1;
        if is_opt(word, "WITHDIST") {
            query.with_dist = true;
        } else if is_opt(word, "WITHHASH") {
            query.with_hash = true;
        } else if is_opt(word, "WITHCOORD") {
            query.with_coord = true;
        } else if is_opt(word, "ANY") {
            query.any = true;
        } else if is_opt(word, "ASC") {
            query.order = Some(Order::Asc);
        } else if is_opt(word, "DESC") {
            query.order = Some(Order::Desc);
        } else if is_opt(word, "COUNT") && after >= 1 {
            let n = int_arg(arg(argv, at + 1))?;
            if n <= 0 {
                return Err(err("ERR COUNT must be > 0"));
            }
            query.count = usize::try_from(n).unwrap_or(usize::MAX);
            at += 1;
        } else if variant.store_options && after >= 1 && is_opt(word, "STORE") {
            query.store = Some((arg(argv, at + 1), false));
            at += 1;
        } else if variant.store_options && after >= 1 && is_opt(word, "STOREDIST") {
            query.store = Some((arg(argv, at + 1), true));
            at += 1;
        } else if variant.store_first && is_opt(word, "STOREDIST") {
            query.store = Some((arg(argv, 1), true));
        } else if searching && after >= 1 && !from_lon_lat && is_opt(word, "FROMMEMBER") {
            if let Some(zset) = zset {
                query.centre = Some(member_position(zset, arg(argv, at + 1))?);
            }
            from_member = true;
            at += 1;
        } else if searching && after >= 2 && !from_member && is_opt(word, "FROMLONLAT") {
            query.centre = Some(lon_lat(argv, at + 1)?);
            from_lon_lat = true;
            at += 2;
        } else if searching && after >= 2 && !by_box && is_opt(word, "BYRADIUS") {
            query.extent = Some(radius(argv, at + 1)?);
            by_radius = true;
            at += 2;
        } else if searching && after >= 3 && !by_radius && is_opt(word, "BYBOX") {
            query.extent = Some(box_extent(argv, at + 1)?);
            by_box = true;
            at += 3;
        } else {
            return Err(CmdError::Syntax);
        }
        at += 1;
    }
    if query.store.is_some() && (query.with_dist || query.with_hash || query.with_coord) {
        return Err(err(if variant.store_first {
            "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        } else {
            "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        }));
    }
    // Redis names the command as the client typed it.
    let name = String::from_utf8_lossy(arg(argv, 0));
    if searching && !(from_member || from_lon_lat) {
        return Err(CmdError::Other(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        )));
    }
    if searching && !(by_radius || by_box) {
        return Err(CmdError::Other(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        )));
    }
    if query.any && query.count == 0 {
        return Err(err("ERR the ANY argument requires COUNT argument"));
    }
    Ok(query)
}

/// A member found by a search.
struct Found {
    member: Vec<u8>,
    score: f64,
    lon: f64,
    lat: f64,
    /// In metres until the reply converts it to the unit.
    dist: f64,
}

/// The members inside `shape`, cell by cell in Redis's order and by score
/// within a cell, stopping at `limit` (0: none) members.
fn scan(zset: &ZSet, shape: &Shape, limit: usize) -> Vec<Found> {
    let full = |found: &Vec<Found>| limit > 0 && found.len() >= limit;
    let cells = shape.cells();
    let mut found = Vec::new();
    // Huge searches can repeat a cell; Redis skips one equal to the last
    // cell it scanned, unless that was the centre cell (index 0).
    let mut last = 0;
    for (i, &cell) in cells.iter().enumerate() {
        if cell.is_none() || (last != 0 && cells.get(last) == Some(&cell)) {
            continue;
        }
        if full(&found) {
            break;
        }
        let (min, max) = cell.score_bounds();
        let (min, max) = (min as f64, max as f64);
        let start = zset.count_before(|s, _| s < min);
        let end = zset.count_before(|s, _| s < max);
        for (member, score) in zset.range(start, end) {
            let (lon, lat) = hash::score_to_lon_lat(score);
            if let Some(dist) = shape.distance_if_inside(lon, lat) {
                found.push(Found {
                    member: member.to_vec(),
                    score,
                    lon,
                    lat,
                    dist,
                });
            }
            if full(&found) {
                break;
            }
        }
        last = i;
    }
    found
}

/// Sorts by distance as Redis does: everything with the C library's sort,
/// or only the first `returned` places with Redis's partial quicksort.
/// Positions are sorted rather than the results themselves, which then
/// move once.
fn sort_found(found: Vec<Found>, order: Order, returned: usize) -> Vec<Found> {
    let dist = |i: &usize| found.get(*i).map_or(0.0, |f| f.dist);
    let cmp = |a: &usize, b: &usize| {
        let (a, b) = (dist(a), dist(b));
        let asc = if a > b {
            Ordering::Greater
        } else if a == b {
            Ordering::Equal
        } else {
            Ordering::Less
        };
        match order {
            Order::Asc => asc,
            Order::Desc => asc.reverse(),
        }
    };
    let mut ranks: Vec<usize> = (0..found.len()).collect();
    if returned == found.len() {
        sort::merge_sort(&mut ranks, &cmp);
    } else if returned > 0 {
        sort::partial_sort(&mut ranks, &cmp, 0, returned - 1);
    }
    let mut slots: Vec<Option<Found>> = found.into_iter().map(Some).collect();
    ranks
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

fn search(ctx: &mut Ctx<'_>, argv: &[&[u8]], variant: Variant) -> Result<Reply, CmdError> {
    let source = arg(argv, if variant.store_first { 2 } else { 1 });
    let (query, found) = {
        let zset = read::<ZSet>(ctx, source)?;
        let query = parse_query(argv, variant, zset.as_deref())?;
        let found = match (zset, query.centre, query.extent) {
            (Some(zset), Some((lon, lat)), Some((extent, to_metres))) => {
                let shape = Shape {
                    lon,
                    lat,
                    extent,
                    to_metres,
                };
                let limit = if query.any { query.count } else { 0 };
                Some((scan(zset, &shape, limit), to_metres))
            }
            _ => None,
        };
        (query, found)
    };
    let event = if variant.store_first {
        "geosearchstore"
    } else {
        "georadiusstore"
    };
    let Some((mut found, to_metres)) = found else {
        // No source key: an empty answer (and an emptied destination).
        return Ok(match query.store {
            Some((dest, _)) => store(ctx, dest, Vec::new(), false, event),
            None => Reply::Array(Vec::new()),
        });
    };
    if found.is_empty() && query.store.is_none() {
        return Ok(Reply::Array(Vec::new()));
    }
    let returned = if query.count == 0 {
        found.len()
    } else {
        found.len().min(query.count)
    };
    // COUNT alone means the nearest ones, so it implies ASC (but not with
    // ANY, which takes the first ones found).
    let order = match query.order {
        None if query.count != 0 && !query.any => Some(Order::Asc),
        order => order,
    };
    if let Some(order) = order {
        found = sort_found(found, order, returned);
    }
    found.truncate(returned);
    for f in &mut found {
        f.dist /= to_metres;
    }
    match query.store {
        Some((dest, store_dist)) => Ok(store(ctx, dest, found, store_dist, event)),
        None => Ok(Reply::Array(
            found.into_iter().map(|f| entry(f, &query)).collect(),
        )),
    }
}

/// One result: the member alone, or the member with what was asked for.
fn entry(found: Found, query: &Query<'_>) -> Reply {
    if !(query.with_dist || query.with_hash || query.with_coord) {
        return Reply::Bulk(found.member);
    }
    let mut parts = vec![Reply::Bulk(found.member)];
    if query.with_dist {
        parts.push(distance_reply(found.dist));
    }
    if query.with_hash {
        // The score as a C `long long` (truncated).
        parts.push(Reply::Int(found.score as i64));
    }
    if query.with_coord {
        parts.push(Reply::Array(vec![
            coordinate(found.lon),
            coordinate(found.lat),
        ]));
    }
    Reply::Array(parts)
}

/// STORE / STOREDIST: the results become a sorted set, announced as
/// `event` (an empty result deletes the destination); answers how many
/// were stored.
fn store(
    ctx: &mut Ctx<'_>,
    dest: &[u8],
    found: Vec<Found>,
    store_dist: bool,
    event: &str,
) -> Reply {
    let stored = found.len();
    let limits = ctx.server.limits;
    let mut zset = ZSet::new();
    for f in &found {
        zset.insert(
            &f.member,
            if store_dist { f.dist } else { f.score },
            &limits,
        );
    }
    super::zset::store(ctx, dest, zset, event);
    int_reply(stored)
}

fn georadius(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let variant = Variant {
        origin: Origin::Position,
        store_options: true,
        store_first: false,
    };
    search(ctx, argv, variant)
}

fn georadius_ro(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let variant = Variant {
        origin: Origin::Position,
        store_options: false,
        store_first: false,
    };
    search(ctx, argv, variant)
}

fn georadiusbymember(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let variant = Variant {
        origin: Origin::Member,
        store_options: true,
        store_first: false,
    };
    search(ctx, argv, variant)
}

fn georadiusbymember_ro(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let variant = Variant {
        origin: Origin::Member,
        store_options: false,
        store_first: false,
    };
    search(ctx, argv, variant)
}

fn geosearch(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let variant = Variant {
        origin: Origin::Options,
        store_options: false,
        store_first: false,
    };
    search(ctx, argv, variant)
}

fn geosearchstore(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let variant = Variant {
        origin: Origin::Options,
        store_options: false,
        store_first: true,
    };
    search(ctx, argv, variant)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn coordinates_print_as_redis_human_doubles() {
        let (lon, lat) = hash::score_to_lon_lat(3_479_099_956_230_698.0);
        assert_eq!(
            coordinate(lon),
            Reply::DoubleText("13.36138933897018433".into())
        );
        assert_eq!(
            coordinate(lat),
            Reply::DoubleText("38.11555639549629859".into())
        );
        assert_eq!(coordinate(180.0), Reply::DoubleText("180".into()));
        assert_eq!(coordinate(-0.0), Reply::DoubleText("0".into()));
    }

    #[test]
    fn distances_print_with_four_decimals() {
        assert_eq!(distance_reply(166_274.151_55), Reply::bulk(b"166274.1516"));
        assert_eq!(distance_reply(0.0), Reply::bulk(b"0.0000"));
        assert_eq!(distance_reply(-f64::NAN), Reply::bulk(b"-nan"));
    }
}
