//! Builds the npm package: the bindings crate for wasm32 in the
//! `wasm-release` profile (size-optimised, see Cargo.toml),
//! wasm-bindgen's `web` output (an ES module that Node's entry point also
//! loads, so the package holds one wasm file), wasm-opt for size, the
//! client's methods and declarations and the direct API's argument shapes
//! from the command table (`npm_client`, `npm_command_args`); then installs what the package's tests use (node-redis,
//! ioredis, Express, TypeScript, pinned in `npm/package-lock.json`).

use std::process::Command;

use crate::tools::{self, run};

pub fn build() -> Result<(), String> {
    let root = tools::root();
    run(Command::new("cargo")
        .args([
            "build",
            "-p",
            "redsim-bindings",
            "--profile",
            "wasm-release",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .current_dir(&root))?;
    let wasm = root.join("target/wasm32-unknown-unknown/wasm-release/redsim_bindings.wasm");
    // `pkg/` is packed whole: nothing an earlier build left may stay.
    match std::fs::remove_dir_all(root.join("npm/pkg")) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err.to_string()),
        _ => {}
    }
    let out = root.join("npm/pkg/web");
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--out-dir"])
        .arg(&out)
        .arg(&wasm))?;
    // npm's wasm-opt, as for the playground (Debian's cannot read what this
    // rustc emits); the package's size is part of its budget.
    let module = out.join("redsim_bindings_bg.wasm");
    tools::optimize_wasm(&module, &[])?;
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
