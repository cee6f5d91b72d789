// Node entry point: the browser's wasm-bindgen glue over the package's
// Node build of the engine (pkg/node/, compiled for speed where web.mjs's
// is compiled for size), instantiated synchronously from the file.
import { readFileSync } from "node:fs";
import * as bindings from "./pkg/web/redsim_bindings.js";
import { makeApi } from "./redsim.mjs";
import { makeRedisApi } from "./redis.mjs";

export { Client } from "./client.mjs";
export { ClientClosedError, MultiErrorReply, WatchError, commandOptions } from "./redis.mjs";

const wasm = bindings.initSync({ module: readFileSync(new URL("./pkg/node/redsim_bindings_bg.wasm", import.meta.url)) });

export const { Redsim, RedsimError } = makeApi(bindings, async () => wasm);
export const { createClient } = makeRedisApi(Redsim);
