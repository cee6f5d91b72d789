//! Reading a CONFIG SET value: each kind's syntax, bounds and error text as
//! Redis 7.0 has them. Redis hands most values to C functions, so they end
//! at the first NUL byte (`c_str`); plain integers, percentages and
//! percentiles are read with the value's full length, as Redis reads them.

use std::borrow::Cow;

use super::table::{Form, Kind, ParamDef, TextCheck};
use super::value::{
    BufferLimit, Value, BUFFER_CLASSES, DEFAULT_BUFFER_LIMITS, EVENTS_ALL, EVENTS_KEYEVENT,
    EVENTS_KEYSPACE, EVENTS_KEY_MISS, EVENT_CLASSES,
};
use crate::number::{parse_double, parse_i64};

/// Why a value was refused: the text after Redis's `... - ` prefix.
pub type Refusal = Cow<'static, str>;

/// Reads `raw` as a new value for `def`; `old` is the current value, which
/// `client-output-buffer-limit` only partly replaces.
pub fn parse(def: &ParamDef, raw: &[u8], old: &Value) -> Result<Value, Refusal> {
    match def.kind {
        Kind::Bool { refuse_yes, .. } => {
            let yes = yes_no(c_str(raw)).ok_or("argument must be 'yes' or 'no'")?;
            match refuse_yes {
                Some(why) if yes => Err(why.into()),
                _ => Ok(Value::Bool(yes)),
            }
        }
        Kind::Int { min, max, form, .. } => number(raw, min, max, form).map(Value::Int),
        Kind::Enum { words, .. } => {
            let word = c_str(raw);
            words
                .iter()
                .find(|(w, _)| word.eq_ignore_ascii_case(w.as_bytes()))
                .map(|(_, v)| Value::Enum(*v))
                .ok_or_else(|| not_one_of(words))
        }
        Kind::Flags {
            words, exclusive, ..
        } => {
            let flags = flag_words(raw, words).ok_or_else(|| not_one_of(words))?;
            let (a, b, why) = exclusive;
            if flags & a != 0 && flags & b != 0 {
                return Err(why.into());
            }
            Ok(Value::Enum(flags))
        }
        Kind::Text { binary: true, .. } => Ok(Value::Text(raw.to_vec())),
        Kind::Text { check, .. } => {
            let text = c_str(raw);
            match check {
                TextCheck::None => {}
                TextCheck::Hostname => hostname(text)?,
                TextCheck::ProcTitle => proc_title(text)?,
            }
            Ok(Value::Text(text.to_vec()))
        }
        Kind::Save => save(raw),
        Kind::OutputBufferLimits => buffer_limits(raw, old),
        Kind::OomScoreAdjValues => oom_score_adj(raw),
        Kind::KeyspaceEvents => events(c_str(raw)),
        Kind::Addresses => addresses(raw),
        Kind::Percentiles => percentiles(raw),
    }
}

/// The bytes a C function sees: everything before the first NUL.
pub fn c_str(bytes: &[u8]) -> &[u8] {
    bytes
        .iter()
        .position(|&b| b == 0)
        .map_or(bytes, |end| &bytes[..end])
}

/// Multi-word values are split at every single space (`sdssplitlen`):
/// doubled spaces give empty words, and an empty value gives no words.
fn words(raw: &[u8]) -> Vec<&[u8]> {
    if raw.is_empty() {
        Vec::new()
    } else {
        raw.split(|&b| b == b' ').collect()
    }
}

fn yes_no(word: &[u8]) -> Option<bool> {
    if word.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if word.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

fn not_one_of(words: &[(&str, u32)]) -> Refusal {
    let list: Vec<&str> = words.iter().map(|(w, _)| *w).collect();
    format!(
        "argument(s) must be one of the following: {}",
        list.join(", ")
    )
    .into()
}

fn flag_words(raw: &[u8], words: &[(&str, u32)]) -> Option<u32> {
    let given = self::words(raw);
    if given.is_empty() {
        return None;
    }
    given.into_iter().try_fold(0, |flags, word| {
        let word = c_str(word);
        let value = words
            .iter()
            .find(|(w, _)| word.eq_ignore_ascii_case(w.as_bytes()))?
            .1;
        Some(flags | value)
    })
}

/// A numeric value: read by its form, then checked against the bounds.
fn number(raw: &[u8], min: i128, max: i128, form: Form) -> Result<i64, Refusal> {
    let value = match form {
        Form::Plain => parse_i64(raw).ok_or("argument couldn't be parsed into an integer")?,
        // Redis keeps the unsigned result in a signed 64-bit slot.
        Form::Memory => memtoull(c_str(raw)).ok_or("argument must be a memory value")? as i64,
        Form::MemoryOrPercent => match memtoull(c_str(raw)) {
            Some(bytes) => bytes as i64,
            None => percent(raw)
                .map(|p| -p)
                .ok_or("argument must be a memory or percent value")?,
        },
        // Only `unixsocketperm` is octal, and it is immutable.
        Form::Octal => return Err("argument couldn't be parsed as an octal number".into()),
    };
    if form == Form::MemoryOrPercent && value < 0 {
        // A percentage: its own bound, and only that.
        if i128::from(value) < min {
            return Err(format!("percentage argument must be less or equal to {}", -min).into());
        }
        return Ok(value);
    }
    // An unsigned parameter (its maximum does not fit i64) compares the
    // stored bits as unsigned.
    let compared = if max > i128::from(i64::MAX) {
        i128::from(value as u64)
    } else {
        i128::from(value)
    };
    if compared < min || compared > max {
        return Err(format!("argument must be between {min} and {max} inclusive").into());
    }
    Ok(value)
}

/// `N%` with N a non-negative integer.
fn percent(raw: &[u8]) -> Option<i64> {
    match raw {
        [digits @ .., b'%'] if !digits.is_empty() => parse_i64(digits).filter(|n| *n >= 0),
        _ => None,
    }
}

/// Redis 7.0's `memtoull`: digits and an optional unit (`b`, `k`=1000,
/// `kb`=1024, `m`, `mb`, `g`, `gb`, any case). No sign; empty digits read
/// as 0; a digit run that overflows saturates (as `strtoull` does), and
/// the unit's multiplication wraps (later Redis versions refuse it).
pub fn memtoull(text: &[u8]) -> Option<u64> {
    if text.first() == Some(&b'-') {
        return None;
    }
    let digits_end = text
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let multiplier: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // Redis copies the digits into a 128-byte buffer first.
    if digits.len() >= 128 {
        return None;
    }
    let value = digits.iter().fold(0u64, |acc, d| {
        acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Some(value.wrapping_mul(multiplier))
}

/// C's `strtoll` in base 10 over a C string: leading white space, a sign,
/// digits, saturating on overflow. Returns the value and whether the whole
/// text was used (an empty text counts as used and reads as 0).
pub fn strtoll(text: &[u8]) -> (i64, bool) {
    let start = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .unwrap_or(text.len());
    let rest = &text[start..];
    let (negative, unsigned) = match rest {
        [b'-', tail @ ..] => (true, tail),
        [b'+', tail @ ..] => (false, tail),
        _ => (false, rest),
    };
    let digits = unsigned.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        // Nothing converted: C leaves the end pointer at the very start.
        return (0, text.is_empty());
    }
    let magnitude = unsigned[..digits].iter().fold(0i128, |acc, d| {
        (acc * 10 + i128::from(d - b'0')).min(i128::from(u64::MAX))
    });
    let signed = if negative { -magnitude } else { magnitude };
    let value = signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    (value, digits == unsigned.len())
}

/// Letters, digits, `-` and `.`, fewer than 256 bytes.
fn hostname(text: &[u8]) -> Result<(), Refusal> {
    if text.len() >= 256 {
        return Err("Hostnames must be less than 256 characters".into());
    }
    if !text
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.')
    {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots".into());
    }
    Ok(())
}

/// A process title template: `{name}` variables (`{{` is a literal brace)
/// that Redis knows, expanding to something besides spaces. At check time
/// Redis expands `title`, `server-mode` (no cluster, no sentinel) and
/// `unixsocket` (none) to nothing; the others always to something.
fn proc_title(template: &[u8]) -> Result<(), Refusal> {
    const INVALID: &str = "template format is invalid or contains unknown variables";
    let mut visible = false;
    let mut rest = template;
    while !rest.is_empty() {
        let Some(open) = rest.iter().position(|&b| b == b'{') else {
            visible |= rest.iter().any(|&b| b != b' ');
            break;
        };
        visible |= rest[..open].iter().any(|&b| b != b' ');
        let after = &rest[open + 1..];
        match after.first() {
            None => return Err(INVALID.into()),
            Some(b'{') => {
                visible = true;
                rest = &after[1..];
                continue;
            }
            Some(_) => {}
        }
        let close = after.iter().position(|&b| b == b'}').ok_or(INVALID)?;
        visible |= match &after[..close] {
            b"title" | b"server-mode" | b"unixsocket" => false,
            b"listen-addr" | b"config-file" | b"port" | b"tls-port" => true,
            _ => return Err(INVALID.into()),
        };
        rest = &after[close + 1..];
    }
    if visible {
        Ok(())
    } else {
        Err(INVALID.into())
    }
}

/// `save`: pairs of seconds (at least 1) and changes (at least 0), each
/// read by `strtoll`; the changes count is kept in a C int, so it wraps.
fn save(raw: &[u8]) -> Result<Value, Refusal> {
    const INVALID: &str = "Invalid save parameters";
    let words = words(raw);
    if words.len() % 2 == 1 {
        return Err(INVALID.into());
    }
    let mut points = Vec::with_capacity(words.len() / 2);
    for pair in words.chunks_exact(2) {
        let (seconds, whole_s) = strtoll(c_str(pair[0]));
        let (changes, whole_c) = strtoll(c_str(pair[1]));
        if !whole_s || !whole_c || seconds < 1 || changes < 0 {
            return Err(INVALID.into());
        }
        points.push((seconds, changes as i32));
    }
    Ok(Value::Save(points))
}

/// `client-output-buffer-limit`: `<class> <hard> <soft> <seconds>` groups;
/// classes not named keep their limits.
fn buffer_limits(raw: &[u8], old: &Value) -> Result<Value, Refusal> {
    let words = words(raw);
    if words.len() % 4 != 0 {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut limits = match old {
        Value::BufferLimits(limits) => *limits,
        _ => DEFAULT_BUFFER_LIMITS,
    };
    for group in words.chunks_exact(4) {
        let class = c_str(group[0]);
        let index = if class.eq_ignore_ascii_case(b"replica") {
            Some(1)
        } else {
            BUFFER_CLASSES
                .iter()
                .position(|c| class.eq_ignore_ascii_case(c.as_bytes()))
        };
        let Some(index) = index else {
            return Err("Invalid client class specified in buffer limit configuration.".into());
        };
        let hard = memtoull(c_str(group[1]));
        let soft = memtoull(c_str(group[2]));
        let (seconds, whole) = strtoll(c_str(group[3]));
        // Redis keeps the seconds in a C int before checking the sign.
        let seconds = seconds as i32;
        match (hard, soft) {
            (Some(hard), Some(soft)) if whole && seconds >= 0 => {
                if let Some(slot) = limits.get_mut(index) {
                    *slot = BufferLimit {
                        hard,
                        soft,
                        soft_seconds: i64::from(seconds),
                    };
                }
            }
            _ => {
                return Err(
                    "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                        .into(),
                )
            }
        }
    }
    Ok(Value::BufferLimits(limits))
}

/// `oom-score-adj-values`: three integers in -2000..=2000.
fn oom_score_adj(raw: &[u8]) -> Result<Value, Refusal> {
    let words = words(raw);
    if words.len() != 3 {
        return Err("wrong number of arguments".into());
    }
    let mut values = [0i32; 3];
    for (slot, word) in values.iter_mut().zip(words) {
        let (n, whole) = strtoll(c_str(word));
        if !whole || !(-2000..=2000).contains(&n) {
            return Err(
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into(),
            );
        }
        *slot = n as i32;
    }
    Ok(Value::OomScoreAdj(values))
}

/// `notify-keyspace-events`: class letters (case matters).
fn events(letters: &[u8]) -> Result<Value, Refusal> {
    let mut flags = 0;
    for &letter in letters {
        flags |= match letter {
            b'A' => EVENTS_ALL,
            b'K' => EVENTS_KEYSPACE,
            b'E' => EVENTS_KEYEVENT,
            b'm' => EVENTS_KEY_MISS,
            other => EVENT_CLASSES
                .iter()
                .find(|(l, _)| *l == other)
                .map(|(_, bit)| *bit)
                .ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?,
        };
    }
    Ok(Value::Events(flags))
}

/// `bind`: at most 16 addresses, stored as given (a lone empty word means
/// none). Listening is the host's business, so any address is accepted.
fn addresses(raw: &[u8]) -> Result<Value, Refusal> {
    let words = words(raw);
    if words.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    Ok(Value::Addresses(
        words.into_iter().map(|w| c_str(w).to_vec()).collect(),
    ))
}

/// `latency-tracking-info-percentiles`: numbers in 0..=100, read as Redis
/// reads a double argument.
fn percentiles(raw: &[u8]) -> Result<Value, Refusal> {
    let mut values = Vec::new();
    for word in words(raw) {
        let p = parse_double(word).ok_or("Invalid latency-tracking-info-percentiles parameters")?;
        if !(0.0..=100.0).contains(&p) {
            return Err(
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                    .into(),
            );
        }
        values.push(p);
    }
    Ok(Value::Percentiles(values))
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

    /// The value as CONFIG GET would print it, or the refusal.
    fn set(name: &str, raw: &[u8]) -> Result<String, String> {
        let def = def(name);
        parse(def, raw, &Value::default_for(def))
            .map(|v| String::from_utf8_lossy(&v.render(def)).into_owned())
            .map_err(|e| e.into_owned())
    }

    #[test]
    fn memory_units() {
        for (text, bytes) in [
            ("1k", 1000),
            ("1kb", 1024),
            ("1K", 1000),
            ("1KB", 1024),
            ("2m", 2_000_000),
            ("2mb", 2 << 20),
            ("1g", 1_000_000_000),
            ("1Gb", 1 << 30),
            ("7b", 7),
            ("", 0),
            ("kb", 0),
            ("007", 7),
            ("99999999999999999999999", u64::MAX),
        ] {
            assert_eq!(memtoull(text.as_bytes()), Some(bytes), "{text}");
        }
        assert_eq!(memtoull(b"18446744073709551615kb"), Some(u64::MAX - 1023));
        assert_eq!(memtoull(b"17179869184gb"), Some(0));
        for text in ["-1", "+5", " 5", "5 ", "1.5", "0x10", "1t"] {
            assert_eq!(memtoull(text.as_bytes()), None, "{text}");
        }
        assert_eq!(memtoull(&[b'1'; 127]), Some(u64::MAX));
        assert_eq!(memtoull(&[b'1'; 128]), None, "Redis's digit buffer");
    }

    #[test]
    fn c_strtoll() {
        assert_eq!(strtoll(b""), (0, true));
        assert_eq!(strtoll(b"+5"), (5, true));
        assert_eq!(strtoll(b"\t5"), (5, true));
        assert_eq!(strtoll(b"-0"), (0, true));
        assert_eq!(strtoll(b"5x"), (5, false));
        assert_eq!(strtoll(b"+"), (0, false));
        assert_eq!(strtoll(b"\t"), (0, false));
        assert_eq!(strtoll(b"99999999999999999999"), (i64::MAX, true));
        assert_eq!(strtoll(b"-99999999999999999999"), (i64::MIN, true));
    }

    fn bounds(lo: impl std::fmt::Display, hi: impl std::fmt::Display) -> Result<String, String> {
        Err(format!("argument must be between {lo} and {hi} inclusive"))
    }

    #[test]
    fn numbers_and_bounds() {
        assert_eq!(set("maxmemory", b"1gb"), Ok("1073741824".into()));
        assert_eq!(set("maxmemory", b"5\0abc"), Ok("5".into()), "a C string");
        assert_eq!(
            set("maxmemory", b"18446744073709551616"),
            Ok("18446744073709551615".into())
        );
        assert_eq!(
            set("maxmemory", b"-1"),
            Err("argument must be a memory value".into())
        );
        assert_eq!(
            set("timeout", b"5\0"),
            Err("argument couldn't be parsed into an integer".into())
        );
        assert_eq!(set("timeout", b"-1"), bounds(0, 2147483647));
        assert_eq!(set("maxclients", b"0"), bounds(1, 4294967295u32));
        assert_eq!(
            set("hash-max-listpack-value", b"18446744073709551615"),
            bounds(0, i64::MAX)
        );
        assert_eq!(set("proto-max-bulk-len", b"1"), bounds(1048576, i64::MAX));
        assert_eq!(set("list-max-listpack-size", b"-5"), Ok("-5".into()));
    }

    #[test]
    fn percentages() {
        assert_eq!(set("maxmemory-clients", b"5%"), Ok("5%".into()));
        assert_eq!(set("maxmemory-clients", b"0%"), Ok("0".into()));
        assert_eq!(set("maxmemory-clients", b"1kb"), Ok("1024".into()));
        assert_eq!(
            set("maxmemory-clients", b"101%"),
            Err("percentage argument must be less or equal to 100".into())
        );
        // A byte count past i64::MAX lands on the percentage side, as in Redis.
        assert_eq!(
            set("maxmemory-clients", b"18446744073709551615"),
            Ok("1%".into())
        );
        for bad in ["-1%", "%", "5%%", "-5", "x", "+5%"] {
            assert_eq!(
                set("maxmemory-clients", bad.as_bytes()),
                Err("argument must be a memory or percent value".into()),
                "{bad}"
            );
        }
    }

    #[test]
    fn booleans_and_enums() {
        assert_eq!(set("protected-mode", b"NO"), Ok("no".into()));
        assert_eq!(set("protected-mode", b"no\0x"), Ok("no".into()));
        assert_eq!(
            set("protected-mode", b"maybe"),
            Err("argument must be 'yes' or 'no'".into())
        );
        assert!(set("activedefrag", b"yes").is_err_and(|e| e.starts_with("Active defrag")));
        assert_eq!(set("activedefrag", b"no"), Ok("no".into()));
        assert_eq!(
            set("maxmemory-policy", b"ALLKEYS-LRU"),
            Ok("allkeys-lru".into())
        );
        assert_eq!(set("oom-score-adj", b"relative"), Ok("yes".into()));
        assert_eq!(
            set("appendfsync", b"sometimes"),
            Err("argument(s) must be one of the following: everysec, always, no".into())
        );
        assert_eq!(
            set("shutdown-on-sigterm", b"now nosave"),
            Ok("nosave now".into())
        );
        assert_eq!(set("shutdown-on-sigterm", b"save save"), Ok("save".into()));
        assert_eq!(
            set("shutdown-on-sigterm", b"save nosave"),
            Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into())
        );
        assert!(set("shutdown-on-sigterm", b"").is_err());
        assert!(set("shutdown-on-sigterm", b"now  force").is_err());
    }

    #[test]
    fn texts() {
        assert_eq!(set("ignore-warnings", b"ab\0cd"), Ok("ab".into()));
        assert_eq!(set("requirepass", b"ab\0cd"), Ok("ab\0cd".into()));
        assert!(set("cluster-announce-hostname", b"a_b").is_err());
        assert!(set("cluster-announce-hostname", &[b'a'; 256]).is_err());
        assert!(set("cluster-announce-hostname", &[b'a'; 255]).is_ok());
        for ok in [
            "{port}",
            "}",
            "{{",
            "{{}}",
            "a}",
            "{config-file}",
            "{{title}}",
            "x {title}",
        ] {
            assert!(set("proc-title-template", ok.as_bytes()).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "{title}",
            "x {bad}",
            "{",
            "{title",
            " {server-mode} ",
            "{unixsocket}",
        ] {
            assert!(set("proc-title-template", bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn save_points() {
        assert_eq!(set("save", b"3600 1 300 100"), Ok("3600 1 300 100".into()));
        assert_eq!(set("save", b""), Ok("".into()));
        assert_eq!(set("save", b"1 0"), Ok("1 0".into()));
        assert_eq!(set("save", b"+5 1"), Ok("5 1".into()));
        assert_eq!(
            set("save", b"1 4294967297"),
            Ok("1 1".into()),
            "changes wrap"
        );
        assert_eq!(set("save", b"1 99999999999999999999"), Ok("1 -1".into()));
        assert_eq!(set("save", b"10\x001 2"), Ok("10 2".into()));
        for bad in ["3600", "0 1", "1 -1", "  ", "1 2 ", "x 1", "-0 1"] {
            assert_eq!(
                set("save", bad.as_bytes()),
                Err("Invalid save parameters".into()),
                "{bad}"
            );
        }
    }

    #[test]
    fn output_buffer_limits() {
        assert_eq!(
            set("client-output-buffer-limit", b"replica 1mb 2mb 30"),
            Ok("normal 0 0 0 slave 1048576 2097152 30 pubsub 33554432 8388608 60".into())
        );
        assert_eq!(
            set("client-output-buffer-limit", b"NORMAL 1 1 1 normal 2 2 2"),
            Ok("normal 2 2 2 slave 268435456 67108864 60 pubsub 33554432 8388608 60".into())
        );
        assert!(set("client-output-buffer-limit", b"").is_ok());
        for (bad, why) in [
            ("master 0 0 0", "Invalid client class"),
            ("normal 0 0", "Wrong number"),
            ("normal x 0 0", "Error in hard"),
            ("normal 0 0 -1", "Error in hard"),
            ("normal 0 0 99999999999999999999", "Error in hard"),
        ] {
            let err = set("client-output-buffer-limit", bad.as_bytes()).unwrap_err();
            assert!(err.starts_with(why), "{bad}: {err}");
        }
    }

    #[test]
    fn oom_values_events_addresses_percentiles() {
        assert_eq!(
            set("oom-score-adj-values", b"-2000 0 2000"),
            Ok("-2000 0 2000".into())
        );
        assert_eq!(set("oom-score-adj-values", b"0  200"), Ok("0 0 200".into()));
        assert!(set("oom-score-adj-values", b"0 200 3000").is_err());
        assert_eq!(
            set("oom-score-adj-values", b"0 200"),
            Err("wrong number of arguments".into())
        );
        assert_eq!(set("notify-keyspace-events", b"KEA"), Ok("AKE".into()));
        assert_eq!(set("notify-keyspace-events", b"xx"), Ok("x".into()));
        assert_eq!(set("notify-keyspace-events", b"K\0q"), Ok("K".into()));
        assert!(set("notify-keyspace-events", b"q").is_err());
        assert_eq!(set("bind", b"1.2.3.4 ::1"), Ok("1.2.3.4 ::1".into()));
        assert_eq!(set("bind", b""), Ok("".into()));
        assert!(set("bind", "a ".repeat(17).trim_end().as_bytes()).is_err());
        assert_eq!(
            set("latency-tracking-info-percentiles", b"1e1 0x10 .5"),
            Ok("10 16 0.5".into())
        );
        assert!(set("latency-tracking-info-percentiles", b"inf")
            .is_err_and(|e| e.contains("should sit between")));
        for bad in ["x", "nan", " 5", "50  99", "1e400"] {
            assert_eq!(
                set("latency-tracking-info-percentiles", bad.as_bytes()),
                Err("Invalid latency-tracking-info-percentiles parameters".into()),
                "{bad}"
            );
        }
    }
}
