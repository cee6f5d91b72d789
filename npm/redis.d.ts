// The node-redis–style client (redis.mjs). Its command methods are
// declared in pkg/commands.d.ts, generated from the engine's command table
// with the client's methods; what is here is the client around them.
import type { CreateOptions, Redsim } from "./index.js";
import type { CommandSignatures } from "./pkg/commands.js";

/** An argument: strings and bytes as they are, numbers in decimal. */
export type RedisArg = string | number | Uint8Array;

/** A reply no node-redis transform reshapes: as Redis sends it over RESP2. */
export type RedisReply = string | number | null | Uint8Array | RedisReply[];

/** A sorted-set member with its score (`zRangeWithScores`, `zAdd`'s members). */
export interface ScoredMember {
  value: string;
  score: number;
}

/** A stream entry: its id and its fields (`xRange`, `xRead`). */
export interface StreamEntry {
  id: string;
  message: Record<string, string>;
}

/** node-redis's per-command options, given as a command method's first argument. */
export interface CommandOptions {
  /** Bulk strings as Uint8Array. */
  returnBuffers?: boolean;
  /** On a connection of its own (a blocking command that must not hold this one). */
  isolated?: boolean;
}

export declare function commandOptions(options: CommandOptions): CommandOptions;

/** Every command as a method answering a Promise, as node-redis's client has them. */
export type RedisCommands = {
  [K in keyof CommandSignatures]: (
    ...args: Parameters<CommandSignatures[K]> | [CommandOptions, ...Parameters<CommandSignatures[K]>]
  ) => Promise<ReturnType<CommandSignatures[K]>>;
};

/** The commands of a transaction: each queues and returns the chain. */
export type MultiCommands = {
  [K in keyof CommandSignatures]: (...args: Parameters<CommandSignatures[K]>) => RedisMulti;
};

export interface RedisMulti extends MultiCommands {
  /** Queues any command, as an array of arguments. */
  addCommand(args: RedisArg[]): RedisMulti;
  /** MULTI, the queued commands, EXEC: their replies; rejects with WatchError or MultiErrorReply. */
  exec(): Promise<unknown[]>;
  /** The queued commands one after another, without MULTI/EXEC. */
  execAsPipeline(): Promise<unknown[]>;
}

export interface RedisClientOptions {
  /** Serve an existing engine (shared with its own clients) instead of creating one. */
  db?: Redsim;
  /** How to create the engine when `db` is not given (clock, seed, maxmemory, config). */
  redsim?: CreateOptions;
  /** Database SELECTed at connect. */
  database?: number;
  /** Connection name (CLIENT SETNAME) set at connect. */
  name?: string;
}

/** `(message, channel)` for each message of a subscription. */
export type PubSubListener = (message: string, channel: string) => void;

export interface RedisClient extends RedisCommands {
  readonly options: RedisClientOptions;
  readonly isOpen: boolean;
  readonly isReady: boolean;
  /** Opens the connection (and, the first time, the engine); emits "connect" then "ready". */
  connect(): Promise<RedisClient>;
  /** A new, unconnected client of the same engine. */
  duplicate(overrides?: RedisClientOptions): RedisClient;
  /** Any command, as an array of arguments; the reply untransformed. */
  sendCommand(args: RedisArg[], options?: CommandOptions): Promise<RedisReply>;
  subscribe(channels: string | string[], listener: PubSubListener): Promise<void>;
  unsubscribe(channels?: string | string[], listener?: PubSubListener): Promise<void>;
  pSubscribe(patterns: string | string[], listener: PubSubListener): Promise<void>;
  pUnsubscribe(patterns?: string | string[], listener?: PubSubListener): Promise<void>;
  multi(): RedisMulti;
  /** Every key, SCAN after SCAN until the cursor is back to 0. */
  scanIterator(options?: Parameters<CommandSignatures["scan"]>[1]): AsyncIterableIterator<string>;
  hScanIterator(key: RedisArg, options?: Parameters<CommandSignatures["hScan"]>[2]): AsyncIterableIterator<{ field: string; value: string }>;
  sScanIterator(key: RedisArg, options?: Parameters<CommandSignatures["sScan"]>[2]): AsyncIterableIterator<string>;
  zScanIterator(key: RedisArg, options?: Parameters<CommandSignatures["zScan"]>[2]): AsyncIterableIterator<ScoredMember>;
  /** QUIT and close; emits "end". An engine the client created closes with its last connection. */
  quit(): Promise<string>;
  /** Close without QUIT; emits "end". */
  disconnect(): Promise<void>;
  on(event: "connect" | "ready" | "end", listener: () => void): this;
  on(event: "error", listener: (err: Error) => void): this;
  once(event: "connect" | "ready" | "end", listener: () => void): this;
  once(event: "error", listener: (err: Error) => void): this;
  off(event: string, listener: (...args: any[]) => void): this;
  removeListener(event: string, listener: (...args: any[]) => void): this;
}

/** node-redis's `createClient`: a client of an in-process engine. */
export declare function createClient(options?: RedisClientOptions): RedisClient;

/** A command on a client that is not open. */
export declare class ClientClosedError extends Error {}

/** EXEC answered nil: a WATCHed key changed. */
export declare class WatchError extends Error {}

/** Some commands of a transaction failed: the replies, errors in place. */
export declare class MultiErrorReply extends Error {
  replies: unknown[];
  errorIndexes: number[];
}
