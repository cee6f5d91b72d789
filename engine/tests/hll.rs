//! HyperLogLog against answers recorded from real Redis 7.0.15: for sets of
//! 1 to 1,000,000 elements named `e0`, `e1`, ... (added in that order, 1000
//! per PFADD), the PFCOUNT and the SHA-1 of GET before and after it (the
//! count is cached into the value). Also values copied out of Redis, SET
//! here and counted, and PFMERGE / multi-key PFCOUNT of the same sets.
//!
//! The constants were produced by a throwaway script against the oracle:
//! `redis-cli GET h1000 | head -c -1 | sha1sum` reproduces any of them.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use redsim_engine::Reply;
// SHA-1, to compare values with what `sha1sum` printed of Redis's.
use redsim_lua::sha1::hex as sha1;
use support::Session;

struct Size {
    elements: usize,
    count: i64,
    encoding: &'static str,
    len: usize,
    /// SHA-1 of GET right after the PFADDs (cache marked stale).
    stale_sha1: &'static str,
    /// SHA-1 of GET after PFCOUNT stored the count.
    cached_sha1: &'static str,
}

#[rustfmt::skip]
const SIZES: &[Size] = &[
    Size { elements: 1, count: 1, encoding: "sparse", len: 21, stale_sha1: "3eb3234681303a26e57d597ed228af6a15d63ac1", cached_sha1: "51035499f1dbfe14dcf6698e0c2a96cf70259a4f" },
    Size { elements: 10, count: 10, encoding: "sparse", len: 48, stale_sha1: "771d194bc0a419552a28bb34101cac65f9c44a11", cached_sha1: "6a449b9f8f4f73ea34153157833b9e4e3ccf50d6" },
    Size { elements: 100, count: 100, encoding: "sparse", len: 285, stale_sha1: "47f6cb6c3c5a16056e3bb450f9572a1524d44455", cached_sha1: "10284d924957df904fe939f436df8ee09605b6ef" },
    Size { elements: 1000, count: 1008, encoding: "sparse", len: 1906, stale_sha1: "26dc3c41142e0317d54eb6adc1e29ccff5ca6941", cached_sha1: "5b90d5bb9790139af3f5b0b6e8ffc2ab1fcc86da" },
    Size { elements: 1500, count: 1509, encoding: "sparse", len: 2719, stale_sha1: "f17ea61075556d348df7ba5c18a023987abf0faf", cached_sha1: "d1ae9ec8f8a22624731a839f7841168347bcf657" },
    Size { elements: 2000, count: 2000, encoding: "dense", len: 12304, stale_sha1: "d89749d695c9bf2d520372e472f50f24ee53f88b", cached_sha1: "683f7fda3b42d2dbc42371094fe33dfcca528e46" },
    Size { elements: 3000, count: 2979, encoding: "dense", len: 12304, stale_sha1: "a9b8e66f9a7f6a9bda8cb52ddfbcc91380d68588", cached_sha1: "dd640a880ffefbaabc92371fff4b1b0974887003" },
    Size { elements: 5000, count: 4968, encoding: "dense", len: 12304, stale_sha1: "21f2bcbf124c89c42b46e149b5d2218e30c42fd1", cached_sha1: "96a367e68466cf15738f8f4dbb54a5c87e55a814" },
    Size { elements: 10000, count: 9973, encoding: "dense", len: 12304, stale_sha1: "815121cd20d56c18b25dc3df04d13b8fe679a663", cached_sha1: "bbf1b0a6391cb55921ea3c8bf3d7ee8ea02b7791" },
    Size { elements: 100000, count: 100853, encoding: "dense", len: 12304, stale_sha1: "ec6400bb60029296060157289491545488e0cdd1", cached_sha1: "963e6cee79a81da7857234caac0f76085c89dd79" },
    Size { elements: 1000000, count: 991657, encoding: "dense", len: 12304, stale_sha1: "2581842b41f4718c10eed9d67ac74acdcb3675fa", cached_sha1: "05553ac3228711a17547a6074e30bd80d13fb9b9" },
];

/// GET of the 1- and 10-element sketches after PFCOUNT, in full.
const ONE_HEX: &str = "48594c4c0100000001000000000000004525807ad8";
const TEN_HEX: &str = "48594c4c010000000a00000000000000452580472e844fc9804412844a5184430d844103844eb984408880406a8441b1";

/// GET of the 100-element sketch straight after PFADD (sparse, cache stale).
const SPARSE_100_HEX: &str = "48594c4c01000000000000000000008036843c8040a9a40e88409084406c9c048840e28041358840d380411d8840898041168c419080098040e08040948041578440a280408384405d8440e1844199844081803c844047840780404e80408f840984405184268441258440d38042638040a280404b8c406f80420b8c41798041478041638040668440f98c0184218811804182844062803088407984228040de8440d3884045800a88420090118440c184018041138440848c1684228040a88440e180422a84410384168041178441658c414e802680058040598040ec882e88413c880380405b841b803f80409b802184412e88408f90407e80408480415f8033844079844193844058902e80406a840d8039801380409a882880408c";

/// The same elements as the sizes above: `e{start}` .. `e{end - 1}`.
fn fill(s: &mut Session, key: &str, prefix: &str, start: usize, end: usize) {
    let mut at = start;
    while at < end {
        let stop = end.min(at + 1000);
        let mut argv: Vec<Vec<u8>> = vec![b"PFADD".to_vec(), key.as_bytes().to_vec()];
        argv.extend((at..stop).map(|i| format!("{prefix}{i}").into_bytes()));
        assert!(matches!(s.engine.execute(s.client, &argv), Reply::Int(_)));
        at = stop;
    }
}

fn bytes_of(s: &mut Session, argv: &[&[u8]]) -> Vec<u8> {
    match s.engine.execute(s.client, argv) {
        Reply::Bulk(b) => b,
        other => panic!("{argv:?}: {other:?}"),
    }
}

fn int_of(s: &mut Session, argv: &[&[u8]]) -> i64 {
    match s.engine.execute(s.client, argv) {
        Reply::Int(n) => n,
        other => panic!("{argv:?}: {other:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    let text = text.trim();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// One session grows a single key through every size, checking each on a
/// copy so the growing key keeps Redis's exact add order.
#[test]
fn counts_and_bytes_match_redis_from_1_to_a_million() {
    let mut s = Session::new();
    let mut filled = 0;
    for size in SIZES {
        fill(&mut s, "grow", "e", filled, size.elements);
        filled = size.elements;
        let n = size.elements;
        assert_eq!(s.run("COPY grow probe REPLACE"), "(integer) 1");
        let stale = bytes_of(&mut s, &[b"GET", b"probe"]);
        assert_eq!(stale.len(), size.len, "{n} elements: length");
        assert_eq!(
            sha1(&stale),
            size.stale_sha1,
            "{n} elements: bytes after PFADD"
        );
        assert_eq!(int_of(&mut s, &[b"PFCOUNT", b"probe"]), size.count, "{n}");
        let cached = bytes_of(&mut s, &[b"GET", b"probe"]);
        assert_eq!(
            sha1(&cached),
            size.cached_sha1,
            "{n} elements: bytes after PFCOUNT"
        );
        assert_eq!(
            s.run("PFDEBUG ENCODING probe"),
            size.encoding,
            "{n} elements: encoding"
        );
        match n {
            1 => assert_eq!(hex(&cached), ONE_HEX),
            10 => assert_eq!(hex(&cached), TEN_HEX),
            100 => assert_eq!(hex(&stale), SPARSE_100_HEX),
            _ => {}
        }
    }
}

/// Values copied out of Redis count the same after SET.
#[test]
fn values_from_redis_count_the_same() {
    let mut s = Session::new();
    let dense = unhex(include_str!("fixtures/hll_dense_5000.hex"));
    let sparse = unhex(SPARSE_100_HEX);
    for (key, value, count, encoding) in [
        (&b"dense"[..], dense, 4968, "dense"),
        (b"sparse", sparse, 100, "sparse"),
        (b"one", unhex(ONE_HEX), 1, "sparse"),
    ] {
        assert_eq!(
            s.engine.execute(s.client, &[&b"SET"[..], key, &value]),
            Reply::ok()
        );
        assert_eq!(int_of(&mut s, &[b"PFCOUNT", key]), count);
        let mut line = b"PFDEBUG ENCODING ".to_vec();
        line.extend_from_slice(key);
        assert_eq!(s.run(&String::from_utf8_lossy(&line)), encoding);
    }
    // The 5000-element dense value is the `e0`..`e4999` sketch.
    fill(&mut s, "again", "e", 0, 5000);
    assert_eq!(s.run("PFCOUNT dense again"), "(integer) 4968");
    assert_eq!(s.run("PFCOUNT sparse again"), "(integer) 4968");
}

/// PFMERGE and multi-key PFCOUNT on the same sets, against Redis.
#[test]
fn unions_match_redis() {
    let mut s = Session::new();
    fill(&mut s, "s1", "e", 0, 100);
    fill(&mut s, "s2", "f", 0, 100);
    assert_eq!(s.run("PFMERGE m1 s1 s2"), "OK");
    assert_eq!(s.run("PFDEBUG ENCODING m1"), "sparse");
    let merged = bytes_of(&mut s, &[b"GET", b"m1"]);
    assert_eq!(sha1(&merged), "344bf49e9badeed2ba364536ef2a2a383e8e5c88");
    assert_eq!(s.run("PFCOUNT s1 s2"), "(integer) 199");
    assert_eq!(s.run("PFCOUNT m1"), "(integer) 199");

    fill(&mut s, "h100000", "e", 0, 100_000);
    fill(&mut s, "b1", "f", 0, 50_000);
    fill(&mut s, "h100", "e", 0, 100);
    assert_eq!(s.run("PFMERGE m2 h100000 b1 h100"), "OK");
    assert_eq!(s.run("PFDEBUG ENCODING m2"), "dense");
    let merged = bytes_of(&mut s, &[b"GET", b"m2"]);
    assert_eq!(sha1(&merged), "cff5207ded586f4b9837762aac2c2de25a5ccbfa");
    assert_eq!(s.run("PFCOUNT h100000 b1 h100"), "(integer) 151391");
    assert_eq!(s.run("PFCOUNT m2"), "(integer) 151391");

    // A sparse destination absorbing a sparse source outgrows the sparse limit.
    fill(&mut s, "s3", "g", 0, 900);
    fill(&mut s, "h1000", "e", 0, 1000);
    assert_eq!(s.run("PFMERGE s3 h1000"), "OK");
    assert_eq!(s.run("PFDEBUG ENCODING s3"), "dense");
    let merged = bytes_of(&mut s, &[b"GET", b"s3"]);
    assert_eq!(sha1(&merged), "8224a79c197725e9f65efd092ab8bc9071cab378");
    assert_eq!(s.run("PFCOUNT s3"), "(integer) 1903");
}

/// PFADD creates the key; every command refuses non-sketches with Redis's
/// texts; damaged values never panic.
#[test]
fn errors_and_damaged_values() {
    let mut s = Session::new();
    assert_eq!(s.run("PFCOUNT nosuch"), "(integer) 0");
    assert_eq!(s.run("PFADD h"), "(integer) 1");
    assert_eq!(s.run("PFADD h"), "(integer) 0");
    assert_eq!(s.run("OBJECT ENCODING h"), "\"raw\"");
    assert_eq!(s.run("PFCOUNT h"), "(integer) 0");
    assert_eq!(s.run("SET str hello"), "OK");
    let not_hll = "(error) WRONGTYPE Key is not a valid HyperLogLog string value.";
    for line in [
        "PFADD str a",
        "PFCOUNT str",
        "PFCOUNT h str",
        "PFMERGE h str",
        "PFMERGE str h",
        "PFDEBUG GETREG str",
    ] {
        assert_eq!(s.run(line), not_hll, "{line}");
    }
    assert_eq!(s.run("RPUSH l x"), "(integer) 1");
    let wrong = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
    assert_eq!(s.run("PFADD l a"), wrong);
    assert_eq!(s.run("PFCOUNT l"), wrong);
    assert_eq!(
        s.run("PFDEBUG GETREG nosuch"),
        "(error) ERR The specified key does not exist"
    );
    assert_eq!(
        s.run("PFDEBUG nosuch h"),
        "(error) ERR Unknown PFDEBUG subcommand 'nosuch'"
    );
    assert_eq!(s.run("PFSELFTEST"), "OK");

    // Random damage to real sketches: any reply is fine, a panic is not.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    fill(&mut s, "base", "e", 0, 300);
    let original = bytes_of(&mut s, &[b"GET", b"base"]);
    for round in 0..300 {
        let mut value = original.clone();
        let flips = 1 + next() % 4;
        for _ in 0..flips {
            let at = 16 + (next() as usize) % (value.len() - 16);
            value[at] = next() as u8;
        }
        if round % 5 == 0 {
            value.truncate(16 + (next() as usize) % (value.len() - 16));
        }
        s.engine.execute(s.client, &[&b"SET"[..], b"bad", &value]);
        for argv in [
            &[&b"PFCOUNT"[..], b"bad"][..],
            &[b"PFCOUNT", b"bad", b"base"],
            &[b"PFADD", b"bad", b"x", b"y", b"z"],
            &[b"PFMERGE", b"dest", b"bad"],
            &[b"PFDEBUG", b"DECODE", b"bad"],
            &[b"PFDEBUG", b"GETREG", b"bad"],
        ] {
            s.engine.execute(s.client, argv);
        }
    }
}

/// Side effects Redis 7.0 shows: a "pfadd" keyspace event when PFADD
/// changes a register and for every PFMERGE (on the destination only),
/// none for PFCOUNT or PFDEBUG.
#[test]
fn pfadd_and_pfmerge_emit_pfadd_events() {
    let mut s = Session::new();
    let listener = s.engine.connect();
    s.engine
        .execute(listener, &["PSUBSCRIBE", "__keyevent@0__:*"]);
    s.engine.take_output(listener);
    assert_eq!(s.run("CONFIG SET notify-keyspace-events E$"), "OK");
    for line in [
        "PFADD n a",
        "PFADD n a",
        "PFMERGE m n",
        "PFCOUNT n",
        "PFDEBUG TODENSE n",
    ] {
        s.run(line);
    }
    let event = |key: &[u8]| {
        Reply::Push(vec![
            Reply::bulk(b"pmessage"),
            Reply::bulk(b"__keyevent@0__:*"),
            Reply::bulk(b"__keyevent@0__:pfadd"),
            Reply::bulk(key),
        ])
    };
    assert_eq!(
        s.engine.take_output(listener),
        vec![event(b"n"), event(b"m")]
    );
}
