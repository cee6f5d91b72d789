// Persistence: the dataset is kept in IndexedDB (snapshot + journal) and
// survives a reload and a crashed tab; named snapshots; .rdb files that
// real redis-server 7.0 loads and writes; one writer among several tabs;
// a clear banner when storage is unavailable or full.
// Needs a release build (REDSIM_DIST, default dist/) and /usr/bin/redis-server.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, copyFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveDist } from "./serve-dist.mjs";
import { freshBrowsers, shots } from "./browser.mjs";
import { distDir, open, run, saved } from "./persist-helpers.mjs";

const site = await serveDist(distDir);
after(() => site.close());
/** A browser with a fresh profile: its own IndexedDB. */
const browser = freshBrowsers(after);

test("the dataset survives a reload", async () => {
  const context = await browser();
  const problems = [];
  let page = await open(context, site.url, problems);
  await saved(page);
  assert.equal(await run(page, "SET greeting hello"), "OK");
  assert.equal(await run(page, "RPUSH list a b c"), "(integer) 3");
  assert.equal(await run(page, "SELECT 2"), "OK");
  assert.equal(await run(page, "HSET user:1 name Ada"), "(integer) 1");
  await saved(page);
  await page.reload();
  await page.locator("#console-input-0").waitFor();
  assert.equal(await run(page, "GET greeting"), '"hello"');
  assert.equal(await run(page, "LRANGE list 0 -1"), '1) "a"\n2) "b"\n3) "c"');
  assert.equal(await run(page, "SELECT 2"), "OK");
  assert.equal(await run(page, "HGET user:1 name"), '"Ada"');
  assert.deepEqual(problems, []);
});

test("acknowledged writes survive a crashed tab (journal replay)", async () => {
  const context = await browser();
  const problems = [];
  let page = await open(context, site.url, problems);
  await saved(page);
  assert.equal(await run(page, "SET counter 10"), "OK");
  assert.equal(await run(page, "INCR counter"), "(integer) 11");
  assert.equal(await run(page, "SET session s1 EX 1000"), "OK");
  assert.equal(await run(page, "SADD colours red green blue"), "(integer) 3");
  assert.match(await run(page, "SPOP colours"), /^"(red|green|blue)"$/);
  assert.equal(await run(page, "MULTI"), "OK");
  assert.equal(await run(page, "LPUSH queue j1"), "QUEUED");
  assert.equal(await run(page, "DEL counter"), "QUEUED");
  assert.equal(await run(page, "EXEC"), "1) (integer) 1\n2) (integer) 1");
  const members = await run(page, "SMEMBERS colours");
  await saved(page);
  // The renderer dies at once: no pagehide, no snapshot on the way out;
  // only what the journal already holds can bring the data back.
  const cdp = await context.newCDPSession(page);
  const crash = page.waitForEvent("crash");
  cdp.send("Page.crash").catch(() => {});
  await crash;
  const crashed = problems.length;
  page = await open(context, site.url, problems);
  assert.equal(await run(page, "EXISTS counter"), "(integer) 0");
  assert.equal(await run(page, "LRANGE queue 0 -1"), '1) "j1"');
  assert.equal(await run(page, "SMEMBERS colours"), members, "SPOP's pick is kept");
  const ttl = Number((await run(page, "TTL session")).replace("(integer) ", ""));
  assert.ok(ttl > 990 && ttl <= 1000, `TTL kept its deadline: ${ttl}`);
  assert.deepEqual(problems.slice(crashed), []);
});

test("named snapshots: save, list, restore, delete", async () => {
  const context = await browser();
  const problems = [];
  const page = await open(context, site.url, problems);
  await run(page, "MSET a 1 b 2 c 3");
  await page.locator(".snapshots summary").click();
  await page.locator("#snapshot-name").fill("three keys");
  await page.locator("#snapshot-name").press("Enter");
  const row = page.locator("tr.snapshot", { hasText: "three keys" });
  await row.waitFor();
  assert.equal(await row.locator(".keys").textContent(), "3");
  assert.match(await row.textContent(), /\d+ B/);
  await run(page, "FLUSHALL");
  await run(page, "SET other x");
  await page.getByRole("button", { name: "restore three keys" }).click();
  await page.locator(".notice", { hasText: "Restored snapshot “three keys” (3 keys)" }).waitFor();
  assert.equal(await run(page, "MGET a b c other"), '1) "1"\n2) "2"\n3) "3"\n4) (nil)');
  // The restored data is what is saved now.
  await saved(page);
  await page.reload();
  await page.locator("#console-input-0").waitFor();
  assert.equal(await run(page, "DBSIZE"), "(integer) 3");
  await page.locator(".snapshots summary").click();
  await page.screenshot({ path: join(shots, "persistence-snapshots.png"), fullPage: true });
  await page.getByRole("button", { name: "delete three keys" }).click();
  await page.locator(".snapshots summary", { hasText: "snapshots (0)" }).waitFor();
  assert.deepEqual(problems, []);
});

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server 7.0 over `dir`/dump.rdb; answers a redis-cli. */
async function redis(dir) {
  let port = await freePort();
  while (port >= 6390 && port <= 6399) port = await freePort();
  const proc = spawn("/usr/bin/redis-server", [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir,
    "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
  ], { stdio: "ignore" });
  const cli = (...args) =>
    execFileSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8" }).trimEnd();
  for (let i = 0; ; i++) {
    try {
      if (cli("PING") === "PONG") break;
    } catch {}
    if (i > 100) throw new Error("redis-server did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  return { cli, stop: () => proc.kill("SIGKILL") };
}

test("a downloaded .rdb loads in real Redis, and Redis's own .rdb uploads", async () => {
  const context = await browser();
  const problems = [];
  const page = await open(context, site.url, problems);
  await run(page, "SET greeting hello");
  await run(page, "RPUSH list a b c");
  await run(page, "ZADD board 10 ada 20 bob");
  await run(page, "SELECT 5");
  await run(page, "HSET h f v");
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "download .rdb" }).click();
  const download = await downloading;
  assert.equal(download.suggestedFilename(), "dump.rdb");
  const dir = mkdtempSync(join(tmpdir(), "redsim-rdb-"));
  await download.saveAs(join(dir, "dump.rdb"));
  const real = await redis(dir);
  try {
    assert.equal(real.cli("GET", "greeting"), "hello");
    assert.equal(real.cli("LRANGE", "list", "0", "-1"), "a\nb\nc");
    assert.equal(real.cli("ZSCORE", "board", "bob"), "20");
    assert.equal(real.cli("-n", "5", "HGET", "h", "f"), "v");

    // Now the other way: Redis writes a file, the playground takes it.
    real.cli("FLUSHALL");
    real.cli("SET", "from:redis", "yes");
    real.cli("SADD", "set", "1", "2", "3");
    real.cli("-n", "3", "SET", "n", "12345");
    real.cli("SAVE");
  } finally {
    real.stop();
  }
  const upload = join(dir, "from-redis.rdb");
  copyFileSync(join(dir, "dump.rdb"), upload);
  await page.locator('.upload input[type="file"]').setInputFiles(upload);
  await page.locator(".notice", { hasText: "Loaded from-redis.rdb (3 keys)." }).waitFor();
  assert.equal(await run(page, "SELECT 0"), "OK");
  assert.equal(await run(page, "GET from:redis"), '"yes"');
  assert.equal(await run(page, "SCARD set"), "(integer) 3");
  assert.equal(await run(page, "EXISTS greeting"), "(integer) 0");
  assert.equal(await run(page, "SELECT 3"), "OK");
  assert.equal(await run(page, "GET n"), '"12345"');
  // A file that is not an RDB is refused and the data stays.
  await page.locator('.upload input[type="file"]').setInputFiles({
    name: "junk.rdb", mimeType: "application/octet-stream", buffer: Buffer.from("not redis"),
  });
  await page.locator(".notice", { hasText: "junk.rdb was not loaded: not an RDB file" }).waitFor();
  assert.equal(await run(page, "GET n"), '"12345"');
  assert.deepEqual(problems, []);
});

test("two tabs: one writes, the other is told and keeps changes in memory", async () => {
  const context = await browser();
  const problems = [];
  const first = await open(context, site.url, problems);
  await saved(first);
  await run(first, "SET shared before");
  await saved(first);
  const second = await open(context, site.url, problems);
  await second.locator(".banner", { hasText: "open in another tab" }).waitFor();
  assert.equal(await second.locator(".persist-status").getAttribute("data-state"), "memory");
  assert.equal(await run(second, "GET shared"), '"before"', "it read the saved data");
  await run(second, "SET shared from-second");
  await run(second, "SET only-second 1");
  await run(first, "SET from-first 1");
  await saved(first);
  await second.screenshot({ path: join(shots, "persistence-second-tab.png") });
  assert.equal(await first.locator(".banner").count(), 0);
  await first.close({ runBeforeUnload: false });
  await second.locator(".banner", { hasText: "The tab that saved this playground has closed" }).waitFor();
  await second.close({ runBeforeUnload: false });
  const third = await open(context, site.url, problems);
  await saved(third);
  assert.equal(await run(third, "GET shared"), '"before"');
  assert.equal(await run(third, "EXISTS only-second from-first"), "(integer) 1");
  assert.equal(await run(third, "GET from-first"), '"1"');
  assert.deepEqual(problems, []);
});

test("IndexedDB unavailable: a banner, and the playground works in memory", async () => {
  const context = await browser();
  await context.addInitScript(() => {
    IDBFactory.prototype.open = () => {
      throw new DOMException("The user denied permission to access the database.", "SecurityError");
    };
  });
  const problems = [];
  const page = await open(context, site.url, problems);
  await page.locator(".banner", { hasText: "Browser storage (IndexedDB) is unavailable (SecurityError" }).waitFor();
  assert.equal(await page.locator(".persist-status").getAttribute("data-state"), "memory");
  assert.equal(await page.locator(".snapshots").count(), 0);
  assert.equal(await run(page, "SET k v"), "OK");
  assert.equal(await run(page, "GET k"), '"v"');
  await page.setViewportSize({ width: 390, height: 800 });
  await page.screenshot({ path: join(shots, "persistence-unavailable-390.png"), fullPage: true });
  assert.deepEqual(problems, []);
});

test("storage full: a banner, earlier data kept, later changes in memory", async () => {
  const context = await browser();
  await context.addInitScript(() => {
    for (const method of ["put", "add"]) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (...args) {
        if (window.storageFull) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        return original.apply(this, args);
      };
    }
  });
  const problems = [];
  const page = await open(context, site.url, problems);
  assert.equal(await run(page, "SET kept 1"), "OK");
  await saved(page);
  await page.evaluate(() => (window.storageFull = true));
  assert.equal(await run(page, "SET lost 1"), "OK");
  await page.locator(".banner", { hasText: "Browser storage is full (QuotaExceededError" }).waitFor();
  assert.equal(await page.locator(".persist-status").getAttribute("data-state"), "memory");
  assert.equal(await run(page, "SET more 1"), "OK");
  assert.equal(await run(page, "MGET kept lost more"), '1) "1"\n2) "1"\n3) "1"');
  await page.reload();
  await page.locator("#console-input-0").waitFor();
  assert.equal(await run(page, "MGET kept lost more"), '1) "1"\n2) (nil)\n3) (nil)');
  assert.deepEqual(problems, []);
});
