// Simulations: cache-aside runs real commands against an engine of its
// own and charts what the application saw; the stampede shows the burst of
// database loads at expiry, and its absence with the lock; the rate
// limiters' timelines show each request allowed or rejected, the fixed
// window admitting twice its limit across a boundary. Needs a built dist/
// (or REDSIM_DIST).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openPlayground, playgroundSuite, shots } from "./browser.mjs";

const { site, browser } = await playgroundSuite(after);

async function openSims(viewport = { width: 1280, height: 800 }) {
  const opened = await openPlayground(browser, site.url, { viewport });
  await opened.page.getByRole("button", { name: "simulations" }).click();
  const sims = opened.page.locator(".sims");
  await sims.waitFor();
  return { ...opened, sims };
}

/** Sets form field `id` (see state/sims.rs); the run restarts from it. */
async function setField(sims, id, value) {
  const field = sims.locator(`#sim-${id}`);
  if ((await field.evaluate((el) => el.tagName)) === "SELECT") {
    await field.selectOption(value);
  } else {
    await field.fill(value);
    await field.dispatchEvent("change");
  }
}

/** Plays at ×1000 until the run ends. */
async function playToEnd(sims) {
  await sims.locator(".sim-speed").selectOption("×1000");
  await sims.getByRole("button", { name: "▶ play" }).click();
  await sims.getByRole("button", { name: "▶ play" }).waitFor({ timeout: 60_000 });
  const time = await sims.locator(".sim-time").textContent();
  const [, now, end] = /t = ([\d.]+) s of ([\d.]+) s/.exec(time);
  assert.equal(Number(now), Number(end), time);
}

test("cache-aside plays on virtual time, charting what the application saw", async () => {
  const { page, problems, sims } = await openSims();
  await sims.getByRole("button", { name: "cache-aside" }).click();
  await setField(sims, "duration", "20");
  await setField(sims, "ttl", "5");
  // Step by step from the cold start, a request every 200 ms: the real
  // commands, as sent, a miss loading from the database and SETting with
  // the TTL.
  await setField(sims, "rate", "5");
  for (let i = 0; i < 12; i++) await sims.getByRole("button", { name: "step" }).click();
  await sims.locator(".log-line.redis code", { hasText: /^GET item:\d+ → \(nil\)$/ }).first().waitFor();
  await sims.locator(".log-line.db").first().waitFor();
  await sims.locator(".log-line.redis code", { hasText: /^SET item:\d+ .+ EX 5 → OK$/ }).first().waitFor();
  await setField(sims, "rate", "200");
  await playToEnd(sims);
  const totals = await sims.locator(".sim-totals").textContent();
  // The same figures as the native run of this seed (state/sims/tests.rs,
  // a_fixed_seed_gives_the_figures_the_browser_shows): wasm32 agrees.
  assert.match(totals, /^3976 requests · hit ratio [\d.]+% · 1364 database queries/);
  const ratio = Number(/hit ratio ([\d.]+)%/.exec(totals)[1]);
  assert.ok(ratio > 0 && ratio < 100, totals);
  for (const chart of ["hit ratio", "latency the app sees", "database queries / s"]) {
    const points = await sims.locator(`.sim-chart[data-chart="${chart}"] polyline`).first().getAttribute("points");
    assert.ok(points.split(" ").length >= 15, `${chart}: a point per second`);
  }
  await sims.locator(".log-line.redis code", { hasText: /^GET item:\d+ → / }).first().waitFor();
  // Another strategy, run to the end, lands beside it for comparison.
  await setField(sims, "strategy", "no cache");
  await playToEnd(sims);
  assert.equal(await sims.locator(".sim-runs tr").count(), 3, "a header and two runs");
  const noCache = sims.locator(".sim-runs tr").nth(2);
  assert.match(await noCache.locator("td").first().textContent(), /^no cache/);
  await sims.screenshot({ path: join(shots, "sim-cache.png") });
  assert.deepEqual(problems, []);
});

test("a stampede: many database loads at expiry, one with the lock", async () => {
  const { problems, sims } = await openSims();
  await sims.getByRole("button", { name: "stampede", exact: true }).click();
  await setField(sims, "duration", "12");
  await playToEnd(sims);
  const loads = async () =>
    (await sims.locator(".sim-reloads tr td:nth-child(3)").allTextContents()).map(Number);
  const without = await loads();
  assert.ok(without.some((n) => n > 1), `several loads of the hot key at once: ${without}`);
  assert.ok((await sims.locator(".sim-reloads tr.stampede").count()) > 0);

  await sims.getByRole("button", { name: "stampede with lock" }).click();
  await setField(sims, "duration", "12");
  await playToEnd(sims);
  const withLock = await loads();
  assert.ok(withLock.length > 0 && withLock.every((n) => n === 1), `one load each: ${withLock}`);
  // From the start again, step by step: a miss takes the lock first.
  await sims.getByRole("button", { name: "reset" }).click();
  for (let i = 0; i < 12; i++) await sims.getByRole("button", { name: "step" }).click();
  await sims.locator(".log-line.redis code", { hasText: /^SET lock:item:\d+ req-\d+ NX PX \d+ → OK$/ }).first().waitFor();
  await sims.screenshot({ path: join(shots, "sim-stampede-lock.png") });
  assert.deepEqual(problems, []);
});

test("rate limiters side by side: the fixed window admits twice its limit at a boundary", async () => {
  const { problems, sims } = await openSims();
  await sims.getByRole("button", { name: "rate limits" }).click();
  await setField(sims, "stream", "drawn");
  await setField(sims, "limit", "3");
  await setField(sims, "window", "1000");
  await setField(sims, "duration", "4");
  // Three requests just before the 1 s boundary and three just after,
  // drawn by clicking the timeline.
  const timeline = sims.locator('.limiter[data-limiter="fixed window"] svg');
  const box = await timeline.boundingBox();
  for (const ms of [900, 930, 960, 1040, 1070, 1100]) {
    await timeline.click({ position: { x: (ms / 4000) * box.width, y: box.height / 2 } });
  }
  await sims.locator(".sim-hint", { hasText: "6 requests" }).waitFor();
  await playToEnd(sims);
  const peak = async (name) => sims.locator(`.limiter[data-limiter="${name}"] .peak`).textContent();
  assert.match(await peak("fixed window"), /peak 6 in any 1000 ms \(over the limit\)/);
  assert.match(await peak("sliding log"), /peak 3 in any 1000 ms$/);
  const fixed = sims.locator('.limiter[data-limiter="fixed window"]');
  assert.equal(await fixed.locator("circle.allowed").count(), 6);
  assert.equal(await sims.locator('.limiter[data-limiter="sliding log"] circle.rejected').count(), 3);
  // Each limiter shows its commands and its keys.
  await fixed.locator(".limiter-commands code", { hasText: /^INCR ratelimit:fixed:user1:\d+ → / }).first().waitFor();
  await sims.locator('.limiter[data-limiter="sliding log"] .limiter-commands code', { hasText: "ZREMRANGEBYSCORE" }).first().waitFor();
  // Their keys expire (by the end all are gone): stepping from the start
  // shows them with their TTLs.
  await sims.getByRole("button", { name: "reset" }).click();
  for (let i = 0; i < 3; i++) await sims.getByRole("button", { name: "step" }).click();
  await sims.locator('.limiter[data-limiter="token bucket"] .limiter-keys li', { hasText: /^ratelimit:bucket:user1 TTL / }).waitFor();
  await fixed.locator(".limiter-keys li", { hasText: /^ratelimit:fixed:user1:\d+ TTL / }).waitFor();
  // The key browser shows them too, and the sliding log's sorted set opens
  // in its visualizer.
  const page = sims.page();
  await page.locator(".db-select").selectOption("simulation");
  const logKey = page.locator('.key-row[data-key="ratelimit:log:user1"]');
  await logKey.locator(".key-ttl").waitFor();
  await logKey.locator("button").click();
  await page.locator('.visualizer[data-kind="zset"]').waitFor();
  await page.locator(".db-select").selectOption("0");
  await logKey.waitFor({ state: "detached" });
  await sims.screenshot({ path: join(shots, "sim-rate-limits.png") });
  assert.deepEqual(problems, []);
});

/** The figure labelled `label` in the pattern view, as a number. */
async function figure(sims, label) {
  const fig = sims.locator(".figures .figure").filter({ has: sims.page().locator("dt", { hasText: label }) });
  return Number(await fig.locator("dd").textContent());
}

test("the smaller patterns run to the end of a fixed seed and show what defines them", async () => {
  const { problems, sims } = await openSims();
  const tab = (name) => sims.getByRole("tab", { name });

  // Distributed lock: a plain DEL frees the other worker's lock; the token check never does.
  await tab("distributed lock").click();
  await setField(sims, "release", "DEL (unsafe)");
  await playToEnd(sims);
  assert.ok((await figure(sims, "released another worker's lock")) > 0);
  assert.ok((await figure(sims, "times both worked at once")) > 0);
  await sims.screenshot({ path: join(shots, "sim-lock-unsafe.png") });
  await setField(sims, "release", "check the token (safe)");
  await playToEnd(sims);
  assert.equal(await figure(sims, "released another worker's lock"), 0);
  assert.ok((await figure(sims, "releases refused by the token check")) > 0);

  // Job queue: a crashed worker's popped job is lost from a list; a stream reclaims it.
  await tab("job queue").click();
  await setField(sims, "queue", "list (LPUSH + BRPOP)");
  await playToEnd(sims);
  assert.equal(await figure(sims, "lost"), 1);
  await setField(sims, "queue", "stream (consumer group)");
  await playToEnd(sims);
  assert.equal(await figure(sims, "lost"), 0);
  assert.equal(await figure(sims, "reclaimed (XAUTOCLAIM)"), 1);
  assert.equal(await figure(sims, "completed"), await figure(sims, "produced"));
  await sims.screenshot({ path: join(shots, "sim-jobs-stream.png") });

  // Leaderboard: the top rows in descending score, the followed player's rank.
  await tab("leaderboard").click();
  await playToEnd(sims);
  const scores = (await sims.locator(".board .board-score").allTextContents()).map(Number);
  assert.equal(scores.length, 5);
  assert.deepEqual([...scores].sort((a, b) => b - a), scores);
  await sims.locator(".followed-rank", { hasText: /^player:007 is ranked \d+/ }).waitFor();
  await sims.screenshot({ path: join(shots, "sim-leaderboard.png") });

  // Session store: sessions found while active, expired after idling past the TTL.
  await tab("session store").click();
  await setField(sims, "duration", "60");
  await playToEnd(sims);
  assert.ok((await sims.locator(".visit.found").count()) > 0);
  assert.ok((await sims.locator(".visit.expired").count()) > 0);
  await sims.screenshot({ path: join(shots, "sim-sessions.png") });

  // Chat: PUBLISH's reply counts the members present.
  await tab("pub/sub chat").click();
  await playToEnd(sims);
  await sims.locator(".messages li", { hasText: / → reached \d+$/ }).first().waitFor();
  await sims.locator(".log-line.redis code", { hasText: /^PUBLISH / }).first().waitFor();
  await sims.screenshot({ path: join(shots, "sim-chat.png") });
  assert.deepEqual(problems, []);
});

test("simulations are readable on a 390 px phone", async () => {
  const { page, problems, sims } = await openSims({ width: 390, height: 844 });
  await sims.getByRole("button", { name: "rate limits" }).click();
  await setField(sims, "duration", "3");
  await playToEnd(sims);
  let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `rate limits: no sideways scrolling (${overflow} px too wide)`);
  await sims.getByRole("button", { name: "cache-aside" }).click();
  await setField(sims, "duration", "5");
  await playToEnd(sims);
  overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `cache: no sideways scrolling (${overflow} px too wide)`);
  await sims.screenshot({ path: join(shots, "sim-cache-phone.png") });
  assert.deepEqual(problems, []);
});
