// The TypeScript declarations (the client's generated from the command
// table), checked as a user's code sees them: a program using every part
// of the API is compiled (strict, node16
// resolution through the package's `exports`) against the installed
// tarball with the pinned TypeScript; it must compile, and misuse must not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installPackedTarball, requireDev } from "../test-support/install.mjs";

const scratch = installPackedTarball();
const tsc = requireDev.resolve("typescript/bin/tsc");

const usage = `
import { Redsim, RedsimError, Client, createClient, commandOptions, WatchError, MultiErrorReply, type Reply, type Change, type RedisClient, type RedisReply, type ScoredMember, type StreamEntry } from "redsim";
import { listen, type RedsimServer } from "redsim/server";

export async function main(): Promise<void> {
  const db: Redsim = await Redsim.create({ clock: "manual", now: 0, seed: 1n, maxmemory: "10mb", config: { "maxmemory-policy": "allkeys-lru" }, buffers: false });
  const reply: Reply | Promise<Reply> = db.command(["SET", "k", new Uint8Array([1]), 5, 10n], { buffers: true });
  const line = db.execLine("GET k");
  db.command(["get", "k"]);
  db.command(["Config", "GET", "maxmemory"]);
  db.command(["COMMAND"]);
  db.command(["ZADD", "z", 1, "a", 2n, "b"]);
  db.command("SET k v".split(" "));
  const name: string = "GET";
  db.command([name]);
  const printed: string = db.cli("GET k");
  const batch: Reply[] | Promise<Reply[]> = db.pipeline([["SET", "k", 1], ["GET", "k"], "INCR n".split(" ")], { buffers: true });
  const client: Client = db.connect({ buffers: true });
  client.subscribe("ch", (message, channel) => void [message, channel]);
  client.psubscribe(["a*", "b*"], (message, channel, pattern) => void [message, channel, pattern]);
  client.unsubscribe();
  client.punsubscribe("a*");
  client.on("push", (push: Reply[]) => void push);
  db.on("change", (changes: Change[]) => void changes.map((c) => [c.db, c.key ?? "whole db"]));
  db.advanceTime(10);
  const now: number = db.now();
  const rdb: Uint8Array = db.snapshot();
  const copy = await Redsim.fromSnapshot(rdb, { clock: "real" });
  const id: number = client.id;
  const closed: boolean = client.closed;
  const srv: RedsimServer = await listen({ port: 0, host: "127.0.0.1", db: copy });
  const port: number = srv.port;
  await srv.close();
  try { await db.command(["BLPOP", "q", 1]); } catch (err) { if (err instanceof RedsimError) void err.message; }
  client.close();
  db.close();
  void [reply, line, printed, batch, now, id, closed, port];
}

// The node-redis–style client, its methods generated from the command table.
export async function nodeRedisStyle(db: Redsim): Promise<void> {
  const redis: RedisClient = createClient({ db, database: 1, name: "app" });
  redis.on("error", (err: Error) => void err.message).on("ready", () => {});
  await redis.connect();
  const ok: string | null = await redis.set("k", "v", { EX: 60, NX: true });
  const value: string | null = await redis.get("k");
  const hash: Record<string, string> = await redis.hGetAll("h");
  const added: number = await redis.hSet("h", { a: "1", b: 2 });
  const count: number = await redis.exists(["k", "h"]);
  const expired: boolean = await redis.expire("k", 10, { NX: true });
  await redis.expire("k", 10, "GT");
  await redis.expire("k", 10, "gt");
  await redis.geoRadius("g", { longitude: 13.36, latitude: 38.11 }, 10, "km");
  await redis.hSet("h", "field", "value");
  await redis.zAdd("z", [{ score: 1, value: "a" }], { CH: true });
  const scored: ScoredMember[] = await redis.zRangeWithScores("z", 0, -1);
  const byScore: string[] = await redis.zRange("z", 0, 10, { BY: "SCORE", REV: true, LIMIT: { offset: 0, count: 5 } });
  const popped = await redis.blPop(["q1", "q2"], 1);
  const element: string | undefined = popped?.element;
  const scan: { cursor: number; keys: string[] } = await redis.scan(0, { MATCH: "k*", COUNT: 10 });
  const streams = await redis.xReadGroup("g", "c", [{ key: "s", id: ">" }], { COUNT: 1, BLOCK: 0 });
  const entry: StreamEntry | undefined = streams?.[0]?.messages[0];
  const raw: RedisReply = await redis.sendCommand(["OBJECT", "ENCODING", "k"]);
  const bytes = await redis.get(commandOptions({ returnBuffers: true }), "k");
  for await (const key of redis.scanIterator({ MATCH: "k*", COUNT: 100 })) void key.length;
  for await (const { field, value } of redis.hScanIterator("h")) void [field, value];
  for await (const member of redis.zScanIterator("z", { COUNT: 10 })) void member.score;
  const sub: RedisClient = redis.duplicate();
  await sub.connect();
  await sub.subscribe("ch", (message: string, channel: string) => void [message, channel]);
  const results: unknown[] = await redis.multi().set("a", "1").incr("a").hGetAll("h").exec();
  try { await redis.multi().watch("a").exec(); } catch (err) { if (err instanceof WatchError || err instanceof MultiErrorReply) void err; }
  const quit: string = await redis.quit();
  await sub.disconnect();
  void [ok, value, hash, added, count, expired, scored, byScore, element, scan, entry, raw, bytes, results, quit, redis.isOpen, redis.isReady];
}
`;

function compile(source) {
  writeFileSync(join(scratch, "usage.mts"), source);
  const args = ["--noEmit", "--strict", "--module", "node16", "--moduleResolution", "node16", "--target", "es2022", join(scratch, "usage.mts")];
  try {
    execFileSync(process.execPath, [tsc, ...args], { cwd: scratch, encoding: "utf8" });
    return "";
  } catch (err) {
    return err.stdout;
  }
}

test("index.d.ts and server.d.ts describe the API a program uses", () => {
  assert.equal(compile(usage), "");
});

test("the declarations refuse what the API refuses", () => {
  const errors = compile(
    [
      `import { Redsim } from "redsim";`,
      `Redsim.create({ clock: "sundial" });`,
      `new Redsim();`,
      `const db = await Redsim.create();`,
      `db.command("GET k");`,
      `db.command(["GTE", "k"]);`,
      `db.command(["GET"]);`,
      `db.command(["GET", "k", "extra"]);`,
      `db.command(["CONFIG", "GRT", "maxmemory"]);`,
    ].join("\n"),
  );
  assert.match(errors, /usage\.mts\(2,\d+\): error TS2322: Type '"sundial"'/);
  assert.match(errors, /usage\.mts\(3,\d+\): error TS2673: Constructor of class 'Redsim' is private/);
  assert.match(errors, /usage\.mts\(5,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'readonly Arg\[\]'/);
  // Names and arities from the command table (pkg/command-args.d.ts).
  assert.match(errors, /usage\.mts\(6,\d+\): error TS2345: .*\{ "unknown command": "GTE"; \}/);
  for (const line of [7, 8]) {
    assert.match(errors, new RegExp(`usage\\.mts\\(${line},\\d+\\): error TS2345: .*\\{ "wrong subcommand or number of arguments for": "GET"; \\}`));
  }
  assert.match(errors, /usage\.mts\(9,\d+\): error TS2345: .*\{ "wrong subcommand or number of arguments for": "CONFIG"; \}/);
});

test("the generated client's declarations refuse what node-redis's would", () => {
  const errors = compile(
    [
      `import { createClient } from "redsim";`,
      `const redis = createClient();`,
      `await redis.set("k", "v", { EXPIRE: 10 });`,
      `await redis.zAdd("z", { score: 1 });`,
      `const n: string = await redis.exists("k");`,
      `await redis.hGetAll();`,
      `redis.multi().get("k").exec().then((r) => r.length).finally(() => redis.noSuchCommand());`,
    ].join("\n"),
  );
  assert.match(errors, /usage\.mts\(3,\d+\): error TS2345: Argument of type '\["k", "v", \{ EXPIRE: number; \}\]' is not assignable/);
  assert.match(errors, /usage\.mts\(4,\d+\): error TS2345: Argument of type '\["z", \{ score: number; \}\]' is not assignable/);
  assert.match(errors, /usage\.mts\(5,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
  assert.match(errors, /usage\.mts\(6,\d+\): error TS2345: Argument of type '\[\]' is not assignable to parameter of type '\[key: RedisArg\]/);
  assert.match(errors, /usage\.mts\(7,\d+\): error TS2339: Property 'noSuchCommand' does not exist/);
});

test("the declarations are generated from the command table and say so", () => {
  const args = readFileSync(join(scratch, "node_modules", "redsim", "pkg", "command-args.d.ts"), "utf8");
  assert.match(args.split("\n")[0], /^\/\/ Generated by `cargo xtask` \(xtask\/src\/npm_command_args\.rs\) from the engine's command table\. Do not edit\.$/);
  assert.match(args, /^  \| readonly \[Word<"SET">, Arg, Arg, \.\.\.Arg\[\]\]$/m);
  const generated = readFileSync(join(scratch, "node_modules", "redsim", "pkg", "commands.d.ts"), "utf8");
  assert.match(generated.split("\n")[0], /^\/\/ Generated by `cargo xtask` \(xtask\/src\/npm_client\.rs\) from the engine's command table\. Do not edit\.$/);
  assert.match(generated, /^  hGetAll\(key: RedisArg\): Record<string, string>;$/m);
  assert.match(generated, /^  xReadGroup\(group: RedisArg, consumer: RedisArg, streams: /m);
});
