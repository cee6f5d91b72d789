// The key browser, the visualizers and the server panel: commands typed in
// the console show up live in the key browser (new keys, deletions, TTLs
// counting down, FLUSHDB), the filter and sort work, every type's
// visualizer draws (screenshots in artifacts/visualizer-<type>.png, and
// -phone.png at 390 px), a hash is seen converting from listpack to
// hashtable, and the server panel shows memory and evicted keys. Needs a
// built dist/ (or REDSIM_DIST).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openPlayground, playgroundSuite, shots } from "./browser.mjs";

const { site, browser } = await playgroundSuite(after);

/** A fresh page with an empty dataset, collecting errors. */
async function open(viewport = { width: 1280, height: 800 }) {
  const { page, problems, input } = await openPlayground(browser, site.url, { viewport });
  const run = async (...lines) => {
    for (const line of lines) {
      const before = await page.locator(".console .entry").count();
      await input.fill(line);
      await input.press("Enter");
      await page.locator(".console .entry").nth(before).waitFor();
    }
  };
  // Pages of one browser share storage: start every test from nothing.
  await run("FLUSHALL");
  await page.locator(".key-row").first().waitFor({ state: "detached" });
  return { page, problems, run };
}

const row = (page, key) => page.locator(`.key-row[data-key="${key}"]`);

test("the key browser follows the console live", async () => {
  const { page, problems, run } = await open();
  await run("SET user:1:name ada", "HSET user:1:profile lang en", "RPUSH queue a b");
  await row(page, "user:1:name").waitFor();
  await page.locator(".key-folder", { hasText: "user:" }).waitFor();
  assert.equal(await row(page, "queue").locator(".badge").textContent(), "LIST");
  assert.equal(await row(page, "queue").locator(".key-encoding").textContent(), "listpack");
  assert.match(await row(page, "queue").locator(".key-memory").textContent(), /^\d+B$/);

  // A folder closes and opens from the keyboard.
  const folder = page.locator(".key-folder button", { hasText: "user:" }).first();
  await folder.focus();
  await page.keyboard.press("Enter");
  await row(page, "user:1:name").waitFor({ state: "detached" });
  await page.keyboard.press("Enter");
  await row(page, "user:1:name").waitFor();

  await run("DEL queue");
  await row(page, "queue").waitFor({ state: "detached" });

  await run("EXPIRE user:1:name 50");
  const ttl = row(page, "user:1:name").locator(".key-ttl");
  await ttl.waitFor();
  const first = parseFloat(await ttl.textContent());
  assert.ok(first > 48 && first <= 50, `TTL ${first}`);
  await page.waitForTimeout(1200);
  const later = parseFloat(await ttl.textContent());
  assert.ok(later < first, `counts down: ${first} then ${later}`);

  await run("FLUSHDB");
  await page.locator(".key-row").first().waitFor({ state: "detached" });
  assert.equal(await page.locator(".keys-count").textContent(), "0 keys shown");
  assert.deepEqual(problems, []);
});

test("filter by glob, sort by name, TTL or size, choose a database", async () => {
  const { page, problems, run } = await open();
  await run(
    "SET apple 1",
    "SET avocado 1 EX 500",
    "SET banana 1 EX 50",
    `SET cherry ${"x".repeat(300)}`,
  );
  await row(page, "cherry").waitFor();
  const names = () => page.locator(".key-row").evaluateAll((rows) => rows.map((r) => r.dataset.key));
  assert.deepEqual(await names(), ["apple", "avocado", "banana", "cherry"]);

  await page.locator(".key-filter").fill("a[pv]*");
  await page.waitForFunction(() => document.querySelectorAll(".key-row").length === 2);
  assert.deepEqual(await names(), ["apple", "avocado"]);
  await page.locator(".key-filter").fill("");
  await row(page, "cherry").waitFor();

  await page.locator(".key-sort").selectOption("ttl");
  await page.waitForFunction(() => document.querySelector(".key-row")?.dataset.key === "banana");
  assert.deepEqual((await names()).slice(0, 2), ["banana", "avocado"]);
  await page.locator(".key-sort").selectOption("size");
  await page.waitForFunction(() => document.querySelector(".key-row")?.dataset.key === "cherry");

  await run("SELECT 2", "SET only-in-two 1");
  await page.locator(".db-select").selectOption("2");
  await row(page, "only-in-two").waitFor();
  assert.deepEqual(await names(), ["only-in-two"]);
  assert.deepEqual(problems, []);
});

/** Selects a key and waits for its visualizer to draw `kind`. */
async function visualize(page, key, kind) {
  await row(page, key).locator("button").click();
  const viz = page.locator(`.visualizer[data-kind="${kind}"]`);
  await viz.waitFor();
  return viz;
}

/** One key of every kind a visualizer draws. */
const EVERY_KIND = [
  "SET counter 41",
  "SETBIT flags 1 1",
  "SETBIT flags 6 1",
  "SETBIT flags 12 1",
  "RPUSH jobs b c",
  "HSET user name ada lang en",
  "HEXPIRE user 300 FIELDS 1 lang",
  "SADD team:a ada bob cy",
  "SADD team:b cy dee",
  "ZADD board 30 ada 12 bob 25 cy",
  "XADD events 1700000000000-0 type login",
  "XADD events 1700000005000-0 type click",
  "XGROUP CREATE events workers 0",
  "XREADGROUP GROUP workers w1 COUNT 1 STREAMS events >",
  "PFADD visitors a b c d e f g h",
  "GEOADD places 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 2.3522 48.8566 Paris",
];

test("every type has a visualizer that shows each change", async () => {
  const { page, problems, run } = await open();
  await run(...EVERY_KIND);
  await row(page, "places").waitFor();
  const shoot = (viz, kind) => viz.screenshot({ path: join(shots, `visualizer-${kind}.png`) });

  let viz = await visualize(page, "counter", "string");
  await viz.locator(".string-number", { hasText: "41" }).waitFor();
  await run("INCR counter");
  await viz.locator(".string-number.flash-changed", { hasText: "42" }).waitFor();
  await shoot(viz, "string");

  viz = await visualize(page, "flags", "string");
  await viz.locator(".bit-grid").waitFor();
  assert.equal(await viz.locator(".bit.on").count(), 3);
  await run("SETBIT flags 3 1");
  await viz.locator(".bit.on.flash-changed[title='bit 3']").waitFor();
  // The range BITCOUNT read is marked, with the count in it.
  await run("BITCOUNT flags 1 1");
  await viz.locator(".bit-range", { hasText: "1 bit set in bits 8–15" }).waitFor();
  assert.equal(await viz.locator(".bit.in-range").count(), 8);
  await shoot(viz, "bitmap");

  viz = await visualize(page, "jobs", "list");
  await run("LPUSH jobs a");
  await viz.locator(".list-item.flash-added", { hasText: "a" }).waitFor();
  await run("RPOP jobs");
  await viz.locator(".viz-removed .chip", { hasText: "c" }).waitFor();
  await viz.locator(".deque-end.head").waitFor();
  await shoot(viz, "list");

  viz = await visualize(page, "user", "hash");
  await viz.locator(".hash-field", { hasText: "lang" }).locator(".field-ttl", { hasText: /^[45]m/ }).waitFor();
  await run("HSET user name grace");
  await viz.locator(".hash-field.flash-changed", { hasText: "grace" }).waitFor();
  await shoot(viz, "hash");

  viz = await visualize(page, "team:a", "set");
  await viz.locator(".venn-select").selectOption("team:b");
  await viz.locator(".venn-region.both .chip", { hasText: "cy" }).waitFor();
  assert.equal(await viz.locator(".venn-region.only-a .chip").count(), 2);
  await run("SADD team:b ada");
  await viz.locator(".venn-region.both .chip", { hasText: "ada" }).waitFor();
  await run("SADD team:a eve");
  await viz.locator(".chips .chip.flash-added", { hasText: "eve" }).waitFor();
  // A set operation lights the region its answer is made of.
  await run("SDIFF team:b team:a");
  await viz.locator(".venn-region.only-b.answered", { hasText: "dee" }).waitFor();
  assert.equal(await viz.locator(".venn-region.answered").count(), 1);
  // With another set, it opens the Venn view of the two by itself.
  await run("SADD team:c cy zed", "SINTER team:a team:c");
  await viz.locator(".venn-region.both.answered .chip", { hasText: "cy" }).waitFor();
  assert.equal(await viz.locator(".venn-select").inputValue(), "team:c");
  await shoot(viz, "set");

  viz = await visualize(page, "board", "zset");
  assert.equal(await viz.locator(".rank").first().locator(".rank-member").textContent(), "ada");
  await run("ZINCRBY board 10 bob");
  await viz.locator(".rank.flash-changed", { hasText: "bob" }).waitFor();
  assert.equal(await viz.locator(".rank").first().locator(".rank-member").textContent(), "ada");
  // The score range the last command read is marked.
  await run("ZRANGEBYSCORE board (22 30");
  await viz.locator(".rank.in-range", { hasText: "ada" }).waitFor();
  assert.equal(await viz.locator(".rank.in-range").count(), 2, "ada 30 and cy 25, not bob 22");
  await shoot(viz, "zset");

  viz = await visualize(page, "events", "stream");
  assert.equal(await viz.locator(".timeline-entry").count(), 2);
  await viz.locator(".pending-entry", { hasText: "1700000000000-0" }).waitFor();
  await run("XREADGROUP GROUP workers w2 COUNT 1 STREAMS events >");
  await viz.locator(".pending-entry.flash-added", { hasText: "w2" }).waitFor();
  await run("XADD events 1700000009000-0 type logout");
  await viz.locator(".stream-entry.flash-added", { hasText: "logout" }).waitFor();
  await shoot(viz, "stream");

  viz = await visualize(page, "visitors", "hyperloglog");
  await viz.locator(".hll-estimate", { hasText: "PFCOUNT ≈ 8" }).waitFor();
  await viz.locator(".encoding-now", { hasText: "sparse" }).waitFor();
  await run("PFADD visitors i j k");
  await viz.locator(".hll-estimate", { hasText: "PFCOUNT ≈ 11" }).waitFor();
  // Every element went in here, so the exact count stands beside it.
  await viz.locator(".hll-exact", { hasText: "exact: 11 distinct elements · error +0.00%" }).waitFor();
  await shoot(viz, "hyperloglog");

  viz = await visualize(page, "places", "geo");
  assert.equal(await viz.locator(".geo-point").count(), 3);
  await run("GEOADD places 12.4964 41.9028 Rome");
  await viz.locator(".geo-point.flash-added", { hasText: "Rome" }).waitFor();
  // The last search's circle, then its box, are drawn.
  await run("GEOSEARCH places FROMMEMBER Palermo BYRADIUS 200 km ASC");
  await viz.locator("ellipse.geo-search").waitFor();
  await run("GEOSEARCH places FROMLONLAT 15 37 BYBOX 400 300 km");
  await viz.locator("rect.geo-search").waitFor();
  await shoot(viz, "geo");

  await viz.locator(".viz-close").click();
  await viz.waitFor({ state: "detached" });
  assert.deepEqual(problems, []);
});

test("a hash is seen converting from listpack to hashtable at field 129", async () => {
  const { page, problems, run } = await open();
  const fields = Array.from({ length: 128 }, (_, i) => `f${i} v`).join(" ");
  await run("CONFIG SET hash-max-listpack-entries 128", `HSET big ${fields}`);
  const viz = await visualize(page, "big", "hash");
  await viz.locator(".encoding-now", { hasText: "listpack" }).waitFor();
  await viz.locator(".encoding-rule", { hasText: "listpack → hashtable at 129 fields or a value over 64 bytes" }).waitFor();
  await viz.locator(".encoding-count", { hasText: "128 / 128" }).waitFor();
  await run("HSET big f128 v");
  await viz.locator(".encoding-now", { hasText: "hashtable" }).waitFor();
  assert.equal(await row(page, "big").locator(".key-encoding").textContent(), "hashtable");
  await viz.screenshot({ path: join(shots, "visualizer-hash-converted.png") });
  assert.deepEqual(problems, []);
});

test("the server panel shows memory against maxmemory and evicted keys", async () => {
  const { page, problems, run } = await open();
  const panel = page.locator(".server-panel");
  await panel.locator(".used-memory", { hasText: "/ 64.00M" }).waitFor();
  await run("INFO memory");
  const info = await page.locator(".console .entry").last().locator(".reply").textContent();
  const used = Number(/used_memory:(\d+)/.exec(info)[1]);
  await run("CONFIG SET maxmemory-policy allkeys-lru", `CONFIG SET maxmemory ${used + 60000}`);
  for (let i = 0; i < 12; i++) await run(`SET blob:${i} ${"x".repeat(10000)}`);
  await panel.locator(".figure.evicted .figure-value").filter({ hasNotText: /^0$/ }).waitFor();
  const evicted = Number(await panel.locator(".figure.evicted .figure-value").textContent());
  assert.ok(evicted > 0, `evicted ${evicted}`);
  await panel.locator(".figure.keys .sparkline polyline").waitFor();
  await page.screenshot({ path: join(shots, "keys-desktop.png") });
  assert.deepEqual(problems, []);
});

test("every visualizer and the server panel are readable on a 390 px phone", async () => {
  const { page, problems, run } = await open({ width: 390, height: 844 });
  await run(...EVERY_KIND, "SADD team:c cy", "SINTER team:a team:b");
  await row(page, "places").waitFor();
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const kinds = [
    ["counter", "string"],
    ["flags", "string"],
    ["jobs", "list"],
    ["user", "hash"],
    ["team:a", "set"],
    ["board", "zset"],
    ["events", "stream"],
    ["visitors", "hyperloglog"],
    ["places", "geo"],
  ];
  for (const [key, kind] of kinds) {
    const viz = await visualize(page, key, kind);
    const box = await viz.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390 + 0.5, `${key}'s visualizer fits (${box.x}, ${box.width})`);
    assert.ok((await overflow()) <= 0, `no sideways scrolling with ${key} open (${await overflow()} px too wide)`);
    if (key === "board") {
      await page.screenshot({ path: join(shots, "keys-phone.png"), fullPage: true });
    }
    await viz.screenshot({ path: join(shots, `visualizer-${key === "flags" ? "bitmap" : kind}-phone.png`) });
  }
  const panel = page.locator(".server-panel");
  await panel.scrollIntoViewIfNeeded();
  const box = await panel.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390 + 0.5, `the server panel fits (${box.x}, ${box.width})`);
  await panel.screenshot({ path: join(shots, "server-panel-phone.png") });
  assert.deepEqual(problems, []);
});

/** Presses Tab until `target` has the focus (at most 60 times); true if it got there. */
async function tabTo(page, target) {
  for (let i = 0; i < 60; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) {
      return true;
    }
    await page.keyboard.press("Tab");
  }
  return false;
}

test("the key browser and visualizer work from the keyboard alone", async () => {
  const { page, problems, run } = await open();
  await run("RPUSH queue a b c", "SET note hello");
  const queue = row(page, "queue").locator("button");
  await queue.waitFor();
  assert.ok(await tabTo(page, queue), "Tab reaches the key");
  await page.keyboard.press("Enter");
  const viz = page.locator('.visualizer[data-kind="list"]');
  await viz.waitFor();
  const close = viz.locator(".viz-close");
  assert.ok(await tabTo(page, close), "Tab reaches the visualizer's close button");
  await page.keyboard.press("Enter");
  await viz.waitFor({ state: "detached" });
  // And back to typing: the console input is reachable too.
  const input = page.locator("#console-input-0");
  assert.ok(await tabTo(page, input), "Tab comes back round to the console");
  await page.keyboard.type("GET note");
  await page.keyboard.press("Enter");
  await page.locator(".console .entry").last().locator(".reply", { hasText: '"hello"' }).waitFor();
  assert.deepEqual(problems, []);
});

test("two client panes stack readably on a 390 px phone", async () => {
  const { page, problems, run } = await open({ width: 390, height: 844 });
  await page.getByRole("button", { name: "+ client" }).click();
  await page.locator("#console-input-1").waitFor();
  await run("SET k v");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow} px too wide)`);
  const [a, b] = await Promise.all([0, 1].map((n) => page.locator(`.console[data-pane="${n}"]`).boundingBox()));
  assert.ok(b.y >= a.y + a.height - 1, "the second pane is below the first");
  await page.screenshot({ path: join(shots, "panes-phone.png"), fullPage: true });
  assert.deepEqual(problems, []);
});
