// The docs widget: a page with `<script type="module" src=".../widget/
// redsim-widget.js">` and several `<redsim-console>` elements. Their
// `redis>` lines run on load, sessions share a database in document
// order, readonly shows a run without an input, the JS API and the
// `execute` event work, the wasm loads once, and "Open in playground"
// carries the commands over. Needs a built dist/ (or REDSIM_DIST).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { collectProblems, playgroundSuite, shots } from "./browser.mjs";

const { site, browser } = await playgroundSuite(after);

const DOCS_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Docs</title>
<script type="module" src="./widget/redsim-widget.js"></script></head>
<body>
<h1>Strings</h1>
<redsim-console id="first" autorun session="guide">
redis> SET greeting hello
OK
redis> GET greeting
"hello"
</redsim-console>
<p>Append to it:</p>
<redsim-console id="second" autorun session="guide">
redis> APPEND greeting " world"
redis> GET greeting
</redsim-console>
<redsim-console id="alone" autorun readonly>
redis> GET greeting
</redsim-console>
<redsim-console id="empty" theme="light" height="12em"></redsim-console>
</body></html>`;

/** Opens the docs page, served beside the playground; counts wasm loads. */
async function openDocs() {
  const page = await browser.newPage();
  const problems = [];
  collectProblems(page, problems);
  const loads = [];
  page.on("request", (r) => r.url().endsWith(".wasm") && loads.push(r.url()));
  await page.route(`${site.url}docs.html`, (route) =>
    route.fulfill({ contentType: "text/html", body: DOCS_PAGE }),
  );
  await page.goto(`${site.url}docs.html`);
  return { page, problems, loads };
}

const replies = (page, id) => page.locator(`#${id} .entry .reply`).allTextContents();

test("consoles on a docs page run their lines, share sessions, and take commands", async () => {
  const { page, problems, loads } = await openDocs();
  await page.locator("#alone .entry .reply").waitFor();
  assert.deepEqual(await replies(page, "first"), ["OK", '"hello"']);
  assert.deepEqual(await replies(page, "second"), ["(integer) 11", '"hello world"']);
  assert.deepEqual(await replies(page, "alone"), ["(nil)"], "its own database");
  assert.equal(await page.locator("#alone input").count(), 0, "readonly: no input");
  assert.deepEqual(loads.filter((u) => u.endsWith("redsim-widget-core_bg.wasm")).length, 1);

  // Typing works as in the playground, and each command fires `execute`.
  await page.evaluate(() => {
    window.executed = [];
    document.getElementById("empty").addEventListener("execute", (e) => window.executed.push(e.detail));
  });
  const input = page.locator("#empty input");
  await input.fill("PING");
  await input.press("Enter");
  await page.locator("#empty .entry .reply", { hasText: "PONG" }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.executed), [{ command: "PING", reply: "PONG" }]);

  // The element's API.
  assert.equal(await page.evaluate(() => document.getElementById("empty").run("SET n 41")), "OK");
  assert.equal(await page.evaluate(() => document.getElementById("empty").run("INCR n")), "(integer) 42");
  // The widget is built without scripting, to stay in its size budget.
  assert.equal(
    await page.evaluate(() => document.getElementById("empty").run('EVAL "return 1" 0')),
    "(error) ERR unknown command 'EVAL', with args beginning with: 'return 1' '0' ",
  );
  await page.evaluate(() => document.getElementById("empty").clear());
  await page.locator("#empty .entry").first().waitFor({ state: "detached" });
  await page.evaluate(() => document.getElementById("second").reset());
  await page.locator("#second .entry .reply", { hasText: '" world"' }).waitFor();
  assert.deepEqual(await replies(page, "second"), ["(integer) 6", '" world"'], "flushed, then run again");

  // Light theme and height as asked.
  const look = await page.locator("#empty .console").evaluate((el) => {
    const s = getComputedStyle(el);
    return { background: s.backgroundColor, height: el.getBoundingClientRect().height };
  });
  assert.equal(look.background, "rgb(246, 248, 250)");
  assert.ok(Math.abs(look.height - 12 * 14) < 2, `12em at 14px: ${look.height}`);
  await page.screenshot({ path: join(shots, "widget-docs-page.png"), fullPage: true });
  assert.deepEqual(problems, []);
});

test("'Open in playground' replays the element's commands there", async () => {
  const { page, problems } = await openDocs();
  await page.locator("#first .entry .reply").nth(1).waitFor();
  const href = await page.locator("#first .open-playground").getAttribute("href");
  assert.ok(href.startsWith(`${site.url}#run=`), href);
  await page.goto(href);
  const entries = page.locator('.console[data-pane="0"] .entry .input');
  await entries.nth(1).waitFor();
  assert.deepEqual(await entries.allTextContents(), ["SET greeting hello", "GET greeting"]);
  assert.deepEqual(problems, []);
});

test("without a theme, a console follows the reader's colour scheme", async () => {
  const { page, problems } = await openDocs();
  const panel = () =>
    page.locator("#first .console").evaluate((el) => getComputedStyle(el).backgroundColor);
  await page.locator("#first .console").waitFor();
  await page.emulateMedia({ colorScheme: "dark" });
  assert.equal(await panel(), "rgb(28, 31, 36)");
  await page.emulateMedia({ colorScheme: "light" });
  assert.equal(await panel(), "rgb(246, 248, 250)");
  assert.deepEqual(problems, []);
});
