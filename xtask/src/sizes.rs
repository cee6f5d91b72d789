//! What a visitor downloads, gzip-compressed, against the budgets: the npm
//! package's engine wasm and its browser JS, the playground's first load,
//! and the docs widget. Builds both (the npm package as `npm::build` does,
//! the playground and widget with `trunk build --release` into a scratch
//! dist) and gzips each file at level 9 with the system's `gzip`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{self, run};

const KB: u64 = 1000;

/// One line of the report: what, its files, the budget (issue 11's
/// targets; the package as a whole has none, only its engine).
struct Download {
    what: &'static str,
    files: Vec<PathBuf>,
    budget: Option<u64>,
}

/// Builds what is measured, then the markdown table of sizes and budgets.
pub fn size_report() -> Result<String, String> {
    tools::ensure_web_build()?;
    crate::npm::build()?;
    let root = tools::root();
    let dist = root.join("target/bench-dist");
    run(tools::trunk()
        .args(["build", "--release", "--dist"])
        .arg(&dist))?;
    let npm = root.join("npm");
    let pkg = npm.join("pkg/web");
    let downloads = [
        Download {
            what: "engine wasm (npm package)",
            files: vec![pkg.join("redsim_bindings_bg.wasm")],
            budget: Some(300 * KB),
        },
        Download {
            what: "npm package in a browser (wasm + JS)",
            files: [
                pkg.join("redsim_bindings_bg.wasm"),
                pkg.join("redsim_bindings.js"),
            ]
            .into_iter()
            .chain(files_ending(&npm, ".mjs")?)
            .filter(|f| !f.ends_with("node.mjs") && !f.ends_with("server.mjs"))
            .collect(),
            budget: None,
        },
        Download {
            what: "playground first load",
            files: files_ending(&dist, "")?
                .into_iter()
                .filter(|f| !f.ends_with("console.css"))
                .chain(imported_snippets(&dist)?)
                .collect(),
            budget: Some(1000 * KB),
        },
        Download {
            what: "docs widget",
            files: files_ending(&dist.join("widget"), "")?
                .into_iter()
                .chain([dist.join("console.css")])
                .chain(imported_snippets(&dist.join("widget"))?)
                .collect(),
            budget: Some(400 * KB),
        },
    ];
    let mut table =
        String::from("| download | gzip bytes | budget | of budget |\n|---|---:|---:|---:|\n");
    for d in &downloads {
        let mut bytes = 0;
        for file in &d.files {
            bytes += gzipped(file)?;
        }
        let (budget, share) = match d.budget {
            Some(b) => (
                b.to_string(),
                format!("{:.0}%", bytes as f64 * 100.0 / b as f64),
            ),
            None => ("–".to_string(), "–".to_string()),
        };
        table.push_str(&format!("| {} | {bytes} | {budget} | {share} |\n", d.what));
    }
    Ok(table)
}

/// The files directly in `dir` (snippet folders: every file below it)
/// whose names end with `suffix`.
/// The snippets (wasm-bindgen's copies of the crate's JS modules, under
/// `dir/snippets/`) that the scripts in `dir` import. The web crate's
/// snippets are copied for both of its binaries, but the widget never
/// fetches the playground's storage module.
fn imported_snippets(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut scripts = String::new();
    for script in files_ending(dir, ".js")? {
        scripts.push_str(
            &std::fs::read_to_string(&script).map_err(|e| format!("{}: {e}", script.display()))?,
        );
    }
    let snippets = files_ending(&dir.join("snippets"), ".js")?;
    Ok(snippets
        .into_iter()
        .filter(|s| {
            s.strip_prefix(dir)
                .is_ok_and(|relative| scripts.contains(&*relative.to_string_lossy()))
        })
        .collect())
}

fn files_ending(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let snippets = dir.file_name().is_some_and(|n| n == "snippets")
            || dir.ancestors().any(|a| a.ends_with("snippets"));
        if path.is_dir() && snippets {
            found.extend(files_ending(&path, suffix)?);
        } else if path.is_file() && path.to_string_lossy().ends_with(suffix) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// `gzip -9`'s output size for `file`.
fn gzipped(file: &Path) -> Result<u64, String> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(file)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "gzip {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout.len() as u64)
}
