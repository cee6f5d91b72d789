// What a person does on the playground: type redis-cli commands into the
// console and read the replies, printed exactly as redis-cli prints them.
// Needs dist/ built by `trunk build --release` (cargo xtask test does it).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { serveDist } from "./serve-dist.mjs";
import { launch, repoRoot } from "./browser.mjs";

const site = await serveDist(join(repoRoot, "dist"));
const browser = await launch();
after(async () => {
  await browser.close();
  site.close();
});

test("the console runs commands and prints redis-cli replies", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
  await page.goto(site.url);
  const input = page.locator("#console-input");
  await input.waitFor();

  const typed = [
    ["SET greeting hello", "OK"],
    ["GET greeting", '"hello"'],
    ["EXPIRE greeting 100", "(integer) 1"],
    ["TTL greeting", "(integer) 100"],
    ["GET nosuch", "(nil)"],
    ["FOO", "(error) ERR unknown command 'FOO', with args beginning with: "],
    ["RPUSH list a b", "(integer) 2"],
    ["LRANGE list 0 -1", '1) "a"\n2) "b"'],
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

  // Up arrow brings back the previous command; down restores the draft.
  await input.fill("draft");
  await input.press("ArrowUp");
  assert.equal(await input.inputValue(), "LRANGE list 0 -1");
  await input.press("ArrowUp");
  assert.equal(await input.inputValue(), "RPUSH list a b");
  await input.press("ArrowDown");
  await input.press("ArrowDown");
  assert.equal(await input.inputValue(), "draft");

  // SELECT changes the prompt the way redis-cli does.
  await input.fill("SELECT 3");
  await input.press("Enter");
  await page.locator("label.prompt", { hasText: "127.0.0.1:6379[3]> " }).waitFor();

  const shots = join(repoRoot, "tests", "e2e", "artifacts");
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, "console.png"), fullPage: true });
  assert.deepEqual(problems, []);
});
