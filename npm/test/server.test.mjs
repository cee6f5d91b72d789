// `redsim/server` from the installed tarball, used by unmodified client
// libraries (node-redis and ioredis, pinned in the package's lockfile) and
// by a raw socket for what they do not show: RESP3 pushes, inline
// commands, protocol errors, QUIT, pipelined requests behind a BLPOP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { installPackedTarball, importFrom, requireDev } from "../test-support/install.mjs";

const scratch = installPackedTarball();
const { listen } = await importFrom(scratch, "redsim/server");
const { Redsim } = await importFrom(scratch, "redsim");
const { createClient } = requireDev("redis");
const Redis = requireDev("ioredis");

let srv;
const opened = [];

before(async () => {
  srv = await listen({ port: 0 });
  assert.ok(srv.port > 0);
});

after(async () => {
  await Promise.all(opened.map((c) => c.quit().catch(() => {})));
  await srv.close();
});

async function nodeRedis() {
  const client = createClient({ url: `redis://127.0.0.1:${srv.port}` });
  client.on("error", () => {});
  await client.connect();
  opened.push(client);
  return client;
}

async function ioredis() {
  const client = new Redis({ port: srv.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on("error", () => {});
  await client.connect();
  opened.push(client);
  return client;
}

/** Waits until `condition()` holds (a subscription registered, a client blocked). */
async function until(condition) {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail("condition never held");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A raw connection: `send` bytes, `read` until the received text matches. */
function raw() {
  const socket = netConnect(srv.port, "127.0.0.1");
  let received = "";
  const waiters = [];
  socket.on("data", (chunk) => {
    received += chunk.toString("latin1");
    waiters.splice(0).forEach((wake) => wake());
  });
  const ended = new Promise((resolve) => socket.on("close", resolve));
  return {
    send: (text) => socket.write(text),
    async read(pattern) {
      while (!pattern.test(received)) await new Promise((wake) => waiters.push(wake));
      const text = received;
      received = "";
      return text;
    },
    ended,
    close: () => socket.destroy(),
  };
}

test("node-redis: strings, hashes, expiry and errors", async () => {
  const c = await nodeRedis();
  assert.equal(await c.set("greeting", "hello", { EX: 100 }), "OK");
  assert.equal(await c.get("greeting"), "hello");
  assert.equal(await c.ttl("greeting"), 100);
  assert.equal(await c.hSet("user:1", { name: "Ada", born: "1815" }), 2);
  assert.deepEqual({ ...(await c.hGetAll("user:1")) }, { name: "Ada", born: "1815" });
  await assert.rejects(c.incr("greeting"), { message: "ERR value is not an integer or out of range" });
});

test("node-redis: pub/sub across connections", async () => {
  const subscriber = await nodeRedis();
  const publisher = await nodeRedis();
  const received = new Promise((resolve) => {
    subscriber.subscribe("nr-news", (message, channel) => resolve([channel, message]));
  });
  await until(async () => (await publisher.pubSubNumSub("nr-news"))["nr-news"] === 1);
  assert.equal(await publisher.publish("nr-news", "hello"), 1);
  assert.deepEqual(await received, ["nr-news", "hello"]);
});

test("node-redis: MULTI/EXEC, and WATCH aborting after another connection's write", async () => {
  const a = await nodeRedis();
  const b = await nodeRedis();
  assert.deepEqual(await a.multi().set("nr-counter", "1").incr("nr-counter").get("nr-counter").exec(), ["OK", 2, "2"]);
  await a.executeIsolated(async (isolated) => {
    await isolated.watch("nr-counter");
    await b.set("nr-counter", "100");
    await assert.rejects(isolated.multi().incr("nr-counter").exec(), /watch/i);
  });
  assert.equal(await a.get("nr-counter"), "100");
});

test("node-redis: a blocked BLPOP is served by another connection's push", async () => {
  const waiter = await nodeRedis();
  const pusher = await nodeRedis();
  const popped = waiter.executeIsolated((isolated) => isolated.blPop("nr-jobs", 5));
  await until(async () => (await pusher.clientList()).some((c) => c.cmd === "blpop"));
  assert.equal(await pusher.rPush("nr-jobs", "job-1"), 1);
  assert.deepEqual(await popped, { key: "nr-jobs", element: "job-1" });
  assert.equal(await pusher.lLen("nr-jobs"), 0);
  assert.equal(await waiter.executeIsolated((isolated) => isolated.blPop("nr-none", 0.1)), null, "timeout by the tick");
});

test("node-redis: pipelining (commands sent together, replies in order)", async () => {
  const c = await nodeRedis();
  const replies = await Promise.all(Array.from({ length: 500 }, (_, i) => c.incr(`nr-pipe`).then((n) => n - i)));
  assert.deepEqual(new Set(replies), new Set([1]));
  const batch = await c.multi().set("nr-p", "1").get("nr-p").execAsPipeline();
  assert.deepEqual(batch, ["OK", "1"]);
});

test("ioredis: strings, pipeline and errors", async () => {
  const c = await ioredis();
  assert.equal(await c.set("io-k", "v", "PX", 5000), "OK");
  assert.equal(await c.get("io-k"), "v");
  const results = await c.pipeline().set("io-n", "1").incr("io-n").incrby("io-n", 10).get("io-n").lpush("io-k", "x").exec();
  assert.deepEqual(results.slice(0, 4), [[null, "OK"], [null, 2], [null, 12], [null, "12"]]);
  assert.equal(results[4][0].message, "WRONGTYPE Operation against a key holding the wrong kind of value");
  assert.equal(await c.getBuffer("io-k").then((b) => b.toString()), "v");
});

test("ioredis: pub/sub with patterns across connections", async () => {
  const subscriber = await ioredis();
  const publisher = await ioredis();
  const messages = [];
  subscriber.on("message", (channel, message) => messages.push([channel, message]));
  subscriber.on("pmessage", (pattern, channel, message) => messages.push([pattern, channel, message]));
  await subscriber.subscribe("io-news");
  await subscriber.psubscribe("io-news.*");
  assert.equal(await publisher.publish("io-news", "one"), 1);
  assert.equal(await publisher.publish("io-news.tech", "two"), 1);
  await until(() => messages.length === 2);
  assert.deepEqual(messages, [["io-news", "one"], ["io-news.*", "io-news.tech", "two"]]);
});

test("ioredis: MULTI/EXEC and WATCH", async () => {
  const a = await ioredis();
  const b = await ioredis();
  assert.deepEqual(await a.multi().set("io-c", "1").incr("io-c").exec(), [[null, "OK"], [null, 2]]);
  await a.watch("io-c");
  await b.set("io-c", "100");
  assert.equal(await a.multi().incr("io-c").exec(), null, "aborted by the other connection's write");
  assert.equal(await a.get("io-c"), "100");
});

test("ioredis: BLPOP and BZPOPMIN served by pushes from another connection", async () => {
  const waiter = await ioredis();
  const pusher = await ioredis();
  const popped = waiter.blpop("io-jobs", 5);
  await until(async () => (await pusher.client("LIST")).includes("cmd=blpop"));
  await pusher.rpush("io-jobs", "job-1");
  assert.deepEqual(await popped, ["io-jobs", "job-1"]);
  const zpopped = waiter.bzpopmin("io-z", 5);
  await until(async () => (await pusher.client("LIST")).includes("cmd=bzpopmin"));
  await pusher.zadd("io-z", 3, "m");
  assert.deepEqual(await zpopped, ["io-z", "m", "3"]);
});

test("raw socket: RESP3 after HELLO 3, pushes, inline commands, QUIT", async () => {
  const conn = raw();
  conn.send("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
  assert.match(await conn.read(/proto\r\n:3\r\n/), /^%7\r\n\$6\r\nserver\r\n/);
  conn.send("HSET h3 f v\r\nHGETALL h3\r\n");
  assert.equal(await conn.read(/%1\r\n.*\r\n.*\r\n.*\r\n.*\r\n$/s), ":1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
  conn.send("SUBSCRIBE r3\r\n");
  assert.equal(await conn.read(/:1\r\n$/), ">3\r\n$9\r\nsubscribe\r\n$2\r\nr3\r\n:1\r\n");
  const publisher = await ioredis();
  assert.equal(await publisher.publish("r3", "hi"), 1);
  assert.equal(await conn.read(/hi\r\n$/), ">3\r\n$7\r\nmessage\r\n$2\r\nr3\r\n$2\r\nhi\r\n");
  conn.send("QUIT\r\n");
  assert.equal(await conn.read(/OK\r\n$/), "+OK\r\n");
  await conn.ended;
});

test("raw socket: requests pipelined behind a BLPOP wait until it is served", async () => {
  const conn = raw();
  conn.send("BLPOP raw-q 5\r\nSET after-blpop yes\r\nGET after-blpop\r\n");
  const pusher = await ioredis();
  await until(async () => (await pusher.client("LIST")).includes("cmd=blpop"));
  assert.equal(await pusher.get("after-blpop"), null, "the SET waits in the connection's buffer");
  await pusher.rpush("raw-q", "x");
  assert.equal(await conn.read(/yes\r\n$/), "*2\r\n$5\r\nraw-q\r\n$1\r\nx\r\n+OK\r\n$3\r\nyes\r\n");
  conn.close();
});

test("raw socket: a protocol error is answered with Redis's text, then the connection closes", async () => {
  const conn = raw();
  conn.send("*1\r\n$4\r\nPING\r\n*x\r\n");
  assert.equal(await conn.read(/invalid multibulk length\r\n$/), "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n");
  await conn.ended;
});

test("an engine served over TCP is shared with its in-process clients", async () => {
  const db = await Redsim.create();
  const shared = await listen({ port: 0, db });
  const c = new Redis({ port: shared.port, host: "127.0.0.1" });
  assert.equal(await c.set("shared", "over tcp"), "OK");
  assert.equal(db.command(["GET", "shared"]), "over tcp");
  const got = new Promise((resolve) => c.on("message", (channel, message) => resolve(message)));
  await c.subscribe("to-tcp");
  assert.equal(db.command(["PUBLISH", "to-tcp", "from wasm"]), 1);
  assert.equal(await got, "from wasm");
  c.disconnect();
  await shared.close();
  assert.equal(db.command(["PING"]), "PONG", "the engine outlives a server it was lent to");
  db.close();
});

test("a subscriber that stops reading is cut off at its output buffer limit", async () => {
  const limited = await listen({ port: 0, config: { "client-output-buffer-limit": "pubsub 256kb 0 0" } });
  const subscriber = netConnect(limited.port, "127.0.0.1");
  const closed = new Promise((resolve) => subscriber.on("close", resolve));
  subscriber.on("error", () => {});
  subscriber.write("SUBSCRIBE firehose\r\n");
  await new Promise((resolve) => subscriber.once("data", resolve));
  subscriber.pause();
  const publisher = new Redis({ port: limited.port, host: "127.0.0.1" });
  const message = "x".repeat(64 * 1024);
  let sent = 0;
  while ((await publisher.publish("firehose", message)) === 1 && sent < 2_000) sent++;
  // Past the kernel's socket buffers, node's queue grows until the engine's
  // limit drops the client; the socket is destroyed, not drained.
  assert.ok(sent < 2_000, `cut off after ${sent} messages of 64 KB`);
  assert.equal(await publisher.publish("firehose", "anyone?"), 0);
  subscriber.resume();
  await closed;
  await until(async () => !(await publisher.client("LIST")).includes("cmd=subscribe"));
  publisher.disconnect();
  await limited.close();
});
