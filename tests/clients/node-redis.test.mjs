// A real client library against redsim-server: node-redis (from tools/)
// runs pub/sub, transactions and blocking pops across connections, the
// way applications use them. `cargo xtask test` builds the server first.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(root, "tools", "package.json"));
const { createClient } = require("redis");

let server;
let url;

/** A free loopback port, found by letting the OS pick one. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function connect() {
  const client = createClient({ url });
  client.on("error", () => {});
  await client.connect();
  return client;
}

before(async () => {
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  const binary = join(root, "target", "debug", "redsim-server");
  server = spawn(binary, ["--port", String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.stdout.on("data", (chunk) => {
      if (chunk.toString().includes("ready")) resolve();
    });
  });
});

after(() => server?.kill());

test("strings, hashes and expiry through node-redis", async () => {
  const c = await connect();
  assert.equal(await c.set("greeting", "hello", { EX: 100 }), "OK");
  assert.equal(await c.get("greeting"), "hello");
  assert.equal(await c.ttl("greeting"), 100);
  assert.equal(await c.hSet("user:1", { name: "Ada", born: "1815" }), 2);
  assert.deepEqual({ ...(await c.hGetAll("user:1")) }, { name: "Ada", born: "1815" });
  await assert.rejects(c.incr("greeting"), /not an integer/);
  await c.quit();
});

test("a message published on one connection reaches a subscriber on another", async () => {
  const subscriber = await connect();
  const publisher = await connect();
  const received = new Promise((resolve) => {
    subscriber.subscribe("news", (message, channel) => resolve([channel, message]));
  });
  // Wait until the subscription is in place before publishing.
  for (let i = 0; i < 50 && (await publisher.pubSubNumSub("news")).news === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(await publisher.publish("news", "hello"), 1);
  assert.deepEqual(await received, ["news", "hello"]);
  await subscriber.quit();
  await publisher.quit();
});

test("MULTI/EXEC runs atomically and WATCH aborts after another client's write", async () => {
  const a = await connect();
  const b = await connect();
  const replies = await a.multi().set("counter", "1").incr("counter").get("counter").exec();
  assert.deepEqual(replies, ["OK", 2, "2"]);
  await a.executeIsolated(async (isolated) => {
    await isolated.watch("counter");
    await b.set("counter", "100");
    await assert.rejects(isolated.multi().incr("counter").exec(), /WatchError|watch/i);
  });
  assert.equal(await a.get("counter"), "100");
  await a.quit();
  await b.quit();
});

test("a blocked BLPOP is served by a push from another connection", async () => {
  const waiter = await connect();
  const pusher = await connect();
  const popped = waiter.executeIsolated((isolated) => isolated.blPop("jobs", 5));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await pusher.rPush("jobs", "job-1"), 1);
  assert.deepEqual(await popped, { key: "jobs", element: "job-1" });
  assert.equal(await pusher.lLen("jobs"), 0);
  await waiter.quit();
  await pusher.quit();
});
