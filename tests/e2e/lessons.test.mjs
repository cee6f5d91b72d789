// Guided lessons: open one, run its commands with a click into the
// console, walk its steps, and have the challenge checked against the
// engine: failing first, met after running the solution. Needs a built
// dist/ (or REDSIM_DIST).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openPlayground, playgroundSuite, shots } from "./browser.mjs";

const { site, browser } = await playgroundSuite(after);

test("a lesson runs its commands in the console and checks the challenge", async () => {
  const { page, problems, input } = await openPlayground(browser, site.url, { viewport: { width: 1280, height: 800 } });
  await input.fill("FLUSHALL");
  await input.press("Enter");
  await page.getByRole("button", { name: "lessons" }).click();
  await page.getByRole("button", { name: "Strings" }).click();
  const lesson = page.locator('.lessons[data-lesson="strings"]');
  await lesson.locator(".lesson-progress", { hasText: "step 1 of" }).waitFor();

  // ▶ runs one line in the console, exactly as if typed.
  await lesson.getByRole("button", { name: 'run SET greeting "Hello, Redis"' }).click();
  const last = page.locator(".console .entry").last();
  await last.locator(".input", { hasText: 'SET greeting "Hello, Redis"' }).waitFor();
  assert.equal(await last.locator(".reply").textContent(), "OK");
  await lesson.locator(".run-all").first().click();
  await page.locator(".console .entry").last().locator(".reply", { hasText: "(nil)" }).waitFor();

  // Walk to the challenge; checking before solving fails, line by line.
  const steps = Number(/of (\d+)/.exec(await lesson.locator(".lesson-progress").textContent())[1]);
  for (let i = 1; i < steps; i++) await lesson.getByRole("button", { name: "next →" }).click();
  await lesson.locator(".lesson-progress", { hasText: `step ${steps} of ${steps}` }).waitFor();
  assert.equal(await lesson.getByRole("button", { name: "next →" }).isDisabled(), true);
  await lesson.getByRole("button", { name: "check my work" }).click();
  await lesson.locator(".verdict.failed").waitFor();
  assert.ok((await lesson.locator(".outcome.failed").count()) > 0);

  // The solution, run from the lesson, meets it.
  await lesson.getByRole("button", { name: "show a solution" }).click();
  await lesson.locator(".challenge .run-all").click();
  await page.locator(".console .entry").last().locator(".input", { hasText: "SET page:title Home" }).waitFor();
  await lesson.getByRole("button", { name: "check my work" }).click();
  await lesson.locator(".verdict.passed").waitFor();
  assert.equal(await lesson.locator(".outcome.failed").count(), 0);
  await lesson.screenshot({ path: join(shots, "lesson-challenge.png") });

  // Readable on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow} px too wide)`);
  await lesson.screenshot({ path: join(shots, "lesson-phone.png") });
  assert.deepEqual(problems, []);
});

test("a lesson's commands for a second client open that pane", async () => {
  const { page, problems } = await openPlayground(browser, site.url, { viewport: { width: 1280, height: 800 } });
  await page.getByRole("button", { name: "lessons" }).click();
  await page.getByRole("button", { name: "Pub/sub" }).click();
  const lesson = page.locator('.lessons[data-lesson="pubsub"]');
  await lesson.getByRole("button", { name: "run SUBSCRIBE news in client 2" }).click();
  const second = page.locator('.console[data-pane="1"]');
  await second.locator(".entry .input", { hasText: "SUBSCRIBE news" }).waitFor();
  await lesson.getByRole("button", { name: 'run PUBLISH news "Redis 7 is out"' }).click();
  await second.locator(".reply", { hasText: '1) "message"\n2) "news"\n3) "Redis 7 is out"' }).waitFor();
  assert.deepEqual(problems, []);
});
