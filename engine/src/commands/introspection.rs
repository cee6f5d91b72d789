//! COMMAND and its subcommands COUNT, INFO, DOCS, LIST, GETKEYS,
//! GETKEYSANDFLAGS and HELP: the command table described in Redis 7.0's
//! exact reply shapes, so client libraries and redis-cli's hints read it as
//! they read real Redis.

use super::{help_reply, Arg, ArgKind, BeginSearch, Body, FindKeys, Spec, Table, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;

const COMMAND_NAMES: Arg = Arg::new("command-name", ArgKind::String)
    .optional()
    .multiple();

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "count",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@slow", "@connection"],
        group: "server",
        since: "2.8.13",
        complexity: "O(1)",
        summary: "Answers how many commands this server knows.",
        body: Body::Run(count),
        ..BASE
    },
    Spec {
        name: "info",
        arity: -2,
        flags: &["loading", "stale"],
        acl: &["@slow", "@connection"],
        tips: &["nondeterministic_output_order"],
        group: "server",
        since: "2.8.13",
        complexity: "O(N) for N commands described.",
        summary: "Describes commands (arity, flags, keys, categories): the named ones, or all of them.",
        history: &[("7.0.0", "With no names, every command is described.")],
        args: &[COMMAND_NAMES],
        body: Body::Run(info),
        ..BASE
    },
    Spec {
        name: "docs",
        arity: -2,
        flags: &["loading", "stale"],
        acl: &["@slow", "@connection"],
        tips: &["nondeterministic_output_order"],
        group: "server",
        since: "7.0.0",
        complexity: "O(N) for N commands documented.",
        summary: "Documents commands (summary, versions, argument grammar): the named ones, or all of them.",
        args: &[COMMAND_NAMES],
        body: Body::Run(docs),
        ..BASE
    },
    Spec {
        name: "list",
        arity: -2,
        flags: &["loading", "stale"],
        acl: &["@slow", "@connection"],
        tips: &["nondeterministic_output_order"],
        group: "server",
        since: "7.0.0",
        complexity: "O(N) for the N commands.",
        summary: "Lists the names of every command and subcommand, optionally filtered by ACL category or name pattern.",
        args: &[Arg::one_of(
            "filterby",
            &[
                Arg::new("module-name", ArgKind::String).token("MODULE"),
                Arg::new("category", ArgKind::String).token("ACLCAT"),
                Arg::new("pattern", ArgKind::Pattern).token("PATTERN"),
            ],
        )
        .token("FILTERBY")
        .optional()],
        body: Body::Run(command_list),
        ..BASE
    },
    Spec {
        name: "getkeys",
        arity: -4,
        flags: &["loading", "stale"],
        acl: &["@slow", "@connection"],
        group: "server",
        since: "2.8.13",
        complexity: "O(N) for the N arguments.",
        summary: "Finds the key names in a full command line.",
        body: Body::Run(getkeys),
        ..BASE
    },
    Spec {
        name: "getkeysandflags",
        arity: -4,
        flags: &["loading", "stale"],
        acl: &["@slow", "@connection"],
        group: "server",
        since: "7.0.0",
        complexity: "O(N) for the N arguments.",
        summary: "Finds the key names in a full command line, each with its access flags.",
        body: Body::Run(getkeysandflags),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@slow", "@connection"],
        group: "server",
        since: "5.0.0",
        complexity: "O(1)",
        summary: "Lists the COMMAND subcommands.",
        body: Body::Run(command_help),
        ..BASE
    },
];

pub const SPECS: &[Spec] = &[Spec {
    name: "command",
    arity: -1,
    flags: &["loading", "stale"],
    acl: &["@slow", "@connection"],
    tips: &["nondeterministic_output_order"],
    group: "server",
    since: "2.8.13",
    complexity: "O(N) for the N commands of the server.",
    summary: "Describes every command this server knows.",
    body: Body::Container {
        subcommands: SUBCOMMANDS,
        bare: Some(all_info),
    },
    ..BASE
}];

fn count(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::Int(
        i64::try_from(ctx.table.len()).unwrap_or(i64::MAX),
    ))
}

fn all_info(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(Reply::Array(
        ctx.table.iter().map(|s| info_reply(s.name, s)).collect(),
    ))
}

fn info(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    if argv.len() == 2 {
        return all_info(ctx, argv);
    }
    let table: &Table = ctx.table;
    Ok(Reply::Array(
        argv.iter()
            .skip(2)
            .map(|name| match table.get_full(name) {
                Some((full_name, spec)) => info_reply(&full_name, spec),
                None => Reply::Nil,
            })
            .collect(),
    ))
}

fn docs(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let table: &Table = ctx.table;
    let entries = if argv.len() == 2 {
        table
            .iter()
            .map(|s| (Reply::bulk(s.name.as_bytes()), docs_reply(s.name, s)))
            .collect()
    } else {
        argv.iter()
            .skip(2)
            .filter_map(|name| table.get_full(name))
            .map(|(full, spec)| (Reply::bulk(full.as_bytes()), docs_reply(&full, spec)))
            .collect()
    };
    Ok(Reply::Map(entries))
}

fn statuses(items: &[&str]) -> Reply {
    Reply::Set(items.iter().map(|s| Reply::Status(s.to_string())).collect())
}

fn bulk_str(s: &str) -> Reply {
    Reply::bulk(s.as_bytes())
}

/// One command's COMMAND INFO entry: ten fields in Redis's order.
fn info_reply(full_name: &str, spec: &Spec) -> Reply {
    let (first, last, step) = spec.keys;
    Reply::Array(vec![
        bulk_str(full_name),
        Reply::Int(i64::from(spec.arity)),
        statuses(spec.flags),
        Reply::Int(i64::from(first)),
        Reply::Int(i64::from(last)),
        Reply::Int(i64::from(step)),
        statuses(spec.acl),
        Reply::Set(spec.tips.iter().map(|t| bulk_str(t)).collect()),
        Reply::Set(spec.key_specs.iter().map(key_spec_reply).collect()),
        Reply::Set(
            spec.subcommands()
                .iter()
                .map(|sub| info_reply(&format!("{full_name}|{}", sub.name), sub))
                .collect(),
        ),
    ])
}

fn int_map(pairs: &[(&str, i32)]) -> Reply {
    Reply::Map(
        pairs
            .iter()
            .map(|(k, v)| (bulk_str(k), Reply::Int(i64::from(*v))))
            .collect(),
    )
}

fn typed(kind: &str, spec: Reply) -> Reply {
    Reply::Map(vec![
        (bulk_str("type"), bulk_str(kind)),
        (bulk_str("spec"), spec),
    ])
}

fn key_spec_reply(ks: &super::KeySpec) -> Reply {
    let mut fields = Vec::with_capacity(4);
    if let Some(notes) = ks.notes {
        fields.push((bulk_str("notes"), bulk_str(notes)));
    }
    fields.push((bulk_str("flags"), statuses(ks.flags)));
    let begin = match ks.begin {
        BeginSearch::Index(index) => typed("index", int_map(&[("index", index)])),
        BeginSearch::Keyword {
            keyword,
            start_from,
        } => typed(
            "keyword",
            Reply::Map(vec![
                (bulk_str("keyword"), bulk_str(keyword)),
                (bulk_str("startfrom"), Reply::Int(i64::from(start_from))),
            ]),
        ),
        BeginSearch::Unknown => typed("unknown", Reply::Map(Vec::new())),
    };
    fields.push((bulk_str("begin_search"), begin));
    let find = match ks.find {
        FindKeys::Range {
            last_key,
            key_step,
            limit,
        } => typed(
            "range",
            int_map(&[
                ("lastkey", last_key),
                ("keystep", key_step),
                ("limit", limit),
            ]),
        ),
        FindKeys::Keynum {
            keynum_idx,
            first_key,
            key_step,
        } => typed(
            "keynum",
            int_map(&[
                ("keynumidx", keynum_idx),
                ("firstkey", first_key),
                ("keystep", key_step),
            ]),
        ),
        FindKeys::Unknown => typed("unknown", Reply::Map(Vec::new())),
    };
    fields.push((bulk_str("find_keys"), find));
    Reply::Map(fields)
}

/// One command's COMMAND DOCS entry, fields in Redis's order.
fn docs_reply(full_name: &str, spec: &Spec) -> Reply {
    let mut fields = vec![
        (bulk_str("summary"), bulk_str(spec.summary)),
        (bulk_str("since"), bulk_str(spec.since)),
        (bulk_str("group"), bulk_str(spec.group)),
        (bulk_str("complexity"), bulk_str(spec.complexity)),
    ];
    if !spec.doc_flags.is_empty() {
        fields.push((bulk_str("doc_flags"), statuses(spec.doc_flags)));
    }
    if let Some(version) = spec.deprecated_since {
        fields.push((bulk_str("deprecated_since"), bulk_str(version)));
    }
    if let Some(replacement) = spec.replaced_by {
        fields.push((bulk_str("replaced_by"), bulk_str(replacement)));
    }
    if !spec.history.is_empty() {
        let entries = spec
            .history
            .iter()
            .map(|(version, note)| Reply::Array(vec![bulk_str(version), bulk_str(note)]))
            .collect();
        fields.push((bulk_str("history"), Reply::Set(entries)));
    }
    if !spec.args.is_empty() {
        fields.push((bulk_str("arguments"), args_reply(spec.args)));
    }
    let subs = spec.subcommands();
    if !subs.is_empty() {
        let entries = subs
            .iter()
            .map(|sub| {
                let name = format!("{full_name}|{}", sub.name);
                (bulk_str(&name), docs_reply(&name, sub))
            })
            .collect();
        fields.push((bulk_str("subcommands"), Reply::Map(entries)));
    }
    Reply::Map(fields)
}

fn args_reply(args: &[Arg]) -> Reply {
    Reply::Array(args.iter().map(arg_reply).collect())
}

fn arg_reply(arg: &Arg) -> Reply {
    let mut fields = vec![
        (bulk_str("name"), bulk_str(arg.name)),
        (bulk_str("type"), bulk_str(arg.kind.as_str())),
    ];
    if let Some(index) = arg.key_spec_index {
        fields.push((bulk_str("key_spec_index"), Reply::Int(i64::from(index))));
    }
    if let Some(token) = arg.token {
        fields.push((bulk_str("token"), bulk_str(token)));
    }
    if let Some(since) = arg.since {
        fields.push((bulk_str("since"), bulk_str(since)));
    }
    if let Some(version) = arg.deprecated_since {
        fields.push((bulk_str("deprecated_since"), bulk_str(version)));
    }
    let flags: Vec<&str> = [
        (arg.optional, "optional"),
        (arg.multiple, "multiple"),
        (arg.multiple_token, "multiple_token"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| *name)
    .collect();
    if !flags.is_empty() {
        fields.push((bulk_str("flags"), statuses(&flags)));
    }
    if matches!(arg.kind, ArgKind::OneOf | ArgKind::Block) {
        fields.push((bulk_str("arguments"), args_reply(arg.args)));
    }
    Reply::Map(fields)
}

/// Every command and subcommand by full name (`config|get`).
fn full_names(table: &Table) -> Vec<(String, &'static Spec)> {
    let mut names = Vec::new();
    for spec in table.iter() {
        names.push((spec.name.to_string(), spec));
        for sub in spec.subcommands() {
            names.push((format!("{}|{}", spec.name, sub.name), sub));
        }
    }
    names
}

/// Which commands COMMAND LIST keeps, by full name and row.
type CommandFilter = Box<dyn Fn(&str, &Spec) -> bool>;

/// Keys found in a command line, each with its access flags.
type KeysFound<'a> = Vec<(&'a [u8], &'static [&'static str])>;

fn command_list(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let keep: CommandFilter = match argv.get(2..) {
        None | Some([]) => Box::new(|_, _| true),
        Some([filterby, kind, value]) if super::is_opt(filterby, "FILTERBY") => {
            let value = String::from_utf8_lossy(value).to_ascii_lowercase();
            if super::is_opt(kind, "MODULE") {
                Box::new(|_, _| false)
            } else if super::is_opt(kind, "ACLCAT") {
                let category = format!("@{value}");
                Box::new(move |_, spec| spec.acl.iter().any(|c| c.eq_ignore_ascii_case(&category)))
            } else if super::is_opt(kind, "PATTERN") {
                Box::new(move |name, _| {
                    crate::glob::matches_nocase(value.as_bytes(), name.as_bytes())
                })
            } else {
                return Err(CmdError::Syntax);
            }
        }
        _ => return Err(CmdError::Syntax),
    };
    Ok(Reply::Array(
        full_names(ctx.table)
            .into_iter()
            .filter(|(name, spec)| keep(name, spec))
            .map(|(name, _)| Reply::Bulk(name.into_bytes()))
            .collect(),
    ))
}

/// The row a GETKEYS command line names and its key positions with flags,
/// with Redis's errors for the ways that can fail.
fn keys_of<'a>(ctx: &Ctx<'_>, line: &[&'a [u8]]) -> Result<KeysFound<'a>, CmdError> {
    let invalid = |text: &str| CmdError::Other(format!("ERR {text}"));
    let name = line.first().copied().unwrap_or_default();
    let spec = ctx
        .table
        .get(name)
        .and_then(|spec| match (spec.subcommands(), line.get(1)) {
            ([], _) => Some(spec),
            (subs, Some(sub)) => Table::find_in(subs, sub),
            (_, None) => None,
        })
        .ok_or_else(|| invalid("Invalid command specified"))?;
    if spec.key_specs.is_empty() {
        return Err(invalid("The command has no key arguments"));
    }
    if !spec.arity_ok(line.len()) {
        return Err(invalid("Invalid number of arguments specified for command"));
    }
    let found = match custom_keys(spec.name, line) {
        Some(found) => found,
        None => spec.try_keys_with_flags(line).unwrap_or_default(),
    };
    if found.is_empty() && !spec.has_flag("no_mandatory_keys") {
        return Err(invalid("Invalid arguments specified for command"));
    }
    Ok(found
        .into_iter()
        .filter_map(|(at, flags)| line.get(at).map(|key| (*key, flags)))
        .collect())
}

const RO_ACCESS: &[&str] = &["RO", "access"];
const RW_ACCESS_UPDATE: &[&str] = &["RW", "access", "update"];
const OW_UPDATE: &[&str] = &["OW", "update"];

/// The commands whose keys or key flags depend on their arguments in ways
/// key specs cannot say (Redis gives them their own key finders).
fn custom_keys(name: &str, line: &[&[u8]]) -> Option<Vec<(usize, &'static [&'static str])>> {
    let word = |i: usize, w: &str| line.get(i).is_some_and(|a| super::is_opt(a, w));
    match name {
        // SET with GET reads the old value; otherwise it only overwrites.
        "set" => {
            let reads = (3..line.len()).any(|i| word(i, "GET"));
            Some(vec![(1, if reads { RW_ACCESS_UPDATE } else { OW_UPDATE })])
        }
        // BITFIELD writes only with a SET or INCRBY operation.
        "bitfield" => {
            let mut flags = RO_ACCESS;
            let mut i = 2;
            while i < line.len() {
                let remaining = line.len() - i - 1;
                if word(i, "GET") && remaining >= 2 {
                    i += 3;
                } else if (word(i, "SET") || word(i, "INCRBY")) && remaining >= 3 {
                    flags = RW_ACCESS_UPDATE;
                    break;
                } else if word(i, "OVERFLOW") && remaining >= 1 {
                    i += 2;
                } else {
                    break;
                }
            }
            Some(vec![(1, flags)])
        }
        // SORT stores into the last STORE destination, skipping the
        // arguments of LIMIT, GET and BY.
        "sort" => {
            let mut keys = vec![(1, RO_ACCESS)];
            let mut store = None;
            let mut i = 2;
            while i < line.len() {
                if word(i, "LIMIT") {
                    i += 2;
                } else if word(i, "GET") || word(i, "BY") {
                    i += 1;
                } else if word(i, "STORE") && i + 1 < line.len() {
                    store = Some(i + 1);
                }
                i += 1;
            }
            keys.extend(store.map(|at| (at, OW_UPDATE)));
            Some(keys)
        }
        _ => None,
    }
}

fn getkeys(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let keys = keys_of(ctx, argv.get(2..).unwrap_or_default())?;
    Ok(Reply::Array(
        keys.into_iter().map(|(k, _)| Reply::bulk(k)).collect(),
    ))
}

fn getkeysandflags(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let keys = keys_of(ctx, argv.get(2..).unwrap_or_default())?;
    Ok(Reply::Array(
        keys.into_iter()
            .map(|(k, flags)| Reply::Array(vec![Reply::bulk(k), statuses(flags)]))
            .collect(),
    ))
}

fn command_help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Describes every command.",
        "COUNT",
        "    Counts the commands.",
        "LIST [FILTERBY (MODULE <name>|ACLCAT <category>|PATTERN <glob>)]",
        "    Lists command names, optionally filtered.",
        "INFO [<command-name> ...]",
        "    Describes the named commands, or all of them.",
        "DOCS [<command-name> ...]",
        "    Documents the named commands, or all of them.",
        "GETKEYS <full-command>",
        "    Finds the keys in a command line.",
        "GETKEYSANDFLAGS <full-command>",
        "    Finds the keys in a command line, with their access flags.",
        "HELP",
        "    Prints this help.",
    ]))
}
