// The playground with a big keyspace (issue 11): loads KEYS keys into the
// playground's engine through its own console (DEBUG POPULATE), then in
// headless Chromium
//   - scrolls the key browser from top to bottom with the mouse wheel while
//     the page records the time between animation frames, and
//   - types commands and times each from the Enter keydown to its answer
//     appearing in the console (in the page's own clock),
// and prints one line of JSON (times in ms):
//   {"keys", "populateMs", "frames", "frameMedian", "frameP95", "frameMax",
//    "over20ms", "commands", "commandMedian", "commandP95", "commandMax"}
//
//   node bench/playground-keys.mjs DIST [KEYS]
//
// DIST is a built playground (`trunk build --release`); KEYS defaults to
// 1,000,000. Frame times come from requestAnimationFrame in the page: the
// interval between two frames is what a person sees as smooth (16.7 ms at
// 60 fps) or not. The smoke run (`cargo xtask test`) uses few keys and
// checks only that everything runs.
import { launch, openPlayground } from "../tests/e2e/browser.mjs";
import { serveDist } from "../tests/e2e/serve-dist.mjs";

const [dist, keysArg] = process.argv.slice(2);
if (!dist) {
  console.error("usage: node bench/playground-keys.mjs DIST [KEYS]");
  process.exit(2);
}
const keys = Number(keysArg ?? 1_000_000);
const SCROLL_STEPS = 150;
const COMMANDS = 20;

const site = await serveDist(dist);
const browser = await launch();
try {
  const problems = [];
  const { page, input } = await openPlayground(browser, site.url, {
    problems,
    viewport: { width: 1280, height: 800 },
  });

  /** Runs a console line and resolves with the text of its answer. */
  const run = async (line) => {
    const entries = page.locator(".console .entry");
    const before = await entries.count();
    await input.fill(line);
    await input.press("Enter");
    const entry = entries.nth(before);
    await entry.waitFor({ timeout: 600_000 });
    return entry.textContent();
  };

  await run("FLUSHALL");
  await run("CONFIG SET maxmemory 0");
  const started = Date.now();
  const populated = await run(`DEBUG POPULATE ${keys}`);
  const populateMs = Date.now() - started;
  if (!populated.includes("OK")) throw new Error(`DEBUG POPULATE answered ${populated}`);
  const size = await run("DBSIZE");
  if (!size.includes(String(keys))) throw new Error(`DBSIZE answered ${size}`);
  await page.locator(".key-row").first().waitFor();

  // Scroll the key browser's list from the top, recording frame intervals.
  const list = page.locator(".key-tree").first();
  const box = await list.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (window.__recording) requestAnimationFrame(tick);
    };
    window.__recording = true;
    requestAnimationFrame(tick);
  });
  for (let i = 0; i < SCROLL_STEPS; i++) {
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(16);
  }
  const frames = await page.evaluate(() => {
    window.__recording = false;
    // The first interval runs from the recorder's start, not a frame.
    return window.__frames.slice(1);
  });
  const scrolled = await list.evaluate((el) => el.scrollTop);
  if (scrolled <= 0) throw new Error("the key browser did not scroll");

  // Command latency: keydown of Enter to the answer in the console.
  await page.evaluate(() => {
    const console = document.querySelector(".console");
    window.__latencies = [];
    document.addEventListener(
      "keydown",
      (event) => {
        if (event.key === "Enter") window.__pressed = performance.now();
      },
      true,
    );
    new MutationObserver(() => {
      if (window.__pressed !== undefined) {
        window.__latencies.push(performance.now() - window.__pressed);
        window.__pressed = undefined;
      }
    }).observe(console, { childList: true, subtree: true });
  });
  for (let i = 0; i < COMMANDS; i++) {
    const answer = await run(`GET key:${(i * 7919) % keys}`);
    if (!answer.includes("value:")) throw new Error(`GET answered ${answer}`);
  }
  const latencies = await page.evaluate(() => window.__latencies);
  if (problems.length > 0) throw new Error(`page errors: ${problems.join("; ")}`);

  const frame = summary(frames);
  const command = summary(latencies);
  console.log(
    JSON.stringify({
      keys,
      populateMs,
      frames: frames.length,
      frameMedian: frame.median,
      frameP95: frame.p95,
      frameMax: frame.max,
      over20ms: frames.filter((ms) => ms > 20).length,
      commands: latencies.length,
      commandMedian: command.median,
      commandP95: command.p95,
      commandMax: command.max,
    }),
  );
} finally {
  await browser.close();
  await site.close();
}

/** Median, 95th percentile and maximum, in milliseconds to 0.1. */
function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const round = (ms) => Math.round(ms * 10) / 10;
  return { median: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1) ?? NaN) };
}
