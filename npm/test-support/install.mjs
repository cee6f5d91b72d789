// Packs the package and installs the tarball into a scratch project, as a
// user would, then loads it from there through the package's `exports`.
// Outside `test/`, which node --test would run as a test file of its own.
// `cargo xtask test` builds `pkg/` and installs the dev dependencies first.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

export function installPackedTarball() {
  const scratch = mkdtempSync(join(tmpdir(), "redsim-npm-"));
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], {
    cwd: packageDir,
    encoding: "utf8",
  }).trim().split("\n").pop();
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(scratch, packed)], {
    cwd: scratch,
    stdio: "ignore",
  });
  assert.ok(readdirSync(join(scratch, "node_modules", "redsim", "pkg", "web")).some((f) => f.endsWith(".wasm")));
  return scratch;
}

/** Imports `specifier` ("redsim", "redsim/server") as the scratch project resolves it under Node. */
export function importFrom(scratch, specifier) {
  const resolved = createRequire(join(scratch, "package.json")).resolve(specifier);
  return import(pathToFileURL(resolved).href);
}

/** The package's own dev dependencies (node-redis, ioredis), from its lockfile. */
export const requireDev = createRequire(join(packageDir, "package.json"));
