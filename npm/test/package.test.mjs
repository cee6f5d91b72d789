// Installs the packed tarball into a scratch project, as a user would, and
// runs commands through the installed package. `cargo xtask test` builds
// `pkg/` and packs before running this.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..");

function installPackedTarball() {
  const scratch = mkdtempSync(join(tmpdir(), "redsim-npm-"));
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], {
    cwd: packageDir,
    encoding: "utf8",
  }).trim().split("\n").pop();
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(scratch, packed)], {
    cwd: scratch,
    stdio: "ignore",
  });
  assert.ok(readdirSync(join(scratch, "node_modules", "redsim", "pkg", "node")).some((f) => f.endsWith(".wasm")));
  return scratch;
}

const scratch = installPackedTarball();
const { Redsim, RedsimError } = await import(
  pathToFileURL(join(scratch, "node_modules", "redsim", "node.mjs")).href
);

test("SET, GET and TTL through the installed package", async () => {
  const db = await Redsim.create({ clock: "manual", now: 1_000_000 });
  assert.equal(db.command(["SET", "greeting", "hello", "EX", "100"]), "OK");
  assert.equal(db.command(["GET", "greeting"]), "hello");
  assert.equal(db.command(["TTL", "greeting"]), 100);
  db.advanceTime(40_000);
  assert.equal(db.command(["TTL", "greeting"]), 60);
  db.advanceTime(60_000);
  assert.equal(db.command(["GET", "greeting"]), null);
  assert.equal(db.command(["TTL", "greeting"]), -2);
});

test("errors are thrown as RedsimError with Redis's text", async () => {
  const db = await Redsim.create();
  db.command(["RPUSH", "list", "a"]);
  assert.throws(() => db.command(["GET", "list"]), (err) => {
    assert.ok(err instanceof RedsimError);
    assert.equal(err.message, "WRONGTYPE Operation against a key holding the wrong kind of value");
    return true;
  });
  assert.throws(() => db.command(["NOPE"]), /ERR unknown command 'NOPE'/);
});

test("execLine prints what redis-cli prints", async () => {
  const db = await Redsim.create();
  assert.equal(db.execLine("SET k \"a b\""), "OK");
  assert.equal(db.execLine("GET k"), "\"a b\"");
  assert.equal(db.execLine("RPUSH l x y"), "(integer) 2");
  assert.equal(db.execLine("LRANGE l 0 -1"), "1) \"x\"\n2) \"y\"");
  assert.equal(db.execLine("GET \"unbalanced"), "Invalid argument(s)");
});

test("binary arguments and big integers", async () => {
  const db = await Redsim.create();
  assert.equal(db.command(["SET", new Uint8Array([107]), new Uint8Array([0x76])]), "OK");
  assert.equal(db.command(["GET", "k"]), "v");
  const hello = db.command(["HELLO", "3"]);
  assert.ok(hello instanceof Map);
  assert.equal(hello.get("proto"), 3);
});

test("maxmemory defaults to 64mb, so a runaway loop gets OOM instead of exhausting the tab", async () => {
  const db = await Redsim.create();
  assert.deepEqual(db.command(["CONFIG", "GET", "maxmemory"]), new Map([["maxmemory", "67108864"]]));
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
});
