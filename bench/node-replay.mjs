// Replays a workload file (one command per line, arguments separated by
// single spaces; see xtask/src/workloads.rs) one command at a time in this
// Node process, and prints one line of JSON:
//   {"contender", "commands", "seconds", "opsPerSec", "errors", "unsupported", "firstError",
//    "usedMemory", "wasmMemory"}
//
//   node bench/node-replay.mjs redsim|redsim-pipeline|ioredis-mock FILE
//
// `redsim-pipeline` replays the same file through `db.pipeline`,
// PIPELINE_SIZE commands per call: the package's batched form.
// `redsim` is the npm package's direct API (npm/node.mjs, built by
// `cargo xtask npm`); `ioredis-mock` is the version pinned in
// tools/package-lock.json. Each contender starts empty in a fresh process
// (`cargo xtask bench` runs one process per measurement), and the file is
// parsed before the clock starts, so only command execution is timed.
// Commands ioredis-mock does not implement (PFADD, PFCOUNT) are counted as
// `unsupported`, not as errors: they reject quickly, which if anything
// flatters ioredis-mock's figure.
//
// For redsim, after the clock stops, the memory the data takes (the memory
// figures of `cargo xtask bench`): `usedMemory` is the engine's own INFO
// `used_memory`, `wasmMemory` the size of its wasm linear memory (which
// only grows, so this is the peak). Both are null for ioredis-mock.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [contender, file] = process.argv.slice(2);
/** Commands per `db.pipeline` call for `redsim-pipeline`. */
const PIPELINE_SIZE = 1000;

if (!file || !["redsim", "redsim-pipeline", "ioredis-mock"].includes(contender)) {
  console.error("usage: node bench/node-replay.mjs redsim|redsim-pipeline|ioredis-mock FILE");
  process.exit(2);
}

const commands = readFileSync(file, "utf8")
  .split("\n")
  .filter((line) => line.length > 0)
  .map((line) => line.split(" "));

let errors = 0;
let unsupported = 0;
let firstError = null;
const failed = (argv, err) => {
  errors += 1;
  firstError ??= `${argv.join(" ")}: ${err?.message ?? err}`;
};

let seconds;
let usedMemory = null;
let wasmMemory = null;
if (contender.startsWith("redsim")) {
  const { Redsim } = await import(new URL("../npm/node.mjs", import.meta.url));
  // A manual clock: no timers run beside the replay. No maxmemory, as
  // redis-server and ioredis-mock have none: the package's default 64mb
  // cannot hold `big`'s 1,000,000 keys.
  const db = await Redsim.create({ clock: "manual", maxmemory: 0 });
  const started = performance.now();
  if (contender === "redsim") {
    for (const argv of commands) {
      try {
        db.command(argv);
      } catch (err) {
        failed(argv, err);
      }
    }
  } else {
    for (let from = 0; from < commands.length; from += PIPELINE_SIZE) {
      const batch = commands.slice(from, from + PIPELINE_SIZE);
      db.pipeline(batch).forEach((reply, i) => {
        if (reply instanceof Error) failed(batch[i], reply);
      });
    }
  }
  seconds = (performance.now() - started) / 1000;
  usedMemory = Number(/^used_memory:(\d+)/m.exec(db.command(["INFO", "memory"]))?.[1]);
  // The package does not expose its wasm instance, but wasm-bindgen's
  // module is a singleton that node.mjs has initialised: initSync returns
  // that same instance's exports.
  const bindings = await import(new URL("../npm/pkg/web/redsim_bindings.js", import.meta.url));
  wasmMemory = bindings.initSync().memory.buffer.byteLength;
  db.close();
} else {
  const require = createRequire(new URL("../tools/package.json", import.meta.url));
  const RedisMock = require("ioredis-mock");
  const mock = new RedisMock();
  // Method lookup happens before timing, as redsim's argv is built before.
  const calls = commands.map((argv) => [mock[argv[0].toLowerCase()], argv.slice(1), argv]);
  const started = performance.now();
  for (const [method, args, argv] of calls) {
    try {
      await method.apply(mock, args);
    } catch (err) {
      if (/Unsupported command/.test(err?.message)) unsupported += 1;
      else failed(argv, err);
    }
  }
  seconds = (performance.now() - started) / 1000;
  mock.disconnect();
}

console.log(
  JSON.stringify({
    contender,
    commands: commands.length,
    seconds,
    opsPerSec: commands.length / seconds,
    errors,
    unsupported,
    firstError,
    usedMemory,
    wasmMemory,
  }),
);
