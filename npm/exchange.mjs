// Commands in, replies out, through the engine's exchange buffers in wasm
// memory (bindings/src/exchange.rs and encode.rs): the arguments are
// written straight into wasm memory and the reply is read from it, so one
// command costs one call into wasm however many arguments and reply
// elements it has.

import { RedsimError } from "./reply.mjs";

/** Where the arguments start; before them the engine leaves the reply's address and length. */
const ARGS = 8;

// The reply's tags (bindings/src/encode.rs).
const NIL = 0;
const STATUS = 1;
const ERROR = 2;
const INT = 3;
const BULK = 4;
const ARRAY = 5;
const MAP = 6;
const DOUBLE = 7;
const BOOL = 8;
const BIG_NUMBER = 9;
const PUSH = 10;
const DOUBLE_TEXT = 11;

/** What the arguments buffer holds at first, in bytes. */
const INITIAL = 64 * 1024;

/** Strings up to this length are converted by hand: cheaper than TextEncoder/TextDecoder calls. */
const SHORT = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Exchange {
  #engine;
  #memory;
  #bytes = new Uint8Array(0);
  #view = new DataView(new ArrayBuffer(0));
  #base = 0;
  #capacity = 0;
  /** Read position while decoding a reply. */
  #at = 0;

  constructor(engine, memory) {
    this.#engine = engine;
    this.#memory = memory;
    this.#reserve(0);
  }

  /**
   * Writes a command's arguments into the engine's buffer and returns how
   * many there are; throws TypeError for an argument of the wrong type.
   */
  writeArgs(args) {
    this.#fresh();
    this.#write(args, 0);
    return args.length;
  }

  /**
   * Writes the commands `list[from..]` of a pipeline (each preceded by its
   * argument count) and returns how many; throws TypeError for a command
   * that is not a non-empty array, or an argument of the wrong type.
   */
  writePipeline(list, from) {
    this.#fresh();
    let used = 0;
    for (let i = from; i < list.length; i++) {
      const args = list[i];
      if (!Array.isArray(args) || args.length === 0) {
        throw new TypeError(`command ${i} must be a non-empty array of arguments`);
      }
      if (this.#capacity < ARGS + used + 4) this.#reserve(used + 4);
      this.#view.setUint32(this.#base + ARGS + used, args.length, true);
      used = this.#write(args, used + 4);
    }
    return list.length - from;
  }

  /**
   * Writes `args` at `used` bytes into the arguments area, growing the
   * buffer as needed; returns the bytes used after them.
   */
  #write(args, used) {
    let at = this.#base + ARGS + used;
    let end = this.#base + this.#capacity;
    for (let i = 0; i < args.length; i++) {
      let arg = args[i];
      const type = typeof arg;
      if (type === "number" || type === "bigint") arg = String(arg);
      else if (type !== "string" && !(arg instanceof Uint8Array)) {
        throw new TypeError(`argument ${i} must be a string, Uint8Array, number or bigint, not ${type}`);
      }
      // A UTF-16 code unit takes at most 3 bytes of UTF-8.
      const most = 4 + (typeof arg === "string" ? arg.length * 3 : arg.length);
      if (at + most > end) {
        const written = at - this.#base - ARGS;
        this.#reserve(written + most);
        at = this.#base + ARGS + written;
        end = this.#base + this.#capacity;
      }
      const bytes = this.#bytes;
      let length;
      if (typeof arg !== "string") {
        bytes.set(arg, at + 4);
        length = arg.length;
      } else if (arg.length <= SHORT && ascii(arg)) {
        for (let j = 0; j < arg.length; j++) bytes[at + 4 + j] = arg.charCodeAt(j);
        length = arg.length;
      } else {
        length = encoder.encodeInto(arg, bytes.subarray(at + 4, end)).written;
      }
      this.#view.setUint32(at, length, true);
      at += 4 + length;
    }
    return at - this.#base - ARGS;
  }

  /**
   * The frames the engine left after `exec` or `takeOutput`: replies as JS
   * values (error replies as RedsimError, in place), pushes as
   * `{ push: [...] }`. `buffers` gives bulk strings as Uint8Array.
   */
  readFrames(buffers) {
    this.#fresh();
    this.#at = this.#view.getUint32(this.#base, true);
    return this.#frames(buffers);
  }

  /** After `execPipeline`: each command's frames, as `readFrames` gives one's. */
  readPipeline(buffers) {
    this.#fresh();
    this.#at = this.#view.getUint32(this.#base, true);
    const count = this.#u32();
    const results = new Array(count);
    for (let i = 0; i < count; i++) results[i] = this.#frames(buffers);
    return results;
  }

  #frames(buffers) {
    const count = this.#u32();
    const frames = new Array(count);
    for (let i = 0; i < count; i++) frames[i] = this.#value(buffers);
    return frames;
  }

  /** Grows the arguments area to hold `bytes`, at least doubling it. */
  #reserve(bytes) {
    const wanted = Math.max(bytes, 2 * this.#capacity, INITIAL);
    const base = this.#engine.argsBuffer(wanted);
    if (base === 0) throw new RangeError("command too large for the engine's memory");
    this.#base = base;
    this.#capacity = ARGS + wanted;
    // Growing the buffer may have grown (and so detached) the memory.
    this.#fresh();
  }

  /**
   * Views over wasm memory are detached (length 0) when it grows: renew
   * them then. Reading `memory.buffer` each time costs more than this test.
   */
  #fresh() {
    if (this.#bytes.length === 0) {
      const buffer = this.#memory.buffer;
      this.#bytes = new Uint8Array(buffer);
      this.#view = new DataView(buffer);
    }
  }

  #u32() {
    const n = this.#view.getUint32(this.#at, true);
    this.#at += 4;
    return n;
  }

  #text() {
    const length = this.#u32();
    const start = this.#at;
    this.#at += length;
    return utf8(this.#bytes, start, length);
  }

  #list(buffers) {
    const count = this.#u32();
    const items = new Array(count);
    for (let i = 0; i < count; i++) items[i] = this.#value(buffers);
    return items;
  }

  #value(buffers) {
    const view = this.#view;
    const tag = this.#bytes[this.#at++];
    switch (tag) {
      case NIL:
        return null;
      case STATUS:
        return this.#text();
      case ERROR:
        return new RedsimError(this.#text());
      case INT: {
        const low = view.getUint32(this.#at, true);
        const high = view.getInt32(this.#at + 4, true);
        // Exact as a number while within ±2^53 - 1 (Number.MAX_SAFE_INTEGER).
        const value =
          high >= -0x200000 && high < 0x200000 && !(high === -0x200000 && low === 0)
            ? high * 0x100000000 + low
            : view.getBigInt64(this.#at, true);
        this.#at += 8;
        return value;
      }
      case BULK: {
        if (!buffers) return this.#text();
        const length = this.#u32();
        const start = this.#at;
        this.#at += length;
        return this.#bytes.slice(start, start + length);
      }
      case ARRAY:
        return this.#list(buffers);
      case PUSH:
        return { push: this.#list(buffers) };
      case MAP: {
        const count = this.#u32();
        const map = new Map();
        // Keys stay strings: a Map compares Uint8Array keys by identity,
        // so byte keys could never be looked up.
        for (let i = 0; i < count; i++) map.set(this.#value(false), this.#value(buffers));
        return map;
      }
      case DOUBLE: {
        const value = view.getFloat64(this.#at, true);
        this.#at += 8;
        return value;
      }
      case BOOL:
        return this.#bytes[this.#at++] === 1;
      case BIG_NUMBER: {
        const digits = this.#text();
        try {
          return BigInt(digits);
        } catch {
          return digits;
        }
      }
      case DOUBLE_TEXT: {
        const text = this.#text();
        const value = Number(text);
        return Number.isNaN(value) ? text : value;
      }
      default:
        throw new Error(`redsim: unknown reply tag ${tag}`);
    }
  }
}

function ascii(text) {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** UTF-8 to a string; invalid sequences become U+FFFD, as everywhere in the package. */
function utf8(bytes, start, length) {
  if (length <= SHORT) {
    let text = "";
    for (let i = start; i < start + length; i++) {
      const byte = bytes[i];
      if (byte > 0x7f) return decoder.decode(bytes.subarray(start, start + length));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decoder.decode(bytes.subarray(start, start + length));
}
