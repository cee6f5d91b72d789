//! Builds the npm package's wasm: the bindings crate for wasm32 in release,
//! then wasm-bindgen for Node (CommonJS) and for the web (ES module).

use std::process::Command;

use crate::tools::{self, run};

pub fn build() -> Result<(), String> {
    let root = tools::root();
    run(Command::new("cargo")
        .args([
            "build",
            "-p",
            "redsim-bindings",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .current_dir(&root))?;
    let wasm = root.join("target/wasm32-unknown-unknown/release/redsim_bindings.wasm");
    for (target, dir) in [("nodejs", "npm/pkg/node"), ("web", "npm/pkg/web")] {
        run(Command::new("wasm-bindgen")
            .args(["--target", target, "--out-dir"])
            .arg(root.join(dir))
            .arg(&wasm))?;
    }
    // The package is an ES module package; the nodejs glue is CommonJS.
    std::fs::write(
        root.join("npm/pkg/node/package.json"),
        "{\"type\":\"commonjs\"}\n",
    )
    .map_err(|e| e.to_string())
}
