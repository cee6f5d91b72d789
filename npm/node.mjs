// Node entry point: the wasm module is loaded synchronously by wasm-bindgen's
// nodejs target.
import bindings from "./pkg/node/redsim_bindings.js";
import { makeApi } from "./redsim.mjs";

export const { Redsim, RedsimError } = makeApi(bindings, async () => {});
