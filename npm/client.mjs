// One connection to an engine: its own database, MULTI state and
// subscriptions. Commands answer synchronously; a command flagged
// `blocking` in the command table (BLPOP, XREAD, ...) answers with a
// promise, settled when another client's write serves it or its timeout
// passes (on the manual clock at advanceTime, on the real clock at the
// engine's 100 ms tick). Pushes are dispatched to subscription listeners.

import { RedsimError, isPush, text } from "./reply.mjs";

// What `exec` reports (bindings/src/lib.rs): the command is flagged
// blocking; the client now waits in it; some client has output waiting.
const BLOCKING = 1;
const BLOCKED = 2;
const OUTPUT = 4;

export class Client {
  #hub;
  #id;
  #buffers;
  /** The blocked command's promise callbacks and reply option. */
  #waiting = null;
  /** Channel or pattern name → listeners, per kind of subscription. */
  #listeners = { channel: new Map(), pattern: new Map() };
  #pushListeners = new Set();
  #closed = false;

  constructor(hub, { buffers = false } = {}) {
    this.#hub = hub;
    this.#id = hub.engine.connect();
    this.#buffers = buffers;
    hub.attach(this.#id, {
      flush: () => this.#deliver(),
      close: () => this.#end(),
    });
  }

  /** This connection's id, as CLIENT ID and CLIENT LIST show it. */
  get id() {
    return this.#id;
  }

  /**
   * Runs one command. Returns the reply, or a promise of it for blocking
   * commands; throws (or rejects with) RedsimError for an error reply.
   */
  command(args, { buffers = this.#buffers } = {}) {
    if (!Array.isArray(args) || args.length === 0) {
      throw new TypeError("command expects a non-empty array of arguments");
    }
    this.#open();
    const hub = this.#hub;
    const argc = hub.exchange.writeArgs(args);
    const flags = hub.engine.exec(this.#id, argc, hub.commandTime());
    const reply = this.#take(hub.exchange.readFrames(buffers), flags & BLOCKED);
    let result;
    // A client already waiting was refused above ("client is blocked").
    if (!this.#waiting && flags & BLOCKED) {
      result = new Promise((resolve, reject) => {
        this.#waiting = { resolve, reject, buffers };
      });
      hub.blocked(+1);
    }
    hub.flush(flags & OUTPUT);
    if (result) return result;
    if (flags & BLOCKING) return reply instanceof RedsimError ? Promise.reject(reply) : Promise.resolve(reply);
    if (reply instanceof RedsimError) throw reply;
    return reply;
  }

  /**
   * Runs several commands in order as one pipeline, crossing into the
   * engine once for all of them, and returns their replies in an array;
   * error replies stay in place as RedsimError, as in an EXEC result. If
   * one of them blocks (BLPOP on an empty list, a CLIENT PAUSE), the rest
   * wait for it, as they would on a connection, and the array comes in a
   * promise.
   */
  pipeline(list, { buffers = this.#buffers } = {}) {
    if (!Array.isArray(list)) throw new TypeError("pipeline expects an array of commands");
    this.#open();
    return this.#pipelineFrom(list, 0, [], buffers);
  }

  #pipelineFrom(list, from, replies, buffers) {
    if (from >= list.length) return replies;
    const hub = this.#hub;
    const count = hub.exchange.writePipeline(list, from);
    const flags = hub.engine.execPipeline(this.#id, count, hub.commandTime());
    const results = hub.exchange.readPipeline(buffers);
    const blocked = flags & BLOCKED;
    // A command that blocked has no frames yet: its reply comes later.
    const answered = blocked ? results.length - 1 : results.length;
    for (let i = 0; i < answered; i++) replies.push(this.#take(results[i], false));
    if (!blocked) {
      hub.flush(flags & OUTPUT);
      return replies;
    }
    const served = new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject, buffers };
    });
    hub.blocked(+1);
    hub.flush(flags & OUTPUT);
    const next = from + results.length;
    return served.then(
      (reply) => this.#pipelineFrom(list, next, [...replies, reply], buffers),
      (err) => {
        if (!(err instanceof RedsimError)) throw err;
        return this.#pipelineFrom(list, next, [...replies, err], buffers);
      },
    );
  }

  /** Splits a line with redis-cli's quoting rules and runs it as `command` does. */
  execLine(line, options) {
    let args;
    try {
      args = this.#hub.bindings.splitLine(line);
    } catch (err) {
      throw new SyntaxError(err.message);
    }
    return this.command(args, options);
  }

  /** Runs a redis-cli line and returns exactly what redis-cli would print. */
  cli(line) {
    this.#open();
    this.#hub.sync();
    const printed = this.#hub.engine.cli(this.#id, line);
    this.#hub.flush();
    return printed;
  }

  /** SUBSCRIBE: `listener(message, channel)` for each message on the channels. */
  subscribe(channels, listener) {
    this.#listen("channel", "SUBSCRIBE", channels, listener);
  }

  /** UNSUBSCRIBE: removes `listener` (or all) from the channels (or all channels). */
  unsubscribe(channels, listener) {
    this.#unlisten("channel", "UNSUBSCRIBE", channels, listener);
  }

  /** PSUBSCRIBE: `listener(message, channel, pattern)` for matching channels. */
  psubscribe(patterns, listener) {
    this.#listen("pattern", "PSUBSCRIBE", patterns, listener);
  }

  punsubscribe(patterns, listener) {
    this.#unlisten("pattern", "PUNSUBSCRIBE", patterns, listener);
  }

  /** `push` listeners get pushes no subscription listener takes (invalidations). */
  on(event, listener) {
    if (event !== "push") throw new TypeError(`a client emits "push" events, not ${event}`);
    this.#pushListeners.add(listener);
    return this;
  }

  off(event, listener) {
    this.#pushListeners.delete(listener);
    return this;
  }

  /** Disconnects; a command still blocked rejects. */
  close() {
    this.#end();
  }

  #end() {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.detach(this.#id);
    this.#hub.engine.disconnect(this.#id);
    this.#settle(null, new Error("connection closed"));
    this.#hub.flush();
  }

  get closed() {
    return this.#closed;
  }

  #open() {
    if (this.#closed) throw new Error("connection closed");
  }

  #listen(kind, command, names, listener) {
    if (typeof listener !== "function") throw new TypeError("subscribe needs a listener function");
    const list = [names].flat().map(String);
    this.command([command, ...list]);
    for (const name of list) {
      const set = this.#listeners[kind].get(name) ?? new Set();
      set.add(listener);
      this.#listeners[kind].set(name, set);
    }
  }

  #unlisten(kind, command, names, listener) {
    const map = this.#listeners[kind];
    const list = names === undefined ? [...map.keys()] : [names].flat().map(String);
    const done = list.filter((name) => {
      const set = map.get(name);
      if (listener && set) set.delete(listener);
      if (listener && set?.size) return false;
      map.delete(name);
      return true;
    });
    if (done.length > 0 || names === undefined) this.command([command, ...done]);
  }

  /**
   * Dispatches the pushes among `frames` and returns the reply: the other
   * frames (several only if the engine answered several), or the pushes
   * themselves when they are all there is (SUBSCRIBE's confirmations).
   */
  #take(frames, blocked) {
    if (frames.length === 1 && !isPush(frames[0])) return frames[0];
    const replies = frames.filter((f) => !isPush(f));
    const pushes = frames.filter(isPush).map((f) => f.push);
    if (replies.length === 0 && !blocked) {
      if (pushes.length === 0) return null;
      return pushes.length === 1 ? pushes[0] : pushes;
    }
    pushes.forEach((push) => this.#dispatch(push));
    return replies.length === 1 ? replies[0] : replies;
  }

  /** Frames that arrived outside a command: pushes, or the blocked reply. */
  #deliver() {
    const engine = this.#hub.engine;
    if (engine.shouldClose(this.#id)) {
      this.#end();
      return;
    }
    engine.takeOutput(this.#id);
    const frames = this.#hub.exchange.readFrames(this.#waiting?.buffers ?? this.#buffers);
    for (const frame of frames) {
      if (isPush(frame)) this.#dispatch(frame.push);
      else this.#settle(frame);
    }
  }

  #settle(reply, failure) {
    const waiting = this.#waiting;
    if (!waiting) return;
    this.#waiting = null;
    this.#hub.blocked(-1);
    if (failure) waiting.reject(failure);
    else if (reply instanceof RedsimError) waiting.reject(reply);
    else waiting.resolve(reply);
  }

  #dispatch(push) {
    const [kind, ...rest] = push;
    let listeners;
    let args;
    switch (text(kind)) {
      case "message":
        listeners = this.#listeners.channel.get(text(rest[0]));
        args = [rest[1], rest[0]];
        break;
      case "pmessage":
        listeners = this.#listeners.pattern.get(text(rest[0]));
        args = [rest[2], rest[1], rest[0]];
        break;
    }
    const targets = listeners ? [...listeners] : [...this.#pushListeners];
    if (!listeners) args = [push];
    for (const listener of targets) {
      try {
        listener(...args);
      } catch (err) {
        // A listener's exception is its own; the engine's delivery goes on.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
