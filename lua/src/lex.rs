//! Lua 5.1's lexer: byte-string source to tokens, with 5.1's error texts.
//!
//! It follows the reference implementation's observable behaviour, quirks
//! included, because scripts and tests compare error messages verbatim:
//! numbers are scanned greedily (`3..2` is one malformed number) and then
//! converted as `tonumber` converts (so `0x1p4` is 16), a NUL byte
//! satisfies the checks for `.`, `e` and a sign (5.1 tests them with
//! `strchr`, which finds the terminator), `[[` inside `[[...]]` is an
//! error, and the text after "near" is what 5.1's token buffer holds: the
//! decoded string with its quotes, cut at the first NUL.
//!
//! Like 5.1's, the lexer produces one token at a time, with one token of
//! lookahead for the table constructor; the parser reads [`Lexer::line`]
//! and [`Lexer::last_line`] exactly when 5.1 reads `linenumber` and
//! `lastline`, which decides error lines and the "ambiguous syntax" check.

use std::borrow::Cow;
use std::fmt;

/// Lua 5.1's buffer size for the chunk name in syntax errors (`MAXSRC`);
/// runtime errors use 60 (`LUA_IDSIZE`).
pub const SYNTAX_ID_SIZE: usize = 80;

/// A compile-time error, worded and positioned as Lua 5.1 words it, e.g.
/// `user_script:1: unexpected symbol near '='`. The text is bytes because
/// the token quoted after "near" may be any byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    message: Vec<u8>,
}

impl SyntaxError {
    pub(crate) fn new(message: Vec<u8>) -> Self {
        SyntaxError { message }
    }

    /// The message exactly as `loadstring` would return it.
    pub fn message(&self) -> &[u8] {
        &self.message
    }

    pub fn into_message(self) -> Vec<u8> {
        self.message
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message))
    }
}

impl std::error::Error for SyntaxError {}

/// How a string literal was delimited; 5.1 quotes a string token in error
/// messages with its delimiters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delim {
    /// `"` or `'`.
    Quote(u8),
    /// `[[`, `[=[`, ...: the number of `=`.
    Long(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Name(Vec<u8>),
    /// The decoded value and how it was written.
    String(Vec<u8>, Delim),
    Number(f64),
    And,
    Break,
    Do,
    Else,
    Elseif,
    End,
    False,
    For,
    Function,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,
    /// `..`
    Concat,
    /// `...`
    Dots,
    /// `==`
    Eq,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `~=`
    Ne,
    /// Any other byte is a token by itself: `+ - * / % ^ # ( ) { } [ ] ; :
    /// , . = < > ~`, and also stray bytes such as `@` or `\0`, which the
    /// parser then rejects.
    Char(u8),
    Eof,
}

fn keyword(name: &[u8]) -> Option<Token> {
    Some(match name {
        b"and" => Token::And,
        b"break" => Token::Break,
        b"do" => Token::Do,
        b"else" => Token::Else,
        b"elseif" => Token::Elseif,
        b"end" => Token::End,
        b"false" => Token::False,
        b"for" => Token::For,
        b"function" => Token::Function,
        b"if" => Token::If,
        b"in" => Token::In,
        b"local" => Token::Local,
        b"nil" => Token::Nil,
        b"not" => Token::Not,
        b"or" => Token::Or,
        b"repeat" => Token::Repeat,
        b"return" => Token::Return,
        b"then" => Token::Then,
        b"true" => Token::True,
        b"until" => Token::Until,
        b"while" => Token::While,
        _ => return None,
    })
}

impl Token {
    /// The fixed spelling of a token that has one (5.1's `luaX_token2str`).
    pub(crate) fn spelling(&self) -> Cow<'static, [u8]> {
        let s: &'static str = match self {
            Token::Name(_) => "<name>",
            Token::String(..) => "<string>",
            Token::Number(_) => "<number>",
            Token::And => "and",
            Token::Break => "break",
            Token::Do => "do",
            Token::Else => "else",
            Token::Elseif => "elseif",
            Token::End => "end",
            Token::False => "false",
            Token::For => "for",
            Token::Function => "function",
            Token::If => "if",
            Token::In => "in",
            Token::Local => "local",
            Token::Nil => "nil",
            Token::Not => "not",
            Token::Or => "or",
            Token::Repeat => "repeat",
            Token::Return => "return",
            Token::Then => "then",
            Token::True => "true",
            Token::Until => "until",
            Token::While => "while",
            Token::Concat => "..",
            Token::Dots => "...",
            Token::Eq => "==",
            Token::Ge => ">=",
            Token::Le => "<=",
            Token::Ne => "~=",
            Token::Eof => "<eof>",
            Token::Char(c) if c.is_ascii_control() => {
                return Cow::Owned(format!("char({c})").into_bytes())
            }
            Token::Char(c) => return Cow::Owned(vec![*c]),
        };
        Cow::Borrowed(s.as_bytes())
    }
}

/// 5.1's chunk name for messages (`luaO_chunkid`): `=name` gives `name`,
/// `@file` gives `file` (keeping its end if long), anything else is source
/// text shown as `[string "first line..."]`. `size` is 5.1's buffer size,
/// [`SYNTAX_ID_SIZE`] for syntax errors, 60 for runtime errors.
pub fn chunk_id(source: &[u8], size: usize) -> Vec<u8> {
    // 5.1 handles the name as a C string.
    let source = until_nul(source);
    match source.split_first() {
        Some((b'=', name)) => name[..name.len().min(size.saturating_sub(1))].to_vec(),
        Some((b'@', name)) => {
            // Room left after " '...' " and the terminator.
            let room = size.saturating_sub(8);
            if name.len() > room {
                let mut out = b"...".to_vec();
                out.extend_from_slice(&name[name.len() - room..]);
                out
            } else {
                name.to_vec()
            }
        }
        _ => {
            let first_line = source
                .iter()
                .position(|&c| c == b'\n' || c == b'\r')
                .unwrap_or(source.len());
            // Room left after ` [string "..."] ` and the terminator.
            let len = first_line.min(size.saturating_sub(17));
            let mut out = b"[string \"".to_vec();
            out.extend_from_slice(&source[..len]);
            if len < source.len() {
                out.extend_from_slice(b"...");
            }
            out.extend_from_slice(b"\"]");
            out
        }
    }
}

fn until_nul(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&c| c == 0) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

fn is_newline(c: Option<u8>) -> bool {
    matches!(c, Some(b'\n' | b'\r'))
}

fn is_digit(c: Option<u8>) -> bool {
    matches!(c, Some(b'0'..=b'9'))
}

fn is_name_char(c: Option<u8>) -> bool {
    matches!(c, Some(c) if c.is_ascii_alphanumeric() || c == b'_')
}

/// A token's byte range in the source.
type Span = (usize, usize);

/// Lua 5.1's lexer state (`LexState`): the current token, an optional
/// lookahead token, and the line counters the parser consults.
pub struct Lexer<'a> {
    src: &'a [u8],
    /// Offset of the current character (5.1's `current`); past the end
    /// means end of input.
    pos: usize,
    line: u32,
    last_line: u32,
    chunk_id: Vec<u8>,
    token: Token,
    /// Source range of `token`, for the text of a number in messages.
    token_span: Span,
    ahead: Option<(Token, Span)>,
}

impl<'a> Lexer<'a> {
    /// A lexer before the first token: call [`Lexer::advance`] to read it.
    pub fn new(src: &'a [u8], chunk_name: &[u8]) -> Self {
        Lexer {
            src,
            pos: 0,
            line: 1,
            last_line: 1,
            chunk_id: chunk_id(chunk_name, SYNTAX_ID_SIZE),
            token: Token::Eof,
            token_span: (0, 0),
            ahead: None,
        }
    }

    /// The current token.
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The line the lexer has read up to: the end of the current token, or
    /// of the lookahead token once it has been read.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The value of [`Lexer::line`] when the current token became current:
    /// where the previous token ended.
    pub fn last_line(&self) -> u32 {
        self.last_line
    }

    /// Moves to the next token.
    pub fn advance(&mut self) -> Result<(), SyntaxError> {
        self.last_line = self.line;
        let (token, span) = match self.ahead.take() {
            Some(ahead) => ahead,
            None => self.scan_spanned()?,
        };
        self.token = token;
        self.token_span = span;
        Ok(())
    }

    /// If the current token is a name, moves past it and returns it.
    pub fn take_name(&mut self) -> Result<Option<Vec<u8>>, SyntaxError> {
        let Token::Name(name) = &mut self.token else {
            return Ok(None);
        };
        let name = std::mem::take(name);
        self.advance()?;
        Ok(Some(name))
    }

    /// If the current token is a string, moves past it and returns its
    /// value (without copying a possibly large literal).
    pub fn take_string(&mut self) -> Result<Option<Vec<u8>>, SyntaxError> {
        let Token::String(value, _) = &mut self.token else {
            return Ok(None);
        };
        let value = std::mem::take(value);
        self.advance()?;
        Ok(Some(value))
    }

    /// Reads the token after the current one without moving to it.
    pub fn lookahead(&mut self) -> Result<&Token, SyntaxError> {
        let ahead = match self.ahead.take() {
            Some(ahead) => ahead,
            None => self.scan_spanned()?,
        };
        Ok(&self.ahead.insert(ahead).0)
    }

    /// `chunk:line: msg`, without a token: 5.1's form for limits.
    pub fn error(&self, msg: &[u8]) -> SyntaxError {
        SyntaxError::new(self.located(msg))
    }

    /// `chunk:line: msg near 'token'` for the current token.
    pub fn syntax_error(&self, msg: &[u8]) -> SyntaxError {
        let near = match &self.token {
            // 5.1 passes the token code as "is there a token" flag, and a
            // NUL byte's code is 0: no "near" part at all.
            Token::Char(0) => None,
            Token::Name(name) => Some(Cow::Borrowed(name.as_slice())),
            Token::String(value, delim) => Some(Cow::Owned(quoted(value, *delim))),
            Token::Number(_) => {
                let (start, end) = self.token_span;
                Some(Cow::Borrowed(self.src.get(start..end).unwrap_or(&[])))
            }
            other => Some(other.spelling()),
        };
        match near {
            Some(text) => self.error_near(msg, &text),
            None => self.error(msg),
        }
    }

    fn located(&self, msg: &[u8]) -> Vec<u8> {
        let mut out = self.chunk_id.clone();
        out.extend_from_slice(format!(":{}: ", self.line).as_bytes());
        out.extend_from_slice(msg);
        out
    }

    /// `near` is the token text 5.1 would print, which it handles as a C
    /// string.
    fn error_near(&self, msg: &[u8], near: &[u8]) -> SyntaxError {
        let mut out = self.located(msg);
        out.extend_from_slice(b" near '");
        out.extend_from_slice(until_nul(near));
        out.push(b'\'');
        SyntaxError::new(out)
    }

    fn current(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if self.pos < self.src.len() {
            self.pos += 1;
        }
    }

    /// 5.1's `check_next`: it tests membership with `strchr`, which also
    /// matches a NUL byte (the string's own terminator).
    fn bump_if_in(&mut self, set: &[u8]) -> bool {
        match self.current() {
            Some(c) if c == 0 || set.contains(&c) => {
                self.bump();
                true
            }
            _ => false,
        }
    }

    /// Skips one line break: `\n`, `\r`, `\r\n` or `\n\r`.
    fn newline(&mut self) {
        let first = self.current();
        self.bump();
        if is_newline(self.current()) && self.current() != first {
            self.bump();
        }
        self.line = self.line.saturating_add(1);
    }

    fn scan_spanned(&mut self) -> Result<(Token, Span), SyntaxError> {
        let (token, start) = self.scan()?;
        Ok((token, (start, self.pos)))
    }

    /// The next token and the offset where it starts.
    fn scan(&mut self) -> Result<(Token, usize), SyntaxError> {
        loop {
            let start = self.pos;
            let Some(c) = self.current() else {
                return Ok((Token::Eof, start));
            };
            let token = match c {
                b'\n' | b'\r' => {
                    self.newline();
                    continue;
                }
                b'-' => {
                    self.bump();
                    if self.current() != Some(b'-') {
                        Token::Char(b'-')
                    } else {
                        self.bump();
                        self.skip_comment()?;
                        continue;
                    }
                }
                b'[' => {
                    let sep = self.skip_sep();
                    match sep {
                        Sep::Open(level) => {
                            let mut value = Vec::new();
                            self.long_string(level, Some(&mut value))?;
                            Token::String(value, Delim::Long(level))
                        }
                        Sep::Bad(0) => Token::Char(b'['),
                        Sep::Bad(level) => {
                            let mut near = b"[".to_vec();
                            near.resize(level + 1, b'=');
                            return Err(self.error_near(b"invalid long string delimiter", &near));
                        }
                    }
                }
                b'=' => self.one_or_two(b'=', Token::Char(b'='), Token::Eq),
                b'<' => self.one_or_two(b'=', Token::Char(b'<'), Token::Le),
                b'>' => self.one_or_two(b'=', Token::Char(b'>'), Token::Ge),
                b'~' => self.one_or_two(b'=', Token::Char(b'~'), Token::Ne),
                b'"' | b'\'' => self.short_string(c)?,
                b'.' => {
                    self.bump();
                    if self.bump_if_in(b".") {
                        if self.bump_if_in(b".") {
                            Token::Dots
                        } else {
                            Token::Concat
                        }
                    } else if is_digit(self.current()) {
                        self.numeral(start)?
                    } else {
                        Token::Char(b'.')
                    }
                }
                b'0'..=b'9' => self.numeral(start)?,
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    while is_name_char(self.current()) {
                        self.bump();
                    }
                    let name = self.src.get(start..self.pos).unwrap_or_default();
                    keyword(name).unwrap_or_else(|| Token::Name(name.to_vec()))
                }
                // C's isspace, minus the newlines handled above.
                b' ' | b'\t' | b'\x0b' | b'\x0c' => {
                    self.bump();
                    continue;
                }
                c => {
                    self.bump();
                    Token::Char(c)
                }
            };
            return Ok((token, start));
        }
    }

    fn one_or_two(&mut self, second: u8, one: Token, two: Token) -> Token {
        self.bump();
        if self.current() == Some(second) {
            self.bump();
            two
        } else {
            one
        }
    }

    /// After `--`: a long comment if a long bracket follows, else the rest
    /// of the line.
    fn skip_comment(&mut self) -> Result<(), SyntaxError> {
        if self.current() == Some(b'[') {
            if let Sep::Open(level) = self.skip_sep() {
                return self.long_string(level, None);
            }
        }
        while !is_newline(self.current()) && self.current().is_some() {
            self.bump();
        }
        Ok(())
    }

    /// At `[` or `]`: consumes it and any `=` after it.
    fn skip_sep(&mut self) -> Sep {
        let bracket = self.current();
        self.bump();
        let mut level = 0;
        while self.current() == Some(b'=') {
            self.bump();
            level += 1;
        }
        if self.current() == bracket {
            Sep::Open(level)
        } else {
            Sep::Bad(level)
        }
    }

    /// The body of a long string (`value` given) or long comment, after its
    /// opening `[=*`; the current character is the second `[`.
    fn long_string(
        &mut self,
        level: usize,
        mut value: Option<&mut Vec<u8>>,
    ) -> Result<(), SyntaxError> {
        self.bump();
        if is_newline(self.current()) {
            self.newline();
        }
        loop {
            match self.current() {
                None => {
                    let msg: &[u8] = if value.is_some() {
                        b"unfinished long string"
                    } else {
                        b"unfinished long comment"
                    };
                    return Err(self.error_near(msg, b"<eof>"));
                }
                Some(bracket @ (b'[' | b']')) => {
                    let sep = self.skip_sep();
                    let (matched, seen) = match sep {
                        Sep::Open(seen) => (seen == level, seen),
                        Sep::Bad(seen) => (false, seen),
                    };
                    if matched {
                        if bracket == b']' {
                            self.bump();
                            return Ok(());
                        }
                        // 5.1 (LUA_COMPAT_LSTR = 1) rejects `[[` inside `[[`;
                        // with `=` signs a nested opener is plain text.
                        if level == 0 {
                            return Err(self.error_near(b"nesting of [[...]] is deprecated", b"["));
                        }
                    }
                    if let Some(value) = value.as_deref_mut() {
                        value.push(bracket);
                        value.resize(value.len() + seen, b'=');
                    }
                    if matched {
                        // The second `[` of a nested opener.
                        self.bump();
                        if let Some(value) = value.as_deref_mut() {
                            value.push(bracket);
                        }
                    }
                }
                Some(b'\n' | b'\r') => {
                    self.newline();
                    if let Some(value) = value.as_deref_mut() {
                        value.push(b'\n');
                    }
                }
                Some(c) => {
                    self.bump();
                    if let Some(value) = value.as_deref_mut() {
                        value.push(c);
                    }
                }
            }
        }
    }

    fn short_string(&mut self, quote: u8) -> Result<Token, SyntaxError> {
        self.bump();
        let mut value = Vec::new();
        let so_far = |value: &[u8]| quoted_open(value, quote);
        loop {
            match self.current() {
                None => return Err(self.error_near(b"unfinished string", b"<eof>")),
                Some(b'\n' | b'\r') => {
                    return Err(self.error_near(b"unfinished string", &so_far(&value)));
                }
                Some(c) if c == quote => break,
                Some(b'\\') => {
                    self.bump();
                    let escaped = match self.current() {
                        // Leave it to the loop: "unfinished string".
                        None => continue,
                        Some(b'\n' | b'\r') => {
                            self.newline();
                            value.push(b'\n');
                            continue;
                        }
                        Some(b'a') => 0x07,
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0c,
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'v') => 0x0b,
                        Some(d @ b'0'..=b'9') => {
                            let mut code = u32::from(d - b'0');
                            self.bump();
                            for _ in 1..3 {
                                match self.current() {
                                    Some(d @ b'0'..=b'9') => {
                                        code = code * 10 + u32::from(d - b'0');
                                        self.bump();
                                    }
                                    _ => break,
                                }
                            }
                            match u8::try_from(code) {
                                Ok(byte) => value.push(byte),
                                Err(_) => {
                                    return Err(self
                                        .error_near(b"escape sequence too large", &so_far(&value)))
                                }
                            }
                            continue;
                        }
                        // `\\`, `\"`, `\'` and any other byte stand for
                        // themselves.
                        Some(other) => other,
                    };
                    self.bump();
                    value.push(escaped);
                }
                Some(c) => {
                    self.bump();
                    value.push(c);
                }
            }
        }
        self.bump();
        Ok(Token::String(value, Delim::Quote(quote)))
    }

    /// 5.1's `read_numeral`: digits and dots, an optional exponent sign
    /// after `e`/`E`, then any letters, digits and underscores; the whole
    /// run must then convert.
    fn numeral(&mut self, start: usize) -> Result<Token, SyntaxError> {
        loop {
            self.bump();
            if !(is_digit(self.current()) || self.current() == Some(b'.')) {
                break;
            }
        }
        if self.bump_if_in(b"Ee") {
            self.bump_if_in(b"+-");
        }
        while is_name_char(self.current()) {
            self.bump();
        }
        let text = self.src.get(start..self.pos).unwrap_or_default();
        // The same conversion as `tonumber` (5.1's `luaO_str2d`), which
        // reads only up to a NUL.
        match crate::number::str_to_number(text) {
            Some(value) => Ok(Token::Number(value)),
            None => Err(self.error_near(b"malformed number", text)),
        }
    }
}

enum Sep {
    /// `[`, `=` x level, `[` (or the same with `]`).
    Open(usize),
    /// The bracket and `=` signs were not followed by a second bracket.
    Bad(usize),
}

/// A string token as 5.1 shows it: its delimiters around the decoded
/// value.
fn quoted(value: &[u8], delim: Delim) -> Vec<u8> {
    match delim {
        Delim::Quote(quote) => {
            let mut out = quoted_open(value, quote);
            out.push(quote);
            out
        }
        Delim::Long(level) => {
            let mut out = b"[".to_vec();
            out.resize(level + 1, b'=');
            out.push(b'[');
            out.extend_from_slice(value);
            out.push(b']');
            out.resize(out.len() + level, b'=');
            out.push(b']');
            out
        }
    }
}

/// A short string read so far, as 5.1's buffer holds it mid-string.
fn quoted_open(value: &[u8], quote: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    out.push(quote);
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Vec<Token> {
        let mut lexer = Lexer::new(src.as_bytes(), b"=t");
        let mut out = Vec::new();
        loop {
            lexer.advance().unwrap();
            if *lexer.token() == Token::Eof {
                return out;
            }
            out.push(lexer.token().clone());
        }
    }

    fn number(src: &str) -> f64 {
        match tokens(src).as_slice() {
            [Token::Number(n)] => *n,
            other => panic!("{src}: {other:?}"),
        }
    }

    #[test]
    fn numbers_convert_like_strtod() {
        assert_eq!(number("0x10"), 16.0);
        assert_eq!(number("0X1p4"), 16.0);
        assert_eq!(number("0x1e5"), 485.0);
        assert_eq!(number("1.e2"), 100.0);
        assert_eq!(number(".5"), 0.5);
        assert_eq!(number("1e400"), f64::INFINITY);
        assert_eq!(number("0x1p1023"), 2f64.powi(1023));
        assert_eq!(number("0x1p1024"), f64::INFINITY);
        assert_eq!(number("0x1fffffffffffffp0"), 9007199254740991.0);
        // 2^54 + 3: the cut bits are 11 (above half), rounds up to 2^54 + 4.
        assert_eq!(number("0x40000000000003"), 18014398509481988.0);
        // 2^53 + 1 is a tie: rounds to the even 2^53.
        assert_eq!(number("0x20000000000001"), 9007199254740992.0);
        // A nonzero digit beyond 64 bits breaks the tie upwards.
        assert_eq!(
            number("0x200000000000010000001"),
            2f64.powi(81) + 2f64.powi(29)
        );
        assert_eq!(number("0x200000000000010000000"), 2f64.powi(81));
        assert_eq!(number("0x0000000000000000000000001"), 1.0);
        assert_eq!(number("0xfffffffffffffffff"), 2f64.powi(68));
    }

    #[test]
    fn chunk_ids() {
        assert_eq!(chunk_id(b"@user_script", 80), b"user_script");
        assert_eq!(chunk_id(b"=stdin", 80), b"stdin");
        assert_eq!(chunk_id(b"return 1", 60), b"[string \"return 1\"]");
        assert_eq!(chunk_id(b"a\nb", 60), b"[string \"a...\"]");
        assert_eq!(chunk_id(b"", 60), b"[string \"\"]");
        let long = [b'x'; 100];
        assert_eq!(chunk_id(&long, 60).len(), 9 + 43 + 5);
        assert_eq!(
            chunk_id(&[b"@".as_slice(), &long].concat(), 60).len(),
            3 + 52
        );
        assert_eq!(chunk_id(&[b"=".as_slice(), &long].concat(), 60).len(), 59);
    }
}
