//! The compiler and VM against Lua 5.1.5: every snippet in
//! `cases/vm/*.lua` runs here and its printed lines, returned values or
//! error message must equal what `record_vm.sh` recorded from lua5.1 in
//! the matching `.expected` file. Each snippet runs in slices of a few
//! hundred instructions, so pausing and resuming is exercised everywhere.
//!
//! Then the budget, kill flag, depth limits and memory cap, and a seeded
//! smoke test that runs mutated snippets with tiny budgets.

use std::cell::RefCell;
use std::fs;
use std::path::Path;

use redsim_lua::value::Value;
use redsim_lua::vm::{Ctx, HostReply, NoHost, Outcome, Ret, ScriptHost, Throw, Vm};

thread_local! {
    /// Lines printed by the snippet running on this thread.
    static OUT: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn lossy(ctx: &mut Ctx, v: Value) -> Result<String, Throw> {
    let s = ctx.tostring(v)?;
    Ok(String::from_utf8_lossy(ctx.heap().str(s)?).into_owned())
}

/// The test-only `print`: tab-separated `tostring`s, one line.
fn print(ctx: &mut Ctx, args: &[Value]) -> Result<Ret, Throw> {
    let mut parts = Vec::new();
    for &a in args {
        parts.push(lossy(ctx, a)?);
    }
    let text = parts.join("\t");
    OUT.with(|o| o.borrow_mut().extend(text.split('\n').map(str::to_string)));
    Ok(Ret::Values(Vec::new()))
}

fn new_vm(limit: usize) -> Vm {
    try_vm(limit).expect("vm")
}

/// A VM with the test `print`, if it fits in `limit`.
fn try_vm(limit: usize) -> Option<Vm> {
    let mut vm = Vm::new(limit).ok()?;
    let p = vm.register(print).ok()?;
    let g = vm.globals;
    vm.set_field(g, b"print", p).ok()?;
    Some(vm)
}

/// What `tostring` shows for a value outside a native, for results.
fn show(vm: &mut Vm, v: Value) -> String {
    // Reuse the VM's own tostring by running a tiny native through it.
    match v {
        Value::Str(s) => String::from_utf8_lossy(vm.heap.str(s).unwrap()).into_owned(),
        Value::Num(x) => redsim_lua::number::number_to_string(x),
        Value::Nil => "nil".into(),
        Value::Bool(b) => b.to_string(),
        other => other.type_name().into(),
    }
}

/// Runs a snippet as lua5.1's recorder does; returns its transcript.
fn run_case(src: &str, slice: u64) -> Vec<String> {
    OUT.with(|o| o.borrow_mut().clear());
    let mut vm = new_vm(64 << 20);
    let mut lines = Vec::new();
    let f = match vm.load(src.as_bytes(), b"@user_script") {
        Ok(f) => f,
        Err(msg) => {
            lines.push(format!("error: {}", String::from_utf8_lossy(&msg)));
            return lines;
        }
    };
    vm.start(f, &[]).unwrap();
    let mut host = NoHost;
    let mut slices = 0u64;
    let end = loop {
        match vm.run(&mut host, slice) {
            Outcome::Paused => {
                slices += 1;
                assert!(slices < 2_000_000, "runaway snippet");
            }
            Outcome::Done(vals) => {
                let parts: Vec<String> = vals.iter().map(|&v| show(&mut vm, v)).collect();
                break format!("return {}", parts.join("\t"));
            }
            Outcome::Error(e) => {
                break match e {
                    Value::Str(_) => format!("error: {}", show(&mut vm, e)),
                    other => format!("error: ({})", other.type_name()),
                }
            }
            Outcome::Killed => break "killed".to_string(),
        }
    };
    OUT.with(|o| lines.extend(o.borrow_mut().drain(..)));
    lines.push(end);
    lines
}

/// `(title, source)` per snippet of a case file.
fn cases(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("-- case: ") {
            out.push((t.to_string(), String::new()));
        } else if let Some((_, src)) = out.last_mut() {
            if !src.is_empty() {
                src.push('\n');
            }
            src.push_str(line);
        }
    }
    out
}

/// `title -> lines` from an expected file.
fn expected(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("== ") {
            out.push((t.to_string(), Vec::new()));
        } else if let Some((_, l)) = out.last_mut() {
            l.push(line.to_string());
        }
    }
    out
}

fn case_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/vm");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "lua"))
        .collect();
    files.sort();
    files
}

#[test]
fn matches_lua51() {
    let mut failures = Vec::new();
    let mut total = 0;
    for path in case_files() {
        let text = fs::read_to_string(&path).unwrap();
        let want = fs::read_to_string(path.with_extension("expected")).unwrap();
        let want = expected(&want);
        let got_cases = cases(&text);
        assert_eq!(got_cases.len(), want.len(), "{}: re-record", path.display());
        for ((title, src), (wtitle, wlines)) in got_cases.iter().zip(&want) {
            assert_eq!(title, wtitle, "{}: re-record", path.display());
            total += 1;
            // In slices of 97 instructions (pausing nearly everywhere),
            // then in one go: both must give lua5.1's answer.
            let mut got = run_case(src, 97);
            if &got == wlines {
                got = run_case(src, 1 << 40);
            }
            if &got != wlines {
                failures.push(format!(
                    "{} / {title}\n  want: {wlines:?}\n  got:  {got:?}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn start(vm: &mut Vm, src: &str) {
    let f = vm.load(src.as_bytes(), b"@user_script").unwrap();
    vm.start(f, &[]).unwrap();
}

#[test]
fn infinite_loop_pauses_and_resumes() {
    let mut vm = new_vm(1 << 24);
    start(
        &mut vm,
        "local n = 0 while n < 1000000 do n = n + 1 end return n",
    );
    let mut host = NoHost;
    let mut pauses = 0;
    let result = loop {
        match vm.run(&mut host, 10_000) {
            Outcome::Paused => pauses += 1,
            other => break other,
        }
    };
    assert!(pauses > 100, "{pauses}");
    assert_eq!(result, Outcome::Done(vec![Value::Num(1_000_000.0)]));
}

#[test]
fn kill_is_not_catchable() {
    let mut vm = new_vm(1 << 24);
    start(
        &mut vm,
        "while true do pcall(function() while true do end end) end",
    );
    let mut host = NoHost;
    assert_eq!(vm.run(&mut host, 5_000), Outcome::Paused);
    vm.kill_handle().set(true);
    assert_eq!(vm.run(&mut host, 5_000), Outcome::Killed);
    assert!(!vm.is_running());
}

#[test]
fn deep_tail_calls_do_not_grow() {
    let src = "local function f(n) if n == 0 then return 'done' end return f(n - 1) end return f(1000000)";
    assert_eq!(run_transcript(src), vec!["return done".to_string()]);
}

fn run_transcript(src: &str) -> Vec<String> {
    run_case(src, 1 << 20)
}

#[test]
fn deep_recursion_overflows_cleanly() {
    let src = "local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end
        local ok, err = pcall(f, 200000) return ok, err";
    assert_eq!(
        run_transcript(src),
        vec!["return false\tuser_script:1: stack overflow".to_string()]
    );
}

#[test]
fn memory_cap_is_catchable() {
    let src = "local s = 'x' local ok, err = pcall(function() while true do s = s .. s end end)
        return ok, err, #s > 1000";
    let mut vm = new_vm(8 << 20);
    start(&mut vm, src);
    let mut host = NoHost;
    let out = loop {
        match vm.run(&mut host, 1 << 20) {
            Outcome::Paused => {}
            other => break other,
        }
    };
    let Outcome::Done(v) = out else {
        panic!("{out:?}")
    };
    assert_eq!(v.first(), Some(&Value::Bool(false)));
    assert_eq!(show(&mut vm, v[1]), "not enough memory");
}

/// A small deterministic generator (xorshift) for the smoke test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_snippets_never_panic() {
    let mut pool = Vec::new();
    for path in case_files() {
        pool.extend(
            cases(&fs::read_to_string(path).unwrap())
                .into_iter()
                .map(|c| c.1),
        );
    }
    let tokens = [
        " ", "(", ")", "end", "nil", "..", "+", "[", "]", "{", "}", ",", "=", "local ", "return ",
        "function", "x", "#", ":", ".", "1e308", "-", "'a'", "...", "and", "or", "not ",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..4000 {
        let mut src = pool[rng.below(pool.len())].clone().into_bytes();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(src.len() + 1);
            match rng.below(3) {
                0 if !src.is_empty() => {
                    let end = (at + 1 + rng.below(8)).min(src.len());
                    src.drain(at.min(src.len())..end);
                }
                _ => {
                    let t = tokens[rng.below(tokens.len())];
                    src.splice(at..at, t.bytes());
                }
            }
        }
        OUT.with(|o| o.borrow_mut().clear());
        // Caps from 128 KB (the libraries barely fit) to 2 MB.
        let Some(mut vm) = try_vm(128 << (10 + rng.below(5))) else {
            continue;
        };
        vm.set_nested_allowance(rng.below(5000) as u64);
        let kill_at = rng.below(80);
        if let Ok(f) = vm.load(&src, b"@user_script") {
            if vm.start(f, &[]).is_err() {
                continue;
            }
            let mut host = NoHost;
            for slice in 0..50 {
                if slice == kill_at {
                    vm.kill_handle().set(true);
                }
                if vm.run(&mut host, 1 + rng.below(300) as u64) != Outcome::Paused {
                    break;
                }
            }
        }
    }
}

#[test]
fn garbage_is_collected_under_a_small_cap() {
    let src = "local keep, f = {}, nil
        for i = 1, 200000 do
          local t = {i, tostring(i) .. 'x', function() return i end}
          local up = i
          f = function() return up end
          if i % 1000 == 0 then keep[#keep + 1] = t end
        end
        local s = 0
        for _, t in ipairs(keep) do s = s + t[3]() end
        return s, f()";
    let mut vm = new_vm(3 << 20);
    start(&mut vm, src);
    let mut host = NoHost;
    let out = loop {
        match vm.run(&mut host, 50_000) {
            Outcome::Paused => {}
            other => break other,
        }
    };
    assert_eq!(
        out,
        Outcome::Done(vec![Value::Num(20_100_000.0), Value::Num(200_000.0)])
    );
}

#[test]
fn nested_callbacks_are_metered() {
    // A comparator that never ends cannot pause: it is stopped as a kill
    // once it has overdrawn the slice.
    let mut vm = new_vm(1 << 24);
    vm.set_nested_allowance(100_000);
    start(
        &mut vm,
        "table.sort({3, 2, 1}, function(a, b) while true do end end)",
    );
    let mut host = NoHost;
    assert_eq!(vm.run(&mut host, 10_000), Outcome::Killed);
}

/// A host that records commands and answers with their first argument.
struct EchoHost(Vec<Vec<Vec<u8>>>);

impl ScriptHost for EchoHost {
    fn call(&mut self, argv: &[Vec<u8>], _resp3: bool) -> HostReply {
        self.0.push(argv.to_vec());
        match argv.first() {
            Some(a) => HostReply::Bulk(a.clone()),
            None => HostReply::Error(b"ERR wrong number of arguments".to_vec()),
        }
    }
    fn log(&mut self, _level: i32, _message: &[u8]) {}
}

/// A minimal `redis.call`: strings in, the host's bulk reply out.
fn rcall(ctx: &mut Ctx, args: &[Value]) -> Result<Ret, Throw> {
    let mut argv = Vec::new();
    for i in 1..=args.len() {
        let s = ctx.check_str(args, i)?;
        argv.push(ctx.heap().str(s)?.to_vec());
    }
    match ctx.host.call(&argv, false) {
        HostReply::Bulk(b) => Ok(Ret::Values(vec![ctx.string(b)?])),
        HostReply::Error(e) => Err(ctx.error(e)),
        _ => Ok(Ret::Values(vec![Value::Nil])),
    }
}

#[test]
fn natives_reach_the_host_and_values_survive_pinned() {
    let mut vm = new_vm(1 << 24);
    let f = vm.register(rcall).unwrap();
    let g = vm.globals;
    vm.set_field(g, b"rcall", f).unwrap();
    let script = vm
        .load(
            b"return rcall('SET', 'k', 1) .. '!', pcall(rcall)",
            b"@user_script",
        )
        .unwrap();
    vm.pin(script).unwrap();
    let mut host = EchoHost(Vec::new());
    for _ in 0..2 {
        vm.start(script, &[]).unwrap();
        let Outcome::Done(v) = vm.run(&mut host, 1_000) else {
            panic!("not done")
        };
        let shown: Vec<String> = v.iter().map(|&x| show(&mut vm, x)).collect();
        assert_eq!(shown, ["SET!", "false", "ERR wrong number of arguments"]);
        // Garbage between runs must not take the pinned script with it.
        let churn = vm
            .load(
                b"for i = 1, 20000 do local t = {tostring(i)} end",
                b"=churn",
            )
            .unwrap();
        vm.start(churn, &[]).unwrap();
        while vm.run(&mut host, 1 << 20) == Outcome::Paused {}
    }
    assert_eq!(host.0.len(), 4);
    assert_eq!(
        host.0[0],
        vec![b"SET".to_vec(), b"k".to_vec(), b"1".to_vec()]
    );
}

#[test]
fn abandoned_coroutines_are_collected() {
    // Suspended coroutines that become garbage give back their stacks.
    let src = "local n = 0
        for i = 1, 20000 do
          local co = coroutine.wrap(function(a)
            local t = {a, tostring(a)}
            local b = coroutine.yield(#t)
            n = n + b
          end)
          co(i)
          if i % 2 == 0 then co(1) end
        end
        return n";
    let mut vm = new_vm(3 << 20);
    start(&mut vm, src);
    let mut host = NoHost;
    let out = loop {
        match vm.run(&mut host, 50_000) {
            Outcome::Paused => {}
            other => break other,
        }
    };
    assert_eq!(out, Outcome::Done(vec![Value::Num(10_000.0)]));
}
