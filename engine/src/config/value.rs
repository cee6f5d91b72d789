//! A parameter's current value, and its text as CONFIG GET reports it
//! (byte counts for memory values, `N%` for percentages, canonical words for
//! enums, event letters in Redis's fixed order).

use super::table::{Form, Kind, ParamDef, DEFAULT_BIND};

/// A client class's output buffer limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BufferLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: i64,
}

/// The classes `client-output-buffer-limit` names, in the order it lists them.
pub const BUFFER_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

pub const DEFAULT_BUFFER_LIMITS: [BufferLimit; 3] = [
    BufferLimit {
        hard: 0,
        soft: 0,
        soft_seconds: 0,
    },
    BufferLimit {
        hard: 256 << 20,
        soft: 64 << 20,
        soft_seconds: 60,
    },
    BufferLimit {
        hard: 32 << 20,
        soft: 8 << 20,
        soft_seconds: 60,
    },
];

/// Keyspace event classes: the letter and its bit, in the order CONFIG GET
/// prints them (`A` stands for all of the first ten).
pub const EVENT_CLASSES: &[(u8, u32)] = &[
    (b'g', 1 << 2),
    (b'$', 1 << 3),
    (b'l', 1 << 4),
    (b's', 1 << 5),
    (b'h', 1 << 6),
    (b'z', 1 << 7),
    (b'x', 1 << 8),
    (b'e', 1 << 9),
    (b't', 1 << 10),
    (b'd', 1 << 13),
    (b'n', 1 << 14),
];
pub const EVENTS_KEYSPACE: u32 = 1;
pub const EVENTS_KEYEVENT: u32 = 1 << 1;
pub const EVENTS_KEY_MISS: u32 = 1 << 11;
/// What `A` sets: every class but key misses and new keys.
pub const EVENTS_ALL: u32 = (1 << 2)
    | (1 << 3)
    | (1 << 4)
    | (1 << 5)
    | (1 << 6)
    | (1 << 7)
    | (1 << 8)
    | (1 << 9)
    | (1 << 10)
    | (1 << 13);

/// A parameter's value, in the shape Redis keeps it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Every numeric parameter as a 64-bit integer; an unsigned one keeps
    /// its bits, and a percentage is stored negated, as Redis does.
    Int(i64),
    /// The value of an enum word, or or-ed flag values.
    Enum(u32),
    Text(Vec<u8>),
    /// `save`: (seconds, changes) pairs.
    Save(Vec<(i64, i32)>),
    BufferLimits([BufferLimit; 3]),
    OomScoreAdj([i32; 3]),
    Events(u32),
    Addresses(Vec<Vec<u8>>),
    Percentiles(Vec<f64>),
}

impl Value {
    /// The value a parameter starts with.
    pub fn default_for(def: &ParamDef) -> Value {
        match def.kind {
            Kind::Bool { default, .. } => Value::Bool(default),
            Kind::Int { default, .. } => Value::Int(default),
            Kind::Enum { default, .. } | Kind::Flags { default, .. } => Value::Enum(default),
            Kind::Text { default, .. } => Value::Text(default.as_bytes().to_vec()),
            Kind::Save => Value::Save(Vec::new()),
            Kind::OutputBufferLimits => Value::BufferLimits(DEFAULT_BUFFER_LIMITS),
            Kind::OomScoreAdjValues => Value::OomScoreAdj([0, 200, 800]),
            Kind::KeyspaceEvents => Value::Events(0),
            Kind::Addresses => Value::Addresses(vec![DEFAULT_BIND.as_bytes().to_vec()]),
            Kind::Percentiles => Value::Percentiles(vec![50.0, 99.0, 99.9]),
        }
    }

    /// The value as CONFIG GET reports it.
    pub fn render(&self, def: &ParamDef) -> Vec<u8> {
        match self {
            Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
            Value::Int(n) => render_int(*n, def).into_bytes(),
            Value::Enum(v) => render_enum(*v, def).into_bytes(),
            Value::Text(t) => t.clone(),
            Value::Save(points) => join(points.iter().map(|(s, c)| format!("{s} {c}"))),
            Value::BufferLimits(limits) => join(
                BUFFER_CLASSES
                    .iter()
                    .zip(limits)
                    .map(|(c, l)| format!("{c} {} {} {}", l.hard, l.soft, l.soft_seconds)),
            ),
            Value::OomScoreAdj(values) => join(values.iter().map(i32::to_string)),
            Value::Events(flags) => render_events(*flags),
            Value::Addresses(addresses) => addresses.join(&b' '),
            Value::Percentiles(values) => join(values.iter().map(|p| render_percentile(*p))),
        }
    }

    /// The number, for a numeric parameter.
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn is_yes(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

fn join(parts: impl Iterator<Item = String>) -> Vec<u8> {
    parts.collect::<Vec<_>>().join(" ").into_bytes()
}

fn render_int(n: i64, def: &ParamDef) -> String {
    let Kind::Int { form, .. } = def.kind else {
        return n.to_string();
    };
    match form {
        Form::MemoryOrPercent if n < 0 => format!("{}%", n.unsigned_abs()),
        // Memory values print unsigned, which is how `maxmemory` reaches
        // 18446744073709551615.
        Form::Memory | Form::MemoryOrPercent => (n as u64).to_string(),
        Form::Octal => format!("{n:o}"),
        Form::Plain => n.to_string(),
    }
}

fn render_enum(value: u32, def: &ParamDef) -> String {
    match def.kind {
        Kind::Enum { words, .. } => words
            .iter()
            .find(|(_, v)| *v == value)
            .map_or("unknown", |(w, _)| w)
            .to_string(),
        Kind::Flags { words, .. } => {
            if let Some((word, _)) = words.iter().find(|(_, v)| *v == value) {
                return word.to_string();
            }
            let mut rest = value;
            let mut names = Vec::new();
            for (word, v) in words {
                if *v != 0 && rest & v == *v {
                    names.push(*word);
                    rest &= !v;
                }
            }
            if names.is_empty() || rest != 0 {
                "unknown".to_string()
            } else {
                names.join(" ")
            }
        }
        _ => value.to_string(),
    }
}

fn render_events(flags: u32) -> Vec<u8> {
    let mut out = Vec::new();
    if flags & EVENTS_ALL == EVENTS_ALL {
        // `A` replaces the classes it covers, and Redis then prints none of
        // the others from that group (so a set `n` is not shown).
        out.push(b'A');
    } else {
        out.extend(
            EVENT_CLASSES
                .iter()
                .filter(|(_, bit)| flags & bit != 0)
                .map(|(letter, _)| *letter),
        );
    }
    for (bit, letter) in [
        (EVENTS_KEYSPACE, b'K'),
        (EVENTS_KEYEVENT, b'E'),
        (EVENTS_KEY_MISS, b'm'),
    ] {
        if flags & bit != 0 {
            out.push(letter);
        }
    }
    out
}

/// `%f`, then trailing zeros (and a bare point) dropped.
pub(crate) fn render_percentile(p: f64) -> String {
    let fixed = format!("{p:.6}");
    fixed
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::config::table::PARAMS;

    fn def(name: &str) -> &'static ParamDef {
        PARAMS.iter().find(|p| p.name == name).expect("a parameter")
    }

    fn text(name: &str, value: Value) -> String {
        String::from_utf8(value.render(def(name))).expect("utf-8")
    }

    #[test]
    fn numbers_print_by_form() {
        assert_eq!(text("maxmemory", Value::Int(-1)), "18446744073709551615");
        assert_eq!(text("maxmemory-clients", Value::Int(-5)), "5%");
        assert_eq!(text("maxmemory-clients", Value::Int(1024)), "1024");
        assert_eq!(text("unixsocketperm", Value::Int(0o700)), "700");
        assert_eq!(text("list-max-listpack-size", Value::Int(-2)), "-2");
    }

    #[test]
    fn enums_print_their_first_word() {
        assert_eq!(text("oom-score-adj", Value::Enum(1)), "yes");
        assert_eq!(text("shutdown-on-sigint", Value::Enum(0)), "default");
        assert_eq!(text("shutdown-on-sigint", Value::Enum(2 | 4)), "nosave now");
        assert_eq!(text("shutdown-on-sigint", Value::Enum(1 | 8)), "save force");
    }

    #[test]
    fn event_letters_in_canonical_order() {
        let events = |flags| text("notify-keyspace-events", Value::Events(flags));
        assert_eq!(events(0), "");
        assert_eq!(
            events(EVENTS_ALL | EVENTS_KEYSPACE | EVENTS_KEYEVENT),
            "AKE"
        );
        assert_eq!(events(EVENTS_ALL | (1 << 14)), "A");
        assert_eq!(events((1 << 13) | EVENTS_KEYSPACE), "dK");
        assert_eq!(events(EVENTS_KEY_MISS | (1 << 3) | (1 << 2)), "g$m");
    }

    #[test]
    fn defaults_print_as_redis_reports_them() {
        let default = |name: &str| text(name, Value::default_for(def(name)));
        assert_eq!(
            default("client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        assert_eq!(default("oom-score-adj-values"), "0 200 800");
        assert_eq!(default("latency-tracking-info-percentiles"), "50 99 99.9");
        assert_eq!(default("save"), "");
        assert_eq!(default("proto-max-bulk-len"), "536870912");
        assert_eq!(default("maxmemory-policy"), "noeviction");
        assert_eq!(default("acl-pubsub-default"), "resetchannels");
    }

    #[test]
    fn percentiles_trim_zeros() {
        assert_eq!(render_percentile(99.99999999), "100");
        assert_eq!(render_percentile(0.0000001), "0");
        assert_eq!(render_percentile(0.5), "0.5");
        assert_eq!(render_percentile(16.0), "16");
    }
}
