// Browser and bundler entry point: the wasm file is fetched next to this
// module the first time an engine is created.
import init, * as bindings from "./pkg/web/redsim_bindings.js";
import { makeApi } from "./redsim.mjs";

export { Client } from "./client.mjs";

let loading;
export const { Redsim, RedsimError } = makeApi(bindings, () => (loading ??= init()));
