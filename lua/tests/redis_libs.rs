//! The libraries Redis 7.0 bundles (`bit`, `cjson`, `cmsgpack`, `struct`)
//! against Redis itself: every snippet in `cases/redis_libs/*.cases` runs
//! here inside the recorder's prelude and must give the line that
//! `record_redis_libs.sh` recorded from redis-server in `.expected`.
//! Then seeded random round trips with small budgets and memory caps,
//! which must never panic, and the nesting limits on a 1 MB stack.

mod support;

use std::fs;

use redsim_lua::value::Value;
use redsim_lua::vm::{NoHost, Outcome, Vm};

/// Runs `src` to the end in slices of `slice` instructions; the first
/// result as text, or a description of how it failed.
fn run(vm: &mut Vm, src: &str, slice: u64) -> String {
    let f = match vm.load(src.as_bytes(), b"@user_script") {
        Ok(f) => f,
        Err(msg) => return format!("compile error: {}", String::from_utf8_lossy(&msg)),
    };
    vm.start(f, &[]).expect("start");
    let mut host = NoHost;
    let mut slices = 0u64;
    loop {
        match vm.run(&mut host, slice) {
            Outcome::Paused => {
                slices += 1;
                if slices > 10_000_000 {
                    return "runaway".into();
                }
            }
            Outcome::Done(vals) => {
                return match vals.first() {
                    Some(&Value::Str(s)) => {
                        String::from_utf8_lossy(vm.heap.str(s).expect("str")).into_owned()
                    }
                    other => format!("non-string result {other:?}"),
                };
            }
            Outcome::Error(_) => return "uncaught error".into(),
            Outcome::Killed => return "killed".into(),
        }
    }
}

#[test]
fn recorded_cases() {
    let dir = support::cases_dir("redis_libs");
    let prelude = fs::read_to_string(dir.join("prelude.lua")).expect("prelude");
    support::check_recorded(&dir, |snippet| {
        let mut vm = Vm::new(64 << 20).expect("vm");
        run(&mut vm, &format!("{prelude}{snippet}\nend))"), 1000)
    });
}

/// A small deterministic generator (xorshift64*), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Lua source for a random value: numbers of every kind, strings with
/// any bytes, booleans and nested tables (arrays, holes, mixed keys).
fn gen_value(rng: &mut Rng, depth: u32) -> String {
    match rng.below(if depth == 0 { 4 } else { 6 }) {
        0 => gen_number(rng),
        1 => gen_string(rng),
        2 => rng.pick(&["true", "false"]).to_string(),
        3 => gen_number(rng),
        _ => {
            let mut parts = Vec::new();
            for _ in 0..rng.below(6) {
                parts.push(gen_value(rng, depth - 1));
            }
            for _ in 0..rng.below(4) {
                let key = match rng.below(3) {
                    0 => gen_string(rng),
                    1 => format!("{}", rng.below(20) + 1),
                    _ => gen_number(rng),
                };
                parts.push(format!("[{key}] = {}", gen_value(rng, depth - 1)));
            }
            format!("{{{}}}", parts.join(", "))
        }
    }
}

fn gen_number(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => format!("{}", rng.below(300) as i64 - 150),
        1 => format!("{}", rng.next() as i64),
        2 => format!("{}", rng.next() as u32),
        3 => format!("{:e}", f64::from_bits(rng.next() & 0x7fef_ffff_ffff_ffff)),
        4 => format!("{}.5", rng.below(1 << 20)),
        _ => format!("-{}.25", rng.below(1 << 30)),
    }
}

fn gen_string(rng: &mut Rng) -> String {
    let len = rng.below(12);
    let mut s = String::from("\"");
    for _ in 0..len {
        s.push_str(&format!("\\{}", rng.below(256)));
    }
    s.push('"');
    s
}

/// Deep equality and helpers the round-trip scripts use.
const HELPERS: &str = r#"
local function eq(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b or (a ~= a and b ~= b) end
  for k, v in pairs(a) do if not eq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
"#;

/// Runs `src` to the end; `None` when it did not finish with a result.
fn outcome(vm: &mut Vm, src: &str, slice: u64) -> Option<String> {
    let out = run(vm, src, slice);
    (!matches!(out.as_str(), "killed" | "runaway" | "uncaught error")).then_some(out)
}

#[test]
fn random_round_trips() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for i in 0..300 {
        let v = gen_value(&mut rng, 4);
        // cmsgpack keeps every value exactly (nesting stays below 16);
        // the decoded tables may list their keys in another order.
        let msgpack = format!(
            "{HELPERS} local v = {v} local p = cmsgpack.pack(v) \
             local w = cmsgpack.unpack(p) \
             return tostring(eq(v, w))"
        );
        // cjson turns keys into strings and rounds numbers to 14 digits,
        // so compare one decoded form with its own round trip.
        let json = format!(
            "{HELPERS} local v = {v} local ok, s = pcall(cjson.encode, v) \
             if not ok then return 'error' end \
             local w = cjson.decode(s) \
             return tostring(eq(w, cjson.decode(cjson.encode(w))))"
        );
        let mut vm = Vm::new(64 << 20).expect("vm");
        assert_eq!(run(&mut vm, &msgpack, 10_000), "true", "case {i}: {v}");
        let got = run(&mut vm, &json, 10_000);
        assert!(got == "true" || got == "error", "case {i}: {v}: {got}");
        // The same work with tight caps and budgets must fail cleanly.
        for limit in [48 << 10, 96 << 10, 256 << 10] {
            let Ok(mut vm) = Vm::new(limit) else { continue };
            vm.set_nested_allowance(rng.below(2000));
            let _ = outcome(&mut vm, &msgpack, 1 + rng.below(50));
            let _ = outcome(&mut vm, &json, 1 + rng.below(50));
        }
    }
}

#[test]
fn random_inputs_never_panic() {
    let mut rng = Rng(0x0dd_ba11_0000_0042);
    let opts = [
        "b", "B", "h", "H", "l", "L", "T", "i", "I", "i3", "I7", "i16", "f", "d", "x", "c", "c2",
        "c0", "s", "!", "!2", "!4", "!8", "<", ">", " ", "i33", "q", "!3", "c99",
    ];
    let args = [
        "1", "-1", "2^40", "0/0", "1e300", "'abc'", "''", "'\\0x'", "nil", "3.5",
    ];
    for _ in 0..400 {
        let fmt: String = (0..rng.below(6)).map(|_| rng.pick(&opts)).collect();
        let vals: Vec<&str> = (0..rng.below(6)).map(|_| rng.pick(&args)).collect();
        let bytes: String = (0..rng.below(24))
            .map(|_| format!("\\{}", rng.below(256)))
            .collect();
        let src = format!(
            "local fmt, data = '{fmt}', \"{bytes}\" \
             local ok, p = pcall(struct.pack, fmt, {vals}) \
             if ok then assert(struct.unpack(fmt, p) ~= nil or true) end \
             pcall(struct.unpack, fmt, data, {off}) pcall(struct.size, fmt) \
             pcall(cmsgpack.unpack, data) pcall(cmsgpack.unpack_limit, data, {lim}, {off}) \
             pcall(cjson.decode, data) pcall(cjson.decode, '[' .. data .. ']') \
             return 'done'",
            vals = if vals.is_empty() {
                "nil".to_string()
            } else {
                vals.join(", ")
            },
            off = rng.below(5) as i64 - 1,
            lim = rng.below(4),
        );
        let mut vm = Vm::new(64 << 20).expect("vm");
        let got = run(&mut vm, &src, 1 + rng.below(500));
        assert!(got == "done" || got.starts_with("uncaught"), "{src}: {got}");
    }
}

/// Nesting at and past the limits, on a thread with a wasm-sized stack:
/// both codecs keep their depth on the heap.
#[test]
fn deep_nesting_on_a_small_stack() {
    let t = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let mut vm = Vm::new(256 << 20).expect("vm");
            let cases = [
                (
                    "local t = {} for i = 1, 999 do t = {t} end \
                     return tostring(#cjson.encode(t))",
                    "2000",
                ),
                (
                    "local t = {} for i = 1, 1000 do t = {t} end \
                     return select(2, pcall(cjson.encode, t))",
                    "Cannot serialise, excessive nesting (1001)",
                ),
                (
                    "return tostring(#cjson.encode(cjson.decode(string.rep('[', 1000) .. \
                     string.rep(']', 1000))))",
                    "2000",
                ),
                (
                    "return select(2, pcall(cjson.decode, string.rep('{\"a\":', 1001)))",
                    "Found too many nested data structures (1001) at character 5001",
                ),
                (
                    "cjson.encode_max_depth(100000) cjson.decode_max_depth(100000) \
                     local s = string.rep('[', 50000) .. '1' .. string.rep(']', 50000) \
                     return tostring(cjson.encode(cjson.decode(s)) == s)",
                    "true",
                ),
                (
                    "return type(cmsgpack.unpack(string.rep('\\145', 3999) .. '\\1'))",
                    "table",
                ),
                (
                    "local t = {} for i = 1, 100 do t = {t, t} end \
                     return tostring(#cmsgpack.pack(t))",
                    "131071",
                ),
            ];
            for (src, want) in cases {
                assert_eq!(run(&mut vm, src, 100_000), want, "{src}");
            }
        })
        .expect("thread");
    t.join().expect("no stack overflow");
}

/// Output that would pass the heap's cap fails with "not enough memory"
/// before it is built, and a budget stops work that cannot pause.
#[test]
fn caps_and_budgets() {
    let mut vm = Vm::new(4 << 20).expect("vm");
    let src = "local t = {} for i = 1, 40 do t = {t, t, t} end \
               return select(2, pcall(cjson.encode, t))";
    assert_eq!(run(&mut vm, src, 100_000), "not enough memory");
    let mut vm = Vm::new(4 << 20).expect("vm");
    let src = "local t = {} for i = 1, 15 do t = {t, t, t} end \
               return select(2, pcall(cmsgpack.pack, t))";
    assert_eq!(run(&mut vm, src, 100_000), "not enough memory");
    let mut vm = Vm::new(64 << 20).expect("vm");
    vm.set_nested_allowance(1000);
    let src = "local t = {} for i = 1, 15 do t = {t, t, t} end \
               return cmsgpack.pack(t)";
    assert_eq!(run(&mut vm, src, 1000), "killed");
}

/// Redis 7.0 does not reseed before each script: a fresh server's first
/// `math.random()` is `lrand48`'s first draw, and later scripts carry on
/// the sequence (values recorded from redis-server 7.0.15).
#[test]
fn random_state_persists_across_scripts() {
    let mut vm = Vm::new(1 << 20).expect("vm");
    let src = "return string.format('%.14g', math.random())";
    assert_eq!(run(&mut vm, src, 1000), "0.39646477363839");
    let src = "math.randomseed(0) return string.format('%.14g', math.random())";
    assert_eq!(run(&mut vm, src, 1000), "0.17082803611217");
    let src = "return string.format('%.14g', math.random())";
    assert_eq!(run(&mut vm, src, 1000), "0.74990198051087");
}
