//! The shape of a command-table row. Each command group (`string.rs`,
//! `keyspace.rs`, ...) declares its rows with these types; `mod.rs` gathers
//! them into the one table that drives dispatch, the arity check, COMMAND
//! INFO/DOCS/COUNT, and the console's completion and hints.
//!
//! Arity, flags, key specs, ACL categories and argument grammar are Redis's
//! facts and match Redis 7.0 exactly. Summaries, complexity notes and history
//! notes are written in our own words.

use crate::engine::Ctx;
use crate::error::CmdError;
use crate::reply::Reply;

/// A command implementation. It receives the whole argument vector (name
/// included) whose length already satisfies the arity.
pub type Handler = fn(&mut Ctx<'_>, &[&[u8]]) -> Result<Reply, CmdError>;

/// What running the command does.
#[derive(Clone, Copy)]
pub enum Body {
    Run(Handler),
    /// A container such as COMMAND: the second argument names a subcommand;
    /// `bare` runs when the container is called alone (if its arity allows).
    Container {
        subcommands: &'static [Spec],
        bare: Option<Handler>,
    },
}

/// One row of the command table.
pub struct Spec {
    /// Lowercase name; for a subcommand, just its own part (`info`).
    pub name: &'static str,
    /// Redis's arity: exact count if positive, minimum if negative (name included).
    pub arity: i32,
    pub flags: &'static [&'static str],
    /// Legacy key positions: first key, last key, step.
    pub keys: (i32, i32, i32),
    pub acl: &'static [&'static str],
    pub tips: &'static [&'static str],
    pub key_specs: &'static [KeySpec],
    pub group: &'static str,
    pub since: &'static str,
    pub complexity: &'static str,
    pub summary: &'static str,
    /// COMMAND DOCS `doc_flags` (`deprecated`, `syscmd`).
    pub doc_flags: &'static [&'static str],
    pub deprecated_since: Option<&'static str>,
    /// What to use instead of a deprecated command, in our words.
    pub replaced_by: Option<&'static str>,
    pub history: &'static [(&'static str, &'static str)],
    pub args: &'static [Arg],
    pub body: Body,
}

impl Spec {
    /// True if `argc` (name included) fits the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = i64::try_from(argc).unwrap_or(i64::MAX);
        let arity = i64::from(self.arity);
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    pub fn subcommands(&self) -> &'static [Spec] {
        match self.body {
            Body::Container { subcommands, .. } => subcommands,
            Body::Run(_) => &[],
        }
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }
}

/// The flags dispatch tests on every command, as bits of one word: a
/// `Spec` names its flags (COMMAND INFO lists them), and comparing names
/// a dozen times per command was a measurable part of running one. The
/// table computes these once per row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags(u16);

impl Flags {
    pub const WRITE: Flags = Flags(1);
    pub const DENYOOM: Flags = Flags(1 << 1);
    pub const FAST: Flags = Flags(1 << 2);
    pub const ADMIN: Flags = Flags(1 << 3);
    pub const NO_MULTI: Flags = Flags(1 << 4);
    pub const NO_AUTH: Flags = Flags(1 << 5);
    pub const NOSCRIPT: Flags = Flags(1 << 6);
    pub const ALLOW_BUSY: Flags = Flags(1 << 7);
    pub const SKIP_SLOWLOG: Flags = Flags(1 << 8);
    pub const SKIP_MONITOR: Flags = Flags(1 << 9);

    /// Each bit's name in the table.
    pub(super) const NAMES: [(&'static str, Flags); 10] = [
        ("write", Flags::WRITE),
        ("denyoom", Flags::DENYOOM),
        ("fast", Flags::FAST),
        ("admin", Flags::ADMIN),
        ("no_multi", Flags::NO_MULTI),
        ("no_auth", Flags::NO_AUTH),
        ("noscript", Flags::NOSCRIPT),
        ("allow_busy", Flags::ALLOW_BUSY),
        ("skip_slowlog", Flags::SKIP_SLOWLOG),
        ("skip_monitor", Flags::SKIP_MONITOR),
    ];

    /// The bits of the flags `spec` names (others have no bit).
    pub fn of(spec: &Spec) -> Flags {
        Flags::NAMES
            .iter()
            .filter(|(name, _)| spec.has_flag(name))
            .fold(Flags::default(), |all, &(_, bit)| Flags(all.0 | bit.0))
    }

    pub fn contains(self, flag: Flags) -> bool {
        self.0 & flag.0 == flag.0
    }
}

impl Spec {
    /// The argument positions holding keys, found with the key specs the
    /// way Redis's `getKeysUsingKeySpecs` does; specs that do not fit the
    /// arguments (or need content-dependent parsing) give nothing.
    pub fn key_positions(&self, argv: &[&[u8]]) -> Vec<usize> {
        self.keys_with_flags(argv)
            .into_iter()
            .map(|(at, _)| at)
            .collect()
    }

    /// Like `key_positions`, each with its key spec's flags (COMMAND
    /// GETKEYSANDFLAGS); `None` when a spec does not fit the arguments,
    /// which Redis reports as invalid arguments.
    pub fn keys_with_flags(&self, argv: &[&[u8]]) -> Vec<(usize, &'static [&'static str])> {
        self.try_keys_with_flags(argv).unwrap_or_default()
    }

    /// The keys and flags, or `None` if some spec does not fit `argv`.
    pub fn try_keys_with_flags(
        &self,
        argv: &[&[u8]],
    ) -> Option<Vec<(usize, &'static [&'static str])>> {
        let argc = i64::try_from(argv.len()).unwrap_or(i64::MAX);
        let mut positions = Vec::new();
        for spec in self.key_specs {
            let first = match spec.begin {
                BeginSearch::Index(i) => i64::from(i),
                BeginSearch::Keyword {
                    keyword,
                    start_from,
                } => {
                    let start = i64::from(start_from);
                    let (from, to) = if start > 0 {
                        (start, argc - 1)
                    } else {
                        (argc + start, 0)
                    };
                    let mut found = None;
                    let mut i = from;
                    while i != to && (1..argc).contains(&i) {
                        let word = usize::try_from(i).ok().and_then(|i| argv.get(i));
                        if word.is_some_and(|w| w.eq_ignore_ascii_case(keyword.as_bytes())) {
                            found = Some(i + 1);
                            break;
                        }
                        i += if from <= to { 1 } else { -1 };
                    }
                    match found {
                        Some(first) => first,
                        None => continue,
                    }
                }
                BeginSearch::Unknown => continue,
            };
            let (first, last, step) = match spec.find {
                FindKeys::Range {
                    last_key,
                    key_step,
                    limit,
                } => {
                    let last = match (last_key, limit) {
                        (l, _) if l >= 0 => first + i64::from(l),
                        (l, 0) => argc + i64::from(l),
                        (l, limit) => first + ((argc - first) / i64::from(limit) + i64::from(l)),
                    };
                    (first, last, i64::from(key_step))
                }
                FindKeys::Keynum {
                    keynum_idx,
                    first_key,
                    key_step,
                } => {
                    let count = usize::try_from(first + i64::from(keynum_idx))
                        .ok()
                        .and_then(|i| argv.get(i))
                        .and_then(|raw| crate::number::parse_i64(raw))
                        .filter(|&n| n >= 0);
                    let count = count?;
                    let first = first + i64::from(first_key);
                    (first, first + count - 1, i64::from(key_step))
                }
                FindKeys::Unknown => continue,
            };
            if last >= argc || last < first || first >= argc || step <= 0 {
                return None;
            }
            let mut i = first;
            while i <= last {
                if let Ok(at) = usize::try_from(i) {
                    positions.push((at, spec.flags));
                }
                i += step;
            }
        }
        Some(positions)
    }
}

/// Where a command's keys are, in Redis 7's key-spec form.
pub struct KeySpec {
    pub notes: Option<&'static str>,
    pub flags: &'static [&'static str],
    pub begin: BeginSearch,
    pub find: FindKeys,
}

pub enum BeginSearch {
    /// The first key is at this argument index.
    Index(i32),
    /// The first key follows this keyword, searched from `start_from`.
    Keyword {
        keyword: &'static str,
        start_from: i32,
    },
    /// Key positions depend on the arguments' content (SORT's BY/GET).
    Unknown,
}

pub enum FindKeys {
    /// Keys run to `last_key` (relative; -1 = end), every `key_step`, at most `limit`.
    Range {
        last_key: i32,
        key_step: i32,
        limit: i32,
    },
    /// The argument at `keynum_idx` says how many keys follow from `first_key`.
    Keynum {
        keynum_idx: i32,
        first_key: i32,
        key_step: i32,
    },
    Unknown,
}

/// An argument in Redis's documented grammar (COMMAND DOCS).
#[derive(Clone, Copy)]
pub struct Arg {
    pub name: &'static str,
    pub kind: ArgKind,
    pub key_spec_index: Option<i32>,
    pub token: Option<&'static str>,
    pub since: Option<&'static str>,
    /// The version that deprecated this form (CLIENT KILL's bare address).
    pub deprecated_since: Option<&'static str>,
    pub optional: bool,
    pub multiple: bool,
    pub multiple_token: bool,
    pub args: &'static [Arg],
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

impl ArgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ArgKind::String => "string",
            ArgKind::Integer => "integer",
            ArgKind::Double => "double",
            ArgKind::Key => "key",
            ArgKind::Pattern => "pattern",
            ArgKind::UnixTime => "unix-time",
            ArgKind::PureToken => "pure-token",
            ArgKind::OneOf => "oneof",
            ArgKind::Block => "block",
        }
    }
}

impl Arg {
    pub const fn new(name: &'static str, kind: ArgKind) -> Arg {
        Arg {
            name,
            kind,
            key_spec_index: None,
            token: None,
            since: None,
            deprecated_since: None,
            optional: false,
            multiple: false,
            multiple_token: false,
            args: &[],
        }
    }

    /// A key argument bound to the key spec at `index`.
    pub const fn key(name: &'static str, index: i32) -> Arg {
        Arg {
            key_spec_index: Some(index),
            ..Arg::new(name, ArgKind::Key)
        }
    }

    /// A bare keyword such as `NX`.
    pub const fn pure_token(name: &'static str, token: &'static str) -> Arg {
        Arg {
            token: Some(token),
            ..Arg::new(name, ArgKind::PureToken)
        }
    }

    pub const fn one_of(name: &'static str, args: &'static [Arg]) -> Arg {
        Arg {
            args,
            ..Arg::new(name, ArgKind::OneOf)
        }
    }

    pub const fn block(name: &'static str, args: &'static [Arg]) -> Arg {
        Arg {
            args,
            ..Arg::new(name, ArgKind::Block)
        }
    }

    /// Ties a non-key argument that names keys (SORT's BY/GET patterns) to a key spec.
    pub const fn key_spec(self, index: i32) -> Arg {
        Arg {
            key_spec_index: Some(index),
            ..self
        }
    }

    pub const fn token(self, token: &'static str) -> Arg {
        Arg {
            token: Some(token),
            ..self
        }
    }

    pub const fn since(self, version: &'static str) -> Arg {
        Arg {
            since: Some(version),
            ..self
        }
    }

    pub const fn deprecated_since(self, version: &'static str) -> Arg {
        Arg {
            deprecated_since: Some(version),
            ..self
        }
    }

    pub const fn optional(self) -> Arg {
        Arg {
            optional: true,
            ..self
        }
    }

    pub const fn multiple(self) -> Arg {
        Arg {
            multiple: true,
            ..self
        }
    }

    pub const fn multiple_token(self) -> Arg {
        Arg {
            multiple_token: true,
            ..self
        }
    }
}

/// The common single-key spec: one key at argument 1.
pub const fn one_key(notes: Option<&'static str>, flags: &'static [&'static str]) -> KeySpec {
    KeySpec {
        notes,
        flags,
        begin: BeginSearch::Index(1),
        find: FindKeys::Range {
            last_key: 0,
            key_step: 1,
            limit: 0,
        },
    }
}

/// Every argument from 1 on is a key.
pub const fn all_keys(flags: &'static [&'static str]) -> KeySpec {
    KeySpec {
        notes: None,
        flags,
        begin: BeginSearch::Index(1),
        find: FindKeys::Range {
            last_key: -1,
            key_step: 1,
            limit: 0,
        },
    }
}
