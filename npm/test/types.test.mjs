// The TypeScript declarations, checked as a user's code sees them: a
// program using every part of the API is compiled (strict, node16
// resolution through the package's `exports`) against the installed
// tarball with the pinned TypeScript; it must compile, and misuse must not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { installPackedTarball, requireDev } from "../test-support/install.mjs";

const scratch = installPackedTarball();
const tsc = requireDev.resolve("typescript/bin/tsc");

const usage = `
import { Redsim, RedsimError, Client, type Reply, type Change } from "redsim";
import { listen, type RedsimServer } from "redsim/server";

export async function main(): Promise<void> {
  const db: Redsim = await Redsim.create({ clock: "manual", now: 0, seed: 1n, maxmemory: "10mb", config: { "maxmemory-policy": "allkeys-lru" }, buffers: false });
  const reply: Reply | Promise<Reply> = db.command(["SET", "k", new Uint8Array([1]), 5, 10n], { buffers: true });
  const line = db.execLine("GET k");
  const printed: string = db.cli("GET k");
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
  void [reply, line, printed, now, id, closed, port];
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
      `(await Redsim.create()).command("GET k");`,
    ].join("\n"),
  );
  assert.match(errors, /usage\.mts\(2,\d+\): error TS2322: Type '"sundial"'/);
  assert.match(errors, /usage\.mts\(3,\d+\): error TS2673: Constructor of class 'Redsim' is private/);
  assert.match(errors, /usage\.mts\(4,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'Arg\[\]'/);
});
