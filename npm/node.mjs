// Node entry point: the same wasm-bindgen module as the browser's (one wasm
// file in the package), instantiated synchronously from the file beside it.
import { readFileSync } from "node:fs";
import * as bindings from "./pkg/web/redsim_bindings.js";
import { makeApi } from "./redsim.mjs";
import { makeRedisApi } from "./redis.mjs";

export { Client } from "./client.mjs";
export { ClientClosedError, MultiErrorReply, WatchError, commandOptions } from "./redis.mjs";

const wasm = bindings.initSync({ module: readFileSync(new URL("./pkg/web/redsim_bindings_bg.wasm", import.meta.url)) });

export const { Redsim, RedsimError } = makeApi(bindings, async () => wasm);
export const { createClient } = makeRedisApi(Redsim);
