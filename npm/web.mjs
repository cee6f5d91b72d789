// Browser and bundler entry point: the wasm file is fetched next to this
// module the first time an engine is created.
import init, * as bindings from "./pkg/web/redsim_bindings.js";
import { makeApi } from "./redsim.mjs";
import { makeRedisApi } from "./redis.mjs";

export { Client } from "./client.mjs";
export { ClientClosedError, MultiErrorReply, WatchError, commandOptions } from "./redis.mjs";

let loading;
export const { Redsim, RedsimError } = makeApi(bindings, () => (loading ??= init()));
export const { createClient } = makeRedisApi(Redsim);

