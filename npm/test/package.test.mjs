// The direct API, through the packed tarball installed into a scratch
// project: replies as JS values, errors, clients, blocking, pub/sub,
// transactions, clocks, snapshots and the change feed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { installPackedTarball, importFrom } from "../test-support/install.mjs";

const scratch = installPackedTarball();
const { Redsim, RedsimError, Client } = await importFrom(scratch, "redsim");

/** Lets pending microtasks and I/O callbacks run (change events are batched per task). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("replies as JS values: strings, numbers, BigInt past 2^53, null, arrays", async () => {
  const db = await Redsim.create();
  assert.equal(db.command(["SET", "k", "v"]), "OK");
  assert.equal(db.command(["GET", "k"]), "v");
  assert.equal(db.command(["GET", "missing"]), null);
  assert.equal(db.command(["INCRBY", "n", 41]), 41);
  assert.equal(db.command(["INCRBY", "big", "9007199254740993"]), 9007199254740993n);
  assert.equal(db.command(["DECRBY", "neg", 9007199254740992n]), -9007199254740992n);
  assert.equal(db.command(["INCRBY", "edge", "9007199254740991"]), 9007199254740991);
  assert.equal(db.command(["RPUSH", "l", "a", "b"]), 2);
  assert.deepEqual(db.command(["LRANGE", "l", 0, -1]), ["a", "b"]);
  assert.deepEqual(db.command(["MGET", "k", "missing"]), ["v", null]);
  db.close();
});

test("bytes: Uint8Array arguments, and bulk strings as Uint8Array with buffers", async () => {
  const db = await Redsim.create();
  const raw = new Uint8Array([0xff, 0x00, 0x80]);
  db.command(["SET", new Uint8Array([107]), raw]);
  assert.deepEqual(db.command(["GET", "k"], { buffers: true }), raw);
  assert.equal(db.command(["STRLEN", "k"]), 3);
  const bytes = db.connect({ buffers: true });
  assert.deepEqual(bytes.command(["GET", "k"]), raw);
  assert.equal(bytes.command(["SET", "s", "x"]), "OK", "status replies stay strings");
  assert.deepEqual(bytes.command(["GET", "s"], { buffers: false }), "x");
  db.close();
});

test("arguments and replies of any size and script cross intact, as the wasm memory grows", async () => {
  const db = await Redsim.create({ maxmemory: 0 });
  // Past the 64 KB the arguments buffer starts with, and several times
  // over, so the buffer grows (and wasm memory with it) mid-command.
  const long = "ü€😀x".repeat(300_000);
  const many = Array.from({ length: 20_000 }, (_, i) => `member-${i}-é`);
  assert.equal(db.command(["SET", "long", long]), "OK");
  assert.equal(db.command(["GET", "long"]), long);
  assert.equal(db.command(["STRLEN", "long"]), Buffer.byteLength(long));
  assert.equal(db.command(["SADD", "many", ...many]), many.length);
  assert.deepEqual(db.command(["SMEMBERS", "many"]).sort(), [...many].sort());
  // Short strings take the hand-written path; these check its edges.
  for (const text of ["", "a", "é", "x".repeat(32), "x".repeat(31) + "é", "😀"]) {
    db.command(["SET", "short", text]);
    assert.equal(db.command(["GET", "short"]), text);
  }
  // Invalid UTF-8 decodes to U+FFFD, as TextDecoder does.
  db.command(["SET", "raw", new Uint8Array([0x61, 0xff, 0x62])]);
  assert.equal(db.command(["GET", "raw"]), "a\ufffdb");
  // Numbers go as JS prints them, bigints in decimal.
  assert.equal(db.command(["SET", "n", 1.5]), "OK");
  assert.equal(db.command(["GET", "n"]), "1.5");
  assert.equal(db.command(["INCRBY", "i", -9007199254740993n]), -9007199254740993n);
  assert.equal(db.command(["INCRBY", "i", 2]), -9007199254740991);
  assert.throws(() => db.command(["SET", "k", {}]), {
    name: "TypeError",
    message: "argument 2 must be a string, Uint8Array, number or bigint, not object",
  });
  assert.throws(() => db.command(["SET", "k", null]), TypeError);
  assert.equal(db.command(["EXISTS", "k"]), 0, "a refused command runs nothing");
  db.close();
});

test("pipeline: many commands in one call, replies and errors in place, blocking ones awaited", async () => {
  const db = await Redsim.create({ clock: "manual" });
  const replies = db.pipeline([
    ["SET", "n", 10],
    ["INCR", "n"],
    ["LPUSH", "n", "x"],
    ["GET", "n"],
    ["HSET", "h", "f", "v"],
    ["HGETALL", "h"],
    ["NOSUCH"],
  ]);
  assert.equal(replies.length, 7);
  assert.deepEqual(replies.slice(0, 2), ["OK", 11]);
  assert.ok(replies[2] instanceof RedsimError);
  assert.equal(replies[2].message, "WRONGTYPE Operation against a key holding the wrong kind of value");
  assert.deepEqual(replies.slice(3, 6), ["11", 1, ["f", "v"]]);
  assert.match(replies[6].message, /^ERR unknown command 'NOSUCH'/);
  assert.deepEqual(db.pipeline([]), []);
  assert.deepEqual(db.pipeline([["GET", "n"]], { buffers: true }), [new TextEncoder().encode("11")]);
  // Inside MULTI the pipeline queues, as a connection's would.
  assert.deepEqual(db.pipeline([["MULTI"], ["INCR", "n"], ["INCR", "n"], ["EXEC"]]), ["OK", "QUEUED", "QUEUED", [12, 13]]);

  // A blocking command holds the rest back until it is served.
  const other = db.connect();
  const waiting = db.pipeline([["SET", "a", "1"], ["BLPOP", "q", 0], ["GET", "a"], ["LLEN", "q"]]);
  assert.ok(waiting instanceof Promise);
  assert.equal(other.command(["GET", "a"]), "1", "what came before the block ran");
  other.command(["SET", "a", "2"]);
  other.command(["RPUSH", "q", "job", "more"]);
  assert.deepEqual(await waiting, ["OK", ["q", "job"], "2", 1]);
  // A block that times out gives its timeout reply in place.
  const timed = db.pipeline([["BLPOP", "empty", 1], ["PING"]]);
  db.advanceTime(1_100);
  assert.deepEqual(await timed, [null, "PONG"]);

  assert.throws(() => db.pipeline([["GET", "k"], []]), {
    name: "TypeError",
    message: "command 1 must be a non-empty array of arguments",
  });
  assert.throws(() => db.pipeline("GET k"), TypeError);
  assert.throws(() => db.pipeline([["SET", "k", {}]]), TypeError);
  assert.equal(db.command(["EXISTS", "k"]), 0, "a refused pipeline runs nothing");
  db.close();
});

test("errors are thrown as RedsimError with Redis's exact text, and stay in place inside EXEC", async () => {
  const db = await Redsim.create();
  db.command(["RPUSH", "list", "a"]);
  assert.throws(() => db.command(["GET", "list"]), (err) => {
    assert.ok(err instanceof RedsimError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, "RedsimError");
    assert.equal(err.message, "WRONGTYPE Operation against a key holding the wrong kind of value");
    return true;
  });
  assert.throws(() => db.command(["NOPE", "x"]), {
    message: "ERR unknown command 'NOPE', with args beginning with: 'x' ",
  });
  assert.throws(() => db.command(["GET"]), { message: "ERR wrong number of arguments for 'get' command" });
  db.command(["MULTI"]);
  db.command(["INCR", "list"]);
  db.command(["LLEN", "list"]);
  const [failed, length] = db.command(["EXEC"]);
  assert.ok(failed instanceof RedsimError);
  assert.equal(failed.message, "WRONGTYPE Operation against a key holding the wrong kind of value");
  assert.equal(length, 1);
  assert.throws(() => db.command([]), TypeError);
  assert.throws(() => db.command(["SET", "k", { value: 1 }]), TypeError);
  assert.throws(() => db.command(["SET", "k", undefined]), { name: "TypeError", message: "argument 2 must be a string, Uint8Array, number or bigint, not undefined" });
  db.close();
});

test("RESP2 replies until HELLO 3, then Maps, doubles and booleans", async () => {
  const db = await Redsim.create();
  db.command(["HSET", "h", "name", "Ada", "born", "1815"]);
  db.command(["ZADD", "z", "1.5", "m"]);
  assert.deepEqual(db.command(["HGETALL", "h"]), ["name", "Ada", "born", "1815"]);
  assert.equal(db.command(["ZSCORE", "z", "m"]), "1.5");
  const hello = db.command(["HELLO", "3"]);
  assert.ok(hello instanceof Map);
  assert.equal(hello.get("proto"), 3);
  assert.equal(hello.get("version"), "7.0.15");
  assert.deepEqual(db.command(["HGETALL", "h"]), new Map([["name", "Ada"], ["born", "1815"]]));
  assert.equal(db.command(["ZSCORE", "z", "m"]), 1.5);
  assert.deepEqual(db.command(["CONFIG", "GET", "maxmemory"]), new Map([["maxmemory", "67108864"]]));
  const other = db.connect();
  assert.deepEqual(other.command(["HGETALL", "h"]), ["name", "Ada", "born", "1815"], "HELLO is per connection");
  db.close();
});

test("execLine splits with redis-cli's quoting; cli prints what redis-cli prints", async () => {
  const db = await Redsim.create();
  assert.equal(db.execLine('SET k "a b\\x41"'), "OK");
  assert.equal(db.execLine("GET k"), "a bA");
  assert.equal(db.execLine("RPUSH l x 'y z'"), 2);
  assert.deepEqual(db.execLine("LRANGE l 0 -1"), ["x", "y z"]);
  assert.throws(() => db.execLine('GET "unbalanced'), { name: "SyntaxError", message: "Invalid argument(s)" });
  assert.throws(() => db.execLine("GET l"), RedsimError);
  assert.equal(db.cli("LRANGE l 0 -1"), '1) "x"\n2) "y z"');
  assert.equal(db.cli("INCR l"), "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  db.close();
});

test("create options: seed, maxmemory, config; bad config is Redis's CONFIG SET error", async () => {
  const picks = async (seed) => {
    const db = await Redsim.create({ seed });
    db.command(["SADD", "s", ...Array.from({ length: 50 }, (_, i) => `m${i}`)]);
    const popped = db.command(["SPOP", "s", 5]);
    db.close();
    return popped;
  };
  assert.deepEqual(await picks(7), await picks(7));
  assert.notDeepEqual(await picks(7), await picks(8));
  const db = await Redsim.create({ maxmemory: "10mb", config: { "maxmemory-policy": "allkeys-lru", "hash-max-listpack-entries": 4 } });
  assert.deepEqual(db.command(["CONFIG", "GET", "maxmemory*"]).slice(0, 0), []);
  assert.equal(db.execLine("CONFIG GET maxmemory")[1], "10485760");
  assert.equal(db.execLine("CONFIG GET maxmemory-policy")[1], "allkeys-lru");
  db.command(["HSET", "h", "a", 1, "b", 2, "c", 3, "d", 4, "e", 5]);
  assert.equal(db.command(["OBJECT", "ENCODING", "h"]), "hashtable");
  db.close();
  const unlimited = await Redsim.create({ maxmemory: 0 });
  assert.equal(unlimited.execLine("CONFIG GET maxmemory")[1], "0");
  unlimited.close();
  await assert.rejects(Redsim.create({ config: { maxmemory: "lots" } }), {
    name: "RedsimError",
    message: "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
  });
  await assert.rejects(Redsim.create({ clock: "sundial" }), TypeError);
});

test("maxmemory defaults to 64mb, so a runaway loop gets OOM instead of exhausting the tab", async () => {
  const db = await Redsim.create();
  const chunk = "x".repeat(100_000);
  let refused = null;
  for (let i = 0; i < 2000 && refused === null; i++) {
    try {
      db.command(["SET", `k${i}`, chunk]);
    } catch (err) {
      refused = err;
    }
  }
  assert.ok(refused instanceof RedsimError);
  assert.equal(refused.message, "OOM command not allowed when used memory > 'maxmemory'.");
  assert.equal(db.command(["GET", "k0"]).length, 100_000, "what was stored stays");
  db.close();
});

test("BLPOP on one client resolves when another client pushes", async () => {
  const db = await Redsim.create({ clock: "manual", now: 1_000_000 });
  const worker = db.connect();
  assert.ok(worker instanceof Client);
  const popped = worker.command(["BLPOP", "jobs", "5"]);
  assert.ok(popped instanceof Promise);
  assert.equal(db.command(["CLIENT", "LIST", "ID", String(worker.id)]).includes("cmd=blpop"), true);
  assert.throws(() => worker.command(["PING"]), { message: "ERR client is blocked" });
  assert.equal(db.command(["LPUSH", "jobs", "job-1"]), 1);
  assert.deepEqual(await popped, ["jobs", "job-1"]);
  assert.equal(db.command(["LLEN", "jobs"]), 0, "the push went to the waiting client");
  // Served at once when there is data: still a promise, already settled.
  db.command(["RPUSH", "jobs", "job-2"]);
  assert.deepEqual(await worker.command(["BLPOP", "jobs", "5"]), ["jobs", "job-2"]);
  db.close();
});

test("a blocking command times out on the manual clock at advanceTime, on the real clock by the tick", async () => {
  const manual = await Redsim.create({ clock: "manual" });
  const waiter = manual.connect();
  let outcome = "pending";
  const popped = waiter.command(["BRPOP", "q", "2"]).then((value) => (outcome = value));
  manual.advanceTime(1_500);
  await settle();
  assert.equal(outcome, "pending");
  manual.advanceTime(600);
  await popped;
  assert.equal(outcome, null);
  manual.close();

  const real = await Redsim.create();
  const started = Date.now();
  assert.equal(await real.command(["BLPOP", "nothing", "0.2"]), null);
  const waited = Date.now() - started;
  assert.ok(waited >= 190 && waited < 2_000, `waited ${waited} ms`);
  assert.throws(() => real.advanceTime(10), /manual clock/);
  real.close();
});

test("a command CLIENT PAUSE holds answers with a promise, settled when the pause ends", async () => {
  const db = await Redsim.create({ clock: "manual", now: 1_000 });
  const writer = db.connect();
  assert.equal(db.command(["CLIENT", "PAUSE", "500", "WRITE"]), "OK");
  assert.equal(writer.command(["GET", "k"]), null, "reads go on");
  const held = writer.command(["SET", "k", "v"]);
  assert.ok(held instanceof Promise);
  assert.equal(db.command(["GET", "k"]), null);
  db.advanceTime(600);
  assert.equal(await held, "OK");
  assert.equal(db.command(["GET", "k"]), "v");
  db.close();
});

test("closing a client rejects its pending BLPOP; commands after close throw", async () => {
  const db = await Redsim.create();
  const client = db.connect();
  const popped = client.command(["BLPOP", "q", "0"]);
  client.close();
  await assert.rejects(popped, /connection closed/);
  assert.throws(() => client.command(["PING"]), /connection closed/);
  const killed = db.connect();
  assert.equal(db.command(["CLIENT", "KILL", "ID", String(killed.id)]), 1);
  assert.equal(killed.closed, true);
  const last = db.connect().command(["BLPOP", "q", "0"]);
  db.close();
  await assert.rejects(last, /connection closed/);
  assert.throws(() => db.command(["PING"]), /connection closed/);
});

test("subscription callbacks receive PUBLISH from another client", async () => {
  const db = await Redsim.create();
  const subscriber = db.connect();
  const messages = [];
  subscriber.subscribe("news", (message, channel) => messages.push([channel, message]));
  subscriber.psubscribe("news.*", (message, channel, pattern) => messages.push([pattern, channel, message]));
  assert.equal(db.command(["PUBLISH", "news", "hello"]), 1);
  assert.equal(db.command(["PUBLISH", "news.tech", "wasm"]), 1);
  assert.deepEqual(messages, [["news", "hello"], ["news.*", "news.tech", "wasm"]]);
  assert.deepEqual(db.command(["PUBSUB", "NUMSUB", "news"]), ["news", 1]);
  assert.throws(() => subscriber.command(["GET", "k"]), /only \(P\|S\)SUBSCRIBE/);
  subscriber.unsubscribe("news");
  subscriber.punsubscribe();
  assert.equal(db.command(["PUBLISH", "news", "unheard"]), 0);
  assert.equal(messages.length, 2);
  assert.equal(subscriber.command(["PING"]), "PONG", "out of subscribed mode again");
  db.close();
});

test("RESP3 pushes: messages reach listeners, other pushes the push event", async () => {
  const db = await Redsim.create();
  const client = db.connect();
  client.command(["HELLO", "3"]);
  const messages = [];
  const pushes = [];
  client.subscribe("ch", (message) => messages.push(message));
  client.on("push", (push) => pushes.push(push));
  assert.equal(client.command(["GET", "k"]), null, "RESP3 clients run commands while subscribed");
  client.command(["CLIENT", "TRACKING", "ON"]);
  client.command(["GET", "tracked"]);
  db.command(["PUBLISH", "ch", "one"]);
  db.command(["SET", "tracked", "1"]);
  assert.deepEqual(messages, ["one"]);
  assert.deepEqual(pushes, [["invalidate", ["tracked"]]]);
  db.close();
});

test("MULTI/EXEC, and WATCH failing after another client's write", async () => {
  const db = await Redsim.create();
  assert.equal(db.command(["MULTI"]), "OK");
  assert.equal(db.command(["SET", "counter", "1"]), "QUEUED");
  assert.equal(db.command(["INCR", "counter"]), "QUEUED");
  assert.deepEqual(db.command(["EXEC"]), ["OK", 2]);
  const other = db.connect();
  db.command(["WATCH", "counter"]);
  other.command(["SET", "counter", "100"]);
  db.command(["MULTI"]);
  db.command(["INCR", "counter"]);
  assert.equal(db.command(["EXEC"]), null, "the transaction was aborted");
  assert.equal(db.command(["GET", "counter"]), "100");
  db.close();
});

test("the manual clock expires keys: lazily on access and actively on advanceTime", async () => {
  const db = await Redsim.create({ clock: "manual", now: 1_000_000 });
  assert.equal(db.now(), 1_000_000);
  db.command(["SET", "greeting", "hello", "EX", "100"]);
  db.command(["SET", "session", "x", "PX", "500"]);
  assert.equal(db.command(["TTL", "greeting"]), 100);
  db.advanceTime(40_000);
  assert.equal(db.now(), 1_040_000);
  assert.equal(db.command(["TTL", "greeting"]), 60);
  assert.equal(db.command(["DBSIZE"]), 1, "the active cycle removed the session key");
  db.advanceTime(60_000);
  assert.equal(db.command(["GET", "greeting"]), null);
  assert.equal(db.command(["TTL", "greeting"]), -2);
  db.close();
});

test("snapshot() to RDB bytes and fromSnapshot() back, TTLs and all types", async () => {
  const db = await Redsim.create({ clock: "manual", now: 1_000_000 });
  db.command(["SET", "s", "v", "PX", "60000"]);
  db.command(["RPUSH", "l", "a", "b"]);
  db.command(["HSET", "h", "f", "1"]);
  db.command(["ZADD", "z", "2", "m"]);
  db.command(["SADD", "set", "x"]);
  db.command(["XADD", "x", "1-1", "k", "v"]);
  db.command(["SELECT", "3"]);
  db.command(["SET", "in3", "yes"]);
  const rdb = db.snapshot();
  assert.ok(rdb instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(rdb.subarray(0, 9)), "REDIS0010");
  const copy = await Redsim.fromSnapshot(rdb, { clock: "manual", now: 1_030_000 });
  assert.equal(copy.command(["GET", "s"]), "v");
  assert.equal(copy.command(["PTTL", "s"]), 30_000);
  assert.deepEqual(copy.command(["LRANGE", "l", 0, -1]), ["a", "b"]);
  assert.deepEqual(copy.command(["HGETALL", "h"]), ["f", "1"]);
  assert.deepEqual(copy.command(["ZRANGE", "z", 0, -1, "WITHSCORES"]), ["m", "2"]);
  assert.deepEqual(copy.command(["SMEMBERS", "set"]), ["x"]);
  assert.equal(copy.command(["XLEN", "x"]), 1);
  copy.command(["SELECT", "3"]);
  assert.equal(copy.command(["GET", "in3"]), "yes");
  assert.deepEqual(copy.snapshot().length > 0, true);
  copy.close();
  await assert.rejects(Redsim.fromSnapshot(new Uint8Array([1, 2, 3])), {
    name: "RedsimError",
    message: "not an RDB file (no REDISnnnn signature)",
  });
  db.close();
});

test("change events name the keys writes and expiry changed, batched per task", async () => {
  const db = await Redsim.create({ clock: "manual" });
  const batches = [];
  const listener = (changes) => batches.push(changes);
  db.on("change", listener);
  db.command(["SET", "a", "1"]);
  db.command(["SET", "b", "2", "PX", "100"]);
  db.command(["SET", "a", "3"]);
  assert.equal(batches.length, 0, "delivered after the current task");
  await settle();
  assert.deepEqual(batches, [[{ db: 0, key: "a" }, { db: 0, key: "b" }]]);
  db.advanceTime(200);
  db.command(["GET", "b"]);
  await settle();
  assert.deepEqual(batches[1], [{ db: 0, key: "b" }]);
  db.command(["SELECT", "2"]);
  db.command(["SET", "c", "1"]);
  db.command(["FLUSHDB"]);
  await settle();
  assert.deepEqual(batches[2], [{ db: 2, key: null }]);
  db.off("change", listener);
  db.command(["SET", "d", "1"]);
  await settle();
  assert.equal(batches.length, 3);
  db.close();
});
