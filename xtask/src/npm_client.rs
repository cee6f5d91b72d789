//! Generates the npm package's node-redis–style client from the engine's
//! command table (one source for the methods and their declarations):
//! `npm/pkg/commands.mjs` (each method's name, command words, argument
//! grammar and reply transform, read by `npm/redis.mjs`) and
//! `npm/pkg/commands.d.ts` (a signature per method). Both are rebuilt by
//! every npm build, into `pkg/`, which is generated and packed whole.
//!
//! Method names follow node-redis v4: the command's words in camelCase
//! (`hgetall` → `hGetAll`, `client|setname` → `clientSetName`). The table
//! has no word boundaries, so `WORDS` lists the words a name is split into;
//! a name that cannot be split fails the build, and the npm tests compare
//! every name with node-redis's own.

use std::fmt::Write as _;
use std::path::Path;

use redsim_engine::commands::{Arg, ArgKind, Body, Spec, Table};

/// The words of command names. Prefix letters are words of their own (`h`,
/// `z`, `bl`, ...) because node-redis capitalises the word after them.
const WORDS: &str = "\
    bl blm br bz bzm h hm hp l lm m p pf r s sm x z zm add all and append at auth bg bit by eval sha script load f call \
    caching card channels claim client command config consumer consumers copy count create \
    db debug decr del delete destroy diff dist docs doctor dump echo encoding evict ex \
    exists expire field float flush freq function geo get graph group groups hash hello \
    histogram history id idle incr index info insert inter keys key kill last latency latest \
    lcs len lex list malloc max member members memory merge min move name no num nx object \
    pat pause pending persist ping pop pos publish purge push radius rand random range rank \
    read redir ref rem rename reply reset restore rev rewrite ro save scan score search \
    select selftest set shard size slowlog sort stat stats store str stream sub substr swap \
    time touch tracking trim ttl type unblock op flags union unlink unpause unwatch usage \
    vals watch auto ack is aof pub";

/// Words node-redis writes in capitals after the first (`pTTL`, `setNX`, `lPushX`).
const CAPITALS: &[&str] = &["ttl", "nx", "x"];

/// Commands the client implements itself: subscriptions (listeners),
/// transactions (`multi()`), the connection's end (`quit()`); and those
/// that would change the connection behind its back (MONITOR, RESET),
/// left to `sendCommand`.
const OWN: &[&str] = &[
    "subscribe",
    "unsubscribe",
    "psubscribe",
    "punsubscribe",
    "ssubscribe",
    "sunsubscribe",
    "multi",
    "exec",
    "discard",
    "quit",
    "monitor",
    "reset",
];

/// How node-redis reshapes a reply (the `@redis/client` transformers); the
/// functions are in `npm/redis.mjs`, keyed by these names.
#[derive(Clone, Copy)]
enum Reply {
    Boolean,
    Booleans,
    Object,
    Number,
    NumberOrNull,
    Numbers,
    WithScores,
    ScoredMember,
    ScanKeys,
    ScanTuples,
    ScanMembers,
    ScanScored,
    KeyElement,
    KeyScoredMember,
    Entries,
    Streams,
    Positions,
    EntriesOrNull,
    AutoClaim,
    AutoClaimJustId,
    Pending,
    PendingRange,
    StreamInfo,
    GroupsInfo,
    ConsumersInfo,
    Popped,
    ClientInfo,
    ClientList,
    TrackingInfo,
    Commands,
    KeysAndFlags,
    Libraries,
    LibrariesWithCode,
    FunctionStats,
    Hello,
    Date,
    Time,
    MemoryStats,
    Counts,
    LcsMatches,
    GeoWith,
}

impl Reply {
    fn name(self) -> &'static str {
        match self {
            Reply::Boolean => "boolean",
            Reply::Booleans => "booleans",
            Reply::Object => "object",
            Reply::Number => "number",
            Reply::NumberOrNull => "numberOrNull",
            Reply::Numbers => "numbers",
            Reply::WithScores => "withScores",
            Reply::ScoredMember => "scoredMember",
            Reply::ScanKeys => "scanKeys",
            Reply::ScanTuples => "scanTuples",
            Reply::ScanMembers => "scanMembers",
            Reply::ScanScored => "scanScored",
            Reply::KeyElement => "keyElement",
            Reply::KeyScoredMember => "keyScoredMember",
            Reply::Entries => "entries",
            Reply::Streams => "streams",
            Reply::Positions => "positions",
            Reply::EntriesOrNull => "entriesOrNull",
            Reply::AutoClaim => "autoClaim",
            Reply::AutoClaimJustId => "autoClaimJustId",
            Reply::Pending => "pending",
            Reply::PendingRange => "pendingRange",
            Reply::StreamInfo => "streamInfo",
            Reply::GroupsInfo => "groupsInfo",
            Reply::ConsumersInfo => "consumersInfo",
            Reply::Popped => "popped",
            Reply::ClientInfo => "clientInfo",
            Reply::ClientList => "clientList",
            Reply::TrackingInfo => "trackingInfo",
            Reply::Commands => "commands",
            Reply::KeysAndFlags => "keysAndFlags",
            Reply::Libraries => "libraries",
            Reply::LibrariesWithCode => "librariesWithCode",
            Reply::FunctionStats => "functionStats",
            Reply::Hello => "hello",
            Reply::Date => "date",
            Reply::Time => "time",
            Reply::MemoryStats => "memoryStats",
            Reply::Counts => "object",
            Reply::LcsMatches => "lcsMatches",
            Reply::GeoWith => "geoWith",
        }
    }

    fn ts(self) -> &'static str {
        match self {
            Reply::Boolean => "boolean",
            Reply::Booleans => "boolean[]",
            Reply::Object => "Record<string, string>",
            Reply::Number => "number",
            Reply::NumberOrNull => "number | null",
            Reply::Numbers => "(number | null)[]",
            Reply::WithScores => "ScoredMember[]",
            Reply::ScoredMember => "ScoredMember | null",
            Reply::ScanKeys => "{ cursor: number; keys: string[] }",
            Reply::ScanTuples => "{ cursor: number; tuples: { field: string; value: string }[] }",
            Reply::ScanMembers => "{ cursor: number; members: string[] }",
            Reply::ScanScored => "{ cursor: number; members: ScoredMember[] }",
            Reply::KeyElement => "{ key: string; element: string } | null",
            Reply::KeyScoredMember => "({ key: string } & ScoredMember) | null",
            Reply::Entries => "StreamEntry[]",
            Reply::Streams => "{ name: string; messages: StreamEntry[] }[] | null",
            Reply::Positions => "({ longitude: string; latitude: string } | null)[]",
            Reply::EntriesOrNull => "(StreamEntry | null)[]",
            Reply::AutoClaim => "{ nextId: string; messages: (StreamEntry | null)[] }",
            Reply::AutoClaimJustId => "{ nextId: string; messages: string[] }",
            Reply::Pending => "PendingSummary",
            Reply::PendingRange => "PendingEntry[]",
            Reply::StreamInfo => "StreamInfo",
            Reply::GroupsInfo => "GroupInfo[]",
            Reply::ConsumersInfo => "ConsumerInfo[]",
            Reply::Popped => "{ key: string; elements: ScoredMember[] } | null",
            Reply::ClientInfo => "ClientInfo",
            Reply::ClientList => "ClientInfo[]",
            Reply::TrackingInfo => "{ flags: Set<string>; redirect: number; prefixes: string[] }",
            Reply::Commands => "(CommandInfo | null)[]",
            Reply::KeysAndFlags => "{ key: string; flags: string[] }[]",
            Reply::Libraries => "FunctionLibrary[]",
            Reply::LibrariesWithCode => "(FunctionLibrary & { libraryCode: string })[]",
            Reply::FunctionStats => "FunctionStats",
            Reply::Hello => "HelloReply",
            Reply::Date => "Date",
            Reply::Time => "Date & { microseconds: number }",
            Reply::MemoryStats => "MemoryStats",
            Reply::Counts => "Record<string, number>",
            Reply::LcsMatches => "LcsMatches",
            Reply::GeoWith => "GeoMemberWith[]",
        }
    }
}

/// node-redis's reply transforms, by command.
const REPLIES: &[(&str, Reply)] = &[
    ("hgetall", Reply::Object),
    ("config|get", Reply::Object),
    ("expire", Reply::Boolean),
    ("expireat", Reply::Boolean),
    ("pexpire", Reply::Boolean),
    ("pexpireat", Reply::Boolean),
    ("persist", Reply::Boolean),
    ("hexists", Reply::Boolean),
    ("hsetnx", Reply::Boolean),
    ("sismember", Reply::Boolean),
    ("smove", Reply::Boolean),
    ("setnx", Reply::Boolean),
    ("msetnx", Reply::Boolean),
    ("renamenx", Reply::Boolean),
    ("copy", Reply::Boolean),
    ("move", Reply::Boolean),
    ("pfadd", Reply::Boolean),
    ("smismember", Reply::Booleans),
    ("script|exists", Reply::Booleans),
    ("zadd", Reply::NumberOrNull),
    ("zincrby", Reply::Number),
    ("zscore", Reply::NumberOrNull),
    ("zmscore", Reply::Numbers),
    ("zpopmin", Reply::ScoredMember),
    ("zpopmax", Reply::ScoredMember),
    ("bzpopmin", Reply::KeyScoredMember),
    ("bzpopmax", Reply::KeyScoredMember),
    ("blpop", Reply::KeyElement),
    ("brpop", Reply::KeyElement),
    ("scan", Reply::ScanKeys),
    ("hscan", Reply::ScanTuples),
    ("sscan", Reply::ScanMembers),
    ("zscan", Reply::ScanScored),
    ("xrange", Reply::Entries),
    ("xrevrange", Reply::Entries),
    ("xread", Reply::Streams),
    ("xreadgroup", Reply::Streams),
    ("geopos", Reply::Positions),
    ("geodist", Reply::NumberOrNull),
    ("zmpop", Reply::Popped),
    ("bzmpop", Reply::Popped),
    ("xclaim", Reply::EntriesOrNull),
    ("xautoclaim", Reply::AutoClaim),
    ("xpending", Reply::Pending),
    ("xgroup|createconsumer", Reply::Boolean),
    ("xgroup|destroy", Reply::Boolean),
    ("xinfo|stream", Reply::StreamInfo),
    ("xinfo|groups", Reply::GroupsInfo),
    ("xinfo|consumers", Reply::ConsumersInfo),
    ("client|info", Reply::ClientInfo),
    ("client|list", Reply::ClientList),
    ("client|trackinginfo", Reply::TrackingInfo),
    ("command", Reply::Commands),
    ("command|info", Reply::Commands),
    ("command|getkeysandflags", Reply::KeysAndFlags),
    ("function|list", Reply::Libraries),
    ("function|stats", Reply::FunctionStats),
    ("hello", Reply::Hello),
    ("lastsave", Reply::Date),
    ("time", Reply::Time),
    ("memory|stats", Reply::MemoryStats),
    ("pubsub|numsub", Reply::Counts),
    ("pubsub|shardnumsub", Reply::Counts),
];

/// How a method's parameters differ from the command's grammar, where
/// node-redis's do (by argument name, or token when names repeat).
#[derive(Clone, Copy)]
enum Shape {
    /// An optional argument made a required one (out of its block, if in one).
    Required(&'static str),
    /// An optional argument the method does not take.
    Drop(&'static str),
    /// An optional value given in the options object under its name (`{ consumer }`).
    Named(&'static str),
    /// `n` arguments from the one named given as one object (`{ longitude, latitude }`).
    Object(&'static str, &'static str, usize),
    /// `n` optional keywords from the one named given as one list (`["WITHDIST"]`).
    Keywords(&'static str, &'static str, usize),
    /// Arguments the grammar leaves out, as one list (COMMAND GETKEYS's command line).
    Rest(&'static str),
}

/// Commands whose own method takes node-redis's parameters rather than the grammar's.
const SHAPES: &[(&str, &[Shape])] = &[
    ("georadius", &[COORDINATES]),
    ("georadius_ro", &[COORDINATES]),
    ("command|getkeys", &[Shape::Rest("args")]),
    ("command|getkeysandflags", &[Shape::Rest("args")]),
];

const COORDINATES: Shape = Shape::Object("coordinates", "longitude", 2);
const REPLY_WITH: Shape = Shape::Keywords("replyWith", "withcoord", 3);
const COUNT: &[Shape] = &[Shape::Required("count")];

/// node-redis's extra methods: a command with its parameters reshaped,
/// words appended and its reply transformed.
type Variant = (
    &'static str,
    &'static str,
    &'static [Shape],
    &'static [&'static str],
    Option<Reply>,
);

const VARIANTS: &[Variant] = &[
    (
        "zRangeWithScores",
        "zrange",
        &[],
        &["WITHSCORES"],
        Some(Reply::WithScores),
    ),
    (
        "zRangeByScoreWithScores",
        "zrangebyscore",
        &[],
        &["WITHSCORES"],
        Some(Reply::WithScores),
    ),
    (
        "zUnionWithScores",
        "zunion",
        &[],
        &["WITHSCORES"],
        Some(Reply::WithScores),
    ),
    (
        "zInterWithScores",
        "zinter",
        &[],
        &["WITHSCORES"],
        Some(Reply::WithScores),
    ),
    (
        "zDiffWithScores",
        "zdiff",
        &[],
        &["WITHSCORES"],
        Some(Reply::WithScores),
    ),
    (
        "zPopMinCount",
        "zpopmin",
        COUNT,
        &[],
        Some(Reply::WithScores),
    ),
    (
        "zPopMaxCount",
        "zpopmax",
        COUNT,
        &[],
        Some(Reply::WithScores),
    ),
    (
        "zRandMemberCount",
        "zrandmember",
        &[Shape::Required("count"), Shape::Drop("withscores")],
        &[],
        None,
    ),
    (
        "zRandMemberCountWithScores",
        "zrandmember",
        &[Shape::Required("count"), Shape::Drop("withscores")],
        &["WITHSCORES"],
        Some(Reply::WithScores),
    ),
    (
        "hRandFieldCount",
        "hrandfield",
        &[Shape::Required("count"), Shape::Drop("withvalues")],
        &[],
        None,
    ),
    (
        "hRandFieldCountWithValues",
        "hrandfield",
        &[Shape::Required("count"), Shape::Drop("withvalues")],
        &["WITHVALUES"],
        Some(Reply::Object),
    ),
    ("sRandMemberCount", "srandmember", COUNT, &[], None),
    ("lPopCount", "lpop", COUNT, &[], None),
    ("rPopCount", "rpop", COUNT, &[], None),
    ("lPosCount", "lpos", &[Shape::Required("COUNT")], &[], None),
    ("sortStore", "sort", &[Shape::Required("STORE")], &[], None),
    (
        "hScanNoValues",
        "hscan",
        &[Shape::Drop("novalues")],
        &["NOVALUES"],
        Some(Reply::ScanKeys),
    ),
    ("lcsLen", "lcs", LCS, &["LEN"], None),
    ("lcsIdx", "lcs", LCS, &["IDX"], Some(Reply::LcsMatches)),
    (
        "lcsIdxWithMatchLen",
        "lcs",
        LCS,
        &["IDX", "WITHMATCHLEN"],
        Some(Reply::LcsMatches),
    ),
    (
        "xClaimJustId",
        "xclaim",
        &[Shape::Drop("justid")],
        &["JUSTID"],
        None,
    ),
    (
        "xAutoClaimJustId",
        "xautoclaim",
        &[Shape::Drop("justid")],
        &["JUSTID"],
        Some(Reply::AutoClaimJustId),
    ),
    (
        "xPendingRange",
        "xpending",
        &[
            Shape::Required("start"),
            Shape::Required("end"),
            Shape::Required("count"),
            Shape::Named("consumer"),
        ],
        &[],
        Some(Reply::PendingRange),
    ),
    (
        "geoRadiusWith",
        "georadius",
        &[COORDINATES, REPLY_WITH, STORE, STOREDIST],
        &[],
        Some(Reply::GeoWith),
    ),
    (
        "geoRadiusRoWith",
        "georadius_ro",
        &[COORDINATES, REPLY_WITH],
        &[],
        Some(Reply::GeoWith),
    ),
    (
        "geoRadiusByMemberWith",
        "georadiusbymember",
        &[REPLY_WITH, STORE, STOREDIST],
        &[],
        Some(Reply::GeoWith),
    ),
    (
        "geoRadiusByMemberRoWith",
        "georadiusbymember_ro",
        &[REPLY_WITH],
        &[],
        Some(Reply::GeoWith),
    ),
    (
        "geoSearchWith",
        "geosearch",
        &[REPLY_WITH],
        &[],
        Some(Reply::GeoWith),
    ),
    (
        "functionListWithCode",
        "function|list",
        &[Shape::Drop("withcode")],
        &["WITHCODE"],
        Some(Reply::LibrariesWithCode),
    ),
];

const LCS: &[Shape] = &[
    Shape::Drop("len"),
    Shape::Drop("idx"),
    Shape::Drop("withmatchlen"),
];
const STORE: Shape = Shape::Drop("STORE");
const STOREDIST: Shape = Shape::Drop("STOREDIST");

/// The arguments a method takes, `shapes` applied to the grammar's.
fn shaped(args: &'static [Arg], shapes: &[Shape]) -> Vec<Arg> {
    let is = |a: &Arg, name: &str| a.name == name || a.token == Some(name);
    let mut out: Vec<Arg> = args.to_vec();
    for shape in shapes {
        match *shape {
            Shape::Required(name) => {
                // Out of an optional block without a token of its own (HRANDFIELD's count).
                if let Some(i) = out.iter().position(|a| {
                    a.kind == ArgKind::Block
                        && a.optional
                        && a.token.is_none()
                        && a.args.iter().any(|s| is(s, name))
                }) {
                    let block = out.remove(i);
                    out.splice(i..i, block.args.iter().copied());
                }
                for arg in out.iter_mut().filter(|a| is(a, name)) {
                    arg.optional = false;
                }
            }
            Shape::Drop(name) => out.retain(|a| !(a.optional && is(a, name))),
            Shape::Named(_) => {}
            Shape::Rest(name) => out.push(Arg {
                multiple: true,
                ..Arg::new(name, ArgKind::String)
            }),
            Shape::Object(name, first, n) | Shape::Keywords(name, first, n) => {
                let i = args
                    .iter()
                    .position(|a| a.name == first)
                    .expect("shaped argument");
                let group = &args[i..i + n];
                let at = out
                    .iter()
                    .position(|a| a.name == first)
                    .expect("shaped argument");
                out.drain(at..at + n);
                let arg = if matches!(shape, Shape::Object(..)) {
                    Arg::block(name, group)
                } else {
                    Arg {
                        multiple: true,
                        ..Arg::one_of(name, group)
                    }
                };
                out.insert(at, arg);
            }
        }
    }
    out
}

/// The argument names `shapes` gives as options by name, and as one object.
fn named(shapes: &[Shape]) -> Names {
    let mut names = Names::default();
    for shape in shapes {
        match *shape {
            Shape::Named(name) => names.options.push(name),
            Shape::Object(name, ..) => names.objects.push(name),
            _ => {}
        }
    }
    names
}

#[derive(Default)]
struct Names {
    options: Vec<&'static str>,
    objects: Vec<&'static str>,
}

/// Plain replies worth a precise type (the table has no reply schema).
const RETURNS: &[(&str, &str)] = &[
    ("get", "string | null"),
    ("getdel", "string | null"),
    ("getex", "string | null"),
    ("getset", "string | null"),
    ("set", "string | null"),
    ("hget", "string | null"),
    ("lindex", "string | null"),
    ("echo", "string"),
    ("ping", "string"),
    ("type", "string"),
    ("info", "string"),
    ("incrbyfloat", "string"),
    ("hincrbyfloat", "string"),
    ("keys", "string[]"),
    ("hkeys", "string[]"),
    ("hvals", "string[]"),
    ("smembers", "string[]"),
    ("lrange", "string[]"),
    ("zrange", "string[]"),
    ("zrangebyscore", "string[]"),
    ("mget", "(string | null)[]"),
    ("hmget", "(string | null)[]"),
    ("exists", "number"),
    ("del", "number"),
    ("unlink", "number"),
    ("incr", "number"),
    ("incrby", "number"),
    ("decr", "number"),
    ("decrby", "number"),
    ("hset", "number"),
    ("hdel", "number"),
    ("hlen", "number"),
    ("hincrby", "number"),
    ("lpush", "number"),
    ("rpush", "number"),
    ("llen", "number"),
    ("sadd", "number"),
    ("srem", "number"),
    ("scard", "number"),
    ("zcard", "number"),
    ("zrem", "number"),
    ("publish", "number"),
    ("ttl", "number"),
    ("pttl", "number"),
    ("dbsize", "number"),
    ("xadd", "string | null"),
];

/// Commands whose repeated block takes an object or Map of pairs (`hSet(key, { f: v })`).
const PAIRS: &[&str] = &["hset", "hmset", "mset", "msetnx", "xadd", "config|set"];

/// node-redis's name for a grammar argument given inside an object: a
/// sorted-set member beside its score is `value` (`{ score, value }`).
fn field_name(arg: &Arg, siblings: &[Arg]) -> &'static str {
    match arg.name {
        "member" if siblings.iter().any(|a| a.name == "score") => "value",
        name => name,
    }
}

/// Writes `commands.mjs` and `commands.d.ts` into `out` (the package's `pkg/`).
pub fn generate(out: &Path) -> Result<(), String> {
    let table = Table::new();
    let mut rows = Vec::new();
    for spec in table.iter() {
        if OWN.contains(&spec.name) {
            continue;
        }
        let subs = spec.subcommands();
        // A container callable alone (COMMAND) is a method of its own too.
        if subs.is_empty() || matches!(spec.body, Body::Container { bare: Some(_), .. }) {
            rows.push((spec.name.to_string(), spec));
        }
        for sub in subs.iter().filter(|s| s.name != "help") {
            rows.push((format!("{}|{}", spec.name, sub.name), sub));
        }
    }
    let mut unsplit = Vec::new();
    let mut js = String::from(
        "// Generated by `cargo xtask` (xtask/src/npm_client.rs) from the engine's command table. Do not edit.\n\
         // [method, command words, argument grammar, reply transform, words appended, pairs when its block takes an object of pairs]\n\
         export const COMMANDS = [\n",
    );
    let mut ts = String::from(
        "// Generated by `cargo xtask` (xtask/src/npm_client.rs) from the engine's command table. Do not edit.\n\
         import type { RedisArg, RedisReply, ScoredMember, StreamEntry, PendingSummary, PendingEntry, StreamInfo, GroupInfo, ConsumerInfo, ClientInfo, CommandInfo, FunctionLibrary, FunctionStats, HelloReply, MemoryStats, LcsMatches, GeoMemberWith } from \"../redis.js\";\n\n\
         /** Every command as a method: its arguments in order, then an options object for its optional tokens. */\n\
         export interface CommandSignatures {\n",
    );
    let mut emit = |method: &str,
                    full: &str,
                    spec: &Spec,
                    shapes: &[Shape],
                    reply: Option<Reply>,
                    extra: &[&str]| {
        let words: Vec<String> = full.split('|').map(str::to_uppercase).collect();
        let pairs = PAIRS.contains(&full);
        let args = shaped(spec.args, shapes);
        let names = named(shapes);
        let _ = writeln!(
            js,
            "  [{}, {}, {}, {}, {}, {}],",
            json(method),
            json_list(&words),
            grammar(&args, &names),
            reply.map_or("null".into(), |r| json(r.name())),
            json_list(extra),
            json(if pairs { "pairs" } else { "" }),
        );
        let returns = reply.map(Reply::ts).or_else(|| {
            RETURNS
                .iter()
                .find(|(name, _)| *name == full)
                .map(|(_, ts)| *ts)
        });
        let _ = writeln!(
            ts,
            "  /** {} ({}; Redis {}) */\n  {method}({}): {};",
            spec.summary.replace("*/", "* /"),
            words.join(" "),
            spec.since,
            params(&args, pairs, &names),
            returns.unwrap_or("RedisReply"),
        );
    };
    for (full, spec) in &rows {
        let Some(method) = camel_case(full) else {
            unsplit.push(full.clone());
            continue;
        };
        let reply = REPLIES.iter().find(|(n, _)| n == full).map(|(_, r)| *r);
        let shapes = SHAPES
            .iter()
            .find(|(n, _)| n == full)
            .map_or(&[][..], |(_, s)| *s);
        emit(&method, full, spec, shapes, reply, &[]);
    }
    if !unsplit.is_empty() {
        return Err(format!(
            "npm client: add the words of these command names to WORDS in xtask/src/npm_client.rs: {}",
            unsplit.join(", ")
        ));
    }
    for (method, name, shapes, extra, reply) in VARIANTS {
        let spec = rows
            .iter()
            .find(|(full, _)| full.as_str() == *name)
            .map(|(_, spec)| *spec)
            .ok_or_else(|| format!("npm client: {name} is not in the command table"))?;
        emit(method, name, spec, shapes, *reply, extra);
    }
    js.push_str("];\n");
    ts.push_str("}\n");
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    std::fs::write(out.join("commands.mjs"), js).map_err(|e| e.to_string())?;
    std::fs::write(out.join("commands.d.ts"), ts).map_err(|e| e.to_string())
}

/// `hgetall` → `hGetAll`, `client|no-evict` → `clientNoEvict`; None if a part is not made of WORDS.
fn camel_case(full: &str) -> Option<String> {
    let mut words = Vec::new();
    for part in full.split(['|', '-', '_']) {
        words.extend(split_words(part)?);
    }
    let mut out = String::new();
    for (i, word) in words.iter().enumerate() {
        if i == 0 {
            out.push_str(word);
        } else if CAPITALS.contains(word) {
            out.push_str(&word.to_uppercase());
        } else {
            let mut chars = word.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(chars.as_str());
        }
    }
    Some(out)
}

/// The split of `part` into the fewest WORDS (so `hmget` is `hm get`, not `h m get`).
fn split_words(part: &str) -> Option<Vec<&'static str>> {
    let n = part.len();
    // best[i]: the fewest words covering part[..i], with the last word's start.
    let mut best: Vec<Option<(usize, usize, &'static str)>> = vec![None; n + 1];
    best[0] = Some((0, 0, ""));
    for end in 1..=n {
        for word in WORDS.split_whitespace() {
            let Some(start) = end.checked_sub(word.len()) else {
                continue;
            };
            if &part[start..end] != word {
                continue;
            }
            if let Some((count, _, _)) = best[start] {
                if best[end].is_none_or(|(c, _, _)| count + 1 < c) {
                    best[end] = Some((count + 1, start, word));
                }
            }
        }
    }
    let mut words = Vec::new();
    let mut at = n;
    while at > 0 {
        let (_, start, word) = best[at]?;
        words.push(word);
        at = start;
    }
    words.reverse();
    Some(words)
}

/// The argument grammar as JSON: `{ n: name, f: field name in an object
/// when not `n`, k: kind, t: token, o: optional, m: multiple, mt: token
/// repeated, a: [...] }`.
/// `ok: 1` marks a value given in the options object by name, `ob: 1` a
/// block given as one object.
fn grammar(args: &[Arg], names: &Names) -> String {
    let items: Vec<String> = args
        .iter()
        .filter(|a| a.deprecated_since.is_none())
        .map(|a| {
            let mut s = format!("{{ n: {}", json(a.name));
            if field_name(a, args) != a.name {
                let _ = write!(s, ", f: {}", json(field_name(a, args)));
            }
            let _ = write!(s, ", k: {}", json(a.kind.as_str()));
            if names.options.contains(&a.name) {
                s.push_str(", ok: 1");
            }
            if names.objects.contains(&a.name) {
                s.push_str(", ob: 1");
            }
            if let Some(t) = a.token {
                let _ = write!(s, ", t: {}", json(t));
            }
            for (set, key) in [
                (a.optional, "o"),
                (a.multiple, "m"),
                (a.multiple_token, "mt"),
            ] {
                if set {
                    let _ = write!(s, ", {key}: 1");
                }
            }
            if !a.args.is_empty() {
                let _ = write!(s, ", a: {}", grammar(a.args, names));
            }
            s + " }"
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// The TypeScript parameters, as `npm/redis.mjs` reads arguments: the
/// required arguments in order (a block of single values value by value,
/// as in `xReadGroup(group, consumer, ...)`), untokened optional values,
/// then `options` with a property per optional token. Optional blocks
/// without a token of their own (XADD's trim) are left to `sendCommand`.
fn params(args: &[Arg], pairs: bool, given: &Names) -> String {
    if let [first, ..] = args {
        if is_script_call(args) {
            // node-redis's `eval(script, { keys, arguments })`, `fCall(name, ...)`.
            return format!(
                "{}: RedisArg, options?: {{ keys?: RedisArg[]; arguments?: RedisArg[] }}",
                identifier(first.name)
            );
        }
    }
    let mut list = Vec::new();
    let mut options = Vec::new();
    let mut optional_seen = false;
    let mut names = Vec::new();
    let live: Vec<&Arg> = args
        .iter()
        .filter(|a| a.deprecated_since.is_none())
        .collect();
    for (i, arg) in live.iter().copied().enumerate() {
        // node-redis counts the keys itself, as `npm/redis.mjs` does.
        if arg.name == "numkeys" && live.get(i + 1).is_some_and(|next| next.multiple) {
            continue;
        }
        if arg.optional && has_tokens(arg) {
            option_props(arg, &mut options);
            continue;
        }
        if arg.optional && given.options.contains(&arg.name) {
            options.push(format!("{}?: {}", quoted(arg.name), value_type(arg, pairs)));
            continue;
        }
        if arg.optional && arg.kind == ArgKind::Block {
            continue;
        }
        if arg.optional {
            optional_seen = true;
        }
        if spread(arg, pairs) && !given.objects.contains(&arg.name) {
            for sub in arg.args {
                list.push(param(sub, optional_seen, pairs, &mut names));
            }
        } else if pairs && arg.kind == ArgKind::Block {
            // node-redis's `hSet(key, field, value)`: the pairs may be given as values.
            let name = identifier(arg.name);
            list.push(format!("{name}: {} | RedisArg", value_type(arg, pairs)));
            list.push("value?: RedisArg".into());
        } else {
            list.push(param(arg, optional_seen, pairs, &mut names));
        }
    }
    if !options.is_empty() {
        let mut options = format!("options?: {{ {} }}", options.join("; "));
        // node-redis's `expire(key, seconds, "NX")`, `geoDist(..., "km")`: a
        // lone choice of keywords may be named.
        if let [only] = tokened_options(args).as_slice() {
            if only.kind == ArgKind::OneOf && only.args.iter().all(|a| a.kind == ArgKind::PureToken)
            {
                for token in only.args.iter().filter_map(|a| a.token) {
                    let _ = write!(options, " | {}", json(token));
                    // Either case, as node-redis's `geoDist(..., "km")`.
                    if token.to_lowercase() != token {
                        let _ = write!(options, " | {}", json(&token.to_lowercase()));
                    }
                }
            }
        }
        list.push(options);
    }
    list.join(", ")
}

/// EVAL, EVALSHA, FCALL and their read-only forms: a script or function,
/// then numkeys, keys and arguments.
fn is_script_call(args: &[Arg]) -> bool {
    matches!(args, [_, numkeys, key, arg]
        if numkeys.name == "numkeys" && key.name == "key" && arg.name == "arg")
}

fn tokened_options(args: &[Arg]) -> Vec<&Arg> {
    args.iter()
        .filter(|a| a.deprecated_since.is_none() && a.optional && has_tokens(a))
        .collect()
}

/// A required block of single values, passed value by value.
fn spread(arg: &Arg, pairs: bool) -> bool {
    arg.kind == ArgKind::Block
        && !arg.multiple
        && !pairs
        && arg.args.iter().all(|a| !a.multiple && a.args.is_empty())
}

fn has_tokens(arg: &Arg) -> bool {
    arg.token.is_some() || arg.args.iter().any(has_tokens)
}

/// One parameter, renamed `name2`... when the grammar repeats a name.
fn param(arg: &Arg, optional: bool, pairs: bool, names: &mut Vec<String>) -> String {
    let base = identifier(arg.name);
    let repeats = names.iter().filter(|n| **n == base).count();
    names.push(base.clone());
    let mut name = if repeats == 0 {
        base
    } else {
        format!("{base}{}", repeats + 1)
    };
    if optional || arg.optional {
        name.push('?');
    }
    format!("{name}: {}", value_type(arg, pairs))
}

fn value_type(arg: &Arg, pairs: bool) -> String {
    let one = match arg.kind {
        ArgKind::Block if pairs => {
            return "Record<string, RedisArg> | Map<RedisArg, RedisArg> | RedisArg[]".into();
        }
        ArgKind::Block if arg.args.len() == 1 => scalar(&arg.args[0]).into(),
        ArgKind::Block => {
            let fields: Vec<String> = arg
                .args
                .iter()
                .map(|sub| format!("{}: {}", identifier(field_name(sub, arg.args)), scalar(sub)))
                .collect();
            let one = format!("{{ {} }}", fields.join("; "));
            // Repeated values inside (XREAD's keys and ids) come from a list of objects.
            if arg.args.iter().any(|a| a.multiple) {
                return format!("{one} | {one}[]");
            }
            one
        }
        ArgKind::PureToken => "boolean".into(),
        ArgKind::OneOf => {
            let choices: Vec<String> = arg
                .args
                .iter()
                .map(|c| match (c.kind, c.token) {
                    // Redis reads keywords in any case, and node-redis's
                    // types write some in lower case (geo units: "km").
                    (ArgKind::PureToken, Some(t)) if t.to_lowercase() != t => {
                        format!("{} | {}", json(t), json(&t.to_lowercase()))
                    }
                    (ArgKind::PureToken, t) => t.map_or("string".into(), json),
                    _ => value_type(c, pairs),
                })
                .collect();
            choices.join(" | ")
        }
        _ => scalar(arg).into(),
    };
    if arg.multiple {
        format!("{one} | ({one})[]")
    } else {
        one
    }
}

fn scalar(arg: &Arg) -> &'static str {
    match arg.kind {
        ArgKind::Integer | ArgKind::Double | ArgKind::UnixTime => "number | string",
        _ => "RedisArg",
    }
}

/// Options-object properties for an optional argument: its token, or each choice's.
fn option_props(arg: &Arg, out: &mut Vec<String>) {
    match (arg.token, arg.kind) {
        (Some(token), ArgKind::PureToken) => out.push(format!("{token}?: boolean")),
        (Some(token), _) => out.push(format!("{}?: {}", quoted(token), value_type(arg, false))),
        (None, _)
            if arg
                .args
                .iter()
                .any(|a| a.token.is_some_and(|t| t.starts_with("BY"))) =>
        {
            let choices: Vec<String> = arg
                .args
                .iter()
                .filter_map(|a| a.token)
                .map(|t| json(&t[2..]))
                .collect();
            out.push(format!("BY?: {}", choices.join(" | ")));
        }
        (None, ArgKind::OneOf) => arg.args.iter().for_each(|a| option_props(a, out)),
        (None, _) => {}
    }
}

fn identifier(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    match out.as_str() {
        "function" | "default" | "delete" | "new" | "in" => format!("{out}_"),
        _ => out,
    }
}

/// A token as a property name (`"~"` and `"*"` need quotes).
fn quoted(token: &str) -> String {
    if token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        token.to_string()
    } else {
        json(token)
    }
}

fn json(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out + "\""
}

fn json_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| json(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_node_redis_camel_case() {
        for (name, method) in [
            ("hgetall", "hGetAll"),
            ("hmget", "hmGet"),
            ("smismember", "smIsMember"),
            ("pttl", "pTTL"),
            ("lpushx", "lPushX"),
            ("brpoplpush", "brPopLPush"),
            ("client|no-evict", "clientNoEvict"),
            ("pubsub|numpat", "pubSubNumPat"),
            ("bitfield_ro", "bitFieldRo"),
            ("fcall_ro", "fCallRo"),
            ("evalsha_ro", "evalShaRo"),
        ] {
            assert_eq!(camel_case(name).as_deref(), Some(method), "{name}");
        }
        assert_eq!(camel_case("qwerty"), None);
    }

    #[test]
    fn every_command_gets_a_method() {
        let out = std::env::temp_dir().join(format!("redsim-npm-client-{}", std::process::id()));
        generate(&out).unwrap();
        let js = std::fs::read_to_string(out.join("commands.mjs")).unwrap();
        assert!(js.contains(r#"["zRangeWithScores", ["ZRANGE"]"#));
        std::fs::remove_dir_all(&out).unwrap();
    }
}
