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

/** XPENDING's summary (`xPending`). */
export interface PendingSummary {
  pending: number;
  firstId: string | null;
  lastId: string | null;
  consumers: { name: string; deliveriesCounter: number }[] | null;
}

/** An entry of XPENDING's extended form (`xPendingRange`). */
export interface PendingEntry {
  id: string;
  owner: string;
  millisecondsSinceLastDelivery: number;
  deliveriesCounter: number;
}

/** XINFO STREAM, the fields node-redis keeps. */
export interface StreamInfo {
  length: number;
  radixTreeKeys: number;
  radixTreeNodes: number;
  groups: number;
  lastGeneratedId: string;
  firstEntry: StreamEntry | null;
  lastEntry: StreamEntry | null;
}

/** A group of XINFO GROUPS. */
export interface GroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
}

/** A consumer of XINFO CONSUMERS. */
export interface ConsumerInfo {
  name: string;
  pending: number;
  idle: number;
  inactive: number;
}

/** A connection of CLIENT LIST / CLIENT INFO, typed as node-redis types it. */
export interface ClientInfo {
  id: number;
  addr: string;
  laddr?: string;
  fd: number;
  name: string;
  age: number;
  idle: number;
  flags: string;
  db: number;
  sub: number;
  psub: number;
  ssub?: number;
  multi: number;
  qbuf: number;
  qbufFree: number;
  argvMem: number;
  multiMem?: number;
  obl: number;
  oll: number;
  omem: number;
  totMem: number;
  events: string;
  cmd: string;
  user: string;
  redir?: number;
  resp?: number;
  libName?: string;
  libVer?: string;
}

/** A command of COMMAND / COMMAND INFO. */
export interface CommandInfo {
  name: string;
  arity: number;
  flags: Set<string>;
  firstKeyIndex: number;
  lastKeyIndex: number;
  step: number;
  categories: Set<string>;
}

/** A library of FUNCTION LIST. */
export interface FunctionLibrary {
  libraryName: string;
  engine: string;
  functions: { name: string; description: string | null; flags: string[] }[];
}

/** FUNCTION STATS. */
export interface FunctionStats {
  runningScript: { name: string; command: string; durationMs: number } | null;
  engines: Record<string, { librariesCount: number; functionsCount: number }>;
}

/** HELLO's reply (RESP2). */
export interface HelloReply {
  server: string;
  version: string;
  proto: number;
  id: number;
  mode: string;
  role: string;
  modules: string[];
}

/** MEMORY STATS, node-redis's names; each database's overheads under `db`. */
export interface MemoryStats {
  peakAllocated: number;
  totalAllocated: number;
  startupAllocated: number;
  replicationBacklog: number;
  clientsReplicas: number;
  clientsNormal: number;
  aofBuffer: number;
  luaCaches: number;
  overheadTotal: number;
  keysCount: number;
  keysBytesPerKey: number;
  datasetBytes: number;
  datasetPercentage: number;
  peakPercentage: number;
  allocatorAllocated?: number;
  allocatorActive?: number;
  allocatorResident?: number;
  allocatorFragmentationRatio?: number;
  allocatorFragmentationBytes?: number;
  allocatorRssRatio?: number;
  allocatorRssBytes?: number;
  rssOverheadRatio?: number;
  rssOverheadBytes?: number;
  fragmentation?: number;
  fragmentationBytes?: number;
  db: Record<string, { overheadHashtableMain: number; overheadHashtableExpires: number }>;
}

/** LCS IDX (`lcsIdx`, `lcsIdxWithMatchLen`): each match's ranges (and length), and the LCS's length. */
export interface LcsMatches {
  matches: { key1: { start: number; end: number }; key2: { start: number; end: number }; length?: number }[];
  length: number;
}

/** A member of `geoSearchWith`, `geoRadiusWith`...: what its replyWith asked for. */
export interface GeoMemberWith {
  member: string;
  distance?: string;
  hash?: number;
  coordinates?: { longitude: string; latitude: string };
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
