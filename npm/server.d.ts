import type { CreateOptions, Redsim } from "./index.js";

export interface ListenOptions extends CreateOptions {
  /** TCP port; 0 (default) lets the OS pick one (see `port`). */
  port?: number;
  /** Address to bind (default "127.0.0.1"). */
  host?: string;
  /** Serve this engine instead of creating one (it stays open on close). */
  db?: Redsim;
}

export interface RedsimServer {
  readonly port: number;
  readonly host: string;
  /** The engine served; in-process clients of it share the data. */
  readonly db: Redsim;
  /** Stops listening, drops every connection and (unless `db` was given) frees the engine. */
  close(): Promise<void>;
}

/** Serves the engine over RESP2/RESP3 so unmodified clients (node-redis, ioredis) use it. */
export declare function listen(options?: ListenOptions): Promise<RedsimServer>;
