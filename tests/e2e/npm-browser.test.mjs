// The npm package's browser build (npm/web.mjs and npm/pkg/web/, built by
// `cargo xtask test` before the browser tests) in Chromium: a plain
// `<script type="module">` creates an engine, runs commands, gets Redis's
// error texts, BigInts and Maps, and two clients block and push.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveDist } from "./serve-dist.mjs";
import { collectProblems, launch } from "./browser.mjs";

const npmDir = join(fileURLToPath(new URL("../../npm", import.meta.url)));
const site = await serveDist(npmDir);
const browser = await launch();
after(async () => {
  await browser.close();
  site.close();
});

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { Redsim, RedsimError } from "./web.mjs";
const db = await Redsim.create({ clock: "manual" });
const out = {};
out.set = db.command(["SET", "k", "v", "EX", "10"]);
out.get = db.command(["GET", "k"]);
out.big = typeof db.command(["INCRBY", "n", "9007199254740993"]);
try { db.command(["INCR", "k"]); } catch (e) { out.error = [e instanceof RedsimError, e.message]; }
db.command(["HELLO", "3"]);
db.command(["HSET", "h", "f", "1"]);
out.map = db.command(["HGETALL", "h"]) instanceof Map;
const other = db.connect();
const popped = other.command(["BLPOP", "q", "0"]);
db.command(["LPUSH", "q", "job"]);
out.popped = await popped;
db.advanceTime(11_000);
out.expired = db.command(["EXISTS", "k"]);
window.result = out;
</script>`;

test("the npm package's browser build runs in a plain module script", async () => {
  const page = await browser.newPage();
  const problems = [];
  collectProblems(page, problems);
  await page.route(`${site.url}page.html`, (route) => route.fulfill({ contentType: "text/html", body: PAGE }));
  await page.goto(`${site.url}page.html`);
  await page.waitForFunction(() => window.result !== undefined);
  const result = await page.evaluate(() => window.result);
  assert.deepEqual(result, {
    set: "OK",
    get: "v",
    big: "bigint",
    error: [true, "ERR value is not an integer or out of range"],
    map: true,
    popped: ["q", "job"],
    expired: 0,
  });
  assert.deepEqual(problems, []);
});
