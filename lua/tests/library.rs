//! Checks the VM-independent library cores (`number`, `format`, `pattern`)
//! against Lua 5.1.5's own answers, recorded by `record_library.sh` into
//! `cases/library/*.txt`, then throws random inputs at them with small
//! budgets: they must not panic, must stop, and must give the same answer
//! when a search is paused and resumed.

use redsim_lua::format::{self, Arg, FormatError};
use redsim_lua::number;
use redsim_lua::pattern::{self, Capture, Gmatch, Gsub, Match, PatternError, Search};

/// A Lua value in a recorded case.
#[derive(Clone, Debug)]
enum Val {
    Str(Vec<u8>),
    Num(f64),
    Bool(bool),
    Nil,
    /// Another type, by name (`table`).
    Other(String),
}

impl PartialEq for Val {
    /// Numbers compare bit for bit, except that NaNs only compare signs.
    fn eq(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::Num(a), Val::Num(b)) if a.is_nan() || b.is_nan() => {
                a.is_nan() && b.is_nan() && a.is_sign_negative() == b.is_sign_negative()
            }
            (Val::Num(a), Val::Num(b)) => a.to_bits() == b.to_bits(),
            (Val::Str(a), Val::Str(b)) => a == b,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Nil, Val::Nil) => true,
            (Val::Other(a), Val::Other(b)) => a == b,
            _ => false,
        }
    }
}

/// Undoes the recorder's `\xNN` escapes.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn parse_val(field: &str) -> Val {
    if let Some(s) = field.strip_prefix("s:") {
        Val::Str(unescape(s))
    } else if let Some(n) = field.strip_prefix("n:") {
        Val::Num(match n {
            "nan" => f64::NAN,
            "-nan" => -f64::NAN,
            _ => n.parse().unwrap_or_else(|_| panic!("bad number {n}")),
        })
    } else if let Some(b) = field.strip_prefix("b:") {
        Val::Bool(b == "true")
    } else if field == "nil" {
        Val::Nil
    } else {
        Val::Other(field.to_string())
    }
}

struct Case {
    line: usize,
    kind: String,
    args: Vec<Val>,
    expected: Result<Vec<Val>, String>,
}

fn load(text: &str) -> Vec<Case> {
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            let arrow = fields.iter().position(|&f| f == "=>").expect("no =>");
            let results = &fields[arrow + 1..];
            let expected = match results.first().and_then(|r| r.strip_prefix('!')) {
                Some(msg) => Err(String::from_utf8(unescape(msg)).unwrap()),
                None => Ok(results.iter().map(|f| parse_val(f)).collect()),
            };
            Case {
                line: n + 1,
                kind: fields[0].to_string(),
                args: fields[1..arrow].iter().map(|f| parse_val(f)).collect(),
                expected,
            }
        })
        .collect()
}

/// Budget for a recorded case: far more than any of them needs.
const BUDGET: u64 = 50_000_000;
/// Output limit for a recorded case.
const LIMIT: usize = 1 << 20;

fn arg(args: &[Val], i: usize) -> &Val {
    args.get(i).unwrap_or(&Val::Nil)
}

fn bytes(v: &Val) -> Vec<u8> {
    match v {
        Val::Str(s) => s.clone(),
        Val::Num(x) => number::number_to_string(*x).into_bytes(),
        other => panic!("not a string: {other:?}"),
    }
}

fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Str(_) => "string",
        Val::Num(_) => "number",
        Val::Bool(_) => "boolean",
        Val::Nil => "nil",
        Val::Other(t) if t == "table" => "table",
        Val::Other(t) => panic!("unexpected type {t}"),
    }
}

/// `tonumber` as lbaselib writes it around the number module.
fn run_tonumber(args: &[Val]) -> Result<Vec<Val>, String> {
    let base = match arg(args, 1) {
        Val::Nil => 10,
        Val::Num(x) => number::to_int(*x),
        Val::Str(s) => match number::str_to_number(s) {
            Some(x) => number::to_int(x),
            None => {
                return Err("bad argument #2 to 'tonumber' (number expected, got string)".into())
            }
        },
        v => {
            let got = type_name(v);
            return Err(format!(
                "bad argument #2 to 'tonumber' (number expected, got {got})"
            ));
        }
    };
    let result = if base == 10 {
        match arg(args, 0) {
            Val::Num(x) => Some(*x),
            Val::Str(s) => number::str_to_number(s),
            _ => None,
        }
    } else {
        let s = match arg(args, 0) {
            v @ (Val::Str(_) | Val::Num(_)) => bytes(v),
            v => {
                let got = type_name(v);
                return Err(format!(
                    "bad argument #1 to 'tonumber' (string expected, got {got})"
                ));
            }
        };
        if !(2..=36).contains(&base) {
            return Err("bad argument #2 to 'tonumber' (base out of range)".into());
        }
        number::str_to_number_base(&s, base as u32)
    };
    Ok(vec![result.map_or(Val::Nil, Val::Num)])
}

fn run_format(args: &[Val]) -> Result<Vec<Val>, String> {
    let fmt = bytes(&args[0]);
    let rest: Vec<Arg<'_>> = args[1..]
        .iter()
        .map(|v| match v {
            Val::Num(x) => Arg::Number(*x),
            Val::Str(s) => Arg::Str(s),
            v => Arg::Other(type_name(v)),
        })
        .collect();
    format::format(&fmt, &rest, LIMIT)
        .map(|out| vec![Val::Str(out)])
        .map_err(|e| e.message("format"))
}

/// A capture as the Lua value 5.1 pushes.
fn capture_val(subject: &[u8], c: Capture) -> Val {
    match c {
        Capture::Span { start, end } => Val::Str(subject[start..end].to_vec()),
        Capture::Position(at) => Val::Num(at as f64 + 1.0),
    }
}

fn values(subject: &[u8], m: &Match, n: usize) -> Result<Vec<Val>, PatternError> {
    (0..n)
        .map(|i| Ok(capture_val(subject, m.capture(i)?)))
        .collect()
}

fn start_arg(v: &Val, len: usize) -> usize {
    let init = match v {
        Val::Num(x) => number::to_integer(*x),
        _ => 1,
    };
    pattern::start_offset(init, len)
}

fn run_find(args: &[Val], find: bool) -> Result<Vec<Val>, PatternError> {
    let (s, p) = (bytes(&args[0]), bytes(&args[1]));
    let start = start_arg(arg(args, 2), s.len());
    let plain = !matches!(arg(args, 3), Val::Nil | Val::Bool(false));
    let mut budget = BUDGET;
    let mut search = if find {
        Search::find(&p, start, plain)
    } else {
        Search::matching(&p, start)
    };
    let Some(m) = search.resume(&s, &p, &mut budget)? else {
        return Ok(vec![Val::Nil]);
    };
    if find {
        let mut out = vec![Val::Num(m.start as f64 + 1.0), Val::Num(m.end as f64)];
        out.extend(values(&s, &m, m.level())?);
        Ok(out)
    } else {
        values(&s, &m, m.value_count())
    }
}

fn run_gmatch(args: &[Val]) -> Result<Vec<Val>, PatternError> {
    let (s, p) = (bytes(&args[0]), bytes(&args[1]));
    let mut budget = BUDGET;
    let mut it = Gmatch::new(&p);
    let mut out = Vec::new();
    while let Some(m) = it.next(&s, &p, &mut budget)? {
        out.extend(values(&s, &m, m.value_count())?);
        out.push(Val::Bool(true));
    }
    Ok(out)
}

/// How a recorded gsub case replaces each match.
enum Repl {
    Str(Vec<u8>),
    /// The recorder's function (see `gsubf` in record_library.sh).
    Function,
    /// String keys to a string or `false`.
    Table(Vec<(Vec<u8>, Val)>),
}

fn run_gsub(s: &[u8], p: &[u8], repl: &Repl, max: &Val) -> Result<Vec<Val>, PatternError> {
    let max = match max {
        Val::Num(x) => Some(i64::from(number::to_int(*x))),
        _ => None,
    };
    let mut budget = BUDGET;
    let mut out = Vec::new();
    let mut gsub = Gsub::new(p, max);
    while let Some(m) = gsub.next(s, p, &mut out, LIMIT, &mut budget)? {
        let replacement = match repl {
            Repl::Str(r) => {
                pattern::expand(r, s, &m, &mut out, LIMIT)?;
                continue;
            }
            Repl::Function => {
                let vals = values(s, &m, m.value_count())?;
                match vals.first() {
                    Some(Val::Str(v)) if v == b"keep" || v == b"false" => None,
                    _ => {
                        let parts: Vec<Vec<u8>> = vals.iter().map(bytes).collect();
                        Some([b"<".to_vec(), parts.join(&b","[..]), b">".to_vec()].concat())
                    }
                }
            }
            Repl::Table(pairs) => match capture_val(s, m.capture(0)?) {
                Val::Str(key) => pairs
                    .iter()
                    .find(|(k, _)| *k == key)
                    .and_then(|(_, v)| match v {
                        Val::Str(v) => Some(v.clone()),
                        _ => None,
                    }),
                _ => None,
            },
        };
        out.extend(replacement.unwrap_or_else(|| s[m.start..m.end].to_vec()));
    }
    Ok(vec![Val::Str(out), Val::Num(gsub.count() as f64)])
}

fn run(case: &Case) -> Result<Vec<Val>, String> {
    let a = &case.args;
    let pattern_result = match case.kind.as_str() {
        "tostring" => match a[0] {
            Val::Num(x) => return Ok(vec![Val::Str(number::number_to_string(x).into_bytes())]),
            _ => panic!("tostring of a non-number"),
        },
        "tonumber" => return run_tonumber(a),
        "format" => return run_format(a),
        "find" => run_find(a, true),
        "match" => run_find(a, false),
        "gmatch" => run_gmatch(a),
        "gsub" => run_gsub(
            &bytes(&a[0]),
            &bytes(&a[1]),
            &Repl::Str(bytes(&a[2])),
            arg(a, 3),
        ),
        "gsubf" => run_gsub(&bytes(&a[0]), &bytes(&a[1]), &Repl::Function, arg(a, 2)),
        "gsubt" => {
            let pairs = a[2..]
                .chunks(2)
                .map(|kv| (bytes(&kv[0]), kv[1].clone()))
                .collect();
            run_gsub(&bytes(&a[0]), &bytes(&a[1]), &Repl::Table(pairs), &Val::Nil)
        }
        other => panic!("unknown case kind {other}"),
    };
    pattern_result.map_err(|e| e.message().to_string())
}

/// Runs every recorded case of a file and reports all mismatches at once.
fn check_file(name: &str, text: &str, min_cases: usize) {
    let cases = load(text);
    assert!(
        cases.len() >= min_cases,
        "{name}: only {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let got = run(case);
        if got != case.expected {
            failures.push(format!(
                "{name}:{} {} {:?}\n   lua5.1: {:?}\n   ours:   {:?}",
                case.line, case.kind, case.args, case.expected, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn number_cases_match_lua51() {
    check_file("number", include_str!("cases/library/number.txt"), 250);
}

#[test]
fn format_cases_match_lua51() {
    check_file("format", include_str!("cases/library/format.txt"), 6400);
}

#[test]
fn pattern_cases_match_lua51() {
    check_file("pattern", include_str!("cases/library/pattern.txt"), 400);
}

#[test]
fn hex_floats_round_to_nearest_even() {
    let n = |s: &str| number::str_to_number(s.as_bytes());
    // Exactly halfway between 1 and the next double: ties to even (down).
    assert_eq!(n("0x1.00000000000008p0"), Some(1.0));
    assert_eq!(n("0x1.00000000000018p0"), Some(1.0 + 2.0 * f64::EPSILON));
    // A nonzero digit past the 16 kept ones breaks the tie upward.
    assert_eq!(n("0x1.000000000000080000001p0"), Some(1.0 + f64::EPSILON));
    assert_eq!(n("0x1p-1074"), Some(f64::from_bits(1)));
    assert_eq!(n("0x1p-1075"), Some(0.0));
    assert_eq!(n("0x1.8p-1075"), Some(f64::from_bits(1)));
    assert_eq!(n("0x1p1024"), Some(f64::INFINITY));
    assert_eq!(n("0x1.fffffffffffff8p1023"), Some(f64::INFINITY));
    assert_eq!(n("0x1.fffffffffffffp1023"), Some(f64::MAX));
    assert_eq!(n("0x1.ffffffffffffffp-1023"), Some(f64::MIN_POSITIVE));
    assert_eq!(n("0x0.0000000000001p-1022"), Some(f64::from_bits(1)));
    assert_eq!(n("0x1p-99999999999999999999"), Some(0.0));
    assert_eq!(n("-0x1p99999999999999999999"), Some(f64::NEG_INFINITY));
    assert_eq!(n("1e99999999999999999999"), Some(f64::INFINITY));
    assert_eq!(n("-1e-99999999999999999999"), Some(-0.0));
    let long = format!("1{}e-99700", "0".repeat(100_000));
    assert_eq!(n(&long), Some(1e300));
}

#[test]
fn integer_casts_follow_x86_64() {
    assert_eq!(number::to_integer(3.99), 3);
    assert_eq!(number::to_integer(-3.99), -3);
    assert_eq!(number::to_integer(9.3e18), i64::MIN);
    assert_eq!(number::to_integer(f64::NAN), i64::MIN);
    assert_eq!(number::to_integer(-9_223_372_036_854_775_808.0), i64::MIN);
    assert_eq!(number::to_int(4_294_967_298.0), 2);
    assert_eq!(number::to_int(-1.5), -1);
}

#[test]
fn format_output_is_bounded() {
    let long = vec![b'x'; 1000];
    let nul = vec![0u8; 1000];
    let args = [Arg::Str(&long)];
    assert_eq!(
        format::format(b"%s", &args, 999),
        Err(FormatError::OutputLimit)
    );
    assert_eq!(
        format::format(b"%s", &args, 1000).map(|v| v.len()),
        Ok(1000)
    );
    // %q quadruples NULs: the limit counts the escaped bytes.
    assert_eq!(
        format::format(b"%q", &[Arg::Str(&nul)], 3999),
        Err(FormatError::OutputLimit)
    );
    assert_eq!(
        format::format(b"%q", &[Arg::Str(&nul)], 4002).map(|v| v.len()),
        Ok(4002)
    );
    assert_eq!(
        format::format(b"ab%99.99f", &[Arg::Number(1e308)], 100),
        Err(FormatError::OutputLimit)
    );
    assert_eq!(
        format::format(b"abc", &[], 2),
        Err(FormatError::OutputLimit)
    );
    assert_eq!(
        FormatError::NoValue { arg: 1 }.message("f"),
        "bad argument #1 to 'f' (no value)"
    );
}

#[test]
fn budget_stops_backtracking_patterns() {
    let subject = vec![b'a'; 100_000];
    let mut budget = 1_000_000;
    let r = pattern::find(&subject, b".-.-.-.-b", 0, false, &mut budget);
    assert_eq!(r, Err(PatternError::StepLimit));
    assert_eq!(budget, 0);

    // 2^30 paths: 5.1 runs for minutes, this stops at the budget.
    let p = [b"a?".repeat(30), b"a".repeat(30), b"b".to_vec()].concat();
    let mut budget = 100_000;
    let r = pattern::find(&[b'a'; 30], &p, 0, false, &mut budget);
    assert_eq!(r, Err(PatternError::StepLimit));

    // A search that fails at every one of many start positions is metered
    // too, plain or not.
    let mut budget = 1000;
    let r = pattern::find(&subject, b"x", 0, false, &mut budget);
    assert_eq!(r, Err(PatternError::StepLimit));
    let mut budget = 1000;
    let r = pattern::find(&subject, b"ab", 0, true, &mut budget);
    assert_eq!(r, Err(PatternError::StepLimit));

    // A long set is charged for its length at every byte it is tried on.
    let set = [b"[".to_vec(), vec![b'b'; 80_000], b"]*x".to_vec()].concat();
    let mut budget = 1_000_000;
    let r = pattern::find(&subject, &set, 0, false, &mut budget);
    assert_eq!(r, Err(PatternError::StepLimit));

    // Same for gsub and gmatch, which stop with their state intact.
    let mut budget = 10_000;
    let mut out = Vec::new();
    let r = Gsub::new(b"a-b", None).next(&subject, b"a-b", &mut out, usize::MAX, &mut budget);
    assert_eq!(r, Err(PatternError::StepLimit));
    let mut budget = 10_000;
    let r = Gmatch::new(b"a*b").next(&subject, b"a*b", &mut budget);
    assert_eq!(r, Err(PatternError::StepLimit));
}

#[test]
fn huge_patterns_run_without_recursion() {
    // One choice point per item: 200k optional items would be 200k nested
    // calls in 5.1's matcher.
    let n = 200_000;
    let subject = vec![b'a'; n];
    let p = b"a?".repeat(n);
    let mut budget = u64::MAX;
    let m = pattern::find(&subject, &p, 0, false, &mut budget)
        .unwrap()
        .unwrap();
    assert_eq!((m.start, m.end), (0, n));

    let p = b"a-".repeat(n / 2);
    let mut budget = u64::MAX;
    let p = [p, b"$".to_vec()].concat();
    let m = pattern::find(&subject, &p, 0, false, &mut budget)
        .unwrap()
        .unwrap();
    assert_eq!((m.start, m.end), (0, n));

    let deep = [b"(".repeat(40), b"a".to_vec()].concat();
    let mut budget = u64::MAX;
    let r = pattern::find(&subject, &deep, 0, false, &mut budget);
    assert_eq!(r, Err(PatternError::TooManyCaptures));
}

/// xorshift64: deterministic randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PATTERN_PIECES: &[&[u8]] = &[
    b"a", b"b", b"x", b".", b"%", b"(", b")", b"()", b"[", b"]", b"[^", b"^", b"$", b"*", b"+",
    b"-", b"?", b"%a", b"%d", b"%s", b"%W", b"%z", b"%b()", b"%bab", b"%b", b"%f[a]", b"%f[%s]",
    b"%f", b"%1", b"%2", b"%0", b"\0", b"[a-c]", b"[%a_]", b"[]", b"%%", b"a-", b".-", b"(.)",
    b"(a*)",
];
const SUBJECT_BYTES: &[u8] = b"aab()[]x \0b1_-%";

fn random_pattern(rng: &mut Rng) -> Vec<u8> {
    (0..rng.below(12))
        .flat_map(|_| rng.pick(PATTERN_PIECES).to_vec())
        .collect()
}

fn random_subject(rng: &mut Rng) -> Vec<u8> {
    (0..rng.below(40))
        .map(|_| *rng.pick(SUBJECT_BYTES))
        .collect()
}

/// Runs a gsub to the end, with `$0` for each match, in budget slices of
/// `slice` steps (resuming after each step limit), and returns the result
/// with the total steps spent.
fn gsub_sliced(s: &[u8], p: &[u8], slice: u64) -> (Result<(Vec<u8>, usize), PatternError>, u64) {
    let mut gsub = Gsub::new(p, None);
    let mut out = Vec::new();
    let mut spent = 0;
    loop {
        let mut budget = slice;
        let r = gsub.next(s, p, &mut out, 10_000, &mut budget);
        spent += slice - budget;
        match r {
            Err(PatternError::StepLimit) => continue,
            Err(e) => return (Err(e), spent),
            Ok(None) => return (Ok((out, gsub.count())), spent),
            Ok(Some(m)) => {
                if let Err(e) = pattern::expand(b"<%0>", s, &m, &mut out, 10_000) {
                    return (Err(e), spent);
                }
            }
        }
    }
}

/// A find or match in budget slices; see [`gsub_sliced`].
fn search_sliced(
    s: &[u8],
    p: &[u8],
    find: bool,
    slice: u64,
) -> Result<Option<(usize, usize, Vec<Capture>)>, PatternError> {
    let mut search = if find {
        Search::find(p, 0, false)
    } else {
        Search::matching(p, 0)
    };
    loop {
        let mut budget = slice;
        match search.resume(s, p, &mut budget) {
            Err(PatternError::StepLimit) => continue,
            Err(e) => return Err(e),
            Ok(None) => return Ok(None),
            Ok(Some(m)) => {
                let caps = (0..m.level())
                    .map(|i| m.capture(i))
                    .collect::<Result<_, _>>()?;
                return Ok(Some((m.start, m.end, caps)));
            }
        }
    }
}

#[test]
fn random_patterns_terminate_and_resume_identically() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut completed = 0;
    for _ in 0..4000 {
        let p = random_pattern(&mut rng);
        let s = random_subject(&mut rng);
        // Small budgets: every call returns, finished or not.
        let mut budget = 500;
        let start = rng.below(s.len() + 2);
        let _ = pattern::find(&s, &p, start, rng.below(4) == 0, &mut budget);
        let mut it = Gmatch::new(&p);
        let mut budget = 2000;
        for _ in 0..50 {
            match it.next(&s, &p, &mut budget) {
                Ok(Some(m)) => assert!(m.start <= m.end && m.end <= s.len()),
                _ => break,
            }
        }

        // With enough budget, pausing every few steps changes nothing.
        let whole = search_sliced(&s, &p, true, u64::MAX);
        for slice in [1, 3, 17] {
            assert_eq!(search_sliced(&s, &p, true, slice), whole, "{p:?} on {s:?}");
        }
        let whole = search_sliced(&s, &p, false, u64::MAX);
        assert_eq!(search_sliced(&s, &p, false, 2), whole, "{p:?} on {s:?}");
        let (whole, steps) = gsub_sliced(&s, &p, u64::MAX);
        let (sliced, sliced_steps) = gsub_sliced(&s, &p, 5);
        assert_eq!(sliced, whole, "{p:?} on {s:?}");
        // A pause costs no extra steps (fewer when a scan of several bytes
        // meets the end of a slice: such a step takes what is left).
        assert!(sliced_steps <= steps);
        completed += usize::from(whole.is_ok());
    }
    // The generator must produce mostly valid patterns to mean anything.
    assert!(completed > 2000, "only {completed} random gsubs succeeded");
}

#[test]
fn random_formats_never_exceed_the_limit() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let pieces: &[&[u8]] = &[
        b"%", b"%%", b"-", b"+", b" ", b"#", b"0", b"1", b"9", b"99", b".", b"d", b"i", b"u", b"o",
        b"x", b"X", b"c", b"e", b"E", b"f", b"g", b"G", b"q", b"s", b"y", b"ab", b"\0",
    ];
    let strings: &[&[u8]] = &[
        b"",
        b"abc",
        b"12",
        b"0x1F",
        b"a\0b",
        b"\"\\\n\r",
        &[b'z'; 150],
    ];
    let numbers = [
        0.0,
        -0.0,
        1.5,
        -1e300,
        1e308,
        5e-324,
        f64::INFINITY,
        f64::NAN,
        -f64::NAN,
        2e19,
        -7.0,
    ];
    let mut ok = 0;
    for _ in 0..20_000 {
        let fmt: Vec<u8> = (0..rng.below(10))
            .flat_map(|_| rng.pick(pieces).to_vec())
            .collect();
        let args: Vec<Arg<'_>> = (0..rng.below(4))
            .map(|_| match rng.below(3) {
                0 => Arg::Number(*rng.pick(&numbers)),
                1 => Arg::Str(strings[rng.below(strings.len())]),
                _ => Arg::Other("table"),
            })
            .collect();
        let limit = rng.below(300);
        match format::format(&fmt, &args, limit) {
            Ok(out) => {
                assert!(out.len() <= limit);
                ok += 1;
            }
            Err(e) => assert!(!e.message("format").is_empty()),
        }
    }
    assert!(ok > 2000, "only {ok} random formats succeeded");
}

#[test]
fn random_numbers_round_trip() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for _ in 0..20_000 {
        let x = f64::from_bits(rng.next());
        let text = number::number_to_string(x);
        // %.14g keeps 14 significant digits: reading it back is close.
        let back = number::str_to_number(text.as_bytes()).unwrap();
        if x.is_finite() && x.abs() > 1e-300 {
            assert!(
                ((back - x) / x).abs() < 1e-13,
                "{x:e} -> {text} -> {back:e}"
            );
        }
        // %.17g and %a-style hex round-trip exactly.
        let exact = format::format(b"%.17g", &[Arg::Number(x)], 100).unwrap();
        let back = number::str_to_number(&exact).unwrap();
        assert!(
            back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()),
            "{x:e}"
        );
        if x.is_finite() && x != 0.0 {
            let bits = x.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as i64;
            let frac = bits & ((1 << 52) - 1);
            let (lead, e) = if exp == 0 {
                (0, -1022)
            } else {
                (1, exp - 1023)
            };
            let sign = if x < 0.0 { "-" } else { "" };
            let hex = format!("{sign}0x{lead}.{frac:013x}p{e}");
            assert_eq!(number::str_to_number(hex.as_bytes()), Some(x), "{hex}");
        }
    }
    // Random bytes: conversions never panic and accept only what C would.
    for _ in 0..20_000 {
        let s: Vec<u8> = (0..rng.below(12))
            .map(|_| *rng.pick(b" \t0123456789abcdefxXpPeE.+-infINFnaNN()\0\x0b"))
            .collect();
        let _ = number::str_to_number(&s);
        let _ = number::str_to_number_base(&s, 2 + rng.below(35) as u32);
    }
}
