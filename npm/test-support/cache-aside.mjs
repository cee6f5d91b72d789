// The cache-aside example from the Redis guides, written for node-redis v4
// and left as such: an Express route that reads the cache, falls back to
// the database on a miss and caches what it read with a TTL. The test
// (test/cache-aside.test.mjs) runs it with only its import of "redis"
// changed to "redsim".
import express from "express";
import { createClient } from "redis";

export async function startServer({ fetchProduct, ttlSeconds, port = 0 }) {
  const client = createClient();
  client.on("error", (err) => console.error("Redis Client Error", err));
  await client.connect();

  const app = express();
  app.get("/products/:id", async (req, res) => {
    const key = `product:${req.params.id}`;
    const cached = await client.get(key);
    if (cached) {
      return res.json({ source: "cache", product: JSON.parse(cached) });
    }
    const product = await fetchProduct(req.params.id);
    await client.set(key, JSON.stringify(product), { EX: ttlSeconds });
    res.json({ source: "database", product });
  });

  const server = await new Promise((resolve) => {
    const listening = app.listen(port, "127.0.0.1", () => resolve(listening));
  });
  return {
    port: server.address().port,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await client.quit();
    },
  };
}
