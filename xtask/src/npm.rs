//! Builds the npm package: the bindings crate for wasm32 twice, in the
//! `wasm-release` profile (size-optimised, for browsers; shrunk further by
//! wasm-opt) and in `wasm-node` (speed-optimised, for Node; see
//! Cargo.toml), each through wasm-bindgen's `web` output (one ES module of
//! glue, which both entry points load, and a wasm file per build), the
//! client's methods and declarations and the direct API's argument shapes
//! from the command table (`npm_client`, `npm_command_args`); then
//! installs what the package's tests use (node-redis, ioredis, Express,
//! TypeScript, pinned in `npm/package-lock.json`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{self, run};

/// What wasm-bindgen names the module and its JS glue.
const MODULE: &str = "redsim_bindings_bg.wasm";
const GLUE: &str = "redsim_bindings.js";

pub fn build() -> Result<(), String> {
    let root = tools::root();
    // `pkg/` is packed whole: nothing an earlier build left may stay.
    match std::fs::remove_dir_all(root.join("npm/pkg")) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err.to_string()),
        _ => {}
    }
    // The browser build: the download whose size is budgeted.
    let web = root.join("npm/pkg/web");
    bind(&compile("wasm-release")?, &web)?;
    // npm's wasm-opt, as for the playground (Debian's cannot read what this
    // rustc emits); the package's size is part of its budget.
    tools::optimize_wasm(&web.join(MODULE), &[])?;
    // The Node build, for speed (see the `wasm-node` profile). Only its
    // wasm is packed: both builds come from the same exports, so
    // wasm-bindgen writes the same glue for them, and node.mjs loads
    // `pkg/web`'s. Were that ever not so, the glue would not fit this
    // wasm, so the build stops instead.
    let scratch = root.join("target/npm-node");
    bind(&compile("wasm-node")?, &scratch)?;
    let glue = |dir: &Path| std::fs::read(dir.join(GLUE)).map_err(|err| err.to_string());
    if glue(&scratch)? != glue(&web)? {
        return Err("wasm-bindgen wrote different glue for the Node and browser builds".into());
    }
    let node = root.join("npm/pkg/node");
    std::fs::create_dir_all(&node).map_err(|err| err.to_string())?;
    std::fs::copy(scratch.join(MODULE), node.join(MODULE)).map_err(|err| err.to_string())?;
    crate::npm_client::generate(&root.join("npm/pkg"))?;
    crate::npm_command_args::generate(&root.join("npm/pkg"))?;
    // From the npm cache when it holds the locked versions, so a machine
    // that installed once runs offline. `install`, not `ci`: the registry
    // this project installs from lacks the macOS and Windows builds of
    // BullMQ's optional msgpackr-extract, so the lockfile cannot list them
    // and `npm ci` refuses it as out of sync; `install` takes the locked
    // versions and leaves the lockfile as it is.
    run(Command::new("npm")
        .args(["install", "--prefer-offline", "--no-audit", "--no-fund"])
        .current_dir(root.join("npm")))
}

/// Builds the bindings crate for wasm32 in `profile`; the module's path.
fn compile(profile: &str) -> Result<PathBuf, String> {
    let root = tools::root();
    run(Command::new("cargo")
        .args(["build", "-p", "redsim-bindings", "--profile", profile])
        .args(["--target", "wasm32-unknown-unknown"])
        .current_dir(&root))?;
    Ok(root.join(format!(
        "target/wasm32-unknown-unknown/{profile}/redsim_bindings.wasm"
    )))
}

/// wasm-bindgen's `web` output for `wasm` into `out`.
fn bind(wasm: &Path, out: &Path) -> Result<(), String> {
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--out-dir"])
        .arg(out)
        .arg(wasm))
}
