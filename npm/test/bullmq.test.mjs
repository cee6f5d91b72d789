// BullMQ, unmodified (pinned in the package's lockfile), on `redsim/server`
// from the installed tarball: its queue and worker run everything through
// Lua scripts loaded with SCRIPT LOAD and called with EVALSHA (cmsgpack,
// streams, sorted sets), plus blocking pops for the worker's wake-ups.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { installPackedTarball, importFrom, requireDev } from "../test-support/install.mjs";

const scratch = installPackedTarball();
const { listen } = await importFrom(scratch, "redsim/server");
const { Queue, Worker } = requireDev("bullmq");

let srv;

before(async () => {
  srv = await listen({ port: 0 });
});

after(async () => {
  await srv.close();
});

test("a BullMQ queue and worker run jobs, retries and delays to completion", async () => {
  const connection = { host: "127.0.0.1", port: srv.port };
  const queue = new Queue("jobs", { connection });
  const completed = [];
  const failed = [];
  const worker = new Worker(
    "jobs",
    async (job) => {
      if (job.name === "bad") throw new Error("no good");
      return { doubled: job.data.n * 2 };
    },
    { connection, concurrency: 2 },
  );
  worker.on("completed", (job, result) => completed.push(`${job.name}:${result.doubled}`));
  worker.on("failed", (job, err) => failed.push(`${job.name}:${err.message}:${job.attemptsMade}`));
  try {
    for (let n = 1; n <= 5; n++) await queue.add("double", { n });
    await queue.add("bad", { n: 0 }, { attempts: 2, backoff: { type: "fixed", delay: 50 } });
    await queue.add("later", { n: 10 }, { delay: 300 });
    const deadline = Date.now() + 10_000;
    while ((completed.length < 6 || failed.length < 2) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.deepEqual(completed.sort(), ["double:10", "double:2", "double:4", "double:6", "double:8", "later:20"]);
    assert.deepEqual(failed, ["bad:no good:1", "bad:no good:2"]);
    const counts = await queue.getJobCounts("completed", "failed", "waiting", "delayed", "active");
    assert.deepEqual(counts, { completed: 6, failed: 1, waiting: 0, paused: 0, delayed: 0, active: 0 });
    const [bad] = await queue.getFailed();
    assert.equal(bad.failedReason, "no good");
    assert.equal(bad.attemptsMade, 2);
  } finally {
    await worker.close();
    await queue.close();
  }
});
