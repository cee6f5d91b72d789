//! Lua 5.1 patterns (`string.find`, `match`, `gmatch`, `gsub`), independent
//! of the VM, with the semantics and error texts of 5.1.5's matcher.
//!
//! 5.1's matcher is a backtracking recursive function. This one runs the
//! same search as a loop over an explicit stack of choice points, so a
//! hostile pattern cannot overflow the Rust stack (the stack holds at most
//! one frame per pattern item on the current path), and every step is
//! charged to a caller's budget. When the budget runs out the call returns
//! [`PatternError::StepLimit`] with its state intact: calling it again
//! with the same subject and pattern and a fresh budget continues where it
//! stopped, so the VM can pause a script in the middle of a match.
//!
//! Like 5.1, which reads the pattern as a C string, the pattern ends at its
//! first NUL (`%z` matches a NUL byte); errors in a pattern are found only
//! when the matcher reaches the faulty item, so `find("abc", "x%")` is nil
//! but `find("xbc", "x%")` raises. Character classes are the C locale's.
//!
//! Positions are 0-based byte offsets throughout; Lua's are 1-based.

use std::ops::Range;

/// The most captures a pattern may open (5.1's `LUA_MAXCAPTURES`).
pub const MAX_CAPTURES: usize = 32;

/// The characters that make `string.find` run the matcher instead of a
/// plain substring search.
const SPECIALS: &[u8] = b"^$*+?.([%-";

/// Why a match failed to complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// `malformed pattern (ends with '%')`
    EndsWithPercent,
    /// `malformed pattern (missing ']')`
    MissingBracket,
    /// `missing '[' after '%f' in pattern`
    FrontierBracket,
    /// `unbalanced pattern` (`%b` without two characters after it)
    Unbalanced,
    /// `invalid capture index`
    InvalidCaptureIndex,
    /// `invalid pattern capture` (a `)` with no open capture)
    InvalidPatternCapture,
    /// `unfinished capture`
    UnfinishedCapture,
    /// `too many captures`
    TooManyCaptures,
    /// The step budget ran out. Not an error in 5.1 (which has no budget):
    /// the operation can be resumed, or the VM raises its own error.
    StepLimit,
    /// `gsub`'s output would pass the caller's size limit (the VM raises
    /// its out-of-memory error). Not resumable.
    OutputLimit,
}

impl PatternError {
    /// The 5.1 message (without position: 5.1 raises these from C, so
    /// `luaL_error` prefixes the position of the Lua code that called
    /// the library function, which is the VM's business).
    pub fn message(self) -> &'static str {
        match self {
            Self::EndsWithPercent => "malformed pattern (ends with '%')",
            Self::MissingBracket => "malformed pattern (missing ']')",
            Self::FrontierBracket => "missing '[' after '%f' in pattern",
            Self::Unbalanced => "unbalanced pattern",
            Self::InvalidCaptureIndex => "invalid capture index",
            Self::InvalidPatternCapture => "invalid pattern capture",
            Self::UnfinishedCapture => "unfinished capture",
            Self::TooManyCaptures => "too many captures",
            Self::StepLimit => "pattern step budget exhausted",
            Self::OutputLimit => "output size limit exceeded",
        }
    }
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// One capture's value as Lua sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// A substring: `subject[start..end]`.
    Span { start: usize, end: usize },
    /// A position capture `()`: the byte offset, so Lua's number is
    /// `offset + 1`.
    Position(usize),
}

/// A capture slot while matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// Opened at this offset and not closed yet.
    Open(usize),
    Closed(usize, usize),
    Position(usize),
}

/// A successful match: `subject[start..end]`, and the captures as the
/// matcher left them (a capture can still be unfinished, as in `"(a"`,
/// which 5.1 only reports when the capture's value is asked for).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    slots: Vec<Slot>,
}

impl Match {
    /// The number of captures the pattern opened. `string.find` returns
    /// `start + 1`, `end`, then [`Match::capture`] for `0..level()`.
    pub fn level(&self) -> usize {
        self.slots.len()
    }

    /// How many values `string.match`, `gmatch` and a `gsub` function
    /// receive: the captures, or the whole match when there are none.
    pub fn value_count(&self) -> usize {
        self.slots.len().max(1)
    }

    /// Capture `i` (0-based), where capture 0 of a pattern without
    /// captures is the whole match (`gsub` with a table looks up
    /// `capture(0)`). Errors as 5.1: `invalid capture index` past the
    /// last capture, `unfinished capture` for one never closed.
    pub fn capture(&self, i: usize) -> Result<Capture, PatternError> {
        match self.slots.get(i) {
            None if i == 0 => Ok(Capture::Span {
                start: self.start,
                end: self.end,
            }),
            None => Err(PatternError::InvalidCaptureIndex),
            Some(Slot::Open(_)) => Err(PatternError::UnfinishedCapture),
            Some(&Slot::Closed(start, end)) => Ok(Capture::Span { start, end }),
            Some(&Slot::Position(at)) => Ok(Capture::Position(at)),
        }
    }
}

/// The byte offset where `string.find`/`string.match` start for Lua's
/// `init` argument (already through [`crate::number::to_integer`]; 1 when
/// absent): negative counts from the end, and 5.1 clamps the result into
/// `0..=len` (so `find("abc", "", 10)` matches at offset 3).
pub fn start_offset(init: i64, len: usize) -> usize {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let pos = if init < 0 {
        init.saturating_add(len_i).saturating_add(1)
    } else {
        init
    };
    usize::try_from(pos.max(1) - 1).map_or(len, |p| p.min(len))
}

/// The length of the pattern as 5.1 reads it: up to the first NUL.
fn c_pattern_len(pattern: &[u8]) -> usize {
    crate::number::c_str(pattern).len()
}

/// `pattern` cut to the length [`c_pattern_len`] measured when the
/// operation started, so that each resumption does not rescan it.
fn cut(pattern: &[u8], len: usize) -> &[u8] {
    pattern.get(..len).unwrap_or(pattern)
}

/// Extra steps for testing a byte against the class `pat[p..ep]`: a set
/// is scanned byte by byte, so a long one costs a step per 8 bytes.
fn class_cost(p: usize, ep: usize) -> u64 {
    (ep.saturating_sub(p) / 8) as u64
}

/// Takes one step from the budget, or reports that there is none left.
fn charge(budget: &mut u64) -> Result<(), PatternError> {
    if *budget == 0 {
        return Err(PatternError::StepLimit);
    }
    *budget -= 1;
    Ok(())
}

/// The pattern byte at `i`, 0 past the end (the C string's terminator).
fn at(pat: &[u8], i: usize) -> u8 {
    pat.get(i).copied().unwrap_or(0)
}

/// `%a`, `%d`... on byte `c`; other letters match themselves. Upper-case
/// classes are complements.
fn match_class(c: u8, class: u8) -> bool {
    let res = match class.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        b's' => crate::number::is_c_space(c),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return class == c,
    };
    res != class.is_ascii_uppercase()
}

/// Whether `c` is in the set `pat[open..close]`, where `pat[open]` is `[`
/// and `pat[close]` its `]`.
fn match_set(c: u8, pat: &[u8], open: usize, close: usize) -> bool {
    let mut p = open + 1;
    let negated = at(pat, p) == b'^';
    if negated {
        p += 1;
    }
    // The first character is always a member (so "[]]" is a set of ']').
    while p < close {
        let b = at(pat, p);
        let found = if b == b'%' {
            p += 1;
            match_class(c, at(pat, p))
        } else if at(pat, p + 1) == b'-' && p + 2 < close {
            p += 2;
            (b..=at(pat, p)).contains(&c)
        } else {
            b == c
        };
        if found {
            return !negated;
        }
        p += 1;
    }
    negated
}

/// The end of the single-character class starting at `p` (a literal,
/// `.`, `%x` or a set), checking it is well-formed.
fn class_end(pat: &[u8], p: usize) -> Result<usize, PatternError> {
    match at(pat, p) {
        b'%' => {
            if p + 1 >= pat.len() {
                return Err(PatternError::EndsWithPercent);
            }
            Ok(p + 2)
        }
        b'[' => {
            let mut q = p + 1;
            if at(pat, q) == b'^' {
                q += 1;
            }
            // The first character is taken before looking for the ']'.
            loop {
                if q >= pat.len() {
                    return Err(PatternError::MissingBracket);
                }
                let b = at(pat, q);
                q += 1;
                if b == b'%' && q < pat.len() {
                    q += 1;
                }
                if at(pat, q) == b']' {
                    return Ok(q + 1);
                }
            }
        }
        _ => Ok(p + 1),
    }
}

/// Whether byte `c` matches the class `pat[p..ep]`.
fn single_match(c: u8, pat: &[u8], p: usize, ep: usize) -> bool {
    match at(pat, p) {
        b'.' => true,
        b'%' => match_class(c, at(pat, p + 1)),
        b'[' => match_set(c, pat, p, ep - 1),
        b => b == c,
    }
}

/// Where the matcher is, between steps.
#[derive(Clone, Copy, Debug)]
enum State {
    /// Match the pattern from `p` against the subject from `s`.
    Try { s: usize, p: usize },
    /// The current path failed: backtrack to the newest choice point.
    Fail,
    /// Counting how many characters from `s` the class `pat[p..ep]` takes
    /// (greedy `*` and `+`).
    Count {
        s: usize,
        p: usize,
        ep: usize,
        n: usize,
    },
}

/// A choice point: what to do when everything after it fails.
#[derive(Clone, Copy, Debug)]
enum Frame {
    /// `?` matched one character: try again without it, from `p`.
    Optional { s: usize, p: usize },
    /// Greedy repetition of `pat[p..ep]` from `s`, currently `n` long:
    /// retry with one fewer.
    Greedy {
        s: usize,
        p: usize,
        ep: usize,
        n: usize,
    },
    /// Lazy `-` at `s`: take one more character and retry.
    Lazy { s: usize, p: usize, ep: usize },
    /// A capture was opened: remove it.
    Opened,
    /// Capture `l` was closed: reopen it.
    Closed(usize),
}

/// One anchored match attempt (5.1's `match` from a given position).
#[derive(Debug, Default)]
struct Machine {
    state: Option<State>,
    stack: Vec<Frame>,
    slots: Vec<Slot>,
}

impl Machine {
    fn start(&mut self, s: usize, p: usize) {
        self.stack.clear();
        self.slots.clear();
        self.state = Some(State::Try { s, p });
    }

    /// Runs the attempt: `Some(end)` on a match, `None` when it cannot
    /// match here. Every iteration costs a step; scans inside one step
    /// (`%b`, back-references) cost a step per byte, taken afterwards.
    fn run(
        &mut self,
        subj: &[u8],
        pat: &[u8],
        budget: &mut u64,
    ) -> Result<Option<usize>, PatternError> {
        loop {
            let Some(state) = self.state else {
                return Ok(None);
            };
            charge(budget)?;
            let next = match state {
                State::Try { s, p } => {
                    if p >= pat.len() {
                        self.state = None;
                        return Ok(Some(s));
                    }
                    self.item(subj, pat, s, p, budget)?
                }
                State::Count { s, p, ep, n } => {
                    *budget = budget.saturating_sub(class_cost(p, ep));
                    match subj.get(s + n) {
                        Some(&c) if single_match(c, pat, p, ep) => {
                            State::Count { s, p, ep, n: n + 1 }
                        }
                        _ => {
                            self.stack.push(Frame::Greedy { s, p, ep, n });
                            State::Try {
                                s: s + n,
                                p: ep + 1,
                            }
                        }
                    }
                }
                State::Fail => match self.stack.pop() {
                    None => {
                        self.state = None;
                        return Ok(None);
                    }
                    Some(frame) => {
                        if let Frame::Lazy { p, ep, .. } = frame {
                            *budget = budget.saturating_sub(class_cost(p, ep));
                        }
                        self.backtrack(subj, pat, frame)
                    }
                },
            };
            self.state = Some(next);
        }
    }

    /// Resumes the newest choice point after a failure.
    fn backtrack(&mut self, subj: &[u8], pat: &[u8], frame: Frame) -> State {
        match frame {
            Frame::Optional { s, p } => State::Try { s, p },
            Frame::Greedy { s, p, ep, n } => match n.checked_sub(1) {
                Some(n) => {
                    self.stack.push(Frame::Greedy { s, p, ep, n });
                    State::Try {
                        s: s + n,
                        p: ep + 1,
                    }
                }
                None => State::Fail,
            },
            Frame::Lazy { s, p, ep } => match subj.get(s) {
                Some(&c) if single_match(c, pat, p, ep) => {
                    self.stack.push(Frame::Lazy { s: s + 1, p, ep });
                    State::Try {
                        s: s + 1,
                        p: ep + 1,
                    }
                }
                _ => State::Fail,
            },
            Frame::Opened => {
                self.slots.pop();
                State::Fail
            }
            Frame::Closed(l) => {
                if let Some(slot) = self.slots.get_mut(l) {
                    if let Slot::Closed(start, _) = *slot {
                        *slot = Slot::Open(start);
                    }
                }
                State::Fail
            }
        }
    }

    /// Matches the pattern item at `p` (not the end of the pattern).
    fn item(
        &mut self,
        subj: &[u8],
        pat: &[u8],
        s: usize,
        p: usize,
        budget: &mut u64,
    ) -> Result<State, PatternError> {
        match at(pat, p) {
            b'(' => {
                if self.slots.len() >= MAX_CAPTURES {
                    return Err(PatternError::TooManyCaptures);
                }
                let (slot, p) = if at(pat, p + 1) == b')' {
                    (Slot::Position(s), p + 2)
                } else {
                    (Slot::Open(s), p + 1)
                };
                self.slots.push(slot);
                self.stack.push(Frame::Opened);
                return Ok(State::Try { s, p });
            }
            b')' => {
                let l = self
                    .slots
                    .iter()
                    .rposition(|slot| matches!(slot, Slot::Open(_)))
                    .ok_or(PatternError::InvalidPatternCapture)?;
                if let Some(slot) = self.slots.get_mut(l) {
                    if let Slot::Open(start) = *slot {
                        *slot = Slot::Closed(start, s);
                    }
                }
                self.stack.push(Frame::Closed(l));
                return Ok(State::Try { s, p: p + 1 });
            }
            b'$' if p + 1 == pat.len() => {
                return Ok(if s == subj.len() {
                    State::Try { s, p: p + 1 }
                } else {
                    State::Fail
                });
            }
            b'%' => match at(pat, p + 1) {
                b'b' => return balance(subj, pat, s, p, budget),
                b'f' => return frontier(subj, pat, s, p, budget),
                d @ b'0'..=b'9' => return self.back_reference(subj, s, p, d, budget),
                _ => {}
            },
            _ => {}
        }
        let ep = class_end(pat, p)?;
        *budget = budget.saturating_sub(class_cost(p, ep));
        let m = subj.get(s).is_some_and(|&c| single_match(c, pat, p, ep));
        Ok(match at(pat, ep) {
            b'?' => {
                if m {
                    self.stack.push(Frame::Optional { s, p: ep + 1 });
                    State::Try {
                        s: s + 1,
                        p: ep + 1,
                    }
                } else {
                    State::Try { s, p: ep + 1 }
                }
            }
            b'*' => State::Count { s, p, ep, n: 0 },
            b'+' if m => State::Count {
                s: s + 1,
                p,
                ep,
                n: 0,
            },
            b'+' => State::Fail,
            b'-' => {
                self.stack.push(Frame::Lazy { s, p, ep });
                State::Try { s, p: ep + 1 }
            }
            _ if m => State::Try { s: s + 1, p: ep },
            _ => State::Fail,
        })
    }

    /// `%1`..`%9`: the text of a closed capture again. `%0`, a capture not
    /// opened yet and one still open are invalid; a position capture never
    /// matches (5.1 compares with its negative length as a huge size).
    fn back_reference(
        &self,
        subj: &[u8],
        s: usize,
        p: usize,
        digit: u8,
        budget: &mut u64,
    ) -> Result<State, PatternError> {
        let slot = usize::from(digit - b'0')
            .checked_sub(1)
            .and_then(|l| self.slots.get(l));
        let (start, end) = match slot {
            None | Some(Slot::Open(_)) => return Err(PatternError::InvalidCaptureIndex),
            Some(Slot::Position(_)) => return Ok(State::Fail),
            Some(&Slot::Closed(start, end)) => (start, end),
        };
        let len = end.saturating_sub(start);
        *budget = budget.saturating_sub(len as u64);
        let same = subj.get(start..end) == subj.get(s..s + len);
        Ok(if same {
            State::Try {
                s: s + len,
                p: p + 2,
            }
        } else {
            State::Fail
        })
    }
}

/// `%bxy` at `pat[p]`: a balanced run from `x` to its matching `y`.
fn balance(
    subj: &[u8],
    pat: &[u8],
    s: usize,
    p: usize,
    budget: &mut u64,
) -> Result<State, PatternError> {
    if p + 3 >= pat.len() {
        return Err(PatternError::Unbalanced);
    }
    let (open, close) = (at(pat, p + 2), at(pat, p + 3));
    if subj.get(s) != Some(&open) {
        return Ok(State::Fail);
    }
    let mut depth = 1usize;
    let rest = subj.get(s + 1..).unwrap_or(&[]);
    for (k, &c) in rest.iter().enumerate() {
        // The close byte is tested first, so "%bxx" ends at the next x.
        if c == close {
            depth -= 1;
            if depth == 0 {
                *budget = budget.saturating_sub(k as u64);
                return Ok(State::Try {
                    s: s + k + 2,
                    p: p + 4,
                });
            }
        } else if c == open {
            depth += 1;
        }
    }
    *budget = budget.saturating_sub(rest.len() as u64);
    Ok(State::Fail)
}

/// `%f[set]` at `pat[p]`: the previous byte (NUL at the start) is not in
/// the set and the current one (NUL at the end) is.
fn frontier(
    subj: &[u8],
    pat: &[u8],
    s: usize,
    p: usize,
    budget: &mut u64,
) -> Result<State, PatternError> {
    let open = p + 2;
    if at(pat, open) != b'[' {
        return Err(PatternError::FrontierBracket);
    }
    let ep = class_end(pat, open)?;
    *budget = budget.saturating_sub(class_cost(open, ep));
    let previous = s
        .checked_sub(1)
        .and_then(|i| subj.get(i))
        .copied()
        .unwrap_or(0);
    let current = subj.get(s).copied().unwrap_or(0);
    Ok(
        if !match_set(previous, pat, open, ep - 1) && match_set(current, pat, open, ep - 1) {
            State::Try { s, p: ep }
        } else {
            State::Fail
        },
    )
}

/// Tries the pattern at successive start offsets, as `find`, `match` and
/// `gmatch` do.
#[derive(Debug, Default)]
struct Scan {
    /// The next start offset to try.
    next: usize,
    /// Try only `next` (the pattern began with `^`).
    anchored: bool,
    /// Where the pattern proper begins (1 after a `^` anchor).
    p0: usize,
    /// See [`c_pattern_len`].
    pat_len: usize,
    running: bool,
    done: bool,
    machine: Machine,
}

impl Scan {
    fn new(pattern: &[u8], next: usize, anchored: bool) -> Scan {
        Scan {
            next,
            anchored,
            p0: usize::from(anchored),
            pat_len: c_pattern_len(pattern),
            ..Scan::default()
        }
    }

    /// Starts over at `next`, keeping the machine's allocations.
    fn restart(&mut self, next: usize) {
        self.next = next;
        self.running = false;
        self.done = false;
    }

    fn resume(
        &mut self,
        subj: &[u8],
        pattern: &[u8],
        budget: &mut u64,
    ) -> Result<Option<Match>, PatternError> {
        let pat = cut(pattern, self.pat_len);
        loop {
            if self.done || self.next > subj.len() {
                self.done = true;
                return Ok(None);
            }
            if !self.running {
                self.machine.start(self.next, self.p0);
                self.running = true;
            }
            let result = self.machine.run(subj, pat, budget)?;
            self.running = false;
            if let Some(end) = result {
                return Ok(Some(Match {
                    start: self.next,
                    end,
                    slots: std::mem::take(&mut self.machine.slots),
                }));
            }
            if self.anchored || self.next >= subj.len() {
                self.done = true;
            } else {
                self.next += 1;
            }
        }
    }
}

/// A resumable `string.find` or `string.match`.
#[derive(Debug)]
pub struct Search(SearchKind);

#[derive(Debug)]
enum SearchKind {
    /// A substring search; `next` is the next offset to compare at.
    Plain {
        next: usize,
        done: bool,
    },
    Pattern(Scan),
}

impl Search {
    /// `string.find(s, pattern, init, plain)` from offset `start` (see
    /// [`start_offset`]). A plain search happens when `plain` is true or
    /// the pattern (up to its first NUL) has no special character; it then
    /// looks for the whole pattern, NULs included, as 5.1 does.
    pub fn find(pattern: &[u8], start: usize, plain: bool) -> Search {
        let c_pattern = cut(pattern, c_pattern_len(pattern));
        let has_specials = c_pattern.iter().any(|b| SPECIALS.contains(b));
        if plain || !has_specials {
            Search(SearchKind::Plain {
                next: start,
                done: false,
            })
        } else {
            Search::matching(pattern, start)
        }
    }

    /// `string.match(s, pattern, init)` from offset `start`.
    pub fn matching(pattern: &[u8], start: usize) -> Search {
        let anchored = pattern.first() == Some(&b'^');
        Search(SearchKind::Pattern(Scan::new(pattern, start, anchored)))
    }

    /// Runs the search: `Ok(None)` when there is no match. On
    /// [`PatternError::StepLimit`] call again with the same subject and
    /// pattern to continue; any other error is final.
    pub fn resume(
        &mut self,
        subject: &[u8],
        pattern: &[u8],
        budget: &mut u64,
    ) -> Result<Option<Match>, PatternError> {
        match &mut self.0 {
            SearchKind::Pattern(scan) => scan.resume(subject, pattern, budget),
            SearchKind::Plain { next, done } => {
                while !*done {
                    charge(budget)?;
                    let at = *next;
                    let end = at + pattern.len();
                    let Some(window) = subject.get(at..end) else {
                        *done = true;
                        break;
                    };
                    // Charged for the bytes compared, as memcmp would read.
                    let same = window.iter().zip(pattern).take_while(|(a, b)| a == b);
                    *budget = budget.saturating_sub(same.count() as u64);
                    if window == pattern {
                        *done = true;
                        return Ok(Some(Match {
                            start: at,
                            end,
                            slots: Vec::new(),
                        }));
                    }
                    *next += 1;
                }
                Ok(None)
            }
        }
    }
}

/// `string.find` in one call (see [`Search::find`]); a budget running out
/// is returned as [`PatternError::StepLimit`], and the work is lost.
pub fn find(
    subject: &[u8],
    pattern: &[u8],
    start: usize,
    plain: bool,
    budget: &mut u64,
) -> Result<Option<Match>, PatternError> {
    Search::find(pattern, start, plain).resume(subject, pattern, budget)
}

/// `string.match` in one call (see [`Search::matching`]).
pub fn match_str(
    subject: &[u8],
    pattern: &[u8],
    start: usize,
    budget: &mut u64,
) -> Result<Option<Match>, PatternError> {
    Search::matching(pattern, start).resume(subject, pattern, budget)
}

/// The state of a `string.gmatch` iterator. 5.1's gmatch has no anchor (a
/// leading `^` is an ordinary character), and after an empty match it
/// moves on by one byte.
#[derive(Debug)]
pub struct Gmatch(Scan);

impl Gmatch {
    /// An iterator for `pattern`, at the start of the subject.
    pub fn new(pattern: &[u8]) -> Gmatch {
        Gmatch(Scan::new(pattern, 0, false))
    }

    /// Moves the search to offset `pos`, for an iterator whose position is
    /// kept elsewhere between calls (a Lua upvalue).
    pub fn skip_to(&mut self, pos: usize) {
        self.0.restart(pos);
    }

    /// The next match (`None` at the end); each call of the Lua iterator
    /// is one call of this. Resumable after [`PatternError::StepLimit`].
    pub fn next(
        &mut self,
        subject: &[u8],
        pattern: &[u8],
        budget: &mut u64,
    ) -> Result<Option<Match>, PatternError> {
        let found = self.0.resume(subject, pattern, budget)?;
        if let Some(m) = &found {
            let next = if m.end == m.start { m.end + 1 } else { m.end };
            self.0.restart(next);
        }
        Ok(found)
    }
}

/// Where a [`Gsub`] is.
#[derive(Clone, Copy, Debug)]
enum GsubState {
    /// About to try the pattern at `src`.
    Attempt,
    /// In the middle of an attempt (resumed after a step limit).
    Running,
    /// An attempt ended (with a match to `end`, or not): move past it.
    Advance(Option<usize>),
    Done,
}

/// A resumable `string.gsub`: it copies the unmatched text into the
/// caller's output buffer and hands each match back, so the caller can
/// append the replacement (a string through [`expand`], or the result of
/// a function or table lookup) before asking for the next one.
#[derive(Debug)]
pub struct Gsub {
    src: usize,
    anchored: bool,
    /// See [`c_pattern_len`].
    pat_len: usize,
    max: Option<i64>,
    count: usize,
    state: GsubState,
    machine: Machine,
}

impl Gsub {
    /// `max` is gsub's 4th argument through [`crate::number::to_int`]
    /// (`None` when absent: no limit).
    pub fn new(pattern: &[u8], max: Option<i64>) -> Gsub {
        Gsub {
            src: 0,
            anchored: pattern.first() == Some(&b'^'),
            pat_len: c_pattern_len(pattern),
            max,
            count: 0,
            state: GsubState::Attempt,
            machine: Machine::default(),
        }
    }

    /// The number of matches so far (gsub's second result once done).
    pub fn count(&self) -> usize {
        self.count
    }

    /// Advances to the next match, appending the text before it to `out`.
    /// `Ok(Some(m))`: append the replacement for `m` (or
    /// `subject[m.start..m.end]` when a function or table gives false or
    /// nil), then call again. `Ok(None)`: done, `out` holds the result.
    /// `out` never grows past `limit` ([`PatternError::OutputLimit`]).
    /// Resumable after [`PatternError::StepLimit`].
    pub fn next(
        &mut self,
        subject: &[u8],
        pattern: &[u8],
        out: &mut Vec<u8>,
        limit: usize,
        budget: &mut u64,
    ) -> Result<Option<Match>, PatternError> {
        let pat = cut(pattern, self.pat_len);
        loop {
            match self.state {
                GsubState::Done => return Ok(None),
                GsubState::Attempt => {
                    if self.max.is_some_and(|max| self.count as i64 >= max) {
                        self.finish(subject, out, limit)?;
                    } else {
                        self.machine.start(self.src, usize::from(self.anchored));
                        self.state = GsubState::Running;
                    }
                }
                GsubState::Running => {
                    let end = self.machine.run(subject, pat, budget)?;
                    self.state = GsubState::Advance(end);
                    if let Some(end) = end {
                        self.count += 1;
                        return Ok(Some(Match {
                            start: self.src,
                            end,
                            slots: std::mem::take(&mut self.machine.slots),
                        }));
                    }
                }
                GsubState::Advance(end) => {
                    match end {
                        Some(end) if end > self.src => self.src = end,
                        // An empty match or none: copy one byte and go on.
                        _ => match subject.get(self.src) {
                            Some(&b) => {
                                put(out, limit, &[b])?;
                                self.src += 1;
                            }
                            None => {
                                self.finish(subject, out, limit)?;
                                continue;
                            }
                        },
                    }
                    if self.anchored {
                        self.finish(subject, out, limit)?;
                    } else {
                        self.state = GsubState::Attempt;
                    }
                }
            }
        }
    }

    /// Copies the rest of the subject and stops.
    fn finish(
        &mut self,
        subject: &[u8],
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), PatternError> {
        put(out, limit, subject.get(self.src..).unwrap_or(&[]))?;
        self.state = GsubState::Done;
        Ok(())
    }
}

/// Appends `bytes` unless that would pass `limit`.
fn put(out: &mut Vec<u8>, limit: usize, bytes: &[u8]) -> Result<(), PatternError> {
    if bytes.len() > limit.saturating_sub(out.len()) {
        return Err(PatternError::OutputLimit);
    }
    out.extend_from_slice(bytes);
    Ok(())
}

/// Appends gsub's string replacement `repl` for match `m` of `subject`:
/// `%0` is the whole match, `%1`..`%9` a capture (`%1` is the whole match
/// when the pattern has no captures; a position capture inserts its Lua
/// number), and `%` followed by anything else inserts that character — a
/// `%` at the very end inserts a NUL byte, since 5.1 reads the string's
/// terminator. A number replacement is first converted as `tostring`.
pub fn expand(
    repl: &[u8],
    subject: &[u8],
    m: &Match,
    out: &mut Vec<u8>,
    limit: usize,
) -> Result<(), PatternError> {
    let mut i = 0;
    while let Some(&b) = repl.get(i) {
        i += 1;
        if b != b'%' {
            put(out, limit, &[b])?;
            continue;
        }
        let c = repl.get(i).copied().unwrap_or(0);
        i += 1;
        let capture = match c {
            b'0' => Capture::Span {
                start: m.start,
                end: m.end,
            },
            b'1'..=b'9' => m.capture(usize::from(c - b'1'))?,
            _ => {
                put(out, limit, &[c])?;
                continue;
            }
        };
        match capture {
            Capture::Span { start, end } => put(out, limit, span(subject, start..end))?,
            Capture::Position(at) => {
                let mut digits = Vec::new();
                crate::number::write_number(&mut digits, at as f64 + 1.0);
                put(out, limit, &digits)?;
            }
        }
    }
    Ok(())
}

/// `subject[range]`, empty if the range does not fit (it always does for
/// a match made on this subject).
pub fn span(subject: &[u8], range: Range<usize>) -> &[u8] {
    subject.get(range).unwrap_or(&[])
}
