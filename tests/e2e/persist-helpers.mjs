// Helpers for the persistence and sharing tests: a page that fails the
// test on any browser error, typing a command into a pane and reading its
// reply, and the persistence bar's state.
import { openPlayground } from "./browser.mjs";

export { distDir } from "./browser.mjs";

/** Opens `url` in a new page of `context`; errors land in `problems`. */
export async function open(context, url, problems) {
  return (await openPlayground(context, url, { problems })).page;
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
