//! Splits a typed command line into arguments with redis-cli's rules (Redis's
//! `sdssplitargs`, also used for inline protocol requests): blanks separate,
//! "double quotes" understand `\n \r \t \b \a \xHH` and `\"`, 'single quotes'
//! only `\'`, and a closing quote must be followed by a blank or the end.

/// The arguments of `line`, or `None` for unbalanced or misplaced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    // C strings end at NUL; Redis never sees what follows one.
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    let mut args = Vec::new();
    let mut pos = 0;
    loop {
        while line.get(pos).is_some_and(|&b| is_space(b)) {
            pos += 1;
        }
        if pos >= line.len() {
            return Some(args);
        }
        let (arg, next) = read_token(line, pos)?;
        args.push(arg);
        pos = next;
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[derive(PartialEq)]
enum Quoting {
    None,
    Double,
    Single,
}

/// Reads one token starting at `pos`; returns it and where scanning resumes.
fn read_token(line: &[u8], mut pos: usize) -> Option<(Vec<u8>, usize)> {
    let at = |i: usize| line.get(i).copied();
    let mut current = Vec::new();
    let mut quoting = Quoting::None;
    loop {
        let c = at(pos);
        match quoting {
            Quoting::Double => match c {
                None => return None,
                Some(b'\\') if at(pos + 1) == Some(b'x') => {
                    match (
                        at(pos + 2).and_then(hex_value),
                        at(pos + 3).and_then(hex_value),
                    ) {
                        (Some(hi), Some(lo)) => {
                            current.push(hi * 16 + lo);
                            pos += 3;
                        }
                        _ => {
                            // Not a valid \xHH: the backslash escapes the 'x'.
                            current.push(b'x');
                            pos += 1;
                        }
                    }
                }
                Some(b'\\') if at(pos + 1).is_some() => {
                    pos += 1;
                    current.push(match at(pos) {
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'b') => 0x08,
                        Some(b'a') => 0x07,
                        other => other.unwrap_or(b'\\'),
                    });
                }
                Some(b'"') => return closing_quote(line, pos).map(|next| (current, next)),
                Some(other) => current.push(other),
            },
            Quoting::Single => match c {
                None => return None,
                Some(b'\\') if at(pos + 1) == Some(b'\'') => {
                    pos += 1;
                    current.push(b'\'');
                }
                Some(b'\'') => return closing_quote(line, pos).map(|next| (current, next)),
                Some(other) => current.push(other),
            },
            Quoting::None => match c {
                None | Some(b' ' | b'\n' | b'\r' | b'\t') => {
                    return Some((current, (pos + 1).min(line.len())))
                }
                Some(b'"') => quoting = Quoting::Double,
                Some(b'\'') => quoting = Quoting::Single,
                Some(other) => current.push(other),
            },
        }
        pos += 1;
    }
}

/// A closing quote at `pos` must be followed by a blank or the end of line.
fn closing_quote(line: &[u8], pos: usize) -> Option<usize> {
    match line.get(pos + 1) {
        None => Some(pos + 1),
        Some(&b) if is_space(b) => Some(pos + 2),
        Some(_) => None,
    }
}

fn hex_value(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|v| u8::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::split_args;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn quoting_rules_match_sdssplitargs() {
        assert_eq!(
            split("  SET  k   v "),
            Some(vec!["SET".into(), "k".into(), "v".into()])
        );
        assert_eq!(
            split("set k \"a b\\n\\x41\""),
            Some(vec!["set".into(), "k".into(), "a b\nA".into()])
        );
        assert_eq!(
            split("set k 'it\\'s'"),
            Some(vec!["set".into(), "k".into(), "it's".into()])
        );
        assert_eq!(split("a\"b c\"d"), None);
        assert_eq!(split("a\"b c\" d"), Some(vec!["ab c".into(), "d".into()]));
        assert_eq!(split("\"unterminated"), None);
        assert_eq!(split("'unterminated"), None);
        assert_eq!(split("\"\\xZZ\""), Some(vec!["xZZ".into()]));
        assert_eq!(split(""), Some(vec![]));
        assert_eq!(split("\"\""), Some(vec!["".into()]));
    }
}
