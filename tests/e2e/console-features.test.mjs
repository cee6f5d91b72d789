// The console as redis-cli is: Tab completion and argument hints, HELP,
// Ctrl-R history search and Ctrl-L, history kept across reloads, MONITOR
// and the SLOWLOG view, and RESP3 replies after HELLO 3.
// Needs dist/ built by `trunk build --release` (cargo xtask test does it).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openPlayground, playgroundSuite, shots } from "./browser.mjs";

// REDSIM_DIST points at another build (engineers building in parallel).
const { site, browser } = await playgroundSuite(after);

/** A fresh page with the console ready; `problems` collects page errors. */
async function open() {
  return openPlayground(browser, site.url);
}

const pane = (page, n) => page.locator(`.console[data-pane="${n}"]`);

async function run(input, line) {
  await input.fill(line);
  await input.press("Enter");
}

/** The reply of the pane's last entry, once it reads as expected. */
async function lastReply(page, n, expected) {
  const reply = pane(page, n).locator(".entry").last().locator(".reply");
  await reply.filter({ hasText: expected }).waitFor();
  return reply.textContent();
}

test("Tab completes command names and cycles; hints show the remaining grammar", async () => {
  const { page, problems, input } = await open();
  const hint = pane(page, 0).locator(".hint");

  await input.fill("cli");
  await input.press("Tab");
  assert.equal(await input.inputValue(), "CLIENT");
  await input.press("Tab");
  const second = await input.inputValue();
  assert.match(second, /^CLIENT [A-Z-]+$/, "the next match is a CLIENT subcommand");
  await input.fill("hget");
  await input.press("Tab");
  assert.equal(await input.inputValue(), "HGET");
  await input.press("Tab");
  assert.equal(await input.inputValue(), "HGETALL");
  await input.press("Tab");
  assert.equal(await input.inputValue(), "hget", "after the last match, the line as typed");
  await input.press("Tab");
  await input.press("Escape");
  assert.equal(await input.inputValue(), "hget", "Escape restores the typed line");

  await input.fill("client li");
  await input.press("Tab");
  assert.equal(await input.inputValue(), "CLIENT LIST");
  await input.press("End");
  await input.press("Space");
  assert.equal(await hint.textContent(), "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]");

  // The typed arguments consume the grammar's leading positions.
  await input.fill("SET ");
  assert.equal(
    await hint.textContent(),
    "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
  );
  await input.pressSequentially("greeting hello ");
  assert.equal(
    await hint.textContent(),
    "[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
  );
  await input.pressSequentially("EX ");
  assert.equal(await hint.textContent(), "seconds [NX|XX] [GET]");
  await input.fill("ZADD board ");
  assert.equal(await hint.textContent(), "[NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]");
  // The hint sits right after the typed text, dimmed.
  const typedBox = await pane(page, 0).locator(".hint-typed").boundingBox();
  const hintBox = await hint.boundingBox();
  assert.ok(Math.abs(typedBox.x + typedBox.width - hintBox.x) < 1, "hint follows the text");
  await page.screenshot({ path: join(shots, "console-hints.png") });

  await input.fill("");
  assert.equal(await hint.textContent(), "");
  // An empty line leaves Tab to the keyboard: focus moves on.
  await input.press("Tab");
  assert.notEqual(await page.evaluate(() => document.activeElement?.id), "console-input-0");
  assert.deepEqual(problems, []);
  await page.close();
});

test("HELP <command>, HELP @group and bare HELP are answered as redis-cli does", async () => {
  const { page, problems, input } = await open();
  await run(input, "help set");
  const set = await lastReply(page, 0, "SET key value");
  assert.match(
    set,
    /^\n  SET key value \[NX\|XX\] \[GET\] \[EX seconds\|PX milliseconds\|EXAT unix-time-seconds\|PXAT unix-time-milliseconds\|KEEPTTL\]\n  summary: .+\n  complexity: O\(1\)\n  since: 1\.0\.0\n  group: string$/,
  );
  await run(input, "HELP @hash");
  const hash = await lastReply(page, 0, "HDEL");
  assert.ok(hash.startsWith("\n  HDEL key field [field ...]\n  summary: "), hash);
  assert.ok(hash.includes("\n\n  HGETALL key\n  summary: "), hash);
  assert.ok(!hash.includes("group:"), "a group listing leaves the group out");
  await run(input, "help client list");
  await lastReply(page, 0, "CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]");
  await run(input, "HELP");
  await lastReply(page, 0, '"help @<group>"');
  // "help <tab>" cycles the help topics, groups first.
  await input.fill("help @so");
  await input.press("Tab");
  assert.equal(await input.inputValue(), "help @sorted-set");
  assert.deepEqual(problems, []);
  await page.close();
});

test("Ctrl-R searches the history, Ctrl-L clears the pane", async () => {
  const { page, problems, input } = await open();
  const prompt = pane(page, 0).locator("label.prompt");
  await run(input, "SET alpha 1");
  await run(input, "GET alpha");
  await run(input, "PING");
  await lastReply(page, 0, "PONG");

  await input.press("Control+r");
  assert.equal(await prompt.textContent(), "(reverse-i-search)`': ");
  await page.keyboard.type("al");
  assert.equal(await prompt.textContent(), "(reverse-i-search)`al': ");
  assert.equal(await input.inputValue(), "GET alpha");
  await input.press("Control+r");
  assert.equal(await input.inputValue(), "SET alpha 1", "Ctrl-R again: an older match");
  await page.keyboard.type("zz");
  assert.equal(await prompt.textContent(), "(failed reverse-i-search)`alzz': ");
  await input.press("Backspace");
  await input.press("Backspace");
  await input.press("Control+r");
  await input.press("Enter");
  assert.equal(await prompt.textContent(), "127.0.0.1:6379> ");
  const last = pane(page, 0).locator(".entry").last();
  assert.equal(await last.locator(".input").textContent(), "SET alpha 1");
  await lastReply(page, 0, "OK");

  // Escape keeps the line found, for editing.
  await input.press("Control+r");
  await page.keyboard.type("PI");
  await input.press("Escape");
  assert.equal(await prompt.textContent(), "127.0.0.1:6379> ");
  assert.equal(await input.inputValue(), "PING");
  await input.press("End");
  await input.pressSequentially(" there");
  await input.press("Enter");
  await lastReply(page, 0, '"there"');

  await input.press("Control+l");
  await page.waitForFunction(() => document.querySelectorAll('.console[data-pane="0"] .entry').length === 0);
  await run(input, "ECHO again");
  await lastReply(page, 0, '"again"');
  assert.equal(await pane(page, 0).locator(".entry").count(), 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the history survives a reload", async () => {
  const { page, problems, input } = await open();
  await run(input, "SET kept-line 1");
  await run(input, "GET kept-line");
  await lastReply(page, 0, '"1"');
  // The history is kept in IndexedDB with the data: saved once that is.
  await page.locator('.persist-status[data-state="saved"]').waitFor();
  await page.reload();
  await input.waitFor();
  await input.press("ArrowUp");
  assert.equal(await input.inputValue(), "GET kept-line");
  await input.press("ArrowUp");
  assert.equal(await input.inputValue(), "SET kept-line 1");
  // A pane added later starts with the same history, as a new redis-cli would.
  await page.getByRole("button", { name: "+ client" }).click();
  const second = page.locator("#console-input-1");
  await second.press("ArrowUp");
  assert.equal(await second.inputValue(), "GET kept-line");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a MONITOR pane streams commands, keeping the newest 500 entries", async () => {
  const { page, problems, input } = await open();
  await page.getByRole("button", { name: "+ client" }).click();
  const monitor = page.locator("#console-input-1");
  await run(monitor, "MONITOR");
  await lastReply(page, 1, "OK");
  // Pasting several lines runs them one by one.
  const lines = Array.from({ length: 600 }, () => "INCR monitored").join("\n") + "\nGET monitored";
  await input.evaluate((el, text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, lines);
  assert.equal(await input.inputValue(), "GET monitored", "the unfinished last line stays in the input");
  await input.press("Enter");
  await lastReply(page, 0, '"600"');
  const streamed = await lastReply(page, 1, '"GET" "monitored"');
  assert.match(streamed, /^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "GET" "monitored"$/);
  assert.equal(await pane(page, 1).locator(".entry").count(), 500);
  assert.equal(await pane(page, 0).locator(".entry").count(), 500);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the SLOWLOG view lists slow commands and sets the threshold", async () => {
  const { page, problems, input } = await open();
  const view = page.locator("details.slowlog");
  await view.locator("summary").click();
  await view.locator("summary", { hasText: "logging slower than 10000 µs" }).waitFor();
  await page.locator("#slowlog-threshold").fill("0");
  await view.getByRole("button", { name: "set" }).click();
  await view.locator("summary", { hasText: "logging every command" }).waitFor();
  await run(input, "SET slow:key \"two words\"");
  await run(input, "CLIENT SETNAME viewer");
  await run(input, "LPUSH slow:list a b c");
  const row = view.locator("tbody tr").first();
  await row.locator(".slow-command", { hasText: "LPUSH slow:list a b c" }).waitFor();
  assert.match(await row.locator(".slow-client").textContent(), /^127\.0\.0\.1:\d+ \(viewer\)$/);
  const commands = await view.locator(".slow-command").allTextContents();
  assert.deepEqual(commands.slice(0, 3), ["LPUSH slow:list a b c", "CLIENT SETNAME viewer", 'SET slow:key "two words"']);
  // The view reads the log without running SLOWLOG: the client sees the same.
  await run(input, "SLOWLOG GET 1");
  await lastReply(page, 0, '"LPUSH"');
  await page.screenshot({ path: join(shots, "slowlog.png") });

  // Readable on a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 800 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide on a 390px screen`);
  await page.screenshot({ path: join(shots, "slowlog-phone.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("after HELLO 3 replies print as redis-cli -3 prints them", async () => {
  const { page, problems, input } = await open();
  await page.getByRole("button", { name: "+ client" }).click();
  const other = page.locator("#console-input-1");
  await run(input, "HELLO 3");
  const hello = await lastReply(page, 0, '"server" => "redis"');
  assert.match(hello, /^1# "server" => "redis"\n2# "version" => "7\.0\.15"\n3# "proto" => \(integer\) 3\n/);
  await run(input, "HSET r3:hash f v g w");
  await run(input, "HGETALL r3:hash");
  assert.equal(await lastReply(page, 0, "=>"), '1# "f" => "v"\n2# "g" => "w"');
  await run(input, "SADD r3:set a");
  await run(input, "SMEMBERS r3:set");
  assert.equal(await lastReply(page, 0, "~"), '1~ "a"');
  await run(input, "ZADD r3:z 1.5 m");
  await run(input, "ZSCORE r3:z m");
  assert.equal(await lastReply(page, 0, "double"), "(double) 1.5");
  await run(input, "ZRANGE r3:z 0 -1 WITHSCORES");
  assert.equal(await lastReply(page, 0, "double"), '1) 1) "m"\n   2) (double) 1.5');
  // A RESP2 pane still sees flat arrays.
  await run(other, "HGETALL r3:hash");
  assert.equal(await lastReply(page, 1, '"f"'), '1) "f"\n2) "v"\n3) "g"\n4) "w"');
  // Pushes: a RESP3 subscriber gets the message as a push.
  await run(other, "HELLO 3");
  await run(other, "SUBSCRIBE r3:ch");
  assert.equal(await lastReply(page, 1, "subscribe"), '1) "subscribe"\n2) "r3:ch"\n3) (integer) 1');
  await run(input, "PUBLISH r3:ch hi");
  assert.equal(await lastReply(page, 1, "message"), '1) "message"\n2) "r3:ch"\n3) "hi"');
  assert.deepEqual(problems, []);
  await page.close();
});
