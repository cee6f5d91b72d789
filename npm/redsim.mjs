// The JavaScript API over the wasm engine, shared by the Node and browser
// entry points. `bindings` is the wasm-bindgen module for the platform.

/** A Redis error reply (WRONGTYPE, ERR ...), carrying Redis's exact text. */
export class RedsimError extends Error {
  constructor(message) {
    super(message);
    this.name = "RedsimError";
  }
}

/** Turns the Error objects the engine returns for error replies into RedsimError. */
function convert(value) {
  if (value instanceof Error) return new RedsimError(value.message);
  if (Array.isArray(value)) return value.map(convert);
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [convert(k), convert(v)]));
  }
  return value;
}

export function makeApi(bindings, ready) {
  class Redsim {
    #engine;
    #client;
    #clock;
    #now;

    constructor(engine, client, clock, now) {
      this.#engine = engine;
      this.#client = client;
      this.#clock = clock;
      this.#now = now;
    }

    /**
     * Creates an engine. `clock: "real"` (default) follows Date.now();
     * `clock: "manual"` starts at `now` (default 0) and moves only with advanceTime.
     */
    static async create({ clock = "real", now, seed = 0x5eed } = {}) {
      await ready();
      if (clock !== "real" && clock !== "manual") {
        throw new TypeError(`clock must be "real" or "manual", not ${clock}`);
      }
      const start = clock === "real" ? Date.now() : (now ?? 0);
      const engine = new bindings.WasmEngine(seed >>> 0, start);
      return new Redsim(engine, engine.connect(), clock, start);
    }

    #sync() {
      if (this.#clock === "real") this.#engine.setTime(Date.now());
    }

    /** Runs one command; resolves to its reply, throws RedsimError for error replies. */
    command(args) {
      if (!Array.isArray(args) || args.length === 0) {
        throw new TypeError("command expects a non-empty array of arguments");
      }
      this.#sync();
      const reply = convert(this.#engine.command(this.#client, args));
      if (reply instanceof RedsimError) throw reply;
      return reply;
    }

    /** Runs a redis-cli line and returns what redis-cli would print. */
    execLine(line) {
      this.#sync();
      return this.#engine.execLine(this.#client, line);
    }

    /** With the manual clock: moves time forward and runs active expiry. */
    advanceTime(ms) {
      if (this.#clock !== "manual") {
        throw new Error("advanceTime needs the manual clock");
      }
      this.#now += ms;
      this.#engine.tick(this.#now);
    }

    /** Milliseconds since the epoch, as the engine sees them. */
    now() {
      this.#sync();
      return this.#engine.now();
    }
  }
  return { Redsim, RedsimError };
}
