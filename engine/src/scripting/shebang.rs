//! A script's first line, `#!lua flags=no-writes,allow-oom`: which engine
//! runs it and what it declares about itself. Without one, a script runs
//! in the compatibility mode of scripts written before Redis 7.0.

use crate::line::split_args;

/// What a script declares (Redis's script flags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// No shebang: none of the others apply, the script may write and
    /// its write commands are checked one by one.
    pub compat: bool,
    pub no_writes: bool,
    pub allow_oom: bool,
    pub allow_stale: bool,
    pub no_cluster: bool,
    pub allow_cross_slot_keys: bool,
}

impl Flags {
    /// Sets the flag `name` (as the shebang and FUNCTION LIST spell it);
    /// false if there is no such flag.
    pub fn set(&mut self, name: &[u8]) -> bool {
        let flag = match name {
            b"no-writes" => &mut self.no_writes,
            b"allow-oom" => &mut self.allow_oom,
            b"allow-stale" => &mut self.allow_stale,
            b"no-cluster" => &mut self.no_cluster,
            b"allow-cross-slot-keys" => &mut self.allow_cross_slot_keys,
            _ => return false,
        };
        *flag = true;
        true
    }

    /// The flags set, by name, in Redis's order (FUNCTION LIST).
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.no_writes, "no-writes"),
            (self.allow_oom, "allow-oom"),
            (self.allow_stale, "allow-stale"),
            (self.no_cluster, "no-cluster"),
            (self.allow_cross_slot_keys, "allow-cross-slot-keys"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect()
    }
}

/// The flags of an EVAL script and the length of its shebang line (0 if
/// none), or Redis's error text.
pub fn parse(body: &[u8]) -> Result<(Flags, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((
            Flags {
                compat: true,
                ..Flags::default()
            },
            0,
        ));
    }
    let Some(end) = body.iter().position(|&b| b == b'\n') else {
        return Err("ERR Invalid script shebang".to_string());
    };
    let parts = body
        .get(..end)
        .and_then(split_args)
        .filter(|parts| !parts.is_empty())
        .ok_or("ERR Invalid engine in script shebang")?;
    let mut flags = Flags::default();
    for (i, part) in parts.iter().enumerate() {
        let text = String::from_utf8_lossy(part);
        if i == 0 {
            if part != b"#!lua" {
                return Err(format!("ERR Unexpected engine in script shebang: {text}"));
            }
            continue;
        }
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(format!("ERR Unknown lua shebang option: {text}"));
        };
        if list.is_empty() {
            continue;
        }
        for name in list.split(|&b| b == b',') {
            if !flags.set(name) {
                return Err(format!(
                    "ERR Unexpected flag in script shebang: {}",
                    String::from_utf8_lossy(name)
                ));
            }
        }
    }
    Ok((flags, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_shebang_is_compatibility_mode() {
        let (flags, len) = parse(b"return 1").unwrap();
        assert!(flags.compat);
        assert_eq!(len, 0);
    }

    #[test]
    fn flags_are_read_and_the_line_measured() {
        let (flags, len) = parse(b"#!lua flags=no-writes,allow-oom\nreturn 1").unwrap();
        assert!(!flags.compat && flags.no_writes && flags.allow_oom && !flags.allow_stale);
        assert_eq!(len, 31);
    }

    #[test]
    fn errors_are_redis_texts() {
        assert_eq!(parse(b"#!lua").unwrap_err(), "ERR Invalid script shebang");
        assert_eq!(
            parse(b"#!python\n").unwrap_err(),
            "ERR Unexpected engine in script shebang: #!python"
        );
        assert_eq!(
            parse(b"#!lua flags=no-writes,\n").unwrap_err(),
            "ERR Unexpected flag in script shebang: "
        );
        assert_eq!(
            parse(b"#!lua name=x\n").unwrap_err(),
            "ERR Unknown lua shebang option: name=x"
        );
    }
}
