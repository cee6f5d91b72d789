//! The command table and the helpers handlers share. Each group of commands
//! lives in its own file and exports `SPECS`, its rows; `Table` gathers them.

// Every row ends in `..BASE` so rows read alike, even when a row happens to
// spell out every field.
#![allow(clippy::needless_update)]

mod bitfield;
mod bitmap;
mod blocking;
mod client_cmd;
mod client_list;
mod config;
mod connection;
mod counter;
mod debug;
mod dump;
mod expiry;
#[cfg(feature = "scripting")]
mod function;
mod geo;
mod hash;
mod hash_ttl;
mod hll;
mod info;
mod introspection;
mod keyspace;
mod latency;
mod lcs;
mod list;
mod memory;
mod object;
mod pubsub;
mod rewrite;
mod save;
mod scan;
#[cfg(feature = "scripting")]
mod scripting;
mod server;
mod set;
mod slowlog;
mod sort;
mod stream;
mod stream_group;
mod stream_info;
mod stream_read;
mod string;
mod table;
mod transaction;
mod zset;
mod zset_algebra;

pub(crate) use client_list::REPLY_BUFFER;
pub(crate) use config::mirror as mirror_config;
pub(crate) use slowlog::monitor_line;
pub use table::{
    all_keys, one_key, Arg, ArgKind, BeginSearch, Body, FindKeys, Flags, Handler, KeySpec, Spec,
};

use std::hash::Hasher;

use hashbrown::HashTable;
use rustc_hash::FxHasher;

use crate::engine::Ctx;
use crate::error::CmdError;
use crate::number::parse_i64;
use crate::reply::Reply;
use crate::rng::Rng;
use crate::types::{Typed, Value};

/// Every group's rows, in the order COMMAND lists them.
const GROUPS: &[&[Spec]] = &[
    connection::SPECS,
    transaction::SPECS,
    pubsub::SPECS,
    string::SPECS,
    counter::SPECS,
    lcs::SPECS,
    bitmap::SPECS,
    bitfield::SPECS,
    hll::SPECS,
    list::SPECS,
    blocking::SPECS,
    hash::SPECS,
    hash_ttl::SPECS,
    set::SPECS,
    zset::SPECS,
    zset_algebra::SPECS,
    geo::SPECS,
    stream::SPECS,
    stream_read::SPECS,
    stream_group::SPECS,
    stream_info::SPECS,
    keyspace::SPECS,
    expiry::SPECS,
    scan::SPECS,
    object::SPECS,
    dump::SPECS,
    sort::SPECS,
    server::SPECS,
    save::SPECS,
    rewrite::SPECS,
    config::SPECS,
    #[cfg(feature = "scripting")]
    scripting::SPECS,
    #[cfg(feature = "scripting")]
    function::SPECS,
    info::SPECS,
    latency::SPECS,
    memory::SPECS,
    debug::SPECS,
    slowlog::SPECS,
    introspection::SPECS,
    client_cmd::SPECS,
];

/// The command table, indexed by name in any letter case.
pub struct Table {
    /// Top-level rows and their flags, hashed with `name_hash`: a lookup
    /// neither lowercases nor copies the name it was given.
    by_name: HashTable<(&'static Spec, Flags)>,
}

impl Table {
    pub fn new() -> Table {
        let mut by_name = HashTable::new();
        for spec in GROUPS.iter().flat_map(|g| g.iter()) {
            // A name given twice keeps its first row (a test counts rows
            // against the table's length to catch it).
            let slot = by_name.entry(
                name_hash(spec.name.as_bytes()),
                |(s, _): &(&Spec, Flags)| s.name == spec.name,
                |(s, _): &(&Spec, Flags)| name_hash(s.name.as_bytes()),
            );
            if let hashbrown::hash_table::Entry::Vacant(slot) = slot {
                slot.insert((spec, Flags::of(spec)));
            }
        }
        Table { by_name }
    }

    /// The top-level command called `name`, in any letter case.
    pub fn get(&self, name: &[u8]) -> Option<&'static Spec> {
        self.get_with_flags(name).map(|(spec, _)| spec)
    }

    /// `get`, with the row's flags as bits.
    pub fn get_with_flags(&self, name: &[u8]) -> Option<(&'static Spec, Flags)> {
        self.by_name
            .find(name_hash(name), |(s, _)| {
                s.name.as_bytes().eq_ignore_ascii_case(name)
            })
            .copied()
    }

    /// A subcommand of a container, by name in any letter case.
    pub fn find_in(subcommands: &'static [Spec], name: &[u8]) -> Option<&'static Spec> {
        subcommands
            .iter()
            .find(|s| s.name.as_bytes().eq_ignore_ascii_case(name))
    }

    /// A command or `container|subcommand` by its full name.
    pub fn get_full(&self, full_name: &[u8]) -> Option<(String, &'static Spec)> {
        match full_name.iter().position(|&b| b == b'|') {
            None => self.get(full_name).map(|s| (s.name.to_string(), s)),
            Some(bar) => {
                let parent = self.get(&full_name[..bar])?;
                let sub = Table::find_in(parent.subcommands(), &full_name[bar + 1..])?;
                Some((format!("{}|{}", parent.name, sub.name), sub))
            }
        }
    }

    /// Top-level commands in table order.
    pub fn iter(&self) -> impl Iterator<Item = &'static Spec> {
        GROUPS.iter().flat_map(|g| g.iter())
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

impl Default for Table {
    fn default() -> Self {
        Table::new()
    }
}

/// A hash of a command name that ignores ASCII letter case, so that
/// looking up `GET` or `get` takes no lowercased copy: each 8-byte word
/// is hashed with the 0x20 bit of every byte set. That bit is all that
/// separates an upper-case letter from its lower case; the few other
/// bytes it folds together only share a hash, and the comparison that
/// follows tells them apart.
fn name_hash(name: &[u8]) -> u64 {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    let mut hasher = FxHasher::default();
    let mut words = name.chunks_exact(8);
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        hasher.write_u64(u64::from_le_bytes(bytes) | FOLD);
    }
    let mut last = [0u8; 8];
    for (to, from) in last.iter_mut().zip(words.remainder()) {
        *to = *from;
    }
    hasher.write_u64(u64::from_le_bytes(last) | FOLD);
    hasher.write_usize(name.len());
    hasher.finish()
}

/// The argument at `i`; empty past the end (handlers run after the arity
/// check, so this only guards against a table mistake).
pub(crate) fn arg<'a>(argv: &[&'a [u8]], i: usize) -> &'a [u8] {
    argv.get(i).copied().unwrap_or_default()
}

/// An integer reply from a length or a count.
pub(crate) fn int_reply(n: usize) -> Reply {
    Reply::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A looked-up value as type `T`: None if missing, WRONGTYPE if another type.
pub(crate) fn typed<T: Typed>(value: Option<&mut Value>) -> Result<Option<&mut T>, CmdError> {
    match value {
        Some(v) => T::cast(v).map(Some).ok_or(CmdError::WrongType),
        None => Ok(None),
    }
}

/// The value at `key` for a command that reads it (a keyspace hit or miss).
pub(crate) fn read<'a, T: Typed>(
    ctx: &'a mut Ctx<'_>,
    key: &[u8],
) -> Result<Option<&'a mut T>, CmdError> {
    let now = ctx.now();
    typed(ctx.db().read(key, now))
}

/// The value at `key` for a command that modifies it.
pub(crate) fn write<'a, T: Typed>(
    ctx: &'a mut Ctx<'_>,
    key: &[u8],
) -> Result<Option<&'a mut T>, CmdError> {
    let now = ctx.now();
    typed(ctx.db().get(key, now))
}

/// The value at `key` again, for a command that already looked it up
/// with `read` or `write` (`Db::again`: no second access).
pub(crate) fn again<'a, T: Typed>(
    ctx: &'a mut Ctx<'_>,
    key: &[u8],
) -> Result<Option<&'a mut T>, CmdError> {
    typed(ctx.db().again(key))
}

/// Deletes `key` if it holds an empty `T` collection, as Redis does the
/// moment a collection loses its last element; true if it did.
pub(crate) fn drop_if_empty<T: Typed>(ctx: &mut Ctx<'_>, key: &[u8]) -> bool {
    let db = ctx.db();
    db.again(key)
        .and_then(T::cast)
        .is_some_and(|t| t.is_empty_collection())
        && db.remove(key)
}

/// How a command that took elements out of the collection at `key` ends
/// in Redis: its event is published and WATCHers are doomed, then, if the
/// collection is empty, the key goes with a `del` event.
pub(crate) fn removed<T: Typed>(ctx: &mut Ctx<'_>, event_class: u32, event: &str, key: &[u8]) {
    ctx.modified(event_class, event, key);
    if drop_if_empty::<T>(ctx, key) {
        ctx.notify(crate::notify::class::GENERIC, "del", key);
    }
}

/// LMPOP / ZMPOP arguments: `numkeys key... WHERE [COUNT n]`, with Redis's
/// checks in Redis's order. `where_words` names the two accepted words.
pub(crate) struct MultiPop<'a, W> {
    pub keys: &'a [&'a [u8]],
    pub which: W,
    pub count: usize,
}

pub(crate) fn parse_multi_pop<'a, W: Copy>(
    argv: &'a [&'a [u8]],
    where_words: [(&str, W); 2],
) -> Result<MultiPop<'a, W>, CmdError> {
    let numkeys = match parse_i64(arg(argv, 1)) {
        Some(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => {
            return Err(CmdError::Other(
                "ERR numkeys should be greater than 0".to_string(),
            ))
        }
    };
    let where_at = numkeys.saturating_add(2);
    if where_at >= argv.len() {
        return Err(CmdError::Syntax);
    }
    let word = arg(argv, where_at);
    let which = where_words
        .iter()
        .find(|(w, _)| is_opt(word, w))
        .map(|(_, v)| *v)
        .ok_or(CmdError::Syntax)?;
    let mut count: Option<usize> = None;
    let mut j = where_at + 1;
    while let Some(&opt) = argv.get(j) {
        match argv.get(j + 1) {
            Some(&value) if count.is_none() && is_opt(opt, "COUNT") => {
                count = Some(match parse_i64(value) {
                    Some(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
                    _ => {
                        return Err(CmdError::Other(
                            "ERR count should be greater than 0".to_string(),
                        ))
                    }
                });
            }
            _ => return Err(CmdError::Syntax),
        }
        j += 2;
    }
    Ok(MultiPop {
        keys: argv.get(2..where_at).unwrap_or_default(),
        which,
        count: count.unwrap_or(1),
    })
}

/// The most elements a random-member reply may hold. Redis would try to
/// stream any count (a negative count allows repeats, so it has no natural
/// bound) until the client's output limit cut it off; an in-process engine
/// must not attempt the allocation, so beyond this it answers an error.
const MAX_RANDOM_PICKS: u64 = 1 << 24;

/// Positions for HRANDFIELD, SRANDMEMBER and ZRANDMEMBER with a count over
/// `len` (non-zero) elements, by Redis's rules: a positive count gives
/// distinct positions (every position, in order, when it covers them all),
/// a negative one that many draws with repeats.
pub(crate) fn random_picks(rng: &mut Rng, len: usize, count: i64) -> Result<Vec<usize>, CmdError> {
    if count < 0 && count.unsigned_abs() > MAX_RANDOM_PICKS {
        return Err(CmdError::Other("ERR value is out of range".to_string()));
    }
    let wanted = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    if count < 0 {
        return Ok((0..wanted).map(|_| rng.below(len)).collect());
    }
    if wanted >= len {
        return Ok((0..len).collect());
    }
    let mut order: Vec<usize> = (0..len).collect();
    for i in 0..wanted {
        let j = i + rng.below(len - i);
        order.swap(i, j);
    }
    order.truncate(wanted);
    Ok(order)
}

/// Parses an integer argument, with Redis's error for anything else.
pub(crate) fn int_arg(arg: &[u8]) -> Result<i64, CmdError> {
    parse_i64(arg).ok_or(CmdError::NotInteger)
}

/// Redis's error for an integer argument read as a C int that does not fit.
pub(crate) fn int_range_error() -> CmdError {
    CmdError::Other(
        "ERR value is out of range, value must between -2147483648 and 2147483647".to_string(),
    )
}

/// Case-insensitive comparison of an argument with an option keyword.
pub(crate) fn is_opt(arg: &[u8], keyword: &str) -> bool {
    arg.eq_ignore_ascii_case(keyword.as_bytes())
}

/// A row with every field at its neutral value; rows override what they need.
pub(crate) const BASE: Spec = Spec {
    name: "",
    arity: 0,
    flags: &[],
    keys: (0, 0, 0),
    acl: &[],
    tips: &[],
    key_specs: &[],
    group: "",
    since: "",
    complexity: "",
    summary: "",
    doc_flags: &[],
    deprecated_since: None,
    replaced_by: None,
    history: &[],
    args: &[],
    body: Body::Container {
        subcommands: &[],
        bare: None,
    },
};

/// Redis's complaint about a container's subcommand whose arguments it
/// cannot read: the subcommand as typed, the container in capitals.
pub(crate) fn subcommand_syntax(argv: &[&[u8]]) -> CmdError {
    CmdError::Other(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        crate::engine::error_text(arg(argv, 1), 128),
        String::from_utf8_lossy(arg(argv, 0)).to_ascii_uppercase()
    ))
}

/// A HELP subcommand's reply: one status line each, as Redis sends them.
pub(crate) fn help_reply(lines: &[&str]) -> Reply {
    Reply::Array(
        lines
            .iter()
            .map(|l| Reply::Status((*l).to_string()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn all_rows() -> Vec<(String, &'static Spec)> {
        let table = Table::new();
        let mut rows = Vec::new();
        for spec in table.iter() {
            rows.push((spec.name.to_string(), spec));
            for sub in spec.subcommands() {
                rows.push((format!("{}|{}", spec.name, sub.name), sub));
            }
        }
        rows
    }

    #[test]
    fn every_row_is_complete() {
        for (name, spec) in all_rows() {
            assert!(
                !spec.name.is_empty() && spec.name == spec.name.to_ascii_lowercase(),
                "{name}"
            );
            assert!(spec.arity != 0, "{name} has no arity");
            assert!(!spec.summary.is_empty(), "{name} has no summary");
            assert!(!spec.complexity.is_empty(), "{name} has no complexity");
            assert!(
                !spec.group.is_empty() && !spec.since.is_empty(),
                "{name} lacks group/since"
            );
            assert!(!spec.acl.is_empty(), "{name} has no ACL categories");
            let runnable = match spec.body {
                Body::Run(_) => true,
                Body::Container { subcommands, bare } => !subcommands.is_empty() || bare.is_some(),
            };
            assert!(runnable, "{name} has no handler");
        }
    }

    #[test]
    fn names_are_unique_and_found_in_any_case() {
        let table = Table::new();
        let count: usize = GROUPS.iter().map(|g| g.len()).sum();
        assert_eq!(table.len(), count, "duplicate command names");
        assert!(table.get(b"GeT").is_some());
        assert!(table.get(b"nosuch").is_none());
        for spec in table.iter() {
            let upper = spec.name.to_ascii_uppercase();
            let found = table.get(upper.as_bytes()).map(|s| s.name);
            assert_eq!(found, Some(spec.name));
        }
        // A byte the lookup's hash folds together with `_` (their 0x20
        // bit differs) still makes another name.
        assert!(table.get(b"georadius_ro").is_some());
        assert!(table.get(b"georadius\x7fro").is_none());
        assert!(table.get(b"").is_none());
        assert_eq!(
            table.get_full(b"COMMAND|Info").map(|(n, _)| n),
            Some("command|info".into())
        );
    }

    #[test]
    fn flag_bits_are_the_flags_rows_name() {
        for (name, spec) in all_rows() {
            for (flag, bit) in Flags::NAMES {
                assert_eq!(
                    Flags::of(spec).contains(bit),
                    spec.has_flag(flag),
                    "{name} {flag}"
                );
            }
        }
        // A misspelt name would give a bit no row ever sets.
        for (flag, _) in Flags::NAMES {
            assert!(all_rows().iter().any(|(_, s)| s.has_flag(flag)), "{flag}");
        }
    }

    /// Every command in the table is run by a black-box test or a
    /// conformance script; a row nobody runs fails here. A command counts as
    /// run when a script line or a test's command string starts with it.
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn every_row_has_a_test() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut corpus = String::new();
        let dirs = [root.join("tests"), root.join("../tests/conformance/cases")];
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                corpus.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        // Script lines (after `~ `, `@docs ` or a client tag such as `[b] `)
        // and string literals both begin a command right after a newline or
        // a quote.
        let corpus = corpus
            .to_ascii_lowercase()
            .replace("@docs ", "\n")
            .replace("~ ", "\n")
            .replace("] ", "\n");
        for (name, _) in all_rows() {
            let words = name.replace('|', " ");
            let starts = ['\n', '"'].iter().any(|lead| {
                [' ', '\n', '"']
                    .iter()
                    .any(|end| corpus.contains(&format!("{lead}{words}{end}")))
            });
            assert!(starts, "no test runs `{words}`");
        }
    }
}
