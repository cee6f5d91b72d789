// What a person does on the playground: type redis-cli commands into the
// console and read the replies, printed exactly as redis-cli prints them.
// Needs dist/ built by `trunk build --release` (cargo xtask test does it).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openPlayground, playgroundSuite, shots } from "./browser.mjs";

const { site, browser } = await playgroundSuite(after);

test("the console runs commands and prints redis-cli replies", async () => {
  const { page, problems, input } = await openPlayground(browser, site.url);

  const typed = [
    ["SET greeting hello", "OK"],
    ["GET greeting", '"hello"'],
    ["EXPIRE greeting 100", "(integer) 1"],
    ["TTL greeting", "(integer) 100"],
    ["GET nosuch", "(nil)"],
    ["FOO", "(error) ERR unknown command 'FOO', with args beginning with: "],
    ["RPUSH list a b", "(integer) 2"],
    ["LRANGE list 0 -1", '1) "a"\n2) "b"'],
    // redis-cli's quoting on the way in, its escapes on the way out.
    ['SET bin "a b\\x00\\xff\\n"', "OK"],
    ["GET bin", '"a b\\x00\\xff\\n"'],
    ["SET 'it''s' x", "Invalid argument(s)"],
  ];
  for (const [line, _] of typed) {
    await input.fill(line);
    await input.press("Enter");
  }
  const entries = page.locator(".entry");
  await assert.doesNotReject(entries.nth(typed.length - 1).waitFor());
  for (const [i, [line, reply]] of typed.entries()) {
    const entry = entries.nth(i);
    assert.equal(await entry.locator(".input").textContent(), line);
    assert.equal(await entry.locator(".prompt").textContent(), "127.0.0.1:6379> ");
    assert.equal(await entry.locator(".reply").textContent(), reply, `reply to ${line}`);
  }
  // Errors stand apart from replies.
  assert.equal(await entries.nth(5).locator(".reply.error").count(), 1);
  assert.equal(await entries.nth(4).locator(".reply.error").count(), 0);

  // Up arrow brings back the previous command; down restores the draft.
  await input.fill("draft");
  await input.press("ArrowUp");
  assert.equal(await input.inputValue(), "SET 'it''s' x");
  await input.press("ArrowUp");
  assert.equal(await input.inputValue(), "GET bin");
  await input.press("ArrowDown");
  await input.press("ArrowDown");
  assert.equal(await input.inputValue(), "draft");

  // SELECT changes the prompt the way redis-cli does.
  await input.fill("SELECT 3");
  await input.press("Enter");
  await page.locator("label.prompt", { hasText: "127.0.0.1:6379[3]> " }).waitFor();

  await page.screenshot({ path: join(shots, "console.png"), fullPage: true });
  assert.deepEqual(problems, []);
});

test("client panes are separate connections to one server", async () => {
  const { page, problems, input: first } = await openPlayground(browser, site.url);
  await page.getByRole("button", { name: "+ client" }).click();
  const second = page.locator("#console-input-1");
  await second.waitFor();
  const run = async (input, line) => {
    await input.fill(line);
    await input.press("Enter");
  };
  const pane = (n) => page.locator(`.console[data-pane="${n}"]`);

  // SUBSCRIBE in one pane, PUBLISH in the other: the message arrives.
  await run(second, "SUBSCRIBE news");
  await run(first, "PUBLISH news hello");
  await pane(1).locator(".reply", { hasText: '1) "message"\n2) "news"\n3) "hello"' }).waitFor();

  // BLPOP waits, visibly, until the other pane pushes.
  await page.getByRole("button", { name: "+ client" }).click();
  const third = page.locator("#console-input-2");
  await run(third, "BLPOP jobs 0");
  await pane(2).locator(".blocked-state").waitFor();
  assert.equal(await third.isDisabled(), true);
  await run(first, "LPUSH jobs j1");
  await pane(2).locator(".reply", { hasText: '1) "jobs"\n2) "j1"' }).waitFor();
  assert.equal(await pane(2).locator(".blocked-state").count(), 0);

  // A blocked pane can give up.
  await run(third, "BLPOP jobs 0");
  await pane(2).getByRole("button", { name: "cancel" }).click();
  await pane(2).locator(".entry").last().locator(".reply", { hasText: "(nil)" }).waitFor();

  // WATCH/MULTI/EXEC fails after a write in another pane.
  await run(first, "WATCH k");
  await run(first, "MULTI");
  await run(first, "SET k 1");
  await run(third, "SET k 2");
  await run(first, "EXEC");
  await pane(0).locator(".entry").last().locator(".reply", { hasText: "(nil)" }).waitFor();

  // Closing a pane disconnects its client.
  await pane(1).getByRole("button", { name: "close this client" }).click();
  await run(first, "PUBSUB NUMSUB news");
  await pane(0).locator(".entry").last().locator(".reply", { hasText: '2) (integer) 0' }).waitFor();

  await page.screenshot({ path: join(shots, "panes.png"), fullPage: true });
  assert.deepEqual(problems, []);
});

test("scripts and functions run in the console; a runaway script is BUSY until SCRIPT KILL", async () => {
  const { page, problems, input: first } = await openPlayground(browser, site.url);
  const run = async (input, line) => {
    await input.fill(line);
    await input.press("Enter");
  };
  const pane = (n) => page.locator(`.console[data-pane="${n}"]`);
  const lastReply = (n) => pane(n).locator(".entry").last().locator(".reply");

  await run(first, `EVAL "return redis.call('set', KEYS[1], ARGV[1])" 1 k v`);
  await lastReply(0).filter({ hasText: /^OK$/ }).waitFor();
  await run(first, `FUNCTION LOAD "#!lua name=lib\\nredis.register_function('hi', function(keys, args) return 'hi ' .. args[1] end)"`);
  await lastReply(0).filter({ hasText: /^"lib"$/ }).waitFor();
  await run(first, "FCALL hi 0 you");
  await lastReply(0).filter({ hasText: /^"hi you"$/ }).waitFor();

  // Past busy-reply-threshold the script is paused, not the tab: the other
  // pane gets BUSY and can stop it.
  await run(first, "CONFIG SET busy-reply-threshold 50");
  await page.getByRole("button", { name: "+ client" }).click();
  const second = page.locator("#console-input-1");
  await second.waitFor();
  await run(first, 'EVAL "while true do end" 0');
  await pane(0).locator(".blocked-state").waitFor();
  await run(second, "GET k");
  await lastReply(1)
    .filter({ hasText: "(error) BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE." })
    .waitFor();
  await run(second, "SCRIPT KILL");
  await lastReply(1).filter({ hasText: /^OK$/ }).waitFor();
  await lastReply(0).filter({ hasText: /^\(error\) ERR Script killed by user with SCRIPT KILL\.\.\. script: / }).waitFor();
  assert.equal(await pane(0).locator(".blocked-state").count(), 0);
  assert.deepEqual(problems, []);
});

test("the clock pauses and jumps ahead, and keys expire on its time", async () => {
  const { page, problems, input } = await openPlayground(browser, site.url);
  await page.getByRole("button", { name: "pause" }).click();
  await page.locator(".clock-state", { hasText: "paused" }).waitFor();
  await input.fill("SET k v EX 60");
  await input.press("Enter");
  const seconds = async () => {
    const [h, m, s] = (await page.locator(".clock .time").textContent()).slice(0, 8).split(":");
    return Number(h) * 3600 + Number(m) * 60 + Number(s);
  };
  const before = await seconds();
  await page.getByRole("button", { name: "+1 min" }).click();
  await page.waitForFunction(() => true);
  assert.equal(((await seconds()) - before + 86400) % 86400, 60, "paused time moved by one minute");
  await input.fill("GET k");
  await input.press("Enter");
  await page.locator(".entry").last().locator(".reply", { hasText: "(nil)" }).waitFor();
  // A typed jump: what does not read as a duration is refused, visibly.
  const jump = page.getByLabel(/jump ahead by a duration/);
  await jump.fill("soon");
  await jump.press("Enter");
  await page.locator('.advance-custom input[aria-invalid="true"]').waitFor();
  const beforeJump = await seconds();
  await jump.fill("1h30m");
  await jump.press("Enter");
  await page.locator('.advance-custom input[aria-invalid="false"]').waitFor();
  for (let i = 0; i < 50 && (await seconds()) === beforeJump; i++) await page.waitForTimeout(20);
  assert.equal(((await seconds()) - beforeJump + 86400) % 86400, 5400, "paused time moved by 1h30m");
  await page.getByRole("button", { name: "resume" }).click();
  // Time runs on from where it stood: still about a minute ahead.
  await page.locator(".clock-state", { hasText: /running, 54[0-9][0-9] s ahead/ }).waitFor();
  assert.deepEqual(problems, []);
});
