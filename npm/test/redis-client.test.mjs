// The node-redis–style client (`createClient` from "redsim"), from the
// installed tarball. Its method names are compared with node-redis 4.7.0's
// own, and its replies with what node-redis itself returns for the same
// calls against an engine served by `redsim/server`: the engines agree, so
// any difference is the client's (arguments built from the command table,
// node-redis's reply transforms).
import { test } from "node:test";
import assert from "node:assert/strict";
import { installPackedTarball, importFrom, requireDev } from "../test-support/install.mjs";

const scratch = installPackedTarball();
const redsim = await importFrom(scratch, "redsim");
const { listen } = await importFrom(scratch, "redsim/server");
const nodeRedis = requireDev("redis");
const nodeRedisCommands = requireDev("@redis/client/dist/lib/client/commands").default;

/** Our client and node-redis's over loopback, each on a fresh engine. */
async function pair() {
  const ours = redsim.createClient();
  await ours.connect();
  const srv = await listen({ port: 0 });
  const theirs = nodeRedis.createClient({ url: `redis://127.0.0.1:${srv.port}` });
  theirs.on("error", () => {});
  await theirs.connect();
  return {
    ours,
    theirs,
    close: async () => {
      await Promise.all([ours.quit(), theirs.quit()]);
      await srv.close();
    },
  };
}

/** A call's reply, or its error's message (the error classes are each library's own). */
const outcome = (promise) => promise.then((value) => ({ value }), (err) => ({ error: err.message }));

test("every command node-redis has a method for has it under the same name", () => {
  const proto = Object.getPrototypeOf(redsim.createClient());
  const shared = [];
  for (const [upper, module] of Object.entries(nodeRedisCommands)) {
    if (upper !== upper.toUpperCase() || typeof proto[upper] !== "function") continue;
    const camel = Object.keys(nodeRedisCommands).find((k) => nodeRedisCommands[k] === module && k !== k.toUpperCase());
    shared.push(camel);
    assert.equal(typeof proto[camel], "function", `${upper} → ${camel}`);
  }
  assert.ok(shared.length > 240, `${shared.length} commands in common`);
  const variants = [
    "zRangeWithScores", "zRangeByScoreWithScores", "zUnionWithScores", "zInterWithScores", "zDiffWithScores",
    "zPopMinCount", "zPopMaxCount", "zRandMemberCount", "zRandMemberCountWithScores", "hRandFieldCount",
    "hRandFieldCountWithValues", "sRandMemberCount", "lPopCount", "rPopCount", "lPosCount", "sortStore", "hScanNoValues",
    "lcsLen", "lcsIdx", "lcsIdxWithMatchLen", "xClaimJustId", "xAutoClaimJustId", "xPendingRange", "geoRadiusWith",
    "geoRadiusRoWith", "geoRadiusByMemberWith", "geoRadiusByMemberRoWith", "geoSearchWith", "functionListWithCode",
  ];
  for (const variant of variants) {
    assert.ok(variant in nodeRedisCommands && typeof proto[variant] === "function", variant);
  }
});

test("replies and arguments are node-redis's for the commands the guides use", async () => {
  const { ours, theirs, close } = await pair();
  const script = [
    ["set", "k", "v", { EX: 100 }],
    ["get", "k"],
    ["ttl", "k"],
    ["set", "k", "w", { NX: true }],
    ["set", "k", "w", { XX: true, GET: true }],
    ["set", "n", 5, { PX: 100_000 }],
    ["set", "n", 6, { KEEPTTL: true }],
    ["get", "missing"],
    ["incrBy", "n", 3],
    ["incrByFloat", "n", 1.5],
    ["decr", "counter"],
    ["exists", ["k", "n", "x"]],
    ["exists", "k"],
    ["expire", "k", 50],
    ["expire", "nope", 5],
    ["expire", "k", 40, "XX"],
    ["expire", "k", 30, "NX"],
    ["pExpire", "k", 45_000, "LT"],
    ["ttl", "k"],
    ["pTTL", "nope"],
    ["persist", "n"],
    ["mSet", { a: "1", b: "2" }],
    ["mGet", ["a", "b", "c"]],
    ["setNX", "a", "x"],
    ["del", ["a", "b"]],
    ["hSet", "h", { f1: "1", f2: 2 }],
    ["hSet", "h", "f3", "3"],
    ["hSet", "h", new Map([["f4", "4"]])],
    ["hGetAll", "h"],
    ["hGetAll", "none"],
    ["hGet", "h", "f2"],
    ["hExists", "h", "f1"],
    ["hIncrBy", "h", "f1", 5],
    ["hmGet", "h", ["f1", "zz"]],
    ["hKeys", "h"],
    ["hLen", "h"],
    ["hDel", "h", "f4"],
    ["lPush", "l", ["a", "b", "c"]],
    ["rPush", "l", "d"],
    ["lRange", "l", 0, -1],
    ["lPop", "l"],
    ["lLen", "l"],
    ["blPop", "l", 1],
    ["brPop", ["empty", "l"], 1],
    ["sAdd", "s", ["x", "y"]],
    ["sIsMember", "s", "x"],
    ["smIsMember", "s", ["x", "q"]],
    ["sMembers", "s"],
    ["sCard", "s"],
    ["zAdd", "z", [{ score: 1, value: "one" }, { score: 2.5, value: "two" }]],
    ["zAdd", "z", { score: 3, value: "one" }, { XX: true, CH: true }],
    ["zAdd", "z", { score: Infinity, value: "top" }],
    ["zScore", "z", "two"],
    ["zScore", "z", "top"],
    ["zScore", "z", "nope"],
    ["zIncrBy", "z", 1, "two"],
    ["zRangeWithScores", "z", 0, -1],
    ["zRange", "z", 0, 10, { BY: "SCORE", LIMIT: { offset: 0, count: 1 } }],
    ["zRange", "z", 0, -1, { REV: true }],
    ["zRangeByScoreWithScores", "z", "-inf", "+inf"],
    ["zmScore", "z", ["one", "x"]],
    ["zRank", "z", "one"],
    ["zCard", "z"],
    ["zPopMin", "z"],
    ["bzPopMax", "z", 1],
    ["zPopMin", "emptyz"],
    ["scan", 0],
    ["scan", 0, { MATCH: "h*", COUNT: 100 }],
    ["hScan", "h", 0],
    ["sScan", "s", 0],
    ["zScan", "z", 0],
    ["xAdd", "st", "1-1", { f: "v" }],
    ["xAdd", "st", "2-1", { g: "w" }, { NOMKSTREAM: true }],
    ["xRange", "st", "-", "+"],
    ["xRevRange", "st", "+", "-"],
    ["xRead", { key: "st", id: "0" }, { COUNT: 1 }],
    ["xRead", [{ key: "st", id: "1-1" }, { key: "s2", id: "0" }]],
    ["xGroupCreate", "st", "g", "0"],
    ["xReadGroup", "g", "c", { key: "st", id: ">" }, { COUNT: 1 }],
    ["xAck", "st", "g", "1-1"],
    ["xLen", "st"],
    ["geoAdd", "geo", [{ longitude: 13.361389, latitude: 38.115556, member: "Palermo" }, { longitude: 15.087269, latitude: 37.502669, member: "Catania" }]],
    ["geoAdd", "geo", { longitude: 13.5, latitude: 38, member: "Palermo" }, { XX: true, CH: true }],
    ["geoPos", "geo", ["Palermo", "nowhere"]],
    ["geoDist", "geo", "Palermo", "Catania", "km"],
    ["geoDist", "geo", "Palermo", "nowhere"],
    ["geoSearch", "geo", "Palermo", { radius: 200, unit: "km" }],
    ["geoSearch", "geo", { longitude: 15, latitude: 37 }, { width: 400, height: 400, unit: "km" }],
    ["getEx", "k", { PERSIST: true }],
    ["ttl", "k"],
    ["getDel", "k"],
    ["type", "h"],
    ["objectEncoding", "h"],
    ["configGet", "maxmemory-policy"],
    ["rename", "n", "m"],
    ["append", "m", "x"],
    ["strLen", "m"],
    ["incr", "h"],
    ["clientSetName", "me"],
    ["clientGetName"],
    ["publish", "ch", "hello"],
    ["dbSize"],
    ["ping"],
    ["echo", "hi"],
    ["eval", "return {KEYS[1], ARGV[1], ARGV[2], #KEYS}", { keys: ["k1"], arguments: ["a1", "2"] }],
    ["eval", "return 7"],
    ["eval", "return redis.call('incr', KEYS[1])", { keys: ["m"] }],
    ["scriptLoad", "return 1"],
    ["evalSha", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"],
    ["evalShaRo", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", { keys: [] }],
    ["evalRo", "return redis.call('get', KEYS[1])", { keys: ["m"] }],
    ["scriptExists", ["e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "ffff"]],
    ["functionLoad", "#!lua name=t\nredis.register_function('tf', function(keys, args) return {keys[1], args[1]} end)"],
    ["fCall", "tf", { keys: ["k"], arguments: ["x"] }],
    ["fCallRo", "tf", { arguments: ["x"] }],
    ["functionFlush"],
    ["scriptFlush"],
    ["flushAll"],
    ["dbSize"],
  ];
  for (const [method, ...args] of script) {
    const expected = await outcome(theirs[method](...args));
    const actual = await outcome(ours[method](...args));
    assert.deepStrictEqual(actual, expected, `${method}(${JSON.stringify(args)})`);
  }
  assert.deepStrictEqual(
    await outcome(ours.sendCommand(["HSET", "x", "a", "1"])),
    await outcome(theirs.sendCommand(["HSET", "x", "a", "1"])),
  );

  for (const client of [ours, theirs]) {
    await client.mSet({ k1: "1", k2: "2", k3: "3" });
    await client.hSet("hi", { a: "1", b: "2", c: "3" });
    await client.sAdd("si", ["x", "y", "z"]);
    await client.zAdd("zi", [{ score: 1, value: "m" }, { score: 2, value: "n" }]);
  }
  const drain = async (iterator) => {
    const items = [];
    for await (const item of iterator) items.push(item);
    return items;
  };
  const iterations = [["scanIterator", { MATCH: "k*", COUNT: 1 }], ["scanIterator"], ["hScanIterator", "hi"], ["sScanIterator", "si", { COUNT: 1 }], ["zScanIterator", "zi"]];
  for (const [method, ...args] of iterations) {
    assert.deepStrictEqual(await drain(ours[method](...args)), await drain(theirs[method](...args)), method);
  }
  await close();
});

test("multi().…exec() answers as node-redis's: replies transformed, errors and WATCH", async () => {
  const { ours, theirs, close } = await pair();
  for (const client of [ours, theirs]) {
    await client.hSet("h", { a: "1" });
  }
  const run = (client) => client.multi().set("k", "1").incr("k").hGetAll("h").expire("k", 10).exec();
  assert.deepStrictEqual(await run(ours), await run(theirs));
  assert.deepStrictEqual(await run(ours), ["OK", 2, Object.assign(Object.create(null), { a: "1" }), true]);

  const failing = (client) => client.multi().set("s", "x").incr("s").get("s").exec().catch((err) => err);
  const [mine, node] = [await failing(ours), await failing(theirs)];
  assert.equal(mine.message, node.message);
  assert.deepEqual(mine.errorIndexes, node.errorIndexes);
  assert.equal(mine.replies[1].message, node.replies[1].message);

  // A WATCHed key written by another connection: EXEC fails with WatchError.
  const watched = async (client) => {
    const other = client.duplicate();
    await other.connect();
    await client.watch("w");
    await other.set("w", "changed");
    await other.quit();
    return client.multi().set("w", "mine").exec().catch((err) => err);
  };
  const [lost, nodeLost] = [await watched(ours), await watched(theirs)];
  assert.ok(lost instanceof redsim.WatchError && nodeLost instanceof nodeRedis.WatchError);
  assert.equal(lost.message, nodeLost.message);
  assert.deepStrictEqual(
    await ours.multi().get("w").set("p", "1").execAsPipeline(),
    await theirs.multi().get("w").set("p", "1").execAsPipeline(),
  );
  await close();
});

test("connection lifecycle, events, duplicate, pub/sub and blocking pops", async () => {
  const client = redsim.createClient();
  const events = [];
  for (const event of ["connect", "ready", "end"]) client.on(event, () => events.push(event));
  assert.equal(client.isOpen, false);
  await assert.rejects(client.get("k"), { name: "ClientClosedError", message: "The client is closed" });
  assert.equal(await client.connect(), client);
  assert.deepEqual([events, client.isOpen, client.isReady], [["connect", "ready"], true, true]);

  // A duplicate shares the engine: a subscriber and a worker waiting on a list.
  const subscriber = client.duplicate();
  await subscriber.connect();
  const messages = [];
  await subscriber.subscribe("news", (message, channel) => messages.push([channel, message]));
  await subscriber.pSubscribe("n*", (message, channel) => messages.push(["pattern", channel, message]));
  assert.equal(await client.publish("news", "hi"), 2);
  assert.deepEqual(messages, [["news", "hi"], ["pattern", "news", "hi"]]);
  await subscriber.unsubscribe("news");
  await subscriber.pUnsubscribe();
  assert.equal(await client.publish("news", "again"), 0);

  const worker = client.duplicate();
  await worker.connect();
  const job = worker.blPop("jobs", 5);
  await client.lPush("jobs", "j1");
  assert.deepEqual(await job, { key: "jobs", element: "j1" });

  // A command sent while a blocking one waits follows it, as on node-redis's
  // socket; an isolated one does not wait.
  const order = [];
  const waiting = worker.brPop("later", 5).then((reply) => order.push(["brPop", reply]));
  const behind = worker.set("after", "1").then((reply) => order.push(["set", reply]));
  const isolated = worker.blPop(redsim.commandOptions({ isolated: true }), "other", 5).then((reply) => order.push(["isolated", reply]));
  assert.equal(await worker.get(redsim.commandOptions({ isolated: true }), "after"), null);
  await client.rPush("other", "o");
  await isolated;
  await client.rPush("later", "l");
  await Promise.all([waiting, behind]);
  assert.deepEqual(order, [["isolated", { key: "other", element: "o" }], ["brPop", { key: "later", element: "l" }], ["set", "OK"]]);

  // Replies as bytes, as node-redis's commandOptions asks.
  await client.set("bin", "\x01\x02");
  assert.deepEqual(await client.get(redsim.commandOptions({ returnBuffers: true }), "bin"), new Uint8Array([1, 2]));
  await assert.rejects(client.set("k"), { name: "TypeError", message: "set: missing value" });

  assert.equal(await client.quit(), "OK");
  assert.deepEqual([events, client.isOpen, client.isReady], [["connect", "ready", "end"], false, false]);
  // The engine lives while a duplicate is open.
  assert.equal(await worker.get("bin"), "\x01\x02");
  await Promise.all([worker.disconnect(), subscriber.disconnect()]);
});

test("createClient({ db }) is a client of an existing engine, with database and name", async () => {
  const db = await redsim.Redsim.create({ clock: "manual" });
  db.command(["SELECT", "2"]);
  db.command(["SET", "k", "from db"]);
  const client = redsim.createClient({ db, database: 2, name: "web" });
  await client.connect();
  assert.equal(await client.get("k"), "from db");
  assert.equal(await client.clientGetName(), "web");
  await client.set("k", "ttl", { EX: 10 });
  db.advanceTime(10_000);
  assert.equal(await client.get("k"), null);
  await client.disconnect();
  assert.equal(db.command(["PING"]), "PONG");
  db.close();
});

/** A reply with what differs between two engines or connections (ids, times, sizes) reduced to its type. */
function shape(value) {
  if (Array.isArray(value)) return value.map(shape);
  if (value instanceof Date) return "Date";
  if (value instanceof Set) return "Set";
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return Number.isNaN(value) ? "NaN" : typeof value;
}

test("node-redis's reply transforms and variants: Count/With methods, streams, server replies", async () => {
  const { ours, theirs, close } = await pair();
  const script = [
    ["zAdd", "z", [1, 2, 3, 4, 5, 6].map((score) => ({ score, value: `m${score}` }))],
    ["zPopMinCount", "z", 2],
    ["zPopMaxCount", "z", 1],
    ["zmPop", ["nope", "z"], "MIN"],
    ["zmPop", "nope", "MAX"],
    ["bzmPop", 1, "z", "MAX", { COUNT: 5 }],
    ["zAdd", "r", { score: 1.5, value: "only" }],
    ["zRandMemberCount", "r", 2],
    ["zRandMemberCountWithScores", "r", 1],
    ["zInter", ["r", "r"]],
    ["zUnionWithScores", ["r", "none"], { AGGREGATE: "MAX" }],
    ["zRangeStore", "rdst", "r", 0, -1],
    ["hSet", "h", { f: "v" }],
    ["hRandFieldCount", "h", 3],
    ["hRandFieldCountWithValues", "h", 1],
    ["hScanNoValues", "h", 0],
    ["sAdd", "s", "x"],
    ["sRandMemberCount", "s", 2],
    ["sInterCard", ["s", "s"]],
    ["rPush", "l", ["a", "b", "a", "c", "a"]],
    ["lPosCount", "l", "a", 0],
    ["lPosCount", "l", "a", 1, { RANK: 2 }],
    ["lmPop", ["none", "l"], "LEFT", { COUNT: 1 }],
    ["lPopCount", "l", 2],
    ["rPopCount", "l", 1],
    ["lPopCount", "none", 1],
    ["rPush", "nums", ["3", "1", "2"]],
    ["sortStore", "nums", "sorted"],
    ["lRange", "sorted", 0, -1],
    ["set", "k1", "ohmytext"],
    ["set", "k2", "mynewtext"],
    ["lcsLen", "k1", "k2"],
    ["lcsIdx", "k1", "k2"],
    ["lcsIdxWithMatchLen", "k1", "k2"],
    ["geoAdd", "geo", [{ longitude: 13.361389, latitude: 38.115556, member: "Palermo" }, { longitude: 15.087269, latitude: 37.502669, member: "Catania" }]],
    ["geoRadius", "geo", { longitude: 15, latitude: 37 }, 200, "km"],
    ["geoRadiusWith", "geo", { longitude: 15, latitude: 37 }, 200, "km", ["WITHDIST", "WITHCOORD"]],
    ["geoRadiusRoWith", "geo", { longitude: 15, latitude: 37 }, 200, "km", ["WITHHASH"]],
    ["geoRadiusByMemberWith", "geo", "Palermo", 200, "km", ["WITHCOORD", "WITHHASH", "WITHDIST"]],
    ["geoRadiusByMemberRoWith", "geo", "Catania", 50, "km", ["WITHDIST"]],
    ["geoSearchWith", "geo", "Palermo", { radius: 200, unit: "km" }, ["WITHDIST", "WITHHASH"]],
    ["geoSearchStore", "gdst", "geo", "Palermo", { radius: 200, unit: "km" }],
    ["xAdd", "st", "1-1", { a: "1" }],
    ["xAdd", "st", "2-1", { b: "2" }],
    ["xAdd", "st", "3-1", { c: "3" }],
    ["xInfoStream", "st"],
    ["xGroupCreate", "st", "g", "0"],
    ["xGroupCreateConsumer", "st", "g", "c2"],
    ["xGroupCreateConsumer", "st", "g", "c2"],
    ["xReadGroup", "g", "c", { key: "st", id: ">" }],
    ["xPending", "st", "g"],
    ["xPending", "st", "none"],
    ["xClaim", "st", "g", "c2", 0, "1-1"],
    ["xClaimJustId", "st", "g", "c2", 0, ["2-1", "3-1"]],
    ["xDel", "st", "2-1"],
    ["xAutoClaim", "st", "g", "c", 0, "0-0", { COUNT: 5 }],
    ["xAutoClaimJustId", "st", "g", "c2", 0, "0-0"],
    ["xPending", "st", "g"],
    ["xInfoGroups", "st"],
    ["xInfoStream", "st"],
    ["xGroupDestroy", "st", "g"],
    ["xGroupDestroy", "st", "g"],
    ["pubSubNumSub", ["a", "b"]],
    ["pubSubShardNumSub", "a"],
    ["commandInfo", ["get", "nosuch", "xadd"]],
    ["commandGetKeysAndFlags", ["set", "k", "v"]],
    ["commandGetKeys", ["mset", "a", "1", "b", "2"]],
    ["commandCount"],
    ["functionList"],
    ["functionListWithCode"],
    ["functionStats"],
    ["clientTrackingInfo"],
  ];
  for (const [method, ...args] of script) {
    const expected = await outcome(theirs[method](...args));
    const actual = await outcome(ours[method](...args));
    assert.deepStrictEqual(actual, expected, `${method}(${JSON.stringify(args)})`);
  }

  // Replies with ids, times and sizes that differ between the two engines: compared field by field in type.
  for (const client of [ours, theirs]) {
    await client.xAdd("st2", "1-1", { a: "1" });
    await client.xGroupCreate("st2", "g", "0");
    await client.xReadGroup("g", "c", { key: "st2", id: ">" });
  }
  const volatile = [
    ["xPendingRange", "st2", "g", "-", "+", 10],
    ["xPendingRange", "st2", "g", "-", "+", 10, { IDLE: 0, consumer: "c" }],
    ["xPendingRange", "st2", "g", "-", "+", 10, { consumer: "other" }],
    ["xInfoConsumers", "st2", "g"],
    ["clientInfo"],
    ["clientList"],
    ["clientList", { TYPE: "NORMAL" }],
    ["memoryStats"],
    ["time"],
    ["lastSave"],
    ["hello"],
    ["command"],
  ];
  for (const [method, ...args] of volatile) {
    const expected = await outcome(theirs[method](...args));
    const actual = await outcome(ours[method](...args));
    assert.deepStrictEqual(shape(actual), shape(expected), `${method}(${JSON.stringify(args)})`);
  }
  assert.equal((await ours.xPendingRange("st2", "g", "-", "+", 10))[0].owner, "c");
  const info = await ours.clientInfo();
  assert.deepStrictEqual([info.db, info.cmd], [0, "client|info"]);
  assert.ok((await ours.clientList()).some((client) => client.id === info.id && client.cmd === "client|list"));
  await close();
});
