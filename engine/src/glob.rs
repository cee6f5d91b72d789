//! Glob-style matching exactly as Redis's `stringmatchlen`: `*`, `?`,
//! `[abc]`, `[^abc]`, `[a-z]` (reversed ranges allowed), `\` escapes, and
//! an unterminated `[` treated as Redis treats it. Used by KEYS, SCAN MATCH
//! and, later, PSUBSCRIBE.
//!
//! Bytes are compared as C `char`s (signed on the platforms Redis ships for),
//! which matters only for ranges with bytes above 0x7f.

/// Bounds the recursion `*` causes, as Redis does.
const MAX_NESTING: usize = 1000;

/// Whether `string` matches `pattern`.
pub fn matches(pattern: &[u8], string: &[u8]) -> bool {
    let mut skip_longer = false;
    match_from(pattern, string, false, &mut skip_longer, 0)
}

/// Case-insensitive variant (Redis's `nocase`).
pub fn matches_nocase(pattern: &[u8], string: &[u8]) -> bool {
    let mut skip_longer = false;
    match_from(pattern, string, true, &mut skip_longer, 0)
}

fn signed(b: u8) -> i32 {
    i32::from(b as i8)
}

/// C's `tolower` on a (signed) char value.
fn lower(c: i32) -> i32 {
    if (i32::from(b'A')..=i32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

fn fold(b: u8, nocase: bool) -> u8 {
    if nocase {
        b.to_ascii_lowercase()
    } else {
        b
    }
}

fn match_from(
    pattern: &[u8],
    string: &[u8],
    nocase: bool,
    skip_longer: &mut bool,
    nesting: usize,
) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    let (mut p, mut s) = (0usize, 0usize);
    let pat = |i: usize| pattern.get(i).copied();
    while p < pattern.len() && s < string.len() {
        let c = string[s];
        match pattern[p] {
            b'*' => {
                while pat(p + 1) == Some(b'*') {
                    p += 1;
                }
                if p + 1 == pattern.len() {
                    return true;
                }
                while s < string.len() {
                    if match_from(
                        &pattern[p + 1..],
                        &string[s..],
                        nocase,
                        skip_longer,
                        nesting + 1,
                    ) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s += 1;
                }
                // Nothing after this star matched anywhere in the rest: no
                // earlier star can do better by matching more.
                *skip_longer = true;
                return false;
            }
            b'?' => s += 1,
            b'[' => {
                p += 1;
                let negate = pat(p) == Some(b'^');
                if negate {
                    p += 1;
                }
                let mut matched = false;
                loop {
                    match pat(p) {
                        Some(b'\\') if pattern.len() - p >= 2 => {
                            p += 1;
                            if pat(p) == Some(c) {
                                matched = true;
                            }
                        }
                        Some(b']') => break,
                        None => {
                            // Unterminated class: step back so the loop below ends.
                            p -= 1;
                            break;
                        }
                        Some(start) if pattern.len() - p >= 3 && pat(p + 1) == Some(b'-') => {
                            let end = pat(p + 2).unwrap_or(start);
                            let (mut lo, mut hi) = (signed(start), signed(end));
                            if lo > hi {
                                std::mem::swap(&mut lo, &mut hi);
                            }
                            let mut ch = signed(c);
                            if nocase {
                                (lo, hi, ch) = (lower(lo), lower(hi), lower(ch));
                            }
                            p += 2;
                            if (lo..=hi).contains(&ch) {
                                matched = true;
                            }
                        }
                        Some(other) => {
                            if fold(other, nocase) == fold(c, nocase) {
                                matched = true;
                            }
                        }
                    }
                    p += 1;
                }
                if matched == negate {
                    return false;
                }
                s += 1;
            }
            first => {
                let literal = if first == b'\\' && pattern.len() - p >= 2 {
                    p += 1;
                    pattern[p]
                } else {
                    first
                };
                if fold(literal, nocase) != fold(c, nocase) {
                    return false;
                }
                s += 1;
            }
        }
        p += 1;
        if s == string.len() {
            while pat(p) == Some(b'*') {
                p += 1;
            }
            break;
        }
    }
    p >= pattern.len() && s == string.len()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::{matches, matches_nocase};

    fn m(p: &str, s: &str) -> bool {
        matches(p.as_bytes(), s.as_bytes())
    }

    #[test]
    fn redis_glob_rules() {
        assert!(
            !m("*", ""),
            "as in Redis; KEYS and SCAN special-case a lone *"
        );
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"), "reversed ranges work");
        assert!(m("h\\*llo", "h*llo"));
        assert!(!m("h\\*llo", "hello"));
        assert!(m("user:*:name", "user:42:name"));
        assert!(!m("user:*:name", "user:42:age"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(!m("a*b*c", "aXXbYY"));
        assert!(
            m("[abc", "a"),
            "an unterminated class still matches its members"
        );
        assert!(m("ab\\", "ab\\"), "a trailing backslash is literal");
        assert!(matches_nocase(b"HELLO*", b"hello world"));
        assert!(!m("", "a"));
        assert!(m("", ""));
    }

    #[test]
    fn abusive_patterns_finish_quickly() {
        let pattern = "*a".repeat(30) + "b";
        let subject = "a".repeat(60);
        assert!(!m(&pattern, &subject));
    }
}
