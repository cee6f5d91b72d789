// The JavaScript API over the wasm engine, shared by the Node and browser
// entry points. `bindings` is the wasm-bindgen module for the platform.
//
// A `Hub` owns one engine: its clock, and where each client's output goes
// (an in-process Client, or a socket of `redsim/server`). After everything
// that can produce output (a command, a tick, a socket's bytes) it hands
// every waiting frame to its client, so a PUBLISH reaches subscribers and
// an LPUSH settles another client's BLPOP promise.

import { Client } from "./client.mjs";
import { Exchange } from "./exchange.mjs";
import { RedsimError } from "./reply.mjs";

export { RedsimError };

/** Redis's hz 10: the real clock's cron (expiry, blocking timeouts) runs every 100 ms. */
const TICK_MS = 100;

/** For `redsim/server`: the hub behind a Redsim, not part of the public API. */
export const HUB = Symbol("redsim.hub");

class Hub {
  #sinks = new Map();
  #changeListeners = new Set();
  #changesQueued = false;
  #blocked = 0;
  #timer = null;
  closed = false;

  constructor(bindings, memory, engine, clock, now) {
    this.bindings = bindings;
    this.engine = engine;
    this.exchange = new Exchange(engine, memory);
    this.clock = clock;
    this.manualNow = now;
    if (clock === "real") {
      this.#timer = setInterval(() => this.tick(Date.now()), TICK_MS);
      this.#timer.unref?.();
    }
  }

  attach(id, sink) {
    this.#sinks.set(id, sink);
  }

  detach(id) {
    this.#sinks.delete(id);
  }

  /** The real clock is read before each command, as Redis reads its clock. */
  sync() {
    if (this.clock === "real") this.engine.setTime(Date.now());
  }

  /** The time to run a command at: now on the real clock, NaN (unchanged) on the manual one. */
  commandTime() {
    return this.clock === "real" ? Date.now() : NaN;
  }

  tick(now) {
    this.engine.tick(now);
    this.flush();
  }

  /**
   * Hands waiting frames to their clients; frames for clients nobody holds
   * are dropped. `output` false: the engine said no client has any.
   */
  flush(output = true) {
    if (output) {
      for (const id of this.engine.clientsWithOutput()) {
        const sink = this.#sinks.get(id);
        if (sink) sink.flush();
        else this.engine.takeOutput(id);
      }
    }
    if (this.#changeListeners.size > 0 && !this.#changesQueued) {
      // Batched after the current call, so a listener that runs commands
      // does not re-enter the delivery above, and one event covers a burst.
      this.#changesQueued = true;
      queueMicrotask(() => this.#emitChanges());
    }
  }

  /**
   * Counts clients waiting in a blocking command: on the real clock, Node
   * stays alive for them until their tick (the timer is unref'd otherwise).
   */
  blocked(delta) {
    this.#blocked += delta;
    if (this.#blocked > 0) this.#timer?.ref?.();
    else this.#timer?.unref?.();
  }

  onChange(listener) {
    if (this.#changeListeners.size === 0) this.engine.watchChanges();
    this.#changeListeners.add(listener);
  }

  offChange(listener) {
    this.#changeListeners.delete(listener);
  }

  #emitChanges() {
    this.#changesQueued = false;
    if (this.closed) return;
    const changes = this.engine.takeChanges();
    if (changes.length === 0) return;
    for (const listener of [...this.#changeListeners]) listener(changes);
  }

  close() {
    this.closed = true;
    clearInterval(this.#timer);
    for (const sink of [...this.#sinks.values()]) sink.close();
    this.engine.free();
  }
}

/** `ready()` instantiates the wasm module (once) and resolves to its exports. */
export function makeApi(bindings, ready) {
  /** An engine and its first connection; `connect()` opens more. */
  class Redsim extends Client {
    #hub;

    constructor(hub, options) {
      super(hub, options);
      this.#hub = hub;
    }

    /**
     * Creates an engine. `clock: "real"` (default) follows Date.now();
     * `clock: "manual"` starts at `now` (default 0) and moves only with
     * advanceTime. `maxmemory` (default 64mb; 0 for none) and `config`
     * (parameter → value) are set as a config file would set them.
     */
    static async create({ clock = "real", now, seed = 0x5eed, maxmemory, config = {}, buffers } = {}) {
      const { memory } = await ready();
      if (clock !== "real" && clock !== "manual") {
        throw new TypeError(`clock must be "real" or "manual", not ${clock}`);
      }
      const start = clock === "real" ? Date.now() : (now ?? 0);
      const settings = Object.entries(config).map(([name, value]) => [name, String(value)]);
      if (maxmemory !== undefined) settings.push(["maxmemory", String(maxmemory)]);
      let engine;
      try {
        engine = new bindings.WasmEngine(BigInt.asUintN(64, BigInt(seed)), start, settings);
      } catch (err) {
        throw new RedsimError(err.message);
      }
      return new Redsim(new Hub(bindings, memory, engine, clock, start), { buffers });
    }

    /** Creates an engine (as `create`) holding an RDB file's data. */
    static async fromSnapshot(bytes, options) {
      const db = await Redsim.create(options);
      try {
        db.#hub.engine.loadSnapshot(bytes);
      } catch (err) {
        db.close();
        throw new RedsimError(err.message);
      }
      return db;
    }

    /** Another connection to the same data. */
    connect({ buffers } = {}) {
      return new Client(this.#hub, { buffers });
    }

    /** With the manual clock: moves time forward, runs expiry and blocking timeouts. */
    advanceTime(ms) {
      if (this.#hub.clock !== "manual") {
        throw new Error("advanceTime needs the manual clock");
      }
      if (!(ms >= 0)) throw new RangeError("advanceTime needs a number of milliseconds >= 0");
      this.#hub.manualNow += ms;
      this.#hub.tick(this.#hub.manualNow);
    }

    /** Milliseconds since the epoch, as the engine sees them. */
    now() {
      this.#hub.sync();
      return this.#hub.engine.now();
    }

    /** The whole dataset as an RDB file (what Redis 7.0 writes). */
    snapshot() {
      return this.#hub.engine.snapshot();
    }

    /** `change`: `listener(changes)` after writes, expiry or eviction, batched per task. */
    on(event, listener) {
      if (event === "change") this.#hub.onChange(listener);
      else super.on(event, listener);
      return this;
    }

    off(event, listener) {
      if (event === "change") this.#hub.offChange(listener);
      else super.off(event, listener);
      return this;
    }

    /** Closes every connection (pending blocking commands reject) and frees the engine. */
    close() {
      if (this.#hub.closed) return;
      super.close();
      this.#hub.close();
    }

    get [HUB]() {
      return this.#hub;
    }
  }
  return { Redsim, RedsimError };
}
