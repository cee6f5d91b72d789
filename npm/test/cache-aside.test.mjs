// The Redis guides' cache-aside Express example (test-support/cache-aside.mjs,
// written for node-redis) runs on redsim with only its import changed: a
// real Express app over loopback, a fake database with a delay, a miss that
// reads the database, a hit that does not, and the TTL bringing it back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { installPackedTarball, packageDir } from "../test-support/install.mjs";

const scratch = installPackedTarball();
// Express comes from the package's pinned dev dependencies.
symlinkSync(join(packageDir, "node_modules", "express"), join(scratch, "node_modules", "express"));

const original = readFileSync(join(packageDir, "test-support", "cache-aside.mjs"), "utf8");
const ported = original.replace(`from "redis";`, `from "redsim";`);
const changed = original.split("\n").filter((line, i) => line !== ported.split("\n")[i]);
assert.deepEqual(changed, [`import { createClient } from "redis";`]);
writeFileSync(join(scratch, "cache-aside.mjs"), ported);
const { startServer } = await import(pathToFileURL(join(scratch, "cache-aside.mjs")).href);

test("the cache-aside Express example: a miss reads the database, a hit does not, the TTL ends the hit", async () => {
  const calls = [];
  const fetchProduct = async (id) => {
    calls.push(id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { id, name: `product ${id}`, price: 9.5 };
  };
  const app = await startServer({ fetchProduct, ttlSeconds: 1 });
  const get = async (id) => {
    const res = await fetch(`http://127.0.0.1:${app.port}/products/${id}`);
    assert.equal(res.status, 200);
    return res.json();
  };
  const product = { id: "42", name: "product 42", price: 9.5 };
  try {
    assert.deepEqual(await get("42"), { source: "database", product });
    assert.deepEqual(calls, ["42"]);
    assert.deepEqual(await get("42"), { source: "cache", product });
    assert.deepEqual(calls, ["42"]);
    assert.deepEqual(await get("7"), { source: "database", product: { ...product, id: "7", name: "product 7" } });
    assert.deepEqual(calls, ["42", "7"]);
    // Past the 1 s TTL the cached copy has expired: the database is read again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.deepEqual(await get("42"), { source: "database", product });
    assert.deepEqual(calls, ["42", "7", "42"]);
    assert.deepEqual(await get("42"), { source: "cache", product });
  } finally {
    await app.close();
  }
});
