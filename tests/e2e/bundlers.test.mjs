// The npm package in bundlers, with no configuration of their own: its
// packed tarball installed into a scratch app whose `main.js` imports
// "redsim" is built by Vite (`vite build`) and by webpack 5 (production),
// both from tools/, and each build runs in Chromium. Proves that the
// package's browser entry resolves, that the engine works (commands, an
// error's text, a blocking pop served by another client, the node-redis–
// style client), and that each bundler emitted the wasm file as an asset of
// its own, unchanged and not inlined, which the page then fetched.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { installPackedTarball } from "../../npm/test-support/install.mjs";
import { serveDist } from "./serve-dist.mjs";
import { collectProblems, launch } from "./browser.mjs";

// The bundlers come from tools/ (pinned in its lockfile); "redsim" is
// resolved by them from the scratch app, i.e. the installed tarball.
const tools = createRequire(fileURLToPath(new URL("../../tools/package.json", import.meta.url)));
const vite = await import(pathToFileURL(tools.resolve("vite")).href);
const webpack = tools("webpack");

const scratch = installPackedTarball();
const packagedWasm = readFileSync(join(scratch, "node_modules/redsim/pkg/web/redsim_bindings_bg.wasm"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const browser = await launch();
after(() => browser.close());

writeFileSync(
  join(scratch, "main.js"),
  `import { Redsim, RedsimError, createClient } from "redsim";

async function run() {
  const out = {};
  const db = await Redsim.create({ clock: "manual" });
  out.set = db.command(["SET", "k", "v", "EX", "10"]);
  out.get = db.command(["GET", "k"]);
  try {
    db.command(["INCR", "k"]);
  } catch (err) {
    out.error = [err instanceof RedsimError, err.message];
  }
  const worker = db.connect();
  const popped = worker.command(["BLPOP", "jobs", "0"]);
  out.pushed = db.command(["LPUSH", "jobs", "j1"]);
  out.popped = await popped;
  db.advanceTime(11_000);
  out.expired = db.command(["EXISTS", "k"]);
  const client = createClient({ db });
  await client.connect();
  await client.hSet("h", { name: "Ada", visits: 1 });
  out.hash = await client.hGetAll("h");
  await client.quit();
  db.close();
  return out;
}

run().then(
  (out) => { window.result = out; },
  (err) => { window.result = { failed: String(err) }; },
);
`,
);

const EXPECTED = {
  set: "OK",
  get: "v",
  error: [true, "ERR value is not an integer or out of range"],
  pushed: 1,
  popped: ["jobs", "j1"],
  expired: 0,
  hash: { name: "Ada", visits: "1" },
};

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, f)).isFile());
}

/**
 * Checks a bundle in `dist`, then opens its index.html in Chromium: the
 * engine's results, no errors, and the wasm fetched from the bundle.
 * Logs the gzip sizes of its wasm and JS.
 */
async function checkBundle(t, dist) {
  const files = filesUnder(dist);
  const wasm = files.filter((f) => extname(f) === ".wasm");
  assert.equal(wasm.length, 1, `one wasm asset in ${files.join(", ")}`);
  assert.ok(readFileSync(join(dist, wasm[0])).equals(packagedWasm), "the package's wasm, unchanged");
  const js = files.filter((f) => extname(f) === ".js");
  assert.ok(js.length > 0, "a JS bundle");
  for (const f of js) {
    // "\0asm\x01\0\0\0" in base64: the wasm inlined as a data URL or string.
    assert.ok(!readFileSync(join(dist, f), "latin1").includes("AGFzbQEAAAA"), `${f} inlines no wasm`);
  }

  const site = await serveDist(dist);
  const page = await browser.newPage();
  try {
    const problems = [];
    collectProblems(page, problems);
    const wasmFetched = [];
    page.on("response", (res) => {
      const { pathname } = new URL(res.url());
      if (pathname.endsWith(".wasm")) {
        wasmFetched.push([pathname, res.status()]);
      }
    });
    await page.goto(`${site.url}index.html`);
    await page.waitForFunction(() => window.result !== undefined);
    assert.deepEqual(await page.evaluate(() => window.result), EXPECTED);
    assert.deepEqual(wasmFetched, [[`/${wasm[0]}`, 200]]);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    site.close();
  }

  const gzip = (list) => list.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);
  t.diagnostic(`gzip: wasm ${gzip(wasm)} B, js ${gzip(js)} B (${js.join(", ")})`);
}

test("Vite (vite build) bundles the package with its wasm as an asset", async (t) => {
  writeFileSync(
    join(scratch, "index.html"),
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/main.js"></script>`,
  );
  const outDir = join(scratch, "vite-dist");
  const warnings = [];
  const customLogger = vite.createLogger("warn");
  customLogger.warn = customLogger.warnOnce = (msg) => warnings.push(msg);
  await vite.build({ root: scratch, configFile: false, logLevel: "warn", customLogger, build: { outDir, emptyOutDir: true } });
  assert.deepEqual(warnings, []);
  await checkBundle(t, outDir);
});

const PERFORMANCE_HINTS = ["AssetsOverSizeLimitWarning", "EntrypointsOverSizeLimitWarning", "NoAsyncChunksWarning"];

test("webpack 5 (production) bundles the package with its wasm as an asset", async (t) => {
  const outDir = join(scratch, "webpack-dist");
  const compiler = webpack({
    mode: "production",
    context: scratch,
    entry: "./main.js",
    output: { path: outDir, filename: "main.js", clean: true },
  });
  const stats = await new Promise((resolve, reject) => {
    compiler.run((err, result) => compiler.close(() => (err ? reject(err) : resolve(result))));
  });
  assert.deepEqual(stats.compilation.errors.map((e) => e.message), []);
  // Only webpack's performance hints, which any app past 244 KiB gets (the
  // wasm is 1 MB); nothing about resolving or parsing the package.
  const warnings = stats.compilation.warnings.map((w) => w.name);
  assert.deepEqual(warnings.filter((name) => !PERFORMANCE_HINTS.includes(name)), []);
  writeFileSync(
    join(outDir, "index.html"),
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script src="main.js"></script>`,
  );
  await checkBundle(t, outDir);
});
