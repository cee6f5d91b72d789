// Replays a workload file (one command per line, arguments separated by
// single spaces; see xtask/src/workloads.rs) one command at a time in this
// Node process, and prints one line of JSON:
//   {"contender", "commands", "seconds", "opsPerSec", "errors", "unsupported", "firstError"}
//
//   node bench/node-replay.mjs redsim|ioredis-mock FILE
//
// `redsim` is the npm package's direct API (npm/node.mjs, built by
// `cargo xtask npm`); `ioredis-mock` is the version pinned in
// tools/package-lock.json. Each contender starts empty in a fresh process
// (`cargo xtask bench` runs one process per measurement), and the file is
// parsed before the clock starts, so only command execution is timed.
// Commands ioredis-mock does not implement (PFADD, PFCOUNT) are counted as
// `unsupported`, not as errors: they reject quickly, which if anything
// flatters ioredis-mock's figure.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [contender, file] = process.argv.slice(2);
if (!file || !["redsim", "ioredis-mock"].includes(contender)) {
  console.error("usage: node bench/node-replay.mjs redsim|ioredis-mock FILE");
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
if (contender === "redsim") {
  const { Redsim } = await import(new URL("../npm/node.mjs", import.meta.url));
  // A manual clock: no timers run beside the replay. No maxmemory, as
  // redis-server and ioredis-mock have none: the package's default 64mb
  // cannot hold `big`'s 1,000,000 keys.
  const db = await Redsim.create({ clock: "manual", maxmemory: 0 });
  const started = performance.now();
  for (const argv of commands) {
    try {
      db.command(argv);
    } catch (err) {
      failed(argv, err);
    }
  }
  seconds = (performance.now() - started) / 1000;
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
  }),
);
