// `redsim/server`: the engine over RESP2/RESP3 on a TCP port, for clients
// that speak the wire protocol (node-redis, ioredis, redis-cli). Node owns
// the sockets; parsing, running and encoding happen in the engine's own
// RESP code (bindings' `wire`), so requests are parsed incrementally with
// Redis's limits and protocol-error texts, and what a connection pipelined
// behind a blocking command waits in its buffer until the command is served.

import { createServer } from "node:net";
import { Redsim } from "./node.mjs";
import { HUB } from "./redsim.mjs";

/**
 * Serves an engine on `host:port` (port 0: one the OS picks). `db` serves
 * an existing engine (its in-process clients and the sockets share the
 * data); otherwise one is created with the remaining options.
 */
export async function listen({ port = 0, host = "127.0.0.1", db, ...options } = {}) {
  const owned = db === undefined;
  db ??= await Redsim.create(options);
  const hub = db[HUB];
  const sockets = new Set();
  const server = createServer((socket) => serve(hub, socket, sockets));
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: server.address().port,
    host,
    db,
    /** Stops listening, drops every connection and, unless `db` was given, the engine. */
    close() {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      if (owned) db.close();
      return closed;
    },
  };
}

function serve(hub, socket, sockets) {
  // A lent engine its owner closed serves no one.
  if (hub.closed) return socket.destroy();
  const engine = hub.engine;
  socket.setNoDelay(true);
  sockets.add(socket);
  const id = engine.wireConnect(
    `${socket.remoteAddress}:${socket.remotePort}`,
    `${socket.localAddress}:${socket.localPort}`,
  );
  let ending = false;
  hub.attach(id, {
    flush() {
      // A client over its output buffer limit loses what it did not read,
      // as in Redis; one that asked to go (QUIT) gets its replies first.
      if (engine.outputDropped(id)) return socket.destroy();
      const bytes = engine.wireOutput(id);
      if (bytes.length > 0 && !socket.write(bytes)) {
        // The peer reads slower than it sends: stop reading until it
        // catches up, and let the engine's output limits see the backlog.
        socket.pause();
        engine.setBacklogs(new Uint32Array([id, socket.writableLength]));
      }
      if (!ending && engine.shouldClose(id)) {
        ending = true;
        socket.end();
      }
    },
    close: () => socket.destroy(),
  });
  socket.on("drain", () => {
    if (hub.closed) return;
    engine.setBacklogs(new Uint32Array([id, 0]));
    socket.resume();
  });
  socket.on("data", (chunk) => {
    if (hub.closed || ending) return;
    hub.sync();
    engine.wireFeed(id, chunk);
    hub.flush();
  });
  // Resets and the like end in "close" like any other end of a connection.
  socket.on("error", () => {});
  socket.on("close", () => {
    sockets.delete(socket);
    if (hub.closed) return;
    hub.detach(id);
    engine.disconnect(id);
    hub.flush();
  });
}
