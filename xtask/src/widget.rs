//! `cargo xtask widget`: builds the docs widget's wasm next to the
//! playground. Trunk runs it as a post-build hook (Trunk.toml), so every
//! `trunk build` and `trunk serve` puts it in `<dist>/widget/` beside the
//! element's script and stylesheet (copied from web/widget/ by index.html):
//! the `redsim-widget` binary of the web crate, through wasm-bindgen
//! (`--target web`) and, in release, wasm-opt and terser. A release build
//! uses the `wasm-small` profile (opt-level "z", see Cargo.toml): the
//! widget's size is its budget.

use std::path::PathBuf;
use std::process::Command;

use crate::tools::{self, run};

pub fn run_widget() -> Result<(), String> {
    let staging = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("run by trunk's post_build hook: TRUNK_STAGING_DIR is not set")?;
    let release = std::env::var("TRUNK_PROFILE").is_ok_and(|p| p == "release");
    let mut build = Command::new("cargo");
    build.current_dir(tools::root()).args([
        "build",
        "-p",
        "redsim-web",
        "--bin",
        "redsim-widget",
        "--target",
        "wasm32-unknown-unknown",
        // Without scripting: the Lua interpreter does not fit the
        // widget's download budget (see docs/ARCHITECTURE.md).
        "--no-default-features",
    ]);
    let profile = if release { "wasm-small" } else { "debug" };
    if release {
        build.args(["--profile", profile]);
    }
    run(&mut build)?;
    let wasm = tools::root()
        .join("target/wasm32-unknown-unknown")
        .join(profile)
        .join("redsim-widget.wasm");
    let out = staging.join("widget");
    run(Command::new("wasm-bindgen")
        .env("PATH", tools::tool_path())
        .arg(&wasm)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            "redsim-widget-core",
            "--out-dir",
        ])
        .arg(&out))?;
    if release {
        // Its budget is tight: wasm-opt repeats its passes while they still
        // shrink the module (~1 KB gzip for ~20 s), and the scripts a page
        // loads (wasm-bindgen's glue, the element) are minified.
        tools::optimize_wasm(&out.join("redsim-widget-core_bg.wasm"), &["--converge"])?;
        tools::minify_js(&out.join("redsim-widget-core.js"))?;
        tools::minify_js(&out.join("redsim-widget.js"))?;
    }
    Ok(())
}
