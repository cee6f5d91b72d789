// Helpers for the persistence and sharing tests: a page that fails the
// test on any browser error, typing a command into a pane and reading its
// reply, and the persistence bar's state.
import { join } from "node:path";
import { repoRoot } from "./browser.mjs";

export const distDir = process.env.REDSIM_DIST ?? join(repoRoot, "dist");

/** Opens `url` in a new page of `context`; errors land in `problems`. */
export async function open(context, url, problems) {
  const page = await context.newPage();
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
  await page.goto(url);
  await page.locator("#console-input-0").waitFor();
  return page;
}

/** Types `line` into pane `pane` and answers redis-cli's reply to it. */
export async function run(page, line, pane = 0) {
  const entries = page.locator(`section.console[data-pane="${pane}"] .entry`);
  const before = await entries.count();
  const input = page.locator(`#console-input-${pane}`);
  await input.fill(line);
  await input.press("Enter");
  const entry = entries.nth(before);
  await entry.waitFor();
  const reply = entry.locator(".reply");
  return (await reply.count()) ? await reply.textContent() : "";
}

/** Waits until every write to IndexedDB has been confirmed. */
export async function saved(page) {
  await page.locator('.persist-status[data-state="saved"]').waitFor();
}
