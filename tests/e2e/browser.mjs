// Launches Debian's Chromium through playwright-core (from tools/), headless,
// with a fresh profile and without the background traffic a closed network
// refuses. Never downloads a browser.
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(root, "tools", "package.json"));
const { chromium } = require("playwright-core");

/** Where the tests save their screenshots (made on first use). */
export const shots = join(root, "tests", "e2e", "artifacts");
mkdirSync(shots, { recursive: true });

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "redsim-chromium-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The built playground the tests serve: REDSIM_DIST, or dist/. */
export const distDir = process.env.REDSIM_DIST ?? join(root, "dist");

/** Sends the page's uncaught errors and console errors to `problems`. */
export function collectProblems(page, problems) {
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
}

/**
 * Opens the playground at `url` in a new page of `context` (at
 * `viewport`, if given), collecting errors in `problems`; resolves once
 * the first pane's input is there.
 */
export async function openPlayground(context, url, { problems = [], viewport } = {}) {
  const page = await context.newPage();
  if (viewport) {
    await page.setViewportSize(viewport);
  }
  collectProblems(page, problems);
  await page.goto(url);
  const input = page.locator("#console-input-0");
  await input.waitFor();
  return { page, problems, input };
}

/** Browsers each with a fresh profile (their own storage), closed after the tests. */
export function freshBrowsers(after) {
  const contexts = [];
  after(() => Promise.all(contexts.map((c) => c.close())));
  return async () => {
    const context = await launch();
    contexts.push(context);
    return context;
  };
}

/**
 * The built playground served locally and one browser for a test file,
 * both closed once its tests are done (`after` from node:test).
 */
export async function playgroundSuite(after) {
  const { serveDist } = await import("./serve-dist.mjs");
  const site = await serveDist(distDir);
  const browser = await launch();
  after(async () => {
    await browser.close();
    site.close();
  });
  return { site, browser };
}
