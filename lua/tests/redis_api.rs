//! The `redis` table and the Lua ↔ reply conversions against Redis 7.0:
//! every script in `cases/redis_api/*.cases` runs here through the VM and
//! a small in-memory host that answers its commands as Redis does, and
//! must give the reply bytes `record_redis_api.py` recorded from
//! redis-server (for a RESP2 or RESP3 client) in `.expected`.

mod support;

use std::collections::HashMap;

use redsim_lua::lib_redis::{double_text, error_message, fold_resp2, reset, resp3, script_reply};
use redsim_lua::value::Value;
use redsim_lua::vm::{HostReply, Outcome, ScriptHost, Vm};

/// What the test host stores under a key.
enum Entry {
    Str(Vec<u8>),
    List(Vec<Vec<u8>>),
    Hash(Vec<(Vec<u8>, Vec<u8>)>),
    Set(Vec<Vec<u8>>),
    Zset(Vec<(Vec<u8>, f64)>),
}

/// The commands the recorded scripts use, answered in RESP3 shapes on
/// an empty database, with Redis's errors for scripts.
#[derive(Default)]
struct TestHost {
    db: HashMap<Vec<u8>, Entry>,
    logs: Vec<(i32, Vec<u8>)>,
}

fn err(s: &str) -> HostReply {
    HostReply::Error(s.as_bytes().to_vec())
}

fn wrongtype() -> HostReply {
    err("WRONGTYPE Operation against a key holding the wrong kind of value")
}

fn bulk(b: &[u8]) -> HostReply {
    HostReply::Bulk(b.to_vec())
}

fn parse_int(b: &[u8]) -> Option<i64> {
    std::str::from_utf8(b).ok()?.parse().ok()
}

impl TestHost {
    fn run(&mut self, name: &str, args: &[Vec<u8>]) -> HostReply {
        let key = args.first().cloned().unwrap_or_default();
        match (name, args.len()) {
            ("ping", 0) => HostReply::Status(b"PONG".to_vec()),
            ("ping", 1) | ("echo", 1) => bulk(&args[0]),
            ("set", 2) | ("set", 3) => {
                if args.len() == 3 && self.db.contains_key(&key) {
                    return HostReply::Nil;
                }
                self.db.insert(key, Entry::Str(args[1].clone()));
                HostReply::Status(b"OK".to_vec())
            }
            ("get", 1) => match self.db.get(&key) {
                None => HostReply::Nil,
                Some(Entry::Str(v)) => bulk(v),
                Some(_) => wrongtype(),
            },
            ("incr", 1) => {
                let n = match self.db.get(&key) {
                    None => 0,
                    Some(Entry::Str(v)) => match parse_int(v) {
                        Some(n) => n,
                        None => return err("ERR value is not an integer or out of range"),
                    },
                    Some(_) => return wrongtype(),
                };
                self.db
                    .insert(key, Entry::Str((n + 1).to_string().into_bytes()));
                HostReply::Int(n + 1)
            }
            ("del", _) | ("exists", _) if !args.is_empty() => {
                let del = name == "del";
                let n = args
                    .iter()
                    .filter(|k| {
                        if del {
                            self.db.remove(*k).is_some()
                        } else {
                            self.db.contains_key(*k)
                        }
                    })
                    .count();
                HostReply::Int(n as i64)
            }
            ("rpush", n) if n >= 2 => {
                let e = self.db.entry(key).or_insert(Entry::List(Vec::new()));
                let Entry::List(l) = e else {
                    return wrongtype();
                };
                l.extend(args[1..].iter().cloned());
                HostReply::Int(l.len() as i64)
            }
            ("lrange", 3) => match self.db.get(&key) {
                None => HostReply::Array(Vec::new()),
                // The scripts only ask for 0 -1.
                Some(Entry::List(l)) => HostReply::Array(l.iter().map(|v| bulk(v)).collect()),
                Some(_) => wrongtype(),
            },
            ("hset", n) if n >= 3 && n % 2 == 1 => {
                let e = self.db.entry(key).or_insert(Entry::Hash(Vec::new()));
                let Entry::Hash(h) = e else {
                    return wrongtype();
                };
                let mut added = 0;
                for pair in args[1..].chunks_exact(2) {
                    match h.iter_mut().find(|(f, _)| *f == pair[0]) {
                        Some(slot) => slot.1 = pair[1].clone(),
                        None => {
                            h.push((pair[0].clone(), pair[1].clone()));
                            added += 1;
                        }
                    }
                }
                HostReply::Int(added)
            }
            ("hgetall", 1) => match self.db.get(&key) {
                None => HostReply::Map(Vec::new()),
                Some(Entry::Hash(h)) => {
                    HostReply::Map(h.iter().map(|(f, v)| (bulk(f), bulk(v))).collect())
                }
                Some(_) => wrongtype(),
            },
            ("sadd", n) if n >= 2 => {
                let e = self.db.entry(key).or_insert(Entry::Set(Vec::new()));
                let Entry::Set(s) = e else {
                    return wrongtype();
                };
                let before = s.len();
                for m in &args[1..] {
                    if !s.contains(m) {
                        s.push(m.clone());
                    }
                }
                HostReply::Int((s.len() - before) as i64)
            }
            ("smembers", 1) => match self.db.get(&key) {
                None => HostReply::Set(Vec::new()),
                Some(Entry::Set(s)) => HostReply::Set(s.iter().map(|m| bulk(m)).collect()),
                Some(_) => wrongtype(),
            },
            ("zadd", 3) => {
                let score = std::str::from_utf8(&args[1])
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok());
                let Some(score) = score else {
                    return err("ERR value is not a valid float");
                };
                let e = self.db.entry(key).or_insert(Entry::Zset(Vec::new()));
                let Entry::Zset(z) = e else {
                    return wrongtype();
                };
                z.push((args[2].clone(), score));
                HostReply::Int(1)
            }
            ("zscore", 2) => match self.db.get(&key) {
                None => HostReply::Nil,
                Some(Entry::Zset(z)) => z
                    .iter()
                    .find(|(m, _)| *m == args[1])
                    .map_or(HostReply::Nil, |(_, s)| HostReply::Double(*s)),
                Some(_) => wrongtype(),
            },
            ("ping" | "echo" | "set" | "get" | "incr" | "del" | "exists" | "rpush", _)
            | ("lrange" | "hset" | "hgetall" | "sadd" | "smembers" | "zadd" | "zscore", _) => {
                err("ERR Wrong number of args calling Redis command from script")
            }
            _ => err("ERR Unknown Redis command called from script"),
        }
    }
}

impl ScriptHost for TestHost {
    fn call(&mut self, argv: &[Vec<u8>], resp3: bool) -> HostReply {
        let name = argv
            .first()
            .map(|n| String::from_utf8_lossy(n).to_lowercase())
            .unwrap_or_default();
        let reply = self.run(&name, argv.get(1..).unwrap_or_default());
        if resp3 {
            reply
        } else {
            fold_resp2(reply)
        }
    }
    fn log(&mut self, level: i32, message: &[u8]) {
        self.logs.push((level, message.to_vec()));
    }
}

/// RESP bytes of a reply for a RESP3 client, or a RESP2 one (folded).
fn encode(out: &mut Vec<u8>, r: &HostReply, proto3: bool) {
    let line = |out: &mut Vec<u8>, prefix: &str, body: &[u8]| {
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
    };
    let blob = |out: &mut Vec<u8>, prefix: &str, body: &[u8]| {
        line(out, prefix, body.len().to_string().as_bytes());
        line(out, "", body);
    };
    match r {
        HostReply::Nil if proto3 => line(out, "_", b""),
        HostReply::Nil => line(out, "$-1", b""),
        HostReply::Int(n) => line(out, ":", n.to_string().as_bytes()),
        HostReply::Bulk(b) => blob(out, "$", b),
        HostReply::Status(s) => line(out, "+", s),
        HostReply::Error(e) => line(out, "-", e),
        HostReply::Array(items) => {
            line(out, "*", items.len().to_string().as_bytes());
            items.iter().for_each(|i| encode(out, i, proto3));
        }
        _ if !proto3 => encode(out, &fold_resp2(r.clone()), false),
        HostReply::Set(items) => {
            line(out, "~", items.len().to_string().as_bytes());
            items.iter().for_each(|i| encode(out, i, proto3));
        }
        HostReply::Map(pairs) => {
            line(out, "%", pairs.len().to_string().as_bytes());
            for (k, v) in pairs {
                encode(out, k, proto3);
                encode(out, v, proto3);
            }
        }
        HostReply::Double(x) => line(out, ",", &double_text(*x)),
        HostReply::Bool(b) => line(out, "#", if *b { b"t" } else { b"f" }),
        HostReply::BigNumber(s) => line(out, "(", s),
        HostReply::Verbatim(f, s) => blob(out, "=", &[&f[..], b":", s].concat()),
    }
}

/// The escaped form the recorder writes.
fn escape(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if (32..127).contains(&c) && c != b'\\' {
                char::from(c).to_string()
            } else {
                format!("\\x{c:02x}")
            }
        })
        .collect()
}

/// Runs `script` as EVAL would and gives the reply the engine would send.
fn eval(script: &str, proto3: bool, host: &mut TestHost) -> Vec<u8> {
    let mut vm = Vm::new(64 << 20).expect("vm");
    let reply = match vm.load(script.as_bytes(), b"@user_script") {
        Err(msg) => HostReply::Error(msg),
        Ok(f) => {
            vm.start(f, &[]).expect("start");
            loop {
                match vm.run(host, 1000) {
                    Outcome::Paused => continue,
                    Outcome::Done(vals) => {
                        let v = vals.first().copied().unwrap_or(Value::Nil);
                        let r3 = resp3(&mut vm);
                        break script_reply(&mut vm.heap, v, r3);
                    }
                    Outcome::Error(v) => break HostReply::Error(error_message(&mut vm.heap, v)),
                    Outcome::Killed => break HostReply::Error(b"killed".to_vec()),
                }
            }
        }
    };
    let mut out = Vec::new();
    encode(&mut out, &reply, proto3);
    out
}

#[test]
fn recorded_cases() {
    support::check_recorded(&support::cases_dir("redis_api"), |case| {
        let (proto, script) = case.split_once('\t').expect("P<TAB>SCRIPT");
        escape(&eval(script, proto == "3", &mut TestHost::default()))
    });
}

#[test]
fn log_reaches_the_host() {
    let mut host = TestHost::default();
    eval(
        "redis.log(redis.LOG_NOTICE, 'a', 1.5, 'b') redis.log(0, 'x')",
        false,
        &mut host,
    );
    assert_eq!(host.logs, [(2, b"a 1.5 b".to_vec()), (0, b"x".to_vec())]);
}

#[test]
fn deep_tables_stop_at_the_limit() {
    // A table holding itself: "reached lua stack limit" deep down, on a
    // stack the size of wasm's.
    let out = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            eval(
                "local t = {} t[1] = t return t",
                false,
                &mut TestHost::default(),
            )
        })
        .expect("thread")
        .join()
        .expect("no overflow");
    let text = String::from_utf8_lossy(&out);
    assert!(text.ends_with("-ERR reached lua stack limit\r\n"), "{text}");
}

#[test]
fn reset_puts_resp_back_to_2() {
    let mut vm = Vm::new(1 << 24).expect("vm");
    let f = vm.load(b"redis.setresp(3)", b"@user_script").expect("load");
    vm.start(f, &[]).expect("start");
    assert!(matches!(
        vm.run(&mut TestHost::default(), 1000),
        Outcome::Done(_)
    ));
    assert!(resp3(&mut vm));
    reset(&mut vm).expect("reset");
    assert!(!resp3(&mut vm));
}
