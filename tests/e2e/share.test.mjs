// Sharing: a link made from a pane's commands (compressed into the URL
// fragment) replays them in a fresh, separate database that is never
// saved over the visitor's own; `?commands=` takes plain commands.
// Needs a release build (REDSIM_DIST, default dist/).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveDist } from "./serve-dist.mjs";
import { freshBrowsers, shots } from "./browser.mjs";
import { distDir, open, run, saved } from "./persist-helpers.mjs";

const site = await serveDist(distDir);
after(() => site.close());
/** A browser with a fresh profile: its own IndexedDB. */
const browser = freshBrowsers(after);

/** The commands and replies pane 0 shows. */
async function transcript(page) {
  const entries = page.locator('section.console[data-pane="0"] .entry');
  const rows = [];
  for (let i = 0; i < (await entries.count()); i++) {
    const entry = entries.nth(i);
    rows.push([await entry.locator(".input").textContent(), await entry.locator(".reply").textContent()]);
  }
  return rows;
}

test("a share link replays the pane's commands in a separate, unsaved database", async () => {
  const context = await browser();
  const problems = [];
  const mine = await open(context, site.url, problems);
  assert.equal(await run(mine, "SET mine 1"), "OK");
  await saved(mine);
  await mine.reload();
  await mine.locator("#console-input-0").waitFor();
  const script = [
    ["SET greeting \"hello world\"", "OK"],
    ["RPUSH list a b", "(integer) 2"],
    ["GET greeting", '"hello world"'],
  ];
  for (const [line, reply] of script) assert.equal(await run(mine, line), reply);
  await mine.getByRole("button", { name: "share" }).click();
  const link = await mine.locator(".share-link input").inputValue();
  assert.ok(link.startsWith(`${site.url}#run=`), link);
  await mine.close({ runBeforeUnload: false });

  const shared = await open(context, link, problems);
  await shared.locator(".banner", { hasText: "Shared script: 3 commands ran in a fresh, separate database" }).waitFor();
  assert.equal(await shared.locator(".persist-status").getAttribute("data-state"), "shared");
  assert.deepEqual(await transcript(shared), script);
  assert.equal(await run(shared, "EXISTS mine"), "(integer) 0", "not the visitor's data");
  assert.equal(await run(shared, "FLUSHALL"), "OK");
  assert.equal(await run(shared, "SET intruder 1"), "OK");
  await shared.setViewportSize({ width: 390, height: 800 });
  await shared.screenshot({ path: join(shots, "share-replayed-390.png"), fullPage: true });
  const home = shared.getByRole("link", { name: "Open your own playground" });
  assert.equal(await home.getAttribute("href"), site.url);
  await shared.close({ runBeforeUnload: false });

  // The visitor's own playground is as it was.
  const again = await open(context, site.url, problems);
  await saved(again);
  assert.equal(await run(again, "MGET mine intruder greeting"), '1) "1"\n2) (nil)\n3) "hello world"');
  // Pasting a share link into an open playground runs it too.
  await again.evaluate((hash) => (location.hash = hash), new URL(link).hash);
  await again.locator(".banner", { hasText: "Shared script: 3 commands" }).waitFor();
  assert.deepEqual(problems, []);
});

test("?commands= runs plain newline-separated commands", async () => {
  const context = await browser();
  const problems = [];
  const commands = "SET a 1\nINCR a\nGET a";
  const page = await open(context, `${site.url}?commands=${encodeURIComponent(commands)}`, problems);
  await page.locator(".banner", { hasText: "Shared script: 3 commands" }).waitFor();
  assert.deepEqual(await transcript(page), [
    ["SET a 1", "OK"],
    ["INCR a", "(integer) 2"],
    ["GET a", '"2"'],
  ]);
  assert.deepEqual(problems, []);
});

test("a damaged share link runs nothing and says so", async () => {
  const context = await browser();
  const problems = [];
  const page = await open(context, `${site.url}#run=AAAA`, problems);
  await page.locator(".banner", { hasText: "This share link cannot be read: the link is damaged" }).waitFor();
  assert.equal(await page.locator(".entry").count(), 0);
  assert.deepEqual(problems, []);
});
