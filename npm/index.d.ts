/** A Redis error reply (WRONGTYPE, ERR ...), carrying Redis's exact text. */
export declare class RedsimError extends Error {
  name: "RedsimError";
}

/** A reply as JavaScript values: status and bulk strings as string, nil as null. */
export type Reply =
  | string
  | number
  | bigint
  | boolean
  | null
  | RedsimError
  | Reply[]
  | Map<Reply, Reply>;

export interface CreateOptions {
  /** "real" follows Date.now() (default); "manual" moves only with advanceTime. */
  clock?: "real" | "manual";
  /** Start time in unix milliseconds for the manual clock (default 0). */
  now?: number;
  /** Seed for the engine's random choices. */
  seed?: number;
}

export declare class Redsim {
  static create(options?: CreateOptions): Promise<Redsim>;
  /** Runs one command; throws RedsimError when Redis would answer an error. */
  command(args: Array<string | Uint8Array>): Reply;
  /** Runs a redis-cli line and returns exactly what redis-cli would print. */
  execLine(line: string): string;
  /** With the manual clock: moves time forward by `ms` and runs active expiry. */
  advanceTime(ms: number): void;
  /** The engine's clock, unix milliseconds. */
  now(): number;
}
