//! Arbitrary sequences of argument vectors into one engine, with the clock
//! moving: no command may panic, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redsim_engine::{Config, Engine};

/// Command names the engine knows, so short inputs reach real handlers.
const NAMES: &[&[u8]] = &[
    b"SET",
    b"GET",
    b"GETEX",
    b"GETDEL",
    b"GETSET",
    b"GETRANGE",
    b"SETRANGE",
    b"APPEND",
    b"STRLEN",
    b"MGET",
    b"MSET",
    b"MSETNX",
    b"SETNX",
    b"SETEX",
    b"PSETEX",
    b"INCR",
    b"DECR",
    b"INCRBY",
    b"DECRBY",
    b"INCRBYFLOAT",
    b"LCS",
    b"SETBIT",
    b"GETBIT",
    b"BITCOUNT",
    b"BITPOS",
    b"BITOP",
    b"BITFIELD",
    b"BITFIELD_RO",
    b"DEL",
    b"EXISTS",
    b"TYPE",
    b"TOUCH",
    b"RENAME",
    b"RENAMENX",
    b"COPY",
    b"MOVE",
    b"RANDOMKEY",
    b"KEYS",
    b"SCAN",
    b"SORT",
    b"SORT_RO",
    b"OBJECT",
    b"EXPIRE",
    b"PEXPIRE",
    b"EXPIREAT",
    b"PEXPIREAT",
    b"TTL",
    b"PTTL",
    b"EXPIRETIME",
    b"PEXPIRETIME",
    b"PERSIST",
    b"LPUSH",
    b"RPUSH",
    b"LLEN",
    b"LRANGE",
    b"DBSIZE",
    b"FLUSHDB",
    b"SELECT",
    b"SWAPDB",
    b"TIME",
    b"PING",
    b"ECHO",
    b"HELLO",
    b"COMMAND",
    b"INFO",
    b"CONFIG",
    b"LINDEX",
    b"LINSERT",
    b"LMOVE",
    b"LMPOP",
    b"LPOP",
    b"RPOP",
    b"LPOS",
    b"LPUSHX",
    b"RPUSHX",
    b"LREM",
    b"LSET",
    b"LTRIM",
    b"RPOPLPUSH",
    b"HSET",
    b"HSETNX",
    b"HMSET",
    b"HGET",
    b"HMGET",
    b"HDEL",
    b"HLEN",
    b"HSTRLEN",
    b"HEXISTS",
    b"HGETALL",
    b"HKEYS",
    b"HVALS",
    b"HINCRBY",
    b"HINCRBYFLOAT",
    b"HRANDFIELD",
    b"HSCAN",
    b"SADD",
    b"SREM",
    b"SCARD",
    b"SISMEMBER",
    b"SMISMEMBER",
    b"SMOVE",
    b"SMEMBERS",
    b"SINTER",
    b"SINTERSTORE",
    b"SINTERCARD",
    b"SUNION",
    b"SUNIONSTORE",
    b"SDIFF",
    b"SDIFFSTORE",
    b"SPOP",
    b"SRANDMEMBER",
    b"SSCAN",
    b"ZADD",
    b"ZINCRBY",
    b"ZCARD",
    b"ZSCORE",
    b"ZMSCORE",
    b"ZREM",
    b"ZRANK",
    b"ZREVRANK",
    b"ZCOUNT",
    b"ZLEXCOUNT",
    b"ZRANGE",
    b"ZREVRANGE",
    b"ZRANGEBYSCORE",
    b"ZREVRANGEBYSCORE",
    b"ZRANGEBYLEX",
    b"ZREVRANGEBYLEX",
    b"ZRANGESTORE",
    b"ZPOPMIN",
    b"ZPOPMAX",
    b"ZREMRANGEBYRANK",
    b"ZREMRANGEBYSCORE",
    b"ZREMRANGEBYLEX",
    b"ZUNION",
    b"ZUNIONSTORE",
    b"ZINTER",
    b"ZINTERSTORE",
    b"ZINTERCARD",
    b"ZDIFF",
    b"ZDIFFSTORE",
    b"ZMPOP",
    b"ZRANDMEMBER",
    b"ZSCAN",
    b"HEXPIRE",
    b"HPEXPIRE",
    b"HEXPIREAT",
    b"HPEXPIREAT",
    b"HTTL",
    b"HPTTL",
    b"HEXPIRETIME",
    b"HPEXPIRETIME",
    b"HPERSIST",
    b"FIELDS",
];

fuzz_target!(|data: &[u8]| {
    // A small proto-max-bulk-len keeps single commands cheap to run.
    let mut engine = Engine::new(Config {
        proto_max_bulk_len: 1 << 16,
        ..Config::default()
    });
    let client = engine.connect();
    let mut now = 0i64;
    // Commands are separated by 0xff; arguments by 0xfe; the first byte of a
    // command picks a known name.
    for command in data.split(|&b| b == 0xff) {
        let Some((&pick, rest)) = command.split_first() else {
            continue;
        };
        let mut argv: Vec<&[u8]> = vec![NAMES[usize::from(pick) % NAMES.len()]];
        argv.extend(rest.split(|&b| b == 0xfe));
        // CONFIG SET may raise the bulk limit up to i64::MAX, after which
        // SETRANGE and friends may legitimately allocate gigabytes.
        if argv
            .iter()
            .any(|a| a.eq_ignore_ascii_case(b"proto-max-bulk-len"))
        {
            continue;
        }
        let _ = engine.execute(client, &argv);
        now += i64::from(pick);
        engine.tick(now);
    }
});
