import type { CheckedArgs } from "./pkg/command-args.js";

export type { CommandArgs, CheckedArgs } from "./pkg/command-args.js";

/** A Redis error reply (WRONGTYPE, ERR ...); `message` is Redis's exact text. */
export declare class RedsimError extends Error {
  name: "RedsimError";
}

/**
 * A reply as JavaScript values: status replies and bulk strings as string
 * (bulk strings as Uint8Array with `buffers`), integers as number or, past
 * 2^53, bigint, nil as null, arrays (and RESP3 sets) as arrays, RESP3 maps
 * (after HELLO 3; a RESP2 client gets flat arrays) as Map with string keys,
 * doubles as number, booleans as boolean, big numbers as bigint. An error
 * inside an array (an EXEC result) is a RedsimError in place.
 */
export type Reply =
  | string
  | Uint8Array
  | number
  | bigint
  | boolean
  | null
  | RedsimError
  | Reply[]
  | Map<Reply, Reply>;

/** An argument: strings are sent as UTF-8, numbers and bigints in decimal. */
export type Arg = string | Uint8Array | number | bigint;

export interface ReplyOptions {
  /** Bulk strings as Uint8Array instead of strings (map keys stay strings). */
  buffers?: boolean;
}

export interface CreateOptions extends ReplyOptions {
  /** "real" follows Date.now() (default); "manual" moves only with advanceTime. */
  clock?: "real" | "manual";
  /** Start time in unix milliseconds for the manual clock (default 0). */
  now?: number;
  /** Seed for the engine's random choices (default 0x5eed). */
  seed?: number | bigint;
  /** Redis's maxmemory, as a number of bytes or "64mb"; default 64mb, 0 for none. */
  maxmemory?: number | string;
  /** Parameters set at startup, as in redis.conf: { "maxmemory-policy": "allkeys-lru" }. */
  config?: Record<string, string | number>;
}

/** What changed: a key (`key` a string) or a whole database (`key` null: flushed, swapped, loaded). */
export interface Change {
  db: number;
  key: string | null;
}

/** `(message, channel)` for SUBSCRIBE; `(message, channel, pattern)` for PSUBSCRIBE. */
export type MessageListener = (message: string | Uint8Array, channel: string | Uint8Array, pattern?: string | Uint8Array) => void;

/** One connection: its own selected database, MULTI state, subscriptions. */
export declare class Client {
  /** Clients come from `Redsim.create` and `db.connect()`. */
  protected constructor();
  /** The connection's id, as CLIENT ID shows it. */
  readonly id: number;
  readonly closed: boolean;
  /**
   * Runs one command and returns its reply; throws RedsimError for an error
   * reply. A command flagged `blocking` (BLPOP, BRPOP, BLMOVE, BZPOPMIN,
   * XREAD, ...), or one a CLIENT PAUSE holds, answers with a Promise instead,
   * settled when another client's write serves it or its timeout passes.
   *
   * A literal command is checked against the command table at compile time
   * (its name, and as many arguments as its arity demands); an array built
   * at run time is taken as it is and checked by the engine.
   */
  command<const A extends readonly Arg[]>(args: A & CheckedArgs<A>, options?: ReplyOptions): Reply | Promise<Reply>;
  /**
   * Runs the commands in order as one pipeline, in one call into the
   * engine, and returns their replies; error replies stay in place as
   * RedsimError. If a command blocks, the rest wait for it, and the array
   * comes in a Promise.
   */
  pipeline(commands: readonly (readonly Arg[])[], options?: ReplyOptions): Reply[] | Promise<Reply[]>;
  /** Splits a line with redis-cli's quoting rules and runs it as `command`; SyntaxError for unbalanced quotes. */
  execLine(line: string, options?: ReplyOptions): Reply | Promise<Reply>;
  /** Runs a redis-cli line and returns exactly what redis-cli would print. */
  cli(line: string): string;
  /** SUBSCRIBE; `listener(message, channel)` for each message. */
  subscribe(channels: string | string[], listener: MessageListener): void;
  /** UNSUBSCRIBE `listener` (or every listener) from the channels (or all). */
  unsubscribe(channels?: string | string[], listener?: MessageListener): void;
  /** PSUBSCRIBE; `listener(message, channel, pattern)` for each message. */
  psubscribe(patterns: string | string[], listener: MessageListener): void;
  punsubscribe(patterns?: string | string[], listener?: MessageListener): void;
  /** Pushes no subscription listener takes (tracking invalidations, ...). */
  on(event: "push", listener: (push: Reply[]) => void): this;
  off(event: "push", listener: (push: Reply[]) => void): this;
  /** Disconnects; a pending blocking command rejects. */
  close(): void;
}

/** An engine and its first connection (itself a Client). */
export declare class Redsim extends Client {
  private constructor();
  static create(options?: CreateOptions): Promise<Redsim>;
  /** A new engine (as `create`) holding an RDB file's data; RedsimError if it cannot be read. */
  static fromSnapshot(rdb: Uint8Array, options?: CreateOptions): Promise<Redsim>;
  /** Another connection to the same data. */
  connect(options?: ReplyOptions): Client;
  /** With the manual clock: moves time forward by `ms`, running expiry and blocking timeouts. */
  advanceTime(ms: number): void;
  /** The engine's clock, unix milliseconds. */
  now(): number;
  /** The whole dataset as an RDB file (what Redis 7.0's SAVE writes). */
  snapshot(): Uint8Array;
  /** Keys changed by writes, expiry or eviction, batched once per task. */
  on(event: "change", listener: (changes: Change[]) => void): this;
  on(event: "push", listener: (push: Reply[]) => void): this;
  off(event: "change", listener: (changes: Change[]) => void): this;
  off(event: "push", listener: (push: Reply[]) => void): this;
  /** Closes every connection and server socket and frees the engine. */
  close(): void;
}

export {
  createClient,
  commandOptions,
  ClientClosedError,
  WatchError,
  MultiErrorReply,
  type RedisClient,
  type RedisClientOptions,
  type RedisMulti,
  type RedisArg,
  type RedisReply,
  type ScoredMember,
  type StreamEntry,
} from "./redis.js";
